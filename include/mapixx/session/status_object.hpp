// SPDX-License-Identifier: MIT
/// \file
/// `status_object`: an open status object (IMAPIStatus) of one status-table row.
#ifndef MAPIXX_SESSION_STATUS_OBJECT_HPP_INCLUDED
#define MAPIXX_SESSION_STATUS_OBJECT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/session/detail/session_core.hpp>
#include <mapixx/session/status_table.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace mapixx::inline v0 {

class session;

/// An open status object (IMAPIStatus) of one row of a session's status table, obtained from
/// `session::open_status`. A method whose bit is missing from the row's PR_RESOURCE_METHODS
/// fails with `no_support` (rule 52: the subsystem and the address book have only
/// STATUS_VALIDATE_STATE, the spooler VALIDATE_STATE | FLUSH_QUEUES); flags the SDK does not
/// define give `unknown_flags` (rule 53). After the session (or this handle's member of it) has
/// ended, every method returns `end_of_session` (rule 31).
///
/// The portable backend's objects do their checks and report success; what ValidateState and
/// FlushQueues set in motion belongs to the spooler layer.
class status_object {
public:
    /// An object that refers to nothing: every method returns `end_of_session`.
    status_object() = default;

    /// PR_RESOURCE_TYPE of the row.
    [[nodiscard]] resource_type type() const noexcept { return type_; }
    /// PR_ROWID of the row.
    [[nodiscard]] std::int32_t row_id() const noexcept { return static_cast<std::int32_t>(row_); }

    /// PR_RESOURCE_METHODS of the row now; `end_of_session` after the session ended.
    [[nodiscard]] result<resource_methods> methods() const {
        auto m = member_.lock();
        if (!m || m->is_ended()) return ended_failure();
        std::lock_guard guard(m->core->mutex);
        if (m->core->ended) return ended_failure();
        if (row_ >= m->core->status_row_count()) return ended_failure();
        return methods_of(m->core->status_row(row_));
    }

    /// IMAPIStatus::ValidateState. `unknown_flags` for bits ValidateState does not define;
    /// `invalid_parameter` for FORCE_XP_CONNECT together with FORCE_XP_DISCONNECT.
    result<void> validate_state(validate_flags flags = {}, std::uintptr_t ui_param = 0) {
        (void)ui_param;
        if (auto r = check(resource_method::validate_state, "ValidateState"); !r) return r;
        if (auto r = check_rules(flags); !r) return record(r.as_failure());
        return {};
    }
    /// IMAPIStatus::SettingsDialog.
    result<void> settings_dialog(std::uintptr_t ui_param = 0) {
        (void)ui_param;
        return check(resource_method::settings_dialog, "SettingsDialog");
    }
    /// IMAPIStatus::ChangePassword.
    result<void> change_password(std::string_view old_password, std::string_view new_password) {
        (void)old_password;
        (void)new_password;
        return check(resource_method::change_password, "ChangePassword");
    }
    /// IMAPIStatus::FlushQueues. `unknown_flags` for bits FlushQueues does not define.
    result<void> flush_queues(flush_flags flags = {}, std::uintptr_t ui_param = 0) {
        (void)ui_param;
        if (auto r = check(resource_method::flush_queues, "FlushQueues"); !r) return r;
        if (auto r = check_rules(flags); !r) return record(r.as_failure());
        return {};
    }

private:
    friend class session;
    status_object(std::weak_ptr<detail::member_state> member, std::size_t row, resource_type type) noexcept
        : member_(std::move(member)), row_(row), type_(type) {}

    static failure ended_failure() {
        return fail(scode::end_of_session,
                    "the session of this status object has ended (logged off): only release is allowed now",
                    "mapixx.status");
    }
    result<void> record(failure f) {
        if (auto m = member_.lock()) m->set_error(f);
        return f;
    }
    result<void> check(resource_method method, std::string_view name) {
        auto m = member_.lock();
        if (!m || m->is_ended()) return ended_failure();
        resource_methods have;
        std::string display;
        {
            std::lock_guard guard(m->core->mutex);
            if (m->core->ended) return ended_failure();
            if (row_ >= m->core->status_row_count()) return ended_failure();
            const property_bag row = m->core->status_row(row_);
            have = methods_of(row);
            display = std::string(row.get_string(pr::display_name).value_or(""));
        }
        if (!have.has(method)) {
            return record(fail(scode::no_support,
                               "the status object of \"" + display + "\" does not support " + std::string(name) +
                                   ": its PR_RESOURCE_METHODS is " + to_string(have) + " (rule 52)",
                               "mapixx.status"));
        }
        return {};
    }

    std::weak_ptr<detail::member_state> member_;
    std::size_t row_ = 0;
    resource_type type_ = resource_type::subsystem;
};

} // namespace mapixx::inline v0

#endif
