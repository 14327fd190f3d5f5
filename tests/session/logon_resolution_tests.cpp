// SPDX-License-Identifier: MIT
// Logon resolution (MAPI-REFERENCE 3.3, DESIGN.md): arguments and flags, service mode, the
// shared session, profile names, the default profile, the picker, the logon lock and the
// subsystem's session cap. Rules 1-4, 9-20, 24, 25 and the matching decision-table rows.
#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace logon_resolution_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

bool any_step_contains(const logon_report& r, std::string_view part) {
    for (const auto& s : r.steps) {
        if (contains(s, part)) return true;
    }
    return false;
}

/// A world with profile "P" (one service, one store) and "Q", "Q" being the default.
struct two_profiles : world {
    explicit two_profiles(init_options o = {}) : world(o) {
        store_script = fake_store("MXXSTORE");
        add(profile_builder("P").service("S", "MXXSVC", {store("MXXSTORE", resource_flag::default_store)}));
        add(profile_builder("Q", true).service("T", "MXXSVC", {store("MXXSTORE", resource_flag::default_store)}));
    }
    std::shared_ptr<fake_script> store_script;
};

/// Blocks a provider's logon (and with it the logon lock) until opened.
struct gate {
    std::promise<void> open_promise;
    std::shared_future<void> opened = open_promise.get_future().share();
    std::atomic<bool> entered{false};
    void open() { open_promise.set_value(); }
};

} // namespace

TEST_SUITE("session/logon.hpp: resolution") {

TEST_CASE("rule 1: initialize with default options succeeds and a logon can follow (initialize_tests.cpp covers the rest)") {
    two_profiles w;
    CHECK(w.mapi.initialized());
    auto s = w.logon({.profile = "P", .flags = logon_flag::new_session});
    CHECK(s);
}

TEST_CASE("rule 2: a logon on a subsystem that was never initialised returns not_initialized") {
    subsystem none;
    auto s = sync_wait(none.logon({.profile = "P"}));
    CHECK(s.code() == scode::not_initialized);
    CHECK(s.info().message.find("initialise") != std::string::npos);
    CHECK(sync_wait(logon(subsystem{}, {})).code() == scode::not_initialized);
}

TEST_CASE("rule 3: after the last copy of a subsystem is gone a logon returns not_initialized") {
    two_profiles w;
    subsystem copy = w.mapi;
    copy.reset();
    CHECK(sync_wait(copy.logon({.profile = "P"})).code() == scode::not_initialized);
    CHECK(w.logon({.profile = "P", .flags = logon_flag::new_session}));  // the other copy still holds it
}

TEST_CASE("rule 4: initialize rejects unknown flags and a bad version, a logon needs a successful initialize") {
    auto bad = initialize({.flags = init_flags::from_bits_unchecked(0x2)});
    CHECK(bad.code() == scode::unknown_flags);
    auto bad_version = initialize({.version = 1});
    CHECK(bad_version.code() == scode::invalid_parameter);
}

TEST_CASE("decision row: call before initialize gives not_initialized (no session is made)") {
    subsystem none;
    auto s = sync_wait(none.logon({.profile = "P", .flags = logon_flag::new_session}));
    CHECK(s.code() == scode::not_initialized);
    CHECK(inspect_sessions(none).sessions == 0);
}

TEST_CASE("flags computed at run time with undefined bits give unknown_flags") {
    two_profiles w;
    auto s = w.logon({.profile = "P", .flags = runtime_flags(logon_flags::from_bits_unchecked(0x00000400))});
    CHECK(s.code() == scode::unknown_flags);
    w.check_released();
}

TEST_CASE("rule 20 / decision row: MAPI_LOGON_UI together with MAPI_PASSWORD_UI is invalid_parameter") {
    two_profiles w;
    scripted_ui ui;
    auto s = w.logon({.profile = "P",
                      .flags = runtime_flags(logon_flag::logon_ui | logon_flag::password_ui),
                      .ui = &ui});
    CHECK(s.code() == scode::invalid_parameter);
    CHECK(contains(s.info().message, "only one UI-enabling flag"));
    CHECK(ui.calls.empty());
    CHECK(w.store_script->logon_calls.load() == 0);
}

TEST_CASE("unknown logon_option bits give unknown_flags") {
    two_profiles w;
    auto s = w.logon({.profile = "P", .options = logon_options::from_bits_unchecked(0x10)});
    CHECK(s.code() == scode::unknown_flags);
}

TEST_CASE("rule 12: a NULL profile name with MAPI_USE_DEFAULT logs on to the default profile") {
    two_profiles w;
    auto s = w.logon({.flags = logon_flag::use_default | logon_flag::new_session});
    REQUIRE(s);
    CHECK(s->profile_name() == "Q");
    CHECK(any_step_contains(s->report(), "MAPI_USE_DEFAULT selects the default profile"));
    auto empty = w.logon({.profile = "", .flags = logon_flag::use_default | logon_flag::new_session});
    REQUIRE(empty);
    CHECK(empty->profile_name() == "Q");  // "NULL (or empty)"
}

TEST_CASE("a name given together with MAPI_USE_DEFAULT wins over the default profile") {
    two_profiles w;
    auto s = w.logon({.profile = "P", .flags = logon_flag::use_default | logon_flag::new_session});
    REQUIRE(s);
    CHECK(s->profile_name() == "P");
}

TEST_CASE("MAPI_USE_DEFAULT without a default profile fails with logon_failed saying so") {
    world w;
    w.fake_store("MXXSTORE");
    w.add(profile_builder("P").service("S", "MXXSVC", {store("MXXSTORE")}));
    auto s = w.logon({.flags = logon_flag::use_default});
    CHECK(s.code() == scode::logon_failed);
    CHECK(contains(s.info().message, "no default profile is set"));
    w.check_released();
}

TEST_CASE("rule 13: a NULL profile name with MAPI_LOGON_UI shows the picker with an empty name") {
    two_profiles w;
    scripted_ui ui;
    ui.profiles_to_choose = {"P"};
    auto s = w.logon({.flags = logon_flag::logon_ui | logon_flag::new_session, .ui_param = 0x1234, .ui = &ui});
    REQUIRE_MESSAGE(s, s.info().message);
    CHECK(s->profile_name() == "P");
    REQUIRE(ui.calls.size() == 1);
    CHECK(ui.calls[0] == "choose_profile()");
    CHECK(ui.ui_params[0] == 0x1234);
    REQUIRE(ui.offered_names.size() == 1);
    CHECK(ui.offered_names[0] == std::vector<std::string>{"P", "Q"});
}

TEST_CASE("rule 14 / decision row: a NULL profile with neither MAPI_USE_DEFAULT nor MAPI_LOGON_UI is logon_failed naming the flag") {
    two_profiles w;
    auto s = w.logon({.flags = logon_flag::new_session});
    CHECK(s.code() == scode::logon_failed);
    CHECK(contains(s.info().message, "neither MAPI_USE_DEFAULT nor MAPI_LOGON_UI"));
    CHECK(contains(s.info().message, "add MAPI_USE_DEFAULT"));
    CHECK(w.store_script->logon_calls.load() == 0);
    w.check_released();
}

TEST_CASE("rule 15: MAPI_EXPLICIT_PROFILE with a NULL name and no MAPI_USE_DEFAULT never selects the default profile") {
    two_profiles w;
    auto s = w.logon({.flags = logon_flag::explicit_profile | logon_flag::new_session});
    CHECK(s.code() == scode::logon_failed);
    CHECK(contains(s.info().message, "MAPI_EXPLICIT_PROFILE alone never selects the default profile"));
    auto with_default = w.logon({.flags = logon_flag::explicit_profile | logon_flag::use_default | logon_flag::new_session});
    REQUIRE(with_default);
    CHECK(with_default->profile_name() == "Q");
}

TEST_CASE("MAPI_LOGON_UI without a ui_handler cannot prompt and says so") {
    two_profiles w;
    auto s = w.logon({.flags = logon_flag::logon_ui});
    CHECK(s.code() == scode::logon_failed);
    CHECK(contains(s.info().message, "no ui_handler"));
}

TEST_CASE("decision row: an unknown profile name without MAPI_LOGON_UI is logon_failed") {
    two_profiles w;
    auto s = w.logon({.profile = "Nope", .flags = logon_flag::new_session});
    CHECK(s.code() == scode::logon_failed);
    CHECK(contains(s.info().message, "no profile called \"Nope\""));
    CHECK(s.info().low_level == static_cast<std::uint32_t>(scode::not_found));
    w.check_released();
}

TEST_CASE("decision row: an unknown profile name with MAPI_LOGON_UI prompts with the picker, the name given as initial") {
    two_profiles w;
    scripted_ui ui;
    ui.profiles_to_choose = {"Still nope", "Q"};
    auto s = w.logon({.profile = "Nope", .flags = logon_flag::logon_ui | logon_flag::new_session, .ui = &ui});
    REQUIRE_MESSAGE(s, s.info().message);
    CHECK(s->profile_name() == "Q");
    CHECK(ui.calls == std::vector<std::string>{"choose_profile(Nope)", "choose_profile(Still nope)"});
}

TEST_CASE("profile names compare without case and the session uses the store's spelling") {
    two_profiles w;
    auto s = w.logon({.profile = "p", .flags = logon_flag::new_session});
    REQUIRE(s);
    CHECK(s->profile_name() == "P");
}

TEST_CASE("rule 18: the user cancelling the profile picker makes the logon fail with user_cancel") {
    two_profiles w;
    scripted_ui ui;  // no answer: cancels
    auto s = w.logon({.flags = logon_flag::logon_ui | logon_flag::new_session, .ui = &ui});
    CHECK(s.code() == scode::user_cancel);
    CHECK(contains(s.info().message, "cancelled the profile picker"));
    w.check_released();
}

TEST_CASE("rule 19 / decision row: profile name rules give invalid_parameter") {
    two_profiles w;
    for (std::string bad : {std::string(65, 'a'), std::string(" P"), std::string("P "), std::string("a\\b"),
                            std::string("a\tb")}) {
        INFO(bad);
        auto s = w.logon({.profile = bad, .flags = logon_flag::new_session});
        CHECK(s.code() == scode::invalid_parameter);
        CHECK(contains(s.info().message, "rule 19"));
    }
    auto ok64 = w.logon({.profile = std::string(64, 'a'), .flags = logon_flag::new_session});
    CHECK(ok64.code() == scode::logon_failed);  // valid name, no such profile
    w.check_released();
}

TEST_CASE("rule 19 / decision row: a non-empty password is passed to the providers as their credential") {
    two_profiles w;
    auto s = w.logon({.profile = "P", .password = "secret", .flags = logon_flag::new_session});
    REQUIRE(s);
    REQUIRE(w.store_script->credentials.size() == 1);
    CHECK(w.store_script->credentials[0] == std::optional<std::string>("secret"));
    auto none = w.logon({.profile = "P", .flags = logon_flag::new_session});
    REQUIRE(none);
    CHECK(w.store_script->credentials[1] == std::nullopt);
}

TEST_CASE("ui_param is passed unchanged to providers") {
    two_profiles w;
    auto s = w.logon({.profile = "P", .flags = logon_flag::new_session, .ui_param = 0xBEEF});
    REQUIRE(s);
    CHECK(w.store_script->ui_params.at(0) == 0xBEEF);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("rule 9: without MAPI_NEW_SESSION a published shared session is returned whatever the profile name says") {
    two_profiles w;
    auto first = w.logon({.profile = "P", .flags = logon_flag::allow_others | logon_flag::new_session});
    REQUIRE(first);
    CHECK(first->shared());
    CHECK(w.counters().shared_published);
    auto joined = w.logon({.profile = "Q"});
    REQUIRE(joined);
    CHECK(joined->profile_name() == "P");
    CHECK(joined->report().joined_shared);
    CHECK(any_step_contains(joined->report(), "\"Q\" given was ignored"));
    CHECK(w.counters().sessions == 1);
    CHECK(w.counters().members == 2);
    CHECK(w.store_script->logon_calls.load() == 1);  // joining logs no provider on
}

TEST_CASE("rule 10: MAPI_NEW_SESSION never returns the shared session") {
    two_profiles w;
    auto shared = w.logon({.profile = "P", .flags = logon_flag::allow_others | logon_flag::new_session});
    REQUIRE(shared);
    auto own = w.logon({.profile = "P", .flags = logon_flag::new_session});
    REQUIRE(own);
    CHECK_FALSE(own->report().joined_shared);
    CHECK_FALSE(own->shared());
    CHECK(w.counters().sessions == 2);
    CHECK(w.store_script->logon_calls.load() == 2);
}

TEST_CASE("rule 11: a shared session is joined with no profile, no password, neither NEW_SESSION nor ALLOW_OTHERS") {
    two_profiles w;
    auto shared = w.logon({.profile = "P", .password = "pw", .flags = logon_flag::allow_others | logon_flag::new_session});
    REQUIRE(shared);
    auto joined = w.logon({});
    REQUIRE(joined);
    CHECK(joined->report().joined_shared);
    CHECK(joined->profile_name() == "P");
    CHECK(w.store_script->credentials.size() == 1);  // the joiner supplied nothing and nobody asked
}

TEST_CASE("decision row: shared sessions live while any member holds them") {
    two_profiles w;
    auto a = w.logon({.profile = "P", .flags = logon_flag::allow_others | logon_flag::new_session});
    REQUIRE(a);
    auto b = w.logon({});
    REQUIRE(b);
    sync_wait(a->logoff());
    CHECK_FALSE(*a);
    CHECK(*b);
    CHECK(b->status_table());
    CHECK(w.counters().sessions == 1);
    CHECK(w.counters().provider_logons == 1);
    auto c = w.logon({});  // still published
    REQUIRE(c);
    CHECK(c->report().joined_shared);
    sync_wait(b->logoff());
    sync_wait(c->logoff());
    w.check_released();
}

TEST_CASE("without a published shared session a logon without MAPI_NEW_SESSION makes a new one") {
    two_profiles w;
    auto s = w.logon({.profile = "P"});
    REQUIRE(s);
    CHECK_FALSE(s->report().joined_shared);
    CHECK(any_step_contains(s->report(), "no shared session is published"));
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("rule 24 / decision row: a service client that logs on without MAPI_NT_SERVICE gets invalid_parameter naming the rule") {
    two_profiles w({.flags = init_flag::nt_service});
    auto s = w.logon({.profile = "P", .flags = logon_flag::no_mail | logon_flag::new_session});
    CHECK(s.code() == scode::invalid_parameter);
    CHECK(contains(s.info().message, "rule 24"));
    CHECK(contains(s.info().message, "add MAPI_NT_SERVICE"));
    w.check_released();
}

TEST_CASE("rule 24 / decision row: a service client that logs on without MAPI_NO_MAIL gets invalid_parameter") {
    two_profiles w({.flags = init_flag::nt_service});
    auto s = w.logon({.profile = "P", .flags = runtime_flags(logon_flag::nt_service | logon_flag::new_session)});
    CHECK(s.code() == scode::invalid_parameter);
    CHECK(contains(s.info().message, "MAPI_NO_MAIL"));
}

TEST_CASE("rule 24: the canonical service logon works and providers see service_process and no dialog") {
    two_profiles w({.flags = init_flag::nt_service | init_flag::multithread_notifications});
    scripted_ui ui;
    auto s = w.logon({.profile = "P", .flags = service_logon_flags, .ui = &ui});
    REQUIRE_MESSAGE(s, s.info().message);
    CHECK(w.store_script->service_process.at(0));
    CHECK_FALSE(w.store_script->dialog_allowed.at(0));
    CHECK(ui.calls.empty());
    CHECK(s->report().no_mail);
}

TEST_CASE("rule 25 / decision row: a service client with a UI flag gets invalid_parameter and nothing is prompted") {
    two_profiles w({.flags = init_flag::nt_service});
    scripted_ui ui;
    ui.profiles_to_choose = {"P"};
    auto s = w.logon({.flags = runtime_flags(service_logon_flags | logon_flag::logon_ui), .ui = &ui});
    CHECK(s.code() == scode::invalid_parameter);
    CHECK(ui.calls.empty());
    // Without MAPI_NT_SERVICE the service-mode check names the missing flag first.
    auto t = w.logon({.flags = runtime_flags(logon_flag::no_mail | logon_flag::logon_ui), .ui = &ui});
    CHECK(t.code() == scode::invalid_parameter);
    CHECK(ui.calls.empty());
}

TEST_CASE("rule 25 / decision row: MAPI_NT_SERVICE on a subsystem not in service mode is invalid_parameter") {
    two_profiles w;
    auto s = w.logon({.profile = "P", .flags = service_logon_flags});
    CHECK(s.code() == scode::invalid_parameter);
    CHECK(contains(s.info().message, "not initialised with init_flag::nt_service"));
    w.check_released();
}

TEST_CASE("in service mode a missing profile is an error, never a prompt, even with a ui_handler") {
    two_profiles w({.flags = init_flag::nt_service});
    scripted_ui ui;
    ui.profiles_to_choose = {"P"};
    auto s = w.logon({.profile = "Nope", .flags = service_logon_flags, .ui = &ui});
    CHECK(s.code() == scode::logon_failed);
    CHECK(ui.calls.empty());
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("rule 17 / decision row: MAPI_TIMEOUT_SHORT while another logon holds the lock longer than short_timeout gives timeout") {
    two_profiles w({.short_timeout = std::chrono::milliseconds(20)});
    gate g;
    w.store_script->inspect = [&](provider_context&) {
        g.entered = true;
        g.opened.wait();
    };
    std::thread holder([&] {
        auto s = w.logon({.profile = "P", .flags = logon_flag::new_session});
        CHECK(s);
    });
    while (!g.entered.load()) std::this_thread::yield();
    CHECK(w.counters().logon_lock_held);
    auto quick = w.logon({.profile = "Q", .flags = logon_flag::new_session | logon_flag::timeout_short});
    CHECK(quick.code() == scode::timeout);
    CHECK(contains(quick.info().message, "rule 17"));
    CHECK(w.counters().logon_lock_waiters == 0);
    g.open();
    holder.join();
    w.check_released();
}

TEST_CASE("rule 17: without MAPI_TIMEOUT_SHORT a logon waits for the lock, then succeeds") {
    two_profiles w;
    gate g;
    std::atomic<int> calls{0};
    w.store_script->inspect = [&](provider_context&) {
        if (calls.fetch_add(1) == 0) {
            g.entered = true;
            g.opened.wait();
        }
    };
    std::thread holder([&] { CHECK(w.logon({.profile = "P", .flags = logon_flag::new_session})); });
    while (!g.entered.load()) std::this_thread::yield();
    std::thread opener([&] {
        while (w.counters().logon_lock_waiters == 0) std::this_thread::yield();
        g.open();
    });
    auto waited = w.logon({.profile = "Q", .flags = logon_flag::new_session});
    CHECK(waited);
    opener.join();
    holder.join();
    CHECK(waited->profile_name() == "Q");
}

TEST_CASE("decision row: the subsystem-wide session cap gives logon_failed with session_limit as the low-level code") {
    two_profiles w({.max_sessions = 2});
    auto a = w.logon({.profile = "P", .flags = logon_flag::new_session});
    auto b = w.logon({.profile = "P", .flags = logon_flag::new_session | logon_flag::allow_others});
    REQUIRE(a);
    REQUIRE(b);
    auto c = w.logon({.profile = "Q", .flags = logon_flag::new_session});
    CHECK(c.code() == scode::logon_failed);
    CHECK(c.info().low_level == static_cast<std::uint32_t>(scode::session_limit));
    CHECK(contains(c.info().message, "max_sessions"));
    auto joined = w.logon({});  // joining makes no new session: allowed
    CHECK(joined);
    sync_wait(a->logoff());
    auto d = w.logon({.profile = "Q", .flags = logon_flag::new_session});
    CHECK(d);
    CHECK(w.store_script->logon_calls.load() == 3);  // the refused logon called no provider
}

TEST_CASE("a subsystem without a profile store cannot log on") {
    auto mapi = initialize({}).value();
    auto s = sync_wait(mapi.logon({.profile = "P"}));
    CHECK(s.code() == scode::logon_failed);
    CHECK(contains(s.info().message, "init_options::profiles"));
}

TEST_CASE("the free function logon and the member do the same") {
    two_profiles w;
    auto a = sync_wait(logon(w.mapi, {.profile = "P", .flags = logon_flag::new_session}));
    REQUIRE(a);
    CHECK(a->profile_name() == "P");
}

TEST_CASE("MAPI_FORCE_DOWNLOAD, MAPI_BG_SESSION, MAPI_UNICODE, MAPI_EXTENDED and MAPI_APP_PROFILE are accepted and recorded") {
    two_profiles w;
    auto s = w.logon({.profile = "P",
                      .flags = logon_flag::force_download | logon_flag::bg_session | logon_flag::unicode |
                               logon_flag::extended | logon_flag::app_profile | logon_flag::new_session});
    REQUIRE(s);
    CHECK(s->report().force_download);
    CHECK(any_step_contains(s->report(), "MAPI_FORCE_DOWNLOAD accepted"));
    CHECK(any_step_contains(s->report(), "MAPI_BG_SESSION accepted"));
    CHECK(any_step_contains(s->report(), "MAPI_UNICODE accepted"));
    CHECK(any_step_contains(s->report(), "MAPI_APP_PROFILE accepted"));
    CHECK(s->flags().has(logon_flag::unicode));
}

}

} // namespace logon_resolution_tests
