// SPDX-License-Identifier: MIT
#include "spooler_test_helpers.hpp"

#include <doctest/doctest.h>

namespace spooler_inbound_flush_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("S7: Poll then a StartMessage loop - a saved message is delivered - an unsaved one ends the loop")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}), transport_logon_flag::sp_poll);
        a.configure = [](fake_xp& x) {
            x.inbox.push_back("one");
            x.inbox.push_back("two");
        };
        auto& sp = r.start();
        CHECK(r.sink.count(delivery::kind::mail) == 2);
        CHECK(r.calls("a:start") == 3);
        CHECK(r.sink.items()[0].message.props.get_string(pr::subject) == "one");
        // Next poll only after the interval.
        a.logon->inbox.push_back("three");
        r.advance(59s);
        CHECK(r.calls("a:poll") == 1);
        r.advance(1s);
        CHECK(r.calls("a:poll") == 2);
        CHECK(r.sink.count(delivery::kind::mail) == 3);
        r.stop();
        (void)sp;
    }

    TEST_CASE("rule 58: NOTIFY_NEWMAIL is honoured between BEGIN_INBOUND and END_INBOUND only")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        a.logon->inbox.push_back("yes");
        REQUIRE(a.logon->support().spooler_notify(spooler_notify::newmail));
        sp.pump();
        CHECK(r.sink.count(delivery::kind::mail) == 1);
        sp.set_inbound(0, false);
        sp.pump();
        a.logon->inbox.push_back("no");
        REQUIRE(a.logon->support().spooler_notify(spooler_notify::newmail));
        sp.pump();
        CHECK(r.sink.count(delivery::kind::mail) == 1);
        sp.set_inbound(0, true);
        sp.pump();
        CHECK(r.sink.count(delivery::kind::mail) == 1);  // the earlier NEWMAIL was dropped
        r.stop();
    }

    TEST_CASE("rule 57: a transport may send anything but NEWMAIL_RECEIVED - a store only NEWMAIL_RECEIVED and READYTOSEND")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        spooler_support& xs = a.logon->support();
        CHECK(xs.spooler_notify(spooler_notify::newmail_received).code() == scode::invalid_parameter);
        CHECK(xs.spooler_notify(spooler_notify::readytosend).has_value());
        CHECK(xs.spooler_notify(spooler_notify::sentdeferred | spooler_notify::critical_error).code() ==
              scode::invalid_parameter);
        CHECK(xs.spooler_notify(spooler_notify_flags::from_bits_unchecked(0x8)).code() == scode::unknown_flags);
        spooler_support& store = sp.store_support(false);
        CHECK(store.spooler_notify(spooler_notify::newmail).code() == scode::invalid_parameter);
        CHECK(store.spooler_notify(spooler_notify::newmail_received).has_value());
        CHECK(store.spooler_notify(spooler_notify::readytosend).has_value());
        spooler_support& no_mail = sp.store_support(true);
        CHECK(no_mail.spooler_notify(spooler_notify::newmail_received).has_value());
        sp.pump();
        CHECK(sp.store_newmail_count() == 1);  // the MAPI_NO_MAIL store's was ignored
        r.stop();
    }

    TEST_CASE("rule 56 / S9: a critical section suppresses Idle and Poll and makes ValidateState busy - NONCRIT restores")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}), transport_logon_flag::sp_poll | transport_logon_flag::sp_idle);
        auto& sp = r.start();
        CHECK(r.calls("a:poll") == 1);
        CHECK(r.calls("a:idle") == 1);
        {
            auto cs = r.run([](fake_xp& x) -> task<spooler_support::critical_section> {
                co_return co_await x.support().enter_critical_section();
            }(*a.logon));
            CHECK(sp.support(0).in_critical_section());
            r.advance(10min);
            CHECK(r.calls("a:poll") == 1);
            CHECK(r.calls("a:idle") == 1);
            auto v = r.run(sp.validate_state(0, validate_flags{}));
            CHECK(v.code() == scode::busy);
            CHECK(r.calls("a:validate") == 0);
        }
        CHECK_FALSE(sp.support(0).in_critical_section());
        r.advance(1min);
        CHECK(r.calls("a:poll") == 2);
        // An unbalanced NONCRIT is harmless; a CRITSEC held at logoff is released.
        CHECK(a.logon->support().spooler_notify(spooler_notify::noncrit).has_value());
        REQUIRE(a.logon->support().spooler_notify(spooler_notify::critsec));
        r.stop();
        CHECK_FALSE(sp.support(0).in_critical_section());
    }

    TEST_CASE("S6: a flush goes through the transports in order with progress - outbound then inbound")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& b = r.add("b", types_of({"B"}));
        auto& sp = r.start();
        // Queue messages while outbound is held off by a long retry, so that the flush sends them.
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        const message_id m1 = r.queue.submit(make_message("1", {{"A", "x"}}));
        sp.pump();
        const message_id m2 = r.queue.submit(make_message("2", {{"A", "y"}}));
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        sp.pump();
        REQUIRE(r.queue.contains(m1));
        REQUIRE(r.queue.contains(m2));
        b.logon->inbox.push_back("in");
        std::vector<flush_progress> seen;
        auto res = r.run(sp.flush(flush_flag::upload | flush_flag::download,
                                  [&](const flush_progress& p) { seen.push_back(p); }));
        CHECK(res.has_value());
        CHECK(r.queue.size() == 0);
        CHECK(r.first("a:flush_queues") < r.first("b:flush_queues"));
        CHECK(r.first("a:notify:NOTIFY_END_OUTBOUND_FLUSH") < r.first("b:flush_queues"));
        CHECK(r.calls("b:notify:NOTIFY_END_INBOUND_FLUSH") == 1);
        CHECK(r.sink.count(delivery::kind::mail) == 1);
        REQUIRE_FALSE(seen.empty());
        CHECK(seen.front().transport == 0);
        CHECK(seen.front().total == 2);
        bool a_done = false;
        for (const auto& p : seen) {
            a_done = a_done || (p.transport == 0 && p.queue == flush_queue::outbound && p.done == 2);
        }
        CHECK(a_done);
        r.stop();
    }

    TEST_CASE("rule 63: the spooler drives a flush only while a flush bit is set - clearing it stops the flush")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        // The transport clears its bit after the first message.
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        r.queue.submit(make_message("1", {{"A", "x"}}));
        r.queue.submit(make_message("2", {{"A", "y"}}));
        sp.pump();
        REQUIRE(r.queue.size() == 2);
        a.logon->end_script.clear();
        a.logon->after_yield = nullptr;
        a.logon->yields_per_submit = 0;
        a.logon->submit_script.push_back({scode::success, 0, 0});
        // The first message is sent, then the transport clears its bit.
        auto res = r.run(sp.flush(flush_flag::upload, [&](const flush_progress& p) {
            if (p.done == 1) {
                static_cast<void>(sp.support(0).update_status_code({}, status_code::outbound_flush));
            }
        }));
        CHECK(res.has_value());
        CHECK(r.queue.size() == 1);
        CHECK(r.calls("a:notify:NOTIFY_END_OUTBOUND_FLUSH") == 0);  // stopped by the transport, not emptied
        r.stop();
    }

    TEST_CASE("S6: a transport may start a flush itself by setting its flush bits (WINDS)")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        r.queue.submit(make_message("1", {{"A", "x"}}));
        sp.pump();
        REQUIRE(r.queue.size() == 1);
        REQUIRE(sp.support(0).update_status_code(status_code::outbound_flush));
        sp.pump();
        CHECK(r.queue.size() == 0);
        CHECK(r.calls("a:notify:NOTIFY_END_OUTBOUND_FLUSH") == 1);
        r.stop();
    }

    TEST_CASE("rule 64: FlushQueues with FLUSH_ASYNC_OK returns busy at once and flushes in the background")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        r.queue.submit(make_message("1", {{"A", "x"}}));
        sp.pump();
        auto res = r.run(sp.flush(flush_flag::upload | flush_flag::async_ok));
        CHECK(res.code() == scode::busy);
        sp.pump();
        CHECK(r.queue.size() == 0);
        CHECK(r.run(sp.flush(flush_flags::from_bits_unchecked(0x1))).code() == scode::unknown_flags);
        r.stop();
    }

    TEST_CASE("S6: shutdown in the middle of a flush sends END_INBOUND_FLUSH and END_OUTBOUND_FLUSH in one call")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        spooler* sp = nullptr;
        a.configure = [&](fake_xp& x) {
            x.yields_per_submit = 3;
            x.after_yield = [&](fake_xp& self) {
                if (self.yields == 1) {
                    sp->shutdown();
                }
            };
        };
        sp = &r.start();
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        a.logon->yields_per_submit = 0;
        r.queue.submit(make_message("1", {{"A", "x"}}));
        r.queue.submit(make_message("2", {{"A", "y"}}));
        a.logon->submit_script.push_back({scode::wait, 0, 3600});
        sp->pump();
        REQUIRE(r.queue.size() == 2);
        a.logon->yields_per_submit = 3;
        auto res = r.run(sp->flush(flush_flag::upload));
        CHECK(res.has_value());
        CHECK(r.calls("a:notify:NOTIFY_END_INBOUND_FLUSH | NOTIFY_END_OUTBOUND_FLUSH") == 1);
        CHECK(r.calls("a:notify:NOTIFY_END_OUTBOUND_FLUSH") == 0);
        CHECK(sp->current_state() == spooler::state::stopped);
        CHECK(r.queue.size() == 2);  // cancelled by the shutdown, still queued
    }
}

} // namespace spooler_inbound_flush_tests
