// SPDX-License-Identifier: MIT
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#include "coro_test_helpers.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace scheduler_tests {

using mapixx::scheduler;
using mapixx::task;
using mapixx_test::counted;

namespace {

/// A scheduler-like type that resumes at once.
struct inline_scheduler {
    std::suspend_never schedule() noexcept { return {}; }
};

/// Not a scheduler: schedule() returns something that can't be awaited.
struct not_a_scheduler {
    int schedule() noexcept { return 0; }
};

/// Not a scheduler: awaiting schedule() yields a value.
struct valued_schedule {
    struct awaiter {
        bool await_ready() const noexcept { return true; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        int await_resume() const noexcept { return 1; }
    };
    awaiter schedule() noexcept { return {}; }
};

task<> log_around_schedule(scheduler& s, std::vector<std::string>& log, std::string name)
{
    log.push_back(name + " before");
    co_await s.schedule();
    log.push_back(name + " after");
}

task<> log_without_suspending(std::vector<std::string>& log, std::string name)
{
    log.push_back(name);
    co_return;
}

task<> yield_and_record(scheduler& s, std::vector<int>& order, int id, int turns)
{
    for (int i = 0; i < turns; ++i) {
        order.push_back(id);
        co_await s.yield();
    }
}

/// An address on the calling thread's stack, one call deeper than the caller (the frame of this
/// function): it moves down as calls nest, so the spread of the marks a coroutine takes is how
/// deep its resumptions went.
[[gnu::noinline]] std::uintptr_t stack_mark()
{
    return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
}

/// Yields `turns` times, widening [lowest, highest] to the stack mark of each resumption.
task<> yield_and_mark_stack(scheduler& s, int turns, std::uintptr_t& lowest, std::uintptr_t& highest)
{
    for (int i = 0; i < turns; ++i) {
        const std::uintptr_t mark = stack_mark();
        lowest = std::min(lowest, mark);
        highest = std::max(highest, mark);
        co_await s.yield();
    }
}

/// Logs `id` at each resumption. At its first it spawns `fanout` children, numbered from
/// `next_id` on, each with one child fewer; then it yields `turns` times.
task<> fan_out(scheduler& s, std::vector<int>& log, int& next_id, int id, int fanout, int turns)
{
    log.push_back(id);
    for (int k = 0; k < fanout; ++k) {
        const int child = next_id++;
        s.spawn(fan_out(s, log, next_id, child, fanout - 1, turns));
    }
    for (int i = 0; i < turns; ++i) {
        co_await s.yield();
        log.push_back(id);
    }
}

/// What `fan_out` from one root must log with a FIFO ready queue, worked out with a deque.
std::vector<int> fan_out_model(int fanout, int turns)
{
    struct node {
        int id;
        int fanout;
        int yields_left;
        bool started;
    };
    std::vector<int> log;
    int next_id = 1;
    std::deque<node> queue{{0, fanout, turns, false}};
    while (!queue.empty()) {
        node n = queue.front();
        queue.pop_front();
        log.push_back(n.id);
        if (!n.started) {
            n.started = true;
            for (int k = 0; k < n.fanout; ++k) {
                queue.push_back({next_id++, n.fanout - 1, turns, false});
            }
        }
        if (n.yields_left > 0) {
            --n.yields_left;
            queue.push_back(n);
        }
    }
    return log;
}

task<> yield_times(scheduler& s, int times)
{
    for (int i = 0; i < times; ++i) {
        co_await s.yield();
    }
}

task<> hold_and_yield(scheduler& s, counted c, int times)
{
    for (int i = 0; i < times; ++i) {
        co_await s.yield();
    }
    static_cast<void>(c);
}

task<> hold_forever(counted c)
{
    co_await std::suspend_always{}; // nothing ever resumes this
    static_cast<void>(c);
}

task<> throw_after_yield(scheduler& s, const char* message)
{
    co_await s.yield();
    throw std::runtime_error{message};
}

task<> yield_until(scheduler& s, const bool& quit, int& turns)
{
    while (!quit) {
        ++turns;
        co_await s.yield();
    }
}

task<> stop_after(scheduler& s, int turns)
{
    for (int i = 0; i < turns; ++i) {
        co_await s.yield();
    }
    s.stop();
}

/// Suspends, and has a new thread post the coroutine back to the scheduler.
struct post_from_new_thread {
    scheduler* s;
    mapixx_test::thread_starter* threads;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h)
    {
        scheduler* target = s;
        threads->start([target, h] { target->post(h); });
    }
    void await_resume() const noexcept {}
};

task<> record_thread_after_post(scheduler& s, mapixx_test::thread_starter& threads,
                                std::thread::id& resumed_on)
{
    co_await post_from_new_thread{&s, &threads};
    resumed_on = std::this_thread::get_id();
}

/// Suspends and publishes its handle, for the test thread to post it later.
struct park {
    std::atomic<void*>* parked;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept
    {
        parked->store(h.address(), std::memory_order_release);
    }
    void await_resume() const noexcept {}
};

task<> keep_loop_alive(std::atomic<void*>& parked)
{
    co_await park{&parked};
}

task<std::thread::id> hop_onto(scheduler& s)
{
    co_await s.schedule();
    co_return std::this_thread::get_id();
}

task<> post_self_and_check_queue(scheduler& s, std::size_t& queued_after_post)
{
    auto post_self = [](scheduler& s, std::size_t& queued) {
        struct awaiter {
            scheduler* s;
            std::size_t* queued;
            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<> h)
            {
                const std::size_t before = s->ready_count();
                s->post(h);
                *queued = s->ready_count() - before;
            }
            void await_resume() const noexcept {}
        };
        return awaiter{&s, &queued};
    };
    co_await post_self(s, queued_after_post);
}

task<> yield_measured(scheduler& s, std::size_t& before, std::size_t& after, std::size_t& yields)
{
    for (int i = 0; i < 10; ++i) { // warm-up: every coroutine is queued by now
        co_await s.yield();
    }
    before = mapixx_test::allocations_on_this_thread();
    for (int i = 0; i < 10'000; ++i) {
        co_await s.yield();
        ++yields;
    }
    after = mapixx_test::allocations_on_this_thread();
}

task<> yield_counting(scheduler& s, const bool& quit, std::size_t& yields)
{
    while (!quit) {
        co_await s.yield();
        ++yields;
    }
}

task<> measure_then_quit(scheduler& s, bool& quit, std::size_t& before, std::size_t& after,
                         std::size_t& yields)
{
    co_await yield_measured(s, before, after, yields);
    quit = true;
}

task<> throw_at_once(counted c, const char* message)
{
    static_cast<void>(c);
    throw std::runtime_error{message};
    co_return;
}

task<> await_child(task<> child, counted c)
{
    co_await std::move(child);
    static_cast<void>(c);
}

task<> finish_on_new_thread(mapixx_test::thread_starter& threads, counted c,
                            std::thread::id& finished_on, const char* message)
{
    co_await threads.resume_on_new_thread();
    finished_on = std::this_thread::get_id();
    static_cast<void>(c);
    if (message != nullptr) {
        throw std::runtime_error{message};
    }
}

task<> spawn_from_loop(scheduler& s, int children, std::size_t& allocations)
{
    std::vector<task<>> work;
    work.reserve(static_cast<std::size_t>(children));
    for (int i = 0; i < children; ++i) {
        work.push_back(yield_times(s, 2));
    }
    const std::size_t before = mapixx_test::allocations_on_this_thread();
    for (task<>& w : work) {
        s.spawn(std::move(w));
    }
    allocations = mapixx_test::allocations_on_this_thread() - before;
    co_return;
}

} // namespace

static_assert(mapixx::scheduler_like<scheduler>);
static_assert(mapixx::scheduler_like<inline_scheduler>);
static_assert(!mapixx::scheduler_like<not_a_scheduler>);
static_assert(!mapixx::scheduler_like<valued_schedule>);
static_assert(!mapixx::scheduler_like<int>);

TEST_SUITE("scheduler")
{
    TEST_CASE("schedule suspends the coroutine and queues it behind those already ready")
    {
        scheduler s;
        std::vector<std::string> log;
        s.spawn(log_around_schedule(s, log, "a"));
        s.spawn(log_without_suspending(log, "b"));
        CHECK(log.empty()); // spawn does not run anything
        s.run();
        const std::vector<std::string> expected{"a before", "b", "a after"};
        CHECK(log == expected);
    }

    TEST_CASE("coroutines that yield in a loop get round-robin turns")
    {
        scheduler s;
        std::vector<int> order;
        for (int id = 0; id < 3; ++id) {
            s.spawn(yield_and_record(s, order, id, 4));
        }
        s.run();
        const std::vector<int> expected{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
        CHECK(order == expected);
    }

    TEST_CASE("the ready queue keeps its order while it wraps around and grows")
    {
        // Room for 2 at first: spawns from the loop and yields interleave, so the ring grows
        // while its contents wrap past the end of the storage, again and again.
        scheduler s{2};
        std::vector<int> log;
        int next_id = 1;
        s.spawn(fan_out(s, log, next_id, 0, 4, 4));
        s.run();
        const std::vector<int> expected = fan_out_model(4, 4);
        CHECK(expected.size() == 65 * 5);
        CHECK(log == expected);
        CHECK(s.ready_capacity() > 2);
    }

    TEST_CASE("a million yields in a row run in a stack of bounded depth")
    {
        // A yield goes back to the loop, which resumes the next coroutine: no yield may nest a
        // call in the one before (as a resumption from inside await_suspend would, or a
        // symmetric transfer where the compiler does not make it a tail call, e.g. g++ at -O0).
        scheduler s;
        std::uintptr_t lowest = UINTPTR_MAX;
        std::uintptr_t highest = 0;
        s.spawn(yield_and_mark_stack(s, 500'000, lowest, highest));
        s.spawn(yield_and_mark_stack(s, 500'000, lowest, highest));
        CHECK(s.run() == 2 * 500'001);
        CHECK(highest - lowest < 256 * 1024);
    }

    TEST_CASE("spawned_count counts the spawned tasks that have not finished")
    {
        scheduler s;
        CHECK(s.spawned_count() == 0);
        s.spawn(yield_times(s, 1));
        s.spawn(yield_times(s, 3));
        CHECK(s.spawned_count() == 2);
        s.run_until_idle();
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("run_until_idle returns the number of resumptions it made")
    {
        scheduler s;
        s.spawn(yield_times(s, 3));
        s.spawn(yield_times(s, 3));
        // Each task: one start and one resumption per yield.
        CHECK(s.run_until_idle() == 8);
        CHECK(s.run_until_idle() == 0);
    }

    TEST_CASE("run returns once no work and no spawned task remains")
    {
        scheduler s;
        CHECK(s.run() == 0);
        s.spawn(yield_times(s, 5));
        CHECK(s.run() == 6);
        CHECK(s.spawned_count() == 0);
        CHECK(s.ready_count() == 0);
    }

    TEST_CASE("the frame of a spawned task is destroyed when the task finishes")
    {
        counted::reset();
        scheduler s;
        s.spawn(hold_and_yield(s, counted{1}, 2));
        CHECK(counted::alive() == 1);
        s.run();
        CHECK(counted::alive() == 0);
    }

    TEST_CASE("spawning an empty task throws broken_promise")
    {
        scheduler s;
        CHECK_THROWS_AS(s.spawn(task<>{}), mapixx::broken_promise);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("spawning allocates nothing besides the task's own frame" *
              doctest::skip(!mapixx_test::counts_allocations))
    {
        scheduler s; // room for 16 handles in its inbox and 64 in its ring
        std::vector<task<>> work;
        work.reserve(10);
        mapixx::detail::frame_cache::release_this_thread(); // every frame below comes from operator new
        const std::size_t before_create = mapixx_test::allocations_on_this_thread();
        for (int i = 0; i < 10; ++i) {
            work.push_back(yield_times(s, 2));
        }
        const std::size_t before_spawn = mapixx_test::allocations_on_this_thread();
        CHECK(before_spawn - before_create == 10); // one frame per task
        for (task<>& w : work) {
            s.spawn(std::move(w));
        }
        CHECK(mapixx_test::allocations_on_this_thread() - before_spawn == 0); // no wrapper
        CHECK(s.spawned_count() == 10);
        CHECK(s.run() == 30);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("spawning from the loop thread allocates nothing while the ring has room" *
              doctest::skip(!mapixx_test::counts_allocations))
    {
        scheduler s{64};
        std::size_t allocations = 99;
        s.spawn(spawn_from_loop(s, 20, allocations));
        s.run();
        CHECK(allocations == 0);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("an exception escaping a spawned task before it suspends is rethrown from run, "
              "and the task's frame is destroyed")
    {
        counted::reset();
        scheduler s;
        s.spawn(throw_at_once(counted{1}, "at once"));
        CHECK(counted::alive() == 1);
        CHECK(s.spawned_count() == 1);
        CHECK_THROWS_WITH_AS(s.run(), "at once", std::runtime_error);
        CHECK(counted::alive() == 0);
        CHECK(s.spawned_count() == 0);
        CHECK(s.run() == 0); // the failure was reported once
    }

    TEST_CASE("destroying the scheduler destroys a spawned task and the task it awaits")
    {
        counted::reset();
        {
            scheduler s;
            s.spawn(await_child(hold_forever(counted{1}), counted{2}));
            s.spawn(await_child(hold_forever(counted{3}), counted{4})); // never started
            CHECK(s.run_until_idle() == 2);
            CHECK(s.spawned_count() == 2);
            CHECK(counted::alive() == 4);
        }
        CHECK(counted::alive() == 0);
    }

    TEST_CASE("a spawned task that finishes on another thread is counted until it has, and run "
              "returns then")
    {
        counted::reset();
        scheduler s;
        mapixx_test::thread_starter threads; // joined before s is destroyed
        std::thread::id finished_on;
        s.spawn(finish_on_new_thread(threads, counted{1}, finished_on, nullptr));
        CHECK(s.run() == 1); // blocks until the other thread has destroyed the frame
        threads.join();
        CHECK(s.spawned_count() == 0);
        CHECK(counted::alive() == 0);
        CHECK(finished_on != std::this_thread::get_id());
    }

    TEST_CASE("an exception escaping a spawned task on another thread is rethrown from run")
    {
        counted::reset();
        scheduler s;
        mapixx_test::thread_starter threads;
        std::thread::id finished_on;
        s.spawn(finish_on_new_thread(threads, counted{1}, finished_on, "elsewhere"));
        std::exception_ptr escaped;
        try {
            s.run();
        } catch (...) {
            escaped = std::current_exception();
        }
        // The exception is read only after the task's thread has ended: that thread drops its
        // reference to the exception object inside libstdc++, whose atomic reference counts
        // ThreadSanitizer does not see, so reading it before the join is reported as a race.
        threads.join();
        REQUIRE(escaped);
        CHECK_THROWS_WITH_AS(std::rethrow_exception(escaped), "elsewhere", std::runtime_error);
        CHECK(s.spawned_count() == 0);
        CHECK(counted::alive() == 0);
        CHECK(s.run() == 0);
    }

    TEST_CASE("spawning a finished task queues nothing and reports its exception from the loop")
    {
        counted::reset();
        scheduler s;
        task<> failed = throw_at_once(counted{1}, "finished");
        CHECK_THROWS_WITH_AS(mapixx::sync_wait(failed), "finished", std::runtime_error);
        REQUIRE(failed.is_ready());
        task<> succeeded = yield_times(s, 0);
        mapixx::sync_wait(succeeded);
        REQUIRE(succeeded.is_ready());

        s.spawn(std::move(succeeded));
        CHECK(s.spawned_count() == 0);
        CHECK(s.run_until_idle() == 0);

        s.spawn(std::move(failed));
        CHECK(s.spawned_count() == 0);
        CHECK(counted::alive() == 0); // the frame is gone already
        CHECK_THROWS_WITH_AS(s.run_until_idle(), "finished", std::runtime_error);
        CHECK(s.run_until_idle() == 0);
    }

    TEST_CASE("destroying the scheduler destroys the spawned tasks that have not finished")
    {
        counted::reset();
        {
            scheduler s;
            s.spawn(hold_forever(counted{1}));
            s.spawn(hold_and_yield(s, counted{2}, 100));
            s.run_until_idle(); // the first suspends for good, the second finishes
            CHECK(s.spawned_count() == 1);
            s.spawn(hold_forever(counted{3}));
            CHECK(counted::alive() == 2);
        }
        CHECK(counted::alive() == 0);
    }

    TEST_CASE("an exception escaping a spawned task is rethrown from run, and run can go on")
    {
        scheduler s;
        int turns = 0;
        bool quit = false;
        s.spawn(throw_after_yield(s, "first"));
        s.spawn(throw_after_yield(s, "second"));
        s.spawn(stop_after(s, 5));
        s.spawn(yield_until(s, quit, turns));
        CHECK_THROWS_WITH_AS(s.run(), "first", std::runtime_error);
        CHECK_THROWS_WITH_AS(s.run(), "second", std::runtime_error);
        CHECK(s.spawned_count() == 2); // the failed tasks are gone, their frames freed
        s.run();                       // returns on the stop request
        CHECK(s.spawned_count() == 1);
        const int turns_before = turns;
        CHECK(turns_before == 5);
        quit = true;
        CHECK(s.run() == 1);
        CHECK(s.spawned_count() == 0);
        CHECK(turns == turns_before);
    }

    TEST_CASE("stop makes run return and leaves the queued coroutines for the next run")
    {
        scheduler s;
        bool quit = false;
        int turns = 0;
        s.spawn(yield_until(s, quit, turns));
        s.spawn(stop_after(s, 10));
        s.run();
        CHECK(turns == 11);
        CHECK(s.spawned_count() == 1);
        quit = true;
        CHECK(s.run() == 1);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("a stop requested before run makes the next run return at once, and only it")
    {
        scheduler s;
        s.stop();
        s.spawn(yield_times(s, 0));
        CHECK(s.run() == 0);
        CHECK(s.spawned_count() == 1);
        CHECK(s.run() == 1);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("post on the loop thread puts the handle straight into the ready queue")
    {
        scheduler s;
        std::size_t queued = 0;
        s.spawn(post_self_and_check_queue(s, queued));
        CHECK(s.run() == 2);
        CHECK(queued == 1);
    }

    TEST_CASE("a handle posted from another thread wakes run and resumes on the loop thread")
    {
        // The default room, and a scheduler with room for one handle (ready queue and inbox),
        // as a session's spooler has room for few: 20 posts at once make both grow.
        for (const std::size_t room : {std::size_t{64}, std::size_t{1}}) {
            CAPTURE(room);
            scheduler s{room};
            mapixx_test::thread_starter threads; // joined before s is destroyed
            constexpr int count = 20;
            std::vector<std::thread::id> resumed_on(count);
            for (int round = 0; round < 5; ++round) {
                for (std::thread::id& id : resumed_on) {
                    s.spawn(record_thread_after_post(s, threads, id));
                }
                // run blocks while the tasks wait for the other threads to post them.
                CHECK(s.run() == 2 * count);
                for (const std::thread::id& id : resumed_on) {
                    CHECK(id == std::this_thread::get_id());
                }
                CHECK(s.spawned_count() == 0);
            }
            CHECK(s.ready_capacity() >= room);
        }
    }

    TEST_CASE("schedule awaited on another thread moves the coroutine onto the loop thread")
    {
        scheduler s;
        std::atomic<void*> parked{nullptr};
        s.spawn(keep_loop_alive(parked)); // keeps run() from returning until posted
        std::thread::id loop_id;
        std::thread loop{[&s, &loop_id] {
            loop_id = std::this_thread::get_id();
            s.run();
        }};
        const std::thread::id resumed_on = mapixx::sync_wait(hop_onto(s));
        // The keeper parked before hop_onto ran (both went through the inbox, in order).
        void* keeper = parked.load(std::memory_order_acquire);
        REQUIRE(keeper != nullptr);
        s.post(std::coroutine_handle<>::from_address(keeper));
        loop.join();
        CHECK(resumed_on == loop_id);
        CHECK(resumed_on != std::this_thread::get_id());
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("the ready queue grows geometrically and keeps its capacity")
    {
        scheduler s{2};
        CHECK(s.ready_capacity() == 2);
        for (int i = 0; i < 100; ++i) {
            s.spawn(yield_times(s, 2));
        }
        s.run();
        CHECK(s.ready_capacity() == 128);
        CHECK(s.ready_count() == 0);
    }

    TEST_CASE("a yield allocates nothing once the ready queue has grown" *
              doctest::skip(!mapixx_test::counts_allocations))
    {
        scheduler s{2};
        bool quit = false;
        std::size_t before = 0;
        std::size_t after = 0;
        std::size_t yields = 0;
        for (int i = 0; i < 50; ++i) {
            s.spawn(yield_counting(s, quit, yields));
        }
        s.spawn(measure_then_quit(s, quit, before, after, yields));
        s.run();
        CHECK(before != 0);
        CHECK(after - before == 0);
        CHECK(yields >= 51 * 10'000);
        CHECK(s.spawned_count() == 0);
    }
}

} // namespace scheduler_tests
