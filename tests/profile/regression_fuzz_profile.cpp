// SPDX-License-Identifier: MIT
// Regression tests for what the fuzz targets of tests/fuzz found in the profile layer. Each test
// reproduces one finding through the normal build; the input that found it is kept in
// tests/fuzz/regressions/<target>/ and replayed by every fuzzing run (docs/reliability.md).
#include <mapixx/core/prop.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace regression_fuzz_profile {

using namespace mapixx;

TEST_SUITE("prop_text.hpp") {

// fuzz_prop_text, tests/fuzz/regressions/prop_text/secure-mv-element-in-message: the tag
// 0x67F21003 (a secure PT_MV_LONG) with the text "0100\xFE\xFF\xFF\xF7". parse_list quoted the
// element it could not read, so a secure property's value reached the message.
TEST_CASE("fuzz: a bad element of a secure multi-valued property is withheld from the message") {
    const std::string_view secret = "0100\xFE\xFF\xFF\xF7";
    const auto r = parse_prop_value(prop_tag(0x67F21003), secret);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::bad_value);
    const std::string& message = r.info().message;
    CHECK(message.find("\xFE\xFF") == std::string::npos);
    CHECK(message.find("0100") == std::string::npos);
    CHECK(message.find("(value withheld: secure property)") != std::string::npos);

    // Every list type, with the element in the middle of the list.
    for (prop_type t : {prop_type::mv_i2, prop_type::mv_i4, prop_type::mv_i8, prop_type::mv_systime,
                        prop_type::mv_clsid, prop_type::mv_binary}) {
        const auto s = parse_prop_value(prop_tag(0x67F5, t), "p4ssw0rd-in-a-list, 0");
        REQUIRE_FALSE(s.has_value());
        CHECK(s.info().message.find("p4ssw0rd") == std::string::npos);
    }
}

TEST_CASE("fuzz: a bad element of an ordinary multi-valued property is still quoted in the message") {
    const auto r = parse_prop_value(prop_tag(0x66001003), "01000000, nope");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::bad_value);
    CHECK(r.info().message.find("has the element \"nope\", which is not a valid PT_LONG value") != std::string::npos);
}

}

} // namespace regression_fuzz_profile
