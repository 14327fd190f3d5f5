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

/// Where the awaitable's resumption and the waiting thread meet. The resumer marks the wait
/// finished; the thread, once `await_suspend` has returned, marks itself asleep. Whoever comes
/// second knows what to do: a resumer that finds the thread asleep wakes it through the
/// semaphore; a thread that finds the wait finished (the awaitable completed on this thread
/// during `await_suspend`) returns without touching the semaphore, so no futex call is made.
struct sync_wait_state {
    static constexpr int running = 0;
    static constexpr int finished = 1;
    static constexpr int asleep = 2;

    std::atomic<int> phase{running};
    std::binary_semaphore wake{0};

    /// After `await_suspend` said the awaiter suspended: returns once it has been resumed.
    void wait() noexcept
    {
        if (phase.exchange(asleep, std::memory_order_acq_rel) == finished) {
            return;
        }
        wake.acquire();
    }
};

/// Signals the waiting thread. It runs in `await_suspend`, after the resumer is suspended
/// again, so the waiting thread may hand the resumer to its next wait at once; nothing here
/// touches the frame after the state pointer is read, and the state itself lives on the
/// waiting thread's stack.
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

/// The promise of the resumer: the coroutine whose handle `sync_wait` gives an awaiter's
/// `await_suspend`. Each resumption signals the current wait (`state_`) and suspends again,
/// so one resumer serves any number of waits, one after the other.
struct sync_wait_resumer_promise {
    using handle = std::coroutine_handle<sync_wait_resumer_promise>;

    handle get_return_object() noexcept { return handle::from_promise(*this); }
    [[nodiscard]] static void* operator new(std::size_t size) { return frame_cache::allocate(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { frame_cache::deallocate(frame, size); }
    [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
    [[nodiscard]] std::suspend_always final_suspend() const noexcept { return {}; }  // never reached
    void unhandled_exception() noexcept { std::terminate(); }                       // nothing throws
    void return_void() noexcept {}

    sync_wait_state* state_ = nullptr;
};

/// The resumer's body: one signal per resumption, for ever (it is destroyed while suspended).
struct sync_wait_resumer {
    using promise_type = sync_wait_resumer_promise;
    sync_wait_resumer(promise_type::handle h) noexcept : frame(h) {}
    promise_type::handle frame;
};

inline sync_wait_resumer make_sync_wait_resumer()
{
    for (;;) {
        co_await sync_wait_signal{};
    }
}

/// A resumer for one wait, taken from the calling thread's spare (one is kept per thread; a
/// `sync_wait` inside another, on the same thread, makes its own) and given back after the
/// wait. A wait is over only once the resumer has signalled from its suspended state, so it is
/// never handed out while another thread is still resuming it.
class sync_wait_resumer_lease {
public:
    explicit sync_wait_resumer_lease(sync_wait_state& state)
        : frame_(spare().frame ? std::exchange(spare().frame, nullptr) : make_sync_wait_resumer().frame)
    {
        frame_.promise().state_ = &state;
    }
    sync_wait_resumer_lease(const sync_wait_resumer_lease&) = delete;
    sync_wait_resumer_lease& operator=(const sync_wait_resumer_lease&) = delete;
    ~sync_wait_resumer_lease()
    {
        frame_.promise().state_ = nullptr;
        holder& h = spare();
        if (h.frame || h.closed) {
            frame_.destroy();
        } else {
            h.frame = frame_;
        }
    }

    [[nodiscard]] std::coroutine_handle<sync_wait_resumer_promise> handle() const noexcept { return frame_; }

private:
    /// The thread's spare resumer, destroyed when the thread ends; a lease given back after
    /// that (by a thread_local destructor that runs later) destroys its resumer itself.
    struct holder {
        sync_wait_resumer_promise::handle frame;
        bool closed = false;
        holder() noexcept = default;
        holder(const holder&) = delete;
        holder& operator=(const holder&) = delete;
        ~holder()
        {
            if (frame) frame.destroy();
            frame = nullptr;
            closed = true;
        }
    };
    static holder& spare() noexcept
    {
        static thread_local holder h;
        return h;
    }

    sync_wait_resumer_promise::handle frame_;
};

/// Suspends `aw` with `resumer` as the coroutine to resume, and waits until that happened;
/// returns at once if `aw` did not suspend.
template <class Awaiter>
void sync_wait_suspend(Awaiter& aw, std::coroutine_handle<sync_wait_resumer_promise> resumer, sync_wait_state& state)
{
    using result = decltype(aw.await_suspend(resumer));
    if constexpr (std::is_void_v<result>) {
        aw.await_suspend(resumer);
    } else if constexpr (std::is_same_v<result, bool>) {
        if (!aw.await_suspend(resumer)) {
            return;
        }
    } else {
        std::coroutine_handle<> next = aw.await_suspend(resumer);
        next.resume();  // symmetric transfer, done by hand (the resumer itself, if it did not suspend)
    }
    state.wait();
}

} // namespace detail

/// Runs `a` to completion on the calling thread and returns what `co_await a` yields.
///
/// The calling thread drives `a`'s awaiter itself (`await_ready`, `await_suspend`,
/// `await_resume`), with a small resumer coroutine (kept per thread) as the coroutine to
/// resume. If `a` completes without suspending, `sync_wait` returns at once, with no system
/// call and no allocation once the thread has its resumer; if it suspends and is resumed later,
/// possibly on another thread, the calling thread blocks on a `std::binary_semaphore` until it
/// completes. An lvalue reference result is returned as such; any other result is returned by
/// value, moved out of the awaited result (so `sync_wait(std::move(t))` moves the value out of
/// task `t`, and `sync_wait(t)` returns a reference into it).
///
/// Preconditions: not called from a coroutine running on the thread that must resume `a`
/// (that would deadlock, as the thread is blocked here).
///
/// Throws: whatever `co_await a` throws (for a task, the exception that escaped its body;
/// `broken_promise` for an empty task); `std::bad_alloc` if the thread's resumer can't be
/// allocated.
///
/// \code
/// mapixx::task<int> answer() { co_return 42; }
/// int main() { return mapixx::sync_wait(answer()) == 42 ? 0 : 1; }
/// \endcode
template <awaitable A>
auto sync_wait(A&& a) -> detail::sync_wait_result_t<await_result_t<A&&>>
{
    decltype(auto) aw = detail::get_awaiter(std::forward<A>(a));
    if (!aw.await_ready()) {
        // Declared before the lease so that it outlives the resumer's signal.
        detail::sync_wait_state state;
        detail::sync_wait_resumer_lease lease(state);
        detail::sync_wait_suspend(aw, lease.handle(), state);
    }
    return aw.await_resume();
}

} // namespace mapixx::inline v0
#endif
