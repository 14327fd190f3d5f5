// SPDX-License-Identifier: MIT
/// \file
/// The spooler's time source: `spooler_clock`, a real `steady_spooler_clock` and a
/// `manual_clock` that tests advance by hand.
#ifndef MAPIXX_SPOOLER_CLOCK_HPP_INCLUDED
#define MAPIXX_SPOOLER_CLOCK_HPP_INCLUDED

#include <chrono>

namespace mapixx::inline v0 {

/// Where the spooler reads the time for retry delays and poll intervals. The spooler never
/// sleeps: it reports its next due time (`spooler::next_due()`), and whoever drives it (a
/// reactor with `sleep_for`, a message loop, a test) comes back then.
class spooler_clock {
public:
    virtual ~spooler_clock() = default;
    /// Monotonic time since an arbitrary origin.
    [[nodiscard]] virtual std::chrono::milliseconds now() const noexcept = 0;

protected:
    spooler_clock() = default;
    spooler_clock(const spooler_clock&) = default;
    spooler_clock& operator=(const spooler_clock&) = default;
};

/// `std::chrono::steady_clock`.
class steady_spooler_clock final : public spooler_clock {
public:
    [[nodiscard]] std::chrono::milliseconds now() const noexcept override
    {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now().time_since_epoch());
    }
};

/// A clock that moves only when told to: no real sleeping in tests.
class manual_clock final : public spooler_clock {
public:
    [[nodiscard]] std::chrono::milliseconds now() const noexcept override { return now_; }
    /// Moves the time forward by `d`.
    void advance(std::chrono::milliseconds d) noexcept { now_ += d; }

private:
    std::chrono::milliseconds now_{0};
};

} // namespace mapixx::inline v0

#endif
