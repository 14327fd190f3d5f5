// SPDX-License-Identifier: MIT
// yield/asio/<N>: the same round trip on Boost.Asio, the usual way to run C++20 coroutines on an
// event loop. N coroutines co_spawned on one io_context, run by one thread, each loop on
// `co_await asio::post(executor, asio::use_awaitable)`. The io_context is made with concurrency
// hint 1, Asio's documented hint for "one thread runs this context" (it lets handlers posted
// from that thread skip the shared queue's lock).
//
// Built only when CMake found Boost, and when this compiler's Boost.Asio supports co_await
// (Boost 1.74 enables it for g++ 10+, but for clang only with <experimental/coroutine>, which
// clang 14 with libstdc++ lacks). Otherwise the rows are missing and the JSON context says why.
#include "support/bench_support.hpp"
#include "support/yield_topic.hpp"

#include <benchmark/benchmark.h>

#if MAPIXX_BENCH_HAVE_BOOST
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>
#endif

#include <cstdint>
#include <string>

namespace {

#if MAPIXX_BENCH_HAVE_BOOST && defined(BOOST_ASIO_HAS_CO_AWAIT)

namespace asio = boost::asio;
namespace topic = mapixx_bench::yield_topic;
using mapixx_bench::alloc_snapshot;

struct asio_state {
    asio::io_context* context = nullptr;
    std::uint64_t resumes = 0;
    std::uint64_t stop_at = 0;
};

asio::awaitable<void> asio_yielder(asio_state& shared)
{
    auto executor = co_await asio::this_coro::executor;
    for (;;) {
        if (++shared.resumes == shared.stop_at) {
            shared.context->stop(); // run() returns after this handler: one batch done
        }
        co_await asio::post(executor, asio::use_awaitable);
    }
}

void yield_asio(benchmark::State& state)
{
    const auto n = static_cast<std::uint64_t>(state.range(0));
    const std::uint64_t batch = mapixx_bench::batch_size(n, topic::coroutine_min_batch);

    asio_state shared;
    asio::io_context context{1};
    shared.context = &context;
    const auto before_spawn = alloc_snapshot();
    for (std::uint64_t i = 0; i != n; ++i) {
        asio::co_spawn(context, asio_yielder(shared), asio::detached);
    }

    // Warm-up, untimed: every coroutine runs to its first yield.
    shared.stop_at = n;
    context.run();
    if (!mapixx_bench::check_work(state, n, shared.resumes, "warm-up resumptions")) {
        return;
    }
    shared.resumes = 0;
    // Heap per suspended coroutine: bytes allocated from before the first co_spawn until all N
    // wait in their first yield (the post operation of a pending yield is part of it).
    const double heap_per_coroutine =
        static_cast<double>((alloc_snapshot() - before_spawn).bytes) / static_cast<double>(n);

    const auto before = alloc_snapshot();
    for (auto _ : state) {
        shared.stop_at = shared.resumes + batch;
        context.restart();
        context.run();
    }
    const auto during = alloc_snapshot() - before;

    const std::uint64_t expected = static_cast<std::uint64_t>(state.iterations()) * batch;
    if (!mapixx_bench::check_work(state, expected, shared.resumes, "resumptions")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "yield", batch, during);
    state.counters["heap_bytes_per_coroutine"] = heap_per_coroutine;
    // ~io_context destroys the pending handlers and with them the suspended coroutines.
}

[[maybe_unused]] const bool registered = [] {
    auto* b = benchmark::RegisterBenchmark("yield/asio", yield_asio);
    for (const std::int64_t n : topic::coroutine_counts) {
        b->Arg(n);
    }
    return mapixx_bench::note("asio_peer", std::string{"Boost.Asio "} +
                                               std::to_string(BOOST_VERSION / 100000) + "." +
                                               std::to_string(BOOST_VERSION / 100 % 1000) +
                                               ", io_context{1}, post(executor, use_awaitable)");
}();

#elif MAPIXX_BENCH_HAVE_BOOST

[[maybe_unused]] const bool registered =
    mapixx_bench::note("asio_peer", "absent: this compiler's Boost.Asio has no co_await support "
                                    "(BOOST_ASIO_HAS_CO_AWAIT)");

#else

[[maybe_unused]] const bool registered =
    mapixx_bench::note("asio_peer", "absent: Boost was not found at configure time");

#endif

} // namespace
