// SPDX-License-Identifier: MIT
/// \file
/// `detail::logon_lock`: the subsystem-wide lock that serialises logons (the MAPILogonEx
/// mutex), awaitable by coroutines and, with a time limit, by MAPI_TIMEOUT_SHORT logons.
#ifndef MAPIXX_SESSION_DETAIL_LOGON_LOCK_HPP_INCLUDED
#define MAPIXX_SESSION_DETAIL_LOGON_LOCK_HPP_INCLUDED

#include <gsl/assert>

#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace mapixx::inline v0::detail {

class logon_lock;

/// The deleter of a `logon_lock_guard`: releases the lock.
struct logon_lock_releaser {
    void operator()(logon_lock* lock) const noexcept;
};

/// Holds the logon lock; releases it when destroyed or on `release()`. Move-only; may be
/// released on another thread than the one that acquired it.
class [[nodiscard]] logon_lock_guard {
public:
    /// A guard that holds nothing.
    logon_lock_guard() noexcept = default;
    /// True while the guard holds the lock.
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(lock_); }
    /// Releases the lock now (a no-op when the guard holds nothing).
    void release() noexcept { lock_.reset(); }

private:
    friend class logon_lock;
    explicit logon_lock_guard(logon_lock* l) noexcept : lock_(l) {}
    std::unique_ptr<logon_lock, logon_lock_releaser> lock_;
};

/// Resumes coroutines, one at a time and in order, on a thread of its own (started on first
/// use). The logon lock hands a freed lock to a waiting coroutine through it, so that the
/// releasing thread neither runs the waiter's logon inside `release()` nor nests one logon's
/// stack inside another's when many threads contend.
class resume_thread {
public:
    resume_thread() = default;
    resume_thread(const resume_thread&) = delete;
    resume_thread& operator=(const resume_thread&) = delete;
    /// Stops the thread once its queue is empty and joins it (or, when called on that thread,
    /// lets it finish on its own).
    ~resume_thread() {
        std::shared_ptr<state> st;
        std::thread th;
        {
            std::lock_guard guard(mutex_);
            st = state_;
            th = std::move(thread_);
        }
        if (!st) return;
        {
            std::lock_guard guard(st->mutex);
            st->stop = true;
        }
        st->cv.notify_all();
        if (th.get_id() == std::this_thread::get_id()) {
            th.detach();
        } else if (th.joinable()) {
            th.join();
        }
    }

    /// Queues `h` to be resumed on the thread. Terminates if the thread cannot be started.
    void post(std::coroutine_handle<> h) noexcept {
        std::shared_ptr<state> st;
        {
            std::lock_guard guard(mutex_);
            if (!state_) {
                state_ = std::make_shared<state>();
                thread_ = std::thread(run, state_);
            }
            st = state_;
        }
        {
            std::lock_guard guard(st->mutex);
            st->queue.push_back(h);
        }
        st->cv.notify_one();
    }

private:
    struct state {
        std::mutex mutex;
        std::condition_variable cv;
        std::deque<std::coroutine_handle<>> queue;
        bool stop = false;
    };
    static void run(std::shared_ptr<state> st) noexcept {
        for (;;) {
            std::coroutine_handle<> h;
            {
                std::unique_lock guard(st->mutex);
                st->cv.wait(guard, [&] { return st->stop || !st->queue.empty(); });
                if (st->queue.empty()) return;  // stop requested and nothing left
                h = st->queue.front();
                st->queue.pop_front();
            }
            h.resume();
        }
    }

    std::mutex mutex_;
    std::shared_ptr<state> state_;
    std::thread thread_;
};

/// A FIFO lock with two kinds of waiters:
/// - coroutines (`co_await lock.acquire()`): suspended without blocking their thread; when the
///   lock is released the next one is resumed, holding the lock, on the lock's own
///   `resume_thread` (so `release` returns at once and no logon runs nested in another);
/// - threads with a time limit (`try_acquire_for`): MAPI_TIMEOUT_SHORT blocks, as MAPILogonEx
///   does, for at most the limit, then gives up.
///
/// No `std::mutex` is held while a coroutine runs: the internal mutex guards a few
/// instructions only, so the lock may be taken on one thread and released on another.
class logon_lock {
    struct waiter {
        waiter* next = nullptr;
        std::coroutine_handle<> handle{};
        bool blocking = false;
        bool granted = false;
    };

public:
    /// A free lock.
    logon_lock() = default;
    logon_lock(const logon_lock&) = delete;
    logon_lock& operator=(const logon_lock&) = delete;
    /// \pre nobody waits for the lock.
    ~logon_lock() {
        std::lock_guard guard(mutex_);
        Expects(head_ == nullptr);
    }

    /// The awaitable of `acquire()`; yields the guard.
    class acquire_operation {
    public:
        /// An acquisition of `l`.
        explicit acquire_operation(logon_lock& l) noexcept : lock_(&l) {}
        acquire_operation(const acquire_operation&) = delete;
        acquire_operation& operator=(const acquire_operation&) = delete;

        /// Takes the lock at once if it is free.
        [[nodiscard]] bool await_ready() const noexcept { return lock_->try_take(); }
        /// Takes the lock if it became free, else queues the coroutine.
        bool await_suspend(std::coroutine_handle<> h) noexcept {
            node_.handle = h;
            return lock_->take_or_enqueue(node_);
        }
        /// The guard of the lock now held.
        [[nodiscard]] logon_lock_guard await_resume() const noexcept { return logon_lock_guard(lock_); }

    private:
        logon_lock* lock_;
        waiter node_;
    };

    /// Waits (suspending the coroutine) until the lock is free, then holds it.
    [[nodiscard]] acquire_operation acquire() noexcept { return acquire_operation(*this); }

    /// Takes the lock if it is free within `limit`, blocking the calling thread meanwhile;
    /// an empty guard when the limit passed first.
    [[nodiscard]] logon_lock_guard try_acquire_for(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::unique_lock guard(mutex_);
        if (!held_) {
            held_ = true;
            return logon_lock_guard(this);
        }
        waiter w;
        w.blocking = true;
        enqueue(w);
        cv_.wait_until(guard, deadline, [&] { return w.granted; });
        if (w.granted) return logon_lock_guard(this);
        unlink(w);
        return {};
    }

    /// Takes the lock if it is free, without waiting.
    [[nodiscard]] logon_lock_guard try_acquire() noexcept {
        return try_take() ? logon_lock_guard(this) : logon_lock_guard();
    }

    /// True while someone holds the lock.
    [[nodiscard]] bool held() const noexcept {
        std::lock_guard guard(mutex_);
        return held_;
    }
    /// How many are waiting for it.
    [[nodiscard]] std::size_t waiting() const noexcept {
        std::lock_guard guard(mutex_);
        std::size_t n = 0;
        for (waiter* w = head_; w != nullptr; w = w->next) ++n;
        return n;
    }

private:
    friend struct logon_lock_releaser;
    friend class acquire_operation;

    bool try_take() noexcept {
        std::lock_guard guard(mutex_);
        if (held_) return false;
        held_ = true;
        return true;
    }
    // True: enqueued, suspend. False: taken now.
    bool take_or_enqueue(waiter& w) noexcept {
        std::lock_guard guard(mutex_);
        if (!held_) {
            held_ = true;
            return false;
        }
        enqueue(w);
        return true;
    }
    void enqueue(waiter& w) noexcept {
        w.next = nullptr;
        if (tail_ == nullptr) {
            head_ = &w;
        } else {
            tail_->next = &w;
        }
        tail_ = &w;
    }
    void unlink(waiter& w) noexcept {
        waiter* prev = nullptr;
        for (waiter* cur = head_; cur != nullptr; prev = cur, cur = cur->next) {
            if (cur == &w) {
                (prev ? prev->next : head_) = cur->next;
                if (tail_ == cur) tail_ = prev;
                return;
            }
        }
    }
    void release() noexcept {
        std::coroutine_handle<> resume;
        {
            std::lock_guard guard(mutex_);
            Expects(held_);
            waiter* next = head_;
            if (next == nullptr) {
                held_ = false;
                return;
            }
            head_ = next->next;
            if (head_ == nullptr) tail_ = nullptr;
            // The lock passes to `next` without becoming free, so nobody can overtake it.
            next->granted = true;
            if (next->blocking) {
                cv_.notify_all();
                return;
            }
            resume = next->handle;
        }
        resumer_.post(resume);
    }

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool held_ = false;
    waiter* head_ = nullptr;
    waiter* tail_ = nullptr;
    resume_thread resumer_;
};

inline void logon_lock_releaser::operator()(logon_lock* lock) const noexcept { lock->release(); }

} // namespace mapixx::inline v0::detail

#endif
