// SPDX-License-Identifier: MIT
/// \file
/// `ui_handler`: the dialogs a logon may show, supplied by the client as coroutines.
#ifndef MAPIXX_SESSION_UI_HANDLER_HPP_INCLUDED
#define MAPIXX_SESSION_UI_HANDLER_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/profile.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mapixx::inline v0 {

/// What every dialog receives: the client's ulUIParam (the parent window), unchanged, and the
/// profile the logon is for (empty while the profile is being chosen).
struct ui_context {
    std::uintptr_t ui_param = 0;    ///< MAPILogonEx's ulUIParam
    std::string_view profile_name;  ///< the profile, once known
};

/// The logon's dialogs. The client implements the ones it can show; each is a coroutine and
/// may fail with `user_cancel` (the user cancelled), which makes the whole logon fail with
/// `user_cancel` after everything acquired so far is released (rule 18).
///
/// A dialog is never called in service mode, without a handler, or without the logon flag that
/// allows it:
/// - MAPI_LOGON_UI allows every dialog;
/// - MAPI_PASSWORD_UI allows only `ask_password`, after a provider rejected the credential
///   (rule 16);
/// - MAPI_SERVICE_UI_ALWAYS calls `configure_service` for every message service after the
///   profile is chosen and before any provider logs on.
///
/// The defaults: `choose_profile` and `ask_password` cancel (a handler that cannot show them
/// behaves like a user who closes the dialog), `configure_service` changes nothing,
/// `logon_failed` asks for the retry.
class ui_handler {
public:
    virtual ~ui_handler() = default;

    /// The profile picker: returns the chosen name. `names` are the profiles in the store;
    /// `initial` is the name the client passed (empty when it passed none, rule 13).
    virtual task<result<std::string>> choose_profile(const ui_context& ctx, std::span<const std::string> names,
                                                     std::string_view initial) {
        (void)ctx;
        (void)names;
        (void)initial;
        co_return fail(scode::user_cancel, "this ui_handler has no profile picker", "mapixx.ui");
    }

    /// The password prompt, after a provider of `service` rejected the credential: returns the
    /// new credential, which the provider's retry receives.
    virtual task<result<std::string>> ask_password(const ui_context& ctx, std::string_view profile,
                                                   const message_service& service) {
        (void)ctx;
        (void)profile;
        (void)service;
        co_return fail(scode::user_cancel, "this ui_handler has no password prompt", "mapixx.ui");
    }

    /// A message service's configuration dialog: edits `section` (the service's profile
    /// section in the session's copy of the profile; the changes are stored in the profile).
    virtual task<result<void>> configure_service(const ui_context& ctx, const message_service& service,
                                                 property_bag& section) {
        (void)ctx;
        (void)service;
        (void)section;
        co_return result<void>{};
    }

    /// Tells the user that a provider's logon failed with `code` (and `message`) and asks
    /// whether to retry: true retries once, false gives up (the message service is disabled for
    /// the session).
    virtual task<result<bool>> logon_failed(const ui_context& ctx, const message_service& service,
                                            const provider_entry& provider, scode code, std::string_view message) {
        (void)ctx;
        (void)service;
        (void)provider;
        (void)code;
        (void)message;
        co_return true;
    }

protected:
    ui_handler() = default;
    ui_handler(const ui_handler&) = default;
    ui_handler& operator=(const ui_handler&) = default;
};

} // namespace mapixx::inline v0

#endif
