// SPDX-License-Identifier: MIT
// Tests of mapixx/core/core.hpp: the one include of the core layer brings every core name, and
// the pieces work together the way the layers above use them.
#include <mapixx/core/core.hpp>

#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code and std::string_view through it
#include <string>
#include <system_error>

namespace core_tests {

using namespace mapixx;

namespace {

// A small piece of "upper layer" code written against core.hpp alone: reads a status row and
// returns its flags, or a failure that names the row.
result<status_codes> read_status(const property_bag& row) {
    auto code = row.get_i4(pr::status_code);
    if (!code) {
        return fail(scode::not_found, "the status row has no " + to_string(pr::status_code), "mapixx.test");
    }
    auto f = status_codes::from_bits(static_cast<std::uint32_t>(*code));
    if (!f) return f.as_failure();
    return *f;
}

} // namespace

TEST_SUITE("core") {

TEST_CASE("core.hpp gives every name of the core layer") {
    CHECK(failed(scode::logon_failed));                                // scode.hpp
    CHECK(error_info{}.empty());                                       // error_info.hpp
    CHECK(result<int>(3).value() == 3);                                // result.hpp
    CHECK(flags<logon_flag>::known != 0u);                             // flags.hpp
    CHECK(service_logon_flags.bits() == 0x18032u);                     // flag_enums.hpp
    CHECK(pr::display_name.value() == 0x3001001Fu);                    // prop.hpp
    CHECK(uids::profile_instance.to_string().size() == 32);            // uid.hpp
}

TEST_CASE("a status row is read into status flags through result and property_bag") {
    property_bag row{{pr::status_code, (status_code::available | status_code::failure).bits()}};
    auto ok = read_status(row);
    REQUIRE(ok.has_value());
    CHECK(ok->has(status_code::failure));
    CHECK(to_string(*ok) == "STATUS_AVAILABLE | STATUS_FAILURE");
}

TEST_CASE("a status row without a status code fails with a sentence naming the property") {
    auto r = read_status(property_bag{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == scode::not_found);
    CHECK(r.info().message == "the status row has no PR_STATUS_CODE (0x3E040003)");
}

TEST_CASE("undefined status bits in a row are passed on as unknown_flags") {
    property_bag row{{pr::status_code, 0x8u}};
    auto r = read_status(row);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::unknown_flags);
    CHECK(r.error().message().starts_with("MAPI_E_UNKNOWN_FLAGS (0x80040106)"));
}

} // TEST_SUITE

} // namespace core_tests
