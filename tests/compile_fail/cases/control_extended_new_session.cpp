// SPDX-License-Identifier: MIT
// Must compile: MAPI_EXTENDED | MAPI_NEW_SESSION breaks no rule.
#include <mapixx/core/flag_enums.hpp>

using namespace mapixx;

constexpr checked_flags<logon_flag> f = logon_flag::extended | logon_flag::new_session;
static_assert(f.bits() == 0x22u);

int main() { return f.bits() == 0x22u ? 0 : 1; }
