// SPDX-License-Identifier: MIT
// The C heap in use, for tests that check what a component keeps (glibc's mallinfo2; where the
// C library does not say, nothing is known and the growth reads as 0).
#ifndef MAPIXX_TEST_HEAP_IN_USE_HPP_INCLUDED
#define MAPIXX_TEST_HEAP_IN_USE_HPP_INCLUDED

#include <cstddef>
#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mapixx_test {

/// Bytes the C heap has handed out and not got back, where the C library says (glibc 2.33+).
inline std::optional<std::size_t> heap_in_use()
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 info = ::mallinfo2();
    return info.uordblks + info.hblkhd;
#else
    return std::nullopt;
#endif
}

/// How much the heap grew since `before` (0 if it shrank, or if the C library does not say).
inline std::size_t heap_growth(std::optional<std::size_t> before)
{
    const auto now = heap_in_use();
    return before && now && *now > *before ? *now - *before : 0;
}

} // namespace mapixx_test

#endif
