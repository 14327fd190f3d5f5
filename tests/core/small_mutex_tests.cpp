// SPDX-License-Identifier: MIT
// detail/small_mutex.hpp: mutual exclusion, try_lock, and that a thread that waited for the
// mutex is woken by the unlock (a lost wake-up would hang the test until ctest's timeout).
#include <mapixx/detail/small_mutex.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace small_mutex_tests {

using mapixx::detail::small_mutex;

TEST_SUITE("core/small_mutex") {

TEST_CASE("try_lock fails while the mutex is held, by this thread or another, and succeeds after the unlock") {
    small_mutex m;
    REQUIRE(m.try_lock());
    CHECK_FALSE(m.try_lock());
    bool other = true;
    std::thread([&] { other = m.try_lock(); }).join();
    CHECK_FALSE(other);
    m.unlock();
    std::thread([&] {
        other = m.try_lock();
        if (other) m.unlock();
    }).join();
    CHECK(other);
    std::unique_lock guard(m);
    CHECK(guard.owns_lock());
}

TEST_CASE("four threads updating two plain counters under the mutex never see them apart") {
    small_mutex m;
    long first = 0, second = 0;  // not atomic: only the mutex orders them
    std::atomic<int> torn{0};
    constexpr int threads = 4, rounds = 20000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = 0; i < rounds; ++i) {
                std::lock_guard guard(m);
                ++first;
                if (first != second + 1) torn.fetch_add(1);
                ++second;
            }
        });
    }
    for (auto& th : pool) th.join();
    CHECK(torn.load() == 0);
    CHECK(first == long{threads} * rounds);
    CHECK(second == first);
}

TEST_CASE("threads that wait for a held mutex are all woken, one by one, by the unlocks") {
    small_mutex m;
    m.lock();
    constexpr int waiters = 3;
    std::atomic<int> started{0}, inside{0}, done{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < waiters; ++t) {
        pool.emplace_back([&] {
            started.fetch_add(1);
            std::lock_guard guard(m);
            inside.fetch_add(1);
            done.fetch_add(1);
        });
    }
    while (started.load() < waiters) std::this_thread::yield();
    // Give them time to go to sleep in the mutex (not needed for correctness: whether they
    // sleep or not, none may get in while it is held here).
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(inside.load() == 0);
    m.unlock();
    for (auto& th : pool) th.join();
    CHECK(done.load() == waiters);
    CHECK(m.try_lock());
    m.unlock();
}

TEST_CASE("std::scoped_lock takes two small mutexes in either order without deadlock") {
    small_mutex a, b;
    long count = 0;
    std::thread one([&] {
        for (int i = 0; i < 5000; ++i) {
            std::scoped_lock guard(a, b);
            ++count;
        }
    });
    std::thread two([&] {
        for (int i = 0; i < 5000; ++i) {
            std::scoped_lock guard(b, a);
            ++count;
        }
    });
    one.join();
    two.join();
    CHECK(count == 10000);
}

} // TEST_SUITE

} // namespace small_mutex_tests
