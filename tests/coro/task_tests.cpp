// SPDX-License-Identifier: MIT
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#include "coro_test_helpers.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace task_tests {

using mapixx::sync_wait;
using mapixx::task;
using mapixx_test::counted;

namespace {

task<int> add(int a, int b)
{
    co_return a + b;
}

task<int> record_start(bool& started, int value)
{
    started = true;
    co_return value;
}

task<> increment(int& n)
{
    ++n;
    co_return;
}

task<int&> reference_to(int& object)
{
    co_return object;
}

task<std::unique_ptr<int>> make_unique_int(int v)
{
    co_return std::make_unique<int>(v);
}

task<int> throw_runtime_error(const char* message)
{
    throw std::runtime_error{message};
    co_return 0;
}

task<> throw_void(const char* message)
{
    throw std::runtime_error{message};
    co_return;
}

task<int&> throw_reference()
{
    static int unreachable = 0;
    throw std::out_of_range{"no such object"};
    co_return unreachable;
}

task<counted> make_counted(int v)
{
    co_return counted{v};
}

task<int> hold_counted(counted c)
{
    co_return c.value;
}

task<int> hold_counted_local(int v)
{
    counted local{v};
    co_return local.value;
}

task<int> depth(int n)
{
    if (n == 0) {
        co_return 0;
    }
    co_return 1 + co_await depth(n - 1);
}

task<std::int64_t> value_of(std::int64_t i)
{
    co_return i;
}

task<std::int64_t> sum_of_synchronous_awaits(std::int64_t count)
{
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < count; ++i) {
        sum += co_await value_of(i);
    }
    co_return sum;
}

} // namespace

static_assert(mapixx::awaitable<task<int>>);
static_assert(mapixx::awaitable<task<int>&>);
static_assert(!mapixx::awaitable<int>);
static_assert(std::is_same_v<mapixx::await_result_t<task<int>>, int>);
static_assert(std::is_same_v<mapixx::await_result_t<task<int>&>, int&>);
static_assert(std::is_same_v<mapixx::await_result_t<task<int&>>, int&>);
static_assert(std::is_same_v<mapixx::await_result_t<task<>>, void>);
static_assert(std::is_same_v<mapixx::await_result_t<task<std::unique_ptr<int>>>,
                             std::unique_ptr<int>>);
static_assert(std::is_same_v<task<>, task<void>>);
static_assert(std::is_base_of_v<std::logic_error, mapixx::broken_promise>);

TEST_SUITE("task")
{
    TEST_CASE("a task does not run its body until it is awaited")
    {
        bool started = false;
        task<int> t = record_start(started, 7);
        CHECK_FALSE(started);
        CHECK_FALSE(t.is_ready());
        CHECK(static_cast<bool>(t));
        CHECK(sync_wait(t) == 7);
        CHECK(started);
        CHECK(t.is_ready());
    }

    TEST_CASE("co_await on a task yields the value given to co_return")
    {
        auto outer = []() -> task<int> {
            const int x = co_await add(1, 2);
            const int y = co_await add(x, 4);
            co_return x * y;
        };
        CHECK(sync_wait(outer()) == 21);
    }

    TEST_CASE("a void task runs to completion when awaited, and only once")
    {
        int n = 0;
        task<> t = increment(n);
        auto outer = [](task<>& t) -> task<> {
            co_await t;
            co_await t; // ready: does not run the body again
        };
        sync_wait(outer(t));
        CHECK(n == 1);
    }

    TEST_CASE("a task of a reference yields the very object returned")
    {
        int object = 1;
        int& r = sync_wait(reference_to(object));
        CHECK(&r == &object);
        r = 5;
        CHECK(object == 5);
    }

    TEST_CASE("awaiting an rvalue task moves a move-only result out of it")
    {
        auto outer = []() -> task<int> {
            std::unique_ptr<int> p = co_await make_unique_int(7);
            co_return *p;
        };
        CHECK(sync_wait(outer()) == 7);
    }

    TEST_CASE("awaiting an lvalue task yields a reference to the value kept in the task")
    {
        auto outer = [](task<std::unique_ptr<int>>& t) -> task<> {
            std::unique_ptr<int>& kept = co_await t;
            REQUIRE(kept != nullptr);
            CHECK(*kept == 8);
            std::unique_ptr<int>& again = co_await t;
            CHECK(&again == &kept);
            std::unique_ptr<int> moved = co_await std::move(t);
            REQUIRE(moved != nullptr);
            CHECK(*moved == 8);
            CHECK(kept == nullptr); // the value was moved out of the task
        };
        task<std::unique_ptr<int>> t = make_unique_int(8);
        sync_wait(outer(t));
    }

    TEST_CASE("the result of a task is moved, never copied, and destroyed with the task")
    {
        counted::reset();
        {
            task<counted> t = make_counted(3);
            auto outer = [](task<counted>& t) -> task<int> {
                const counted& kept = co_await t;
                co_return kept.value;
            };
            CHECK(sync_wait(outer(t)) == 3);
            CHECK(counted::copy_constructions == 0);
            CHECK(counted::alive() == 1); // the result still lives in the task's frame
        }
        CHECK(counted::alive() == 0);

        counted::reset();
        {
            counted c = sync_wait(make_counted(4));
            CHECK(c.value == 4);
            CHECK(counted::copy_constructions == 0);
            CHECK(counted::alive() == 1);
        }
        CHECK(counted::alive() == 0);
    }

    TEST_CASE("an exception that escapes the body is rethrown at co_await")
    {
        auto outer = []() -> task<std::string> {
            try {
                co_await throw_runtime_error("boom");
            } catch (const std::runtime_error& e) {
                co_return std::string{"caught "} + e.what();
            }
            co_return "not thrown";
        };
        CHECK(sync_wait(outer()) == "caught boom");
        CHECK_THROWS_WITH_AS(sync_wait(throw_runtime_error("int")), "int", std::runtime_error);
        CHECK_THROWS_WITH_AS(sync_wait(throw_void("void")), "void", std::runtime_error);
        CHECK_THROWS_AS(sync_wait(throw_reference()), std::out_of_range);
    }

    TEST_CASE("an exception is rethrown every time a failed lvalue task is awaited")
    {
        task<int> t = throw_runtime_error("again");
        CHECK_THROWS_WITH_AS(sync_wait(t), "again", std::runtime_error);
        CHECK(t.is_ready());
        CHECK_THROWS_WITH_AS(sync_wait(t), "again", std::runtime_error);
    }

    TEST_CASE("awaiting a default-constructed task throws broken_promise")
    {
        task<int> empty;
        CHECK_FALSE(static_cast<bool>(empty));
        CHECK(empty.is_ready());
        CHECK_THROWS_AS(sync_wait(empty), mapixx::broken_promise);
        CHECK_THROWS_AS(sync_wait(task<>{}), mapixx::broken_promise);
        CHECK_THROWS_AS(sync_wait(task<int&>{}), mapixx::broken_promise);
    }

    TEST_CASE("awaiting a moved-from task throws broken_promise")
    {
        task<int> t = add(1, 1);
        task<int> taken = std::move(t);
        CHECK_FALSE(static_cast<bool>(t)); // NOLINT(bugprone-use-after-move)
        CHECK_THROWS_AS(sync_wait(t), mapixx::broken_promise);
        CHECK(sync_wait(taken) == 2);
    }

    TEST_CASE("a task that is never awaited destroys its frame and parameters")
    {
        counted::reset();
        {
            task<int> t = hold_counted(counted{1});
            CHECK(counted::alive() == 1); // the parameter copy in the frame
        }
        CHECK(counted::alive() == 0);
    }

    TEST_CASE("a finished task's locals are destroyed before the task is")
    {
        counted::reset();
        task<int> t = hold_counted_local(2);
        CHECK(counted::alive() == 0); // lazy: the local does not exist yet
        CHECK(sync_wait(t) == 2);
        CHECK(counted::alive() == 0);
        CHECK(counted::constructions() == 1);
    }

    TEST_CASE("move assignment destroys the frame the task held before")
    {
        counted::reset();
        task<int> t = hold_counted(counted{1});
        CHECK(counted::alive() == 1);
        t = add(2, 3);
        CHECK(counted::alive() == 0);
        CHECK(sync_wait(t) == 5);
    }

    TEST_CASE("a task is move-only")
    {
        CHECK(std::is_nothrow_move_constructible_v<task<int>>);
        CHECK(std::is_nothrow_move_assignable_v<task<int>>);
        CHECK_FALSE(std::is_copy_constructible_v<task<int>>);
        CHECK_FALSE(std::is_copy_assignable_v<task<int>>);
    }

    TEST_CASE("nested tasks pass results up a chain of a thousand awaits")
    {
        CHECK(sync_wait(depth(1000)) == 1000);
    }

    TEST_CASE("a million synchronously completing awaits in a loop do not overflow the stack")
    {
        constexpr std::int64_t count = 1'000'000;
        CHECK(sync_wait(sum_of_synchronous_awaits(count)) == count * (count - 1) / 2);
    }

    TEST_CASE("a task that suspends on a scheduler resumes its awaiter when it completes")
    {
        mapixx::scheduler s;
        std::vector<std::string> log;
        auto child = [](mapixx::scheduler& s, std::vector<std::string>& log) -> task<int> {
            log.emplace_back("child starts");
            co_await s.yield();
            log.emplace_back("child resumes");
            co_return 9;
        };
        auto parent = [&child](mapixx::scheduler& s, std::vector<std::string>& log) -> task<> {
            log.emplace_back("parent starts");
            const int v = co_await child(s, log);
            log.emplace_back("parent gets " + std::to_string(v));
        };
        auto other = [](std::vector<std::string>& log) -> task<> {
            log.emplace_back("other runs");
            co_return;
        };
        s.spawn(parent(s, log));
        s.spawn(other(log));
        s.run();
        const std::vector<std::string> expected{"parent starts", "child starts", "other runs",
                                                "child resumes", "parent gets 9"};
        CHECK(log == expected);
    }

    TEST_CASE("a task that completes on another thread delivers its result to its awaiter")
    {
        mapixx_test::thread_starter threads;
        auto child = [](mapixx_test::thread_starter& threads, int i)
            -> task<std::pair<int, std::thread::id>> {
            co_await threads.resume_on_new_thread();
            co_return std::pair{i * 2, std::this_thread::get_id()};
        };
        auto parent = [&child](mapixx_test::thread_starter& threads, int i)
            -> task<std::pair<int, std::thread::id>> {
            // The awaiter goes on on the child's thread if it attached first, else (inline
            // strategy only) on its own thread; either way the result must have arrived.
            co_return co_await child(threads, i);
        };
        // Many rounds, so that both orders of "child finished" and "awaiter attached" occur.
        for (int i = 0; i < 200; ++i) {
            const auto [value, child_thread] = sync_wait(parent(threads, i));
            CHECK(value == 2 * i);
            CHECK(child_thread != std::this_thread::get_id());
        }
    }

    TEST_CASE("when_ready waits for completion without rethrowing")
    {
        auto outer = [](task<int>& t) -> task<bool> {
            co_await t.when_ready();
            const bool ready = t.is_ready();
            try {
                co_await t;
            } catch (const std::runtime_error&) {
                co_return ready;
            }
            co_return false;
        };
        task<int> t = throw_runtime_error("later");
        CHECK(sync_wait(outer(t)));
    }

    TEST_CASE("when_ready on an empty task completes at once")
    {
        task<> empty;
        auto outer = [](task<>& t) -> task<int> {
            co_await t.when_ready();
            co_return 1;
        };
        CHECK(sync_wait(outer(empty)) == 1);
    }
}

} // namespace task_tests
