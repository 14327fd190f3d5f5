// SPDX-License-Identifier: MIT
/// \file
/// `message_loop`: the Windows-service message pump. It waits on waitable events and the
/// thread's message queue at once (MsgWaitForMultipleObjects) and dispatches queued messages
/// on the thread that owns it; `loop_poster` posts to it from any thread.
#ifndef MAPIXX_SERVICE_MESSAGE_LOOP_HPP_INCLUDED
#define MAPIXX_SERVICE_MESSAGE_LOOP_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/service/detail/deadline.hpp>
#include <mapixx/service/detail/expects.hpp>
#include <mapixx/service/message.hpp>
#include <mapixx/service/waitable_event.hpp>

#include <array>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>

#if defined(_WIN32)
#include <windows.h>
#else
#include <cerrno>
#include <climits>
#include <poll.h>
#endif

namespace mapixx::inline v0 {

/// What `message_loop::wait` saw first.
enum class wait_status {
    /// A handle was signalled: `wait_result::index` says which.
    signalled,
    /// A message is queued for the thread (MsgWaitForMultipleObjects' `WAIT_OBJECT_0 + count`):
    /// call `pump()`.
    message,
    /// The timeout passed with no handle signalled and no message queued.
    timeout,
};

/// The outcome of `message_loop::wait`.
struct wait_result {
    /// What happened.
    wait_status status = wait_status::timeout;
    /// For `wait_status::signalled`: the index, in the span given to `wait`, of the handle
    /// that was signalled (the lowest one when several were). 0 otherwise.
    std::size_t index = 0;

    /// A result for the handle at `index`.
    [[nodiscard]] static constexpr wait_result signalled(std::size_t index) noexcept
    {
        return {wait_status::signalled, index};
    }
    /// A "message queued" result.
    [[nodiscard]] static constexpr wait_result message() noexcept { return {wait_status::message, 0}; }
    /// A "timed out" result.
    [[nodiscard]] static constexpr wait_result timeout() noexcept { return {wait_status::timeout, 0}; }

    /// Equal when status and index are equal.
    friend constexpr bool operator==(const wait_result&, const wait_result&) = default;
};

/// Why `message_loop::run_until` returned.
enum class run_end {
    /// The stop event was signalled.
    stop_signalled,
    /// Windows only: `pump()` took a WM_QUIT from the thread's queue (PostQuitMessage); its exit
    /// code is in `message_loop::quit_received()` until the next `run_until`.
    quit_message,
};

namespace detail {

inline constexpr const char* loop_component = "mapixx.message_loop";

/// The state a `message_loop` shares with its `loop_poster`s: the queue of posted messages
/// (guarded by `mutex`) and the doorbell that wakes the owner's wait.
///
/// On both systems the messages themselves live in `queue`; what differs is the doorbell. On
/// Linux it is an eventfd. On Windows it is a private registered message posted to the owner
/// thread's real message queue with PostThreadMessageW, so that MsgWaitForMultipleObjectsEx
/// wakes; the doorbell carries no pointer, so nothing can dangle or leak when a doorbell is
/// lost (a thread's queue dies with unread messages, or a modal loop of somebody else's
/// drops thread messages), and a forged doorbell from another thread runs nothing that was
/// not posted.
class loop_state {
public:
    /// One queued message and its place in posting order.
    struct entry {
        std::uint64_t seq = 0;
        message msg;
    };

    loop_state() = default;
    loop_state(const loop_state&) = delete;
    loop_state& operator=(const loop_state&) = delete;
    ~loop_state() = default;

    /// Sets the state up for the calling thread: the doorbell, and on Windows the thread's
    /// message queue (PostThreadMessageW fails until the thread has one).
    result<void> open()
    {
#if defined(_WIN32)
        doorbell = ::RegisterWindowMessageW(L"mapixx.message_loop.doorbell.v0");
        if (doorbell == 0) {
            const DWORD error = ::GetLastError();
            return fail(scode::not_enough_resources,
                        "RegisterWindowMessageW failed with Win32 error " + std::to_string(error) +
                            " while creating a message_loop",
                        loop_component, static_cast<std::uint32_t>(error));
        }
        MSG probe;
        ::PeekMessageW(&probe, nullptr, WM_USER, WM_USER, PM_NOREMOVE); // creates the queue
        owner_tid = ::GetCurrentThreadId();
#else
        auto bell = waitable_event::create(event_reset::manual);
        if (!bell) {
            return bell.as_failure();
        }
        doorbell = std::move(*bell);
#endif
        owner = std::this_thread::get_id();
        return {};
    }

    /// Appends `m` and rings the doorbell. Thread-safe.
    result<void> post(message m)
    {
        std::lock_guard lock{mutex};
        if (closed) {
            return fail(scode::invalid_object,
                        "the message_loop this message was posted to has been destroyed; the message was dropped",
                        loop_component);
        }
        queue.push_back(entry{next_seq, std::move(m)});
#if defined(_WIN32)
        // Under the lock, so that the doorbells are in the same order as the queue and a
        // failed post removes its own entry.
        if (::PostThreadMessageW(owner_tid, doorbell, 0, 0) == 0) {
            const DWORD error = ::GetLastError();
            queue.pop_back();
            if (error == ERROR_INVALID_THREAD_ID) {
                return fail(scode::invalid_object,
                            "PostThreadMessageW failed: the thread that owns the message_loop has ended",
                            loop_component, static_cast<std::uint32_t>(error));
            }
            return fail(scode::not_enough_resources,
                        "PostThreadMessageW failed with Win32 error " + std::to_string(error) +
                            " (the thread's message queue is full: 10000 messages by default)",
                        loop_component, static_cast<std::uint32_t>(error));
        }
#else
        doorbell.set();
#endif
        ++next_seq;
        return {};
    }

    /// The sequence number the next post will get: messages below it are the ones queued now.
    [[nodiscard]] std::uint64_t batch_limit()
    {
        std::lock_guard lock{mutex};
        return next_seq;
    }

    /// True if a posted message is waiting.
    [[nodiscard]] bool has_queued()
    {
        std::lock_guard lock{mutex};
        return !queue.empty();
    }

    /// Takes the oldest message if it was posted before `limit`. Owner thread only.
    [[nodiscard]] std::optional<entry> take(std::uint64_t limit)
    {
        std::lock_guard lock{mutex};
        if (queue.empty() || queue.front().seq >= limit) {
            return std::nullopt;
        }
        std::optional<entry> e{std::move(queue.front())};
        queue.pop_front();
        return e;
    }

    /// Refuses further posts and destroys the queued messages (outside the lock: their
    /// destructors may post, which then fails). Owner thread only.
    void close() noexcept
    {
        std::deque<entry> dropped;
        {
            std::lock_guard lock{mutex};
            closed = true;
            dropped.swap(queue);
        }
    }

    std::mutex mutex;
    std::deque<entry> queue;     // guarded by mutex
    std::uint64_t next_seq = 0;  // guarded by mutex
    bool closed = false;         // guarded by mutex

    std::thread::id owner{};
#if defined(_WIN32)
    DWORD owner_tid = 0;
    UINT doorbell = 0;
#else
    waitable_event doorbell;  // set by post, reset by the owner's wait
#endif

    // Owner thread only.
    std::function<bool()> idle;
    bool in_idle = false;
    std::optional<int> quit;
};

} // namespace detail

/// A handle for posting to a `message_loop` from any thread. Copyable; copies refer to the
/// same loop. Posting after the loop is destroyed fails with `invalid_object` instead of
/// touching freed memory, so a poster may outlive its loop.
///
/// A default-constructed poster is empty; using it breaks a contract.
class loop_poster {
public:
    /// The awaitable returned by `schedule()`: suspends the awaiting coroutine and posts a
    /// `loop_message_kind::resume` message that resumes it on the loop's thread.
    class schedule_operation {
    public:
        /// Awaiting it resumes the awaiting coroutine from the pump of `state`'s loop.
        explicit schedule_operation(std::shared_ptr<detail::loop_state> state) noexcept
            : state_{std::move(state)}
        {
        }

        /// Always false: the coroutine always goes through the loop's queue.
        [[nodiscard]] bool await_ready() const noexcept { return false; }

        /// Posts the resumption. Throws: `mapi_error` if the post fails (the coroutine then
        /// goes on at once, on this thread, with that exception).
        void await_suspend(std::coroutine_handle<> awaiting)
        {
            result<void> posted = state_->post(message{loop_message_kind::resume, [awaiting] { awaiting.resume(); }, 0});
            if (!posted) {
                throw mapi_error{posted.code(), posted.info()};
            }
        }

        /// Yields nothing.
        void await_resume() const noexcept {}

    private:
        std::shared_ptr<detail::loop_state> state_;
    };

    /// An empty poster.
    loop_poster() noexcept = default;

    /// True if this poster refers to a loop (alive or not).
    explicit operator bool() const noexcept { return state_ != nullptr; }

    /// Queues `m` for the loop's thread and wakes its `wait`. Thread-safe.
    ///
    /// Fails with `invalid_object` when the loop has been destroyed (or, on Windows, its thread
    /// has ended) and with `not_enough_resources` when the Windows thread queue is full; the
    /// message is then destroyed without running. \pre the poster is not empty.
    result<void> post(message m) const
    {
        detail::service_expects(state_ != nullptr, "loop_poster::post: the poster is empty");
        return state_->post(std::move(m));
    }

    /// Posts a `loop_message_kind::wake` message with no handler: the loop wakes, and `run_until`
    /// gives its idle handler another turn. For work outside the loop (a scheduler fed from
    /// other threads) that the idle handler picks up. Thread-safe.
    result<void> wake() const { return post(message{loop_message_kind::wake, {}, 0}); }

    /// `co_await poster.schedule()` moves the awaiting coroutine onto the loop's thread: it is
    /// resumed from `pump()`, in posting order with the other messages. A coroutine still
    /// queued when the loop is destroyed is never resumed (its frame is not destroyed either).
    [[nodiscard]] schedule_operation schedule() const
    {
        detail::service_expects(state_ != nullptr, "loop_poster::schedule: the poster is empty");
        return schedule_operation{state_};
    }

    /// The thread that owns the loop.
    [[nodiscard]] std::thread::id owner() const noexcept
    {
        return state_ != nullptr ? state_->owner : std::thread::id{};
    }

private:
    friend class message_loop;
    explicit loop_poster(std::shared_ptr<detail::loop_state> state) noexcept : state_{std::move(state)} {}

    std::shared_ptr<detail::loop_state> state_;
};

/// The message pump of a Windows service's initialisation thread, and its portable model.
///
/// The thread that creates the loop owns it. Only the owner may `wait`, `pump`, `run_until`,
/// `set_idle_handler`, `has_pending`, or move or destroy the loop (a contract: a call from
/// another thread aborts). `post` and `wake` may come from any thread while the loop object is
/// alive; code that may outlive it holds a `loop_poster` instead.
///
/// - `wait(handles, timeout)` waits for one of up to 63 `waitable_event`s *and* the message
///   queue at once, like MsgWaitForMultipleObjects: a signalled handle wins over a queued
///   message, and among handles the lowest index wins.
/// - `pump()` runs every message that was queued when it started, in FIFO order, and returns
///   how many it dispatched. Messages posted while it runs (by its own handlers or by other
///   threads) are left for the next `pump()`, so a handler that posts again cannot keep one
///   pump going for ever.
/// - `run_until(stop)` is a service's main loop: wait and pump until `stop` is signalled,
///   giving the idle handler a turn whenever no message is queued.
///
/// On Linux the queue is a mutex-protected deque with an eventfd as doorbell, and `wait` polls
/// the handles and the doorbell. On Windows `wait` is MsgWaitForMultipleObjectsEx with
/// QS_ALLINPUT and MWMO_INPUTAVAILABLE, posts ring the thread's real message queue with
/// PostThreadMessageW, and `pump()` also translates and dispatches every other message of
/// the thread (window messages, other thread messages) with PeekMessageW / TranslateMessage /
/// DispatchMessageW, as the thread that owns MAPI's notification window must.
///
/// Move-only: a moved-from or default-constructed loop is empty, and calling anything but
/// `operator bool`, assignment or the destructor on it breaks a contract. The destructor
/// destroys the messages still queued without running them and makes later posts fail.
///
/// \code
/// auto loop = mapixx::message_loop::create().value();
/// auto stop = mapixx::waitable_event::create(mapixx::event_reset::manual).value();
/// std::thread worker{[poster = loop.poster(), &stop] {
///     poster.post({.handler = [] { std::puts("on the loop's thread"); }}).value();
///     stop.set();
/// }};
/// loop.run_until(stop).value();
/// loop.pump();          // what was posted before the stop
/// worker.join();
/// \endcode
class message_loop {
public:
    /// The most handles one `wait` takes: MAXIMUM_WAIT_OBJECTS (64) less the slot that
    /// MsgWaitForMultipleObjects keeps for the queue. The same limit holds on Linux, so that
    /// code tested there behaves the same on Windows.
    static constexpr std::size_t max_handles = 63;

    /// The timeout that never expires. Any timeout too long for the steady clock acts the same.
    static constexpr std::chrono::milliseconds infinite = (std::chrono::milliseconds::max)();

    /// An empty loop (owns nothing).
    message_loop() noexcept = default;

    /// Creates a loop owned by the calling thread.
    ///
    /// Fails with `not_enough_resources` when the doorbell cannot be made (no descriptor left
    /// on Linux; RegisterWindowMessageW failed on Windows).
    [[nodiscard]] static result<message_loop> create()
    {
        auto state = std::make_shared<detail::loop_state>();
        if (result<void> opened = state->open(); !opened) {
            return opened.as_failure();
        }
        return message_loop{std::move(state)};
    }

    message_loop(const message_loop&) = delete;
    message_loop& operator=(const message_loop&) = delete;

    /// Takes over `other`'s queue; `other` becomes empty. \pre called on the owner thread.
    message_loop(message_loop&& other) noexcept : state_{std::move(other.state_)}
    {
        if (state_ != nullptr) {
            require_owner("message_loop: moved on a thread that does not own the loop");
        }
    }

    /// Closes this loop (see the destructor), then takes over `other`'s queue.
    /// \pre called on the owner thread of both.
    message_loop& operator=(message_loop&& other) noexcept
    {
        if (this != &other) {
            close();
            state_ = std::move(other.state_);
            if (state_ != nullptr) {
                require_owner("message_loop: moved on a thread that does not own the loop");
            }
        }
        return *this;
    }

    /// Destroys the messages still queued, without running them, and makes later posts fail
    /// with `invalid_object`. \pre called on the owner thread. Never throws.
    ~message_loop() { close(); }

    /// True if this object holds a loop.
    explicit operator bool() const noexcept { return state_ != nullptr; }

    /// The thread that owns the loop (empty id for an empty loop).
    [[nodiscard]] std::thread::id owner() const noexcept
    {
        return state_ != nullptr ? state_->owner : std::thread::id{};
    }

    /// A handle that posts to this loop from any thread and may outlive it.
    /// \pre the loop is not empty.
    [[nodiscard]] loop_poster poster() const
    {
        detail::service_expects(state_ != nullptr, "message_loop::poster: the loop is empty");
        return loop_poster{state_};
    }

    /// Queues `m` for the owner thread and wakes its `wait`. Thread-safe (while this object
    /// is alive). Fails as `loop_poster::post` does. \pre the loop is not empty.
    result<void> post(message m) const { return poster().post(std::move(m)); }

    /// Posts a `loop_message_kind::wake` message with no handler (see `loop_poster::wake`).
    result<void> wake() const { return poster().wake(); }

    /// `co_await loop.schedule()`: resumes the awaiting coroutine on the owner thread from
    /// `pump()` (see `loop_poster::schedule`).
    [[nodiscard]] loop_poster::schedule_operation schedule() const { return poster().schedule(); }

    /// Waits until one of `handles` is signalled, a message is queued for this thread, or
    /// `timeout` passes, whichever comes first.
    ///
    /// A signalled handle wins over a queued message; among signalled handles the lowest index
    /// wins. Reporting an auto-reset handle resets it (exactly one waiter sees each set); a
    /// manual-reset handle stays set. `message` means there is something for `pump()`; on
    /// Windows that can also be input the system handles inside PeekMessageW, so a `pump()`
    /// after it may return 0. A timeout of 0 polls. Signals (EINTR) never end the wait early:
    /// it goes on with the time that is left.
    ///
    /// Fails with `invalid_parameter` when there are more than `max_handles` handles, a
    /// pointer is null or an event is empty, an event's descriptor is not open, or the timeout
    /// is negative; with `call_failed` if the system wait fails (`info().low_level` holds
    /// errno or GetLastError()).
    ///
    /// \pre called on the owner thread.
    result<wait_result> wait(std::span<waitable_event* const> handles, std::chrono::milliseconds timeout)
    {
        require_owner("message_loop::wait: called from a thread that does not own the loop");
        if (result<void> ok = check_wait_arguments(handles, timeout); !ok) {
            return ok.as_failure();
        }
        const detail::wait_deadline deadline = detail::wait_deadline::after(timeout);
#if defined(_WIN32)
        std::array<HANDLE, max_handles> natives{};
        const auto count = static_cast<DWORD>(handles.size());
        for (std::size_t i = 0; i != handles.size(); ++i) {
            natives[i] = handles[i]->native_handle();
        }
        if (state_->has_queued()) {
            // Messages left from a bounded pump have no fresh input in the system queue:
            // report them, unless a handle is signalled (handles come first).
            if (count > 0) {
                const DWORD r = ::WaitForMultipleObjects(count, natives.data(), FALSE, 0);
                if (r < WAIT_OBJECT_0 + count) {
                    return wait_result::signalled(r - WAIT_OBJECT_0);
                }
                if (r == WAIT_FAILED) {
                    return system_wait_failure("WaitForMultipleObjects");
                }
            }
            return wait_result::message();
        }
        for (;;) {
            const DWORD chunk = deadline.infinite ? INFINITE : static_cast<DWORD>(deadline.left_ms(0x7FFFFFFF));
            // MWMO_INPUTAVAILABLE: report input already in the queue even if an earlier
            // PeekMessage or GetQueueStatus saw it (plain MsgWaitForMultipleObjects would
            // only report input that arrived since then, and sleep on a non-empty queue).
            const DWORD r = ::MsgWaitForMultipleObjectsEx(count, count > 0 ? natives.data() : nullptr, chunk,
                                                          QS_ALLINPUT, MWMO_INPUTAVAILABLE);
            if (r < WAIT_OBJECT_0 + count) {
                return wait_result::signalled(r - WAIT_OBJECT_0);
            }
            if (r == WAIT_OBJECT_0 + count) {
                return wait_result::message();
            }
            if (r == WAIT_TIMEOUT) {
                if (deadline.expired()) {
                    return wait_result::timeout();
                }
                continue; // a chunk of a longer wait ended
            }
            return system_wait_failure("MsgWaitForMultipleObjectsEx");
        }
#else
        std::array<::pollfd, max_handles + 1> fds{};
        const std::size_t count = handles.size();
        for (std::size_t i = 0; i != count; ++i) {
            fds[i] = ::pollfd{handles[i]->native_handle(), POLLIN, 0};
        }
        fds[count] = ::pollfd{state_->doorbell.native_handle(), POLLIN, 0};
        for (;;) {
            // Something queued already (a post rang before, or a bounded pump left it):
            // only look at the handles, without sleeping.
            const bool queued = state_->has_queued();
            const int ms = queued ? 0 : deadline.infinite ? -1 : static_cast<int>(deadline.left_ms(INT_MAX));
            const int ready = ::poll(fds.data(), static_cast<::nfds_t>(count + 1), ms);
            if (ready < 0) {
                if (errno == EINTR) {
                    continue; // the deadline is absolute: the next round waits for what is left
                }
                return system_wait_failure("poll", errno);
            }
            for (std::size_t i = 0; i != count; ++i) {
                const short got = fds[i].revents;
                if ((got & POLLNVAL) != 0) {
                    return fail(scode::invalid_parameter,
                                "message_loop::wait: handle " + std::to_string(i) +
                                    " is not an open descriptor (was it closed behind the waitable_event's back?)",
                                detail::loop_component);
                }
                if ((got & POLLIN) != 0) {
                    // An auto-reset event is taken by a read; another waiter may have been
                    // quicker, then it is not ours and the wait goes on.
                    if (handles[i]->mode() == event_reset::manual || handles[i]->try_wait()) {
                        return wait_result::signalled(i);
                    }
                }
            }
            if ((fds[count].revents & POLLIN) != 0) {
                // Clear the doorbell before looking at the queue: a post that comes after this
                // rings it again, so no wake-up is lost.
                state_->doorbell.reset();
            }
            if (state_->has_queued()) {
                return wait_result::message();
            }
            if (deadline.expired()) {
                return wait_result::timeout();
            }
        }
#endif
    }

    /// `wait` on a single handle.
    result<wait_result> wait(waitable_event& handle, std::chrono::milliseconds timeout)
    {
        waitable_event* const one[] = {&handle};
        return wait(std::span<waitable_event* const>{one}, timeout);
    }

    /// `wait` on the message queue alone.
    result<wait_result> wait(std::chrono::milliseconds timeout)
    {
        return wait(std::span<waitable_event* const>{}, timeout);
    }

    /// Runs, in FIFO order, every message that was queued when the call started, and returns
    /// how many messages it dispatched.
    ///
    /// Messages posted while it runs, by its handlers or by other threads, stay queued for the
    /// next `pump()` (and make the next `wait` report `message` at once). On Windows it also
    /// takes every other message from the thread's queue: window and foreign thread messages
    /// are translated and dispatched normally and counted, and a WM_QUIT ends the pump and is
    /// kept in `quit_received()`.
    ///
    /// A handler may call `pump()` again (a nested loop); the inner call runs the messages
    /// queued when it started. Throws what a handler throws: that message counts as taken, the
    /// ones after it stay queued for the next `pump()`.
    ///
    /// \pre called on the owner thread.
    std::size_t pump()
    {
        require_owner("message_loop::pump: called from a thread that does not own the loop");
        const std::uint64_t limit = state_->batch_limit();
        std::size_t dispatched = 0;
#if defined(_WIN32)
        MSG msg;
        while (::PeekMessageW(&msg, nullptr, 0, 0, PM_REMOVE) != 0) {
            if (msg.message == WM_QUIT) {
                state_->quit = static_cast<int>(msg.wParam);
                break;
            }
            if (msg.hwnd == nullptr && msg.message == state_->doorbell) {
                // One doorbell, one of our messages: keeps ours interleaved with the others
                // in about the order they came. Doorbells of messages posted during this
                // pump find nothing below the limit.
                if (run_one(limit)) {
                    ++dispatched;
                }
                continue;
            }
            ::TranslateMessage(&msg);
            ::DispatchMessageW(&msg);
            ++dispatched;
        }
#endif
        // Linux: all of them. Windows: those whose doorbell was lost (taken by a modal loop that
        // is not ours), or that are still queued after a WM_QUIT.
        while (run_one(limit)) {
            ++dispatched;
        }
        return dispatched;
    }

    /// The service main loop: waits on `stop` and the message queue, pumps whenever a message
    /// is queued, and returns `run_end::stop_signalled` as soon as `stop` is signalled (messages
    /// still queued then stay queued: call `pump()` to run them).
    ///
    /// The idle handler (`set_idle_handler`) runs only when no message is queued and `stop` is
    /// not signalled: after each `pump()` it gets a turn, and while it returns true (more idle
    /// work) the loop only polls between calls; once it returns false the loop sleeps until a
    /// message, `wake()` or `stop`. An auto-reset `stop` is reset by the wait that reports it.
    ///
    /// Windows: returns `run_end::quit_message` when `pump()` took a WM_QUIT; the exit code is
    /// in `quit_received()`.
    ///
    /// Fails with `invalid_parameter` when `stop` is empty, or as `wait` does. Throws what a
    /// message handler or the idle handler throws.
    ///
    /// \pre called on the owner thread.
    result<run_end> run_until(waitable_event& stop)
    {
        require_owner("message_loop::run_until: called from a thread that does not own the loop");
        state_->quit.reset();
        bool idle_turn = static_cast<bool>(state_->idle);
        for (;;) {
            const auto timeout = idle_turn ? std::chrono::milliseconds{0} : infinite;
            result<wait_result> woke = wait(stop, timeout);
            if (!woke) {
                return woke.as_failure();
            }
            switch (woke->status) {
            case wait_status::signalled:
                return run_end::stop_signalled;
            case wait_status::message:
                pump();
                if (state_->quit) {
                    return run_end::quit_message;
                }
                idle_turn = static_cast<bool>(state_->idle);
                break;
            case wait_status::timeout:
                idle_turn = run_idle();
                break;
            }
        }
    }

    /// Sets the function `run_until` calls when no message is queued: the spooler runs its
    /// transports from here, between messages ("foreground first"). It returns true while it
    /// has more idle work (it is called again as soon as the queue is still empty), false when
    /// it has none (the loop then sleeps until something happens). An empty function removes
    /// it.
    ///
    /// \pre called on the owner thread, and not from inside the idle handler itself.
    void set_idle_handler(std::function<bool()> idle)
    {
        require_owner("message_loop::set_idle_handler: called from a thread that does not own the loop");
        detail::service_expects(!state_->in_idle,
                                "message_loop::set_idle_handler: called from inside the idle handler");
        state_->idle = std::move(idle);
    }

    /// True if something is queued for `pump()`: a posted message, or on Windows any input in
    /// the thread's queue (GetQueueStatus). Long idle work checks it to give the foreground
    /// its turn. \pre called on the owner thread.
    [[nodiscard]] bool has_pending() const
    {
        require_owner("message_loop::has_pending: called from a thread that does not own the loop");
        if (state_->has_queued()) {
            return true;
        }
#if defined(_WIN32)
        return HIWORD(::GetQueueStatus(QS_ALLINPUT)) != 0;
#else
        return false;
#endif
    }

    /// Windows: the exit code of the WM_QUIT the last `pump()` took, if it took one (kept until
    /// the next `run_until`). Always empty on Linux. \pre called on the owner thread.
    [[nodiscard]] std::optional<int> quit_received() const
    {
        require_owner("message_loop::quit_received: called from a thread that does not own the loop");
        return state_->quit;
    }

    /// The message whose handler is running on the calling thread (the innermost one when
    /// pumps are nested), or null outside handlers. Lets a handler see its `id` and `tag`.
    [[nodiscard]] static const message* current() noexcept { return current_; }

private:
    explicit message_loop(std::shared_ptr<detail::loop_state> state) noexcept : state_{std::move(state)} {}

    /// Sets `current_` for the duration of one handler.
    class current_guard {
    public:
        explicit current_guard(const message* m) noexcept : previous_{std::exchange(current_, m)} {}
        current_guard(const current_guard&) = delete;
        current_guard& operator=(const current_guard&) = delete;
        ~current_guard() { current_ = previous_; }

    private:
        const message* previous_;
    };

    void require_owner(const char* what) const noexcept
    {
        detail::service_expects(state_ != nullptr,
                                "message_loop: the loop is empty (default-constructed or moved from)");
        detail::service_expects(state_->owner == std::this_thread::get_id(), what);
    }

    void close() noexcept
    {
        if (state_ != nullptr) {
            require_owner("message_loop: destroyed on a thread that does not own the loop");
            state_->close();
            state_.reset();
        }
    }

    /// Runs the oldest message if it was posted before `limit`; false if there is none.
    bool run_one(std::uint64_t limit)
    {
        std::optional<detail::loop_state::entry> next = state_->take(limit);
        if (!next) {
            return false;
        }
        current_guard guard{&next->msg};
        if (next->msg.handler) {
            next->msg.handler();
        }
        return true;
    }

    /// Calls the idle handler; its answer (false when there is none).
    bool run_idle()
    {
        if (!state_->idle) {
            return false;
        }
        state_->in_idle = true;
        struct reset_flag {
            bool& flag;
            ~reset_flag() { flag = false; }
        } reset{state_->in_idle};
        return state_->idle();
    }

    static result<void> check_wait_arguments(std::span<waitable_event* const> handles,
                                             std::chrono::milliseconds timeout)
    {
        if (handles.size() > max_handles) {
            return fail(scode::invalid_parameter,
                        "message_loop::wait: " + std::to_string(handles.size()) +
                            " handles given, at most 63 can be waited on together with the message queue "
                            "(MAXIMUM_WAIT_OBJECTS - 1)",
                        detail::loop_component);
        }
        for (std::size_t i = 0; i != handles.size(); ++i) {
            if (handles[i] == nullptr || !*handles[i]) {
                return fail(scode::invalid_parameter,
                            "message_loop::wait: handle " + std::to_string(i) +
                                (handles[i] == nullptr ? " is a null pointer" : " is an empty waitable_event"),
                            detail::loop_component);
            }
        }
        if (timeout.count() < 0) {
            return fail(scode::invalid_parameter,
                        "message_loop::wait: the timeout is negative (use message_loop::infinite to wait for ever)",
                        detail::loop_component);
        }
        return {};
    }

#if defined(_WIN32)
    static failure system_wait_failure(const char* call)
    {
        const DWORD error = ::GetLastError();
        return fail(scode::call_failed,
                    std::string{"message_loop::wait: "} + call + " failed with Win32 error " + std::to_string(error),
                    detail::loop_component, static_cast<std::uint32_t>(error));
    }
#else
    static failure system_wait_failure(const char* call, int error)
    {
        return fail(scode::call_failed,
                    std::string{"message_loop::wait: "} + call + " failed with errno " + std::to_string(error),
                    detail::loop_component, static_cast<std::uint32_t>(error));
    }
#endif

    static inline thread_local const message* current_ = nullptr;

    std::shared_ptr<detail::loop_state> state_;
};

} // namespace mapixx::inline v0
#endif
