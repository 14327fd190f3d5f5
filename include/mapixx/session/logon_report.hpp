// SPDX-License-Identifier: MIT
/// \file
/// `logon_report`: what a logon did, per message service and provider, and how it resolved
/// the profile (for the tool's --trace).
#ifndef MAPIXX_SESSION_LOGON_REPORT_HPP_INCLUDED
#define MAPIXX_SESSION_LOGON_REPORT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/uid.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx::inline v0 {

/// How one provider's logon ended.
enum class provider_outcome {
    logged_on,       ///< logged on and live in the session
    disabled,        ///< disabled for the session (its service was disabled, or failoneprovider)
    not_started,     ///< not logged on by design: a transport in a MAPI_NO_MAIL session (rule 21)
    skipped,         ///< not a kind the session logs on (hook or profile provider entries)
};

/// The name of an outcome ("logged on", "disabled", ...).
[[nodiscard]] constexpr std::string_view to_string(provider_outcome o) noexcept {
    switch (o) {
    case provider_outcome::logged_on: return "logged on";
    case provider_outcome::disabled: return "disabled";
    case provider_outcome::not_started: return "not started";
    case provider_outcome::skipped: return "skipped";
    }
    return "?";
}

/// One attempt of a provider logon.
struct logon_attempt {
    int number = 1;                  ///< 1 or 2
    scode code = scode::success;     ///< what the provider returned (`call_failed` for a throw)
    std::string message;             ///< the provider's sentence (or the exception's what())

    friend bool operator==(const logon_attempt&, const logon_attempt&) = default;
};

/// What happened to one provider.
struct provider_report {
    std::string display_name;                         ///< PR_DISPLAY_NAME
    std::string dll_name;                             ///< PR_PROVIDER_DLL_NAME
    resource_type type = resource_type::store_provider;  ///< PR_RESOURCE_TYPE
    uid provider_uid{};                               ///< PR_PROVIDER_UID
    provider_outcome outcome = provider_outcome::not_started;  ///< how it ended
    bool prompted = false;    ///< a dialog was shown for it (logon_failed or ask_password)
    bool retried = false;     ///< its logon was attempted twice
    bool configured = false;  ///< the service entry was called with `configure` for it
    scode code = scode::success;  ///< the code that disabled it (success when logged on)
    std::string sentence;     ///< one sentence saying what happened
    std::vector<logon_attempt> attempts;  ///< every attempt, in order

    friend bool operator==(const provider_report&, const provider_report&) = default;
};

/// What happened to one message service.
struct service_report {
    std::string name;          ///< PR_SERVICE_NAME
    std::string display_name;  ///< PR_DISPLAY_NAME
    std::string dll_name;      ///< PR_SERVICE_DLL_NAME
    uid service_uid{};         ///< PR_SERVICE_UID
    bool prompted = false;     ///< a dialog was shown for it (any kind)
    bool retried = false;      ///< one of its providers was retried
    bool configured = false;   ///< its entry was called with `configure`
    bool disabled = false;     ///< every provider of it is disabled for the session
    scode code = scode::success;  ///< the code that disabled it
    std::string sentence;      ///< one sentence: which provider, which code, why
    std::vector<provider_report> providers;  ///< in profile order

    friend bool operator==(const service_report&, const service_report&) = default;
};

/// What a logon did. A session keeps the report of the logon that made it (a member that
/// joined a shared session has its own, with `joined_shared` set and the services of the
/// logon that created the session).
struct logon_report {
    std::string profile_name;   ///< the profile the session uses
    logon_flags flags{};        ///< the flags of this logon
    bool joined_shared = false; ///< this logon joined the published shared session (rule 9)
    bool shared = false;        ///< the session is shared (MAPI_ALLOW_OTHERS)
    bool no_mail = false;       ///< MAPI_NO_MAIL: no transport logged on, spooler row failing
    bool force_download = false;  ///< MAPI_FORCE_DOWNLOAD was accepted (the spooler honours it)
    std::vector<service_report> services;  ///< in profile order
    std::vector<std::string> steps;        ///< the resolution steps, in order, as sentences

    friend bool operator==(const logon_report&, const logon_report&) = default;

    /// The report of the service with `service_uid`, or null.
    [[nodiscard]] const service_report* find_service(const uid& service_uid) const noexcept {
        for (const auto& s : services) {
            if (s.service_uid == service_uid) return &s;
        }
        return nullptr;
    }
    /// The services that were disabled.
    [[nodiscard]] std::vector<const service_report*> disabled_services() const {
        std::vector<const service_report*> out;
        for (const auto& s : services) {
            if (s.disabled) out.push_back(&s);
        }
        return out;
    }
};

/// A multi-line text of the report: one line per service and per provider, then the steps
/// when `with_steps` is set.
[[nodiscard]] inline std::string to_string(const logon_report& r, bool with_steps = false) {
    std::string out = "profile \"" + r.profile_name + "\"";
    if (r.joined_shared) out += " (joined the shared session)";
    if (r.shared) out += ", shared";
    if (r.no_mail) out += ", MAPI_NO_MAIL";
    out += '\n';
    for (const auto& s : r.services) {
        out += "service " + s.name + " (" + s.display_name + "): ";
        out += s.disabled ? "disabled with " + to_string(s.code) : std::string("enabled");
        if (s.retried) out += ", retried";
        if (s.prompted) out += ", prompted";
        if (s.configured) out += ", configured";
        if (!s.sentence.empty()) out += "; " + s.sentence;
        out += '\n';
        for (const auto& p : s.providers) {
            out += "  provider " + p.display_name + " [" + p.dll_name + ", " + std::string(sdk_name(p.type)) +
                   "]: " + std::string(to_string(p.outcome));
            if (p.outcome == provider_outcome::disabled) out += " with " + to_string(p.code);
            if (p.retried) out += ", retried";
            if (p.prompted) out += ", prompted";
            out += '\n';
        }
    }
    if (with_steps) {
        for (std::size_t i = 0; i < r.steps.size(); ++i) out += "step " + std::to_string(i + 1) + ": " + r.steps[i] + '\n';
    }
    return out;
}

} // namespace mapixx::inline v0

#endif
