// SPDX-License-Identifier: MIT
/// \file
/// The core layer: codes, errors, results, flags, properties and uids.
#ifndef MAPIXX_CORE_CORE_HPP_INCLUDED
#define MAPIXX_CORE_CORE_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/mapiinit.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/uid.hpp>

#endif
