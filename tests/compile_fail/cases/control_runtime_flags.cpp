// SPDX-License-Identifier: MIT
// Must compile: runtime_flags() lets any set through, even one that breaks a rule; the API that
// receives it checks the rules at run time (the unit tests in tests/core/flags_tests.cpp show
// check_rules rejecting this very set).
#include <mapixx/core/flag_enums.hpp>

using namespace mapixx;

int main(int argc, char**) {
    const flags<logon_flag> bad = logon_flag::logon_ui | logon_flag::password_ui;
    checked_flags<logon_flag> f = runtime_flags(bad);
    checked_flags<logon_flag> g = runtime_flags(argc > 1 ? logon_flag::nt_service : logon_flag::logon_ui);
    checked_flags<transport_notify> t = runtime_flags(transport_notify::begin_inbound | transport_notify::end_inbound);
    return (f.checked_at_run_time() && g.checked_at_run_time() && t.checked_at_run_time()) ? 0 : 1;
}
