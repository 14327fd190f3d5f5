// SPDX-License-Identifier: MIT
/// \file
/// `waitable_event`: a manual- or auto-reset event that a `message_loop` can wait on together
/// with the thread's message queue (an eventfd on Linux, a Win32 event on Windows).
#ifndef MAPIXX_SERVICE_WAITABLE_EVENT_HPP_INCLUDED
#define MAPIXX_SERVICE_WAITABLE_EVENT_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/service/detail/deadline.hpp>
#include <mapixx/service/detail/expects.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#if defined(_WIN32)
#include <windows.h>
#elif defined(__linux__)
#include <cerrno>
#include <climits>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#else
#error "mapixx/service supports Linux (eventfd, poll) and Windows (Win32 events) only"
#endif

namespace mapixx::inline v0 {

/// How a `waitable_event` behaves once a waiter has seen it set.
enum class event_reset {
    /// It stays set until `reset()`: every waiter sees it (a Win32 manual-reset event).
    manual,
    /// A wait that reports it (and `try_wait`) resets it: one set releases one waiter (a Win32
    /// auto-reset event). Several `set()` calls before a wait count as one.
    automatic,
};

/// An event that can be waited on together with a thread's message queue.
///
/// On Linux it is an eventfd (`EFD_CLOEXEC | EFD_NONBLOCK`) that is readable while the event
/// is set; on Windows a HANDLE from `CreateEventW`. `message_loop::wait` takes a list of them.
///
/// Move-only RAII: the destructor closes the descriptor or handle. A default-constructed or
/// moved-from event is empty (`!ev`); calling anything but `operator bool`, `native_handle`,
/// assignment or the destructor on an empty event breaks a contract.
///
/// `set()`, `reset()`, `is_set()`, `try_wait()` and `wait_for()` may be called from any thread.
/// `set()` is also async-signal-safe on Linux (it is one `write`), which is what `stop_signal`
/// relies on.
///
/// \code
/// auto stop = mapixx::waitable_event::create(mapixx::event_reset::manual).value();
/// std::thread worker{[&] { /* ... */ stop.set(); }};
/// loop.run_until(stop).value();
/// \endcode
class waitable_event {
public:
#if defined(_WIN32)
    /// The Win32 event HANDLE.
    using native_handle_type = HANDLE;
#else
    /// The eventfd descriptor.
    using native_handle_type = int;
#endif

    /// An empty event (owns nothing).
    waitable_event() noexcept = default;

    /// Creates an event.
    ///
    /// Fails with `not_enough_resources` (the process or system is out of descriptors or
    /// handles; `info().low_level` holds errno or GetLastError()) or `not_enough_memory`.
    [[nodiscard]] static result<waitable_event> create(event_reset mode, bool initially_set = false)
    {
#if defined(_WIN32)
        HANDLE h = ::CreateEventW(nullptr, mode == event_reset::manual ? TRUE : FALSE,
                                  initially_set ? TRUE : FALSE, nullptr);
        if (h == nullptr) {
            const DWORD error = ::GetLastError();
            return fail(error == ERROR_NOT_ENOUGH_MEMORY || error == ERROR_OUTOFMEMORY
                            ? scode::not_enough_memory
                            : scode::not_enough_resources,
                        "CreateEventW failed with Win32 error " + std::to_string(error) +
                            " while creating a waitable_event",
                        "mapixx.waitable_event", static_cast<std::uint32_t>(error));
        }
        return waitable_event{h, mode};
#else
        const int fd = ::eventfd(initially_set ? 1U : 0U, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            const int error = errno;
            return fail(error == ENOMEM ? scode::not_enough_memory : scode::not_enough_resources,
                        "eventfd failed with errno " + std::to_string(error) +
                            " while creating a waitable_event (too many open descriptors?)",
                        "mapixx.waitable_event", static_cast<std::uint32_t>(error));
        }
        return waitable_event{fd, mode};
#endif
    }

    waitable_event(const waitable_event&) = delete;
    waitable_event& operator=(const waitable_event&) = delete;

    /// Takes over `other`'s descriptor or handle; `other` becomes empty.
    waitable_event(waitable_event&& other) noexcept
        : handle_{std::exchange(other.handle_, empty_handle())}, mode_{other.mode_}
    {
    }

    /// Closes what this event owns, then takes over `other`'s; `other` becomes empty.
    waitable_event& operator=(waitable_event&& other) noexcept
    {
        if (this != &other) {
            close();
            handle_ = std::exchange(other.handle_, empty_handle());
            mode_ = other.mode_;
        }
        return *this;
    }

    /// Closes the descriptor or handle. Never throws.
    ~waitable_event() { close(); }

    /// True if this event owns a descriptor or handle.
    explicit operator bool() const noexcept { return handle_ != empty_handle(); }

    /// The eventfd (Linux) or event HANDLE (Windows), still owned by this object; -1 or null
    /// when empty.
    [[nodiscard]] native_handle_type native_handle() const noexcept { return handle_; }

    /// Whether the event is manual- or auto-reset.
    [[nodiscard]] event_reset mode() const noexcept { return mode_; }

    /// Sets the event: waiters on it wake (all of them for a manual-reset event, one for an
    /// auto-reset event). Setting a set event changes nothing. Thread-safe; async-signal-safe
    /// on Linux. \pre the event is not empty.
    void set() noexcept
    {
        require_handle("waitable_event::set: the event is empty (default-constructed or moved from)");
#if defined(_WIN32)
        ::SetEvent(handle_);
#else
        const std::uint64_t one = 1;
        // EAGAIN means the counter is at its maximum: the event is set already.
        const ssize_t written = ::write(handle_, &one, sizeof one);
        static_cast<void>(written);
#endif
    }

    /// Clears the event. Clearing a clear event changes nothing. Thread-safe.
    /// \pre the event is not empty.
    void reset() noexcept
    {
        require_handle("waitable_event::reset: the event is empty (default-constructed or moved from)");
#if defined(_WIN32)
        ::ResetEvent(handle_);
#else
        static_cast<void>(consume());
#endif
    }

    /// True if the event is set, without resetting it (a peek, for diagnostics and tests).
    ///
    /// Windows has no way to look at an auto-reset event without taking its signal: there the
    /// peek takes it and sets it again, so a waiter on another thread may see it a moment late.
    /// \pre the event is not empty.
    [[nodiscard]] bool is_set() const noexcept
    {
        require_handle("waitable_event::is_set: the event is empty (default-constructed or moved from)");
#if defined(_WIN32)
        if (::WaitForSingleObject(handle_, 0) != WAIT_OBJECT_0) {
            return false;
        }
        if (mode_ == event_reset::automatic) {
            ::SetEvent(handle_);
        }
        return true;
#else
        ::pollfd p{handle_, POLLIN, 0};
        return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
#endif
    }

    /// Returns true if the event was set, and resets it when it is auto-reset (a wait with a
    /// zero timeout). \pre the event is not empty.
    [[nodiscard]] bool try_wait() noexcept
    {
        require_handle("waitable_event::try_wait: the event is empty (default-constructed or moved from)");
#if defined(_WIN32)
        return ::WaitForSingleObject(handle_, 0) == WAIT_OBJECT_0;
#else
        return mode_ == event_reset::automatic ? consume() : is_set();
#endif
    }

    /// Blocks until the event is set or `timeout` has passed; returns true if it was set
    /// (resetting it when it is auto-reset). Waits only on this event, not on a message queue.
    /// \pre the event is not empty; `timeout` is not negative.
    [[nodiscard]] bool wait_for(std::chrono::milliseconds timeout) noexcept
    {
        require_handle("waitable_event::wait_for: the event is empty (default-constructed or moved from)");
        detail::service_expects(timeout.count() >= 0, "waitable_event::wait_for: the timeout is negative");
        const detail::wait_deadline deadline = detail::wait_deadline::after(timeout);
        for (;;) {
            if (try_wait()) {
                return true;
            }
            if (deadline.expired()) {
                return false;
            }
#if defined(_WIN32)
            // Chunks below INFINITE (0xFFFFFFFF); the loop goes on for longer waits.
            const auto chunk = static_cast<DWORD>(deadline.left_ms(0x7FFFFFFF));
            if (::WaitForSingleObject(handle_, chunk) == WAIT_OBJECT_0) {
                // The wait took the signal of an auto-reset event; a manual one is still set.
                return true;
            }
#else
            ::pollfd p{handle_, POLLIN, 0};
            // EINTR or a signal taken by another waiter: loop and recompute the time left.
            static_cast<void>(::poll(&p, 1, static_cast<int>(deadline.left_ms(INT_MAX))));
#endif
        }
    }

private:
#if defined(_WIN32)
    static HANDLE empty_handle() noexcept { return nullptr; }
#else
    static constexpr int empty_handle() noexcept { return -1; }
#endif

    waitable_event(native_handle_type handle, event_reset mode) noexcept : handle_{handle}, mode_{mode} {}

    void require_handle(const char* what) const noexcept
    {
        detail::service_expects(handle_ != empty_handle(), what);
    }

#if !defined(_WIN32)
    /// Reads the counter to zero; true if it was non-zero.
    bool consume() noexcept
    {
        std::uint64_t value = 0;
        return ::read(handle_, &value, sizeof value) == static_cast<ssize_t>(sizeof value);
    }
#endif

    void close() noexcept
    {
        if (handle_ == empty_handle()) {
            return;
        }
#if defined(_WIN32)
        ::CloseHandle(handle_);
#else
        ::close(handle_);
#endif
        handle_ = empty_handle();
    }

    native_handle_type handle_ = empty_handle();
    event_reset mode_ = event_reset::manual;
};

} // namespace mapixx::inline v0
#endif
