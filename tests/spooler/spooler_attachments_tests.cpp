// SPDX-License-Identifier: MIT
// Attachment rows on the outbound path: the spooler hands a transport every attachment of the
// queued message, on every attempt (resend, deferral, busy, failure), to every transport that
// shares the message; a transport's changes to its copy never reach the queue; a quarantined
// message keeps them.
#include "spooler_test_helpers.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spooler_attachments_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

namespace {

/// One attachment row by value.
property_bag attachment(std::int32_t num, const std::string& name, const std::string& type, binary data)
{
    property_bag row;
    static_cast<void>(row.set(pr::attach_num, num));
    static_cast<void>(row.set(pr::attach_method, std::int32_t{1}));
    static_cast<void>(row.set(pr::attach_long_filename, name));
    static_cast<void>(row.set(pr::attach_mime_tag, type));
    static_cast<void>(row.set(pr::attach_data_bin, std::move(data)));
    return row;
}

/// Two rows: every byte value once, and a short text.
std::vector<property_bag> two_attachments()
{
    binary all;
    for (int b = 0; b <= 0xFF; ++b) {
        all.push_back(static_cast<std::uint8_t>(b));
    }
    const std::string text = "line one\r\nline two\r\n";
    return {attachment(0, "all-bytes.bin", "application/octet-stream", all),
            attachment(1, "r\xC3\xA9sum\xC3\xA9.txt", "text/plain", binary(text.begin(), text.end()))};
}

/// A message for address type "A" with the two attachments.
outbound_message with_attachments(const std::string& subject, std::vector<std::pair<std::string, std::string>> to)
{
    outbound_message m = make_message(subject, std::move(to));
    m.attachments = two_attachments();
    return m;
}

} // namespace

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("attachments: the transport's working copy has every attachment row of the queued message, bytes and all")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        const message_id id = r.queue.submit(with_attachments("files", {{"A", "x"}}));
        sp.pump();
        CHECK(a.logon->sent == std::vector<message_id>{id});
        REQUIRE(a.logon->attachments_got.size() == 1);
        const auto& got = a.logon->attachments_got[0];
        REQUIRE(got.size() == 2);
        CHECK(got == two_attachments());
        const binary* bytes = got[0].get_binary(pr::attach_data_bin);
        REQUIRE(bytes != nullptr);
        REQUIRE(bytes->size() == 256);
        for (std::size_t b = 0; b != bytes->size(); ++b) {
            CHECK((*bytes)[b] == static_cast<std::uint8_t>(b));
        }
        CHECK(got[1].get_string(pr::attach_long_filename) == "r\xC3\xA9sum\xC3\xA9.txt");
        r.stop();
    }

    TEST_CASE("attachments: a message without attachments reaches the transport without any")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        r.queue.submit(make_message("plain", {{"A", "x"}}));
        sp.pump();
        REQUIRE(a.logon->attachments_got.size() == 1);
        CHECK(a.logon->attachments_got[0].empty());
        r.stop();
    }

    TEST_CASE("attachments: two transports sharing a message's recipients both get the attachments")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& b = r.add("b", types_of({"B"}));
        auto& sp = r.start();
        const message_id id = r.queue.submit(with_attachments("both", {{"A", "x"}, {"B", "y"}}));
        sp.pump();
        CHECK_FALSE(r.queue.contains(id));
        REQUIRE(a.logon->attachments_got.size() == 1);
        REQUIRE(b.logon->attachments_got.size() == 1);
        CHECK(a.logon->attachments_got[0] == two_attachments());
        CHECK(b.logon->attachments_got[0] == two_attachments());
        r.stop();
    }

    TEST_CASE("attachments: every later attempt carries them too (deferral, resend, busy, wait, a failure)")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        message_id id{};
        SUBCASE("END_DONT_RESEND, then NOTIFY_SENTDEFERRED: the BEGIN_DEFERRED resubmission")
        {
            a.configure = [](fake_xp& x) { x.end_script.push_back(end_message_flag::dont_resend); };
            auto& sp = r.start();
            id = r.queue.submit(with_attachments("deferred", {{"A", "x"}}));
            sp.pump();
            REQUIRE(sp.is_deferred(id));
            REQUIRE(a.logon->support().spooler_notify(spooler_notify::sentdeferred, {id, {}}));
            sp.pump();
            REQUIRE(a.logon->deferred_flags.size() == 2);
            CHECK(a.logon->deferred_flags[1]);
        }
        SUBCASE("END_RESEND_NOW and END_RESEND_LATER")
        {
            a.configure = [](fake_xp& x) {
                x.end_script.push_back(end_message_flag::resend_now);
                x.end_script.push_back(end_message_flag::resend_later);
            };
            r.start();
            id = r.queue.submit(with_attachments("resent", {{"A", "x"}}));
            r.spool->pump();
            r.advance(60s);
            CHECK(a.logon->attachments_got.size() == 3);
        }
        SUBCASE("busy, then MAPI_E_WAIT with a delay")
        {
            a.configure = [](fake_xp& x) {
                x.submit_script.push_back({scode::busy, 0, 0});
                x.submit_script.push_back({scode::wait, 0, 5});
            };
            r.start();
            id = r.queue.submit(with_attachments("busy", {{"A", "x"}}));
            r.spool->pump();
            r.advance(1s);
            r.advance(5s);
            CHECK(a.logon->attachments_got.size() == 3);
        }
        SUBCASE("an exception from SubmitMessage")
        {
            bool crashed = false;
            a.configure = [&crashed](fake_xp& x) {
                x.throw_now = [&crashed] { return !std::exchange(crashed, true); };
            };
            r.start();
            id = r.queue.submit(with_attachments("crash", {{"A", "x"}}));
            r.spool->pump();
            CHECK(a.logon->attachments_got.size() == 2);
        }
        CHECK(a.logon->sent == std::vector<message_id>{id});
        CHECK_FALSE(r.queue.contains(id));
        REQUIRE(a.logon->attachments_got.size() >= 2);
        for (const auto& seen : a.logon->attachments_got) {
            CHECK(seen == two_attachments());
        }
        r.stop();
    }

    TEST_CASE("attachments: a transport that changes them in its copy and saves changes only the properties in the queue")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            x.edit_copy = [](submit_context& ctx) {
                static_cast<void>(ctx.message.props.set(pr::internet_message_id, "<kept@example.org>"));
                static_cast<void>(ctx.message.attachments[0].set(pr::attach_data_bin, binary{1, 2, 3}));
                ctx.message.attachments.pop_back();
                ctx.save_changes();
            };
            x.submit_script.push_back({scode::busy, 0, 0});
        };
        r.start();
        const message_id id = r.queue.submit(with_attachments("edited", {{"A", "x"}}));
        r.spool->pump();
        // The queue's copy: the saved property, the attachments as they were submitted.
        const auto queued = r.queue.load(id);
        REQUIRE(queued.has_value());
        CHECK(queued->props.get_string(pr::internet_message_id) == "<kept@example.org>");
        CHECK(queued->attachments == two_attachments());
        // The retry sees the original rows again.
        r.advance(1s);
        REQUIRE(a.logon->attachments_got.size() == 2);
        CHECK(a.logon->attachments_got[1] == two_attachments());
        CHECK_FALSE(r.queue.contains(id));
        r.stop();
    }

    TEST_CASE("attachments: a message quarantined after failed attempts keeps them in the queue")
    {
        rig r;
        r.options.max_attempts = 2;
        r.add("a", types_of({"A"})).configure = [](fake_xp& x) {
            x.submit_script.assign(2, submit_result{scode::call_failed, 0, 0});
        };
        const message_id id = r.queue.submit(with_attachments("poison", {{"A", "x"}}));
        r.start();
        CHECK(r.spool->count(spooler_event::kind::quarantined) == 1);
        REQUIRE(r.queue.quarantined().count(id) == 1);
        CHECK(r.queue.quarantined().at(id).first.attachments == two_attachments());
        CHECK(r.providers[0]->logon->attachments_got == std::vector<std::vector<property_bag>>(2, two_attachments()));
        r.stop();
    }
}

} // namespace spooler_attachments_tests
