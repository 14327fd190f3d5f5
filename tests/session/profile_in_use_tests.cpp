// SPDX-License-Identifier: MIT
// A session holds a profile_lease for its whole life: a profile deleted or renamed while a
// session uses it changes only when the last session ends (rules 39 and 43, DESIGN.md rows
// "Delete of a profile in use" and "Rename of a profile in use").
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <string>

namespace profile_in_use_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

/// A world whose subsystem shares its profile_usage with a profile_admin.
struct admin_world {
    admin_world() {
        script = std::make_shared<fake_script>();
        script->dll = "XSTORE";
        providers.add_store("XSTORE", [s = script] { return std::make_unique<fake_provider<store_provider>>(s); });
        profiles.create(profile_builder("P").service("S", "XSVC", {store("XSTORE")}).build()).value();
        profiles.create(profile_builder("Other").service("S", "XSVC", {store("XSTORE")}).build()).value();
        mapi = initialize({.profiles = &profiles, .providers = &providers, .admin = &admin}).value();
    }
    result<session> logon(logon_request r) { return sync_wait(mapi.logon(std::move(r))); }
    std::vector<std::string> table_names() const {
        std::vector<std::string> out;
        const auto table = admin.profile_table().value();
        for (const auto& row : table) out.emplace_back(*row.get_string(pr::display_name));
        return out;
    }

    memory_profile_store profiles;
    service_catalog catalog = service_catalog::parse("[Services]\n");
    profile_admin admin{profiles, catalog};
    provider_registry providers;
    std::shared_ptr<fake_script> script;
    subsystem mapi;
};

constexpr flags<logon_flag> individual = logon_flag::new_session;

} // namespace

TEST_SUITE("session/logon.hpp: profiles in use") {

TEST_CASE("a session holds a lease on its profile for its whole life") {
    admin_world w;
    CHECK_FALSE(w.admin.usage().in_use("P"));
    {
        auto s = w.logon({.profile = "P", .flags = individual});
        REQUIRE(s);
        CHECK(w.admin.usage().lease_count("P") == 1);
        auto t = w.logon({.profile = "p", .flags = individual});
        REQUIRE(t);
        CHECK(w.admin.usage().lease_count("P") == 2);
        sync_wait(t->logoff());
        CHECK(w.admin.usage().lease_count("P") == 1);
    }
    CHECK_FALSE(w.admin.usage().in_use("P"));
}

TEST_CASE("a failed logon gives its profile lease back") {
    admin_world w;
    w.script->otherwise = fake_step::error(scode::user_cancel);
    auto s = w.logon({.profile = "P", .flags = individual});
    CHECK(s.code() == scode::user_cancel);
    CHECK_FALSE(w.admin.usage().in_use("P"));
}

TEST_CASE("rule 39 / decision row: deleting a profile in use succeeds, it leaves the profile table at once and the store when its last session ends") {
    admin_world w;
    CHECK(w.admin.delete_profile("Nope").code() == scode::not_found);
    auto a = w.logon({.profile = "P", .flags = individual});
    auto b = w.logon({.profile = "P", .flags = individual | logon_flag::allow_others});
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(w.admin.delete_profile("P"));
    CHECK(w.table_names() == std::vector<std::string>{"Other"});
    CHECK(w.profiles.load("P"));  // still stored while in use
    CHECK(a->status_table());    // the sessions go on
    auto c = w.logon({.profile = "P", .flags = individual});
    CHECK(c.code() == scode::logon_failed);  // a new session cannot start on it
    auto joined = w.logon({});               // joining the shared session needs no new lease
    CHECK(joined);
    sync_wait(a->logoff());
    CHECK(w.profiles.load("P"));
    sync_wait(b->logoff());
    CHECK(w.profiles.load("P"));  // the joined member still holds the shared session
    sync_wait(joined->logoff());
    CHECK(w.profiles.load("P").code() == scode::not_found);
    CHECK(w.admin.usage().deferred_errors().empty());
}

TEST_CASE("a profile deleted while in use is not offered by the picker nor used as the default") {
    admin_world w;
    REQUIRE(w.admin.set_default_profile("P"));
    auto a = w.logon({.profile = "P", .flags = individual});
    REQUIRE(a);
    REQUIRE(w.admin.delete_profile("P"));
    scripted_ui ui;
    ui.profiles_to_choose = {"Other"};
    auto s = w.logon({.flags = logon_flag::use_default | logon_flag::logon_ui | individual, .ui = &ui});
    REQUIRE(s);
    CHECK(s->profile_name() == "Other");
    REQUIRE(ui.offered_names.size() == 1);
    CHECK(ui.offered_names[0] == std::vector<std::string>{"Other"});
}

TEST_CASE("rule 43 / decision row: renaming a profile in use succeeds, the table keeps the old name until the last session ends") {
    admin_world w;
    auto a = w.logon({.profile = "P", .flags = individual});
    REQUIRE(a);
    REQUIRE(w.admin.rename_profile("P", "Renamed"));
    CHECK(w.table_names() == std::vector<std::string>{"P", "Other"});
    CHECK(a->profile_name() == "P");
    auto b = w.logon({.profile = "P", .flags = individual});  // still called P meanwhile
    REQUIRE(b);
    sync_wait(a->logoff());
    CHECK(w.table_names() == std::vector<std::string>{"P", "Other"});
    sync_wait(b->logoff());
    CHECK(w.table_names() == std::vector<std::string>{"Renamed", "Other"});
    auto c = w.logon({.profile = "Renamed", .flags = individual});
    REQUIRE(c);
    CHECK(c->profile_name() == "Renamed");
}

TEST_CASE("a subsystem given init_options::usage shares that registry") {
    memory_profile_store profiles;
    profile_usage usage{profiles};
    provider_registry providers;
    auto script = std::make_shared<fake_script>();
    providers.add_store("XSTORE", [script] { return std::make_unique<fake_provider<store_provider>>(script); });
    profiles.create(profile_builder("P").service("S", "XSVC", {store("XSTORE")}).build()).value();
    auto mapi = initialize({.profiles = &profiles, .providers = &providers, .usage = &usage}).value();
    auto s = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
    REQUIRE(s);
    CHECK(usage.in_use("P"));
    CHECK(usage.remove_profile("P").value() == deferral::deferred);
    sync_wait(s->logoff());
    CHECK(profiles.load("P").code() == scode::not_found);
}

}

} // namespace profile_in_use_tests
