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
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// A `profile_store` held in memory. Thread-safe: readers run concurrently, writers one at a
/// time (a `std::shared_mutex`). Profiles keep their creation order; names compare without
/// regard to ASCII case and are checked with `check_profile_name` on `create` and `rename`.
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
        for (const auto& p : profiles_) {
            if (p.is_default) return std::optional<std::string>(p.name);
        }
        return std::optional<std::string>();
    }

    /// A copy of the profile called `name`; `not_found` if there is none.
    [[nodiscard]] result<profile> load(std::string_view name) const override {
        std::shared_lock lock(mutex_);
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        return *it;
    }

    /// Adds a copy of `p` after every existing profile. `invalid_parameter` for a bad name,
    /// `no_access` if a profile of that name (in any case) exists.
    result<void> create(const profile& p) override {
        if (auto ok = check_profile_name(p.name); !ok) return ok;
        std::unique_lock lock(mutex_);
        if (find(p.name) != profiles_.end()) return taken(p.name);
        if (p.is_default) clear_default();
        profiles_.push_back(p);
        return {};
    }

    /// Runs `change` on a copy of the profile and stores the copy if `change` succeeds and left
    /// the name alone. `not_found` if there is no such profile; `invalid_parameter` if `change`
    /// renamed it; otherwise `change`'s own failure. A throwing `change` stores nothing.
    result<void> update(std::string_view name, const std::function<result<void>(profile&)>& change) override {
        std::unique_lock lock(mutex_);
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        profile copy = *it;
        if (auto r = change(copy); !r) return r;
        if (copy.name != it->name) return renamed_in_update(it->name, copy.name);
        if (copy.is_default && !it->is_default) clear_default();
        *it = std::move(copy);
        return {};
    }

    /// Removes the profile called `name`; `not_found` if there is none.
    result<void> remove(std::string_view name) override {
        std::unique_lock lock(mutex_);
        const auto it = find(name);
        if (it == profiles_.end()) return missing(name);
        profiles_.erase(it);
        return {};
    }

    /// Renames `from` to `to`, keeping its place and default mark. `invalid_parameter` for a bad
    /// `to`, `not_found` if `from` is absent, `no_access` if another profile is called `to`.
    result<void> rename(std::string_view from, std::string_view to) override {
        if (auto ok = check_profile_name(to); !ok) return ok;
        std::unique_lock lock(mutex_);
        const auto it = find(from);
        if (it == profiles_.end()) return missing(from);
        if (const auto other = find(to); other != profiles_.end() && other != it) return taken(to);
        it->name = std::string(to);
        return {};
    }

    /// Makes `name` the default profile, or clears the default with nullopt. `not_found` if
    /// there is no such profile (and then the default does not change).
    result<void> set_default(std::optional<std::string_view> name) override {
        std::unique_lock lock(mutex_);
        if (!name) {
            clear_default();
            return {};
        }
        const auto it = find(*name);
        if (it == profiles_.end()) return missing(*name);
        clear_default();
        it->is_default = true;
        return {};
    }

private:
    std::vector<profile>::iterator find(std::string_view name) {
        return std::find_if(profiles_.begin(), profiles_.end(),
                            [&](const profile& p) { return same_profile_name(p.name, name); });
    }
    std::vector<profile>::const_iterator find(std::string_view name) const {
        return std::find_if(profiles_.begin(), profiles_.end(),
                            [&](const profile& p) { return same_profile_name(p.name, name); });
    }
    void clear_default() noexcept {
        for (auto& p : profiles_) p.is_default = false;
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
    std::vector<profile> profiles_;  // creation order; at most one has is_default set
};

} // namespace mapixx::inline v0

#endif
