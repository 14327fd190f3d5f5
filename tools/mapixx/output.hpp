// SPDX-License-Identifier: MIT
// Output helpers shared by the command groups: a JSON writer, a table printer, the way a
// failure, a diagnostic, a flag set and a property are printed, and secure-property masking.
#ifndef MAPIXX_TOOLS_OUTPUT_HPP_INCLUDED
#define MAPIXX_TOOLS_OUTPUT_HPP_INCLUDED

#include "cli.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx_tool {

// ---- JSON ---------------------------------------------------------------------------------------

// `s` as the inside of a JSON string. Valid UTF-8 passes through; `"`, `\` and control
// characters are escaped; a byte that does not belong to a valid UTF-8 sequence (ANSI text from
// an old MAPISVC.INF) is read as Latin-1 and written as \u00XX, so the output is always valid
// JSON.
inline std::string json_escape(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    auto escaped = [&](unsigned code) {
        out += "\\u00";
        out += hex[(code >> 4) & 0xF];
        out += hex[code & 0xF];
    };
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return i < s.size() && byte(i) >= lo && byte(i) <= hi;
    };
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = byte(i);
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    escaped(c);
                } else {
                    out += static_cast<char>(c);
                }
            }
            ++i;
            continue;
        }
        // The length of a valid UTF-8 sequence starting here, or 0 (RFC 3629 table).
        std::size_t n = 0;
        if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) {
            n = 2;
        } else if (c == 0xE0 && cont(i + 1, 0xA0) && cont(i + 2)) {
            n = 3;
        } else if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && cont(i + 1) && cont(i + 2)) {
            n = 3;
        } else if (c == 0xED && cont(i + 1, 0x80, 0x9F) && cont(i + 2)) {
            n = 3;
        } else if (c == 0xF0 && cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3)) {
            n = 4;
        } else if (c >= 0xF1 && c <= 0xF3 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            n = 4;
        } else if (c == 0xF4 && cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3)) {
            n = 4;
        }
        if (n == 0) {
            escaped(c);
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

// A streaming JSON writer that indents by two spaces. Members are written with `key` followed
// by one value (or a nested object or array).
class json_writer {
public:
    explicit json_writer(std::ostream& out) : out_(out) {}
    json_writer(const json_writer&) = delete;
    json_writer& operator=(const json_writer&) = delete;

    json_writer& begin_object() { return open('{'); }
    json_writer& end_object() { return close('}'); }
    json_writer& begin_array() { return open('['); }
    json_writer& end_array() { return close(']'); }

    json_writer& key(std::string_view k) {
        separate();
        out_ << '"' << json_escape(k) << "\": ";
        after_key_ = true;
        return *this;
    }
    json_writer& string(std::string_view s) {
        before_value();
        out_ << '"' << json_escape(s) << '"';
        return *this;
    }
    json_writer& number(std::int64_t n) {
        before_value();
        out_ << n;
        return *this;
    }
    json_writer& boolean(bool b) {
        before_value();
        out_ << (b ? "true" : "false");
        return *this;
    }
    json_writer& null() {
        before_value();
        out_ << "null";
        return *this;
    }
    json_writer& optional_string(const std::optional<std::string>& s) { return s ? string(*s) : null(); }

    // key + value in one call.
    json_writer& member(std::string_view k, std::string_view v) { return key(k).string(v); }
    json_writer& member(std::string_view k, const char* v) { return key(k).string(v); }
    json_writer& member(std::string_view k, const std::string& v) { return key(k).string(v); }
    json_writer& member(std::string_view k, bool v) { return key(k).boolean(v); }
    json_writer& member(std::string_view k, std::int64_t v) { return key(k).number(v); }
    json_writer& member(std::string_view k, std::size_t v) { return key(k).number(static_cast<std::int64_t>(v)); }

    // Ends the document with a line break.
    void finish() { out_ << '\n'; }

private:
    struct level {
        bool first = true;
    };
    json_writer& open(char c) {
        before_value();
        out_ << c;
        stack_.push_back({});
        return *this;
    }
    json_writer& close(char c) {
        const bool empty = stack_.back().first;
        stack_.pop_back();
        if (!empty) newline();
        out_ << c;
        return *this;
    }
    void before_value() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        separate();
    }
    void separate() {
        if (stack_.empty()) return;
        if (!stack_.back().first) out_ << ',';
        stack_.back().first = false;
        newline();
    }
    void newline() { out_ << '\n' << std::string(2 * stack_.size(), ' '); }

    std::ostream& out_;
    std::vector<level> stack_;
    bool after_key_ = false;
};

// ---- tables -------------------------------------------------------------------------------------

// Columns separated by two spaces, a header row, widths from the widest cell (counted in UTF-8
// code points); the last column is not padded.
class table {
public:
    explicit table(std::vector<std::string> headers) : rows_{std::move(headers)} {}
    void add(std::vector<std::string> row) {
        row.resize(rows_.front().size());
        rows_.push_back(std::move(row));
    }
    [[nodiscard]] bool empty() const noexcept { return rows_.size() == 1; }

    void print(std::ostream& out, std::string_view indent = "") const {
        std::vector<std::size_t> width(rows_.front().size(), 0);
        for (const auto& r : rows_) {
            for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], length(r[c]));
        }
        for (const auto& r : rows_) {
            std::string line(indent);
            for (std::size_t c = 0; c < r.size(); ++c) {
                line += r[c];
                if (c + 1 < r.size()) line += std::string(width[c] - length(r[c]) + 2, ' ');
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out << line << '\n';
        }
    }

private:
    static std::size_t length(std::string_view s) {
        std::size_t n = 0;
        for (char c : s) {
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
        }
        return n;
    }
    std::vector<std::vector<std::string>> rows_;
};

// ---- failures and diagnostics -------------------------------------------------------------------

// The sentence a failure is reported with: the library's own, or else the code's meaning
// (empty for a code mapixx does not know).
inline std::string failure_sentence(mapixx::scode code, const mapixx::error_info& info) {
    if (!info.message.empty()) return info.message;
    if (const mapixx::scode_entry* e = mapixx::find_scode(code)) return std::string(e->meaning);
    return {};
}

// Prints "mapixx: MAPI_E_NOT_FOUND (0x8004010F): <sentence>" to standard error and returns the
// exit status of a MAPI error. Without a sentence, the code's meaning stands in for it.
inline int report_failure(mapixx::scode code, const mapixx::error_info& info) {
    const auto bits = static_cast<std::uint32_t>(code);
    const std::string_view name = mapixx::scode_name(code);
    std::cerr << "mapixx: ";
    if (!name.empty()) std::cerr << name << " (" << mapixx::detail::hex32(bits) << ")";
    else std::cerr << mapixx::detail::hex32(bits);
    if (const std::string sentence = failure_sentence(code, info); !sentence.empty()) std::cerr << ": " << sentence;
    std::cerr << "\n";
    return exit_mapi_error;
}

// The members of a code: "name" (the SDK name, null for a value the SDK does not name) and
// "value" ("0x8004010F"), written into the object that is open.
inline void json_scode_members(json_writer& j, mapixx::scode code) {
    const std::string_view name = mapixx::scode_name(code);
    j.key("name");
    if (name.empty()) {
        j.null();
    } else {
        j.string(name);
    }
    j.member("value", mapixx::detail::hex32(static_cast<std::uint32_t>(code)));
}

// {"name": "MAPI_E_NOT_FOUND", "value": "0x8004010F"}
inline void json_scode(json_writer& j, mapixx::scode code) {
    j.begin_object();
    json_scode_members(j, code);
    j.end_object();
}

// {"name": "MAPI_E_NOT_FOUND", "value": "0x8004010F", "message": "..."}: a failure with the
// sentence report_failure prints for it.
inline void json_failure(json_writer& j, mapixx::scode code, const mapixx::error_info& info) {
    j.begin_object();
    json_scode_members(j, code);
    j.member("message", failure_sentence(code, info));
    j.end_object();
}
template <class T>
int report_failure(const mapixx::result<T>& r) {
    return report_failure(r.code(), r.info());
}
inline int report_failure(const mapixx::failure& f) { return report_failure(f.code, f.info); }

inline std::string_view severity_name(mapixx::diagnostic::severity s) {
    return s == mapixx::diagnostic::severity::error ? "error" : "warning";
}

inline void json_diagnostic(json_writer& j, const mapixx::diagnostic& d) {
    j.begin_object()
        .member("file", d.file)
        .member("line", d.line)
        .member("severity", severity_name(d.level))
        .member("message", d.message)
        .end_object();
}

// ---- flags, uids, properties --------------------------------------------------------------------

// "SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY", or "0".
template <mapixx::flag_enum E>
std::string flag_text(mapixx::flags<E> f) {
    return mapixx::to_string(f);
}

// {"value": "0x00000002", "names": ["SERVICE_SINGLE_COPY"]}: the names of the bits the SDK
// defines; undefined bits show only in "value".
template <mapixx::flag_enum E>
void json_flags(json_writer& j, mapixx::flags<E> f) {
    j.begin_object().member("value", mapixx::detail::hex32(f.bits())).key("names").begin_array();
    for (const auto& n : mapixx::flag_traits<E>::names) {
        if (f.has(n.value)) j.string(n.sdk_name);
    }
    j.end_array().end_object();
}

// What a secure property's value (ids 0x67F0-0x67FF) is shown as, everywhere.
inline constexpr std::string_view secure_mask = "********";

// A property value in MAPISVC.INF syntax, or the mask for a secure property.
inline std::string shown_value(const mapixx::prop_value& v, mapixx::value_context ctx) {
    if (v.tag().is_secure()) return std::string(secure_mask);
    return mapixx::format_prop_value(v, ctx);
}

// "KEY=VALUE" as MAPISVC.INF and `service configure` write it (secure values masked).
inline std::string property_line(const mapixx::prop_value& v, mapixx::value_context ctx) {
    return mapixx::format_prop_key(v.tag()) + "=" + shown_value(v, ctx);
}

// {"tag": "0x3001001E", "key": "PR_DISPLAY_NAME", "type": "PT_STRING8", "value": "...",
//  "secure": false}
inline void json_property(json_writer& j, const mapixx::prop_value& v, mapixx::value_context ctx) {
    j.begin_object()
        .member("tag", mapixx::detail::hex32(v.tag().value()))
        .member("key", mapixx::format_prop_key(v.tag()))
        .member("type", mapixx::sdk_name(v.tag().type()))
        .member("value", shown_value(v, ctx))
        .member("secure", v.tag().is_secure())
        .end_object();
}

inline void json_properties(json_writer& j, const mapixx::property_bag* bag, mapixx::value_context ctx) {
    j.begin_array();
    if (bag != nullptr) {
        for (const auto& v : *bag) json_property(j, v, ctx);
    }
    j.end_array();
}

inline void print_properties(std::ostream& out, const mapixx::property_bag* bag, mapixx::value_context ctx,
                             std::string_view indent) {
    if (bag == nullptr) return;
    for (const auto& v : *bag) out << indent << property_line(v, ctx) << '\n';
}

// The name of a resource type ("MAPI_STORE_PROVIDER"), or its number.
inline std::string resource_type_text(mapixx::resource_type t) {
    const std::string_view name = mapixx::sdk_name(t);
    return name.empty() ? std::to_string(static_cast<std::uint32_t>(t)) : std::string(name);
}

// A provider's kind in one word, for tables: "store", "ab", "transport", "hook", or the type.
inline std::string provider_kind(mapixx::resource_type t) {
    switch (t) {
    case mapixx::resource_type::store_provider: return "store";
    case mapixx::resource_type::ab_provider: return "ab";
    case mapixx::resource_type::transport_provider: return "transport";
    case mapixx::resource_type::hook_provider: return "hook";
    default: return resource_type_text(t);
    }
}

} // namespace mapixx_tool

#endif
