// SPDX-License-Identifier: MIT
// Logon reports are immutable once the logon returns, and sessions whose logons went the same
// way share one; a status row keeps only what a provider changed from MAPI's row.
#include "session_fakes.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <optional>
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

/// Two profiles of different shapes: "P" (one service: a store and an address book) and "Q"
/// (two services: a store and two address books; a store).
struct two_shape_world : report_world {
    two_shape_world() {
        store_q = fake_store("QSTORE");
        ab_q = fake_ab("QAB");
        extra_q = fake_store("QEXTRA");
        add(profile_builder("Q")
                .service("Q1", "Q1SVC", {store("QSTORE", resource_flag::default_store), ab("QAB"), ab("QAB")})
                .service("Q2", "Q2SVC", {store("QEXTRA")}));
    }
    /// Reports that no session holds, kept for the next logons.
    std::size_t kept_reports() const { return mapi.state()->sessions.spare_reports->kept(); }
    std::shared_ptr<fake_script> store_q, ab_q, extra_q;
};

logon_report logon_and_copy(world& w, const char* profile) {
    auto s = w.logon({.profile = profile, .flags = individual});
    REQUIRE(s);
    logon_report copy = s->report();
    sync_wait(s->logoff());
    return copy;
}

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

TEST_CASE("a report no session holds any more is filled again by the next logon, and every field is that logon's") {
    two_shape_world w;
    const logon_report fresh_p = logon_and_copy(w, "P");
    const logon_report fresh_q = logon_and_copy(w, "Q");
    REQUIRE(w.kept_reports() >= 1);

    // P goes badly: the store is retried, the address book disabled alone. Its report has
    // two attempts, sentences and a longer list of steps.
    w.store_a->steps = {fake_step::error(scode::network_error, "the server did not answer")};
    w.ab_a->steps = {fake_step::error(scode::failoneprovider, "the address book is offline")};
    const logon_report bad_p = logon_and_copy(w, "P");
    REQUIRE(bad_p.services.at(0).providers.at(0).attempts.size() == 2);
    REQUIRE(bad_p.services.at(0).providers.at(1).outcome == provider_outcome::disabled);
    REQUIRE(bad_p.steps.size() > fresh_p.steps.size());

    // Q, then P, each in the block the logon before let go: equal to the reports made new.
    const std::size_t kept = w.kept_reports();
    std::size_t before_q_goes = 0;
    {
        auto q = w.logon({.profile = "Q", .flags = individual});
        REQUIRE(q);
        CHECK(w.kept_reports() == kept - 1);  // it took one
        CHECK(q->report() == fresh_q);
        const logon_report q_copy = q->report();
        CHECK(logon_and_copy(w, "P") == fresh_p);
        const std::size_t before = w.kept_reports();
        CHECK(logon_and_copy(w, "Q") == fresh_q);  // shares q's report; the block it filled goes back at once
        CHECK(w.kept_reports() == before);
        CHECK(q->report() == q_copy);
        sync_wait(q->logoff());
        CHECK(q->report() == q_copy);  // a handle keeps its report after its logoff
        before_q_goes = w.kept_reports();
    }
    CHECK(w.kept_reports() == before_q_goes + 1);  // q's report came back with its handle
}

TEST_CASE("a report shared by two sessions comes back only when both handles are gone") {
    two_shape_world w;
    std::optional<session> first, second;
    {
        auto a = w.logon({.profile = "P", .flags = individual});
        auto b = w.logon({.profile = "P", .flags = individual});
        REQUIRE(a);
        REQUIRE(b);
        first.emplace(std::move(*a));
        second.emplace(std::move(*b));
    }
    REQUIRE(&first->report() == &second->report());
    const logon_report copy = second->report();
    sync_wait(first->logoff());
    const std::size_t kept = w.kept_reports();
    first.reset();
    CHECK(w.kept_reports() == kept);
    CHECK(logon_and_copy(w, "Q").profile_name == "Q");  // another profile's logon comes and goes
    CHECK(second->report() == copy);
    const std::size_t after_q = w.kept_reports();
    sync_wait(second->logoff());
    second.reset();
    CHECK(w.kept_reports() == after_q + 1);
}

TEST_CASE("a logon that fails gives the report block it took back, and at most a few reports are kept") {
    two_shape_world w;
    (void)logon_and_copy(w, "P");
    const std::size_t kept = w.kept_reports();
    REQUIRE(kept >= 1);
    w.store_a->otherwise = fake_step::error(scode::network_error, "the server did not answer");
    auto failed = w.logon({.profile = "P", .flags = individual, .options = logon_option::require_all_services});
    REQUIRE_FALSE(failed);
    CHECK(w.kept_reports() == kept);
    w.store_a->otherwise = fake_step::ok();

    // Each logon's address book fails with its own sentence: no two reports are equal, none is shared.
    int n = 0;
    w.ab_a->decide = [&n](const provider_context&) {
        return fake_step::error(scode::failoneprovider, "offline " + std::to_string(++n));
    };
    std::vector<session> live;
    for (std::size_t i = 0; i < detail::report_pool::limit + 3; ++i) {
        auto s = w.logon({.profile = "P", .flags = individual});
        REQUIRE(s);
        live.push_back(std::move(*s));
    }
    REQUIRE(&live[0].report() != &live[1].report());
    CHECK(w.kept_reports() == 0);
    for (auto& s : live) sync_wait(s.logoff());
    live.clear();
    CHECK(w.kept_reports() == detail::report_pool::limit);
    w.check_released();
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
