// SPDX-License-Identifier: MIT
/// \file
/// `mapi_library`: finds and loads the MAPI DLL at run time in the order of Outlook's MAPI stub
/// library, and resolves its exports by `Name`, then by the decorated `Name@N`.
#ifndef MAPIXX_WIN32_LOADER_HPP_INCLUDED
#define MAPIXX_WIN32_LOADER_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0::win32 {

/// Where the loaded MAPI DLL came from, in the order the loader tries.
enum class mapi_source : std::uint8_t {
    explicit_path,             ///< `loader_options::dll_path` (nothing else is tried)
    already_loaded,            ///< olmapi32.dll or msmapi32.dll was already in the process
    default_client_dllpathex,  ///< HKLM\Software\Clients\Mail\<default client>\DLLPathEx
    installed_outlook,         ///< olmapi32.dll next to the Outlook that Windows Installer knows
    default_client_dllpath,    ///< HKLM\Software\Clients\Mail\<default client>\DLLPath
    system_mapi32,             ///< <system directory>\mapi32.dll
};

/// A phrase for a source: "the system mapi32.dll".
[[nodiscard]] constexpr std::string_view to_string(mapi_source s) noexcept {
    switch (s) {
    case mapi_source::explicit_path: return "the path given in loader_options::dll_path";
    case mapi_source::already_loaded: return "a MAPI DLL already loaded in the process";
    case mapi_source::default_client_dllpathex: return "the default mail client's DLLPathEx";
    case mapi_source::installed_outlook: return "the installed Outlook";
    case mapi_source::default_client_dllpath: return "the default mail client's DLLPath";
    case mapi_source::system_mapi32: return "the system mapi32.dll";
    }
    return "an unknown source";
}

/// How to find the MAPI DLL.
struct loader_options {
    /// A DLL to load instead of searching (full path or a name LoadLibrary resolves). When it is
    /// set, nothing else is tried.
    std::wstring dll_path{};
    /// Ask Windows Installer (msi.dll) for an installed Outlook. On by default, as in the stub
    /// library; only components already installed are used (no install is started).
    bool search_installed_outlook = true;
};

/// What the loader looked at and what it loaded. `registry` lists every registry value read,
/// as `HKLM\...\Name = "value"` or `HKLM\...\Name: absent`; `tried` every candidate refused.
struct load_report {
    std::string dll;  ///< full path of the module loaded (UTF-8)
    mapi_source source = mapi_source::system_mapi32;
    std::vector<std::string> registry;
    std::vector<std::string> tried;

    /// `registry` as one clause ("none" when nothing was read).
    [[nodiscard]] std::string registry_summary() const {
        if (registry.empty()) return "none";
        std::string out;
        for (const auto& r : registry) {
            if (!out.empty()) out += "; ";
            out += r;
        }
        return out;
    }
};

namespace detail::loader {
inline constexpr const char* component = "mapixx.win32.loader";
inline constexpr const wchar_t* mail_key = L"Software\\Clients\\Mail";
inline constexpr std::string_view mail_key_text = "HKLM\\Software\\Clients\\Mail";

// The Windows Installer category ids of Outlook's core component, newest first (Office 2016
// and later, 2013, 2010, 2007, 2003 and its debug build): the ids the stub library asks for.
inline constexpr std::array<const wchar_t*, 6> outlook_categories = {
    L"{5812C571-53F0-4467-BEFA-0A4F47A9437C}", L"{E83B4360-C208-4325-9504-0D23003A74A5}",
    L"{1E77DE88-BCAB-4C37-B9E5-073AF52DFD7A}", L"{24AAE126-0911-478F-A019-07B875EB9996}",
    L"{BC174BAD-2F53-4855-A1D5-0D575C19B1EA}", L"{BC174BAD-2F53-4855-A1D5-1D575C19B1EA}",
};

/// A REG_SZ / REG_EXPAND_SZ value (expanded), or nullopt-as-false. Records what it read.
inline bool read_string(const std::wstring& key, const wchar_t* value, std::string_view shown_key,
                        std::string_view shown_value, std::wstring& out, std::vector<std::string>& log) {
    std::string line = std::string(shown_key) + "\\" + std::string(shown_value);
    HKEY h = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, KEY_READ, &h) != ERROR_SUCCESS) {
        log.push_back(line + ": absent (no key)");
        return false;
    }
    DWORD type = 0;
    DWORD bytes = 0;
    LONG rc = RegQueryValueExW(h, value, nullptr, &type, nullptr, &bytes);
    std::wstring data;
    if (rc == ERROR_SUCCESS && (type == REG_SZ || type == REG_EXPAND_SZ) && bytes > 0) {
        data.resize(bytes / sizeof(wchar_t) + 1);
        DWORD got = static_cast<DWORD>(data.size() * sizeof(wchar_t));
        rc = RegQueryValueExW(h, value, nullptr, &type, reinterpret_cast<LPBYTE>(data.data()), &got);
        data.resize(rc == ERROR_SUCCESS ? got / sizeof(wchar_t) : 0);
        while (!data.empty() && data.back() == L'\0') data.pop_back();
    } else {
        data.clear();
    }
    RegCloseKey(h);
    if (data.empty()) {
        log.push_back(line + ": absent");
        return false;
    }
    if (type == REG_EXPAND_SZ) {
        const DWORD n = ExpandEnvironmentStringsW(data.c_str(), nullptr, 0);
        std::wstring expanded(n, L'\0');
        if (n > 0 && ExpandEnvironmentStringsW(data.c_str(), expanded.data(), n) == n) {
            expanded.resize(n - 1);
            data = std::move(expanded);
        }
    }
    log.push_back(line + " = \"" + to_utf8(data) + "\"");
    out = std::move(data);
    return true;
}

inline std::string module_path(HMODULE m) {
    std::wstring buf(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n = GetModuleFileNameW(m, buf.data(), static_cast<DWORD>(buf.size()));
        if (n == 0) return {};
        if (n < buf.size()) {
            buf.resize(n);
            return to_utf8(buf);
        }
        buf.resize(buf.size() * 2);
    }
}

inline HMODULE try_load(const std::wstring& path, std::string_view why, std::vector<std::string>& tried) {
    HMODULE m = LoadLibraryExW(path.c_str(), nullptr, 0);
    if (m == nullptr) {
        tried.push_back(std::string(why) + " \"" + to_utf8(path) + "\" did not load (error " +
                        std::to_string(GetLastError()) + ")");
    }
    return m;
}

/// olmapi32.dll next to the first Outlook that Windows Installer has installed, or empty.
inline std::wstring installed_outlook(std::vector<std::string>& tried) {
    HMODULE msi = LoadLibraryExW(L"msi.dll", nullptr, 0);
    if (msi == nullptr) {
        tried.push_back("installed Outlook: msi.dll did not load");
        return {};
    }
    using provide_fn = UINT(WINAPI*)(LPCWSTR, LPCWSTR, DWORD, LPWSTR, LPDWORD);
    auto provide = reinterpret_cast<provide_fn>(
        reinterpret_cast<void (*)()>(GetProcAddress(msi, "MsiProvideQualifiedComponentW")));
    std::wstring found;
    if (provide != nullptr) {
        constexpr DWORD install_mode_existing = static_cast<DWORD>(-1);  // INSTALLMODE_EXISTING
        const wchar_t* qualifiers[] = {sizeof(void*) == 8 ? L"outlook.x64.exe" : L"outlook.exe", L"outlook.exe"};
        for (const wchar_t* category : outlook_categories) {
            for (const wchar_t* q : qualifiers) {
                DWORD n = 0;
                if (provide(category, q, install_mode_existing, nullptr, &n) != ERROR_SUCCESS) continue;
                std::wstring exe(static_cast<std::size_t>(n) + 1, L'\0');
                DWORD size = n + 1;
                if (provide(category, q, install_mode_existing, exe.data(), &size) != ERROR_SUCCESS) continue;
                exe.resize(size);
                const auto slash = exe.find_last_of(L"\\/");
                if (slash == std::wstring::npos) continue;
                found = exe.substr(0, slash + 1) + L"olmapi32.dll";
                break;
            }
            if (!found.empty()) break;
        }
    }
    FreeLibrary(msi);
    if (found.empty()) tried.push_back("installed Outlook: Windows Installer knows no Outlook (2003 to 2016 and later)");
    return found;
}
} // namespace detail::loader

/// The MAPI DLL of this process, loaded (one LoadLibrary reference, freed on destruction).
/// Move-only.
///
/// \code
/// auto lib = mapi_library::load().value();
/// auto init = lib.find<fn::mapi_initialize>("MAPIInitialize");
/// \endcode
class mapi_library {
public:
    mapi_library() noexcept = default;
    mapi_library(const mapi_library&) = delete;
    mapi_library& operator=(const mapi_library&) = delete;
    mapi_library(mapi_library&& o) noexcept : module_(std::exchange(o.module_, nullptr)), report_(std::move(o.report_)) {}
    mapi_library& operator=(mapi_library&& o) noexcept {
        if (this != &o) {
            release();
            module_ = std::exchange(o.module_, nullptr);
            report_ = std::move(o.report_);
        }
        return *this;
    }
    ~mapi_library() { release(); }

    /// Finds and loads the MAPI DLL:
    /// 1. `options.dll_path` when given, and nothing else;
    /// 2. olmapi32.dll, then msmapi32.dll, if one is already loaded in the process;
    /// 3. DLLPathEx of the default mail client (HKLM\Software\Clients\Mail, its default value
    ///    names the client's subkey);
    /// 4. olmapi32.dll in the folder of an installed Outlook (Windows Installer);
    /// 5. DLLPath of the default mail client;
    /// 6. mapi32.dll in the system directory.
    /// Fails with `not_initialized` when no candidate loads; the sentence lists what was tried
    /// and every registry value read.
    [[nodiscard]] static result<mapi_library> load(const loader_options& options = {}) {
        namespace ld = detail::loader;
        load_report rep;
        auto done = [&rep](HMODULE m, mapi_source s) {
            mapi_library lib;
            lib.module_ = m;
            rep.source = s;
            rep.dll = ld::module_path(m);
            lib.report_ = std::move(rep);
            return lib;
        };
        if (!options.dll_path.empty()) {
            if (HMODULE m = ld::try_load(options.dll_path, "loader_options::dll_path", rep.tried)) {
                return done(m, mapi_source::explicit_path);
            }
            return fail(scode::not_initialized,
                        "the MAPI DLL given in loader_options::dll_path could not be loaded: " + rep.tried.back(),
                        ld::component);
        }
        for (const wchar_t* name : {L"olmapi32.dll", L"msmapi32.dll"}) {
            HMODULE m = nullptr;
            if (GetModuleHandleExW(0, name, &m) && m != nullptr) return done(m, mapi_source::already_loaded);
        }
        std::wstring client;
        std::wstring client_key;
        if (ld::read_string(ld::mail_key, nullptr, ld::mail_key_text, "(default)", client, rep.registry)) {
            client_key = std::wstring(ld::mail_key) + L"\\" + client;
        }
        const std::string client_key_text = std::string(ld::mail_key_text) + "\\" + to_utf8(client);
        std::wstring path;
        if (!client_key.empty() &&
            ld::read_string(client_key, L"DLLPathEx", client_key_text, "DLLPathEx", path, rep.registry)) {
            if (HMODULE m = ld::try_load(path, "DLLPathEx", rep.tried)) return done(m, mapi_source::default_client_dllpathex);
        }
        if (options.search_installed_outlook) {
            path = ld::installed_outlook(rep.tried);
            if (!path.empty()) {
                if (HMODULE m = ld::try_load(path, "installed Outlook", rep.tried)) return done(m, mapi_source::installed_outlook);
            }
        }
        if (!client_key.empty() &&
            ld::read_string(client_key, L"DLLPath", client_key_text, "DLLPath", path, rep.registry)) {
            if (HMODULE m = ld::try_load(path, "DLLPath", rep.tried)) return done(m, mapi_source::default_client_dllpath);
        }
        std::wstring system(MAX_PATH, L'\0');
        const UINT n = GetSystemDirectoryW(system.data(), static_cast<UINT>(system.size()));
        system.resize(n < system.size() ? n : 0);
        if (!system.empty()) {
            if (HMODULE m = ld::try_load(system + L"\\mapi32.dll", "the system mapi32.dll", rep.tried)) {
                return done(m, mapi_source::system_mapi32);
            }
        }
        std::string tried;
        for (const auto& t : rep.tried) tried += (tried.empty() ? "" : "; ") + t;
        return fail(scode::not_initialized,
                    "no MAPI DLL could be loaded (tried: " + tried + "; registry values read: " + rep.registry_summary() +
                        ")",
                    ld::component);
    }

    /// The module handle (null for an empty object).
    [[nodiscard]] HMODULE module() const noexcept { return module_; }
    /// True when a DLL is loaded.
    explicit operator bool() const noexcept { return module_ != nullptr; }
    /// What was read and loaded.
    [[nodiscard]] const load_report& report() const noexcept { return report_; }

    /// The export `name` as a function of type F, looked up as `name` and then as the decorated
    /// `name@N`, N being `decorated_arg_bytes<F>`. Null when neither exists. `found_as`, when
    /// given, receives the name that matched.
    template <class F>
    [[nodiscard]] F find(std::string_view name, std::string* found_as = nullptr) const {
        if (module_ == nullptr) return nullptr;
        std::string plain(name);
        std::string decorated = plain + "@" + std::to_string(decorated_arg_bytes<F>);
        for (const std::string* candidate : {&plain, &decorated}) {
            if (FARPROC p = GetProcAddress(module_, candidate->c_str())) {
                if (found_as != nullptr) *found_as = *candidate;
                // Through void(*)(): the generic function pointer type, so the cast is not a
                // -Wcast-function-type warning.
                return reinterpret_cast<F>(reinterpret_cast<void (*)()>(p));
            }
        }
        return nullptr;
    }

private:
    void release() noexcept {
        if (HMODULE m = std::exchange(module_, nullptr)) FreeLibrary(m);
    }

    HMODULE module_ = nullptr;
    load_report report_;
};

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
