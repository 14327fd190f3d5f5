// SPDX-License-Identifier: MIT
/// \file
/// `service_admin` (IMsgServiceAdmin): the message services of one profile, their providers,
/// tables, primary identity, transport order and profile sections; plus the message-service
/// entry hooks (`service_entry`, MSGSERVICEENTRY) shared with the logon layer.
#ifndef MAPIXX_PROFILE_SERVICE_ADMIN_HPP_INCLUDED
#define MAPIXX_PROFILE_SERVICE_ADMIN_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_section.hpp>
#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// What a message service's entry hook receives (the model of MSGSERVICEENTRY's arguments).
///
/// `target` is the profile being changed. During `create`, `configure` and `remove` from the
/// admin the hook runs inside the store update that makes the change: what it writes into
/// `target` is stored with the change, and a failure it returns undoes the whole change.
struct service_entry_args {
    profile& target;                         ///< the profile; edits are stored with the operation
    uid service_uid{};                       ///< PR_SERVICE_UID of the service instance
    std::string service_name;                ///< PR_SERVICE_NAME ("MSEMS")
    const property_bag* config = nullptr;    ///< `configure`: the properties given to configure_service
    bool ui_allowed = false;                 ///< SERVICE_UI_ALLOWED; always false from the admin

    /// The service in `target`, or nullptr once it is gone.
    [[nodiscard]] message_service* service() const noexcept { return target.find_service(service_uid); }
    /// The service's own profile section (created if missing).
    [[nodiscard]] property_bag& section() const { return target.sections[service_uid]; }
};

/// A message service's entry point (MSGSERVICEENTRY) as a C++ callable: called with
/// `service_context::create` after the MAPISVC.INF data is copied (rule 45),
/// `service_context::remove` before a service (or its profile) is deleted, and
/// `service_context::configure` by `configure_service` (and by the logon layer when a provider
/// reports `unconfigured`). A failure it returns is the operation's failure.
///
/// Entry hooks run while the profile is locked in its store: they must not call the store, a
/// `profile_admin`, a `service_admin` or the `profile_usage` registry.
using service_entry = std::function<result<void>(service_context, service_entry_args&)>;

/// The entry hooks by service name (ASCII case-insensitive). Thread-safe; shared by a
/// `profile_admin` and every `service_admin` it hands out.
class service_entry_table {
public:
    /// Sets the hook of `service_name`; an empty `fn` removes it.
    void set(std::string_view service_name, service_entry fn) {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const auto& e) { return iequals(e.first, service_name); });
        if (!fn) {
            if (it != entries_.end()) entries_.erase(it);
        } else if (it != entries_.end()) {
            it->second = std::move(fn);
        } else {
            entries_.emplace_back(std::string(service_name), std::move(fn));
        }
    }
    /// A copy of the hook of `service_name`, or an empty function.
    [[nodiscard]] service_entry find(std::string_view service_name) const {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const auto& e) { return iequals(e.first, service_name); });
        return it == entries_.end() ? service_entry{} : it->second;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, service_entry>> entries_;
};

namespace detail::svc {

inline constexpr const char* admin_component = "mapixx.service_admin";

/// Calls a hook (an empty one succeeds); an exception it throws becomes `call_failed`.
inline result<void> call_entry(const service_entry& fn, service_context ctx, service_entry_args& args) {
    if (!fn) return {};
    try {
        return fn(ctx, args);
    } catch (const std::exception& e) {
        return fail(scode::call_failed,
                    "the entry hook of message service " + args.service_name + " threw: " + e.what(), admin_component);
    }
}

/// True if a DLL name carries the "32" that MAPI inserts itself (rule 68): the file name part
/// (after the last '/' or '\\'), up to its first '.', ends in "32".
[[nodiscard]] inline bool dll_has_32_suffix(std::string_view dll) noexcept {
    if (auto slash = dll.find_last_of("/\\"); slash != std::string_view::npos) dll.remove_prefix(slash + 1);
    std::string_view stem = dll.substr(0, dll.find('.'));
    return stem.size() >= 2 && stem.substr(stem.size() - 2) == "32";
}

/// True if a DLL path has a period before its file name: MAPI inserts "32" before the first
/// period of the whole string, so such a path names a file that does not exist.
[[nodiscard]] inline bool dll_path_has_early_period(std::string_view dll) noexcept {
    const std::size_t slash = dll.find_last_of("/\\");
    const std::size_t period = dll.find('.');
    return slash != std::string_view::npos && period != std::string_view::npos && period < slash;
}

[[nodiscard]] inline binary uid_bytes(const uid& u) { return binary(u.bytes.begin(), u.bytes.end()); }
[[nodiscard]] inline binary uid_list_bytes(const std::vector<uid>& list) {
    binary out;
    for (const auto& u : list) out.insert(out.end(), u.bytes.begin(), u.bytes.end());
    return out;
}
[[nodiscard]] inline prop_value flags_value(std::uint32_t bits) {
    return prop_value(pr::resource_flags, static_cast<std::int32_t>(bits));
}

/// Writes every service's and provider's flags into PR_RESOURCE_FLAGS of its section.
inline void write_flags(profile& p) {
    for (const auto& s : p.services) {
        (void)p.sections[s.service_uid].set(flags_value(s.flags.bits()));
        for (const auto& prov : s.providers) (void)p.sections[prov.provider_uid].set(flags_value(prov.flags.bits()));
    }
}

/// The uids of extra sections that MAPISVC.INF fixes (`UID=`) for a service: shared, well-known
/// sections that keep their uid in copies.
[[nodiscard]] inline std::set<uid> fixed_section_uids(const service_catalog& catalog, std::string_view service) {
    std::set<uid> out;
    if (const catalog_service* cs = catalog.find(service)) {
        for (const auto& x : cs->extra_sections) {
            if (x.uid_value) out.insert(*x.uid_value);
        }
    }
    return out;
}

/// Replaces, in the uid-holding properties of a section, every uid that `map` renames.
inline void remap_uid_props(property_bag& bag, const std::map<uid, uid>& map) {
    static constexpr prop_tag tags[] = {pr::service_uid,    pr::provider_uid, pr::service_extra_uids,
                                        pr::store_providers, pr::ab_providers, pr::transport_providers};
    for (auto tag : tags) {
        const binary* b = bag.get_binary(tag);
        if (b == nullptr || b->empty() || b->size() % 16 != 0) continue;
        binary copy = *b;
        for (std::size_t at = 0; at < copy.size(); at += 16) {
            uid u;
            std::copy(copy.begin() + static_cast<std::ptrdiff_t>(at), copy.begin() + static_cast<std::ptrdiff_t>(at + 16),
                      u.bytes.begin());
            if (auto it = map.find(u); it != map.end()) {
                std::copy(it->second.bytes.begin(), it->second.bytes.end(), copy.begin() + static_cast<std::ptrdiff_t>(at));
            }
        }
        (void)bag.set(tag, std::move(copy));
    }
}

/// Every transport provider of `p` in order of addition.
[[nodiscard]] inline std::vector<const provider_entry*> transports_of(const profile& p) {
    std::vector<const provider_entry*> out;
    for (const auto& s : p.services) {
        for (const auto& prov : s.providers) {
            if (prov.type == resource_type::transport_provider) out.push_back(&prov);
        }
    }
    return out;
}

/// The transport order a session uses (rule 50): the order set by `transport_order` if any
/// (transports added since then follow it), else order of addition with every
/// STATUS_XP_PREFER_LAST transport moved to the end.
[[nodiscard]] inline std::vector<uid> effective_transport_order(const profile& p) {
    auto all = transports_of(p);
    std::stable_partition(all.begin(), all.end(),
                          [](const provider_entry* t) { return !t->flags.has(resource_flag::xp_prefer_last); });
    std::vector<uid> out;
    for (const auto& u : p.transport_order) {
        if (std::any_of(all.begin(), all.end(), [&](const provider_entry* t) { return t->provider_uid == u; }) &&
            std::find(out.begin(), out.end(), u) == out.end()) {
            out.push_back(u);
        }
    }
    for (const auto* t : all) {
        if (std::find(out.begin(), out.end(), t->provider_uid) == out.end()) out.push_back(t->provider_uid);
    }
    return out;
}

/// The default store of `p` (rule 50): the first store provider, in profile order, flagged
/// STATUS_DEFAULT_STORE.
[[nodiscard]] inline std::optional<uid> default_store_of(const profile& p) {
    for (const auto& s : p.services) {
        for (const auto& prov : s.providers) {
            if (prov.type == resource_type::store_provider && prov.flags.has(resource_flag::default_store)) {
                return prov.provider_uid;
            }
        }
    }
    return std::nullopt;
}

/// Checks a catalog service before anything is copied: rule 69 (providers) and rule 68 ("32").
[[nodiscard]] inline result<void> check_catalog_service(const catalog_service& cs) {
    const std::string where = " (MAPISVC.INF line " + std::to_string(cs.line) + ")";
    if (!cs.has_section) {
        return fail(scode::invalid_parameter,
                    "message service " + cs.name + " (MAPISVC.INF line " + std::to_string(cs.services_line) +
                        ") is listed in [Services] but has no [" + cs.name + "] section",
                    admin_component);
    }
    if (!cs.missing_providers.empty()) {
        return fail(scode::invalid_parameter,
                    "message service " + cs.name + where + " lists provider \"" + cs.missing_providers.front() +
                        "\", which has no section in MAPISVC.INF (rule 69)",
                    admin_component);
    }
    if (cs.providers.empty() || !cs.usable()) {
        return fail(scode::invalid_parameter,
                    "message service " + cs.name + where +
                        " has no provider: a service section needs a Providers= list naming at least one "
                        "provider section (rule 69)",
                    admin_component);
    }
    if (dll_has_32_suffix(cs.dll_name)) {
        return fail(scode::invalid_parameter,
                    "message service " + cs.name + where + " names PR_SERVICE_DLL_NAME \"" + cs.dll_name +
                        "\" with a \"32\" suffix; MAPI adds \"32\" itself, so the DLL could never load (rule 68)",
                    admin_component);
    }
    if (dll_path_has_early_period(cs.dll_name)) {
        return fail(scode::invalid_parameter,
                    "message service " + cs.name + where + " names PR_SERVICE_DLL_NAME \"" + cs.dll_name +
                        "\", a path with a period before the file name; MAPI inserts \"32\" before the first "
                        "period, so the DLL could never load (rule 68)",
                    admin_component);
    }
    for (const auto& prov : cs.providers) {
        if (dll_path_has_early_period(prov.dll_name)) {
            return fail(scode::invalid_parameter,
                        "provider " + prov.section_name + " (MAPISVC.INF line " + std::to_string(prov.line) +
                            ") of message service " + cs.name + " names PR_PROVIDER_DLL_NAME \"" + prov.dll_name +
                            "\", a path with a period before the file name; MAPI inserts \"32\" before the first "
                            "period, so the DLL could never load (rule 68)",
                        admin_component);
        }
        if (dll_has_32_suffix(prov.dll_name)) {
            return fail(scode::invalid_parameter,
                        "provider " + prov.section_name + " (MAPISVC.INF line " + std::to_string(prov.line) +
                            ") of message service " + cs.name + " names PR_PROVIDER_DLL_NAME \"" + prov.dll_name +
                            "\" with a \"32\" suffix; MAPI adds \"32\" itself, so the DLL could never load (rule 68)",
                        admin_component);
        }
    }
    return {};
}

/// CreateMsgService on a profile held in memory: copies the MAPISVC.INF data of `cs` into new
/// profile sections with fresh uids, then calls `hook` with `create`. On any failure `p` is
/// left as it was. The path `create_service`, `create_profile` (default services) and the PRF
/// import share.
[[nodiscard]] inline result<uid> add_service(profile& p, const catalog_service& cs, std::string_view display,
                                             const service_entry& hook) {
    if (auto ok = check_catalog_service(cs); !ok) return std::move(ok).as_failure();
    if (cs.flags.has(service_flag::single_copy)) {
        for (const auto& s : p.services) {
            if (iequals(s.name, cs.name)) {
                return fail(scode::no_access,
                            "message service " + cs.name + " is SERVICE_SINGLE_COPY and profile \"" + p.name +
                                "\" has it already",
                            admin_component);
            }
        }
    }
    profile work = p;
    message_service ms;
    ms.name = cs.name;
    ms.display_name = display.empty() ? cs.display_name : std::string(display);
    ms.dll_name = cs.dll_name;
    ms.entry_name = cs.entry_name;
    ms.flags = cs.flags;
    ms.service_uid = uid::generate();

    property_bag service_bag = cs.props;
    for (const auto& x : cs.extra_sections) {
        const uid xid = x.uid_value.value_or(uid::generate());
        auto [it, fresh] = work.sections.try_emplace(xid, x.props);
        if (!fresh) {  // a well-known section another service created: add what it lacks
            for (const auto& v : x.props) {
                if (it->second.find(v.tag().with_type(prop_type::unspecified)) == nullptr) (void)it->second.set(v);
            }
        }
        ms.extra_sections.push_back(xid);
    }
    for (const auto& cp : cs.providers) {
        provider_entry pe;
        pe.section_name = cp.section_name;
        pe.display_name = cp.display_name;
        pe.provider_display = cp.provider_display;
        pe.dll_name = cp.dll_name;
        pe.type = cp.type;
        pe.flags = cp.flags;
        pe.provider_uid = uid::generate();
        property_bag bag = cp.props;
        (void)bag.set(pr::display_name_a, pe.display_name);
        (void)bag.set(pr::provider_display_a, pe.provider_display);
        (void)bag.set(pr::provider_dll_name_a, pe.dll_name);
        (void)bag.set(pr::resource_type, static_cast<std::int32_t>(pe.type));
        (void)bag.set(flags_value(pe.flags.bits()));
        (void)bag.set(pr::provider_uid, uid_bytes(pe.provider_uid));
        (void)bag.set(pr::service_uid, uid_bytes(ms.service_uid));
        (void)bag.set(pr::service_name_a, ms.name);
        work.sections[pe.provider_uid] = std::move(bag);
        ms.providers.push_back(std::move(pe));
    }
    (void)service_bag.set(pr::service_name_a, ms.name);
    (void)service_bag.set(pr::display_name_a, ms.display_name);
    (void)service_bag.set(pr::service_dll_name_a, ms.dll_name);
    (void)service_bag.set(pr::service_entry_name, ms.entry_name);
    (void)service_bag.set(flags_value(ms.flags.bits()));
    (void)service_bag.set(pr::service_uid, uid_bytes(ms.service_uid));
    if (!ms.extra_sections.empty()) (void)service_bag.set(pr::service_extra_uids, uid_list_bytes(ms.extra_sections));
    work.sections[ms.service_uid] = std::move(service_bag);
    const uid sid = ms.service_uid;
    work.services.push_back(std::move(ms));

    service_entry_args args{work, sid, cs.name};
    if (auto r = call_entry(hook, service_context::create, args); !r) return std::move(r).as_failure();
    p = std::move(work);
    return sid;
}

/// Removes service `sid` and its sections from `p` (extra sections only when no other service
/// lists them). \pre the service exists.
inline void erase_service(profile& p, const uid& sid) {
    auto it = std::find_if(p.services.begin(), p.services.end(),
                           [&](const message_service& s) { return s.service_uid == sid; });
    if (it == p.services.end()) return;
    message_service gone = std::move(*it);
    p.services.erase(it);
    p.sections.erase(gone.service_uid);
    for (const auto& prov : gone.providers) {
        p.sections.erase(prov.provider_uid);
        std::erase(p.transport_order, prov.provider_uid);
    }
    for (const auto& x : gone.extra_sections) {
        const bool shared = std::any_of(p.services.begin(), p.services.end(), [&](const message_service& s) {
            return std::find(s.extra_sections.begin(), s.extra_sections.end(), x) != s.extra_sections.end();
        });
        if (!shared) p.sections.erase(x);
    }
}

/// Writes `props` into service `sid`'s section, keeps the tables in step, then calls `hook` with
/// `configure`. On failure `p` is left as it was.
[[nodiscard]] inline result<void> configure_in(profile& p, const uid& sid, const property_bag& props,
                                               const service_entry& hook) {
    const message_service* s = p.find_service(sid);
    if (s == nullptr) {
        return fail(scode::not_found, "profile \"" + p.name + "\" has no message service " + sid.to_string(),
                    admin_component);
    }
    profile work = p;
    property_bag& bag = work.sections[sid];
    for (const auto& v : props) {
        if (auto r = bag.set(v); !r) return r;
    }
    profile_section::sync_tables(work, sid);
    service_entry_args args{work, sid, s->name, &props};
    if (auto r = call_entry(hook, service_context::configure, args); !r) return r;
    p = std::move(work);
    return {};
}

[[nodiscard]] inline failure no_service(const profile& p, const uid& sid) {
    return fail(scode::not_found, "profile \"" + p.name + "\" has no message service " + sid.to_string(),
                admin_component);
}

[[nodiscard]] inline bool iless(std::string_view a, std::string_view b) noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
        return low(x) < low(y);
    });
}

} // namespace detail::svc

/// IMsgServiceAdmin for one profile: obtained from `profile_admin::admin_services` (or the
/// session's admin services). It creates no session and loads no provider.
///
/// Every change is one `profile_store::update`: atomic, and stored before the call returns.
/// Tables are snapshots (vectors of rows): later changes do not alter a table already taken.
/// The object keeps references to the catalog and the usage registry, which must outlive it.
class service_admin {
public:
    /// An admin for the profile called `profile_name` (normally built by `profile_admin`).
    service_admin(const service_catalog& catalog, profile_usage& usage, std::shared_ptr<service_entry_table> entries,
                  std::string profile_name)
        : catalog_(&catalog), usage_(&usage), entries_(std::move(entries)), profile_(std::move(profile_name)) {
        if (!entries_) entries_ = std::make_shared<service_entry_table>();
    }

    /// The profile this admin works on.
    [[nodiscard]] const std::string& profile_name() const noexcept { return profile_; }

    /// Sets the entry hook of a message service (shared with the `profile_admin` that made
    /// this admin and every other admin it made). An empty `fn` removes it.
    void set_service_entry(std::string_view service_name, service_entry fn) {
        entries_->set(service_name, std::move(fn));
    }

    /// CreateMsgService (and IMsgServiceAdmin2::CreateMsgServiceEx, which returns the uid).
    /// Copies the MAPISVC.INF service section, its provider sections and its extra sections
    /// (listed in PR_SERVICE_EXTRA_UIDS) into new profile sections with fresh uids, then calls
    /// the service's entry hook with `create` (rule 45). `display` replaces the display name.
    ///
    /// `not_found` if `service_name` is not in [Services] (rule 45); `no_access` for a second
    /// copy of a SERVICE_SINGLE_COPY service; `invalid_parameter` if the catalog entry is not
    /// usable (no service section, no provider, a provider without a section: rule 69) or a
    /// DLL name ends in "32" or is a path with a period before the file name (rule 68): such
    /// a service could never load, so it is refused before anything is written. The hook's
    /// failure undoes everything.
    result<uid> create_service(std::string_view service_name, std::string_view display = {}) {
        const catalog_service* cs = catalog_->find(service_name);
        if (cs == nullptr) {
            return fail(scode::not_found,
                        "message service \"" + std::string(service_name) + "\" is not in the [Services] section of MAPISVC.INF",
                        detail::svc::admin_component);
        }
        const service_entry hook = entries_->find(cs->name);
        uid created{};
        auto r = store().update(profile_, [&](profile& p) -> result<void> {
            auto id = detail::svc::add_service(p, *cs, display, hook);
            if (!id) return std::move(id).as_failure();
            created = *id;
            return {};
        });
        if (!r) return std::move(r).as_failure();
        return created;
    }

    /// DeleteMsgService: calls the entry hook with `remove` first (its failure keeps the
    /// service), then removes the service, its provider sections and its extra sections (a
    /// well-known extra section stays while another service lists it). `not_found` for an
    /// unknown uid.
    result<void> delete_service(const uid& service_uid) {
        return store().update(profile_, [&](profile& p) -> result<void> {
            const message_service* s = p.find_service(service_uid);
            if (s == nullptr) return detail::svc::no_service(p, service_uid);
            service_entry_args args{p, service_uid, s->name};
            if (auto r = detail::svc::call_entry(entries_->find(s->name), service_context::remove, args); !r) return r;
            detail::svc::erase_service(p, service_uid);
            return {};
        });
    }

    /// CopyMsgService within this profile: a new service with fresh uids for its own, provider
    /// and extra sections (well-known extra sections fixed by MAPISVC.INF keep theirs), the
    /// same properties, and `display` as display name if given. The entry hook is not called.
    /// `no_access` for a SERVICE_SINGLE_COPY service (rule 47); `not_found` for an unknown uid.
    result<uid> copy_service(const uid& service_uid, std::string_view display = {}) {
        uid created{};
        const auto r = store().update(profile_, [&](profile& p) -> result<void> {
            const message_service* src = p.find_service(service_uid);
            if (src == nullptr) return detail::svc::no_service(p, service_uid);
            if (src->flags.has(service_flag::single_copy)) {
                return fail(scode::no_access,
                            "message service " + src->name + " is SERVICE_SINGLE_COPY: it cannot be copied (rule 47)",
                            detail::svc::admin_component);
            }
            const std::set<uid> fixed = detail::svc::fixed_section_uids(*catalog_, src->name);
            std::map<uid, uid> map;
            message_service copy = *src;
            copy.service_uid = uid::generate();
            map[src->service_uid] = copy.service_uid;
            for (auto& prov : copy.providers) {
                const uid fresh = uid::generate();
                map[prov.provider_uid] = fresh;
                prov.provider_uid = fresh;
            }
            for (auto& x : copy.extra_sections) {
                if (fixed.count(x) != 0) continue;
                const uid fresh = uid::generate();
                map[x] = fresh;
                x = fresh;
            }
            if (!display.empty()) copy.display_name = std::string(display);
            for (const auto& [from, to] : map) {
                auto it = p.sections.find(from);
                property_bag bag = it == p.sections.end() ? property_bag{} : it->second;
                detail::svc::remap_uid_props(bag, map);
                p.sections[to] = std::move(bag);
            }
            (void)p.sections[copy.service_uid].set(pr::display_name_a, copy.display_name);
            created = copy.service_uid;
            p.services.push_back(std::move(copy));
            return {};
        });
        if (!r) return r.as_failure();
        return created;
    }

    /// RenameMsgService: always `no_support` (rule 44); nothing changes.
    result<void> rename_service(const uid& service_uid, std::string_view new_display) const {
        (void)service_uid;
        (void)new_display;
        return fail(scode::no_support, "RenameMsgService is not supported: PR_SERVICE_NAME never changes (rule 44)",
                    detail::svc::admin_component);
    }

    /// ConfigureMsgService, silent form: writes `props` into the service's own section (no UI is
    /// ever shown), then calls the entry hook with `configure` and the props, which may check
    /// or complete them; its failure undoes the write. A service without a hook is configured
    /// by the write alone. `not_found` for an unknown uid; `invalid_type` for a badly typed value.
    result<void> configure_service(const uid& service_uid, const property_bag& props) {
        return store().update(profile_, [&](profile& p) -> result<void> {
            const message_service* s = p.find_service(service_uid);
            if (s == nullptr) return detail::svc::no_service(p, service_uid);
            return detail::svc::configure_in(p, service_uid, props, entries_->find(s->name));
        });
    }

    /// GetMsgServiceTable: one row per service with exactly the columns PR_DISPLAY_NAME,
    /// PR_INSTANCE_KEY (the service uid's bytes), PR_RESOURCE_FLAGS, PR_SERVICE_DLL_NAME,
    /// PR_SERVICE_ENTRY_NAME, PR_SERVICE_NAME, PR_SERVICE_SUPPORT_FILES (PT_ERROR `not_found`
    /// when the service has none) and PR_SERVICE_UID, sorted by PR_DISPLAY_NAME (its default
    /// sort, ASCII case-insensitive, ties in profile order). A snapshot.
    [[nodiscard]] result<std::vector<property_bag>> service_table() const {
        auto p = load();
        if (!p) return std::move(p).as_failure();
        std::vector<const message_service*> order;
        for (const auto& s : p->services) order.push_back(&s);
        std::stable_sort(order.begin(), order.end(), [](const message_service* a, const message_service* b) {
            return detail::svc::iless(a->display_name, b->display_name);
        });
        std::vector<property_bag> rows;
        for (const auto* s : order) {
            property_bag row;
            (void)row.set(pr::display_name, s->display_name);
            (void)row.set(pr::instance_key, detail::svc::uid_bytes(s->service_uid));
            (void)row.set(detail::svc::flags_value(s->flags.bits()));
            (void)row.set(pr::service_dll_name, s->dll_name);
            (void)row.set(pr::service_entry_name, s->entry_name);
            (void)row.set(pr::service_name, s->name);
            const property_bag* bag = p->section(s->service_uid);
            const prop_value* files = bag ? bag->find(pr::service_support_files) : nullptr;
            const auto* list = files ? files->get_if<std::vector<std::string>>() : nullptr;
            if (list != nullptr) {
                (void)row.set(pr::service_support_files, *list);
            } else {
                (void)row.set(pr::service_support_files.with_type(prop_type::error), scode::not_found);
            }
            (void)row.set(pr::service_uid, detail::svc::uid_bytes(s->service_uid));
            rows.push_back(std::move(row));
        }
        return rows;
    }

    /// GetProviderTable: one row per provider, in profile order, with exactly the columns
    /// PR_INSTANCE_KEY (the provider uid's bytes), PR_DISPLAY_NAME, PR_PROVIDER_DISPLAY,
    /// PR_PROVIDER_DLL_NAME, PR_PROVIDER_ORDINAL, PR_PROVIDER_UID, PR_RESOURCE_FLAGS,
    /// PR_RESOURCE_TYPE, PR_SERVICE_NAME and PR_SERVICE_UID. PR_PROVIDER_ORDINAL of a transport
    /// is its position (from 0) in the transport order (`default_transport_order`), so
    /// restricting to MAPI_TRANSPORT_PROVIDER and sorting by it gives that order; any other
    /// provider's is its position in the table. A snapshot.
    [[nodiscard]] result<std::vector<property_bag>> provider_table() const {
        auto p = load();
        if (!p) return std::move(p).as_failure();
        const std::vector<uid> order = detail::svc::effective_transport_order(*p);
        std::vector<property_bag> rows;
        for (const auto& s : p->services) {
            for (const auto& prov : s.providers) {
                std::int32_t ordinal = static_cast<std::int32_t>(rows.size());
                if (prov.type == resource_type::transport_provider) {
                    ordinal = static_cast<std::int32_t>(std::find(order.begin(), order.end(), prov.provider_uid) -
                                                        order.begin());
                }
                property_bag row;
                (void)row.set(pr::instance_key, detail::svc::uid_bytes(prov.provider_uid));
                (void)row.set(pr::display_name, prov.display_name);
                (void)row.set(pr::provider_display, prov.provider_display);
                (void)row.set(pr::provider_dll_name, prov.dll_name);
                (void)row.set(pr::provider_ordinal, ordinal);
                (void)row.set(pr::provider_uid, detail::svc::uid_bytes(prov.provider_uid));
                (void)row.set(detail::svc::flags_value(prov.flags.bits()));
                (void)row.set(pr::resource_type, static_cast<std::int32_t>(prov.type));
                (void)row.set(pr::service_name, s.name);
                (void)row.set(pr::service_uid, detail::svc::uid_bytes(s.service_uid));
                rows.push_back(std::move(row));
            }
        }
        return rows;
    }

    /// SetPrimaryIdentity (MAPI-REFERENCE 6.3). With a uid: that service gets
    /// SERVICE_PRIMARY_IDENTITY and each of its providers STATUS_PRIMARY_IDENTITY (losing the
    /// matching NO_ flag); every other service gets SERVICE_NO_PRIMARY_IDENTITY and its providers
    /// lose STATUS_PRIMARY_IDENTITY. With nullopt: the identity is cleared everywhere and the
    /// NO_PRIMARY_IDENTITY flags go back to what MAPISVC.INF says.
    /// `no_access` for a service that MAPISVC.INF marks SERVICE_NO_PRIMARY_IDENTITY (rule 47);
    /// `not_found` for an unknown uid.
    result<void> set_primary_identity(std::optional<uid> service_uid) {
        return store().update(profile_, [&](profile& p) -> result<void> {
            if (service_uid) {
                const message_service* chosen = p.find_service(*service_uid);
                if (chosen == nullptr) return detail::svc::no_service(p, *service_uid);
                if (static_service_flags(*chosen).has(service_flag::no_primary_identity)) {
                    return fail(scode::no_access,
                                "message service " + chosen->name +
                                    " is SERVICE_NO_PRIMARY_IDENTITY: it cannot supply the primary identity (rule 47)",
                                detail::svc::admin_component);
                }
            }
            for (auto& s : p.services) {
                const bool is_chosen = service_uid && s.service_uid == *service_uid;
                if (is_chosen) {
                    s.flags = s.flags.without(service_flag::no_primary_identity) | service_flag::primary_identity;
                    for (auto& prov : s.providers) {
                        prov.flags = prov.flags.without(resource_flag::no_primary_identity) |
                                     resource_flag::primary_identity;
                    }
                } else {
                    s.flags = s.flags.without(service_flag::primary_identity);
                    if (service_uid) {
                        s.flags |= service_flag::no_primary_identity;
                    } else if (!static_service_flags(s).has(service_flag::no_primary_identity)) {
                        s.flags = s.flags.without(service_flag::no_primary_identity);
                    }
                    for (auto& prov : s.providers) {
                        prov.flags = prov.flags.without(resource_flag::primary_identity);
                        if (!service_uid && static_provider_flags(s, prov).has(resource_flag::no_primary_identity)) {
                            prov.flags |= resource_flag::no_primary_identity;
                        }
                    }
                }
            }
            detail::svc::write_flags(p);
            return {};
        });
    }

    /// MsgServiceTransportOrder: sets the order of every transport provider (PR_PROVIDER_UIDs).
    /// `busy` unless `order` names as many uids as the profile has transports (rule 46);
    /// `not_found` for a uid that is no transport of the profile (rule 46); `invalid_parameter`
    /// if a uid appears twice. The order overrides STATUS_XP_PREFER_LAST.
    result<void> transport_order(std::span<const uid> order) {
        return store().update(profile_, [&](profile& p) -> result<void> {
            const auto transports = detail::svc::transports_of(p);
            if (order.size() != transports.size()) {
                return fail(scode::busy,
                            "MsgServiceTransportOrder needs all " + std::to_string(transports.size()) +
                                " transport uids of profile \"" + p.name + "\", and " + std::to_string(order.size()) +
                                " were given (rule 46)",
                            detail::svc::admin_component);
            }
            for (std::size_t i = 0; i < order.size(); ++i) {
                if (std::none_of(transports.begin(), transports.end(),
                                 [&](const provider_entry* t) { return t->provider_uid == order[i]; })) {
                    return fail(scode::not_found,
                                "uid " + order[i].to_string() + " is not a transport provider of profile \"" + p.name +
                                    "\" (rule 46)",
                                detail::svc::admin_component);
                }
                if (std::find(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(i), order[i]) !=
                    order.begin() + static_cast<std::ptrdiff_t>(i)) {
                    return fail(scode::invalid_parameter,
                                "transport uid " + order[i].to_string() + " appears twice in the transport order",
                                detail::svc::admin_component);
                }
            }
            p.transport_order.assign(order.begin(), order.end());
            return {};
        });
    }

    /// The transport order a session of this profile uses: the order set by `transport_order`,
    /// or order of addition with STATUS_XP_PREFER_LAST transports last (rule 50). Provider uids.
    [[nodiscard]] result<std::vector<uid>> default_transport_order() const {
        auto p = load();
        if (!p) return std::move(p).as_failure();
        return detail::svc::effective_transport_order(*p);
    }

    /// The provider uid of the profile's default store: the first store provider in profile
    /// order flagged STATUS_DEFAULT_STORE (rule 50), or nullopt.
    [[nodiscard]] result<std::optional<uid>> default_store() const {
        auto p = load();
        if (!p) return std::move(p).as_failure();
        return detail::svc::default_store_of(*p);
    }

    /// OpenProfileSection: see `profile_section::open` (rules 48 and 49). The profile's
    /// provider sections need `section_open_flag::force_access`.
    [[nodiscard]] result<profile_section> open_profile_section(const uid& id, section_open_flags flags = {}) {
        return profile_section::open(*usage_, profile_, id, flags);
    }

    /// A copy of the profile as stored now.
    [[nodiscard]] result<profile> load() const { return store().load(profile_); }

private:
    [[nodiscard]] profile_store& store() const noexcept { return usage_->store(); }

    // SERVICE_* bits that MAPISVC.INF gives the service (static and modifiable classes); the
    // profile's own bits when the catalog no longer knows it.
    [[nodiscard]] service_flags static_service_flags(const message_service& s) const {
        if (const catalog_service* cs = catalog_->find(s.name)) return cs->flags;
        return s.flags.without(service_flag::primary_identity);
    }
    [[nodiscard]] resource_flags static_provider_flags(const message_service& s, const provider_entry& prov) const {
        if (const catalog_service* cs = catalog_->find(s.name)) {
            for (const auto& cp : cs->providers) {
                if (iequals(cp.section_name, prov.section_name)) return cp.flags;
            }
        }
        return prov.flags.without(resource_flag::primary_identity);
    }

    const service_catalog* catalog_;
    profile_usage* usage_;
    std::shared_ptr<service_entry_table> entries_;
    std::string profile_;
};

} // namespace mapixx::inline v0

#endif
