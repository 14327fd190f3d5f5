// SPDX-License-Identifier: MIT
// core/secret.hpp, and how prop_value treats secure values (ids 0x67F0-0x67FF): the value
// semantics are unchanged by the wiping. That freed memory holds no secret is checked by
// tests/alloc_fault/secure_wipe_tests.cpp, which can look into freed blocks.
#include <mapixx/core/prop.hpp>
#include <mapixx/core/secret.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace secret_tests {

using namespace mapixx;

namespace {
constexpr prop_tag secure_string{0x67F0, prop_type::string8};
constexpr prop_tag secure_list{0x67F3, prop_type::mv_string8};
constexpr prop_tag secure_i4{0x67F4, prop_type::i4};
constexpr prop_tag plain_string{0x6600, prop_type::string8};
const std::string long_secret = "a password long enough to live on the heap";
} // namespace

static_assert(std::is_nothrow_move_constructible_v<prop_value>, "vector growth must move values");
static_assert(std::is_nothrow_move_assignable_v<prop_value>);
static_assert(std::is_nothrow_destructible_v<prop_value>);

TEST_SUITE("core/secret.hpp") {

TEST_CASE("secure_wipe zeroes a buffer, and empties strings, byte vectors and lists of them") {
    char buf[24] = "password1234567890abcde";
    secure_wipe(buf, sizeof buf);
    CHECK(std::all_of(std::begin(buf), std::end(buf), [](char c) { return c == 0; }));
    secure_wipe(nullptr, 10);  // no-op

    std::string s = long_secret;
    const auto capacity = s.capacity();
    secure_wipe(s);
    CHECK(s.empty());
    CHECK(s.capacity() == capacity);  // nothing freed or moved: the zeroed buffer is kept

    binary b(100, 0xAB);
    secure_wipe(b);
    CHECK(b.empty());
    CHECK(b.capacity() >= 100);

    std::vector<std::string> list{long_secret, "short"};
    secure_wipe(list);
    CHECK(list.empty());
    std::vector<binary> blobs{binary(40, 1), binary(3, 2)};
    secure_wipe(blobs);
    CHECK(blobs.empty());
}

TEST_CASE("secret_bytes holds a copy, hands it over on move, and empties on clear") {
    secret_bytes a(long_secret);
    CHECK(a.view() == long_secret);
    secret_bytes b(std::move(a));
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    CHECK(b.view() == long_secret);
    b.clear();
    CHECK(b.empty());
    CHECK(secret_bytes("").empty());
}

TEST_CASE("wiping_buffer keeps the bytes not yet consumed and zeroes the rest") {
    wiping_buffer w;
    w.append("AUTH PLAIN c2VjcmV0\r\n");
    w.consume(5);
    CHECK(w.view() == "PLAIN c2VjcmV0\r\n");
    w.clear();
    const auto storage = w.storage_for_test();
    CHECK(std::all_of(storage.begin(), storage.end(), [](char c) { return c == 0; }));
}

}

TEST_SUITE("core/prop.hpp: secure values") {

TEST_CASE("secure values copy, compare and assign like any other value") {
    const prop_value a(secure_string, long_secret);
    prop_value b = a;
    CHECK(b == a);
    CHECK(b.tag() == secure_string);
    prop_value c(plain_string, std::string("plain"));
    c = a;  // a plain value becomes a secure one
    CHECK(c == a);
    c = prop_value(plain_string, std::string("plain again"));  // and back
    CHECK(c.tag() == plain_string);
    CHECK(*c.get_if<std::string>() == "plain again");
    const prop_value& same = b;
    b = same;  // self-assignment keeps the value
    CHECK(b == a);

    const prop_value list(secure_list, std::vector<std::string>{long_secret, "x"});
    prop_value list_copy = list;
    CHECK(list_copy == list);
    const prop_value number(secure_i4, std::int32_t{1234});
    prop_value number_copy = number;
    CHECK(*number_copy.get_if<std::int32_t>() == 1234);
}

TEST_CASE("a moved-from secure value is empty: no copy of the secret stays in the source") {
    prop_value a(secure_string, long_secret);
    prop_value b(std::move(a));
    CHECK(*b.get_if<std::string>() == long_secret);
    REQUIRE(a.get_if<std::string>() != nullptr);  // NOLINT(bugprone-use-after-move)
    CHECK(a.get_if<std::string>()->empty());

    prop_value s(secure_string, std::string("short"));  // kept inside the object
    prop_value t(plain_string, std::string("x"));
    t = std::move(s);
    CHECK(*t.get_if<std::string>() == "short");
    CHECK(s.get_if<std::string>()->empty());  // NOLINT(bugprone-use-after-move)

    prop_value n(secure_i4, std::int32_t{77});
    prop_value m(std::move(n));
    CHECK(*m.get_if<std::int32_t>() == 77);
    CHECK(*n.get_if<std::int32_t>() == 0);  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("a moved-from plain value keeps the standard library's moved-from state") {
    prop_value n(prop_tag{0x3000, prop_type::i4}, std::int32_t{77});
    prop_value m(std::move(n));
    CHECK(*n.get_if<std::int32_t>() == 77);  // NOLINT(bugprone-use-after-move): ints are copied
    CHECK(*m.get_if<std::int32_t>() == 77);
}

TEST_CASE("a property bag keeps secure values through replace, growth and erase") {
    property_bag bag;
    REQUIRE(bag.set(secure_string, long_secret));
    REQUIRE(bag.set(secure_string, std::string("replaced")));
    for (std::uint16_t id = 0x3000; id < 0x3020; ++id) REQUIRE(bag.set(prop_tag{id, prop_type::i4}, std::int32_t{id}));
    CHECK(bag.get_string(secure_string) == "replaced");
    const property_bag copy = bag;
    CHECK(copy == bag);
    CHECK(bag.erase(secure_string));
    CHECK_FALSE(bag.contains(secure_string));
    CHECK(copy.get_string(secure_string) == "replaced");
}

}

} // namespace secret_tests
