// SPDX-License-Identifier: MIT
// The reactor example of docs/spooler.md, verbatim between the markers (checked below), so
// that it cannot rot.
#include <doctest/doctest.h>

#include <mapixx/spooler/reactor.hpp>

#if MAPIXX_HAS_REACTOR

#include <mapixx/spooler/spooler.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <sys/socket.h>
#include <unistd.h>

namespace spooler_doc_reactor_example_tests {

// --- docs/spooler.md reactor example begins ---
namespace demo_io {
using namespace mapixx;
using namespace std::chrono_literals;

// Writes each recipient's address as a line on a socket, then waits for a '+' from the server.
// While it waits, the other transports run.
class line_transport : public xp_logon {
public:
    line_transport(spooler_support& s, int fd) : xp_logon{s}, fd_{fd} {}

    task<address_types_result> address_types() override
    {
        address_types_result r;
        r.types = {"LINE"};
        co_return r;
    }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        ctx.message_ref = 1;
        const submit_result retry{scode::network_error, ctx.message_ref, 60};  // try again in 60 s
        spooler_support::io_waiter* io = support().io();
        if (io == nullptr) {
            co_return retry;  // the spooler runs without a reactor
        }
        for (const property_bag& rcpt : ctx.message.recipients) {
            if (rcpt.get_bool(pr::responsibility).value_or(false)) {
                continue;
            }
            const std::string line = std::string{rcpt.get_string(pr::email_address).value_or("")} + "\n";
            if (!co_await io->writable(fd_, 30s) ||
                ::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
                co_return retry;  // timeout, hang-up, or end_of_session at shutdown
            }
            char answer = 0;
            if (!co_await io->readable(fd_, 30s) || ::read(fd_, &answer, 1) != 1 || answer != '+') {
                co_return retry;
            }
        }
        co_return submit_result{scode::success, ctx.message_ref, 0};
    }

private:
    int fd_;
};

class line_provider : public xp_provider {
public:
    explicit line_provider(int fd) : fd_{fd} {}

    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags) override
    {
        co_return xp_logon_result{std::make_unique<line_transport>(s, fd_), {}};
    }

private:
    int fd_;
};

// The server end of the socket, a coroutine on the same scheduler and reactor: '+' per line.
inline task<void> serve(io_waiter& io, int fd, std::string& received)
{
    while (co_await io.readable(fd)) {  // fails with end_of_session when the spooler stops
        char c = 0;
        while (::read(fd, &c, 1) == 1) {
            received += c;
            if (c == '\n' && ::write(fd, "+", 1) != 1) {
                co_return;
            }
        }
    }
}

inline std::string send_over_a_socket()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
        return {};
    }
    std::string received;
    {
        scheduler sched;
        memory_message_queue outbox;
        memory_delivery_sink inbox;
        steady_spooler_clock clock;
        std::unique_ptr<reactor> io = reactor::create(sched, clock).value();
        line_provider provider{fds[0]};
        spooler spool{sched, outbox, inbox, clock, {spooler_transport{&provider, "line", {}}}};
        spool.attach(*io);  // before start(): support().io() is this reactor
        spool.start();
        sched.spawn(serve(*io, fds[1], received));

        outbound_message m;
        static_cast<void>(m.props.set(pr::subject, "hello"));
        property_bag to;
        static_cast<void>(to.set(pr::addrtype, "LINE"));
        static_cast<void>(to.set(pr::email_address, "bob@example"));
        static_cast<void>(to.set(pr::responsibility, false));
        m.recipients.push_back(to);
        outbox.submit(m);

        while (spool.count(spooler_event::kind::sent) == 0) {
            static_cast<void>(spool.run_for(1s));  // blocks in the reactor between events
        }
        spool.shutdown();                          // ends the server's wait too
        static_cast<void>(spool.run_for(10s));     // returns run_outcome::stopped
    }
    ::close(fds[0]);
    ::close(fds[1]);
    return received;
}
} // namespace demo_io
// --- docs/spooler.md reactor example ends ---

namespace {
std::string read_file(const std::string& path)
{
    std::ifstream in{path};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
} // namespace

TEST_SUITE("docs/spooler.md")
{
    TEST_CASE("the reactor example of docs/spooler.md sends its message over a socket")
    {
        CHECK(demo_io::send_over_a_socket() == "bob@example\n");
    }

    TEST_CASE("the reactor example in docs/spooler.md is the code compiled here")
    {
        const std::string self = read_file(MAPIXX_SOURCE_DIR "/tests/spooler/spooler_doc_reactor_example_tests.cpp");
        const std::string doc = read_file(MAPIXX_SOURCE_DIR "/docs/spooler.md");
        const std::string begin = "// --- docs/spooler.md reactor example begins ---\n";
        const std::string end = "// --- docs/spooler.md reactor example ends ---";
        const auto b = self.find(begin);
        const auto e = self.find(end);
        REQUIRE(b != std::string::npos);
        REQUIRE(e != std::string::npos);
        const std::string code = self.substr(b + begin.size(), e - b - begin.size());
        REQUIRE(code.size() > 1000);
        CHECK(doc.find(code) != std::string::npos);
    }
}

#endif

} // namespace spooler_doc_reactor_example_tests
