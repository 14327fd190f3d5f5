// SPDX-License-Identifier: MIT
/// \file
/// The mapixx version. CMake reads these three lines; keep their shape.
#ifndef MAPIXX_VERSION_HPP_INCLUDED
#define MAPIXX_VERSION_HPP_INCLUDED

#define MAPIXX_VERSION_MAJOR 0
#define MAPIXX_VERSION_MINOR 1
#define MAPIXX_VERSION_PATCH 0

/// MAJOR * 10000 + MINOR * 100 + PATCH.
#define MAPIXX_VERSION (MAPIXX_VERSION_MAJOR * 10000 + MAPIXX_VERSION_MINOR * 100 + MAPIXX_VERSION_PATCH)

#endif
