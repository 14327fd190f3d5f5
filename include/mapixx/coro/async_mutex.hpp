// SPDX-License-Identifier: MIT
/// \file
/// A FIFO mutex that coroutines acquire with `co_await`, and its RAII lock `async_mutex_lock`.
#ifndef MAPIXX_CORO_ASYNC_MUTEX_HPP_INCLUDED
#define MAPIXX_CORO_ASYNC_MUTEX_HPP_INCLUDED

#include <mapixx/coro/scheduler.hpp>

#include <gsl/assert>

#include <coroutine>
#include <mutex>
#include <utility>

namespace mapixx::inline v0 {

class async_mutex;

/// Owns a lock on an `async_mutex` and unlocks it when destroyed.
///
/// Move-only; a moved-from lock owns nothing. Obtained from
/// `co_await m.scoped_lock_async()`, or made from a lock already held with `std::adopt_lock`.
///
/// \code
/// mapixx::task<> append(mapixx::async_mutex& m, std::vector<int>& v) {
///     mapixx::async_mutex_lock lock = co_await m.scoped_lock_async();
///     v.push_back(1);
/// } // unlocked here
/// \endcode
class [[nodiscard]] async_mutex_lock {
public:
    /// Takes ownership of the lock that the caller holds on `m`.
    /// Precondition: the caller holds the lock on `m` (e.g. `m.try_lock()` returned true).
    async_mutex_lock(async_mutex& m, std::adopt_lock_t) noexcept : mutex_{&m} {}

    /// Takes the lock owned by `other`, which then owns nothing.
    async_mutex_lock(async_mutex_lock&& other) noexcept
        : mutex_{std::exchange(other.mutex_, nullptr)}
    {
    }

    /// Unlocks the lock owned now, then takes the lock owned by `other`.
    async_mutex_lock& operator=(async_mutex_lock&& other) noexcept
    {
        if (this != &other) {
            unlock();
            mutex_ = std::exchange(other.mutex_, nullptr);
        }
        return *this;
    }

    async_mutex_lock(const async_mutex_lock&) = delete;
    async_mutex_lock& operator=(const async_mutex_lock&) = delete;

    /// Unlocks the mutex if this object still owns the lock.
    ~async_mutex_lock() { unlock(); }

    /// True if this object owns a lock.
    [[nodiscard]] bool owns_lock() const noexcept { return mutex_ != nullptr; }

    /// Same as `owns_lock()`.
    [[nodiscard]] explicit operator bool() const noexcept { return owns_lock(); }

    /// The mutex whose lock is owned, or null.
    [[nodiscard]] async_mutex* mutex() const noexcept { return mutex_; }

    /// Unlocks early (see `async_mutex::unlock()`); afterwards owns nothing. Does nothing if
    /// it owns nothing.
    inline void unlock() noexcept;

private:
    async_mutex* mutex_;
};

/// A mutual-exclusion lock for coroutines: waiting for it suspends the coroutine instead of
/// blocking the thread.
///
/// Waiters are served strictly first come, first served: on `unlock()` the lock passes
/// directly to the oldest waiter, so a newcomer's `try_lock()` cannot overtake it. A waiter is
/// an intrusive list node inside the awaiting coroutine's frame, so waiting never allocates.
///
/// Resumption of the next waiter on `unlock()`:
/// - made with `async_mutex(scheduler&)`: the waiter is posted to that scheduler and resumed
///   from its loop (`unlock()` returns first; no stack nesting, and waiters from other threads
///   move to the loop's thread);
/// - made with `async_mutex()`: the waiter is resumed inline, inside `unlock()`, on the
///   unlocking thread, before `unlock()` returns.
///
/// Thread-safe: lock, try_lock and unlock may be called from any thread (an internal
/// `std::mutex` guards the state for a few instructions; it is never held while a coroutine
/// runs).
///
/// \code
/// mapixx::async_mutex m;
/// mapixx::task<> critical(mapixx::async_mutex& m) {
///     auto lock = co_await m.scoped_lock_async();
///     // ... only one coroutine at a time here ...
/// }
/// \endcode
class async_mutex {
public:
    /// The awaitable of `lock_async()`: completes when the awaiting coroutine holds the lock.
    /// It is the list node of the waiter; it must stay where it is while suspended (it does,
    /// as the temporary of a `co_await` expression).
    class lock_operation {
    public:
        /// An operation that locks `m`. Use `async_mutex::lock_async()` instead.
        explicit lock_operation(async_mutex& m) noexcept : mutex_{&m} {}
        lock_operation(const lock_operation&) = delete;
        lock_operation& operator=(const lock_operation&) = delete;

        /// Takes the lock at once if it is free.
        [[nodiscard]] bool await_ready() const noexcept { return mutex_->try_lock(); }

        /// Takes the lock if it became free, else joins the back of the waiter list.
        bool await_suspend(std::coroutine_handle<> awaiting) noexcept
        {
            awaiting_ = awaiting;
            return mutex_->lock_or_enqueue(*this);
        }

        /// Yields nothing; the awaiting coroutine now holds the lock.
        void await_resume() const noexcept {}

    protected:
        async_mutex* mutex_;

    private:
        friend class async_mutex;
        lock_operation* next_ = nullptr;
        std::coroutine_handle<> awaiting_{};
    };

    /// The awaitable of `scoped_lock_async()`: like `lock_operation`, and yields the lock as an
    /// `async_mutex_lock`.
    class scoped_lock_operation : public lock_operation {
    public:
        using lock_operation::lock_operation;

        /// Yields the lock that the awaiting coroutine now holds.
        [[nodiscard]] async_mutex_lock await_resume() const noexcept
        {
            return async_mutex_lock{*mutex_, std::adopt_lock};
        }
    };

    /// An unlocked mutex whose waiters are resumed inline by `unlock()`.
    async_mutex() noexcept = default;

    /// An unlocked mutex whose waiters are resumed from the loop of `s`, which must outlive it.
    explicit async_mutex(scheduler& s) noexcept : scheduler_{&s} {}

    async_mutex(const async_mutex&) = delete;
    async_mutex& operator=(const async_mutex&) = delete;

    /// Precondition: no coroutine is waiting for the lock.
    ~async_mutex() { Expects(head_ == nullptr); }

    /// Takes the lock if it is free and returns true; otherwise returns false at once.
    [[nodiscard]] bool try_lock() noexcept
    {
        std::lock_guard guard{guard_};
        if (locked_) {
            return false;
        }
        locked_ = true;
        return true;
    }

    /// An awaitable that completes when the awaiting coroutine holds the lock; the caller then
    /// calls `unlock()`. Prefer `scoped_lock_async()`.
    [[nodiscard]] lock_operation lock_async() noexcept { return lock_operation{*this}; }

    /// An awaitable that completes when the awaiting coroutine holds the lock and yields an
    /// `async_mutex_lock` that unlocks it when destroyed.
    [[nodiscard]] scoped_lock_operation scoped_lock_async() noexcept
    {
        return scoped_lock_operation{*this};
    }

    /// Releases the lock, or passes it to the oldest waiter and resumes that waiter (from the
    /// scheduler's loop if the mutex has one, else inline before returning).
    ///
    /// Precondition: the mutex is locked (by the caller, logically).
    /// Terminates if the scheduler can't grow its queue (`std::bad_alloc` in `noexcept`).
    void unlock() noexcept
    {
        lock_operation* next = nullptr;
        {
            std::lock_guard guard{guard_};
            Expects(locked_);
            next = head_;
            if (next == nullptr) {
                locked_ = false;
                return;
            }
            head_ = next->next_;
            if (head_ == nullptr) {
                tail_ = nullptr;
            }
        }
        // The lock stays taken: it now belongs to `next`, which cannot go anywhere until it
        // is resumed, so reading its node outside the guard is safe.
        std::coroutine_handle<> waiter = next->awaiting_;
        if (scheduler_ != nullptr) {
            scheduler_->post(waiter);
        } else {
            waiter.resume();
        }
    }

private:
    /// Under the guard: takes the lock if free (returns false: don't suspend), else appends
    /// `op` to the waiter list (returns true: suspend).
    bool lock_or_enqueue(lock_operation& op) noexcept
    {
        std::lock_guard guard{guard_};
        if (!locked_) {
            locked_ = true;
            return false;
        }
        op.next_ = nullptr;
        if (tail_ == nullptr) {
            head_ = &op;
        } else {
            tail_->next_ = &op;
        }
        tail_ = &op;
        return true;
    }

    std::mutex guard_;
    bool locked_ = false;
    lock_operation* head_ = nullptr;
    lock_operation* tail_ = nullptr;
    scheduler* scheduler_ = nullptr;
};

inline void async_mutex_lock::unlock() noexcept
{
    if (mutex_ != nullptr) {
        std::exchange(mutex_, nullptr)->unlock();
    }
}

} // namespace mapixx::inline v0
#endif
