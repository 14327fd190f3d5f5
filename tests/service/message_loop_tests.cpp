// SPDX-License-Identifier: MIT
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/waitable_event.hpp>

#include "service_test_helpers.hpp"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <pthread.h>
#include <signal.h>

namespace message_loop_tests {

using mapixx::event_reset;
using mapixx::message;
using mapixx::loop_message_kind;
using mapixx::message_loop;
using mapixx::run_end;
using mapixx::scode;
using mapixx::wait_result;
using mapixx::wait_status;
using mapixx::waitable_event;
using mapixx_service_test::hang_guard;

static_assert(!std::is_copy_constructible_v<message_loop>);
static_assert(std::is_nothrow_move_constructible_v<message_loop>);
static_assert(std::is_copy_constructible_v<mapixx::loop_poster>);
static_assert(mapixx::scheduler_like<message_loop>);
static_assert(mapixx::scheduler_like<mapixx::loop_poster>);
static_assert(message_loop::max_handles == 63);

namespace {

std::vector<waitable_event> make_events(std::size_t n, event_reset mode = event_reset::manual)
{
    std::vector<waitable_event> events;
    for (std::size_t i = 0; i < n; ++i) {
        events.push_back(waitable_event::create(mode).value());
    }
    return events;
}

std::vector<waitable_event*> pointers(std::vector<waitable_event>& events)
{
    std::vector<waitable_event*> out;
    for (auto& e : events) {
        out.push_back(&e);
    }
    return out;
}

message logging(std::vector<std::string>& log, std::string text)
{
    return message{loop_message_kind::call, [&log, text] { log.push_back(text); }, 0};
}

mapixx::task<> hop_onto(message_loop& loop, std::thread::id& resumed_on)
{
    co_await loop.schedule();
    resumed_on = std::this_thread::get_id();
}

std::atomic<int> usr1_count{0};
extern "C" void count_usr1(int) { usr1_count.fetch_add(1); }

} // namespace

TEST_SUITE("message_loop")
{
    TEST_CASE("wait returns the index of the handle that was signalled, among several")
    {
        auto loop = message_loop::create().value();
        auto events = make_events(5);
        auto handles = pointers(events);
        std::thread setter{[&events] { events[3].set(); }};
        auto r = loop.wait(handles, hang_guard);
        setter.join();
        REQUIRE(r.has_value());
        CHECK(r->status == wait_status::signalled);
        CHECK(r->index == 3);
        CHECK(*r == wait_result::signalled(3));
    }

    TEST_CASE("wait reports the lowest index when several handles are signalled")
    {
        auto loop = message_loop::create().value();
        auto events = make_events(4);
        auto handles = pointers(events);
        events[3].set();
        events[1].set();
        CHECK(loop.wait(handles, hang_guard).value() == wait_result::signalled(1));
    }

    TEST_CASE("wait takes the signal of an auto-reset handle and leaves a manual one set")
    {
        auto loop = message_loop::create().value();
        auto automatic = waitable_event::create(event_reset::automatic).value();
        auto manual = waitable_event::create(event_reset::manual).value();
        automatic.set();
        CHECK(loop.wait(automatic, hang_guard).value() == wait_result::signalled(0));
        CHECK_FALSE(automatic.is_set());
        CHECK(loop.wait(automatic, std::chrono::milliseconds{0}).value() == wait_result::timeout());

        manual.set();
        CHECK(loop.wait(manual, hang_guard).value() == wait_result::signalled(0));
        CHECK(manual.is_set());
        CHECK(loop.wait(manual, hang_guard).value() == wait_result::signalled(0));
    }

    TEST_CASE("wait returns message when another thread posts, and nothing has run before the pump")
    {
        auto loop = message_loop::create().value();
        auto events = make_events(2);
        auto handles = pointers(events);
        std::atomic<int> ran{0};
        std::thread poster{[p = loop.poster(), &ran] { p.post({.handler = [&ran] { ++ran; }}).value(); }};
        auto r = loop.wait(handles, hang_guard);
        poster.join();
        REQUIRE(r.has_value());
        CHECK(r->status == wait_status::message);
        CHECK(ran == 0);
        CHECK(loop.pump() == 1);
        CHECK(ran == 1);
    }

    TEST_CASE("wait returns timeout when nothing happens")
    {
        auto loop = message_loop::create().value();
        auto events = make_events(3);
        auto handles = pointers(events);
        CHECK(loop.wait(handles, std::chrono::milliseconds{20}).value() == wait_result::timeout());
        CHECK(loop.wait(handles, std::chrono::milliseconds{0}).value() == wait_result::timeout());
        CHECK(loop.wait(std::chrono::milliseconds{0}).value() == wait_result::timeout());
    }

    TEST_CASE("wait on the queue alone returns message for a post from the owner thread")
    {
        auto loop = message_loop::create().value();
        loop.post({}).value();
        CHECK(loop.wait(hang_guard).value() == wait_result::message());
        CHECK(loop.pump() == 1); // a message without a handler still counts
        CHECK(loop.wait(std::chrono::milliseconds{0}).value() == wait_result::timeout());
    }

    TEST_CASE("a signalled handle wins over a queued message")
    {
        auto loop = message_loop::create().value();
        auto events = make_events(2);
        auto handles = pointers(events);
        loop.post({}).value();
        events[1].set();
        CHECK(loop.wait(handles, hang_guard).value() == wait_result::signalled(1));
        events[1].reset();
        CHECK(loop.wait(handles, hang_guard).value() == wait_result::message());
    }

    TEST_CASE("a signal that interrupts the wait does not end it: it goes on until the post")
    {
        struct sigaction action {};
        action.sa_handler = &count_usr1;
        ::sigemptyset(&action.sa_mask);
        action.sa_flags = 0; // no SA_RESTART: poll fails with EINTR
        struct sigaction previous {};
        REQUIRE(::sigaction(SIGUSR1, &action, &previous) == 0);
        usr1_count = 0;

        auto loop = message_loop::create().value();
        const pthread_t waiter = ::pthread_self();
        std::thread interrupter{[&loop, waiter] {
            for (int i = 0; i < 20; ++i) {
                ::pthread_kill(waiter, SIGUSR1);
                std::this_thread::sleep_for(std::chrono::milliseconds{2});
            }
            loop.post({}).value();
        }};
        auto r = loop.wait(hang_guard);
        interrupter.join();
        ::sigaction(SIGUSR1, &previous, nullptr);
        REQUIRE(r.has_value());
        CHECK(r->status == wait_status::message);
        CHECK(usr1_count > 0);
    }

    TEST_CASE("pump dispatches in FIFO order and returns the count")
    {
        auto loop = message_loop::create().value();
        std::vector<std::string> log;
        for (int i = 0; i < 5; ++i) {
            loop.post(logging(log, "m" + std::to_string(i))).value();
        }
        CHECK(log.empty());
        CHECK(loop.pump() == 5);
        CHECK(log == std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"});
        CHECK(loop.pump() == 0);
    }

    TEST_CASE("pump keeps the posting order of messages from several threads")
    {
        auto loop = message_loop::create().value();
        std::vector<int> seen;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([p = loop.poster(), &seen, t] {
                for (int i = 0; i < 50; ++i) {
                    p.post({.handler = [&seen, t, i] { seen.push_back(t * 1000 + i); }}).value();
                }
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        CHECK(loop.pump() == 200);
        REQUIRE(seen.size() == 200);
        // Each thread's messages come out in the order that thread posted them.
        std::array<int, 4> next{};
        for (int v : seen) {
            const int t = v / 1000;
            CHECK(v % 1000 == next[static_cast<std::size_t>(t)]);
            ++next[static_cast<std::size_t>(t)];
        }
    }

    TEST_CASE("messages posted while pumping are handled by the next pump")
    {
        auto loop = message_loop::create().value();
        std::vector<std::string> log;
        loop.post({.handler = [&] {
            log.push_back("first");
            loop.post(logging(log, "posted by a handler")).value();
            // And one from another thread while this pump runs.
            std::thread other{[p = loop.poster(), &log] { p.post(logging(log, "posted by another thread")).value(); }};
            other.join();
        }}).value();
        loop.post(logging(log, "second")).value();

        CHECK(loop.pump() == 2);
        CHECK(log == std::vector<std::string>{"first", "second"});
        // What was left makes the next wait report a message at once.
        CHECK(loop.wait(std::chrono::milliseconds{0}).value() == wait_result::message());
        CHECK(loop.pump() == 2);
        CHECK(log == std::vector<std::string>{"first", "second", "posted by a handler", "posted by another thread"});
    }

    TEST_CASE("a handler that throws leaves pump, and the messages after it run at the next pump")
    {
        auto loop = message_loop::create().value();
        std::vector<std::string> log;
        loop.post(logging(log, "a")).value();
        loop.post({.handler = [] { throw std::runtime_error{"handler failed"}; }}).value();
        loop.post(logging(log, "c")).value();
        CHECK_THROWS_WITH_AS(loop.pump(), "handler failed", std::runtime_error);
        CHECK(log == std::vector<std::string>{"a"});
        CHECK(loop.pump() == 1);
        CHECK(log == std::vector<std::string>{"a", "c"});
    }

    TEST_CASE("a handler can pump again: the nested pump runs the rest of the batch")
    {
        auto loop = message_loop::create().value();
        std::vector<std::string> log;
        std::size_t inner = 0;
        loop.post({.handler = [&] {
            log.push_back("outer");
            inner = loop.pump();
        }}).value();
        loop.post(logging(log, "b")).value();
        loop.post(logging(log, "c")).value();
        CHECK(loop.pump() == 1);
        CHECK(inner == 2);
        CHECK(log == std::vector<std::string>{"outer", "b", "c"});
    }

    TEST_CASE("current() shows the id and tag of the message being run")
    {
        auto loop = message_loop::create().value();
        loop_message_kind seen_id = loop_message_kind::call;
        std::uint64_t seen_tag = 0;
        CHECK(message_loop::current() == nullptr);
        loop.post({.id = loop_message_kind::status_changed,
                   .handler =
                       [&] {
                           REQUIRE(message_loop::current() != nullptr);
                           seen_id = message_loop::current()->id;
                           seen_tag = message_loop::current()->tag;
                       },
                   .tag = 42})
            .value();
        loop.pump();
        CHECK(seen_id == loop_message_kind::status_changed);
        CHECK(seen_tag == 42);
        CHECK(message_loop::current() == nullptr);
    }

    TEST_CASE("wait rejects more than 63 handles, null or empty handles and a negative timeout")
    {
        auto loop = message_loop::create().value();
        auto events = make_events(64);
        auto handles = pointers(events);

        auto too_many = loop.wait(handles, std::chrono::milliseconds{0});
        CHECK(too_many.code() == scode::invalid_parameter);
        CHECK(too_many.info().message.find("63") != std::string::npos);

        handles.pop_back(); // 63 is allowed
        CHECK(loop.wait(handles, std::chrono::milliseconds{0}).value() == wait_result::timeout());
        events[62].set();
        CHECK(loop.wait(handles, hang_guard).value() == wait_result::signalled(62));

        std::vector<waitable_event*> with_null{&events[0], nullptr};
        CHECK(loop.wait(with_null, std::chrono::milliseconds{0}).code() == scode::invalid_parameter);

        waitable_event empty;
        std::vector<waitable_event*> with_empty{&empty};
        CHECK(loop.wait(with_empty, std::chrono::milliseconds{0}).code() == scode::invalid_parameter);

        CHECK(loop.wait(std::chrono::milliseconds{-1}).code() == scode::invalid_parameter);
    }

    TEST_CASE("run_until returns when the stop event is signalled from another thread")
    {
        auto loop = message_loop::create().value();
        auto stop = waitable_event::create(event_reset::manual).value();
        std::vector<std::string> log;
        std::thread worker{[p = loop.poster(), &stop, &log] {
            p.post(logging(log, "work")).value();
            p.post({.handler = [&stop] { stop.set(); }}).value();
        }};
        CHECK(loop.run_until(stop).value() == run_end::stop_signalled);
        worker.join();
        CHECK(log == std::vector<std::string>{"work"});
    }

    TEST_CASE("run_until leaves messages queued after the stop for a final pump")
    {
        auto loop = message_loop::create().value();
        auto stop = waitable_event::create(event_reset::manual, true).value();
        std::vector<std::string> log;
        loop.post(logging(log, "late")).value();
        CHECK(loop.run_until(stop).value() == run_end::stop_signalled);
        CHECK(log.empty()); // the stop wins over the queued message
        CHECK(loop.pump() == 1);
        CHECK(log == std::vector<std::string>{"late"});
    }

    TEST_CASE("run_until calls the idle handler only while no message is queued")
    {
        auto loop = message_loop::create().value();
        auto stop = waitable_event::create(event_reset::manual).value();
        std::vector<std::string> log;
        int idle_calls = 0;
        bool queue_was_empty_at_every_idle_call = true;
        loop.set_idle_handler([&] {
            queue_was_empty_at_every_idle_call = queue_was_empty_at_every_idle_call && !loop.has_pending();
            log.push_back("idle");
            switch (++idle_calls) {
            case 1:
                loop.post(logging(log, "m4")).value(); // must run before the next idle turn
                return true;
            case 2:
                return true; // more idle work: called again while the queue stays empty
            default:
                stop.set();
                return false;
            }
        });
        for (int i = 1; i <= 3; ++i) {
            loop.post(logging(log, "m" + std::to_string(i))).value();
        }
        CHECK(loop.run_until(stop).value() == run_end::stop_signalled);
        CHECK(queue_was_empty_at_every_idle_call);
        CHECK(log == std::vector<std::string>{"m1", "m2", "m3", "idle", "m4", "idle", "idle"});
    }

    TEST_CASE("after the idle handler has no more work, run_until sleeps until wake() gives it another turn")
    {
        auto loop = message_loop::create().value();
        auto stop = waitable_event::create(event_reset::manual).value();
        std::atomic<int> idle_calls{0};
        std::thread waker;
        loop.set_idle_handler([&] {
            if (++idle_calls == 1) {
                waker = std::thread{[p = loop.poster()] { p.wake().value(); }};
            } else {
                stop.set();
            }
            return false;
        });
        // Failure guard only: a loop that never wakes would otherwise hang the test.
        auto finished = waitable_event::create(event_reset::manual).value();
        std::thread guard{[&stop, &finished] {
            if (!finished.wait_for(hang_guard)) {
                stop.set();
            }
        }};
        CHECK(loop.run_until(stop).value() == run_end::stop_signalled);
        finished.set();
        waker.join();
        guard.join();
        CHECK(idle_calls == 2);
    }

    TEST_CASE("has_pending says whether a posted message is waiting")
    {
        auto loop = message_loop::create().value();
        CHECK_FALSE(loop.has_pending());
        loop.post({}).value();
        CHECK(loop.has_pending());
        loop.pump();
        CHECK_FALSE(loop.has_pending());
    }

    TEST_CASE("a coroutine that awaits schedule() resumes on the loop's thread when the loop pumps")
    {
        auto loop = message_loop::create().value();
        std::thread::id resumed_on;
        std::thread runner{[&] { mapixx::sync_wait(hop_onto(loop, resumed_on)); }};
        REQUIRE(loop.wait(hang_guard).value() == wait_result::message());
        CHECK(loop.pump() == 1);
        runner.join();
        CHECK(resumed_on == std::this_thread::get_id());
    }

    TEST_CASE("posting through a poster after the loop is destroyed fails with invalid_object")
    {
        mapixx::loop_poster poster;
        {
            auto loop = message_loop::create().value();
            poster = loop.poster();
            CHECK(poster.owner() == std::this_thread::get_id());
            CHECK(poster.post({}).has_value());
        }
        auto r = poster.post({});
        CHECK(r.code() == scode::invalid_object);
        CHECK(r.info().component == "mapixx.message_loop");
    }

    TEST_CASE("destroying the loop destroys the messages it never ran")
    {
        auto token = std::make_shared<int>(0);
        bool ran = false;
        {
            auto loop = message_loop::create().value();
            loop.post({.handler = [token, &ran] { ran = true; }}).value();
            CHECK(token.use_count() == 2);
        }
        CHECK_FALSE(ran);
        CHECK(token.use_count() == 1);
    }

    TEST_CASE("a moved loop keeps its queue and the source becomes empty")
    {
        auto a = message_loop::create().value();
        std::vector<std::string> log;
        a.post(logging(log, "x")).value();
        message_loop b{std::move(a)};
        CHECK_FALSE(a); // NOLINT(bugprone-use-after-move): the moved-from state is specified
        CHECK(b);
        CHECK(b.owner() == std::this_thread::get_id());
        CHECK(b.pump() == 1);
        CHECK(log == std::vector<std::string>{"x"});
    }

    TEST_CASE("pump from a thread that does not own the loop breaks a contract and aborts")
    {
        auto loop = message_loop::create().value();
        auto outcome = mapixx_service_test::run_in_child([&loop] {
            std::thread intruder{[&loop] { loop.pump(); }};
            intruder.join();
        });
        CHECK(outcome.signalled);
        CHECK(outcome.signal == SIGABRT);
        CHECK(outcome.stderr_text.find("message_loop::pump: called from a thread that does not own the loop") !=
              std::string::npos);
    }

    TEST_CASE("set_idle_handler from inside the idle handler breaks a contract and aborts")
    {
        auto outcome = mapixx_service_test::run_in_child([] {
            auto loop = message_loop::create().value();
            auto stop = waitable_event::create(event_reset::manual).value();
            loop.set_idle_handler([&] {
                loop.set_idle_handler({});
                return false;
            });
            static_cast<void>(loop.run_until(stop));
        });
        CHECK(outcome.signalled);
        CHECK(outcome.signal == SIGABRT);
        CHECK(outcome.stderr_text.find("inside the idle handler") != std::string::npos);
    }
}

} // namespace message_loop_tests
