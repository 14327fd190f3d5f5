// SPDX-License-Identifier: MIT
// Shared helpers of the libFuzzer targets: a check that stops the fuzzer when an invariant
// breaks, and comparisons of property values that treat NaN doubles as equal bit for bit (the
// documented round trips compare doubles bit for bit; `prop_value::operator==` uses `==`).
#ifndef MAPIXX_TESTS_FUZZ_SUPPORT_HPP_INCLUDED
#define MAPIXX_TESTS_FUZZ_SUPPORT_HPP_INCLUDED

#include <mapixx/core/prop.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace mapixx_fuzz {

/// Prints which invariant broke and traps, so that libFuzzer records the input as a crash.
[[noreturn]] inline void invariant_broken(const char* what, const char* file, int line) {
    std::fprintf(stderr, "\nmapixx fuzz: invariant broken at %s:%d: %s\n", file, line, what);
    std::fflush(stderr);
    __builtin_trap();
}

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
    return {reinterpret_cast<const char*>(data), size};
}

inline bool same_double(double a, double b) noexcept {
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, &a, sizeof x);
    std::memcpy(&y, &b, sizeof y);
    return x == y;
}

/// `a == b`, except that doubles compare bit for bit (NaN equals the same NaN).
inline bool same_value(const mapixx::prop_value& a, const mapixx::prop_value& b) {
    if (a.tag() != b.tag()) return false;
    const double* da = a.get_if<double>();
    const double* db = b.get_if<double>();
    if (da || db) return da && db && same_double(*da, *db);
    return a == b;
}

inline bool same_bag(const mapixx::property_bag& a, const mapixx::property_bag& b) {
    if (a.size() != b.size()) return false;
    auto i = a.begin();
    auto j = b.begin();
    for (; i != a.end(); ++i, ++j) {
        if (!same_value(*i, *j)) return false;
    }
    return true;
}

} // namespace mapixx_fuzz

#define MAPIXX_FUZZ_CHECK(cond)                                                   \
    do {                                                                          \
        if (!(cond)) ::mapixx_fuzz::invariant_broken(#cond, __FILE__, __LINE__);  \
    } while (0)

#endif
