// SPDX-License-Identifier: MIT
// Replaces the global operator new and delete of mapixx_coro_tests so that tests can count the
// allocations made by their own thread. Every allocation of every test goes through here: the
// counter is per thread, always counts, and tests only compare two readings, so it is harmless
// to the tests that ignore it.
#include "coro_test_helpers.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <new>

namespace {
thread_local std::size_t allocation_count = 0;
} // namespace

std::size_t mapixx_test::allocations_on_this_thread() noexcept
{
    return allocation_count;
}

// The array and nothrow forms of new call this one; the aligned forms are left to the library
// (they allocate with aligned_alloc and free with free, like the deletes below).
void* operator new(std::size_t size)
{
    ++allocation_count;
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        return p;
    }
    throw std::bad_alloc{};
}

void operator delete(void* p) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

TEST_SUITE("allocation counter")
{
    TEST_CASE("the replaced operator new counts the allocations of the calling thread")
    {
        const std::size_t before = mapixx_test::allocations_on_this_thread();
        auto p = std::make_unique<int>(1);
        auto q = std::make_unique<int[]>(4);
        CHECK(mapixx_test::allocations_on_this_thread() - before == 2);
        CHECK(*p == 1);
        CHECK(q[3] == 0);
    }
}
