// SPDX-License-Identifier: MIT
/// \file
/// Internet message building blocks for the Maildir store: base64, quoted-printable, RFC 2047
/// encoded-words, RFC 2231 parameters, header fields (parsing, unfolding, folding), MIME
/// entities and multipart bodies, mailbox lists and RFC 5322 dates.
#ifndef MAPIXX_PROVIDERS_DETAIL_MIME_HPP_INCLUDED
#define MAPIXX_PROVIDERS_DETAIL_MIME_HPP_INCLUDED

#include <mapixx/core/prop.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail::mime {

// ---- characters -------------------------------------------------------------------------------

constexpr char lower_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower_ascii(c);
    return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
    }
    return true;
}

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (is_wsp(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (is_wsp(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

/// Printable ASCII (space to tilde).
constexpr bool printable_ascii(std::string_view s) noexcept {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7E) return false;
    }
    return true;
}

/// An RFC 2045 token character.
constexpr bool token_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        if (!token_char(c)) return false;
    }
    return true;
}

/// `type/subtype` made of tokens.
constexpr bool is_mime_type(std::string_view s) noexcept {
    const auto slash = s.find('/');
    return slash != std::string_view::npos && is_token(s.substr(0, slash)) && is_token(s.substr(slash + 1));
}

// ---- base64 -----------------------------------------------------------------------------------

inline constexpr char base64_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 of `bytes`, one line.
inline std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out += base64_digits[(v >> 18) & 63];
        out += base64_digits[(v >> 12) & 63];
        out += base64_digits[(v >> 6) & 63];
        out += base64_digits[v & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out += base64_digits[(v >> 18) & 63];
        out += base64_digits[(v >> 12) & 63];
        out += rest == 2 ? base64_digits[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

/// Base64 of `bytes` in lines of 76 characters, each ended by CRLF.
inline std::string base64_lines(std::string_view bytes) {
    const std::string flat = base64_encode(bytes);
    std::string out;
    out.reserve(flat.size() + flat.size() / 76 * 2 + 2);
    for (std::size_t i = 0; i < flat.size(); i += 76) {
        out.append(flat, i, 76);
        out += "\r\n";
    }
    return out;
}

constexpr int base64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/// Decodes base64, skipping line breaks, white space and any other character outside the
/// alphabet (as mail readers do); stops at the first `=`.
inline std::string base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        const int v = base64_value(c);
        if (v < 0) continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

// ---- quoted-printable -------------------------------------------------------------------------

inline constexpr char hex_upper[] = "0123456789ABCDEF";

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Quoted-printable of `bytes` (RFC 2045 6.7) such that `qp_decode` gives `bytes` back exactly:
/// a CRLF pair is a line break, every other control byte (a lone CR or LF included), `=` and
/// every 8-bit byte is `=XX`, a space or tab before a line break or at the end is encoded, and
/// an `F` that starts a line is encoded so that no line begins with "From ". Lines are kept to
/// 76 characters with soft line breaks.
inline std::string qp_encode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 8);
    std::size_t column = 0;
    auto emit = [&](std::string_view piece) {
        if (column + piece.size() > 75) {
            out += "=\r\n";
            column = 0;
        }
        out += piece;
        column += piece.size();
    };
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
            out += "\r\n";
            column = 0;
            ++i;
            continue;
        }
        const bool at_break = i + 1 == bytes.size() ||
                              (bytes[i + 1] == '\r' && i + 2 < bytes.size() && bytes[i + 2] == '\n');
        bool literal = (u >= 33 && u <= 126 && c != '=') || (is_wsp(c) && !at_break);
        if (c == 'F' && column == 0) literal = false;
        if (c == '.' && column == 0) literal = false;
        if (literal) {
            emit(std::string_view(&c, 1));
        } else {
            const char code[3] = {'=', hex_upper[u >> 4], hex_upper[u & 0xF]};
            emit(std::string_view(code, 3));
        }
    }
    return out;
}

/// Decodes quoted-printable: `=XX` is a byte, `=` at the end of a line is a soft line break, a
/// line break of the file (CRLF or LF) is CRLF, and white space before a line break is dropped
/// (RFC 2045). A malformed `=` is kept as it is.
inline std::string qp_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t eol = text.find('\n', pos);
        const bool last = eol == std::string_view::npos;
        std::string_view line = text.substr(pos, last ? std::string_view::npos : eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        while (!line.empty() && is_wsp(line.back())) line.remove_suffix(1);
        bool soft = false;
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] != '=') {
                out += line[i];
                continue;
            }
            if (i + 1 == line.size()) {
                soft = true;
                break;
            }
            if (i + 2 < line.size() && hex_value(line[i + 1]) >= 0 && hex_value(line[i + 2]) >= 0) {
                out += static_cast<char>(hex_value(line[i + 1]) * 16 + hex_value(line[i + 2]));
                i += 2;
            } else {
                out += '=';
            }
        }
        if (last) break;
        if (!soft) out += "\r\n";
        pos = eol + 1;
    }
    return out;
}

// ---- character sets ---------------------------------------------------------------------------

/// True if `s` is well-formed UTF-8.
inline bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto u = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (u < 0x80) {
            ++i;
            continue;
        }
        if ((u & 0xE0) == 0xC0) {
            n = 1;
            cp = u & 0x1F;
        } else if ((u & 0xF0) == 0xE0) {
            n = 2;
            cp = u & 0x0F;
        } else if ((u & 0xF8) == 0xF0) {
            n = 3;
            cp = u & 0x07;
        } else {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return false;
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

inline void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// `bytes` in charset `charset` as UTF-8. UTF-8 and US-ASCII pass as they are; ISO-8859-1 and
/// windows-1252 are converted; any other charset passes unchanged when it is valid UTF-8 and
/// is read as ISO-8859-1 otherwise (nothing is dropped).
inline std::string to_utf8(std::string_view bytes, std::string_view charset) {
    const std::string cs = to_lower(trim(charset));
    const bool is_utf8 = cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii" || cs.empty();
    if (is_utf8 || ((cs != "iso-8859-1" && cs != "latin1" && cs != "windows-1252" && cs != "cp1252") &&
                    valid_utf8(bytes))) {
        return std::string(bytes);
    }
    static constexpr std::array<std::uint16_t, 32> cp1252{
        0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
    const bool windows = cs == "windows-1252" || cs == "cp1252";
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (windows && u >= 0x80 && u < 0xA0) {
            put_utf8(out, cp1252[u - 0x80]);
        } else {
            put_utf8(out, u);
        }
    }
    return out;
}

// ---- RFC 2047 encoded-words -------------------------------------------------------------------

/// `text` as a run of `=?utf-8?B?...?=` words separated by folding white space (CRLF SP), each
/// word holding whole UTF-8 sequences (when `text` is UTF-8) and at most 75 characters.
inline std::string encode_words(std::string_view text) {
    if (text.empty()) return "=?utf-8?B?" "?=";
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t n = std::min<std::size_t>(42, text.size() - pos);
        if (pos + n < text.size()) {
            std::size_t back = n;
            while (back > 0 && (static_cast<unsigned char>(text[pos + back]) & 0xC0) == 0x80 && n - back < 3) --back;
            if (back > 0) n = back;
        }
        if (!out.empty()) out += "\r\n ";
        out += "=?utf-8?B?";
        out += base64_encode(text.substr(pos, n));
        out += "?=";
        pos += n;
    }
    return out;
}

/// Decodes one encoded-word `=?charset?enc?text?=` to UTF-8; nullopt if `word` is not one.
inline std::optional<std::string> decode_word(std::string_view word) {
    if (word.size() < 8 || word.substr(0, 2) != "=?" || word.substr(word.size() - 2) != "?=") return std::nullopt;
    const std::string_view inner = word.substr(2, word.size() - 4);
    const auto q1 = inner.find('?');
    if (q1 == std::string_view::npos) return std::nullopt;
    const auto q2 = inner.find('?', q1 + 1);
    if (q2 == std::string_view::npos || q2 != q1 + 2) return std::nullopt;
    std::string_view charset = inner.substr(0, q1);
    if (const auto star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);
    const char enc = lower_ascii(inner[q1 + 1]);
    const std::string_view payload = inner.substr(q2 + 1);
    if (payload.find('?') != std::string_view::npos) return std::nullopt;
    std::string bytes;
    if (enc == 'b') {
        bytes = base64_decode(payload);
    } else if (enc == 'q') {
        for (std::size_t i = 0; i < payload.size(); ++i) {
            const char c = payload[i];
            if (c == '_') {
                bytes += ' ';
            } else if (c == '=' && i + 2 < payload.size() &&
                       hex_value(payload[i + 1]) >= 0 && hex_value(payload[i + 2]) >= 0) {
                bytes += static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2]));
                i += 2;
            } else {
                bytes += c;
            }
        }
    } else {
        return std::nullopt;
    }
    return to_utf8(bytes, charset);
}

/// Decodes the encoded-words in unstructured header text (RFC 2047): white space between two
/// adjacent encoded-words disappears; everything else is kept as it is.
inline std::string decode_words(std::string_view text) {
    std::string out;
    std::size_t pos = 0;
    bool last_was_word = false;
    std::string pending_space;
    while (pos < text.size()) {
        if (text.compare(pos, 2, "=?") == 0) {
            // An encoded-word runs to the "?=" after its third '?'.
            std::size_t q = pos + 2;
            int marks = 0;
            std::size_t end = std::string_view::npos;
            while (q < text.size()) {
                if (text[q] == '?') {
                    ++marks;
                    if (marks >= 3 && q + 1 < text.size() && text[q + 1] == '=') {
                        end = q + 2;
                        break;
                    }
                }
                if (is_wsp(text[q])) break;
                ++q;
            }
            if (end != std::string_view::npos) {
                if (auto w = decode_word(text.substr(pos, end - pos))) {
                    if (!last_was_word) out += pending_space;
                    pending_space.clear();
                    out += *w;
                    last_was_word = true;
                    pos = end;
                    continue;
                }
            }
        }
        if (is_wsp(text[pos])) {
            pending_space += text[pos++];
            continue;
        }
        out += pending_space;
        pending_space.clear();
        out += text[pos++];
        last_was_word = false;
    }
    out += pending_space;
    return out;
}

// ---- header fields ----------------------------------------------------------------------------

/// One header field: its name as written and its value unfolded (line breaks removed, the white
/// space that follows them kept), without the white space after the colon.
struct header_field {
    std::string name;
    std::string value;
    std::size_t line = 0;  ///< 1-based line of the field name in the file
};

/// A parsed entity: header fields and the body as it is in the file.
struct entity {
    std::vector<header_field> headers;
    std::string_view body;

    [[nodiscard]] const header_field* find(std::string_view name) const noexcept {
        for (const auto& h : headers) {
            if (iequals(h.name, name)) return &h;
        }
        return nullptr;
    }
};

/// Why an entity could not be read, and on which line (1-based, relative to the text given).
struct parse_problem {
    std::string what;
    std::size_t line = 0;
};

/// Splits `text` into header fields and body. Lines may end in CRLF or LF. The header ends at
/// the first empty line (or at the end of the text). A leading mbox "From " line is skipped.
/// A line that is neither a field nor a continuation is a problem.
inline std::optional<entity> parse_entity(std::string_view text, parse_problem& problem, std::size_t first_line = 1) {
    entity e;
    std::size_t pos = 0;
    std::size_t line_no = first_line;
    bool first = true;
    while (pos < text.size()) {
        const std::size_t eol = text.find('\n', pos);
        const std::size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
        std::string_view line = text.substr(pos, (eol == std::string_view::npos ? text.size() : eol) - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {
            e.body = text.substr(next);
            return e;
        }
        if (first && line.substr(0, 5) == "From ") {
            first = false;
            pos = next;
            ++line_no;
            continue;
        }
        first = false;
        if (is_wsp(line.front())) {
            if (e.headers.empty()) {
                problem = {"the header begins with a continuation line (white space before the first field name)", line_no};
                return std::nullopt;
            }
            e.headers.back().value += line;
        } else {
            const std::size_t colon = line.find(':');
            std::string_view name = colon == std::string_view::npos ? std::string_view{} : line.substr(0, colon);
            while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
            bool ok = !name.empty();
            for (char c : name) {
                const auto u = static_cast<unsigned char>(c);
                if (u <= 0x20 || u >= 0x7F) ok = false;
            }
            if (!ok) {
                problem = {"the line is not a header field (\"Name: value\") and no empty line ended the header before it",
                           line_no};
                return std::nullopt;
            }
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && is_wsp(value.front())) value.remove_prefix(1);
            e.headers.push_back({std::string(name), std::string(value), line_no});
        }
        pos = next;
        ++line_no;
    }
    e.body = text.substr(text.size());
    return e;
}

/// The 1-based line number of the byte at `offset` in `text`.
inline std::size_t line_of(std::string_view text, std::size_t offset) noexcept {
    std::size_t n = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') ++n;
    }
    return n;
}

/// `Name: value` followed by CRLF, folded before single spaces so that lines stay within 78
/// characters where the value allows (unfolding gives `value` back exactly). `value` must not
/// hold line breaks unless it is already folded (encoded-words).
inline void fold_field_to(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    std::size_t column = name.size() + 2;
    std::size_t pos = 0;
    while (pos < value.size()) {
        // The next piece runs to the next space that may start a continuation line.
        std::size_t cut = value.size();
        for (std::size_t i = pos + 1; i < value.size(); ++i) {
            if (value[i] == ' ' && i + 1 < value.size() && value[i + 1] != ' ' && value[i + 1] != '\t' &&
                value[i - 1] != '\n') {
                cut = i;
                break;
            }
        }
        const std::string_view piece = value.substr(pos, cut - pos);
        if (column + piece.size() > 78 && column > name.size() + 2 && piece.front() == ' ') {
            out += "\r\n";
            column = 0;
        }
        out += piece;
        const auto nl = piece.rfind('\n');
        column = nl == std::string_view::npos ? column + piece.size() : piece.size() - nl - 1;
        pos = cut;
    }
    out += "\r\n";
}

/// `fold_field_to`, into a string of its own.
inline std::string fold_field(std::string_view name, std::string_view value) {
    std::string out;
    fold_field_to(out, name, value);
    return out;
}

// ---- structured values ------------------------------------------------------------------------

/// A `type/subtype; name=value; ...` value (Content-Type, Content-Disposition).
struct parameterized {
    std::string value;  ///< lower-cased for comparisons by the caller if needed
    std::vector<std::pair<std::string, std::string>> params;  ///< names lower-cased, values raw (unquoted)

    /// The parameter `name`, decoded: RFC 2231 (`name*`, `name*0*`, ...) first, then the plain
    /// form (whose encoded-words, which some mailers write, are decoded too).
    [[nodiscard]] std::optional<std::string> param(std::string_view name) const {
        const std::string key = to_lower(name);
        // RFC 2231: name* or name*0, name*0*, name*1*, ...
        std::vector<std::pair<int, std::pair<bool, std::string>>> sections;
        for (const auto& [k, v] : params) {
            if (k.size() <= key.size() || k.compare(0, key.size(), key) != 0 || k[key.size()] != '*') continue;
            std::string_view rest = std::string_view(k).substr(key.size() + 1);
            if (rest.empty()) {
                sections.push_back({0, {true, v}});
                continue;
            }
            bool extended = false;
            if (rest.back() == '*') {
                extended = true;
                rest.remove_suffix(1);
            }
            int index = 0;
            bool digits = !rest.empty();
            for (char c : rest) {
                if (c < '0' || c > '9') digits = false;
                else index = index * 10 + (c - '0');
            }
            if (digits && index < 1000) sections.push_back({index, {extended, v}});
        }
        if (!sections.empty()) {
            std::sort(sections.begin(), sections.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            std::string charset;
            std::string bytes;
            for (std::size_t i = 0; i < sections.size(); ++i) {
                std::string_view v = sections[i].second.second;
                const bool extended = sections[i].second.first;
                if (extended && i == 0) {
                    const auto a = v.find('\'');
                    const auto b = a == std::string_view::npos ? a : v.find('\'', a + 1);
                    if (b != std::string_view::npos) {
                        charset = std::string(v.substr(0, a));
                        v = v.substr(b + 1);
                    }
                }
                if (extended) {
                    for (std::size_t j = 0; j < v.size(); ++j) {
                        if (v[j] == '%' && j + 2 < v.size() &&
                            hex_value(v[j + 1]) >= 0 && hex_value(v[j + 2]) >= 0) {
                            bytes += static_cast<char>(hex_value(v[j + 1]) * 16 + hex_value(v[j + 2]));
                            j += 2;
                        } else {
                            bytes += v[j];
                        }
                    }
                } else {
                    bytes += v;
                }
            }
            return to_utf8(bytes, charset);
        }
        for (const auto& [k, v] : params) {
            if (k == key) return decode_words(v);
        }
        return std::nullopt;
    }
};

/// Reads `value; a=b; c="d"`. Quoted values lose their quotes and quoted-pairs; comments in
/// parentheses are skipped.
inline parameterized parse_parameterized(std::string_view text) {
    parameterized out;
    std::size_t i = 0;
    auto skip_space = [&] {
        for (;;) {
            while (i < text.size() && (is_wsp(text[i]) || text[i] == '\r' || text[i] == '\n')) ++i;
            if (i < text.size() && text[i] == '(') {
                int depth = 0;
                while (i < text.size()) {
                    if (text[i] == '\\') {
                        i += 2;
                        continue;
                    }
                    if (text[i] == '(') ++depth;
                    if (text[i] == ')' && --depth == 0) {
                        ++i;
                        break;
                    }
                    ++i;
                }
                continue;
            }
            break;
        }
    };
    skip_space();
    const std::size_t start = i;
    while (i < text.size() && text[i] != ';') ++i;
    out.value = std::string(trim(text.substr(start, i - start)));
    while (i < text.size()) {
        ++i;  // ';'
        skip_space();
        const std::size_t ns = i;
        while (i < text.size() && text[i] != '=' && text[i] != ';') ++i;
        std::string name = to_lower(trim(text.substr(ns, i - ns)));
        if (i >= text.size() || text[i] == ';') {
            continue;
        }
        ++i;  // '='
        skip_space();
        std::string value;
        if (i < text.size() && text[i] == '"') {
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                value += text[i++];
            }
            if (i < text.size()) ++i;
            while (i < text.size() && text[i] != ';') ++i;
        } else {
            const std::size_t vs = i;
            while (i < text.size() && text[i] != ';') ++i;
            value = std::string(trim(text.substr(vs, i - vs)));
        }
        if (!name.empty()) out.params.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

/// `; name="value"` for printable ASCII, or RFC 2231 `; name*=utf-8''%XX...` (split into
/// `name*0*`, `name*1*`, ... sections when long), each parameter on a folded line.
inline std::string format_param(std::string_view name, std::string_view value) {
    if (printable_ascii(value) && value.size() <= 60 && value.find("=?") == std::string_view::npos) {
        std::string out = ";\r\n ";
        out += name;
        out += "=\"";
        for (char c : value) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
        return out;
    }
    std::vector<std::string> pieces{std::string()};
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        std::string code;
        if (token_char(c) && c != '%' && c != '\'' && c != '*') {
            code = std::string(1, c);
        } else {
            code = {'%', hex_upper[u >> 4], hex_upper[u & 0xF]};
        }
        if (pieces.back().size() + code.size() > 54) pieces.emplace_back();
        pieces.back() += code;
    }
    std::string out;
    if (pieces.size() == 1) {
        out = ";\r\n ";
        out += name;
        out += "*=utf-8''";
        out += pieces.front();
        return out;
    }
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        out += ";\r\n ";
        out += name;
        out += '*';
        out += std::to_string(i);
        out += i == 0 ? "*=utf-8''" : "*=";
        out += pieces[i];
    }
    return out;
}

// ---- mailboxes --------------------------------------------------------------------------------

/// One mailbox of an address header: display name (decoded, may be empty) and address.
struct mailbox {
    std::string name;
    std::string address;
};

/// True if `address` can stand between angle brackets as it is: printable ASCII without
/// white space, brackets, commas, quotes or backslashes, non-empty.
constexpr bool plain_address(std::string_view address) noexcept {
    if (address.empty() || !printable_ascii(address)) return false;
    return address.find_first_of(" <>,\"\\();:") == std::string_view::npos;
}

/// Appends `"Name" <address>`, `=?utf-8?B?...?= <address>` or `<address>` to `out`.
inline void format_mailbox_to(std::string& out, std::string_view name, std::string_view address) {
    if (!name.empty()) {
        if (printable_ascii(name) && name.size() <= 60 && name.find("=?") == std::string_view::npos) {
            out += '"';
            for (char c : name) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
        } else {
            out += encode_words(name);
        }
        out += ' ';
    }
    out += '<';
    out += address;
    out += '>';
}

/// `format_mailbox_to`, into a string of its own.
inline std::string format_mailbox(std::string_view name, std::string_view address) {
    std::string out;
    format_mailbox_to(out, name, address);
    return out;
}

/// Decodes a display-name phrase: quoted strings lose their quotes and quoted-pairs,
/// encoded-words are decoded (white space between adjacent ones removed), other white space
/// runs become one space.
inline std::string decode_phrase(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    bool last_word = false;
    bool space = false;
    text = trim(text);
    while (i < text.size()) {
        const char c = text[i];
        if (is_wsp(c) || c == '\r' || c == '\n') {
            space = true;
            ++i;
            continue;
        }
        if (c == '"') {
            std::string q;
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                q += text[i++];
            }
            if (i < text.size()) ++i;
            if (space && !out.empty()) out += ' ';
            space = false;
            out += q;
            last_word = false;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && !is_wsp(text[end]) && text[end] != '"' && text[end] != '\r' && text[end] != '\n') ++end;
        const std::string_view atom = text.substr(i, end - i);
        if (auto w = decode_word(atom)) {
            if (space && !out.empty() && !last_word) out += ' ';
            out += *w;
            last_word = true;
        } else {
            if (space && !out.empty()) out += ' ';
            out += atom;
            last_word = false;
        }
        space = false;
        i = end;
    }
    return out;
}

/// Reads an address list (`To:`, `Cc:`, `From:`): mailboxes separated by commas, with
/// `Name <addr>`, `addr (Name)` and bare `addr` forms, groups flattened. Entries without an
/// address are left out.
inline std::vector<mailbox> parse_mailboxes(std::string_view text) {
    std::vector<mailbox> out;
    std::vector<std::string_view> items;
    std::size_t start = 0;
    int angle = 0, paren = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ',';
        if (quoted) {
            if (c == '\\') ++i;
            else if (c == '"') quoted = false;
            continue;
        }
        if (c == '"') quoted = true;
        else if (c == '(') ++paren;
        else if (c == ')' && paren > 0) --paren;
        else if (c == '<' && paren == 0) ++angle;
        else if (c == '>' && paren == 0 && angle > 0) --angle;
        else if ((c == ',' || c == ';') && angle == 0 && paren == 0) {
            items.push_back(text.substr(start, std::min(i, text.size()) - start));
            start = i + 1;
        } else if (c == ':' && angle == 0 && paren == 0) {
            start = i + 1;  // a group's name
        }
    }
    for (std::string_view item : items) {
        item = trim(item);
        if (item.empty()) continue;
        mailbox m;
        const auto lt = item.rfind('<');
        const auto gt = lt == std::string_view::npos ? lt : item.find('>', lt);
        if (lt != std::string_view::npos && gt != std::string_view::npos) {
            m.address = std::string(trim(item.substr(lt + 1, gt - lt - 1)));
            m.name = decode_phrase(item.substr(0, lt));
        } else {
            std::string addr;
            std::string comment;
            int depth = 0;
            for (char c : item) {
                if (c == '(') {
                    if (depth++ > 0) comment += c;
                } else if (c == ')' && depth > 0) {
                    if (--depth > 0) comment += c;
                } else if (depth > 0) {
                    comment += c;
                } else if (!is_wsp(c)) {
                    addr += c;
                }
            }
            m.address = addr;
            m.name = decode_phrase(comment);
        }
        if (!m.address.empty()) out.push_back(std::move(m));
    }
    return out;
}

// ---- dates ------------------------------------------------------------------------------------

/// FILETIME ticks of 1970-01-01T00:00:00Z.
inline constexpr std::int64_t unix_epoch_ticks = 116444736000000000LL;

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
    std::int64_t year;
    unsigned month, day;
};

constexpr civil civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

inline constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
inline constexpr std::array<std::string_view, 7> day_names{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

/// Appends `Tue, 01 Jul 2025 12:34:56 +0000` to `result`: the time in UTC, to the second (the
/// part of a second is dropped).
inline void format_date_to(std::string& result, filetime t) {
    const auto ticks = static_cast<std::int64_t>(t.ticks);
    std::int64_t secs = (ticks - unix_epoch_ticks) / 10000000;
    if ((ticks - unix_epoch_ticks) % 10000000 < 0) --secs;
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    const civil c = civil_from_days(days);
    const auto weekday = static_cast<std::size_t>(((days % 7) + 7) % 7);
    // Written into a buffer on the stack, then appended in one piece.
    char text[64];
    char* out = text;
    auto put = [&out](std::string_view piece) {
        std::memcpy(out, piece.data(), piece.size());
        out += piece.size();
    };
    auto two = [&out](std::int64_t v) {  // 0 to 99, always two digits
        *out++ = static_cast<char>('0' + v / 10);
        *out++ = static_cast<char>('0' + v % 10);
    };
    put(day_names[weekday]);
    put(", ");
    two(c.day);
    put(" ");
    put(month_names[c.month - 1]);
    put(" ");
    char year[24];
    const std::size_t digits = static_cast<std::size_t>(std::to_chars(year, year + sizeof year, c.year).ptr - year);
    for (std::size_t k = digits; k < 4; ++k) *out++ = '0';  // at least four digits
    put(std::string_view(year, digits));
    put(" ");
    two(rem / 3600);
    put(":");
    two(rem / 60 % 60);
    put(":");
    two(rem % 60);
    put(" +0000");
    result.append(text, out);
}

/// `format_date_to`, into a string of its own.
inline std::string format_date(filetime t) {
    std::string out;
    format_date_to(out, t);
    return out;
}

/// Reads an RFC 5322 date (obsolete forms too: two-digit years, named zones, no seconds,
/// comments); nullopt if it is not one.
inline std::optional<filetime> parse_date(std::string_view text) {
    std::vector<std::string> words;
    std::string cur;
    int depth = 0;
    for (char c : text) {
        if (c == '(') {
            ++depth;
            continue;
        }
        if (c == ')' && depth > 0) {
            --depth;
            continue;
        }
        if (depth > 0) continue;
        if (is_wsp(c) || c == ',' || c == '\r' || c == '\n') {
            if (!cur.empty()) words.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) words.push_back(std::move(cur));
    std::size_t i = 0;
    if (i < words.size() && words[i].size() >= 3 && !(words[i][0] >= '0' && words[i][0] <= '9')) ++i;  // weekday
    if (words.size() < i + 4) return std::nullopt;
    auto number = [](std::string_view s) -> std::optional<std::int64_t> {
        if (s.empty() || s.size() > 9) return std::nullopt;
        std::int64_t v = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + (c - '0');
        }
        return v;
    };
    const auto day = number(words[i]);
    unsigned month = 0;
    for (unsigned m = 0; m < 12; ++m) {
        if (iequals(std::string_view(words[i + 1]).substr(0, 3), month_names[m])) month = m + 1;
    }
    auto year = number(words[i + 2]);
    if (!day || month == 0 || !year || *day < 1 || *day > 31) return std::nullopt;
    if (words[i + 2].size() <= 2) *year += *year < 50 ? 2000 : 1900;
    else if (words[i + 2].size() == 3) *year += 1900;
    // hh:mm[:ss]
    const std::string& hms = words[i + 3];
    std::int64_t parts[3] = {0, 0, 0};
    std::size_t pi = 0, start = 0;
    for (std::size_t k = 0; k <= hms.size(); ++k) {
        if (k == hms.size() || hms[k] == ':') {
            if (pi >= 3) return std::nullopt;
            auto v = number(std::string_view(hms).substr(start, k - start));
            if (!v) return std::nullopt;
            parts[pi++] = *v;
            start = k + 1;
        }
    }
    if (pi < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 60) return std::nullopt;
    std::int64_t offset = 0;  // minutes east of UTC
    if (words.size() > i + 4) {
        const std::string& z = words[i + 4];
        if ((z[0] == '+' || z[0] == '-') && z.size() == 5) {
            auto v = number(std::string_view(z).substr(1));
            if (v) offset = (*v / 100 * 60 + *v % 100) * (z[0] == '-' ? -1 : 1);
        } else {
            static constexpr std::array<std::pair<std::string_view, int>, 8> zones{
                {{"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}}};
            for (const auto& [n, h] : zones) {
                if (iequals(z, n)) offset = h * 60;
            }
        }
    }
    const std::int64_t days = days_from_civil(*year, month, static_cast<unsigned>(*day));
    const std::int64_t secs = days * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2] - offset * 60;
    const std::int64_t ticks = secs * 10000000 + unix_epoch_ticks;
    if (ticks < 0) return std::nullopt;
    return filetime{static_cast<std::uint64_t>(ticks)};
}

// ---- multipart --------------------------------------------------------------------------------

/// The parts of a multipart body with boundary `boundary` (preamble and epilogue dropped),
/// each with the line (1-based within `body`) where it starts. nullopt when no delimiter
/// line is found.
inline std::optional<std::vector<std::pair<std::string_view, std::size_t>>> split_multipart(std::string_view body,
                                                                                             std::string_view boundary) {
    std::vector<std::pair<std::string_view, std::size_t>> parts;
    const std::string delimiter = "--" + std::string(boundary);
    std::size_t pos = 0;
    std::size_t line_no = 1;
    std::size_t part_start = std::string_view::npos;
    std::size_t part_line = 0;
    bool found = false;
    while (pos <= body.size()) {
        const std::size_t eol = body.find('\n', pos);
        const std::size_t end = eol == std::string_view::npos ? body.size() : eol;
        std::string_view line = body.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.substr(0, delimiter.size()) == delimiter) {
            std::string_view rest = line.substr(delimiter.size());
            const bool close = rest.substr(0, 2) == "--";
            if (close) rest.remove_prefix(2);
            if (trim(rest).empty()) {
                found = true;
                if (part_start != std::string_view::npos) {
                    // The line break before the delimiter belongs to the delimiter.
                    std::size_t stop = pos;
                    if (stop > part_start && body[stop - 1] == '\n') --stop;
                    if (stop > part_start && body[stop - 1] == '\r') --stop;
                    if (pos == part_start) stop = part_start;
                    parts.emplace_back(body.substr(part_start, stop - part_start), part_line);
                }
                if (close) return parts;
                part_start = eol == std::string_view::npos ? body.size() : eol + 1;
                part_line = line_no + 1;
            }
        }
        if (eol == std::string_view::npos) break;
        pos = eol + 1;
        ++line_no;
    }
    if (!found) return std::nullopt;
    if (part_start != std::string_view::npos && part_start < body.size()) {
        parts.emplace_back(body.substr(part_start), part_line);  // no closing delimiter: keep what is there
    }
    return parts;
}

/// `text` with every LF that is not after a CR turned into CRLF.
inline std::string crlf_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

/// Decodes a body by its Content-Transfer-Encoding (7bit, 8bit, binary: as they are).
inline std::string decode_transfer(std::string_view body, std::string_view encoding) {
    const std::string enc = to_lower(trim(encoding));
    if (enc == "base64") return base64_decode(body);
    if (enc == "quoted-printable") return qp_decode(body);
    return std::string(body);
}

} // namespace mapixx::inline v0::detail::mime

#endif
