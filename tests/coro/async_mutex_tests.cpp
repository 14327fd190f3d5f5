// SPDX-License-Identifier: MIT
#include <mapixx/coro/async_mutex.hpp>
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#include "coro_test_helpers.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace async_mutex_tests {

using mapixx::async_mutex;
using mapixx::sync_wait;
using mapixx::async_mutex_lock;
using mapixx::scheduler;
using mapixx::task;

namespace {

task<> record_when_locked(async_mutex& m, std::vector<int>& order, int id)
{
    async_mutex_lock lock = co_await m.scoped_lock_async();
    order.push_back(id);
}

task<> hold_for_turns(scheduler& s, async_mutex& m, int turns)
{
    async_mutex_lock lock = co_await m.scoped_lock_async();
    for (int i = 0; i < turns; ++i) {
        co_await s.yield();
    }
}

task<> exclusive_work(scheduler& s, async_mutex& m, int& inside, int& most_inside, int& total,
                      int rounds)
{
    for (int i = 0; i < rounds; ++i) {
        async_mutex_lock lock = co_await m.scoped_lock_async();
        ++inside;
        most_inside = std::max(most_inside, inside);
        co_await s.yield(); // give every other coroutine the chance to barge in
        ++total;
        --inside;
    }
}

task<> lock_and_flag(async_mutex& m, bool& flag)
{
    async_mutex_lock lock = co_await m.scoped_lock_async();
    flag = true;
}

task<> lock_unlock_manually(async_mutex& m, int& count)
{
    co_await m.lock_async();
    ++count;
    m.unlock();
}

task<> increment_many(async_mutex& m, int& counter, int times)
{
    for (int i = 0; i < times; ++i) {
        async_mutex_lock lock = co_await m.scoped_lock_async();
        ++counter; // a plain int: the mutex is the only protection
    }
}

task<> lock_and_record_thread(async_mutex& m, std::thread::id& id)
{
    async_mutex_lock lock = co_await m.scoped_lock_async();
    id = std::this_thread::get_id();
}

task<> wait_measured(async_mutex& m, std::size_t& before, std::size_t& after)
{
    before = mapixx_test::allocations_on_this_thread();
    co_await m.lock_async();
    after = mapixx_test::allocations_on_this_thread();
    m.unlock();
}

} // namespace

static_assert(!std::is_copy_constructible_v<async_mutex_lock>);
static_assert(std::is_nothrow_move_constructible_v<async_mutex_lock>);
static_assert(std::is_nothrow_move_assignable_v<async_mutex_lock>);
static_assert(mapixx::awaitable<async_mutex::scoped_lock_operation>);
static_assert(std::is_same_v<mapixx::await_result_t<async_mutex::scoped_lock_operation>,
                             async_mutex_lock>);

TEST_SUITE("async_mutex")
{
    TEST_CASE("try_lock takes a free mutex and fails on a locked one")
    {
        async_mutex m;
        CHECK(m.try_lock());
        CHECK_FALSE(m.try_lock());
        m.unlock();
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("scoped_lock_async yields a lock that unlocks the mutex when destroyed")
    {
        async_mutex m;
        auto body = [](async_mutex& m) -> task<bool> {
            {
                async_mutex_lock lock = co_await m.scoped_lock_async();
                if (!lock.owns_lock() || lock.mutex() != &m || m.try_lock()) {
                    co_return false;
                }
            }
            co_return true;
        };
        CHECK(sync_wait(body(m)));
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("moving an async_mutex_lock transfers ownership and unlocks exactly once")
    {
        async_mutex m;
        REQUIRE(m.try_lock());
        {
            async_mutex_lock first{m, std::adopt_lock};
            async_mutex_lock second = std::move(first);
            CHECK_FALSE(first.owns_lock()); // NOLINT(bugprone-use-after-move)
            CHECK(second.owns_lock());
            CHECK_FALSE(m.try_lock());
        }
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("unlock on a lock releases early, and the destructor then does nothing")
    {
        async_mutex m;
        async_mutex other;
        REQUIRE(m.try_lock());
        async_mutex_lock lock{m, std::adopt_lock};
        lock.unlock();
        CHECK_FALSE(lock);
        CHECK(m.try_lock()); // free again; the lock must not unlock it a second time
        REQUIRE(other.try_lock());
        lock = async_mutex_lock{other, std::adopt_lock};
        CHECK(lock.mutex() == &other);
        lock.unlock();
        CHECK(other.try_lock());
        other.unlock();
        m.unlock();
    }

    TEST_CASE("lock_async and unlock work without a lock object")
    {
        async_mutex m;
        int count = 0;
        sync_wait(lock_unlock_manually(m, count));
        sync_wait(lock_unlock_manually(m, count));
        CHECK(count == 2);
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("waiters get the lock in first-come, first-served order")
    {
        scheduler s;
        async_mutex m{s};
        std::vector<int> order;
        s.spawn(hold_for_turns(s, m, 3));
        for (int id = 0; id < 5; ++id) {
            s.spawn(record_when_locked(m, order, id));
        }
        s.run();
        const std::vector<int> expected{0, 1, 2, 3, 4};
        CHECK(order == expected);
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("waiters get the lock in order when unlock resumes them inline")
    {
        scheduler s;
        async_mutex m; // no scheduler
        std::vector<int> order;
        REQUIRE(m.try_lock());
        for (int id = 4; id >= 0; --id) {
            s.spawn(record_when_locked(m, order, id));
        }
        s.run_until_idle();
        CHECK(order.empty());
        m.unlock(); // each waiter unlocks in turn, which resumes the next
        const std::vector<int> expected{4, 3, 2, 1, 0};
        CHECK(order == expected);
    }

    TEST_CASE("only one coroutine at a time holds the lock")
    {
        scheduler s;
        async_mutex m{s};
        int inside = 0;
        int most_inside = 0;
        int total = 0;
        for (int i = 0; i < 8; ++i) {
            s.spawn(exclusive_work(s, m, inside, most_inside, total, 25));
        }
        s.run();
        CHECK(most_inside == 1);
        CHECK(total == 8 * 25);
        CHECK(inside == 0);
    }

    TEST_CASE("without a scheduler, unlock resumes the next waiter before returning")
    {
        scheduler s;
        async_mutex m;
        bool flag = false;
        REQUIRE(m.try_lock());
        s.spawn(lock_and_flag(m, flag));
        s.run_until_idle();
        CHECK_FALSE(flag);
        m.unlock();
        CHECK(flag);
        CHECK(s.spawned_count() == 0);
    }

    TEST_CASE("with a scheduler, unlock queues the next waiter on the loop")
    {
        scheduler s;
        async_mutex m{s};
        bool flag = false;
        REQUIRE(m.try_lock());
        s.spawn(lock_and_flag(m, flag));
        s.run_until_idle();
        m.unlock();
        CHECK_FALSE(flag);
        CHECK(s.run_until_idle() == 1);
        CHECK(flag);
    }

    TEST_CASE("the lock passes straight to the oldest waiter, so try_lock cannot overtake it")
    {
        scheduler s;
        async_mutex m{s};
        bool flag = false;
        REQUIRE(m.try_lock());
        s.spawn(lock_and_flag(m, flag));
        s.run_until_idle();
        m.unlock();
        CHECK_FALSE(m.try_lock()); // owned by the queued waiter
        s.run_until_idle();
        CHECK(flag);
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("coroutines on several threads exclude each other")
    {
        async_mutex m;
        int counter = 0;
        constexpr int threads = 4;
        constexpr int times = 2000;
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&m, &counter] { sync_wait(increment_many(m, counter, times)); });
        }
        for (std::thread& w : workers) {
            w.join();
        }
        CHECK(counter == threads * times);
    }

    TEST_CASE("with a scheduler, a waiter released from another thread resumes on the loop")
    {
        scheduler s;
        async_mutex m{s};
        std::thread::id resumed_on;
        std::thread::id loop_id;
        REQUIRE(m.try_lock());
        s.spawn(lock_and_record_thread(m, resumed_on));
        s.run_until_idle(); // the waiter is queued on the mutex
        std::thread loop{[&s, &loop_id] {
            loop_id = std::this_thread::get_id();
            s.run(); // blocks: the spawned waiter has not finished
        }};
        m.unlock(); // from this thread: the waiter is posted to the loop's thread
        loop.join();
        CHECK(resumed_on == loop_id);
        CHECK(resumed_on != std::this_thread::get_id());
    }

    TEST_CASE("waiting for the lock allocates nothing" *
              doctest::skip(!mapixx_test::counts_allocations))
    {
        scheduler s;
        async_mutex m{s};
        std::size_t before = 0;
        std::size_t after = 0;
        REQUIRE(m.try_lock());
        s.spawn(wait_measured(m, before, after));
        s.run_until_idle();
        m.unlock();
        s.run_until_idle();
        CHECK(before != 0);
        CHECK(after - before == 0);
        CHECK(m.try_lock());
        m.unlock();
    }
}

} // namespace async_mutex_tests
