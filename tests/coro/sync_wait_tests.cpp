// SPDX-License-Identifier: MIT
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#include "coro_test_helpers.hpp"

#include <doctest/doctest.h>

#include <coroutine>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace sync_wait_tests {

using mapixx::sync_wait;
using mapixx::task;
using mapixx_test::counted;

// No unnamed namespace here: in a unity build this file is #included, and g++ 12 then warns
// (-Wsubobject-linkage) that the coroutine frame of sync_wait instantiated with an awaitable
// below has a field of a type of an unnamed namespace. The file's namespace keeps them apart.

task<int> forty_two()
{
    co_return 42;
}

task<> set_flag(bool& flag)
{
    flag = true;
    co_return;
}

task<std::string&> reference_to(std::string& s)
{
    co_return s;
}

task<std::unique_ptr<int>> make_unique_int(int v)
{
    co_return std::make_unique<int>(v);
}

task<int> fail(const char* message)
{
    throw std::invalid_argument{message};
    co_return 0;
}

task<> fail_void(const char* message)
{
    throw std::invalid_argument{message};
    co_return;
}

task<counted> make_counted(int v)
{
    co_return counted{v};
}

/// An awaiter that never suspends and yields a number.
struct ready_number {
    int value;
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    int await_resume() const noexcept { return value; }
};

/// Awaitable through a member operator co_await.
struct with_member_operator {
    int value;
    ready_number operator co_await() const noexcept { return ready_number{value}; }
};

/// Awaitable through a free operator co_await.
struct with_free_operator {
    int value;
};
ready_number operator co_await(with_free_operator w) noexcept
{
    return ready_number{w.value};
}

/// An awaiter whose await_resume yields an rvalue reference to a member.
struct hands_out_pointer {
    std::unique_ptr<int> pointer;
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    std::unique_ptr<int>&& await_resume() noexcept { return std::move(pointer); }
};

static_assert(std::is_same_v<decltype(sync_wait(forty_two())), int>);
static_assert(std::is_same_v<decltype(sync_wait(std::declval<task<int>&>())), int&>);
static_assert(std::is_same_v<decltype(sync_wait(std::declval<task<std::string&>>())),
                             std::string&>);
static_assert(std::is_same_v<decltype(sync_wait(std::declval<task<>>())), void>);
static_assert(std::is_same_v<decltype(sync_wait(std::declval<hands_out_pointer&>())),
                             std::unique_ptr<int>>);

TEST_SUITE("sync_wait")
{
    TEST_CASE("sync_wait returns the value of a task")
    {
        CHECK(sync_wait(forty_two()) == 42);
    }

    TEST_CASE("sync_wait of a void task runs it to completion")
    {
        bool flag = false;
        sync_wait(set_flag(flag));
        CHECK(flag);
    }

    TEST_CASE("sync_wait of an lvalue task returns a reference to the value kept in the task")
    {
        task<int> t = forty_two();
        int& first = sync_wait(t);
        int& second = sync_wait(t);
        CHECK(first == 42);
        CHECK(&first == &second);
    }

    TEST_CASE("sync_wait returns the reference yielded by a task of a reference")
    {
        std::string s = "text";
        std::string& r = sync_wait(reference_to(s));
        CHECK(&r == &s);
    }

    TEST_CASE("sync_wait moves a move-only result out of an rvalue task")
    {
        std::unique_ptr<int> p = sync_wait(make_unique_int(5));
        REQUIRE(p != nullptr);
        CHECK(*p == 5);

        task<std::unique_ptr<int>> t = make_unique_int(6);
        std::unique_ptr<int>& kept = sync_wait(t);
        std::unique_ptr<int> taken = sync_wait(std::move(t));
        REQUIRE(taken != nullptr);
        CHECK(*taken == 6);
        CHECK(kept == nullptr);
    }

    TEST_CASE("sync_wait rethrows the exception of the awaited task")
    {
        CHECK_THROWS_WITH_AS(sync_wait(fail("bad int")), "bad int", std::invalid_argument);
        CHECK_THROWS_WITH_AS(sync_wait(fail_void("bad void")), "bad void",
                             std::invalid_argument);
    }

    TEST_CASE("sync_wait of an empty task throws broken_promise")
    {
        CHECK_THROWS_AS(sync_wait(task<int>{}), mapixx::broken_promise);
    }

    TEST_CASE("sync_wait accepts any awaitable, not only tasks")
    {
        CHECK(sync_wait(ready_number{1}) == 1);
        CHECK(sync_wait(with_member_operator{2}) == 2);
        CHECK(sync_wait(with_free_operator{3}) == 3);
        sync_wait(std::suspend_never{});
        static_assert(mapixx::awaitable<with_member_operator>);
        static_assert(mapixx::awaitable<with_free_operator>);
        static_assert(mapixx::awaitable<std::suspend_always>);
    }

    TEST_CASE("sync_wait returns an rvalue-reference result as a value moved out of it")
    {
        hands_out_pointer source{std::make_unique<int>(4)};
        std::unique_ptr<int> p = sync_wait(source);
        REQUIRE(p != nullptr);
        CHECK(*p == 4);
        CHECK(source.pointer == nullptr);
    }

    TEST_CASE("sync_wait blocks until an awaitable resumed on another thread completes")
    {
        mapixx_test::thread_starter threads;
        auto hop = [](mapixx_test::thread_starter& threads, int i)
            -> task<std::pair<int, std::thread::id>> {
            co_await threads.resume_on_new_thread();
            co_return std::pair{i, std::this_thread::get_id()};
        };
        for (int i = 0; i < 100; ++i) {
            const auto [value, id] = sync_wait(hop(threads, i));
            CHECK(value == i);
            CHECK(id != std::this_thread::get_id());
        }
    }

    TEST_CASE("sync_wait drives each kind of await_suspend: void, bool and a coroutine handle to resume")
    {
        mapixx_test::thread_starter threads;
        // await_suspend returns the handle it was given: no suspension at all.
        struct resume_me {
            bool await_ready() const noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) const noexcept { return h; }
            int await_resume() const noexcept { return 5; }
        };
        // await_suspend hands the handle to another thread and returns the no-op coroutine.
        struct hand_over {
            mapixx_test::thread_starter* threads;
            bool await_ready() const noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) const
            {
                threads->start([h] { h.resume(); });
                return std::noop_coroutine();
            }
            int await_resume() const noexcept { return 6; }
        };
        // bool: true after handing the handle over, false without doing so.
        struct maybe_suspend {
            mapixx_test::thread_starter* threads;
            bool suspend;
            bool await_ready() const noexcept { return false; }
            bool await_suspend(std::coroutine_handle<> h) const
            {
                if (suspend) threads->start([h] { h.resume(); });
                return suspend;
            }
            int await_resume() const noexcept { return suspend ? 7 : 8; }
        };
        for (int i = 0; i < 20; ++i) {
            CHECK(sync_wait(resume_me{}) == 5);
            CHECK(sync_wait(hand_over{&threads}) == 6);
            CHECK(sync_wait(maybe_suspend{&threads, true}) == 7);
            CHECK(sync_wait(maybe_suspend{&threads, false}) == 8);
        }
    }

    TEST_CASE("a sync_wait inside a task that another sync_wait runs, both resumed on other threads")
    {
        mapixx_test::thread_starter threads;
        auto hop = [](mapixx_test::thread_starter& threads, int i) -> task<int> {
            co_await threads.resume_on_new_thread();
            co_return i;
        };
        auto outer = [&hop](mapixx_test::thread_starter& threads, int i) -> task<int> {
            const int inner = sync_wait(hop(threads, i));  // on whichever thread runs this
            co_await threads.resume_on_new_thread();
            const int again = sync_wait(hop(threads, inner + 1));
            co_return again * 10;
        };
        for (int i = 0; i < 50; ++i) {
            CHECK(sync_wait(outer(threads, i)) == (i + 1) * 10);
        }
    }

    TEST_CASE("sync_wait neither copies nor leaks the result")
    {
        counted::reset();
        {
            counted c = sync_wait(make_counted(8));
            CHECK(c.value == 8);
            CHECK(counted::copy_constructions == 0);
            CHECK(counted::alive() == 1);
        }
        CHECK(counted::alive() == 0);
    }
}

} // namespace sync_wait_tests
