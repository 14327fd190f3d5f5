// SPDX-License-Identifier: MIT
/// \file
/// `service_catalog`: MAPISVC.INF read as message services, their providers and extra sections,
/// with a diagnostic (file, line, sentence) for everything that is wrong and loading going on;
/// plus `merge` (what `mergeini -m` does) and `write`. Syntax and decisions:
/// docs/profiles-mapisvc.md.
#ifndef MAPIXX_PROFILE_SERVICE_CATALOG_HPP_INCLUDED
#define MAPIXX_PROFILE_SERVICE_CATALOG_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// One provider section of MAPISVC.INF, reached through a service's `Providers=` list.
struct catalog_provider {
    std::string section_name;        ///< the INF section name, case as in the section's own [header]
    std::string display_name;        ///< PR_DISPLAY_NAME
    std::string provider_display;    ///< PR_PROVIDER_DISPLAY
    std::string dll_name;            ///< PR_PROVIDER_DLL_NAME
    resource_type type = resource_type::store_provider;  ///< PR_RESOURCE_TYPE
    resource_flags flags{};          ///< PR_RESOURCE_FLAGS
    property_bag props;              ///< every property entry of the section (incl. the above)
    std::size_t line = 0;            ///< line of the [section] header
    /// Keys that are not properties mapixx knows (kept as written). `Providers=` / `Sections=`
    /// land here too, with a diagnostic: provider sections hold only property entries.
    std::vector<ini_entry> unknown_entries;
    /// Property entries whose value could not be read (each has an error diagnostic); kept so
    /// that `write` loses nothing.
    std::vector<ini_entry> rejected_entries;

    friend bool operator==(const catalog_provider&, const catalog_provider&) = default;
};

/// An extra section named in a service's `Sections=` list: data the service keeps in a
/// profile section of its own (its uid goes into PR_SERVICE_EXTRA_UIDS).
struct catalog_section {
    std::string name;                ///< the section name, case as in its [header]
    std::optional<uid> uid_value;    ///< from UID= when it is a valid MAPIUID (32 hex digits)
    property_bag props;              ///< every property entry of the section
    std::size_t line = 0;            ///< line of the [section] header
    std::vector<ini_entry> unknown_entries;   ///< keys that are neither properties nor UID=
    std::vector<ini_entry> rejected_entries;  ///< entries whose value could not be read (a bad UID=, a bad value)

    friend bool operator==(const catalog_section&, const catalog_section&) = default;
};

/// One message service: a `[Services]` entry, its service section and what that links to.
///
/// A service is listed whenever `[Services]` names it, even when its definition is unusable
/// (no section, no or an empty `Providers=`, a provider section that does not exist); the
/// reasons are in the catalog's diagnostics and `usable()` is false. Profile administration
/// refuses to create such a service.
struct catalog_service {
    std::string name;                ///< the [Services] key (= PR_SERVICE_NAME)
    std::string display_name;        ///< PR_DISPLAY_NAME of the service section, else the [Services] value
    std::string dll_name;            ///< PR_SERVICE_DLL_NAME
    std::string entry_name;          ///< PR_SERVICE_ENTRY_NAME
    service_flags flags{};           ///< PR_RESOURCE_FLAGS
    property_bag props;              ///< every property entry of the service section
    std::vector<catalog_provider> providers;      ///< resolved Providers=, in list order
    std::vector<catalog_section> extra_sections;  ///< resolved Sections=, in list order
    /// Keys that are neither properties nor lists (WIZARD_ENTRY_NAME, PR_SERVICE_SO_NAME, ...), kept.
    std::vector<ini_entry> unknown_entries;
    std::size_t line = 0;            ///< line of the service section's header, else of its [Services] entry

    std::size_t services_line = 0;   ///< line of the entry in [Services]
    bool has_section = false;        ///< a [name] section exists
    bool has_providers_list = false; ///< the section has a Providers= entry (it may be empty)
    std::vector<std::string> missing_providers;  ///< Providers= names with no section, as written
    std::vector<std::string> missing_sections;   ///< Sections= names with no section, as written
    std::vector<ini_entry> rejected_entries;     ///< property entries whose value could not be read

    /// True when a profile can be given this service: its section exists, `Providers=` names at
    /// least one provider, and every name it lists has a section (rule 69). Dangling
    /// `Sections=` names, missing recommended entries and bad values do not make it unusable
    /// (they have diagnostics).
    [[nodiscard]] bool usable() const noexcept {
        return has_section && !providers.empty() && missing_providers.empty();
    }

    friend bool operator==(const catalog_service&, const catalog_service&) = default;
};

namespace detail {
/// An INI entry and the index of the file it came from (entries of one section can come from
/// several files after `merge`).
struct catalog_entry {
    ini_entry entry;
    std::size_t file = 0;
};
/// A section as read (or merged), before interpretation.
struct catalog_raw_section {
    std::string name;
    std::size_t line = 0;
    std::size_t file = 0;
    std::vector<catalog_entry> entries;
};

inline bool is_top_level_section(std::string_view name) noexcept {
    return iequals(name, "Services") || iequals(name, "Default Services") || iequals(name, "Help File Mappings");
}

/// Names in a `Providers=` / `Sections=` list: comma-separated, trimmed (names may hold spaces).
inline std::vector<std::string> split_names(std::string_view value) {
    std::vector<std::string> out;
    if (trim(value).empty()) return out;
    for (;;) {
        const std::size_t comma = value.find(',');
        out.emplace_back(trim(value.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        value = value.substr(comma + 1);
    }
    return out;
}

/// Rule 68: the "32" MAPI adds goes before the first period of the string (at the end when
/// there is none). Returns what is wrong with `name`, or an empty string.
inline std::string dll_name_problem(std::string_view name) {
    if (name.empty()) return {};
    const std::size_t sep = name.find_last_of("\\/");
    const std::size_t first_period = name.find('.');
    if (sep != std::string_view::npos && first_period != std::string_view::npos && first_period < sep) {
        return "is a path with a period before the file name; MAPI inserts \"32\" before the first period of "
               "the whole string, so it would look for \"" +
               std::string(name.substr(0, first_period)) + "32" + std::string(name.substr(first_period)) + "\"";
    }
    const std::string_view file = sep == std::string_view::npos ? name : name.substr(sep + 1);
    const std::size_t period = file.find('.');
    const std::string_view base = file.substr(0, period);
    if (base.size() >= 2 && base.substr(base.size() - 2) == "32") {
        std::string loaded(name.substr(0, name.size() - file.size()));
        loaded += std::string(base) + "32" + std::string(period == std::string_view::npos ? "" : file.substr(period));
        return "ends its base name with \"32\"; write the base name without it, because MAPI adds \"32\" itself "
               "and would load \"" + loaded + "\" (rule 68)";
    }
    return {};
}
} // namespace detail

/// MAPISVC.INF, read as a catalog of message services (see the file's description in
/// MAPI-REFERENCE 6.7 and docs/profiles-mapisvc.md).
///
/// Reading never fails on content: every problem becomes a `diagnostic` with the file, the line
/// and a sentence, and the rest of the file is still read, so one bad service does not hide the
/// others. Duplicate keys in a section and duplicate sections: the first one wins, as with
/// GetPrivateProfileString, and the later ones get a warning.
///
/// The catalog keeps every section it read (also sections no service refers to, such as the
/// provider sections of a KB fragment), so that `merge` can later link them up and `write`
/// loses nothing but comments and blank lines.
class service_catalog {
public:
    /// An empty catalog (no file, no services): the starting point for `merge`.
    service_catalog() = default;

    /// Reads the file at `path` (UTF-8/ANSI, or UTF-16 with a byte-order mark). Fails only when
    /// the file cannot be read (`not_found`, `disk_error`); content problems are diagnostics.
    static result<service_catalog> load(const std::string& path) {
        auto bytes = read_file_bytes(path);
        if (!bytes) return bytes.as_failure();
        return parse(*bytes, path);
    }

    /// Reads MAPISVC.INF text. `text` may still carry a byte-order mark (UTF-8 or UTF-16, which
    /// is decoded); `file` names it in diagnostics.
    static service_catalog parse(std::string_view text, std::string_view file = "<text>") {
        service_catalog c;
        c.files_.emplace_back(file);
        std::vector<diagnostic> reader;
        const std::string decoded = decode_text(text, file, &reader);
        ini_document doc = parse_ini(decoded, file);
        reader.insert(reader.end(), doc.diagnostics.begin(), doc.diagnostics.end());
        for (auto& d : reader) c.source_diagnostics_.emplace_back(0, std::move(d));
        for (auto& s : doc.sections) {
            detail::catalog_raw_section raw{std::move(s.name), s.line, 0, {}};
            for (auto& e : s.entries) raw.entries.push_back({std::move(e), 0});
            c.sections_.push_back(std::move(raw));
        }
        c.resolve();
        return c;
    }

    /// The services of `[Services]`, in its order (first occurrence of a repeated key).
    [[nodiscard]] const std::vector<catalog_service>& services() const noexcept { return services_; }

    /// The service named `service_name` (ASCII case-insensitive), usable or not, or nullptr.
    [[nodiscard]] const catalog_service* find(std::string_view service_name) const noexcept {
        for (const auto& s : services_) {
            if (iequals(s.name, service_name)) return &s;
        }
        return nullptr;
    }

    /// The `[Default Services]` keys that name a service of `[Services]`, in order, spelt as in
    /// `[Services]`. Other keys are left out with a diagnostic (rule 70).
    [[nodiscard]] std::vector<std::string> default_services() const { return default_services_; }

    /// The `[Help File Mappings]` entries (`name`, `help file`), in order.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> help_file_mappings() const {
        std::vector<std::pair<std::string, std::string>> out;
        if (const auto* s = find_section("Help File Mappings")) {
            for (const auto& e : s->entries) out.emplace_back(e.entry.key, e.entry.value);
        }
        return out;
    }

    /// Everything noticed while reading (and merging), the INI reader's and the catalog's
    /// together, in file order: by file (in the order files were read and merged), then by line
    /// (0, the whole file, first).
    [[nodiscard]] const std::vector<diagnostic>& diagnostics() const noexcept { return diagnostics_; }

    /// The names of every section read, in order (repeated sections included), for tools.
    [[nodiscard]] std::vector<std::string> section_names() const {
        std::vector<std::string> out;
        for (const auto& s : sections_) out.push_back(s.name);
        return out;
    }

    /// What `mergeini <other> -m` does to this file: for every section of `other` (its first
    /// occurrence), an existing section (ASCII case-insensitive) gets `other`'s entries, each
    /// replacing the value of an entry with the same key or, for properties, the same property
    /// id, and being appended otherwise; a new section is appended whole. List entries
    /// (`Providers=`, `Sections=`) are values like any other and are replaced as a whole. The
    /// catalog is then read again; `other`'s reader diagnostics are kept.
    void merge(const service_catalog& other) {
        if (&other == this) {
            const service_catalog copy = other;
            merge(copy);
            return;
        }
        const std::size_t base = files_.size();
        files_.insert(files_.end(), other.files_.begin(), other.files_.end());
        for (const auto& theirs : other.sections_) {
            if (other.find_section(theirs.name) != &theirs) continue;  // their later duplicates do not count
            detail::catalog_raw_section* mine = find_section(theirs.name);
            if (mine == nullptr) {
                detail::catalog_raw_section copy = theirs;
                copy.file += base;
                copy.entries.clear();
                sections_.push_back(std::move(copy));
                mine = &sections_.back();
            }
            for (std::size_t i = 0; i < theirs.entries.size(); ++i) {
                const auto& e = theirs.entries[i];
                if (first_matching_entry(theirs, e.entry.key) != i) continue;  // their duplicates do not count
                detail::catalog_entry moved{e.entry, e.file + base};
                const std::size_t at = first_matching_entry(*mine, e.entry.key);
                if (at < mine->entries.size()) {
                    mine->entries[at] = std::move(moved);
                } else {
                    mine->entries.push_back(std::move(moved));
                }
            }
        }
        for (const auto& [file, d] : other.source_diagnostics_) source_diagnostics_.emplace_back(file + base, d);
        resolve();
    }

    /// The catalog as MAPISVC.INF text (UTF-8, CRLF): every section read or merged, in order,
    /// with its entries as read (repeated keys, rejected values and unknown keys included), so
    /// that `parse(write())` gives the same services, providers, properties and unknown
    /// entries. Comments, blank lines and lines the reader skipped are not kept.
    [[nodiscard]] std::string write() const { return write("\r\n"); }

    /// `write()` with another line end (`"\n"`).
    [[nodiscard]] std::string write(std::string_view eol) const {
        std::vector<ini_section> out;
        out.reserve(sections_.size());
        for (const auto& s : sections_) {
            ini_section w{s.name, s.line, {}};
            for (const auto& e : s.entries) w.entries.push_back(e.entry);
            out.push_back(std::move(w));
        }
        return write_ini(out, eol);
    }

private:
    using raw_section = detail::catalog_raw_section;

    [[nodiscard]] const raw_section* find_section(std::string_view name) const noexcept {
        for (const auto& s : sections_) {
            if (iequals(s.name, name)) return &s;
        }
        return nullptr;
    }
    [[nodiscard]] raw_section* find_section(std::string_view name) noexcept {
        for (auto& s : sections_) {
            if (iequals(s.name, name)) return &s;
        }
        return nullptr;
    }

    /// Index of the first entry of `s` that `key` addresses (same key, or same property id),
    /// or `s.entries.size()`.
    static std::size_t first_matching_entry(const raw_section& s, std::string_view key) {
        const auto tag = parse_prop_key(key);
        for (std::size_t i = 0; i < s.entries.size(); ++i) {
            const std::string& k = s.entries[i].entry.key;
            if (iequals(k, key)) return i;
            if (tag) {
                const auto t2 = parse_prop_key(k);
                if (t2 && t2->id() == tag->id()) return i;
            }
        }
        return s.entries.size();
    }

    void report(diagnostic::severity level, std::size_t file, std::size_t line, std::string message) {
        pending_.push_back({file, {level, file < files_.size() ? files_[file] : std::string(), line, std::move(message)}});
    }
    void warn(std::size_t file, std::size_t line, std::string message) {
        report(diagnostic::severity::warning, file, line, std::move(message));
    }
    void error(std::size_t file, std::size_t line, std::string message) {
        report(diagnostic::severity::error, file, line, std::move(message));
    }

    /// What one section's entries hold, sorted out: properties (first of each id), list
    /// entries, UID=, unknown keys (first of each key) and rejected values; duplicates get
    /// warnings.
    struct section_reading {
        property_bag props;
        std::vector<ini_entry> unknown_entries;
        std::vector<ini_entry> rejected_entries;
        std::vector<std::uint16_t> ids_written;  ///< every property id that had an entry, read or rejected
        std::optional<ini_entry> providers;
        std::optional<ini_entry> sections;
        std::optional<ini_entry> uid_entry;
        std::optional<uid> uid_value;

        [[nodiscard]] bool wrote(prop_tag t) const noexcept {
            return std::find(ids_written.begin(), ids_written.end(), t.id()) != ids_written.end();
        }
    };

    enum class section_kind { service, provider, extra };

    section_reading read_section(const raw_section& s, section_kind kind) {
        section_reading r;
        const value_context ctx = kind == section_kind::service    ? value_context::service_section
                                  : kind == section_kind::provider ? value_context::provider_section
                                                                   : value_context::any;
        const std::string where = "[" + s.name + "]";
        std::vector<std::pair<std::string, std::size_t>> keys_seen;  // key, line of first use
        std::vector<std::pair<std::uint16_t, std::size_t>> ids_seen;
        for (const auto& ce : s.entries) {
            const ini_entry& e = ce.entry;
            auto seen_key = std::find_if(keys_seen.begin(), keys_seen.end(),
                                         [&](const auto& k) { return iequals(k.first, e.key); });
            auto tag = parse_prop_key(e.key);
            auto seen_id = tag ? std::find_if(ids_seen.begin(), ids_seen.end(),
                                              [&](const auto& k) { return k.first == tag->id(); })
                               : ids_seen.end();
            if (seen_key != keys_seen.end() || seen_id != ids_seen.end()) {
                const std::size_t first = seen_key != keys_seen.end() ? seen_key->second : seen_id->second;
                warn(ce.file, e.line,
                     "section " + where + " sets \"" + e.key + "\" again (first set on line " + std::to_string(first) +
                         "); the first value is used, as GetPrivateProfileString does, and this one is ignored");
                continue;
            }
            keys_seen.emplace_back(e.key, e.line);
            if (tag) ids_seen.emplace_back(tag->id(), e.line);

            const bool is_list = iequals(e.key, "Providers") || iequals(e.key, "Sections");
            if (is_list && kind != section_kind::service) {
                warn(ce.file, e.line,
                     std::string(kind == section_kind::provider ? "provider" : "extra") + " section " + where +
                         " has the list entry \"" + e.key +
                         "=\", but only service sections have lists (provider and extra sections hold only "
                         "property entries); it is kept as an unknown entry and not followed");
                r.unknown_entries.push_back(e);
                continue;
            }
            if (iequals(e.key, "Providers")) {
                r.providers = e;
                continue;
            }
            if (iequals(e.key, "Sections")) {
                r.sections = e;
                continue;
            }
            if (kind == section_kind::extra && iequals(e.key, "UID")) {
                r.uid_entry = e;
                if (auto u = uid::parse(e.value)) {
                    r.uid_value = *u;
                } else {
                    error(ce.file, e.line,
                          "section " + where + " has UID=\"" + e.value + "\", which is not a MAPIUID (32 hex digits; this has " +
                              std::to_string(e.value.size()) + " characters); the section gets no fixed uid");
                    r.rejected_entries.push_back(e);
                }
                continue;
            }
            if (!tag) {
                r.unknown_entries.push_back(e);
                continue;
            }
            r.ids_written.push_back(tag->id());
            auto value = parse_prop_value(*tag, e.value, ctx);
            if (!value) {
                error(ce.file, e.line, "section " + where + ": " + value.info().message + "; the entry is skipped");
                r.rejected_entries.push_back(e);
                continue;
            }
            (void)r.props.set(std::move(*value));
        }
        return r;
    }

    void check_dll_name(std::size_t file, std::size_t line, const std::string& where, std::string_view key,
                        std::string_view name) {
        if (auto problem = detail::dll_name_problem(name); !problem.empty()) {
            warn(file, line, where + " " + std::string(key) + "=\"" + std::string(name) + "\" " + problem);
        }
    }

    static std::size_t entry_line(const raw_section& s, prop_tag t, std::size_t fallback) {
        for (const auto& e : s.entries) {
            auto k = parse_prop_key(e.entry.key);
            if (k && k->id() == t.id()) return e.entry.line;
        }
        return fallback;
    }
    static std::size_t entry_file(const raw_section& s, prop_tag t) {
        for (const auto& e : s.entries) {
            auto k = parse_prop_key(e.entry.key);
            if (k && k->id() == t.id()) return e.file;
        }
        return s.file;
    }

    catalog_provider read_provider(const raw_section& s) {
        catalog_provider p;
        p.section_name = s.name;
        p.line = s.line;
        section_reading r = read_section(s, section_kind::provider);
        const std::string where = "provider section [" + s.name + "]";
        for (prop_tag required : {pr::display_name_a, pr::provider_display_a, pr::provider_dll_name_a, pr::resource_type}) {
            if (!r.wrote(required)) {
                warn(s.file, s.line,
                     where + " has no " + format_prop_key(required) +
                         " entry, which MAPISVC.INF requires of every provider section (left empty)");
            }
        }
        if (!r.wrote(pr::resource_flags)) {
            warn(s.file, s.line,
                 where + " has no PR_RESOURCE_FLAGS entry; the documentation lists it as required but its own "
                         "examples leave it out, so it is read as 0");
        }
        p.display_name = std::string(r.props.get_string(pr::display_name).value_or(""));
        p.provider_display = std::string(r.props.get_string(pr::provider_display).value_or(""));
        p.dll_name = std::string(r.props.get_string(pr::provider_dll_name).value_or(""));
        if (auto t = r.props.get_i4(pr::resource_type)) {
            p.type = static_cast<resource_type>(static_cast<std::uint32_t>(*t));
            const std::size_t line = entry_line(s, pr::resource_type, s.line);
            if (sdk_name(p.type).empty()) {
                warn(entry_file(s, pr::resource_type), line,
                     where + " has PR_RESOURCE_TYPE " + std::to_string(*t) + ", which is no MAPI resource type");
            } else if (p.type != resource_type::store_provider && p.type != resource_type::ab_provider &&
                       p.type != resource_type::transport_provider && p.type != resource_type::hook_provider) {
                warn(entry_file(s, pr::resource_type), line,
                     where + " has PR_RESOURCE_TYPE " + std::string(sdk_name(p.type)) +
                         ", which is not a provider type (MAPI_STORE_PROVIDER, MAPI_AB_PROVIDER, "
                         "MAPI_TRANSPORT_PROVIDER, MAPI_HOOK_PROVIDER)");
            }
        }
        if (auto f = r.props.get_i4(pr::resource_flags)) {
            p.flags = resource_flags::from_bits_unchecked(static_cast<std::uint32_t>(*f));
            if (auto rule = broken_rule(p.flags)) {
                warn(entry_file(s, pr::resource_flags), entry_line(s, pr::resource_flags, s.line),
                     where + " has PR_RESOURCE_FLAGS " + to_string(p.flags) + ", which breaks a rule: " +
                         std::string(rule->rule));
            }
        }
        if (!p.dll_name.empty()) {
            check_dll_name(entry_file(s, pr::provider_dll_name), entry_line(s, pr::provider_dll_name, s.line), where,
                           "PR_PROVIDER_DLL_NAME", p.dll_name);
        }
        p.props = std::move(r.props);
        p.unknown_entries = std::move(r.unknown_entries);
        p.rejected_entries = std::move(r.rejected_entries);
        return p;
    }

    catalog_section read_extra(const raw_section& s) {
        catalog_section x;
        x.name = s.name;
        x.line = s.line;
        section_reading r = read_section(s, section_kind::extra);
        x.uid_value = r.uid_value;
        x.props = std::move(r.props);
        x.unknown_entries = std::move(r.unknown_entries);
        x.rejected_entries = std::move(r.rejected_entries);
        return x;
    }

    void read_service(catalog_service& svc, const raw_section& s) {
        svc.has_section = true;
        svc.line = s.line;
        const std::string where = "service section [" + s.name + "]";
        section_reading r = read_section(s, section_kind::service);
        if (auto d = r.props.get_string(pr::display_name)) svc.display_name = std::string(*d);
        svc.dll_name = std::string(r.props.get_string(pr::service_dll_name).value_or(""));
        svc.entry_name = std::string(r.props.get_string(pr::service_entry_name).value_or(""));
        if (auto f = r.props.get_i4(pr::resource_flags)) {
            svc.flags = service_flags::from_bits_unchecked(static_cast<std::uint32_t>(*f));
            if (auto rule = broken_rule(svc.flags)) {
                warn(entry_file(s, pr::resource_flags), entry_line(s, pr::resource_flags, s.line),
                     where + " has PR_RESOURCE_FLAGS " + to_string(svc.flags) + ", which breaks a rule: " +
                         std::string(rule->rule));
            }
        }
        if (!svc.dll_name.empty()) {
            check_dll_name(entry_file(s, pr::service_dll_name), entry_line(s, pr::service_dll_name, s.line), where,
                           "PR_SERVICE_DLL_NAME", svc.dll_name);
        }
        svc.props = std::move(r.props);
        svc.unknown_entries = std::move(r.unknown_entries);
        svc.rejected_entries = std::move(r.rejected_entries);

        auto list_file = [&](std::string_view key) {
            for (const auto& e : s.entries) {
                if (iequals(e.entry.key, key)) return e.file;
            }
            return s.file;
        };
        if (!r.providers) {
            error(s.file, s.line,
                  where + " has no Providers= entry; a service needs at least one provider (rule 69), so service " +
                      svc.name + " cannot be created");
        } else {
            svc.has_providers_list = true;
            const std::size_t file = list_file("Providers");
            const std::vector<std::string> names = detail::split_names(r.providers->value);
            std::vector<std::string> done;
            for (const auto& n : names) {
                if (n.empty()) {
                    if (names.size() > 1) {
                        warn(file, r.providers->line, where + " Providers= has an empty name; it is ignored");
                    }
                    continue;
                }
                if (std::any_of(done.begin(), done.end(), [&](const std::string& d) { return iequals(d, n); })) {
                    warn(file, r.providers->line,
                         where + " Providers= names \"" + n + "\" twice; the service gets it once");
                    continue;
                }
                done.push_back(n);
                const raw_section* target = find_section(n);
                if (target == nullptr) {
                    error(file, r.providers->line,
                          where + " Providers= names \"" + n + "\", but there is no [" + n +
                              "] section; service " + svc.name + " cannot be created");
                    svc.missing_providers.push_back(n);
                    continue;
                }
                svc.providers.push_back(provider_for(*target));
            }
            if (done.empty()) {
                error(file, r.providers->line,
                      where + " has an empty Providers= list; a service needs at least one provider (rule 69), so "
                              "service " + svc.name + " cannot be created");
            }
        }
        if (r.sections) {
            const std::size_t file = list_file("Sections");
            for (const auto& n : detail::split_names(r.sections->value)) {
                if (n.empty()) {
                    warn(file, r.sections->line, where + " Sections= has an empty name; it is ignored");
                    continue;
                }
                const raw_section* target = find_section(n);
                if (target == nullptr) {
                    error(file, r.sections->line,
                          where + " Sections= names \"" + n + "\", but there is no [" + n + "] section; it is skipped");
                    svc.missing_sections.push_back(n);
                    continue;
                }
                svc.extra_sections.push_back(extra_for(*target));
            }
        }
    }

    /// A provider section is read (and its diagnostics given) once, however many services list it.
    catalog_provider provider_for(const raw_section& s) {
        const std::size_t index = static_cast<std::size_t>(&s - sections_.data());
        for (const auto& [i, p] : provider_cache_) {
            if (i == index) return p;
        }
        provider_cache_.emplace_back(index, read_provider(s));
        return provider_cache_.back().second;
    }
    catalog_section extra_for(const raw_section& s) {
        const std::size_t index = static_cast<std::size_t>(&s - sections_.data());
        for (const auto& [i, x] : extra_cache_) {
            if (i == index) return x;
        }
        extra_cache_.emplace_back(index, read_extra(s));
        return extra_cache_.back().second;
    }

    /// Interprets `sections_` from scratch: services, default services, diagnostics.
    void resolve() {
        diagnostics_.clear();
        pending_ = source_diagnostics_;
        services_.clear();
        default_services_.clear();
        provider_cache_.clear();
        extra_cache_.clear();

        for (std::size_t i = 0; i < sections_.size(); ++i) {
            const raw_section* first = find_section(sections_[i].name);
            if (first != &sections_[i]) {
                warn(sections_[i].file, sections_[i].line,
                     "section [" + sections_[i].name + "] appears again (first on line " + std::to_string(first->line) +
                         "); the first one is used, as GetPrivateProfileString does, and this one is ignored");
            }
        }

        const raw_section* services = find_section("Services");
        if (services == nullptr) {
            if (!sections_.empty()) {
                warn(sections_.front().file, 0,
                     "there is no [Services] section, so no message service is defined (a fragment to merge into a "
                     "complete MAPISVC.INF?)");
            }
        } else {
            std::vector<std::pair<std::string, std::size_t>> seen;
            for (const auto& ce : services->entries) {
                const ini_entry& e = ce.entry;
                auto dup = std::find_if(seen.begin(), seen.end(), [&](const auto& k) { return iequals(k.first, e.key); });
                if (dup != seen.end()) {
                    warn(ce.file, e.line,
                         "[Services] names " + e.key + " again (first on line " + std::to_string(dup->second) +
                             "); the first entry is used");
                    continue;
                }
                seen.emplace_back(e.key, e.line);
                catalog_service svc;
                svc.name = e.key;
                svc.display_name = e.value;
                svc.services_line = e.line;
                svc.line = e.line;
                const raw_section* s = find_section(e.key);
                if (detail::is_top_level_section(e.key)) {
                    error(ce.file, e.line,
                          "[Services] names service " + e.key + ", but [" + e.key +
                              "] is a top-level section of MAPISVC.INF, not a service section; the service is listed "
                              "but cannot be created");
                } else if (s == nullptr) {
                    error(ce.file, e.line,
                          "[Services] names service " + e.key + ", but there is no [" + e.key +
                              "] section; the service is listed but cannot be created");
                } else {
                    read_service(svc, *s);
                }
                services_.push_back(std::move(svc));
            }
        }

        for (const auto& s : sections_) {
            if (find_section(s.name) != &s || detail::is_top_level_section(s.name)) continue;
            const auto index = static_cast<std::size_t>(&s - sections_.data());
            if (std::any_of(provider_cache_.begin(), provider_cache_.end(), [&](const auto& p) { return p.first == index; })) {
                continue;  // a provider section (which reports its list entries itself)
            }
            const bool has_list = std::any_of(s.entries.begin(), s.entries.end(),
                                              [](const detail::catalog_entry& e) { return iequals(e.entry.key, "Providers"); });
            if (has_list && find(s.name) == nullptr) {
                warn(s.file, s.line,
                     "section [" + s.name + "] has a Providers= list, but [Services] has no " + s.name +
                         " entry, so it defines no service (add " + s.name + "=<display name> to [Services])");
            }
        }

        if (const raw_section* defaults = find_section("Default Services")) {
            for (const auto& ce : defaults->entries) {
                const catalog_service* svc = find(ce.entry.key);
                if (svc == nullptr) {
                    error(ce.file, ce.entry.line,
                          "[Default Services] names " + ce.entry.key +
                              ", which is not in [Services]; default profiles can only get services listed there "
                              "(rule 70), so it is left out");
                    continue;
                }
                if (std::none_of(default_services_.begin(), default_services_.end(),
                                 [&](const std::string& d) { return iequals(d, svc->name); })) {
                    default_services_.push_back(svc->name);
                }
            }
        }
        // In file order: by file (in the order the files were read or merged), then by line.
        std::stable_sort(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first : a.second.line < b.second.line;
        });
        for (auto& d : pending_) diagnostics_.push_back(std::move(d.second));
        pending_.clear();
        provider_cache_.clear();
        extra_cache_.clear();
    }

    std::vector<std::string> files_;
    std::vector<raw_section> sections_;
    std::vector<std::pair<std::size_t, diagnostic>> source_diagnostics_;  // the readers' (file index, diagnostic)
    std::vector<diagnostic> diagnostics_;
    std::vector<std::pair<std::size_t, diagnostic>> pending_;  // file index, diagnostic (during resolve)
    std::vector<catalog_service> services_;
    std::vector<std::string> default_services_;
    std::vector<std::pair<std::size_t, catalog_provider>> provider_cache_;
    std::vector<std::pair<std::size_t, catalog_section>> extra_cache_;
};

} // namespace mapixx::inline v0

#endif
