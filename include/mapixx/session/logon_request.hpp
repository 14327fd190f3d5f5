// SPDX-License-Identifier: MIT
/// \file
/// `logon_request`: the arguments of MAPILogonEx, plus mapixx's own `logon_option`s.
#ifndef MAPIXX_SESSION_LOGON_REQUEST_HPP_INCLUDED
#define MAPIXX_SESSION_LOGON_REQUEST_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>

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

} // namespace mapixx::inline v0

#endif
