// SPDX-License-Identifier: MIT
// Must compile: the flags a Windows-service client passes break no rule.
#include <mapixx/core/flag_enums.hpp>

using namespace mapixx;

constexpr checked_flags<logon_flag> f = service_logon_flags;
static_assert(f.bits() == 0x00018032u && !f.checked_at_run_time());

int main() { return f.bits() == 0x00018032u ? 0 : 1; }
