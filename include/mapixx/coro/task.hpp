// SPDX-License-Identifier: MIT
/// \file
/// A lazy, move-only coroutine `task<T>` that owns its frame, plus the awaitable concepts.
#ifndef MAPIXX_CORO_TASK_HPP_INCLUDED
#define MAPIXX_CORO_TASK_HPP_INCLUDED

#include <mapixx/coro/broken_promise.hpp>

#include <atomic>
#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>

/// \def MAPIXX_CORO_SYMMETRIC_TRANSFER
/// 1 if `co_await task` starts the child by symmetric transfer, 0 if it resumes the child
/// inline and attaches the continuation afterwards.
///
/// Why two strategies: a coroutine that awaits many tasks which complete without suspending
/// (`for (...) sum += co_await make_value(i);`) only runs in constant stack if the
/// compiler turns the `coroutine_handle` returned by `await_suspend` into a real tail call.
/// Clang does so at every optimisation level (it marks the resume call `musttail`). g++ 12
/// does not guarantee it: measured on Debian 12 with an 8 MiB stack, 100k such awaits crash at
/// -O0 and 10M crash at -O0, -Og and -O1 (they pass at -O2); see GCC PR 100897 and libcoro
/// issues 273/277. So by default only clang uses symmetric transfer; every other compiler uses
/// the inline-resume strategy, which never nests stack for synchronous completion (see
/// `detail::task_inline_awaiter`). The default depends on the compiler only, never on the
/// optimisation level, so that every translation unit of a program agrees on it.
///
/// Both strategies share one promise protocol (an atomic "arrived" flag; the second of the
/// child and the awaiter to arrive resumes the awaiter), so they are equally correct when a
/// task completes on another thread. Define the macro to 0 or 1 before the first include to
/// override the default; it must have the same value in every translation unit.
#ifndef MAPIXX_CORO_SYMMETRIC_TRANSFER
#if defined(__clang__)
#define MAPIXX_CORO_SYMMETRIC_TRANSFER 1
#else
#define MAPIXX_CORO_SYMMETRIC_TRANSFER 0
#endif
#endif

/// \def MAPIXX_CORO_FRAME_CACHE
/// 1 if the frames of tasks are recycled per thread (`detail::frame_cache`), 0 if each frame
/// is allocated with the global operator new and freed at once.
///
/// A frame freed on a thread is kept there, up to a few frames of each size and
/// `detail::frame_cache::max_bytes` in all, and the next frame of that size made on that thread
/// reuses it: a logon, which makes and frees dozens of small frames, then allocates almost none
/// (Boost.Asio recycles its awaitable frames per thread in the same way). A frame may be freed
/// on another thread than the one that made it; it then stays on the freeing thread. What a
/// thread keeps is freed when the thread ends.
///
/// The default is 1, except under AddressSanitizer, ThreadSanitizer and MemorySanitizer: there
/// every frame goes back to the allocator, which is what lets them find a frame used after it
/// was freed. Define the macro before the first include to override the default; it must have
/// the same value in every translation unit.
#ifndef MAPIXX_CORO_FRAME_CACHE
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MAPIXX_CORO_FRAME_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define MAPIXX_CORO_FRAME_CACHE 0
#endif
#endif
#ifndef MAPIXX_CORO_FRAME_CACHE
#define MAPIXX_CORO_FRAME_CACHE 1
#endif
#endif

namespace mapixx::inline v0 {

template <class T = void>
class task;

namespace detail {

/// Returns the awaiter that `co_await a` would use: the result of a member or free
/// `operator co_await`, or `a` itself. Meant for unevaluated use in traits.
template <class A>
decltype(auto) get_awaiter(A&& a)
{
    if constexpr (requires { static_cast<A&&>(a).operator co_await(); }) {
        return static_cast<A&&>(a).operator co_await();
    } else if constexpr (requires { operator co_await(static_cast<A&&>(a)); }) {
        return operator co_await(static_cast<A&&>(a));
    } else {
        return static_cast<A&&>(a);
    }
}

/// The three return types that the standard allows for `await_suspend`.
template <class S>
concept await_suspend_result = std::same_as<S, void> || std::same_as<S, bool> ||
                               std::convertible_to<S, std::coroutine_handle<>>;

} // namespace detail

/// An object with the three `await_*` members, callable from any coroutine.
///
/// `await_suspend` is checked with a `std::coroutine_handle<void>`, so an awaiter that only
/// accepts a handle of one promise type does not satisfy it.
template <class A>
concept awaiter = requires(A& a, std::coroutine_handle<> h) {
    { a.await_ready() } -> std::convertible_to<bool>;
    { a.await_suspend(h) } -> detail::await_suspend_result;
    a.await_resume();
};

/// Something that may appear as the operand of `co_await` in any coroutine: an `awaiter`,
/// or a type whose member or free `operator co_await` returns one.
template <class A>
concept awaitable = requires(A&& a) {
    { detail::get_awaiter(static_cast<A&&>(a)) } -> awaiter;
};

/// The type of `co_await std::declval<A>()`.
template <awaitable A>
using await_result_t = decltype(detail::get_awaiter(std::declval<A>()).await_resume());

namespace detail {

template <class T>
class task_promise;

/// Takes the frame out of a task, for the library's own owners of frames (`scheduler::spawn`).
struct task_access {
    template <class T>
    [[nodiscard]] static std::coroutine_handle<task_promise<T>> release(task<T>& t) noexcept
    {
        return std::exchange(t.frame_, nullptr);
    }
};

/// The owner of detached `task<void>` frames (the scheduler, through `scheduler::spawn`).
///
/// A detached task has no awaiter and no `task` object: its promise points to its owner, tells it
/// when an exception escapes the body, and tells it again when the frame is destroyed, which
/// happens by itself when the body ends, or when the owner destroys the frame.
class detached_task_owner {
public:
    detached_task_owner(const detached_task_owner&) = delete;
    detached_task_owner& operator=(const detached_task_owner&) = delete;

    /// Called from `unhandled_exception` of a detached task, with the escaped exception.
    virtual void detached_task_failed(std::exception_ptr failure) noexcept = 0;

    /// Called from the promise destructor of a detached task (the frame is going away).
    virtual void detached_task_destroyed(task_promise<void>& promise) noexcept = 0;

protected:
    detached_task_owner() noexcept = default;
    ~detached_task_owner() = default;
};

/// The per-thread cache of task frames (see MAPIXX_CORO_FRAME_CACHE). Frames up to
/// `max_frame` bytes are kept in one list per size (rounded up to 8 bytes), at most
/// `per_size` frames a size and `max_bytes` in all; larger frames, and every frame when the
/// cache is off, go straight to the global operator new and delete. Only the calling thread's
/// lists are touched, so nothing here is shared between threads.
class frame_cache {
public:
    static constexpr std::size_t granule = 8;
    static constexpr std::size_t max_frame = 4096;
    static constexpr std::size_t per_size = 8;
    static constexpr std::size_t max_bytes = 64 * 1024;

    /// Memory for a frame of `size` bytes. Throws `std::bad_alloc` as operator new does.
    [[nodiscard]] static void* allocate(std::size_t size)
    {
#if MAPIXX_CORO_FRAME_CACHE
        if (size <= max_frame) {
            lists& l = local();
            const std::size_t i = index(size);
            if (node* n = l.head[i]) {
                l.head[i] = n->next;
                --l.count[i];
                l.bytes -= rounded(size);
                return n;
            }
            return ::operator new(rounded(size));
        }
#endif
        return ::operator new(size);
    }

    /// Gives back the memory of a frame of `size` bytes (the size given to `allocate`).
    static void deallocate(void* frame, std::size_t size) noexcept
    {
#if MAPIXX_CORO_FRAME_CACHE
        if (size <= max_frame) {
            lists& l = local();
            const std::size_t i = index(size);
            if (l.count[i] < per_size && l.bytes + rounded(size) <= max_bytes) {
                if (l.bytes == 0) watch_thread_end(l);  // the first frame kept since the lists were emptied
                l.head[i] = ::new (frame) node{l.head[i]};
                ++l.count[i];
                l.bytes += rounded(size);
                return;
            }
            free_frame(frame, rounded(size));
            return;
        }
#endif
        free_frame(frame, size);
    }

    /// Frees what the calling thread keeps (the cache fills again as frames are freed). For
    /// tests that count allocations, and for threads that are done with coroutines.
    static void release_this_thread() noexcept
    {
#if MAPIXX_CORO_FRAME_CACHE
        local().release();
#endif
    }

    /// Bytes of frames the calling thread keeps.
    [[nodiscard]] static std::size_t bytes_kept_by_this_thread() noexcept
    {
#if MAPIXX_CORO_FRAME_CACHE
        const lists& l = local();
        return l.closed ? 0 : l.bytes;
#else
        return 0;
#endif
    }

private:
    struct node {
        node* next;
    };
    static constexpr std::size_t sizes = max_frame / granule;

    /// A thread's lists. Trivially destructible, so that a frame freed by a thread_local
    /// destructor that runs after `closer`'s still finds valid (closed) lists. Closed lists
    /// count as full (`bytes` is `max_bytes`), so that the hot paths need no test of their own.
    struct lists {
        node* head[sizes];
        std::uint8_t count[sizes];
        std::size_t bytes;
        bool closed;
        bool watched;  ///< `closer` is registered for this thread

        void release() noexcept
        {
            for (std::size_t i = 0; i < sizes; ++i) {
                while (node* n = head[i]) {
                    head[i] = n->next;
                    free_frame(n, (i + 1) * granule);
                }
                count[i] = 0;
            }
            bytes = closed ? max_bytes : 0;
        }
    };

    /// Frees a thread's lists when it ends, and closes them: frames freed later go to operator
    /// delete.
    struct closer {
        lists* l;
        ~closer()
        {
            l->closed = true;
            l->release();
        }
    };

    /// Makes sure `closer` runs when the thread ends (registered with the first frame the
    /// thread keeps, so that the paths that find it registered test no guard).
    [[gnu::noinline]] static void watch_thread_end(lists& l) noexcept
    {
        if (l.watched) return;
        static thread_local closer c{&l};
        l.watched = true;
    }

    /// Sized when the compiler has sized deallocation (clang 14 needs -fsized-deallocation).
    static void free_frame(void* frame, [[maybe_unused]] std::size_t size) noexcept
    {
#if defined(__cpp_sized_deallocation)
        ::operator delete(frame, size);
#else
        ::operator delete(frame);
#endif
    }

    static std::size_t index(std::size_t size) noexcept { return (size + granule - 1) / granule - 1; }
    static std::size_t rounded(std::size_t size) noexcept { return (index(size) + 1) * granule; }

    static lists& local() noexcept
    {
        static thread_local lists l{};  // zero-initialised: no dynamic initialisation
        return l;
    }
};

/// An allocator over the calling thread's `frame_cache`, for the small blocks a logon makes
/// and its logoff frees: a member's block (`make_member`), the control blocks of the
/// `shared_ptr`s of provider logons and logon reports. Plain operator new when the cache is
/// off; a block freed on another thread goes to that thread's cache.
template <class T>
struct frame_cache_allocator {
    using value_type = T;
    frame_cache_allocator() noexcept = default;
    template <class U>
    frame_cache_allocator(const frame_cache_allocator<U>&) noexcept {}  // NOLINT: converting, as allocators are
    [[nodiscard]] T* allocate(std::size_t n) { return static_cast<T*>(frame_cache::allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { frame_cache::deallocate(p, n * sizeof(T)); }
    template <class U>
    friend bool operator==(const frame_cache_allocator&, const frame_cache_allocator<U>&) noexcept { return true; }
};

/// The links by which an owner keeps its detached tasks in a list (the owner's to use).
struct detached_links {
    task_promise<void>* prev = nullptr;
    task_promise<void>* next = nullptr;
};

/// The frame the calling thread is starting inline (`task_inline_awaiter`), or null once that
/// frame has finished before its start returned.
inline void*& inline_start_slot() noexcept
{
    static thread_local void* slot = nullptr;
    return slot;
}

/// The final awaiter of every task. An attached task suspends there, and the second of {child
/// finished, awaiter attached} to arrive resumes the awaiting coroutine. A task that finishes
/// while its awaiter is still starting it inline, on the same thread, says so through
/// `inline_start_slot` instead, without an atomic operation. A detached task does not suspend:
/// its frame is destroyed at once (`await_ready` is true).
struct task_final_awaiter {
    bool detached = false;

    [[nodiscard]] bool await_ready() const noexcept { return detached; }

    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept
    {
        if constexpr (MAPIXX_CORO_SYMMETRIC_TRANSFER == 0) {
            void*& starting = inline_start_slot();
            if (starting == self.address()) {
                starting = nullptr;
                return std::noop_coroutine();
            }
        }
        return self.promise().arrive_at_end();
    }

    void await_resume() const noexcept {}
};

/// What every task promise has in common: laziness, the final awaiter and the continuation.
///
/// The continuation and the "arrived" flag share one atomic word (a frame address is at least
/// 8-aligned, so its low bits are free): bit 0 says that the first of the child and its awaiter
/// has arrived. A detached task keeps its owner in that word instead, marked by bit 1.
class task_promise_base {
public:
    task_promise_base() noexcept = default;
    task_promise_base(const task_promise_base&) = delete;
    task_promise_base& operator=(const task_promise_base&) = delete;

    /// Tasks are lazy: the body runs only when the task is awaited.
    [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
    [[nodiscard]] task_final_awaiter final_suspend() const noexcept
    {
        return task_final_awaiter{detached_owner() != nullptr};
    }

    /// Frames come from the calling thread's `frame_cache` (see MAPIXX_CORO_FRAME_CACHE).
    [[nodiscard]] static void* operator new(std::size_t size) { return frame_cache::allocate(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { frame_cache::deallocate(frame, size); }

    /// Symmetric strategy: records the continuation before the child starts.
    void attach_before_start(std::coroutine_handle<> continuation) noexcept
    {
        state_.store(address_bits(continuation) | arrived_bit, std::memory_order_release);
    }

    /// Inline strategy: records the continuation after the child ran; returns false if the
    /// child had already finished (then the awaiter must not suspend).
    [[nodiscard]] bool attach_after_start(std::coroutine_handle<> continuation) noexcept
    {
        const std::uintptr_t before =
            state_.exchange(address_bits(continuation) | arrived_bit, std::memory_order_acq_rel);
        return (before & arrived_bit) == 0;
    }

    /// The body has ended (attached task): returns the coroutine to resume next, the
    /// continuation if the awaiter attached first, else `noop_coroutine()` (the awaiter is still
    /// inside its `await_suspend` and will see the flag).
    [[nodiscard]] std::coroutine_handle<> arrive_at_end() noexcept
    {
        const std::uintptr_t before = state_.fetch_or(arrived_bit, std::memory_order_acq_rel);
        if ((before & arrived_bit) != 0) {
            return std::coroutine_handle<>::from_address(
                reinterpret_cast<void*>(before & ~low_bits));
        }
        return std::noop_coroutine();
    }

    /// The owner of a detached task; null if the task is not detached.
    [[nodiscard]] detached_task_owner* detached_owner() const noexcept
    {
        const std::uintptr_t state = state_.load(std::memory_order_relaxed);
        if ((state & detached_bit) == 0) {
            return nullptr;
        }
        return reinterpret_cast<detached_task_owner*>(state & ~low_bits);
    }

protected:
    ~task_promise_base() = default;

    /// Marks the task detached and owned by `owner`. Precondition: it has not started and
    /// nothing awaits it.
    void set_detached_owner(detached_task_owner& owner) noexcept
    {
        state_.store(reinterpret_cast<std::uintptr_t>(&owner) | detached_bit,
                     std::memory_order_relaxed);
    }

private:
    static constexpr std::uintptr_t arrived_bit = 1;
    static constexpr std::uintptr_t detached_bit = 2;
    static constexpr std::uintptr_t low_bits = arrived_bit | detached_bit;

    static std::uintptr_t address_bits(std::coroutine_handle<> h) noexcept
    {
        return reinterpret_cast<std::uintptr_t>(h.address());
    }

    std::atomic<std::uintptr_t> state_{0};
};

/// The promise of `task<T>` for an object type `T`.
template <class T>
class task_promise final : public task_promise_base {
public:
    task<T> get_return_object() noexcept;

    void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }

    template <class U = T>
        requires std::constructible_from<T, U&&>
    void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>)
    {
        result_.template emplace<1>(std::forward<U>(value));
    }

    /// The stored value; rethrows the stored exception.
    T& result() &
    {
        check();
        return *std::get_if<1>(&result_);
    }

    /// The stored value, moved out; rethrows the stored exception.
    T result() &&
    {
        check();
        return std::move(*std::get_if<1>(&result_));
    }

private:
    void check() const
    {
        if (result_.index() == 2) {
            std::rethrow_exception(*std::get_if<2>(&result_));
        }
        if (result_.index() == 0) {
            throw broken_promise{};
        }
    }

    std::variant<std::monostate, T, std::exception_ptr> result_;
};

/// The promise of `task<T&>`: stores the address of the referred object.
template <class T>
class task_promise<T&> final : public task_promise_base {
public:
    task<T&> get_return_object() noexcept;

    void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }

    void return_value(T& value) noexcept { result_.template emplace<1>(std::addressof(value)); }

    /// The referred object; rethrows the stored exception.
    T& result() const
    {
        if (result_.index() == 2) {
            std::rethrow_exception(*std::get_if<2>(&result_));
        }
        if (result_.index() == 0) {
            throw broken_promise{};
        }
        return **std::get_if<1>(&result_);
    }

private:
    std::variant<std::monostate, T*, std::exception_ptr> result_;
};

/// The promise of `task<void>`.
///
/// Only a void task can be detached (`scheduler::spawn`). A detached task never needs its stored
/// exception (the owner gets it at once), so the exception and the owner's list links share
/// their storage: a detached frame is no larger than any other void task's.
template <>
class task_promise<void> final : public task_promise_base {
public:
    task_promise() noexcept : error_{} {}
    task_promise(const task_promise&) = delete;
    task_promise& operator=(const task_promise&) = delete;

    ~task_promise()
    {
        if (detached_task_owner* owner = detached_owner()) {
            owner->detached_task_destroyed(*this);
            links_.~detached_links();
        } else {
            error_.~exception_ptr();
        }
    }

    task<void> get_return_object() noexcept;

    void unhandled_exception() noexcept
    {
        if (detached_task_owner* owner = detached_owner()) {
            owner->detached_task_failed(std::current_exception());
        } else {
            error_ = std::current_exception();
        }
    }

    void return_void() noexcept {}

    /// Rethrows the stored exception, if any. Precondition: the task is not detached.
    void result() const
    {
        if (error_) {
            std::rethrow_exception(error_);
        }
    }

    /// Hands the frame to `owner`: from now on the frame destroys itself when the body ends,
    /// and `owner` hears of an escaped exception and of the frame's destruction.
    ///
    /// Preconditions: the body has not started; nothing awaits the task; no `task` object will
    /// destroy the frame any more.
    void detach(detached_task_owner& owner) noexcept
    {
        error_.~exception_ptr();
        ::new (static_cast<void*>(&links_)) detached_links{};
        set_detached_owner(owner);
    }

    /// The owner's list links. Precondition: the task is detached.
    [[nodiscard]] detached_links& links() noexcept { return links_; }

private:
    union {
        std::exception_ptr error_; // while not detached
        detached_links links_;     // once detached
    };
};

/// Starts the child by symmetric transfer: the child's handle is returned, and the child's
/// final awaiter returns the continuation. Constant stack only with guaranteed tail calls.
template <class Promise>
class task_symmetric_awaiter {
public:
    explicit task_symmetric_awaiter(std::coroutine_handle<Promise> child) noexcept : child_{child}
    {
    }

    [[nodiscard]] bool await_ready() const noexcept { return !child_ || child_.done(); }

    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept
    {
        child_.promise().attach_before_start(awaiting);
        return child_;
    }

protected:
    std::coroutine_handle<Promise> child_;
};

/// Starts the child by resuming it inline, then attaches the continuation only if the child
/// has not finished yet.
///
/// If the child completes synchronously, `resume()` returns here with the child at its final
/// suspend point, `attach_after_start` returns false, and the awaiting coroutine continues
/// without suspending: the stack is back where it was, whatever the compiler does with tail
/// calls. If the child suspended (say on a scheduler, possibly finishing on another thread),
/// the atomic exchange decides who arrives second; that side resumes the awaiter. A child that
/// finishes before `resume()` returns learns it from `inline_start_slot` (the frame this thread
/// is starting) and clears the slot, so the common, synchronous case needs no atomic operation.
template <class Promise>
class task_inline_awaiter {
public:
    explicit task_inline_awaiter(std::coroutine_handle<Promise> child) noexcept : child_{child} {}

    [[nodiscard]] bool await_ready() const noexcept { return !child_ || child_.done(); }

    bool await_suspend(std::coroutine_handle<> awaiting) noexcept
    {
        void*& starting = inline_start_slot();
        void* const outer = starting;  // an await further up this thread's stack
        starting = child_.address();
        child_.resume();
        const bool finished = starting == nullptr;
        starting = outer;
        if (finished) {
            return false;
        }
        return child_.promise().attach_after_start(awaiting);
    }

protected:
    std::coroutine_handle<Promise> child_;
};

/// The awaiter base that MAPIXX_CORO_SYMMETRIC_TRANSFER selects.
template <class Promise>
using task_awaiter_base = std::conditional_t<MAPIXX_CORO_SYMMETRIC_TRANSFER != 0,
                                             task_symmetric_awaiter<Promise>,
                                             task_inline_awaiter<Promise>>;

/// `co_await t` on an lvalue task: yields `T&` (the value stays in the task), `T&` or void.
template <class T>
class task_lvalue_awaiter final : public task_awaiter_base<task_promise<T>> {
public:
    using task_awaiter_base<task_promise<T>>::task_awaiter_base;

    decltype(auto) await_resume()
    {
        if (!this->child_) {
            throw broken_promise{};
        }
        return this->child_.promise().result();
    }
};

/// `co_await std::move(t)`: yields `T` (moved out of the task), `T&` or void.
template <class T>
class task_rvalue_awaiter final : public task_awaiter_base<task_promise<T>> {
public:
    using task_awaiter_base<task_promise<T>>::task_awaiter_base;

    decltype(auto) await_resume()
    {
        if (!this->child_) {
            throw broken_promise{};
        }
        return std::move(this->child_.promise()).result();
    }
};

/// `co_await t.when_ready()`: waits for completion, yields nothing and never throws.
template <class T>
class task_ready_awaiter final : public task_awaiter_base<task_promise<T>> {
public:
    using task_awaiter_base<task_promise<T>>::task_awaiter_base;

    void await_resume() const noexcept {}
};

} // namespace detail

/// A lazy coroutine that produces a `T` (an object type, a reference or `void`) once awaited.
///
/// The body does not run until the task is first awaited. The task owns the coroutine frame:
/// destroying the task destroys the frame, its locals and its result. A value returned by
/// `co_return` or an exception that escapes the body is stored in the frame and handed out (or
/// rethrown) by `co_await`.
///
/// Awaiting a task whose body finishes without suspending does not grow the stack, whatever
/// the optimisation level (see MAPIXX_CORO_SYMMETRIC_TRANSFER).
///
/// Preconditions: a task is awaited by at most one coroutine at a time, and is not awaited
/// again while an earlier await of it is suspended. Once it is ready it may be awaited again.
///
/// \code
/// mapixx::task<int> answer() { co_return 42; }
/// mapixx::task<> caller() { int v = co_await answer(); assert(v == 42); }
/// \endcode
template <class T>
class [[nodiscard]] task {
    static_assert(!std::is_rvalue_reference_v<T>, "task<T&&> is not supported; use task<T>");

public:
    /// The promise type the compiler uses for coroutines that return `task<T>`.
    using promise_type = detail::task_promise<T>;
    /// The type given to `co_return`.
    using value_type = T;

    /// An empty task. Awaiting it throws `broken_promise`.
    task() noexcept = default;

    /// Takes over the frame of `other`, which becomes empty.
    task(task&& other) noexcept : frame_{std::exchange(other.frame_, nullptr)} {}

    /// Destroys the frame held now, then takes over the frame of `other`.
    task& operator=(task&& other) noexcept
    {
        if (this != &other) {
            reset();
            frame_ = std::exchange(other.frame_, nullptr);
        }
        return *this;
    }

    task(const task&) = delete;
    task& operator=(const task&) = delete;

    /// Destroys the frame (and with it the result), whether or not the task ran.
    ///
    /// Precondition: the task is not running and is not suspended inside an await that
    /// something else will resume later.
    ~task() { reset(); }

    /// True if the task holds a frame, i.e. is neither default-constructed nor moved-from.
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(frame_); }

    /// True if awaiting the task will not suspend: it is empty or its body has finished.
    [[nodiscard]] bool is_ready() const noexcept { return !frame_ || frame_.done(); }

    /// Awaits an lvalue task: starts it if needed and yields `T&` referring to the value kept
    /// in the task (`T&` for `task<T&>`, nothing for `task<void>`).
    ///
    /// Throws: the exception that escaped the body; `broken_promise` if the task is empty.
    auto operator co_await() const& noexcept
    {
        return detail::task_lvalue_awaiter<T>{frame_};
    }

    /// Awaits an rvalue task: starts it if needed and yields the value moved out of the task
    /// as a `T` prvalue (`T&` for `task<T&>`, nothing for `task<void>`).
    ///
    /// Throws: the exception that escaped the body; `broken_promise` if the task is empty.
    auto operator co_await() && noexcept
    {
        return detail::task_rvalue_awaiter<T>{frame_};
    }

    /// An awaitable that completes when the task has finished, without yielding the result
    /// and without rethrowing its exception. Starts the task if needed; completes at once if
    /// the task is empty.
    [[nodiscard]] auto when_ready() const noexcept
    {
        return detail::task_ready_awaiter<T>{frame_};
    }

private:
    friend promise_type;
    friend struct detail::task_access;
    using handle_type = std::coroutine_handle<promise_type>;

    explicit task(handle_type frame) noexcept : frame_{frame} {}

    void reset() noexcept
    {
        if (frame_) {
            std::exchange(frame_, nullptr).destroy();
        }
    }

    handle_type frame_{};
};

namespace detail {

template <class T>
task<T> task_promise<T>::get_return_object() noexcept
{
    return task<T>{std::coroutine_handle<task_promise>::from_promise(*this)};
}

template <class T>
task<T&> task_promise<T&>::get_return_object() noexcept
{
    return task<T&>{std::coroutine_handle<task_promise>::from_promise(*this)};
}

inline task<void> task_promise<void>::get_return_object() noexcept
{
    return task<void>{std::coroutine_handle<task_promise>::from_promise(*this)};
}

} // namespace detail
} // namespace mapixx::inline v0
#endif
