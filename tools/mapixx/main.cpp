// SPDX-License-Identifier: MIT
// mapixx: the command-line tool. Each command group lives in its own header; this file reads
// the global options and dispatches.
#include "cli.hpp"
#include "context.hpp"
#include "decode.hpp"
#include "inf_cmd.hpp"
#include "mail_cmd.hpp"
#include "prf_cmd.hpp"
#include "profile_cmd.hpp"
#include "service_cmd.hpp"

#include <mapixx/version.hpp>

#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view main_help =
    "usage: mapixx [--store DIR] [--inf FILE] [--json] COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  error CODE                       decode a MAPI status code (HRESULT)\n"
    "  flags KIND VALUE                 decode a flag value and check the rules between its flags\n"
    "  profile list|show|create|delete|copy|rename|default ...\n"
    "                                   the profiles of the profile store\n"
    "  service list|add|remove|configure PROFILE ...\n"
    "                                   the message services of a profile\n"
    "  inf check FILE                   check a MAPISVC.INF: diagnostics with file and line\n"
    "  inf merge INTO FROM              merge one MAPISVC.INF into another (mergeini -m)\n"
    "  prf import FILE                  create a profile from an Outlook PRF file\n"
    "  logon [--profile NAME] [--flags FLAGS] [--service] [--trace]\n"
    "                                   log on through the library: steps, report, status table\n"
    "  spool [--profile NAME] [--service] [--flush] [--submit N] [--to USERS] [--trace]\n"
    "                                   submit mail to local users and run the spooler\n"
    "\n"
    "'mapixx COMMAND --help' describes each command.\n"
    "Exit status: 0 success, 1 a MAPI error, 2 bad usage or unreadable input.\n";

void print_main_help(std::ostream& out, const mapixx_tool::tool_context& ctx) {
    out << main_help << "\n" << mapixx_tool::global_options_help;
    auto store = ctx.store_directory();
    auto inf = ctx.inf_path();
    out << "\nHere the default store is " << (store ? *store : std::string("(none: pass --store)"))
        << "\nand the bundled MAPISVC.INF is " << (inf ? *inf : std::string("(not found: pass --inf)")) << ".\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace mapixx_tool;
    const std::vector<std::string_view> all(argv + 1, argv + argc);
    global_options globals;
    std::size_t first = 0;
    if (auto why = parse_leading_globals(all, globals, first); !why.empty()) {
        return usage_error(why + "; see 'mapixx --help'");
    }
    const bool globals_given = first != 0;
    tool_context ctx(std::move(globals), executable_directory(argc > 0 ? argv[0] : nullptr));
    if (first == all.size()) {
        print_main_help(std::cerr, ctx);
        return exit_usage;
    }
    const std::string_view command = all[first];
    const std::span<const std::string_view> rest = std::span(all).subspan(first + 1);
    if (command == "--help" || command == "-h" || command == "help") {
        print_main_help(std::cout, ctx);
        return exit_ok;
    }
    if (command == "--version") {
        std::cout << "mapixx " << MAPIXX_VERSION_MAJOR << '.' << MAPIXX_VERSION_MINOR << '.' << MAPIXX_VERSION_PATCH
                  << "\n";
        return exit_ok;
    }
    if (command == "error" || command == "flags") {
        if (globals_given) {
            return usage_error(std::string(command) + " takes none of --store, --inf and --json; see 'mapixx " +
                               std::string(command) + " --help'");
        }
        const std::vector<std::string_view> args(rest.begin(), rest.end());
        return command == "error" ? run_error(args) : run_flags(args);
    }
    if (command == "profile") return run_profile(ctx, rest);
    if (command == "service") return run_service(ctx, rest);
    if (command == "inf") return run_inf(ctx, rest);
    if (command == "prf") return run_prf(ctx, rest);
    if (command == "logon") return run_logon(ctx, rest);
    if (command == "spool") return run_spool(ctx, rest);
    return usage_error("unknown command \"" + std::string(command) + "\"; see 'mapixx --help'");
}
