// SPDX-License-Identifier: MIT
// mapixx_spooler_tests replaces the global operator new so that a test can count the
// allocations its own thread makes (used by the "zero allocations per spooler_yield" test).
#include "spooler_test_helpers.hpp"

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
