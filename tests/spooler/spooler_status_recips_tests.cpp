// SPDX-License-Identifier: MIT
// Per-recipient outcomes (submit_context::mark_undeliverable, the StatusRecips analogue), the
// reasons a transport gives on the MAPI_E_CANCEL path, inbound messages the delivery sink
// refuses (transport_logon::inbound_outcome), and settling only what changed.
#include "spooler_test_helpers.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spooler_status_recips_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

namespace {

/// A transport whose SubmitMessage is a function of the working copy.
class scripted_xp final : public xp_logon {
public:
    scripted_xp(spooler_support& s, address_types_result t) : xp_logon{s}, types{std::move(t)} {}

    address_types_result types;
    std::function<submit_result(submit_context&)> on_submit;  // empty: success
    std::deque<end_message_flags> end_script;                 // empty: sent
    std::vector<std::vector<std::string>> got;                // per submission: its rows' emails
    std::deque<std::string> inbox;                            // subjects waiting for StartMessage
    std::vector<std::pair<std::uint32_t, bool>> outcomes;     // inbound_outcome: ref, stored
    std::uint32_t next_inbound_ref = 500;

    task<address_types_result> address_types() override { co_return types; }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        ctx.message_ref = ++refs_;
        std::vector<std::string> mine;
        for (const auto& r : ctx.message.recipients) {
            if (!r.get_bool(pr::responsibility).value_or(false)) {
                mine.emplace_back(r.get_string(pr::email_address).value_or(""));
            }
        }
        got.push_back(std::move(mine));
        static_cast<void>(co_await support().spooler_yield());
        submit_result r;
        if (on_submit) {
            r = on_submit(ctx);
        }
        r.message_ref = ctx.message_ref;
        co_return r;
    }

    task<result<end_message_flags>> end_message(std::uint32_t) override
    {
        end_message_flags f;
        if (!end_script.empty()) {
            f = end_script.front();
            end_script.pop_front();
        }
        co_return f;
    }

    task<bool> poll() override { co_return !inbox.empty(); }

    task<result<void>> start_message(inbound_message& m) override
    {
        if (!inbox.empty()) {
            static_cast<void>(m.props.set(pr::subject, inbox.front()));
            m.message_ref = ++next_inbound_ref;
            m.save_changes();
        }
        co_return result<void>{};
    }

    task<void> inbound_outcome(std::uint32_t ref, result<void> stored) override
    {
        outcomes.emplace_back(ref, stored.has_value());
        if (stored) {
            inbox.pop_front();  // only a stored message is forgotten
        }
        co_return;
    }

private:
    std::uint32_t refs_ = 0;
};

class scripted_provider final : public xp_provider {
public:
    scripted_provider(address_types_result t, transport_logon_flags out = {}) : types_{std::move(t)}, out_{out} {}

    scripted_xp* logon = nullptr;
    std::function<void(scripted_xp&)> configure;

    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags) override
    {
        auto l = std::make_unique<scripted_xp>(s, types_);
        logon = l.get();
        if (configure) {
            configure(*l);
        }
        co_return xp_logon_result{std::move(l), out_};
    }

private:
    address_types_result types_;
    transport_logon_flags out_;
};

/// A delivery sink that refuses mail while `refuse` is set (reports are always taken).
class refusing_sink final : public delivery_sink {
public:
    bool refuse = false;
    std::vector<delivery> items;

    result<void> deliver(delivery d) override
    {
        if (refuse && d.what == delivery::kind::mail) {
            return fail(scode::disk_error, "the store is full", "test");
        }
        items.push_back(std::move(d));
        return {};
    }
};

/// A spooler over scripted transports.
struct status_rig {
    scheduler sched;
    memory_message_queue queue;
    memory_delivery_sink sink;
    manual_clock clock;
    std::vector<std::unique_ptr<scripted_provider>> providers;
    std::unique_ptr<spooler> spool;

    scripted_provider& add(address_types_result t, transport_logon_flags out = {})
    {
        providers.push_back(std::make_unique<scripted_provider>(std::move(t), out));
        return *providers.back();
    }

    spooler& start(delivery_sink* other_sink = nullptr)
    {
        std::vector<spooler_transport> configs;
        for (std::size_t i = 0; i != providers.size(); ++i) {
            configs.push_back(spooler_transport{providers[i].get(), "xp" + std::to_string(i), {}});
        }
        spool = std::make_unique<spooler>(sched, queue, other_sink != nullptr ? *other_sink : sink, clock, configs);
        spool->start();
        spool->pump();
        return *spool;
    }

    message_id submit(outbound_message m)
    {
        const message_id id = queue.submit(std::move(m));
        spool->pump();
        return id;
    }

    ~status_rig()
    {
        if (spool) {
            spool->shutdown();
            spool->pump();
        }
    }
};

std::vector<std::string> emails_of(const std::vector<property_bag>& rows)
{
    std::vector<std::string> out;
    for (const auto& r : rows) {
        out.emplace_back(r.get_string(pr::email_address).value_or(""));
    }
    return out;
}

std::size_t row_of(const submit_context& ctx, const std::string& email)
{
    for (std::size_t k = 0; k != ctx.message.recipients.size(); ++k) {
        if (ctx.message.recipients[k].get_string(pr::email_address) == email) {
            return k;
        }
    }
    FAIL("no row for " << email);
    return 0;
}

} // namespace

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("status recips: the marked recipients get one report with their reasons, the others count as sent")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        a.configure = [](scripted_xp& x) {
            x.on_submit = [](submit_context& ctx) {
                REQUIRE(ctx.mark_undeliverable(row_of(ctx, "bad1"), "no such user bad1"));
                REQUIRE(ctx.mark_undeliverable(row_of(ctx, "bad2"), "mailbox bad2 is closed"));
                return submit_result{};
            };
        };
        auto& sp = r.start();
        const auto id = r.submit(make_message("hello", {{"A", "good"}, {"A", "bad1"}, {"A", "bad2"}}));

        CHECK_FALSE(r.queue.contains(id));
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        CHECK(sp.count(spooler_event::kind::ndr) == 1);
        REQUIRE(r.sink.items().size() == 1);
        const delivery& d = r.sink.items()[0];
        CHECK(d.what == delivery::kind::non_delivery_report);
        CHECK(d.original == id);
        CHECK(d.message.props.get_string(pr::subject) == "Undeliverable: hello");
        REQUIRE(emails_of(d.message.recipients) == std::vector<std::string>{"bad1", "bad2"});
        CHECK(d.message.recipients[0].get_string(pr::report_text) == "no such user bad1");
        CHECK(d.message.recipients[1].get_string(pr::report_text) == "mailbox bad2 is closed");
        const std::string body(d.message.props.get_string(pr::body).value_or(""));
        CHECK(body.find("bad1: no such user bad1") != std::string::npos);
        CHECK(body.find("bad2: mailbox bad2 is closed") != std::string::npos);
        CHECK(a.logon->got.size() == 1);  // one submission settled everything
    }

    TEST_CASE("status recips: with END_DONT_RESEND the marked rows are reported, the handled ones done, the rest deferred")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        a.configure = [](scripted_xp& x) {
            x.on_submit = [](submit_context& ctx) {
                if (ctx.deferred) {
                    return submit_result{};  // the resubmission: everything left goes
                }
                REQUIRE(ctx.mark_undeliverable(row_of(ctx, "bad"), "refused for good"));
                static_cast<void>(ctx.message.recipients[row_of(ctx, "sent")].set(pr::responsibility, true));
                return submit_result{};
            };
            x.end_script.push_back(end_message_flag::dont_resend);
        };
        auto& sp = r.start();
        const auto id = r.submit(make_message("m", {{"A", "sent"}, {"A", "bad"}, {"A", "later"}}));
        CHECK(sp.is_deferred(id));
        CHECK(sp.count(spooler_event::kind::ndr) == 1);
        REQUIRE(r.sink.items().size() == 1);
        CHECK(emails_of(r.sink.items()[0].message.recipients) == std::vector<std::string>{"bad"});
        CHECK(r.sink.items()[0].message.recipients[0].get_string(pr::report_text) == "refused for good");

        REQUIRE(a.logon->support().spooler_notify(spooler_notify::sentdeferred, {id, {}}));
        sp.pump();
        REQUIRE(a.logon->got.size() == 2);
        CHECK(a.logon->got[1] == std::vector<std::string>{"later"});
        CHECK_FALSE(r.queue.contains(id));
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        CHECK(r.sink.items().size() == 1);  // no second report
    }

    TEST_CASE("status recips: marks are dropped when the submission does not succeed, and the whole message is retried")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        int calls = 0;
        a.configure = [&calls](scripted_xp& x) {
            x.on_submit = [&calls](submit_context& ctx) {
                REQUIRE(ctx.mark_undeliverable(row_of(ctx, "bad"), "attempt " + std::to_string(++calls)));
                if (calls == 1) {
                    return submit_result{scode::wait, 0, 5};
                }
                return submit_result{};
            };
        };
        auto& sp = r.start();
        const auto id = r.submit(make_message("m", {{"A", "good"}, {"A", "bad"}}));
        CHECK(r.queue.contains(id));
        CHECK(r.sink.items().empty());
        r.clock.advance(5s);
        sp.pump();
        REQUIRE(a.logon->got.size() == 2);
        CHECK(a.logon->got[1] == std::vector<std::string>{"good", "bad"});
        REQUIRE(r.sink.items().size() == 1);
        CHECK(r.sink.items()[0].message.recipients.at(0).get_string(pr::report_text) == "attempt 2");
        CHECK_FALSE(r.queue.contains(id));
    }

    TEST_CASE("status recips: with END_RESEND_LATER the marks are dropped too")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        a.configure = [](scripted_xp& x) {
            x.on_submit = [](submit_context& ctx) {
                REQUIRE(ctx.mark_undeliverable(row_of(ctx, "bad"), "no"));
                return submit_result{};
            };
            x.end_script.push_back(end_message_flag::resend_later);
        };
        auto& sp = r.start();
        const auto id = r.submit(make_message("m", {{"A", "good"}, {"A", "bad"}}));
        CHECK(r.queue.contains(id));
        CHECK(r.sink.items().empty());
        CHECK(sp.count(spooler_event::kind::ndr) == 0);
    }

    TEST_CASE("status recips: a mark on a row that is not the transport's is ignored")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        auto& b = r.add(types_of({"B"}));
        a.configure = [](scripted_xp& x) {
            x.on_submit = [](submit_context& ctx) {
                REQUIRE(ctx.mark_undeliverable(row_of(ctx, "b-user"), "not mine to say"));
                return submit_result{};
            };
        };
        auto& sp = r.start();
        const auto id = r.submit(make_message("m", {{"A", "a-user"}, {"B", "b-user"}}));
        sp.pump();  // b's turn once a has let go of the message
        CHECK(r.sink.items().empty());
        REQUIRE(b.logon->got.size() == 1);
        CHECK(b.logon->got[0] == std::vector<std::string>{"b-user"});
        CHECK_FALSE(r.queue.contains(id));
        CHECK(sp.count(spooler_event::kind::ndr) == 0);
    }

    TEST_CASE("status recips: mark_undeliverable checks the row and replaces a reason given twice")
    {
        submit_context ctx;
        ctx.message = make_message("m", {{"A", "x"}});
        CHECK(ctx.mark_undeliverable(1, "no row").code() == scode::invalid_parameter);
        CHECK(ctx.undeliverable.empty());
        REQUIRE(ctx.mark_undeliverable(0, "first"));
        REQUIRE(ctx.mark_undeliverable(0, "second"));
        CHECK(ctx.undeliverable == std::vector<std::size_t>{0});
        CHECK(ctx.is_undeliverable(0));
        CHECK_FALSE(ctx.is_undeliverable(1));
        CHECK(ctx.message.recipients[0].get_string(pr::report_text) == "second");
        CHECK(ctx.message.recipients[0].get_bool(pr::responsibility) == true);
    }

    TEST_CASE("MAPI_E_CANCEL: the report carries the PR_REPORT_TEXT the transport put on its rows")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        a.configure = [](scripted_xp& x) {
            x.on_submit = [](submit_context& ctx) {
                static_cast<void>(ctx.message.recipients[row_of(ctx, "x")].set(pr::report_text, "x left the company"));
                return submit_result{scode::cancel, 0, 0};
            };
        };
        auto& sp = r.start();
        const auto id = r.submit(make_message("m", {{"A", "x"}, {"A", "y"}}));
        CHECK_FALSE(r.queue.contains(id));
        REQUIRE(r.sink.items().size() == 1);
        const auto& rows = r.sink.items()[0].message.recipients;
        REQUIRE(emails_of(rows) == std::vector<std::string>{"x", "y"});
        CHECK(rows[0].get_string(pr::report_text) == "x left the company");
        CHECK_FALSE(rows[1].contains(pr::report_text));
        CHECK(sp.count(spooler_event::kind::ndr) == 1);
    }

    TEST_CASE("inbound: a message the sink refuses is reported to the transport, which keeps it - it arrives later")
    {
        status_rig r;
        refusing_sink sink;
        sink.refuse = true;
        auto& a = r.add(types_of({"A"}), transport_logon_flag::sp_poll);
        a.configure = [](scripted_xp& x) {
            x.inbox.push_back("one");
            x.inbox.push_back("two");
        };
        auto& sp = r.start(&sink);
        // One attempt: refused, the loop stops for now and the transport still has both.
        REQUIRE(a.logon->outcomes.size() == 1);
        CHECK(a.logon->outcomes[0] == std::pair<std::uint32_t, bool>{501, false});
        CHECK(a.logon->inbox.size() == 2);
        CHECK(sink.items.empty());
        CHECK(sp.count(spooler_event::kind::not_delivered) == 1);
        CHECK(sp.count(spooler_event::kind::received) == 0);
        // The store takes mail again: at the next poll both arrive, each reported stored.
        sink.refuse = false;
        r.clock.advance(60s);
        sp.pump();
        CHECK(a.logon->inbox.empty());
        REQUIRE(sink.items.size() == 2);
        CHECK(sink.items[0].message.props.get_string(pr::subject) == "one");
        CHECK(sink.items[1].message.props.get_string(pr::subject) == "two");
        REQUIRE(a.logon->outcomes.size() == 3);
        CHECK(a.logon->outcomes[1] == std::pair<std::uint32_t, bool>{502, true});
        CHECK(a.logon->outcomes[2] == std::pair<std::uint32_t, bool>{503, true});
        CHECK(sp.count(spooler_event::kind::received) == 2);
    }

    TEST_CASE("settling: recipients that become unroutable are reported at the next pump, with no transport woken")
    {
        status_rig r;
        auto& a = r.add(types_of({"A"}));
        a.configure = [](scripted_xp& x) { x.on_submit = [](submit_context&) { return submit_result{scode::not_me, 0, 0}; }; };
        auto& sp = r.start();
        // Queued behind the spooler's back: the next pump sees the new generation.
        const auto nobody = r.queue.submit(make_message("nobody", {{"Z", "z"}}));
        sp.pump();
        CHECK_FALSE(r.queue.contains(nobody));
        CHECK(r.sink.items().size() == 1);
        // Declined by the only transport: reported after that submission.
        const auto declined = r.submit(make_message("declined", {{"A", "a"}}));
        sp.pump();
        CHECK_FALSE(r.queue.contains(declined));
        CHECK(r.sink.items().size() == 2);
        // The routing changes: a transport that stops taking a type leaves that recipient to a report.
        a.logon->on_submit = [](submit_context&) { return submit_result{scode::wait, 0, 60}; };
        const auto waiting = r.submit(make_message("waiting", {{"A", "a"}}));
        CHECK(r.queue.contains(waiting));
        a.logon->types = types_of({"B"});
        REQUIRE(sp.validate_state(validate_flag::config_changed));
        sp.pump();
        sp.pump();
        CHECK_FALSE(r.queue.contains(waiting));
        CHECK(r.sink.items().size() == 3);
        CHECK(sp.count(spooler_event::kind::ndr) == 3);
    }
}

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("settling: with no transport running, each message queued later is reported at the next pump")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.fail_logon = true;
        auto& sp = r.start();
        for (int n = 1; n <= 3; ++n) {
            const auto id = r.queue.submit(make_message("m" + std::to_string(n), {{"A", "x"}}));
            CHECK(r.queue.contains(id));
            sp.pump();
            CHECK_FALSE(r.queue.contains(id));
            CHECK(r.sink.count(delivery::kind::non_delivery_report) == static_cast<std::size_t>(n));
        }
        // Nothing changed: further pumps report nothing again.
        sp.pump();
        sp.pump();
        CHECK(r.sink.count(delivery::kind::non_delivery_report) == 3);
        r.stop();
    }
}

} // namespace spooler_status_recips_tests
