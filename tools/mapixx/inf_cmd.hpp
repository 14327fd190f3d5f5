// SPDX-License-Identifier: MIT
// `mapixx inf ...`: MAPISVC.INF files, through service_catalog: check one (diagnostics with
// file and line, and what it defines) and merge one into another (what `mergeini -m` does).
#ifndef MAPIXX_TOOLS_INF_CMD_HPP_INCLUDED
#define MAPIXX_TOOLS_INF_CMD_HPP_INCLUDED

#include "cli.hpp"
#include "context.hpp"
#include "group.hpp"
#include "output.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/profile/detail/atomic_file.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prop_text.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mapixx_tool {

namespace inf_detail {

struct counts {
    std::size_t errors = 0;
    std::size_t warnings = 0;
};

inline counts count(const std::vector<mapixx::diagnostic>& ds) {
    counts c;
    for (const auto& d : ds) (d.level == mapixx::diagnostic::severity::error ? c.errors : c.warnings)++;
    return c;
}

inline std::string plural(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The number of distinct provider sections the services of a catalog use.
inline std::size_t provider_count(const mapixx::service_catalog& c) {
    std::set<std::string> names;
    for (const auto& s : c.services()) {
        for (const auto& p : s.providers) {
            std::string lower = p.section_name;
            for (char& ch : lower) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
            names.insert(lower);
        }
    }
    return names.size();
}

inline std::size_t usable_count(const mapixx::service_catalog& c) {
    std::size_t n = 0;
    for (const auto& s : c.services()) n += s.usable() ? 1 : 0;
    return n;
}

// Replaces the file at `path` with `bytes` atomically and durably: a temporary file in the same
// directory, with the mode of the file it replaces, is written, fsync-ed and renamed over it,
// then the directory is fsync-ed. A reader sees the old file or the new one, never a mix; on
// failure the old file is left as it was. A symbolic link is followed (its target is replaced).
inline mapixx::result<void> replace_file(const std::string& path, std::string_view bytes) {
    using mapixx::detail::system_failure;
    std::string target = path;
    if (char* real = ::realpath(path.c_str(), nullptr)) {
        target = real;
        std::free(real);
    }
    mode_t mode = 0644;
    if (struct stat st {}; ::stat(target.c_str(), &st) == 0) mode = st.st_mode & 07777;
    const auto slash = target.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : target.substr(0, slash));
    const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
    const std::string temp = dir + "/." + base + ".mapixx-" + std::to_string(::getpid()) + ".tmp";
    const int fd = mapixx::detail::open_retrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return system_failure(errno, "creating \"" + temp + "\"");
    auto abandon = [&](int err, const std::string& what) {
        ::close(fd);
        ::unlink(temp.c_str());
        return mapixx::result<void>(system_failure(err, what));
    };
    if (::fchmod(fd, mode) != 0) return abandon(errno, "setting the mode of \"" + temp + "\"");
    if (int err = mapixx::detail::write_all(fd, bytes); err != 0) return abandon(err, "writing \"" + temp + "\"");
    if (::fsync(fd) != 0) return abandon(errno, "flushing \"" + temp + "\"");
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return system_failure(err, "closing \"" + temp + "\"");
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return system_failure(err, "replacing \"" + target + "\"");
    }
    return mapixx::detail::sync_directory(dir);
}

// One change `inf merge` makes to INTO.
struct change {
    enum class kind { section_added, entry_added, entry_replaced };
    kind what = kind::entry_added;
    std::string section;
    std::string key;                  // empty for section_added
    std::optional<std::string> old;   // entry_replaced: the value it had
    std::string value;                // the value it gets (masked for secure properties)
    std::size_t line = 0;             // where it is in FROM
    std::size_t entries = 0;          // section_added: how many entries the section brings
};

inline std::string_view kind_name(change::kind k) {
    switch (k) {
    case change::kind::section_added: return "section_added";
    case change::kind::entry_added: return "entry_added";
    case change::kind::entry_replaced: return "entry_replaced";
    }
    return {};
}

// The first entry of `s` that `key` addresses: the same key (ASCII case-insensitive) or, for a
// property, the same property id. Mirrors service_catalog::merge.
inline const mapixx::ini_entry* matching_entry(const mapixx::ini_section& s, std::string_view key) {
    const auto tag = mapixx::parse_prop_key(key);
    for (const auto& e : s.entries) {
        if (mapixx::iequals(e.key, key)) return &e;
        if (tag) {
            if (auto t2 = mapixx::parse_prop_key(e.key); t2 && t2->id() == tag->id()) return &e;
        }
    }
    return nullptr;
}

inline std::string shown_entry_value(std::string_view key, const std::string& value) {
    if (auto tag = mapixx::parse_prop_key(key); tag && tag->is_secure()) return std::string(secure_mask);
    return value;
}

// What merging `from` into `into` changes, entry by entry, by the rules of
// service_catalog::merge: the first occurrence of each section of FROM and the first entry of
// each key in it; a value equal to INTO's is no change.
inline std::vector<change> changes(const mapixx::ini_document& into, const mapixx::ini_document& from) {
    std::vector<change> out;
    for (const auto& theirs : from.sections) {
        if (from.find(theirs.name) != &theirs) continue;
        std::vector<const mapixx::ini_entry*> firsts;
        for (const auto& e : theirs.entries) {
            if (matching_entry(theirs, e.key) == &e) firsts.push_back(&e);
        }
        const mapixx::ini_section* mine = into.find(theirs.name);
        if (mine == nullptr) {
            change c;
            c.what = change::kind::section_added;
            c.section = theirs.name;
            c.line = theirs.line;
            c.entries = firsts.size();
            out.push_back(std::move(c));
            continue;
        }
        for (const auto* e : firsts) {
            const mapixx::ini_entry* current = matching_entry(*mine, e->key);
            if (current != nullptr && current->value == e->value) continue;
            change c;
            c.what = current ? change::kind::entry_replaced : change::kind::entry_added;
            c.section = mine->name;
            c.key = e->key;
            if (current) c.old = shown_entry_value(current->key, current->value);
            c.value = shown_entry_value(e->key, e->value);
            c.line = e->line;
            out.push_back(std::move(c));
        }
    }
    return out;
}

} // namespace inf_detail

// ---- check --------------------------------------------------------------------------------------

inline void inf_check_json(const std::string& file, const mapixx::service_catalog& c) {
    const auto n = inf_detail::count(c.diagnostics());
    json_writer j(std::cout);
    j.begin_object().member("file", file).member("errors", n.errors).member("warnings", n.warnings);
    j.key("diagnostics").begin_array();
    for (const auto& d : c.diagnostics()) json_diagnostic(j, d);
    j.end_array();
    j.key("services").begin_array();
    for (const auto& s : c.services()) {
        j.begin_object()
            .member("name", s.name)
            .member("display_name", s.display_name)
            .member("line", s.line)
            .member("usable", s.usable())
            .member("dll_name", s.dll_name)
            .member("entry_name", s.entry_name)
            .key("flags");
        json_flags(j, s.flags);
        j.key("providers").begin_array();
        for (const auto& p : s.providers) {
            j.begin_object()
                .member("section", p.section_name)
                .member("display_name", p.display_name)
                .member("provider_display", p.provider_display)
                .member("dll_name", p.dll_name)
                .member("type", resource_type_text(p.type))
                .key("flags");
            json_flags(j, p.flags);
            j.member("line", p.line).end_object();
        }
        j.end_array();
        j.key("extra_sections").begin_array();
        for (const auto& x : s.extra_sections) {
            j.begin_object().member("name", x.name).key("uid");
            if (x.uid_value) {
                j.string(x.uid_value->to_string());
            } else {
                j.null();
            }
            j.member("line", x.line).end_object();
        }
        j.end_array();
        j.key("missing_providers").begin_array();
        for (const auto& m : s.missing_providers) j.string(m);
        j.end_array();
        j.key("missing_sections").begin_array();
        for (const auto& m : s.missing_sections) j.string(m);
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.key("default_services").begin_array();
    for (const auto& d : c.default_services()) j.string(d);
    j.end_array();
    j.end_object().finish();
}

inline void inf_check_text(const std::string& file, const mapixx::service_catalog& c) {
    using inf_detail::plural;
    auto& out = std::cout;
    for (const auto& d : c.diagnostics()) out << d.to_string() << "\n";
    if (!c.diagnostics().empty()) out << "\n";
    if (c.services().empty()) {
        out << "no message services\n";
    } else {
        table t({"SERVICE", "DISPLAY NAME", "PROVIDERS", "STATE"});
        for (const auto& s : c.services()) {
            std::string provs;
            for (const auto& p : s.providers) {
                provs += (provs.empty() ? "" : ", ") + p.section_name + " (" + provider_kind(p.type) + ")";
            }
            for (const auto& m : s.missing_providers) provs += (provs.empty() ? "" : ", ") + m + " (missing)";
            t.add({s.name, s.display_name, provs, s.usable() ? "usable" : "unusable"});
        }
        t.print(out);
    }
    std::string defaults;
    for (const auto& d : c.default_services()) defaults += (defaults.empty() ? "" : ", ") + d;
    out << "default services: " << (defaults.empty() ? "none" : defaults) << "\n";
    const auto n = inf_detail::count(c.diagnostics());
    out << file << ": " << plural(c.services().size(), "service", "services") << " ("
        << inf_detail::usable_count(c) << " usable), "
        << plural(inf_detail::provider_count(c), "provider", "providers") << ", "
        << plural(n.errors, "error", "errors") << ", " << plural(n.warnings, "warning", "warnings") << "\n";
}

inline int inf_check(tool_context& ctx, const parsed_args& a) {
    const std::string& file = a.positional[0];
    auto c = mapixx::service_catalog::load(file);
    if (!c) return report_failure(c);
    if (ctx.json()) {
        inf_check_json(file, *c);
    } else {
        inf_check_text(file, *c);
    }
    return inf_detail::count(c->diagnostics()).errors == 0 ? exit_ok : exit_mapi_error;
}

// ---- merge --------------------------------------------------------------------------------------

inline int inf_merge(tool_context& ctx, const parsed_args& a) {
    using inf_detail::plural;
    const std::string& into_path = a.positional[0];
    const std::string& from_path = a.positional[1];
    const bool dry_run = a.has("--dry-run");

    auto into_bytes = mapixx::read_file_bytes(into_path);
    if (!into_bytes) return report_failure(into_bytes);
    auto from_bytes = mapixx::read_file_bytes(from_path);
    if (!from_bytes) return report_failure(from_bytes);
    const auto into = mapixx::service_catalog::parse(*into_bytes, into_path);
    const auto from = mapixx::service_catalog::parse(*from_bytes, from_path);
    const auto changes = inf_detail::changes(mapixx::parse_ini(mapixx::decode_text(*into_bytes), into_path),
                                             mapixx::parse_ini(mapixx::decode_text(*from_bytes), from_path));

    mapixx::service_catalog merged = into;
    merged.merge(from);
    std::vector<std::string> added;
    for (const auto& s : merged.services()) {
        if (into.find(s.name) == nullptr) added.push_back(s.name);
    }

    // Line ends follow INTO (CRLF when it has them, or when it has no line at all).
    const std::string_view eol =
        into_bytes->find("\r\n") != std::string::npos || into_bytes->find('\n') == std::string::npos ? "\r\n" : "\n";
    bool written = false;
    if (!changes.empty() && !dry_run) {
        if (auto r = inf_detail::replace_file(into_path, merged.write(eol)); !r) return report_failure(r);
        written = true;
    }
    const auto n = inf_detail::count(merged.diagnostics());

    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object()
            .member("into", into_path)
            .member("from", from_path)
            .member("written", written)
            .member("dry_run", dry_run)
            .key("changes")
            .begin_array();
        for (const auto& c : changes) {
            j.begin_object().member("change", inf_detail::kind_name(c.what)).member("section", c.section);
            if (c.what == inf_detail::change::kind::section_added) {
                j.member("entries", c.entries);
            } else {
                j.member("key", c.key);
                if (c.old) j.member("old", *c.old);
                j.member("value", c.value);
            }
            j.member("line", c.line).end_object();
        }
        j.end_array();
        j.key("services_added").begin_array();
        for (const auto& s : added) j.string(s);
        j.end_array();
        j.member("services", merged.services().size())
            .member("usable", inf_detail::usable_count(merged))
            .member("errors", n.errors)
            .member("warnings", n.warnings)
            .end_object()
            .finish();
        return exit_ok;
    }

    auto& out = std::cout;
    if (changes.empty()) {
        out << "nothing to merge: " << into_path << " already has every entry of " << from_path
            << "; it was left as it was\n";
        return exit_ok;
    }
    for (const auto& c : changes) {
        switch (c.what) {
        case inf_detail::change::kind::section_added:
            out << "added section [" << c.section << "] (" << plural(c.entries, "entry", "entries") << ")\n";
            break;
        case inf_detail::change::kind::entry_added:
            out << "added [" << c.section << "] " << c.key << "=" << c.value << "\n";
            break;
        case inf_detail::change::kind::entry_replaced:
            out << "replaced [" << c.section << "] " << c.key << "=" << c.old.value_or("") << " with " << c.value
                << "\n";
            break;
        }
    }
    std::string names;
    for (const auto& s : added) names += (names.empty() ? "" : ", ") + s;
    if (!added.empty()) out << "new message services: " << names << "\n";
    out << (written ? "wrote " : "would write ") << into_path << ": "
        << plural(changes.size(), "change", "changes") << "; "
        << plural(merged.services().size(), "service", "services") << " (" << inf_detail::usable_count(merged)
        << " usable), " << plural(n.errors, "error", "errors") << ", " << plural(n.warnings, "warning", "warnings");
    if (!written) out << " (--dry-run: nothing written)";
    out << "\n";
    if (n.errors + n.warnings != 0) out << "run 'mapixx inf check " << into_path << "' for the diagnostics\n";
    return exit_ok;
}

// ---- the group ----------------------------------------------------------------------------------

inline constexpr std::string_view inf_group_help = "Checks and merges MAPISVC.INF files.";

inline const std::vector<command>& inf_commands() {
    static const std::vector<command> commands{
        {"check", "FILE [--json]", "report what is wrong in a MAPISVC.INF and what it defines",
         "Reads FILE as MAPISVC.INF (ANSI, UTF-8 or UTF-16 with a byte-order mark) and prints\n"
         "every diagnostic as FILE:LINE: error|warning: sentence, then its message services\n"
         "with their providers and whether a profile can be given them, the default services,\n"
         "and a summary. What is reported: docs/profiles-mapisvc.md, section 4.2.\n"
         "\n"
         "Exit status: 0 when there is no error-level diagnostic (warnings allowed), 1 when\n"
         "there is one or the file cannot be read, 2 for bad usage.\n",
         {}, 1, 1, inf_check},
        {"merge", "INTO FROM [--dry-run] [--json]", "merge one MAPISVC.INF into another (mergeini -m)",
         "Merges FROM into INTO as 'mergeini FROM -m' does: every section of FROM that INTO\n"
         "lacks is appended; in a section INTO has, each entry of FROM replaces the entry with\n"
         "the same key (or the same property id) or is appended. Prints each change, then\n"
         "replaces INTO atomically (a temporary file renamed over it, same mode). INTO must\n"
         "exist (create an empty file to build one from fragments). The rewritten INTO keeps\n"
         "every section and entry but not its comments and blank lines, and is UTF-8 with the\n"
         "line ends INTO had. When nothing changes INTO is not rewritten. --dry-run prints the\n"
         "changes without writing.\n",
         {{"--dry-run", false}}, 2, 2, inf_merge},
    };
    return commands;
}

inline int run_inf(tool_context& ctx, std::span<const std::string_view> args) {
    return run_group("inf", inf_group_help, inf_commands(), ctx, args);
}

} // namespace mapixx_tool

#endif
