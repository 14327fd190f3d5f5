// SPDX-License-Identifier: MIT
/// \file
/// `profile_store`: where profiles live (in memory, or in files).
#ifndef MAPIXX_PROFILE_PROFILE_STORE_HPP_INCLUDED
#define MAPIXX_PROFILE_PROFILE_STORE_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/profile/profile.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// The storage behind profile administration and logon. Every operation is atomic: a reader
/// sees a profile either before or after a change, never half of one, and `update` is a
/// read-modify-write that no concurrent writer (thread or, for file stores, process) can lose.
/// Profile names compare case-insensitively (`same_profile_name`).
///
/// Implementations: `memory_profile_store`, `file_profile_store`.
class profile_store {
public:
    virtual ~profile_store() = default;

    /// The names of every profile, in the order they were created.
    [[nodiscard]] virtual result<std::vector<std::string>> names() const = 0;
    /// The default profile's name, or nullopt when none is set.
    [[nodiscard]] virtual result<std::optional<std::string>> default_profile() const = 0;
    /// A copy of one profile (`is_default` filled in). `not_found` if there is none by that name.
    [[nodiscard]] virtual result<profile> load(std::string_view name) const = 0;
    /// The stored spelling of the profile called `name` (names compare case-insensitively), or
    /// `not_found`. What a caller uses that only needs to know a profile exists: stores that can
    /// answer without copying the profile override it (`memory_profile_store` answers from its
    /// index); this default loads the profile.
    [[nodiscard]] virtual result<std::string> find_name(std::string_view name) const {
        auto p = load(name);
        if (!p) return std::move(p).as_failure();
        return std::move(p->name);
    }
    /// The profile called `name` as an immutable snapshot that callers may share (the sessions
    /// of one profile share it instead of holding a copy each). A store that keeps such a
    /// snapshot until the profile changes overrides it (`memory_profile_store` does); this
    /// default makes a new one from `load`. `not_found` if there is no such profile.
    [[nodiscard]] virtual result<std::shared_ptr<const profile>> load_shared(std::string_view name) const {
        auto p = load(name);
        if (!p) return std::move(p).as_failure();
        return std::shared_ptr<const profile>(std::make_shared<profile>(std::move(*p)));
    }
    /// Adds a new profile. `no_access` if the name exists; `invalid_parameter` for a bad name.
    virtual result<void> create(const profile& p) = 0;
    /// Runs `change` on the current state of a profile and stores the result, atomically, with
    /// every other writer excluded meanwhile. If `change` fails, nothing is stored and its
    /// failure is returned. `not_found` if the profile does not exist. `change` may not rename.
    virtual result<void> update(std::string_view name, const std::function<result<void>(profile&)>& change) = 0;
    /// Removes a profile (and the default mark if it had it). `not_found` if absent.
    virtual result<void> remove(std::string_view name) = 0;
    /// Renames a profile, keeping its default mark. `not_found` if `from` is absent;
    /// `no_access` if `to` exists; `invalid_parameter` for a bad name.
    virtual result<void> rename(std::string_view from, std::string_view to) = 0;
    /// Makes `name` the default profile, or clears the default with nullopt. `not_found` if the
    /// profile does not exist.
    virtual result<void> set_default(std::optional<std::string_view> name) = 0;
};

} // namespace mapixx::inline v0

#endif
