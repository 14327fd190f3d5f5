// SPDX-License-Identifier: MIT
/// \file
/// Backend selection: `mapixx::backend` names the win32 backend (`mapixx::win32`) in a Windows
/// build that defines `MAPIXX_BACKEND_WIN32`, and the portable backend (`mapixx`) otherwise.
///
/// Code written against `backend::initialize`, `backend::subsystem`, `backend::session` and
/// `subsystem::logon` compiles with either: the member names and the shapes of the calls are
/// the same (`logon` returns a `task<result<session>>`, `logoff` a `task<void>`). What differs
/// is the options: the portable `init_options` names a profile store and provider registry, the
/// win32 one the loader options and OLE (see docs/windows.md).
#ifndef MAPIXX_WIN32_BACKEND_HPP_INCLUDED
#define MAPIXX_WIN32_BACKEND_HPP_INCLUDED

#if defined(_WIN32) && defined(MAPIXX_BACKEND_WIN32)

#include <mapixx/win32/win32.hpp>

namespace mapixx::inline v0 {
/// The backend in use: the real MAPI.
namespace backend = ::mapixx::v0::win32;
/// True when `backend` is the real MAPI.
inline constexpr bool backend_is_win32 = true;
} // namespace mapixx::inline v0

#else

#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/subsystem.hpp>

namespace mapixx::inline v0 {
/// The backend in use: the portable one.
namespace backend = ::mapixx::v0;
/// True when `backend` is the real MAPI.
inline constexpr bool backend_is_win32 = false;
} // namespace mapixx::inline v0

#endif
#endif
