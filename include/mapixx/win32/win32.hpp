// SPDX-License-Identifier: MIT
/// \file
/// Every header of the win32 backend: the real MAPI under the portable API's names, in
/// `mapixx::win32`. Compiled only for Windows (`_WIN32`); elsewhere it is empty.
#ifndef MAPIXX_WIN32_WIN32_HPP_INCLUDED
#define MAPIXX_WIN32_WIN32_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/win32/com_ptr.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/loader.hpp>
#include <mapixx/win32/notification.hpp>
#include <mapixx/win32/profile_admin.hpp>
#include <mapixx/win32/sdk.hpp>
#include <mapixx/win32/service_admin.hpp>
#include <mapixx/win32/session.hpp>
#include <mapixx/win32/status_table.hpp>
#include <mapixx/win32/subsystem.hpp>
#include <mapixx/win32/transport_adapter.hpp>

#endif // _WIN32
#endif
