// SPDX-License-Identifier: MIT
// Helpers shared by the tests of the coroutine layer (tests/coro/*.cpp).
#ifndef MAPIXX_TESTS_CORO_CORO_TEST_HELPERS_HPP_INCLUDED
#define MAPIXX_TESTS_CORO_CORO_TEST_HELPERS_HPP_INCLUDED

#include "counts_allocations.hpp"

#include <coroutine>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mapixx_test {

/// Counts constructions and destructions, to prove that frames and results are released and
/// that results are moved rather than copied. Call `reset()` at the start of a test.
struct counted {
    static inline int default_constructions = 0;
    static inline int value_constructions = 0;
    static inline int copy_constructions = 0;
    static inline int move_constructions = 0;
    static inline int destructions = 0;

    static void reset() noexcept
    {
        default_constructions = value_constructions = copy_constructions = move_constructions =
            destructions = 0;
    }
    static int constructions() noexcept
    {
        return default_constructions + value_constructions + copy_constructions +
               move_constructions;
    }
    /// Objects constructed and not yet destroyed.
    static int alive() noexcept { return constructions() - destructions; }

    counted() noexcept { ++default_constructions; }
    explicit counted(int v) noexcept : value{v} { ++value_constructions; }
    counted(const counted& other) noexcept : value{other.value} { ++copy_constructions; }
    counted(counted&& other) noexcept : value{other.value} { ++move_constructions; }
    counted& operator=(const counted&) = default;
    counted& operator=(counted&&) = default;
    ~counted() { ++destructions; }

    int value = 0;
};

/// Resumes coroutines on brand-new threads; joins them all when destroyed (or on `join()`).
class thread_starter {
public:
    thread_starter() = default;
    thread_starter(const thread_starter&) = delete;
    thread_starter& operator=(const thread_starter&) = delete;
    ~thread_starter() { join(); }

    /// `co_await starter.resume_on_new_thread()` continues the coroutine on a new thread.
    auto resume_on_new_thread() noexcept
    {
        struct awaiter {
            thread_starter* starter;
            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<> h) { starter->start([h] { h.resume(); }); }
            void await_resume() const noexcept {}
        };
        return awaiter{this};
    }

    /// Runs `f` on a new thread.
    template <class F>
    void start(F f)
    {
        std::lock_guard lock{mutex_};
        threads_.emplace_back(std::move(f));
    }

    /// Joins every thread started so far, including threads started by those threads.
    void join()
    {
        for (;;) {
            std::vector<std::thread> threads;
            {
                std::lock_guard lock{mutex_};
                threads.swap(threads_);
            }
            if (threads.empty()) {
                return;
            }
            for (std::thread& t : threads) {
                t.join();
            }
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::thread> threads_;
};


/// True if `allocations_on_this_thread()` counts; decorate allocation tests with
/// `* doctest::skip(!mapixx_test::counts_allocations)`.
inline constexpr bool counts_allocations = MAPIXX_TEST_COUNTS_ALLOCATIONS != 0;

/// The number of calls of the global operator new made by the calling thread since it
/// started (always 0 if `!counts_allocations`). The executable replaces operator new
/// (allocation_counter.cpp); read deltas.
std::size_t allocations_on_this_thread() noexcept;

} // namespace mapixx_test

#endif
