// SPDX-License-Identifier: MIT
/// \file
/// `profile_section`: an open profile section (IProfSect), with MAPI's open rules (one writer
/// or many readers, MAPI_MODIFY creates, provider sections need MAPI_FORCE_ACCESS) and its
/// transaction-less writes.
#ifndef MAPIXX_PROFILE_PROFILE_SECTION_HPP_INCLUDED
#define MAPIXX_PROFILE_PROFILE_SECTION_HPP_INCLUDED

#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// OpenProfileSection ulFlags (IMAPISession and IMsgServiceAdmin, MAPI-REFERENCE 4.3).
enum class section_open_flag : std::uint32_t {
    modify = 0x00000001,           ///< MAPI_MODIFY
    deferred_errors = 0x00000008,  ///< MAPI_DEFERRED_ERRORS (accepted; mapixx reports errors at once)
    force_access = 0x00080000,     ///< MAPI_FORCE_ACCESS (in no header; value from sample code)
};
/// Flag traits of `section_open_flag`.
template <>
struct flag_traits<section_open_flag> {
    /// What the flags are for.
    static constexpr std::string_view family = "OpenProfileSection flags";
    /// Every flag with its SDK name.
    static constexpr std::array names{
        flag_name<section_open_flag>{section_open_flag::modify, "MAPI_MODIFY"},
        flag_name<section_open_flag>{section_open_flag::deferred_errors, "MAPI_DEFERRED_ERRORS"},
        flag_name<section_open_flag>{section_open_flag::force_access, "MAPI_FORCE_ACCESS"},
    };
    /// No combination is wrong.
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};
/// A set of `section_open_flag`.
using section_open_flags = flags<section_open_flag>;

/// An open profile section. Move-only RAII: while it is open it holds a reader's or writer's
/// claim on the section (released when it closes) and a `profile_lease` on its profile, so the
/// profile is not removed or renamed under it (a delete or rename meanwhile is deferred).
///
/// A profile section has no transactions (rule 49): `set_props` and `delete_props` go to the
/// store at once, through `profile_store::update`, so they are atomic and persist; another
/// handle sees them on its next read. `save_changes` succeeds and does nothing. Named
/// properties are not supported (`no_support`).
///
/// Writes to a message service's or provider's own section keep the profile's tables in step:
/// PR_DISPLAY_NAME and PR_RESOURCE_FLAGS written there also change the display name and flags
/// the service and provider tables show.
class profile_section {
public:
    /// Opens section `id` of profile `profile_name` in the store of `usage`.
    ///
    /// - `modify`: a writer; `no_access` if anyone else has the section open. An unknown `id`
    ///   is created (empty) and stored at once.
    /// - without `modify`: a reader; `no_access` while a writer has it open; `not_found` for
    ///   an unknown `id`.
    /// - the section of a provider (its PR_PROVIDER_UID) needs `force_access`, else
    ///   `no_access`: those sections belong to the provider.
    /// - `not_found` if the profile does not exist or is marked for deletion.
    [[nodiscard]] static result<profile_section> open(profile_usage& usage, std::string_view profile_name,
                                                      const uid& id, section_open_flags flags = {}) {
        const bool writer = flags.has(section_open_flag::modify);
        auto lease = usage.try_acquire(profile_name);
        if (!lease) return std::move(lease).as_failure();
        const std::string name = lease->profile_name();
        auto p = usage.store().load(name);
        if (!p) return std::move(p).as_failure();
        if (!flags.has(section_open_flag::force_access) && owned_by_provider(*p, id)) {
            return fail(scode::no_access,
                        "profile section " + id.to_string() + " of profile \"" + name +
                            "\" belongs to a provider; open it with MAPI_FORCE_ACCESS",
                        "mapixx.profile_section");
        }
        const bool exists = p->sections.count(id) != 0;
        if (!exists && !writer) {
            return fail(scode::not_found,
                        "profile \"" + name + "\" has no profile section " + id.to_string() +
                            "; open it with MAPI_MODIFY to create it",
                        "mapixx.profile_section");
        }
        auto claim = usage.claim_section(name, id, writer);
        if (!claim) return std::move(claim).as_failure();
        if (!exists) {
            auto created = usage.store().update(name, [&](profile& q) -> result<void> {
                q.sections.try_emplace(id);
                return {};
            });
            if (!created) return std::move(created).as_failure();
        }
        return profile_section(&usage, std::move(*lease), std::move(*claim), name, id, writer);
    }

    profile_section(const profile_section&) = delete;
    profile_section& operator=(const profile_section&) = delete;
    /// Takes over `other`'s handle; `other` is closed.
    profile_section(profile_section&& other) noexcept
        : usage_(std::exchange(other.usage_, nullptr)), claim_(std::move(other.claim_)),
          lease_(std::move(other.lease_)), profile_(std::move(other.profile_)), id_(other.id_),
          writer_(other.writer_) {}
    /// Closes this handle, then takes over `other`'s.
    profile_section& operator=(profile_section&& other) noexcept {
        if (this != &other) {
            close();
            usage_ = std::exchange(other.usage_, nullptr);
            claim_ = std::move(other.claim_);
            lease_ = std::move(other.lease_);
            profile_ = std::move(other.profile_);
            id_ = other.id_;
            writer_ = other.writer_;
        }
        return *this;
    }
    /// Closes the handle.
    ~profile_section() { close(); }

    /// Frees the claim and the lease. Later calls return `invalid_object`. Never throws.
    void close() noexcept {
        claim_.release();
        lease_.release();
        usage_ = nullptr;
    }
    /// True until `close`.
    [[nodiscard]] bool is_open() const noexcept { return usage_ != nullptr; }
    /// The section's uid.
    [[nodiscard]] const uid& id() const noexcept { return id_; }
    /// True if opened with MAPI_MODIFY.
    [[nodiscard]] bool writable() const noexcept { return writer_; }
    /// The name of the profile it belongs to.
    [[nodiscard]] const std::string& profile_name() const noexcept { return profile_; }

    /// Every property of the section, as stored now. `object_deleted` if the section was
    /// deleted (with its message service) since it was opened.
    [[nodiscard]] result<property_bag> get_props() const {
        if (auto ok = check_open(); !ok) return std::move(ok).as_failure();
        auto p = usage_->store().load(profile_);
        if (!p) return std::move(p).as_failure();
        const property_bag* bag = p->section(id_);
        if (bag == nullptr) return deleted();
        return *bag;
    }
    /// One property (`tag`'s id, a matching type); `not_found` if the section lacks it.
    [[nodiscard]] result<prop_value> get_prop(prop_tag tag) const {
        auto bag = get_props();
        if (!bag) return std::move(bag).as_failure();
        const prop_value* v = bag->find(tag);
        if (v == nullptr) {
            return fail(scode::not_found, "profile section " + id_.to_string() + " has no property " + to_string(tag),
                        "mapixx.profile_section");
        }
        return *v;
    }

    /// Sets properties at once (no save needed). `no_access` on a read-only handle;
    /// `invalid_type` if a value does not match its tag (then nothing is stored).
    result<void> set_props(std::span<const prop_value> values) {
        if (auto ok = check_writable(); !ok) return ok;
        return usage_->store().update(profile_, [&](profile& p) -> result<void> {
            auto it = p.sections.find(id_);
            if (it == p.sections.end()) return deleted();
            for (const auto& v : values) {
                if (auto r = it->second.set(v); !r) return r;
            }
            sync_tables(p, id_);
            return {};
        });
    }
    /// Sets every property of `values`.
    result<void> set_props(const property_bag& values) {
        std::vector<prop_value> list(values.begin(), values.end());
        return set_props(std::span<const prop_value>(list));
    }
    /// Removes properties by id (absent ones are ignored). `no_access` on a read-only handle.
    result<void> delete_props(std::span<const prop_tag> tags) {
        if (auto ok = check_writable(); !ok) return ok;
        return usage_->store().update(profile_, [&](profile& p) -> result<void> {
            auto it = p.sections.find(id_);
            if (it == p.sections.end()) return deleted();
            for (auto t : tags) it->second.erase(t);
            return {};
        });
    }
    /// IMAPIProp::SaveChanges: succeeds and does nothing, as a section has no transactions.
    result<void> save_changes() const { return check_open(); }

    /// IMAPIProp::GetIDsFromNames: profile sections have no named properties: `no_support`.
    [[nodiscard]] result<std::vector<prop_tag>> get_ids_from_names(std::span<const std::string> names) const {
        (void)names;
        return no_named_props("GetIDsFromNames");
    }
    /// IMAPIProp::GetNamesFromIDs: `no_support`, as `get_ids_from_names`.
    [[nodiscard]] result<std::vector<std::string>> get_names_from_ids(std::span<const prop_tag> tags) const {
        (void)tags;
        return no_named_props("GetNamesFromIDs");
    }

    /// True if `id` is the section of a provider of `p` (one that needs MAPI_FORCE_ACCESS).
    [[nodiscard]] static bool owned_by_provider(const profile& p, const uid& id) noexcept {
        for (const auto& s : p.services) {
            for (const auto& pr : s.providers) {
                if (pr.provider_uid == id) return true;
            }
        }
        return false;
    }

    /// After a write to section `id`: copies PR_DISPLAY_NAME and PR_RESOURCE_FLAGS of a service's
    /// or provider's own section into the profile's service list, which the tables show.
    static void sync_tables(profile& p, const uid& id) {
        for (auto& s : p.services) {
            if (s.service_uid == id) {
                const property_bag& bag = p.sections[id];
                if (auto d = bag.get_string(pr::display_name_a)) s.display_name = std::string(*d);
                if (auto f = bag.get_i4(pr::resource_flags)) {
                    s.flags = service_flags::from_bits_unchecked(static_cast<std::uint32_t>(*f));
                }
            }
            for (auto& prov : s.providers) {
                if (prov.provider_uid == id) {
                    const property_bag& bag = p.sections[id];
                    if (auto d = bag.get_string(pr::display_name_a)) prov.display_name = std::string(*d);
                    if (auto f = bag.get_i4(pr::resource_flags)) {
                        prov.flags = resource_flags::from_bits_unchecked(static_cast<std::uint32_t>(*f));
                    }
                }
            }
        }
    }

private:
    profile_section(profile_usage* usage, profile_lease lease, section_claim claim, std::string profile_name,
                    const uid& id, bool writer) noexcept
        : usage_(usage), claim_(std::move(claim)), lease_(std::move(lease)), profile_(std::move(profile_name)),
          id_(id), writer_(writer) {}

    result<void> check_open() const {
        if (usage_ == nullptr) {
            return fail(scode::invalid_object, "the profile section handle was closed", "mapixx.profile_section");
        }
        return {};
    }
    result<void> check_writable() const {
        if (auto ok = check_open(); !ok) return ok;
        if (!writer_) {
            return fail(scode::no_access,
                        "profile section " + id_.to_string() + " was opened read-only; open it with MAPI_MODIFY to write",
                        "mapixx.profile_section");
        }
        return {};
    }
    failure deleted() const {
        return fail(scode::object_deleted,
                    "profile section " + id_.to_string() + " of profile \"" + profile_ + "\" was deleted while open",
                    "mapixx.profile_section");
    }
    static failure no_named_props(std::string_view what) {
        return fail(scode::no_support,
                    std::string(what) + " is not supported: profile sections have no named properties",
                    "mapixx.profile_section");
    }

    profile_usage* usage_ = nullptr;
    section_claim claim_;  // released before the lease
    profile_lease lease_;
    std::string profile_;
    uid id_{};
    bool writer_ = false;
};

} // namespace mapixx::inline v0

#endif
