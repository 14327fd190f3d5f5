// SPDX-License-Identifier: MIT
// yield/thread_handoff/<N>: the design the coroutine spooler replaces, one OS thread per
// transport. N threads pass a token round-robin through one std::mutex and one
// std::condition_variable per thread: the holder counts its turn, names the next thread, unlocks,
// notifies it, and waits for the token to come back. One yield = the holder going to sleep and
// the next thread waking up with the token (a context switch when N >= 2).
//
// The benchmark thread takes part only between batches: the thread that completes a batch hands
// the token to it, and it hands the token on at the start of the next batch. Time is the CPU time
// of the whole process (MeasureProcessCPUTime), so the kernel work of every thread is counted
// and time stolen by other programs on a shared machine is not. Under `bench` all threads share
// the pinned CPU, which is the handoff's best case (no cross-core wake-up).
#include "support/bench_support.hpp"
#include "support/yield_topic.hpp"

#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace {

namespace topic = mapixx_bench::yield_topic;
using mapixx_bench::alloc_snapshot;

/// The token ring. Index n (one past the last worker) is the benchmark thread.
class handoff_ring {
public:
    explicit handoff_ring(std::size_t n) : n_{n}, wake_(n + 1), turn_{n} {}

    /// The body of worker `me`.
    void work(std::size_t me)
    {
        std::unique_lock lock{mutex_};
        for (;;) {
            wake_[me].wait(lock, [&] { return turn_ == me || quit_; });
            if (quit_) {
                return;
            }
            std::size_t next = (me + 1) % n_;
            if (++resumes_ == stop_at_) {
                resume_with_ = next;
                next = n_; // batch done: the benchmark thread gets the token
            }
            turn_ = next;
            lock.unlock();
            wake_[next].notify_one();
            lock.lock();
        }
    }

    /// Runs `batch` handoffs among the workers and returns when they are done.
    void run_batch(std::uint64_t batch)
    {
        std::unique_lock lock{mutex_};
        stop_at_ = resumes_ + batch;
        turn_ = resume_with_;
        wake_[turn_].notify_one();
        wake_[n_].wait(lock, [&] { return turn_ == n_; });
    }

    /// Makes every worker return from work().
    void quit()
    {
        {
            std::lock_guard lock{mutex_};
            quit_ = true;
        }
        for (std::condition_variable& cv : wake_) {
            cv.notify_all();
        }
    }

    [[nodiscard]] std::uint64_t resumes() const
    {
        std::lock_guard lock{mutex_};
        return resumes_;
    }

    void reset_count()
    {
        std::lock_guard lock{mutex_};
        resumes_ = 0;
    }

private:
    const std::size_t n_;
    mutable std::mutex mutex_;
    std::vector<std::condition_variable> wake_; // one per worker, then the benchmark thread's
    std::size_t turn_;                          // who holds the token
    std::size_t resume_with_ = 0;               // the worker that starts the next batch
    std::uint64_t resumes_ = 0;
    std::uint64_t stop_at_ = 0;
    bool quit_ = false;
};

double default_stack_bytes()
{
#if defined(__linux__)
    pthread_attr_t attr;
    std::size_t size = 0;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_getstacksize(&attr, &size);
        pthread_attr_destroy(&attr);
    }
    return static_cast<double>(size);
#else
    return 0.0;
#endif
}

void yield_thread_handoff(benchmark::State& state)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::uint64_t batch = mapixx_bench::batch_size(n, topic::thread_min_batch);

    handoff_ring ring{n};
    std::vector<std::thread> workers;
    workers.reserve(n);
    const auto before_start = alloc_snapshot();
    for (std::size_t i = 0; i != n; ++i) {
        workers.emplace_back([&ring, i] { ring.work(i); });
    }
    const double heap_per_thread =
        static_cast<double>((alloc_snapshot() - before_start).bytes) / static_cast<double>(n);

    ring.run_batch(n); // warm-up, untimed: every thread has had the token once
    const bool warmed_up = mapixx_bench::check_work(state, n, ring.resumes(), "warm-up handoffs");
    ring.reset_count();

    const auto before = alloc_snapshot();
    if (warmed_up) {
        for (auto _ : state) {
            ring.run_batch(batch);
        }
    }
    const auto during = alloc_snapshot() - before;

    ring.quit();
    for (std::thread& t : workers) {
        t.join();
    }
    if (!warmed_up) {
        return;
    }
    const std::uint64_t expected = static_cast<std::uint64_t>(state.iterations()) * batch;
    if (!mapixx_bench::check_work(state, expected, ring.resumes(), "handoffs")) {
        return;
    }
    mapixx_bench::set_op_counters(state, "yield", batch, during);
    state.counters["heap_bytes_per_thread"] = heap_per_thread;
    state.counters["stack_reserved_bytes_per_thread"] = default_stack_bytes();
}

[[maybe_unused]] const bool registered = [] {
    auto* b = benchmark::RegisterBenchmark("yield/thread_handoff", yield_thread_handoff);
    for (const std::int64_t n : topic::thread_counts) {
        b->Arg(n);
    }
    b->MeasureProcessCPUTime();
    return mapixx_bench::note("thread_handoff_peer",
                              "std::thread per actor, std::mutex + one std::condition_variable "
                              "per thread, token passing; process CPU time");
}();

} // namespace
