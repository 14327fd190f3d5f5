// SPDX-License-Identifier: MIT
// The spooler driven with a reactor: network waits, shutdown, cross-thread posts, run_for,
// the message-loop adapter; rule 62; per-recipient deferral.
#include "spooler_test_helpers.hpp"

#include <mapixx/spooler/loop_adapter.hpp>
#include <mapixx/spooler/reactor.hpp>

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#if MAPIXX_HAS_REACTOR
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/waitable_event.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace spooler_reactor_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

namespace {

/// A transport that sends only after its socket has become readable (say, a server greeting),
/// waiting at most `timeout`; it reads one byte per message.
class net_xp : public xp_logon {
public:
    net_xp(spooler_support& s, int fd, std::chrono::milliseconds timeout) : xp_logon{s}, fd_{fd}, timeout_{timeout} {}

    std::vector<scode> results;    // per wait
    bool io_was_null = false;
    std::function<void()> on_sent;

    task<address_types_result> address_types() override { co_return types_of({"NET"}); }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        ctx.message_ref = 1;
        spooler_support::io_waiter* io = support().io();
        if (io == nullptr) {
            io_was_null = true;
            co_return submit_result{scode::network_error, ctx.message_ref, 60};
        }
        auto r = co_await io->readable(fd_, timeout_);
        results.push_back(r ? scode::success : r.code());
        if (!r) {
            co_return submit_result{scode::network_error, ctx.message_ref, 60};
        }
        char byte = 0;
        static_cast<void>(::read(fd_, &byte, 1));
        co_return submit_result{scode::success, ctx.message_ref, 0};
    }

    task<result<end_message_flags>> end_message(std::uint32_t) override
    {
        if (on_sent) {
            on_sent();
        }
        co_return end_message_flags{};
    }

private:
    int fd_;
    std::chrono::milliseconds timeout_;
};

class net_provider : public xp_provider {
public:
    net_provider(int fd, std::chrono::milliseconds timeout) : fd_{fd}, timeout_{timeout} {}
    net_xp* logon = nullptr;
    std::function<void()> on_sent;

    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags) override
    {
        auto l = std::make_unique<net_xp>(s, fd_, timeout_);
        l->on_sent = on_sent;
        logon = l.get();
        co_return xp_logon_result{std::move(l), {}};
    }

private:
    int fd_;
    std::chrono::milliseconds timeout_;
};

/// A transport that answers a script of submit codes and calls `on_sent` from EndMessage.
class signal_xp : public xp_logon {
public:
    using xp_logon::xp_logon;
    std::deque<scode> script;
    std::size_t submissions = 0;
    std::function<void()> on_sent;

    task<address_types_result> address_types() override { co_return types_of({"SIG"}); }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        ++submissions;
        ctx.message_ref = 7;
        scode c = scode::success;
        if (!script.empty()) {
            c = script.front();
            script.pop_front();
        }
        co_return submit_result{c, ctx.message_ref, 0};
    }

    task<result<end_message_flags>> end_message(std::uint32_t) override
    {
        if (on_sent) {
            on_sent();
        }
        co_return end_message_flags{};
    }
};

class signal_provider : public xp_provider {
public:
    signal_xp* logon = nullptr;
    std::function<void(signal_xp&)> configure;

    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags) override
    {
        auto l = std::make_unique<signal_xp>(s);
        logon = l.get();
        if (configure) {
            configure(*l);
        }
        co_return xp_logon_result{std::move(l), {}};
    }
};

/// PEER's per-recipient deferral (S5): sends the recipients whose address starts with "now",
/// marks them handled, and defers the others with END_DONT_RESEND; a BEGIN_DEFERRED
/// resubmission sends everything it is given.
class partial_xp : public xp_logon {
public:
    using xp_logon::xp_logon;
    std::vector<std::vector<std::string>> got;
    std::vector<bool> deferred_flags;
    bool defer_next = false;

    task<address_types_result> address_types() override { co_return types_of({"P"}); }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        ctx.message_ref = 9;
        deferred_flags.push_back(ctx.deferred);
        got.emplace_back();
        defer_next = false;
        for (auto& r : ctx.message.recipients) {
            if (r.get_bool(pr::responsibility).value_or(false)) {
                continue;
            }
            const std::string email{r.get_string(pr::email_address).value_or("")};
            got.back().push_back(email);
            if (ctx.deferred || email.rfind("now", 0) == 0) {
                static_cast<void>(r.set(pr::responsibility, true));
            } else {
                defer_next = true;
            }
        }
        co_return submit_result{scode::success, ctx.message_ref, 0};
    }

    task<result<end_message_flags>> end_message(std::uint32_t) override
    {
        co_return defer_next ? end_message_flags{end_message_flag::dont_resend} : end_message_flags{};
    }
};

class partial_provider : public xp_provider {
public:
    partial_xp* logon = nullptr;
    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags) override
    {
        auto l = std::make_unique<partial_xp>(s);
        logon = l.get();
        co_return xp_logon_result{std::move(l), {}};
    }
};

/// A fake provider that reports an SPI version of its choice.
class versioned_provider : public fake_provider {
public:
    versioned_provider(std::string name, call_log& log, std::uint32_t version)
        : fake_provider{std::move(name), log, types_of({"OLD"})}, version_{version}
    {
    }
    [[nodiscard]] std::uint32_t spi_version() const noexcept override { return version_; }

private:
    std::uint32_t version_;
};

#if MAPIXX_HAS_REACTOR

struct socket_pair {
    std::array<int, 2> fd{-1, -1};
    socket_pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd.data()) == 0); }
    socket_pair(const socket_pair&) = delete;
    socket_pair& operator=(const socket_pair&) = delete;
    ~socket_pair()
    {
        ::close(fd[0]);
        ::close(fd[1]);
    }
    [[nodiscard]] int operator[](int k) const { return fd[static_cast<std::size_t>(k)]; }
    void send_byte() const
    {
        const char b = 'x';
        REQUIRE(::write(fd[1], &b, 1) == 1);
    }
};

/// A spooler with in-memory parts and a reactor, on a manual or a real clock.
struct io_rig {
    explicit io_rig(const spooler_clock& c) : clock{&c}
    {
        auto r = reactor::create(sched, c);
        REQUIRE(r.has_value());
        io = std::move(*r);
    }

    scheduler sched;
    memory_message_queue queue;
    memory_delivery_sink sink;
    const spooler_clock* clock;
    std::unique_ptr<reactor> io;
    std::vector<spooler_transport> configs;
    spooler_options options;
    std::unique_ptr<spooler> spool;

    void add(xp_provider& p, const std::string& name) { configs.push_back(spooler_transport{&p, name, {}}); }

    spooler& start(bool attach = true)
    {
        spool = std::make_unique<spooler>(sched, queue, sink, *clock, configs, options);
        if (attach) {
            spool->attach(*io);
        }
        spool->start();
        spool->run_until_idle();
        return *spool;
    }

    void stop()
    {
        spool->shutdown();
        spool->run_until_idle();
    }
};

#endif

} // namespace

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
#if MAPIXX_HAS_REACTOR
    TEST_CASE("A transport waiting on a socketpair that never becomes readable does not stop another transport from sending 1 000 messages")
    {
        manual_clock clock;
        io_rig r{clock};
        socket_pair sock;
        net_provider net{sock[0], io_wait::no_deadline};
        call_log log;
        fake_provider fast{"fast", log, types_of({"FAST"})};
        fast.configure = [](fake_xp& x) { x.yields_per_submit = 1; };
        r.add(net, "net");
        r.add(fast, "fast");
        auto& sp = r.start();

        const message_id stuck = r.queue.submit(make_message("waits", {{"NET", "server"}}));
        for (int k = 0; k < 1000; ++k) {
            r.queue.submit(make_message("m" + std::to_string(k), {{"FAST", "x" + std::to_string(k)}}));
        }
        sp.run_until_idle();

        CHECK(fast.logon->sent.size() == 1000);
        CHECK(sp.count(spooler_event::kind::sent) == 1000);
        CHECK(net.logon->results.empty());  // still waiting on its socket
        CHECK(r.io->pending() == 1);
        CHECK(r.queue.pending() == std::vector<message_id>{stuck});

        // Shutdown ends the wait with end_of_session; the message stays queued.
        r.stop();
        CHECK(sp.current_state() == spooler::state::stopped);
        CHECK(net.logon->results == std::vector<scode>{scode::end_of_session});
        CHECK(r.queue.contains(stuck));
        CHECK(r.io->pending() == 0);
    }

    TEST_CASE("a network wait with a timeout ends with timeout on the spooler's clock - the retry then sends")
    {
        manual_clock clock;
        io_rig r{clock};
        socket_pair sock;
        net_provider net{sock[0], 30000ms};
        r.add(net, "net");
        auto& sp = r.start();
        const message_id id = r.queue.submit(make_message("m", {{"NET", "server"}}));
        sp.run_until_idle();
        clock.advance(29999ms);
        sp.run_until_idle();
        CHECK(net.logon->results.empty());
        clock.advance(1ms);
        sp.run_until_idle();
        REQUIRE(net.logon->results == std::vector<scode>{scode::timeout});
        CHECK(sp.count(spooler_event::kind::requeued) == 1);
        CHECK(sp.next_due() == clock.now() + 60000ms);  // network_error with 60 s
        sock.send_byte();
        sp.run_until_idle();
        CHECK(net.logon->results.size() == 1);  // not retried before its time
        clock.advance(60000ms);
        sp.run_until_idle();
        CHECK(net.logon->results == std::vector<scode>{scode::timeout, scode::success});
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        CHECK_FALSE(r.queue.contains(id));
        r.stop();
    }

    TEST_CASE("support.io() is the attached reactor - null without one, and the transport copes")
    {
        manual_clock clock;
        socket_pair sock;
        {
            io_rig r{clock};
            net_provider net{sock[0], io_wait::no_deadline};
            r.add(net, "net");
            auto& sp = r.start();
            CHECK(sp.io() == r.io.get());
            CHECK(sp.support(0).io() == r.io.get());
            r.stop();
        }
        {
            io_rig r{clock};
            net_provider net{sock[0], io_wait::no_deadline};
            r.add(net, "net");
            auto& sp = r.start(false);
            CHECK(sp.io() == nullptr);
            CHECK(sp.support(0).io() == nullptr);
            r.queue.submit(make_message("m", {{"NET", "server"}}));
            sp.run_until_idle();
            CHECK(net.logon->io_was_null);
            CHECK(sp.count(spooler_event::kind::requeued) == 1);
            r.stop();
        }
    }

    TEST_CASE("post from another thread wakes a blocked run_for - the work runs on the spooler's thread")
    {
        steady_spooler_clock clock;
        io_rig r{clock};
        signal_provider p;
        spooler* sp_ptr = nullptr;
        p.configure = [&sp_ptr](signal_xp& x) { x.on_sent = [&sp_ptr] { sp_ptr->request_stop(); }; };
        r.add(p, "sig");
        auto& sp = r.start();
        sp_ptr = &sp;
        const auto loop_thread = std::this_thread::get_id();
        std::thread::id ran_on{};
        std::thread client{[&] {
            // Give run_for a moment to block in the reactor (not needed for correctness).
            std::this_thread::sleep_for(20ms);
            sp.post([&ran_on, &r](spooler& s) {
                ran_on = std::this_thread::get_id();
                r.queue.submit(make_message("from a client thread", {{"SIG", "x"}}));
                s.wake_all();
            });
        }};
        auto outcome = sp.run_for(60000ms);
        client.join();
        REQUIRE(outcome.has_value());
        CHECK(*outcome == spooler::run_outcome::stop_requested);  // time_up would mean no wake-up
        CHECK(ran_on == loop_thread);
        CHECK(p.logon->submissions == 1);
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        r.stop();
    }

    TEST_CASE("run_for wakes at next_due() for a retry - busy then sent")
    {
        steady_spooler_clock clock;
        io_rig r{clock};
        r.options.busy_retry = 20ms;
        signal_provider p;
        spooler* sp_ptr = nullptr;
        p.configure = [&sp_ptr](signal_xp& x) {
            x.script = {scode::busy};
            x.on_sent = [&sp_ptr] { sp_ptr->request_stop(); };
        };
        r.add(p, "sig");
        auto& sp = r.start();
        sp_ptr = &sp;
        r.queue.submit(make_message("m", {{"SIG", "x"}}));
        auto outcome = sp.run_for(60000ms);
        REQUIRE(outcome.has_value());
        CHECK(*outcome == spooler::run_outcome::stop_requested);  // only the alarm could wake it
        CHECK(p.logon->submissions == 2);
        CHECK(sp.count(spooler_event::kind::requeued) == 1);
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        r.stop();
    }

    TEST_CASE("after run_until_idle the reactor's descriptor becomes readable when next_due() comes - for a loop")
    {
        steady_spooler_clock clock;
        io_rig r{clock};
        r.options.busy_retry = 20ms;
        signal_provider p;
        p.configure = [](signal_xp& x) { x.script = {scode::busy}; };
        r.add(p, "sig");
        auto& sp = r.start();
        r.queue.submit(make_message("m", {{"SIG", "x"}}));
        sp.run_until_idle();
        REQUIRE(p.logon->submissions == 1);
        REQUIRE(sp.next_due().has_value());
        // Only the alarm set from next_due() can make the descriptor readable here.
        ::pollfd fd{r.io->native_handle(), POLLIN, 0};
        CHECK(::poll(&fd, 1, 60000) == 1);
        sp.run_until_idle();
        CHECK(p.logon->submissions == 2);
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        r.stop();
    }

    TEST_CASE("run_for returns stopped once a shutdown posted from another thread has completed")
    {
        steady_spooler_clock clock;
        io_rig r{clock};
        socket_pair sock;
        net_provider net{sock[0], io_wait::no_deadline};
        r.add(net, "net");
        auto& sp = r.start();
        r.queue.submit(make_message("m", {{"NET", "server"}}));
        sp.run_until_idle();
        REQUIRE(r.io->pending() == 1);
        std::thread client{[&sp] { sp.post([](spooler& s) { s.shutdown(); }); }};
        auto outcome = sp.run_for(60000ms);
        client.join();
        REQUIRE(outcome.has_value());
        CHECK(*outcome == spooler::run_outcome::stopped);
        CHECK(net.logon->results == std::vector<scode>{scode::end_of_session});
        CHECK(r.queue.pending().size() == 1);
    }

    TEST_CASE("the spooler runs between messages of a message_loop - a socket event wakes the loop")
    {
        steady_spooler_clock clock;
        io_rig r{clock};
        socket_pair sock;
        net_provider net{sock[0], io_wait::no_deadline};
        r.add(net, "net");
        auto loop = message_loop::create();
        REQUIRE(loop.has_value());
        auto stop = waitable_event::create(event_reset::manual);
        REQUIRE(stop.has_value());
        std::atomic<bool> sent{false};
        net.on_sent = [&] {
            sent = true;
            stop->set();  // on the loop's thread: the service's main loop ends
        };
        r.spool = std::make_unique<spooler>(r.sched, r.queue, r.sink, clock, r.configs, r.options);
        auto& sp = *r.spool;
        sp.attach(*r.io);
        sp.start();
        r.queue.submit(make_message("m", {{"NET", "server"}}));
        auto adapter = spooler_loop_adapter<message_loop>::create(*loop, sp, *r.io);
        REQUIRE(adapter.has_value());

        std::atomic<bool> handler_ran{false};
        std::atomic<bool> posted{false};
        std::thread peer{[&] {
            std::this_thread::sleep_for(20ms);  // let the loop go to sleep first
            posted = loop->post(message{loop_message_kind::call, [&handler_ran] { handler_ran = true; }, 0}).has_value();
            std::this_thread::sleep_for(20ms);
            const char b = 'x';
            static_cast<void>(::write(sock[1], &b, 1));
            // Watchdog: a broken wake-up fails the test instead of hanging it.
            for (int k = 0; k < 3000 && !sent.load(); ++k) {
                std::this_thread::sleep_for(10ms);
            }
            stop->set();
        }};
        REQUIRE(net.logon == nullptr);
        auto ended = loop->run_until(*stop);
        peer.join();
        REQUIRE(ended.has_value());
        REQUIRE(net.logon != nullptr);
        CHECK(sent.load());
        CHECK(net.logon->results == std::vector<scode>{scode::success});
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        CHECK(posted.load());
        CHECK(handler_ran.load());        // the loop's own messages still run
        CHECK((*adapter)->wakes() >= 1);  // the reactor woke the sleeping loop
        CHECK((*adapter)->turns() >= 2);
        adapter->reset();
        sp.shutdown();
        sp.run_until_idle();
        CHECK(sp.current_state() == spooler::state::stopped);
    }
#endif

    TEST_CASE("rule 62: a transport reporting an SPI version below the minimum is released unused - MAPI_E_VERSION")
    {
        rig r;
        versioned_provider old{"old", r.log, 0x0000FFFF};
        versioned_provider pdk1{"pdk1", r.log, xp_provider::pdk1_spi_version};
        r.configs.push_back(spooler_transport{&old, "old", {}});
        r.configs.push_back(spooler_transport{&pdk1, "pdk1", {}});
        auto& sp = r.start();
        CHECK(r.calls("old:logon") == 0);
        CHECK(old.logon == nullptr);
        CHECK(sp.transport_status(0) == spooler::transport_state::not_logged_on);
        CHECK(sp.logon_code(0) == scode::version);
        CHECK(sp.transport_status(1) == spooler::transport_state::running);
        CHECK(sp.logon_code(1) == scode::success);
        REQUIRE(sp.count(spooler_event::kind::logon_failed) == 1);
        CHECK(sp.events().front().code == scode::version);
        r.stop();

        // A stricter minimum refuses an older provider that the default accepts.
        rig strict;
        strict.options.min_spi_version = xp_provider::current_spi_version;
        versioned_provider pdk2{"pdk2", strict.log, xp_provider::pdk2_spi_version};
        strict.configs.push_back(spooler_transport{&pdk2, "pdk2", {}});
        auto& sp2 = strict.start();
        CHECK(strict.calls("pdk2:logon") == 0);
        CHECK(sp2.logon_code(0) == scode::version);
        strict.stop();
    }

    TEST_CASE("S5: per-recipient deferral - recipients marked handled are sent - the rest wait for SENTDEFERRED")
    {
        rig r;
        partial_provider p;
        r.configs.push_back(spooler_transport{&p, "peer", {}});
        auto& sp = r.start();
        const message_id id = r.queue.submit(make_message("m", {{"P", "now@x"}, {"P", "later@x"}}));
        sp.pump();
        REQUIRE(p.logon->got.size() == 1);
        CHECK(p.logon->got[0] == std::vector<std::string>{"now@x", "later@x"});
        CHECK(sp.count(spooler_event::kind::partly_sent) == 1);
        CHECK(sp.is_deferred(id));
        REQUIRE(r.queue.load(id).has_value());
        CHECK(r.queue.load(id)->recipients[0].get_bool(pr::responsibility) == true);
        CHECK(r.queue.load(id)->recipients[1].get_bool(pr::responsibility) == false);
        sp.pump();
        CHECK(p.logon->got.size() == 1);  // deferred: not offered again

        REQUIRE(sp.support(0).spooler_notify(spooler_notify::sentdeferred, {id, {}}));
        sp.pump();
        REQUIRE(p.logon->got.size() == 2);
        CHECK(p.logon->got[1] == std::vector<std::string>{"later@x"});
        CHECK(p.logon->deferred_flags == std::vector<bool>{false, true});
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        CHECK_FALSE(r.queue.contains(id));
        r.stop();
    }

    TEST_CASE("a message deferred by one transport does not hold up its recipients for another transport")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& b = r.add("b", types_of({"B"}));
        a.configure = [](fake_xp& x) { x.end_script = {end_message_flags{end_message_flag::dont_resend}}; };
        auto& sp = r.start();
        const message_id id = r.queue.submit(make_message("m", {{"A", "a@x"}, {"B", "b@x"}}));
        sp.pump();
        CHECK(a.logon->got == std::vector<std::vector<std::string>>{{"a@x"}});
        CHECK(b.logon->got == std::vector<std::vector<std::string>>{{"b@x"}});
        CHECK(b.logon->sent == std::vector<message_id>{id});
        CHECK(sp.is_deferred(id));
        CHECK(r.queue.contains(id));

        REQUIRE(sp.support(0).spooler_notify(spooler_notify::sentdeferred, {id, {}}));
        sp.pump();
        CHECK(a.logon->deferred_flags == std::vector<bool>{false, true});
        CHECK(b.logon->got.size() == 1);  // b's recipient is done: b is not asked again
        CHECK_FALSE(r.queue.contains(id));
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        r.stop();
    }
}

} // namespace spooler_reactor_tests
