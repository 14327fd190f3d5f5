// SPDX-License-Identifier: MIT
/// \file
/// The exception thrown when a coroutine result is requested from an object that has none.
#ifndef MAPIXX_CORO_BROKEN_PROMISE_HPP_INCLUDED
#define MAPIXX_CORO_BROKEN_PROMISE_HPP_INCLUDED

#include <stdexcept>

namespace mapixx::inline v0 {

/// Thrown when a result is asked of an empty coroutine object.
///
/// Awaiting a default-constructed or moved-from `task` throws it, and so does
/// `scheduler::spawn` when given such a task. It derives from `std::logic_error`: it
/// always reports a programming error in the caller, never a run-time condition.
///
/// \code
/// mapixx::task<int> empty;
/// try { (void)mapixx::sync_wait(empty); } catch (const mapixx::broken_promise&) { /* ... */ }
/// \endcode
class broken_promise : public std::logic_error {
public:
    /// Builds the exception with the fixed message "broken promise".
    broken_promise() : std::logic_error{"broken promise"} {}
};

} // namespace mapixx::inline v0
#endif
