// SPDX-License-Identifier: MIT
// yield/mapixx/<N> and yield/mapixx_scattered/<N>: the round trip that the spooler will pay for
// every SpoolerYield. N coroutines spawned on one mapixx::scheduler each loop on
// `co_await s.yield()`; the loop resumes them round-robin from its ready ring.
//
// Two frame layouts:
// - allocation order (`yield/mapixx`): coroutines are created and spawned one after the other,
//   so the ready ring visits frames in the order malloc laid them out, at a constant stride.
// - scattered (`yield/mapixx_scattered`): N * scatter_factor coroutines are created, the list
//   is shuffled with a fixed seed, the first N of the shuffled list are spawned in that order
//   and the rest destroyed. Consecutive ring entries then point at frames picked at random from
//   a region scatter_factor times larger than the survivors need (about 100 MB for N = 65536),
//   so neither the hardware prefetcher nor the TLB can guess the next frame: every yield risks a
//   cache (and TLB) miss, which only the scheduler's own prefetch can hide.
#include "support/bench_support.hpp"
#include "support/yield_topic.hpp"

#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/task.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace {

namespace topic = mapixx_bench::yield_topic;
using mapixx_bench::alloc_snapshot;

/// What the coroutines of one benchmark share.
struct yield_state {
    mapixx::scheduler* scheduler = nullptr;
    std::uint64_t resumes = 0; ///< resumptions, counted by the coroutines themselves
    std::uint64_t stop_at = 0; ///< the count at which the loop is asked to return
};

mapixx::task<> yielder(yield_state& shared)
{
    mapixx::scheduler& s = *shared.scheduler;
    for (;;) {
        if (++shared.resumes == shared.stop_at) {
            s.stop(); // the loop returns after this resumption: one batch done
        }
        co_await s.yield();
    }
}

enum class frame_layout { allocation_order, scattered };

/// Creates and spawns n yielders; returns the heap bytes allocated per coroutine (frames plus
/// the scheduler's bookkeeping, as requested from operator new, freed or not).
double spawn_in_allocation_order(mapixx::scheduler& s, yield_state& shared, std::uint64_t n)
{
    const auto before = alloc_snapshot();
    for (std::uint64_t i = 0; i != n; ++i) {
        s.spawn(yielder(shared));
    }
    return static_cast<double>((alloc_snapshot() - before).bytes) / static_cast<double>(n);
}

/// Spawns n yielders whose frames are scattered (see the file comment); returns the heap bytes
/// per coroutine, measured as in spawn_in_allocation_order.
double spawn_scattered(mapixx::scheduler& s, yield_state& shared, std::uint64_t n)
{
    const std::uint64_t created = n * topic::scatter_factor;
    std::vector<mapixx::task<>> pool;
    pool.reserve(created);
    const auto before_create = alloc_snapshot();
    for (std::uint64_t i = 0; i != created; ++i) {
        pool.push_back(yielder(shared));
    }
    const auto create = alloc_snapshot() - before_create;
    std::mt19937_64 random{topic::scatter_seed};
    std::shuffle(pool.begin(), pool.end(), random);
    const auto before_spawn = alloc_snapshot();
    for (std::uint64_t i = 0; i != n; ++i) {
        s.spawn(std::move(pool[i]));
    }
    const auto spawn = alloc_snapshot() - before_spawn;
    pool.clear(); // destroys the frames that were not spawned
    return static_cast<double>(create.bytes) / static_cast<double>(created) +
           static_cast<double>(spawn.bytes) / static_cast<double>(n);
}

/// What one spawned coroutine allocates: the task's own frame, and what scheduler::spawn adds
/// with its queues having room (until spawn ran tasks detached, a wrapper frame; now nothing).
struct frame_sizes {
    std::uint64_t task = 0;
    std::uint64_t spawn_wrapper = 0;
};

frame_sizes measure_frames()
{
    mapixx::scheduler probe; // its inbox has room: spawning one task allocates no queue memory
    yield_state shared{&probe};
    frame_sizes sizes;
    const auto before_task = alloc_snapshot();
    mapixx::task<> work = yielder(shared);
    sizes.task = (alloc_snapshot() - before_task).bytes;
    const auto before_spawn = alloc_snapshot();
    probe.spawn(std::move(work));
    sizes.spawn_wrapper = (alloc_snapshot() - before_spawn).bytes;
    return sizes; // ~scheduler destroys the never-started spawned frame
}

void yield_mapixx(benchmark::State& state, frame_layout layout)
{
    const auto n = static_cast<std::uint64_t>(state.range(0));
    const std::uint64_t batch = mapixx_bench::batch_size(n, topic::coroutine_min_batch);
    const frame_sizes frames = measure_frames();

    mapixx::scheduler s;
    yield_state shared{&s};
    const double heap_per_coroutine = layout == frame_layout::scattered
                                          ? spawn_scattered(s, shared, n)
                                          : spawn_in_allocation_order(s, shared, n);
    if (!mapixx_bench::check_work(state, n, s.spawned_count(), "spawned coroutines")) {
        return;
    }

    // Warm-up, untimed: every coroutine runs to its first yield, which also grows the ring to
    // its final size. From here on the loop is in its steady state. Heap per suspended
    // coroutine counts everything allocated from before the first spawn until all N wait in
    // their first yield, divided by N (the same rule as the peers).
    shared.stop_at = n;
    const auto before_warm_up = alloc_snapshot();
    const std::uint64_t first_round = s.run_until_idle();
    const double warm_up_bytes = static_cast<double>((alloc_snapshot() - before_warm_up).bytes);
    if (!mapixx_bench::check_work(state, n, first_round, "warm-up resumptions") ||
        !mapixx_bench::check_work(state, n, shared.resumes, "warm-up resumptions (coroutines)")) {
        return;
    }
    shared.resumes = 0;
    std::uint64_t resumed = 0;

    const auto before = alloc_snapshot();
    for (auto _ : state) {
        shared.stop_at = shared.resumes + batch;
        resumed += s.run_until_idle();
    }
    const auto during = alloc_snapshot() - before;

    const std::uint64_t expected = static_cast<std::uint64_t>(state.iterations()) * batch;
    if (!mapixx_bench::check_work(state, expected, shared.resumes, "resumptions (coroutines)") ||
        !mapixx_bench::check_work(state, expected, resumed, "resumptions (scheduler)")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "yield", batch, during);
    state.counters["heap_bytes_per_coroutine"] =
        heap_per_coroutine + warm_up_bytes / static_cast<double>(n);
    state.counters["task_frame_bytes"] = static_cast<double>(frames.task);
    state.counters["spawn_frame_bytes"] = static_cast<double>(frames.spawn_wrapper);
}

[[maybe_unused]] const bool registered = [] {
    auto* ordered = benchmark::RegisterBenchmark("yield/mapixx", yield_mapixx,
                                                 frame_layout::allocation_order);
    for (const std::int64_t n : topic::coroutine_counts) {
        ordered->Arg(n);
    }
    benchmark::RegisterBenchmark("yield/mapixx_scattered", yield_mapixx, frame_layout::scattered)
        ->Arg(65536);
    return true;
}();

} // namespace
