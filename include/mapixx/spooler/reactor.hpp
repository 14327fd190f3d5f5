// SPDX-License-Identifier: MIT
/// \file
/// `reactor`: descriptor readiness and timers for transport coroutines (epoll, eventfd and
/// timerfd; Linux only), and `reactor_watch`, which tells a loop that cannot wait on the
/// reactor's descriptor itself when the reactor has work.
///
/// On other systems this header declares nothing and `MAPIXX_HAS_REACTOR` is 0.
#ifndef MAPIXX_SPOOLER_REACTOR_HPP_INCLUDED
#define MAPIXX_SPOOLER_REACTOR_HPP_INCLUDED

#if defined(__linux__)
#define MAPIXX_HAS_REACTOR 1
#else
#define MAPIXX_HAS_REACTOR 0
#endif

#if MAPIXX_HAS_REACTOR

#include <mapixx/detail/unique_fd.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/spooler/clock.hpp>
#include <mapixx/spooler/detail/timer_heap.hpp>
#include <mapixx/spooler/io_driver.hpp>

#include <gsl/assert>

#include <array>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <cerrno>
#include <climits>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

namespace mapixx::inline v0 {

namespace detail {

/// Adds one to an eventfd's counter (async-signal-safe; a full counter is already set).
inline void ring_eventfd(int fd) noexcept
{
    const std::uint64_t one = 1;
    const ssize_t written = ::write(fd, &one, sizeof one);
    static_cast<void>(written);
}

/// Reads an eventfd or timerfd down to zero; true if it was set.
inline bool drain_counter_fd(int fd) noexcept
{
    std::uint64_t value = 0;
    return ::read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value);
}

/// A failure for a system call that set `errno` to `error`.
inline failure system_failure(scode code, const std::string& what, int error)
{
    return fail(code, what + " failed with errno " + std::to_string(error), "mapixx.reactor",
                static_cast<std::uint32_t>(error));
}

} // namespace detail

/// The spooler's reactor on Linux: `co_await io.readable(fd)`, `io.writable(fd)`,
/// `io.sleep_for(d)` from transport coroutines, so a transport that waits on the network lets
/// the other transports run.
///
/// - Descriptors: one epoll set, level-triggered and one-shot (EPOLLONESHOT). A descriptor
///   joins the set with its first wait and stays in it: armed with the directions waited for
///   while someone waits, disabled by the system once it has reported (its waits ended), and
///   armed again by the next wait. So a transport that waits on one socket again and again
///   costs one epoll_ctl per wait (EPOLL_CTL_MOD), not two (ADD, then DEL once the wait
///   ended). A wait that ends without the descriptor reporting (a timeout, a cancellation)
///   takes the descriptor out of the set when it was the last one, so a descriptor nobody
///   waits on never makes the reactor's descriptor readable. Every wait on a ready descriptor
///   ends (several coroutines waiting to read one socket all resume; the ones that find
///   nothing wait again).
/// - Errors and hang-ups never hang a wait: EPOLLERR ends every wait on the descriptor with
///   `network_error`; EPOLLHUP ends writable waits with `network_error`, and readable waits
///   with success when something can still be read (buffered bytes or end of file, EPOLLIN
///   with it) and with `network_error` otherwise. A descriptor that is not open gives
///   `invalid_parameter` at once; one that epoll cannot watch (a regular file) is always ready.
/// - Closing: call `cancel(fd)` first: its waits end with `cancel`, and it leaves the set. A
///   descriptor closed without it (with no wait pending) is still handled: the system drops
///   it from the set, and a later wait on a new descriptor with the same number finds that
///   out from epoll_ctl and adds it again.
/// - Timers: a deadline per wait (`readable(fd, timeout)` ends with `timeout`; `sleep_for`
///   ends with success), kept in an intrusive heap, in the clock given to `create` (the
///   spooler's clock). A timerfd armed for the earliest deadline (and the alarm) makes the
///   epoll descriptor readable when it is due, so `native_handle()` alone tells when there is
///   work. Equal deadlines end in arming order.
/// - Other threads: `wake()` rings an eventfd in the set.
/// - No allocation per wait once the descriptor table and the heap have grown to their working
///   size: each wait is an `io_wait` in the coroutine's frame, linked in place.
///
/// Ending a wait posts its coroutine to the scheduler; `run_once` never resumes anything
/// itself. Single-threaded apart from `wake()`: everything else is called on the thread that
/// runs the scheduler. With a `manual_clock`, deadlines pass only when the test advances the
/// clock and calls `run_once` (or `spooler::run_until_idle()`); never block (`run_for`) on a
/// manual clock, since it does not move while the thread sleeps.
///
/// Preconditions: the scheduler and clock outlive the reactor. The reactor may go before
/// coroutines that still wait on it: their waits are forgotten (never resumed) and their
/// frames can be destroyed safely afterwards.
class reactor final : public io_driver {
public:
    /// Makes a reactor that posts ended waits to `sched` and keeps time with `clock`.
    /// Fails with `not_enough_resources` when a descriptor cannot be made.
    [[nodiscard]] static result<std::unique_ptr<reactor>> create(scheduler& sched, const spooler_clock& clock)
    {
        detail::unique_fd ep{::epoll_create1(EPOLL_CLOEXEC)};
        if (!ep) {
            return detail::system_failure(scode::not_enough_resources, "epoll_create1", errno);
        }
        detail::unique_fd ev{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
        if (!ev) {
            return detail::system_failure(scode::not_enough_resources, "eventfd", errno);
        }
        detail::unique_fd tf{::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)};
        if (!tf) {
            return detail::system_failure(scode::not_enough_resources, "timerfd_create", errno);
        }
        for (int fd : {ev.get(), tf.get()}) {
            ::epoll_event e{};
            e.events = EPOLLIN;
            e.data.fd = fd;
            if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &e) != 0) {
                return detail::system_failure(scode::not_enough_resources, "epoll_ctl(EPOLL_CTL_ADD)", errno);
            }
        }
        return std::unique_ptr<reactor>{new reactor{sched, clock, std::move(ep), std::move(ev), std::move(tf)}};
    }

    reactor(const reactor&) = delete;
    reactor& operator=(const reactor&) = delete;

    /// Forgets every pending wait (its coroutine is not resumed) and closes the descriptors.
    ~reactor() override
    {
        for (fd_slot& s : fds_) {
            for (io_wait*& head : s.head) {
                while (head != nullptr) {
                    io_wait* w = head;
                    head = links_of(*w).next;
                    abandon(*w);
                }
            }
        }
        while (!heap_.empty()) {
            abandon(heap_.pop());
        }
    }

    // ---- io_waiter ------------------------------------------------------------------------

    /// The clock's time.
    [[nodiscard]] std::chrono::milliseconds now() const noexcept override { return clock_->now(); }

    /// Ends every wait on `fd` with `cancel` and takes `fd` out of the epoll set.
    std::size_t cancel(int fd) override
    {
        if (fd < 0 || static_cast<std::size_t>(fd) >= fds_.size()) {
            return 0;
        }
        const std::size_t n = end_all_on(fd, scode::cancel, "the wait was cancelled before the descriptor was closed");
        leave_set(fd);
        retime();
        return n;
    }

    // ---- io_driver ------------------------------------------------------------------------

    /// Waits (epoll_wait) at most `timeout`, then ends the waits whose descriptor is ready or
    /// whose deadline has passed and posts their coroutines. A signal (EINTR) ends the call
    /// early with whatever happened. Fails with `call_failed` if epoll_wait fails otherwise.
    result<std::size_t> run_once(std::optional<std::chrono::milliseconds> timeout) override
    {
        int ms = -1;
        if (timeout) {
            if (timeout->count() <= 0) {
                ms = 0;
            } else {
                ms = timeout->count() >= INT_MAX ? INT_MAX : static_cast<int>(timeout->count());
            }
        }
        const int n = ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), ms);
        if (n < 0 && errno != EINTR) {
            return detail::system_failure(scode::call_failed, "epoll_wait", errno);
        }
        std::size_t happened = 0;
        for (int k = 0; k < n; ++k) {
            const ::epoll_event& e = events_[static_cast<std::size_t>(k)];
            const int fd = e.data.fd;
            if (fd == event_.get()) {
                static_cast<void>(detail::drain_counter_fd(fd));
                ++happened;
                continue;
            }
            if (fd == timer_.get()) {
                static_cast<void>(detail::drain_counter_fd(fd));
                armed_for_.reset();  // fired: retime() arms it again if something is left
                continue;
            }
            if (fd < 0 || static_cast<std::size_t>(fd) >= fds_.size()) {
                continue;
            }
            // Having reported, the descriptor is disabled (EPOLLONESHOT) until armed again.
            fds_[static_cast<std::size_t>(fd)].mask = 0;
            happened += dispatch(fd, e.events);
            static_cast<void>(sync(fd));
        }
        happened += expire();
        retime();
        return happened;
    }

    /// Rings the reactor's eventfd. Thread-safe; async-signal-safe.
    void wake() noexcept override { detail::ring_eventfd(event_.get()); }

    /// Ends every pending wait with `why`.
    std::size_t cancel_all(scode why) override
    {
        const char* sentence = why == scode::end_of_session ? "the spooler is shutting down"
                                                            : "the wait was cancelled";
        std::size_t n = 0;
        for (std::size_t fd = 0; fd != fds_.size(); ++fd) {
            if (fds_[fd].head[0] != nullptr || fds_[fd].head[1] != nullptr) {
                n += end_all_on(static_cast<int>(fd), why, sentence);
                static_cast<void>(sync(static_cast<int>(fd)));
            }
        }
        while (!heap_.empty()) {
            end(heap_.top(), why, sentence);
            ++n;
        }
        retime();
        return n;
    }

    /// Sets the alarm (see `io_driver::set_alarm`).
    void set_alarm(std::optional<std::chrono::milliseconds> at) override
    {
        alarm_ = at;
        retime();
    }

    /// The number of pending waits.
    [[nodiscard]] std::size_t pending() const noexcept override { return pending_; }

    // ---- for loops --------------------------------------------------------------------------

    /// The epoll descriptor: readable when `run_once` has something to do (a watched
    /// descriptor is ready, a deadline or the alarm is due, or `wake()` was called), and at
    /// most once more for a deadline that is no longer pending (the timer is not disarmed when
    /// a wait ends early: `run_once` then simply finds nothing to do). Poll it
    /// with others (e.g. from a service's wait), then call `run_once(0)` or
    /// `spooler::run_until_idle()`. Still owned by the reactor.
    [[nodiscard]] int native_handle() const noexcept { return epoll_.get(); }

protected:
    bool arm(io_wait& w) override
    {
        io_wait::links& l = links_of(w);
        l = io_wait::links{};
        l.order = ++order_;
        if (w.what() == io_wait::kind::timer) {
            if (w.deadline() <= now()) {
                // Due already: a turn for the others, then go on.
                sched_->post(end_now(w, scode::success, nullptr));
                return true;
            }
            heap_.push(w, l);
            mark_pending(w);
            ++pending_;
            retime();
            return true;
        }
        const int fd = w.fd();
        if (static_cast<std::size_t>(fd) >= fds_.size()) {
            fds_.resize(static_cast<std::size_t>(fd) + 1);
        }
        if (w.deadline() != io_wait::no_deadline) {
            heap_.push(w, l);
        }
        link(w);
        if (const int error = sync(fd); error != 0) {
            unlink(w);
            heap_.erase(l);
            static_cast<void>(sync(fd));
            if (error == EPERM) {
                // epoll cannot watch it (a regular file, a directory): it is always ready.
                static_cast<void>(end_now(w, scode::success, nullptr));
            } else if (error == EBADF) {
                static_cast<void>(end_now(w, scode::invalid_parameter, "the descriptor is not open"));
            } else {
                static_cast<void>(end_now(w, scode::not_enough_resources, "epoll_ctl could not watch the descriptor"));
            }
            return false;
        }
        mark_pending(w);
        ++pending_;
        retime();
        return true;
    }

    void disarm(io_wait& w) noexcept override
    {
        io_wait::links& l = links_of(w);
        heap_.erase(l);
        if (w.what() != io_wait::kind::timer) {
            unlink(w);
            static_cast<void>(sync(w.fd()));
        }
        static_cast<void>(end_now(w, scode::cancel, nullptr));
        --pending_;
        retime();
    }

private:
    /// The waits on one descriptor: [0] readers, [1] writers, in arming order; `in_set` says
    /// whether the epoll set has it, and `mask` what it is armed for there (0: not armed,
    /// either not in the set or disabled after it reported).
    struct fd_slot {
        std::array<io_wait*, 2> head{nullptr, nullptr};
        std::array<io_wait*, 2> tail{nullptr, nullptr};
        std::uint32_t mask = 0;
        bool in_set = false;
    };

    reactor(scheduler& sched, const spooler_clock& clock, detail::unique_fd ep, detail::unique_fd ev,
            detail::unique_fd tf) noexcept
        : sched_{&sched}, clock_{&clock}, epoll_{std::move(ep)}, event_{std::move(ev)}, timer_{std::move(tf)}
    {
    }

    static std::size_t direction(const io_wait& w) noexcept { return w.what() == io_wait::kind::readable ? 0 : 1; }

    void link(io_wait& w) noexcept
    {
        fd_slot& s = fds_[static_cast<std::size_t>(w.fd())];
        const std::size_t d = direction(w);
        io_wait::links& l = links_of(w);
        l.prev = s.tail[d];
        l.next = nullptr;
        if (s.tail[d] != nullptr) {
            links_of(*s.tail[d]).next = &w;
        } else {
            s.head[d] = &w;
        }
        s.tail[d] = &w;
    }

    void unlink(io_wait& w) noexcept
    {
        fd_slot& s = fds_[static_cast<std::size_t>(w.fd())];
        const std::size_t d = direction(w);
        io_wait::links& l = links_of(w);
        (l.prev != nullptr ? links_of(*l.prev).next : s.head[d]) = l.next;
        (l.next != nullptr ? links_of(*l.next).prev : s.tail[d]) = l.prev;
        l.prev = nullptr;
        l.next = nullptr;
    }

    /// Makes the epoll set match the waits on `fd`: armed for the directions waited for, and
    /// for a descriptor nobody waits on, not armed (left in the set if it is disabled already,
    /// taken out if it is still armed). Returns 0 or the errno of epoll_ctl.
    int sync(int fd) noexcept
    {
        fd_slot& s = fds_[static_cast<std::size_t>(fd)];
        const std::uint32_t want = (s.head[0] != nullptr ? std::uint32_t{EPOLLIN} : 0U) |
                                   (s.head[1] != nullptr ? std::uint32_t{EPOLLOUT} : 0U);
        if (want == s.mask) {
            return 0;
        }
        if (want == 0) {
            leave_set(fd);  // still armed: it could report with nobody waiting
            return 0;
        }
        ::epoll_event e{};
        e.events = want | EPOLLONESHOT;
        e.data.fd = fd;
        int op = s.in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        int r = ::epoll_ctl(epoll_.get(), op, fd, &e);
        if (r != 0 && ((op == EPOLL_CTL_ADD && errno == EEXIST) || (op == EPOLL_CTL_MOD && errno == ENOENT))) {
            // The set and the table disagree: a descriptor closed without `cancel` (the system
            // dropped it from the set) and its number reused.
            op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
            r = ::epoll_ctl(epoll_.get(), op, fd, &e);
        }
        if (r != 0) {
            const int error = errno;
            if (op == EPOLL_CTL_MOD) {
                static_cast<void>(::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, &e));
            }
            s.in_set = false;  // whatever the set had for it, the next wait adds it anew
            s.mask = 0;
            return error;
        }
        s.in_set = true;
        s.mask = want;
        return 0;
    }

    /// Takes `fd` out of the epoll set, if it is there.
    void leave_set(int fd) noexcept
    {
        fd_slot& s = fds_[static_cast<std::size_t>(fd)];
        if (!s.in_set) {
            return;
        }
        ::epoll_event e{};
        // Fails harmlessly when the descriptor was closed (the system dropped it already).
        static_cast<void>(::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, &e));
        s.in_set = false;
        s.mask = 0;
    }

    /// Ends pending `w` and posts its coroutine. The caller syncs the descriptor afterwards.
    void end(io_wait& w, scode code, const char* why)
    {
        heap_.erase(links_of(w));
        if (w.what() != io_wait::kind::timer) {
            unlink(w);
        }
        --pending_;
        sched_->post(end_now(w, code, why));
    }

    std::size_t end_list(int fd, std::size_t d, scode code, const char* why)
    {
        std::size_t n = 0;
        fd_slot& s = fds_[static_cast<std::size_t>(fd)];
        while (s.head[d] != nullptr) {
            end(*s.head[d], code, why);
            ++n;
        }
        return n;
    }

    std::size_t end_all_on(int fd, scode code, const char* why)
    {
        return end_list(fd, 0, code, why) + end_list(fd, 1, code, why);
    }

    /// Ends the waits on `fd` that `events` concern.
    std::size_t dispatch(int fd, std::uint32_t events)
    {
        if ((events & EPOLLERR) != 0) {
            return end_all_on(fd, scode::network_error, "the descriptor reported an error (EPOLLERR)");
        }
        std::size_t n = 0;
        if ((events & EPOLLIN) != 0) {
            n += end_list(fd, 0, scode::success, nullptr);
        } else if ((events & EPOLLHUP) != 0) {
            n += end_list(fd, 0, scode::network_error, "the descriptor hung up with nothing left to read (EPOLLHUP)");
        }
        if ((events & EPOLLHUP) != 0) {
            n += end_list(fd, 1, scode::network_error, "the descriptor hung up: nothing more can be written (EPOLLHUP)");
        } else if ((events & EPOLLOUT) != 0) {
            n += end_list(fd, 1, scode::success, nullptr);
        }
        return n;
    }

    /// Ends the waits whose deadline has passed, and the alarm.
    std::size_t expire()
    {
        const std::chrono::milliseconds t = now();
        std::size_t n = 0;
        while (!heap_.empty() && heap_.top().deadline() <= t) {
            io_wait& w = heap_.top();
            if (w.what() == io_wait::kind::timer) {
                end(w, scode::success, nullptr);
            } else {
                const int fd = w.fd();
                end(w, scode::timeout, "the wait timed out");
                static_cast<void>(sync(fd));
            }
            ++n;
        }
        if (alarm_ && *alarm_ <= t) {
            alarm_.reset();
            ++n;
        }
        return n;
    }

    /// Arms the timerfd for the earliest deadline or the alarm (relative to the clock's now,
    /// so any clock works), or disarms it.
    void retime() noexcept
    {
        std::optional<std::chrono::milliseconds> next = alarm_;
        if (!heap_.empty() && heap_.top().deadline() != io_wait::no_deadline &&
            (!next || heap_.top().deadline() < *next)) {
            next = heap_.top().deadline();
        }
        if (next == armed_for_) {
            return;
        }
        // A timer armed for an earlier time than needed is left as it is: it fires early,
        // `run_once` finds nothing due and arms it again for the right time. That saves one
        // system call per wait whose deadline is later than the earliest (every SMTP command
        // has its own timeout, each later than the one before).
        if (armed_for_ && (!next || *armed_for_ < *next) && *armed_for_ > now()) {
            return;
        }
        ::itimerspec spec{};
        if (next) {
            const auto left = *next - now();
            if (left.count() <= 0) {
                spec.it_value.tv_nsec = 1;  // due: fire at once
            } else {
                spec.it_value.tv_sec = static_cast<time_t>(left.count() / 1000);
                spec.it_value.tv_nsec = static_cast<long>((left.count() % 1000) * 1000000);
            }
        }
        if (::timerfd_settime(timer_.get(), 0, &spec, nullptr) == 0) {
            armed_for_ = next;
        }
    }

    scheduler* sched_;
    const spooler_clock* clock_;
    detail::unique_fd epoll_;
    detail::unique_fd event_;
    detail::unique_fd timer_;
    std::vector<fd_slot> fds_;
    detail::timer_heap heap_;
    std::array<::epoll_event, 64> events_{};
    std::optional<std::chrono::milliseconds> alarm_;
    std::optional<std::chrono::milliseconds> armed_for_;
    std::uint64_t order_ = 0;
    std::size_t pending_ = 0;
};

/// Calls `ring` from a helper thread whenever a reactor has work, for a loop that can be woken
/// only by a call (a `message_loop`: `poster().wake()`) and cannot wait on the reactor's
/// descriptor itself.
///
/// The helper thread only waits (poll on `reactor::native_handle()`); it never touches the
/// reactor or the spooler. After each `ring` it waits for `rearm()`, which the loop's thread
/// calls once it has run the reactor, so one batch of work rings once.
class reactor_watch {
public:
    /// Starts watching `io`. `ring` runs on the helper thread; what it throws is ignored.
    /// Fails with `not_enough_resources` when a descriptor or the thread cannot be made.
    [[nodiscard]] static result<std::unique_ptr<reactor_watch>> create(const reactor& io, std::function<void()> ring)
    {
        detail::unique_fd stop{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
        detail::unique_fd rearm{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
        if (!stop || !rearm) {
            return detail::system_failure(scode::not_enough_resources, "eventfd", errno);
        }
        std::unique_ptr<reactor_watch> w{new reactor_watch{io.native_handle(), std::move(ring), std::move(stop),
                                                           std::move(rearm)}};
        try {
            w->thread_ = std::thread{[p = w.get()] { p->body(); }};
        } catch (const std::exception&) {
            return fail(scode::not_enough_resources, "the reactor_watch thread could not be started",
                        "mapixx.reactor");
        }
        return w;
    }

    reactor_watch(const reactor_watch&) = delete;
    reactor_watch& operator=(const reactor_watch&) = delete;

    /// Stops and joins the helper thread.
    ~reactor_watch()
    {
        detail::ring_eventfd(stop_.get());
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    /// The loop's thread has run the reactor: watch again. Thread-safe.
    void rearm() noexcept { detail::ring_eventfd(rearm_.get()); }

    /// How many times `ring` was called.
    [[nodiscard]] std::size_t rings() const noexcept { return rings_.load(); }

private:
    reactor_watch(int watched, std::function<void()> ring, detail::unique_fd stop, detail::unique_fd rearm) noexcept
        : watched_{watched}, ring_{std::move(ring)}, stop_{std::move(stop)}, rearm_{std::move(rearm)}
    {
    }

    /// Waits until `fd` is readable (true) or the stop is rung (false).
    bool wait_for(int fd) const noexcept
    {
        for (;;) {
            std::array<::pollfd, 2> p{::pollfd{fd, POLLIN, 0}, ::pollfd{stop_.get(), POLLIN, 0}};
            const int n = ::poll(p.data(), p.size(), -1);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return false;  // cannot wait any more: stop watching
            }
            if ((p[1].revents & POLLIN) != 0) {
                return false;
            }
            if ((p[0].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) != 0) {
                return (p[0].revents & POLLNVAL) == 0;
            }
        }
    }

    void body() noexcept
    {
        while (wait_for(watched_)) {
            ++rings_;
            try {
                ring_();
            } catch (...) {
            }
            if (!wait_for(rearm_.get())) {
                return;
            }
            static_cast<void>(detail::drain_counter_fd(rearm_.get()));
        }
    }

    int watched_;
    std::function<void()> ring_;
    detail::unique_fd stop_;
    detail::unique_fd rearm_;
    std::atomic<std::size_t> rings_{0};
    std::thread thread_;
};

} // namespace mapixx::inline v0

#endif // MAPIXX_HAS_REACTOR

#endif
