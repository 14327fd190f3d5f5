// SPDX-License-Identifier: MIT
/// \file
/// A single-threaded cooperative run loop for coroutines, and the `scheduler_like` concept.
#ifndef MAPIXX_CORO_SCHEDULER_HPP_INCLUDED
#define MAPIXX_CORO_SCHEDULER_HPP_INCLUDED

#include <mapixx/coro/broken_promise.hpp>
#include <mapixx/coro/task.hpp>

#include <gsl/assert>

#include <algorithm>
#include <atomic>
#include <concepts>
#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

/// \def MAPIXX_CORO_NOINLINE
/// Keeps a rarely taken path of the scheduler (queue growth, posting from another thread) out of
/// the coroutines that yield, so that their resume functions save fewer registers per yield.
#ifndef MAPIXX_CORO_NOINLINE
#if defined(__GNUC__) || defined(__clang__)
#define MAPIXX_CORO_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define MAPIXX_CORO_NOINLINE __declspec(noinline)
#else
#define MAPIXX_CORO_NOINLINE
#endif
#endif

namespace mapixx::inline v0 {

/// A scheduler: `s.schedule()` returns something that `co_await` accepts and that yields
/// nothing. Awaiting it moves the awaiting coroutine to a context that `S` controls.
template <class S>
concept scheduler_like = requires(S& s) {
    { s.schedule() } -> awaitable;
    requires std::same_as<await_result_t<decltype(s.schedule())>, void>;
};

namespace detail {

/// Asks the CPU to start loading the frame of `h`, which will be resumed soon: its first two
/// cache lines, since a task frame (resume and destroy pointers, promise, locals) spans two or
/// three. A prefetch never faults, so reading past a small frame is harmless.
inline void prefetch_frame(std::coroutine_handle<> h) noexcept
{
#if defined(__GNUC__) || defined(__clang__)
    const auto* p = static_cast<const char*>(h.address());
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
#else
    static_cast<void>(h);
#endif
}

/// A FIFO of coroutine handles in one contiguous ring whose capacity is a power of two.
///
/// Pushing allocates only when the ring is full, and then doubles it, so a steady state of
/// yields allocates nothing. Slots can be read in queue order with `operator[]`, e.g. to
/// prefetch the frames that come next.
class ready_ring {
public:
    /// An empty ring with room for at least `capacity` handles (at least 1).
    explicit ready_ring(std::size_t capacity) { grow_to(capacity); }

    [[nodiscard]] bool empty() const noexcept { return head_ == tail_; }
    [[nodiscard]] std::size_t size() const noexcept { return tail_ - head_; }
    [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

    /// The `i`-th handle from the front. Precondition: `i < size()`.
    [[nodiscard]] std::coroutine_handle<> operator[](std::size_t i) const noexcept
    {
        return slots_[(head_ + i) & mask_];
    }

    /// Appends `h`. Throws: `std::bad_alloc` if the ring is full and can't grow.
    void push_back(std::coroutine_handle<> h)
    {
        if (size() == capacity()) {
            grow_to(2 * capacity());
        }
        slots_[tail_ & mask_] = h;
        ++tail_;
    }

    /// Removes and returns the front handle. Precondition: `!empty()`.
    std::coroutine_handle<> pop_front() noexcept
    {
        std::coroutine_handle<> h = slots_[head_ & mask_];
        ++head_;
        return h;
    }

    /// Makes room for at least `capacity` handles.
    void reserve(std::size_t capacity)
    {
        if (capacity > this->capacity()) {
            grow_to(capacity);
        }
    }

private:
    MAPIXX_CORO_NOINLINE void grow_to(std::size_t wanted)
    {
        std::size_t capacity = 1;
        while (capacity < wanted) {
            capacity *= 2;
        }
        auto slots = std::make_unique<std::coroutine_handle<>[]>(capacity);
        const std::size_t size = this->size();
        for (std::size_t i = 0; i != size; ++i) {
            slots[i] = (*this)[i];
        }
        slots_ = std::move(slots);
        head_ = 0;
        tail_ = size;
        mask_ = capacity - 1;
    }

    std::unique_ptr<std::coroutine_handle<>[]> slots_;
    // Free-running positions (they wrap around the size_t range, and `tail_ - head_` is the
    // size all the same); a slot is a position masked with `mask_`.
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
    std::size_t mask_ = 0;
};

} // namespace detail

/// A single-threaded cooperative run loop.
///
/// One thread at a time drives the loop with `run()` or `run_until_idle()`; coroutines that
/// `co_await schedule()` or `co_await yield()` are put at the back of a FIFO ready queue and
/// resumed from the loop in turn, so N coroutines that yield in a loop get round-robin turns.
///
/// The ready queue is a ring buffer of `std::coroutine_handle<>` that grows geometrically and
/// never shrinks: after warm-up a yield allocates nothing and takes no lock. Handles given to
/// the scheduler from another thread (`post()`, or `schedule()` awaited on another thread) go
/// through a mutex-protected inbox that the loop drains; posting wakes a loop blocked in `run()`.
///
/// Spawned tasks (`spawn()`) are owned by the scheduler: their frames are destroyed when they
/// finish, or by the destructor if they have not. A spawned task costs its own frame and a slot
/// in the queue, nothing more: it runs detached (its promise points to the scheduler), with no
/// wrapper coroutine around it. An exception that escapes a spawned task is stored and rethrown
/// from `run()` / `run_until_idle()` right after the resumption in which it escaped, one
/// exception per call, in the order they happened; calling `run()` again goes on with the
/// remaining work.
///
/// Thread safety: `post()`, `stop()`, `spawn()` and `spawned_count()` may be called from any
/// thread. `run()` and `run_until_idle()` must not run concurrently with each other, nor
/// re-entrantly on the same scheduler. The destructor must not run concurrently with anything.
///
/// The loop resumes handles in queue order. With more than `prefetch_distance` handles queued,
/// it prefetches the frame that many places behind the front before each resumption, so that
/// frames spread at random over memory are in the cache by the time their turn comes.
///
/// \code
/// mapixx::task<> worker(mapixx::scheduler& s, int id) {
///     for (int i = 0; i < 3; ++i) {
///         std::printf("%d ", id);
///         co_await s.yield(); // the other workers get a turn
///     }
/// }
/// mapixx::scheduler s;
/// s.spawn(worker(s, 1));
/// s.spawn(worker(s, 2));
/// s.run(); // prints 1 2 1 2 1 2 and returns when both have finished
/// \endcode
class scheduler final : private detail::detached_task_owner {
public:
    /// The awaitable returned by `schedule()` and `yield()`: suspends the awaiting coroutine and
    /// puts it at the back of the ready queue (`void await_suspend`, so it never nests stack).
    class schedule_operation {
    public:
        /// An operation that enqueues on `owner`. Use `scheduler::schedule()` instead.
        explicit schedule_operation(scheduler& owner) noexcept : owner_{&owner} {}

        /// Always false: the coroutine always goes through the queue.
        [[nodiscard]] bool await_ready() const noexcept { return false; }

        /// Enqueues `awaiting`, as `post()` does. Throws: `std::bad_alloc` (the coroutine then
        /// resumes at once with that exception).
        void await_suspend(std::coroutine_handle<> awaiting)
        {
            // The yield path: on the loop thread straight into the ring, with no check that the
            // handle is valid (the compiler hands over the awaiting coroutine's own).
            if (current_ == owner_) {
                owner_->ready_.push_back(awaiting);
            } else {
                owner_->post_to_inbox(awaiting);
            }
        }

        /// Yields nothing.
        void await_resume() const noexcept {}

    private:
        scheduler* owner_;
    };

    /// An idle scheduler whose ready queue has room for `initial_capacity` handles before it
    /// first grows (rounded up to a power of two), and whose inbox has room for as many posts
    /// from other threads, at most 16, before it grows. A loop that will have few coroutines
    /// (a session's spooler) takes a small capacity: every scheduler holds its room for life.
    ///
    /// Throws: `std::bad_alloc`.
    explicit scheduler(std::size_t initial_capacity = 64) : ready_{initial_capacity}
    {
        const std::size_t posts = (std::min)(initial_capacity, std::size_t{16});
        inbox_.reserve(posts);
        draining_.reserve(posts);
    }

    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;

    /// Destroys the frames of spawned tasks that have not finished (which destroys their
    /// locals and the tasks they await). Handles of other coroutines still queued are dropped,
    /// not destroyed: the scheduler does not own them.
    ///
    /// Preconditions: no thread is running the loop; nothing will post to it afterwards; no
    /// other object still refers to a suspended spawned task (e.g. an `async_mutex` waiter).
    ~scheduler()
    {
        Expects(current_ != this);
        for (;;) {
            detail::task_promise<void>* first = nullptr;
            {
                std::lock_guard lock{mutex_};
                first = spawned_head_;
            }
            if (first == nullptr) {
                break;
            }
            // The promise destructor unlinks the frame from the list.
            std::coroutine_handle<detail::task_promise<void>>::from_promise(*first).destroy();
        }
    }

    /// An awaitable that suspends the awaiting coroutine and resumes it from this scheduler's
    /// loop, after the coroutines already queued. Awaited on another thread, it moves the
    /// coroutine onto the loop's thread.
    [[nodiscard]] schedule_operation schedule() noexcept { return schedule_operation{*this}; }

    /// The same as `schedule()`, named for its use inside the loop: give the other ready
    /// coroutines a turn, then go on.
    [[nodiscard]] schedule_operation yield() noexcept { return schedule_operation{*this}; }

    /// Starts `work` as a detached task owned by the scheduler.
    ///
    /// The task is queued and first resumed from the loop (never inside `spawn`). Its frame is
    /// destroyed when it finishes. `run()` does not return while spawned tasks are unfinished
    /// (unless stopped). An exception that escapes it is rethrown from the loop (see the class
    /// comment). The scheduler takes the task's own frame: spawning allocates nothing else,
    /// unless the queue has to grow.
    ///
    /// A task that has already finished is not queued: the exception it stored, if any, is
    /// rethrown from the loop as if it had just escaped.
    ///
    /// Precondition: `work` has not started, or has finished.
    /// Throws: `broken_promise` if `work` is empty; `std::bad_alloc` (then `work` is destroyed).
    void spawn(task<void> work)
    {
        if (!work) {
            throw broken_promise{};
        }
        if (work.is_ready()) {
            spawn_finished(std::move(work));
            return;
        }
        const std::coroutine_handle<detail::task_promise<void>> handle =
            detail::task_access::release(work);
        detail::task_promise<void>& promise = handle.promise();
        promise.detach(*this);
        {
            std::lock_guard lock{mutex_};
            promise.links().next = spawned_head_;
            if (spawned_head_ != nullptr) {
                spawned_head_->links().prev = &promise;
            }
            spawned_head_ = &promise;
            ++spawned_count_;
        }
        try {
            post(handle);
        } catch (...) {
            handle.destroy(); // unlinks it again
            throw;
        }
    }

    /// Puts `h` at the back of the ready queue, to be resumed from the loop.
    ///
    /// Thread-safe. On the thread that is running this scheduler's loop the handle goes
    /// straight to the ring buffer (no lock); from any other thread it goes to the inbox under
    /// a mutex, and a loop blocked in `run()` is woken.
    ///
    /// Precondition: `h` is a suspended coroutine that nothing else will resume.
    /// Throws: `std::bad_alloc`.
    void post(std::coroutine_handle<> h)
    {
        Expects(static_cast<bool>(h));
        if (current_ == this) {
            ready_.push_back(h);
            return;
        }
        post_to_inbox(h);
    }

    /// Runs the loop on the calling thread until there is no ready coroutine, no posted handle
    /// and no unfinished spawned task, or until `stop()` is called. While spawned tasks are
    /// suspended and nothing is ready, it blocks until something is posted.
    ///
    /// Returns the number of coroutine resumptions it made. A stop request is consumed by the
    /// `run()` or `run_until_idle()` call that returns because of it (or by the next one if no
    /// loop is running when `stop()` is called).
    ///
    /// Preconditions: this scheduler's loop is not already running.
    /// Throws: the exception that escaped a spawned task (see the class comment);
    /// `std::bad_alloc`.
    std::size_t run() { return drive(true); }

    /// Runs the loop until the ready queue and the inbox are empty (or `stop()` is called),
    /// without ever blocking. Coroutines that keep yielding keep it busy.
    ///
    /// Returns the number of coroutine resumptions it made.
    /// Preconditions and throws: as for `run()`.
    std::size_t run_until_idle() { return drive(false); }

    /// Asks the running (or next) `run()` / `run_until_idle()` call to return after the current
    /// resumption. Thread-safe. Queued coroutines stay queued for a later call.
    void stop() noexcept
    {
        std::lock_guard lock{mutex_};
        stop_requested_ = true;
        signals_.fetch_or(stop_signal, std::memory_order_relaxed);
        wake_.notify_one(); // under the lock, as in post()
    }

    /// The number of spawned tasks that have not finished. Thread-safe.
    [[nodiscard]] std::size_t spawned_count() const
    {
        std::lock_guard lock{mutex_};
        return spawned_count_;
    }

    /// The number of handles in the ready queue (not counting the inbox). Only meaningful on
    /// the loop's thread or while no loop runs.
    [[nodiscard]] std::size_t ready_count() const noexcept { return ready_.size(); }

    /// The number of handles the ready queue holds before it next grows. Same caveat.
    [[nodiscard]] std::size_t ready_capacity() const noexcept { return ready_.capacity(); }

    /// True if the calling thread is running this scheduler's loop (i.e. is inside `run()` or
    /// `run_until_idle()`, typically in a coroutine resumed from it).
    [[nodiscard]] bool is_loop_thread() const noexcept { return current_ == this; }

private:
    static constexpr unsigned inbox_signal = 1;
    static constexpr unsigned stop_signal = 2;
    static constexpr unsigned failure_signal = 4;

    /// Destroys an already finished task and reports the exception it stored, if any, as a
    /// failure of the loop.
    void spawn_finished(task<void> finished)
    {
        const std::coroutine_handle<detail::task_promise<void>> handle =
            detail::task_access::release(finished);
        std::exception_ptr failure;
        try {
            handle.promise().result();
        } catch (...) {
            failure = std::current_exception();
        }
        handle.destroy();
        if (failure) {
            detached_task_failed(std::move(failure));
        }
    }

    /// Appends `h` to the inbox and wakes the loop: `post()` from a thread that is not running
    /// the loop.
    MAPIXX_CORO_NOINLINE void post_to_inbox(std::coroutine_handle<> h)
    {
        std::lock_guard lock{mutex_};
        inbox_.push_back(h);
        signals_.fetch_or(inbox_signal, std::memory_order_relaxed);
        // Notify while holding the lock: once it is released, the loop may finish its work and
        // the owner may destroy the scheduler, so nothing of it may be touched afterwards.
        wake_.notify_one();
    }

    /// Sets the thread's current loop for the lifetime of the guard.
    class loop_guard {
    public:
        explicit loop_guard(scheduler* s) noexcept : previous_{std::exchange(current_, s)} {}
        loop_guard(const loop_guard&) = delete;
        loop_guard& operator=(const loop_guard&) = delete;
        ~loop_guard() { current_ = previous_; }

    private:
        scheduler* previous_;
    };

    /// How many entries behind the front the frame is that the loop prefetches.
    static constexpr std::size_t prefetch_distance = 16;

    std::size_t drive(bool block)
    {
        Expects(current_ != this);
        loop_guard guard{this};
        std::size_t resumed = 0;
        for (;;) {
            if (signals_.load(std::memory_order_acquire) != 0 && take_signals()) {
                break;
            }
            if (!ready_.empty()) {
                std::coroutine_handle<> next = ready_.pop_front();
                // Prefetch a frame far enough ahead that its load completes before it is
                // resumed: with frames in random memory order every resumption is otherwise a
                // cache miss (the yield benchmark measures this case). The next frame is not
                // prefetched: by its turn it is either one of these or one of at most 16 that
                // took turns just before and are still in the cache, and the prefetch cost
                // every yield about 0.5 ns.
                if (ready_.size() > prefetch_distance) {
                    detail::prefetch_frame(ready_[prefetch_distance]);
                }
                ++resumed;
                next.resume();
                continue;
            }
            if (!block) {
                break;
            }
            std::unique_lock lock{mutex_};
            if (spawned_count_ == 0 && signals_.load(std::memory_order_relaxed) == 0) {
                break;
            }
            wake_.wait(lock, [this] {
                return spawned_count_ == 0 || signals_.load(std::memory_order_relaxed) != 0;
            });
        }
        return resumed;
    }

    /// Moves the inbox into the ring and handles stop and failure requests. Returns true if
    /// the loop must stop; throws a stored failure.
    bool take_signals()
    {
        std::exception_ptr failure;
        bool stop = false;
        {
            std::lock_guard lock{mutex_};
            std::swap(inbox_, draining_);
            if (!failures_.empty()) {
                failure = failures_.front();
                failures_.erase(failures_.begin());
            } else {
                stop = std::exchange(stop_requested_, false);
            }
            unsigned remaining = 0;
            if (!failures_.empty()) {
                remaining |= failure_signal;
            }
            if (stop_requested_) {
                remaining |= stop_signal;
            }
            signals_.store(remaining, std::memory_order_relaxed);
        }
        ready_.reserve(ready_.size() + draining_.size()); // the only point that may throw
        for (std::coroutine_handle<> h : draining_) {
            ready_.push_back(h);
        }
        draining_.clear();
        if (failure) {
            std::rethrow_exception(failure);
        }
        return stop;
    }

    void detached_task_failed(std::exception_ptr failure) noexcept override
    {
        std::lock_guard lock{mutex_};
        failures_.push_back(std::move(failure));
        signals_.fetch_or(failure_signal, std::memory_order_relaxed);
        wake_.notify_one(); // under the lock, as in post()
    }

    void detached_task_destroyed(detail::task_promise<void>& promise) noexcept override
    {
        std::lock_guard lock{mutex_};
        detail::detached_links& links = promise.links();
        if (links.prev != nullptr) {
            links.prev->links().next = links.next;
        } else {
            spawned_head_ = links.next;
        }
        if (links.next != nullptr) {
            links.next->links().prev = links.prev;
        }
        --spawned_count_;
        // A task that finishes on another thread may be the last one that keeps run() going;
        // notify under the lock, as in post().
        wake_.notify_one();
    }

    // The loop that the calling thread is running, if any (innermost if nested).
    static inline thread_local scheduler* current_ = nullptr;

    detail::ready_ring ready_; // loop thread only
    std::atomic<unsigned> signals_{0};

    mutable std::mutex mutex_; // guards everything below
    std::condition_variable wake_;
    std::vector<std::coroutine_handle<>> inbox_;
    std::vector<std::coroutine_handle<>> draining_; // loop thread only; kept for its capacity
    std::vector<std::exception_ptr> failures_;
    detail::task_promise<void>* spawned_head_ = nullptr; // the spawned tasks, unfinished
    std::size_t spawned_count_ = 0;
    bool stop_requested_ = false;
};

static_assert(scheduler_like<scheduler>);

} // namespace mapixx::inline v0
#endif
