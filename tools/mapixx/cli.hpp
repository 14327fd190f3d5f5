// SPDX-License-Identifier: MIT
// The tool's shared command-line machinery: exit statuses, the global options, and the small
// parser (positional arguments plus --options) that every command group uses.
#ifndef MAPIXX_TOOLS_CLI_HPP_INCLUDED
#define MAPIXX_TOOLS_CLI_HPP_INCLUDED

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx_tool {

// Exit statuses shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_mapi_error = 1;  // the input is valid but names a failure (a broken rule)
inline constexpr int exit_usage = 2;       // bad usage or input the tool cannot read

inline int usage_error(const std::string& message) {
    std::cerr << "mapixx: " << message << "\n";
    return exit_usage;
}

// Options that every command of the profile, service, inf and prf groups accepts, before the
// command word or anywhere after it.
struct global_options {
    std::optional<std::string> store;  // --store DIR
    std::optional<std::string> inf;    // --inf FILE
    bool json = false;                 // --json
};

// An option one command accepts besides the global ones.
struct option_spec {
    std::string_view name;  // "--display"
    bool takes_value = false;
};

// What a command line holds once parsed: positional arguments in order and the command's own
// options in order (a switch has an empty value).
struct parsed_args {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;
    bool help = false;

    [[nodiscard]] bool has(std::string_view name) const {
        return std::any_of(options.begin(), options.end(), [&](const auto& o) { return o.first == name; });
    }
    // The value of the last occurrence of `name`.
    [[nodiscard]] std::optional<std::string> value(std::string_view name) const {
        for (auto it = options.rbegin(); it != options.rend(); ++it) {
            if (it->first == name) return it->second;
        }
        return std::nullopt;
    }
};

namespace detail {

inline constexpr option_spec global_specs[] = {{"--store", true}, {"--inf", true}, {"--json", false}};

inline void store_global(global_options& g, std::string_view name, std::string value) {
    if (name == "--store") g.store = std::move(value);
    if (name == "--inf") g.inf = std::move(value);
    if (name == "--json") g.json = true;
}

// Reads the option at args[i] ("--name", "--name=value" or "--name value"). Returns the
// error sentence, or an empty string; `i` is left on the last argument used.
inline std::string read_option(std::span<const std::string_view> args, std::size_t& i,
                               std::span<const option_spec> specs, const option_spec*& spec,
                               std::string& value) {
    std::string_view arg = args[i];
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
    }
    spec = nullptr;
    for (const auto& s : specs) {
        if (s.name == name) spec = &s;
    }
    for (const auto& s : global_specs) {
        if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return "unknown option \"" + std::string(name) + "\"";
    if (!spec->takes_value) {
        if (inline_value) return "option " + std::string(name) + " takes no value";
        value.clear();
        return {};
    }
    if (inline_value) {
        value = std::string(*inline_value);
    } else if (i + 1 < args.size()) {
        value = std::string(args[++i]);
    } else {
        return "option " + std::string(name) + " needs a value";
    }
    if (value.empty()) return "option " + std::string(name) + " needs a non-empty value";
    return {};
}

} // namespace detail

// Parses a command's arguments. Recognises the command's `specs`, the global options (stored
// into `globals`), `-h`/`--help`, and `--`, after which everything is positional. Any other
// argument starting with '-' (except "-" itself) is an unknown option. Returns the sentence
// that says what is wrong, or an empty string.
inline std::string parse_args(std::span<const std::string_view> args, std::span<const option_spec> specs,
                              global_options& globals, parsed_args& out) {
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (options_done || arg.size() < 2 || arg.front() != '-') {
            out.positional.emplace_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            out.help = true;
            continue;
        }
        const option_spec* spec = nullptr;
        std::string value;
        if (auto why = detail::read_option(args, i, specs, spec, value); !why.empty()) return why;
        const bool global = std::any_of(std::begin(detail::global_specs), std::end(detail::global_specs),
                                        [&](const option_spec& g) { return g.name == spec->name; });
        if (global) {
            detail::store_global(globals, spec->name, std::move(value));
        } else {
            out.options.emplace_back(std::string(spec->name), std::move(value));
        }
    }
    return {};
}

// Reads the global options that come before the command word. `first` is set to the index of
// the command word (args.size() when there is none). Returns the error sentence, or "".
inline std::string parse_leading_globals(std::span<const std::string_view> args, global_options& globals,
                                         std::size_t& first) {
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg.size() < 3 || arg.substr(0, 2) != "--") break;
        const std::string_view name = arg.substr(0, arg.find('='));
        const bool global = std::any_of(std::begin(detail::global_specs), std::end(detail::global_specs),
                                        [&](const option_spec& g) { return g.name == name; });
        if (!global) break;  // --help, --version and the rest are main's business
        const option_spec* spec = nullptr;
        std::string value;
        if (auto why = detail::read_option(args, i, {}, spec, value); !why.empty()) return why;
        detail::store_global(globals, spec->name, std::move(value));
    }
    first = i;
    return {};
}

} // namespace mapixx_tool

#endif
