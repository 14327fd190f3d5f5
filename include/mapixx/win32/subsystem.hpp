// SPDX-License-Identifier: MIT
/// \file
/// `win32::initialize` and `win32::subsystem`: the real MAPIInitialize / MAPIUninitialize as an
/// RAII value, with the same counting as the portable `mapixx::subsystem`.
#ifndef MAPIXX_WIN32_SUBSYSTEM_HPP_INCLUDED
#define MAPIXX_WIN32_SUBSYSTEM_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/mapiinit.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/session/logon_request.hpp>
#include <mapixx/win32/detail/state.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/loader.hpp>
#include <mapixx/win32/profile_admin.hpp>
#include <mapixx/win32/sdk.hpp>
#include <mapixx/win32/session.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace mapixx::inline v0::win32 {

/// An initialised real MAPI subsystem: the win32 twin of `mapixx::subsystem`. Copies share one
/// initialisation (one MAPIInitialize); when the last copy, and the last session made from it,
/// is gone, it calls OleUninitialize (if it initialised OLE) and then MAPIUninitialize. A
/// default-constructed or moved-from subsystem is not initialised and every call on it returns
/// `not_initialized`.
///
/// \code
/// auto mapi = mapixx::win32::initialize({.flags = init_flag::multithread_notifications}).value();
/// auto s = sync_wait(mapi.logon({.profile = "Outlook", .flags = logon_flag::extended | logon_flag::new_session}));
/// \endcode
class subsystem {
public:
    subsystem() noexcept = default;

    /// True if this object holds an initialisation.
    [[nodiscard]] bool initialized() const noexcept { return state_ != nullptr; }
    explicit operator bool() const noexcept { return initialized(); }

    /// The options it was initialised with; `not_initialized` if it holds none.
    [[nodiscard]] result<init_options> options() const {
        if (!state_) return not_initialized_error();
        return state_->options;
    }
    /// The MAPIINIT_0 flags MAPI accepted: the requested ones, or without `no_coinit` after the
    /// retry of `init_options::retry_without_no_coinit`.
    [[nodiscard]] init_flags effective_flags() const noexcept { return state_ ? state_->effective_flags : init_flags{}; }
    /// True if initialised with `init_flag::nt_service` (service mode).
    [[nodiscard]] bool service_mode() const noexcept {
        return state_ && state_->options.flags.has(init_flag::nt_service);
    }
    /// The flags of the first live initialisation of the process.
    [[nodiscard]] init_flags process_flags() const noexcept {
        auto& p = detail::win32_process::get();
        std::lock_guard lock(p.mutex);
        return p.first_flags;
    }
    /// How many copies (and sessions) share this initialisation (0 when not initialised).
    [[nodiscard]] long use_count() const noexcept { return state_.use_count(); }
    /// What the loader read and loaded (an empty report when not initialised).
    [[nodiscard]] const load_report& library_report() const noexcept {
        static const load_report none;
        return state_ ? state_->mapi->library.report() : none;
    }
    /// The exports of the MAPI DLL in use. \pre `initialized()`.
    [[nodiscard]] const mapi_api& api() const noexcept { return state_->mapi->api; }

    /// MAPILogonEx with the request's typed flags; see <mapixx/win32/session.hpp>. The task
    /// completes without suspending: MAPILogonEx is a blocking call.
    [[nodiscard]] task<result<session>> logon(const logon_request& request) const;

    /// MAPIAdminProfiles(0): the profile administration; see <mapixx/win32/profile_admin.hpp>.
    [[nodiscard]] result<profile_admin> admin_profiles() const;

    /// Ends this copy's share now (the destructor does the same).
    void reset() noexcept { state_.reset(); }

    friend bool operator==(const subsystem& a, const subsystem& b) noexcept { return a.state_ == b.state_; }

    /// For the session and admin types: the shared state.
    [[nodiscard]] const std::shared_ptr<detail::win32_state>& state() const noexcept { return state_; }

    /// The failure every call on an uninitialised subsystem returns.
    [[nodiscard]] static failure not_initialized_error() {
        return fail(scode::not_initialized,
                    "MAPI is not initialised: this win32 subsystem was never initialised, was moved from, or its last "
                    "copy is gone; call mapixx::win32::initialize() and keep the subsystem alive while you use it",
                    "mapixx.win32.subsystem");
    }

private:
    friend result<subsystem> initialize(init_options options);
    explicit subsystem(std::shared_ptr<detail::win32_state> s) noexcept : state_(std::move(s)) {}

    std::shared_ptr<detail::win32_state> state_;
};

/// How many initialisations made by `win32::initialize` are live in this process.
[[nodiscard]] inline std::size_t initialization_count() noexcept {
    auto& p = detail::win32_process::get();
    std::lock_guard lock(p.mutex);
    return p.count;
}

/// MAPIInitialize on the real MAPI. Checks MAPIINIT_0 first as the portable `initialize` does
/// (`invalid_parameter`, `unknown_flags`), then loads the MAPI DLL if this process has none in
/// use (see `mapi_library::load`), calls MAPIInitialize with MAPIINIT_0 {version, flags}, and
/// with `options.ole` OleInitialize. A failed MAPIInitialize is never matched by a
/// MAPIUninitialize. MAPI_E_NOT_INITIALIZED from MAPIInitialize means the DLL has no Extended
/// MAPI behind it (Wine's mapi32.dll, for one); the failure then says so in one sentence that
/// names the DLL and the registry values read.
[[nodiscard]] inline result<subsystem> initialize(init_options options = {}) {
    if (auto ok = check_mapiinit(options.version, options.flags, detail::init_component); !ok) {
        return std::move(ok).as_failure();
    }

    auto& proc = detail::win32_process::get();
    std::unique_lock lock(proc.mutex);
    std::shared_ptr<detail::loaded_mapi> mapi = proc.mapi.lock();
    if (!mapi) {
        auto lib = mapi_library::load(options.loader);
        if (!lib) return std::move(lib).as_failure();
        auto m = std::make_shared<detail::loaded_mapi>();
        m->library = std::move(*lib);
        m->api.initialize = m->library.find<fn::mapi_initialize>("MAPIInitialize");
        m->api.uninitialize = m->library.find<fn::mapi_uninitialize>("MAPIUninitialize");
        m->api.logon_ex = m->library.find<fn::mapi_logon_ex>("MAPILogonEx");
        m->api.admin_profiles = m->library.find<fn::mapi_admin_profiles>("MAPIAdminProfiles");
        m->api.allocate_buffer = m->library.find<fn::mapi_allocate_buffer>("MAPIAllocateBuffer");
        m->api.free_buffer = m->library.find<fn::mapi_free_buffer>("MAPIFreeBuffer");
        if (m->api.initialize == nullptr || m->api.uninitialize == nullptr) {
            return fail(scode::not_initialized,
                        "no Extended MAPI provider is installed: " + m->describe() +
                            " exports no MAPIInitialize and MAPIUninitialize (registry values read: " +
                            m->library.report().registry_summary() + ")",
                        detail::init_component);
        }
        mapi = std::move(m);
    }

    MAPIINIT_0 init{options.version, options.flags.bits()};
    init_flags effective = options.flags;
    HRESULT hr = mapi->api.initialize(&init);
    if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::unknown_flags) &&
        options.flags.has(init_flag::no_coinit) && options.retry_without_no_coinit) {
        effective = options.flags.without(init_flag::no_coinit);
        init.ulFlags = effective.bits();
        hr = mapi->api.initialize(&init);
    }
    if (FAILED(hr)) {
        if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::not_initialized)) {
            return fail(scode::not_initialized, detail::no_provider_sentence(*mapi, "MAPIInitialize", hr),
                        detail::init_component, static_cast<std::uint32_t>(hr));
        }
        return hresult_failure(hr, "MAPIInitialize(flags " + to_string(effective) + ") of " + mapi->describe() + " failed",
                               detail::init_component);
    }

    auto state = std::make_shared<detail::win32_state>();
    state->mapi = mapi;
    state->options = std::move(options);
    state->effective_flags = effective;
    if (proc.count++ == 0) proc.first_flags = effective;
    proc.mapi = mapi;
    lock.unlock();  // the state's destructor takes the lock

    if (state->options.ole) {
        const HRESULT ole = OleInitialize(nullptr);
        if (FAILED(ole)) {
            state.reset();  // MAPIUninitialize for the MAPIInitialize above
            return hresult_failure(ole, "OleInitialize (after MAPIInitialize) failed", detail::init_component);
        }
        state->ole_initialized = true;
    }
    return subsystem(std::move(state));
}

/// MAPILogonEx. Checks the flags as the portable backend does (unknown bits, the UI and
/// service rules, MAPI_NT_SERVICE in both MAPIINIT_0 and the logon), converts the strings
/// (UTF-16 with `logon_flag::unicode`, else the ANSI code page; absent or empty: NULL), passes
/// a session pointer pre-set to null, and wraps the IMAPISession. The work is done when `logon`
/// is called; the task only hands over the result.
inline task<result<session>> subsystem::logon(const logon_request& request) const {
    if (!state_) return detail::logon_task(not_initialized_error());
    const logon_flags flags = request.flags.get();
    if (auto ok = mapixx::detail::check_logon_flags(service_mode(), flags, detail::logon_component); !ok) return detail::logon_task(std::move(ok).as_failure());
    detail::logon_strings s;
    s.unicode = flags.has(logon_flag::unicode);
    std::string profile_utf8;
    auto put = [&s](const std::optional<std::string_view>& in, std::optional<std::wstring>& w,
                    std::optional<std::string>& n) {
        if (!in || in->empty()) return;
        if (s.unicode) {
            w = to_utf16(*in);
        } else {
            n = to_ansi(*in);
        }
    };
    put(request.profile, s.wide_profile, s.narrow_profile);
    put(request.password, s.wide_password, s.narrow_password);
    if (request.profile) profile_utf8 = std::string(*request.profile);
    return detail::logon_task(detail::logon_now(state_, std::move(s), std::move(profile_utf8), flags, request.ui_param));
}

/// MAPIAdminProfiles(0): the profile administration of the real MAPI.
inline result<profile_admin> subsystem::admin_profiles() const {
    if (!state_) return not_initialized_error();
    return profile_admin::open(state_);
}

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
