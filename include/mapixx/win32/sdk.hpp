// SPDX-License-Identifier: MIT
/// \file
/// The Windows SDK headers the win32 backend needs, the MAPI values MinGW-w64's headers lack,
/// IMsgServiceAdmin2, and the signatures of the MAPI DLL exports the backend calls.
///
/// Compiled only for Windows (`_WIN32`); elsewhere this header is empty.
#ifndef MAPIXX_WIN32_SDK_HPP_INCLUDED
#define MAPIXX_WIN32_SDK_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/flag_enums.hpp>

#include <windows.h>
#include <objbase.h>
#include <ole2.h>
#include <mapix.h>
#include <mapiutil.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

// Values of Microsoft's MAPIX.h / MAPIAux.h that MinGW-w64 does not define (MAPI-REFERENCE 9).
// They are only defined when absent, so the Microsoft headers can be used instead.
#ifndef MAPI_NO_COINIT
#define MAPI_NO_COINIT 0x00000008
#endif
#ifndef MAPI_BG_SESSION
#define MAPI_BG_SESSION 0x00200000
#endif
#ifndef MAPI_APP_PROFILE
#define MAPI_APP_PROFILE 0x00000004
#endif
#ifndef SERVICE_NO_RESTART_WARNING
#define SERVICE_NO_RESTART_WARNING 0x00000080
#endif
#ifndef MAPI_FORCE_ACCESS
#define MAPI_FORCE_ACCESS 0x00080000
#endif

namespace mapixx::inline v0::win32 {

/// IID_IUnknown, {00000000-0000-0000-C000-000000000046} (a constant, so no uuid library is needed).
inline constexpr IID iid_unknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IMAPIAdviseSink, {00020302-0000-0000-C000-000000000046}.
inline constexpr IID iid_mapi_advise_sink = {0x00020302, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IMsgServiceAdmin2, {00020387-0000-0000-C000-000000000046} (absent in MinGW-w64).
inline constexpr IID iid_msg_service_admin2 = {0x00020387, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IMAPISession, {00020300-0000-0000-C000-000000000046}.
inline constexpr IID iid_mapi_session = {0x00020300, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IProfAdmin, {0002031C-0000-0000-C000-000000000046}.
inline constexpr IID iid_prof_admin = {0x0002031C, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IMsgServiceAdmin, {0002031D-0000-0000-C000-000000000046}.
inline constexpr IID iid_msg_service_admin = {0x0002031D, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};

/// IMsgServiceAdmin2 (Microsoft's MAPIAux.h; MinGW-w64 lacks it): the vtable of IMsgServiceAdmin
/// followed by CreateMsgServiceEx, which also returns the UID of the new service. The same MAPI
/// object offers both; ask for it with QueryInterface(iid_msg_service_admin2). The type lives in
/// the mapixx namespace so that it never clashes with the Microsoft declaration.
struct msg_service_admin2 : public IMsgServiceAdmin {
    virtual HRESULT STDMETHODCALLTYPE CreateMsgServiceEx(LPTSTR lpszService, LPTSTR lpszDisplayName, ULONG_PTR ulUIParam,
                                                         ULONG ulFlags, LPMAPIUID lpuidService) = 0;
};

/// Signatures of the DLL exports the backend resolves at run time. Every string parameter is
/// typed `LPTSTR` as in the SDK; the backend passes UTF-16 (cast) when it sets MAPI_UNICODE.
namespace fn {
using mapi_initialize = HRESULT(WINAPI*)(LPVOID);
using mapi_uninitialize = void(WINAPI*)();
using mapi_logon_ex = HRESULT(WINAPI*)(ULONG_PTR, LPTSTR, LPTSTR, ULONG, LPMAPISESSION*);
using mapi_admin_profiles = HRESULT(WINAPI*)(ULONG, LPPROFADMIN*);
using mapi_allocate_buffer = SCODE(WINAPI*)(ULONG, LPVOID*);
using mapi_free_buffer = ULONG(WINAPI*)(LPVOID);
using sc_init_mapi_util = SCODE(WINAPI*)(ULONG);
using deinit_mapi_util = void(WINAPI*)();
using free_prows = void(WINAPI*)(LPSRowSet);
using hr_query_all_rows = HRESULT(WINAPI*)(LPMAPITABLE, LPSPropTagArray, LPSRestriction, LPSSortOrderSet, LONG,
                                           LPSRowSet*);
} // namespace fn

namespace detail {
/// The bytes one argument of type T takes on the 32-bit stdcall stack, which is what the `@N`
/// of a decorated export name counts. Pointers and pointer-sized integers (ULONG_PTR) take 4
/// there even when this program is 64-bit; anything else is rounded up to a multiple of 4. The
/// MAPI entry points take no genuine 64-bit integer argument, so a 64-bit `std::uintptr_t`
/// always stands for ULONG_PTR.
template <class T>
inline constexpr std::size_t stdcall32_arg_bytes =
    (std::is_pointer_v<T> || std::is_same_v<T, std::uintptr_t> || std::is_same_v<T, std::intptr_t>)
        ? 4
        : (sizeof(T) + 3) / 4 * 4;

template <class F>
struct stdcall_bytes;
template <class R, class... A>
struct stdcall_bytes<R(WINAPI*)(A...)> {
    static constexpr std::size_t value = (std::size_t{0} + ... + stdcall32_arg_bytes<A>);
};
} // namespace detail

/// N of the decorated name `Name@N` of an export with signature F (a function pointer type):
/// the size of its arguments on the 32-bit stdcall stack.
template <class F>
inline constexpr std::size_t decorated_arg_bytes = detail::stdcall_bytes<F>::value;

static_assert(decorated_arg_bytes<fn::mapi_initialize> == 4);
static_assert(decorated_arg_bytes<fn::mapi_uninitialize> == 0);
static_assert(decorated_arg_bytes<fn::mapi_logon_ex> == 20);
static_assert(decorated_arg_bytes<fn::mapi_admin_profiles> == 8);
static_assert(decorated_arg_bytes<fn::mapi_allocate_buffer> == 8);
static_assert(decorated_arg_bytes<fn::mapi_free_buffer> == 4);
static_assert(decorated_arg_bytes<fn::sc_init_mapi_util> == 4);
static_assert(decorated_arg_bytes<fn::free_prows> == 4);
static_assert(decorated_arg_bytes<fn::hr_query_all_rows> == 24);

// The portable enumerators carry the SDK values; check them against the headers (and against
// the values defined above for what MinGW lacks).
static_assert(static_cast<ULONG>(init_flag::no_coinit) == MAPI_NO_COINIT);
static_assert(static_cast<ULONG>(init_flag::multithread_notifications) == MAPI_MULTITHREAD_NOTIFICATIONS);
static_assert(static_cast<ULONG>(init_flag::nt_service) == MAPI_NT_SERVICE);
static_assert(static_cast<ULONG>(logon_flag::bg_session) == MAPI_BG_SESSION);
static_assert(static_cast<ULONG>(logon_flag::app_profile) == MAPI_APP_PROFILE);
static_assert(static_cast<ULONG>(logon_flag::unicode) == MAPI_UNICODE);
static_assert(static_cast<ULONG>(logon_flag::extended) == MAPI_EXTENDED);
static_assert(static_cast<ULONG>(logoff_flag::shared) == MAPI_LOGOFF_SHARED);
static_assert(static_cast<ULONG>(logoff_flag::ui) == MAPI_LOGOFF_UI);
static_assert(constants::mapi_force_access == MAPI_FORCE_ACCESS);
static_assert(sizeof(MAPIUID) == 16);

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
