// SPDX-License-Identifier: MIT
/// \file
/// `check_mapiinit`: the MAPIINIT_0 checks both backends make before MAPIInitialize.
#ifndef MAPIXX_CORE_MAPIINIT_HPP_INCLUDED
#define MAPIXX_CORE_MAPIINIT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>

#include <cstdint>
#include <string>

namespace mapixx::inline v0 {

/// Checks MAPIINIT_0 as MAPI does first: `invalid_parameter` if `version` is not 0
/// (MAPI_INIT_VERSION), `unknown_flags` (with the bits as the low-level code) if `flags` has
/// bits MAPIINIT_0 does not define. `component` names the caller in the error.
[[nodiscard]] inline result<void> check_mapiinit(std::uint32_t version, init_flags flags, const char* component) {
    if (version != constants::mapi_init_version) {
        return fail(scode::invalid_parameter,
                    "MAPIINIT_0::ulVersion is " + std::to_string(version) +
                        " but must be 0 (MAPI_INIT_VERSION): it is the version of the structure, not of MAPI",
                    component);
    }
    if (auto checked = init_flags::from_bits(flags.bits()); !checked) {
        return fail(scode::unknown_flags,
                    "MAPIINIT_0::ulFlags has undefined bits " + detail::hex32(flags.unknown_bits()) +
                        "; the defined flags are MAPI_MULTITHREAD_NOTIFICATIONS, MAPI_NO_COINIT and MAPI_NT_SERVICE",
                    component, flags.unknown_bits());
    }
    return {};
}

} // namespace mapixx::inline v0

#endif
