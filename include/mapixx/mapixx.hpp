// SPDX-License-Identifier: MIT
/// \file
/// Everything portable in mapixx: core, coroutines, profiles, providers, logon and sessions, the
/// spooler and the service message loop. (`profile/file_profile_store.hpp` is POSIX-only and is
/// included by `profile/profile_all.hpp` where it is available.)
#ifndef MAPIXX_MAPIXX_HPP_INCLUDED
#define MAPIXX_MAPIXX_HPP_INCLUDED

#include <mapixx/version.hpp>

#include <mapixx/core/core.hpp>
#include <mapixx/core/flag_parse.hpp>
#include <mapixx/coro/coro.hpp>
#include <mapixx/profile/profile_all.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/provider_support.hpp>
#include <mapixx/provider/session_slot.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/local_transport.hpp>
#include <mapixx/providers/maildir_store.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/providers/smtp/transport.hpp>
#include <mapixx/service/service.hpp>
#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/subsystem.hpp>
#include <mapixx/spooler/io_driver.hpp>
#include <mapixx/spooler/loop_adapter.hpp>
#include <mapixx/spooler/reactor.hpp>
#include <mapixx/spooler/spooler.hpp>

#endif
