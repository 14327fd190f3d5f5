// SPDX-License-Identifier: MIT
// The reactor on its own: descriptor waits, timers, errors, cancellation, cross-thread wakes.
#include "spooler_test_helpers.hpp"

#include <mapixx/spooler/reactor.hpp>

#include <doctest/doctest.h>

#if MAPIXX_HAS_REACTOR

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace reactor_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

namespace {

/// A pair of connected, non-blocking stream sockets, closed at the end of the test.
struct socket_pair {
    std::array<int, 2> fd{-1, -1};
    socket_pair()
    {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd.data()) == 0);
    }
    socket_pair(const socket_pair&) = delete;
    socket_pair& operator=(const socket_pair&) = delete;
    ~socket_pair()
    {
        close(0);
        close(1);
    }
    void close(int k)
    {
        if (fd[static_cast<std::size_t>(k)] >= 0) {
            ::close(fd[static_cast<std::size_t>(k)]);
            fd[static_cast<std::size_t>(k)] = -1;
        }
    }
    [[nodiscard]] int operator[](int k) const { return fd[static_cast<std::size_t>(k)]; }
};

/// A non-blocking pipe.
struct pipe_pair {
    std::array<int, 2> fd{-1, -1};
    pipe_pair() { REQUIRE(::pipe2(fd.data(), O_NONBLOCK | O_CLOEXEC) == 0); }
    pipe_pair(const pipe_pair&) = delete;
    pipe_pair& operator=(const pipe_pair&) = delete;
    ~pipe_pair()
    {
        close(0);
        close(1);
    }
    void close(int k)
    {
        if (fd[static_cast<std::size_t>(k)] >= 0) {
            ::close(fd[static_cast<std::size_t>(k)]);
            fd[static_cast<std::size_t>(k)] = -1;
        }
    }
    [[nodiscard]] int operator[](int k) const { return fd[static_cast<std::size_t>(k)]; }
};

std::unique_ptr<reactor> make_reactor(scheduler& s, const spooler_clock& c)
{
    auto r = reactor::create(s, c);
    REQUIRE(r.has_value());
    return std::move(*r);
}

/// Runs the scheduler and the reactor (without blocking) until neither has anything to do.
void drive(scheduler& s, reactor& io)
{
    for (;;) {
        s.run_until_idle();
        auto n = io.run_once(0ms);
        REQUIRE(n.has_value());
        if (*n == 0) {
            s.run_until_idle();
            return;
        }
    }
}

/// What a waiting coroutine saw.
struct outcome {
    bool done = false;
    scode code = scode::call_failed;
};

task<void> await_readable(reactor& io, int fd, std::chrono::milliseconds timeout, outcome& out,
                          std::vector<std::string>* log = nullptr, std::string name = {})
{
    auto r = co_await io.readable(fd, timeout);
    out.done = true;
    out.code = r ? scode::success : r.code();
    if (log != nullptr) {
        log->push_back(name);
    }
}

task<void> await_writable(reactor& io, int fd, outcome& out)
{
    auto r = co_await io.writable(fd);
    out.done = true;
    out.code = r ? scode::success : r.code();
}

task<void> sleeper(reactor& io, std::chrono::milliseconds d, std::vector<std::string>& log, std::string name)
{
    auto r = co_await io.sleep_for(d);
    log.push_back(r ? name : name + ":failed");
}

task<void> counter(scheduler& s, int turns, int& count)
{
    for (int k = 0; k < turns; ++k) {
        ++count;
        co_await s.yield();
    }
}

void write_text(int fd, const char* text)
{
    const std::string s{text};
    REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
}

/// Fills a non-blocking socket's send buffer until it would block.
void fill(int fd)
{
    std::array<char, 4096> chunk{};
    while (::write(fd, chunk.data(), chunk.size()) > 0) {
    }
    REQUIRE(errno == EAGAIN);
}

/// A readable wait on `fd` that must not end before `text` is written to `peer`; what it ended
/// with after that.
scode wait_for_data(scheduler& s, reactor& io, int fd, int peer, const char* text)
{
    outcome out;
    s.spawn(await_readable(io, fd, io_wait::no_deadline, out));
    drive(s, io);
    CHECK_FALSE(out.done);
    write_text(peer, text);
    drive(s, io);
    REQUIRE(out.done);
    return out.code;
}

/// True if the reactor's epoll descriptor is readable now (`run_once` has work).
bool has_work(const reactor& io)
{
    ::pollfd p{io.native_handle(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

task<void> wait_loop(reactor& io, int fd, int rounds, int& ok)
{
    for (int k = 0; k < rounds; ++k) {
        if (co_await io.writable(fd)) {
            ++ok;
        }
    }
}

} // namespace

TEST_SUITE("mapixx/spooler/reactor.hpp")
{
    TEST_CASE("readable resumes the waiter when data arrives - other coroutines run meanwhile")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        outcome out;
        int count = 0;
        s.spawn(await_readable(*io, sp[0], io_wait::no_deadline, out));
        s.spawn(counter(s, 50, count));
        drive(s, *io);
        CHECK_FALSE(out.done);
        CHECK(count == 50);
        CHECK(io->pending() == 1);
        write_text(sp[1], "x");
        drive(s, *io);
        CHECK(out.done);
        CHECK(out.code == scode::success);
        CHECK(io->pending() == 0);
    }

    TEST_CASE("readable(fd, timeout) ends with timeout once the clock passes it - not before")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        outcome out;
        s.spawn(await_readable(*io, sp[0], 5000ms, out));
        drive(s, *io);
        clock.advance(4999ms);
        drive(s, *io);
        CHECK_FALSE(out.done);
        clock.advance(1ms);
        drive(s, *io);
        CHECK(out.done);
        CHECK(out.code == scode::timeout);
        CHECK(io->pending() == 0);
    }

    TEST_CASE("data that arrives before the timeout wins - the timer is cancelled with the wait")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        outcome out;
        s.spawn(await_readable(*io, sp[0], 1000ms, out));
        drive(s, *io);
        write_text(sp[1], "x");
        drive(s, *io);
        CHECK(out.code == scode::success);
        clock.advance(2000ms);
        drive(s, *io);  // the timer must not fire a second time
        CHECK(out.code == scode::success);
        CHECK(io->pending() == 0);
    }

    TEST_CASE("sleep_for timers end in deadline order - equal deadlines in arming order - none early")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        std::vector<std::string> log;
        s.spawn(sleeper(*io, 300ms, log, "c"));
        s.spawn(sleeper(*io, 100ms, log, "a"));
        s.spawn(sleeper(*io, 200ms, log, "b1"));
        s.spawn(sleeper(*io, 200ms, log, "b2"));
        drive(s, *io);
        CHECK(log.empty());
        clock.advance(150ms);
        drive(s, *io);
        CHECK(log == std::vector<std::string>{"a"});
        clock.advance(1000ms);
        drive(s, *io);
        CHECK(log == std::vector<std::string>{"a", "b1", "b2", "c"});
    }

    TEST_CASE("sleep_for with the real clock ends and the blocking run_once returns for it")
    {
        scheduler s;
        steady_spooler_clock clock;
        auto io = make_reactor(s, clock);
        std::vector<std::string> log;
        s.spawn(sleeper(*io, 5ms, log, "slept"));
        s.run_until_idle();
        // Blocks until the timerfd fires: no timeout given, so only the timer can end it.
        while (log.empty()) {
            auto n = io->run_once(std::nullopt);
            REQUIRE(n.has_value());
            s.run_until_idle();
        }
        CHECK(log == std::vector<std::string>{"slept"});
    }

    TEST_CASE("hang-up: a readable wait on a pipe whose writer closes ends with network_error, not a hang")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        pipe_pair p;
        outcome out;
        s.spawn(await_readable(*io, p[0], io_wait::no_deadline, out));
        drive(s, *io);
        CHECK_FALSE(out.done);
        p.close(1);
        drive(s, *io);
        CHECK(out.done);
        CHECK(out.code == scode::network_error);
    }

    TEST_CASE("hang-up: a peer that writes then closes still gives a readable success - the read sees the data")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        outcome out;
        s.spawn(await_readable(*io, sp[0], io_wait::no_deadline, out));
        drive(s, *io);
        write_text(sp[1], "bye");
        sp.close(1);
        drive(s, *io);
        CHECK(out.code == scode::success);
        std::array<char, 8> buf{};
        CHECK(::read(sp[0], buf.data(), buf.size()) == 3);
        CHECK(::read(sp[0], buf.data(), buf.size()) == 0);  // end of file
    }

    TEST_CASE("hang-up: a writable wait on a full socket ends with network_error when the peer closes")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        fill(sp[0]);
        outcome out;
        s.spawn(await_writable(*io, sp[0], out));
        drive(s, *io);
        CHECK_FALSE(out.done);
        sp.close(1);
        drive(s, *io);
        CHECK(out.done);
        CHECK(out.code == scode::network_error);
    }

    TEST_CASE("error: a writable wait on a pipe whose reader closed ends with network_error (EPOLLERR)")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        pipe_pair p;
        p.close(0);
        outcome out;
        s.spawn(await_writable(*io, p[1], out));
        drive(s, *io);
        CHECK(out.done);
        CHECK(out.code == scode::network_error);
    }

    TEST_CASE("a descriptor that is not open fails at once with invalid_parameter - a regular file is always ready")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        outcome closed;
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        ::close(fd);
        s.spawn(await_readable(*io, fd, io_wait::no_deadline, closed));
        drive(s, *io);
        CHECK(closed.done);
        CHECK(closed.code == scode::invalid_parameter);

        char path[] = "/tmp/mapixx_reactor_XXXXXX";
        const int file = ::mkstemp(path);
        REQUIRE(file >= 0);
        ::unlink(path);
        outcome regular;
        s.spawn(await_readable(*io, file, io_wait::no_deadline, regular));
        drive(s, *io);
        ::close(file);
        CHECK(regular.done);
        CHECK(regular.code == scode::success);
        CHECK(io->pending() == 0);
    }

    TEST_CASE("cancel(fd) ends every wait on the descriptor with cancel - cancel_all ends the rest with its code")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair a;
        socket_pair b;
        outcome a1;
        outcome a2;
        outcome b1;
        std::vector<std::string> log;
        s.spawn(await_readable(*io, a[0], io_wait::no_deadline, a1));
        s.spawn(await_readable(*io, a[0], 1000ms, a2));
        s.spawn(await_readable(*io, b[0], io_wait::no_deadline, b1));
        s.spawn(sleeper(*io, 1000ms, log, "timer"));
        drive(s, *io);
        REQUIRE(io->pending() == 4);
        CHECK(io->cancel(a[0]) == 2);
        drive(s, *io);
        CHECK(a1.code == scode::cancel);
        CHECK(a2.code == scode::cancel);
        CHECK_FALSE(b1.done);
        CHECK(io->cancel_all(scode::end_of_session) == 2);
        drive(s, *io);
        CHECK(b1.code == scode::end_of_session);
        CHECK(log == std::vector<std::string>{"timer:failed"});
        CHECK(io->pending() == 0);
    }

    TEST_CASE("wake() from another thread ends a run_once blocked without timeout")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        std::thread other{[&io] { io->wake(); }};
        auto n = io->run_once(std::nullopt);  // would block for ever without the wake
        other.join();
        REQUIRE(n.has_value());
        CHECK(*n == 1);
    }

    TEST_CASE("the epoll descriptor is readable exactly when run_once has work")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        outcome out;
        s.spawn(await_readable(*io, sp[0], io_wait::no_deadline, out));
        drive(s, *io);
        CHECK_FALSE(has_work(*io));
        write_text(sp[1], "x");
        CHECK(has_work(*io));
        drive(s, *io);
        CHECK(out.code == scode::success);
        CHECK_FALSE(has_work(*io));  // the socket, unread, is disabled in the set until its next wait
        io->wake();
        CHECK(has_work(*io));
        drive(s, *io);
        CHECK_FALSE(has_work(*io));
    }

    TEST_CASE("one socket waited on again and again: each wait ends, data that came between waits ends the next at once")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        for (int round = 0; round < 50; ++round) {
            CHECK(wait_for_data(s, *io, sp[0], sp[1], "a") == scode::success);
            // Unread data and more of it while nobody waits: the reactor has no work.
            write_text(sp[1], "b");
            CHECK_FALSE(has_work(*io));
            // The next wait finds the data that is there already.
            outcome again;
            s.spawn(await_readable(*io, sp[0], io_wait::no_deadline, again));
            drive(s, *io);
            REQUIRE(again.done);
            CHECK(again.code == scode::success);
            std::array<char, 8> buf{};
            REQUIRE(::read(sp[0], buf.data(), buf.size()) == 2);
        }
        CHECK(io->pending() == 0);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("a wait that timed out or was cancelled leaves no armed descriptor: later data gives the reactor no work")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;
        // First a wait that ends by data, so that the descriptor is in the set already.
        REQUIRE(wait_for_data(s, *io, sp[0], sp[1], "x") == scode::success);
        std::array<char, 8> buf{};
        REQUIRE(::read(sp[0], buf.data(), buf.size()) == 1);

        outcome timed;
        s.spawn(await_readable(*io, sp[0], 100ms, timed));
        drive(s, *io);
        clock.advance(100ms);
        drive(s, *io);
        REQUIRE(timed.done);
        CHECK(timed.code == scode::timeout);
        write_text(sp[1], "y");
        CHECK_FALSE(has_work(*io));
        REQUIRE(::read(sp[0], buf.data(), buf.size()) == 1);

        outcome cancelled;
        s.spawn(await_readable(*io, sp[0], io_wait::no_deadline, cancelled));
        drive(s, *io);
        CHECK(io->cancel(sp[0]) == 1);
        drive(s, *io);
        CHECK(cancelled.code == scode::cancel);
        write_text(sp[1], "z");
        CHECK_FALSE(has_work(*io));
        CHECK(io->pending() == 0);
    }

    TEST_CASE("a descriptor closed without cancel after its wait ended: a new one with the same number is watched")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        // keep_old: the old socket stays open under another number (a dup), so the system
        // keeps its entry in the epoll set; otherwise closing drops it.
        for (const bool keep_old : {false, true}) {
            CAPTURE(keep_old);
            socket_pair old_pair;
            const int number = old_pair[0];
            REQUIRE(wait_for_data(s, *io, number, old_pair[1], "x") == scode::success);
            const int kept = keep_old ? ::dup(number) : -1;
            // Closed without cancel(number), as a transport may do with no wait pending, and
            // the number given to a new socket.
            socket_pair new_pair;
            REQUIRE(::dup2(new_pair[0], number) == number);
            CHECK(wait_for_data(s, *io, number, new_pair[1], "y") == scode::success);
            CHECK(io->cancel(number) == 0);
            if (kept >= 0) {
                ::close(kept);
            }
        }
        CHECK(io->pending() == 0);
    }

    TEST_CASE("destroying a coroutine that waits unlinks its wait - so does destroying the reactor first")
    {
        socket_pair sp;
        manual_clock clock;
        {
            scheduler s;
            auto io = make_reactor(s, clock);
            {
                scheduler inner;
                outcome out;
                inner.spawn(await_readable(*io, sp[0], 1000ms, out));
                inner.run_until_idle();
                CHECK(io->pending() == 1);
            }  // the inner scheduler destroys the waiting frame
            CHECK(io->pending() == 0);
            clock.advance(2000ms);
            drive(s, *io);  // no dangling timer fires
        }
        {
            scheduler s;
            outcome out;
            auto io = make_reactor(s, clock);
            s.spawn(await_readable(*io, sp[0], 1000ms, out));
            s.run_until_idle();
            io.reset();  // the frame is destroyed after the reactor: its wait must not touch it
            CHECK_FALSE(out.done);
        }
    }

    TEST_CASE("zero allocations per wait after warm-up")
    {
        scheduler s;
        manual_clock clock;
        auto io = make_reactor(s, clock);
        socket_pair sp;  // always writable
        constexpr int rounds = 1000;
        int ok = 0;
        s.spawn(wait_loop(*io, sp[0], 2 * rounds, ok));
        // Warm up: the descriptor table and the scheduler's queues reach their working size.
        for (int k = 0; k < 10; ++k) {
            s.run_until_idle();
            static_cast<void>(io->run_once(0ms));
        }
        const int ok_before = ok;
        const std::size_t before = allocations_on_this_thread();
        std::size_t ended = 0;
        for (int k = 0; k < rounds; ++k) {
            s.run_until_idle();
            auto n = io->run_once(0ms);
            ended += n ? *n : 0;
        }
        const std::size_t after = allocations_on_this_thread();
        CHECK(ended == static_cast<std::size_t>(rounds));
        CHECK(ok - ok_before == rounds);
        CHECK(after - before == 0);
        drive(s, *io);
        CHECK(s.spawned_count() == 0);
    }
}

#endif

} // namespace reactor_tests
