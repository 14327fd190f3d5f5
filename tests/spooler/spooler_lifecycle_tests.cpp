// SPDX-License-Identifier: MIT
#include "spooler_test_helpers.hpp"

#include <doctest/doctest.h>

namespace spooler_lifecycle_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("S1: transport logon creates one status row from its logon flags - later updates merge (rule 54)")
    {
        rig r;
        auto& p = r.add("smtp", types_of({"SMTP"}));
        auto& sp = r.start();
        CHECK(p.in_flags == (transport_logon_flag::no_inbound | transport_logon_flag::no_outbound));
        const auto& row = sp.support(0).status_row();
        REQUIRE(row.has_value());
        CHECK(row->get_string(pr::display_name) == "smtp");
        CHECK(sp.support(0).status() == status_codes{status_code::available});
        property_bag change{prop_value{pr::status_string, "Sending"}};
        REQUIRE(sp.support(0).modify_status_row(change, true));
        CHECK(row->get_string(pr::display_name) == "smtp");
        CHECK(row->get_string(pr::status_string) == "Sending");
        REQUIRE(sp.support(0).modify_status_row(change, false));
        CHECK_FALSE(row->contains(pr::display_name));
        r.stop();
    }

    TEST_CASE("rule 59: AddressTypes right after logon and before any TransportNotify - no Poll or Idle without their flags")
    {
        rig r;
        r.add("a", types_of({"A"}));
        r.add("b", types_of({"B"}), transport_logon_flag::sp_poll | transport_logon_flag::sp_idle);
        r.start();
        CHECK(r.first("a:logon") < r.first("a:address_types"));
        CHECK(r.first("a:address_types") < r.first("b:logon"));
        CHECK(r.first("b:address_types") < r.first("a:notify:NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND"));
        CHECK(r.calls("a:poll") == 0);
        CHECK(r.calls("a:idle") == 0);
        CHECK(r.calls("b:poll") == 1);
        CHECK(r.calls("b:idle") == 1);
        r.stop();
    }

    TEST_CASE("S2: flags changed by TransportNotify are a protocol violation - SpoolerNotify from inside TransportNotify works")
    {
        rig r;
        auto& p = r.add("a", types_of({"A"}));
        p.configure = [](fake_xp& x) {
            x.mutate_notify_flags = true;
            x.notify_from_notify = true;
            x.inbox.push_back("hello");
        };
        auto& sp = r.start();
        CHECK(sp.count(spooler_event::kind::protocol_violation) == 1);
        // NEWMAIL sent from inside BEGIN_INBOUND is honoured: the message is fetched.
        CHECK(r.sink.count(delivery::kind::mail) == 1);
        r.stop();
    }

    TEST_CASE("S3: a plain submission is sent once and leaves the queue - the transport sees only its recipients")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& b = r.add("b", types_of({"B"}));
        r.start();
        const message_id id = r.queue.submit(make_message("hi", {{"A", "x@a"}, {"B", "y@b"}, {"a", "z@a"}}));
        r.spool->pump();
        REQUIRE(a.logon->got.size() == 1);
        CHECK(a.logon->got[0] == std::vector<std::string>{"x@a", "z@a"});
        REQUIRE(b.logon->got.size() == 1);
        CHECK(b.logon->got[0] == std::vector<std::string>{"y@b"});
        CHECK(a.logon->sent == std::vector<message_id>{id});
        CHECK(b.logon->sent == std::vector<message_id>{id});
        CHECK_FALSE(r.queue.contains(id));
        CHECK(r.spool->count(spooler_event::kind::sent) == 1);
        r.stop();
    }

    TEST_CASE("rule 61: msgRef is pre-set to 0 for SubmitMessage and 1 for StartMessage - any logoff result still logs off")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}), transport_logon_flag::sp_poll);
        a.configure = [](fake_xp& x) {
            x.inbox.push_back("in");
            x.throw_on_logoff = true;
        };
        auto& sp = r.start();
        r.queue.submit(make_message("m", {{"A", "x"}}));
        sp.pump();
        CHECK(a.logon->preset_refs == std::vector<std::uint32_t>{0});
        REQUIRE_FALSE(a.logon->inbound_preset_refs.empty());
        CHECK(a.logon->inbound_preset_refs[0] == 1);
        r.stop();
        CHECK(sp.transport_status(0) == spooler::transport_state::logged_off);
        CHECK(sp.current_state() == spooler::state::stopped);
    }

    TEST_CASE("rule 60: busy and not_me are never followed by EndMessage - busy retries after the delay - not_me goes to the next transport")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& b = r.add("b", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            x.submit_script.push_back({scode::busy, 0, 0});
            x.submit_script.push_back({scode::not_me, 0, 0});
        };
        r.start();
        const message_id id = r.queue.submit(make_message("m", {{"A", "x"}}));
        r.spool->pump();
        CHECK(r.calls("a:submit") == 1);
        CHECK(r.calls("a:end") == 0);
        CHECK(r.queue.contains(id));
        r.advance(999ms);
        CHECK(r.calls("a:submit") == 1);
        r.advance(1ms);
        CHECK(r.calls("a:submit") == 2);
        CHECK(r.calls("a:end") == 0);
        CHECK(b.logon->sent == std::vector<message_id>{id});
        CHECK_FALSE(r.queue.contains(id));
        r.stop();
    }

    TEST_CASE("next_due is the earliest retry time of the messages that wait, and moves on as each one goes")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            x.submit_script.push_back({scode::wait, 0, 30});  // the first message: 30 s
            x.submit_script.push_back({scode::wait, 0, 10});  // the second: 10 s
        };
        r.start();
        const message_id first = r.queue.submit(make_message("m1", {{"A", "x"}}));
        const message_id second = r.queue.submit(make_message("m2", {{"A", "y"}}));
        r.spool->pump();
        CHECK(r.calls("a:submit") == 2);
        REQUIRE(r.spool->next_due() == std::optional<std::chrono::milliseconds>{10s});
        r.advance(10s);
        CHECK_FALSE(r.queue.contains(second));
        CHECK(r.queue.contains(first));
        REQUIRE(r.spool->next_due() == std::optional<std::chrono::milliseconds>{30s});
        r.advance(20s);
        CHECK_FALSE(r.queue.contains(first));
        CHECK_FALSE(r.spool->next_due().has_value());
        CHECK(r.calls("a:submit") == 4);
        r.stop();
    }

    TEST_CASE("S8: MAPI_E_WAIT and NETWORK_ERROR honour the retry delay - MAPI_E_CANCEL with a delay means do not resend (NDR)")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            x.submit_script.push_back({scode::wait, 0, 30});
            x.submit_script.push_back({scode::network_error, 0, 5});
            x.submit_script.push_back({scode::cancel, 0, 60});
        };
        r.start();
        const message_id id = r.queue.submit(make_message("m", {{"A", "x"}}));
        r.spool->pump();
        CHECK(r.calls("a:submit") == 1);
        REQUIRE(r.spool->next_due() == std::optional<std::chrono::milliseconds>{30s});
        r.advance(29s);
        CHECK(r.calls("a:submit") == 1);
        r.advance(1s);
        CHECK(r.calls("a:submit") == 2);
        r.advance(5s);
        CHECK(r.calls("a:submit") == 3);
        CHECK_FALSE(r.queue.contains(id));
        CHECK(r.sink.count(delivery::kind::non_delivery_report) == 1);
        r.advance(120s);
        CHECK(r.calls("a:submit") == 3);
        CHECK(r.calls("a:end") == 0);
        r.stop();
    }

    TEST_CASE("S3: recipients no transport takes get a non-delivery report - the rest is sent")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        r.start();
        const message_id id = r.queue.submit(make_message("Report me", {{"A", "x"}, {"FAX", "555"}}));
        r.spool->pump();
        CHECK(a.logon->sent == std::vector<message_id>{id});
        REQUIRE(r.sink.count(delivery::kind::non_delivery_report) == 1);
        const delivery& d = r.sink.items().front();
        CHECK(d.original == id);
        CHECK(d.message.props.get_string(pr::subject) == "Undeliverable: Report me");
        REQUIRE(d.message.recipients.size() == 1);
        CHECK(d.message.recipients[0].get_string(pr::email_address) == "555");
        CHECK_FALSE(r.queue.contains(id));
        r.stop();
    }

    TEST_CASE("routing: UIDs first - then address types in transport order - 'any' and XP_PREFER_LAST transports last - 'none' never")
    {
        rig r;
        uid u{};
        u.bytes[0] = 0xAB;
        address_types_result by_uid;
        by_uid.uids.push_back(u);
        auto& any = r.add("any", address_types_result::any_type());
        auto& late = r.add("late", types_of({"A"}), {}, resource_flag::xp_prefer_last);
        auto& none = r.add("none", address_types_result::no_type());
        auto& a = r.add("a", types_of({"A"}));
        auto& viauid = r.add("uid", by_uid);
        auto& sp = r.start();
        CHECK(sp.transport_name(4) == "late");
        outbound_message m = make_message("m", {{"A", "1"}, {"Q", "2"}, {"Z", "3"}});
        binary eid(20, 0);
        eid[4] = 0xAB;
        static_cast<void>(m.recipients[2].set(pr::entryid, eid));
        r.queue.submit(m);
        sp.pump();
        REQUIRE(a.logon->got.size() == 1);
        CHECK(a.logon->got[0] == std::vector<std::string>{"1"});
        REQUIRE(viauid.logon->got.size() == 1);
        CHECK(viauid.logon->got[0] == std::vector<std::string>{"3"});
        REQUIRE(any.logon->got.size() == 1);
        CHECK(any.logon->got[0] == std::vector<std::string>{"2"});
        CHECK(late.logon->got.empty());
        CHECK(none.logon->got.empty());
        r.stop();
    }

    TEST_CASE("S5: END_DONT_RESEND defers - SENTDEFERRED with an id re-queues exactly that message with BEGIN_DEFERRED")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}), transport_logon_flag::sp_idle);
        a.configure = [](fake_xp& x) {
            x.end_script.push_back(end_message_flag::dont_resend);
            x.end_script.push_back(end_message_flag::dont_resend);
        };
        auto& sp = r.start();
        const message_id m1 = r.queue.submit(make_message("1", {{"A", "x"}}));
        const message_id m2 = r.queue.submit(make_message("2", {{"A", "y"}}));
        sp.pump();
        CHECK(sp.is_deferred(m1));
        CHECK(sp.is_deferred(m2));
        CHECK(r.queue.contains(m1));
        r.advance(1h);
        CHECK(r.calls("a:submit") == 2);
        REQUIRE(a.logon->support().spooler_notify(spooler_notify::sentdeferred, {m2, {}}));
        sp.pump();
        CHECK(r.calls("a:submit") == 3);
        CHECK(a.logon->deferred_flags.back());
        CHECK(a.logon->sent == std::vector<message_id>{m2});
        CHECK(sp.is_deferred(m1));
        r.stop();
        // ABORT_DEFERRED alone at logoff for the message still deferred; it stays queued.
        CHECK(r.calls("a:notify:NOTIFY_ABORT_DEFERRED") == 1);
        CHECK(r.queue.contains(m1));
    }

    TEST_CASE("S5: SENTDEFERRED without data re-queues every deferred message of that transport - ABORT_DEFERRED on cancel")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            for (int k = 0; k < 3; ++k) {
                x.end_script.push_back(end_message_flag::dont_resend);
            }
        };
        auto& sp = r.start();
        const message_id m1 = r.queue.submit(make_message("1", {{"A", "x"}}));
        const message_id m2 = r.queue.submit(make_message("2", {{"A", "y"}}));
        const message_id m3 = r.queue.submit(make_message("3", {{"A", "z"}}));
        sp.pump();
        REQUIRE(sp.cancel_message(m3));
        sp.pump();
        CHECK(r.calls("a:notify:NOTIFY_ABORT_DEFERRED | NOTIFY_CANCEL_MESSAGE") == 1);
        CHECK_FALSE(r.queue.contains(m3));
        REQUIRE(a.logon->support().spooler_notify(spooler_notify::sentdeferred));
        sp.pump();
        CHECK(a.logon->sent == std::vector<message_id>{m1, m2});
        CHECK(r.queue.size() == 0);
        r.stop();
    }

    TEST_CASE("S5: END_RESEND_LATER waits resend_later_delay - END_RESEND_NOW resends at once")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            x.end_script.push_back(end_message_flag::resend_now);
            x.end_script.push_back(end_message_flag::resend_later);
        };
        r.start();
        const message_id id = r.queue.submit(make_message("1", {{"A", "x"}}));
        r.spool->pump();
        CHECK(r.calls("a:submit") == 2);
        r.advance(59s);
        CHECK(r.calls("a:submit") == 2);
        r.advance(1s);
        CHECK(a.logon->sent == std::vector<message_id>{id});
        r.stop();
    }

    TEST_CASE("rule 56: after NOTIFY_CRITICAL_ERROR from SubmitMessage the transport gets no call but logoff - the message waits")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}), transport_logon_flag::sp_poll);
        a.configure = [](fake_xp& x) { x.critical_in_submit = true; };
        auto& sp = r.start();
        const message_id id = r.queue.submit(make_message("1", {{"A", "x"}}));
        sp.pump();
        CHECK(sp.transport_status(0) == spooler::transport_state::dead);
        const std::size_t calls_before = r.log.size();
        r.queue.submit(make_message("2", {{"A", "y"}}));
        r.advance(10min);
        CHECK(r.log.size() == calls_before);
        CHECK(r.queue.contains(id));
        CHECK(r.sink.count(delivery::kind::non_delivery_report) == 0);
        r.stop();
        REQUIRE(r.log.size() == calls_before + 1);
        CHECK(r.log.back() == "a:logoff");
    }

    TEST_CASE("S10: a message that makes the transport throw is quarantined after max_attempts - without a restart loop")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) { x.throw_now = [] { return true; }; };
        auto& sp = r.start();
        const message_id id = r.queue.submit(make_message("poison", {{"A", "x"}}));
        sp.pump();
        CHECK(r.calls("a:submit") == 3);
        CHECK(sp.count(spooler_event::kind::quarantined) == 1);
        CHECK_FALSE(r.queue.contains(id));
        REQUIRE(r.queue.quarantined().count(id) == 1);
        CHECK(r.queue.quarantined().at(id).second.message.find("3 times") != std::string::npos);
        r.advance(1h);
        CHECK(r.calls("a:submit") == 3);
        r.stop();
    }

    TEST_CASE("S11: at logoff traffic is turned off - the status row disappears and the logged-off transport is not called again")
    {
        rig r;
        r.add("a", types_of({"A"}));
        auto& sp = r.start();
        r.stop();
        CHECK(r.calls("a:notify:NOTIFY_END_INBOUND | NOTIFY_END_OUTBOUND") == 1);
        CHECK(r.calls("a:logoff") == 1);
        CHECK_FALSE(sp.support(0).status_row().has_value());
        const std::size_t n = r.log.size();
        const message_id id = r.queue.submit(make_message("late", {{"A", "x"}}));
        sp.pump();
        CHECK(r.log.size() == n);
        CHECK(r.queue.contains(id));  // persists for the next session
    }

    TEST_CASE("the event log keeps the most recent event_log_limit events - count() counts every event since the start")
    {
        rig r;
        r.options.event_log_limit = 8;
        r.add("a", types_of({"A"}));
        r.start();
        std::vector<message_id> ids;
        for (int i = 0; i < 50; ++i) {
            ids.push_back(r.queue.submit(make_message("m" + std::to_string(i), {{"A", "x"}})));
            r.spool->pump();
            CHECK(r.spool->events().size() <= 8);
        }
        CHECK(r.spool->count(spooler_event::kind::sent) == 50);
        const auto& log = r.spool->events();
        REQUIRE_FALSE(log.empty());
        CHECK(log.back().what == spooler_event::kind::sent);
        CHECK(log.back().message == std::optional<message_id>{ids.back()});
        CHECK(r.spool->events_dropped() + log.size() == 50);
        r.stop();
    }

    TEST_CASE("S11: a spooler started and shut down before it ever ran logs no transport on, and a later pump calls none")
    {
        rig r;
        r.add("a", types_of({"A"}));
        r.spool = std::make_unique<spooler>(r.sched, r.queue, r.sink, r.clock, r.configs, r.options);
        spooler& sp = *r.spool;
        sp.start();
        CHECK(sp.current_state() == spooler::state::starting);
        sp.shutdown();
        CHECK(sp.current_state() == spooler::state::stopped);
        // The start spawned before the shutdown runs now, and does nothing.
        const message_id id = r.queue.submit(make_message("queued", {{"A", "x"}}));
        sp.pump();
        CHECK(r.log.empty());
        CHECK(sp.current_state() == spooler::state::stopped);
        CHECK_FALSE(sp.support(0).status_row().has_value());
        CHECK(r.queue.contains(id));  // stays queued for the next session
        CHECK(r.sink.count(delivery::kind::non_delivery_report) == 0);
    }

    TEST_CASE("S11: a spooler shut down after its start ran logs every transport off, as before")
    {
        rig r;
        r.add("a", types_of({"A"}));
        auto& sp = r.start();
        REQUIRE(r.calls("a:logon") == 1);
        sp.shutdown();
        CHECK(sp.current_state() == spooler::state::stopping);
        sp.pump();
        CHECK(sp.current_state() == spooler::state::stopped);
        CHECK(r.calls("a:logoff") == 1);
    }

    TEST_CASE("S11: a transport whose logon fails is never called - its recipients get an NDR")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.fail_logon = true;
        auto& sp = r.start();
        CHECK(sp.transport_status(0) == spooler::transport_state::not_logged_on);
        r.queue.submit(make_message("m", {{"A", "x"}}));
        sp.pump();
        CHECK(r.sink.count(delivery::kind::non_delivery_report) == 1);
        r.stop();
        CHECK(r.calls("a:logoff") == 0);
    }

    TEST_CASE("rule 53: ValidateState with an undefined flag returns unknown_flags")
    {
        rig r;
        r.add("a", types_of({"A"}));
        auto& sp = r.start();
        auto res = r.run(sp.validate_state(0, validate_flags::from_bits_unchecked(0x2)));
        CHECK(res.code() == scode::unknown_flags);
        CHECK(sp.validate_state(validate_flags::from_bits_unchecked(0x8)).code() == scode::unknown_flags);
        auto ok = r.run(sp.validate_state(0, validate_flag::suppress_ui));
        CHECK(ok.has_value());
        CHECK(r.calls("a:validate") == 1);
        r.stop();
    }

    TEST_CASE("S9: CONFIG_CHANGE makes the spooler ask AddressTypes again")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        a.logon->types = types_of({"B"});
        REQUIRE(a.logon->support().spooler_notify(spooler_notify::config_change));
        sp.pump();
        CHECK(r.calls("a:address_types") == 2);
        CHECK(sp.address_types(0).types == std::vector<std::string>{"B"});
        r.stop();
    }

    TEST_CASE("rule 65: PR_OWN_STORE_ENTRYID in a transport's row marks it tightly coupled to that store")
    {
        rig r;
        r.add("a", types_of({"A"}));
        auto& sp = r.start();
        CHECK_FALSE(sp.own_store(0).has_value());
        property_bag change;
        REQUIRE(change.set(pr::own_store_entryid, binary{1, 2, 3}));
        REQUIRE(sp.support(0).modify_status_row(change, true));
        CHECK(sp.own_store(0) == binary{1, 2, 3});
        r.stop();
    }
}

} // namespace spooler_lifecycle_tests
