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

#if MAPIXX_TEST_COUNTS_ALLOCATIONS
namespace {
void* counted_allocation(std::size_t size) noexcept
{
    ++allocation_count;
    return std::malloc(size == 0 ? 1 : size);
}
} // namespace

// Every unaligned form is replaced, not only the basic one: a sanitizer runtime that replaces
// the array forms itself would otherwise bypass the counter. The aligned forms are left to the
// library (allocated and freed by the same runtime, so they stay consistent).
void* operator new(std::size_t size)
{
    if (void* p = counted_allocation(size)) {
        return p;
    }
    throw std::bad_alloc{};
}

void* operator new[](std::size_t size)
{
    if (void* p = counted_allocation(size)) {
        return p;
    }
    throw std::bad_alloc{};
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    return counted_allocation(size);
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return counted_allocation(size);
}

void operator delete(void* p) noexcept
{
    std::free(p);
}

void operator delete[](void* p) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

void operator delete[](void* p, std::size_t) noexcept
{
    std::free(p);
}

void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}

void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}

#endif // MAPIXX_TEST_COUNTS_ALLOCATIONS

TEST_SUITE("allocation counter")
{
    TEST_CASE("the replaced operator new counts the allocations of the calling thread" *
              doctest::skip(!mapixx_test::counts_allocations))
    {
        const std::size_t before = mapixx_test::allocations_on_this_thread();
        auto p = std::make_unique<int>(1);
        auto q = std::make_unique<int[]>(4);
        std::unique_ptr<int> r{new (std::nothrow) int{2}};
        CHECK(mapixx_test::allocations_on_this_thread() - before == 3);
        CHECK(*p == 1);
        CHECK(q[3] == 0);
        CHECK(*r == 2);
    }
}
