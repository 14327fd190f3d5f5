// SPDX-License-Identifier: MIT
// A command group (`mapixx profile ...`, `mapixx service ...`): a table of subcommands with
// their usage, help and options, and the dispatcher that parses a command line against it.
#ifndef MAPIXX_TOOLS_GROUP_HPP_INCLUDED
#define MAPIXX_TOOLS_GROUP_HPP_INCLUDED

#include "cli.hpp"
#include "context.hpp"

#include <cstddef>
#include <iostream>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx_tool {

inline constexpr std::size_t any_count = std::numeric_limits<std::size_t>::max();

// One subcommand of a group.
struct command {
    std::string_view name;        // "show"
    std::string_view synopsis;    // "NAME [--json]" (after "mapixx GROUP NAME")
    std::string_view summary;     // one line, for the group's help
    std::string_view help;        // the paragraphs of 'mapixx GROUP NAME --help'
    std::vector<option_spec> options;
    std::size_t min_args = 0;     // positional arguments
    std::size_t max_args = 0;
    int (*run)(tool_context&, const parsed_args&) = nullptr;
};

inline constexpr std::string_view global_options_help =
    "Global options (before or after the command):\n"
    "  --store DIR   the profile store (default: $XDG_CONFIG_HOME/mapixx/profiles,\n"
    "                else ~/.config/mapixx/profiles)\n"
    "  --inf FILE    the MAPISVC.INF to read (default: the bundled share/mapixx/mapisvc.inf)\n"
    "  --json        print JSON instead of text (shapes: docs/tool.md)\n";

inline void print_group_help(std::ostream& out, std::string_view group, std::string_view what,
                             std::span<const command> commands) {
    out << "usage: mapixx " << group << " COMMAND [ARGS...]\n\n" << what << "\n\nCommands:\n";
    std::size_t width = 0;
    for (const auto& c : commands) width = std::max(width, c.name.size() + 1 + c.synopsis.size());
    for (const auto& c : commands) {
        std::string left = std::string(c.name) + " " + std::string(c.synopsis);
        out << "  " << left << std::string(width - left.size() + 3, ' ') << c.summary << "\n";
    }
    out << "\n'mapixx " << group << " COMMAND --help' describes each command.\n\n" << global_options_help;
}

inline void print_command_help(std::ostream& out, std::string_view group, const command& c) {
    out << "usage: mapixx " << group << " " << c.name << " " << c.synopsis << "\n\n" << c.help;
    if (!c.help.empty() && c.help.back() != '\n') out << "\n";
    if (c.help.find("Exit status") == std::string_view::npos) {
        out << "\nExit status: 0 success, 1 a MAPI error (its name, value and sentence go to standard\n"
               "error), 2 bad usage.\n";
    }
    out << "\n" << global_options_help;
}

// Runs `mapixx GROUP ARGS...`: picks the command, parses its arguments, checks their number.
inline int run_group(std::string_view group, std::string_view what, std::span<const command> commands,
                     tool_context& ctx, std::span<const std::string_view> args) {
    std::size_t first = 0;
    if (auto why = parse_leading_globals(args, ctx.globals(), first); !why.empty()) {
        return usage_error(why + "; see 'mapixx " + std::string(group) + " --help'");
    }
    args = args.subspan(first);
    if (args.empty()) {
        print_group_help(std::cerr, group, what, commands);
        return exit_usage;
    }
    if (args.front() == "--help" || args.front() == "-h" || args.front() == "help") {
        print_group_help(std::cout, group, what, commands);
        return exit_ok;
    }
    const command* chosen = nullptr;
    for (const auto& c : commands) {
        if (c.name == args.front()) chosen = &c;
    }
    if (chosen == nullptr && args.front().size() > 1 && args.front().front() == '-') {
        return usage_error("unknown option \"" + std::string(args.front()) + "\"; see 'mapixx " + std::string(group) +
                           " --help'");
    }
    if (chosen == nullptr) {
        std::string known;
        for (const auto& c : commands) known += (known.empty() ? "" : ", ") + std::string(c.name);
        return usage_error("unknown " + std::string(group) + " command \"" + std::string(args.front()) +
                           "\"; the commands are " + known);
    }
    const std::string see = "; see 'mapixx " + std::string(group) + " " + std::string(chosen->name) + " --help'";
    parsed_args parsed;
    if (auto why = parse_args(args.subspan(1), chosen->options, ctx.globals(), parsed); !why.empty()) {
        return usage_error(why + see);
    }
    if (parsed.help) {
        print_command_help(std::cout, group, *chosen);
        return exit_ok;
    }
    const std::size_t n = parsed.positional.size();
    if (n < chosen->min_args || n > chosen->max_args) {
        std::string expected = chosen->min_args == chosen->max_args ? std::to_string(chosen->min_args)
                               : chosen->max_args == any_count
                                   ? "at least " + std::to_string(chosen->min_args)
                                   : std::to_string(chosen->min_args) + " to " + std::to_string(chosen->max_args);
        return usage_error(std::string(group) + " " + std::string(chosen->name) + " takes " + expected +
                           " argument" + (chosen->max_args == 1 && chosen->min_args == 1 ? "" : "s") + " (" +
                           std::string(chosen->synopsis) + "), not " + std::to_string(n) + see);
    }
    return chosen->run(ctx, parsed);
}

} // namespace mapixx_tool

#endif
