// SPDX-License-Identifier: MIT
// Tests of mapixx/core/flag_parse.hpp: numbers, flag sets and codes read from text.
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flag_parse.hpp>

#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code through it
#include <string>
#include <string_view>

namespace flag_parse_tests {

using namespace mapixx;

TEST_SUITE("flag_parse") {

TEST_CASE("parse_u32 reads hex and decimal numbers") {
    CHECK(parse_u32("0x18032") == 0x18032u);
    CHECK(parse_u32("0X80040112") == 0x80040112u);
    CHECK(parse_u32("0xffffffff") == 0xFFFFFFFFu);
    CHECK(parse_u32("98354") == 98354u);
    CHECK(parse_u32("0") == 0u);
    CHECK(parse_u32("4294967295") == 0xFFFFFFFFu);
}

TEST_CASE("parse_u32 reads a negative decimal HRESULT as its 32-bit pattern") {
    CHECK(parse_u32("-2147221230") == 0x80040112u);
    CHECK(parse_u32("-2147483648") == 0x80000000u);
    CHECK(parse_u32("-1") == 0xFFFFFFFFu);
}

TEST_CASE("parse_u32 refuses anything else") {
    for (std::string_view bad : {"", "-", "0x", "x1", "0x1g", "12a", " 1", "1 ", "+1", "4294967296", "0x100000000",
                                 "-2147483649", "-0x1", "1.0", "--1"}) {
        INFO(bad);
        CHECK_FALSE(parse_u32(bad).has_value());
    }
}

TEST_CASE("parse_flags reads a number") {
    auto r = parse_flags<logon_flag>("0x18032");
    REQUIRE(r.has_value());
    CHECK(*r == service_logon_flags);
    CHECK(parse_flags<logon_flag>("98354").value() == service_logon_flags);
}

TEST_CASE("parse_flags reads SDK names in any case joined by bars commas plus signs or spaces") {
    const auto expected = logon_flag::new_session | logon_flag::no_mail;
    for (std::string_view text : {"MAPI_NEW_SESSION|MAPI_NO_MAIL", "MAPI_NEW_SESSION | MAPI_NO_MAIL",
                                  "mapi_new_session,mapi_no_mail", "MAPI_NEW_SESSION+MAPI_NO_MAIL",
                                  "MAPI_NEW_SESSION MAPI_NO_MAIL", "MAPI_NEW_SESSION\tMAPI_NO_MAIL",
                                  "MAPI_NEW_SESSION|MAPI_NO_MAIL|", "|MAPI_NEW_SESSION||MAPI_NO_MAIL"}) {
        INFO(text);
        auto r = parse_flags<logon_flag>(text);
        REQUIRE(r.has_value());
        CHECK(*r == expected);
    }
}

TEST_CASE("parse_flags reads mapixx names and mixes names with numbers") {
    CHECK(parse_flags<logon_flag>("new_session,no_mail").value() == (logon_flag::new_session | logon_flag::no_mail));
    CHECK(parse_flags<logon_flag>("logon_ui").value() == flags<logon_flag>(logon_flag::logon_ui));
    CHECK(parse_flags<logon_flag>("nt_service|0x8000").value() == (logon_flag::nt_service | logon_flag::no_mail));
    CHECK(parse_flags<transport_notify>("begin_inbound end_outbound").value() ==
          (transport_notify::begin_inbound | transport_notify::end_outbound));
    CHECK(parse_flags<resource_flag>("hook_inbound").value() == flags<resource_flag>(resource_flag::hook_inbound));
}

TEST_CASE("parse_flags refuses a mapixx name that ends two SDK names") {
    auto r = parse_flags<logon_flag>("ui");  // MAPI_LOGON_UI and MAPI_PASSWORD_UI
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::unknown_flags);
    CHECK(r.info().message == "MAPILogonEx flags: \"ui\" is ambiguous; write the full SDK name");
    CHECK(parse_flags<logon_flag>("session").code() == scode::unknown_flags);  // NEW_ and BG_SESSION
}

TEST_CASE("parse_flags refuses unknown names partial names and empty text") {
    auto r = parse_flags<logon_flag>("MAPI_FOO");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::unknown_flags);
    CHECK(r.info().message == "MAPILogonEx flags: \"MAPI_FOO\" is not a flag name of this family");
    CHECK(r.info().component == "mapixx.flags");
    CHECK(parse_flags<logon_flag>("ogon_ui").code() == scode::unknown_flags);
    CHECK(parse_flags<logon_flag>("LOGON_UI_").code() == scode::unknown_flags);
    CHECK(parse_flags<init_flag>("MAPI_NO_MAIL").code() == scode::unknown_flags);  // another family's name
    auto empty = parse_flags<logon_flag>("");
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.info().message == "MAPILogonEx flags: no flags given");
    CHECK(parse_flags<logon_flag>(" | ").code() == scode::unknown_flags);
}

TEST_CASE("parse_flags refuses bits the family does not define") {
    auto r = parse_flags<logon_flag>("0x400");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::unknown_flags);
    CHECK(r.info().low_level == 0x400u);
    CHECK(r.info().message.find("0x00000400") != std::string::npos);
}

TEST_CASE("parse_flags does not check the rules between flags") {
    auto r = parse_flags<logon_flag>("logon_ui|password_ui");
    REQUIRE(r.has_value());
    CHECK(check_rules(*r).code() == scode::invalid_parameter);
}

TEST_CASE("parse_scode reads numbers and names") {
    CHECK(parse_scode("0x80040112").value() == scode::session_limit);
    CHECK(parse_scode("-2147221230").value() == scode::session_limit);
    CHECK(parse_scode("2147746066").value() == scode::session_limit);
    CHECK(parse_scode("MAPI_E_NOT_FOUND").value() == scode::not_found);
    CHECK(parse_scode("not_found").value() == scode::not_found);
    CHECK(parse_scode("E_FAIL").value() == scode::call_failed);
    CHECK(parse_scode("w_cancel_message").value() == scode::w_cancel_message);
    // A number need not be a known code.
    auto odd = parse_scode("0x80049999");
    REQUIRE(odd.has_value());
    CHECK(find_scode(*odd) == nullptr);
}

TEST_CASE("parse_scode answers not_found for text that is neither a number nor a name") {
    auto r = parse_scode("banana");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::not_found);
    CHECK(r.info().message ==
          "\"banana\" is neither a number (0x80040112, -2147221230) nor a MAPI code name");
    CHECK(parse_scode("").code() == scode::not_found);
    CHECK(parse_scode("MAPI_E_LOGON_FAILURE").code() == scode::not_found);
}

} // TEST_SUITE

} // namespace flag_parse_tests
