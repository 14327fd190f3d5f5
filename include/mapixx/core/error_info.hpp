// SPDX-License-Identifier: MIT
/// \file
/// `error_info`: the extended error information of a failed call (MAPIERROR).
#ifndef MAPIXX_CORE_ERROR_INFO_HPP_INCLUDED
#define MAPIXX_CORE_ERROR_INFO_HPP_INCLUDED

#include <cstdint>
#include <string>

namespace mapixx::inline v0 {

/// What MAPIERROR carries: which component failed, a sentence saying what was wrong (and where:
/// file and line for files), the low-level code underneath (for instance `session_limit`
/// under a `logon_failed`), and a component-specific context value.
///
/// `version` is always 0 (MAPI_ERROR_VERSION). Components are kept to 30 characters or fewer,
/// as MAPIERROR asks.
struct error_info {
    std::string component;        ///< lpszComponent: "mapixx.logon", "MAPISVC.INF", a provider name
    std::string message;          ///< lpszError: a sentence
    std::uint32_t low_level = 0;  ///< ulLowLevelError: an underlying scode or system error, or 0
    std::uint32_t context = 0;    ///< ulContext: where in the component (for files: the line)
    std::uint32_t version = 0;    ///< ulVersion: MAPI_ERROR_VERSION

    /// True when no field says anything (GetLastError's "nothing to report").
    [[nodiscard]] bool empty() const noexcept {
        return component.empty() && message.empty() && low_level == 0 && context == 0;
    }
    friend bool operator==(const error_info&, const error_info&) = default;
};

} // namespace mapixx::inline v0

#endif
