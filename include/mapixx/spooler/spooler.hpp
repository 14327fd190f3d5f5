// SPDX-License-Identifier: MIT
/// \file
/// `spooler`: runs transport providers as coroutines on a mapixx scheduler (MAPI-REFERENCE 7).
#ifndef MAPIXX_SPOOLER_SPOOLER_HPP_INCLUDED
#define MAPIXX_SPOOLER_SPOOLER_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/spooler/clock.hpp>
#include <mapixx/spooler/io_driver.hpp>
#include <mapixx/spooler/message_queue.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// One transport the spooler runs: its provider (not owned; outlives the spooler), a name for
/// reports, and its PR_RESOURCE_FLAGS (STATUS_XP_PREFER_LAST moves it to the end of the order).
struct spooler_transport {
    xp_provider* provider = nullptr;  ///< The provider.
    std::string name;                 ///< For reports.
    resource_flags flags;             ///< PR_RESOURCE_FLAGS.
};

/// Tunables. Delays are in the spooler clock's time.
struct spooler_options {
    /// Failed attempts of a message before quarantine: a transport's exceptions and errors, and
    /// attachment rows or properties the queue could not read for the working copy.
    std::size_t max_attempts = 3;
    std::chrono::milliseconds busy_retry{1000};           ///< After `busy`.
    std::chrono::milliseconds resend_later_delay{60000};  ///< After END_RESEND_LATER.
    std::chrono::milliseconds failure_retry{0};           ///< After a failed attempt.
    std::chrono::milliseconds poll_interval{60000};       ///< Between two `poll` calls.
    /// After the queue could not be listed (`message_queue::read_pending`), or a message it
    /// listed could not be read: the queue is listed again then, whether it changed or not.
    std::chrono::milliseconds queue_retry{1000};
    /// The most events `spooler::events()` holds; older ones are let go (`count` still counts
    /// them).
    std::size_t event_log_limit = 4096;
    /// Rule 62: a provider whose `spi_version()` is below this is released unused (MAPI_E_VERSION).
    std::uint32_t min_spi_version = xp_provider::pdk1_spi_version;
};

/// Something that happened to a message or a transport, for reports and tests.
struct spooler_event {
    /// What happened.
    enum class kind {
        sent,                ///< Every recipient done; the message left the queue.
        partly_sent,         ///< One transport sent its recipients; others remain.
        ndr,                 ///< Recipients reported undeliverable.
        deferred,            ///< END_DONT_RESEND: kept until SENTDEFERRED.
        requeued,            ///< Will be offered again (busy, wait, network_error, resend, failure, unreadable attachments).
        not_me,              ///< The transport declined its recipients.
        quarantined,         ///< Failed `max_attempts` times: set aside (S10).
        cancelled,           ///< The client cancelled it; it left the queue.
        received,            ///< A transport delivered an inbound message.
        not_delivered,       ///< The sink refused an inbound message; its transport keeps it (`code`: why).
        protocol_violation,  ///< A transport broke a rule (e.g. changed TransportNotify flags).
        critical_error,      ///< A transport sent NOTIFY_CRITICAL_ERROR; it gets no more calls.
        logon_failed,        ///< A transport did not log on (`code`: its error; `version` for rule 62).
        queue_unreadable,    ///< The queue could not be listed, or a message it listed read (`code`); listed again after `queue_retry`.
    };
    kind what = kind::sent;             ///< What happened.
    std::optional<message_id> message;  ///< The message, if any.
    /// The transport (index in `spooler::transports()` order); `spooler::npos` for an event of
    /// the queue (`queue_unreadable`).
    std::size_t transport = 0;
    scode code = scode::success;        ///< The code that led to it.
};

/// Which queue a flush progress report is about.
enum class flush_queue {
    outbound,  ///< Submissions.
    inbound,   ///< Receptions.
};

/// A flush progress report: transport `transport` has done `done` of `total` items of `queue`
/// (`total` is 0 for inbound: unknown in advance).
struct flush_progress {
    std::size_t transport = 0;  ///< Index in transport order.
    flush_queue queue = flush_queue::outbound;  ///< Which queue.
    std::size_t done = 0;   ///< Items done.
    std::size_t total = 0;  ///< Items known at the start.
};

/// The MAPI spooler: single-threaded and cooperative on a mapixx `scheduler`.
///
/// It logs on every transport (`start`), routes each queued message's recipients to
/// transports, drives SubmitMessage / EndMessage, Poll / StartMessage, Idle and the flush
/// protocol, and logs off (`shutdown`). Each transport has its own worker coroutine, so a
/// transport that suspends (SpoolerYield, network) lets the others run; only explicit awaits
/// switch. Drive it with `pump()` (or any loop that runs the scheduler).
///
/// Nothing is lost: a message leaves the queue only when all its recipients are done: sent
/// (EndMessage 0), or reported undeliverable to the sender (no transport takes the recipient,
/// or the transport returned MAPI_E_CANCEL), or the client cancelled it. Everything else
/// requeues it; after `max_attempts` failed attempts (errors, exceptions, attachment rows the
/// queue could not read) it is quarantined, still held by the queue.
///
/// Preconditions: the scheduler, queue, sink, clock and providers outlive the spooler;
/// `shutdown()` has completed (or the scheduler was destroyed) before the spooler is destroyed.
class spooler final : private detail::spooler_support_owner {
public:
    /// The spooler's lifecycle.
    enum class state {
        created,   ///< Before `start`.
        starting,  ///< Logging on.
        running,   ///< Transports are running.
        stopping,  ///< In `shutdown`.
        stopped,   ///< Every transport logged off.
    };

    /// A transport's state.
    enum class transport_state {
        not_logged_on,  ///< Before logon, or its logon failed.
        running,        ///< Logged on.
        dead,           ///< Sent NOTIFY_CRITICAL_ERROR: only logoff follows.
        logged_off,     ///< Logged off.
    };

    /// A spooler over `transports` (in profile order), reading `queue`, delivering into `sink`.
    spooler(scheduler& sched, message_queue& queue, delivery_sink& sink, const spooler_clock& clock,
            std::vector<spooler_transport> transports, spooler_options options = {})
        : sched_{&sched}, queue_{&queue}, sink_{&sink}, clock_{&clock}, options_{options}
    {
        // Profile order, with every STATUS_XP_PREFER_LAST transport moved to the end (rule 50).
        std::stable_partition(transports.begin(), transports.end(), [](const spooler_transport& t) {
            return !t.flags.has(resource_flag::xp_prefer_last);
        });
        xps_.reserve(transports.size());
        for (auto& t : transports) {
            Expects(t.provider != nullptr);
            auto x = std::make_unique<xp>();
            x->config = std::move(t);
            x->support = std::make_unique<spooler_support>(sched, owner());
            xps_.push_back(std::move(x));
        }
    }

    spooler(const spooler&) = delete;
    spooler& operator=(const spooler&) = delete;
    ~spooler() = default;

    /// Starts the spooler: spawns the logon of every transport and their workers. Run the
    /// scheduler (`pump()`) to make progress. Precondition: `current_state() == created`.
    void start()
    {
        Expects(state_ == state::created);
        state_ = state::starting;
        try {
            sched_->spawn(start_body());
        } catch (...) {
            state_ = state::created;  // nothing started: shutdown() must not wait for a start
            throw;
        }
    }

    /// Stops the spooler: cancels messages in progress (they stay queued), ends flushes, turns
    /// traffic off and logs every transport off. Run the scheduler to complete it. A spooler
    /// whose start has not run yet (no pump since `start()`) stops at once: no transport was
    /// logged on, so none is logged on only to be logged off again.
    void shutdown()
    {
        if (state_ == state::stopping || state_ == state::stopped) {
            return;
        }
        if (state_ == state::created || (state_ == state::starting && !start_began_)) {
            // Never started, or started and never run: no transport is logged on, nothing to
            // cancel or log off. A start that was spawned and not run yet returns at once if the
            // scheduler runs it later (start_body).
            state_ = state::stopped;
            return;
        }
        state_ = state::stopping;
        sched_->spawn(shutdown_body());
    }

    /// Wakes every worker (e.g. after the clock moved or messages were queued) and runs the
    /// scheduler until nothing is ready. Returns the number of resumptions. Reporting the
    /// recipients no transport takes looks only at messages that changed since the last pump
    /// (queued, touched by a transport, released from deferral) unless the routing changed
    /// (a transport's state or address types), so a pump costs nothing per queued message.
    std::size_t pump()
    {
        static_cast<void>(run_posted());
        if (state_ == state::running) {
            settle_all();
        }
        wake_all();
        return sched_->run_until_idle();
    }

    /// Wakes every worker: new messages were queued, or the clock moved.
    void wake_all() noexcept
    {
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            wake(i);
        }
    }

    /// The earliest time a queued message becomes due for a retry or a poll is due, if any:
    /// the seam for a reactor's `sleep_for`.
    [[nodiscard]] std::optional<std::chrono::milliseconds> next_due() const
    {
        std::optional<std::chrono::milliseconds> due = queue_due();
        auto consider = [&due](std::chrono::milliseconds t) {
            if (!due || t < *due) {
                due = t;
            }
        };
        for (const auto& x : xps_) {
            if (x->phase == transport_state::running && x->logon_out.has(transport_logon_flag::sp_poll)) {
                consider(x->next_poll);
            }
        }
        if (relist_at_) {
            consider(*relist_at_);
        }
        return due;
    }

    // ---- driving the spooler with a reactor ------------------------------------------------

    /// Why `run_for` returned.
    enum class run_outcome {
        time_up,         ///< The time given has passed.
        stop_requested,  ///< `request_stop()` was called (from any thread).
        stopped,         ///< The spooler is stopped (`shutdown()` has completed).
    };

    /// Gives the transports a reactor: `support.io()` returns it, `run_until_idle()` and
    /// `run_for()` wait on it, and `shutdown()` ends the waits still pending with
    /// `end_of_session`. Build it on this spooler's scheduler and clock. Without one the
    /// spooler runs as before (`pump()`, `support.io()` is null).
    /// \pre `current_state() == created`; `io` outlives the spooler.
    void attach(io_driver& io)
    {
        Expects(state_ == state::created);
        io_ = &io;
        for (auto& x : xps_) {
            x->support->attach_io(&io);
        }
    }

    /// The reactor given to `attach`, or null.
    [[nodiscard]] io_driver* io() const noexcept { return io_; }

    /// Queues `work` to run on the spooler's thread, at its next `pump()`, `run_until_idle()`
    /// or turn of `run_for()`, and wakes a `run_for` blocked in the reactor. The way for another
    /// thread (a client submitting a message, asking for a flush) to reach the spooler, which
    /// is single-threaded. Thread-safe. Throws: `std::bad_alloc`.
    void post(std::function<void(spooler&)> work)
    {
        {
            std::lock_guard lock{posted_mutex_};
            posted_.push_back(std::move(work));
        }
        if (io_ != nullptr) {
            io_->wake();
        }
    }

    /// Makes the current (or next) `run_for` return `run_outcome::stop_requested` after its
    /// current turn. Thread-safe.
    void request_stop() noexcept
    {
        stop_requested_.store(true);
        if (io_ != nullptr) {
            io_->wake();
        }
    }

    /// Runs everything that can run now, without blocking: posted work, the transports
    /// (`pump()`), and the reactor's ready descriptors and due timers, again and again until
    /// none of them has anything left. Then sets the reactor's alarm to `next_due()`, so that
    /// its descriptor becomes readable when the spooler has work again. Returns the number of
    /// coroutine resumptions. Works without a reactor too (posted work and `pump()`).
    /// Throws what `pump()` or posted work throws.
    std::size_t run_until_idle()
    {
        std::size_t resumed = 0;
        for (;;) {
            bool happened = run_posted() > 0;
            resumed += pump();
            if (io_ != nullptr) {
                if (auto r = io_->run_once(std::chrono::milliseconds{0}); r && *r > 0) {
                    happened = true;
                }
            }
            if (!happened) {
                break;
            }
        }
        if (io_ != nullptr) {
            io_->set_alarm(future_due());
        }
        return resumed;
    }

    /// Runs the spooler for `d` of its clock's time: `run_until_idle()`, then blocks in the
    /// reactor until a descriptor event, a timer, `next_due()`, posted work or a stop request,
    /// and again. Returns early on `request_stop()`, or once the spooler is stopped.
    /// Fails with `call_failed` if the reactor's wait fails.
    /// \pre a reactor is attached; the clock moves by itself (not a `manual_clock`).
    result<run_outcome> run_for(std::chrono::milliseconds d)
    {
        Expects(io_ != nullptr);
        const std::chrono::milliseconds start = clock_->now();
        const std::chrono::milliseconds end =
            d >= (std::chrono::milliseconds::max)() - start ? (std::chrono::milliseconds::max)() : start + d;
        for (;;) {
            run_until_idle();
            if (stop_requested_.exchange(false)) {
                return run_outcome::stop_requested;
            }
            if (state_ == state::stopped && !has_posted()) {
                return run_outcome::stopped;
            }
            const std::chrono::milliseconds now = clock_->now();
            if (now >= end) {
                return run_outcome::time_up;
            }
            std::chrono::milliseconds block = end - now;
            if (auto due = future_due(); due && *due - now < block) {
                block = *due - now;
            }
            if (auto r = io_->run_once(block); !r) {
                return r.as_failure();
            }
        }
    }

    /// Cancels a message (the client deleted it from the Outbox, S4/S8). In progress: the
    /// transport's next `spooler_yield` returns `cancel_message` and TransportNotify
    /// (NOTIFY_CANCEL_MESSAGE) is delivered while it runs; the message leaves the queue when
    /// the transport gives up (`user_cancel` or any failure). Deferred: TransportNotify
    /// (ABORT_DEFERRED | CANCEL_MESSAGE) and it leaves the queue. Otherwise it just leaves.
    /// `not_found` if the spooler does not hold it.
    result<void> cancel_message(message_id id)
    {
        refresh();
        auto it = entries_.find(id);
        if (it == entries_.end()) {
            return fail(scode::not_found, "the spooler holds no such message", "mapixx.spooler");
        }
        entry& e = it->second;
        if (e.busy_with != npos) {
            xp& x = *xps_[e.busy_with];
            e.cancelled = true;
            x.support->request_cancel();
            sched_->spawn(notify_cancel(e.busy_with, id));
            if (e.deferred_by != npos && e.deferred_by != e.busy_with) {
                // Another transport holds some recipients deferred (per-recipient deferral).
                transport_notify_data data;
                data.entry = id;
                sched_->spawn(notify_detached(e.deferred_by,
                                              transport_notify::abort_deferred | transport_notify::cancel_message, data));
                e.deferred_by = npos;
            }
            return {};
        }
        if (e.deferred_by != npos) {
            const std::size_t i = e.deferred_by;
            transport_notify_data data;
            data.entry = id;
            sched_->spawn(notify_detached(i, transport_notify::abort_deferred | transport_notify::cancel_message, data));
        }
        finish(id, spooler_event::kind::cancelled, e.deferred_by == npos ? 0 : e.deferred_by, scode::success);
        return {};
    }

    /// The client's IMAPIStatus::FlushQueues on the spooler's status object (rules 63, 64):
    /// flushes every transport in order (`upload`: outbound, `download`: inbound). Synchronous:
    /// completes when done. With `async_ok` the flush is started in the background and the
    /// result is `busy` at once. `unknown_flags` for undefined bits.
    task<result<void>> flush(flush_flags f, std::function<void(const flush_progress&)> progress = {})
    {
        if (f.unknown_bits() != 0) {
            co_return fail(scode::unknown_flags, "FlushQueues: undefined flag bits", "mapixx.spooler");
        }
        if (f.has(flush_flag::async_ok)) {
            sched_->spawn(flush_detached(f.without(flush_flag::async_ok), std::move(progress)));
            co_return fail(scode::busy, "the flush goes on in the background (FLUSH_ASYNC_OK)", "mapixx.spooler");
        }
        co_return co_await flush_all(f, std::move(progress));
    }

    /// ValidateState on transport `i`'s status object: `unknown_flags` for undefined bits
    /// (rule 53), `busy` while it holds a critical section (rule 56), `end_of_session` when it
    /// is not running; else the transport's answer.
    task<result<void>> validate_state(std::size_t i, validate_flags f)
    {
        Expects(i < xps_.size());
        if (f.unknown_bits() != 0) {
            co_return fail(scode::unknown_flags, "ValidateState: undefined flag bits", "mapixx.spooler");
        }
        xp& x = *xps_[i];
        if (x.phase != transport_state::running) {
            co_return fail(scode::end_of_session, "the transport is not running", "mapixx.spooler");
        }
        if (x.support->in_critical_section()) {
            co_return fail(scode::busy, "the transport holds a spooler critical section", "mapixx.spooler");
        }
        co_return co_await x.logon->validate_state(f);
    }

    /// ValidateState on the spooler's status object: `unknown_flags` for undefined bits;
    /// CONFIG_CHANGED makes every running transport's AddressTypes be asked again.
    result<void> validate_state(validate_flags f)
    {
        if (f.unknown_bits() != 0) {
            return fail(scode::unknown_flags, "ValidateState: undefined flag bits", "mapixx.spooler");
        }
        if (f.has(validate_flag::config_changed)) {
            for (std::size_t i = 0; i != xps_.size(); ++i) {
                xps_[i]->config_changed = true;
                wake(i);
            }
        }
        return {};
    }

    /// Turns inbound traffic of transport `i` on or off (TransportNotify BEGIN/END_INBOUND).
    void set_inbound(std::size_t i, bool on)
    {
        Expects(i < xps_.size());
        sched_->spawn(notify_detached(i, on ? transport_notify::begin_inbound : transport_notify::end_inbound, {}));
    }

    /// A support object for a message store served by this spooler (rule 57).
    spooler_support& store_support(bool no_mail)
    {
        stores_.push_back(std::make_unique<spooler_support>(*sched_, owner(), support_role::store, no_mail));
        return *stores_.back();
    }

    /// NOTIFY_NEWMAIL_RECEIVED taken from stores (not from MAPI_NO_MAIL stores).
    [[nodiscard]] std::size_t store_newmail_count() const noexcept { return store_newmail_; }
    /// The lifecycle state.
    [[nodiscard]] state current_state() const noexcept { return state_; }
    /// Number of transports.
    [[nodiscard]] std::size_t transport_count() const noexcept { return xps_.size(); }
    /// Transport `i`'s name, in spooler order.
    [[nodiscard]] const std::string& transport_name(std::size_t i) const { return xps_.at(i)->config.name; }
    /// Transport `i`'s state.
    [[nodiscard]] transport_state transport_status(std::size_t i) const { return xps_.at(i)->phase; }
    /// Transport `i`'s support object (its status row, critical section).
    [[nodiscard]] spooler_support& support(std::size_t i) const { return *xps_.at(i)->support; }
    /// Transport `i`'s AddressTypes answer.
    [[nodiscard]] const address_types_result& address_types(std::size_t i) const { return xps_.at(i)->types; }
    /// Transport `i`'s logon outcome: `success`, the code its TransportLogon failed with, or
    /// `version` when its SPI version was too old (rule 62).
    [[nodiscard]] scode logon_code(std::size_t i) const { return xps_.at(i)->logon_code; }
    /// Transport `i`'s logon output flags.
    [[nodiscard]] transport_logon_flags logon_flags(std::size_t i) const { return xps_.at(i)->logon_out; }
    /// Rule 65: the entry id of the store transport `i` is tightly coupled to
    /// (PR_OWN_STORE_ENTRYID in its status row), if any.
    [[nodiscard]] std::optional<binary> own_store(std::size_t i) const
    {
        const auto& row = xps_.at(i)->support->status_row();
        if (!row) {
            return std::nullopt;
        }
        const binary* b = row->get_binary(pr::own_store_entryid);
        return b != nullptr ? std::optional<binary>(*b) : std::nullopt;
    }
    /// What happened, in order: the most recent `spooler_options::event_log_limit` events at
    /// most (the oldest go first, a quarter of the limit at a time), so that a spooler that
    /// runs for months holds a bounded log.
    [[nodiscard]] const std::vector<spooler_event>& events() const noexcept { return events_; }
    /// Events no longer in `events()` (let go to keep the log within its limit).
    [[nodiscard]] std::uint64_t events_dropped() const noexcept { return events_dropped_; }
    /// "No transport" (`spooler_event::transport` of a queue event).
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    /// How many events of one kind since the spooler was made, including those `events()` no
    /// longer holds.
    [[nodiscard]] std::size_t count(spooler_event::kind k) const noexcept
    {
        const auto i = static_cast<std::size_t>(k);
        return i < event_counts_.size() ? static_cast<std::size_t>(event_counts_[i]) : 0;
    }
    /// True while a message is held deferred by a transport.
    [[nodiscard]] bool is_deferred(message_id id) const
    {
        auto it = entries_.find(id);
        return it != entries_.end() && it->second.deferred_by != npos;
    }

private:

    detail::spooler_support_owner* owner() noexcept { return this; }

    // Runs the work posted from other threads; returns how many items ran.
    std::size_t run_posted()
    {
        std::vector<std::function<void(spooler&)>> batch;
        {
            std::lock_guard lock{posted_mutex_};
            batch.swap(posted_);
        }
        for (std::size_t k = 0; k != batch.size(); ++k) {
            try {
                batch[k](*this);
            } catch (...) {
                // The rest runs at the next turn, before anything posted later.
                std::lock_guard lock{posted_mutex_};
                posted_.insert(posted_.begin(), std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(k) + 1),
                               std::make_move_iterator(batch.end()));
                throw;
            }
        }
        return batch.size();
    }

    // The earliest retry time of an idle queued message that is still ahead. Computed again
    // only after a change to the entries, or once the time found has come: an entry's time that
    // has passed drops out, and before the minimum passes no other one can.
    std::optional<std::chrono::milliseconds> queue_due() const
    {
        const std::chrono::milliseconds now = clock_->now();
        if (due_seen_ == changes_ && due_cached_ok_ && (!due_cached_ || *due_cached_ > now)) {
            return due_cached_;
        }
        // Only entries given a retry time (`retry_at`) can have one ahead, so only they are
        // looked at; those whose time has passed, or that are gone, leave the list.
        std::optional<std::chrono::milliseconds> due;
        for (auto w = timed_.begin(); w != timed_.end();) {
            auto it = entries_.find(*w);
            if (it == entries_.end() || it->second.not_before <= now) {
                w = timed_.erase(w);
                continue;
            }
            const entry& e = it->second;
            if (e.busy_with == npos && e.deferred_by == npos && (!due || e.not_before < *due)) {
                due = e.not_before;
            }
            ++w;
        }
        due_cached_ = due;
        due_cached_ok_ = true;
        due_seen_ = changes_;
        return due;
    }

    // Entry `id` changed (queued, released by a transport, out of deferral): its recipients are
    // looked at again by the next settle, and the due time is computed again.
    void touched(message_id id)
    {
        ++changes_;
        auto it = entries_.find(id);
        if (it != entries_.end() && !it->second.unsettled) {
            it->second.unsettled = true;
            unsettled_.push_back(id);
        }
    }

    // A transport's state or address types changed: every idle message is settled again.
    void routing_changed() noexcept
    {
        ++changes_;
        settle_every_ = true;
    }

    bool has_posted()
    {
        std::lock_guard lock{posted_mutex_};
        return !posted_.empty();
    }

    // next_due(), if it is still ahead: a due time already passed is one the spooler could not
    // act on (inbound off, a critical section), not a reason to wake at once.
    std::optional<std::chrono::milliseconds> future_due() const
    {
        auto due = next_due();
        if (due && *due <= clock_->now()) {
            due.reset();
        }
        return due;
    }

    void cancel_io()
    {
        if (io_ != nullptr) {
            static_cast<void>(io_->cancel_all(scode::end_of_session));
        }
    }

    struct xp {
        spooler_transport config;
        std::unique_ptr<spooler_support> support;
        std::unique_ptr<xp_logon> logon;
        transport_logon_flags logon_out;
        address_types_result types;
        transport_state phase = transport_state::not_logged_on;
        bool inbound_on = false;
        bool outbound_on = false;
        bool worker_running = false;
        bool wake_pending = false;
        std::coroutine_handle<> waiting{};
        bool flushing = false;
        bool flush_interrupted = false;
        std::uint64_t flush_row_seen = ~std::uint64_t{0};
        bool idle_done = false;
        bool newmail = false;
        bool config_changed = false;
        std::chrono::milliseconds next_poll{0};
        scode logon_code = scode::success;
        std::optional<message_id> current;
        submit_context* ctx = nullptr;
    };

    // What the spooler keeps of a pending message: its id, its recipient rows (routing and
    // PR_RESPONSIBILITY) and its subject (for a non-delivery report), nothing else: no body, no
    // attachment bytes, however many messages wait. A working copy reads the properties and the
    // attachment rows from the queue afresh (`working_copy`).
    struct entry {
        outbound_message msg;  // props: the summary only (`summary_of`)
        std::size_t busy_with = npos;
        std::size_t deferred_by = npos;
        bool resubmit_deferred = false;
        std::size_t deferred_for = npos;  // who gets BEGIN_DEFERRED at the resubmission
        bool cancelled = false;
        bool unsettled = false;  // listed in unsettled_
        std::size_t attempts = 0;
        std::chrono::milliseconds not_before{0};
        std::vector<std::vector<std::size_t>> declined;  // per recipient: transports that said not_me
    };

    // Entry `id` may not be offered before `when`: what `queue_due` looks for.
    void retry_at(message_id id, entry& e, std::chrono::milliseconds when)
    {
        e.not_before = when;
        timed_.insert(id);
    }

    struct wake_awaiter {
        xp* x;
        [[nodiscard]] bool await_ready() const noexcept { return std::exchange(x->wake_pending, false); }
        void await_suspend(std::coroutine_handle<> h) noexcept { x->waiting = h; }
        void await_resume() const noexcept {}
    };

    // ---- notifications from supports ------------------------------------------------------

    void support_changed(spooler_support& s) noexcept override
    {
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            if (xps_[i]->support.get() == &s) {
                wake(i);
                return;
            }
        }
        // A store: NEWMAIL_RECEIVED is counted, READYTOSEND wakes every transport.
        auto n = s.take_notifications();
        if (n.flags.has(spooler_notify::newmail_received)) {
            ++store_newmail_;
        }
        if (n.flags.has(spooler_notify::readytosend)) {
            wake_all();
        }
    }

    void wake(std::size_t i) noexcept
    {
        xp& x = *xps_[i];
        if (x.waiting) {
            std::coroutine_handle<> h = std::exchange(x.waiting, nullptr);
            try {
                sched_->post(h);
            } catch (...) {
                x.waiting = h;  // out of memory: the next wake retries
            }
        } else {
            x.wake_pending = true;
        }
    }

    void record(spooler_event::kind k, std::optional<message_id> id, std::size_t i, scode code)
    {
        const std::size_t limit = std::max<std::size_t>(options_.event_log_limit, 1);
        if (events_.size() >= limit) {
            // Let the oldest quarter go at once: amortised, each event is moved a few times.
            const std::size_t drop = std::min(events_.size(), std::max<std::size_t>(limit / 4, 1) + (events_.size() - limit));
            events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(drop));
            events_dropped_ += drop;
        }
        events_.push_back(spooler_event{k, id, i, code});
        const auto n = static_cast<std::size_t>(k);
        if (n < event_counts_.size()) {
            ++event_counts_[n];
        }
    }

    // Takes a transport's notifications: the bookkeeping part of SpoolerNotify.
    void drain(std::size_t i)
    {
        xp& x = *xps_[i];
        auto n = x.support->take_notifications();
        if (x.support->critical_error() && x.phase == transport_state::running) {
            x.phase = transport_state::dead;
            routing_changed();
            record(spooler_event::kind::critical_error, std::nullopt, i, scode::success);
        }
        if (n.flags.has(spooler_notify::newmail) && x.inbound_on) {
            x.newmail = true;  // rule 58: only between BEGIN_INBOUND and END_INBOUND
        }
        if (n.flags.has(spooler_notify::config_change)) {
            x.config_changed = true;
        }
        if (n.flags.has(spooler_notify::sentdeferred)) {
            for (auto& [id, e] : entries_) {
                const bool named = std::find(n.deferred.begin(), n.deferred.end(), id) != n.deferred.end();
                if (e.deferred_by == i && (n.all_deferred || named)) {
                    e.deferred_by = npos;
                    e.resubmit_deferred = true;
                    e.not_before = std::chrono::milliseconds{0};
                    ++changes_;
                    if (!e.unsettled) {
                        e.unsettled = true;
                        unsettled_.push_back(id);
                    }
                }
            }
        }
    }

    // ---- the queue ------------------------------------------------------------------------

    void refresh()
    {
        const bool retry_due = relist_at_ && *relist_at_ <= clock_->now();
        if (queue_->generation() == seen_generation_ && seen_once_ && !retry_due) {
            return;
        }
        seen_once_ = true;
        seen_generation_ = queue_->generation();
        relist_at_.reset();
        ++changes_;
        auto listed = queue_->read_pending();
        if (!listed) {
            // The queue cannot be listed now: every message known stays, none is taken for
            // deleted, and the queue is listed again after queue_retry.
            relist_later(listed.code());
            return;
        }
        std::vector<message_id>& ids = *listed;
        std::sort(ids.begin(), ids.end());
        bool unread = false;
        for (message_id id : ids) {
            if (entries_.count(id) == 0) {
                if (auto m = queue_->load_summary(id)) {
                    entry e;
                    e.declined.resize(m->recipients.size());
                    e.msg.id = id;
                    e.msg.props = is_summary(m->props) ? std::move(m->props) : summary_of(m->props);
                    e.msg.recipients = std::move(m->recipients);
                    e.unsettled = true;
                    entries_.emplace(id, std::move(e));
                    unsettled_.push_back(id);
                } else {
                    unread = true;  // listed, then not read: deleted meanwhile, or unreadable now
                }
            }
        }
        if (unread) {
            relist_later(scode::call_failed);
        }
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->second.busy_with == npos && !std::binary_search(ids.begin(), ids.end(), it->first)) {
                it = entries_.erase(it);  // deleted by the client
            } else {
                ++it;
            }
        }
    }

    // The queue is listed again after queue_retry, whatever its generation (`refresh`), and
    // `next_due()` says when; `code` says why, in a `queue_unreadable` event.
    void relist_later(scode code)
    {
        relist_at_ = clock_->now() + options_.queue_retry;
        record(spooler_event::kind::queue_unreadable, std::nullopt, npos, code);
    }

    static bool recipient_done(const property_bag& r) { return r.get_bool(pr::responsibility).value_or(false); }

    // The properties an entry keeps: those its non-delivery reports quote (PR_SUBJECT).
    static property_bag summary_of(const property_bag& props)
    {
        property_bag summary;
        if (const prop_value* subject = props.find(pr::subject)) {
            static_cast<void>(summary.set(*subject));
        }
        return summary;
    }

    // True if `props` holds nothing but PR_SUBJECT (what `load_summary` should give).
    static bool is_summary(const property_bag& props)
    {
        return props.size() == 0 || (props.size() == 1 && props.find(pr::subject) != nullptr);
    }

    // Writes the recipient rows of `e` back to the queue (PR_RESPONSIBILITY set by the spooler);
    // the queued properties and attachment rows stay as they are.
    void save_recipients(const entry& e)
    {
        static_cast<void>(queue_->update_recipients(e.msg.id, e.msg.recipients));
    }

    static bool iequal(std::string_view a, std::string_view b)
    {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char p, char q) {
                   auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
                   return low(p) == low(q);
               });
    }

    // Offers `take` the transports that may take recipient `r`, best first (MAPI-REFERENCE
    // 7.3): UID matches in transport order, then address-type matches, then "any" transports.
    // A transport may be offered more than once. Stops at the first `take` that returns true,
    // and returns whether one did. Allocates nothing (`route` runs per recipient per pass).
    template <class Take>
    bool first_candidate(const property_bag& r, Take take) const
    {
        std::optional<uid> ruid;
        if (const binary* eid = r.get_binary(pr::entryid); eid != nullptr && eid->size() >= 20) {
            uid u;
            std::copy(eid->begin() + 4, eid->begin() + 20, u.bytes.begin());
            ruid = u;
        }
        const std::string_view type = r.get_string(pr::addrtype).value_or(std::string_view{});
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            const xp& x = *xps_[i];
            if (!eligible_for_routing(x) || x.types.none || !ruid) {
                continue;
            }
            if (std::find(x.types.uids.begin(), x.types.uids.end(), *ruid) != x.types.uids.end() && take(i)) {
                return true;
            }
        }
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            const xp& x = *xps_[i];
            if (!eligible_for_routing(x) || x.types.none || x.types.any) {
                continue;
            }
            const bool typed = std::any_of(x.types.types.begin(), x.types.types.end(),
                                           [type](const std::string& t) { return !t.empty() && iequal(t, type); });
            if (typed && take(i)) {
                return true;
            }
        }
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            if (eligible_for_routing(*xps_[i]) && xps_[i]->types.any && take(i)) {
                return true;
            }
        }
        return false;
    }

    // Dead transports keep their recipients (the message waits, it is not reported lost).
    static bool eligible_for_routing(const xp& x)
    {
        return x.phase == transport_state::running || x.phase == transport_state::dead;
    }

    // The transport recipient `k` of `e` is routed to now, or npos (no transport left: NDR).
    std::size_t route(const entry& e, std::size_t k) const
    {
        const auto& declined = e.declined[k];
        std::size_t to = npos;
        static_cast<void>(first_candidate(e.msg.recipients[k], [&](std::size_t i) {
            if (std::find(declined.begin(), declined.end(), i) != declined.end()) {
                return false;
            }
            to = i;
            return true;
        }));
        return to;
    }

    // Reports the recipients no transport takes; finishes the message if nothing is left.
    // Returns false if the message left the queue.
    bool settle_unroutable(message_id id, entry& e)
    {
        std::vector<property_bag> failed;
        for (std::size_t k = 0; k != e.msg.recipients.size(); ++k) {
            if (!recipient_done(e.msg.recipients[k]) && route(e, k) == npos) {
                failed.push_back(e.msg.recipients[k]);
                static_cast<void>(e.msg.recipients[k].set(pr::responsibility, true));
            }
        }
        if (!failed.empty() || e.msg.recipients.empty()) {
            send_ndr(e.msg, std::move(failed), npos);
            save_recipients(e);
        }
        return !check_complete(id, e, npos, scode::success);
    }

    void send_ndr(const outbound_message& m, std::vector<property_bag> recipients, std::size_t i)
    {
        delivery d;
        d.what = delivery::kind::non_delivery_report;
        d.original = m.id;
        static_cast<void>(d.message.props.set(pr::message_class, "REPORT.IPM.Note.NDR"));
        const std::string subject{m.props.get_string(pr::subject).value_or(std::string_view{})};
        static_cast<void>(d.message.props.set(pr::subject, "Undeliverable: " + subject));
        d.message.recipients = std::move(recipients);
        d.message.saved = true;
        if (std::any_of(d.message.recipients.begin(), d.message.recipients.end(),
                        [](const property_bag& r) { return r.contains(pr::report_text); })) {
            // A readable summary: one line per recipient with the transport's reason.
            std::string body = "Your message could not be delivered to these recipients:\r\n";
            for (const property_bag& r : d.message.recipients) {
                body += "  " + std::string(r.get_string(pr::email_address).value_or(std::string_view{})) + ": " +
                        std::string(r.get_string(pr::report_text).value_or("no reason given")) + "\r\n";
            }
            static_cast<void>(d.message.props.set(pr::body, std::move(body)));
        }
        // A report the sender's store refuses is the sink's to keep (store_inbox_sink does).
        static_cast<void>(sink_->deliver(std::move(d)));
        record(spooler_event::kind::ndr, m.id, i == npos ? 0 : i, scode::success);
    }

    // True (and the message finished) if every recipient is done.
    bool check_complete(message_id id, entry& e, std::size_t i, scode code)
    {
        const bool all = std::all_of(e.msg.recipients.begin(), e.msg.recipients.end(),
                                     [](const property_bag& r) { return recipient_done(r); });
        if (all) {
            finish(id, spooler_event::kind::sent, i == npos ? 0 : i, code);
        }
        return all;
    }

    void finish(message_id id, spooler_event::kind k, std::size_t i, scode code)
    {
        ++changes_;
        static_cast<void>(queue_->remove(id));
        entries_.erase(id);
        record(k, id, i, code);
    }

    // Reports recipients no transport takes, for every idle message (also when no worker runs).
    // Only the messages that changed since the last settle are looked at, in queue order, unless
    // the routing changed. A message skipped because it is busy or deferred is listed again when
    // it is released (`touched`), so none is missed.
    void settle_all()
    {
        refresh();
        if (settle_every_) {
            settle_every_ = false;
            for (message_id id : unsettled_) {
                if (auto it = entries_.find(id); it != entries_.end()) {
                    it->second.unsettled = false;
                }
            }
            unsettled_.clear();
            for (auto it = entries_.begin(); it != entries_.end();) {
                const message_id id = it->first;
                entry& e = it->second;
                ++it;
                if (e.busy_with == npos && e.deferred_by == npos) {
                    static_cast<void>(settle_unroutable(id, e));
                }
            }
            return;
        }
        if (unsettled_.empty()) {
            return;
        }
        settling_.swap(unsettled_);
        std::sort(settling_.begin(), settling_.end());
        for (message_id id : settling_) {
            auto it = entries_.find(id);
            if (it == entries_.end()) {
                continue;
            }
            entry& e = it->second;
            e.unsettled = false;
            if (e.busy_with == npos && e.deferred_by == npos) {
                static_cast<void>(settle_unroutable(id, e));
            }
        }
        settling_.clear();
    }

    // The first queued message with a recipient routed to transport `i` that may go now.
    std::optional<message_id> pick(std::size_t i, bool ignore_delay, const std::vector<message_id>* skip = nullptr)
    {
        refresh();
        const auto now = clock_->now();
        for (auto it = entries_.begin(); it != entries_.end();) {
            const message_id id = it->first;
            entry& e = it->second;
            ++it;  // settle_unroutable may erase `e`
            // A message deferred by transport j waits for j only: its other recipients go on.
            if (e.busy_with != npos || e.deferred_by == i || (!ignore_delay && e.not_before > now)) {
                continue;
            }
            if (skip != nullptr && std::find(skip->begin(), skip->end(), id) != skip->end()) {
                continue;
            }
            if (!settle_unroutable(id, e)) {
                continue;
            }
            for (std::size_t k = 0; k != e.msg.recipients.size(); ++k) {
                if (!recipient_done(e.msg.recipients[k]) && route(e, k) == i) {
                    return id;
                }
            }
        }
        return std::nullopt;
    }

    // ---- transport calls ------------------------------------------------------------------

    // TransportNotify with the checks: no call to a dead or logged-off transport; the flags
    // must come back unchanged.
    task<void> notify(std::size_t i, transport_notify_flags f, transport_notify_data data)
    {
        xp& x = *xps_[i];
        if (x.phase != transport_state::running) {
            co_return;
        }
        if (f.has(transport_notify::begin_inbound)) {
            x.inbound_on = true;
        }
        if (f.has(transport_notify::end_inbound)) {
            x.inbound_on = false;
            x.newmail = false;
        }
        if (f.has(transport_notify::begin_outbound)) {
            x.outbound_on = true;
        }
        if (f.has(transport_notify::end_outbound)) {
            x.outbound_on = false;
        }
        transport_notify_flags copy = f;
        bool threw = false;
        try {
            static_cast<void>(co_await x.logon->transport_notify(copy, data));
        } catch (...) {
            threw = true;
        }
        if (threw || copy != f) {
            record(spooler_event::kind::protocol_violation, std::nullopt, i, scode::success);
        }
        wake(i);
    }

    task<void> notify_detached(std::size_t i, transport_notify_flags f, transport_notify_data data)
    {
        co_await notify(i, f, data);
    }

    task<void> notify_cancel(std::size_t i, message_id id)
    {
        xp& x = *xps_[i];
        if (x.current != id || x.ctx == nullptr) {
            co_return;
        }
        transport_notify_data data;
        data.message_ref = x.ctx->message_ref;
        co_await notify(i, transport_notify::cancel_message, data);
    }

    // A failed attempt: requeue, or quarantine after max_attempts (S10). `what` says what went
    // wrong in the attempt for transport `i`: the transport's failure, or the queue's when the
    // message's attachment rows could not be read for its working copy.
    void attempt_failed(message_id id, entry& e, std::size_t i, scode code, const std::string& what)
    {
        ++changes_;
        ++e.attempts;
        if (e.attempts >= options_.max_attempts) {
            error_info info;
            info.component = "mapixx.spooler";
            info.message = "submitting this message failed " + std::to_string(e.attempts) +
                           " times; set aside (last, for transport " + xps_[i]->config.name + ": " + what + ")";
            info.low_level = static_cast<std::uint32_t>(code);
            if (auto set_aside = queue_->quarantine(id, info); !set_aside) {
                // The queue could not set it aside: the message stays, offered again after
                // queue_retry; if that attempt fails too, the quarantine is tried again.
                retry_at(id, e, clock_->now() + options_.queue_retry);
                record(spooler_event::kind::requeued, id, i, set_aside.code());
                return;
            }
            entries_.erase(id);
            record(spooler_event::kind::quarantined, id, i, code);
            return;
        }
        retry_at(id, e, clock_->now() + options_.failure_retry);
        record(spooler_event::kind::requeued, id, i, code);
    }

    // The working copy of `e` for one submission attempt: the properties and attachment rows
    // read from the queue now (they live as long as the copy) and the spooler's recipient rows.
    // Fails as the queue's `read_attachments` does (`not_found`: the queue no longer has the
    // message); a message whose attachment rows could be read but whose properties then could
    // not is a failure to read (`call_failed`), not a deletion.
    result<void> working_copy(message_id id, const entry& e, outbound_message& copy) const
    {
        auto attachments = queue_->read_attachments(id);
        if (!attachments) {
            return std::move(attachments).as_failure();
        }
        auto queued = queue_->load_without_attachments(id);
        if (!queued) {
            return fail(scode::call_failed, "the outbound queue could not read its properties", "mapixx.spooler");
        }
        copy.id = e.msg.id;
        copy.props = std::move(queued->props);
        copy.recipients = e.msg.recipients;
        copy.attachments = std::move(*attachments);
        return {};
    }

    // One SubmitMessage (+ EndMessage) of message `id` by transport `i`.
    task<void> submit_one(std::size_t i, message_id id)
    {
        xp& x = *xps_[i];
        entry& e0 = entries_.at(id);
        submit_context ctx;
        // Every attachment row, read for this attempt only; only saved properties come back (below).
        if (auto copied = working_copy(id, e0, ctx.message); !copied) {
            if (copied.code() == scode::not_found) {
                // Gone from the queue since `refresh`: the client deleted it (as `refresh` handles it).
                ++changes_;
                entries_.erase(id);
            } else {
                // Still queued, but its attachments could not be read now: a failed attempt, as
                // when a transport fails (offered again after failure_retry, quarantined after
                // max_attempts), never a message forgotten while it waits in the queue.
                attempt_failed(id, e0, i, copied.code(), "its working copy could not be made: " + copied.info().message);
            }
            co_return;
        }
        e0.busy_with = i;
        ++changes_;
        // The transport's picture: only its own recipients have PR_RESPONSIBILITY = FALSE.
        std::vector<std::size_t> mine;
        if (e0.resubmit_deferred && (e0.deferred_for == i || e0.deferred_for == npos)) {
            ctx.deferred = true;  // BEGIN_DEFERRED, for the transport that deferred it
            e0.resubmit_deferred = false;
        }
        for (std::size_t k = 0; k != e0.msg.recipients.size(); ++k) {
            if (!recipient_done(e0.msg.recipients[k]) && route(e0, k) == i) {
                mine.push_back(k);
            } else {
                static_cast<void>(ctx.message.recipients[k].set(pr::responsibility, true));
            }
        }
        x.current = id;
        x.ctx = &ctx;
        x.support->clear_cancel();

        submit_result r;
        std::optional<end_message_flags> ended;
        scode end_code = scode::success;
        std::string what;
        bool threw = false;
        try {
            r = co_await x.logon->submit_message(ctx);
            if (r.code == scode::success && x.phase == transport_state::running && !x.support->critical_error()) {
                auto er = co_await x.logon->end_message(ctx.message_ref);
                if (er) {
                    ended = *er;
                } else {
                    end_code = er.code();
                }
            }
        } catch (const std::exception& ex) {
            threw = true;
            what = ex.what();
        } catch (...) {
            threw = true;
            what = "an exception of unknown type";
        }
        x.current.reset();
        x.ctx = nullptr;
        drain(i);

        auto it = entries_.find(id);
        if (it == entries_.end()) {
            co_return;  // cannot happen: a busy entry is never erased by others
        }
        entry& e = it->second;
        e.busy_with = npos;
        touched(id);
        if (ctx.saved) {
            // The saved properties go back whole, into the message as the queue holds it (so a
            // queue that gives its attachment rows with the properties gets them back as they
            // are); the entry keeps its summary of them. A message the queue cannot read now
            // keeps its queued properties.
            e.msg.props = summary_of(ctx.message.props);
            if (auto queued = queue_->load_without_attachments(id)) {
                queued->props = std::move(ctx.message.props);
                queued->recipients = e.msg.recipients;
                static_cast<void>(queue_->update(*queued));
            }
        }
        const auto now = clock_->now();
        if (x.phase == transport_state::dead) {
            // Rule 56: no more calls to it; the message waits (nothing lost).
            if (e.cancelled) {
                finish(id, spooler_event::kind::cancelled, i, scode::user_cancel);
            } else {
                record(spooler_event::kind::requeued, id, i, scode::call_failed);
            }
            co_return;
        }
        if (threw) {
            if (e.cancelled) {
                finish(id, spooler_event::kind::cancelled, i, scode::user_cancel);
            } else if (stopping_) {
                record(spooler_event::kind::requeued, id, i, scode::call_failed);
            } else {
                attempt_failed(id, e, i, scode::call_failed, what);
            }
            co_return;
        }
        if (r.code == scode::success && !ended) {
            // EndMessage failed.
            if (e.cancelled) {
                finish(id, spooler_event::kind::cancelled, i, end_code);
            } else {
                attempt_failed(id, e, i, end_code, "EndMessage failed");
            }
            co_return;
        }
        if (ended) {
            const end_message_flags ef = *ended;
            if (ef.empty() || ef.has(end_message_flag::dont_resend)) {
                report_marked(e, ctx, mine, i);
            }
            if (ef.empty()) {
                for (std::size_t k : mine) {
                    static_cast<void>(e.msg.recipients[k].set(pr::responsibility, true));
                }
                save_recipients(e);
                if (!check_complete(id, e, i, scode::success)) {
                    record(spooler_event::kind::partly_sent, id, i, scode::success);
                }
            } else if (ef.has(end_message_flag::dont_resend)) {
                // Per-recipient deferral (S5 PEER): the recipients the transport marked
                // PR_RESPONSIBILITY = TRUE in its copy are handled; the rest of its own wait
                // for SENTDEFERRED. Marking none defers them all (WINDS).
                bool handled_some = false;
                bool left_some = false;
                for (std::size_t k : mine) {
                    if (ctx.is_undeliverable(k)) {
                        continue;  // reported above
                    }
                    if (recipient_done(ctx.message.recipients[k])) {
                        static_cast<void>(e.msg.recipients[k].set(pr::responsibility, true));
                        handled_some = true;
                    } else {
                        left_some = true;
                    }
                }
                if (handled_some) {
                    save_recipients(e);
                }
                if (!left_some) {
                    static_cast<void>(check_complete(id, e, i, scode::success));
                    co_return;
                }
                if (handled_some) {
                    record(spooler_event::kind::partly_sent, id, i, scode::success);
                }
                e.deferred_by = i;
                e.deferred_for = i;
                record(spooler_event::kind::deferred, id, i, scode::success);
                wake_all();  // the message's other recipients may go to other transports now
            } else if (ef.has(end_message_flag::resend_later)) {
                retry_at(id, e, now + options_.resend_later_delay);
                record(spooler_event::kind::requeued, id, i, scode::success);
            } else {
                e.not_before = now;  // resend_now
                record(spooler_event::kind::requeued, id, i, scode::success);
            }
            co_return;
        }
        if (e.cancelled || stopping_) {
            if (e.cancelled) {
                finish(id, spooler_event::kind::cancelled, i, r.code);
            } else {
                record(spooler_event::kind::requeued, id, i, r.code);
            }
            co_return;
        }
        switch (r.code) {
        case scode::busy:  // rule 60: no EndMessage
            retry_at(id, e, now + options_.busy_retry);
            record(spooler_event::kind::requeued, id, i, r.code);
            break;
        case scode::not_me:  // rule 60: no EndMessage; the next transport gets it
            for (std::size_t k : mine) {
                e.declined[k].push_back(i);
            }
            record(spooler_event::kind::not_me, id, i, r.code);
            wake_all();
            break;
        case scode::network_error:
        case scode::wait:
            retry_at(id, e, now + std::chrono::milliseconds{std::int64_t{r.retry_seconds} * 1000});
            record(spooler_event::kind::requeued, id, i, r.code);
            break;
        case scode::cancel: {  // do not resend: the sender gets an NDR for these recipients
            std::vector<property_bag> failed;
            for (std::size_t k : mine) {
                failed.push_back(e.msg.recipients[k]);
                // The transport's reason for this recipient, if it gave one.
                if (auto why = ctx.message.recipients[k].get_string(pr::report_text); why && !why->empty()) {
                    static_cast<void>(failed.back().set(pr::report_text, std::string(*why)));
                }
                static_cast<void>(e.msg.recipients[k].set(pr::responsibility, true));
            }
            send_ndr(e.msg, std::move(failed), i);
            save_recipients(e);
            static_cast<void>(check_complete(id, e, i, r.code));
            break;
        }
        default:
            attempt_failed(id, e, i, r.code, "SubmitMessage returned an error");
            break;
        }
    }

    // After a sent or END_DONT_RESEND: the transport's own recipients it marked undeliverable
    // (`submit_context::mark_undeliverable`) go into one non-delivery report, with their reasons,
    // and are done. Marks on rows that were not the transport's are ignored.
    void report_marked(entry& e, const submit_context& ctx, const std::vector<std::size_t>& mine, std::size_t i)
    {
        std::vector<property_bag> failed;
        for (std::size_t k : ctx.undeliverable) {
            if (k >= e.msg.recipients.size() || std::find(mine.begin(), mine.end(), k) == mine.end() ||
                recipient_done(e.msg.recipients[k])) {
                continue;
            }
            failed.push_back(e.msg.recipients[k]);
            if (auto why = ctx.message.recipients[k].get_string(pr::report_text); why && !why->empty()) {
                static_cast<void>(failed.back().set(pr::report_text, std::string(*why)));
            }
            static_cast<void>(e.msg.recipients[k].set(pr::responsibility, true));
        }
        if (!failed.empty()) {
            send_ndr(e.msg, std::move(failed), i);
            save_recipients(e);
        }
    }

    // One StartMessage; true if a message was delivered.
    task<bool> receive_one(std::size_t i)
    {
        xp& x = *xps_[i];
        inbound_message m;
        bool ok = false;
        try {
            auto r = co_await x.logon->start_message(m);
            ok = r.has_value();
        } catch (...) {
            ok = false;
        }
        drain(i);
        if (!ok || !m.saved) {
            co_return false;  // an error loses the message (7.3); unsaved: nothing waiting
        }
        const std::uint32_t ref = m.message_ref;
        delivery d;
        d.what = delivery::kind::mail;
        d.transport = i;
        d.message = std::move(m);
        result<void> stored = fail(scode::call_failed, "the delivery sink threw", "mapixx.spooler");
        try {
            stored = sink_->deliver(std::move(d));
        } catch (...) {
        }
        const bool delivered = stored.has_value();
        const scode code = delivered ? scode::success : stored.code();
        // The transport keeps its copy of a message the store did not take (nothing lost).
        try {
            co_await x.logon->inbound_outcome(ref, std::move(stored));
        } catch (...) {
        }
        drain(i);
        if (!delivered) {
            // Not delivered: stop receiving for now; the transport offers it again later.
            record(spooler_event::kind::not_delivered, std::nullopt, i, code);
            co_return false;
        }
        record(spooler_event::kind::received, std::nullopt, i, scode::success);
        co_return true;
    }

    // The flush protocol of 7.5 for transport `i`, driven while its flush bits are set.
    task<void> drive_flush(std::size_t i, const std::function<void(const flush_progress&)>* progress)
    {
        xp& x = *xps_[i];
        auto report = [&](flush_queue q, std::size_t done, std::size_t total) {
            if (progress != nullptr && *progress) {
                (*progress)(flush_progress{i, q, done, total});
            }
        };
        if (x.support->status().has(status_code::outbound_flush) && x.phase == transport_state::running) {
            std::vector<message_id> tried;
            std::size_t total = 0;
            refresh();
            for (auto& [id, e] : entries_) {
                for (std::size_t k = 0; k != e.msg.recipients.size(); ++k) {
                    if (e.busy_with == npos && e.deferred_by != i && !recipient_done(e.msg.recipients[k]) &&
                        route(e, k) == i) {
                        ++total;
                        break;
                    }
                }
            }
            std::size_t done = 0;
            report(flush_queue::outbound, done, total);
            bool emptied = false;
            while (x.support->status().has(status_code::outbound_flush) && x.phase == transport_state::running) {
                if (stopping_) {
                    x.flush_interrupted = true;
                    co_return;
                }
                auto id = pick(i, true, &tried);
                if (!id) {
                    emptied = true;
                    break;
                }
                tried.push_back(*id);
                co_await submit_one(i, *id);
                ++done;
                report(flush_queue::outbound, done, std::max(total, done));
            }
            if (emptied) {
                co_await notify(i, transport_notify::end_outbound_flush, {});
            }
        }
        if (x.support->status().has(status_code::inbound_flush) && x.phase == transport_state::running) {
            std::size_t done = 0;
            report(flush_queue::inbound, done, 0);
            bool emptied = false;
            while (x.support->status().has(status_code::inbound_flush) && x.phase == transport_state::running) {
                if (stopping_) {
                    x.flush_interrupted = true;
                    co_return;
                }
                const bool got = co_await receive_one(i);
                if (!got) {
                    emptied = true;
                    break;
                }
                ++done;
                report(flush_queue::inbound, done, 0);
            }
            if (emptied) {
                co_await notify(i, transport_notify::end_inbound_flush, {});
            }
        }
    }

    task<result<void>> flush_all(flush_flags f, std::function<void(const flush_progress&)> progress)
    {
        ++flushes_running_;
        for (std::size_t i = 0; i != xps_.size() && !stopping_; ++i) {
            xp& x = *xps_[i];
            if (x.phase != transport_state::running) {
                continue;
            }
            // Wait until the worker is between two operations, then take the transport over.
            while (x.current && !stopping_) {
                co_await sched_->yield();
            }
            x.flushing = true;
            bool ok = false;
            try {
                ok = (co_await x.logon->flush_queues(f)).has_value();
            } catch (...) {
                ok = false;
            }
            drain(i);
            if (ok) {
                co_await drive_flush(i, &progress);
            }
            x.flushing = false;
            x.flush_row_seen = x.support->row_version();
            wake(i);
        }
        --flushes_running_;
        co_return result<void>{};
    }

    task<void> flush_detached(flush_flags f, std::function<void(const flush_progress&)> progress)
    {
        static_cast<void>(co_await flush_all(f, std::move(progress)));
    }

    // ---- lifecycle ------------------------------------------------------------------------

    task<void> start_body()
    {
        if (state_ == state::stopped) {
            start_done_ = true;  // shut down before this start ran: nothing to log on
            co_return;
        }
        start_began_ = true;
        // Logon with NO_INBOUND | NO_OUTBOUND, then AddressTypes at once (rule 59).
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            xp& x = *xps_[i];
            if (x.config.provider->spi_version() < options_.min_spi_version) {
                // Rule 62: too old an SPI: released unused, as if XPProviderInit said MAPI_E_VERSION.
                x.logon_code = scode::version;
                record(spooler_event::kind::logon_failed, std::nullopt, i, scode::version);
                continue;
            }
            result<xp_logon_result> r = fail(scode::call_failed);
            try {
                r = co_await x.config.provider->transport_logon(
                    *x.support, transport_logon_flag::no_inbound | transport_logon_flag::no_outbound);
            } catch (...) {
                r = fail(scode::call_failed, "TransportLogon threw", "mapixx.spooler");
            }
            if (!r || !r->logon) {
                x.logon_code = r ? scode::call_failed : r.code();
                record(spooler_event::kind::logon_failed, std::nullopt, i, x.logon_code);
                continue;
            }
            x.logon = std::move(r->logon);
            x.logon_out = r->flags;
            x.phase = transport_state::running;
            try {
                x.types = co_await x.logon->address_types();
            } catch (...) {
                x.types = address_types_result::no_type();
            }
            routing_changed();
        }
        // Then traffic on, then the workers.
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            if (xps_[i]->phase == transport_state::running && !stopping_) {
                co_await notify(i, transport_notify::begin_inbound | transport_notify::begin_outbound, {});
            }
        }
        if (state_ == state::starting) {
            state_ = state::running;
        }
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            if (xps_[i]->phase == transport_state::running && !stopping_) {
                xps_[i]->worker_running = true;
                sched_->spawn(worker(i));
            }
        }
        start_done_ = true;
    }

    task<void> worker(std::size_t i)
    {
        xp& x = *xps_[i];
        for (;;) {
            drain(i);
            if (stopping_ || x.phase != transport_state::running) {
                break;
            }
            if (x.config_changed) {
                x.config_changed = false;
                try {
                    x.types = co_await x.logon->address_types();
                } catch (...) {
                    x.types = address_types_result::no_type();
                }
                routing_changed();
                continue;
            }
            if (x.flushing) {
                co_await wake_awaiter{&x};
                continue;
            }
            // A flush the transport started itself by setting its flush bits.
            // Driven once per change of the row: bits left set after the drive wait for the
            // transport to touch its row again.
            if (x.support->row_version() != x.flush_row_seen &&
                x.support->status().any_of(status_code::outbound_flush | status_code::inbound_flush)) {
                x.flushing = true;
                co_await drive_flush(i, nullptr);
                x.flushing = false;
                x.flush_row_seen = x.support->row_version();
                continue;
            }
            bool worked = false;
            if (x.outbound_on) {
                if (auto id = pick(i, false)) {
                    co_await submit_one(i, *id);
                    worked = true;
                }
            }
            const bool critsec = x.support->in_critical_section();
            if (!worked && x.inbound_on && x.phase == transport_state::running) {
                bool want = x.newmail;
                if (!want && !critsec && x.logon_out.has(transport_logon_flag::sp_poll) &&
                    clock_->now() >= x.next_poll) {
                    x.next_poll = clock_->now() + options_.poll_interval;
                    ++changes_;
                    bool has = false;
                    try {
                        has = co_await x.logon->poll();
                    } catch (...) {
                        has = false;
                    }
                    want = has;
                    drain(i);
                }
                if (want && x.phase == transport_state::running) {
                    x.newmail = false;
                    while (!stopping_ && x.phase == transport_state::running) {
                        const bool got = co_await receive_one(i);
                        if (!got) {
                            break;
                        }
                        co_await sched_->yield();
                    }
                    worked = true;
                }
            }
            if (!worked && !critsec && !x.idle_done && x.phase == transport_state::running &&
                x.logon_out.has(transport_logon_flag::sp_idle)) {
                x.idle_done = true;
                try {
                    co_await x.logon->idle();
                } catch (...) {
                }
                continue;  // Idle may have sent notifications
            }
            if (worked) {
                x.idle_done = false;
                co_await sched_->yield();
            } else {
                co_await wake_awaiter{&x};
            }
        }
        x.worker_running = false;
    }

    task<void> shutdown_body()
    {
        stopping_ = true;
        while (!start_done_) {
            co_await sched_->yield();
        }
        // Messages in progress are cancelled; they stay queued.
        for (auto& x : xps_) {
            if (x->current) {
                x->support->request_cancel();
            }
        }
        wake_all();
        for (;;) {
            // Network waits and sleeps end with end_of_session, so a transport waiting on a
            // socket that never answers lets the spooler stop.
            cancel_io();
            const bool busy = flushes_running_ > 0 || std::any_of(xps_.begin(), xps_.end(), [](const auto& x) {
                                  return x->worker_running || x->current.has_value();
                              });
            if (!busy) {
                break;
            }
            wake_all();
            co_await sched_->yield();
        }
        for (std::size_t i = 0; i != xps_.size(); ++i) {
            xp& x = *xps_[i];
            if (x.phase == transport_state::running) {
                if (x.flush_interrupted || x.support->status().any_of(status_code::outbound_flush |
                                                                      status_code::inbound_flush)) {
                    co_await notify(i, transport_notify::end_inbound_flush | transport_notify::end_outbound_flush, {});
                }
                transport_notify_flags off;
                if (x.inbound_on) {
                    off |= transport_notify::end_inbound;
                }
                if (x.outbound_on) {
                    off |= transport_notify::end_outbound;
                }
                if (!off.empty()) {
                    co_await notify(i, off, {});
                }
                for (auto& [id, e] : entries_) {
                    if (e.deferred_by == i) {
                        transport_notify_data data;
                        data.entry = id;
                        co_await notify(i, transport_notify::abort_deferred, data);
                    }
                }
            }
            if (x.logon) {
                // Rule 61: whatever logoff does, the transport is logged off afterwards.
                try {
                    co_await x.logon->logoff();
                } catch (...) {
                }
            }
            if (x.phase != transport_state::not_logged_on) {
                x.phase = transport_state::logged_off;
                routing_changed();
            }
            x.support->logged_off();
        }
        state_ = state::stopped;
    }

    scheduler* sched_;
    message_queue* queue_;
    delivery_sink* sink_;
    const spooler_clock* clock_;
    spooler_options options_;
    std::vector<std::unique_ptr<xp>> xps_;
    std::vector<std::unique_ptr<spooler_support>> stores_;
    std::map<message_id, entry> entries_;
    // Ids of entries given a retry time, a superset of those whose time is still ahead (see
    // `retry_at`, `queue_due`).
    mutable std::set<message_id> timed_;
    std::vector<spooler_event> events_;
    std::uint64_t events_dropped_ = 0;
    // Events recorded per kind, since the start (`count`).
    std::array<std::uint64_t, static_cast<std::size_t>(spooler_event::kind::queue_unreadable) + 1> event_counts_{};
    std::uint64_t seen_generation_ = 0;
    bool seen_once_ = false;
    std::vector<message_id> unsettled_;  // entries changed since the last settle
    std::vector<message_id> settling_;   // settle_all's working list (kept for its capacity)
    bool settle_every_ = true;           // the routing changed: settle every idle entry
    std::uint64_t changes_ = 0;          // bumped by every change that can move queue_due()
    mutable std::optional<std::chrono::milliseconds> due_cached_;
    mutable bool due_cached_ok_ = false;
    mutable std::uint64_t due_seen_ = 0;
    state state_ = state::created;
    bool stopping_ = false;
    bool start_done_ = false;
    bool start_began_ = false;
    // When the queue is listed again after a listing or a read failed (`relist_later`).
    std::optional<std::chrono::milliseconds> relist_at_;  ///< start_body has run (shutdown then has transports to stop)
    std::size_t flushes_running_ = 0;
    std::size_t store_newmail_ = 0;
    io_driver* io_ = nullptr;
    std::mutex posted_mutex_;
    std::vector<std::function<void(spooler&)>> posted_;  // guarded by posted_mutex_
    std::atomic<bool> stop_requested_{false};
};

} // namespace mapixx::inline v0

#endif
