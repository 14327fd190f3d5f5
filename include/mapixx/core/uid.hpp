// SPDX-License-Identifier: MIT
/// \file
/// `uid`: a MAPIUID, 16 bytes that name a profile section, a service or a provider.
#ifndef MAPIXX_CORE_UID_HPP_INCLUDED
#define MAPIXX_CORE_UID_HPP_INCLUDED

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace mapixx::inline v0 {

/// A MAPIUID: 16 bytes, printed and parsed as 32 hex digits in byte order (the form MAPISVC.INF,
/// the registry and profile files use: `13dbb0c8aa05101a9bb000aa002fc45a`).
struct uid {
    std::array<std::uint8_t, 16> bytes{};

    /// Parses exactly 32 hex digits (either case). Also accepts the registry GUID form
    /// `{00020385-0000-0000-C000-000000000046}`, whose first three fields are little-endian.
    /// Anything else, including 31 or 33 digits, gives nullopt.
    [[nodiscard]] static constexpr std::optional<uid> parse(std::string_view text) noexcept {
        auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        uid out;
        if (text.size() == 32) {
            for (std::size_t i = 0; i < 16; ++i) {
                int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
                if (hi < 0 || lo < 0) return std::nullopt;
                out.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
            }
            return out;
        }
        if (text.size() == 38 && text.front() == '{' && text.back() == '}' && text[9] == '-' &&
            text[14] == '-' && text[19] == '-' && text[24] == '-') {
            // Byte positions of each pair of digits in the GUID text, in MAPIUID order.
            constexpr std::size_t at[16] = {7, 5, 3, 1, 12, 10, 17, 15, 20, 22, 25, 27, 29, 31, 33, 35};
            for (std::size_t i = 0; i < 16; ++i) {
                int hi = nibble(text[at[i]]), lo = nibble(text[at[i] + 1]);
                if (hi < 0 || lo < 0) return std::nullopt;
                out.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
            }
            return out;
        }
        return std::nullopt;
    }

    /// 32 lower-case hex digits.
    [[nodiscard]] std::string to_string() const {
        static constexpr char digits[] = "0123456789abcdef";
        std::string s(32, '0');
        for (std::size_t i = 0; i < 16; ++i) {
            s[2 * i] = digits[bytes[i] >> 4];
            s[2 * i + 1] = digits[bytes[i] & 0xF];
        }
        return s;
    }

    /// A new random uid (version-4 style bits), drawn from `std::random_device` (the operating
    /// system's random source) on every call. No engine state is kept, so a process forked from
    /// another never repeats its parent's uids.
    [[nodiscard]] static uid generate() {
        std::random_device rd;
        uid out;
        for (std::size_t i = 0; i < 16; i += 4) {
            const std::uint32_t v = rd();
            for (std::size_t j = 0; j < 4; ++j) out.bytes[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
        }
        out.bytes[6] = static_cast<std::uint8_t>((out.bytes[6] & 0x0F) | 0x40);
        out.bytes[8] = static_cast<std::uint8_t>((out.bytes[8] & 0x3F) | 0x80);
        return out;
    }

    /// True for the all-zero uid (the "no uid" value some calls accept, e.g. SetPrimaryIdentity).
    [[nodiscard]] constexpr bool is_nil() const noexcept {
        for (auto b : bytes) {
            if (b != 0) return false;
        }
        return true;
    }

    /// Byte order: the first differing byte decides, as unsigned. Compares two 64-bit words
    /// (loaded big-endian, so the order is the same) instead of calling memcmp, since maps keyed
    /// by uid (a profile's sections) compare on every lookup.
    friend constexpr std::strong_ordering operator<=>(const uid& a, const uid& b) noexcept {
        const std::uint64_t a0 = a.word(0), b0 = b.word(0);
        if (a0 != b0) return a0 <=> b0;
        return a.word(8) <=> b.word(8);
    }
    friend constexpr bool operator==(const uid&, const uid&) = default;

private:
    // Written out, not as a loop: compilers turn this form into one load and a byte swap.
    [[nodiscard]] constexpr std::uint64_t word(std::size_t at) const noexcept {
        const std::uint8_t* b = bytes.data() + at;
        return std::uint64_t{b[0]} << 56 | std::uint64_t{b[1]} << 48 | std::uint64_t{b[2]} << 40 |
               std::uint64_t{b[3]} << 32 | std::uint64_t{b[4]} << 24 | std::uint64_t{b[5]} << 16 |
               std::uint64_t{b[6]} << 8 | std::uint64_t{b[7]};
    }
};

static_assert(sizeof(uid) == 16, "a uid has the layout of MAPIUID");

/// Well-known uids.
namespace uids {
/// MUID_PROFILE_INSTANCE {00020385-0000-0000-C000-000000000046}: the section holding a
/// profile's PR_SEARCH_KEY.
inline constexpr uid profile_instance{{0x85, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00,
                                       0x00, 0x00, 0x00, 0x46}};
} // namespace uids

} // namespace mapixx::inline v0

// A standard-library specialisation: not part of the API reference.
/// \cond
template <>
struct std::hash<mapixx::uid> {
    std::size_t operator()(const mapixx::uid& u) const noexcept {
        std::uint64_t h = 1469598103934665603ull;  // FNV-1a
        for (auto b : u.bytes) {
            h ^= b;
            h *= 1099511628211ull;
        }
        return static_cast<std::size_t>(h);
    }
};
/// \endcond

#endif
