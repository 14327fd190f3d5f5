// SPDX-License-Identifier: MIT
// Soak test (issue 11): many logon/logoff cycles on several threads against one subsystem, with
// a memory profile store and in-memory providers. Individual sessions (with and without a
// transport, hence with and without a spooler and its reactor), shared sessions that other
// threads join, joins that end by MAPI_LOGOFF_SHARED, and sessions ended by their destructor
// are mixed at random (a fixed seed per thread).
//
// It fails (exit status 1) when
// - a logon fails, or a session does not have the providers its profile names logged on;
// - after the first MAPIXX_SOAK_BASELINE cycles (all threads stopped at a barrier) or at the
//   end, any counter is not back to zero: live sessions, session members, provider logons,
//   logons in progress, session slots, the logon lock, the published shared session, the
//   profile leases, the provider logon objects, the advise sinks (notification registrations);
// - every advised session did not get exactly one session_ended notification;
// - resident memory (VmRSS, Linux only) grew by 1 MiB or more from the baseline to the end, or
//   the process holds more open descriptors at the end than at the baseline (Linux only).
//
// Environment: MAPIXX_SOAK_CYCLES (default 1000000), MAPIXX_SOAK_THREADS (default 4),
// MAPIXX_SOAK_BASELINE (default 10000; at most half of the cycles). Timings are printed, never
// checked.
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/subsystem.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace mapixx;

namespace {

// ---------------------------------------------------------------------------------------------
// Counters of the test's own objects.

struct live_objects {
    std::atomic<long> ab_logons{0};
    std::atomic<long> xp_logons{0};
    std::atomic<std::uint64_t> ab_total{0};
    std::atomic<std::uint64_t> xp_total{0};
};

// Failures are collected (the first few messages kept) and reported at the end.
class failures {
public:
    void add(const std::string& what) {
        std::lock_guard lock(mutex_);
        if (++count_ <= 10) messages_.push_back(what);
    }
    [[nodiscard]] std::uint64_t count() const {
        std::lock_guard lock(mutex_);
        return count_;
    }
    void print() const {
        std::lock_guard lock(mutex_);
        for (const auto& m : messages_) std::printf("FAILED: %s\n", m.c_str());
        if (count_ > messages_.size()) {
            std::printf("FAILED: ... and %llu more\n", static_cast<unsigned long long>(count_ - messages_.size()));
        }
    }

private:
    mutable std::mutex mutex_;
    std::uint64_t count_ = 0;
    std::vector<std::string> messages_;
};

// ---------------------------------------------------------------------------------------------
// Providers: an address book and a transport as small as they can be, counting their logon
// objects (the store is mapixx's memory_store).

class soak_ab_logon final : public ab_logon {
public:
    explicit soak_ab_logon(live_objects& c) : c_(&c) {
        c_->ab_logons.fetch_add(1);
        c_->ab_total.fetch_add(1, std::memory_order_relaxed);
    }
    soak_ab_logon(const soak_ab_logon&) = delete;
    soak_ab_logon& operator=(const soak_ab_logon&) = delete;
    ~soak_ab_logon() override { c_->ab_logons.fetch_sub(1); }

private:
    live_objects* c_;
};

class soak_ab final : public ab_provider {
public:
    explicit soak_ab(live_objects& c) noexcept : c_(&c) {}
    task<result<std::unique_ptr<ab_logon>>> logon(provider_context&) override {
        co_return std::unique_ptr<ab_logon>(std::make_unique<soak_ab_logon>(*c_));
    }

private:
    live_objects* c_;
};

class soak_xp_logon final : public transport_logon {
public:
    soak_xp_logon(live_objects& c, spooler_support& support) : transport_logon(support), c_(&c) {
        c_->xp_logons.fetch_add(1);
        c_->xp_total.fetch_add(1, std::memory_order_relaxed);
    }
    soak_xp_logon(const soak_xp_logon&) = delete;
    soak_xp_logon& operator=(const soak_xp_logon&) = delete;
    ~soak_xp_logon() override { c_->xp_logons.fetch_sub(1); }
    task<address_types_result> address_types() override { co_return address_types_result{{"SOAK"}, {}, false, false}; }
    task<submit_result> submit_message(submit_context&) override { co_return submit_result{scode::success, 0, 0}; }

private:
    live_objects* c_;
};

class soak_xp final : public transport_provider {
public:
    explicit soak_xp(live_objects& c) noexcept : c_(&c) {}
    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        if (ctx.spooler == nullptr) co_return fail(scode::call_failed, "SOAKXP needs a spooler", "mapixx_soak");
        co_return std::unique_ptr<transport_logon>(std::make_unique<soak_xp_logon>(*c_, *ctx.spooler));
    }

private:
    live_objects* c_;
};

// ---------------------------------------------------------------------------------------------
// Profiles.

provider_entry entry(profile& p, const std::string& display, const std::string& dll, resource_type type,
                     resource_flags flags = {}) {
    provider_entry e;
    e.section_name = display;
    e.display_name = display;
    e.provider_display = display;
    e.dll_name = dll;
    e.type = type;
    e.flags = flags;
    e.provider_uid = uid::generate();
    (void)p.sections[e.provider_uid].set(pr::display_name_a, e.display_name);
    return e;
}

void service(profile& p, const std::string& name, std::vector<provider_entry> providers) {
    message_service s;
    s.name = name;
    s.display_name = name + " service";
    s.dll_name = "SOAKSVC";
    s.entry_name = "ServiceEntry";
    s.service_uid = uid::generate();
    auto& section = p.sections[s.service_uid];
    (void)section.set(pr::service_name_a, s.name);
    // A secure property (a password) in every service section, so every load of the profile
    // copies and releases one.
    (void)section.set(prop_tag{0x67F0, prop_type::string8}, std::string("soak password, long enough for the heap"));
    s.providers = std::move(providers);
    p.services.push_back(std::move(s));
}

// "Mail": a store and an address book, and a transport with an address book (4 providers).
profile mail_profile() {
    profile p;
    p.name = "Mail";
    p.search_key = uid::generate();
    service(p, "Mailbox",
            {entry(p, "Mailbox", "MEMSTORE", resource_type::store_provider, resource_flag::default_store),
             entry(p, "Directory", "SOAKAB", resource_type::ab_provider)});
    service(p, "Transport",
            {entry(p, "Transport", "SOAKXP", resource_type::transport_provider),
             entry(p, "Transport directory", "SOAKAB", resource_type::ab_provider)});
    return p;
}

// "Stores": a store and an address book (2 providers, no spooler).
profile stores_profile() {
    profile p;
    p.name = "Stores";
    p.search_key = uid::generate();
    service(p, "Local",
            {entry(p, "Local store", "MEMSTORE", resource_type::store_provider, resource_flag::default_store),
             entry(p, "Local directory", "SOAKAB", resource_type::ab_provider)});
    return p;
}

std::size_t logged_on(const session& s) {
    std::size_t n = 0;
    for (const auto& svc : s.report().services) {
        for (const auto& p : svc.providers) n += p.outcome == provider_outcome::logged_on ? 1 : 0;
    }
    return n;
}

// ---------------------------------------------------------------------------------------------
// Process figures (Linux; elsewhere they are not measured).

std::optional<long> resident_kib() {
#if defined(__linux__)
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
#endif
    return std::nullopt;
}

std::optional<long> open_descriptors() {
#if defined(__linux__)
    std::error_code ec;
    long n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
    if (!ec) return n;
#endif
    return std::nullopt;
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (end == v || *end != '\0' || n == 0) {
        std::printf("%s=%s is not a positive number; using %llu\n", name, v, static_cast<unsigned long long>(fallback));
        return fallback;
    }
    return n;
}

// ---------------------------------------------------------------------------------------------
// The world: store, usage registry, providers, subsystem.

class soak_world {
public:
    soak_world() : usage(profiles) {
        data_ = std::make_shared<memory_store_data>();
        providers.add_store("MEMSTORE", [d = data_] { return std::make_unique<memory_store>(d); });
        providers.add_ab("SOAKAB", [c = &objects] { return std::make_unique<soak_ab>(*c); });
        providers.add_transport("SOAKXP", [c = &objects] { return std::make_unique<soak_xp>(*c); });
        (void)profiles.create(mail_profile()).value();
        (void)profiles.create(stores_profile()).value();
        init_options o;
        o.profiles = &profiles;
        o.providers = &providers;
        o.usage = &usage;
        mapi = initialize(o).value();
    }
    soak_world(const soak_world&) = delete;
    soak_world& operator=(const soak_world&) = delete;

    // Every counter that must be back to zero when no session is live; adds a failure per
    // counter that is not.
    bool check_idle(failures& f, const char* when) const {
        const auto c = inspect_sessions(mapi);
        bool ok = true;
        auto expect = [&](bool good, const char* what, long long value) {
            if (good) return;
            ok = false;
            f.add(std::string(when) + ": " + what + " is " + std::to_string(value) + ", expected 0");
        };
        expect(c.sessions == 0, "live sessions", static_cast<long long>(c.sessions));
        expect(c.members == 0, "session members", static_cast<long long>(c.members));
        expect(c.provider_logons == 0, "provider logons", static_cast<long long>(c.provider_logons));
        expect(c.logons_in_progress == 0, "logons in progress", static_cast<long long>(c.logons_in_progress));
        expect(c.slots == 0, "session slots", static_cast<long long>(c.slots));
        expect(!c.logon_lock_held, "logon lock held", c.logon_lock_held ? 1 : 0);
        expect(c.logon_lock_waiters == 0, "logon lock waiters", static_cast<long long>(c.logon_lock_waiters));
        expect(!c.shared_published, "published shared session", c.shared_published ? 1 : 0);
        for (const char* name : {"Mail", "Stores"}) {
            const auto leases = usage.lease_count(name);
            expect(leases == 0, (std::string("profile leases of ") + name).c_str(), static_cast<long long>(leases));
        }
        expect(objects.ab_logons.load() == 0, "address book logon objects", objects.ab_logons.load());
        expect(objects.xp_logons.load() == 0, "transport logon objects", objects.xp_logons.load());
        // Every advise sink holds a copy of `sink_token`: only ours is left once every sink is gone.
        expect(sink_token.use_count() == 1, "advise sinks alive", sink_token.use_count() - 1);
        return ok;
    }

    memory_profile_store profiles;
    profile_usage usage;
    provider_registry providers;
    live_objects objects;
    std::shared_ptr<int> sink_token = std::make_shared<int>(0);
    std::atomic<std::uint64_t> advised{0};
    std::atomic<std::uint64_t> ended_events{0};
    subsystem mapi;

private:
    std::shared_ptr<memory_store_data> data_;
};

// ---------------------------------------------------------------------------------------------
// One cycle.

constexpr std::size_t kinds = 8;
constexpr std::array<const char*, kinds> kind_names{
    "individual, Mail, logoff",
    "individual, Mail, destructor",
    "individual, Mail, MAPI_NO_MAIL",
    "individual, Stores",
    "shared + join, joiner leaves first",
    "shared + join, creator leaves first",
    "shared + join, MAPI_LOGOFF_SHARED",
    "join or new, Stores",
};

struct per_thread {
    std::array<std::uint64_t, kinds> cycles{};
    std::uint64_t joins = 0;        // logons that joined a published shared session
    std::uint64_t joins_ended = 0;  // of them, ended by another thread's MAPI_LOGOFF_SHARED at once
};

constexpr auto individual = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;
constexpr auto shared_creator =
    logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile | logon_flag::allow_others;
constexpr auto joiner = logon_flag::extended | logon_flag::explicit_profile;

void run_cycle(soak_world& w, failures& f, per_thread& t, std::size_t kind) {
    auto logon = [&](const char* profile, logon_request r) -> std::optional<session> {
        r.profile = profile;
        auto s = sync_wait(w.mapi.logon(r));
        if (!s) {
            f.add(std::string(kind_names[kind]) + ": logon to " + profile + " failed: " + std::string(scode_name(s.code())) +
                  " " + s.info().message);
            return std::nullopt;
        }
        if (s->report().joined_shared) ++t.joins;
        if (!*s) {
            // Only a joiner may find its session ended already: another thread ended the shared
            // session with MAPI_LOGOFF_SHARED right after the join.
            if (s->report().joined_shared) {
                ++t.joins_ended;
            } else {
                f.add(std::string(kind_names[kind]) + ": a new session on " + profile + " had ended before logon returned");
            }
        }
        return std::move(*s);
    };
    auto expect_providers = [&](const session& s, std::size_t n) {
        if (s.report().joined_shared) return;  // a joiner sees the creator's report
        if (logged_on(s) != n) {
            f.add(std::string(kind_names[kind]) + ": " + std::to_string(logged_on(s)) + " providers logged on, expected " +
                  std::to_string(n));
        }
    };
    auto advise = [&](session& s) {
        auto c = s.advise([token = w.sink_token, &w](const session_event& e) {
            if (e.kind == session_event_kind::session_ended) w.ended_events.fetch_add(1);
        });
        if (!c) {
            f.add(std::string(kind_names[kind]) + ": advise failed: " + c.info().message);
        } else {
            w.advised.fetch_add(1);
        }
    };

    switch (kind) {
    case 0:
    case 1:
    case 2: {
        const bool no_mail = kind == 2;
        auto s = logon("Mail", {.flags = no_mail ? runtime_flags(individual | logon_flag::no_mail) : runtime_flags(individual)});
        if (!s) return;
        // MAPI_NO_MAIL: the transport stays off; both address books and the store log on.
        expect_providers(*s, no_mail ? 3 : 4);
        advise(*s);
        if (kind != 1) sync_wait(s->logoff());
        break;  // kind 1: the destructor logs off
    }
    case 3: {
        auto s = logon("Stores", {.flags = individual});
        if (!s) return;
        expect_providers(*s, 2);
        advise(*s);
        sync_wait(s->logoff());
        break;
    }
    case 4:
    case 5:
    case 6: {
        auto creator = logon("Mail", {.flags = shared_creator});
        if (!creator) return;
        expect_providers(*creator, 4);
        // Without MAPI_NEW_SESSION: joins the published shared session (this thread's or
        // another's), or logs on anew if none is published at this moment.
        auto member = logon("Mail", {.flags = joiner});
        if (!member) return;
        expect_providers(*member, 4);
        if (kind == 4) {
            sync_wait(member->logoff());
            sync_wait(creator->logoff());
        } else if (kind == 5) {
            sync_wait(creator->logoff());
            sync_wait(member->logoff());
        } else {
            // Ends every member of the creator's session, also other threads' joiners; those
            // find their session ended, and their own logoff is then a no-op.
            sync_wait(creator->logoff(logoff_flag::shared));
            sync_wait(member->logoff());
        }
        break;
    }
    default: {
        auto s = logon("Stores", {.flags = joiner});
        if (!s) return;
        expect_providers(*s, 2);
        sync_wait(s->logoff());
        break;
    }
    }
}

} // namespace

int main() {
    const std::uint64_t cycles = env_number("MAPIXX_SOAK_CYCLES", 1'000'000);
    const std::uint64_t threads = env_number("MAPIXX_SOAK_THREADS", 4);
    const std::uint64_t baseline_cycles = std::min<std::uint64_t>(env_number("MAPIXX_SOAK_BASELINE", 10'000), cycles / 2);
    const std::uint64_t per_thread_cycles = cycles / threads;
    const std::uint64_t baseline_per_thread = baseline_cycles / threads;
    std::printf("soak: %llu logon/logoff cycles on %llu threads (%llu each), baseline after %llu\n",
                static_cast<unsigned long long>(per_thread_cycles * threads), static_cast<unsigned long long>(threads),
                static_cast<unsigned long long>(per_thread_cycles),
                static_cast<unsigned long long>(baseline_per_thread * threads));
    std::fflush(stdout);

    failures f;
    soak_world w;
    const auto start = std::chrono::steady_clock::now();
    std::optional<long> rss_start = resident_kib();
    std::optional<long> rss_baseline, fds_baseline;
    std::atomic<std::uint64_t> done{0};

    auto at_baseline = [&]() noexcept {
        w.check_idle(f, "at the baseline");
        rss_baseline = resident_kib();
        fds_baseline = open_descriptors();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("baseline: %llu cycles, VmRSS %ld KiB, %ld descriptors, %.1f s\n",
                    static_cast<unsigned long long>(done.load()), rss_baseline.value_or(-1), fds_baseline.value_or(-1), s);
        std::fflush(stdout);
    };
    std::barrier sync(static_cast<std::ptrdiff_t>(threads), at_baseline);

    std::vector<per_thread> stats(threads);
    std::vector<std::thread> pool;
    const std::uint64_t report_every = std::max<std::uint64_t>(per_thread_cycles / 10, 1);
    for (std::uint64_t i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            std::mt19937 rng(static_cast<std::uint32_t>(0x5eed + i));
            for (std::uint64_t c = 0; c < per_thread_cycles; ++c) {
                if (c == baseline_per_thread) sync.arrive_and_wait();
                const std::size_t kind = rng() % kinds;
                ++stats[i].cycles[kind];
                run_cycle(w, f, stats[i], kind);
                const auto n = done.fetch_add(1) + 1;
                if (i == 0 && (c + 1) % report_every == 0) {
                    std::printf("  %llu cycles, VmRSS %ld KiB\n", static_cast<unsigned long long>(n),
                                resident_kib().value_or(-1));
                    std::fflush(stdout);
                }
            }
            if (baseline_per_thread >= per_thread_cycles) sync.arrive_and_wait();
        });
    }
    for (auto& t : pool) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    w.check_idle(f, "at the end");
    const std::optional<long> rss_end = resident_kib();
    const std::optional<long> fds_end = open_descriptors();

    per_thread total;
    for (const auto& s : stats) {
        for (std::size_t k = 0; k < kinds; ++k) total.cycles[k] += s.cycles[k];
        total.joins += s.joins;
        total.joins_ended += s.joins_ended;
    }
    std::printf("cycles by kind:\n");
    for (std::size_t k = 0; k < kinds; ++k) {
        std::printf("  %-40s %llu\n", kind_names[k], static_cast<unsigned long long>(total.cycles[k]));
    }
    std::printf("logons that joined a shared session: %llu (%llu of them found it ended by another thread's "
                "MAPI_LOGOFF_SHARED at once)\n",
                static_cast<unsigned long long>(total.joins), static_cast<unsigned long long>(total.joins_ended));
    std::printf("provider logon objects made: %llu address book, %llu transport\n",
                static_cast<unsigned long long>(w.objects.ab_total.load()),
                static_cast<unsigned long long>(w.objects.xp_total.load()));
    std::printf("advised sessions: %llu, session_ended notifications: %llu\n",
                static_cast<unsigned long long>(w.advised.load()), static_cast<unsigned long long>(w.ended_events.load()));
    if (w.advised.load() != w.ended_events.load()) {
        f.add("every advised session should get one session_ended notification: " + std::to_string(w.advised.load()) +
              " advised, " + std::to_string(w.ended_events.load()) + " notifications");
    }
    if (rss_baseline && rss_end) {
        const long growth = *rss_end - *rss_baseline;
        std::printf("VmRSS: %ld KiB at the start, %ld KiB at the baseline, %ld KiB at the end: %+ld KiB (limit < 1024)\n",
                    rss_start.value_or(-1), *rss_baseline, *rss_end, growth);
        if (growth >= 1024) f.add("resident memory grew by " + std::to_string(growth) + " KiB after the baseline");
    } else {
        std::printf("VmRSS: not measured on this system\n");
    }
    if (fds_baseline && fds_end) {
        std::printf("open descriptors: %ld at the baseline, %ld at the end\n", *fds_baseline, *fds_end);
        if (*fds_end > *fds_baseline) f.add("open descriptors went from " + std::to_string(*fds_baseline) + " to " + std::to_string(*fds_end));
    }
    std::printf("wall time: %.1f s (%.1f us per cycle)\n", seconds,
                seconds * 1e6 / static_cast<double>(std::max<std::uint64_t>(per_thread_cycles * threads, 1)));
    if (f.count() != 0) {
        f.print();
        return 1;
    }
    std::printf("soak: passed\n");
    return 0;
}
