// SPDX-License-Identifier: MIT
/// \file
/// `logon_request`: the arguments of MAPILogonEx, plus mapixx's own `logon_option`s.
#ifndef MAPIXX_SESSION_LOGON_REQUEST_HPP_INCLUDED
#define MAPIXX_SESSION_LOGON_REQUEST_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace mapixx::inline v0 {

class ui_handler;

/// Choices of the portable backend that MAPILogonEx has no flag for.
enum class logon_option : std::uint32_t {
    /// A message service that would be disabled for the session (retry-then-disable, an
    /// unregistered DLL, a failed configuration) makes the whole logon fail instead, with that
    /// service's code.
    require_all_services = 0x00000001,
};
/// Flag traits of `logon_option`.
template <>
struct flag_traits<logon_option> {
    /// What the flags are for.
    static constexpr std::string_view family = "mapixx logon options";
    /// Every option with its name.
    static constexpr std::array names{
        flag_name<logon_option>{logon_option::require_all_services, "require_all_services"},
    };
    /// No combination is wrong.
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};
/// A set of `logon_option`.
using logon_options = flags<logon_option>;

/// The arguments of one logon (MAPILogonEx).
///
/// The strings are views: `logon` copies them when it is called, so they only need to live
/// until then (a request built inside the `co_await` expression is fine). They are views, and
/// the request is trivially destructible, because g++ 12 destroys an aggregate temporary with
/// non-trivially-destructible members twice when it is built inside a `co_await` expression,
/// which is exactly how a request is usually written (see docs/sessions.md).
///
/// \code
/// auto s = co_await mapi.logon({.profile = "Service",
///                               .flags = logon_flag::extended | logon_flag::new_session |
///                                        logon_flag::explicit_profile});
/// \endcode
struct logon_request {
    /// lpszProfileName: the profile to log on to. nullopt or empty: none given (then
    /// MAPI_USE_DEFAULT or MAPI_LOGON_UI decides). At most 64 characters, see
    /// `check_profile_name`.
    std::optional<std::string_view> profile{};
    /// lpszPassword: passed to every provider as its credential (DESIGN: providers decide).
    std::optional<std::string_view> password{};
    /// ulFlags. A constant set is checked at compile time; a set wrapped in `runtime_flags` is
    /// checked when the logon starts (`unknown_flags`, `invalid_parameter`).
    checked_flags<logon_flag> flags{};
    /// mapixx's own options.
    logon_options options{};
    /// ulUIParam: handed unchanged to every dialog and provider.
    std::uintptr_t ui_param = 0;
    /// The dialogs; null means no dialog can be shown (UI flags then only change what fails).
    ui_handler* ui = nullptr;
};

static_assert(std::is_trivially_destructible_v<logon_request>,
              "a logon_request is built inside co_await expressions: see the comment of logon_request");

namespace detail {
/// The checks of MAPILogonEx's flags that both backends make before calling anything: the rules
/// between flags (`check_rules`), and the service-mode rules 24 and 25 (`service_mode`: the
/// subsystem was initialised with MAPI_NT_SERVICE). Failures name `component`.
inline result<void> check_logon_flags(bool service_mode, logon_flags flags, const char* component) {
    if (auto r = check_rules(flags); !r) return r;
    if (service_mode) {
        if (!flags.has(logon_flag::nt_service)) {
            return fail(scode::invalid_parameter,
                        "the subsystem was initialised with MAPI_NT_SERVICE (a Windows service), so every logon must "
                        "pass MAPI_NT_SERVICE as well (rule 24); add MAPI_NT_SERVICE and MAPI_NO_MAIL, for example "
                        "with service_logon_flags",
                        component);
        }
        if (!flags.has(logon_flag::no_mail)) {
            return fail(scode::invalid_parameter,
                        "a Windows service (MAPI_NT_SERVICE) must log on with MAPI_NO_MAIL (rule 24): services send "
                        "only through a tightly coupled store and transport; add MAPI_NO_MAIL",
                        component);
        }
        if (flags.any_of(logon_flag::logon_ui | logon_flag::password_ui | logon_flag::service_ui_always)) {
            return fail(scode::invalid_parameter,
                        "a Windows service (MAPI_NT_SERVICE) may show no user interface (rule 25), so "
                        "MAPI_LOGON_UI, MAPI_PASSWORD_UI and MAPI_SERVICE_UI_ALWAYS are refused; remove them",
                        component);
        }
    } else if (flags.has(logon_flag::nt_service)) {
        return fail(scode::invalid_parameter,
                    "MAPI_NT_SERVICE is set but the subsystem was not initialised with init_flag::nt_service; a "
                    "Windows service sets it in both places, any other client in neither (rules 24 and 25)",
                    component);
    }
    return {};
}
} // namespace detail

} // namespace mapixx::inline v0

#endif
