// SPDX-License-Identifier: MIT
/// \file
/// The two file formats of `file_profile_store` (docs/profiles-store.md): the index
/// `profiles.ini` and the per-profile INI file. Text in, text out, with every problem reported
/// as a `diagnostic` carrying the file and line; no file system access here.
#ifndef MAPIXX_PROFILE_DETAIL_PROFILE_FILE_FORMAT_HPP_INCLUDED
#define MAPIXX_PROFILE_DETAIL_PROFILE_FILE_FORMAT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/secret.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail {

/// The format number both files carry (`Format=1`); a reader refuses any other.
inline constexpr int profile_store_format = 1;

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// A decimal count without sign or leading zeros (`0`, `12`), at most `limit`.
[[nodiscard]] inline std::optional<std::size_t> parse_count(std::string_view text, std::size_t limit) noexcept {
    if (text.empty() || (text.size() > 1 && text.front() == '0')) return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v > limit) return std::nullopt;
    return v;
}

/// True for the name of a profile file: 8 lower-case hex digits and `.ini` (`5d630a00.ini`).
[[nodiscard]] inline bool is_profile_file_name(std::string_view name) noexcept {
    if (name.size() != 12 || name.substr(8) != ".ini") return false;
    for (char c : name.substr(0, 8)) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

/// The empty section that ends both files: a file without it was cut short.
inline constexpr std::string_view end_section = "End";

/// Collects problems with a file name attached.
struct problem_list {
    std::string file;
    std::vector<diagnostic>* out;

    void error(std::size_t line, std::string message) const {
        out->push_back({diagnostic::severity::error, file, line, std::move(message)});
    }
};

/// Orders the problems from `first` on by line (whole-file problems, line 0, first), keeping
/// the order of problems on one line.
inline void sort_problems(std::vector<diagnostic>& problems, std::size_t first) {
    std::stable_sort(problems.begin() + static_cast<std::ptrdiff_t>(first), problems.end(),
                     [](const diagnostic& a, const diagnostic& b) { return a.line < b.line; });
}

/// Takes the `[End]` section off `doc`, reporting a missing one (the file was cut short), one
/// with entries, and sections after it.
inline void take_end_section(ini_document& doc, const problem_list& report) {
    auto it = std::find_if(doc.sections.begin(), doc.sections.end(),
                           [](const ini_section& s) { return iequals(s.name, end_section); });
    if (it == doc.sections.end()) {
        report.error(0, "the file has no [End] section at its end: it was cut short (truncated) or edited badly");
        return;
    }
    for (const auto& e : it->entries) report.error(e.line, "[End] must be empty, but holds \"" + e.key + "\"");
    for (auto after = it + 1; after != doc.sections.end(); ++after) {
        report.error(after->line, "section [" + after->name + "] comes after [End], which must be the last section");
    }
    doc.sections.erase(it, doc.sections.end());
}

// ---------------------------------------------------------------------------------------------
// profiles.ini

/// One `file=name` line of `[Profiles]`.
struct profile_index_entry {
    std::string file;      ///< `5d630a00.ini`
    std::string name;      ///< the profile's name, as written
    std::size_t line = 0;  ///< where it was read (0 for an entry not read from a file)
    friend bool operator==(const profile_index_entry&, const profile_index_entry&) = default;
};

/// The contents of `profiles.ini`: the profiles in creation order and the default.
struct profile_index {
    std::vector<profile_index_entry> entries;  ///< only well-formed entries
    std::optional<std::string> default_name;   ///< as written (matches an entry's name exactly)
    std::size_t default_line = 0;
    std::vector<diagnostic> problems;          ///< everything wrong with the text
    bool present = false;                      ///< false when there was no file to read
    std::string raw;                           ///< the bytes it was read from

    /// The entry whose name equals `name` without regard to ASCII case, or nullptr.
    [[nodiscard]] const profile_index_entry* find(std::string_view name) const noexcept {
        for (const auto& e : entries) {
            if (same_profile_name(e.name, name)) return &e;
        }
        return nullptr;
    }
    [[nodiscard]] profile_index_entry* find(std::string_view name) noexcept {
        for (auto& e : entries) {
            if (same_profile_name(e.name, name)) return &e;
        }
        return nullptr;
    }
    /// True if `name` is the default profile.
    [[nodiscard]] bool is_default(std::string_view name) const noexcept {
        return default_name && same_profile_name(*default_name, name);
    }
};

/// Writes `profiles.ini`. Names are written as they are: `check_profile_name` keeps line breaks,
/// control characters and outer spaces out of them, and the INI reader keeps every `=` after
/// the first.
[[nodiscard]] inline std::string format_profile_index(const profile_index& index) {
    std::string out =
        "; mapixx profile store: the profiles in creation order (file=name) and the default.\n"
        "; Written by mapixx; see docs/profiles-store.md before editing.\n";
    std::vector<ini_section> sections(3);
    sections[0].name = "General";
    sections[0].entries.push_back({"Format", std::to_string(profile_store_format), 0});
    if (index.default_name) sections[0].entries.push_back({"DefaultProfile", *index.default_name, 0});
    sections[1].name = "Profiles";
    for (const auto& e : index.entries) sections[1].entries.push_back({e.file, e.name, 0});
    sections[2].name = std::string(end_section);
    append_ini(out, sections);
    return out;
}

/// Reads `profiles.ini` (`path` names it in diagnostics). Every problem is recorded with its
/// line; well-formed entries are kept even when other lines are damaged, so that healthy
/// profiles can still be loaded.
[[nodiscard]] inline profile_index parse_profile_index(std::string_view bytes, const std::string& path) {
    profile_index index;
    const std::string text = decode_text(bytes, path, &index.problems);
    ini_document doc = parse_ini(text, path);
    for (auto& d : doc.diagnostics) index.problems.push_back(std::move(d));
    const problem_list report{path, &index.problems};
    take_end_section(doc, report);

    const ini_section* general = nullptr;
    const ini_section* list = nullptr;
    for (const auto& s : doc.sections) {
        const ini_section** slot = iequals(s.name, "General") ? &general : iequals(s.name, "Profiles") ? &list : nullptr;
        if (!slot) {
            report.error(s.line, "unknown section [" + s.name + "]; profiles.ini has only [General], [Profiles] and [End]");
        } else if (*slot) {
            report.error(s.line, "section [" + s.name + "] appears a second time (first at line " +
                                     std::to_string((*slot)->line) + ")");
        } else {
            *slot = &s;
        }
    }
    if (!general) report.error(0, "there is no [General] section (with Format=1): the file is damaged or truncated");
    if (!list) report.error(0, "there is no [Profiles] section: the file is damaged or truncated");

    const ini_entry* default_entry = nullptr;
    if (general) {
        bool format_seen = false;
        for (const auto& e : general->entries) {
            if (iequals(e.key, "Format")) {
                if (format_seen) report.error(e.line, "Format appears a second time in [General]");
                format_seen = true;
                if (e.value != std::to_string(profile_store_format)) {
                    report.error(e.line, "Format=" + e.value + " is not a format this mapixx reads (it reads Format=" +
                                             std::to_string(profile_store_format) + ")");
                }
            } else if (iequals(e.key, "DefaultProfile")) {
                if (default_entry) report.error(e.line, "DefaultProfile appears a second time in [General]");
                default_entry = &e;
            } else {
                report.error(e.line, "unknown key \"" + e.key + "\" in [General]");
            }
        }
        if (!format_seen) report.error(general->line, "[General] has no Format=1 entry");
    }
    if (list) {
        for (const auto& e : list->entries) {
            if (!is_profile_file_name(e.key)) {
                report.error(e.line, "\"" + e.key + "\" is not a profile file name (8 lower-case hex digits and .ini)");
                continue;
            }
            if (auto ok = check_profile_name(e.value); !ok) {
                report.error(e.line, ok.info().message);
                continue;
            }
            bool clash = false;
            for (const auto& seen : index.entries) {
                if (seen.file == e.key) {
                    report.error(e.line, "the file " + e.key + " is also named at line " + std::to_string(seen.line));
                    clash = true;
                } else if (same_profile_name(seen.name, e.value)) {
                    report.error(e.line, "the profile name \"" + e.value + "\" is also used at line " +
                                             std::to_string(seen.line));
                    clash = true;
                }
            }
            if (!clash) index.entries.push_back({e.key, e.value, e.line});
        }
    }
    if (default_entry) {
        index.default_line = default_entry->line;
        if (const auto* e = index.find(default_entry->value)) {
            index.default_name = e->name;
        } else {
            report.error(default_entry->line,
                         "DefaultProfile names \"" + default_entry->value + "\", which is not in [Profiles]");
        }
    }
    sort_problems(index.problems, 0);
    return index;
}

// ---------------------------------------------------------------------------------------------
// Profile files

/// The fixed keys of the structural sections, and the tags their values are read as.
namespace profile_keys {
inline constexpr std::string_view format = "Format";
inline constexpr std::string_view services = "Services";
inline constexpr std::string_view providers = "Providers";
inline constexpr std::string_view section = "Section";
/// The tag `Section=` (a provider's MAPISVC.INF section name) is read as: any PT_STRING8 tag.
inline constexpr prop_tag section_text{0x3001, prop_type::string8};
} // namespace profile_keys

/// `[Service N]` or `[Service N Provider M]` (1-based; ASCII case-insensitive words).
struct structural_name {
    std::size_t service = 0;
    std::size_t provider = 0;  ///< 0 for a service section
};

/// Reads a structural section name; nullopt for any other name.
[[nodiscard]] inline std::optional<structural_name> parse_structural_name(std::string_view name) {
    auto word = [&](std::string_view w) {
        if (name.size() < w.size() + 1 || !iequals(name.substr(0, w.size()), w) || name[w.size()] != ' ') return false;
        name.remove_prefix(w.size() + 1);
        return true;
    };
    auto number = [&]() -> std::optional<std::size_t> {
        const std::size_t end = std::min(name.find(' '), name.size());
        auto v = parse_count(name.substr(0, end), static_cast<std::size_t>(-1));
        name.remove_prefix(end);
        if (!v || *v == 0) return std::nullopt;
        return v;
    };
    structural_name out;
    if (!word("Service")) return std::nullopt;
    auto s = number();
    if (!s) return std::nullopt;
    out.service = *s;
    if (name.empty()) return out;
    if (name.front() != ' ') return std::nullopt;
    name.remove_prefix(1);
    if (!word("Provider")) return std::nullopt;
    auto p = number();
    if (!p || !name.empty()) return std::nullopt;
    out.provider = *p;
    return out;
}

/// `uids` as one PT_BINARY value: the 16 bytes of each, in order (how MAPI stores
/// PR_SERVICE_EXTRA_UIDS and PR_TRANSPORT_PROVIDERS).
[[nodiscard]] inline binary join_uids(const std::vector<uid>& uids) {
    binary out;
    out.reserve(16 * uids.size());
    for (const auto& u : uids) out.insert(out.end(), u.bytes.begin(), u.bytes.end());
    return out;
}

/// The inverse of `join_uids`; nullopt when the size is not a multiple of 16.
[[nodiscard]] inline std::optional<std::vector<uid>> split_uids(const binary& b) {
    if (b.size() % 16 != 0) return std::nullopt;
    std::vector<uid> out(b.size() / 16);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::copy(b.begin() + static_cast<std::ptrdiff_t>(16 * i), b.begin() + static_cast<std::ptrdiff_t>(16 * i + 16),
                  out[i].bytes.begin());
    }
    return out;
}

/// Helpers of `format_profile_file` and `parse_profile_file`.
namespace profile_file {

/// Appends `TAG=value` for a structural field, in MAPISVC.INF syntax.
inline void put(ini_section& s, prop_tag tag, prop_data data, value_context context = value_context::any) {
    s.entries.push_back({format_prop_key(tag), format_prop_value(prop_value(tag, std::move(data)), context), 0});
}
/// Appends `key=value` with a value written as it is (counts, the format number).
inline void put_text(ini_section& s, std::string_view key, std::string value) {
    s.entries.push_back({std::string(key), std::move(value), 0});
}
/// The 16 bytes of `u` as a PT_BINARY value.
inline binary uid_bytes(const uid& u) { return binary(u.bytes.begin(), u.bytes.end()); }

/// The structural fields a section must hold: how to recognise each entry, and where its
/// value goes once read.
struct field {
    field(std::string_view k, prop_tag t, value_context c = value_context::any, bool r = true)
        : key(k), tag(t), context(c), required(r) {}
    std::string_view key;   ///< a fixed key (`Services`), or empty for a tag key
    prop_tag tag;           ///< the tag the value is read as (and, for tag keys, matched by id)
    value_context context;  ///< how PR_RESOURCE_FLAGS names are read
    bool required;          ///< a missing entry is a problem
    const ini_entry* found = nullptr;
    std::optional<prop_value> value;
};

/// Matches the entries of a structural section to `fields`, reporting unknown, repeated,
/// unreadable and missing entries. Afterwards each field with a `value` was read.
inline void read_fields(const ini_section& s, std::vector<field>& fields, const problem_list& report) {
    for (const auto& e : s.entries) {
        field* target = nullptr;
        for (auto& f : fields) {
            if (!f.key.empty() ? iequals(e.key, f.key) : false) target = &f;
        }
        if (!target) {
            if (auto tag = parse_prop_key(e.key)) {
                for (auto& f : fields) {
                    if (f.key.empty() && f.tag.id() == tag->id()) target = &f;
                }
            }
        }
        if (!target) {
            report.error(e.line, "unknown key \"" + e.key + "\" in [" + s.name + "]");
            continue;
        }
        if (target->found) {
            report.error(e.line, "\"" + e.key + "\" appears a second time in [" + s.name + "] (first at line " +
                                     std::to_string(target->found->line) + ")");
            continue;
        }
        target->found = &e;
        if (target->key == profile_keys::services || target->key == profile_keys::providers ||
            target->key == profile_keys::format) {
            continue;  // counts are read by the caller
        }
        auto v = parse_prop_value(target->tag, e.value, target->context);
        if (!v) {
            report.error(e.line, v.info().message);
            continue;
        }
        target->value = std::move(*v);
    }
    for (const auto& f : fields) {
        if (!f.found && f.required) {
            report.error(s.line, "[" + s.name + "] has no " +
                                     (f.key.empty() ? format_prop_key(f.tag) : std::string(f.key)) + " entry");
        }
    }
}

/// A string field's value, or empty if it was not read.
inline std::string text_of(const field& f) {
    const std::string* s = f.value ? f.value->get_if<std::string>() : nullptr;
    return s ? *s : std::string();
}
/// A PT_LONG field's bits, or 0 if it was not read.
inline std::uint32_t long_of(const field& f) {
    const std::int32_t* v = f.value ? f.value->get_if<std::int32_t>() : nullptr;
    return v ? static_cast<std::uint32_t>(*v) : 0;
}
/// A PT_BINARY field read as uids (exactly one, or a list), reporting a bad size.
inline std::optional<std::vector<uid>> uids_of(const field& f, const problem_list& report, bool exactly_one) {
    const binary* b = f.value ? f.value->get_if<binary>() : nullptr;
    if (!b) return std::nullopt;
    auto list = split_uids(*b);
    if (!list || (exactly_one && list->size() != 1)) {
        report.error(f.found->line, format_prop_key(f.tag) + " holds " + std::to_string(b->size()) + " bytes, which is " +
                                        (exactly_one ? "not one uid (16 bytes)" : "not a list of uids (16 bytes each)"));
        return std::nullopt;
    }
    return list;
}
/// A count field (`Services=`, `Providers=`), reporting text that is not a count up to `limit`.
inline std::optional<std::size_t> count_of(const field& f, std::size_t limit, const problem_list& report) {
    if (!f.found) return std::nullopt;
    auto n = parse_count(f.found->value, limit);
    if (!n) {
        report.error(f.found->line, std::string(f.key) + "=" + f.found->value +
                                        " is not a count this file can hold (a decimal number, at most " +
                                        std::to_string(limit) + " here)");
    }
    return n;
}

} // namespace profile_file

/// Writes a profile file: `[Profile]` (name, search key, number of services, transport order),
/// `[Service N]` and `[Service N Provider M]` for the structure, then one `[uid]` section per
/// profile section with its properties as `TAG=value` lines in MAPISVC.INF syntax. `is_default`
/// is not written: the default lives in profiles.ini.
[[nodiscard]] inline std::string format_profile_file(const profile& p) {
    using namespace profile_file;
    std::vector<ini_section> sections;
    ini_section head;
    head.name = "Profile";
    put_text(head, profile_keys::format, std::to_string(profile_store_format));
    put(head, pr::profile_name_a, p.name);
    put(head, pr::search_key, uid_bytes(p.search_key));
    put_text(head, profile_keys::services, std::to_string(p.services.size()));
    if (!p.transport_order.empty()) put(head, pr::transport_providers, join_uids(p.transport_order));
    sections.push_back(std::move(head));
    for (std::size_t i = 0; i < p.services.size(); ++i) {
        const message_service& s = p.services[i];
        ini_section out;
        out.name = "Service " + std::to_string(i + 1);
        put(out, pr::service_uid, uid_bytes(s.service_uid));
        put(out, pr::service_name_a, s.name);
        put(out, pr::display_name_a, s.display_name);
        put(out, pr::service_dll_name_a, s.dll_name);
        put(out, pr::service_entry_name, s.entry_name);
        put(out, pr::resource_flags, static_cast<std::int32_t>(s.flags.bits()), value_context::service_section);
        put(out, pr::service_extra_uids, join_uids(s.extra_sections));
        put_text(out, profile_keys::providers, std::to_string(s.providers.size()));
        sections.push_back(std::move(out));
        for (std::size_t j = 0; j < s.providers.size(); ++j) {
            const provider_entry& e = s.providers[j];
            ini_section prov;
            prov.name = "Service " + std::to_string(i + 1) + " Provider " + std::to_string(j + 1);
            put(prov, pr::provider_uid, uid_bytes(e.provider_uid));
            prov.entries.push_back({std::string(profile_keys::section),
                                    format_prop_value(prop_value(profile_keys::section_text, e.section_name)), 0});
            put(prov, pr::display_name_a, e.display_name);
            put(prov, pr::provider_display_a, e.provider_display);
            put(prov, pr::provider_dll_name_a, e.dll_name);
            put(prov, pr::resource_type, static_cast<std::int32_t>(e.type));
            put(prov, pr::resource_flags, static_cast<std::int32_t>(e.flags.bits()), value_context::provider_section);
            sections.push_back(std::move(prov));
        }
    }
    for (const auto& [id, bag] : p.sections) {
        ini_section out;
        out.name = id.to_string();
        for (const auto& v : bag) out.entries.push_back({format_prop_key(v.tag()), format_prop_value(v), 0});
        sections.push_back(std::move(out));
    }
    sections.push_back({std::string(end_section), 0, {}});
    // One allocation of the exact size: the text holds secure properties, and the entries
    // (ini_entry) wipe their own copies.
    std::string out = "; mapixx profile file. Written by mapixx; see docs/profiles-store.md before editing.\n";
    append_ini(out, sections);
    return out;
}

/// Reads a profile file (`path` names it in diagnostics) and appends every problem found to
/// `problems`. The returned profile is complete only when no problem was added.
[[nodiscard]] inline profile parse_profile_file(std::string_view bytes, const std::string& path,
                                                std::vector<diagnostic>& problems) {
    using namespace profile_file;
    const std::size_t first_problem = problems.size();
    std::string text = decode_text(bytes, path, &problems);
    const wipe_on_exit wipe_text(text);  // the text holds secure properties; the entries wipe theirs
    ini_document doc = parse_ini(text, path);
    for (auto& d : doc.diagnostics) problems.push_back(std::move(d));
    const problem_list report{path, &problems};
    take_end_section(doc, report);
    profile p;

    const ini_section* head = nullptr;
    std::map<std::pair<std::size_t, std::size_t>, const ini_section*> structure;
    std::map<uid, const ini_section*> bags;
    for (const auto& s : doc.sections) {
        if (iequals(s.name, "Profile")) {
            if (head) {
                report.error(s.line, "[Profile] appears a second time (first at line " + std::to_string(head->line) + ")");
            } else {
                head = &s;
            }
        } else if (auto where = parse_structural_name(s.name)) {
            auto [it, fresh] = structure.emplace(std::make_pair(where->service, where->provider), &s);
            if (!fresh) {
                report.error(s.line, "[" + s.name + "] appears a second time (first at line " +
                                         std::to_string(it->second->line) + ")");
            }
        } else if (auto id = uid::parse(s.name); id && s.name.size() == 32) {
            auto [it, fresh] = bags.emplace(*id, &s);
            if (!fresh) {
                report.error(s.line, "the profile section " + id->to_string() + " appears a second time (first at line " +
                                         std::to_string(it->second->line) + ")");
            }
        } else {
            report.error(s.line, "unknown section [" + s.name +
                                     "]; a profile file has [Profile], [Service N], [Service N Provider M], "
                                     "[<32 hex digits>] and [End] sections");
        }
    }
    if (!head) report.error(0, "there is no [Profile] section: the file is damaged or truncated");

    std::size_t service_count = 0;
    if (head) {
        std::vector<field> fields{{profile_keys::format, prop_tag{}},
                                  {{}, pr::profile_name_a},
                                  {{}, pr::search_key},
                                  {profile_keys::services, prop_tag{}}};
        const std::size_t optional_transport = fields.size();
        fields.push_back({{}, pr::transport_providers, value_context::any, false});
        read_fields(*head, fields, report);
        if (fields[0].found && fields[0].found->value != std::to_string(profile_store_format)) {
            report.error(fields[0].found->line, "Format=" + fields[0].found->value +
                                                    " is not a format this mapixx reads (it reads Format=" +
                                                    std::to_string(profile_store_format) + ")");
        }
        p.name = text_of(fields[1]);
        if (auto u = uids_of(fields[2], report, true)) p.search_key = u->front();
        if (auto n = count_of(fields[3], doc.sections.size(), report)) service_count = *n;
        if (auto order = uids_of(fields[optional_transport], report, false)) p.transport_order = std::move(*order);
    }

    p.services.resize(service_count);
    for (std::size_t i = 0; i < service_count; ++i) {
        const auto it = structure.find({i + 1, 0});
        if (it == structure.end()) {
            report.error(head->line, "Services=" + std::to_string(service_count) + " but there is no [Service " +
                                         std::to_string(i + 1) + "] section");
            continue;
        }
        const ini_section& s = *it->second;
        message_service& svc = p.services[i];
        std::vector<field> fields{{{}, pr::service_uid},
                                  {{}, pr::service_name_a},
                                  {{}, pr::display_name_a},
                                  {{}, pr::service_dll_name_a},
                                  {{}, pr::service_entry_name},
                                  {{}, pr::resource_flags, value_context::service_section},
                                  {{}, pr::service_extra_uids},
                                  {profile_keys::providers, prop_tag{}}};
        read_fields(s, fields, report);
        if (auto u = uids_of(fields[0], report, true)) svc.service_uid = u->front();
        svc.name = text_of(fields[1]);
        svc.display_name = text_of(fields[2]);
        svc.dll_name = text_of(fields[3]);
        svc.entry_name = text_of(fields[4]);
        svc.flags = service_flags::from_bits_unchecked(long_of(fields[5]));
        if (auto extra = uids_of(fields[6], report, false)) svc.extra_sections = std::move(*extra);
        std::size_t provider_count = 0;
        if (auto n = count_of(fields[7], doc.sections.size(), report)) provider_count = *n;
        svc.providers.resize(provider_count);
        for (std::size_t j = 0; j < provider_count; ++j) {
            const auto pit = structure.find({i + 1, j + 1});
            if (pit == structure.end()) {
                report.error(fields[7].found->line, "Providers=" + std::to_string(provider_count) +
                                                        " but there is no [" + s.name + " Provider " +
                                                        std::to_string(j + 1) + "] section");
                continue;
            }
            const ini_section& ps = *pit->second;
            provider_entry& prov = svc.providers[j];
            std::vector<field> pf{{{}, pr::provider_uid},
                                  {profile_keys::section, profile_keys::section_text},
                                  {{}, pr::display_name_a},
                                  {{}, pr::provider_display_a},
                                  {{}, pr::provider_dll_name_a},
                                  {{}, pr::resource_type},
                                  {{}, pr::resource_flags, value_context::provider_section}};
            read_fields(ps, pf, report);
            if (auto u = uids_of(pf[0], report, true)) prov.provider_uid = u->front();
            prov.section_name = text_of(pf[1]);
            prov.display_name = text_of(pf[2]);
            prov.provider_display = text_of(pf[3]);
            prov.dll_name = text_of(pf[4]);
            prov.type = static_cast<resource_type>(long_of(pf[5]));
            prov.flags = resource_flags::from_bits_unchecked(long_of(pf[6]));
        }
    }
    for (const auto& [where, s] : structure) {
        const bool service_known = where.first <= p.services.size();
        const bool provider_known = where.second == 0 || (service_known && where.second <= p.services[where.first - 1].providers.size());
        if (!service_known || !provider_known) {
            report.error(s->line, "[" + s->name + "] is not counted by " +
                                      (service_known ? "its service's Providers=" : std::string("Services=")) +
                                      ", so it belongs to no service or provider");
        }
    }

    for (const auto& [id, s] : bags) {
        property_bag& bag = p.sections[id];
        std::map<std::uint16_t, std::size_t> seen;  // property id -> line
        for (const auto& e : s->entries) {
            auto tag = parse_prop_key(e.key);
            if (!tag) {
                report.error(e.line, tag.info().message);
                continue;
            }
            auto v = parse_prop_value(*tag, e.value);
            if (!v) {
                report.error(e.line, v.info().message);
                continue;
            }
            if (auto [it, fresh] = seen.emplace(tag->id(), e.line); !fresh) {
                report.error(e.line, "property id 0x" + hex32(tag->id()).substr(6) + " appears a second time in [" +
                                         s->name + "] (first at line " + std::to_string(it->second) + ")");
                continue;
            }
            if (auto r = bag.set(std::move(*v)); !r) report.error(e.line, r.info().message);
        }
    }
    sort_problems(problems, first_problem);
    return p;
}

} // namespace mapixx::inline v0::detail

#endif
