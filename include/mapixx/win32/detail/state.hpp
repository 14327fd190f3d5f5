// SPDX-License-Identifier: MIT
/// \file
/// The state behind a `win32::subsystem`: its options, the loaded MAPI DLL and its exports,
/// and the process-wide count of initialisations. Shared by the session and admin types.
#ifndef MAPIXX_WIN32_DETAIL_STATE_HPP_INCLUDED
#define MAPIXX_WIN32_DETAIL_STATE_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/loader.hpp>
#include <mapixx/win32/sdk.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace mapixx::inline v0::win32 {

/// What `win32::initialize` takes: MAPIINIT_0 (`version`, `flags`, as in the portable
/// `init_options`) plus how to find the MAPI DLL and whether to initialise OLE as well.
struct init_options {
    /// MAPIINIT_0::ulVersion. Must be 0 (MAPI_INIT_VERSION).
    std::uint32_t version = constants::mapi_init_version;
    /// MAPIINIT_0::ulFlags. Unknown bits give `unknown_flags` before MAPI is touched.
    init_flags flags{};
    /// How to find the MAPI DLL. Only the first initialisation of the process (or the first
    /// after every earlier one has ended) loads a DLL; later ones share it.
    loader_options loader{};
    /// Also call OleInitialize, after MAPIInitialize succeeded, and OleUninitialize before the
    /// matching MAPIUninitialize (MAPI-REFERENCE 2.3). OLE is per thread: the last copy of the
    /// subsystem must then be destroyed on the thread that called `initialize`.
    bool ole = false;
    /// When MAPIInitialize refuses `init_flag::no_coinit` with MAPI_E_UNKNOWN_FLAGS (older MAPI
    /// builds), call it once more without that flag, as public client code does. The flags
    /// MAPI accepted are in `subsystem::effective_flags`.
    bool retry_without_no_coinit = true;
};

/// The exports of the loaded MAPI DLL. The first two are required; the rest are null when the
/// DLL lacks them (the calls that need them then fail with `no_support`).
struct mapi_api {
    fn::mapi_initialize initialize = nullptr;
    fn::mapi_uninitialize uninitialize = nullptr;
    fn::mapi_logon_ex logon_ex = nullptr;
    fn::mapi_admin_profiles admin_profiles = nullptr;
    fn::mapi_allocate_buffer allocate_buffer = nullptr;
    fn::mapi_free_buffer free_buffer = nullptr;
};

namespace detail {
inline constexpr const char* init_component = "mapixx.win32.initialize";

/// The loaded DLL and its exports; shared by every live initialisation of the process.
struct loaded_mapi {
    mapi_library library;
    mapi_api api;

    /// "C:\...\mapi32.dll (the system mapi32.dll)".
    [[nodiscard]] std::string describe() const {
        return "\"" + library.report().dll + "\" (" + std::string(to_string(library.report().source)) + ")";
    }
};

/// The process-wide part: the DLL in use and the count of live initialisations.
struct win32_process {
    std::mutex mutex;
    std::weak_ptr<loaded_mapi> mapi;
    std::size_t count = 0;
    init_flags first_flags{};

    static win32_process& get() noexcept {
        static win32_process instance;
        return instance;
    }
};

/// One successful MAPIInitialize (and OleInitialize when asked). The last copy of its
/// subsystem, and the last session made from it, destroys it: OleUninitialize, then
/// MAPIUninitialize.
struct win32_state {
    std::shared_ptr<loaded_mapi> mapi;
    init_options options;
    init_flags effective_flags{};
    bool ole_initialized = false;
    std::thread::id initialising_thread = std::this_thread::get_id();

    win32_state() = default;
    win32_state(const win32_state&) = delete;
    win32_state& operator=(const win32_state&) = delete;
    ~win32_state() {
        if (ole_initialized) OleUninitialize();
        if (mapi && mapi->api.uninitialize != nullptr) mapi->api.uninitialize();
        auto& p = win32_process::get();
        std::lock_guard lock(p.mutex);
        if (p.count > 0 && --p.count == 0) p.first_flags = {};
    }
};

/// The one-sentence diagnosis when the DLL offers no Extended MAPI (Wine's mapi32.dll, or a
/// Simple-MAPI-only mail client): which call said so, which DLL was loaded and from where, and
/// every registry value the loader read.
[[nodiscard]] inline std::string no_provider_sentence(const loaded_mapi& m, std::string_view call, HRESULT hr) {
    return "no Extended MAPI provider is installed: " + std::string(call) + " of " + m.describe() + " returned " +
           to_string(to_scode(hr)) + ", so no MAPI subsystem is usable (registry values read: " +
           m.library.report().registry_summary() + "); install Outlook or another Extended MAPI provider and "
           "register it as the default mail client";
}
} // namespace detail

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
