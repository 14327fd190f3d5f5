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
#include <mapixx/detail/small_mutex.hpp>
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
#include <thread>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail {

struct session_core;

/// The `provider_support` the session hands to one provider logon. It lives as long as the
/// session core (so a provider that keeps it too long gets `end_of_session`, not a dangling
/// reference); `active` is guarded by the core's mutex.
class session_support final : public provider_support {
public:
    session_support(session_core& core, std::size_t row) noexcept
        : core_(&core), row_(static_cast<std::uint32_t>(row)) {}

    result<void> modify_status_row(const property_bag& row, bool update) override;

    // Called with the core's mutex held.
    void set_active(bool a) noexcept { active_ = a; }
    [[nodiscard]] bool active() const noexcept { return active_; }
    [[nodiscard]] std::size_t row() const noexcept { return row_; }

private:
    session_core* core_;
    std::uint32_t row_;
    bool active_ = true;
};

/// Room for a number of supports fixed when it is made, in one allocation. A support made
/// here never moves (providers keep references to it) and lives as long as the block.
class support_block {
public:
    support_block() noexcept = default;
    explicit support_block(std::size_t capacity)
        : items_(std::allocator<session_support>{}.allocate(capacity)), capacity_(static_cast<std::uint32_t>(capacity)) {}
    support_block(const support_block&) = delete;
    support_block& operator=(const support_block&) = delete;
    support_block(support_block&& other) noexcept
        : items_(std::exchange(other.items_, nullptr)), size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    support_block& operator=(support_block&& other) noexcept {
        if (this != &other) {
            reset();
            items_ = std::exchange(other.items_, nullptr);
            size_ = std::exchange(other.size_, 0);
            capacity_ = std::exchange(other.capacity_, 0);
        }
        return *this;
    }
    ~support_block() { reset(); }

    /// A new support in the block; null if the block is full.
    session_support* try_add(session_core& core, std::size_t row) noexcept {
        if (size_ == capacity_) return nullptr;
        return std::construct_at(items_ + size_++, core, row);
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] session_support& operator[](std::size_t i) noexcept { return items_[i]; }

private:
    void reset() noexcept {
        std::destroy(items_, items_ + size_);
        if (items_ != nullptr) std::allocator<session_support>{}.deallocate(items_, capacity_);
        items_ = nullptr;
        size_ = capacity_ = 0;
    }

    session_support* items_ = nullptr;
    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = 0;
};

/// One provider of the profile as the session handles it.
struct provider_record {
    std::uint32_t service_index = 0;   ///< index in `session_core::prof().services`
    std::uint32_t provider_index = 0;  ///< index in that service's `providers`
    std::shared_ptr<provider_logon> logon;  ///< set while logged on
    session_slot slot;                      ///< held while logged on
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
    /// What the provider (or the session, for a failure) set, without MAPI's own columns; null
    /// if nothing. Immutable, and shared with the rows of other sessions whose providers set the
    /// same (`session_registry::share_row_changes`).
    std::shared_ptr<const property_bag> changes;

    /// `changes`, or an empty bag.
    [[nodiscard]] const property_bag& changed() const noexcept {
        static const property_bag none;
        return changes ? *changes : none;
    }
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
    slot_pool* pool = nullptr;  ///< the slot pool of its DLL (`provider_registry::pool`)
};

struct member_state;

/// `status_row_id::first_provider` as an index.
inline constexpr std::size_t first_provider_row = static_cast<std::size_t>(status_row_id::first_provider);

/// The state shared by every handle (member) of one session.
struct session_core {
    subsystem sub;                       ///< keeps the subsystem initialised; reset when the session ends
    session_registry* registry = nullptr;
    std::uint64_t id = 0;
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
    /// Written under `mutex` (with `live_members`); read without it by the members
    /// (`member_state::is_ended`), which is why it is atomic.
    std::atomic<bool> ended{false};
    /// A shared session's report of the logon that made it, which joiners copy their
    /// services from (rules 9 and 23); null for an individual session.
    std::unique_ptr<logon_report> report;
    const notification_dispatcher* dispatcher = nullptr;  ///< init_options::notifications

    mutable small_mutex mutex;            ///< guards everything below, and `ended`
    /// The provider rows of the status table, in row order from `status_row_id::first_provider`.
    /// The three rows MAPI supplies are computed from `no_mail`.
    std::vector<provider_status_row> provider_rows;
    std::vector<provider_record> records;                  ///< in logon order
    /// The supports of the provider logons, which keep their address for the life of the core:
    /// the first ones in one block made when the core is built (`reserve_supports`), any further
    /// ones (retries, rule 23) one by one (`add_support`).
    support_block supports;
    std::vector<std::unique_ptr<session_support>> more_supports;
    std::vector<provider_object> objects;
    std::vector<sink_entry> sinks;
    advise_connection next_connection = 1;
    /// Members that have not left. The session does not list them: a member is ended when it
    /// left or when its session ended (`member_state::is_ended`), so ending the session ends
    /// them all at once, and `end_session` gives back their count in `registry->live_members`.
    std::uint32_t live_members = 0;
    std::shared_ptr<session_mail> mail;                    ///< the spooler, if any transport runs

    /// The profile's name, as the store spells it.
    [[nodiscard]] const std::string& profile_name() const noexcept { return shared_prof->name; }
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

    /// Makes room for `n` supports in one block. Called once, before the first `add_support`.
    void reserve_supports(std::size_t n) { supports = support_block(n); }
    /// A new support for the provider of row `row`. Call with `mutex` held.
    session_support& add_support(std::size_t row) {
        if (session_support* s = supports.try_add(*this, row)) return *s;
        more_supports.push_back(std::make_unique<session_support>(*this, row));
        return *more_supports.back();
    }
    /// Calls `f` with every support. Call with `mutex` held.
    template <class F>
    void for_each_support(F f) {
        for (std::size_t i = 0; i < supports.size(); ++i) f(supports[i]);
        for (auto& s : more_supports) f(*s);
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
        return provider_status_row_of(static_cast<std::int32_t>(row), e, r.replaced, r.changed());
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
    /// Tells this member's sinks from the others' (`sink_entry::member`): 0 until the member's
    /// first advise, which takes one from `session_registry::next_id` under the core's mutex,
    /// so that a member that never advises costs no id.
    std::uint64_t id = 0;
    logon_flags flags{};
    /// What the logon that made this handle did; shared with handles whose logons went the
    /// same way (`session_registry::share_report`). Set before the handle is handed out.
    std::shared_ptr<const logon_report> report;
    /// Set (under the core's mutex) when this member leaves by itself (`leave_now`).
    std::atomic<bool> left{false};

    /// True once this member has left, or its session has ended.
    [[nodiscard]] bool is_ended() const noexcept {
        return left.load(std::memory_order_acquire) || (core && core->ended.load(std::memory_order_acquire));
    }
    /// Records the extended error of a failed call (rule 35). May be called with the core's
    /// mutex held.
    void set_error(const failure& f) {
        auto info = std::make_unique<error_info>(f.info);  // allocated before the lock
        error_guard guard(*this);
        std::swap(info, last_error_);
    }
    /// The last error recorded; empty if none.
    [[nodiscard]] error_info last_error() const {
        error_guard guard(*this);
        return last_error_ ? *last_error_ : error_info{};
    }

private:
    /// Guards `last_error_`, which a member makes only on its first failure: a member that
    /// never fails costs no error record, and its lock is one byte instead of a `std::mutex`.
    /// Held only to swap or copy the record.
    class error_guard {
    public:
        explicit error_guard(const member_state& m) noexcept : flag_(m.error_lock_) {
            while (flag_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
        }
        error_guard(const error_guard&) = delete;
        error_guard& operator=(const error_guard&) = delete;
        ~error_guard() { flag_.clear(std::memory_order_release); }

    private:
        std::atomic_flag& flag_;
    };
    mutable std::atomic_flag error_lock_;
    std::unique_ptr<error_info> last_error_;
};

/// A new member of `core` (not yet counted in it), with the flags of its logon.
inline std::shared_ptr<member_state> make_member(std::shared_ptr<session_core> core, logon_flags flags) {
    auto m = std::allocate_shared<member_state>(frame_cache_allocator<member_state>());
    m->core = std::move(core);
    m->flags = flags;
    return m;
}

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

/// `changes` as an immutable bag, null if empty: the one another session's row holds if equal
/// (`session_registry::share_row_changes`), else a new one. A row lives as long as its session,
/// and the providers of sessions on one profile mostly set the same columns.
inline std::shared_ptr<const property_bag> share_row_changes(session_registry* registry, property_bag changes) {
    if (changes.empty()) return nullptr;
    if (registry == nullptr) return std::make_shared<const property_bag>(property_bag(changes));
    return registry->share_row_changes(std::move(changes));
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
        // Built aside and swapped in, so that a std::bad_alloc leaves the row as it was.
        property_bag changes;
        if (update && target.changes) {
            changes = *target.changes;
            changes.merge(row);
        } else {
            changes = row;
        }
        drop_mapi_columns(changes);
        const provider_entry& entry = core_->prof().services[target.service_index].providers[target.provider_index];
        if (update && !target.replaced) drop_unchanged_columns(changes, entry);
        std::shared_ptr<const property_bag> shared = share_row_changes(core_->registry, std::move(changes));
        sinks.reserve(core_->sinks.size());
        for (const auto& s : core_->sinks) sinks.push_back(s.fn);
        if (!sinks.empty()) {
            event.kind = session_event_kind::status_row_modified;
            event.row = provider_status_row_of(static_cast<std::int32_t>(row_), entry, target.replaced || !update,
                                               shared ? *shared : property_bag{});
            event.message = "a provider changed its status row";
        }
        target.changes = std::move(shared);
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
        core->for_each_support([](session_support& s) { s.set_active(false); });
    }
    if (reg) {
        std::lock_guard guard(reg->mutex);
        if (auto published = reg->shared.lock(); published.get() == core.get()) {
            reg->shared.reset();
            reg->join_reports.clear();
        }
        reg->drop_stale_view(core->profile_name());
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
        sinks.reserve(core->sinks.size());
        core->ended = true;  // every member that has not left is ended from here on
        if (core->registry) core->registry->live_members.fetch_sub(core->live_members);
        core->live_members = 0;
        for (auto& s : core->sinks) sinks.push_back(std::move(s.fn));
        core->sinks.clear();
    }
    co_await std::move(releasing);
    notify(core->dispatcher, std::move(sinks), std::move(event));
    core->sub.reset();
}

/// What is left of a member's leave after `leave_now`.
enum class leave_rest {
    none,          ///< nothing: the member has left (or had left, or its session had ended)
    end_session,   ///< the member is the last one: the session ends with it
    end_shared,    ///< MAPI_LOGOFF_SHARED on a shared session: every member ends
};

/// The part of a member's leave that needs no coroutine: a member that is not the last one only
/// changes counters and lists, under the core's mutex, and allocates nothing. Says what is left
/// to do (`leave` does it).
inline leave_rest leave_now(const std::shared_ptr<member_state>& handle, bool shared_logoff) noexcept {
    member_state& member = *handle;
    session_core& core = *member.core;
    if (shared_logoff && core.shared) return member.is_ended() ? leave_rest::none : leave_rest::end_shared;
    std::lock_guard guard(core.mutex);
    if (member.left.load()) return leave_rest::none;
    if (core.ended) {  // counted out by end_session already
        member.left.store(true, std::memory_order_release);
        return leave_rest::none;
    }
    if (core.live_members <= 1) return leave_rest::end_session;
    member.left.store(true, std::memory_order_release);
    --core.live_members;
    if (core.registry) core.registry->live_members.fetch_sub(1);
    if (member.id != 0) std::erase_if(core.sinks, [&](const sink_entry& s) { return s.member == member.id; });
    return leave_rest::none;
}

/// A member leaves. With `shared_logoff` on a shared session the whole session ends (rule 32);
/// otherwise the session ends when its last member leaves (MAPI_LOGOFF_SHARED on an individual
/// session is ignored, rule 33). `session::logoff` calls `leave_now` itself first and awaits
/// this only when the session must end.
///
/// Out of memory: a member that is not the last only changes counters and lists (no
/// allocation); the last member changes nothing itself and lets `end_session` end it, which
/// allocates before it changes anything. A `std::bad_alloc` therefore leaves the member in the
/// session.
inline task<void> leave(std::shared_ptr<member_state> member, bool shared_logoff) {
    if (!member || !member->core) co_return;
    switch (leave_now(member, shared_logoff)) {
    case leave_rest::none: co_return;
    case leave_rest::end_shared: co_await end_session(member->core, true); co_return;
    case leave_rest::end_session: co_await end_session(member->core, false); co_return;
    }
}

} // namespace mapixx::inline v0::detail

#endif
