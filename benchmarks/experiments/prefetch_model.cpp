// SPDX-License-Identifier: MIT
// yield_prefetch_model/d<D>[_ordered]/65536: an experiment, not a measurement of mapixx. It
// answers "what would a deeper prefetch in scheduler::drive buy?" without touching the
// scheduler: a copy of its hot path (the same detail::ready_ring, an awaiter that pushes the
// handle, a loop that pops, prefetches and resumes) drives coroutines whose promise is as large
// as mapixx's task_promise<void>, so the frames have the size and shape of the yield/mapixx
// frames. D is how many resumptions ahead the loop prefetches: d1 is what scheduler::drive did
// first (the first line of the next frame), d0 is no prefetch; "x2lines" prefetches the frame's
// first two cache lines, and "d1+" also prefetches two lines of the next frame, as drive does
// now (d1+d16x2lines is the nearest to drive, which looks 16 entries past the next one).
// - d<D>: frames scattered exactly as in yield/mapixx_scattered;
// - d<D>_ordered: frames in allocation order as in yield/mapixx: one after the other, since
//   scheduler::spawn no longer puts a wrapper frame between them (until it did, this model put
//   an 80-byte block after each frame to keep the same stride).
// No goal applies to these rows; docs/performance.md reads them.
#include "support/bench_support.hpp"
#include "support/yield_topic.hpp"

#include <mapixx/coro/scheduler.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace topic = mapixx_bench::yield_topic;
using mapixx_bench::alloc_snapshot;

struct model_loop {
    mapixx::detail::ready_ring ring{64};
    std::uint64_t resumes = 0;
    std::uint64_t stop_at = 0;
    bool stop = false;
};

/// A started-by-hand coroutine that owns its frame.
class model_coroutine {
public:
    struct promise_type {
        model_coroutine get_return_object() noexcept
        {
            return model_coroutine{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() const noexcept { return {}; }
        std::suspend_always final_suspend() const noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { error = std::current_exception(); }

        // As many bytes as mapixx's task_promise<void> (the state word, then the exception that
        // shares its storage with the detached list links), unused here: they give the frame the
        // same size and layout.
        std::atomic<std::uintptr_t> state{0};
        std::exception_ptr error;
        void* link_room = nullptr;
    };

    model_coroutine(model_coroutine&& other) noexcept
        : frame_{std::exchange(other.frame_, nullptr)}
    {
    }
    model_coroutine& operator=(model_coroutine&& other) noexcept
    {
        std::swap(frame_, other.frame_);
        return *this;
    }
    ~model_coroutine()
    {
        if (frame_) {
            frame_.destroy();
        }
    }
    [[nodiscard]] std::coroutine_handle<> handle() const noexcept { return frame_; }

private:
    explicit model_coroutine(std::coroutine_handle<promise_type> frame) noexcept : frame_{frame} {}
    std::coroutine_handle<promise_type> frame_;
};

static_assert(sizeof(model_coroutine::promise_type) == sizeof(mapixx::detail::task_promise<void>),
              "the model's frames must be as large as mapixx's");

struct model_yield {
    model_loop* loop;
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { loop->ring.push_back(h); }
    void await_resume() const noexcept {}
};

model_coroutine model_yielder(model_loop& shared)
{
    model_loop& loop = shared;
    for (;;) {
        if (++shared.resumes == shared.stop_at) {
            loop.stop = true;
        }
        co_await model_yield{&loop};
    }
}

void prefetch_line(const char* p) noexcept
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    static_cast<void>(p);
#endif
}

/// The hot path of scheduler::drive, with the frame D resumptions ahead prefetched (its first
/// `Lines` cache lines), and, if `AlsoNext`, two lines of the next frame (detail::prefetch_frame).
template <std::size_t D, std::size_t Lines, bool AlsoNext>
std::uint64_t drive(model_loop& loop)
{
    std::uint64_t resumed = 0;
    loop.stop = false;
    while (!loop.stop && !loop.ring.empty()) {
        const std::coroutine_handle<> next = loop.ring.pop_front();
        if constexpr (D > 0) {
            const std::size_t waiting = loop.ring.size();
            if (AlsoNext && waiting != 0) {
                mapixx::detail::prefetch_frame(loop.ring[0]);
            }
            if (waiting != 0) {
                const std::coroutine_handle<> ahead = loop.ring[std::min(D, waiting) - 1];
                for (std::size_t line = 0; line != Lines; ++line) {
                    prefetch_line(static_cast<const char*>(ahead.address()) + 64 * line);
                }
            }
        }
        ++resumed;
        next.resume();
    }
    return resumed;
}

enum class model_layout { scattered, allocation_order };

template <std::size_t D, std::size_t Lines, model_layout Layout, bool AlsoNext>
void prefetch_model(benchmark::State& state)
{
    const auto n = static_cast<std::uint64_t>(state.range(0));
    const std::uint64_t batch = mapixx_bench::batch_size(n, topic::coroutine_min_batch);
    model_loop loop;

    std::vector<model_coroutine> pool;
    mapixx_bench::alloc_counts created;
    if constexpr (Layout == model_layout::scattered) {
        // Scatter exactly as yield/mapixx_scattered does.
        pool.reserve(n * topic::scatter_factor);
        const auto before_create = alloc_snapshot();
        for (std::uint64_t i = 0; i != n * topic::scatter_factor; ++i) {
            pool.push_back(model_yielder(loop));
        }
        created = alloc_snapshot() - before_create;
        std::mt19937_64 random{topic::scatter_seed};
        std::shuffle(pool.begin(), pool.end(), random);
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(n), pool.end()); // the rest goes
    } else {
        pool.reserve(n);
        for (std::uint64_t i = 0; i != n; ++i) {
            const auto before_create = alloc_snapshot();
            pool.push_back(model_yielder(loop));
            const auto one = alloc_snapshot() - before_create;
            created.allocations += one.allocations;
            created.bytes += one.bytes;
        }
    }
    for (const model_coroutine& c : pool) {
        loop.ring.push_back(c.handle());
    }

    loop.stop_at = n;
    const std::uint64_t first_round = drive<D, Lines, AlsoNext>(loop);
    if (!mapixx_bench::check_work(state, n, first_round, "warm-up resumptions")) {
        return;
    }
    loop.resumes = 0;
    std::uint64_t resumed = 0;
    const auto before = alloc_snapshot();
    for (auto _ : state) {
        loop.stop_at = loop.resumes + batch;
        resumed += drive<D, Lines, AlsoNext>(loop);
    }
    const auto during = alloc_snapshot() - before;
    const std::uint64_t expected = static_cast<std::uint64_t>(state.iterations()) * batch;
    if (!mapixx_bench::check_work(state, expected, loop.resumes, "resumptions (coroutines)") ||
        !mapixx_bench::check_work(state, expected, resumed, "resumptions (loop)")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "yield", batch, during);
    state.counters["model_frame_bytes"] =
        static_cast<double>(created.bytes) /
        static_cast<double>(Layout == model_layout::scattered ? n * topic::scatter_factor : n);
}

template <std::size_t D, std::size_t Lines = 1, model_layout Layout = model_layout::scattered,
          bool AlsoNext = false>
void register_model()
{
    std::string name = std::string{"yield_prefetch_model/"} + (AlsoNext ? "d1+" : "") + "d" +
                       std::to_string(D);
    if (Lines != 1) {
        name += "x" + std::to_string(Lines) + "lines";
    }
    if (Layout == model_layout::allocation_order) {
        name += "_ordered";
    }
    benchmark::RegisterBenchmark(name.c_str(), prefetch_model<D, Lines, Layout, AlsoNext>)
        ->Arg(65536);
}

[[maybe_unused]] const bool registered = [] {
    register_model<0>();
    register_model<1>();
    register_model<4>();
    register_model<8>();
    register_model<16>();
    register_model<32>();
    register_model<8, 2>();
    register_model<16, 2>();
    register_model<16, 2, model_layout::scattered, true>();
    register_model<0, 1, model_layout::allocation_order>();
    register_model<1, 1, model_layout::allocation_order>();
    register_model<4, 1, model_layout::allocation_order>();
    register_model<8, 1, model_layout::allocation_order>();
    register_model<16, 1, model_layout::allocation_order>();
    register_model<16, 2, model_layout::allocation_order>();
    register_model<16, 2, model_layout::allocation_order, true>();
    return true;
}();

} // namespace
