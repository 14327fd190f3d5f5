// SPDX-License-Identifier: MIT
// Fault injection: every kind of provider (address book, store, transport) in every position
// (first, middle, last message service) fails with every kind of result (each error code, a
// std::exception, another exception) at the first attempt or at both; with and without
// require_all_services and a UI. Afterwards sessions, members, provider logons, slots, the
// logon lock, the shared registration and every provider object are back to zero.
#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace fault_injection_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

struct nine_providers : world {
    nine_providers() {
        for (int s = 1; s <= 3; ++s) {
            const std::string n = std::to_string(s);
            dlls.push_back("AB" + n);
            dlls.push_back("ST" + n);
            dlls.push_back("XP" + n);
            fake_ab("AB" + n);
            fake_store("ST" + n);
            fake_transport("XP" + n);
        }
        add(profile_builder("P")
                .service("S1", "SVC1", {ab("AB1"), store("ST1", resource_flag::default_store), transport("XP1")})
                .service("S2", "SVC2", {ab("AB2"), store("ST2"), transport("XP2")})
                .service("S3", "SVC3", {ab("AB3"), store("ST3"), transport("XP3")}));
    }
    std::vector<std::string> dlls;  // same order as `scripts`
};

struct fault {
    std::string name;
    fake_step step;
    scode code;  // what the logon sees
};

std::vector<fault> all_faults() {
    std::vector<fault> out;
    for (scode c : {scode::user_cancel, scode::failoneprovider, scode::unconfigured, scode::logon_failed,
                    scode::session_limit, scode::network_error, scode::call_failed, scode::not_found,
                    scode::version, scode::no_access}) {
        out.push_back({std::string(scode_name(c)), fake_step::error(c, "injected"), c});
    }
    out.push_back({"std::exception", fake_step::exception("injected exception"), scode::call_failed});
    out.push_back({"int exception", fake_step::non_std_exception(), scode::call_failed});
    return out;
}

} // namespace

TEST_SUITE("session/logon.hpp: fault injection") {

TEST_CASE("every fault, in every provider position, at attempt 1 or at both attempts, leaves nothing behind") {
    const auto faults = all_faults();
    int logons = 0, failures = 0;
    for (std::size_t victim = 0; victim < 9; ++victim) {
        for (const auto& f : faults) {
            for (bool both_attempts : {false, true}) {
                for (bool require_all : {false, true}) {
                    for (bool with_ui : {false, true}) {
                        nine_providers w;
                        auto& script = *w.scripts[victim];
                        if (both_attempts) {
                            script.otherwise = f.step;
                        } else {
                            script.script({f.step});
                        }
                        scripted_ui ui;
                        ui.passwords = {"typed"};  // a rejected credential is retried with this one
                        logon_request req{.profile = "P",
                                          .flags = runtime_flags(logon_flag::new_session | logon_flag::allow_others |
                                                                 (with_ui ? logon_flags(logon_flag::logon_ui)
                                                                          : logon_flags{})),
                                          .options = require_all ? logon_options(logon_option::require_all_services)
                                                                 : logon_options{},
                                          .ui = with_ui ? &ui : nullptr};
                        INFO("victim " << w.dlls[victim] << ", fault " << f.name << (both_attempts ? ", both attempts" : ", attempt 1")
                                       << (require_all ? ", require_all_services" : "") << (with_ui ? ", UI" : ""));
                        ++logons;
                        {
                            auto s = w.logon(req);
                            scode expected = scode::success;
                            if (f.code == scode::user_cancel) {
                                expected = scode::user_cancel;
                            } else if (both_attempts && require_all && f.code != scode::failoneprovider) {
                                expected = f.code;
                            }
                            CHECK(s.code() == expected);
                            if (s) {
                                // Counters agree with the report while the session lives.
                                std::size_t live = 0;
                                for (const auto& svc : s->report().services) {
                                    for (const auto& p : svc.providers) live += p.outcome == provider_outcome::logged_on;
                                }
                                CHECK(w.counters().provider_logons == live);
                                CHECK(w.counters().slots == live);
                                CHECK(s->providers().value().size() == live);
                                CHECK(w.counters().sessions == 1);
                                CHECK(w.counters().shared_published);
                                CHECK_FALSE(w.counters().logon_lock_held);
                                if (both_attempts && f.code != scode::failoneprovider) {
                                    CHECK(live == 6);  // the victim's service (3 providers) is disabled
                                } else if (f.code == scode::failoneprovider) {
                                    CHECK(live == 8);
                                } else {
                                    CHECK(live == 9);
                                }
                                if (victim % 2 == 0) sync_wait(s->logoff());  // the others: the destructor
                            } else {
                                ++failures;
                            }
                        }
                        CHECK(w.all_released());
                    }
                }
            }
        }
    }
    CHECK(logons == 9 * 12 * 2 * 2 * 2);
    CHECK(failures > 0);
}

TEST_CASE("a failing logon releases the slots of a DLL with a session limit, so the next logon gets them") {
    nine_providers w;
    w.scripts[1]->max_sessions = 1;  // ST1
    w.scripts[8]->otherwise = fake_step::error(scode::user_cancel);
    for (int i = 0; i < 5; ++i) {
        auto s = w.logon({.profile = "P", .flags = logon_flag::new_session});
        CHECK(s.code() == scode::user_cancel);
        CHECK(w.all_released());
    }
    w.scripts[8]->otherwise = fake_step::ok();
    auto s = w.logon({.profile = "P", .flags = logon_flag::new_session});
    REQUIRE(s);
    CHECK(w.providers.existing_pool("ST1")->in_use() == 1);
}

TEST_CASE("provider logoffs that throw during a failed logon's release still release everything") {
    nine_providers w;
    for (auto& s : w.scripts) s->logoff_throws = true;
    w.scripts[8]->otherwise = fake_step::error(scode::user_cancel);
    auto s = w.logon({.profile = "P", .flags = logon_flag::new_session});
    CHECK(s.code() == scode::user_cancel);
    int logoffs = 0;
    for (auto& sc : w.scripts) logoffs += sc->logoffs.load();
    CHECK(logoffs == 8);
    w.check_released();
}

TEST_CASE("a UI handler that throws fails the logon with call_failed and releases everything") {
    struct throwing_ui : ui_handler {
        task<result<bool>> logon_failed(const ui_context&, const message_service&, const provider_entry&, scode,
                                        std::string_view) override {
            throw std::runtime_error("the dialog crashed");
            co_return true;
        }
    } ui;
    nine_providers w;
    w.scripts[4]->script({fake_step::error(scode::network_error)});
    auto s = w.logon({.profile = "P", .flags = logon_flag::new_session | logon_flag::logon_ui, .ui = &ui});
    CHECK(s.code() == scode::call_failed);
    CHECK(s.info().message.find("the dialog crashed") != std::string::npos);
    w.check_released();
}

TEST_CASE("the same faults in a MAPI_NO_MAIL session never touch the transports") {
    for (std::size_t victim = 0; victim < 9; ++victim) {
        nine_providers w;
        w.scripts[victim]->otherwise = fake_step::error(scode::network_error);
        {
            auto s = w.logon({.profile = "P", .flags = logon_flag::new_session | logon_flag::no_mail});
            REQUIRE(s);
            for (std::size_t i = 2; i < 9; i += 3) CHECK(w.scripts[i]->logon_calls.load() == 0);
            CHECK(find_status_rows(s->status_table().value(), resource_type::transport_provider).empty());
        }
        CHECK(w.all_released());
    }
}

}

} // namespace fault_injection_tests
