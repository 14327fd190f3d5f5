// SPDX-License-Identifier: MIT
/// \file
/// Reading flag sets and codes from text: what a developer pastes from a log or a header.
#ifndef MAPIXX_CORE_FLAG_PARSE_HPP_INCLUDED
#define MAPIXX_CORE_FLAG_PARSE_HPP_INCLUDED

#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace mapixx::inline v0 {

/// Reads an unsigned 32-bit number: `0x` hex, or decimal. A negative decimal (an HRESULT
/// printed as a signed int, `-2147221230`) is read as its 32-bit pattern. Nothing else.
[[nodiscard]] inline std::optional<std::uint32_t> parse_u32(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    bool negative = false;
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    } else if (text[0] == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    if (text.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (negative) {
        if (v == 0 || v > 0x80000000ull) return std::nullopt;
        return static_cast<std::uint32_t>(0x100000000ull - v);
    }
    if (v > 0xFFFFFFFFull) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

/// Reads a flag set from text: a number (`0x18032`, `98354`), or names joined by `|`, `,`, `+`
/// or spaces. A name is an SDK name (`MAPI_NO_MAIL`, any case) or its mapixx name, which is the
/// end of the SDK name (`no_mail`); a mapixx name that ends two SDK names is refused as
/// ambiguous. Numbers and names may be mixed. Unknown names, ambiguous names and bits this
/// family does not define give `unknown_flags` with a sentence naming them. Rules between flags
/// are not checked: see `check_rules`.
template <flag_enum E>
[[nodiscard]] result<flags<E>> parse_flags(std::string_view text) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    auto iequal = [&](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (lower(a[i]) != lower(b[i])) return false;
        }
        return true;
    };
    const std::string family(flag_traits<E>::family);
    std::uint32_t bits = 0;
    bool any = false;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find_first_of("|,+ \t", pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view token = text.substr(pos, end - pos);
        pos = end + 1;
        if (token.empty()) {
            if (end == text.size()) break;
            continue;
        }
        any = true;
        if (auto n = parse_u32(token)) {
            bits |= *n;
            continue;
        }
        const flag_name<E>* match = nullptr;
        int suffix_matches = 0;
        for (const auto& n : flag_traits<E>::names) {
            if (iequal(n.sdk_name, token)) {
                match = &n;
                suffix_matches = 1;
                break;
            }
            const std::string_view sdk = n.sdk_name;
            if (sdk.size() > token.size() && sdk[sdk.size() - token.size() - 1] == '_' &&
                iequal(sdk.substr(sdk.size() - token.size()), token)) {
                match = &n;
                ++suffix_matches;
            }
        }
        if (!match) {
            return fail(scode::unknown_flags, family + ": \"" + std::string(token) + "\" is not a flag name of this family",
                        "mapixx.flags");
        }
        if (suffix_matches > 1) {
            return fail(scode::unknown_flags,
                        family + ": \"" + std::string(token) + "\" is ambiguous; write the full SDK name",
                        "mapixx.flags");
        }
        bits |= static_cast<std::uint32_t>(match->value);
        if (end == text.size()) break;
    }
    if (!any) return fail(scode::unknown_flags, family + ": no flags given", "mapixx.flags");
    return flags<E>::from_bits(bits);
}

/// Reads a status code: a number (hex, decimal, or a negative decimal HRESULT) or a name
/// (`MAPI_E_NOT_FOUND`, `not_found`, `E_FAIL`). `not_found` if it is neither. The number need
/// not be a known code: use `find_scode` to ask.
[[nodiscard]] inline result<scode> parse_scode(std::string_view text) {
    if (auto n = parse_u32(text)) return static_cast<scode>(*n);
    if (auto c = scode_from_name(text)) return *c;
    return fail(scode::not_found,
                "\"" + std::string(text) + "\" is neither a number (0x80040112, -2147221230) nor a MAPI code name",
                "mapixx.scode");
}

} // namespace mapixx::inline v0

#endif
