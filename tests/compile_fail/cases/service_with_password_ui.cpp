// SPDX-License-Identifier: MIT
// Must NOT compile: a service logon (MAPI_NT_SERVICE) with MAPI_PASSWORD_UI.
// With -DMAPIXX_COMPILE_FAIL_CONTROL the same file uses a valid set and must compile, which
// proves that the failure comes from the rule and from nothing else in the file.
#include <mapixx/core/flag_enums.hpp>

using namespace mapixx;

#ifndef MAPIXX_COMPILE_FAIL_CONTROL
constexpr checked_flags<logon_flag> f = logon_flag::nt_service | logon_flag::password_ui | logon_flag::no_mail;
#else
constexpr checked_flags<logon_flag> f = logon_flag::nt_service | logon_flag::no_mail;
#endif

int main() { return f.bits() != 0 ? 0 : 1; }
