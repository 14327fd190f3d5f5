// SPDX-License-Identifier: MIT
// Logon reports are immutable once the logon returns, and sessions whose logons went the same
// way share one; a status row keeps only what a provider changed from MAPI's row.
#include "session_fakes.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace report_sharing_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

constexpr flags<logon_flag> individual = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;

struct report_world : world {
    report_world() {
        store_a = fake_store("RSTORE");
        ab_a = fake_ab("RAB");
        add(profile_builder("P").service("A", "ASVC", {store("RSTORE", resource_flag::default_store), ab("RAB")}));
    }
    std::shared_ptr<fake_script> store_a, ab_a;
};

} // namespace

TEST_SUITE("session/report sharing") {

TEST_CASE("two logons that go the same way share one report, which outlives the first session") {
    report_world w;
    auto first = w.logon({.profile = "P", .flags = individual});
    auto second = w.logon({.profile = "P", .flags = individual});
    REQUIRE(first);
    REQUIRE(second);
    CHECK(&first->report() == &second->report());
    const logon_report copy = second->report();
    sync_wait(first->logoff());
    CHECK(second->report() == copy);
    CHECK(second->report().services.at(0).providers.at(0).outcome == provider_outcome::logged_on);
    sync_wait(second->logoff());
    w.check_released();
}

TEST_CASE("a logon that goes differently gets a report of its own, and the reports before it are unchanged") {
    report_world w;
    auto good = w.logon({.profile = "P", .flags = individual});
    REQUIRE(good);
    const logon_report before = good->report();
    w.ab_a->steps = {fake_step::error(scode::failoneprovider, "the address book is offline")};
    auto degraded = w.logon({.profile = "P", .flags = individual});
    REQUIRE(degraded);
    CHECK(&good->report() != &degraded->report());
    CHECK(good->report() == before);
    const auto& ab_report = degraded->report().services.at(0).providers.at(1);
    CHECK(ab_report.outcome == provider_outcome::disabled);
    CHECK(ab_report.code == scode::failoneprovider);
    // Different flags make a different report too.
    w.ab_a->steps.clear();
    auto unicode = w.logon({.profile = "P", .flags = individual | logon_flag::unicode});
    REQUIRE(unicode);
    CHECK(unicode->report().flags.has(logon_flag::unicode));
    CHECK_FALSE(good->report().flags.has(logon_flag::unicode));
}

TEST_CASE("joiners of a shared session share their report, which is not the publisher's") {
    report_world w;
    auto publisher = w.logon({.profile = "P", .flags = logon_flag::extended | logon_flag::allow_others |
                                                       logon_flag::new_session | logon_flag::explicit_profile});
    REQUIRE(publisher);
    auto a = w.logon({.flags = logon_flag::extended});
    auto b = w.logon({.flags = logon_flag::extended});
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->report().joined_shared);
    CHECK_FALSE(publisher->report().joined_shared);
    CHECK(&a->report() == &b->report());
    CHECK(a->report().services == publisher->report().services);
}

TEST_CASE("a provider repeating MAPI's own values in its status row changes nothing, and a change back restores MAPI's row") {
    report_world w;
    provider_support* support = nullptr;
    std::string display;
    w.store_a->inspect = [&](provider_context& ctx) {
        support = &ctx.support;
        display = ctx.provider.display_name;
    };
    auto s = w.logon({.profile = "P", .flags = individual});
    REQUIRE(s);
    REQUIRE(support != nullptr);
    const auto base = s->status_table().value();
    auto row_of_store = [&](const status_rows& rows) {
        for (const auto& r : rows) {
            if (r.get_string(pr::provider_dll_name) == "RSTORE") return r;
        }
        FAIL("no RSTORE row");
        return property_bag{};
    };
    property_bag same;
    (void)same.set(pr::display_name, display);
    (void)same.set(pr::status_code, static_cast<std::int32_t>(status_codes(status_code::available).bits()));
    REQUIRE(support->modify_status_row(same, true));
    CHECK(s->status_table().value() == base);

    property_bag failing;
    (void)failing.set(pr::status_code, static_cast<std::int32_t>(status_codes(status_code::failure).bits()));
    (void)failing.set(pr::display_name, std::string("renamed"));
    REQUIRE(support->modify_status_row(failing, true));
    auto changed = row_of_store(s->status_table().value());
    CHECK(status_of(changed).has(status_code::failure));
    CHECK(changed.get_string(pr::display_name) == "renamed");

    REQUIRE(support->modify_status_row(same, true));  // back to MAPI's values
    CHECK(row_of_store(s->status_table().value()) == row_of_store(base));
}

} // TEST_SUITE

} // namespace report_sharing_tests
