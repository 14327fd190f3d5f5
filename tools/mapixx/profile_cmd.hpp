// SPDX-License-Identifier: MIT
// `mapixx profile ...`: the profiles of a profile store, through profile_admin (IProfAdmin).
#ifndef MAPIXX_TOOLS_PROFILE_CMD_HPP_INCLUDED
#define MAPIXX_TOOLS_PROFILE_CMD_HPP_INCLUDED

#include "cli.hpp"
#include "context.hpp"
#include "group.hpp"
#include "output.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/profile/profile_admin.hpp>

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx_tool {

namespace profile_detail {

inline std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What a uid of the profile belongs to, for `show`.
inline std::string provider_label(const mapixx::profile& p, const mapixx::uid& id) {
    for (const auto& s : p.services) {
        for (const auto& prov : s.providers) {
            if (prov.provider_uid == id) return prov.display_name + " (service " + s.name + ")";
        }
    }
    return "unknown provider";
}

// Sections no service, provider or extra-section list claims (the profile instance, the ones a
// PRF import wrote through SectionGUID=, ...), in uid order.
inline std::vector<mapixx::uid> other_sections(const mapixx::profile& p) {
    std::set<mapixx::uid> claimed;
    for (const auto& s : p.services) {
        claimed.insert(s.service_uid);
        for (const auto& prov : s.providers) claimed.insert(prov.provider_uid);
        claimed.insert(s.extra_sections.begin(), s.extra_sections.end());
    }
    std::vector<mapixx::uid> out;
    for (const auto& [id, bag] : p.sections) {
        if (claimed.count(id) == 0) out.push_back(id);
    }
    return out;
}

inline std::string section_label(const mapixx::uid& id) {
    return id == mapixx::uids::profile_instance ? " (profile instance)" : "";
}

} // namespace profile_detail

// ---- list ---------------------------------------------------------------------------------------

inline int profile_list(tool_context& ctx, const parsed_args&) {
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    auto rows = (*admin)->profile_table();
    if (!rows) return report_failure(rows);
    auto def = (*admin)->default_profile();
    if (!def) return report_failure(def);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().key("default").optional_string(*def).key("profiles").begin_array();
        for (const auto& row : *rows) {
            j.begin_object()
                .member("name", std::string(row.get_string(mapixx::pr::display_name).value_or("")))
                .member("default", row.get_bool(mapixx::pr::default_profile).value_or(false))
                .end_object();
        }
        j.end_array().end_object().finish();
        return exit_ok;
    }
    if (rows->empty()) {
        std::cout << "no profiles in " << ctx.store_directory().value() << "\n";
        return exit_ok;
    }
    table t({"PROFILE", "DEFAULT"});
    for (const auto& row : *rows) {
        t.add({std::string(row.get_string(mapixx::pr::display_name).value_or("")),
               row.get_bool(mapixx::pr::default_profile).value_or(false) ? "yes" : ""});
    }
    t.print(std::cout);
    return exit_ok;
}

// ---- show ---------------------------------------------------------------------------------------

inline void show_profile_json(const mapixx::profile& p, const std::optional<mapixx::uid>& default_store,
                              const std::vector<mapixx::uid>& transport_order) {
    using mapixx::value_context;
    json_writer j(std::cout);
    j.begin_object()
        .member("name", p.name)
        .member("default", p.is_default)
        .member("search_key", p.search_key.to_string())
        .key("default_store");
    if (default_store) {
        j.string(default_store->to_string());
    } else {
        j.null();
    }
    j.key("transport_order").begin_array();
    for (const auto& u : transport_order) j.string(u.to_string());
    j.end_array();
    j.key("services").begin_array();
    for (const auto& s : p.services) {
        j.begin_object()
            .member("name", s.name)
            .member("display_name", s.display_name)
            .member("uid", s.service_uid.to_string())
            .member("dll_name", s.dll_name)
            .member("entry_name", s.entry_name)
            .key("flags");
        json_flags(j, s.flags);
        j.key("properties");
        json_properties(j, p.section(s.service_uid), value_context::service_section);
        j.key("providers").begin_array();
        for (const auto& prov : s.providers) {
            j.begin_object()
                .member("section", prov.section_name)
                .member("display_name", prov.display_name)
                .member("provider_display", prov.provider_display)
                .member("dll_name", prov.dll_name)
                .member("type", resource_type_text(prov.type))
                .member("uid", prov.provider_uid.to_string())
                .key("flags");
            json_flags(j, prov.flags);
            j.key("properties");
            json_properties(j, p.section(prov.provider_uid), value_context::provider_section);
            j.end_object();
        }
        j.end_array();
        j.key("extra_sections").begin_array();
        for (const auto& x : s.extra_sections) {
            j.begin_object().member("uid", x.to_string()).key("properties");
            json_properties(j, p.section(x), value_context::any);
            j.end_object();
        }
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.key("sections").begin_array();
    for (const auto& id : profile_detail::other_sections(p)) {
        j.begin_object().member("uid", id.to_string()).key("properties");
        json_properties(j, p.section(id), value_context::any);
        j.end_object();
    }
    j.end_array();
    j.end_object().finish();
}

inline void show_profile_text(const mapixx::profile& p, const std::optional<mapixx::uid>& default_store,
                              const std::vector<mapixx::uid>& transport_order) {
    using mapixx::value_context;
    auto& out = std::cout;
    out << "profile: " << p.name << "\n";
    out << "default: " << (p.is_default ? "yes" : "no") << "\n";
    out << "search key: " << p.search_key.to_string() << "\n";
    out << "default store: "
        << (default_store ? default_store->to_string() + " " + profile_detail::provider_label(p, *default_store)
                          : std::string("none"))
        << "\n";
    out << "transport order:";
    if (transport_order.empty()) out << " none";
    out << "\n";
    for (std::size_t i = 0; i < transport_order.size(); ++i) {
        out << "  " << (i + 1) << ". " << transport_order[i].to_string() << " "
            << profile_detail::provider_label(p, transport_order[i]) << "\n";
    }
    out << "message services: " << p.services.size() << "\n";
    for (const auto& s : p.services) {
        out << "\nservice " << s.name << ": " << s.display_name << "\n";
        out << "  uid: " << s.service_uid.to_string() << "\n";
        out << "  dll: " << s.dll_name << "\n";
        out << "  entry: " << s.entry_name << "\n";
        out << "  flags: " << flag_text(s.flags) << "\n";
        out << "  properties:\n";
        print_properties(out, p.section(s.service_uid), value_context::service_section, "    ");
        for (const auto& prov : s.providers) {
            out << "  provider " << prov.section_name << ": " << prov.display_name << "\n";
            out << "    uid: " << prov.provider_uid.to_string() << "\n";
            out << "    type: " << resource_type_text(prov.type) << "\n";
            out << "    dll: " << prov.dll_name << "\n";
            out << "    flags: " << flag_text(prov.flags) << "\n";
            out << "    properties:\n";
            print_properties(out, p.section(prov.provider_uid), value_context::provider_section, "      ");
        }
        for (const auto& x : s.extra_sections) {
            out << "  extra section " << x.to_string() << "\n";
            print_properties(out, p.section(x), value_context::any, "    ");
        }
    }
    for (const auto& id : profile_detail::other_sections(p)) {
        out << "\nsection " << id.to_string() << profile_detail::section_label(id) << "\n";
        print_properties(out, p.section(id), value_context::any, "  ");
    }
}

inline int profile_show(tool_context& ctx, const parsed_args& a) {
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    auto p = (*admin)->store().load(a.positional[0]);
    if (!p) return report_failure(p);
    auto svc = (*admin)->admin_services(p->name);
    if (!svc) return report_failure(svc);
    auto store = svc->default_store();
    if (!store) return report_failure(store);
    auto order = svc->default_transport_order();
    if (!order) return report_failure(order);
    if (ctx.json()) {
        show_profile_json(*p, *store, *order);
    } else {
        show_profile_text(*p, *store, *order);
    }
    return exit_ok;
}

// ---- create, delete, copy, rename -----------------------------------------------------------------

inline int profile_create(tool_context& ctx, const parsed_args& a) {
    const bool defaults = a.has("--default-services");
    auto admin = ctx.admin(defaults);
    if (!admin) return report_failure(admin);
    const std::string& name = a.positional[0];
    mapixx::profile_create_flags flags;
    if (defaults) flags |= mapixx::profile_create_flag::default_services;
    if (auto r = (*admin)->create_profile(name, flags); !r) return report_failure(r);
    auto p = (*admin)->store().load(name);
    if (!p) return report_failure(p);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().member("created", p->name).key("services").begin_array();
        for (const auto& s : p->services) {
            j.begin_object()
                .member("name", s.name)
                .member("display_name", s.display_name)
                .member("uid", s.service_uid.to_string())
                .end_object();
        }
        j.end_array().end_object().finish();
        return exit_ok;
    }
    std::cout << "created profile " << profile_detail::quoted(p->name);
    if (p->services.empty()) {
        std::cout << " with no message services\n";
    } else {
        std::cout << " with " << p->services.size() << " message service" << (p->services.size() == 1 ? "" : "s")
                  << ":\n";
        for (const auto& s : p->services) std::cout << "  " << s.name << "  " << s.service_uid.to_string() << "\n";
    }
    return exit_ok;
}

inline int profile_delete(tool_context& ctx, const parsed_args& a) {
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    if (auto r = (*admin)->delete_profile(a.positional[0]); !r) return report_failure(r);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().member("deleted", a.positional[0]).end_object().finish();
    } else {
        std::cout << "deleted profile " << profile_detail::quoted(a.positional[0]) << "\n";
    }
    return exit_ok;
}

inline int profile_copy(tool_context& ctx, const parsed_args& a) {
    // The catalog tells which extra sections are well known (UID= in MAPISVC.INF) and keep
    // their uids in the copy.
    auto admin = ctx.admin(true);
    if (!admin) return report_failure(admin);
    const std::string& from = a.positional[0];
    const std::string& to = a.positional[1];
    if (auto r = (*admin)->copy_profile(from, to); !r) return report_failure(r);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().member("copied", from).member("to", to).end_object().finish();
    } else {
        std::cout << "copied profile " << profile_detail::quoted(from) << " to " << profile_detail::quoted(to) << "\n";
    }
    return exit_ok;
}

inline int profile_rename(tool_context& ctx, const parsed_args& a) {
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    const std::string& from = a.positional[0];
    const std::string& to = a.positional[1];
    if (auto r = (*admin)->rename_profile(from, to); !r) return report_failure(r);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().member("renamed", from).member("to", to).end_object().finish();
    } else {
        std::cout << "renamed profile " << profile_detail::quoted(from) << " to " << profile_detail::quoted(to)
                  << "\n";
    }
    return exit_ok;
}

// ---- default ------------------------------------------------------------------------------------

inline int profile_default(tool_context& ctx, const parsed_args& a) {
    const bool clear = a.has("--clear");
    if (clear && !a.positional.empty()) {
        return usage_error("profile default takes NAME or --clear, not both; see 'mapixx profile default --help'");
    }
    auto admin = ctx.admin(false);
    if (!admin) return report_failure(admin);
    if (clear) {
        if (auto r = (*admin)->set_default_profile(std::nullopt); !r) return report_failure(r);
    } else if (!a.positional.empty()) {
        if (auto r = (*admin)->set_default_profile(std::string_view(a.positional[0])); !r) return report_failure(r);
    }
    auto def = (*admin)->default_profile();
    if (!def) return report_failure(def);
    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object().key("default").optional_string(*def).end_object().finish();
        return exit_ok;
    }
    if (clear) {
        std::cout << "cleared the default profile\n";
    } else if (!a.positional.empty()) {
        std::cout << "default profile: " << def->value_or("") << "\n";
    } else if (*def) {
        std::cout << **def << "\n";
    } else {
        std::cout << "no default profile\n";
    }
    return exit_ok;
}

// ---- the group ----------------------------------------------------------------------------------

inline constexpr std::string_view profile_group_help =
    "Lists, shows and changes the profiles of a profile store (IProfAdmin).";

inline const std::vector<command>& profile_commands() {
    static const std::vector<command> commands{
        {"list", "[--json]", "list the profiles and which one is the default",
         "Lists the profiles of the store in creation order (GetProfileTable), marking the default.\n",
         {}, 0, 0, profile_list},
        {"show", "NAME [--json]", "show a profile: services, providers and every profile section",
         "Shows a profile: its search key, default store, transport order, message services,\n"
         "their providers and extra sections, and every profile section with its properties in\n"
         "MAPISVC.INF syntax. Secure properties (ids 0x67F0-0x67FF) show as ********.\n",
         {}, 1, 1, profile_show},
        {"create", "NAME [--default-services]", "create a profile",
         "Creates an empty profile (CreateProfile). With --default-services it gets every\n"
         "service that [Default Services] of MAPISVC.INF (--inf) lists, in file order.\n"
         "A profile name has 1 to 64 characters, no control character or backslash, and no\n"
         "leading or trailing space.\n",
         {{"--default-services", false}}, 1, 1, profile_create},
        {"delete", "NAME", "delete a profile", "Deletes a profile (DeleteProfile).\n", {}, 1, 1, profile_delete},
        {"copy", "FROM TO", "copy a profile",
         "Copies a profile (CopyProfile): the copy has a new search key and new uids for its\n"
         "services, providers and extra sections, except the sections MAPISVC.INF fixes with\n"
         "UID= (so pass the --inf the profile's services came from). It is not the default.\n",
         {}, 2, 2, profile_copy},
        {"rename", "FROM TO", "rename a profile",
         "Renames a profile (RenameProfile); a change of case only is allowed.\n", {}, 2, 2, profile_rename},
        {"default", "[NAME | --clear]", "print, set or clear the default profile",
         "Without arguments prints the default profile (\"no default profile\" when there is\n"
         "none). With NAME makes that profile the default (SetDefaultProfile); with --clear\n"
         "leaves the store without one.\n",
         {{"--clear", false}}, 0, 1, profile_default},
    };
    return commands;
}

inline int run_profile(tool_context& ctx, std::span<const std::string_view> args) {
    return run_group("profile", profile_group_help, profile_commands(), ctx, args);
}

} // namespace mapixx_tool

#endif
