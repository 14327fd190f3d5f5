// SPDX-License-Identifier: MIT
/// \file
/// `profile_admin` (IProfAdmin): create, delete, copy and rename profiles, the default profile,
/// the profile table, the message-service admin of a profile, and PRF import.
#ifndef MAPIXX_PROFILE_PROFILE_ADMIN_HPP_INCLUDED
#define MAPIXX_PROFILE_PROFILE_ADMIN_HPP_INCLUDED

#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prf_import.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/profile/service_admin.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// IProfAdmin::CreateProfile ulFlags that mapixx supports.
enum class profile_create_flag : std::uint32_t {
    default_services = 0x00000001,  ///< MAPI_DEFAULT_SERVICES
};
/// Flag traits of `profile_create_flag`.
template <>
struct flag_traits<profile_create_flag> {
    /// What the flags are for.
    static constexpr std::string_view family = "CreateProfile flags";
    /// Every flag with its SDK name.
    static constexpr std::array names{
        flag_name<profile_create_flag>{profile_create_flag::default_services, "MAPI_DEFAULT_SERVICES"},
    };
    /// No combination is wrong.
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};
/// A set of `profile_create_flag`.
using profile_create_flags = flags<profile_create_flag>;

namespace detail::padm {

inline constexpr const char* component = "mapixx.profile_admin";

/// A new profile: name, fresh search key, and the profile-instance section
/// (MUID_PROFILE_INSTANCE) with PR_PROFILE_NAME and PR_SEARCH_KEY.
[[nodiscard]] inline profile new_profile(std::string_view name) {
    profile p;
    p.name = std::string(name);
    p.search_key = uid::generate();
    property_bag& inst = p.sections[uids::profile_instance];
    (void)inst.set(pr::profile_name_a, p.name);
    (void)inst.set(pr::search_key, binary(p.search_key.bytes.begin(), p.search_key.bytes.end()));
    return p;
}

/// Marks the first store provider of service `sid` as the profile's default store
/// (STATUS_DEFAULT_STORE, SERVICE_DEFAULT_STORE) and clears the mark everywhere else.
[[nodiscard]] inline result<void> make_default_store(profile& p, const uid& sid) {
    message_service* target = p.find_service(sid);
    if (target == nullptr) return fail(scode::not_found, "no such message service", component);
    auto store = std::find_if(target->providers.begin(), target->providers.end(),
                              [](const provider_entry& e) { return e.type == resource_type::store_provider; });
    if (store == target->providers.end()) {
        return fail(scode::not_found, "message service " + target->name + " has no store provider", component);
    }
    if (store->flags.has(resource_flag::no_default_store)) {
        return fail(scode::no_access,
                    "the store of message service " + target->name + " is STATUS_NO_DEFAULT_STORE", component);
    }
    const uid chosen = store->provider_uid;
    for (auto& s : p.services) {
        s.flags = s.flags.without(service_flag::default_store);
        if (s.service_uid == sid) s.flags |= service_flag::default_store;
        for (auto& prov : s.providers) {
            prov.flags = prov.flags.without(resource_flag::default_store);
            if (prov.provider_uid == chosen) prov.flags |= resource_flag::default_store;
        }
    }
    detail::svc::write_flags(p);
    return {};
}

} // namespace detail::padm

/// IProfAdmin over a `profile_store` (MAPI-REFERENCE 6.5). Thread-safe as far as its store is.
///
/// In-use rules come from the `profile_usage` registry: pass the one registry of the store,
/// the same one the logon layer takes its session leases from. When none is given, the admin
/// owns a private registry; it then sees only the leases taken through `usage()` (its own
/// profile sections, or a logon layer that is handed `usage()`), so a delete or rename of a
/// profile used by sessions that lease elsewhere is not deferred. The store, the catalog and
/// a given registry must outlive the admin and every `service_admin` it returns.
class profile_admin {
public:
    /// An admin over `store`, copying services from `catalog`, with the in-use registry `usage`
    /// (or a private one when it is null).
    profile_admin(profile_store& store, const service_catalog& catalog, profile_usage* usage = nullptr)
        : store_(&store), catalog_(&catalog), entries_(std::make_shared<service_entry_table>()) {
        if (usage == nullptr) {
            own_usage_ = std::make_unique<profile_usage>(store);
            usage = own_usage_.get();
        }
        usage_ = usage;
    }
    profile_admin(const profile_admin&) = delete;
    profile_admin& operator=(const profile_admin&) = delete;

    /// The in-use registry this admin uses (given or owned).
    [[nodiscard]] profile_usage& usage() const noexcept { return *usage_; }
    /// The store.
    [[nodiscard]] profile_store& store() const noexcept { return *store_; }
    /// The catalog.
    [[nodiscard]] const service_catalog& catalog() const noexcept { return *catalog_; }

    /// Sets the entry hook of a message service, for every `service_admin` this admin hands
    /// out, for `create_profile` with default services, `delete_profile` and `import_prf`.
    void set_service_entry(std::string_view service_name, service_entry fn) {
        entries_->set(service_name, std::move(fn));
    }
    /// The shared hook table (the logon layer calls the same hooks).
    [[nodiscard]] const std::shared_ptr<service_entry_table>& service_entries() const noexcept { return entries_; }

    /// CreateProfile. `invalid_parameter` for a bad name (rule 71: 1-64 characters, no leading
    /// or trailing space, no control character or backslash; embedded spaces and underscores
    /// are fine); `no_access` if the name is taken (rule 38), also by a profile deleted but still
    /// in use or by the pending new name of a profile in use.
    ///
    /// With `profile_create_flag::default_services`, every [Default Services] entry is added
    /// through the same path as `service_admin::create_service` (its data copied, then its hook
    /// called with `create`), in file order (rule 70). An entry that [Services] lacks gives
    /// `not_found` and no profile: [Default Services] must be a subset of [Services]. The
    /// profile is stored once complete, so a failure leaves nothing behind.
    result<void> create_profile(std::string_view name, profile_create_flags flags = {}) {
        if (auto ok = check_profile_name(name); !ok) return ok;
        if (auto ok = check_name_free(name); !ok) return ok;
        profile p = detail::padm::new_profile(name);
        if (flags.has(profile_create_flag::default_services)) {
            for (const auto& svc : catalog_->default_services()) {
                const catalog_service* cs = catalog_->find(svc);
                if (cs == nullptr) {
                    return fail(scode::not_found,
                                "[Default Services] lists " + svc +
                                    ", which [Services] of MAPISVC.INF does not have (rule 70); no profile was created",
                                detail::padm::component);
                }
                auto id = detail::svc::add_service(p, *cs, {}, entries_->find(cs->name));
                if (!id) return std::move(id).as_failure();
            }
        }
        return store_->create(p);
    }

    /// DeleteProfile. `not_found` for an unknown profile (rule 39) or one already deleted. A
    /// free profile is removed at once, after each message service's entry hook ran with
    /// `remove` (a hook's failure keeps the profile). A profile in use: success, it leaves the
    /// profile table at once and is removed from the store when its last lease ends, the hooks
    /// running then (their failures are recorded in `profile_usage::deferred_errors`).
    result<void> delete_profile(std::string_view name) {
        auto r = usage_->remove_profile(name, remove_hooks());
        if (!r) return std::move(r).as_failure();
        return {};
    }

    /// CopyProfile. The copy has a new PR_SEARCH_KEY and new uids for every service, provider
    /// and extra section (uid properties inside the sections follow); profile-wide sections
    /// with well-known uids (MUID_PROFILE_INSTANCE, and extra sections MAPISVC.INF fixes with
    /// `UID=`) keep their uids. It is not the default. Entry hooks are not called.
    /// `not_found` if `from` does not exist; `invalid_parameter` for a bad `to`; `no_access` if
    /// `to` is taken.
    result<void> copy_profile(std::string_view from, std::string_view to) {
        auto src = load_visible(from, scode::not_found);
        if (!src) return std::move(src).as_failure();
        if (auto ok = check_profile_name(to); !ok) return ok;
        if (auto ok = check_name_free(to); !ok) return ok;
        profile copy = std::move(*src);
        std::map<uid, uid> map;
        std::set<uid> fixed;
        for (const auto& s : copy.services) {
            auto f = detail::svc::fixed_section_uids(*catalog_, s.name);
            fixed.insert(f.begin(), f.end());
        }
        auto fresh = [&](uid& u) {
            auto [it, added] = map.try_emplace(u, uid{});
            if (added) it->second = uid::generate();
            u = it->second;
        };
        for (auto& s : copy.services) {
            fresh(s.service_uid);
            for (auto& prov : s.providers) fresh(prov.provider_uid);
            for (auto& x : s.extra_sections) {
                if (fixed.count(x) == 0) fresh(x);
            }
        }
        for (auto& u : copy.transport_order) {
            if (auto it = map.find(u); it != map.end()) u = it->second;
        }
        std::map<uid, property_bag> sections;
        for (auto& [id, bag] : copy.sections) {
            auto it = map.find(id);
            property_bag moved = std::move(bag);
            detail::svc::remap_uid_props(moved, map);
            sections.emplace(it == map.end() ? id : it->second, std::move(moved));
        }
        copy.sections = std::move(sections);
        copy.name = std::string(to);
        copy.is_default = false;
        copy.search_key = uid::generate();
        property_bag& inst = copy.sections[uids::profile_instance];
        (void)inst.set(pr::profile_name_a, copy.name);
        (void)inst.set(pr::search_key, binary(copy.search_key.bytes.begin(), copy.search_key.bytes.end()));
        return store_->create(copy);
    }

    /// RenameProfile. `not_found` if `from` does not exist; `invalid_parameter` for a bad `to`;
    /// `no_access` if `to` is taken. A profile in use: success, and it keeps its old name (in
    /// the store and the profile table) until its last lease ends; then the rename is applied
    /// (rule 43). A failure then is recorded in `profile_usage::deferred_errors`.
    result<void> rename_profile(std::string_view from, std::string_view to) {
        auto src = load_visible(from, scode::not_found);
        if (!src) return std::move(src).as_failure();
        if (auto ok = check_profile_name(to); !ok) return ok;
        if (!same_profile_name(from, to)) {
            if (auto ok = check_name_free(to); !ok) return ok;
        }
        auto r = usage_->rename_profile(src->name, to);
        if (!r) return std::move(r).as_failure();
        return {};
    }

    /// SetDefaultProfile: nullopt clears the default (rule 41). `not_found` for an unknown
    /// profile or one that was deleted.
    result<void> set_default_profile(std::optional<std::string_view> name) {
        if (!name) return store_->set_default(std::nullopt);
        auto p = load_visible(*name, scode::not_found);
        if (!p) return std::move(p).as_failure();
        return store_->set_default(std::string_view(p->name));
    }

    /// The default profile's name, or nullopt.
    [[nodiscard]] result<std::optional<std::string>> default_profile() const {
        auto d = store_->default_profile();
        if (!d) return d;
        if (*d && usage_->marked_for_deletion(**d)) return std::optional<std::string>();
        return d;
    }

    /// GetProfileTable: one row per profile, in creation order, with exactly two columns,
    /// PR_DISPLAY_NAME and PR_DEFAULT_PROFILE (rule 40). A snapshot: later changes do not
    /// alter it. Profiles deleted while in use are left out; a profile renamed while in use
    /// shows its old name. No rows when there are no profiles.
    [[nodiscard]] result<std::vector<property_bag>> profile_table() const {
        auto names = store_->names();
        if (!names) return std::move(names).as_failure();
        auto def = store_->default_profile();
        if (!def) return std::move(def).as_failure();
        std::vector<property_bag> rows;
        for (const auto& n : *names) {
            if (usage_->marked_for_deletion(n)) continue;
            property_bag row;
            (void)row.set(pr::display_name, n);
            (void)row.set(pr::default_profile, def->has_value() && same_profile_name(**def, n));
            rows.push_back(std::move(row));
        }
        return rows;
    }

    /// ChangeProfilePassword: deprecated; always succeeds and changes nothing (rule 44).
    result<void> change_profile_password(std::string_view name = {}, std::string_view old_password = {},
                                         std::string_view new_password = {}) const {
        (void)name;
        (void)old_password;
        (void)new_password;
        return {};
    }

    /// AdminServices: the message-service admin of a profile. `logon_failed` (not
    /// `not_found`) for a profile that does not exist or was deleted (rule 42). It creates no
    /// session, takes no lease and loads no provider.
    [[nodiscard]] result<service_admin> admin_services(std::string_view name) const {
        auto p = load_visible(name, scode::logon_failed);
        if (!p) return std::move(p).as_failure();
        return service_admin(*catalog_, *usage_, entries_, p->name);
    }

    /// Imports an Outlook PRF file (see `parse_prf` for what is read): creates the profile
    /// `[General] ProfileName`, one message service per `[Service List]` entry whose
    /// `ServiceName=` the catalog knows (through `create_service`'s path, entry hooks
    /// included), and writes each mapped value, with its PRF type, into that service's section
    /// (through `configure_service`'s path). A `SectionGUID=` entry writes its values into that
    /// profile section. `DefaultStore=ServiceN` makes that service's store the default store;
    /// `DefaultProfile=Yes` makes the profile the default.
    ///
    /// Services the catalog lacks, services it refuses, and values that cannot be read become
    /// diagnostics (with file and line) in the report; they do not fail the import.
    /// Fails, writing nothing: `not_found` if the file cannot be opened; `invalid_parameter`
    /// without a valid ProfileName; `no_access` if the profile exists and OverwriteProfile is
    /// not Yes (or its name is taken by a deleted or renamed profile in use); `busy` if it
    /// exists and is in use (it cannot be overwritten under its sessions).
    /// OverwriteProfile=Yes replaces the existing profile's content in one store update (the
    /// old services' entry hooks run with `remove`; their failures are warnings).
    result<prf_report> import_prf(const std::string& path, const prf_options& opts = {}) {
        auto f = read_prf(path, opts);
        if (!f) return std::move(f).as_failure();
        return import_prf(*f);
    }
    /// `import_prf` on PRF text (`file` names it in diagnostics).
    result<prf_report> import_prf_text(std::string_view text, std::string_view file = "<text>",
                                       const prf_options& opts = {}) {
        return import_prf(parse_prf(text, file, opts));
    }
    /// `import_prf` on a PRF file already read.
    result<prf_report> import_prf(const prf_file& prf) {
        using sev = diagnostic::severity;
        prf_report report;
        report.diagnostics = prf.diagnostics;
        auto note = [&](sev level, std::size_t line, std::string message) {
            report.diagnostics.push_back({level, prf.file, line, std::move(message)});
        };
        if (prf.profile_name.empty()) {
            return fail(scode::invalid_parameter, prf.file + ": [General] has no ProfileName", detail::padm::component);
        }
        if (auto ok = check_profile_name(prf.profile_name); !ok) {
            return fail(scode::invalid_parameter, prf.file + ": [General] ProfileName: " + ok.info().message,
                        detail::padm::component);
        }
        report.profile_name = prf.profile_name;
        auto existing = store_->load(prf.profile_name);
        const bool exists = existing.has_value();
        if (exists) {
            if (usage_->marked_for_deletion(prf.profile_name)) {
                return fail(scode::no_access,
                            "profile \"" + prf.profile_name + "\" was deleted and is still in use; its name is taken",
                            detail::padm::component);
            }
            if (!prf.overwrite_profile) {
                return fail(scode::no_access,
                            "profile \"" + prf.profile_name + "\" exists and " + prf.file +
                                " does not say OverwriteProfile=Yes",
                            detail::padm::component);
            }
            if (usage_->in_use(prf.profile_name)) {
                return fail(scode::busy, "profile \"" + prf.profile_name + "\" is in use; it cannot be overwritten",
                            detail::padm::component);
            }
            if (usage_->is_pending_rename_target(prf.profile_name)) {
                return fail(scode::no_access,
                            "a profile in use will be renamed to \"" + prf.profile_name + "\"; the name is taken",
                            detail::padm::component);
            }
        } else if (auto ok = check_name_free(prf.profile_name); !ok) {
            return std::move(ok).as_failure();
        }

        profile p = detail::padm::new_profile(prf.profile_name);
        std::map<std::string, uid, std::less<>> created;  // list key (lower case) -> service uid
        for (const auto& svc : prf.services) {
            if (svc.section_guid) {
                if (svc.properties.empty()) continue;
                property_bag& bag = p.sections[*svc.section_guid];
                for (const auto& v : svc.properties) (void)bag.set(v.value);
                report.sections.push_back(*svc.section_guid);
                continue;
            }
            const catalog_service* cs = catalog_->find(svc.service_name);
            if (cs == nullptr) {
                note(sev::error, svc.line,
                     svc.list_key + " ([" + svc.section_name + "], ServiceName=" + svc.service_name +
                         "): message service " + svc.service_name + " is not in MAPISVC.INF; skipped with its " +
                         std::to_string(svc.properties.size()) + " value(s)");
                continue;
            }
            auto id = detail::svc::add_service(p, *cs, {}, entries_->find(cs->name));
            if (!id) {
                note(sev::error, svc.line, svc.list_key + " (" + svc.service_name + "): " + id.info().message);
                continue;
            }
            property_bag props;
            for (const auto& v : svc.properties) (void)props.set(v.value);
            std::size_t written = props.size();
            if (auto r = detail::svc::configure_in(p, *id, props, entries_->find(cs->name)); !r) {
                note(sev::error, svc.line,
                     svc.list_key + " (" + svc.service_name + "): its values were not written: " + r.info().message);
                written = 0;
            }
            created[lower(svc.list_key)] = *id;
            report.services.push_back({svc.list_key, cs->name, *id, written});
        }
        if (prf.default_store) {
            auto it = created.find(lower(*prf.default_store));
            if (it == created.end()) {
                note(sev::warning, 0,
                     "DefaultStore=" + *prf.default_store + " names no service that was imported; no default store set");
            } else if (auto r = detail::padm::make_default_store(p, it->second); !r) {
                note(sev::warning, 0, "DefaultStore=" + *prf.default_store + ": " + r.info().message);
            }
        }
        p.is_default = prf.default_profile;
        report.made_default = prf.default_profile;

        if (!exists) {
            if (auto r = store_->create(p); !r) return std::move(r).as_failure();
            return report;
        }
        auto hooks = remove_hooks();
        auto r = store_->update(prf.profile_name, [&](profile& old) -> result<void> {
            if (auto h = hooks(old); !h) {
                note(sev::warning, 0, "replacing profile \"" + old.name + "\": " + h.info().message);
            }
            const bool was_default = old.is_default;
            std::string kept_name = old.name;
            old = p;
            old.name = std::move(kept_name);
            old.is_default = was_default || prf.default_profile;
            (void)old.sections[uids::profile_instance].set(pr::profile_name_a, old.name);
            return {};
        });
        if (!r) return std::move(r).as_failure();
        report.replaced = true;
        return report;
    }

private:
    static std::string lower(std::string_view s) {
        std::string out(s);
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return out;
    }

    // The profile, unless it is absent or marked for deletion; `code` otherwise.
    [[nodiscard]] result<profile> load_visible(std::string_view name, scode code) const {
        if (!usage_->marked_for_deletion(name)) {
            auto p = store_->load(name);
            if (p) return p;
            if (p.code() != scode::not_found) return p;
        }
        return fail(code, "there is no profile called \"" + std::string(name) + "\"", detail::padm::component);
    }

    // `no_access` if a profile called `name` exists (visible or not) or a profile in use will
    // be renamed to it.
    [[nodiscard]] result<void> check_name_free(std::string_view name) const {
        auto names = store_->names();
        if (!names) return std::move(names).as_failure();
        for (const auto& n : *names) {
            if (same_profile_name(n, name)) {
                const bool hidden = usage_->marked_for_deletion(n);
                return fail(scode::no_access,
                            "a profile called \"" + n + "\" " +
                                (hidden ? "was deleted but is still in use; its name is taken until it is free"
                                        : "already exists"),
                            detail::padm::component);
            }
        }
        if (usage_->is_pending_rename_target(name)) {
            return fail(scode::no_access,
                        "a profile in use will be renamed to \"" + std::string(name) + "\"; the name is taken",
                        detail::padm::component);
        }
        return {};
    }

    // Runs every service's entry hook with `remove`; stops at the first failure.
    [[nodiscard]] profile_usage::before_remove_fn remove_hooks() const {
        return [entries = entries_](profile& p) -> result<void> {
            std::vector<std::pair<uid, std::string>> services;
            for (const auto& s : p.services) services.emplace_back(s.service_uid, s.name);
            for (const auto& [id, name] : services) {
                service_entry_args args{p, id, name};
                auto hook = entries->find(name);
                if (auto r = detail::svc::call_entry(hook, service_context::remove, args); !r) return r;
            }
            return {};
        };
    }

    profile_store* store_;
    const service_catalog* catalog_;
    std::shared_ptr<service_entry_table> entries_;
    std::unique_ptr<profile_usage> own_usage_;
    profile_usage* usage_ = nullptr;
};

} // namespace mapixx::inline v0

#endif
