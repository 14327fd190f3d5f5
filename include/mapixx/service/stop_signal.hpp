// SPDX-License-Identifier: MIT
/// \file
/// `stop_signal`: turns the system's "please stop" (SIGTERM and SIGINT on Linux; console
/// control events and the service control handler on Windows) into a `waitable_event`.
#ifndef MAPIXX_SERVICE_STOP_SIGNAL_HPP_INCLUDED
#define MAPIXX_SERVICE_STOP_SIGNAL_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/service/detail/expects.hpp>
#include <mapixx/service/waitable_event.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#if defined(_WIN32)
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#include <signal.h>
#include <unistd.h>
#endif

namespace mapixx::inline v0 {
namespace detail {

inline constexpr const char* stop_signal_component = "mapixx.stop_signal";

// Process-wide state of the one installed stop_signal. Only lock-free atomics: the handler
// runs in signal context on Linux, and on a thread the system creates on Windows.
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

/// True while a stop_signal is installed (dispositions are per process: one at a time).
inline std::atomic<bool> stop_signal_installed{false};
/// The signal number (Linux) or console control type (Windows) last received; -1 for none.
inline std::atomic<int> stop_signal_last{-1};
/// How many handlers are between reading the event and setting it. The uninstaller waits
/// for 0 after unpublishing the event, so no handler sets an event that has been closed (or
/// writes into a descriptor number that has been reused).
inline std::atomic<int> stop_signal_busy{0};

#if defined(_WIN32)
static_assert(std::atomic<HANDLE>::is_always_lock_free);
/// The event of the installed stop_signal, or null.
inline std::atomic<HANDLE> stop_signal_event{nullptr};

/// The console control handler. Ctrl+C, Ctrl+Break, closing the console and system shutdown
/// set the event; CTRL_LOGOFF_EVENT is left to the next handler, since a service must outlive
/// the logoff of an interactive user.
inline BOOL WINAPI stop_signal_console_handler(DWORD type) noexcept
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        break;
    default:
        return FALSE;
    }
    stop_signal_busy.fetch_add(1);
    stop_signal_last.store(static_cast<int>(type));
    HANDLE event = stop_signal_event.load();
    if (event != nullptr) {
        ::SetEvent(event);
    }
    stop_signal_busy.fetch_sub(1);
    if (event != nullptr && (type == CTRL_CLOSE_EVENT || type == CTRL_SHUTDOWN_EVENT)) {
        // The system ends the process as soon as this handler returns from these two. Give the
        // main thread time to log off and uninitialise: wait until the stop_signal is
        // uninstalled, for at most 4.5 s (the system allows about 5 s for a close).
        for (int i = 0; i != 450 && stop_signal_event.load() != nullptr; ++i) {
            ::Sleep(10);
        }
    }
    return TRUE;
}
#else
/// The descriptor of the installed stop_signal's eventfd, or -1.
inline std::atomic<int> stop_signal_fd{-1};
/// The process that installed it. A child forked without exec inherits the handler and the
/// eventfd; a signal to the child must not stop the parent.
inline std::atomic<int> stop_signal_pid{0};

/// The SIGTERM / SIGINT handler: async-signal-safe (atomics, getpid, signal, raise and one
/// `write`), keeps errno. In a forked child it gives the signal its default action instead.
inline void stop_signal_handler(int signo) noexcept
{
    const int saved_errno = errno;
    if (::getpid() != stop_signal_pid.load()) {
        ::signal(signo, SIG_DFL);
        ::raise(signo);
        errno = saved_errno;
        return;
    }
    stop_signal_busy.fetch_add(1);
    stop_signal_last.store(signo);
    const int fd = stop_signal_fd.load();
    if (fd >= 0) {
        const std::uint64_t one = 1;
        const ssize_t written = ::write(fd, &one, sizeof one);
        static_cast<void>(written); // EAGAIN: the event is set already
    }
    stop_signal_busy.fetch_sub(1);
    errno = saved_errno;
}
#endif

} // namespace detail

/// The request to stop, as a `waitable_event` a `message_loop` can wait on.
///
/// On Linux, `install()` catches SIGTERM (what `systemctl stop` and `kill` send) and SIGINT
/// (Ctrl+C) with a handler that writes to the event's eventfd, the self-pipe trick with an
/// eventfd as the pipe: the write is async-signal-safe, the handler runs on whichever thread
/// the kernel picks, and the process's signal mask is left alone. (signalfd was the other
/// choice; it needs the signals blocked in *every* thread, including threads that existed
/// before and threads of other libraries, or the default action kills the process; it only
/// sees signals sent to the process or to the thread that reads it; and the blocked mask is
/// inherited by child processes across exec, which then ignore SIGTERM.) The handler is
/// installed with SA_RESTART and masks both signals while it runs. In a child forked without
/// exec (which inherits the handler and the eventfd) the handler gives the signal its default
/// action, so stopping the child never stops the parent; exec resets both (the eventfd is
/// close-on-exec).
///
/// On Windows, `install()` adds a console control handler (SetConsoleCtrlHandler) that sets
/// the event on Ctrl+C, Ctrl+Break, console close and shutdown, which is what a service run
/// from a console for debugging receives. A real service's control handler (the HandlerEx
/// given to RegisterServiceCtrlHandlerExW) calls `request()` on SERVICE_CONTROL_STOP,
/// SERVICE_CONTROL_SHUTDOWN and SERVICE_CONTROL_PRESHUTDOWN.
///
/// The event is manual-reset: once set it stays set, so every loop and thread that waits on
/// it sees it.
///
/// RAII and move-only: the destructor puts back the dispositions that were in place before
/// `install()` (sigaction with the saved ones; on Windows it removes its console handler, so
/// the chain is as it was), and only then closes the event. A signal that comes after that
/// goes to the previous disposition (by default, SIGTERM ends the process).
///
/// One `stop_signal` can be installed at a time in a process, since dispositions are
/// process-wide: `install()` fails with `busy` while another one lives.
///
/// \code
/// auto stop = mapixx::stop_signal::install().value();
/// loop.run_until(stop.event()).value();   // returns on SIGTERM / Ctrl+C / request()
/// \endcode
class stop_signal {
public:
    /// An empty object: installs nothing.
    stop_signal() noexcept = default;

    /// Installs the handlers and returns the object that owns them.
    ///
    /// Fails with `busy` when another `stop_signal` is installed, with `not_enough_resources`
    /// when the event cannot be made, with `call_failed` when sigaction or
    /// SetConsoleCtrlHandler fails (`info().low_level` holds errno or GetLastError()).
    [[nodiscard]] static result<stop_signal> install()
    {
        bool expected = false;
        if (!detail::stop_signal_installed.compare_exchange_strong(expected, true)) {
            return fail(scode::busy,
                        "a stop_signal is already installed in this process; signal dispositions are "
                        "process-wide, so destroy the first one before installing another",
                        detail::stop_signal_component);
        }
        auto event = waitable_event::create(event_reset::manual);
        if (!event) {
            detail::stop_signal_installed.store(false);
            return event.as_failure();
        }
        stop_signal s;
        s.event_ = std::move(*event);
        detail::stop_signal_last.store(-1);
#if defined(_WIN32)
        detail::stop_signal_event.store(s.event_.native_handle());
        if (::SetConsoleCtrlHandler(&detail::stop_signal_console_handler, TRUE) == 0) {
            const DWORD error = ::GetLastError();
            detail::stop_signal_event.store(nullptr);
            detail::stop_signal_installed.store(false);
            return fail(scode::call_failed,
                        "SetConsoleCtrlHandler failed with Win32 error " + std::to_string(error),
                        detail::stop_signal_component, static_cast<std::uint32_t>(error));
        }
#else
        detail::stop_signal_pid.store(static_cast<int>(::getpid()));
        detail::stop_signal_fd.store(s.event_.native_handle());
        struct ::sigaction action {};
        action.sa_handler = &detail::stop_signal_handler;
        ::sigemptyset(&action.sa_mask);
        ::sigaddset(&action.sa_mask, SIGTERM);
        ::sigaddset(&action.sa_mask, SIGINT);
        action.sa_flags = SA_RESTART;
        if (::sigaction(SIGTERM, &action, &s.previous_term_) != 0) {
            return install_failure("sigaction(SIGTERM)", errno);
        }
        if (::sigaction(SIGINT, &action, &s.previous_int_) != 0) {
            const int error = errno;
            ::sigaction(SIGTERM, &s.previous_term_, nullptr);
            return install_failure("sigaction(SIGINT)", error);
        }
#endif
        s.installed_ = true;
        return s;
    }

    stop_signal(const stop_signal&) = delete;
    stop_signal& operator=(const stop_signal&) = delete;

    /// Takes over `other`'s installation; `other` becomes empty.
    stop_signal(stop_signal&& other) noexcept
        : event_{std::move(other.event_)},
#if !defined(_WIN32)
          previous_term_{other.previous_term_},
          previous_int_{other.previous_int_},
#endif
          installed_{std::exchange(other.installed_, false)}
    {
    }

    /// Uninstalls this one (see the destructor), then takes over `other`'s installation.
    stop_signal& operator=(stop_signal&& other) noexcept
    {
        if (this != &other) {
            uninstall();
            event_ = std::move(other.event_);
#if !defined(_WIN32)
            previous_term_ = other.previous_term_;
            previous_int_ = other.previous_int_;
#endif
            installed_ = std::exchange(other.installed_, false);
        }
        return *this;
    }

    /// Restores the previous dispositions, then closes the event. Never throws.
    ~stop_signal() { uninstall(); }

    /// True if this object holds the installation.
    explicit operator bool() const noexcept { return installed_; }

    /// The manual-reset event that is set when a stop is requested. \pre not empty.
    [[nodiscard]] waitable_event& event() noexcept
    {
        detail::service_expects(installed_, "stop_signal::event: the stop_signal is empty");
        return event_;
    }

    /// Requests a stop from code: sets the event. Thread-safe. This is what a Windows service's
    /// control handler calls on SERVICE_CONTROL_STOP / SHUTDOWN / PRESHUTDOWN. \pre not empty.
    void request() noexcept { event().set(); }

    /// True once a stop was requested (by a signal, a console event or `request()`).
    /// \pre not empty.
    [[nodiscard]] bool requested() const noexcept
    {
        detail::service_expects(installed_, "stop_signal::requested: the stop_signal is empty");
        return event_.is_set();
    }

    /// The last signal number (SIGTERM, SIGINT) on Linux, or console control type
    /// (CTRL_C_EVENT, ...) on Windows, received since `install()`; empty if none came
    /// (`request()` does not count). For the log line that says why the service stops.
    [[nodiscard]] std::optional<int> last_signal() const noexcept
    {
        const int last = detail::stop_signal_last.load();
        return installed_ && last >= 0 ? std::optional<int>{last} : std::nullopt;
    }

private:
#if !defined(_WIN32)
    static failure install_failure(const char* call, int error)
    {
        detail::stop_signal_fd.store(-1);
        detail::stop_signal_installed.store(false);
        return fail(scode::call_failed, std::string{call} + " failed with errno " + std::to_string(error),
                    detail::stop_signal_component, static_cast<std::uint32_t>(error));
    }
#endif

    void uninstall() noexcept
    {
        if (!installed_) {
            return;
        }
#if defined(_WIN32)
        detail::stop_signal_event.store(nullptr);
        ::SetConsoleCtrlHandler(&detail::stop_signal_console_handler, FALSE);
#else
        ::sigaction(SIGTERM, &previous_term_, nullptr);
        ::sigaction(SIGINT, &previous_int_, nullptr);
        detail::stop_signal_fd.store(-1);
#endif
        // A handler that read the event before it was unpublished finishes with it first.
        while (detail::stop_signal_busy.load() != 0) {
            std::this_thread::yield();
        }
        event_ = waitable_event{};
        installed_ = false;
        detail::stop_signal_installed.store(false);
    }

    waitable_event event_;
#if !defined(_WIN32)
    struct ::sigaction previous_term_ {};
    struct ::sigaction previous_int_ {};
#endif
    bool installed_ = false;
};

} // namespace mapixx::inline v0
#endif
