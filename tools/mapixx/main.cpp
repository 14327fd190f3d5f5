// SPDX-License-Identifier: MIT
// mapixx: the command-line tool.
#include "decode.hpp"

#include <mapixx/version.hpp>

#include <iostream>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view main_help =
    "usage: mapixx COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  error CODE          decode a MAPI status code (HRESULT)\n"
    "  flags KIND VALUE    decode a flag value and check the rules between its flags\n"
    "\n"
    "'mapixx COMMAND --help' describes each command.\n"
    "Exit status: 0 success, 1 a MAPI error, 2 bad usage or unreadable input.\n";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << main_help;
        return mapixx_tool::exit_usage;
    }
    const std::string_view command = args.front();
    args.erase(args.begin());
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << main_help;
        return mapixx_tool::exit_ok;
    }
    if (command == "--version") {
        std::cout << "mapixx " << MAPIXX_VERSION_MAJOR << '.' << MAPIXX_VERSION_MINOR << '.' << MAPIXX_VERSION_PATCH
                  << "\n";
        return mapixx_tool::exit_ok;
    }
    if (command == "error") return mapixx_tool::run_error(args);
    if (command == "flags") return mapixx_tool::run_flags(args);
    return mapixx_tool::usage_error("unknown command \"" + std::string(command) + "\"; see 'mapixx --help'");
}
