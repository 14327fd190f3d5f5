// SPDX-License-Identifier: MIT
/// \file
/// A tolerant INI reader and writer with line numbers: the syntax of MAPISVC.INF, PRF files and
/// mapixx's profile files. It never fails on content; what it cannot read becomes a diagnostic
/// with the file and line, and reading goes on.
#ifndef MAPIXX_PROFILE_INI_HPP_INCLUDED
#define MAPIXX_PROFILE_INI_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/secret.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx::inline v0 {

/// Something a reader noticed in a file: where (file and 1-based line; 0 when it concerns the
/// whole file) and a sentence. `error` means data was skipped; `warning` means it was read but
/// looks wrong.
struct diagnostic {
    enum class severity { warning, error };
    severity level = severity::warning;
    std::string file;
    std::size_t line = 0;
    std::string message;

    /// `file:line: warning: message` (the line is left out when it is 0).
    [[nodiscard]] std::string to_string() const {
        std::string out = file;
        if (line != 0) out += ':' + std::to_string(line);
        out += level == severity::error ? ": error: " : ": warning: ";
        out += message;
        return out;
    }
    friend bool operator==(const diagnostic&, const diagnostic&) = default;
};

/// One `key=value` line. A profile file's lines hold secure properties in clear, so an entry
/// zeroes its text (see `secure_wipe`) before giving the memory back: when it is destroyed,
/// overwritten, or moved from (a moved-from short string keeps its characters).
struct ini_entry {
    std::string key;    ///< trimmed
    std::string value;  ///< trimmed
    std::size_t line = 0;

    ini_entry() = default;
    ini_entry(std::string k, std::string v, std::size_t l = 0) noexcept
        : key(std::move(k)), value(std::move(v)), line(l) {
        secure_wipe(k);
        secure_wipe(v);
    }
    ini_entry(const ini_entry&) = default;
    ini_entry(ini_entry&& other) noexcept
        : key(std::move(other.key)), value(std::move(other.value)), line(other.line) {
        other.wipe();
    }
    ini_entry& operator=(const ini_entry& other) {
        if (this != &other) {
            wipe();  // assigning may free the old storage
            key = other.key;
            value = other.value;
            line = other.line;
        }
        return *this;
    }
    ini_entry& operator=(ini_entry&& other) noexcept {
        if (this != &other) {
            wipe();
            key = std::move(other.key);
            value = std::move(other.value);
            line = other.line;
            other.wipe();
        }
        return *this;
    }
    ~ini_entry() { wipe(); }

    friend bool operator==(const ini_entry&, const ini_entry&) = default;

private:
    void wipe() noexcept {
        secure_wipe(key);
        secure_wipe(value);
    }
};

/// One `[name]` section and its entries, in file order.
struct ini_section {
    std::string name;  ///< trimmed, case kept
    std::size_t line = 0;
    std::vector<ini_entry> entries;

    /// The first entry whose key equals `key` without regard to ASCII case, or nullptr.
    [[nodiscard]] const ini_entry* find(std::string_view key) const noexcept;
    friend bool operator==(const ini_section&, const ini_section&) = default;
};

/// ASCII case-insensitive equality, as GetPrivateProfileString compares section and key names.
[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
               return low(x) == low(y);
           });
}

inline const ini_entry* ini_section::find(std::string_view key) const noexcept {
    auto it = std::find_if(entries.begin(), entries.end(), [&](const ini_entry& e) { return iequals(e.key, key); });
    return it == entries.end() ? nullptr : &*it;
}

/// A parsed INI file: its sections in order, and what was noticed while reading it.
struct ini_document {
    std::string file;                      ///< the name used in diagnostics
    std::vector<ini_section> sections;
    std::vector<diagnostic> diagnostics;

    /// The first section named `name` (ASCII case-insensitive), or nullptr.
    [[nodiscard]] const ini_section* find(std::string_view name) const noexcept {
        auto it = std::find_if(sections.begin(), sections.end(),
                               [&](const ini_section& s) { return iequals(s.name, name); });
        return it == sections.end() ? nullptr : &*it;
    }
    [[nodiscard]] ini_section* find(std::string_view name) noexcept {
        auto it = std::find_if(sections.begin(), sections.end(),
                               [&](const ini_section& s) { return iequals(s.name, name); });
        return it == sections.end() ? nullptr : &*it;
    }
};

namespace detail {
inline std::string_view trim(std::string_view s) noexcept {
    const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}
} // namespace detail

/// Turns the bytes of a text file into UTF-8: a UTF-16LE or UTF-16BE byte-order mark selects
/// UTF-16 (surrogate pairs joined; a broken pair becomes U+FFFD and a diagnostic); a UTF-8 mark is
/// dropped; anything else is kept as it is (UTF-8 or an ANSI code page, which mapixx passes
/// through unchanged).
[[nodiscard]] inline std::string decode_text(std::string_view bytes, std::string_view file = {},
                                             std::vector<diagnostic>* diagnostics = nullptr) {
    auto u8 = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    if (bytes.size() >= 3 && u8(0) == 0xEF && u8(1) == 0xBB && u8(2) == 0xBF) return std::string(bytes.substr(3));
    const bool le = bytes.size() >= 2 && u8(0) == 0xFF && u8(1) == 0xFE;
    const bool be = bytes.size() >= 2 && u8(0) == 0xFE && u8(1) == 0xFF;
    if (!le && !be) return std::string(bytes);
    std::string out;
    // Room for the longest result (3 bytes for each unit, the last one an odd byte), so the
    // text, which may hold secure properties, never moves and leaves no copy behind.
    out.reserve(bytes.size() / 2 * 3 + 3);
    bool reported = false;
    auto broken = [&] {
        detail::append_utf8(out, 0xFFFD);
        if (diagnostics && !reported) {
            diagnostics->push_back({diagnostic::severity::warning, std::string(file), 0,
                                    "the UTF-16 text has a broken surrogate pair or an odd byte count; "
                                    "the bad characters were replaced with U+FFFD"});
            reported = true;
        }
    };
    auto unit = [&](std::size_t i) -> std::uint32_t {
        return le ? (std::uint32_t{u8(i)} | (std::uint32_t{u8(i + 1)} << 8))
                  : ((std::uint32_t{u8(i)} << 8) | std::uint32_t{u8(i + 1)});
    };
    std::size_t i = 2;
    for (; i + 1 < bytes.size(); i += 2) {
        std::uint32_t c = unit(i);
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 3 < bytes.size()) {
                std::uint32_t d = unit(i + 2);
                if (d >= 0xDC00 && d <= 0xDFFF) {
                    detail::append_utf8(out, 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00));
                    i += 2;
                    continue;
                }
            }
            broken();
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            broken();
        } else {
            detail::append_utf8(out, c);
        }
    }
    if (i < bytes.size()) broken();
    return out;
}

/// Parses INI text (already UTF-8; see `decode_text`). Accepts CRLF and LF, blank lines,
/// indentation, `;` and `#` comment lines, `[section]` headers (trimmed, any case), and
/// `key = value` lines (both sides trimmed; the value keeps any further `=`). Reported, and
/// skipped, without stopping: a line with neither `[` nor `=` (for example the second half of a
/// value broken by a line wrap, named as such when the line before was an entry), a `[` header
/// with no `]`, and entries before the first section.
[[nodiscard]] inline ini_document parse_ini(std::string_view text, std::string_view file = "<text>") {
    ini_document doc;
    doc.file = std::string(file);
    std::size_t line_no = 0;
    bool previous_was_entry = false;
    while (!text.empty() || line_no == 0) {
        const std::size_t nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        const std::string_view line = detail::trim(raw);
        if (line.empty() || line.front() == ';' || line.front() == '#') {
            previous_was_entry = false;
            if (text.empty()) break;
            continue;
        }
        if (line.front() == '[') {
            const std::size_t close = line.find(']');
            std::string_view name = close == std::string_view::npos ? line.substr(1) : line.substr(1, close - 1);
            if (close == std::string_view::npos) {
                doc.diagnostics.push_back({diagnostic::severity::warning, doc.file, line_no,
                                           "section header has no closing ']'; read as [" +
                                               std::string(detail::trim(name)) + "]"});
            }
            doc.sections.push_back({std::string(detail::trim(name)), line_no, {}});
            previous_was_entry = false;
        } else if (const std::size_t eq = line.find('='); eq != std::string_view::npos) {
            ini_entry e{std::string(detail::trim(line.substr(0, eq))), std::string(detail::trim(line.substr(eq + 1))),
                        line_no};
            if (e.key.empty()) {
                doc.diagnostics.push_back({diagnostic::severity::error, doc.file, line_no,
                                           "line has an '=' but no key before it; skipped"});
            } else if (doc.sections.empty()) {
                doc.diagnostics.push_back({diagnostic::severity::error, doc.file, line_no,
                                           "entry \"" + e.key + "\" comes before any [section]; skipped"});
            } else {
                doc.sections.back().entries.push_back(std::move(e));
                previous_was_entry = true;
                if (text.empty()) break;
                continue;
            }
            previous_was_entry = false;
        } else {
            std::string msg = "line \"" + std::string(line) + "\" has no '=' and is not a [section]; skipped";
            if (previous_was_entry) {
                msg += " (it looks like the rest of line " + std::to_string(line_no - 1) +
                       ", broken by a line wrap)";
            }
            doc.diagnostics.push_back({diagnostic::severity::error, doc.file, line_no, std::move(msg)});
            previous_was_entry = false;
        }
        if (text.empty()) break;
    }
    return doc;
}

namespace detail {
/// Appends what `write_ini` writes to `out`, which grows once, to the exact size, and zeroes
/// storage it outgrows (the text may hold secure properties).
inline void append_ini(std::string& out, const std::vector<ini_section>& sections, std::string_view eol = "\n") {
    std::size_t size = 0;
    for (const auto& s : sections) size += s.name.size() + 2 + 2 * eol.size();
    for (const auto& s : sections) {
        for (const auto& e : s.entries) size += e.key.size() + 1 + e.value.size() + eol.size();
    }
    reserve_wiping(out, out.size() + size);
    bool first = true;
    for (const auto& s : sections) {
        if (!first) out += eol;
        first = false;
        out += '[';
        out += s.name;
        out += ']';
        out += eol;
        for (const auto& e : s.entries) {
            out += e.key;
            out += '=';
            out += e.value;
            out += eol;
        }
    }
}
} // namespace detail

/// Writes sections as `[name]` and `key=value` lines, with a blank line between sections.
/// `parse_ini(write_ini(d))` gives back the same sections and entries (line numbers aside),
/// provided no key or name contains a line break, `=` in a key, or `]` in a name.
[[nodiscard]] inline std::string write_ini(const std::vector<ini_section>& sections, std::string_view eol = "\n") {
    std::string out;
    detail::append_ini(out, sections, eol);
    return out;
}

/// Reads a whole file as bytes. `not_found` if it cannot be opened; `disk_error` if reading fails.
[[nodiscard]] inline result<std::string> read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(scode::not_found, "cannot open \"" + path + "\" for reading", "mapixx.files");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return fail(scode::disk_error, "reading \"" + path + "\" failed", "mapixx.files");
    return bytes;
}

} // namespace mapixx::inline v0

#endif
