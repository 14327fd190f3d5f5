// SPDX-License-Identifier: MIT
// The per-thread cache of task frames (MAPIXX_CORO_FRAME_CACHE), and the synchronous
// completion of an awaited task without atomic operations (`inline_start_slot`).
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#include "coro_test_helpers.hpp"

#include <doctest/doctest.h>

#include <coroutine>
#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

namespace frame_cache_tests {

using mapixx::task;
using mapixx::detail::frame_cache;

constexpr bool cache_on = MAPIXX_CORO_FRAME_CACHE != 0;

task<int> value_of(int v) { co_return v; }

task<long long> sum_of(int n)
{
    long long sum = 0;
    for (int i = 1; i <= n; ++i) sum += co_await value_of(i);
    co_return sum;
}

/// An awaiter that resumes the awaiting coroutine itself, inside `await_suspend`, and then
/// says it suspended: legal, and the awaiting task then finishes before the `resume()` that
/// started it returns, through a path the task protocol does not see.
struct resume_inside_suspend {
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) const
    {
        h.resume();
        return true;
    }
    void await_resume() const noexcept {}
};

task<int> finishes_inside_suspend(int v)
{
    co_await resume_inside_suspend{};
    co_return v;
}

task<int> awaits_one_finishing_inside_suspend()
{
    const int a = co_await finishes_inside_suspend(20);
    const int b = co_await value_of(22);
    co_return a + b;
}

/// Suspends and is resumed on a thread of its own: the task finishes on that thread.
struct resume_on_new_thread {
    std::thread* worker;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const
    {
        // This awaiter lives in the frame, which the new thread may finish and free before the
        // assignment below reads `worker` (the thread is made first): read it beforehand.
        std::thread* const out = worker;
        *out = std::thread([h] { h.resume(); });
    }
    void await_resume() const noexcept {}
};

task<int> finishes_on_other_thread(std::thread* worker, int v)
{
    co_await resume_on_new_thread{worker};
    co_return co_await value_of(v);  // an inline start on the other thread, nested
}

task<int> awaits_across_threads(std::thread* worker)
{
    const int a = co_await finishes_on_other_thread(worker, 40);
    const int b = co_await value_of(2);  // on the other thread now
    co_return a + b;
}

TEST_SUITE("frame cache")
{
    TEST_CASE("a freed frame is used again for the next frame of its size on the same thread" *
              doctest::skip(!cache_on))
    {
        frame_cache::release_this_thread();
        CHECK(frame_cache::bytes_kept_by_this_thread() == 0);
        void* first = frame_cache::allocate(200);
        frame_cache::deallocate(first, 200);
        CHECK(frame_cache::bytes_kept_by_this_thread() == 200);
        void* other_size = frame_cache::allocate(400);  // not the kept one
        CHECK(other_size != first);
        void* again = frame_cache::allocate(196);  // same size once rounded to 8 bytes
        CHECK(again == first);
        CHECK(frame_cache::bytes_kept_by_this_thread() == 0);
        frame_cache::deallocate(again, 196);
        frame_cache::deallocate(other_size, 400);
        CHECK(frame_cache::bytes_kept_by_this_thread() == 600);
        frame_cache::release_this_thread();
        CHECK(frame_cache::bytes_kept_by_this_thread() == 0);
    }

    TEST_CASE("the cache keeps a few frames of a size, and no frame larger than its limit" *
              doctest::skip(!cache_on))
    {
        frame_cache::release_this_thread();
        std::vector<void*> frames;
        for (std::size_t i = 0; i < frame_cache::per_size + 3; ++i) frames.push_back(frame_cache::allocate(64));
        for (void* f : frames) frame_cache::deallocate(f, 64);
        CHECK(frame_cache::bytes_kept_by_this_thread() == frame_cache::per_size * 64);

        void* big = frame_cache::allocate(frame_cache::max_frame + 8);
        frame_cache::deallocate(big, frame_cache::max_frame + 8);
        CHECK(frame_cache::bytes_kept_by_this_thread() == frame_cache::per_size * 64);
        frame_cache::release_this_thread();
    }

    TEST_CASE("a thread keeps at most max_bytes of frames" * doctest::skip(!cache_on))
    {
        frame_cache::release_this_thread();
        std::vector<std::pair<void*, std::size_t>> frames;
        for (std::size_t size = 1024; size <= frame_cache::max_frame; size += 8) {
            for (std::size_t i = 0; i < frame_cache::per_size; ++i) frames.emplace_back(frame_cache::allocate(size), size);
        }
        for (auto [f, size] : frames) frame_cache::deallocate(f, size);
        CHECK(frame_cache::bytes_kept_by_this_thread() <= frame_cache::max_bytes);
        CHECK(frame_cache::bytes_kept_by_this_thread() > frame_cache::max_bytes - frame_cache::max_frame);
        frame_cache::release_this_thread();
    }

    TEST_CASE("a frame freed on another thread stays there, the thread frees it when it ends" *
              doctest::skip(!cache_on))
    {
        frame_cache::release_this_thread();
        void* frame = frame_cache::allocate(128);
        std::size_t kept_there = 0;
        std::thread([&] {
            frame_cache::deallocate(frame, 128);
            kept_there = frame_cache::bytes_kept_by_this_thread();
        }).join();
        CHECK(kept_there == 128);
        CHECK(frame_cache::bytes_kept_by_this_thread() == 0);
    }

    TEST_CASE("task and sync_wait frames come from the cache: a second run allocates nothing" *
              doctest::skip(!cache_on || !mapixx_test::counts_allocations))
    {
        frame_cache::release_this_thread();
        const std::size_t before_first = mapixx_test::allocations_on_this_thread();
        CHECK(mapixx::sync_wait(sum_of(100)) == 5050);
        const std::size_t first = mapixx_test::allocations_on_this_thread() - before_first;
        CHECK(first > 0);
        const std::size_t before_second = mapixx_test::allocations_on_this_thread();
        CHECK(mapixx::sync_wait(sum_of(100)) == 5050);
        CHECK(mapixx_test::allocations_on_this_thread() - before_second == 0);
        frame_cache::release_this_thread();
    }
}

TEST_SUITE("task: synchronous completion")
{
    TEST_CASE("many awaited tasks that finish at once give their values in order")
    {
        CHECK(mapixx::sync_wait(sum_of(100'000)) == 5'000'050'000LL);
    }

    TEST_CASE("a task resumed inside an await_suspend finishes inside its start and its awaiter goes on")
    {
        CHECK(mapixx::sync_wait(awaits_one_finishing_inside_suspend()) == 42);
    }

    TEST_CASE("a task that finishes on another thread resumes its awaiter there, and nested awaits there work")
    {
        std::thread worker;
        CHECK(mapixx::sync_wait(awaits_across_threads(&worker)) == 42);
        worker.join();
    }
}

} // namespace frame_cache_tests
