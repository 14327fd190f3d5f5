// SPDX-License-Identifier: MIT
/// \file
/// The text form of property tags and values in MAPISVC.INF and mapixx's profile files
/// (`TAG=value`): `parse_prop_key`, `parse_prop_value` and their inverses `format_prop_key`,
/// `format_prop_value`, with `parse_prop_value(format_prop_value(v)) == v` for every value of
/// every type mapixx stores. The accepted syntax is described in docs/profiles-mapisvc.md.
#ifndef MAPIXX_PROFILE_PROP_TEXT_HPP_INCLUDED
#define MAPIXX_PROFILE_PROP_TEXT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/secret.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/ini.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>
#include <vector>

namespace mapixx::inline v0 {

/// Where a value is read or written, which decides the symbolic names PR_RESOURCE_FLAGS may
/// use: SERVICE_* names in a service section, STATUS_* / HOOK_* names in a provider section,
/// either family when the place is not known (`any`).
enum class value_context {
    any,               ///< no section kind known: both families are accepted; flags print as hex
    service_section,   ///< a message service section: SERVICE_* names only
    provider_section,  ///< a provider section: STATUS_* and HOOK_* names only
};

namespace detail {

/// The characters the INI reader trims from both ends of a key or value.
constexpr bool ini_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

constexpr std::string_view trim_ini(std::string_view s) noexcept {
    while (!s.empty() && ini_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && ini_space(s.back())) s.remove_suffix(1);
    return s;
}

constexpr int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr bool all_hex(std::string_view s) noexcept {
    for (char c : s) {
        if (hex_digit(c) < 0) return false;
    }
    return true;
}

inline constexpr char upper_hex_digits[] = "0123456789ABCDEF";

/// `v` as 2*sizeof(U) upper-case hex digits, least significant byte first (`0C000000` = 12).
template <class U>
std::string format_le_hex(U v) {
    static_assert(std::is_unsigned_v<U>);
    std::string out;
    out.reserve(2 * sizeof(U));
    for (std::size_t i = 0; i < sizeof(U); ++i) {
        const auto byte = static_cast<unsigned>((v >> (8 * i)) & 0xFFu);
        out += upper_hex_digits[byte >> 4];
        out += upper_hex_digits[byte & 0xF];
    }
    return out;
}

/// Exactly 2*sizeof(U) hex digits, least significant byte first; nullopt otherwise.
template <class U>
std::optional<U> parse_le_hex(std::string_view s) noexcept {
    static_assert(std::is_unsigned_v<U>);
    if (s.size() != 2 * sizeof(U) || !all_hex(s)) return std::nullopt;
    U v = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) {
        const auto byte = static_cast<U>(hex_digit(s[2 * i]) * 16 + hex_digit(s[2 * i + 1]));
        v = static_cast<U>(v | static_cast<U>(byte << (8 * i)));
    }
    return v;
}

/// A decimal number with a mandatory leading sign (`+12`, `-1`), in the range
/// [min of the signed type, max of the unsigned type] of width sizeof(U); the result wraps to U.
template <class U>
std::optional<U> parse_signed_decimal(std::string_view s) noexcept {
    static_assert(std::is_unsigned_v<U>);
    using S = std::make_signed_t<U>;
    if (s.size() < 2 || (s.front() != '+' && s.front() != '-')) return std::nullopt;
    const std::string_view digits = s.substr(1);
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    if (s.front() == '+') {
        if (magnitude > std::numeric_limits<U>::max()) return std::nullopt;
        return static_cast<U>(magnitude);
    }
    const std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<S>::max()) + 1;
    if (magnitude > limit) return std::nullopt;
    return static_cast<U>(U{0} - static_cast<U>(magnitude));
}

/// An integer field: "0", 2*sizeof(U) little-endian hex digits, or signed decimal.
template <class U>
std::optional<U> parse_integer_text(std::string_view s) noexcept {
    if (s == "0") return U{0};
    if (auto v = parse_le_hex<U>(s)) return v;
    return parse_signed_decimal<U>(s);
}

inline std::optional<binary> parse_hex_bytes(std::string_view s) {
    if (s.size() % 2 != 0 || !all_hex(s)) return std::nullopt;
    binary out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<std::uint8_t>(hex_digit(s[2 * i]) * 16 + hex_digit(s[2 * i + 1]));
    }
    return out;
}

inline std::string format_hex_bytes(const binary& b) {
    std::string out;
    out.reserve(2 * b.size());
    for (std::uint8_t byte : b) {
        out += upper_hex_digits[byte >> 4];
        out += upper_hex_digits[byte & 0xF];
    }
    return out;
}

inline std::optional<double> parse_double_text(std::string_view s) noexcept {
    if (auto bits = parse_le_hex<std::uint64_t>(s)) {
        double d = 0;
        std::memcpy(&d, &*bits, sizeof d);
        return d;
    }
    if (s.size() < 2 || (s.front() != '+' && s.front() != '-')) return std::nullopt;
    const std::string_view rest = s.substr(1);
    if (rest.front() == '+' || rest.front() == '-') return std::nullopt;
    double d = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), d);
    if (ec != std::errc{} || end != rest.data() + rest.size()) return std::nullopt;
    return s.front() == '-' ? -d : d;
}

inline std::string format_double_text(double d) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof d);
    return format_le_hex(bits);
}

inline bool ascii_iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto up = [](char c) { return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c; };
        if (up(a[i]) != up(b[i])) return false;
    }
    return true;
}

/// How a tag appears in messages: `PR_RESOURCE_FLAGS (0x30090003)` or `0x6600001E`.
inline std::string describe_tag(prop_tag t) { return to_string(t); }

/// How a value appears in messages: quoted, or withheld for a secure property (0x67F0-0x67FF).
inline std::string describe_text(prop_tag t, std::string_view text) {
    if (t.is_secure()) return "(value withheld: secure property)";
    return "\"" + std::string(text) + "\"";
}

// ---- strings ----------------------------------------------------------------------------------

/// A byte that cannot stand raw on an INI line (a control character other than TAB).
constexpr bool line_unsafe(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 && c != '\t';
}

/// The inside of a quoted string: `\u{HEX}` (1-6 hex digits, at most U+10FFFF) is one code
/// point; anything else, including every other backslash, is literal.
inline std::string unescape_quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        if (s.compare(i, 3, "\\u{") == 0) {
            const std::size_t close = s.find('}', i + 3);
            if (close != std::string_view::npos) {
                const std::string_view digits = s.substr(i + 3, close - (i + 3));
                if (!digits.empty() && digits.size() <= 6 && all_hex(digits)) {
                    std::uint32_t cp = 0;
                    for (char c : digits) cp = cp * 16 + static_cast<std::uint32_t>(hex_digit(c));
                    if (cp <= 0x10FFFF) {
                        append_utf8(out, cp);  // ini.hpp: one UTF-8 encoder for the profile layer
                        i = close + 1;
                        continue;
                    }
                }
            }
        }
        out += s[i++];
    }
    return out;
}

/// The inverse of `unescape_quoted`, appended to `out`: escapes line-unsafe bytes, every
/// literal backslash-u-brace, and (in list elements) double quotes.
inline void append_escaped(std::string& out, std::string_view s, bool in_list) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (line_unsafe(c) || (in_list && c == '"')) {
            out += "\\u{";
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x10) out += upper_hex_digits[u >> 4];
            out += upper_hex_digits[u & 0xF];
            out += '}';
        } else if (c == '\\' && s.compare(i, 3, "\\u{") == 0) {
            out += "\\u{5C}";
        } else {
            out += c;
        }
    }
}

/// How many characters `append_escaped` writes for `s`.
inline std::size_t escaped_size(std::string_view s, bool in_list) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (line_unsafe(c) || (in_list && c == '"')) {
            n += static_cast<unsigned char>(c) >= 0x10 ? 6 : 5;
        } else if (s.compare(i, 3, "\\u{") == 0) {  // a literal backslash-u-brace
            n += 6;
        } else {
            n += 1;
        }
    }
    return n;
}

inline std::string escape_quoted(std::string_view s, bool in_list) {
    std::string out;
    out.reserve(escaped_size(s, in_list));  // exact: the text never moves (it may be a secret)
    append_escaped(out, s, in_list);
    return out;
}

/// True if `s` cannot be written as it is: INI trimming would change it, it holds a line
/// break or other control character, or quote-stripping would change it. In a list element,
/// also a comma or a leading quote.
inline bool needs_quotes(std::string_view s, bool in_list) noexcept {
    if (s.empty()) return in_list;  // a lone empty element must stay visible
    if (ini_space(s.front()) || ini_space(s.back())) return true;
    for (char c : s) {
        if (line_unsafe(c)) return true;
        if (in_list && c == ',') return true;
    }
    if (in_list) return s.front() == '"';
    return s.size() >= 2 && s.front() == '"' && s.back() == '"';
}

inline std::string format_string_text(std::string_view s, bool in_list) {
    if (!needs_quotes(s, in_list)) return std::string(s);
    std::string out;
    out.reserve(escaped_size(s, in_list) + 2);  // exact: the text never moves (it may be a secret)
    out += "\"";
    append_escaped(out, s, in_list);
    out += "\"";
    return out;
}

inline std::string parse_string_text(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return unescape_quoted(s.substr(1, s.size() - 2));
    return std::string(s);
}

/// Splits a comma list. Elements are trimmed; an element that begins with `"` runs to the next
/// `"` and, with `unquote`, is unescaped (its text is then exactly what is inside); without it
/// the element keeps its quotes (for non-string types, which only use `""` for "empty").
/// nullopt if a quoted element is not closed or is followed by something other than a comma.
inline std::optional<std::vector<std::string>> split_value_list(std::string_view s, bool unquote) {
    std::vector<std::string> out;
    // The elements may be those of a secure property: growing the list zeroes the moved-from
    // strings (a short one keeps its characters) before their storage is freed, and a list that
    // is not returned is wiped.
    auto add = [&out](std::string piece) {
        if (out.size() == out.capacity()) {
            std::vector<std::string> bigger;
            bigger.reserve(std::max<std::size_t>(4, 2 * out.capacity()));
            for (auto& x : out) bigger.push_back(std::move(x));
            secure_wipe(out);
            out.swap(bigger);
        }
        out.push_back(std::move(piece));
        secure_wipe(piece);
    };
    auto refuse = [&out] {
        secure_wipe(out);
        return std::nullopt;
    };
    s = trim_ini(s);
    if (s.empty()) return out;
    std::size_t i = 0;
    for (;;) {
        while (i < s.size() && ini_space(s[i])) ++i;
        if (i < s.size() && s[i] == '"') {
            const std::size_t close = s.find('"', i + 1);
            if (close == std::string_view::npos) return refuse();
            const std::string_view inner = s.substr(i + 1, close - i - 1);
            add(unquote ? unescape_quoted(inner) : std::string(s.substr(i, close - i + 1)));
            i = close + 1;
            while (i < s.size() && ini_space(s[i])) ++i;
            if (i == s.size()) return out;
            if (s[i] != ',') return refuse();
            ++i;
        } else {
            const std::size_t comma = s.find(',', i);
            const std::string_view piece =
                s.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
            add(std::string(trim_ini(piece)));
            if (comma == std::string_view::npos) return out;
            i = comma + 1;
        }
    }
}

// ---- symbolic values -----------------------------------------------------------------------

template <class E>
std::optional<std::uint32_t> flag_bit_by_name(std::string_view name) noexcept {
    for (const auto& n : flag_traits<E>::names) {
        if (ascii_iequal(n.sdk_name, name)) return static_cast<std::uint32_t>(n.value);
    }
    return std::nullopt;
}

template <class E>
std::string flag_names_list() {
    std::string out;
    for (const auto& n : flag_traits<E>::names) {
        if (!out.empty()) out += ", ";
        out += n.sdk_name;
    }
    return out;
}

/// `A|B|C` with SDK names of `E`, or empty if some bit has no name.
template <class E>
std::string symbolic_flags(std::uint32_t bits) {
    if ((bits & ~flags<E>::known) != 0 || bits == 0) return {};
    std::string out;
    for (const auto& n : flag_traits<E>::names) {
        if ((bits & static_cast<std::uint32_t>(n.value)) != 0) {
            if (!out.empty()) out += '|';
            out += n.sdk_name;
        }
    }
    return out;
}

inline constexpr std::array resource_type_values{
    resource_type::store_provider, resource_type::ab,           resource_type::ab_provider,
    resource_type::transport_provider, resource_type::spooler,  resource_type::profile_provider,
    resource_type::subsystem,      resource_type::hook_provider,
};

inline bool is_flag_tag(prop_tag t) noexcept {
    return t == pr::resource_flags || t == pr::status_code || t == pr::resource_methods;
}

inline result<prop_value> bad_value(prop_tag tag, std::string_view text, std::string_view why) {
    return fail(scode::bad_value,
                "the value " + describe_text(tag, text) + " of " + describe_tag(tag) + " " + std::string(why),
                "mapixx.prop_text");
}

/// A PR_RESOURCE_FLAGS / PR_STATUS_CODE / PR_RESOURCE_METHODS value: `|`-joined elements, each
/// an SDK flag name (ASCII case-insensitive) or a number in the PT_LONG forms.
inline result<prop_value> parse_flag_value(prop_tag tag, std::string_view text, value_context ctx) {
    std::uint32_t bits = 0;
    std::string_view rest = text;
    for (;;) {
        const std::size_t bar = rest.find('|');
        const std::string_view element = trim_ini(rest.substr(0, bar));
        if (element.empty()) {
            return bad_value(tag, text, "has an empty element between '|' separators");
        }
        if (auto n = parse_integer_text<std::uint32_t>(element)) {
            bits |= *n;
        } else if (tag == pr::status_code) {
            auto b = flag_bit_by_name<status_code>(element);
            if (!b) {
                return bad_value(tag, text, "names the unknown flag " + std::string(element) +
                                                " (known: " + flag_names_list<status_code>() + ")");
            }
            bits |= *b;
        } else if (tag == pr::resource_methods) {
            auto b = flag_bit_by_name<resource_method>(element);
            if (!b) {
                return bad_value(tag, text, "names the unknown flag " + std::string(element) +
                                                " (known: " + flag_names_list<resource_method>() + ")");
            }
            bits |= *b;
        } else {
            const auto as_service = flag_bit_by_name<service_flag>(element);
            const auto as_provider = flag_bit_by_name<resource_flag>(element);
            if (as_service && ctx == value_context::provider_section) {
                return bad_value(tag, text, "uses the service flag " + std::string(element) +
                                                " in a provider section, where only STATUS_* and HOOK_* "
                                                "flags belong");
            }
            if (as_provider && ctx == value_context::service_section) {
                return bad_value(tag, text, "uses the provider flag " + std::string(element) +
                                                " in a service section, where only SERVICE_* flags belong");
            }
            if (!as_service && !as_provider) {
                std::string known;
                if (ctx != value_context::provider_section) known += flag_names_list<service_flag>();
                if (ctx == value_context::any) known += ", ";
                if (ctx != value_context::service_section) known += flag_names_list<resource_flag>();
                return bad_value(tag, text, "names the unknown flag " + std::string(element) + " (known: " + known + ")");
            }
            bits |= as_service ? *as_service : *as_provider;
        }
        if (bar == std::string_view::npos) break;
        rest = rest.substr(bar + 1);
    }
    return prop_value(tag, static_cast<std::int32_t>(bits));
}

template <class T, class F>
result<prop_value> parse_list(prop_tag tag, std::string_view text, F&& element) {
    auto pieces = split_value_list(text, false);
    if (!pieces) return bad_value(tag, text, "is not a comma list (a quoted element is not closed properly)");
    std::vector<T> out;
    out.reserve(pieces->size());
    const auto wipe_pieces = [&] { secure_wipe(*pieces); };  // the text of a secure binary list, say
    for (const auto& p : *pieces) {
        std::optional<T> v = element(std::string_view(p));
        // describe_text: the element of a secure property is withheld like the whole text.
        if (!v) {
            auto refused = bad_value(tag, text, "has the element " + describe_text(tag, p) + ", which is not a valid " +
                                                std::string(sdk_name(static_cast<prop_type>(static_cast<std::uint16_t>(tag.type()) & ~mv_flag))) + " value");
            wipe_pieces();
            return refused;
        }
        out.push_back(std::move(*v));
    }
    wipe_pieces();
    return prop_value(tag, std::move(out));
}

} // namespace detail

/// Reads the key of a `TAG=value` line: a symbolic PR_ name known to mapixx (`PR_DISPLAY_NAME`,
/// `PR_DISPLAY_NAME_A`, `PR_DISPLAY_NAME_W`; ASCII case-insensitive) or exactly 8 hex digits of
/// either case (`6600001e`).
///
/// A bare name of a string property reads as the PT_STRING8 (or PT_MV_STRING8) tag, as an
/// ANSI-era MAPISVC.INF means it; `_W` selects PT_UNICODE and `_A` PT_STRING8 explicitly.
/// Anything else gives `not_found` with a sentence (callers treat such keys as unknown entries).
[[nodiscard]] inline result<prop_tag> parse_prop_key(std::string_view key) {
    key = detail::trim_ini(key);
    if (key.size() == 8 && detail::all_hex(key)) {
        std::uint32_t v = 0;
        for (char c : key) v = v * 16 + static_cast<std::uint32_t>(detail::hex_digit(c));
        return prop_tag(v);
    }
    if (auto t = prop_tag_from_name(key)) {
        bool bare = false;
        for (const auto& e : known_prop_tags()) {
            if (detail::ascii_iequal(e.name, key)) bare = true;
        }
        if (bare && t->type() == prop_type::unicode) return t->with_type(prop_type::string8);
        if (bare && t->type() == prop_type::mv_unicode) return t->with_type(prop_type::mv_string8);
        return *t;
    }
    return fail(scode::not_found,
                "\"" + std::string(key) +
                    "\" is neither a property name mapixx knows (PR_...) nor an 8-digit hexadecimal property tag",
                "mapixx.prop_text");
}

/// The key `parse_prop_key` reads back as `tag`: the symbolic name when mapixx knows one (the
/// bare name for PT_STRING8 and non-string types, `_W` appended for PT_UNICODE), else 8
/// upper-case hex digits (`6600001E`), also for a known id with another type (`30010003`) and
/// for the Unicode form of a tag the SDK defines only as PT_STRING8 (PR_SERVICE_ENTRY_NAME).
[[nodiscard]] inline std::string format_prop_key(prop_tag tag) {
    for (const auto& e : known_prop_tags()) {
        if (e.tag.id() != tag.id()) continue;
        const prop_type et = e.tag.type(), t = tag.type();
        // The table holds the Unicode form of TSTRING tags; a bare name reads as PT_STRING8.
        if (et == prop_type::unicode && t == prop_type::string8) return std::string(e.name);
        if (et == prop_type::mv_unicode && t == prop_type::mv_string8) return std::string(e.name);
        if ((et == prop_type::unicode || et == prop_type::mv_unicode) && t == et) return std::string(e.name) + "_W";
        if (et == t) return std::string(e.name);  // non-string tags, and PR_SERVICE_ENTRY_NAME (always STRING8)
    }
    return tag.hex();
}

/// Reads the value of a `TAG=value` line as a value of `tag`'s type. The text is trimmed of INI
/// white space first. Per type (see docs/profiles-mapisvc.md for the full grammar):
/// - PT_LONG: 8 hex digits little-endian (`0C000000` = 12), `0`, or decimal with a mandatory
///   sign (`+12`, `-1`). PR_RESOURCE_FLAGS, PR_STATUS_CODE and PR_RESOURCE_METHODS also take
///   `|`-joined SDK flag names (spaces allowed around `|`), PR_RESOURCE_TYPE one
///   `MAPI_*` resource-type name;
/// - PT_I2 / PT_I8 / PT_CURRENCY / PT_SYSTIME: 4 / 16 / 16 / 16 hex digits little-endian (or
///   signed decimal, except PT_SYSTIME);
/// - PT_R4 / PT_DOUBLE / PT_APPTIME: the IEEE-754 double as 16 hex digits little-endian, or
///   signed decimal (`+1.5`);
/// - PT_BOOLEAN: `0`, `1`, `TRUE`, `FALSE` (any case), or 4 or 8 hex digits (non-zero = true);
/// - PT_ERROR: 8 hex digits little-endian, or an SDK name (`MAPI_E_NOT_FOUND`);
/// - PT_STRING8 / PT_UNICODE: verbatim (backslashes are not escapes), except that a value in
///   double quotes loses them and `\u{HEX}` inside is one code point;
/// - PT_BINARY: hex digits of any case, even count; PT_CLSID: 32 hex digits or `{GUID}`;
/// - PT_NULL / PT_OBJECT: empty text;
/// - PT_MV_*: comma lists of the single forms, elements trimmed; string elements holding a
///   comma, quote or outer space are quoted, and `""` is an empty element.
///
/// Errors: `invalid_type` for a type mapixx does not store, `bad_value` for text that is not a
/// value of the type; both messages name the tag and the text (withheld for secure properties).
[[nodiscard]] inline result<prop_value> parse_prop_value(prop_tag tag, std::string_view text,
                                                         value_context context) {
    using namespace detail;
    text = trim_ini(text);
    const auto alt = prop_value::alternative_for(tag.type());
    if (!alt) {
        return fail(scode::invalid_type,
                    "property " + describe_tag(tag) + " has type " + detail::hex32(static_cast<std::uint16_t>(tag.type())) +
                        ", which mapixx does not store, so its value " + describe_text(tag, text) + " cannot be read",
                    "mapixx.prop_text");
    }
    switch (tag.type()) {
    case prop_type::null:
    case prop_type::object:
        if (!text.empty()) return bad_value(tag, text, "must be empty: the type holds no data");
        return prop_value(tag, std::monostate{});
    case prop_type::i2:
        if (auto v = parse_integer_text<std::uint16_t>(text)) return prop_value(tag, static_cast<std::int16_t>(*v));
        return bad_value(tag, text, "is not a PT_I2 value (4 hex digits little-endian such as 0C00, or signed "
                                    "decimal such as +12)");
    case prop_type::i4:
        if (is_flag_tag(tag)) return parse_flag_value(tag, text, context);
        if (tag == pr::resource_type) {
            for (resource_type t : resource_type_values) {
                if (ascii_iequal(sdk_name(t), text)) return prop_value(tag, static_cast<std::int32_t>(t));
            }
        }
        if (auto v = parse_integer_text<std::uint32_t>(text)) return prop_value(tag, static_cast<std::int32_t>(*v));
        if (tag == pr::resource_type) {
            return bad_value(tag, text, "is neither a resource type name (MAPI_STORE_PROVIDER, MAPI_AB_PROVIDER, "
                                        "MAPI_TRANSPORT_PROVIDER, ...) nor a PT_LONG number");
        }
        return bad_value(tag, text, "is not a PT_LONG value (8 hex digits little-endian such as 0C000000 for 12, or "
                                    "signed decimal such as +12)");
    case prop_type::r4:
    case prop_type::r8:
    case prop_type::apptime:
        if (auto v = parse_double_text(text)) return prop_value(tag, *v);
        return bad_value(tag, text, "is not a floating-point value (16 hex digits of the IEEE-754 double, "
                                    "little-endian, or signed decimal such as +1.5)");
    case prop_type::error:
        if (auto v = parse_integer_text<std::uint32_t>(text)) return prop_value(tag, static_cast<scode>(*v));
        if (auto c = scode_from_name(text)) return prop_value(tag, *c);
        return bad_value(tag, text, "is not a PT_ERROR value (8 hex digits little-endian, or an SDK name such "
                                    "as MAPI_E_NOT_FOUND)");
    case prop_type::boolean:
        if (text == "1" || ascii_iequal(text, "TRUE")) return prop_value(tag, true);
        if (text == "0" || ascii_iequal(text, "FALSE")) return prop_value(tag, false);
        if (auto v = parse_le_hex<std::uint32_t>(text)) return prop_value(tag, *v != 0);
        if (auto v = parse_le_hex<std::uint16_t>(text)) return prop_value(tag, *v != 0);
        return bad_value(tag, text, "is not a PT_BOOLEAN value (0, 1, TRUE, FALSE, or 4 or 8 hex digits)");
    case prop_type::i8:
    case prop_type::currency:
        if (auto v = parse_integer_text<std::uint64_t>(text)) return prop_value(tag, static_cast<std::int64_t>(*v));
        return bad_value(tag, text, "is not a 64-bit integer (16 hex digits little-endian, or signed decimal)");
    case prop_type::string8:
    case prop_type::unicode: return prop_value(tag, parse_string_text(text));
    case prop_type::systime:
        if (auto v = parse_le_hex<std::uint64_t>(text)) return prop_value(tag, filetime{*v});
        return bad_value(tag, text, "is not a PT_SYSTIME value (16 hex digits, the FILETIME little-endian)");
    case prop_type::clsid:
        if (auto u = uid::parse(text)) return prop_value(tag, *u);
        return bad_value(tag, text, "is not a PT_CLSID value (32 hex digits, or {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})");
    case prop_type::binary:
        if (auto b = parse_hex_bytes(text)) return prop_value(tag, std::move(*b));
        return bad_value(tag, text, "is not a PT_BINARY value (hex digits, an even number of them)");
    case prop_type::mv_i2:
        return parse_list<std::int16_t>(tag, text, [](std::string_view p) -> std::optional<std::int16_t> {
            if (auto v = parse_integer_text<std::uint16_t>(p)) return static_cast<std::int16_t>(*v);
            return std::nullopt;
        });
    case prop_type::mv_i4:
        return parse_list<std::int32_t>(tag, text, [](std::string_view p) -> std::optional<std::int32_t> {
            if (auto v = parse_integer_text<std::uint32_t>(p)) return static_cast<std::int32_t>(*v);
            return std::nullopt;
        });
    case prop_type::mv_i8:
        return parse_list<std::int64_t>(tag, text, [](std::string_view p) -> std::optional<std::int64_t> {
            if (auto v = parse_integer_text<std::uint64_t>(p)) return static_cast<std::int64_t>(*v);
            return std::nullopt;
        });
    case prop_type::mv_systime:
        return parse_list<filetime>(tag, text, [](std::string_view p) -> std::optional<filetime> {
            if (auto v = parse_le_hex<std::uint64_t>(p)) return filetime{*v};
            return std::nullopt;
        });
    case prop_type::mv_clsid:
        return parse_list<uid>(tag, text, [](std::string_view p) { return uid::parse(p); });
    case prop_type::mv_binary:
        return parse_list<binary>(tag, text, [](std::string_view p) -> std::optional<binary> {
            if (p == "\"\"") return binary{};
            return parse_hex_bytes(p);
        });
    case prop_type::mv_string8:
    case prop_type::mv_unicode: {
        auto pieces = split_value_list(text, true);
        if (!pieces) {
            return bad_value(tag, text, "is not a comma list: a quoted element is not closed, or is followed by "
                                        "something other than a comma");
        }
        return prop_value(tag, std::move(*pieces));
    }
    case prop_type::unspecified: break;
    }
    return fail(scode::invalid_type, "property " + describe_tag(tag) + " has a type mapixx does not store",
                "mapixx.prop_text");
}

/// `parse_prop_value(tag, text, value_context::any)`: PR_RESOURCE_FLAGS accepts SERVICE_*,
/// STATUS_* and HOOK_* names alike.
[[nodiscard]] inline result<prop_value> parse_prop_value(prop_tag tag, std::string_view text) {
    return parse_prop_value(tag, text, value_context::any);
}

/// Writes a value in the form `parse_prop_value` reads back to the same value (for a
/// `prop_value` whose `valid()` is true): integers, doubles and times as little-endian hex,
/// booleans as `1` / `0`, binaries as upper-case hex, CLSIDs as 32 lower-case hex digits,
/// PR_RESOURCE_TYPE by its SDK name when it has one, strings verbatim unless they need quotes
/// (outer white space, a line break or other control character, or both outer characters `"`),
/// multi-valued properties as `, `-joined lists.
///
/// With a `service_section` or `provider_section` context, PR_RESOURCE_FLAGS is written with
/// that family's SDK names (`SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY`) when every bit
/// has one; otherwise, and with `any`, as 8 hex digits.
[[nodiscard]] inline std::string format_prop_value(const prop_value& v, value_context context) {
    using namespace detail;
    const prop_tag tag = v.tag();
    // The text of a secure list never moves without being wiped (see `append_wiping`).
    auto join = [](const auto& items, auto&& one) {
        std::string out;
        bool first = true;
        for (const auto& item : items) {
            std::string piece = one(item);
            if (!first) append_wiping(out, ", ");
            first = false;
            append_wiping(out, piece);
            secure_wipe(piece);
        }
        return out;
    };
    return std::visit(
        [&](const auto& d) -> std::string {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return {};
            } else if constexpr (std::is_same_v<T, std::int16_t>) {
                return format_le_hex(static_cast<std::uint16_t>(d));
            } else if constexpr (std::is_same_v<T, std::int32_t>) {
                const auto bits = static_cast<std::uint32_t>(d);
                if (tag == pr::resource_type) {
                    const std::string_view name = sdk_name(static_cast<resource_type>(bits));
                    if (!name.empty()) return std::string(name);
                }
                if (tag == pr::resource_flags && context == value_context::service_section) {
                    if (auto s = symbolic_flags<service_flag>(bits); !s.empty()) return s;
                }
                if (tag == pr::resource_flags && context == value_context::provider_section) {
                    if (auto s = symbolic_flags<resource_flag>(bits); !s.empty()) return s;
                }
                return format_le_hex(bits);
            } else if constexpr (std::is_same_v<T, double>) {
                return format_double_text(d);
            } else if constexpr (std::is_same_v<T, scode>) {
                return format_le_hex(static_cast<std::uint32_t>(d));
            } else if constexpr (std::is_same_v<T, bool>) {
                return d ? "1" : "0";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return format_le_hex(static_cast<std::uint64_t>(d));
            } else if constexpr (std::is_same_v<T, std::string>) {
                return format_string_text(d, false);
            } else if constexpr (std::is_same_v<T, filetime>) {
                return format_le_hex(d.ticks);
            } else if constexpr (std::is_same_v<T, uid>) {
                return d.to_string();
            } else if constexpr (std::is_same_v<T, binary>) {
                return format_hex_bytes(d);
            } else if constexpr (std::is_same_v<T, std::vector<std::int16_t>>) {
                return join(d, [](std::int16_t x) { return format_le_hex(static_cast<std::uint16_t>(x)); });
            } else if constexpr (std::is_same_v<T, std::vector<std::int32_t>>) {
                return join(d, [](std::int32_t x) { return format_le_hex(static_cast<std::uint32_t>(x)); });
            } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
                return join(d, [](std::int64_t x) { return format_le_hex(static_cast<std::uint64_t>(x)); });
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                return join(d, [](const std::string& x) { return format_string_text(x, true); });
            } else if constexpr (std::is_same_v<T, std::vector<filetime>>) {
                return join(d, [](filetime x) { return format_le_hex(x.ticks); });
            } else if constexpr (std::is_same_v<T, std::vector<uid>>) {
                return join(d, [](const uid& x) { return x.to_string(); });
            } else {
                static_assert(std::is_same_v<T, std::vector<binary>>);
                return join(d, [](const binary& x) { return x.empty() ? std::string("\"\"") : format_hex_bytes(x); });
            }
        },
        v.data());
}

/// `format_prop_value(v, value_context::any)`.
[[nodiscard]] inline std::string format_prop_value(const prop_value& v) {
    return format_prop_value(v, value_context::any);
}

} // namespace mapixx::inline v0

#endif
