// SPDX-License-Identifier: MIT
/// \file
/// Transport providers: `transport_provider` (what a session logs on), `transport_logon` (the
/// IXPLogon surface as coroutines, which the spooler drives), the message objects the spooler
/// hands a transport, and `spooler_support`, the transport's IMAPISupport for the spooler.
///
/// `xp_provider` is the spooler's own view of a transport provider (IXPProvider::TransportLogon
/// with a support and logon flags): the spooler can run transports without a session, which is
/// how its tests and benchmarks use it. A session adapts each `transport_provider` it logged on
/// to it. `xp_logon` is another name of `transport_logon`.
#ifndef MAPIXX_PROVIDER_TRANSPORT_HPP_INCLUDED
#define MAPIXX_PROVIDER_TRANSPORT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_support.hpp>

#include <gsl/assert>

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// A message's identity in the spooler's outbound queue: stable for the life of the message
/// (the model of its entry id). Ids grow in submission order.
enum class message_id : std::uint64_t {};

/// An outbound message as the spooler holds it: its properties, its recipient rows and its
/// attachment rows. Each recipient row carries PR_ADDRTYPE, PR_EMAIL_ADDRESS and
/// PR_RESPONSIBILITY (TRUE once a transport or the spooler has dealt with it), optionally
/// PR_ENTRYID (bytes 4-19: the provider UID used for UID routing) and PR_DISPLAY_NAME.
///
/// The attachment rows have the shape of `stored_message::attachments`: PR_ATTACH_NUM,
/// PR_ATTACH_METHOD (1, by value), PR_ATTACH_LONG_FILENAME and/or PR_ATTACH_FILENAME,
/// PR_ATTACH_MIME_TAG, PR_ATTACH_DATA_BIN (the bytes) and optionally PR_ATTACH_CONTENT_ID, in
/// table order. A queue fills them when it loads the message; a transport sends them with the
/// message. They belong to the queued message: the spooler never writes a transport's changes
/// to them back (see `submit_context`). The spooler's own record of a pending message leaves
/// them out (`message_queue::load_without_attachments`); only a working copy has them.
struct outbound_message {
    message_id id{};                        ///< Stable id in the queue.
    property_bag props;                     ///< Message properties (PR_SUBJECT, ...).
    std::vector<property_bag> recipients;   ///< Recipient rows.
    std::vector<property_bag> attachments;  ///< Attachment rows (the attachment table).
};

/// What `xp_logon::submit_message` works on (IXPLogon::SubmitMessage's arguments).
///
/// The spooler hands a working copy: recipients that are not this transport's (routed
/// elsewhere or already handled) have PR_RESPONSIBILITY = TRUE, so a transport processes
/// exactly the rows with PR_RESPONSIBILITY = FALSE. The copy holds every attachment row of the
/// message, whichever transport and whichever attempt (first, resend, BEGIN_DEFERRED) it is,
/// read from the queue for this attempt and freed with the copy when the attempt ends.
/// Changes are discarded unless the transport calls `save_changes()` (rule 60: an error
/// discards unsaved changes); even then only the message properties are written back, so the
/// queued message keeps its attachments whatever a transport does to its copy.
///
/// Per-recipient outcome (the role of IMAPISupport::StatusRecips): a transport that finds some
/// of its recipients undeliverable for good calls `mark_undeliverable` for each of them and
/// goes on with the others. When `submit_message` then returns `success` and `end_message`
/// answers sent (no flags) or END_DONT_RESEND, the spooler puts exactly the marked rows, each
/// with its PR_REPORT_TEXT, into one non-delivery report for the sender and counts them done;
/// the transport's other rows are sent (or deferred) as usual. On any other outcome (busy,
/// wait, an error, a resend, an exception) the marks are dropped with the rest of the working
/// copy and the whole message is offered again.
struct submit_context {
    outbound_message message;       ///< The working copy.
    std::uint32_t message_ref = 0;  ///< Set by the transport, before moving data (pre-set 0, rule 61).
    bool deferred = false;          ///< BEGIN_DEFERRED: a message deferred earlier is re-sent.
    bool saved = false;             ///< Set by `save_changes()`.
    std::vector<std::size_t> undeliverable;  ///< Rows marked by `mark_undeliverable`, in marking order.

    /// SaveChanges: the message properties of the working copy are written back to the queue
    /// when the submission ends, whatever its outcome. Attachment rows are never written
    /// back: the queued message keeps its own.
    void save_changes() noexcept { saved = true; }

    /// Marks recipient row `row` of the working copy undeliverable, with `reason` (a sentence
    /// for the sender) as its PR_REPORT_TEXT; the row gets PR_RESPONSIBILITY = TRUE. Marking a
    /// row again replaces its reason. Only rows that were the transport's (PR_RESPONSIBILITY =
    /// FALSE when handed over) count; the spooler ignores marks on others.
    /// `invalid_parameter` if `row` is not a row of the message. Throws: `std::bad_alloc`.
    result<void> mark_undeliverable(std::size_t row, std::string reason)
    {
        if (row >= message.recipients.size()) {
            return fail(scode::invalid_parameter,
                        "mark_undeliverable: the message has no recipient row " + std::to_string(row),
                        "mapixx.submit_context");
        }
        property_bag& r = message.recipients[row];
        if (auto set = r.set(pr::report_text, std::move(reason)); !set) {
            return set;
        }
        if (auto set = r.set(pr::responsibility, true); !set) {
            return set;
        }
        if (!is_undeliverable(row)) {
            undeliverable.push_back(row);
        }
        return {};
    }

    /// True if `row` was marked by `mark_undeliverable`.
    [[nodiscard]] bool is_undeliverable(std::size_t row) const noexcept
    {
        for (std::size_t k : undeliverable) {
            if (k == row) {
                return true;
            }
        }
        return false;
    }
};

/// The result of `xp_logon::submit_message`: an `scode` (`success`, `busy`, `not_me`,
/// `network_error`, `wait`, `cancel`, `user_cancel` after a cancellation, or any failure) and
/// the retry delay in seconds that goes with `network_error` / `wait` (lpulReturnParm).
struct submit_result {
    scode code = scode::success;      ///< The outcome.
    std::uint32_t message_ref = 0;    ///< Informative copy of the reference; `submit_context::message_ref` is read.
    std::uint32_t retry_seconds = 0;  ///< Seconds until a retry, for `network_error` and `wait`.
};

/// An inbound message being filled by `xp_logon::start_message`. A saved message is a
/// delivered one; returning without `save_changes()` means nothing was waiting (DESIGN.md).
/// Whether the receiving store then really took it is told to the transport by
/// `transport_logon::inbound_outcome` (so a transport keeps its copy until then).
struct inbound_message {
    property_bag props;                     ///< Message properties.
    std::vector<property_bag> recipients;   ///< Recipient rows.
    std::uint32_t message_ref = 1;          ///< Pre-set to 1 (rule 61); `inbound_outcome` passes it back.
    bool saved = false;                     ///< Set by `save_changes()`.
    std::vector<property_bag> attachments;  ///< Attachment rows (PR_ATTACH_NUM, PR_ATTACH_DATA_BIN, ...).

    /// SaveChanges: keep (deliver) this message.
    void save_changes() noexcept { saved = true; }
};

/// The address types a transport handles (IXPLogon::AddressTypes, MAPI-REFERENCE 7.3).
/// `any`: a NULL type list, the transport takes every address type (it is routed last).
/// `none`: a single "" and no UIDs, the transport takes no recipient (a preprocessor only).
struct address_types_result {
    std::vector<std::string> types;  ///< Address types, compared without regard to case.
    std::vector<uid> uids;           ///< Provider UIDs of recipient entry ids, matched first.
    bool any = false;                ///< NULL list: every type.
    bool none = false;               ///< Single "": no type.

    /// The "any type" answer.
    [[nodiscard]] static address_types_result any_type() { return {{}, {}, true, false}; }
    /// The "no type" answer.
    [[nodiscard]] static address_types_result no_type() { return {{""}, {}, false, true}; }
};

/// The lppvData of a TransportNotify call: the message reference for NOTIFY_CANCEL_MESSAGE,
/// the message's id for NOTIFY_ABORT_DEFERRED.
struct transport_notify_data {
    std::uint32_t message_ref = 0;   ///< For cancel_message.
    std::optional<message_id> entry; ///< For abort_deferred.
};

/// The lpvData of a SpoolerNotify call: the deferred message for NOTIFY_SENTDEFERRED (none:
/// every deferred message of the transport), the error text for NOTIFY_CRITICAL_ERROR.
struct spooler_notify_data {
    std::optional<message_id> entry;  ///< For sentdeferred.
    std::string error;                ///< For critical_error.
};

/// What `co_await support.spooler_yield()` returns (S_OK or MAPI_W_CANCEL_MESSAGE).
enum class yield_status {
    ok,              ///< Go on.
    cancel_message,  ///< The message was cancelled: stop and return `user_cancel` (rule 55).
};

/// Which kind of provider a `spooler_support` serves (rule 57).
enum class support_role {
    transport,  ///< A transport logon: SpoolerYield and every notification but newmail_received.
    store,      ///< A message store: only newmail_received and readytosend.
};

class spooler_support;

namespace detail {
/// Who is told when a `spooler_support` records something (the spooler).
class spooler_support_owner {
public:
    /// A notification was recorded on `support`; wake whoever serves it. Never throws.
    virtual void support_changed(spooler_support& support) noexcept = 0;

protected:
    ~spooler_support_owner() = default;
};
} // namespace detail

/// The spooler's support object for one transport logon (or one store): SpoolerYield,
/// SpoolerNotify, critical sections and ModifyStatusRow (MAPI-REFERENCE 7.4).
///
/// Single-threaded: used on the spooler's scheduler only. Notifications are recorded here and
/// picked up by the spooler at its next turn for that transport (a notification made from
/// inside `transport_notify` is therefore fine).
class spooler_support : public provider_support {
public:
    /// The awaiter of `spooler_yield()`: a value in the transport's frame; suspending puts the
    /// transport at the back of the scheduler's ready queue, which allocates nothing once the
    /// queue has grown to its working size.
    class yield_awaiter {
    public:
        /// Use `spooler_support::spooler_yield()`.
        explicit yield_awaiter(spooler_support& s) noexcept : support_{&s} {}
        /// Always suspends: the other ready coroutines get a turn.
        [[nodiscard]] bool await_ready() const noexcept { return false; }
        /// Queues `h` on the scheduler.
        void await_suspend(std::coroutine_handle<> h) { support_->scheduler_->post(h); }
        /// `cancel_message` once after the current message was cancelled, else `ok`.
        yield_status await_resume() noexcept { return support_->take_cancel(); }

    private:
        spooler_support* support_;
    };

    /// RAII form of NOTIFY_CRITSEC / NOTIFY_NONCRIT: leaving scope sends NOTIFY_NONCRIT.
    class critical_section {
    public:
        /// Holds the critical section of `s`.
        explicit critical_section(spooler_support& s) noexcept : support_{&s} {}
        critical_section(const critical_section&) = delete;
        critical_section& operator=(const critical_section&) = delete;
        /// Takes over `other`'s hold.
        critical_section(critical_section&& other) noexcept : support_{std::exchange(other.support_, nullptr)} {}
        /// Leaves the critical section (NOTIFY_NONCRIT).
        ~critical_section() { release(); }
        critical_section& operator=(critical_section&&) = delete;
        /// Leaves the critical section now; later calls do nothing.
        void release() noexcept
        {
            if (support_ != nullptr) {
                std::exchange(support_, nullptr)->critsec_ = false;
            }
        }

    private:
        spooler_support* support_;
    };

    /// The awaiter of `enter_critical_section()`: never suspends, yields the guard.
    class critical_section_awaiter {
    public:
        /// Use `spooler_support::enter_critical_section()`.
        explicit critical_section_awaiter(spooler_support& s) noexcept : support_{&s} {}
        /// Entering never waits.
        [[nodiscard]] bool await_ready() const noexcept { return true; }
        /// Never called.
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        /// Enters (NOTIFY_CRITSEC) and returns the guard.
        [[nodiscard]] critical_section await_resume() const noexcept
        {
            support_->critsec_ = true;
            return critical_section{*support_};
        }

    private:
        spooler_support* support_;
    };

    // ---- network I/O: the transport's face of a reactor -------------------------------------

    class io_waiter;

    /// One wait on an `io_waiter`: the awaitable that `readable`, `writable`, `sleep_for` and
    /// `sleep_until` return. `co_await` it directly: it lives in the awaiting coroutine's
    /// frame, and while the coroutine is suspended the waiter links this object into its own
    /// lists (intrusive links, so a wait allocates nothing).
    ///
    /// `co_await` yields `result<void>`: success when the descriptor is ready (or the time has
    /// come, for a sleep); otherwise `timeout` (the wait's timeout passed), `network_error`
    /// (the descriptor reported an error or hung up), `invalid_parameter` (the descriptor is
    /// not open), `cancel` (`io_waiter::cancel(fd)`, e.g. before closing the descriptor) or
    /// `end_of_session` (the spooler is shutting down: give up and return).
    ///
    /// Destroying a suspended coroutine unlinks its wait. Not copyable or movable.
    class io_wait {
    public:
        /// What is waited for.
        enum class kind : std::uint8_t {
            readable,  ///< The descriptor has data to read (or end of file).
            writable,  ///< The descriptor accepts data.
            timer,     ///< Only the deadline.
        };

        /// A deadline that never comes.
        static constexpr std::chrono::milliseconds no_deadline = (std::chrono::milliseconds::max)();

        /// The links an `io_waiter` implementation keeps the wait in while it is pending.
        struct links {
            io_wait* prev = nullptr;                        ///< Previous wait on the same descriptor.
            io_wait* next = nullptr;                        ///< Next wait on the same descriptor.
            std::size_t heap_index = static_cast<std::size_t>(-1);  ///< Place in the timer heap.
            std::uint64_t order = 0;                        ///< Arming order (ties between deadlines).
        };

        /// A wait for `what` on `fd` (-1 for a timer) until `deadline` (in `owner.now()` time).
        io_wait(io_waiter& owner, kind what, int fd, std::chrono::milliseconds deadline) noexcept
            : owner_{&owner}, deadline_{deadline}, fd_{fd}, kind_{what}
        {
        }
        io_wait(const io_wait&) = delete;
        io_wait& operator=(const io_wait&) = delete;
        /// Unlinks a wait that is still pending (its coroutine is being destroyed).
        ~io_wait()
        {
            if (pending_) {
                owner_->disarm(*this);
            }
        }

        /// Never ready at once: the waiter decides in `await_suspend`.
        [[nodiscard]] bool await_ready() const noexcept { return false; }
        /// Arms the wait; resumes at once (false) when it is already over (an error, a
        /// descriptor that is always ready).
        bool await_suspend(std::coroutine_handle<> h)
        {
            handle_ = h;
            return owner_->arm(*this);
        }
        /// Success, or why the wait ended otherwise.
        result<void> await_resume() const
        {
            if (code_ == scode::success) {
                return {};
            }
            std::string what = why_ != nullptr ? why_ : "the wait failed";
            if (fd_ >= 0) {
                what += " (descriptor " + std::to_string(fd_) + ")";
            }
            return fail(code_, std::move(what), "mapixx.reactor");
        }

        /// What is waited for.
        [[nodiscard]] kind what() const noexcept { return kind_; }
        /// The descriptor (-1 for a timer).
        [[nodiscard]] int fd() const noexcept { return fd_; }
        /// When the wait times out (`no_deadline`: never).
        [[nodiscard]] std::chrono::milliseconds deadline() const noexcept { return deadline_; }
        /// True while the wait is linked into its waiter.
        [[nodiscard]] bool pending() const noexcept { return pending_; }

    private:
        friend class io_waiter;

        io_waiter* owner_;
        std::coroutine_handle<> handle_{};
        std::chrono::milliseconds deadline_;
        int fd_;
        kind kind_;
        bool pending_ = false;
        scode code_ = scode::success;
        const char* why_ = nullptr;
        links links_{};
    };

    /// What a transport waits on for network I/O and time: a reactor. `support.io()` returns
    /// the spooler's, or null when the spooler runs without one (then a transport that needs
    /// the network fails its call, e.g. with `network_error`, or uses blocking I/O).
    ///
    /// \code
    /// spooler_support::io_waiter* io = support().io();
    /// if (auto r = co_await io->readable(fd, std::chrono::seconds{30}); !r) {
    ///     co_return submit_result{scode::network_error, ctx.message_ref, 60};
    /// }
    /// \endcode
    ///
    /// Time is the waiter's clock (`now()`, milliseconds, the spooler's clock). Several waits
    /// on one descriptor are all resumed when it becomes ready. Used on the spooler's thread
    /// only. Implemented by `reactor` (`mapixx/spooler/reactor.hpp`).
    class io_waiter {
    public:
        virtual ~io_waiter() = default;

        /// Waits until `fd` is readable, at most `timeout` (then `timeout`).
        /// \pre `fd >= 0`; `timeout` is not negative.
        [[nodiscard]] io_wait readable(int fd, std::chrono::milliseconds timeout = io_wait::no_deadline)
        {
            Expects(fd >= 0);
            return io_wait{*this, io_wait::kind::readable, fd, deadline_after(timeout)};
        }
        /// Waits until `fd` is writable, at most `timeout` (then `timeout`).
        /// \pre `fd >= 0`; `timeout` is not negative.
        [[nodiscard]] io_wait writable(int fd, std::chrono::milliseconds timeout = io_wait::no_deadline)
        {
            Expects(fd >= 0);
            return io_wait{*this, io_wait::kind::writable, fd, deadline_after(timeout)};
        }
        /// Lets `d` pass (0 or less: just a turn for the others). The other transports run.
        [[nodiscard]] io_wait sleep_for(std::chrono::milliseconds d)
        {
            return io_wait{*this, io_wait::kind::timer, -1, deadline_after(d < d.zero() ? d.zero() : d)};
        }
        /// Waits until `now() >= t`.
        [[nodiscard]] io_wait sleep_until(std::chrono::milliseconds t)
        {
            return io_wait{*this, io_wait::kind::timer, -1, t};
        }

        /// The waiter's time (the spooler's clock).
        [[nodiscard]] virtual std::chrono::milliseconds now() const noexcept = 0;

        /// Ends every wait on `fd` with `cancel`; returns how many. Call it before closing a
        /// descriptor someone may wait on: the system forgets a closed descriptor silently.
        virtual std::size_t cancel(int fd) = 0;

    protected:
        io_waiter() = default;
        io_waiter(const io_waiter&) = default;
        io_waiter& operator=(const io_waiter&) = default;

        /// Links `w` (its handle is set). Returns true if the coroutine stays suspended, false
        /// if the wait is over at once (after `end_now`).
        virtual bool arm(io_wait& w) = 0;
        /// Unlinks a pending `w` whose coroutine is being destroyed.
        virtual void disarm(io_wait& w) noexcept = 0;

        friend class io_wait;

        /// For implementations: the links of `w`.
        static io_wait::links& links_of(io_wait& w) noexcept { return w.links_; }
        /// For implementations: marks `w` linked.
        static void mark_pending(io_wait& w) noexcept { w.pending_ = true; }
        /// For implementations: ends `w` with `code` and the sentence `why` (a literal) and
        /// returns the coroutine to resume (null if it was not suspended yet).
        static std::coroutine_handle<> end_now(io_wait& w, scode code, const char* why) noexcept
        {
            w.pending_ = false;
            w.code_ = code;
            w.why_ = why;
            return w.handle_;
        }
        /// For implementations that go away with waits still pending: forgets `w` without
        /// resuming it (its coroutine stays suspended; its destructor does nothing).
        static void abandon(io_wait& w) noexcept { w.pending_ = false; }

    private:
        std::chrono::milliseconds deadline_after(std::chrono::milliseconds timeout) const noexcept
        {
            Expects(timeout.count() >= 0);
            const std::chrono::milliseconds t = now();
            if (timeout >= io_wait::no_deadline - t) {
                return io_wait::no_deadline;
            }
            return t + timeout;
        }
    };

    /// What the spooler takes out of the support at its next turn.
    struct pending_notifications {
        spooler_notify_flags flags;         ///< Every flag recorded since the last take.
        std::vector<message_id> deferred;   ///< SENTDEFERRED entries.
        bool all_deferred = false;          ///< SENTDEFERRED with no entry.
    };

    /// A support for one provider, serving the spooler `owner` (may be null in tests of the
    /// support alone) on `sched`. `no_mail`: the store was logged on with MAPI_NO_MAIL.
    spooler_support(scheduler& sched, detail::spooler_support_owner* owner,
                    support_role role = support_role::transport, bool no_mail = false) noexcept
        : scheduler_{&sched}, owner_{owner}, role_{role}, no_mail_{no_mail}
    {
    }

    /// SpoolerYield: `co_await support.spooler_yield()` lets the spooler run other work and
    /// returns `yield_status::cancel_message` if the message being processed was cancelled.
    /// Only for transports (MAPI-REFERENCE 7.4); ulFlags is 0 by construction (rule 55).
    [[nodiscard]] yield_awaiter spooler_yield() noexcept
    {
        Expects(role_ == support_role::transport);
        return yield_awaiter{*this};
    }

    /// `auto cs = co_await support.enter_critical_section();` While it is held the spooler
    /// calls neither `idle` nor `poll` on this transport and its `validate_state` returns
    /// `busy` (rule 56). Only the transport's own awaits switch to other work.
    [[nodiscard]] critical_section_awaiter enter_critical_section() noexcept
    {
        return critical_section_awaiter{*this};
    }

    /// SpoolerNotify. `unknown_flags` for undefined bits; `invalid_parameter` for
    /// SENTDEFERRED with CRITICAL_ERROR or CRITSEC with NONCRIT, and for a flag this provider
    /// kind may not send (rule 57: a transport anything but NEWMAIL_RECEIVED, a store only
    /// NEWMAIL_RECEIVED and READYTOSEND). NEWMAIL_RECEIVED from a MAPI_NO_MAIL store is
    /// accepted and ignored. An unbalanced NONCRIT is harmless.
    result<void> spooler_notify(spooler_notify_flags f, spooler_notify_data data = {})
    {
        if (auto r = check_rules(f); !r) {
            return r;
        }
        if (role_ == support_role::transport && f.has(spooler_notify::newmail_received)) {
            return fail(scode::invalid_parameter,
                        "a transport may not send NOTIFY_NEWMAIL_RECEIVED; only stores may (rule 57)",
                        "mapixx.spooler_support");
        }
        if (role_ == support_role::store &&
            !f.without(spooler_notify::newmail_received | spooler_notify::readytosend).empty()) {
            return fail(scode::invalid_parameter,
                        "a store may send only NOTIFY_NEWMAIL_RECEIVED and NOTIFY_READYTOSEND (rule 57), got " +
                            to_string(f),
                        "mapixx.spooler_support");
        }
        if (role_ == support_role::store && no_mail_) {
            f = f.without(spooler_notify::newmail_received);
        }
        if (f.has(spooler_notify::critsec)) {
            critsec_ = true;
        }
        if (f.has(spooler_notify::noncrit)) {
            critsec_ = false;
        }
        if (f.has(spooler_notify::critical_error)) {
            critical_error_ = true;
            error_text_ = data.error;
        }
        if (f.has(spooler_notify::sentdeferred)) {
            if (data.entry) {
                pending_.deferred.push_back(*data.entry);
            } else {
                pending_.all_deferred = true;
            }
        }
        pending_.flags |= f.without(spooler_notify::critsec | spooler_notify::noncrit);
        if (owner_ != nullptr && !pending_.flags.empty()) {
            owner_->support_changed(*this);
        }
        return {};
    }

    /// ModifyStatusRow (rule 54): `update == false` adds the row (replacing this provider's
    /// previous one); `update == true` merges the given columns into it, the others keep their
    /// values (merging into no row creates it). Wakes the spooler, which reacts to flush bits.
    result<void> modify_status_row(const property_bag& row, bool update) override
    {
        ++row_version_;
        if (!update) {
            row_ = row;
        } else {
            if (!row_) {
                row_.emplace();
            }
            row_->merge(row);
        }
        if (mirror_ != nullptr) {
            // The session's status table shows the row too; its failure (the session ended) does
            // not undo the spooler's copy, which drives the flush protocol.
            static_cast<void>(mirror_->modify_status_row(row, update));
        }
        if (owner_ != nullptr) {
            owner_->support_changed(*this);
        }
        return {};
    }

    /// Helper over `modify_status_row`: sets `add` and clears `remove` in PR_STATUS_CODE.
    result<void> update_status_code(status_codes add, status_codes remove = {})
    {
        status_codes code = status();
        code = code.without(remove) | add;
        property_bag change;
        if (auto r = change.set(pr::status_code, code.bits()); !r) {
            return r;
        }
        return modify_status_row(change, true);
    }

    /// Every later ModifyStatusRow is also passed to `to` (the session's support of this
    /// provider, whose row is in the session's status table). Null stops it.
    void mirror_status_rows(provider_support* to) noexcept { mirror_ = to; }

    /// The provider's status row, if it made one.
    [[nodiscard]] const std::optional<property_bag>& status_row() const noexcept { return row_; }
    /// PR_STATUS_CODE of the row (empty without a row).
    [[nodiscard]] status_codes status() const noexcept
    {
        if (!row_) {
            return {};
        }
        auto v = row_->get_i4(pr::status_code);
        return status_codes::from_bits_unchecked(v ? static_cast<std::uint32_t>(*v) : 0u);
    }
    /// Counts `modify_status_row` calls: the spooler reacts to a row that changed.
    [[nodiscard]] std::uint64_t row_version() const noexcept { return row_version_; }
    /// True while a critical section is held.
    [[nodiscard]] bool in_critical_section() const noexcept { return critsec_; }
    /// True once NOTIFY_CRITICAL_ERROR was sent.
    [[nodiscard]] bool critical_error() const noexcept { return critical_error_; }
    /// The text sent with NOTIFY_CRITICAL_ERROR.
    [[nodiscard]] const std::string& critical_error_text() const noexcept { return error_text_; }
    /// Which kind of provider this support serves.
    [[nodiscard]] support_role role() const noexcept { return role_; }
    /// The spooler's reactor for network waits and timers, or null when the spooler runs
    /// without one (see `io_waiter`).
    [[nodiscard]] io_waiter* io() const noexcept { return io_; }

    // ---- the spooler's side ----------------------------------------------------------------

    /// Spooler: the next `spooler_yield` returns `cancel_message` (once).
    void request_cancel() noexcept { cancel_ = true; }
    /// Spooler: a new message starts; forget an old cancellation.
    void clear_cancel() noexcept { cancel_ = false; }
    /// Spooler: takes the recorded notifications.
    pending_notifications take_notifications() { return std::exchange(pending_, pending_notifications{}); }
    /// Spooler: the reactor `io()` returns from now on (null: none).
    void attach_io(io_waiter* io) noexcept { io_ = io; }
    /// Spooler: the provider logged off; its row goes and its critical section is released.
    void logged_off() noexcept
    {
        row_.reset();
        critsec_ = false;
    }

private:
    yield_status take_cancel() noexcept
    {
        return std::exchange(cancel_, false) ? yield_status::cancel_message : yield_status::ok;
    }

    scheduler* scheduler_;
    detail::spooler_support_owner* owner_;
    support_role role_;
    bool no_mail_;
    bool cancel_ = false;
    bool critsec_ = false;
    bool critical_error_ = false;
    std::string error_text_;
    std::optional<property_bag> row_;
    provider_support* mirror_ = nullptr;
    std::uint64_t row_version_ = 0;
    pending_notifications pending_;
    io_waiter* io_ = nullptr;
};

/// One transport's logon (IXPLogon) as coroutines. Every member the spooler calls is a
/// `task`; a transport suspends with `co_await support().spooler_yield()` or on its own
/// awaitables (network) and the spooler runs other transports meanwhile.
///
/// The spooler calls, in order: `address_types` right after logon, then `transport_notify`
/// (begin inbound/outbound), then `submit_message` / `end_message`, `poll` / `start_message`,
/// `idle`, `flush_queues`, `validate_state`, and finally `logoff` (MAPI-REFERENCE 7.1).
/// Exceptions thrown by a member are caught by the spooler (the message is requeued).
class transport_logon : public provider_logon {
public:
    /// A logon served by `support`, which outlives it.
    explicit transport_logon(spooler_support& support) noexcept : support_{&support} {}

    /// The LOGON_SP_* flags the logon returns (TransportLogon's *lpulFlags on output):
    /// `sp_poll` to be polled, `sp_idle` to get idle calls, `sp_resolve`. Read once by a session
    /// right after the logon. Default: none.
    [[nodiscard]] virtual transport_logon_flags logon_flags() const { return {}; }

    /// AddressTypes: which recipients this transport takes.
    virtual task<address_types_result> address_types() = 0;

    /// TransportNotify: must leave `flags` unchanged (the spooler checks). May run while
    /// `submit_message` is suspended (NOTIFY_CANCEL_MESSAGE). Default: does nothing.
    virtual task<result<void>> transport_notify(transport_notify_flags& flags, transport_notify_data data)
    {
        static_cast<void>(flags);
        static_cast<void>(data);
        co_return result<void>{};
    }

    /// SubmitMessage. See `submit_result` for the outcomes.
    virtual task<submit_result> submit_message(submit_context& ctx) = 0;

    /// EndMessage: empty flags = sent; `resend_now`, `resend_later` or `dont_resend`
    /// (deferred until NOTIFY_SENTDEFERRED). Default: sent.
    virtual task<result<end_message_flags>> end_message(std::uint32_t message_ref)
    {
        static_cast<void>(message_ref);
        co_return end_message_flags{};
    }

    /// Poll (only with LOGON_SP_POLL): true if mail is waiting. Default: false.
    virtual task<bool> poll() { co_return false; }

    /// StartMessage: fill `msg` and `save_changes()` it to deliver one message; return without
    /// saving when nothing is waiting. Default: nothing waiting.
    virtual task<result<void>> start_message(inbound_message& msg)
    {
        static_cast<void>(msg);
        co_return result<void>{};
    }

    /// After a `start_message` that saved a message: whether the spooler's delivery sink (the
    /// default store's Inbox) took it. `stored` is success once the message is in the store;
    /// a failure means it is not, and the transport should keep its own copy (a file, a message
    /// left on the server) so that it is offered again later, by this logon or the next one.
    /// `message_ref` is the `inbound_message::message_ref` the transport set. Called before the
    /// next call to the transport. Default: nothing.
    virtual task<void> inbound_outcome(std::uint32_t message_ref, result<void> stored)
    {
        static_cast<void>(message_ref);
        static_cast<void>(stored);
        co_return;
    }

    /// FlushQueues: request a flush by setting STATUS_OUTBOUND_FLUSH (upload) and
    /// STATUS_INBOUND_FLUSH (download) in the status row. Default: exactly that.
    virtual task<result<void>> flush_queues(flush_flags f)
    {
        status_codes add;
        if (f.has(flush_flag::upload)) {
            add |= status_code::outbound_flush;
        }
        if (f.has(flush_flag::download)) {
            add |= status_code::inbound_flush;
        }
        co_return support_->update_status_code(add);
    }

    /// Idle (only with LOGON_SP_IDLE), when the spooler has nothing else to do. Default: nothing.
    virtual task<void> idle() { co_return; }

    /// ValidateState. Default: success.
    virtual task<result<void>> validate_state(validate_flags f)
    {
        static_cast<void>(f);
        co_return result<void>{};
    }

    /// The support object this logon was given.
    [[nodiscard]] spooler_support& support() const noexcept { return *support_; }

private:
    spooler_support* support_;
};

/// The spooler-level name of `transport_logon`.
using xp_logon = transport_logon;

/// What `xp_provider::transport_logon` returns: the logon and its out flags
/// (`sp_idle`, `sp_poll`, `sp_resolve`).
struct xp_logon_result {
    std::unique_ptr<xp_logon> logon;  ///< The logon object.
    transport_logon_flags flags;      ///< Output flags.
};

/// A transport provider as the spooler sees it (IXPProvider::TransportLogon). The session layer
/// will adapt `transport_provider` to this when it starts the spooler.
class xp_provider {
public:
    /// PDK1_SPI_VERSION: the oldest service provider interface (MAPI-REFERENCE 7.2).
    static constexpr std::uint32_t pdk1_spi_version = 0x00010000;
    /// PDK2_SPI_VERSION.
    static constexpr std::uint32_t pdk2_spi_version = 0x00010008;
    /// CURRENT_SPI_VERSION (= PDK3_SPI_VERSION).
    static constexpr std::uint32_t current_spi_version = 0x00010010;

    virtual ~xp_provider() = default;

    /// The SPI version the provider reports (XPProviderInit's *lpulProviderVer). The spooler
    /// checks it before TransportLogon: below its minimum (`spooler_options::min_spi_version`)
    /// the provider is released unused and treated as MAPI_E_VERSION (rule 62).
    /// Default: `current_spi_version`.
    [[nodiscard]] virtual std::uint32_t spi_version() const noexcept { return current_spi_version; }

    /// Logs on with input flags (`no_inbound`, `no_outbound`, `no_connect`, `no_dialog`); the
    /// spooler passes `no_inbound | no_outbound` first and enables traffic by TransportNotify.
    virtual task<result<xp_logon_result>> transport_logon(spooler_support& support, transport_logon_flags in) = 0;

protected:
    xp_provider() = default;
    xp_provider(const xp_provider&) = default;
    xp_provider& operator=(const xp_provider&) = default;
};

/// A transport provider (XPProviderInit + IXPProvider::TransportLogon) as a session logs it on.
///
/// `logon` gets the usual `provider_context`; `ctx.spooler` is the transport's `spooler_support`
/// (also `ctx.support`), which the returned `transport_logon` must be constructed with. Results
/// as for `store_provider::logon`. Transports log on only in sessions without MAPI_NO_MAIL
/// (rule 21); the session hands the logon to its spooler.
class transport_provider : public provider {
public:
    /// The logon object type this provider returns.
    using logon_type = transport_logon;
    /// `resource_type::transport_provider`.
    [[nodiscard]] resource_type kind() const noexcept final { return resource_type::transport_provider; }
    /// Logs on to the transport for one session.
    virtual task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) = 0;
    /// True when this provider's logons wait on descriptors or timers through
    /// `spooler_support::io()` (a network transport). A session gives its spooler a reactor
    /// only when one of its transports says so, so a session of local transports holds no
    /// descriptors (a reactor holds three).
    [[nodiscard]] virtual bool uses_reactor() const noexcept { return false; }
};

static_assert(provider_interface<transport_provider>);

} // namespace mapixx::inline v0

#endif
