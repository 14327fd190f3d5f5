// SPDX-License-Identifier: MIT
/// \file
/// The shared state of one session (`detail::session_core`), the state of each handle on it
/// (`detail::member_state`), and the session's `provider_support`.
#ifndef MAPIXX_SESSION_DETAIL_SESSION_CORE_HPP_INCLUDED
#define MAPIXX_SESSION_DETAIL_SESSION_CORE_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_support.hpp>
#include <mapixx/provider/session_slot.hpp>
#include <mapixx/session/detail/session_mail.hpp>
#include <mapixx/session/detail/session_registry.hpp>
#include <mapixx/session/logon_report.hpp>
#include <mapixx/session/notification.hpp>
#include <mapixx/service/notification_dispatcher.hpp>
#include <mapixx/session/status_table.hpp>
#include <mapixx/session/subsystem.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {
class profile_admin;
} // namespace mapixx::inline v0

namespace mapixx::inline v0::detail {

struct session_core;

/// The `provider_support` the session hands to one provider logon. It lives as long as the
/// session core (so a provider that keeps it too long gets `end_of_session`, not a dangling
/// reference); `active` is guarded by the core's mutex.
class session_support final : public provider_support {
public:
    session_support(session_core& core, std::size_t row) noexcept : core_(&core), row_(row) {}

    result<void> modify_status_row(const property_bag& row, bool update) override;

    // Called with the core's mutex held.
    void set_active(bool a) noexcept { active_ = a; }
    [[nodiscard]] bool active() const noexcept { return active_; }
    [[nodiscard]] std::size_t row() const noexcept { return row_; }

private:
    session_core* core_;
    std::size_t row_;
    bool active_ = true;
};

/// One provider of the profile as the session handles it.
struct provider_record {
    std::size_t service_index = 0;   ///< index in `session_core::prof().services`
    std::size_t provider_index = 0;  ///< index in that service's `providers`
    std::shared_ptr<provider_logon> logon;  ///< set while logged on
    session_slot slot;                      ///< held while logged on
    session_support* support = nullptr;     ///< owned by `session_core::supports`
};

/// A provider's row of the status table, kept as what differs from the row MAPI computes from
/// the provider's profile entry (`make_status_row`): a session holds 40 bytes per provider until
/// a provider changes its row, and the full rows are built only when the table is read.
struct provider_status_row {
    std::uint32_t service_index = 0;   ///< index in `session_core::prof().services`
    std::uint32_t provider_index = 0;  ///< index in that service's `providers`
    /// The provider replaced its row (ModifyStatusRow without STATUS_ROW_UPDATE): the computed
    /// row keeps only MAPI's own columns and `changes`.
    bool replaced = false;
    /// What the provider (or the session, for a failure) set, without MAPI's own columns.
    property_bag changes;
};

/// An advise registration.
struct sink_entry {
    advise_connection connection = 0;
    std::uint64_t member = 0;
    std::shared_ptr<advise_sink> fn;
};

/// A provider object the session made (one per DLL and kind).
struct provider_object {
    std::string dll;
    resource_type kind = resource_type::store_provider;
    std::unique_ptr<provider> object;
};

struct member_state;

/// `status_row_id::first_provider` as an index.
inline constexpr std::size_t first_provider_row = static_cast<std::size_t>(status_row_id::first_provider);

/// The state shared by every handle (member) of one session.
struct session_core {
    subsystem sub;                       ///< keeps the subsystem initialised; reset when the session ends
    session_registry* registry = nullptr;
    const profile_admin* admin = nullptr;  ///< init_options::admin (may be null)
    std::uint64_t id = 0;
    std::string profile_name;            ///< as the store spells it
    /// The profile as this session sees it (rule 34), shared with the other sessions logged on
    /// to the same version of it (`session_registry::views`) until this session changes it.
    std::shared_ptr<const profile> shared_prof;
    /// The session's own copy, made by its first change (`writable_prof`).
    std::unique_ptr<profile> own_prof;
    profile_lease lease;                 ///< held for the whole session
    logon_flags flags{};                 ///< the flags of the logon that made it
    bool no_mail = false;
    bool shared = false;                 ///< MAPI_ALLOW_OTHERS
    bool unicode = false;
    bool holds_reservation = false;      ///< counted in `registry->live_sessions`
    /// A shared session's report of the logon that made it, which joiners copy their
    /// services from (rules 9 and 23); null for an individual session.
    std::unique_ptr<logon_report> report;
    const notification_dispatcher* dispatcher = nullptr;  ///< init_options::notifications

    mutable std::mutex mutex;            ///< guards everything below
    bool ended = false;
    /// The provider rows of the status table, in row order from `status_row_id::first_provider`.
    /// The three rows MAPI supplies are computed from `no_mail`.
    std::vector<provider_status_row> provider_rows;
    std::vector<provider_record> records;                  ///< in logon order
    std::vector<std::unique_ptr<session_support>> supports;
    std::vector<provider_object> objects;
    std::vector<std::weak_ptr<member_state>> members;
    std::vector<sink_entry> sinks;
    advise_connection next_connection = 1;
    std::size_t live_members = 0;
    std::shared_ptr<session_mail> mail;                    ///< the spooler, if any transport runs

    /// The session's profile (rule 34). References stay valid for the life of the core: the
    /// shared version is kept after the session makes its own copy.
    [[nodiscard]] const profile& prof() const noexcept { return own_prof ? *own_prof : *shared_prof; }
    /// The session's profile, to change: the first call copies the shared version. Called only
    /// by the logon that holds the logon lock (as every change of a session's profile is).
    [[nodiscard]] profile& writable_prof() {
        if (!own_prof) {
            auto copy = std::make_unique<profile>(*shared_prof);
            std::lock_guard guard(mutex);
            own_prof = std::move(copy);
        }
        return *own_prof;
    }

    /// The provider entry of a record. \pre the record belongs to this core.
    [[nodiscard]] const provider_entry& entry_of(const provider_record& r) const noexcept {
        return prof().services[r.service_index].providers[r.provider_index];
    }
    [[nodiscard]] const message_service& service_of(const provider_record& r) const noexcept {
        return prof().services[r.service_index];
    }

    /// Rows in the status table. Call with `mutex` held (as for every function below).
    [[nodiscard]] std::size_t status_row_count() const noexcept {
        return first_provider_row + provider_rows.size();
    }
    /// PR_RESOURCE_TYPE of row `row` (`row` < `status_row_count()`), without building the row.
    [[nodiscard]] resource_type status_row_type(std::size_t row) const noexcept {
        switch (row) {
        case status_row_id::subsystem: return resource_type::subsystem;
        case status_row_id::spooler: return resource_type::spooler;
        case status_row_id::address_book: return resource_type::ab;
        default: {
            const auto& r = provider_rows[row - first_provider_row];
            return prof().services[r.service_index].providers[r.provider_index].type;
        }
        }
    }
    /// Row `row` of the status table as a client reads it (`row` < `status_row_count()`).
    [[nodiscard]] property_bag status_row(std::size_t row) const {
        if (row < first_provider_row) return shared_builtin_status_rows(no_mail)[row];
        const auto& r = provider_rows[row - first_provider_row];
        const provider_entry& e = prof().services[r.service_index].providers[r.provider_index];
        return provider_status_row_of(static_cast<std::int32_t>(row), e, r.replaced, r.changes);
    }
    /// The whole status table.
    [[nodiscard]] status_rows status_table() const {
        status_rows out = builtin_status_rows(no_mail);
        out.reserve(status_row_count());
        for (std::size_t i = first_provider_row; i < status_row_count(); ++i) out.push_back(status_row(i));
        return out;
    }
};

/// The logon of the default store (rule 50): the first store provider in profile order flagged
/// STATUS_DEFAULT_STORE, if it is logged on. Call with `core.mutex` held.
inline std::shared_ptr<store_logon> default_store_of(const session_core& core) {
    for (std::size_t si = 0; si < core.prof().services.size(); ++si) {
        const auto& svc = core.prof().services[si];
        for (std::size_t pi = 0; pi < svc.providers.size(); ++pi) {
            const auto& p = svc.providers[pi];
            if (p.type != resource_type::store_provider || !p.flags.has(resource_flag::default_store)) continue;
            for (const auto& r : core.records) {
                if (r.service_index == si && r.provider_index == pi && r.logon) {
                    return std::static_pointer_cast<store_logon>(r.logon);
                }
            }
            return nullptr;
        }
    }
    return nullptr;
}

/// One handle's view of a session.
struct member_state {
    std::shared_ptr<session_core> core;
    std::uint64_t id = 0;
    logon_flags flags{};
    /// What the logon that made this handle did; shared with handles whose logons went the
    /// same way (`session_registry::share_report`). Set before the handle is handed out.
    std::shared_ptr<const logon_report> report;
    std::atomic<bool> ended{false};
    std::mutex error_mutex;
    error_info last_error;

    /// Marks the member ended; true the first time. Keeps the registry count right.
    bool mark_ended() noexcept {
        if (ended.exchange(true)) return false;
        if (core && core->registry) core->registry->live_members.fetch_sub(1);
        return true;
    }
    void set_error(const failure& f) {
        std::lock_guard guard(error_mutex);
        last_error = f.info;
    }
};

/// Calls every sink with `event`, ignoring what they throw.
inline void notify_now(const std::vector<std::shared_ptr<advise_sink>>& sinks, const session_event& event) noexcept {
    for (const auto& s : sinks) {
        try {
            if (s && *s) (*s)(event);
        } catch (...) {  // a sink's exception must not reach the session
        }
    }
}

/// Runs the sinks through `dispatcher` (init_options::notifications) or, without one or when
/// it cannot take the notification, synchronously.
inline void notify(const notification_dispatcher* dispatcher, std::vector<std::shared_ptr<advise_sink>> sinks,
                   session_event event) noexcept {
    if (sinks.empty()) return;
    if (dispatcher != nullptr && *dispatcher) {
        try {
            auto shared = std::make_shared<std::pair<std::vector<std::shared_ptr<advise_sink>>, session_event>>(
                std::move(sinks), std::move(event));
            if (dispatcher->deliver([shared] { notify_now(shared->first, shared->second); })) return;
            notify_now(shared->first, shared->second);
            return;
        } catch (...) {  // out of memory: fall through with what is left
        }
    }
    notify_now(sinks, event);
}

inline result<void> session_support::modify_status_row(const property_bag& row, bool update) {
    std::vector<std::shared_ptr<advise_sink>> sinks;
    session_event event;
    {
        std::lock_guard guard(core_->mutex);
        if (!active_ || core_->ended) {
            return fail(scode::end_of_session,
                        "ModifyStatusRow after the provider logon ended: the provider is logged off", "mapixx.support");
        }
        provider_status_row& target = core_->provider_rows[row_ - first_provider_row];
        // Built aside and swapped in, so that a std::bad_alloc leaves the row as it was. A row
        // lives as long as its session, so it is kept at exactly its size.
        property_bag changes;
        if (update) {
            changes = target.changes;
            changes.merge(row);
        } else {
            changes = row;
        }
        drop_mapi_columns(changes);
        const provider_entry& entry = core_->prof().services[target.service_index].providers[target.provider_index];
        if (update && !target.replaced) drop_unchanged_columns(changes, entry);
        changes = property_bag(changes);
        sinks.reserve(core_->sinks.size());
        for (const auto& s : core_->sinks) sinks.push_back(s.fn);
        if (!sinks.empty()) {
            event.kind = session_event_kind::status_row_modified;
            event.row = provider_status_row_of(static_cast<std::int32_t>(row_), entry, target.replaced || !update, changes);
            event.message = "a provider changed its status row";
        }
        target.changes = std::move(changes);
        if (!update) target.replaced = true;
    }
    notify(core_->dispatcher, std::move(sinks), std::move(event));
    return {};
}

/// Logs off every record that is logged on, last first, releasing slots; ignores exceptions.
/// `records` is the caller's and must outlive the task: a caller makes the task first and only
/// then moves the records into `records`, so that a failure to allocate the task's frame
/// leaves every record where it was.
inline task<void> logoff_records(session_registry* registry, std::vector<provider_record>& records) {
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        if (!it->logon) continue;
        try {
            co_await it->logon->logoff();
        } catch (...) {  // a logoff always completes
        }
        it->logon.reset();
        it->slot.release();
        if (registry) registry->live_provider_logons.fetch_sub(1);
    }
}

/// Gives back everything a session core holds (provider logons in reverse logon order, slots,
/// provider objects, the profile lease, the session count, the shared registration). Used when
/// a session ends and when a logon fails. Idempotent for the parts already released.
///
/// Out of memory: nothing in the body allocates (the records are logged off here, not in a
/// task of their own, and a provider's logoff that cannot allocate counts as done), so once
/// this task's frame exists the release always completes.
inline task<void> release_core(std::shared_ptr<session_core> core) {
    std::vector<provider_record> records;
    std::vector<provider_object> objects;
    std::shared_ptr<session_mail> mail;
    session_registry* reg = core->registry;
    {
        std::lock_guard guard(core->mutex);
        records = std::move(core->records);
        core->records.clear();
        objects = std::move(core->objects);
        core->objects.clear();
        mail = std::move(core->mail);
        core->mail.reset();
        for (auto& s : core->supports) s->set_active(false);
    }
    if (reg) {
        std::lock_guard guard(reg->mutex);
        if (auto published = reg->shared.lock(); published.get() == core.get()) reg->shared.reset();
    }
    // The spooler stops first (traffic off; messages in flight stay queued in the store), then
    // the providers log off in reverse logon order: transports, stores, address books.
    if (mail) mail->stop();
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        if (!it->logon) continue;
        try {
            co_await it->logon->logoff();
        } catch (...) {  // a logoff always completes
        }
        it->logon.reset();
        it->slot.release();
        if (reg) reg->live_provider_logons.fetch_sub(1);
    }
    mail.reset();
    objects.clear();
    core->lease.release();
    if (reg && core->holds_reservation) {
        core->holds_reservation = false;
        std::lock_guard guard(reg->mutex);
        --reg->live_sessions;
    }
}

/// Ends the session: every member ends, every sink gets `session_ended`, then everything is
/// released (see `release_core`). A no-op if it ended already.
///
/// Out of memory: everything that allocates (the notification, the release task, room for the
/// members and sinks) is made before the session is marked ended, so a `std::bad_alloc` leaves
/// the session live and whole, and the call can be made again.
inline task<void> end_session(std::shared_ptr<session_core> core, bool shared_logoff) {
    std::vector<std::shared_ptr<member_state>> members;
    std::vector<std::shared_ptr<advise_sink>> sinks;
    session_event event;
    event.kind = session_event_kind::session_ended;
    event.code = scode::end_of_session;
    event.shared_logoff = shared_logoff;
    if (shared_logoff) {
        event.message = "a member of the shared session logged off with MAPI_LOGOFF_SHARED: every member is ended";
    } else {
        event.message = "the session was logged off";
    }
    task<void> releasing = release_core(core);
    {
        std::lock_guard guard(core->mutex);
        if (core->ended) co_return;
        members.reserve(core->members.size());
        sinks.reserve(core->sinks.size());
        core->ended = true;
        core->live_members = 0;
        for (auto& w : core->members) {
            if (auto m = w.lock()) members.push_back(std::move(m));
        }
        core->members.clear();
        for (auto& s : core->sinks) sinks.push_back(std::move(s.fn));
        core->sinks.clear();
    }
    for (auto& m : members) m->mark_ended();
    members.clear();
    co_await std::move(releasing);
    notify(core->dispatcher, std::move(sinks), std::move(event));
    core->sub.reset();
}

/// A member leaves. With `shared_logoff` on a shared session the whole session ends (rule 32);
/// otherwise the session ends when its last member leaves (MAPI_LOGOFF_SHARED on an individual
/// session is ignored, rule 33).
///
/// Out of memory: a member that is not the last only changes counters and lists (no
/// allocation); the last member changes nothing itself and lets `end_session` end it, which
/// allocates before it changes anything. A `std::bad_alloc` therefore leaves the member in the
/// session.
inline task<void> leave(std::shared_ptr<member_state> member, bool shared_logoff) {
    if (!member || !member->core) co_return;
    std::shared_ptr<session_core> core = member->core;
    if (shared_logoff && core->shared) {
        if (!member->ended.load()) co_await end_session(core, true);
        co_return;
    }
    {
        std::lock_guard guard(core->mutex);
        if (core->ended) {
            member->mark_ended();
            co_return;
        }
        if (member->ended.load()) co_return;
        if (core->live_members > 1) {
            if (!member->mark_ended()) co_return;
            --core->live_members;
            std::erase_if(core->sinks, [&](const sink_entry& s) { return s.member == member->id; });
            // The member list must not grow with every join of a long-lived shared session.
            std::erase_if(core->members, [&](const std::weak_ptr<member_state>& w) {
                const auto other = w.lock();
                return !other || other == member;
            });
            co_return;
        }
    }
    // The last member: ending the session marks every member ended, this one included.
    co_await end_session(core, false);
}

} // namespace mapixx::inline v0::detail

#endif
