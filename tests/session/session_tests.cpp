// SPDX-License-Identifier: MIT
// The session handle: status table and status objects, MAPI_NO_MAIL, logoff (shared and
// individual), end of session, advise sinks, GetLastError, QueryIdentity, the default store,
// AdminServices, and the destructor. Rules 21, 22, 31-37, 50-54.
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/service_catalog.hpp>
#include <mapixx/providers/memory_store.hpp>

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <string>

namespace session_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// Profile "P": service A (address book, default store), service B (store, transport).
struct mail_world : world {
    explicit mail_world(init_options o = {}) : world(o) {
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

constexpr flags<logon_flag> mail = logon_flag::extended | logon_flag::new_session;

} // namespace

TEST_SUITE("session/session.hpp") {

TEST_CASE("rule 51: the status table always has the subsystem, spooler and address book rows, and every row is MAPI_STATUS") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto rows = s->status_table().value();
    REQUIRE(rows.size() == 3 + 4);
    CHECK(rows[0].get_i4(pr::resource_type) == 39);
    CHECK(rows[1].get_i4(pr::resource_type) == 37);
    CHECK(rows[2].get_i4(pr::resource_type) == 34);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        CHECK(r.get_i4(pr::object_type) == 0xA);
        CHECK(r.get_i4(pr::rowid) == static_cast<std::int32_t>(i));
        for (prop_tag t : {pr::resource_type, pr::status_code, pr::resource_flags, pr::display_name,
                           pr::provider_dll_name, pr::resource_methods}) {
            CHECK_MESSAGE(r.contains(t), to_string(t));
        }
    }
    CHECK(find_status_row(rows, resource_type::transport_provider) != nullptr);
    CHECK(rows[3].get_string(pr::display_name) == "AAB address book");  // provider rows in logon order
    CHECK(rows[6].get_string(pr::display_name) == "BXP transport");
    CHECK(rows[4].get_i4(pr::resource_flags) == static_cast<std::int32_t>(resource_flag::default_store));
    CHECK(rows[4].get_string(pr::provider_dll_name) == "ASTORE");
}

TEST_CASE("rule 21 / decision row: a MAPI_NO_MAIL session has no transport rows and its spooler row has STATUS_FAILURE") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::no_mail});
    REQUIRE(s);
    auto rows = s->status_table().value();
    CHECK(find_status_rows(rows, resource_type::transport_provider).empty());
    const property_bag* spooler = find_status_row(rows, resource_type::spooler);
    REQUIRE(spooler != nullptr);
    CHECK(status_of(*spooler).has(status_code::failure));
    CHECK(w.bxp->logon_calls.load() == 0);
    bool found = false;
    for (const auto& svc : s->report().services) {
        for (const auto& p : svc.providers) {
            if (p.type == resource_type::transport_provider) {
                found = true;
                CHECK(p.outcome == provider_outcome::not_started);
            }
        }
    }
    CHECK(found);
    // A mail-enabled session's spooler row is available.
    auto m = w.logon({.profile = "P", .flags = mail});
    REQUIRE(m);
    CHECK(status_of(*find_status_row(m->status_table().value(), resource_type::spooler)).has(status_code::available));
}

TEST_CASE("rule 22: in a MAPI_NO_MAIL session no transport is logged on, so nothing can move mail through the spooler") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::no_mail});
    REQUIRE(s);
    const auto live = s->providers().value();
    for (const auto& p : live) CHECK(p.entry.type != resource_type::transport_provider);
    CHECK(w.counters().provider_logons == 3);
}

TEST_CASE("rule 52: the subsystem and address book offer only ValidateState, the spooler ValidateState and FlushQueues - others give no_support") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto rows = s->status_table().value();
    CHECK(rows[0].get_i4(pr::resource_methods) == 0x1);
    CHECK(rows[1].get_i4(pr::resource_methods) == 0x9);
    CHECK(rows[2].get_i4(pr::resource_methods) == 0x1);

    auto subsystem_status = s->open_status(resource_type::subsystem).value();
    CHECK(subsystem_status.validate_state());
    CHECK(subsystem_status.flush_queues().code() == scode::no_support);
    CHECK(subsystem_status.settings_dialog().code() == scode::no_support);
    CHECK(subsystem_status.change_password("a", "b").code() == scode::no_support);

    auto ab_status = s->open_status(resource_type::ab).value();
    CHECK(ab_status.validate_state());
    CHECK(ab_status.flush_queues().code() == scode::no_support);

    auto spooler = s->open_status(status_row_id::spooler).value();
    CHECK(spooler.type() == resource_type::spooler);
    CHECK(spooler.validate_state());
    CHECK(spooler.flush_queues(flush_flag::upload));
    CHECK(spooler.settings_dialog().code() == scode::no_support);
    CHECK(spooler.methods().value() == (resource_method::validate_state | resource_method::flush_queues));
    CHECK(contains(s->last_error().value().message, "rule 52"));
}

TEST_CASE("rule 53: ValidateState with an undefined flag gives unknown_flags") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto st = s->open_status(resource_type::subsystem).value();
    CHECK(st.validate_state(validate_flags::from_bits_unchecked(0x2)).code() == scode::unknown_flags);
    CHECK(st.validate_state(validate_flag::suppress_ui | validate_flag::config_changed));
    CHECK(st.validate_state(validate_flags::from_bits_unchecked(0xC0000)).code() == scode::invalid_parameter);
    auto sp = s->open_status(resource_type::spooler).value();
    CHECK(sp.flush_queues(flush_flags::from_bits_unchecked(0x1)).code() == scode::unknown_flags);
}

TEST_CASE("open_status rejects a row the table does not have") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::no_mail});
    REQUIRE(s);
    CHECK(s->open_status(99).code() == scode::not_found);
    CHECK(s->open_status(-1).code() == scode::not_found);
    CHECK(s->open_status(resource_type::transport_provider).code() == scode::not_found);
}

TEST_CASE("rule 54: modify_status_row without update replaces the provider's row, with update merges it - MAPI's columns stay") {
    mail_world w;
    provider_support* support = nullptr;
    std::vector<session_event> events;  // declared before the session: its sink outlives it
    w.bstore->inspect = [&](provider_context& ctx) { support = &ctx.support; };
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    REQUIRE(support != nullptr);
    auto c = s->advise([&](const session_event& e) { events.push_back(e); });
    REQUIRE(c);

    property_bag first;
    (void)first.set(pr::status_string, std::string("connected"));
    (void)first.set(pr::identity_display, std::string("Me"));
    (void)first.set(pr::rowid, std::int32_t{1000});                  // MAPI's column: ignored
    (void)first.set(pr::provider_dll_name, std::string("EVIL"));     // MAPI's column: ignored
    REQUIRE(support->modify_status_row(first, false));
    property_bag merge;
    (void)merge.set(pr::status_string, std::string("sending"));
    REQUIRE(support->modify_status_row(merge, true));

    auto rows = s->status_table().value();
    const property_bag* row = row_named(rows, "BSTORE store");
    REQUIRE(row == nullptr);  // replaced without PR_DISPLAY_NAME: the row has none now
    const property_bag* mine = nullptr;
    for (const auto& r : rows) {
        if (r.get_string(pr::provider_dll_name) == "BSTORE") mine = &r;
    }
    REQUIRE(mine != nullptr);
    CHECK(mine->get_string(pr::status_string) == "sending");
    CHECK(mine->get_string(pr::identity_display) == "Me");  // kept through the merge
    CHECK(mine->get_i4(pr::rowid) == 5);
    CHECK(mine->get_i4(pr::object_type) == 0xA);
    CHECK(mine->get_i4(pr::resource_type) == static_cast<std::int32_t>(resource_type::store_provider));
    REQUIRE(events.size() == 2);
    CHECK(events[1].kind == session_event_kind::status_row_modified);
    CHECK(events[1].row.get_string(pr::status_string) == "sending");
    CHECK(events[1].row == *mine);  // the notification carries the row the table shows
    CHECK(mine->get_i4(pr::status_code) == 0);  // replaced without PR_STATUS_CODE: 0, not the old value
    CHECK_FALSE(mine->contains(pr::resource_methods));  // a replaced row keeps only MAPI's own columns
    CHECK(events[0].row.get_string(pr::identity_display) == "Me");
    CHECK_FALSE(events[0].row.contains(pr::display_name));
}

TEST_CASE("a provider's support calls after its logon ended return end_of_session") {
    mail_world w;
    provider_support* support = nullptr;
    w.bstore->inspect = [&](provider_context& ctx) { support = &ctx.support; };
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto keep = *s->providers();  // keeps the provider logons, and the session core, alive
    sync_wait(s->logoff());
    CHECK(support->modify_status_row({}, true).code() == scode::end_of_session);
}

TEST_CASE("rule 31: after logoff every session call returns end_of_session, status objects opened before too") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto st = s->open_status(resource_type::subsystem).value();
    sync_wait(s->logoff());
    CHECK_FALSE(s->active());
    CHECK(s->status_table().code() == scode::end_of_session);
    CHECK(s->open_status(0).code() == scode::end_of_session);
    CHECK(s->default_store().code() == scode::end_of_session);
    CHECK(s->providers().code() == scode::end_of_session);
    CHECK(s->last_error().code() == scode::end_of_session);
    CHECK(s->query_identity().code() == scode::end_of_session);
    CHECK(s->advise([](const session_event&) {}).code() == scode::end_of_session);
    CHECK(s->unadvise(1).code() == scode::end_of_session);
    CHECK(s->admin_services().code() == scode::end_of_session);
    CHECK(s->profile_copy().code() == scode::end_of_session);
    CHECK(st.validate_state().code() == scode::end_of_session);
    CHECK(st.methods().code() == scode::end_of_session);
    CHECK(s->profile_name() == "P");  // the record of the logon stays readable
    sync_wait(s->logoff());           // a second logoff does nothing
    w.check_released();
}

TEST_CASE("an empty session handle answers end_of_session") {
    session s;
    CHECK_FALSE(s);
    CHECK(s.status_table().code() == scode::end_of_session);
    CHECK(s.profile_name().empty());
    sync_wait(s.logoff());
    status_object none;
    CHECK(none.validate_state().code() == scode::end_of_session);
}

TEST_CASE("rule 32: MAPI_LOGOFF_SHARED on a shared session ends every member and tells their sinks") {
    mail_world w;
    auto a = w.logon({.profile = "P", .flags = mail | logon_flag::allow_others});
    REQUIRE(a);
    auto b = w.logon({});
    auto c = w.logon({});
    REQUIRE(b);
    REQUIRE(c);
    std::vector<session_event> b_events, c_events;
    REQUIRE(b->advise([&](const session_event& e) { b_events.push_back(e); }));
    REQUIRE(c->advise([&](const session_event& e) { c_events.push_back(e); }));
    sync_wait(c->logoff(logoff_flag::shared));
    CHECK_FALSE(*a);
    CHECK_FALSE(*b);
    CHECK_FALSE(*c);
    CHECK(a->status_table().code() == scode::end_of_session);
    REQUIRE(b_events.size() == 1);
    CHECK(b_events[0].kind == session_event_kind::session_ended);
    CHECK(b_events[0].code == scode::end_of_session);
    CHECK(b_events[0].shared_logoff);
    CHECK(c_events.size() == 1);
    CHECK(w.log.with_prefix("logoff ") ==
          std::vector<std::string>{"logoff BXP", "logoff BSTORE", "logoff ASTORE", "logoff AAB"});
    w.check_released();
    auto fresh = w.logon({.profile = "P"});  // nothing is published any more
    REQUIRE(fresh);
    CHECK_FALSE(fresh->report().joined_shared);
}

TEST_CASE("rule 33: MAPI_LOGOFF_SHARED on an individual session is ignored: only that session ends") {
    mail_world w;
    auto a = w.logon({.profile = "P", .flags = mail});
    auto b = w.logon({.profile = "P", .flags = mail});
    REQUIRE(a);
    REQUIRE(b);
    sync_wait(a->logoff(logoff_flag::shared | logoff_flag::ui));
    CHECK_FALSE(*a);
    CHECK(*b);
    CHECK(b->status_table());
    CHECK(w.counters().sessions == 1);
}

TEST_CASE("a member leaving a shared session that goes on loses its sinks without an event") {
    mail_world w;
    auto a = w.logon({.profile = "P", .flags = mail | logon_flag::allow_others});
    auto b = w.logon({});
    REQUIRE(a);
    REQUIRE(b);
    int a_events = 0, b_events = 0;
    REQUIRE(a->advise([&](const session_event&) { ++a_events; }));
    REQUIRE(b->advise([&](const session_event&) { ++b_events; }));
    sync_wait(a->logoff());
    CHECK(a_events == 0);
    sync_wait(b->logoff());
    CHECK(a_events == 0);
    CHECK(b_events == 1);  // the session ended with b
}

TEST_CASE("advise and unadvise: the end of an individual session reaches the sink once, unadvise of an unknown connection is not_found") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    int kept = 0, removed = 0;
    auto c1 = s->advise([&](const session_event& e) {
        if (e.kind == session_event_kind::session_ended) ++kept;
    });
    auto c2 = s->advise([&](const session_event&) { ++removed; });
    REQUIRE(c1);
    REQUIRE(c2);
    CHECK(*c1 != *c2);
    CHECK(s->unadvise(*c2));
    CHECK(s->unadvise(*c2).code() == scode::not_found);
    CHECK(s->advise(advise_sink{}).code() == scode::invalid_parameter);
    sync_wait(s->logoff());
    CHECK(kept == 1);
    CHECK(removed == 0);
}

TEST_CASE("a sink that throws does not disturb the session") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    REQUIRE(s->advise([](const session_event&) { throw std::runtime_error("sink"); }));
    sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("rule 35: GetLastError returns an empty error when there is nothing to report, and bad_charwidth for MAPI_UNICODE on a non-Unicode session") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto none = s->last_error();
    REQUIRE(none);
    CHECK(none->empty());
    CHECK(s->last_error(0x80000000u).code() == scode::bad_charwidth);
    CHECK(s->last_error(0x1).code() == scode::unknown_flags);
    CHECK(s->unadvise(42).code() == scode::not_found);
    auto e = s->last_error().value();
    CHECK(e.component == "mapixx.session");
    CHECK(contains(e.message, "no advise connection 42"));
    auto u = w.logon({.profile = "P", .flags = mail | logon_flag::unicode});
    REQUIRE(u);
    CHECK(u->last_error(0x80000000u));
}

TEST_CASE("rule 36: a returned MAPIERROR has version 0") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    (void)s->open_status(77);
    auto e = s->last_error().value();
    CHECK_FALSE(e.empty());
    CHECK(e.version == 0);
    CHECK(e.version == constants::mapi_error_version);
}

TEST_CASE("rule 37: QueryIdentity without an identity source succeeds with MAPI_W_NO_SERVICE and a stand-in") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto id = s->query_identity();
    REQUIRE(id);  // SUCCEEDED()
    CHECK(id.warning() == scode::w_no_service);
    CHECK(succeeded(id.code()));
    CHECK(*id == session::no_identity_entryid());
}

TEST_CASE("QueryIdentity returns the identity of the row flagged STATUS_PRIMARY_IDENTITY") {
    world w;
    auto x = w.fake_store("XSTORE");
    auto y = w.fake_store("YSTORE");
    w.add(profile_builder("P")
              .service("X", "XSVC", {store("XSTORE")})
              .service("Y", "YSVC", {store("YSTORE", resource_flag::primary_identity)}));
    auto publish = [](binary id) {
        return [id](provider_context& ctx) {
            property_bag row;
            (void)row.set(pr::identity_entryid, id);
            (void)ctx.support.modify_status_row(row, true);
        };
    };
    x->inspect = publish(binary{1, 2, 3});
    y->inspect = publish(binary{9, 9});
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto id = s->query_identity();
    REQUIRE(id);
    CHECK(id.warning() == scode::success);
    CHECK(*id == binary{9, 9});
}

TEST_CASE("rule 50: the default store is the first store in profile order flagged STATUS_DEFAULT_STORE") {
    world w;
    auto data = std::make_shared<memory_store_data>();
    w.providers.add_store("MEM", [data] { return std::make_unique<memory_store>(data); });
    w.fake_store("OTHER");
    w.add(profile_builder("P")
              .service("S1", "SVC", {store("OTHER")})
              .service("S2", "SVC", {store("MEM", resource_flag::default_store, "First default")})
              .service("S3", "SVC", {store("MEM", resource_flag::default_store, "Second default")}));
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    auto def = s->default_store_as<memory_store_logon>();
    REQUIRE(def);
    CHECK((*def)->display_name() == "First default");
    CHECK(s->default_store_as<fake_logon<store_logon>>().code() == scode::no_support);
}

TEST_CASE("rule 50: transports log on in order of addition with STATUS_XP_PREFER_LAST ones last") {
    world w;
    w.fake_transport("T1");
    w.fake_transport("T2");
    w.fake_transport("T3");
    w.add(profile_builder("P")
              .service("S1", "SVC", {transport("T1", resource_flag::xp_prefer_last)})
              .service("S2", "SVC", {transport("T2")})
              .service("S3", "SVC", {transport("T3")}));
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(w.log.with_prefix("logon ") ==
          std::vector<std::string>{"logon T2 attempt 1", "logon T3 attempt 1", "logon T1 attempt 1"});
    sync_wait(s->logoff());
    CHECK(w.log.with_prefix("logoff ") == std::vector<std::string>{"logoff T1", "logoff T3", "logoff T2"});
}

TEST_CASE("rule 50: a transport order set on the profile overrides order of addition") {
    world w;
    w.fake_transport("T1");
    w.fake_transport("T2");
    w.fake_transport("T3");
    profile_builder b("P");
    b.service("S1", "SVC", {transport("T1")}).service("S2", "SVC", {transport("T2", resource_flag::xp_prefer_last)});
    b.service("S3", "SVC", {transport("T3")});
    profile& p = b.get();
    p.transport_order = {p.services[1].providers[0].provider_uid, p.services[0].providers[0].provider_uid};
    w.add(b);
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    // The order names T2 then T1; T3, which it does not name, follows.
    CHECK(w.log.with_prefix("logon ") ==
          std::vector<std::string>{"logon T2 attempt 1", "logon T1 attempt 1", "logon T3 attempt 1"});
}

TEST_CASE("the default store is not_found when the profile flags none, or when its service was disabled") {
    mail_world w;
    w.add(profile_builder("N").service("B", "BSVC", {store("BSTORE")}));
    auto n = w.logon({.profile = "N", .flags = mail});
    REQUIRE(n);
    CHECK(n->default_store().code() == scode::not_found);
    w.astore->otherwise = fake_step::error(scode::network_error);
    auto p = w.logon({.profile = "P", .flags = mail});
    REQUIRE(p);
    auto d = p->default_store();
    CHECK(d.code() == scode::not_found);
    CHECK(contains(d.info().message, "not logged on"));
}

TEST_CASE("the memory store is the session's default store: messages with recipients, folders, end_of_session after logoff") {
    world w;
    auto data = std::make_shared<memory_store_data>();
    w.providers.add_store("MEM", [data] { return std::make_unique<memory_store>(data); });
    w.add(profile_builder("P").service("M", "MEMSVC", {store("MEM", resource_flag::default_store, "Mailbox")}));
    std::uint64_t id = 0;
    {
        auto s = w.logon({.profile = "P", .flags = mail});
        REQUIRE(s);
        auto store = s->default_store_as<memory_store_logon>().value();
        CHECK(store->folders().value() == std::vector<std::string>{"Inbox", "Outbox", "Sent Items", "Deleted Items"});
        property_bag rcpt;
        (void)rcpt.set(pr::email_address, std::string("bob@example.org"));
        id = store->create_message(memory_folder::outbox, {{pr::subject, "hello"}}, {rcpt}).value();
        CHECK(store->messages(memory_folder::outbox).value().size() == 1);
        CHECK(store->move_message(id, memory_folder::sent_items));
        auto m = store->open_message(id).value();
        CHECK(m.folder == memory_folder::sent_items);
        CHECK(m.recipients.size() == 1);
        const auto rows = s->status_table().value();
        const property_bag* row = row_named(rows, "Mailbox");
        REQUIRE(row != nullptr);
        CHECK(row->get_string(pr::status_string) == "Available");
        sync_wait(s->logoff());
        CHECK(store->messages(memory_folder::inbox).code() == scode::end_of_session);
    }
    auto again = w.logon({.profile = "P", .flags = mail});
    REQUIRE(again);
    auto store = again->default_store_as<memory_store_logon>().value();
    CHECK(store->open_message(id).value().props.get_string(pr::subject) == "hello");  // data outlives sessions
    CHECK(store->delete_message(id));
    CHECK(data->count(store->store_uid(), memory_folder::deleted_items) == 1);
    CHECK(store->delete_message(id));
    CHECK(store->open_message(id).code() == scode::not_found);
}

TEST_CASE("the memory store's status row has its entry's display name, STATUS_AVAILABLE and the string Available - Memory Store when the entry names none") {
    world w;
    auto data = std::make_shared<memory_store_data>();
    w.providers.add_store("MEM", [data] { return std::make_unique<memory_store>(data); });
    profile_builder b("P");
    b.service("M", "MEMSVC", {store("MEM", resource_flag::default_store, "Mailbox"), store("MEM", {}, "Unnamed")});
    b.get().services[0].providers[1].display_name.clear();
    w.add(b);
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    const auto rows = s->status_table().value();
    const auto available = static_cast<std::int32_t>(status_codes(status_code::available).bits());
    for (const char* name : {"Mailbox", "Memory Store"}) {
        CAPTURE(name);
        const property_bag* row = row_named(rows, name);
        REQUIRE(row != nullptr);
        CHECK(row->get_i4(pr::resource_type) == static_cast<std::int32_t>(resource_type::store_provider));
        CHECK(row->get_i4(pr::status_code) == available);
        CHECK(row->get_string(pr::status_string) == "Available");
        CHECK(row->get_string(pr::provider_dll_name) == "MEM");
    }
    CHECK(rows.size() == 5);  // the subsystem's, the spooler's, the address book's, two stores'
}

TEST_CASE("the destructor logs off when logoff was not awaited, and never throws even if a provider's logoff throws") {
    mail_world w;
    w.bstore->logoff_throws = true;
    {
        auto s = w.logon({.profile = "P", .flags = mail});
        REQUIRE(s);
        CHECK(w.counters().provider_logons == 4);
    }
    CHECK(w.bstore->logoffs.load() == 1);
    CHECK(w.log.with_prefix("logoff ") ==
          std::vector<std::string>{"logoff BXP", "logoff BSTORE", "logoff ASTORE", "logoff AAB"});
    w.check_released();
}

TEST_CASE("move-assigning a session logs the old one off") {
    mail_world w;
    auto a = w.logon({.profile = "P", .flags = mail});
    auto b = w.logon({.profile = "P", .flags = mail});
    REQUIRE(a);
    REQUIRE(b);
    session x = std::move(*a);
    CHECK_FALSE(*a);  // NOLINT(bugprone-use-after-move)
    x = std::move(*b);
    CHECK(w.counters().sessions == 1);
    CHECK(x);
}

TEST_CASE("the session keeps the subsystem initialised while it lives") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    const auto before = initialization_count();
    subsystem weak_copy = w.mapi;
    CHECK(w.mapi.use_count() >= 3);  // the world, this copy, and the session
    weak_copy.reset();
    CHECK(initialization_count() == before);
}

// ---------------------------------------------------------------------------------------------
namespace {
constexpr std::string_view catalog_text = R"([Services]
MXXMEM=Memory Store Service
[MXXMEM]
PR_DISPLAY_NAME=Memory Store Service
Providers=MXX Memory
PR_SERVICE_DLL_NAME=MXXSVC.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
[MXX Memory]
PR_DISPLAY_NAME=Memory Store
PR_PROVIDER_DISPLAY=Memory Store
PR_PROVIDER_DLL_NAME=MXXMEM.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE
)";
} // namespace

TEST_CASE("rule 34: changes made through AdminServices apply to the next session, not to the current one") {
    memory_profile_store profiles;
    const auto catalog = service_catalog::parse(catalog_text);
    profile_admin admin{profiles, catalog};
    provider_registry providers;
    auto data = std::make_shared<memory_store_data>();
    providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    REQUIRE(admin.create_profile("P"));
    REQUIRE(admin.admin_services("P").value().create_service("MXXMEM"));
    auto mapi = initialize({.profiles = &profiles, .providers = &providers, .admin = &admin}).value();

    auto s = sync_wait(mapi.logon({.profile = "P", .flags = mail}));
    REQUIRE_MESSAGE(s, s.info().message);
    CHECK(s->providers().value().size() == 1);
    auto svc_admin = s->admin_services();
    REQUIRE(svc_admin);
    REQUIRE(svc_admin->create_service("MXXMEM", "Second store"));
    CHECK(profiles.load("P").value().services.size() == 2);    // stored at once ...
    CHECK(s->profile_copy().value().services.size() == 1);     // ... not seen by this session
    CHECK(s->providers().value().size() == 1);
    auto next = sync_wait(mapi.logon({.profile = "P", .flags = mail}));
    REQUIRE(next);
    CHECK(next->providers().value().size() == 2);               // the next session sees it
}

TEST_CASE("AdminServices without a profile_admin is no_support") {
    mail_world w;
    auto s = w.logon({.profile = "P", .flags = mail});
    REQUIRE(s);
    CHECK(s->admin_services().code() == scode::no_support);
}

TEST_CASE("the logon calls the entry hook set on the profile_admin when the registry has none") {
    memory_profile_store profiles;
    const auto catalog = service_catalog::parse(catalog_text);
    profile_admin admin{profiles, catalog};
    provider_registry providers;
    constexpr prop_tag ready{0x6610, prop_type::boolean};
    int configured = 0;
    admin.set_service_entry("MXXMEM", [&](service_context c, service_entry_args& a) -> result<void> {
        if (c != service_context::configure) return {};
        ++configured;
        return a.section().set(ready, true);
    });
    auto script = std::make_shared<fake_script>();
    script->dll = "MXXMEM";
    script->decide = [&](const provider_context& ctx) {
        return ctx.service_section.contains(ready) ? fake_step::ok() : fake_step::error(scode::unconfigured);
    };
    providers.add_store("MXXMEM", [script] { return std::make_unique<fake_provider<store_provider>>(script); });
    REQUIRE(admin.create_profile("P"));
    REQUIRE(admin.admin_services("P").value().create_service("MXXMEM"));
    auto mapi = initialize({.profiles = &profiles, .providers = &providers, .admin = &admin}).value();
    auto s = sync_wait(mapi.logon({.profile = "P", .flags = mail}));
    REQUIRE(s);
    CHECK(configured == 1);
    CHECK(s->providers().value().size() == 1);
}

}

} // namespace session_tests
