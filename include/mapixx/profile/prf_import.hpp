// SPDX-License-Identifier: MIT
/// \file
/// The reader of Outlook PRF files (the profile descriptors of NEWPROF / the Office Resource
/// Kit): profile settings, the services to add, and each value with its MAPI property tag.
/// `profile_admin::import_prf` turns the result into a profile.
#ifndef MAPIXX_PROFILE_PRF_IMPORT_HPP_INCLUDED
#define MAPIXX_PROFILE_PRF_IMPORT_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// Options of the PRF reader.
struct prf_options {
    /// Expands `%NAME%` placeholders in string values (for example `%UserName%`): called with
    /// `NAME`, it returns the replacement or nullopt to keep the placeholder as written. Empty
    /// by default: values are imported verbatim, because an import run by a service account
    /// should not silently take that account's environment. To expand from the environment:
    /// `opts.expand = [](std::string_view n) -> std::optional<std::string> {
    ///     const char* v = std::getenv(std::string(n).c_str()); return v ? std::optional<std::string>(v) : std::nullopt; };`
    std::function<std::optional<std::string>(std::string_view)> expand;
};

/// One value of a `[ServiceN]` section, typed by its mapping line.
struct prf_property {
    std::string key;       ///< the PRF key ("HomeServer")
    prop_value value;      ///< tag from the mapping (`PT_STRING8,0x6608` gives 0x6608001E) and the typed value
    std::size_t line = 0;  ///< line of the value
};

/// One `ServiceN=` entry of `[Service List]`, resolved through its mapping section.
struct prf_service {
    std::string list_key;               ///< "Service2": also the name of its values section
    std::string section_name;           ///< the mapping section it names ("Microsoft Exchange Server")
    std::string service_name;           ///< PR_SERVICE_NAME from `ServiceName=` ("MSEMS"); empty for a section entry
    std::optional<uid> section_guid;    ///< `SectionGUID=`: the values go to this profile section, no service is made
    std::vector<prf_property> properties;  ///< typed values, in file order
    std::size_t line = 0;               ///< line of the entry in [Service List]
};

/// A PRF file as read: `[General]`, the services, and what could not be read.
struct prf_file {
    std::string file;                         ///< the name used in diagnostics
    std::string profile_name;                 ///< [General] ProfileName (empty if missing)
    bool default_profile = false;             ///< [General] DefaultProfile=Yes
    bool overwrite_profile = false;           ///< [General] OverwriteProfile=Yes
    std::optional<std::string> default_store; ///< [General] DefaultStore (a ServiceN key)
    std::vector<prf_service> services;        ///< in [Service List] order
    std::vector<diagnostic> diagnostics;      ///< with file and line; reading never stops on them
};

namespace detail::prf {

inline constexpr const char* component = "mapixx.prf";

[[nodiscard]] inline std::optional<bool> parse_yes_no(std::string_view v) noexcept {
    if (iequals(v, "yes") || iequals(v, "true") || v == "1") return true;
    if (iequals(v, "no") || iequals(v, "false") || v == "0") return false;
    return std::nullopt;
}

/// `PT_STRING8,0x6607` → the tag. PT_DWORD is not a MAPI type name: PRF files use it for
/// 32-bit numbers, read as PT_LONG.
[[nodiscard]] inline std::optional<prop_tag> parse_mapping(std::string_view text) noexcept {
    const std::size_t comma = text.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    const std::string_view type = detail::trim(text.substr(0, comma));
    std::string_view id = detail::trim(text.substr(comma + 1));
    prop_type t{};
    if (iequals(type, "PT_STRING8")) {
        t = prop_type::string8;
    } else if (iequals(type, "PT_UNICODE")) {
        t = prop_type::unicode;
    } else if (iequals(type, "PT_LONG") || iequals(type, "PT_I4") || iequals(type, "PT_DWORD")) {
        t = prop_type::i4;
    } else if (iequals(type, "PT_BOOLEAN")) {
        t = prop_type::boolean;
    } else if (iequals(type, "PT_BINARY")) {
        t = prop_type::binary;
    } else {
        return std::nullopt;
    }
    if (id.size() > 2 && id[0] == '0' && (id[1] == 'x' || id[1] == 'X')) id.remove_prefix(2);
    if (id.empty() || id.size() > 4) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : id) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0) return std::nullopt;
        value = value * 16 + static_cast<std::uint32_t>(d);
    }
    return prop_tag(static_cast<std::uint16_t>(value), t);
}

/// A 32-bit number: decimal (optionally signed) or `0x` hex; values up to 0xFFFFFFFF keep
/// their bit pattern.
[[nodiscard]] inline std::optional<std::int32_t> parse_long(std::string_view v) noexcept {
    bool negative = false;
    int base = 10;
    if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
        negative = v[0] == '-';
        v.remove_prefix(1);
    }
    if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        base = 16;
        v.remove_prefix(2);
    }
    if (v.empty()) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : v) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0 || d >= base) return std::nullopt;
        n = n * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
        if (n > 0xFFFFFFFFull) return std::nullopt;
    }
    if (negative) {
        if (n > 0x80000000ull) return std::nullopt;
        return static_cast<std::int32_t>(-static_cast<std::int64_t>(n));
    }
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(n));
}

[[nodiscard]] inline std::string expand_placeholders(std::string_view v, const prf_options& opts) {
    if (!opts.expand) return std::string(v);
    std::string out;
    std::size_t at = 0;
    while (at < v.size()) {
        const std::size_t open = v.find('%', at);
        const std::size_t close = open == std::string_view::npos ? open : v.find('%', open + 1);
        if (close == std::string_view::npos) break;
        out.append(v.substr(at, open - at));
        const std::string_view name = v.substr(open + 1, close - open - 1);
        std::optional<std::string> value = name.empty() ? std::nullopt : opts.expand(name);
        if (value) {
            out += *value;
        } else {
            out.append(v.substr(open, close - open + 1));
        }
        at = close + 1;
    }
    out.append(v.substr(at));
    return out;
}

/// Turns the text of a value into `tag`'s type; nullopt with `why` filled in when it cannot.
[[nodiscard]] inline std::optional<prop_value> typed_value(prop_tag tag, std::string_view text, const prf_options& opts,
                                                          std::string& why) {
    switch (tag.type()) {
    case prop_type::string8:
    case prop_type::unicode: return prop_value(tag, expand_placeholders(text, opts));
    case prop_type::i4:
        if (auto n = parse_long(text)) return prop_value(tag, *n);
        why = "is not a 32-bit number";
        return std::nullopt;
    case prop_type::boolean:
        if (auto b = parse_yes_no(text)) return prop_value(tag, *b);
        why = "is not a boolean (TRUE, FALSE, Yes, No, 1 or 0)";
        return std::nullopt;
    case prop_type::binary: {
        if (text.size() % 2 != 0) {
            why = "is not an even number of hex digits";
            return std::nullopt;
        }
        binary out;
        for (std::size_t i = 0; i < text.size(); i += 2) {
            auto n = parse_long(std::string("0x") + std::string(text.substr(i, 2)));
            if (!n) {
                why = "is not hex digits";
                return std::nullopt;
            }
            out.push_back(static_cast<std::uint8_t>(*n));
        }
        return prop_value(tag, std::move(out));
    }
    default: break;
    }
    why = "has a type the PRF reader does not handle";
    return std::nullopt;
}

} // namespace detail::prf

/// Reads PRF text. Never fails: what it cannot use becomes a diagnostic with file and line, and
/// reading goes on. Besides the INI reader's own diagnostics (for instance the lines a KB
/// article's line wrap broke off comments, which have neither `=` nor `[`):
/// - error: a `[Service List]` entry whose mapping section is missing or has neither
///   `ServiceName=` nor `SectionGUID=`; a value whose mapping line is not `PT_type,0xID`; a
///   value that does not fit its type;
/// - warning: a value with no mapping line (not imported); an unknown `[General]` key;
///   every Internet account of `[Internet Account List]` (Outlook account-manager data, not a
///   MAPI message service, so not imported).
///
/// Empty values set nothing (as in Outlook's PRF files, a blank key means "leave as is").
/// Types: PT_STRING8, PT_UNICODE, PT_LONG (also written PT_I4 and PT_DWORD, which is not a
/// MAPI type name; both read as PT_LONG), PT_BOOLEAN (TRUE/FALSE, Yes/No, 1/0), PT_BINARY (hex).
[[nodiscard]] inline prf_file parse_prf(std::string_view text, std::string_view file = "<text>",
                                        const prf_options& opts = {}) {
    prf_file out;
    out.file = std::string(file);
    ini_document doc = parse_ini(text, file);
    out.diagnostics = doc.diagnostics;
    auto report = [&](diagnostic::severity level, std::size_t line, std::string message) {
        out.diagnostics.push_back({level, out.file, line, std::move(message)});
    };
    using sev = diagnostic::severity;

    if (const ini_section* general = doc.find("General")) {
        for (const auto& e : general->entries) {
            if (iequals(e.key, "ProfileName")) {
                out.profile_name = e.value;
            } else if (iequals(e.key, "DefaultProfile") || iequals(e.key, "OverwriteProfile")) {
                auto yes = detail::prf::parse_yes_no(e.value);
                if (!yes) {
                    report(sev::error, e.line, e.key + "=" + e.value + " is neither Yes nor No; read as No");
                }
                (iequals(e.key, "DefaultProfile") ? out.default_profile : out.overwrite_profile) = yes.value_or(false);
            } else if (iequals(e.key, "DefaultStore")) {
                out.default_store = e.value;
            } else if (!iequals(e.key, "Custom")) {
                report(sev::warning, e.line, "[General] key " + e.key + " is not used by mapixx; ignored");
            }
        }
    } else {
        report(sev::error, 0, "the file has no [General] section, so no ProfileName");
    }

    if (const ini_section* list = doc.find("Service List")) {
        for (const auto& e : list->entries) {
            prf_service svc;
            svc.list_key = e.key;
            svc.section_name = e.value;
            svc.line = e.line;
            const ini_section* mapping = doc.find(e.value);
            if (mapping == nullptr) {
                report(sev::error, e.line,
                       e.key + " names [" + e.value + "], which the file does not have; the service is skipped");
                continue;
            }
            if (const ini_entry* n = mapping->find("ServiceName")) svc.service_name = n->value;
            if (const ini_entry* g = mapping->find("SectionGUID")) {
                svc.section_guid = uid::parse(g->value);
                if (!svc.section_guid) {
                    report(sev::error, g->line, "SectionGUID=" + g->value + " is not 32 hex digits; the entry is skipped");
                    continue;
                }
            }
            if (svc.service_name.empty() && !svc.section_guid) {
                report(sev::error, mapping->line,
                       "[" + mapping->name + "] has neither ServiceName= nor SectionGUID=; " + e.key + " is skipped");
                continue;
            }
            if (const ini_section* values = doc.find(e.key)) {
                for (const auto& v : values->entries) {
                    if (v.value.empty()) continue;
                    const ini_entry* map_line = mapping->find(v.key);
                    if (map_line == nullptr) {
                        report(sev::warning, v.line,
                               "[" + e.key + "] " + v.key + " has no mapping line in [" + mapping->name +
                                   "]; not imported");
                        continue;
                    }
                    auto tag = detail::prf::parse_mapping(map_line->value);
                    if (!tag) {
                        report(sev::error, map_line->line,
                               "mapping " + v.key + "=" + map_line->value +
                                   " is not PT_type,0xID with a type the reader knows; [" + e.key + "] " + v.key +
                                   " is not imported");
                        continue;
                    }
                    std::string why;
                    auto typed = detail::prf::typed_value(*tag, v.value, opts, why);
                    if (!typed) {
                        report(sev::error, v.line,
                               "[" + e.key + "] " + v.key + "=" + detail::describe_text(*tag, v.value) + " " + why + " (" +
                                   std::string(sdk_name(tag->type())) + " per line " + std::to_string(map_line->line) +
                                   "); not imported");
                        continue;
                    }
                    svc.properties.push_back({v.key, std::move(*typed), v.line});
                }
            }
            out.services.push_back(std::move(svc));
        }
    } else {
        report(sev::warning, 0, "the file has no [Service List]; the profile gets no services");
    }

    if (const ini_section* accounts = doc.find("Internet Account List")) {
        for (const auto& e : accounts->entries) {
            report(sev::warning, e.line,
                   "Internet account " + e.key + " (" + e.value +
                       ") is Outlook account-manager data, not a MAPI message service; not imported");
        }
    }
    return out;
}

/// Reads a PRF file (UTF-8/ANSI, or UTF-16 with a byte-order mark). `not_found` if it cannot be
/// opened; otherwise as `parse_prf`.
[[nodiscard]] inline result<prf_file> read_prf(const std::string& path, const prf_options& opts = {}) {
    auto bytes = read_file_bytes(path);
    if (!bytes) return std::move(bytes).as_failure();
    std::vector<diagnostic> decoding;
    std::string text = decode_text(*bytes, path, &decoding);
    prf_file f = parse_prf(text, path, opts);
    f.diagnostics.insert(f.diagnostics.begin(), decoding.begin(), decoding.end());
    return f;
}

/// What `profile_admin::import_prf` did.
struct prf_report {
    /// A message service the import created.
    struct service {
        std::string list_key;       ///< "Service2"
        std::string service_name;   ///< "MSEMS"
        uid service_uid{};          ///< the new service's uid
        std::size_t properties = 0; ///< how many values were written into its section
    };
    std::string profile_name;                 ///< the profile written
    bool replaced = false;                    ///< an existing profile was overwritten (OverwriteProfile=Yes)
    bool made_default = false;                ///< DefaultProfile=Yes made it the default
    std::vector<service> services;            ///< the services created, in [Service List] order
    std::vector<uid> sections;                ///< profile sections written through `SectionGUID=` entries
    std::vector<diagnostic> diagnostics;      ///< the reader's and the import's, with file and line
};

} // namespace mapixx::inline v0

#endif
