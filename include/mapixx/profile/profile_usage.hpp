// SPDX-License-Identifier: MIT
/// \file
/// `profile_usage`: which profiles of one store are in use, by whom, and what must happen to
/// them once they are free (deferred delete and rename); also the reader/writer claims on
/// profile sections.
#ifndef MAPIXX_PROFILE_PROFILE_USAGE_HPP_INCLUDED
#define MAPIXX_PROFILE_PROFILE_USAGE_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_store.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

class profile_usage;

/// A store operation that ran when a profile became free (its last lease ended) and failed.
/// Lease destructors cannot report, so the failure is kept here; see
/// `profile_usage::deferred_errors`.
struct deferred_error {
    std::string profile;    ///< the profile's name in the store when the operation ran
    std::string operation;  ///< "delete" or "rename to \"new name\""
    scode code = scode::call_failed;  ///< the failing code
    error_info info;        ///< the store's (or entry hook's) extended error information
};

/// What `profile_usage::remove_profile` and `rename_profile` did.
enum class deferral {
    applied_now,  ///< the profile was free: the store was changed before the call returned
    deferred,     ///< the profile is in use: the change waits for its last lease to end
};

/// One holder's use of a profile: the logon layer takes one per session, an open
/// `profile_section` holds one too. Move-only; ending it (destructor or `release`) never
/// throws, and when it was the last lease on a profile marked for deletion or renaming, the
/// store operation runs then.
class [[nodiscard]] profile_lease {
public:
    /// An empty lease (holds nothing).
    profile_lease() noexcept = default;
    profile_lease(const profile_lease&) = delete;
    profile_lease& operator=(const profile_lease&) = delete;
    /// Takes over `other`'s lease; `other` becomes empty.
    profile_lease(profile_lease&& other) noexcept
        : usage_(std::exchange(other.usage_, nullptr)), key_(std::move(other.key_)), name_(std::move(other.name_)) {}
    /// Ends the lease held now, then takes over `other`'s.
    profile_lease& operator=(profile_lease&& other) noexcept {
        if (this != &other) {
            release();
            usage_ = std::exchange(other.usage_, nullptr);
            key_ = std::move(other.key_);
            name_ = std::move(other.name_);
        }
        return *this;
    }
    /// Ends the lease (see `release`).
    ~profile_lease() { release(); }

    /// Ends the lease now; a no-op on an empty lease. Never throws: a deferred store operation
    /// that fails is recorded in `profile_usage::deferred_errors`.
    void release() noexcept;

    /// True while the lease holds a profile.
    [[nodiscard]] bool active() const noexcept { return usage_ != nullptr; }
    /// `active()`.
    explicit operator bool() const noexcept { return active(); }
    /// The profile name the lease was taken with (the store name while the lease lasts: a
    /// rename is deferred until the profile is free).
    [[nodiscard]] const std::string& profile_name() const noexcept { return name_; }

private:
    friend class profile_usage;
    profile_lease(profile_usage* usage, std::string key, std::string name) noexcept
        : usage_(usage), key_(std::move(key)), name_(std::move(name)) {}

    profile_usage* usage_ = nullptr;
    std::string key_;
    std::string name_;
};

/// One holder's claim on a profile section: many readers, or one writer (MAPI-REFERENCE 4.3,
/// rule 48). Move-only RAII; ending it frees the claim.
class [[nodiscard]] section_claim {
public:
    /// An empty claim.
    section_claim() noexcept = default;
    section_claim(const section_claim&) = delete;
    section_claim& operator=(const section_claim&) = delete;
    /// Takes over `other`'s claim.
    section_claim(section_claim&& other) noexcept
        : usage_(std::exchange(other.usage_, nullptr)), key_(std::move(other.key_)), id_(other.id_),
          writer_(other.writer_) {}
    /// Frees the claim held now, then takes over `other`'s.
    section_claim& operator=(section_claim&& other) noexcept {
        if (this != &other) {
            release();
            usage_ = std::exchange(other.usage_, nullptr);
            key_ = std::move(other.key_);
            id_ = other.id_;
            writer_ = other.writer_;
        }
        return *this;
    }
    /// Frees the claim.
    ~section_claim() { release(); }

    /// Frees the claim now; a no-op on an empty claim.
    void release() noexcept;
    /// True while the claim is held.
    [[nodiscard]] bool active() const noexcept { return usage_ != nullptr; }
    /// True for a writer's claim (MAPI_MODIFY).
    [[nodiscard]] bool writer() const noexcept { return writer_; }

private:
    friend class profile_usage;
    section_claim(profile_usage* usage, std::string key, const uid& id, bool writer) noexcept
        : usage_(usage), key_(std::move(key)), id_(id), writer_(writer) {}

    profile_usage* usage_ = nullptr;
    std::string key_;
    uid id_{};
    bool writer_ = false;
};

/// The registry of profiles in use for one `profile_store`. Thread-safe.
///
/// There must be exactly one `profile_usage` per store, shared by everything that uses the
/// store: the `profile_admin`s, and the logon layer (which takes a `profile_lease` per session).
/// It makes MAPI's in-use rules hold:
/// - a profile deleted while in use stays in the store (invisible to `profile_admin`) until its
///   last lease ends, then it is removed (rule 39);
/// - a profile renamed while in use keeps its old name, in the store and in the profile table,
///   until its last lease ends, then the rename is applied (rule 43).
///
/// The registry keeps its lock while a deferred operation runs against the store, so no lease
/// can be taken between "last lease ended" and "profile removed". Callbacks given to
/// `remove_profile` therefore must not call back into this registry.
///
/// \pre Every lease and claim has ended before the registry is destroyed.
class profile_usage {
public:
    /// Code run on a profile just before the store removes it (profile_admin passes the message
    /// services' entry hooks with `service_context::remove`). A failure stops an immediate
    /// removal; in a deferred removal it is recorded and the removal goes on.
    using before_remove_fn = std::function<result<void>(profile&)>;

    /// A registry for `store`, which must outlive it.
    explicit profile_usage(profile_store& store) noexcept : store_(&store) {}
    profile_usage(const profile_usage&) = delete;
    profile_usage& operator=(const profile_usage&) = delete;

    /// The store this registry watches.
    [[nodiscard]] profile_store& store() const noexcept { return *store_; }

    /// Takes a lease on the profile called `name` (compared without regard to ASCII case). It
    /// always succeeds, even for a name the store lacks: the caller checks the profile (see
    /// `try_acquire` for the checked form).
    [[nodiscard]] profile_lease acquire(std::string_view name) {
        std::lock_guard lock(mutex_);
        return acquire_locked(name);
    }

    /// Takes a lease on a profile that exists and is not marked for deletion: `not_found`
    /// otherwise. The check and the lease are one step, so a deferred removal cannot slip in
    /// between. What the logon layer uses.
    [[nodiscard]] result<profile_lease> try_acquire(std::string_view name) {
        std::lock_guard lock(mutex_);
        if (marked_for_deletion_locked(name)) return deleted_failure(name);
        auto stored = store_->find_name(name);
        if (!stored) return std::move(stored).as_failure();
        return acquire_locked(*stored);
    }

    /// True while at least one lease on `name` is held.
    [[nodiscard]] bool in_use(std::string_view name) const {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key_of(name));
        return it != entries_.end() && it->second.leases > 0;
    }
    /// How many leases on `name` are held.
    [[nodiscard]] std::size_t lease_count(std::string_view name) const {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key_of(name));
        return it == entries_.end() ? 0 : it->second.leases;
    }
    /// True if `name` was deleted while in use and is waiting for its last lease to end.
    [[nodiscard]] bool marked_for_deletion(std::string_view name) const {
        std::lock_guard lock(mutex_);
        return marked_for_deletion_locked(name);
    }
    /// The new name `name` will get once it is free, if it was renamed while in use.
    [[nodiscard]] std::optional<std::string> pending_rename(std::string_view name) const {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key_of(name));
        if (it == entries_.end() || !it->second.rename_to) return std::nullopt;
        return it->second.rename_to;
    }
    /// True if some profile in use waits to be renamed to `name` (the name is taken already).
    [[nodiscard]] bool is_pending_rename_target(std::string_view name) const {
        std::lock_guard lock(mutex_);
        return pending_target_locked(name);
    }

    /// Deletes a profile now if it is free, or marks it for deletion when the last lease ends.
    /// `before_remove` (may be empty) runs on the loaded profile just before the store removes
    /// it. `not_found` if the store has no such profile or it is marked already. A pending
    /// rename of the profile is dropped.
    result<deferral> remove_profile(std::string_view name, before_remove_fn before_remove = {}) {
        std::lock_guard lock(mutex_);
        if (marked_for_deletion_locked(name)) return deleted_failure(name);
        auto p = store_->load(name);
        if (!p) return std::move(p).as_failure();
        auto it = entries_.find(key_of(name));
        if (it != entries_.end() && it->second.leases > 0) {
            it->second.delete_pending = true;
            it->second.before_remove = std::move(before_remove);
            it->second.rename_to.reset();
            return deferral::deferred;
        }
        if (before_remove) {
            if (auto r = before_remove(*p); !r) return std::move(r).as_failure();
        }
        if (auto r = store_->remove(p->name); !r) return std::move(r).as_failure();
        return deferral::applied_now;
    }

    /// Renames a profile now if it is free, or records the new name to apply when the last
    /// lease ends. Names are checked by the caller (profile_admin); the store checks again when
    /// the rename runs. `not_found` if the store lacks `from` or it is marked for deletion;
    /// `no_access` if `to` is the pending new name of another profile.
    result<deferral> rename_profile(std::string_view from, std::string_view to) {
        std::lock_guard lock(mutex_);
        if (marked_for_deletion_locked(from)) return deleted_failure(from);
        auto p = store_->load(from);
        if (!p) return std::move(p).as_failure();
        if (pending_target_locked(to) && !same_profile_name(from, to)) {
            return fail(scode::no_access,
                        "profile \"" + std::string(to) + "\" is taken: a profile in use will be renamed to it",
                        "mapixx.profile_usage");
        }
        auto it = entries_.find(key_of(from));
        if (it != entries_.end() && it->second.leases > 0) {
            it->second.rename_to = std::string(to);
            return deferral::deferred;
        }
        if (auto r = apply_rename(p->name, to); !r) return std::move(r).as_failure();
        return deferral::applied_now;
    }

    /// Claims a profile section of `profile` as reader or writer. `no_access` when a writer's
    /// claim meets any other claim, or a reader's claim meets a writer (rule 48).
    [[nodiscard]] result<section_claim> claim_section(std::string_view profile, const uid& id, bool writer) {
        std::lock_guard lock(mutex_);
        auto key = key_of(profile);
        auto& c = claims_[{key, id}];
        if (writer && (c.writer || c.readers > 0)) {
            cleanup_claim_locked(key, id);
            return fail(scode::no_access,
                        "profile section " + id.to_string() + " of profile \"" + std::string(profile) +
                            "\" is open elsewhere; MAPI_MODIFY needs it to be open nowhere else",
                        "mapixx.profile_usage");
        }
        if (!writer && c.writer) {
            return fail(scode::no_access,
                        "profile section " + id.to_string() + " of profile \"" + std::string(profile) +
                            "\" is open for writing elsewhere; it cannot be read until that handle closes",
                        "mapixx.profile_usage");
        }
        if (writer) {
            c.writer = true;
        } else {
            ++c.readers;
        }
        return section_claim(this, std::move(key), id, writer);
    }
    /// True if anyone holds a claim on the section.
    [[nodiscard]] bool section_open(std::string_view profile, const uid& id) const {
        std::lock_guard lock(mutex_);
        auto it = claims_.find({key_of(profile), id});
        return it != claims_.end() && (it->second.writer || it->second.readers > 0);
    }

    /// The failures of deferred operations, oldest first.
    [[nodiscard]] std::vector<deferred_error> deferred_errors() const {
        std::lock_guard lock(mutex_);
        return errors_;
    }
    /// Forgets the recorded failures.
    void clear_deferred_errors() {
        std::lock_guard lock(mutex_);
        errors_.clear();
    }

private:
    friend class profile_lease;
    friend class section_claim;

    struct entry {
        std::string name;  // as the store spells it
        std::size_t leases = 0;
        bool delete_pending = false;
        before_remove_fn before_remove;
        std::optional<std::string> rename_to;
    };
    struct claim_state {
        std::size_t readers = 0;
        bool writer = false;
    };

    static std::string key_of(std::string_view name) {
        std::string k(name);
        for (char& c : k) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return k;
    }
    static failure deleted_failure(std::string_view name) {
        return fail(scode::not_found,
                    "profile \"" + std::string(name) + "\" was deleted; it is removed when its last session ends",
                    "mapixx.profile_usage");
    }

    profile_lease acquire_locked(std::string_view name) {
        auto key = key_of(name);
        auto& e = entries_[key];
        if (e.leases == 0 && !e.delete_pending && !e.rename_to) e.name = std::string(name);
        ++e.leases;
        return profile_lease(this, std::move(key), e.name);
    }
    bool marked_for_deletion_locked(std::string_view name) const {
        auto it = entries_.find(key_of(name));
        return it != entries_.end() && it->second.delete_pending;
    }
    bool pending_target_locked(std::string_view name) const {
        for (const auto& [k, e] : entries_) {
            if (e.rename_to && same_profile_name(*e.rename_to, name)) return true;
        }
        return false;
    }
    void cleanup_claim_locked(const std::string& key, const uid& id) {
        auto it = claims_.find({key, id});
        if (it != claims_.end() && !it->second.writer && it->second.readers == 0) claims_.erase(it);
    }

    // Renames in the store and keeps PR_PROFILE_NAME of the profile-instance section in step.
    result<void> apply_rename(const std::string& from, std::string_view to) {
        if (auto r = store_->rename(from, to); !r) return r;
        return store_->update(to, [&](profile& p) -> result<void> {
            auto it = p.sections.find(uids::profile_instance);
            if (it != p.sections.end()) return it->second.set(pr::profile_name_a, std::string(p.name));
            return {};
        });
    }

    void record(const std::string& profile, std::string operation, const failure& f) noexcept {
        try {
            errors_.push_back({profile, std::move(operation), f.code, f.info});
        } catch (...) {  // out of memory while recording: nothing more can be done
        }
    }

    void release_lease(const std::string& key) noexcept {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it == entries_.end() || it->second.leases == 0) return;
        if (--it->second.leases > 0) return;
        entry e = std::move(it->second);
        entries_.erase(it);
        if (e.delete_pending) {
            run_deferred_delete(e);
        } else if (e.rename_to) {
            run_deferred_rename(e);
        }
    }
    void run_deferred_delete(entry& e) noexcept {
        try {
            if (e.before_remove) {
                if (auto p = store_->load(e.name); p) {
                    if (auto r = e.before_remove(*p); !r) record(e.name, "delete", r.as_failure());
                }
            }
            if (auto r = store_->remove(e.name); !r) record(e.name, "delete", r.as_failure());
        } catch (const std::exception& ex) {
            record(e.name, "delete", fail(scode::call_failed, std::string("exception: ") + ex.what(),
                                          "mapixx.profile_usage"));
        } catch (...) {
            record(e.name, "delete", failure{scode::call_failed, {"mapixx.profile_usage", "unknown exception", 0, 0, 0}});
        }
    }
    void run_deferred_rename(entry& e) noexcept {
        std::string op;
        try {
            op = "rename to \"" + *e.rename_to + "\"";
            if (auto r = apply_rename(e.name, *e.rename_to); !r) record(e.name, op, r.as_failure());
        } catch (const std::exception& ex) {
            record(e.name, op, fail(scode::call_failed, std::string("exception: ") + ex.what(), "mapixx.profile_usage"));
        } catch (...) {
            record(e.name, op, failure{scode::call_failed, {"mapixx.profile_usage", "unknown exception", 0, 0, 0}});
        }
    }

    void release_claim(const std::string& key, const uid& id, bool writer) noexcept {
        std::lock_guard lock(mutex_);
        auto it = claims_.find({key, id});
        if (it == claims_.end()) return;
        if (writer) {
            it->second.writer = false;
        } else if (it->second.readers > 0) {
            --it->second.readers;
        }
        if (!it->second.writer && it->second.readers == 0) claims_.erase(it);
    }

    profile_store* store_;
    mutable std::mutex mutex_;
    std::map<std::string, entry> entries_;
    std::map<std::pair<std::string, uid>, claim_state> claims_;
    std::vector<deferred_error> errors_;
};

inline void profile_lease::release() noexcept {
    if (usage_ == nullptr) return;
    profile_usage* u = std::exchange(usage_, nullptr);
    u->release_lease(key_);
}

inline void section_claim::release() noexcept {
    if (usage_ == nullptr) return;
    profile_usage* u = std::exchange(usage_, nullptr);
    u->release_claim(key_, id_, writer_);
}

} // namespace mapixx::inline v0

#endif
