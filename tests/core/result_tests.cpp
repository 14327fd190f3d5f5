// SPDX-License-Identifier: MIT
// Tests of mapixx/core/result.hpp and mapixx/core/error_info.hpp.
#include <mapixx/core/error_info.hpp>
#include <mapixx/core/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <ostream>  // doctest prints std::error_code and std::string_view through it
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace result_tests {

using namespace mapixx;

namespace {

result<int> find_answer(bool ok) {
    if (!ok) return fail(scode::not_found, "no answer in section 3D12 of profile 'Work'", "mapixx.test", 0x10F);
    return 42;
}

// Passes a failure on with as_failure(), the way layers above propagate errors.
result<std::string> describe_answer(bool ok) {
    auto r = find_answer(ok);
    if (!r) return r.as_failure();
    return "the answer is " + std::to_string(*r);
}

result<void> do_nothing(bool ok) {
    if (!ok) return fail(scode::user_cancel, "the user closed the logon dialog");
    return {};
}

result<std::unique_ptr<int>> make_owned(int v) { return std::make_unique<int>(v); }

} // namespace

TEST_SUITE("error_info") {

TEST_CASE("a default error_info is empty and has MAPI_ERROR_VERSION 0") {
    error_info e;
    CHECK(e.empty());
    CHECK(e.version == 0u);
    CHECK(e.low_level == 0u);
    CHECK(e.context == 0u);
}

TEST_CASE("an error_info with any field set is not empty") {
    CHECK_FALSE(error_info{"mapixx", "", 0, 0, 0}.empty());
    CHECK_FALSE(error_info{"", "a sentence.", 0, 0, 0}.empty());
    CHECK_FALSE(error_info{"", "", 0x80040112u, 0, 0}.empty());
    CHECK_FALSE(error_info{"", "", 0, 17, 0}.empty());
}

TEST_CASE("error_info compares every field") {
    error_info a{"MAPISVC.INF", "line 12 has no '='.", 0, 12, 0};
    error_info b = a;
    CHECK(a == b);
    b.context = 13;
    CHECK(a != b);
}

} // TEST_SUITE

TEST_SUITE("result") {

TEST_CASE("a result holding a value has it and reports no error") {
    result<int> r = find_answer(true);
    REQUIRE(r.has_value());
    CHECK(static_cast<bool>(r));
    CHECK(*r == 42);
    CHECK(r.value() == 42);
    CHECK_FALSE(r.error());
    CHECK(r.error() == std::error_code{});
    CHECK(r.code() == scode::success);
    CHECK(r.warning() == scode::success);
    CHECK(r.info().empty());
    CHECK(r.value_or(7) == 42);
}

TEST_CASE("result<void> success has a value and no error") {
    result<void> r = do_nothing(true);
    CHECK(r.has_value());
    CHECK_NOTHROW(r.value());
    CHECK_FALSE(r.error());
    CHECK(r.code() == scode::success);
    CHECK(r.info().empty());
}

TEST_CASE("a success with the warning w_no_service has a value and reports the warning") {
    result<int> r{5, scode::w_no_service};
    REQUIRE(r.has_value());
    CHECK(*r == 5);
    CHECK(r.warning() == scode::w_no_service);
    CHECK(r.code() == scode::w_no_service);
    CHECK_FALSE(r.error());
    CHECK_NOTHROW((void)r.value());
}

TEST_CASE("result<void>::success carries a warning without becoming a failure") {
    auto r = result<void>::success(scode::w_errors_returned);
    CHECK(r.has_value());
    CHECK(r.warning() == scode::w_errors_returned);
    CHECK_FALSE(r.error());
    CHECK(result<void>::success().warning() == scode::success);
}

TEST_CASE("a failure has no value and reports its code and info") {
    result<int> r = find_answer(false);
    REQUIRE_FALSE(r.has_value());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error() == scode::not_found);
    CHECK(r.error().category() == mapi_category());
    CHECK(r.code() == scode::not_found);
    CHECK(r.warning() == scode::success);
    CHECK(r.info().message == "no answer in section 3D12 of profile 'Work'");
    CHECK(r.info().component == "mapixx.test");
    CHECK(r.info().low_level == 0x10Fu);
    CHECK(r.value_or(7) == 7);
}

TEST_CASE("value() on a failure throws mapi_error carrying the code and the info") {
    result<int> r = find_answer(false);
    try {
        (void)r.value();
        FAIL("value() did not throw");
    } catch (const mapi_error& e) {
        CHECK(e.code() == scode::not_found);
        CHECK(e.code_value() == scode::not_found);
        CHECK(e.info().message == "no answer in section 3D12 of profile 'Work'");
        CHECK(e.info().component == "mapixx.test");
        const std::string what = e.what();
        CHECK(what.find("no answer in section 3D12 of profile 'Work'") != std::string::npos);
        CHECK(what.find("MAPI_E_NOT_FOUND (0x8004010F)") != std::string::npos);
    }
    // mapi_error is a std::system_error, so generic handlers catch it too.
    CHECK_THROWS_AS((void)std::as_const(r).value(), std::system_error);
    CHECK_THROWS_AS((void)std::move(r).value(), mapi_error);
}

TEST_CASE("value() on a failed result<void> throws mapi_error") {
    result<void> r = do_nothing(false);
    CHECK_THROWS_AS(r.value(), mapi_error);
    try {
        r.value();
    } catch (const mapi_error& e) {
        CHECK(e.code_value() == scode::user_cancel);
        CHECK(e.info().component == "mapixx");
    }
}

TEST_CASE("a mapi_error without a sentence prints just the code's message") {
    mapi_error e(scode::session_limit);
    CHECK(std::string(e.what()) ==
          "MAPI_E_SESSION_LIMIT (0x80040112): A provider cannot accept another session: its session limit is "
          "reached.");
    CHECK(e.info().empty());
    mapi_error with(scode::logon_failed, error_info{"mapixx.logon", "profile 'X' does not exist", 0, 0, 0});
    CHECK(std::string(with.what()).starts_with("profile 'X' does not exist: MAPI_E_LOGON_FAILED (0x80040111)"));
}

TEST_CASE("error() is empty on every success") {
    CHECK_FALSE(find_answer(true).error());
    CHECK_FALSE(result<int>(1, scode::w_approx_count).error());
    CHECK_FALSE(do_nothing(true).error());
}

TEST_CASE("a move-only value type such as std::unique_ptr works") {
    static_assert(!std::is_copy_constructible_v<result<std::unique_ptr<int>>>);
    static_assert(std::is_move_constructible_v<result<std::unique_ptr<int>>>);
    auto r = make_owned(7);
    REQUIRE(r.has_value());
    CHECK(**r == 7);
    CHECK(*r->get() == 7);
    std::unique_ptr<int> p = std::move(r).value();
    REQUIRE(p != nullptr);
    CHECK(*p == 7);
    result<std::unique_ptr<int>> moved = make_owned(9);
    result<std::unique_ptr<int>> target = std::move(moved);
    CHECK(**target == 9);
}

TEST_CASE("as_failure passes a failure on with its code and info unchanged") {
    auto ok = describe_answer(true);
    REQUIRE(ok.has_value());
    CHECK(*ok == "the answer is 42");

    auto bad = describe_answer(false);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.code() == scode::not_found);
    CHECK(bad.info().message == "no answer in section 3D12 of profile 'Work'");
    CHECK(bad.info().low_level == 0x10Fu);
    failure f = bad.as_failure();
    CHECK(f.code == scode::not_found);
    CHECK(f.info.component == "mapixx.test");
}

TEST_CASE("fail builds a failure with the sentence, component and low-level code") {
    failure f = fail(scode::logon_failed, "the session cap of 2 is reached", "mapixx.logon", 0x80040112u);
    CHECK(f.code == scode::logon_failed);
    CHECK(f.info.message == "the session cap of 2 is reached");
    CHECK(f.info.component == "mapixx.logon");
    CHECK(f.info.low_level == 0x80040112u);
    CHECK(f.info.version == 0u);
    failure g = fail(scode::busy, error_info{"x", "y", 1, 2, 0});
    CHECK(g.info == error_info{"x", "y", 1, 2, 0});
}

} // TEST_SUITE

TEST_CASE("value() on an rvalue result returns the value itself, so a range-for over it is safe") {
    // Regression: value() && used to return T&&, and `for (auto& x : f().value())` then walked a
    // vector destroyed at the end of the full expression.
    static_assert(std::is_same_v<decltype(std::declval<mapixx::result<std::vector<int>>>().value()), std::vector<int>>);
    static_assert(std::is_same_v<decltype(std::declval<mapixx::result<std::vector<int>>&>().value()), std::vector<int>&>);
    auto make = [] { return mapixx::result<std::vector<int>>(std::vector<int>{1, 2, 3}); };
    int sum = 0;
    for (const int& x : make().value()) sum += x;
    CHECK(sum == 6);
}

} // namespace result_tests
