// SPDX-License-Identifier: MIT
/// \file
/// Tests on 8 bytes at once, in a 64-bit word (the message writers scan a body for line ends
/// and for bytes that are not printable ASCII, which is most of their work per message).
/// Portable: bytes are loaded with memcpy, and every test is exact for the question it answers
/// (whether some byte of the word is such a byte), not only a hint.
#ifndef MAPIXX_PROVIDERS_DETAIL_BYTE_WORDS_HPP_INCLUDED
#define MAPIXX_PROVIDERS_DETAIL_BYTE_WORDS_HPP_INCLUDED

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64)
#include <emmintrin.h>
#define MAPIXX_DETAIL_BYTE_WORDS_SSE2 1
#else
#define MAPIXX_DETAIL_BYTE_WORDS_SSE2 0
#endif

namespace mapixx::inline v0::detail::byte_words {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;  // 0x01 in every byte
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;  // 0x80 in every byte

/// The 8 bytes at `p` (any alignment, any byte order: the tests below do not depend on it).
[[nodiscard]] inline std::uint64_t load(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// The `*_marks` functions return a word with the high bit set in the bytes they pick out, so
// that zero means "none". A borrow or carry between bytes can mark a byte wrongly, but only a
// byte of higher significance than one marked rightly: the lowest marked byte is always right,
// and so is the answer to "is any byte marked".

/// Marks the bytes of `w` that are zero.
[[nodiscard]] constexpr std::uint64_t zero_marks(std::uint64_t w) noexcept { return (w - ones) & ~w & highs; }

/// Marks the bytes of `w` that equal `c`.
[[nodiscard]] constexpr std::uint64_t byte_marks(std::uint64_t w, unsigned char c) noexcept {
    return zero_marks(w ^ (ones * c));
}

/// Marks the bytes of `w` that are CR or LF.
[[nodiscard]] constexpr std::uint64_t line_end_marks(std::uint64_t w) noexcept {
    return byte_marks(w, '\r') | byte_marks(w, '\n');
}

/// Marks the bytes of `w` that are not printable ASCII (0x20 to 0x7E): control characters,
/// DEL and bytes of 0x80 or above.
[[nodiscard]] constexpr std::uint64_t unprintable_marks(std::uint64_t w) noexcept {
    // Below 0x20: subtracting 0x20 borrows into the high bit of a byte whose own high bit is
    // clear. 0x7F and up: adding 1 reaches the high bit, or it was set already.
    return (((w - ones * 0x20) & ~w) | (w + ones) | w) & highs;
}

/// How many bytes, in memory order, come before the first byte that `marks` (not zero, from one
/// of the functions above) picks out. Where the byte order puts a wrongly marked byte first in
/// memory (big-endian), this is 0: callers then go on one byte at a time from there, which is
/// slower but gives the same result.
[[nodiscard]] constexpr std::size_t bytes_before_mark(std::uint64_t marks) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        return static_cast<std::size_t>(std::countr_zero(marks)) / 8;
    } else {
        return 0;
    }
}

/// True if some byte of `w` is zero.
[[nodiscard]] constexpr bool has_zero(std::uint64_t w) noexcept { return zero_marks(w) != 0; }

/// True if some byte of `w` equals `c`.
[[nodiscard]] constexpr bool has_byte(std::uint64_t w, unsigned char c) noexcept { return byte_marks(w, c) != 0; }

/// True if some byte of `w` is 0x80 or above.
[[nodiscard]] constexpr bool has_high(std::uint64_t w) noexcept { return (w & highs) != 0; }

/// True if every byte of `w` is printable ASCII, 0x20 to 0x7E (so none is CR, LF, TAB, DEL or
/// a byte of 0x80 or above).
[[nodiscard]] constexpr bool all_printable(std::uint64_t w) noexcept { return unprintable_marks(w) == 0; }

// ---- 16 bytes at a time -------------------------------------------------------------------
// With SSE2 (every x86-64 machine) a block of 16 bytes is tested in a few instructions; without
// it, as two words. A `*_block` function returns a mask of 16 bits whose lowest set bit is the
// first byte of the block, in memory order, of the kind asked for, and 0 when there is none.
// Without SSE2 on a big-endian machine the lowest bit may come before that byte (see
// `bytes_before_mark`); callers go on one byte at a time from there either way.

/// Bytes in a block.
inline constexpr std::size_t block_size = 16;

/// A `*_block` result from the marks of the block's two words (`marks` is one of the `*_marks`
/// functions): what machines without SSE2 use.
template <class Marks>
[[nodiscard]] inline unsigned block_from_words(const char* p, Marks marks) noexcept {
    const std::uint64_t low = marks(load(p));
    if (low != 0) return 1u << bytes_before_mark(low);
    const std::uint64_t high = marks(load(p + 8));
    return high != 0 ? 1u << (8 + bytes_before_mark(high)) : 0u;
}

/// `line_end_block` as two words (always defined, so that it is tested everywhere).
[[nodiscard]] inline unsigned line_end_block_words(const char* p) noexcept {
    return block_from_words(p, [](std::uint64_t w) { return line_end_marks(w); });
}

/// `unprintable_block` as two words.
[[nodiscard]] inline unsigned unprintable_block_words(const char* p) noexcept {
    return block_from_words(p, [](std::uint64_t w) { return unprintable_marks(w); });
}

/// Finds the CR and LF bytes among the 16 at `p`.
[[nodiscard]] inline unsigned line_end_block(const char* p) noexcept {
#if MAPIXX_DETAIL_BYTE_WORDS_SSE2
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    return static_cast<unsigned>(_mm_movemask_epi8(hits));
#else
    return line_end_block_words(p);
#endif
}

/// Finds the bytes among the 16 at `p` that are not printable ASCII (0x20 to 0x7E).
[[nodiscard]] inline unsigned unprintable_block(const char* p) noexcept {
#if MAPIXX_DETAIL_BYTE_WORDS_SSE2
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // As signed bytes, printable ones are those above 0x1F and below 0x7F (0x80 and up are
    // negative).
    const __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
    return ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
#else
    return unprintable_block_words(p);
#endif
}

/// Steps from `i` over whole blocks of `s` (of `n` bytes) in which `scan` (one of the `*_block`
/// functions) finds nothing, and returns where it stopped: at the byte that `scan` found first,
/// or where fewer than 16 bytes are left. The caller goes on one byte at a time from there.
template <class Scan>
[[nodiscard]] inline std::size_t skip_blocks(const char* s, std::size_t i, std::size_t n, Scan scan) noexcept {
    while (i + block_size <= n) {
        const unsigned found = scan(s + i);
        if (found != 0) return i + static_cast<std::size_t>(std::countr_zero(found));
        i += block_size;
    }
    return i;
}

/// True if some byte of the `n` at `p` is 0x80 or above.
[[nodiscard]] inline bool any_high(const char* p, std::size_t n) noexcept {
    std::size_t i = 0;
#if MAPIXX_DETAIL_BYTE_WORDS_SSE2
    __m128i seen = _mm_setzero_si128();
    for (; i + block_size <= n; i += block_size) seen = _mm_or_si128(seen, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    if (_mm_movemask_epi8(seen) != 0) return true;
#endif
    std::uint64_t words = 0;
    for (; i + 8 <= n; i += 8) words |= load(p + i);
    if (has_high(words)) return true;
    for (; i < n; ++i) {
        if ((static_cast<unsigned char>(p[i]) & 0x80) != 0) return true;
    }
    return false;
}

} // namespace mapixx::inline v0::detail::byte_words

#endif
