// SPDX-License-Identifier: MIT
// Tests of mapixx/core/flags.hpp: the set type flags<E>, its operators, from_bits, printing,
// the rule checks and checked_flags. The families themselves are tested in flag_enums_tests.cpp.
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>

#include <doctest/doctest.h>

#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <ostream>  // doctest prints std::error_code and std::string_view through it
#include <string>
#include <string_view>
#include <type_traits>

namespace flags_tests {

using namespace mapixx;

namespace {

// Type-level misuse, GSL style: each concept says whether an expression compiles, and the
// static_asserts below (plus the CHECKs that repeat them at run time, so that they are listed as
// tests) prove that the wrong ones do not while the right ones do.
template <class A, class B>
concept can_or = requires(A a, B b) { a | b; };
template <class A, class B>
concept can_and = requires(A a, B b) { a & b; };
template <class S, class M>
concept can_or_assign = requires(S& s, M m) { s |= m; };
template <class S, class M>
concept can_and_assign = requires(S& s, M m) { s &= m; };

using logon_mask = decltype(~logon_flag::logon_ui);

// Mixing two families.
static_assert(!can_or<logon_flag, init_flag>);
static_assert(!can_or<init_flag, logon_flag>);
static_assert(!can_or<logon_flags, init_flag>);
static_assert(!can_or<init_flag, logon_flags>);
static_assert(!can_or<logon_flags, init_flags>);
static_assert(!can_and<logon_flags, init_flag>);
static_assert(!can_or_assign<logon_flags, init_flag>);
static_assert(!can_or_assign<logon_flags, init_flags>);
// `set |= ~flag` and `set | ~flag`.
static_assert(std::is_same_v<logon_mask, flag_mask<logon_flag>>);
static_assert(!can_or_assign<logon_flags, logon_mask>);
static_assert(!can_or<logon_flags, logon_mask>);
static_assert(!can_or<logon_flag, logon_mask>);
static_assert(!can_or<logon_mask, logon_flag>);
// A mask of one family is no mask for another.
static_assert(!can_and<init_flags, logon_mask>);
static_assert(!can_and_assign<init_flags, logon_mask>);
// Assigning or converting a set of one family to another, or to and from raw bits.
static_assert(!std::is_assignable_v<init_flags&, logon_flags>);
static_assert(!std::is_assignable_v<init_flags&, logon_flag>);
static_assert(!std::is_convertible_v<logon_flags, init_flags>);
static_assert(!std::is_constructible_v<init_flags, logon_flags>);
static_assert(!std::is_convertible_v<std::uint32_t, logon_flags>);
static_assert(!std::is_convertible_v<logon_flags, std::uint32_t>);
static_assert(!std::is_convertible_v<checked_flags<logon_flag>, init_flags>);
// The positive controls: the same shapes within one family compile.
static_assert(can_or<logon_flag, logon_flag>);
static_assert(can_or<logon_flags, logon_flag>);
static_assert(can_or<logon_flag, logon_flags>);
static_assert(can_or<logon_flags, logon_flags>);
static_assert(can_or_assign<logon_flags, logon_flag>);
static_assert(can_and<logon_flags, logon_mask>);
static_assert(can_and<logon_flag, logon_mask>);
static_assert(can_and_assign<logon_flags, logon_mask>);
static_assert(std::is_assignable_v<logon_flags&, logon_flag>);
static_assert(std::is_convertible_v<checked_flags<logon_flag>, logon_flags>);

// Every family: the size of a ULONG and trivially copyable.
template <class... E>
constexpr bool all_like_ulong() {
    return ((sizeof(flags<E>) == 4 && alignof(flags<E>) == alignof(std::uint32_t) &&
             std::is_trivially_copyable_v<flags<E>> && std::is_standard_layout_v<flags<E>>) &&
            ...);
}
constexpr bool families_are_like_ulong =
    all_like_ulong<init_flag, logon_flag, logoff_flag, status_code, resource_flag, service_flag, spooler_notify,
                   transport_notify, flush_flag, transport_logon_flag, end_message_flag, resource_method,
                   validate_flag>();
static_assert(families_are_like_ulong);

// A test family of our own, to test flags<E> independently of the SDK families.
enum class color : std::uint32_t { red = 0x1, green = 0x2, blue = 0x10 };
enum class not_a_family : std::uint32_t { x = 1 };
enum class small_enum : std::uint8_t { x = 1 };

} // namespace

} // namespace flags_tests

// The specialisation belongs to namespace mapixx, outside this file's namespace.
template <>
struct mapixx::flag_traits<flags_tests::color> {
    using color = flags_tests::color;
    static constexpr std::string_view family = "colors";
    static constexpr std::array names{
        flag_name<color>{color::red, "RED"},
        flag_name<color>{color::green, "GREEN"},
        flag_name<color>{color::blue, "BLUE"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        if ((b & 0x1) && (b & 0x2)) return flag_rule{scode::invalid_parameter, "red and green clash", "pick one"};
        return std::nullopt;
    }
};

namespace flags_tests {

static_assert(flag_enum<color>);
static_assert(!flag_enum<not_a_family>);
static_assert(!flag_enum<small_enum>);
static_assert(!flag_enum<std::uint32_t>);

TEST_SUITE("flags") {

TEST_CASE("mixing two flag families or or-ing a complement does not compile") {
    CHECK_FALSE(can_or<logon_flag, init_flag>);
    CHECK_FALSE(can_or<logon_flags, init_flags>);
    CHECK_FALSE(can_or_assign<logon_flags, logon_mask>);
    CHECK_FALSE(can_or<logon_flags, logon_mask>);
    CHECK_FALSE(std::is_assignable_v<init_flags&, logon_flags>);
    CHECK_FALSE(std::is_convertible_v<std::uint32_t, logon_flags>);
    CHECK(can_or<logon_flag, logon_flag>);
    CHECK(can_and_assign<logon_flags, logon_mask>);
}

TEST_CASE("every flag set is a trivially copyable 32-bit value") {
    CHECK(families_are_like_ulong);
    CHECK(sizeof(flags<logon_flag>) == 4);
    CHECK(std::is_trivially_copyable_v<flags<transport_notify>>);
}

TEST_CASE("only scoped uint32 enums with flag_traits are flag families") {
    CHECK(flag_enum<color>);
    CHECK(flag_enum<logon_flag>);
    CHECK_FALSE(flag_enum<not_a_family>);
    CHECK_FALSE(flag_enum<small_enum>);
}

TEST_CASE("or of enumerators gives a set whose bits are the SDK value") {
    constexpr flags<logon_flag> f = logon_flag::extended | logon_flag::new_session;
    static_assert(f.bits() == 0x22u);
    CHECK(f.bits() == 0x22u);
    CHECK(f.has(logon_flag::extended));
    CHECK(f.has(logon_flag::new_session));
    CHECK_FALSE(f.has(logon_flag::logon_ui));
    CHECK((f | logon_flag::no_mail).bits() == 0x8022u);
    CHECK((logon_flag::no_mail | f).bits() == 0x8022u);
    flags<logon_flag> g;
    CHECK(g.empty());
    CHECK(g.bits() == 0u);
    g |= logon_flag::unicode;
    CHECK(g.bits() == 0x80000000u);
    CHECK_FALSE(g.empty());
}

TEST_CASE("and keeps the common flags and a complement mask removes flags") {
    const flags<color> all = color::red | color::green | color::blue;
    CHECK((all & color::green).bits() == 0x2u);
    CHECK((all & (color::red | color::blue)).bits() == 0x11u);
    CHECK((all & ~color::green).bits() == 0x11u);
    CHECK((all & ~(color::green | color::blue)).bits() == 0x1u);
    CHECK((all ^ flags<color>(color::red)).bits() == 0x12u);
    flags<color> s = all;
    s &= ~color::red;
    CHECK(s.bits() == 0x12u);
    CHECK((~color::red).bits() == ~0x1u);
    CHECK((~~color::red).bits() == 0x1u);
    CHECK((color::blue & ~color::red).bits() == 0x10u);
}

TEST_CASE("has contains any_of and without answer set questions") {
    const flags<color> rb = color::red | color::blue;
    CHECK(rb.has(color::red));
    CHECK_FALSE(rb.has(color::green));
    CHECK(rb.contains(color::red | color::blue));
    CHECK(rb.contains(color::blue));
    CHECK_FALSE(rb.contains(color::red | color::green));
    CHECK(rb.contains(flags<color>{}));
    CHECK(rb.any_of(color::green | color::blue));
    CHECK_FALSE(rb.any_of(color::green));
    CHECK_FALSE(rb.any_of(flags<color>{}));
    CHECK(rb.without(color::red) == flags<color>(color::blue));
    CHECK(rb.without(color::green) == rb);
    CHECK(rb.without(rb).empty());
    CHECK(rb == (color::blue | color::red));
    CHECK(rb != flags<color>(color::red));
}

TEST_CASE("from_bits accepts every defined bit") {
    auto r = flags<color>::from_bits(0x13);
    REQUIRE(r.has_value());
    CHECK(r->bits() == 0x13u);
    CHECK(flags<color>::known == 0x13u);
    CHECK(flags<color>::from_bits(0).has_value());
}

TEST_CASE("from_bits rejects unknown bits with unknown_flags and names them in the message") {
    auto r = flags<color>::from_bits(0x1 | 0x80 | 0x40000000);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::unknown_flags);
    CHECK(r.info().low_level == 0x40000080u);
    CHECK(r.info().component == "mapixx.flags");
    CHECK(r.info().message.find("0x40000080") != std::string::npos);
    CHECK(r.info().message.find("colors") != std::string::npos);

    auto l = logon_flags::from_bits(0x00000080);
    REQUIRE_FALSE(l.has_value());
    CHECK(l.code() == scode::unknown_flags);
    CHECK(l.info().message.find("0x00000080") != std::string::npos);
}

TEST_CASE("from_bits_unchecked keeps unknown bits and reports them") {
    auto f = flags<color>::from_bits_unchecked(0x81);
    CHECK(f.bits() == 0x81u);
    CHECK(f.unknown_bits() == 0x80u);
    CHECK(f.has(color::red));
    CHECK(flags<color>(color::red).unknown_bits() == 0u);
}

TEST_CASE("to_string prints SDK names joined by a bar") {
    CHECK(to_string(logon_flag::logon_ui | logon_flag::new_session) == "MAPI_LOGON_UI | MAPI_NEW_SESSION");
    CHECK(to_string(flags<logon_flag>(logon_flag::unicode)) == "MAPI_UNICODE");
    CHECK(to_string(service_logon_flags) ==
          "MAPI_NEW_SESSION | MAPI_EXPLICIT_PROFILE | MAPI_EXTENDED | MAPI_NO_MAIL | MAPI_NT_SERVICE");
    CHECK(to_string(color::blue | color::red) == "RED | BLUE");
}

TEST_CASE("to_string prints unknown bits as one hex value and the empty set as 0") {
    CHECK(to_string(logon_flags::from_bits_unchecked(0x1 | 0x80)) == "MAPI_LOGON_UI | 0x00000080");
    CHECK(to_string(logon_flags::from_bits_unchecked(0x00400080)) == "0x00400080");
    CHECK(to_string(flags<logon_flag>{}) == "0");
    CHECK(to_string(flags<color>{}) == "0");
}

TEST_CASE("sdk_name gives the SDK name of one enumerator") {
    CHECK(sdk_name(logon_flag::password_ui) == "MAPI_PASSWORD_UI");
    CHECK(sdk_name(color::green) == "GREEN");
    CHECK(sdk_name(static_cast<color>(0x4)).empty());
}

TEST_CASE("broken_rule reports the first rule a set breaks") {
    auto r = broken_rule(color::red | color::green);
    REQUIRE(r.has_value());
    CHECK(r->code == scode::invalid_parameter);
    CHECK(r->rule == "red and green clash");
    CHECK(r->fix == "pick one");
    CHECK_FALSE(broken_rule(color::red | color::blue).has_value());
    CHECK_FALSE(broken_rule(flags<color>{}).has_value());
    static_assert(broken_rule(color::red | color::green).has_value());
    static_assert(!broken_rule(flags<color>(color::blue)).has_value());
}

TEST_CASE("broken_rule reports unknown bits before any family rule") {
    auto r = broken_rule(flags<color>::from_bits_unchecked(0x1 | 0x2 | 0x100));
    REQUIRE(r.has_value());
    CHECK(r->code == scode::unknown_flags);
}

TEST_CASE("check_rules gives the rule's code and a sentence naming flags rule and fix") {
    auto r = check_rules(color::red | color::green);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(r.info().message == "colors RED | GREEN break a rule: red and green clash; pick one.");
    CHECK(r.info().component == "mapixx.flags");
    CHECK(r.info().low_level == 0u);
    CHECK(check_rules(flags<color>(color::red)).has_value());

    auto u = check_rules(flags<color>::from_bits_unchecked(0x200));
    REQUIRE_FALSE(u.has_value());
    CHECK(u.code() == scode::unknown_flags);
    CHECK(u.info().low_level == 0x200u);
    CHECK(u.info().message.find("0x00000200") != std::string::npos);
}

TEST_CASE("checked_flags built from a constant set keeps it and is not marked for a run-time check") {
    constexpr checked_flags<logon_flag> ok = logon_flag::extended | logon_flag::new_session;
    static_assert(ok.bits() == 0x22u && !ok.checked_at_run_time());
    CHECK(ok.bits() == 0x22u);
    CHECK(ok.has(logon_flag::extended));
    CHECK_FALSE(ok.checked_at_run_time());
    constexpr checked_flags<logon_flag> service = service_logon_flags;
    CHECK(service.get() == service_logon_flags);
    constexpr checked_flags<logon_flag> one = logon_flag::logon_ui;
    CHECK(one.bits() == 0x1u);
    const flags<logon_flag> back = ok;
    CHECK(back.bits() == 0x22u);
    CHECK(checked_flags<logon_flag>{}.bits() == 0u);
}

TEST_CASE("runtime_flags lets any set through and check_rules rejects a bad one at run time") {
    // What the compile-fail tests prove does not compile as a constant goes through here.
    const flags<logon_flag> from_config = logon_flags::from_bits_unchecked(0x1 | 0x20000);
    checked_flags<logon_flag> c = runtime_flags(from_config);
    CHECK(c.checked_at_run_time());
    CHECK(c.bits() == 0x20001u);
    auto r = check_rules(c.get());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(r.info().message.find("MAPI_LOGON_UI | MAPI_PASSWORD_UI") != std::string::npos);

    checked_flags<transport_notify> t =
        runtime_flags(transport_notify::begin_inbound | transport_notify::end_inbound);
    CHECK(t.checked_at_run_time());
    CHECK_FALSE(check_rules(t.get()).has_value());

    checked_flags<logon_flag> single = runtime_flags(logon_flag::nt_service);
    CHECK(single.checked_at_run_time());
    CHECK(check_rules(single.get()).code() == scode::invalid_parameter);

    checked_flags<logon_flag> fine = runtime_flags(service_logon_flags);
    CHECK(check_rules(fine.get()).has_value());
}

} // TEST_SUITE

} // namespace flags_tests
