// SPDX-License-Identifier: MIT
/// \file
/// `memory_profile_store`: a `profile_store` that keeps its profiles in memory, for tests and
/// for processes that need no persistence.
#ifndef MAPIXX_PROFILE_MEMORY_PROFILE_STORE_HPP_INCLUDED
#define MAPIXX_PROFILE_MEMORY_PROFILE_STORE_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_store.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// A `profile_store` held in memory. Thread-safe: readers run concurrently, writers one at a
/// time (a `std::shared_mutex`). Profiles keep their creation order; names compare without
/// regard to ASCII case and are checked with `check_profile_name` on `create` and `rename`.
///
/// Finding a profile by name does not depend on how many profiles the store holds: an index
/// maps each case-folded name to its profile, and the default profile is remembered, so
/// `load`, `find_name`, `default_profile`, `create`, `update`, `remove`, `rename` and
/// `set_default` cost the same with ten profiles or a hundred thousand (`names` is linear, as
/// it must be).
///
/// Rules shared with `file_profile_store`:
/// - `create` honours `p.is_default`: a profile created with it set becomes the default.
/// - `update` applies a change of `is_default` (setting it moves the default mark to this
///   profile; clearing it leaves the store without a default). A change of `name` (even of its
///   case) is refused with `invalid_parameter` and nothing is stored: use `rename`.
/// - `rename` to a name that differs from the old one only in case is allowed.
/// - The store keeps profiles as given: it does not fill in a search key or check services.
///
/// `update` runs `change` with the writer lock held: `change` must not call this store.
class memory_profile_store final : public profile_store {
public:
    /// An empty store.
    memory_profile_store() = default;
    memory_profile_store(const memory_profile_store&) = delete;
    memory_profile_store& operator=(const memory_profile_store&) = delete;

    /// The names of every profile, in creation order.
    [[nodiscard]] result<std::vector<std::string>> names() const override {
        std::shared_lock lock(mutex_);
        std::vector<std::string> out;
        out.reserve(profiles_.size());
        for (const auto& p : profiles_) out.push_back(p.name);
        return out;
    }

    /// The default profile's name, or nullopt.
    [[nodiscard]] result<std::optional<std::string>> default_profile() const override {
        std::shared_lock lock(mutex_);
        if (default_ == profiles_.end()) return std::optional<std::string>();
        return std::optional<std::string>(default_->name);
    }

    /// A copy of the profile called `name`; `not_found` if there is none.
    [[nodiscard]] result<profile> load(std::string_view name) const override {
        std::shared_lock lock(mutex_);
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        return *it;
    }

    /// The profile as a snapshot shared by every caller until the profile, or any other profile
    /// of the store, changes (every write drops the snapshots); `not_found` if there is none.
    [[nodiscard]] result<std::shared_ptr<const profile>> load_shared(std::string_view name) const override {
        std::shared_lock lock(mutex_);
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        std::lock_guard guard(snapshots_mutex_);
        auto& snap = snapshots_[&*it];
        if (!snap) snap = std::make_shared<const profile>(*it);
        return snap;
    }

    /// The stored spelling of `name`, from the index (no copy of the profile); `not_found` if
    /// there is no such profile.
    [[nodiscard]] result<std::string> find_name(std::string_view name) const override {
        std::shared_lock lock(mutex_);
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        return it->name;
    }

    /// Adds a copy of `p` after every existing profile. `invalid_parameter` for a bad name,
    /// `no_access` if a profile of that name (in any case) exists.
    result<void> create(const profile& p) override {
        if (auto ok = check_profile_name(p.name); !ok) return ok;
        std::string key = folded(p.name);
        std::unique_lock lock(mutex_);
        drop_snapshots();
        if (index_.find(key) != index_.end()) return taken(p.name);
        // Both containers grow before either is changed, so a bad_alloc leaves the store as it was.
        std::list<profile> node;
        node.push_back(p);
        auto [slot, inserted] = index_.emplace(std::move(key), profiles_.end());
        (void)inserted;
        profiles_.splice(profiles_.end(), node);
        slot->second = std::prev(profiles_.end());
        if (p.is_default) make_default(slot->second);
        return {};
    }

    /// Runs `change` on a copy of the profile and stores the copy if `change` succeeds and left
    /// the name alone. `not_found` if there is no such profile; `invalid_parameter` if `change`
    /// renamed it; otherwise `change`'s own failure. A throwing `change` stores nothing.
    result<void> update(std::string_view name, const std::function<result<void>(profile&)>& change) override {
        std::unique_lock lock(mutex_);
        drop_snapshots();
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        profile copy = *it;
        if (auto r = change(copy); !r) return r;
        if (copy.name != it->name) return renamed_in_update(it->name, copy.name);
        const bool was_default = it == default_;
        *it = std::move(copy);
        if (it->is_default && !was_default) make_default(it);
        if (!it->is_default && was_default) default_ = profiles_.end();
        return {};
    }

    /// Removes the profile called `name`; `not_found` if there is none.
    result<void> remove(std::string_view name) override {
        std::unique_lock lock(mutex_);
        drop_snapshots();
        const auto slot = index_.find(folded(name));
        if (slot == index_.end()) return missing(name);
        const auto it = slot->second;
        if (it == default_) default_ = profiles_.end();
        index_.erase(slot);
        profiles_.erase(it);
        return {};
    }

    /// Renames `from` to `to`, keeping its place and default mark. `invalid_parameter` for a bad
    /// `to`, `not_found` if `from` is absent, `no_access` if another profile is called `to`.
    result<void> rename(std::string_view from, std::string_view to) override {
        if (auto ok = check_profile_name(to); !ok) return ok;
        std::string to_key = folded(to);
        std::string new_name(to);
        std::unique_lock lock(mutex_);
        drop_snapshots();
        const auto slot = index_.find(folded(from));
        if (slot == index_.end()) return missing(from);
        const auto it = slot->second;
        if (to_key == slot->first) {  // a change of case only: the index key stays
            it->name = std::move(new_name);
            return {};
        }
        if (index_.find(to_key) != index_.end()) return taken(to);
        index_.emplace(std::move(to_key), it);  // may throw: nothing changed yet
        index_.erase(slot);
        it->name = std::move(new_name);
        return {};
    }

    /// Makes `name` the default profile, or clears the default with nullopt. `not_found` if
    /// there is no such profile (and then the default does not change).
    result<void> set_default(std::optional<std::string_view> name) override {
        std::unique_lock lock(mutex_);
        drop_snapshots();
        if (!name) {
            if (default_ != profiles_.end()) default_->is_default = false;
            default_ = profiles_.end();
            return {};
        }
        const auto it = find(*name);
        if (it == profiles_.end()) return missing(*name);
        make_default(it);
        return {};
    }

private:
    using iterator = std::list<profile>::iterator;

    /// Called by every writer, with the writer lock held.
    void drop_snapshots() noexcept {
        std::lock_guard guard(snapshots_mutex_);
        snapshots_.clear();
    }

    /// The index key of a name: ASCII letters in lower case, as `same_profile_name` compares.
    static std::string folded(std::string_view name) {
        std::string key(name);
        for (char& c : key) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return key;
    }
    iterator find(std::string_view name) const {
        const auto slot = index_.find(folded(name));
        return slot == index_.end() ? profiles_.end() : slot->second;
    }
    /// Moves the default mark to `it`.
    void make_default(iterator it) noexcept {
        if (default_ != profiles_.end() && default_ != it) default_->is_default = false;
        it->is_default = true;
        default_ = it;
    }
    static failure missing(std::string_view name) {
        return fail(scode::not_found, "there is no profile called \"" + std::string(name) + "\"",
                    "mapixx.profile_store");
    }
    static failure taken(std::string_view name) {
        return fail(scode::no_access, "a profile called \"" + std::string(name) + "\" already exists",
                    "mapixx.profile_store");
    }
    static failure renamed_in_update(std::string_view from, std::string_view to) {
        return fail(scode::invalid_parameter,
                    "an update of profile \"" + std::string(from) + "\" changed its name to \"" + std::string(to) +
                        "\"; nothing was stored (rename a profile with rename)",
                    "mapixx.profile_store");
    }

    mutable std::shared_mutex mutex_;
    // `mutable` so that const readers can hand out the iterators `find` returns; no const
    // member changes either container.
    mutable std::list<profile> profiles_;                     // creation order
    std::unordered_map<std::string, iterator> index_;         // folded name -> its profile
    iterator default_ = profiles_.end();                      // the one with is_default, or end()
    // The snapshots `load_shared` handed out, by the profile they copy. Readers fill it under
    // the reader lock, hence its own mutex; writers empty it.
    mutable std::mutex snapshots_mutex_;
    mutable std::unordered_map<const profile*, std::shared_ptr<const profile>> snapshots_;
};

} // namespace mapixx::inline v0

#endif
