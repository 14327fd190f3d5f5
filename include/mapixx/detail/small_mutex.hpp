// SPDX-License-Identifier: MIT
/// \file
/// `detail::small_mutex`: a mutex of one `int` for short critical sections.
#ifndef MAPIXX_DETAIL_SMALL_MUTEX_HPP
#define MAPIXX_DETAIL_SMALL_MUTEX_HPP

#include <atomic>

namespace mapixx::inline v0::detail {

/// A mutex in one `std::atomic<int>`: 0 free, 1 held, 2 held with a thread that may wait. An
/// uncontended lock and unlock are one atomic operation each and no call into the C library; a
/// thread that finds it held sleeps in `std::atomic::wait` (a futex on Linux, WaitOnAddress on
/// Windows) until an unlock that saw state 2 wakes one waiter. Not recursive, not fair.
/// Meets *Lockable*, for `std::lock_guard` and `std::unique_lock` (not `std::condition_variable`).
class small_mutex {
public:
    small_mutex() noexcept = default;
    small_mutex(const small_mutex&) = delete;
    small_mutex& operator=(const small_mutex&) = delete;

    void lock() noexcept
    {
        int seen = 0;
        if (state_.compare_exchange_strong(seen, 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
        wait_for_it(seen);
    }

    [[nodiscard]] bool try_lock() noexcept
    {
        int seen = 0;
        return state_.compare_exchange_strong(seen, 1, std::memory_order_acquire, std::memory_order_relaxed);
    }

    void unlock() noexcept
    {
        if (state_.exchange(0, std::memory_order_release) == 2) state_.notify_one();
    }

private:
    /// The contended path: mark the mutex as waited for (2), sleep while it stays so, and take
    /// it (still as 2, since other threads may wait) once it is seen free.
    void wait_for_it(int seen) noexcept
    {
        if (seen != 2) seen = state_.exchange(2, std::memory_order_acquire);
        while (seen != 0) {
            state_.wait(2, std::memory_order_relaxed);
            seen = state_.exchange(2, std::memory_order_acquire);
        }
    }

    std::atomic<int> state_{0};
};

} // namespace mapixx::inline v0::detail

#endif
