// SPDX-License-Identifier: MIT
/// \file
/// What every `yield/<implementation>/<N>` benchmark shares, so that the rows of one N measure
/// the same thing whichever implementation runs them.
///
/// One yield is one suspension of the running actor plus one resumption of the next ready
/// actor. Every actor does the same work per turn: it increments a shared resumption count, asks
/// its loop to stop when the count reaches the end of the current batch, and yields. One
/// benchmark iteration is a batch of `batch_size(N, min_batch)` yields (whole rounds of N), and
/// the benchmark checks afterwards that exactly iterations * batch yields happened.
#ifndef MAPIXX_BENCH_YIELD_TOPIC_HPP_INCLUDED
#define MAPIXX_BENCH_YIELD_TOPIC_HPP_INCLUDED

#include <array>
#include <cstdint>

namespace mapixx_bench::yield_topic {

/// Actor counts for the coroutine implementations (mapixx, Asio).
inline constexpr std::array<std::int64_t, 6> coroutine_counts{1, 2, 16, 64, 1024, 65536};

/// Actor counts for thread per actor: one OS thread each, so 1024 or 65536 are out of reach on a
/// 2-core machine (65536 threads exceed the default limits, and 1024 would measure the kernel's
/// run queue, not a handoff). At N = 1 the thread hands the token to itself: no context switch
/// happens, so that row is the floor of a handoff (unlock, notify, lock), not a handoff; N = 2
/// is the smallest real one.
inline constexpr std::array<std::int64_t, 4> thread_counts{1, 2, 16, 64};

/// The least number of yields in one iteration of a coroutine benchmark.
inline constexpr std::uint64_t coroutine_min_batch = 4096;

/// The least number of yields in one iteration of the thread benchmark (each costs microseconds).
inline constexpr std::uint64_t thread_min_batch = 256;

/// Seed of the shuffle that scatters frames in memory (fixed, so runs are comparable).
inline constexpr std::uint64_t scatter_seed = 0x6d617069'78782d31; // "mapixx-1"

/// In the scattered layout, coroutines are created this many times over and all but 1/factor of
/// them, chosen at random, destroyed: the survivors are spread over factor times the memory.
inline constexpr std::uint64_t scatter_factor = 16;

} // namespace mapixx_bench::yield_topic
#endif
