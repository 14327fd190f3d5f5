// SPDX-License-Identifier: MIT
// The example of docs/spooler.md, verbatim between the markers, so that it cannot rot.
#include <mapixx/spooler/spooler.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace spooler_doc_example_tests {

// --- docs/spooler.md example begins ---
namespace demo {
using namespace mapixx;

// A transport that "sends" by appending to a vector, yielding between recipients.
class vector_transport : public xp_logon {
public:
    vector_transport(spooler_support& s, std::vector<std::string>& wire) : xp_logon{s}, wire_{&wire} {}

    task<address_types_result> address_types() override
    {
        address_types_result r;
        r.types = {"DEMO"};
        co_return r;
    }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        ctx.message_ref = ++refs_;  // before moving any data: a cancel may come at any time
        for (const property_bag& rcpt : ctx.message.recipients) {
            if (rcpt.get_bool(pr::responsibility).value_or(false)) {
                continue;  // not ours, or already handled
            }
            if (co_await support().spooler_yield() == yield_status::cancel_message) {
                co_return submit_result{scode::user_cancel, ctx.message_ref, 0};
            }
            wire_->emplace_back(rcpt.get_string(pr::email_address).value_or(""));
        }
        co_return submit_result{scode::success, ctx.message_ref, 0};
    }

private:
    std::vector<std::string>* wire_;
    std::uint32_t refs_ = 0;
};

class vector_provider : public xp_provider {
public:
    explicit vector_provider(std::vector<std::string>& wire) : wire_{&wire} {}

    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags) override
    {
        property_bag row{prop_value{pr::display_name, "demo"},
                         prop_value{pr::status_code, status_codes{status_code::available}.bits()}};
        static_cast<void>(s.modify_status_row(row, false));
        co_return xp_logon_result{std::make_unique<vector_transport>(s, *wire_), {}};
    }

private:
    std::vector<std::string>* wire_;
};

inline std::vector<std::string> send_one()
{
    std::vector<std::string> wire;
    vector_provider provider{wire};
    scheduler sched;
    memory_message_queue outbox;
    memory_delivery_sink inbox;
    steady_spooler_clock clock;
    spooler spool{sched, outbox, inbox, clock, {spooler_transport{&provider, "demo", {}}}};
    spool.start();

    outbound_message m;
    static_cast<void>(m.props.set(pr::subject, "hello"));
    property_bag to;
    static_cast<void>(to.set(pr::addrtype, "DEMO"));
    static_cast<void>(to.set(pr::email_address, "bob@example"));
    static_cast<void>(to.set(pr::responsibility, false));
    m.recipients.push_back(to);
    outbox.submit(m);

    spool.pump();      // logs on, sends
    spool.shutdown();
    spool.pump();      // logs off
    return wire;
}
} // namespace demo
// --- docs/spooler.md example ends ---

TEST_SUITE("docs/spooler.md")
{
    TEST_CASE("the transport example of docs/spooler.md sends its message")
    {
        CHECK(demo::send_one() == std::vector<std::string>{"bob@example"});
    }
}

} // namespace spooler_doc_example_tests
