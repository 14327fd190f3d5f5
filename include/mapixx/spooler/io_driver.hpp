// SPDX-License-Identifier: MIT
/// \file
/// `io_driver`: the spooler's face of a reactor (run it, wake it, cancel its waits), and the
/// spooler-level names of the transport's I/O awaitables. Portable; `reactor.hpp` holds the
/// Linux implementation.
#ifndef MAPIXX_SPOOLER_IO_DRIVER_HPP_INCLUDED
#define MAPIXX_SPOOLER_IO_DRIVER_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/provider/transport.hpp>

#include <chrono>
#include <cstddef>
#include <optional>

namespace mapixx::inline v0 {

/// What a transport awaits network readiness and time on (`spooler_support::io()`).
using io_waiter = spooler_support::io_waiter;
/// One wait on an `io_waiter` (the awaitable of `readable`, `writable`, `sleep_for`).
using io_wait = spooler_support::io_wait;

/// A reactor as the spooler drives it. The transports see only its `io_waiter` face.
///
/// `run_once` is called on the spooler's thread, between runs of the scheduler: waits that end
/// have their coroutines posted to the scheduler, never resumed from inside `run_once`.
/// `wake` may be called from any thread. Implemented by `reactor` (Linux).
class io_driver : public io_waiter {
public:
    /// Waits for descriptor events, timers, the alarm or a `wake()`, at most `timeout`
    /// (`std::nullopt`: as long as it takes; 0: only looks), and ends the waits that are over.
    /// Returns how many things happened (waits ended, wakes, the alarm); 0 when the time ran
    /// out. Fails with `call_failed` if the system wait fails.
    virtual result<std::size_t> run_once(std::optional<std::chrono::milliseconds> timeout) = 0;

    /// Makes a `run_once` that blocks (now or next) return. Thread-safe; async-signal-safe.
    virtual void wake() noexcept = 0;

    /// Ends every pending wait with `why` (the spooler uses `end_of_session` at shutdown);
    /// returns how many.
    virtual std::size_t cancel_all(scode why) = 0;

    /// Sets the one alarm of the driver (`std::nullopt`: none): at that time (in `now()` time)
    /// a blocked `run_once` returns. The spooler sets it to `spooler::next_due()`.
    virtual void set_alarm(std::optional<std::chrono::milliseconds> at) = 0;

    /// The number of pending waits.
    [[nodiscard]] virtual std::size_t pending() const noexcept = 0;

protected:
    io_driver() = default;
    io_driver(const io_driver&) = default;
    io_driver& operator=(const io_driver&) = default;
};

} // namespace mapixx::inline v0

#endif
