// SPDX-License-Identifier: MIT
// `mapixx error` and `mapixx flags`: decode what a MAPI developer pastes from a log or a header.
#ifndef MAPIXX_TOOLS_DECODE_HPP_INCLUDED
#define MAPIXX_TOOLS_DECODE_HPP_INCLUDED

#include "cli.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/core/flag_parse.hpp>

#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx_tool {

inline constexpr std::string_view error_help =
    "usage: mapixx error CODE\n"
    "\n"
    "Decodes a MAPI status code (HRESULT): prints its SDK name, value and meaning.\n"
    "CODE is hex (0x80040112), decimal, a negative decimal as logs print HRESULTs\n"
    "(-2147221230), or a name (MAPI_E_SESSION_LIMIT, session_limit, E_INVALIDARG).\n"
    "\n"
    "Exit status: 0 for a known code, 2 for a code mapixx does not know or bad input.\n";

inline int run_error(const std::vector<std::string_view>& args) {
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << error_help;
        return exit_ok;
    }
    if (args.size() != 1) return usage_error("error takes one CODE; see 'mapixx error --help'");
    auto parsed = mapixx::parse_scode(args[0]);
    if (!parsed) return usage_error(parsed.info().message);
    const mapixx::scode code = *parsed;
    const auto bits = static_cast<std::uint32_t>(code);
    const mapixx::scode_entry* entry = mapixx::find_scode(code);
    if (!entry) {
        std::cerr << "mapixx: " << mapixx::detail::hex32(bits) << " is not a MAPI code mapixx knows ("
                  << (mapixx::failed(code) ? "a failure" : "a success") << ", facility " << ((bits >> 16) & 0x1FFF)
                  << ", code " << mapixx::detail::hex32(bits & 0xFFFF) << ")\n";
        return exit_usage;
    }
    std::cout << entry->name << " (" << mapixx::detail::hex32(bits) << ")\n";
    std::cout << "  " << entry->meaning << "\n";
    std::cout << "  severity: "
              << (mapixx::failed(code) ? "failure" : (code == mapixx::scode::success ? "success" : "warning (a success code)"))
              << "; mapixx name: scode::";
    // The mapixx enumerator name: the SDK name without its family prefix, in lower case.
    std::string_view sdk = entry->name;
    std::string name;
    if (sdk.substr(0, 7) == "MAPI_E_") {
        sdk.remove_prefix(7);
    } else if (sdk.substr(0, 7) == "MAPI_W_") {
        sdk.remove_prefix(7);
        name = "w_";
    } else if (sdk == "S_OK") {
        sdk = "success";
    }
    for (char c : sdk) name += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    std::cout << name << "\n";
    return exit_ok;
}

// One flag family the tool can decode.
struct flag_kind {
    std::string_view name;
    std::string_view what;
    std::function<int(std::string_view)> decode;
};

template <mapixx::flag_enum E>
int decode_flags(std::string_view text) {
    auto parsed = mapixx::parse_flags<E>(text);
    if (!parsed) {
        // Unknown bits are still worth showing; anything else is unreadable input.
        auto raw = mapixx::parse_u32(text);
        if (!raw) return usage_error(parsed.info().message);
        const auto f = mapixx::flags<E>::from_bits_unchecked(*raw);
        std::cout << mapixx::flag_traits<E>::family << " " << mapixx::detail::hex32(f.bits()) << "\n";
        for (const auto& n : mapixx::flag_traits<E>::names) {
            if (f.has(n.value)) {
                std::cout << "  " << std::left << std::setw(32) << n.sdk_name << " "
                          << mapixx::detail::hex32(static_cast<std::uint32_t>(n.value)) << "\n";
            }
        }
        std::cout << "  " << std::left << std::setw(32) << "(undefined bits)" << " "
                  << mapixx::detail::hex32(f.unknown_bits()) << "\n";
        std::cout << "breaks: only the bits the SDK defines may be set (MAPI_E_UNKNOWN_FLAGS)\n";
        return exit_mapi_error;
    }
    const auto f = *parsed;
    std::cout << mapixx::flag_traits<E>::family << " " << mapixx::detail::hex32(f.bits()) << "\n";
    if (f.empty()) std::cout << "  (no flags)\n";
    for (const auto& n : mapixx::flag_traits<E>::names) {
        if (f.has(n.value)) {
            std::cout << "  " << std::left << std::setw(32) << n.sdk_name << " "
                      << mapixx::detail::hex32(static_cast<std::uint32_t>(n.value)) << "\n";
        }
    }
    if (auto rule = mapixx::broken_rule(f)) {
        std::cout << "breaks: " << rule->rule << " (" << mapixx::scode_name(rule->code) << ")\n";
        std::cout << "fix: " << rule->fix << "\n";
        return exit_mapi_error;
    }
    std::cout << "rules: none broken\n";
    return exit_ok;
}

inline const std::vector<flag_kind>& flag_kinds() {
    using namespace mapixx;
    static const std::vector<flag_kind> kinds{
        {"init", "MAPIINIT_0 ulFlags", decode_flags<init_flag>},
        {"logon", "MAPILogonEx ulFlags", decode_flags<logon_flag>},
        {"logoff", "IMAPISession::Logoff ulFlags", decode_flags<logoff_flag>},
        {"status", "PR_STATUS_CODE", decode_flags<status_code>},
        {"resource", "PR_RESOURCE_FLAGS of a provider or status row", decode_flags<resource_flag>},
        {"service", "PR_RESOURCE_FLAGS of a message service", decode_flags<service_flag>},
        {"methods", "PR_RESOURCE_METHODS", decode_flags<resource_method>},
        {"spooler-notify", "IMAPISupport::SpoolerNotify ulFlags", decode_flags<spooler_notify>},
        {"transport-notify", "IXPLogon::TransportNotify flags", decode_flags<transport_notify>},
        {"transport-logon", "IXPProvider::TransportLogon flags", decode_flags<transport_logon_flag>},
        {"end-message", "IXPLogon::EndMessage flags", decode_flags<end_message_flag>},
        {"flush", "FlushQueues ulFlags", decode_flags<flush_flag>},
        {"validate", "ValidateState ulFlags", decode_flags<validate_flag>},
    };
    return kinds;
}

inline void print_flags_help() {
    std::cout << "usage: mapixx flags KIND VALUE\n"
                 "\n"
                 "Prints the flag names in VALUE and any rule the combination breaks.\n"
                 "VALUE is a number (0x18032, 98354) or names joined by '|' or ','\n"
                 "(MAPI_NEW_SESSION|MAPI_NO_MAIL, new_session,no_mail).\n"
                 "\n"
                 "KIND is one of:\n";
    for (const auto& k : flag_kinds()) std::cout << "  " << std::left << std::setw(18) << k.name << k.what << "\n";
    std::cout << "\nExit status: 0 if no rule is broken, 1 if one is (the call would fail with the\n"
                 "code shown), 2 for an unknown KIND or unreadable VALUE.\n";
}

inline int run_flags(const std::vector<std::string_view>& args) {
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        print_flags_help();
        return exit_ok;
    }
    if (args.size() != 2) return usage_error("flags takes KIND and VALUE; see 'mapixx flags --help'");
    for (const auto& k : flag_kinds()) {
        if (k.name == args[0]) return k.decode(args[1]);
    }
    std::string known;
    for (const auto& k : flag_kinds()) known += (known.empty() ? "" : ", ") + std::string(k.name);
    return usage_error("unknown flag kind \"" + std::string(args[0]) + "\"; known kinds: " + known);
}

}  // namespace mapixx_tool

#endif
