// SPDX-License-Identifier: MIT
// `mapixx prf ...`: Outlook PRF files, through profile_admin::import_prf.
#ifndef MAPIXX_TOOLS_PRF_CMD_HPP_INCLUDED
#define MAPIXX_TOOLS_PRF_CMD_HPP_INCLUDED

#include "cli.hpp"
#include "context.hpp"
#include "group.hpp"
#include "output.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/profile/prf_import.hpp>
#include <mapixx/profile/profile_admin.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace mapixx_tool {

inline int prf_import(tool_context& ctx, const parsed_args& a) {
    const std::string& file = a.positional[0];
    auto admin = ctx.admin(true);
    if (!admin) return report_failure(admin);
    mapixx::prf_options opts;
    if (a.has("--expand-env")) {
        opts.expand = [](std::string_view name) -> std::optional<std::string> {
            const char* v = std::getenv(std::string(name).c_str());
            return v ? std::optional<std::string>(v) : std::nullopt;
        };
    }
    auto report = (*admin)->import_prf(file, opts);
    if (!report) return report_failure(report);
    // The reader's and the import's diagnostics, in line order (0, the whole file, first).
    std::stable_sort(report->diagnostics.begin(), report->diagnostics.end(),
                     [](const mapixx::diagnostic& x, const mapixx::diagnostic& y) { return x.line < y.line; });
    std::size_t errors = 0;
    for (const auto& d : report->diagnostics) errors += d.level == mapixx::diagnostic::severity::error ? 1 : 0;
    const std::size_t warnings = report->diagnostics.size() - errors;

    if (ctx.json()) {
        json_writer j(std::cout);
        j.begin_object()
            .member("profile", report->profile_name)
            .member("file", file)
            .member("replaced", report->replaced)
            .member("default", report->made_default)
            .key("services")
            .begin_array();
        for (const auto& s : report->services) {
            j.begin_object()
                .member("list_key", s.list_key)
                .member("service", s.service_name)
                .member("uid", s.service_uid.to_string())
                .member("properties", s.properties)
                .end_object();
        }
        j.end_array().key("sections").begin_array();
        for (const auto& u : report->sections) j.string(u.to_string());
        j.end_array().member("errors", errors).member("warnings", warnings).key("diagnostics").begin_array();
        for (const auto& d : report->diagnostics) json_diagnostic(j, d);
        j.end_array().end_object().finish();
        return exit_ok;
    }

    auto& out = std::cout;
    out << (report->replaced ? "replaced" : "created") << " profile \"" << report->profile_name << "\" from " << file;
    if (report->made_default) out << "; it is the default profile";
    out << "\n";
    if (report->services.empty()) {
        out << "no message services were created\n";
    } else {
        out << "message services created:\n";
        table t({"ENTRY", "SERVICE", "UID", "VALUES"});
        for (const auto& s : report->services) {
            t.add({s.list_key, s.service_name, s.service_uid.to_string(), std::to_string(s.properties)});
        }
        t.print(out, "  ");
    }
    if (!report->sections.empty()) {
        out << "profile sections written through SectionGUID=:\n";
        for (const auto& u : report->sections) out << "  " << u.to_string() << "\n";
    }
    if (!report->diagnostics.empty()) {
        out << "diagnostics (" << errors << (errors == 1 ? " error, " : " errors, ") << warnings
            << (warnings == 1 ? " warning):\n" : " warnings):\n");
        for (const auto& d : report->diagnostics) out << "  " << d.to_string() << "\n";
    }
    return exit_ok;
}

inline constexpr std::string_view prf_group_help = "Imports Outlook PRF files (profile descriptors) as profiles.";

inline const std::vector<command>& prf_commands() {
    static const std::vector<command> commands{
        {"import", "FILE [--expand-env] [--json]", "create a profile from a PRF file",
         "Creates (or, with OverwriteProfile=Yes, replaces) the profile [General] ProfileName of\n"
         "the PRF file: one message service per [Service List] entry whose ServiceName= the\n"
         "MAPISVC.INF catalog (--inf) knows, with the values of its [ServiceN] section written\n"
         "into its profile section. Prints the services created and every diagnostic with\n"
         "file and line: services the catalog lacks, values that cannot be read, lines broken\n"
         "by a line wrap, Internet accounts (not MAPI services).\n"
         "--expand-env replaces %NAME% placeholders in string values with environment\n"
         "variables (off by default: values are imported as written).\n"
         "\n"
         "Exit status: 0 when the profile was written (diagnostics do not change it), 1 when\n"
         "nothing was written (no file, no ProfileName, the profile exists without\n"
         "OverwriteProfile=Yes, ...), 2 for bad usage.\n",
         {{"--expand-env", false}}, 1, 1, prf_import},
    };
    return commands;
}

inline int run_prf(tool_context& ctx, std::span<const std::string_view> args) {
    return run_group("prf", prf_group_help, prf_commands(), ctx, args);
}

} // namespace mapixx_tool

#endif
