// SPDX-License-Identifier: MIT
/// \file
/// The shared harness of mapixx_bench: allocation counting, self-checks and standard counters.
///
/// Conventions every benchmark follows (the report script relies on them):
/// - The name is `<topic>/<implementation>/<N>`, e.g. `yield/mapixx/1024` or
///   `yield/asio/16`; rows of the same topic and N are compared with each other.
/// - One benchmark iteration does a fixed batch of operations; the counter
///   `<op>s_per_iteration` (e.g. `yields_per_iteration`) says how many, and the report divides
///   the iteration time by it. `SetItemsProcessed` counts operations, so `items_per_second` is
///   operations per second.
/// - Every benchmark counts the work it did and calls `check_work`, which marks the run as an
///   error instead of reporting a time for work that was not done.
/// - `allocs_per_<op>` and `heap_bytes_per_<unit>` come from the replaced global operator new
///   in `alloc_counter.cpp`.
/// - Nothing asserts a time; goals live in benchmarks/goals.json and are judged by the report.
#ifndef MAPIXX_BENCH_SUPPORT_HPP_INCLUDED
#define MAPIXX_BENCH_SUPPORT_HPP_INCLUDED

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#define MAPIXX_BENCH_HAVE_MALLINFO2 (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#else
#define MAPIXX_BENCH_HAVE_MALLINFO2 0
#endif

namespace mapixx_bench {

/// Bytes the C heap has handed out and not taken back (glibc's `mallinfo2`: `uordblks +
/// hblkhd`, malloc's chunk headers included), or -1 where unknown. Compare two readings.
inline double heap_in_use()
{
#if MAPIXX_BENCH_HAVE_MALLINFO2
    const struct mallinfo2 m = ::mallinfo2();
    return static_cast<double>(m.uordblks) + static_cast<double>(m.hblkhd);
#else
    return -1.0;
#endif
}

/// Totals of the replaced global operator new/delete since the program started, over all
/// threads (each thread counts into a block of its own; a reading adds the blocks up, so it
/// costs a few nanoseconds per thread that has ever allocated). Compare two readings.
struct alloc_counts {
    std::uint64_t allocations = 0; ///< calls of any operator new
    std::uint64_t bytes = 0;       ///< bytes requested from operator new
    std::uint64_t frees = 0;       ///< calls of any operator delete with a non-null pointer
};

/// The totals now.
[[nodiscard]] alloc_counts alloc_snapshot() noexcept;

/// What happened between two readings.
[[nodiscard]] inline alloc_counts operator-(const alloc_counts& later,
                                            const alloc_counts& earlier) noexcept
{
    return {later.allocations - earlier.allocations, later.bytes - earlier.bytes,
            later.frees - earlier.frees};
}

/// The number of operations one iteration does when there are `n` actors: whole rounds of `n`
/// (each actor once), as many as needed to reach `min_batch`, so that the benchmark loop's own
/// cost is spread over many operations even for n = 1.
[[nodiscard]] constexpr std::uint64_t batch_size(std::uint64_t n, std::uint64_t min_batch) noexcept
{
    const std::uint64_t rounds = (min_batch + n - 1) / n;
    return n * (rounds == 0 ? 1 : rounds);
}

/// Marks the run as failed (SkipWithError) unless `done == expected`; returns whether it was.
/// `what` names the quantity, e.g. "resumptions".
inline bool check_work(benchmark::State& state, std::uint64_t expected, std::uint64_t done,
                       const char* what)
{
    if (done == expected) {
        return true;
    }
    const std::string message = std::string{"work check failed: "} + what + " counted " +
                                std::to_string(done) + ", expected " + std::to_string(expected);
    state.SkipWithError(message.c_str());
    return false;
}

/// Sets the standard counters of a benchmark whose operation is called `op` (e.g. "yield"):
/// `<op>s_per_iteration`, `allocs_per_<op>` (allocations made during the timed loop per
/// operation) and items processed. Call after the loop, with the allocations counted around it.
inline void set_op_counters(benchmark::State& state, const std::string& op,
                            std::uint64_t ops_per_iteration, const alloc_counts& during_loop)
{
    const auto iterations = static_cast<std::uint64_t>(state.iterations());
    const std::uint64_t ops = iterations * ops_per_iteration;
    state.SetItemsProcessed(static_cast<std::int64_t>(ops));
    state.counters[op + "s_per_iteration"] = static_cast<double>(ops_per_iteration);
    state.counters["allocs_per_" + op] =
        ops == 0 ? 0.0 : static_cast<double>(during_loop.allocations) / static_cast<double>(ops);
}

/// Free-form facts about this build that go into the JSON `context` (and so into the report),
/// e.g. {"asio_peer", "absent: Boost not found at configure time"}. Register them from a
/// namespace-scope initializer: `const bool noted = mapixx_bench::note("key", "value");`.
inline std::vector<std::pair<std::string, std::string>>& notes()
{
    static std::vector<std::pair<std::string, std::string>> all;
    return all;
}

inline bool note(std::string key, std::string value)
{
    notes().emplace_back(std::move(key), std::move(value));
    return true;
}

} // namespace mapixx_bench
#endif
