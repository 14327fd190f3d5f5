// SPDX-License-Identifier: MIT
// Issue 8, items 2 and 3: the cost of a logon, and of many live sessions.
//
// logon/mapixx/<P>         logon + logoff of one individual session (MAPI_EXTENDED |
//                          MAPI_NEW_SESSION | MAPI_EXPLICIT_PROFILE) on the benchmark profile (3
//                          services, 6 memory providers, one of them a transport) in a
//                          memory_profile_store holding P profiles (10, 10 000, 100 000).
// profile_load/memory_profile_store/<P>  diagnosis of the above: one load("Bench") from the
//                          same store (a logon copies its profile once; it checks that the
//                          name exists with find_name, which copies nothing).
// logon_join/mapixx/1      logon({}) joining the published shared session, then its logoff
//                          (the shared session goes on: only the member ends), each with
//                          sync_wait as a caller outside coroutines would;
//                          logon_join/mapixx_in_coroutine/1 awaits them inside one coroutine.
// sessions/mapixx/<L>      logon + logoff of one more individual session while L sessions are
//                          live (10, 100 000) on the `stores_only` profile (3 services, 6
//                          providers, no transport, so no spooler and no descriptor); the
//                          counter heap_bytes_per_session is the glibc heap in use per live
//                          session (mallinfo2 before and after logging the L sessions on).
// sessions/mapixx_spooler/<L>  the same with the transport profile (a spooler per session), at
//                          L = 10 and 100 000. The bench transport needs no I/O, so the
//                          sessions get no reactor and hold no descriptor.
//
// Every iteration is one logon and its logoff, run to completion with sync_wait on the calling
// thread. Checks: each session is live with all six providers logged on (its logon report), the
// bench providers counted exactly their share of logons and logoffs, and (join) no provider
// logged on at all. The worlds (profile stores, live sessions) are built once, untimed, and
// kept while benchmarks of the same kind run; see support/session_world.hpp.
#include "support/bench_support.hpp"
#include "support/session_world.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace sw = mapixx_bench::session_world;
using mapixx_bench::alloc_snapshot;

using mapixx_bench::heap_in_use;

/// Profile counts of item 2.
constexpr std::array<std::int64_t, 3> profile_counts{10, 10'000, 100'000};

/// The worlds of item 2, one per profile count, built on first use and kept (building 100 000
/// profiles takes about a second).
sw::world& profile_world(std::size_t profiles, double* build_seconds)
{
    static std::map<std::size_t, std::pair<std::unique_ptr<sw::world>, double>> worlds;
    auto& slot = worlds[profiles];
    if (!slot.first) {
        const auto start = std::chrono::steady_clock::now();
        slot.first = std::make_unique<sw::world>(profiles, sw::profile_kind::with_transport);
        slot.second = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    *build_seconds = slot.second;
    return *slot.first;
}

/// One logon + logoff of an individual session on "Bench"; false if the session was not fully
/// logged on.
bool logon_logoff(mapixx::subsystem& mapi)
{
    auto s = mapixx::sync_wait(mapi.logon({.profile = "Bench", .flags = sw::individual}));
    const bool ok = sw::fully_logged_on(s);
    if (s) {
        mapixx::sync_wait(s->logoff());
    }
    return ok;
}

/// The timed loop shared by logon/... and sessions/...: one logon + logoff per iteration.
void run_logon_loop(benchmark::State& state, sw::world& w)
{
    const std::uint64_t per_session = sw::counted_per_profile(w.kind());
    // Warm-up, untimed: the first logon makes the subsystem's lazily built parts.
    if (!mapixx_bench::check_work(state, 1, logon_logoff(w.mapi) ? 1 : 0, "warm-up sessions fully logged on")) {
        return;
    }
    const std::uint64_t logons_before = w.counts.logons.load();
    const std::uint64_t logoffs_before = w.counts.logoffs.load();
    std::uint64_t complete = 0;

    const auto before = alloc_snapshot();
    for (auto _ : state) {
        complete += logon_logoff(w.mapi) ? 1 : 0;
    }
    const auto during = alloc_snapshot() - before;

    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    if (!mapixx_bench::check_work(state, iterations, complete, "sessions with all 6 providers logged on") ||
        !mapixx_bench::check_work(state, iterations * per_session, w.counts.logons.load() - logons_before,
                                  "bench provider logons") ||
        !mapixx_bench::check_work(state, iterations * per_session, w.counts.logoffs.load() - logoffs_before,
                                  "bench provider logoffs")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "logon", 1, during);
    state.counters["heap_bytes_allocated_per_logon"] =
        static_cast<double>(during.bytes) / static_cast<double>(iterations == 0 ? 1 : iterations);
}

// -- item 2 ----------------------------------------------------------------------------------

void logon_profiles(benchmark::State& state)
{
    const auto profiles = static_cast<std::size_t>(state.range(0));
    double build_seconds = 0;
    sw::world& w = profile_world(profiles, &build_seconds);
    if (!mapixx_bench::check_work(state, profiles, w.profile_count(), "profiles in the store")) {
        return;
    }
    run_logon_loop(state, w);
    state.counters["profiles_in_store"] = static_cast<double>(profiles);
    state.counters["store_build_seconds"] = build_seconds;
}

/// Diagnosis of logon/mapixx/<P>: what one `profile_store::load("Bench")` costs in the same
/// store (a logon copies its profile once, to build the session).
void profile_load(benchmark::State& state)
{
    const auto profiles = static_cast<std::size_t>(state.range(0));
    double build_seconds = 0;
    sw::world& w = profile_world(profiles, &build_seconds);
    std::uint64_t found = 0;
    const auto before = alloc_snapshot();
    for (auto _ : state) {
        auto p = w.profiles().load("Bench");
        found += p && p->services.size() == 3 ? 1 : 0;
        benchmark::DoNotOptimize(p);
    }
    const auto during = alloc_snapshot() - before;
    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    if (!mapixx_bench::check_work(state, iterations, found, "loads that found the benchmark profile")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "load", 1, during);
    state.counters["heap_bytes_allocated_per_load"] =
        static_cast<double>(during.bytes) / static_cast<double>(iterations == 0 ? 1 : iterations);
}

void logon_join(benchmark::State& state)
{
    double build_seconds = 0;
    sw::world& w = profile_world(10, &build_seconds);
    auto shared = mapixx::sync_wait(w.mapi.logon(
        {.profile = "Bench", .flags = sw::individual | mapixx::logon_flag::allow_others}));
    if (!mapixx_bench::check_work(state, 1, sw::fully_logged_on(shared) ? 1 : 0, "shared session fully logged on")) {
        return;
    }
    const std::uint64_t logons_before = w.counts.logons.load();
    std::uint64_t joined = 0;

    const auto before = alloc_snapshot();
    for (auto _ : state) {
        auto member = mapixx::sync_wait(w.mapi.logon({}));
        if (member && *member && member->report().joined_shared) {
            ++joined;
        }
        if (member) {
            mapixx::sync_wait(member->logoff());
        }
    }
    const auto during = alloc_snapshot() - before;

    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    const bool still_live = static_cast<bool>(*shared);
    mapixx::sync_wait(shared->logoff());
    if (!mapixx_bench::check_work(state, iterations, joined, "logons that joined the shared session") ||
        !mapixx_bench::check_work(state, 0, w.counts.logons.load() - logons_before, "provider logons by joins") ||
        !mapixx_bench::check_work(state, 1, still_live ? 1 : 0, "shared session live after the members left")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "logon", 1, during);
    state.counters["heap_bytes_allocated_per_logon"] =
        static_cast<double>(during.bytes) / static_cast<double>(iterations == 0 ? 1 : iterations);
}

/// `batch` joins and leaves awaited one after the other inside one coroutine; returns how many
/// joined the shared session.
mapixx::task<std::uint64_t> join_batch(mapixx::subsystem& mapi, std::uint64_t batch)
{
    std::uint64_t joined = 0;
    for (std::uint64_t i = 0; i < batch; ++i) {
        auto member = co_await mapi.logon({});
        if (member && *member && member->report().joined_shared) {
            ++joined;
        }
        if (member) {
            co_await member->logoff();
        }
    }
    co_return joined;
}

/// logon_join/mapixx_in_coroutine/1: the same join and leave, awaited from a coroutine (one
/// sync_wait per batch of 256), so that sync_wait's own cost (its helper frame; it blocks on a
/// semaphore only when the awaited task really suspended) is not in the time of each join.
void logon_join_in_coroutine(benchmark::State& state)
{
    constexpr std::uint64_t batch = 256;
    double build_seconds = 0;
    sw::world& w = profile_world(10, &build_seconds);
    auto shared = mapixx::sync_wait(w.mapi.logon(
        {.profile = "Bench", .flags = sw::individual | mapixx::logon_flag::allow_others}));
    if (!mapixx_bench::check_work(state, 1, sw::fully_logged_on(shared) ? 1 : 0, "shared session fully logged on")) {
        return;
    }
    const std::uint64_t logons_before = w.counts.logons.load();
    std::uint64_t joined = 0;
    const auto before = alloc_snapshot();
    for (auto _ : state) {
        joined += mapixx::sync_wait(join_batch(w.mapi, batch));
    }
    const auto during = alloc_snapshot() - before;
    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    const bool still_live = static_cast<bool>(*shared);
    mapixx::sync_wait(shared->logoff());
    if (!mapixx_bench::check_work(state, iterations * batch, joined, "logons that joined the shared session") ||
        !mapixx_bench::check_work(state, 0, w.counts.logons.load() - logons_before, "provider logons by joins") ||
        !mapixx_bench::check_work(state, 1, still_live ? 1 : 0, "shared session live after the members left")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "logon", batch, during);
    state.counters["heap_bytes_allocated_per_logon"] =
        static_cast<double>(during.bytes) / static_cast<double>(iterations == 0 ? 1 : iterations * batch);
}

// -- item 3 ----------------------------------------------------------------------------------

/// L live sessions of one kind on a 10-profile world, kept while benchmarks of the same kind and
/// count run (logging 100 000 sessions on takes seconds), replaced otherwise.
struct live_set {
    sw::profile_kind kind = sw::profile_kind::stores_only;
    std::size_t count = 0;
    std::unique_ptr<sw::world> world;
    std::vector<mapixx::session> sessions;
    double heap_per_session = -1;
    double allocated_per_session = 0;
    std::uint64_t allocations_per_session = 0;
    std::string failure;

    ~live_set()
    {
        for (auto& s : sessions) {
            mapixx::sync_wait(s.logoff());
        }
    }
};

live_set& live_sessions(sw::profile_kind kind, std::size_t count)
{
    static std::unique_ptr<live_set> current;
    if (current && current->kind == kind && current->count == count) {
        return *current;
    }
    current.reset();
    auto set = std::make_unique<live_set>();
    set->kind = kind;
    set->count = count;
    set->world = std::make_unique<sw::world>(10, kind);
    // One logon and logoff first, so that what the subsystem makes once is not counted.
    if (!logon_logoff(set->world->mapi)) {
        set->failure = "warm-up logon failed";
    }
    set->sessions.reserve(count);
    const double heap_before = heap_in_use();
    const auto before = alloc_snapshot();
    for (std::size_t i = 0; i < count && set->failure.empty(); ++i) {
        auto s = mapixx::sync_wait(set->world->mapi.logon({.profile = "Bench", .flags = sw::individual}));
        if (!sw::fully_logged_on(s)) {
            set->failure = "live session " + std::to_string(i) + " failed: " + (s ? "not every provider logged on"
                                                                                    : s.info().message);
            break;
        }
        set->sessions.push_back(std::move(*s));
    }
    const auto made = alloc_snapshot() - before;
    const double heap_after = heap_in_use();
    const auto n = static_cast<double>(count);
    if (heap_before >= 0) {
        set->heap_per_session = (heap_after - heap_before) / n;
    }
    set->allocated_per_session = static_cast<double>(made.bytes) / n;
    set->allocations_per_session = made.allocations / count;
    current = std::move(set);
    return *current;
}

void sessions_live(benchmark::State& state, sw::profile_kind kind)
{
    const auto count = static_cast<std::size_t>(state.range(0));
    live_set& set = live_sessions(kind, count);
    if (!set.failure.empty()) {
        state.SkipWithError(set.failure.c_str());
        return;
    }
    const auto live_before = mapixx::inspect_sessions(set.world->mapi).sessions;
    if (!mapixx_bench::check_work(state, count, live_before, "live sessions")) {
        return;
    }
    run_logon_loop(state, *set.world);
    if (!mapixx_bench::check_work(state, count, mapixx::inspect_sessions(set.world->mapi).sessions,
                                  "live sessions after the loop")) {
        return;
    }
    if (set.heap_per_session >= 0) {
        state.counters["heap_bytes_per_session"] = set.heap_per_session;
    }
    state.counters["bytes_allocated_per_live_session"] = set.allocated_per_session;
    state.counters["allocations_per_live_session"] = static_cast<double>(set.allocations_per_session);
    state.counters["live_sessions"] = static_cast<double>(count);
}

[[maybe_unused]] const bool registered = [] {
    auto* b = benchmark::RegisterBenchmark("logon/mapixx", logon_profiles);
    for (const std::int64_t p : profile_counts) {
        b->Arg(p);
    }
    b->Unit(benchmark::kMicrosecond);
    auto* load = benchmark::RegisterBenchmark("profile_load/memory_profile_store", profile_load);
    for (const std::int64_t p : profile_counts) {
        load->Arg(p);
    }
    benchmark::RegisterBenchmark("logon_join/mapixx", logon_join)->Arg(1);
    benchmark::RegisterBenchmark("logon_join/mapixx_in_coroutine", logon_join_in_coroutine)->Arg(1);
    benchmark::RegisterBenchmark("sessions/mapixx", sessions_live, sw::profile_kind::stores_only)
        ->Arg(10)
        ->Arg(100'000)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("sessions/mapixx_spooler", sessions_live, sw::profile_kind::with_transport)
        ->Arg(10)
        ->Arg(100'000)
        ->Unit(benchmark::kMicrosecond);
    return mapixx_bench::note("heap_in_use", MAPIXX_BENCH_HAVE_MALLINFO2
                                                 ? "glibc mallinfo2 (uordblks + hblkhd)"
                                                 : "unknown on this C library: heap_bytes_per_session not reported");
}();

} // namespace
