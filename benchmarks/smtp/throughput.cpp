// SPDX-License-Identifier: MIT
// Issue 8, item 4: SMTP throughput against postfix's own load generator.
//
// smtp/mapixx/<C>               mapixx's smtp transport (providers/smtp/transport.hpp) run by
//                               the spooler with a reactor, delivering 10 000 messages of 4 KiB
//                               (one recipient each) to postfix's smtp-sink on 127.0.0.1 over C
//                               connections (C = 1, 8). PIPELINING is used, as smtp-sink offers
//                               it and the transport uses it by default.
// smtp/mapixx_no_pipelining/<C> the same with transport_options::use_pipelining = false: one
//                               command, one reply, as smtp-source does.
// smtp/smtp_source/<C>          postfix's smtp-source sending the same 10 000 messages of 4 096
//                               payload bytes to the same smtp-sink over C connections
//                               (`smtp-source -d -s C -m 10000 -l 4096`), started by the
//                               benchmark in each iteration and waited for.
//
// C connections for mapixx: the spooler routes every message to the first transport that takes
// its address type, so 8 SMTP transports in one spooler would still use one connection. The
// benchmark therefore runs C spoolers, each with one smtp transport and its own queue (10 000 / C
// messages each), on one scheduler and one epoll reactor, driven by one thread: the same shape as
// smtp-source, one process with an event loop over C sessions.
//
// One iteration is the whole run of 10 000 messages; the time is wall-clock (UseRealTime):
// smtp-source's CPU time is in another process, and what is compared is how soon the sink has
// the messages. smtp-sink runs for the whole benchmark (started before the loop, untimed) and
// counts messages (`-c`); after the loop the benchmark stops it and checks that it counted
// exactly iterations * 10 000 messages, so a run that lost or duplicated messages is an error,
// not a time. For mapixx the spooler's `sent` events, empty queues and no quarantined message
// are checked too. Under the `bench` target everything (mapixx_bench, smtp-sink, smtp-source)
// inherits the pinning to one CPU: the sink shares the CPU with the sender in every row.
//
// heap_bytes_per_queued_message (mapixx rows): the C heap in use once the spoolers' first pass
// has listed the 10 000 submitted messages, less before they were submitted (the messages move
// into the queues, so their bytes were counted before), per message: the queues' bookkeeping
// plus what a spooler keeps of each pending message. Read with mallinfo2 while timing is paused.
#include "support/bench_support.hpp"
#include "support/child_process.hpp"

#include <mapixx/spooler/reactor.hpp>

#if MAPIXX_HAS_REACTOR
#include <mapixx/providers/smtp/transport.hpp>
#include <mapixx/spooler/message_queue.hpp>
#include <mapixx/spooler/spooler.hpp>
#endif

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace child = mapixx_bench::child;

/// 10 000 (issue 8); MAPIXX_BENCH_SMTP_MESSAGES overrides it for diagnosis only (e.g. to see
/// whether the cost per message depends on how many are queued). The report assumes 10 000.
const std::uint64_t messages_per_run = [] {
    const char* v = std::getenv("MAPIXX_BENCH_SMTP_MESSAGES");
    const long long n = v != nullptr ? std::atoll(v) : 0;
    return n > 0 ? static_cast<std::uint64_t>(n) : std::uint64_t{10'000};
}();
constexpr std::size_t payload_bytes = 4096;

const std::string& sink_program()
{
    static const std::string p = child::find_program({"/usr/sbin/smtp-sink", "/usr/bin/smtp-sink", "/usr/local/sbin/smtp-sink"});
    return p;
}
const std::string& source_program()
{
    static const std::string p =
        child::find_program({"/usr/sbin/smtp-source", "/usr/bin/smtp-source", "/usr/local/sbin/smtp-source"});
    return p;
}

/// smtp-sink on a free port of 127.0.0.1, counting messages into a file.
class sink {
public:
    bool start(std::string& why)
    {
        port_ = child::free_port();
        if (port_ == 0) {
            why = "no free TCP port on 127.0.0.1";
            return false;
        }
        counter_file_ = "/tmp/mapixx_bench_smtp_sink_" + std::to_string(port_) + ".out";
        std::vector<std::string> argv{sink_program(), "-c"};
        if (child::is_root()) {
            argv.insert(argv.end(), {"-u", "nobody"}); // smtp-sink refuses to run as root without -u
        }
        argv.insert(argv.end(), {"127.0.0.1:" + std::to_string(port_), "256"});
        if (!proc_.start(argv, counter_file_) || !child::wait_listening(port_, std::chrono::seconds(5))) {
            why = "smtp-sink did not start listening on 127.0.0.1:" + std::to_string(port_) + ": " +
                  child::read_file(counter_file_);
            return false;
        }
        return true;
    }
    /// Stops smtp-sink and returns the last message count it wrote (-1 if none).
    long long stop_and_count()
    {
        proc_.stop();
        const std::string out = child::read_file(counter_file_);
        std::remove(counter_file_.c_str());
        const auto at = out.rfind("mesg=");
        if (at == std::string::npos) {
            return -1;
        }
        return std::atoll(out.c_str() + at + 5);
    }
    ~sink()
    {
        proc_.stop();
        if (!counter_file_.empty()) {
            std::remove(counter_file_.c_str());
        }
    }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

private:
    child::process proc_;
    std::uint16_t port_ = 0;
    std::string counter_file_;
};

/// The checks every SMTP benchmark ends with: the sink counted exactly the messages sent.
void check_sink(benchmark::State& state, sink& s, std::uint64_t expected)
{
    const long long counted = s.stop_and_count();
    if (!mapixx_bench::check_work(state, expected, counted < 0 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(counted),
                                  "messages counted by smtp-sink")) {
        return;
    }
    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(iterations * messages_per_run));
    state.SetBytesProcessed(static_cast<std::int64_t>(iterations * messages_per_run * payload_bytes));
    state.counters["messages_per_iteration"] = static_cast<double>(messages_per_run);
    state.counters["messages_at_sink"] = static_cast<double>(counted);
}

bool programs_found(benchmark::State& state)
{
    if (sink_program().empty() || source_program().empty()) {
        state.SkipWithError("postfix's smtp-sink/smtp-source not found (apt-get install postfix, or "
                            "scripts/install-deps.sh bench)");
        return false;
    }
    return true;
}

// -- the peer: smtp-source -----------------------------------------------------------------

void smtp_source(benchmark::State& state)
{
    if (!programs_found(state)) {
        return;
    }
    const auto connections = static_cast<std::uint64_t>(state.range(0));
    sink s;
    std::string why;
    if (!s.start(why)) {
        state.SkipWithError(why.c_str());
        return;
    }
    const std::vector<std::string> argv{source_program(),
                                        "-d",
                                        "-s",
                                        std::to_string(connections),
                                        "-m",
                                        std::to_string(messages_per_run),
                                        "-l",
                                        std::to_string(payload_bytes),
                                        "-f",
                                        "sender@example.org",
                                        "-t",
                                        "rcpt@example.net",
                                        "-M",
                                        "client.mapixx.invalid",
                                        "127.0.0.1:" + std::to_string(s.port())};
    std::uint64_t clean_exits = 0;
    for (auto _ : state) {
        child::process source;
        if (source.start(argv) && source.wait() == 0) {
            ++clean_exits;
        }
    }
    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    if (!mapixx_bench::check_work(state, iterations, clean_exits, "smtp-source runs that exited with status 0")) {
        return;
    }
    check_sink(state, s, iterations * messages_per_run);
}

#if MAPIXX_HAS_REACTOR

using namespace mapixx;

/// The 4 096-byte body, in lines like smtp-source's payload (a line number, then X, 80 bytes a
/// line with CRLF).
std::string make_body()
{
    std::string body;
    body.reserve(payload_bytes);
    for (int line = 1; body.size() < payload_bytes; ++line) {
        std::string l = std::to_string(line);
        const std::size_t room = payload_bytes - body.size();
        const std::size_t len = room >= 80 ? 78 : (room > 2 ? room - 2 : 0);
        l.resize(len, 'X');
        body += l;
        body += "\r\n";
    }
    body.resize(payload_bytes);
    return body;
}

outbound_message make_message(std::uint64_t n, const std::string& body)
{
    outbound_message m;
    (void)m.props.set(pr::subject, "Message " + std::to_string(n));
    (void)m.props.set(pr::body, body);
    (void)m.props.set(pr::internet_message_id, "<" + std::to_string(n) + ".bench@mapixx.invalid>");
    (void)m.props.set(pr::sender_email_address, std::string("sender@example.org"));
    (void)m.props.set(pr::message_class, std::string("IPM.Note"));
    property_bag r;
    (void)r.set(pr::display_name, std::string("rcpt@example.net"));
    (void)r.set(pr::addrtype, std::string("SMTP"));
    (void)r.set(pr::email_address, std::string("rcpt@example.net"));
    (void)r.set(pr::recipient_type, std::int32_t{1});
    (void)r.set(pr::responsibility, false);
    m.recipients.push_back(std::move(r));
    return m;
}

/// C spoolers with one smtp transport each, on one scheduler and one reactor.
struct smtp_rig {
    struct lane {
        std::unique_ptr<memory_message_queue> queue = std::make_unique<memory_message_queue>();
        std::unique_ptr<memory_delivery_sink> sink = std::make_unique<memory_delivery_sink>();
        std::unique_ptr<smtp_xp_provider> xp;
        std::unique_ptr<spooler> sp;
    };
    scheduler sched;
    steady_spooler_clock clock;
    std::unique_ptr<reactor> io;
    std::vector<lane> lanes;

    smtp_rig(std::size_t connections, std::uint16_t port, bool pipelining)
    {
        io = reactor::create(sched, clock).value();
        for (std::size_t i = 0; i < connections; ++i) {
            smtp::transport_options o;
            o.host = "127.0.0.1";
            o.port = port;
            o.client_name = "client.mapixx.invalid";
            o.sender = "sender@example.org";
            o.connect_timeout = std::chrono::seconds(5);
            o.command_timeout = std::chrono::seconds(30);
            o.retry_delay = std::chrono::seconds(1);
            o.use_pipelining = pipelining;
            lane l;
            l.xp = std::make_unique<smtp_xp_provider>(std::move(o));
            l.sp = std::make_unique<spooler>(sched, *l.queue, *l.sink, clock,
                                             std::vector<spooler_transport>{{l.xp.get(), "smtp " + std::to_string(i), {}}});
            l.sp->attach(*io);
            lanes.push_back(std::move(l));
        }
        for (auto& l : lanes) {
            l.sp->start();
        }
        drive_once();
    }
    smtp_rig(const smtp_rig&) = delete;
    smtp_rig& operator=(const smtp_rig&) = delete;
    ~smtp_rig()
    {
        for (auto& l : lanes) {
            l.sp->shutdown();
        }
        for (int i = 0; i < 500; ++i) {
            bool all_stopped = true;
            for (auto& l : lanes) {
                all_stopped = all_stopped && l.sp->current_state() == spooler::state::stopped;
            }
            if (all_stopped) {
                break;
            }
            drive_once();
            (void)io->run_once(std::chrono::milliseconds(10));
        }
    }

    void drive_once()
    {
        for (auto& l : lanes) {
            l.sp->run_until_idle();
        }
    }
    [[nodiscard]] std::size_t queued() const
    {
        std::size_t n = 0;
        for (const auto& l : lanes) {
            n += l.queue->size();
        }
        return n;
    }
    /// Runs every spooler until every queue is empty; false after `limit` without that.
    bool run_until_empty(std::chrono::seconds limit)
    {
        const auto end = std::chrono::steady_clock::now() + limit;
        for (;;) {
            drive_once();
            if (queued() == 0) {
                return true;
            }
            if (std::chrono::steady_clock::now() > end) {
                return false;
            }
            // Blocks until a descriptor is ready (or 1 ms, for the spoolers' own timers).
            if (!io->run_once(std::chrono::milliseconds(1))) {
                return false;
            }
        }
    }
    [[nodiscard]] std::uint64_t count(spooler_event::kind k) const
    {
        std::uint64_t n = 0;
        for (const auto& l : lanes) {
            n += l.sp->count(k);
        }
        return n;
    }
    [[nodiscard]] std::size_t quarantined() const
    {
        std::size_t n = 0;
        for (const auto& l : lanes) {
            n += l.queue->quarantined().size();
        }
        return n;
    }
    [[nodiscard]] std::size_t connections_opened() const
    {
        std::size_t n = 0;
        for (const auto& l : lanes) {
            n += l.xp->last() != nullptr ? l.xp->last()->connections_opened() : 0;
        }
        return n;
    }
};

void smtp_mapixx(benchmark::State& state, bool pipelining)
{
    if (!programs_found(state)) {
        return;
    }
    const auto connections = static_cast<std::size_t>(state.range(0));
    sink s;
    std::string why;
    if (!s.start(why)) {
        state.SkipWithError(why.c_str());
        return;
    }
    const std::string body = make_body();
    std::uint64_t next = 0;
    std::uint64_t runs_finished = 0;
    {
        smtp_rig rig(connections, s.port(), pipelining);
        std::vector<outbound_message> batch;
        double held = 0;  // heap the queues and spoolers held once the spoolers had listed them
        bool heap_known = true;
        for (auto _ : state) {
            state.PauseTiming(); // the client's messages exist before the run starts
            batch.clear();
            batch.reserve(messages_per_run);
            for (std::uint64_t i = 0; i < messages_per_run; ++i) {
                batch.push_back(make_message(next++, body));
            }
            const double before = mapixx_bench::heap_in_use();
            state.ResumeTiming();
            for (std::uint64_t i = 0; i < messages_per_run; ++i) {
                (void)rig.lanes[i % connections].queue->submit(std::move(batch[i]));
            }
            for (auto& l : rig.lanes) {
                l.sp->wake_all();
            }
            // The first pass lists every queue: each spooler holds its pending messages now.
            rig.drive_once();
            state.PauseTiming();
            const double listed = mapixx_bench::heap_in_use();
            heap_known = heap_known && before >= 0 && listed >= 0;
            held += listed - before;
            state.ResumeTiming();
            if (rig.run_until_empty(std::chrono::seconds(300))) {
                ++runs_finished;
            }
        }
        const auto iterations = static_cast<std::uint64_t>(state.iterations());
        const std::uint64_t sent = rig.count(spooler_event::kind::sent);
        const std::size_t opened = rig.connections_opened();
        const std::size_t quarantined = rig.quarantined();
        if (!mapixx_bench::check_work(state, iterations, runs_finished, "runs that emptied every queue") ||
            !mapixx_bench::check_work(state, iterations * messages_per_run, sent, "messages the spooler reports sent") ||
            !mapixx_bench::check_work(state, 0, quarantined, "quarantined messages")) {
            return;
        }
        state.counters["connections_opened"] = static_cast<double>(opened);
        if (heap_known && iterations != 0) {
            // The messages moved into the queues bring their bytes along; what grows is the
            // queues' bookkeeping and what the spoolers keep of each pending message.
            state.counters["heap_bytes_per_queued_message"] =
                held / static_cast<double>(iterations * messages_per_run);
        }
    }
    check_sink(state, s, static_cast<std::uint64_t>(state.iterations()) * messages_per_run);
}

#endif // MAPIXX_HAS_REACTOR

[[maybe_unused]] const bool registered = [] {
    for (const std::int64_t c : {1, 8}) {
#if MAPIXX_HAS_REACTOR
        benchmark::RegisterBenchmark("smtp/mapixx", smtp_mapixx, true)
            ->Arg(c)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark("smtp/mapixx_no_pipelining", smtp_mapixx, false)
            ->Arg(c)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
#endif
        benchmark::RegisterBenchmark("smtp/smtp_source", smtp_source)
            ->Arg(c)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    }
    return mapixx_bench::note("smtp_source_peer",
                              source_program().empty() || sink_program().empty()
                                  ? "absent: postfix's smtp-sink/smtp-source not found (apt-get install postfix)"
                                  : "postfix " + source_program() + " -d -s C -m " + std::to_string(messages_per_run) + " -l 4096, into " +
                                        sink_program() + " -c on 127.0.0.1");
}();

} // namespace
