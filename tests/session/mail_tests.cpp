// SPDX-License-Identifier: MIT
// The session's spooler: transports logged on by the session run in a spooler whose queue is
// the default store's Outbox and which delivers into its Inbox; transport status rows reach the
// session's status table; MAPI_NO_MAIL sessions move mail only through a transport tightly
// coupled to its store; MAPI_FORCE_DOWNLOAD waits for the first inbound pass; nothing is lost
// across sessions. Rules 21, 22, 65.
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/spooler/reactor.hpp>

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

namespace mail_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

property_bag recipient(std::string addrtype, std::string address) {
    property_bag r;
    (void)r.set(pr::display_name, address);
    (void)r.set(pr::addrtype, std::move(addrtype));
    (void)r.set(pr::email_address, std::move(address));
    (void)r.set(pr::recipient_type, std::int32_t{1});
    return r;
}

property_bag subject(std::string s) {
    property_bag p;
    (void)p.set(pr::subject, std::move(s));
    (void)p.set(pr::message_class, std::string("IPM.Note"));
    return p;
}

/// A transport that writes its own status row at logon, can hold one inbound message, and
/// polls (LOGON_SP_POLL).
class inbound_transport final : public transport_provider {
public:
    struct state {
        int waiting = 0;  // inbound messages waiting
        int logons = 0;
        int address_types = 0;  // AddressTypes calls
        int notifies = 0;       // TransportNotify calls
        int logoffs = 0;
    };
    explicit inbound_transport(std::shared_ptr<state> st) : st_(std::move(st)) {}

    class logon_object final : public transport_logon {
    public:
        logon_object(spooler_support& s, std::shared_ptr<state> st) : transport_logon(s), st_(std::move(st)) {}
        [[nodiscard]] transport_logon_flags logon_flags() const override { return transport_logon_flag::sp_poll; }
        task<address_types_result> address_types() override {
            ++st_->address_types;
            co_return address_types_result{{"INB"}, {}, false, false};
        }
        task<submit_result> submit_message(submit_context&) override { co_return submit_result{}; }
        task<result<void>> transport_notify(transport_notify_flags&, transport_notify_data) override {
            ++st_->notifies;
            co_return result<void>{};
        }
        task<bool> poll() override { co_return st_->waiting > 0; }
        task<result<void>> start_message(inbound_message& msg) override {
            if (st_->waiting > 0) {
                --st_->waiting;
                (void)msg.props.set(pr::subject, std::string("downloaded"));
                msg.save_changes();
            }
            co_return result<void>{};
        }
        task<void> logoff() override {
            ++st_->logoffs;
            co_return;
        }

    private:
        std::shared_ptr<state> st_;
    };

    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        ++st_->logons;
        REQUIRE(ctx.spooler != nullptr);
        CHECK(static_cast<provider_support*>(ctx.spooler) == &ctx.support);
        property_bag row;
        (void)row.set(pr::status_string, std::string("connected to the test server"));
        (void)ctx.spooler->modify_status_row(row, true);
        co_return std::unique_ptr<transport_logon>(std::make_unique<logon_object>(*ctx.spooler, st_));
    }

private:
    std::shared_ptr<state> st_;
};

/// A transport that says it waits on network I/O (it never does here).
class network_transport final : public transport_provider {
public:
    class logon_object final : public transport_logon {
    public:
        explicit logon_object(spooler_support& s) : transport_logon(s) {}
        task<address_types_result> address_types() override { co_return address_types_result{{"NET"}, {}, false, false}; }
        task<submit_result> submit_message(submit_context&) override { co_return submit_result{}; }
    };
    [[nodiscard]] bool uses_reactor() const noexcept override { return true; }
    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        co_return std::unique_ptr<transport_logon>(std::make_unique<logon_object>(*ctx.spooler));
    }
};

/// Profile "M": one service with a memory store (the default store) and a fake transport for
/// address type FAKE.
struct spool_world : world {
    explicit spool_world(resource_flags xp_flags = {}, init_options o = {}) : world(o) {
        data = std::make_shared<memory_store_data>();
        providers.add_store("MXXMEM", [d = data] { return std::make_unique<memory_store>(d); });
        xp = fake_transport("XPFAKE");
        add(profile_builder("M").service("MAIL", "MAILSVC",
                                         {store("MXXMEM", resource_flag::default_store), transport("XPFAKE", xp_flags)}));
    }
    std::shared_ptr<memory_store_data> data;
    std::shared_ptr<fake_script> xp;
};

constexpr flags<logon_flag> mail_flags = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;

std::int32_t flags_of(const stored_message& m) { return m.props.get_i4(pr::message_flags).value_or(0); }

} // namespace

TEST_SUITE("session/mail") {

TEST_CASE("a submitted Outbox message is sent by the session's spooler and filed in Sent Items") {
    spool_world w;
    auto s = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s);
    auto store = s->default_store().value();
    const auto id = store->create_message(standard_folder::outbox, subject("hello"), {recipient("FAKE", "bob")}).value();

    CHECK(w.xp->submitted.load() == 0);
    REQUIRE(s->submit_message(id));
    CHECK((flags_of(store->open_message(id).value()) & msgflag::submit) != 0);
    REQUIRE(s->spool());

    CHECK(w.xp->submitted.load() == 1);
    CHECK(w.xp->subjects_sent == std::vector<std::string>{"hello"});
    auto sent = store->open_message(id).value();
    CHECK(sent.folder == standard_folder::sent_items);
    CHECK((flags_of(sent) & (msgflag::submit | msgflag::unsent)) == 0);
    CHECK(sent.props.contains(pr::client_submit_time));
    CHECK(store->messages(standard_folder::outbox).value().empty());
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("PR_DELETE_AFTER_SUBMIT: the sent message is deleted instead of filed") {
    spool_world w;
    auto s = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s);
    auto store = s->default_store().value();
    auto props = subject("gone");
    (void)props.set(pr::delete_after_submit, true);
    const auto id = store->create_message(standard_folder::outbox, props, {recipient("FAKE", "bob")}).value();
    REQUIRE(s->submit_message(id));
    REQUIRE(s->spool());
    CHECK(w.xp->submitted.load() == 1);
    CHECK(store->open_message(id).code() == scode::not_found);
}

TEST_CASE("recipients no transport takes get a non-delivery report in the sender's Inbox") {
    spool_world w;
    auto s = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s);
    auto store = s->default_store().value();
    const auto id = store->create_message(standard_folder::outbox, subject("lost"), {recipient("X400", "c=fr")}).value();
    REQUIRE(s->submit_message(id));
    REQUIRE(s->spool());
    CHECK(w.xp->submitted.load() == 0);
    auto inbox = store->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::message_class) == "REPORT.IPM.Note.NDR");
    CHECK(inbox[0].props.get_string(pr::subject) == "Undeliverable: lost");
    CHECK(store->open_message(id).value().folder == standard_folder::sent_items);
}

TEST_CASE("submit_message refuses a message that is not in the Outbox, and an unknown id") {
    spool_world w;
    auto s = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s);
    auto store = s->default_store().value();
    const auto draft = store->create_message(standard_folder::inbox, subject("draft"), {recipient("FAKE", "bob")}).value();
    auto r = s->submit_message(draft);
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(contains(r.info().message, "Outbox"));
    CHECK(s->submit_message(987654).code() == scode::not_found);
    REQUIRE(s->spool());
    CHECK(w.xp->submitted.load() == 0);
}

TEST_CASE("nothing is lost: a message the transport refuses (busy) stays submitted and the next session sends it") {
    spool_world w;
    w.xp->submit_answer = scode::busy;
    std::uint64_t id = 0;
    {
        auto s = w.logon({.profile = "M", .flags = mail_flags});
        REQUIRE(s);
        auto store = s->default_store().value();
        id = store->create_message(standard_folder::outbox, subject("later"), {recipient("FAKE", "bob")}).value();
        REQUIRE(s->submit_message(id));
        REQUIRE(s->spool());
        CHECK(w.xp->submitted.load() == 0);
        (void)sync_wait(s->logoff());
    }
    w.check_released();
    auto still = w.data->list(w.profiles.load("M").value().services[0].providers[0].provider_uid, standard_folder::outbox);
    REQUIRE(still.size() == 1);
    CHECK((flags_of(still[0]) & msgflag::submit) != 0);

    w.xp->submit_answer = scode::success;
    auto s2 = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s2);
    REQUIRE(s2->spool());
    CHECK(w.xp->submitted.load() == 1);
    CHECK(s2->default_store().value()->open_message(id).value().folder == standard_folder::sent_items);
}

TEST_CASE("a transport's status row reaches the session's status table through its spooler support") {
    world w;
    auto data = std::make_shared<memory_store_data>();
    auto st = std::make_shared<inbound_transport::state>();
    w.providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    w.providers.add_transport("INBXP", [st] { return std::make_unique<inbound_transport>(st); });
    w.add(profile_builder("I").service("IN", "INSVC", {store("MXXMEM", resource_flag::default_store), transport("INBXP")}));
    auto s = w.logon({.profile = "I", .flags = mail_flags});
    REQUIRE(s);
    auto rows = s->status_table().value();
    const property_bag* row = find_status_row(rows, resource_type::transport_provider);
    REQUIRE(row != nullptr);
    CHECK(row->get_string(pr::status_string) == "connected to the test server");
    CHECK(row->get_string(pr::display_name) == "INBXP transport");
    (void)sync_wait(s->logoff());
    CHECK(st->logoffs == 1);
}

TEST_CASE("a session whose spooler never ran logs its transport off without the spooler's start and stop calls") {
    world w;
    auto data = std::make_shared<memory_store_data>();
    auto st = std::make_shared<inbound_transport::state>();
    w.providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    w.providers.add_transport("CNTXP", [st] { return std::make_unique<inbound_transport>(st); });
    w.add(profile_builder("C").service("C", "CSVC", {store("MXXMEM", resource_flag::default_store), transport("CNTXP")}));

    SUBCASE("never spooled: logged on and off by the session, nothing asked by the spooler") {
        auto s = w.logon({.profile = "C", .flags = mail_flags});
        REQUIRE(s);
        (void)sync_wait(s->logoff());
        CHECK(st->logons == 1);
        CHECK(st->logoffs == 1);
        CHECK(st->address_types == 0);
        CHECK(st->notifies == 0);
    }
    SUBCASE("spooled once: AddressTypes and TransportNotify begin, then at logoff TransportNotify end") {
        auto s = w.logon({.profile = "C", .flags = mail_flags});
        REQUIRE(s);
        REQUIRE(s->spool());
        CHECK(st->address_types == 1);
        const int begun = st->notifies;
        CHECK(begun >= 1);
        (void)sync_wait(s->logoff());
        CHECK(st->notifies > begun);
        CHECK(st->logons == 1);
        CHECK(st->logoffs == 1);
    }
}

TEST_CASE("MAPI_FORCE_DOWNLOAD: the first inbound pass is done when the logon returns") {
    world w;
    auto data = std::make_shared<memory_store_data>();
    auto st = std::make_shared<inbound_transport::state>();
    w.providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    w.providers.add_transport("INBXP", [st] { return std::make_unique<inbound_transport>(st); });
    w.add(profile_builder("I").service("IN", "INSVC", {store("MXXMEM", resource_flag::default_store), transport("INBXP")}));

    SUBCASE("with the flag, the waiting message is in the Inbox at once") {
        st->waiting = 1;
        auto s = w.logon({.profile = "I", .flags = mail_flags | logon_flag::force_download});
        REQUIRE(s);
        auto inbox = s->default_store().value()->messages(standard_folder::inbox).value();
        REQUIRE(inbox.size() == 1);
        CHECK(inbox[0].props.get_string(pr::subject) == "downloaded");
        CHECK(st->waiting == 0);
        bool noted = false;
        for (const auto& step : s->report().steps) noted = noted || contains(step, "first inbound pass");
        CHECK(noted);
    }
    SUBCASE("without it, the message waits for the spooler") {
        st->waiting = 1;
        auto s = w.logon({.profile = "I", .flags = mail_flags});
        REQUIRE(s);
        CHECK(st->waiting == 1);
        REQUIRE(s->flush_queues(flush_flag::download));
        CHECK(st->waiting == 0);
        CHECK(s->default_store().value()->messages(standard_folder::inbox).value().size() == 1);
    }
}

TEST_CASE("rule 22: a MAPI_NO_MAIL session without a tightly coupled transport cannot send") {
    spool_world w;
    auto s = w.logon({.profile = "M", .flags = mail_flags | logon_flag::no_mail});
    REQUIRE(s);
    CHECK(w.xp->logon_calls.load() == 0);
    auto store = s->default_store().value();
    const auto id = store->create_message(standard_folder::outbox, subject("no"), {recipient("FAKE", "bob")}).value();
    auto r = s->submit_message(id);
    CHECK(r.code() == scode::no_support);
    CHECK(contains(r.info().message, "MAPI_NO_MAIL"));
    CHECK(contains(r.info().message, "STATUS_OWN_STORE"));
    CHECK(s->last_error().value().message == r.info().message);
    CHECK(s->spool().code() == scode::no_support);
    CHECK(store->open_message(id).value().folder == standard_folder::outbox);
}

TEST_CASE("rules 21, 22 and 65: in a MAPI_NO_MAIL session a STATUS_OWN_STORE transport logs on unannounced and sends") {
    spool_world w{resource_flag::own_store};
    auto s = w.logon({.profile = "M", .flags = mail_flags | logon_flag::no_mail});
    REQUIRE(s);
    CHECK(w.xp->logon_calls.load() == 1);
    auto rows = s->status_table().value();
    CHECK(find_status_rows(rows, resource_type::transport_provider).empty());
    const property_bag* spooler_row = find_status_row(rows, resource_type::spooler);
    REQUIRE(spooler_row != nullptr);
    CHECK((spooler_row->get_i4(pr::status_code).value_or(0) & 0x4) != 0);

    auto store = s->default_store().value();
    const auto id = store->create_message(standard_folder::outbox, subject("coupled"), {recipient("FAKE", "bob")}).value();
    REQUIRE(s->submit_message(id));
    REQUIRE(s->spool());
    CHECK(w.xp->submitted.load() == 1);
    CHECK(store->open_message(id).value().folder == standard_folder::sent_items);
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("a transport whose service is disabled is not run by the spooler, and its recipients get a report") {
    spool_world w;
    w.xp->script({fake_step::error(scode::network_error), fake_step::error(scode::network_error)});
    auto s = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s);
    // The transport shares its service with the store: the whole service is disabled, so the
    // session has no default store and no transport.
    CHECK(s->default_store().code() == scode::not_found);
    auto ran = s->with_spooler([](spooler& sp) { return sp.transport_count(); });
    REQUIRE(ran);
    CHECK(*ran == 1);
    CHECK(s->with_spooler([](spooler& sp) { return sp.transport_status(0); }).value() ==
          spooler::transport_state::not_logged_on);
    CHECK(w.xp->live_logons.load() == 0);
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("after logoff every mail call returns end_of_session") {
    spool_world w;
    auto s = w.logon({.profile = "M", .flags = mail_flags});
    REQUIRE(s);
    (void)sync_wait(s->logoff());
    CHECK(s->submit_message(1).code() == scode::end_of_session);
    CHECK(s->spool().code() == scode::end_of_session);
    CHECK(s->flush_queues(flush_flag::upload).code() == scode::end_of_session);
    CHECK(s->with_spooler([](spooler&) {}).code() == scode::end_of_session);
    w.check_released();
}

TEST_CASE("rule 23: a MAPI_NO_MAIL|MAPI_ALLOW_OTHERS session joined by a mail client: the joiner sends, the NO_MAIL member still cannot") {
    spool_world w;
    constexpr flags<logon_flag> shared_no_mail =
        logon_flag::extended | logon_flag::explicit_profile | logon_flag::new_session | logon_flag::allow_others |
        logon_flag::no_mail;
    auto service = w.logon({.profile = "M", .flags = shared_no_mail});
    REQUIRE(service);
    CHECK(w.xp->logon_calls.load() == 0);
    auto store = service->default_store().value();
    const auto early = store->create_message(standard_folder::outbox, subject("early"), {recipient("FAKE", "bob")}).value();
    CHECK(service->submit_message(early).code() == scode::no_support);

    // A messaging client joins (no MAPI_NEW_SESSION, no MAPI_NO_MAIL): the transport logs on.
    auto client = w.logon({.flags = logon_flag::extended});
    REQUIRE(client);
    CHECK(client->report().joined_shared);
    CHECK_FALSE(client->report().no_mail);
    CHECK(w.xp->logon_calls.load() == 1);
    bool rule_step = false;
    for (const auto& line : client->report().steps) rule_step = rule_step || contains(line, "rule 23");
    CHECK(rule_step);
    auto rows = client->status_table().value();
    CHECK(find_status_rows(rows, resource_type::transport_provider).size() == 1);
    const property_bag* spooler_row = find_status_row(rows, resource_type::spooler);
    REQUIRE(spooler_row != nullptr);
    CHECK((spooler_row->get_i4(pr::status_code).value_or(0) & 0x4) == 0);

    // The joiner sends; the message the NO_MAIL member could not submit is still in the Outbox.
    CHECK(store->open_message(early).value().folder == standard_folder::outbox);
    const auto id = store->create_message(standard_folder::outbox, subject("joiner"), {recipient("FAKE", "bob")}).value();
    REQUIRE(client->submit_message(id));
    REQUIRE(client->spool());
    CHECK(w.xp->submitted.load() == 1);
    CHECK(store->open_message(id).value().folder == standard_folder::sent_items);

    // The NO_MAIL member still cannot send, now with the rule 23 sentence.
    auto refused = service->submit_message(early);
    CHECK(refused.code() == scode::no_support);
    CHECK(contains(refused.info().message, "rules 22 and 23"));
    CHECK(store->open_message(early).value().folder == standard_folder::outbox);

    // A second mail client joins the session that is already open for mail: no second logon.
    auto other = w.logon({.flags = logon_flag::extended});
    REQUIRE(other);
    CHECK(w.xp->logon_calls.load() == 1);

    (void)sync_wait(other->logoff());
    (void)sync_wait(client->logoff());
    (void)sync_wait(service->logoff());
    CHECK(w.xp->live_logons.load() == 0);
    w.check_released();
}

TEST_CASE("rule 23: a joiner that is itself MAPI_NO_MAIL leaves the session without mail") {
    spool_world w;
    auto first = w.logon({.profile = "M",
                          .flags = logon_flag::extended | logon_flag::new_session | logon_flag::allow_others |
                                   logon_flag::no_mail});
    REQUIRE(first);
    auto second = w.logon({.flags = logon_flag::extended | logon_flag::no_mail});
    REQUIRE(second);
    CHECK(second->report().joined_shared);
    CHECK(w.xp->logon_calls.load() == 0);
    CHECK(second->spool().code() == scode::no_support);
    (void)sync_wait(second->logoff());
    (void)sync_wait(first->logoff());
    w.check_released();
}

TEST_CASE("rule 23 with a tightly coupled transport: reopened in the session's spooler, sends for both kinds of member") {
    spool_world w{resource_flag::own_store};
    auto service = w.logon({.profile = "M",
                            .flags = logon_flag::extended | logon_flag::new_session | logon_flag::allow_others |
                                     logon_flag::no_mail});
    REQUIRE(service);
    CHECK(w.xp->logon_calls.load() == 1);
    CHECK(find_status_rows(service->status_table().value(), resource_type::transport_provider).empty());
    auto client = w.logon({.flags = logon_flag::extended});
    REQUIRE(client);
    // Logged off from the unannounced spooler and on again in the session's: one live logon.
    CHECK(w.xp->logon_calls.load() == 2);
    CHECK(w.xp->live_logons.load() == 1);
    CHECK(find_status_rows(client->status_table().value(), resource_type::transport_provider).size() == 1);
    auto store = service->default_store().value();
    const auto a = store->create_message(standard_folder::outbox, subject("from the service"), {recipient("FAKE", "x")}).value();
    const auto b = store->create_message(standard_folder::outbox, subject("from the client"), {recipient("FAKE", "y")}).value();
    REQUIRE(service->submit_message(a));
    REQUIRE(client->submit_message(b));
    REQUIRE(client->spool());
    CHECK(w.xp->submitted.load() == 2);
    (void)sync_wait(client->logoff());
    (void)sync_wait(service->logoff());
    CHECK(w.xp->live_logons.load() == 0);
    w.check_released();
}

TEST_CASE("a session gives its spooler a reactor only when a transport waits on network I/O") {
    SUBCASE("local transports: no reactor, no descriptors") {
        spool_world w;
        auto s = w.logon({.profile = "M", .flags = mail_flags});
        REQUIRE(s);
        CHECK(s->with_spooler([](spooler& sp) { return sp.io() == nullptr; }).value());
        (void)sync_wait(s->logoff());
        w.check_released();
    }
#if MAPIXX_HAS_REACTOR
    SUBCASE("a network transport: the spooler waits on a reactor and the report says so") {
        spool_world w;
        w.providers.add_transport("XPNET", [] { return std::make_unique<network_transport>(); });
        w.add(profile_builder("NET").service("MAIL", "MAILSVC",
                                             {store("MXXMEM", resource_flag::default_store), transport("XPNET")}));
        auto s = w.logon({.profile = "NET", .flags = mail_flags});
        REQUIRE(s);
        CHECK(s->with_spooler([](spooler& sp) { return sp.io() != nullptr; }).value());
        bool said = false;
        for (const auto& line : s->report().steps) said = said || contains(line, "reactor");
        CHECK(said);
        CHECK(s->run_for(std::chrono::milliseconds(1)));
        (void)sync_wait(s->logoff());
        w.check_released();
    }
#endif
}

} // TEST_SUITE

} // namespace mail_tests
