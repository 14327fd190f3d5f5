// SPDX-License-Identifier: MIT
// `mapixx service ...`: the message services of one profile, through service_admin
// (IMsgServiceAdmin).
#ifndef MAPIXX_TOOLS_SERVICE_CMD_HPP_INCLUDED
#define MAPIXX_TOOLS_SERVICE_CMD_HPP_INCLUDED

#include "cli.hpp"
#include "context.hpp"
#include "group.hpp"
#include "output.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/prop_text.hpp>
#include <mapixx/profile/service_admin.hpp>

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx_tool {

namespace service_detail {

// The message service a command line names: its uid (32 hex digits or {GUID}), or its
// PR_SERVICE_NAME when the profile has exactly one service of that name.
struct service_choice {
    mapixx::uid id{};
    std::string name;
};

// Picks the service; a failure (MAPI_E_NOT_FOUND) when there is none, and an ambiguity
// (exit status 2) when a name fits several.
inline int choose_service(const mapixx::profile& p, std::string_view which, service_choice& out) {
    if (auto u = mapixx::uid::parse(which)) {
        if (const auto* s = p.find_service(*u)) {
            out = {s->service_uid, s->name};
            return exit_ok;
        }
    }
    std::vector<const mapixx::message_service*> named;
    for (const auto& s : p.services) {
        if (mapixx::iequals(s.name, which)) named.push_back(&s);
    }
    if (named.size() == 1) {
        out = {named.front()->service_uid, named.front()->name};
        return exit_ok;
    }
    if (named.empty()) {
        return report_failure(mapixx::fail(mapixx::scode::not_found,
                                           "profile \"" + p.name + "\" has no message service with the uid or name \"" +
                                               std::string(which) + "\"",
                                           "mapixx.tool"));
    }
    std::string uids;
    for (const auto* s : named) uids += (uids.empty() ? "" : ", ") + s->service_uid.to_string();
    return usage_error("profile \"" + p.name + "\" has " + std::to_string(named.size()) + " message services called " +
                       std::string(which) + "; name one by its uid: " + uids);
}

inline std::string uid_text(const mapixx::property_bag& row, mapixx::prop_tag tag) {
    auto u = row.get_uid(tag);
    return u ? u->to_string() : std::string();
}

} // namespace service_detail

// ---- list ---------------------------------------------------------------------------------------

inline int service_list(tool_context& ctx, const parsed_args& a) {
    namespace pr = mapixx::pr;
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    auto svc = (*admin)->admin_services(a.positional[0]);
    if (!svc) return report_failure(svc);
    auto services = svc->service_table();
    if (!services) return report_failure(services);
    auto providers = svc->provider_table();
    if (!providers) return report_failure(providers);
    auto text = [](const mapixx::property_bag& row, mapixx::prop_tag tag) {
        return std::string(row.get_string(tag).value_or(""));
    };
    auto providers_of = [&](const std::string& sid) {
        std::vector<const mapixx::property_bag*> out;
        for (const auto& row : *providers) {
            if (service_detail::uid_text(row, pr::service_uid) == sid) out.push_back(&row);
        }
        return out;
    };
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().member("profile", svc->profile_name()).key("services").begin_array();
        for (const auto& row : *services) {
            const std::string sid = service_detail::uid_text(row, pr::service_uid);
            j.begin_object()
                .member("name", text(row, pr::service_name))
                .member("display_name", text(row, pr::display_name))
                .member("uid", sid)
                .member("dll_name", text(row, pr::service_dll_name))
                .member("entry_name", text(row, pr::service_entry_name))
                .key("flags");
            json_flags(j, mapixx::service_flags::from_bits_unchecked(
                              static_cast<std::uint32_t>(row.get_i4(pr::resource_flags).value_or(0))));
            j.key("providers").begin_array();
            for (const auto* prow : providers_of(sid)) {
                j.begin_object()
                    .member("display_name", text(*prow, pr::display_name))
                    .member("provider_display", text(*prow, pr::provider_display))
                    .member("dll_name", text(*prow, pr::provider_dll_name))
                    .member("type", resource_type_text(static_cast<mapixx::resource_type>(
                                        static_cast<std::uint32_t>(prow->get_i4(pr::resource_type).value_or(0)))))
                    .member("uid", service_detail::uid_text(*prow, pr::provider_uid))
                    .key("flags");
                json_flags(j, mapixx::resource_flags::from_bits_unchecked(
                                  static_cast<std::uint32_t>(prow->get_i4(pr::resource_flags).value_or(0))));
                j.member("ordinal", static_cast<std::int64_t>(prow->get_i4(pr::provider_ordinal).value_or(0)));
                j.end_object();
            }
            j.end_array().end_object();
        }
        j.end_array().end_object().finish();
        return exit_ok;
    }
    if (services->empty()) {
        std::cout << "profile \"" << svc->profile_name() << "\" has no message services\n";
        return exit_ok;
    }
    table t({"SERVICE", "UID", "DISPLAY NAME", "PROVIDERS"});
    for (const auto& row : *services) {
        const std::string sid = service_detail::uid_text(row, pr::service_uid);
        std::string provs;
        for (const auto* prow : providers_of(sid)) {
            const auto type = static_cast<mapixx::resource_type>(
                static_cast<std::uint32_t>(prow->get_i4(pr::resource_type).value_or(0)));
            const auto flags = mapixx::resource_flags::from_bits_unchecked(
                static_cast<std::uint32_t>(prow->get_i4(pr::resource_flags).value_or(0)));
            std::string what = provider_kind(type);
            if (flags.has(mapixx::resource_flag::default_store)) what += ", default store";
            provs += (provs.empty() ? "" : "; ") + text(*prow, pr::display_name) + " (" + what + ")";
        }
        t.add({text(row, pr::service_name), sid, text(row, pr::display_name), provs});
    }
    t.print(std::cout);
    return exit_ok;
}

// ---- add, remove --------------------------------------------------------------------------------

inline int service_add(tool_context& ctx, const parsed_args& a) {
    auto admin = ctx.admin(true);
    if (!admin) return report_failure(admin);
    auto svc = (*admin)->admin_services(a.positional[0]);
    if (!svc) return report_failure(svc);
    const std::string display = a.value("--display").value_or("");
    auto id = svc->create_service(a.positional[1], display);
    if (!id) return report_failure(id);
    auto p = svc->load();
    if (!p) return report_failure(p);
    const mapixx::message_service* s = p->find_service(*id);
    const std::string name = s ? s->name : a.positional[1];
    const std::string shown = s ? s->display_name : display;
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object()
            .member("profile", p->name)
            .member("service", name)
            .member("display_name", shown)
            .member("uid", id->to_string())
            .end_object()
            .finish();
    } else {
        std::cout << "added message service " << name << " (" << shown << ") to profile \"" << p->name
                  << "\": uid " << id->to_string() << "\n";
    }
    return exit_ok;
}

inline int service_remove(tool_context& ctx, const parsed_args& a) {
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    auto svc = (*admin)->admin_services(a.positional[0]);
    if (!svc) return report_failure(svc);
    auto p = svc->load();
    if (!p) return report_failure(p);
    service_detail::service_choice chosen;
    if (int status = service_detail::choose_service(*p, a.positional[1], chosen); status != exit_ok) return status;
    if (auto r = svc->delete_service(chosen.id); !r) return report_failure(r);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object()
            .member("profile", p->name)
            .member("service", chosen.name)
            .member("uid", chosen.id.to_string())
            .end_object()
            .finish();
    } else {
        std::cout << "removed message service " << chosen.name << " (uid " << chosen.id.to_string()
                  << ") from profile \"" << p->name << "\"\n";
    }
    return exit_ok;
}

// ---- configure ----------------------------------------------------------------------------------

inline int service_configure(tool_context& ctx, const parsed_args& a) {
    using mapixx::value_context;
    // KEY=VALUE first: a malformed argument is bad usage; a key or value mapixx cannot read is
    // the MAPI error the library reports (MAPI_E_NOT_FOUND, MAPI_E_BAD_VALUE, ...), and its
    // sentence never quotes a secure value.
    mapixx::property_bag props;
    for (std::size_t i = 2; i < a.positional.size(); ++i) {
        const std::string& arg = a.positional[i];
        const auto eq = arg.find('=');
        if (eq == std::string::npos || eq == 0) {
            return usage_error("\"" + (eq == 0 ? arg : arg.substr(0, 40)) +
                               "\" is not KEY=VALUE; see 'mapixx service configure --help'");
        }
        auto tag = mapixx::parse_prop_key(arg.substr(0, eq));
        if (!tag) return report_failure(tag);
        auto value = mapixx::parse_prop_value(*tag, std::string_view(arg).substr(eq + 1), value_context::service_section);
        if (!value) return report_failure(value);
        if (auto r = props.set(std::move(*value)); !r) return report_failure(r);
    }
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    auto svc = (*admin)->admin_services(a.positional[0]);
    if (!svc) return report_failure(svc);
    auto p = svc->load();
    if (!p) return report_failure(p);
    service_detail::service_choice chosen;
    if (int status = service_detail::choose_service(*p, a.positional[1], chosen); status != exit_ok) return status;
    if (auto r = svc->configure_service(chosen.id, props); !r) return report_failure(r);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object()
            .member("profile", p->name)
            .member("service", chosen.name)
            .member("uid", chosen.id.to_string())
            .key("properties");
        json_properties(j, &props, value_context::service_section);
        j.end_object().finish();
        return exit_ok;
    }
    std::cout << "configured message service " << chosen.name << " (uid " << chosen.id.to_string()
              << ") of profile \"" << p->name << "\":\n";
    print_properties(std::cout, &props, value_context::service_section, "  ");
    return exit_ok;
}

// ---- the group ----------------------------------------------------------------------------------

inline constexpr std::string_view service_group_help =
    "Lists, adds, removes and configures the message services of a profile (IMsgServiceAdmin).\n"
    "SERVICE names a [Services] entry of MAPISVC.INF; an existing service is named by its uid\n"
    "(32 hex digits, as 'service list' prints it) or by its service name when the profile has\n"
    "only one service of that name.";

inline const std::vector<command>& service_commands() {
    static const std::vector<command> commands{
        {"list", "PROFILE [--json]", "list the message services of a profile and their providers",
         "Lists the message services of PROFILE (GetMsgServiceTable, sorted by display name) with\n"
         "their providers (GetProviderTable). A profile that does not exist gives\n"
         "MAPI_E_LOGON_FAILED, as AdminServices does.\n",
         {}, 1, 1, service_list},
        {"add", "PROFILE SERVICE [--display NAME]", "add a message service from MAPISVC.INF",
         "Adds the message service SERVICE of MAPISVC.INF (--inf) to PROFILE (CreateMsgService)\n"
         "and prints its new uid. --display replaces its display name.\n",
         {{"--display", true}}, 2, 2, service_add},
        {"remove", "PROFILE UID", "remove a message service",
         "Removes a message service and its provider and extra sections (DeleteMsgService).\n"
         "UID is the service's uid, or its service name when the profile has one of that name.\n",
         {}, 2, 2, service_remove},
        {"configure", "PROFILE UID KEY=VALUE...", "write properties into a service's profile section",
         "Writes properties into the message service's own profile section\n"
         "(ConfigureMsgService, without UI). KEY is a property name mapixx knows (PR_DISPLAY_NAME,\n"
         "PR_DISPLAY_NAME_W) or 8 hex digits (6600001E); VALUE is in MAPISVC.INF syntax\n"
         "(docs/profiles-mapisvc.md): PT_LONG as 8 hex digits little-endian (19000000 = 25) or\n"
         "signed decimal (+25), PT_BOOLEAN as 0/1/TRUE/FALSE, PT_BINARY as hex, strings verbatim.\n"
         "The properties written are echoed; secure ones (ids 0x67F0-0x67FF) as ********.\n"
         "Example: mapixx service configure Work MXXSMTP 6600001E=smtp.example.org 66010003=+587\n",
         {}, 3, any_count, service_configure},
    };
    return commands;
}

inline int run_service(tool_context& ctx, std::span<const std::string_view> args) {
    return run_group("service", service_group_help, service_commands(), ctx, args);
}

} // namespace mapixx_tool

#endif
