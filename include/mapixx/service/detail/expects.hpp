// SPDX-License-Identifier: MIT
/// \file
/// The contract check of the service layer: a broken precondition stops the program.
#ifndef MAPIXX_SERVICE_DETAIL_EXPECTS_HPP_INCLUDED
#define MAPIXX_SERVICE_DETAIL_EXPECTS_HPP_INCLUDED

#include <cstdio>
#include <cstdlib>

namespace mapixx::inline v0 {
namespace detail {

/// Reports a broken precondition of the service layer on stderr and aborts.
///
/// The service headers are also compiled by the MinGW-w64 cross compiler with nothing but the
/// mapixx include directory, so they cannot use GSL's `Expects`; this does the same job (a
/// programming error ends the program, it is never turned into a `result`). `what` is a
/// sentence naming the function and the rule that was broken.
[[noreturn]] inline void service_contract_violation(const char* what) noexcept
{
    std::fputs("mapixx: contract violated: ", stderr);
    std::fputs(what, stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
    std::abort();
}

/// `Expects(ok)` for the service layer: when `ok` is false, calls
/// `service_contract_violation(what)`.
inline void service_expects(bool ok, const char* what) noexcept
{
    if (!ok) {
        service_contract_violation(what);
    }
}

} // namespace detail
} // namespace mapixx::inline v0
#endif
