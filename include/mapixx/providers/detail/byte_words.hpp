// SPDX-License-Identifier: MIT
/// \file
/// Tests on 8 bytes at once, in a 64-bit word (the message writers scan a body for line ends
/// and for bytes that are not printable ASCII, which is most of their work per message).
/// Portable: bytes are loaded with memcpy, and every test is exact for the question it answers
/// (whether some byte of the word is such a byte), not only a hint.
#ifndef MAPIXX_PROVIDERS_DETAIL_BYTE_WORDS_HPP_INCLUDED
#define MAPIXX_PROVIDERS_DETAIL_BYTE_WORDS_HPP_INCLUDED

#include <cstdint>
#include <cstring>

namespace mapixx::inline v0::detail::byte_words {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;  // 0x01 in every byte
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;  // 0x80 in every byte

/// The 8 bytes at `p` (any alignment, any byte order: the tests below do not depend on it).
[[nodiscard]] inline std::uint64_t load(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

/// True if some byte of `w` is zero.
[[nodiscard]] constexpr bool has_zero(std::uint64_t w) noexcept { return ((w - ones) & ~w & highs) != 0; }

/// True if some byte of `w` equals `c`.
[[nodiscard]] constexpr bool has_byte(std::uint64_t w, unsigned char c) noexcept { return has_zero(w ^ (ones * c)); }

/// True if some byte of `w` is 0x80 or above.
[[nodiscard]] constexpr bool has_high(std::uint64_t w) noexcept { return (w & highs) != 0; }

/// True if every byte of `w` is printable ASCII, 0x20 to 0x7E (so none is CR, LF, TAB, DEL or
/// a byte of 0x80 or above).
[[nodiscard]] constexpr bool all_printable(std::uint64_t w) noexcept {
    if (has_high(w)) return false;
    // Every byte is below 0x80 here, so subtracting 0x20 from each borrows across no byte
    // unless that byte is below 0x20, and the borrow then shows in that byte's high bit.
    const bool below_space = ((w - ones * 0x20) & ~w & highs) != 0;
    return !below_space && !has_byte(w, 0x7F);
}

} // namespace mapixx::inline v0::detail::byte_words

#endif
