// SPDX-License-Identifier: MIT
/// \file
/// `sync_wait`: runs an awaitable to completion from ordinary (non-coroutine) code.
#ifndef MAPIXX_CORO_SYNC_WAIT_HPP_INCLUDED
#define MAPIXX_CORO_SYNC_WAIT_HPP_INCLUDED

#include <mapixx/coro/task.hpp>

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <semaphore>
#include <type_traits>
#include <utility>

namespace mapixx::inline v0 {
namespace detail {

/// What `sync_wait` returns for an awaitable whose `co_await` yields `R`: lvalue references
/// as they are, everything else as a value moved out of the awaited result.
template <class R>
using sync_wait_result_t =
    std::conditional_t<std::is_lvalue_reference_v<R> || std::is_void_v<R>, R,
                       std::remove_cvref_t<R>>;

/// Where the helper coroutine and the waiting thread meet. The helper marks itself finished;
/// the thread, once the first resumption returns, marks itself asleep. Whoever comes second
/// knows what to do: a helper that finds the thread asleep wakes it through the semaphore; a
/// thread that finds the helper finished (the common case: the awaitable completed inline,
/// on this thread) returns without touching the semaphore, so no futex call is made.
struct sync_wait_state {
    static constexpr int running = 0;
    static constexpr int finished = 1;
    static constexpr int asleep = 2;

    std::atomic<int> phase{running};
    std::binary_semaphore wake{0};
};

/// Signals the waiting thread. Once the helper is marked finished the waiting thread may
/// destroy the frame at any moment, so nothing here touches the frame afterwards: the state
/// pointer is read first, and the state itself lives on the waiting thread's stack.
struct sync_wait_signal {
    [[nodiscard]] bool await_ready() const noexcept { return false; }

    template <class Promise>
    void await_suspend(std::coroutine_handle<Promise> self) noexcept
    {
        sync_wait_state* state = self.promise().state_;
        if (state->phase.exchange(sync_wait_state::finished, std::memory_order_acq_rel) == sync_wait_state::asleep) {
            state->wake.release();
        }
    }

    void await_resume() const noexcept {}
};

/// The promise of the helper coroutine that `sync_wait` drives. `R` is the await result.
template <class R>
class sync_wait_promise {
public:
    using frame_handle = std::coroutine_handle<sync_wait_promise>;

    frame_handle get_return_object() noexcept { return frame_handle::from_promise(*this); }
    [[nodiscard]] static void* operator new(std::size_t size) { return frame_cache::allocate(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { frame_cache::deallocate(frame, size); }
    [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
    [[nodiscard]] sync_wait_signal final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { error_ = std::current_exception(); }
    void return_void() noexcept {}

    /// Keeps the address of the awaited result, which lives in the frame while the helper is
    /// suspended at this `co_yield`; the result is moved out from there, never copied in.
    sync_wait_signal yield_value(R&& result) noexcept
    {
        result_ = std::addressof(result);
        return {};
    }

    /// Rethrows the awaited exception or hands out the awaited result.
    sync_wait_result_t<R> result()
    {
        if (error_) {
            std::rethrow_exception(error_);
        }
        if constexpr (std::is_lvalue_reference_v<R>) {
            return *result_;
        } else {
            return std::move(*result_);
        }
    }

    sync_wait_state* state_ = nullptr;

private:
    std::exception_ptr error_;
    std::add_pointer_t<std::remove_reference_t<R>> result_ = nullptr;
};

template <>
class sync_wait_promise<void> {
public:
    using frame_handle = std::coroutine_handle<sync_wait_promise>;

    frame_handle get_return_object() noexcept { return frame_handle::from_promise(*this); }
    [[nodiscard]] static void* operator new(std::size_t size) { return frame_cache::allocate(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { frame_cache::deallocate(frame, size); }
    [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
    [[nodiscard]] sync_wait_signal final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { error_ = std::current_exception(); }
    void return_void() noexcept {}

    void result() const
    {
        if (error_) {
            std::rethrow_exception(error_);
        }
    }

    sync_wait_state* state_ = nullptr;

private:
    std::exception_ptr error_;
};

/// Owns the frame of the helper coroutine.
template <class R>
class sync_wait_frame {
public:
    using promise_type = sync_wait_promise<R>;

    sync_wait_frame(std::coroutine_handle<promise_type> frame) noexcept : frame_{frame} {}
    sync_wait_frame(const sync_wait_frame&) = delete;
    sync_wait_frame& operator=(const sync_wait_frame&) = delete;
    ~sync_wait_frame() { frame_.destroy(); }

    /// Starts the helper and blocks until it has signalled `state`; returns at once, without
    /// blocking, when the helper finished during this first resumption.
    void run(sync_wait_state& state)
    {
        frame_.promise().state_ = &state;
        frame_.resume();
        if (state.phase.exchange(sync_wait_state::asleep, std::memory_order_acq_rel) == sync_wait_state::finished) {
            return;
        }
        state.wake.acquire();
    }

    sync_wait_result_t<R> result() { return frame_.promise().result(); }

private:
    std::coroutine_handle<promise_type> frame_;
};

/// The helper coroutine: awaits `a` and parks on a `co_yield` of its result, or at the final
/// suspend point for void and for exceptions.
template <class R, class A>
sync_wait_frame<R> make_sync_wait_frame(A&& a)
{
    if constexpr (std::is_void_v<R>) {
        co_await static_cast<A&&>(a);
    } else {
        co_yield co_await static_cast<A&&>(a);
    }
}

} // namespace detail

/// Runs `a` to completion on the calling thread and returns what `co_await a` yields.
///
/// The awaitable is awaited from a helper coroutine started on the calling thread. If it
/// completes without suspending, `sync_wait` returns at once, with no system call; if it
/// suspends and is resumed later, possibly on another thread, the calling thread blocks on a
/// `std::binary_semaphore` until it completes. An lvalue reference result is returned as such; any other result is
/// returned by value, moved out of the awaited result (so `sync_wait(std::move(t))` moves the
/// value out of task `t`, and `sync_wait(t)` returns a reference into it).
///
/// Preconditions: not called from a coroutine running on the thread that must resume `a`
/// (that would deadlock, as the thread is blocked here).
///
/// Throws: whatever `co_await a` throws (for a task, the exception that escaped its body;
/// `broken_promise` for an empty task); `std::bad_alloc` if the helper frame can't be allocated.
///
/// \code
/// mapixx::task<int> answer() { co_return 42; }
/// int main() { return mapixx::sync_wait(answer()) == 42 ? 0 : 1; }
/// \endcode
template <awaitable A>
auto sync_wait(A&& a) -> detail::sync_wait_result_t<await_result_t<A&&>>
{
    using result_type = await_result_t<A&&>;
    // Declared before the frame so that it outlives the helper, which signals it.
    detail::sync_wait_state state;
    detail::sync_wait_frame<result_type> frame =
        detail::make_sync_wait_frame<result_type>(std::forward<A>(a));
    frame.run(state);
    return frame.result();
}

} // namespace mapixx::inline v0
#endif
