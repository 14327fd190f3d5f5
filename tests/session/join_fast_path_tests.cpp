// SPDX-License-Identifier: MIT
// A join that needs nothing else (rules 9 and 11) is made without the logon's coroutines, and
// its report is shared with the joiners that joined alike; status row changes are shared
// between sessions without one session's change reaching another; the supports of a session
// keep their address however many are made.
#include "session_fakes.hpp"

#include <mapixx/providers/memory_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace join_fast_path_tests {

using namespace mapixx;
using namespace mapixx_test;

constexpr flags<logon_flag> publish =
    logon_flag::extended | logon_flag::allow_others | logon_flag::new_session | logon_flag::explicit_profile;
constexpr flags<logon_flag> alone = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;

bool has_step(const logon_report& r, std::string_view part) {
    for (const auto& line : r.steps) {
        if (line.find(part) != std::string::npos) return true;
    }
    return false;
}

struct join_world : world {
    join_world() {
        store_a = fake_store("JSTORE");
        ab_a = fake_ab("JAB");
        add(profile_builder("P").service("A", "ASVC", {store("JSTORE", resource_flag::default_store), ab("JAB")}));
        add(profile_builder("Q").service("B", "BSVC", {store("JSTORE", resource_flag::default_store)}));
    }
    std::shared_ptr<fake_script> store_a, ab_a;
};

/// A memory store and a transport: MAPI_NO_MAIL sessions that a mail client can open (rule 23).
struct mail_join_world : world {
    mail_join_world() {
        data = std::make_shared<memory_store_data>();
        providers.add_store("MXXMEM", [d = data] { return std::make_unique<memory_store>(d); });
        xp = fake_transport("JXP");
        add(profile_builder("M").service("MAIL", "MAILSVC", {store("MXXMEM", resource_flag::default_store), transport("JXP")}));
    }
    std::shared_ptr<memory_store_data> data;
    std::shared_ptr<fake_script> xp;
};

TEST_SUITE("session/join without coroutines") {

TEST_CASE("joiners alike share one report, a profile name or a password given makes a report of its own") {
    join_world w;
    auto publisher = w.logon({.profile = "P", .flags = publish});
    REQUIRE(publisher);
    const int logons_before = w.store_a->logon_calls.load();
    auto a = w.logon({.flags = logon_flag::extended});
    auto b = w.logon({.flags = logon_flag::extended});
    auto named = w.logon({.profile = "Elsewhere", .flags = logon_flag::extended});
    auto named_again = w.logon({.profile = "Elsewhere", .flags = logon_flag::extended});
    auto other_name = w.logon({.profile = "Q", .flags = logon_flag::extended});
    auto with_password = w.logon({.password = "secret", .flags = logon_flag::extended});
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(named);
    REQUIRE(named_again);
    REQUIRE(other_name);
    REQUIRE(with_password);
    CHECK(w.store_a->logon_calls.load() == logons_before);  // no provider logged on by a join
    for (const session* s : {&*a, &*b, &*named, &*named_again, &*other_name, &*with_password}) {
        CHECK(s->report().joined_shared);
        CHECK(s->report().profile_name == "P");
        CHECK(s->report().services == publisher->report().services);
        CHECK(has_step(s->report(), "joined the published shared session of profile \"P\""));
    }
    CHECK(&a->report() == &b->report());
    CHECK(&named->report() == &named_again->report());
    CHECK(&named->report() != &a->report());
    CHECK(&other_name->report() != &named->report());
    CHECK(has_step(named->report(), "the profile name \"Elsewhere\" given was ignored"));
    CHECK(has_step(other_name->report(), "the profile name \"Q\" given was ignored"));
    CHECK_FALSE(has_step(a->report(), "given was ignored"));
    CHECK(has_step(with_password->report(), "the password given was ignored"));
    CHECK_FALSE(has_step(a->report(), "password"));

    const auto live = inspect_sessions(w.mapi);
    CHECK(live.members == 7);
    CHECK(live.sessions == 1);
    CHECK(live.logons_in_progress == 0);
    for (session* s : {&*a, &*b, &*named, &*named_again, &*other_name, &*with_password}) sync_wait(s->logoff());
    CHECK(inspect_sessions(w.mapi).members == 1);
    CHECK(*publisher);  // the members left; the session goes on
    sync_wait(publisher->logoff());
    w.check_released();
}

TEST_CASE("more kinds of joiner than the registry keeps reports for: each still gets its own, right report") {
    join_world w;
    auto publisher = w.logon({.profile = "P", .flags = publish});
    REQUIRE(publisher);
    std::vector<session> joiners;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 12; ++i) {
            const std::string name = "name" + std::to_string(i);
            auto j = w.logon({.profile = name, .flags = logon_flag::extended});
            REQUIRE(j);
            CHECK(has_step(j->report(), "the profile name \"" + name + "\" given was ignored"));
            CHECK_FALSE(has_step(j->report(), "the profile name \"name" + std::to_string((i + 1) % 12) + "\""));
            joiners.push_back(std::move(*j));
        }
    }
    CHECK(inspect_sessions(w.mapi).members == 25);
    for (auto& j : joiners) sync_wait(j.logoff());
    sync_wait(publisher->logoff());
    w.check_released();
}

TEST_CASE("a joiner's report notes its arguments: a UI flag without a ui_handler") {
    join_world w;
    auto publisher = w.logon({.profile = "P", .flags = publish});
    REQUIRE(publisher);
    auto plain = w.logon({.flags = logon_flag::extended});
    auto with_ui = w.logon({.flags = logon_flag::extended | logon_flag::logon_ui});
    auto with_ui_again = w.logon({.flags = logon_flag::extended | logon_flag::logon_ui});
    REQUIRE(plain);
    REQUIRE(with_ui);
    REQUIRE(with_ui_again);
    CHECK(has_step(with_ui->report(), "a UI flag is set but no ui_handler was given"));
    CHECK_FALSE(has_step(plain->report(), "ui_handler"));
    CHECK(&with_ui->report() == &with_ui_again->report());
    CHECK(with_ui->report().flags.has(logon_flag::logon_ui));
    CHECK_FALSE(plain->report().flags.has(logon_flag::logon_ui));
}

TEST_CASE("a joiner whose arguments break a rule is refused as by any logon, and does not join") {
    join_world w;
    auto publisher = w.logon({.profile = "P", .flags = publish});
    REQUIRE(publisher);
    auto ok = w.logon({.flags = logon_flag::extended});  // a report for these arguments exists now
    REQUIRE(ok);
    auto refused = w.logon({.flags = logon_flag::extended | logon_flag::nt_service | logon_flag::no_mail});
    CHECK(refused.code() == scode::invalid_parameter);
    CHECK(inspect_sessions(w.mapi).members == 2);
    auto unknown = w.logon({.flags = runtime_flags(logon_flags::from_bits_unchecked(0x00000400))});  // not a MAPILogonEx flag
    CHECK(unknown.code() == scode::unknown_flags);
    CHECK(inspect_sessions(w.mapi).members == 2);
}

TEST_CASE("a new shared session gets reports of its own: nothing of the last one's joiners carries over") {
    join_world w;
    auto first = w.logon({.profile = "P", .flags = publish});
    REQUIRE(first);
    auto j1 = w.logon({.flags = logon_flag::extended});
    REQUIRE(j1);
    CHECK(j1->report().profile_name == "P");
    sync_wait(j1->logoff(logoff_flag::shared));  // ends the shared session
    CHECK_FALSE(*first);
    auto second = w.logon({.profile = "Q", .flags = publish});
    REQUIRE(second);
    auto j2 = w.logon({.flags = logon_flag::extended});
    REQUIRE(j2);
    CHECK(j2->report().joined_shared);
    CHECK(j2->report().profile_name == "Q");
    CHECK(j2->report().services == second->report().services);
    CHECK(has_step(j2->report(), "of profile \"Q\""));
    sync_wait(j2->logoff());
    sync_wait(second->logoff());
    w.check_released();
}

TEST_CASE("joiners after a mail client opened a MAPI_NO_MAIL session (rule 23) get reports of a mail session") {
    mail_join_world w;
    auto service = w.logon({.profile = "M", .flags = publish | logon_flag::no_mail});
    REQUIRE(service);
    auto quiet = w.logon({.flags = logon_flag::extended | logon_flag::no_mail});
    REQUIRE(quiet);
    CHECK(quiet->report().no_mail);
    CHECK(w.xp->logon_calls.load() == 0);

    auto client = w.logon({.flags = logon_flag::extended});  // rule 23: the full logon opens the session for mail
    REQUIRE(client);
    CHECK(w.xp->logon_calls.load() == 1);
    CHECK_FALSE(client->report().no_mail);

    auto quiet_after = w.logon({.flags = logon_flag::extended | logon_flag::no_mail});
    REQUIRE(quiet_after);
    CHECK_FALSE(quiet_after->report().no_mail);  // the session is a mail session now
    CHECK(&quiet_after->report() != &quiet->report());
    CHECK(quiet->report().no_mail);  // what the earlier joiner was told stays as it was
    auto client_after = w.logon({.flags = logon_flag::extended});
    REQUIRE(client_after);
    CHECK(w.xp->logon_calls.load() == 1);  // no second transport logon
    CHECK_FALSE(client_after->report().no_mail);

    for (session* s : {&*client_after, &*quiet_after, &*client, &*quiet}) sync_wait(s->logoff());
    sync_wait(service->logoff());
    CHECK(w.xp->live_logons.load() == 0);
    w.check_released();
}

TEST_CASE("joins and leaves from several threads at once keep the members and counters right") {
    join_world w;
    auto publisher = w.logon({.profile = "P", .flags = publish});
    REQUIRE(publisher);
    std::atomic<int> joined{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                auto j = sync_wait(w.mapi.logon({.profile = (i % 2 == 0) ? std::string_view("x") : std::string_view(),
                                                 .flags = logon_flag::extended}));
                if (j && j->report().joined_shared) joined.fetch_add(1);
                if (j && (i + t) % 3 == 0) sync_wait(j->logoff());  // the others leave in the destructor
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(joined.load() == 800);
    const auto live = inspect_sessions(w.mapi);
    CHECK(live.members == 1);
    CHECK(live.sessions == 1);
    CHECK(*publisher);
    sync_wait(publisher->logoff());
    w.check_released();
}

TEST_CASE("a session does not list its members: who advised, who left, and who ended with the session stay apart") {
    join_world w;
    auto a = w.logon({.profile = "P", .flags = publish});
    REQUIRE(a);
    int a_events = 0, c_events = 0, d_events = 0;
    auto ca = a->advise([&](const session_event&) { ++a_events; });
    REQUIRE(ca);
    auto b = w.logon({});  // never advises
    auto c = w.logon({});
    REQUIRE(b);
    REQUIRE(c);
    REQUIRE(b->report().joined_shared);
    auto cc = c->advise([&](const session_event&) { ++c_events; });
    REQUIRE(cc);
    // A member removes only the connections it made, whether it has made any or not.
    CHECK(b->unadvise(*ca).code() == scode::not_found);
    CHECK(b->unadvise(*cc).code() == scode::not_found);
    CHECK(c->unadvise(*ca).code() == scode::not_found);
    sync_wait(b->logoff());
    CHECK_FALSE(*b);
    CHECK(*a);
    CHECK(inspect_sessions(w.mapi).members == 2);
    auto d = w.logon({});
    REQUIRE(d);
    REQUIRE(d->advise([&](const session_event&) { ++d_events; }));
    *d = session{};  // leaves (as its destructor does), and its sink with it
    CHECK(inspect_sessions(w.mapi).members == 2);
    auto e = w.logon({});
    REQUIRE(e);
    CHECK(inspect_sessions(w.mapi).members == 3);
    sync_wait(c->logoff(logoff_flag::shared));  // rule 32
    CHECK_FALSE(*a);
    CHECK_FALSE(*c);
    CHECK_FALSE(*e);
    CHECK(a->status_table().code() == scode::end_of_session);
    CHECK(a_events == 1);
    CHECK(c_events == 1);
    CHECK(d_events == 0);
    CHECK(inspect_sessions(w.mapi).members == 0);
    CHECK(inspect_sessions(w.mapi).sessions == 0);
    sync_wait(e->logoff());  // ended with its session: its own logoff changes no count
    sync_wait(a->logoff());
    CHECK(e->advise([](const session_event&) {}).code() == scode::end_of_session);
    CHECK(inspect_sessions(w.mapi).members == 0);
    auto fresh = w.logon({.profile = "P", .flags = publish});
    REQUIRE(fresh);
    CHECK(inspect_sessions(w.mapi).members == 1);
}

TEST_CASE("a shared session that a newer one replaced keeps its members counted until it ends, and each end takes out only its own") {
    join_world w;
    auto first = w.logon({.profile = "P", .flags = publish});
    REQUIRE(first);
    auto first_joiner = w.logon({});
    REQUIRE(first_joiner);
    REQUIRE(first_joiner->report().joined_shared);
    CHECK(inspect_sessions(w.mapi).members == 2);
    // MAPI_NEW_SESSION with MAPI_ALLOW_OTHERS: a second shared session is published in place
    // of the first, which goes on with its two members.
    auto second = w.logon({.profile = "Q", .flags = publish});
    REQUIRE(second);
    auto second_joiners = std::vector<session>();
    for (int i = 0; i < 3; ++i) {
        auto j = w.logon({});
        REQUIRE(j);
        REQUIRE(j->report().profile_name == "Q");
        second_joiners.push_back(std::move(*j));
    }
    auto single = w.logon({.profile = "P", .flags = alone});
    REQUIRE(single);
    CHECK(inspect_sessions(w.mapi).members == 2 + 4 + 1);
    CHECK(inspect_sessions(w.mapi).sessions == 3);

    sync_wait(first_joiner->logoff());
    CHECK(inspect_sessions(w.mapi).members == 1 + 4 + 1);
    sync_wait(first->logoff());  // its last member: the unpublished session ends
    CHECK_FALSE(*first);
    CHECK(*second);
    CHECK(inspect_sessions(w.mapi).members == 4 + 1);
    CHECK(inspect_sessions(w.mapi).sessions == 2);
    sync_wait(second_joiners[1].logoff(logoff_flag::shared));  // rule 32: all four end
    CHECK_FALSE(*second);
    CHECK(inspect_sessions(w.mapi).members == 1);
    CHECK(inspect_sessions(w.mapi).shared_published == false);
    sync_wait(single->logoff(logoff_flag::shared));  // rule 33: an individual session's own end
    CHECK(inspect_sessions(w.mapi).members == 0);
    CHECK(inspect_sessions(w.mapi).sessions == 0);
    w.check_released();
}

} // TEST_SUITE

TEST_SUITE("session/status row sharing") {

TEST_CASE("sessions whose providers set the same row hold equal rows, and a change in one reaches no other") {
    join_world w;
    std::vector<provider_support*> supports;
    w.store_a->inspect = [&](provider_context& ctx) {
        property_bag row;
        (void)row.set(pr::status_string, std::string("Ready"));
        (void)ctx.support.modify_status_row(row, true);
        supports.push_back(&ctx.support);
    };
    auto one = w.logon({.profile = "P", .flags = alone});
    auto two = w.logon({.profile = "P", .flags = alone});
    REQUIRE(one);
    REQUIRE(two);
    REQUIRE(supports.size() == 2);
    auto store_row = [](const session& s) {
        for (const auto& r : s.status_table().value()) {
            if (r.get_string(pr::provider_dll_name) == "JSTORE") return r;
        }
        FAIL("no JSTORE row");
        return property_bag{};
    };
    CHECK(store_row(*one).get_string(pr::status_string) == "Ready");
    CHECK(store_row(*one) == store_row(*two));

    property_bag busy;
    (void)busy.set(pr::status_string, std::string("Busy"));
    REQUIRE(supports[0]->modify_status_row(busy, true));
    CHECK(store_row(*one).get_string(pr::status_string) == "Busy");
    CHECK(store_row(*two).get_string(pr::status_string) == "Ready");

    property_bag replaced;
    (void)replaced.set(pr::status_string, std::string("Replaced"));
    REQUIRE(supports[1]->modify_status_row(replaced, false));
    CHECK(store_row(*two).get_string(pr::status_string) == "Replaced");
    CHECK(store_row(*one).get_string(pr::status_string) == "Busy");

    REQUIRE(supports[0]->modify_status_row(replaced, false));  // now the same as two's
    CHECK(store_row(*one) == store_row(*two));
    REQUIRE(supports[0]->modify_status_row(busy, true));
    CHECK(store_row(*two).get_string(pr::status_string) == "Replaced");
    sync_wait(one->logoff());
    CHECK(store_row(*two).get_string(pr::status_string) == "Replaced");
    CHECK(supports[0]->modify_status_row(busy, true).code() == scode::end_of_session);
}

TEST_CASE("a session's supports keep their address when more are made than its block holds") {
    auto core = std::make_shared<detail::session_core>();
    std::lock_guard guard(core->mutex);
    core->reserve_supports(2);
    std::vector<detail::session_support*> made;
    for (std::size_t row = 10; row < 15; ++row) made.push_back(&core->add_support(row));
    std::vector<detail::session_support*> seen;
    core->for_each_support([&](detail::session_support& s) { seen.push_back(&s); });
    CHECK(seen == made);
    for (std::size_t i = 0; i < made.size(); ++i) {
        CHECK(made[i]->row() == 10 + i);
        CHECK(made[i]->active());
    }
    core->for_each_support([](detail::session_support& s) { s.set_active(false); });
    for (auto* s : made) CHECK_FALSE(s->active());
}

} // TEST_SUITE

} // namespace join_fast_path_tests
