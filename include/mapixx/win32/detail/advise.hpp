// SPDX-License-Identifier: MIT
/// \file
/// The connection numbers of Advise / Unadvise, typed as the SDK in use declares them.
///
/// MinGW-w64's mapix.h / mapidefs.h declare the out-parameter of IMAPISession::Advise and
/// IMAPITable::Advise as `ULONG*` and the parameter of Unadvise as `ULONG`; Microsoft's current
/// Outlook MAPI headers declare them `ULONG_PTR*` / `ULONG_PTR` (64 bits on Win64). The backend
/// reads the type from the method's own declaration (`advise_connection_of`,
/// `unadvise_connection_of`) instead of naming one, so the same code compiles against either set
/// of headers, and keeps the number in `win32::advise_connection` (64 bits), which holds both.
#ifndef MAPIXX_WIN32_DETAIL_ADVISE_HPP_INCLUDED
#define MAPIXX_WIN32_DETAIL_ADVISE_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/win32/sdk.hpp>

#include <cstdint>
#include <type_traits>

namespace mapixx::inline v0::win32 {

/// A connection number of the win32 backend: what IMAPISession::Advise or IMAPITable::Advise
/// returned, unchanged. 64 bits whatever the headers: Microsoft's SDK returns it as ULONG_PTR
/// (a 64-bit MAPI may hand out any 64-bit value, a pointer for one), MinGW-w64's as ULONG. It
/// is wider than the portable `mapixx::advise_connection` (32 bits, the portable session's own
/// counter): keep a win32 connection in this type (or `backend::advise_connection`), never in
/// the portable one, which could cut it.
using advise_connection = std::uint64_t;

namespace detail {

/// The type of the last parameter of a COM method, given as a pointer to the member function
/// (`decltype(&IMAPITable::Advise)`). Only STDMETHODCALLTYPE methods match: on 32-bit x86 the
/// calling convention is part of the member-pointer type (for GCC and MSVC alike), and every
/// MAPI method is declared with it (MAPIMETHOD); on x64 it is ignored.
template <class Method>
struct com_last_parameter;

template <class C, class R, class... A>
struct com_last_parameter<R (STDMETHODCALLTYPE C::*)(A...)> {
    static_assert(sizeof...(A) != 0, "the method takes no parameter");
    using type = typename decltype((std::type_identity<A>{}, ...))::type;
};

template <class Method>
using com_last_parameter_t = typename com_last_parameter<Method>::type;

/// The type Interface::Advise writes its connection number to: ULONG with MinGW-w64's headers,
/// ULONG_PTR with Microsoft's (the pointee of its last parameter).
template <class Interface>
using advise_connection_of = std::remove_pointer_t<com_last_parameter_t<decltype(&Interface::Advise)>>;

/// The type Interface::Unadvise takes the connection number as (its only parameter).
template <class Interface>
using unadvise_connection_of = com_last_parameter_t<decltype(&Interface::Unadvise)>;

/// Both connection types of Interface are unsigned integers that `advise_connection` holds.
template <class Interface>
inline constexpr bool fits_advise_connection =
    std::is_unsigned_v<advise_connection_of<Interface>> && std::is_unsigned_v<unadvise_connection_of<Interface>> &&
    sizeof(advise_connection_of<Interface>) <= sizeof(advise_connection) &&
    sizeof(unadvise_connection_of<Interface>) <= sizeof(advise_connection);

/// object->Advise(args..., &c) with `c` of the type the interface's declaration gives it; `out` is
/// the connection number on success, 0 on failure. Returns what Advise returned.
template <class Interface, class... Args>
constexpr HRESULT advise_call(Interface* object, advise_connection& out, Args... args) {
    static_assert(fits_advise_connection<Interface>, "a connection number this wide does not fit advise_connection");
    advise_connection_of<Interface> c = 0;
    const HRESULT hr = object->Advise(args..., &c);
    out = SUCCEEDED(hr) ? static_cast<advise_connection>(c) : 0;
    return hr;
}

/// object->Unadvise(connection), the number converted back to the type the declaration takes
/// (`connection` came from `advise_call` on the same interface, so nothing is lost).
template <class Interface>
constexpr HRESULT unadvise_call(Interface* object, advise_connection connection) {
    static_assert(fits_advise_connection<Interface>, "a connection number this wide does not fit advise_connection");
    return object->Unadvise(static_cast<unadvise_connection_of<Interface>>(connection));
}

static_assert(fits_advise_connection<IMAPISession>);
static_assert(fits_advise_connection<IMAPITable>);

} // namespace detail
} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
