// SPDX-License-Identifier: MIT
/// \file
/// A lazy, move-only coroutine `task<T>` that owns its frame, plus the awaitable concepts.
#ifndef MAPIXX_CORO_TASK_HPP_INCLUDED
#define MAPIXX_CORO_TASK_HPP_INCLUDED

#include <mapixx/coro/broken_promise.hpp>

#include <atomic>
#include <concepts>
#include <coroutine>
#include <exception>
#include <memory>
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

/// The final awaiter of every task: the second of {child finished, awaiter attached} to
/// arrive resumes the awaiting coroutine.
struct task_final_awaiter {
    [[nodiscard]] bool await_ready() const noexcept { return false; }

    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept
    {
        auto& promise = self.promise();
        if (promise.arrived_.exchange(true, std::memory_order_acq_rel)) {
            // The awaiter attached its continuation first: hand control to it.
            return promise.continuation_;
        }
        // The awaiter is still inside its await_suspend (inline strategy); it will see the
        // flag set and go on without suspending.
        return std::noop_coroutine();
    }

    void await_resume() const noexcept {}
};

/// What every task promise has in common: laziness, the final awaiter and the continuation.
class task_promise_base {
public:
    task_promise_base() noexcept = default;
    task_promise_base(const task_promise_base&) = delete;
    task_promise_base& operator=(const task_promise_base&) = delete;

    /// Tasks are lazy: the body runs only when the task is awaited.
    [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
    [[nodiscard]] task_final_awaiter final_suspend() const noexcept { return {}; }

    // Frames are allocated with the global operator new for now. A custom allocator goes
    // here later as `static void* operator new(std::size_t, std::allocator_arg_t, const Alloc&,
    // Args&...)` that stores the allocator after the frame, plus a sized `operator delete`
    // that reads it back; nothing outside this class needs to change for that.

    /// Symmetric strategy: records the continuation before the child starts.
    void attach_before_start(std::coroutine_handle<> continuation) noexcept
    {
        continuation_ = continuation;
        arrived_.store(true, std::memory_order_release);
    }

    /// Inline strategy: records the continuation after the child ran; returns false if the
    /// child had already finished (then the awaiter must not suspend).
    [[nodiscard]] bool attach_after_start(std::coroutine_handle<> continuation) noexcept
    {
        continuation_ = continuation;
        return !arrived_.exchange(true, std::memory_order_acq_rel);
    }

protected:
    ~task_promise_base() = default;

private:
    friend struct task_final_awaiter;
    std::coroutine_handle<> continuation_{};
    std::atomic<bool> arrived_{false};
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
template <>
class task_promise<void> final : public task_promise_base {
public:
    task<void> get_return_object() noexcept;

    void unhandled_exception() noexcept { error_ = std::current_exception(); }

    void return_void() noexcept {}

    /// Rethrows the stored exception, if any.
    void result() const
    {
        if (error_) {
            std::rethrow_exception(error_);
        }
    }

private:
    std::exception_ptr error_;
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
/// the atomic exchange decides who arrives second; that side resumes the awaiter. This costs
/// one atomic exchange per await on each side, which is why clang, whose symmetric transfer is
/// a guaranteed tail call, uses `task_symmetric_awaiter` instead.
template <class Promise>
class task_inline_awaiter {
public:
    explicit task_inline_awaiter(std::coroutine_handle<Promise> child) noexcept : child_{child} {}

    [[nodiscard]] bool await_ready() const noexcept { return !child_ || child_.done(); }

    bool await_suspend(std::coroutine_handle<> awaiting) noexcept
    {
        child_.resume();
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
