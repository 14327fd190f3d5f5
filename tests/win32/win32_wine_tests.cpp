// SPDX-License-Identifier: MIT
//
// The win32 backend against Wine's own mapi32.dll, which has no Extended MAPI behind it:
// MAPIInitialize answers MAPI_E_NOT_INITIALIZED, MAPILogonEx and MAPIAdminProfiles E_FAIL.
// The backend must say so in one sentence, never crash, and never call MAPIUninitialize for
// the initialisation that failed. Run with a fresh Wine prefix (no mail client registered).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <mapixx/win32/win32.hpp>

#include <string>

namespace mw = mapixx::win32;
using mapixx::scode;

TEST_SUITE("win32 under Wine") {
    TEST_CASE("initialize reports that no Extended MAPI provider exists, naming the DLL and the registry values") {
        auto mapi = mw::initialize();
        REQUIRE_FALSE(mapi.has_value());
        CHECK(mapi.code() == scode::not_initialized);
        CHECK(mapi.info().low_level == 0x80040605u);
        const std::string& m = mapi.info().message;
        MESSAGE(m);
        CHECK(m.rfind("no Extended MAPI provider is installed: MAPIInitialize of \"", 0) == 0);
        CHECK(m.find("mapi32.dll\" (the system mapi32.dll)") != std::string::npos);
        CHECK(m.find("MAPI_E_NOT_INITIALIZED (0x80040605)") != std::string::npos);
        CHECK(m.find("HKLM\\Software\\Clients\\Mail\\(default): absent") != std::string::npos);
        CHECK(m.find('\n') == std::string::npos);  // one sentence
        CHECK(mw::initialization_count() == 0);
        // A second attempt behaves the same: nothing was left half-initialised.
        CHECK(mw::initialize().code() == scode::not_initialized);
    }

    TEST_CASE("the loader ends at the system mapi32.dll after asking the registry and Windows Installer") {
        auto lib = mw::mapi_library::load();
        REQUIRE(lib.has_value());
        const mw::load_report& rep = lib->report();
        CHECK(rep.source == mw::mapi_source::system_mapi32);
        CHECK(rep.dll.find("system32\\mapi32.dll") != std::string::npos);
        REQUIRE_FALSE(rep.tried.empty());
        CHECK(rep.tried.front().rfind("installed Outlook:", 0) == 0);
    }

    TEST_CASE("Wine exports some utilities only decorated, and find() reaches them as Name@N") {
        auto lib = mw::mapi_library::load().value();
        std::string name;
        CHECK(static_cast<bool>(lib.find<mw::fn::sc_init_mapi_util>("ScInitMapiUtil", &name)));
        CHECK(name == "ScInitMapiUtil@4");
        CHECK(static_cast<bool>(lib.find<mw::fn::free_prows>("FreeProws", &name)));
        CHECK(name == "FreeProws@4");
        CHECK(static_cast<bool>(lib.find<mw::fn::hr_query_all_rows>("HrQueryAllRows", &name)));
        CHECK(name == "HrQueryAllRows@24");
        CHECK(static_cast<bool>(lib.find<mw::fn::mapi_logon_ex>("MAPILogonEx", &name)));
        CHECK(name == "MAPILogonEx");
    }

    TEST_CASE("Wine's MAPILogonEx fails with E_FAIL and leaves the session pointer untouched") {
        // Why the backend pre-sets the pointer to null: a stale value would look like a session.
        auto lib = mw::mapi_library::load().value();
        auto logon = lib.find<mw::fn::mapi_logon_ex>("MAPILogonEx");
        REQUIRE(static_cast<bool>(logon));
        auto* sentinel = reinterpret_cast<LPMAPISESSION>(static_cast<std::uintptr_t>(0x1234));
        LPMAPISESSION s = sentinel;
        CHECK(logon(0, nullptr, nullptr, MAPI_EXTENDED | MAPI_USE_DEFAULT, &s) == E_FAIL);
        CHECK(s == sentinel);
        auto admin = lib.find<mw::fn::mapi_admin_profiles>("MAPIAdminProfiles");
        REQUIRE(static_cast<bool>(admin));
        LPPROFADMIN p = nullptr;
        CHECK(admin(0, &p) == E_FAIL);
        CHECK(p == nullptr);
    }
}
