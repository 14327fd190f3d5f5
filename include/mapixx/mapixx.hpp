// SPDX-License-Identifier: MIT
/// \file
/// Everything portable in mapixx.
#ifndef MAPIXX_MAPIXX_HPP_INCLUDED
#define MAPIXX_MAPIXX_HPP_INCLUDED

#include <mapixx/version.hpp>

#include <mapixx/core/core.hpp>
#include <mapixx/core/flag_parse.hpp>
#include <mapixx/coro/coro.hpp>
#include <mapixx/session/subsystem.hpp>

#endif
