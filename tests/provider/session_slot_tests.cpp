// SPDX-License-Identifier: MIT
// Tests of slot_pool and session_slot: capacity, give-back on every path, move semantics.
#include <mapixx/provider/session_slot.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace session_slot_tests {

using namespace mapixx;

TEST_SUITE("provider/session_slot.hpp") {

static_assert(!std::is_copy_constructible_v<session_slot>);
static_assert(!std::is_copy_assignable_v<session_slot>);
static_assert(std::is_nothrow_move_constructible_v<session_slot>);
static_assert(!std::is_convertible_v<session_slot, bool>, "operator bool is explicit");

TEST_CASE("a pool of two hands out two slots and then empty ones") {
    slot_pool pool{2};
    session_slot a = pool.try_acquire();
    session_slot b = pool.try_acquire();
    session_slot c = pool.try_acquire();
    CHECK(a);
    CHECK(b);
    CHECK_FALSE(c);
    CHECK(c.pool() == nullptr);
    CHECK(a.pool() == &pool);
    CHECK(pool.in_use() == 2);
    CHECK(pool.capacity() == 2);
}

TEST_CASE("destroying a slot gives it back") {
    slot_pool pool{1};
    {
        session_slot a = pool.try_acquire();
        CHECK(pool.in_use() == 1);
        CHECK_FALSE(pool.try_acquire());
    }
    CHECK(pool.in_use() == 0);
    session_slot again = pool.try_acquire();
    CHECK(again);
}

TEST_CASE("release gives the slot back early and leaves the slot empty") {
    slot_pool pool{1};
    session_slot a = pool.try_acquire();
    a.release();
    CHECK_FALSE(a);
    CHECK(pool.in_use() == 0);
    a.release();  // a no-op on an empty slot
    CHECK(pool.in_use() == 0);
}

TEST_CASE("moving a slot moves the place, not a copy of it") {
    slot_pool pool{1};
    session_slot a = pool.try_acquire();
    session_slot b = std::move(a);
    CHECK_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    CHECK(b);
    CHECK(pool.in_use() == 1);
}

TEST_CASE("move-assigning into a full slot gives the old slot back first") {
    slot_pool p1{1}, p2{1};
    session_slot a = p1.try_acquire();
    session_slot b = p2.try_acquire();
    a = std::move(b);
    CHECK(p1.in_use() == 0);
    CHECK(p2.in_use() == 1);
    CHECK(a.pool() == &p2);
}

TEST_CASE("a pool of capacity 0 is unlimited") {
    slot_pool pool{0};
    std::vector<session_slot> slots;
    for (int i = 0; i < 100; ++i) slots.push_back(pool.try_acquire());
    for (const auto& s : slots) CHECK(s);
    CHECK(pool.in_use() == 100);
    slots.clear();
    CHECK(pool.in_use() == 0);
    CHECK(pool.acquired_total() == 100);
}

TEST_CASE("threads never take more slots than the capacity") {
    slot_pool pool{3};
    std::atomic<int> held{0}, max_held{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                session_slot s = pool.try_acquire();
                if (!s) continue;
                int now = held.fetch_add(1) + 1;
                int m = max_held.load();
                while (now > m && !max_held.compare_exchange_weak(m, now)) {
                }
                held.fetch_sub(1);
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(max_held.load() <= 3);
    CHECK(pool.in_use() == 0);
}

}

} // namespace session_slot_tests
