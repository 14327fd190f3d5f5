// SPDX-License-Identifier: MIT
/// \file
/// Deadlines for the waits of the service layer: a timeout turned into a point in time, with
/// "too far to represent" meaning "never".
#ifndef MAPIXX_SERVICE_DETAIL_DEADLINE_HPP_INCLUDED
#define MAPIXX_SERVICE_DETAIL_DEADLINE_HPP_INCLUDED

#include <chrono>
#include <cstdint>

namespace mapixx::inline v0 {
namespace detail {

/// When a wait gives up: `at`, or never when `infinite`.
struct wait_deadline {
    using clock = std::chrono::steady_clock;

    clock::time_point at{};
    bool infinite = false;

    /// The deadline `timeout` from now. A timeout too long to add to the clock (for instance
    /// `milliseconds::max()`) never expires. \pre `timeout` is not negative.
    static wait_deadline after(std::chrono::milliseconds timeout) noexcept
    {
        const clock::time_point now = clock::now();
        // The clock's own limit; parenthesised against the max() macro of <windows.h>.
        const auto room = std::chrono::duration_cast<std::chrono::milliseconds>((clock::time_point::max)() - now);
        if (timeout >= room) {
            return wait_deadline{{}, true};
        }
        return wait_deadline{now + timeout, false};
    }

    /// The milliseconds left, rounded up (so a wait never wakes before the deadline), at
    /// least 0 and at most `cap`; `cap` itself when infinite.
    [[nodiscard]] std::int64_t left_ms(std::int64_t cap) const noexcept
    {
        if (infinite) {
            return cap;
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(at - clock::now()).count();
        if (left <= 0) {
            return 0;
        }
        return left > cap ? cap : static_cast<std::int64_t>(left);
    }

    /// True once the deadline has passed (never when infinite).
    [[nodiscard]] bool expired() const noexcept { return !infinite && clock::now() >= at; }
};

} // namespace detail
} // namespace mapixx::inline v0
#endif
