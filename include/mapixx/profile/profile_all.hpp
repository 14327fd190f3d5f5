// SPDX-License-Identifier: MIT
/// \file
/// The whole profile layer: the data model, the stores, MAPISVC.INF, profile and message-service
/// administration, profile sections, the in-use registry and PRF import.
#ifndef MAPIXX_PROFILE_PROFILE_ALL_HPP_INCLUDED
#define MAPIXX_PROFILE_PROFILE_ALL_HPP_INCLUDED

#ifndef _WIN32  // the file store uses POSIX files and locks
#include <mapixx/profile/file_profile_store.hpp>
#endif
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/prf_import.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/profile_section.hpp>
#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/profile/prop_text.hpp>
#include <mapixx/profile/service_admin.hpp>
#include <mapixx/profile/service_catalog.hpp>

#endif
