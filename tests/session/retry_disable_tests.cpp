// SPDX-License-Identifier: MIT
// Provider logons: retry-then-disable per message service, failoneprovider, unconfigured and the
// service entry, the password prompt, session limits and slots, cancellation and
// require_all_services. Rules 16, 18, 26-30 and the provider rows of DESIGN.md's table.
#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <string>

namespace retry_disable_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// Profile "P": service A (address book AAB, default store ASTORE), service B (store BSTORE,
/// transport BXP).
struct two_services : world {
    explicit two_services(init_options o = {}) : world(o) {
        aab = fake_ab("AAB");
        astore = fake_store("ASTORE");
        bstore = fake_store("BSTORE");
        bxp = fake_transport("BXP");
        add(profile_builder("P")
                .service("A", "ASVC", {ab("AAB"), store("ASTORE", resource_flag::default_store)})
                .service("B", "BSVC", {store("BSTORE"), transport("BXP")}));
    }
    std::shared_ptr<fake_script> aab, astore, bstore, bxp;
};

const service_report& service_named(const logon_report& r, std::string_view name) {
    for (const auto& s : r.services) {
        if (s.name == name) return s;
    }
    FAIL("no service " << name);
    return r.services.front();
}

const provider_report& provider_named(const logon_report& r, std::string_view display) {
    for (const auto& s : r.services) {
        for (const auto& p : s.providers) {
            if (p.display_name == display) return p;
        }
    }
    FAIL("no provider " << display);
    return r.services.front().providers.front();
}

constexpr flags<logon_flag> mail = logon_flag::extended | logon_flag::new_session;

} // namespace

TEST_SUITE("session/logon.hpp: retry-then-disable") {

TEST_CASE("rule 27 / decision row: a message service whose provider fails twice is disabled for the session") {
    two_services w;
    w.bstore->script({fake_step::error(scode::network_error, "server unreachable"),
                      fake_step::error(scode::network_error, "server still unreachable")});
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE_MESSAGE(s, s.info().message);
    const auto& b = service_named(s->report(), "B");
    CHECK(b.disabled);
    CHECK(b.retried);
    CHECK(b.code == scode::network_error);
    CHECK(contains(b.sentence, "BSTORE store"));
    CHECK(contains(b.sentence, "MAPI_E_NETWORK_ERROR"));
    CHECK(contains(b.sentence, "server still unreachable"));
    CHECK(w.bstore->logon_calls.load() == 2);
    CHECK(w.bstore->attempts == std::vector<int>{1, 2});
    CHECK(w.bxp->logon_calls.load() == 0);  // the rest of the service is disabled too
    CHECK(provider_named(s->report(), "BXP transport").outcome == provider_outcome::disabled);
    CHECK_FALSE(service_named(s->report(), "A").disabled);
    CHECK(w.counters().provider_logons == 2);

    auto rows = s->status_table().value();
    for (auto name : {"BSTORE store", "BXP transport"}) {
        const property_bag* row = row_named(rows, name);
        REQUIRE_MESSAGE(row, name);
        CHECK(status_of(*row).has(status_code::failure));
    }
    CHECK(status_of(*row_named(rows, "ASTORE store")).has(status_code::available));
}

TEST_CASE("rule 27: providers of the disabled service that were logged on already are logged off and give their slots back") {
    world w;
    auto xab = w.fake_ab("XAB");
    auto xstore = w.fake_store("XSTORE");
    auto ystore = w.fake_store("YSTORE");
    w.add(profile_builder("P").service("X", "XSVC", {store("XSTORE"), ab("XAB")}).service("Y", "YSVC", {store("YSTORE")}));
    xstore->otherwise = fake_step::error(scode::corrupt_data);
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(xab->logon_calls.load() == 1);   // the address book logged on first ...
    CHECK(xab->logoffs.load() == 1);       // ... and was logged off when X was disabled
    CHECK(xab->live_logons.load() == 0);
    CHECK(provider_named(s->report(), "XAB address book").outcome == provider_outcome::disabled);
    CHECK(contains(provider_named(s->report(), "XAB address book").sentence, "logged off again"));
    CHECK(w.counters().provider_logons == 1);
    CHECK(w.counters().slots == 1);
    auto rows = s->status_table().value();
    CHECK(status_of(*row_named(rows, "XAB address book")).has(status_code::failure));
}

TEST_CASE("rule 28 / decision row: failoneprovider disables only that provider, without a retry") {
    two_services w;
    w.bstore->script({fake_step::error(scode::failoneprovider, "needs a password")});
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    const auto& b = service_named(s->report(), "B");
    CHECK_FALSE(b.disabled);
    CHECK(w.bstore->logon_calls.load() == 1);
    CHECK(provider_named(s->report(), "BSTORE store").outcome == provider_outcome::disabled);
    CHECK(provider_named(s->report(), "BSTORE store").code == scode::failoneprovider);
    CHECK(provider_named(s->report(), "BXP transport").outcome == provider_outcome::logged_on);
    auto rows = s->status_table().value();
    CHECK(status_of(*row_named(rows, "BSTORE store")).has(status_code::failure));
    CHECK(status_of(*row_named(rows, "BXP transport")).has(status_code::available));
}

TEST_CASE("rule 28: any other error than failoneprovider and unconfigured disables the whole service") {
    for (scode code : {scode::call_failed, scode::not_found, scode::corrupt_data, scode::version, scode::logon_failed,
                       scode::session_limit, scode::unknown_cpid, scode::no_access}) {
        INFO(to_string(code));
        two_services w;
        w.bstore->otherwise = fake_step::error(code);
        auto s = w.logon({.profile = "P", .flags = mail});
        REQUIRE(s);
        const auto& b = service_named(s->report(), "B");
        CHECK(b.disabled);
        CHECK(b.code == code);
        CHECK(w.bstore->logon_calls.load() == 2);
        CHECK(w.bxp->logon_calls.load() == 0);
        s = session{};
        w.check_released();
    }
}

TEST_CASE("decision row: a provider that fails once and then succeeds is logged on after one retry") {
    two_services w;
    w.bstore->script({fake_step::error(scode::network_error)});
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    const auto& p = provider_named(s->report(), "BSTORE store");
    CHECK(p.outcome == provider_outcome::logged_on);
    CHECK(p.retried);
    CHECK(p.attempts.size() == 2);
    CHECK(p.attempts[0].code == scode::network_error);
    CHECK(p.attempts[1].code == scode::success);
    CHECK(contains(p.sentence, "second attempt"));
    CHECK_FALSE(service_named(s->report(), "B").disabled);
    CHECK(w.counters().provider_logons == 4);
    CHECK(w.counters().slots == 4);
}

TEST_CASE("rule 29 / decision row: unconfigured calls the service entry with configure, then retries once") {
    two_services w;
    constexpr prop_tag server{0x6600, prop_type::string8};
    std::vector<service_context> contexts;
    std::vector<bool> ui_allowed;
    w.providers.add_service_entry("BSVC", [&](service_context c, service_entry_args& a) -> result<void> {
        contexts.push_back(c);
        ui_allowed.push_back(a.ui_allowed);
        const message_service* svc = a.service();
        REQUIRE(svc != nullptr);
        return a.target.sections[svc->providers[0].provider_uid].set(server, std::string("mail.example.org"));
    });
    w.bstore->decide = [&](const provider_context& ctx) {
        return ctx.section.props().contains(server) ? fake_step::ok() : fake_step::error(scode::unconfigured);
    };
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    REQUIRE(contexts.size() == 1);
    CHECK(contexts[0] == service_context::configure);
    CHECK(static_cast<std::uint32_t>(contexts[0]) == 3);
    CHECK_FALSE(ui_allowed[0]);  // no MAPI_LOGON_UI
    CHECK(w.bstore->attempts == std::vector<int>{1, 2});
    const auto& b = service_named(s->report(), "B");
    CHECK(b.configured);
    CHECK_FALSE(b.disabled);
    CHECK(provider_named(s->report(), "BSTORE store").outcome == provider_outcome::logged_on);
    // What the entry wrote is in the session's copy and in the store, for the next session.
    auto copy = s->profile_copy().value();
    auto stored = w.profiles.load("P").value();
    const uid bstore_uid = copy.services[1].providers[0].provider_uid;
    CHECK(copy.sections[bstore_uid].get_string(server) == "mail.example.org");
    CHECK(stored.sections[bstore_uid].get_string(server) == "mail.example.org");
}

TEST_CASE("rule 29 / decision row: still unconfigured after the configure call disables the service") {
    two_services w;
    int hook_calls = 0;
    w.providers.add_service_entry("BSVC", [&](service_context, service_entry_args&) -> result<void> {
        ++hook_calls;
        return {};
    });
    w.bstore->otherwise = fake_step::error(scode::unconfigured, "no server name");
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(hook_calls == 1);
    CHECK(w.bstore->logon_calls.load() == 2);
    const auto& b = service_named(s->report(), "B");
    CHECK(b.disabled);
    CHECK(b.code == scode::unconfigured);
}

TEST_CASE("unconfigured without any entry hook is retried once as it is, then the service is disabled") {
    two_services w;
    w.bstore->otherwise = fake_step::error(scode::unconfigured);
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(w.bstore->logon_calls.load() == 2);
    CHECK(service_named(s->report(), "B").disabled);
    bool noted = false;
    for (const auto& step : s->report().steps) noted = noted || contains(step, "has no entry hook");
    CHECK(noted);
}

TEST_CASE("a service entry that fails while configuring disables its service with the entry's code") {
    two_services w;
    w.providers.add_service_entry("BSVC", [&](service_context, service_entry_args&) -> result<void> {
        return fail(scode::disk_error, "cannot write the configuration");
    });
    w.bstore->otherwise = fake_step::error(scode::unconfigured);
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(w.bstore->logon_calls.load() == 1);
    const auto& b = service_named(s->report(), "B");
    CHECK(b.disabled);
    CHECK(b.code == scode::disk_error);
    CHECK(contains(b.sentence, "cannot write the configuration"));
}

TEST_CASE("a service entry that returns user_cancel while configuring fails the whole logon") {
    two_services w;
    w.providers.add_service_entry("BSVC", [&](service_context, service_entry_args&) -> result<void> {
        return fail(scode::user_cancel, "cancelled");
    });
    w.bstore->otherwise = fake_step::error(scode::unconfigured);
    auto s = w.logon({.profile = "P", .flags = mail});
    CHECK(s.code() == scode::user_cancel);
    w.check_released();
}

TEST_CASE("a service entry that throws counts as call_failed") {
    two_services w;
    w.providers.add_service_entry("BSVC", [&](service_context, service_entry_args&) -> result<void> {
        throw std::runtime_error("entry exploded");
    });
    w.bstore->otherwise = fake_step::error(scode::unconfigured);
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(service_named(s->report(), "B").code == scode::call_failed);
    CHECK(contains(service_named(s->report(), "B").sentence, "entry exploded"));
}

TEST_CASE("rule 30: without MAPI_LOGON_UI providers are told no dialog is allowed, and one that needs it returns unconfigured") {
    two_services w;
    w.bstore->decide = [](const provider_context& ctx) {
        return ctx.dialog_allowed ? fake_step::ok() : fake_step::error(scode::unconfigured, "would need a dialog");
    };
    {
        auto s = w.logon({.profile = "P", .flags = mail});
        REQUIRE(s);
        CHECK(w.bstore->dialog_allowed == std::vector<bool>{false, false});
        CHECK(service_named(s->report(), "B").code == scode::unconfigured);
    }
    scripted_ui ui;
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    REQUIRE(s);
    CHECK(w.bstore->dialog_allowed.back());
    CHECK_FALSE(service_named(s->report(), "B").disabled);
}

TEST_CASE("decision row: unconfigured with MAPI_LOGON_UI shows the service's configuration dialog, calls the entry with UI allowed, and retries") {
    two_services w;
    constexpr prop_tag account{0x6601, prop_type::string8};
    scripted_ui ui;
    ui.log = &w.log;
    ui.configure = [&](const message_service&, property_bag& section) { (void)section.set(account, std::string("me")); };
    bool entry_ui = false;
    w.providers.add_service_entry("BSVC", [&](service_context, service_entry_args& a) -> result<void> {
        entry_ui = a.ui_allowed;
        return {};
    });
    w.bstore->decide = [&](const provider_context& ctx) {
        return ctx.service_section.contains(account) ? fake_step::ok() : fake_step::error(scode::unconfigured);
    };
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    REQUIRE(s);
    CHECK(ui.calls == std::vector<std::string>{"configure_service(B)"});
    CHECK(entry_ui);
    CHECK(service_named(s->report(), "B").prompted);
    CHECK(w.log.events() == std::vector<std::string>{"logon AAB attempt 1", "logon ASTORE attempt 1",
                                                      "logon BSTORE attempt 1", "ui configure_service(B)",
                                                      "logon BSTORE attempt 2", "logon BXP attempt 1"});
}

TEST_CASE("rule 18: cancelling the configuration dialog fails the logon with user_cancel") {
    two_services w;
    scripted_ui ui;
    ui.cancel_configure = true;
    w.bstore->otherwise = fake_step::error(scode::unconfigured);
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    CHECK(s.code() == scode::user_cancel);
    CHECK(contains(s.info().message, "cancelled the configuration of message service B"));
    w.check_released();
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("rule 16: with MAPI_PASSWORD_UI a rejected credential is prompted for and the retry gets the typed one") {
    two_services w;
    scripted_ui ui;
    ui.passwords = {"right"};
    w.bstore->decide = [](const provider_context& ctx) {
        return ctx.credential == std::optional<std::string>("right") ? fake_step::ok()
                                                                     : fake_step::error(scode::logon_failed, "bad password");
    };
    auto s = w.logon({.profile = "P", .password = "wrong", .flags = mail | logon_flag::password_ui, .ui = &ui});
    REQUIRE(s);
    CHECK(ui.calls == std::vector<std::string>{"ask_password(B)"});
    REQUIRE(w.bstore->credentials.size() == 2);
    CHECK(w.bstore->credentials[0] == std::optional<std::string>("wrong"));
    CHECK(w.bstore->credentials[1] == std::optional<std::string>("right"));
    CHECK(provider_named(s->report(), "BSTORE store").prompted);
    CHECK(provider_named(s->report(), "BSTORE store").outcome == provider_outcome::logged_on);
    CHECK(w.astore->credentials[0] == std::optional<std::string>("wrong"));  // other services keep the given one
}

TEST_CASE("rule 16: without MAPI_PASSWORD_UI a rejected credential is an error: no prompt, the service is disabled") {
    two_services w;
    scripted_ui ui;
    w.bstore->otherwise = fake_step::error(scode::logon_failed, "bad password");
    auto s = w.logon({.profile = "P", .password = "wrong", .flags = mail, .ui = &ui});
    REQUIRE(s);
    CHECK(ui.calls.empty());
    CHECK(service_named(s->report(), "B").code == scode::logon_failed);
    auto strict = w.logon({.profile = "P", .password = "wrong", .flags = mail, .options = logon_option::require_all_services});
    CHECK(strict.code() == scode::logon_failed);
}

TEST_CASE("MAPI_PASSWORD_UI allows only the password prompt") {
    two_services w;
    scripted_ui ui;
    w.bstore->otherwise = fake_step::error(scode::network_error);
    w.bxp->otherwise = fake_step::error(scode::unconfigured);
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::password_ui, .ui = &ui});
    REQUIRE(s);
    CHECK(ui.calls.empty());
    CHECK(w.bstore->dialog_allowed == std::vector<bool>{false, false});
}

TEST_CASE("rule 18: cancelling the password prompt fails the logon with user_cancel and releases everything") {
    two_services w;
    scripted_ui ui;  // no password: cancels
    w.bstore->otherwise = fake_step::error(scode::logon_failed);
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::password_ui, .ui = &ui});
    CHECK(s.code() == scode::user_cancel);
    CHECK(w.aab->logoffs.load() == 1);
    CHECK(w.astore->logoffs.load() == 1);
    w.check_released();
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("decision row: with MAPI_LOGON_UI the first failure is shown by logon_failed before the retry") {
    two_services w;
    scripted_ui ui;
    w.bstore->script({fake_step::error(scode::network_error)});
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui_param = 77, .ui = &ui});
    REQUIRE(s);
    CHECK(ui.calls == std::vector<std::string>{"logon_failed(BSTORE store,MAPI_E_NETWORK_ERROR)"});
    CHECK(ui.ui_params == std::vector<std::uintptr_t>{77});
    CHECK(provider_named(s->report(), "BSTORE store").prompted);
    CHECK(provider_named(s->report(), "BSTORE store").outcome == provider_outcome::logged_on);
}

TEST_CASE("decision row: the user declining the retry disables the service after one attempt") {
    two_services w;
    scripted_ui ui;
    ui.retry_answers = {false};
    w.bstore->script({fake_step::error(scode::network_error)});
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    REQUIRE(s);
    CHECK(w.bstore->logon_calls.load() == 1);
    CHECK(service_named(s->report(), "B").disabled);
    CHECK(contains(service_named(s->report(), "B").sentence, "declined the retry"));
}

TEST_CASE("rule 18: cancelling the logon_failed dialog fails the logon with user_cancel") {
    two_services w;
    scripted_ui ui;
    ui.cancel_logon_failed = true;
    w.bstore->otherwise = fake_step::error(scode::network_error);
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    CHECK(s.code() == scode::user_cancel);
    w.check_released();
}

TEST_CASE("rule 26: a second logon to the same profile is allowed, and a provider's session limit fails it with session_limit") {
    two_services w;
    w.bstore->max_sessions = 1;
    auto first = w.logon({.profile = "P", .flags = mail});
    REQUIRE(first);
    CHECK_FALSE(service_named(first->report(), "B").disabled);
    auto second = w.logon({.profile = "P", .flags = mail});
    REQUIRE(second);  // MAPI allows the second session ...
    const auto& b = service_named(second->report(), "B");
    CHECK(b.disabled);  // ... but the provider's limit disables its service in it
    CHECK(b.code == scode::session_limit);
    CHECK(contains(b.sentence, "session slots"));
    CHECK(w.bstore->logon_calls.load() == 1);  // the provider itself was never called again
    CHECK(w.providers.existing_pool("BSTORE")->in_use() == 1);
}

TEST_CASE("decision row: session_limit with MAPI_LOGON_UI lets the user free a slot in the logon_failed dialog, then the retry succeeds") {
    two_services w;
    w.bstore->max_sessions = 1;
    auto first = w.logon({.profile = "P", .flags = mail});
    REQUIRE(first);
    scripted_ui ui;
    ui.on_logon_failed = [&] { sync_wait(first->logoff()); };
    auto second = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    REQUIRE(second);
    CHECK(ui.calls == std::vector<std::string>{"logon_failed(BSTORE store,MAPI_E_SESSION_LIMIT)"});
    CHECK_FALSE(service_named(second->report(), "B").disabled);
    CHECK(provider_named(second->report(), "BSTORE store").attempts.size() == 2);
}

TEST_CASE("a provider that returns session_limit itself goes through retry-then-disable") {
    two_services w;
    w.bstore->otherwise = fake_step::error(scode::session_limit, "the modem is busy");
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(w.bstore->logon_calls.load() == 2);
    CHECK(service_named(s->report(), "B").code == scode::session_limit);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("decision row: user_cancel from a provider fails the whole logon and everything acquired is released") {
    two_services w;
    w.bxp->script({fake_step::error(scode::user_cancel)});
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::allow_others});
    CHECK(s.code() == scode::user_cancel);
    CHECK(contains(s.info().message, "BXP transport"));
    CHECK(w.bxp->logon_calls.load() == 1);  // no retry
    CHECK(w.log.with_prefix("logoff ") == std::vector<std::string>{"logoff BSTORE", "logoff ASTORE", "logoff AAB"});
    w.check_released();
    CHECK(w.logon({.profile = "P", .flags = mail}));  // the lock and the profile are free again
}

TEST_CASE("decision row: require_all_services makes the logon fail with the disabled service's code") {
    two_services w;
    w.bstore->otherwise = fake_step::error(scode::network_error);
    auto s = w.logon({.profile = "P", .flags = mail, .options = logon_option::require_all_services});
    CHECK(s.code() == scode::network_error);
    CHECK(contains(s.info().message, "require_all_services"));
    CHECK(w.bstore->logon_calls.load() == 2);
    w.check_released();
}

TEST_CASE("a provider that throws counts as call_failed, with what() in the report") {
    two_services w;
    w.bstore->otherwise = fake_step::exception("disk on fire");
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    const auto& b = service_named(s->report(), "B");
    CHECK(b.code == scode::call_failed);
    CHECK(contains(b.sentence, "disk on fire"));
    CHECK(provider_named(s->report(), "BSTORE store").attempts.at(0).message.find("disk on fire") != std::string::npos);
    w.bstore->otherwise = fake_step::non_std_exception();
    auto t = w.logon({.profile = "P", .flags = mail});
    REQUIRE(t);
    CHECK(service_named(t->report(), "B").code == scode::call_failed);
}

TEST_CASE("a profile naming an unregistered provider DLL disables that service with a diagnostic naming the DLL") {
    two_services w;
    w.add(profile_builder("U").service("A", "ASVC", {store("ASTORE")}).service("Z", "ZSVC", {store("NOSUCH.DLL")}));
    auto s = w.logon({.profile = "U", .flags = mail});
    REQUIRE(s);
    const auto& z = service_named(s->report(), "Z");
    CHECK(z.disabled);
    CHECK(z.code == scode::not_found);
    CHECK(contains(z.sentence, "\"NOSUCH.DLL\""));
    CHECK(contains(z.sentence, "not registered"));
    auto rows = s->status_table().value();
    CHECK(status_of(*row_named(rows, "NOSUCH.DLL store")).has(status_code::failure));
}

TEST_CASE("a factory that throws disables its service with call_failed") {
    two_services w;
    w.bstore->factory_throws = true;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(service_named(s->report(), "B").code == scode::call_failed);
    CHECK(contains(service_named(s->report(), "B").sentence, "scripted factory exception"));
}

TEST_CASE("MAPI_SERVICE_UI_ALWAYS configures every message service before any provider logs on") {
    two_services w;
    scripted_ui ui;
    ui.log = &w.log;
    int entries = 0;
    w.providers.add_service_entry("ASVC", [&](service_context c, service_entry_args& a) -> result<void> {
        CHECK(c == service_context::configure);
        CHECK(a.ui_allowed);
        ++entries;
        return {};
    });
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::service_ui_always, .ui = &ui});
    REQUIRE(s);
    CHECK(entries == 1);
    auto events = w.log.events();
    REQUIRE(events.size() >= 3);
    CHECK(events[0] == "ui configure_service(A)");
    CHECK(events[1] == "ui configure_service(B)");
    CHECK(events[2] == "logon AAB attempt 1");
    CHECK(service_named(s->report(), "A").configured);
}

TEST_CASE("MAPI_SERVICE_UI_ALWAYS: cancelling a configuration dialog fails the logon before any provider logs on") {
    two_services w;
    scripted_ui ui;
    ui.cancel_configure = true;
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::service_ui_always, .ui = &ui});
    CHECK(s.code() == scode::user_cancel);
    CHECK(w.aab->logon_calls.load() == 0);
    w.check_released();
}

TEST_CASE("a provider's write to its section during logon reaches the store, read-only properties are refused") {
    two_services w;
    constexpr prop_tag cache{0x6602, prop_type::string8};
    result<void> flags_write = result<void>::success();
    w.astore->inspect = [&](provider_context& ctx) {
        (void)ctx.section.set(cache, std::string("warm"));
        flags_write = ctx.section.set(pr::resource_flags, std::int32_t{0});
    };
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(flags_write.code() == scode::no_access);
    auto stored = w.profiles.load("P").value();
    const uid id = stored.services[0].providers[1].provider_uid;
    CHECK(stored.sections[id].get_string(cache) == "warm");
    CHECK(stored.sections[id].get_i4(pr::resource_flags) == static_cast<std::int32_t>(resource_flag::default_store));
}

}

} // namespace retry_disable_tests
