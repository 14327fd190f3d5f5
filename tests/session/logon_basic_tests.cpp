// SPDX-License-Identifier: MIT
// Basic logon and logoff: a profile with an address book, a store and a transport.
#include <session_fakes.hpp>

#include <doctest/doctest.h>

namespace logon_basic_tests {

using namespace mapixx;
using namespace mapixx_test;

TEST_SUITE("session/logon.hpp") {

TEST_CASE("a logon logs on address books, then stores, then transports, and logoff reverses it") {
    world w;
    w.fake_ab("MXXAB");
    w.fake_store("MXXSTORE");
    w.fake_transport("MXXXP");
    w.add(profile_builder("P").service("S", "MXXSVC",
                                       {transport("MXXXP"), store("MXXSTORE", resource_flag::default_store), ab("MXXAB")}));
    {
        auto s = w.logon({.profile = "P", .flags = logon_flag::extended | logon_flag::new_session});
        REQUIRE_MESSAGE(s, s.info().message);
        CHECK(s->profile_name() == "P");
        CHECK(w.counters().provider_logons == 3);
        CHECK(w.counters().sessions == 1);
        CHECK(w.log.with_prefix("logon ") ==
              std::vector<std::string>{"logon MXXAB attempt 1", "logon MXXSTORE attempt 1", "logon MXXXP attempt 1"});
        sync_wait(s->logoff());
        CHECK_FALSE(*s);
        CHECK(w.log.with_prefix("logoff ") == std::vector<std::string>{"logoff MXXXP", "logoff MXXSTORE", "logoff MXXAB"});
    }
    w.check_released();
}

}

namespace {
mapixx::task<std::string> logon_inside_a_coroutine(mapixx::subsystem& mapi) {
    // The request is built inside the co_await expression, as DESIGN.md writes it; with g++ 12
    // this used to destroy the request twice (see logon_request).
    auto s = co_await mapi.logon({.profile = std::string("P"),
                                  .password = std::string("a password long enough to live on the heap"),
                                  .flags = logon_flag::extended | logon_flag::new_session});
    if (!s) co_return std::string("failed");
    std::string name = s->profile_name();
    co_await s->logoff();
    co_return name;
}
} // namespace

TEST_SUITE("session/logon.hpp") {

TEST_CASE("a logon request built inside a co_await expression works (the DESIGN.md pattern)") {
    world w;
    auto st = w.fake_store("MXXSTORE");
    w.add(profile_builder("P").service("S", "MXXSVC", {store("MXXSTORE")}));
    CHECK(sync_wait(logon_inside_a_coroutine(w.mapi)) == "P");
    CHECK(st->credentials.at(0) == std::optional<std::string>("a password long enough to live on the heap"));
    w.check_released();
}

TEST_CASE("a logon task may be awaited after the strings of its request are gone: they were copied at the call") {
    world w;
    w.fake_store("MXXSTORE");
    w.add(profile_builder("P").service("S", "MXXSVC", {store("MXXSTORE")}));
    task<result<session>> t;
    {
        std::string name = "P";
        t = w.mapi.logon({.profile = name, .flags = logon_flag::new_session});
        name.assign(100, 'x');  // the request's view now sees something else
    }
    auto s = sync_wait(std::move(t));
    REQUIRE(s);
    CHECK(s->profile_name() == "P");
}

}

} // namespace logon_basic_tests
