// SPDX-License-Identifier: MIT
/// \file
/// HRESULT to `scode` / `failure`, MAPIERROR to `error_info`, and the UTF-8 / UTF-16 conversions
/// of the win32 backend.
#ifndef MAPIXX_WIN32_ERROR_HPP_INCLUDED
#define MAPIXX_WIN32_ERROR_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/win32/sdk.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace mapixx::inline v0::win32 {

/// UTF-8 to UTF-16. Invalid sequences become U+FFFD (MultiByteToWideChar without
/// MB_ERR_INVALID_CHARS).
[[nodiscard]] inline std::wstring to_utf16(std::string_view s) {
    if (s.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
    if (n > 0) MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
    return out;
}
/// UTF-16 to UTF-8.
[[nodiscard]] inline std::string to_utf8(std::wstring_view s) {
    if (s.empty()) return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
    if (n > 0) WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n, nullptr, nullptr);
    return out;
}
/// UTF-8 to the ANSI code page (what MAPI expects without MAPI_UNICODE).
[[nodiscard]] inline std::string to_ansi(std::string_view s) {
    const std::wstring w = to_utf16(s);
    if (w.empty()) return {};
    const int n = WideCharToMultiByte(CP_ACP, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
    if (n > 0) WideCharToMultiByte(CP_ACP, 0, w.data(), static_cast<int>(w.size()), out.data(), n, nullptr, nullptr);
    return out;
}
/// ANSI code page to UTF-8.
[[nodiscard]] inline std::string ansi_to_utf8(std::string_view s) {
    if (s.empty()) return {};
    const int n = MultiByteToWideChar(CP_ACP, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring w(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
    if (n > 0) MultiByteToWideChar(CP_ACP, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
    return to_utf8(w);
}

/// The `scode` of an HRESULT: the same 32-bit pattern, so MAPI codes, their COM aliases and any
/// other HRESULT keep their value (an unknown one prints as "unknown MAPI code (0x...)").
[[nodiscard]] constexpr scode to_scode(HRESULT hr) noexcept {
    return static_cast<scode>(static_cast<std::uint32_t>(hr));
}

/// A failure for a failed HRESULT: `what` says which call failed ("MAPILogonEx failed"); the
/// sentence adds the code's name and value. `low_level` is the HRESULT itself.
/// \pre FAILED(hr).
[[nodiscard]] inline failure hresult_failure(HRESULT hr, std::string_view what, std::string component) {
    const scode c = to_scode(hr);
    return fail(c, std::string(what) + " with " + to_string(c), std::move(component), static_cast<std::uint32_t>(hr));
}

/// The `error_info` of a MAPIERROR. `unicode`: the strings are UTF-16 (GetLastError was
/// called with MAPI_UNICODE); otherwise they are in the ANSI code page. Null: an empty info.
[[nodiscard]] inline error_info error_info_from(const MAPIERROR* e, bool unicode) {
    error_info info;
    if (e == nullptr) return info;
    auto text = [unicode](const void* p) -> std::string {
        if (p == nullptr) return {};
        if (unicode) return to_utf8(static_cast<const wchar_t*>(p));
        return ansi_to_utf8(static_cast<const char*>(p));
    };
    info.message = text(reinterpret_cast<const void*>(e->lpszError));
    info.component = text(reinterpret_cast<const void*>(e->lpszComponent));
    info.low_level = e->ulLowLevelError;
    info.context = e->ulContext;
    info.version = e->ulVersion;
    return info;
}

/// Asks `object` (IMAPISession, IProfAdmin, IMsgServiceAdmin: anything with MAPI's
/// GetLastError) for the extended error of `hr` with MAPI_UNICODE, frees the MAPIERROR with
/// `free_buffer`, and returns it (empty when the object has nothing to say or refuses).
template <class Object>
[[nodiscard]] error_info last_error_of(Object* object, HRESULT hr, fn::mapi_free_buffer free_buffer) {
    if (object == nullptr) return {};
    LPMAPIERROR err = nullptr;
    const HRESULT got = object->GetLastError(hr, MAPI_UNICODE, &err);
    error_info info;
    if (SUCCEEDED(got) && err != nullptr) info = error_info_from(err, true);
    if (err != nullptr && free_buffer != nullptr) free_buffer(err);
    return info;
}

/// The failure of a failed call on a MAPI object: with MAPI_E_EXTENDED_ERROR the object's
/// GetLastError(MAPI_UNICODE) fills the info (its sentence is kept, prefixed by `what`);
/// otherwise as `hresult_failure`.
template <class Object>
[[nodiscard]] failure object_failure(Object* object, HRESULT hr, std::string_view what, std::string component,
                                     fn::mapi_free_buffer free_buffer) {
    failure f = hresult_failure(hr, what, std::move(component));
    if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::extended_error)) {
        error_info extra = last_error_of(object, hr, free_buffer);
        if (!extra.empty()) {
            if (!extra.message.empty()) f.info.message += ": " + extra.message;
            if (!extra.component.empty()) f.info.component = extra.component;
            f.info.low_level = extra.low_level;
            f.info.context = extra.context;
        }
    }
    return f;
}

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
