// SPDX-License-Identifier: MIT
// Replaces every form of the global operator new and delete in mapixx_bench so that benchmarks
// can count the allocations made while they run (mapixx_bench::alloc_snapshot). The counters are
// relaxed atomics shared by all threads: the peers run threads of their own, and a count that
// only one thread sees would hide their allocations. A relaxed increment costs a few
// nanoseconds per allocation; a benchmark that allocates nothing in its loop pays nothing.
#include "support/bench_support.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(_WIN32)
#include <malloc.h>
#endif

namespace {

std::atomic<std::uint64_t> allocations{0};
std::atomic<std::uint64_t> allocated_bytes{0};
std::atomic<std::uint64_t> frees{0};

void count_allocation(std::size_t size) noexcept
{
    allocations.fetch_add(1, std::memory_order_relaxed);
    allocated_bytes.fetch_add(size, std::memory_order_relaxed);
}

void count_free(void* p) noexcept
{
    if (p != nullptr) {
        frees.fetch_add(1, std::memory_order_relaxed);
    }
}

void* raw_allocate(std::size_t size, std::size_t alignment) noexcept
{
    if (size == 0) {
        size = 1;
    }
    if (alignment <= alignof(std::max_align_t)) {
        return std::malloc(size);
    }
#if defined(_WIN32)
    return _aligned_malloc(size, alignment);
#else
    void* p = nullptr;
    return posix_memalign(&p, alignment, size) == 0 ? p : nullptr;
#endif
}

void raw_free(void* p, std::size_t alignment) noexcept
{
#if defined(_WIN32)
    if (alignment > alignof(std::max_align_t)) {
        _aligned_free(p);
        return;
    }
#else
    static_cast<void>(alignment);
#endif
    std::free(p);
}

// The throwing forms: retry through the new-handler as the standard requires, then throw.
void* allocate_or_throw(std::size_t size, std::size_t alignment)
{
    for (;;) {
        if (void* p = raw_allocate(size, alignment)) {
            count_allocation(size);
            return p;
        }
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) {
            throw std::bad_alloc{};
        }
        handler();
    }
}

void* allocate_or_null(std::size_t size, std::size_t alignment) noexcept
{
    try {
        return allocate_or_throw(size, alignment);
    } catch (...) {
        return nullptr;
    }
}

void release(void* p, std::size_t alignment) noexcept
{
    count_free(p);
    raw_free(p, alignment);
}

constexpr std::size_t plain = alignof(std::max_align_t);

} // namespace

mapixx_bench::alloc_counts mapixx_bench::alloc_snapshot() noexcept
{
    return {allocations.load(std::memory_order_relaxed),
            allocated_bytes.load(std::memory_order_relaxed), frees.load(std::memory_order_relaxed)};
}

// clang-format off
void* operator new(std::size_t n) { return allocate_or_throw(n, plain); }
void* operator new[](std::size_t n) { return allocate_or_throw(n, plain); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_null(n, plain); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_null(n, plain); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate_or_throw(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate_or_throw(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return allocate_or_null(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return allocate_or_null(n, static_cast<std::size_t>(a)); }

void operator delete(void* p) noexcept { release(p, plain); }
void operator delete[](void* p) noexcept { release(p, plain); }
void operator delete(void* p, std::size_t) noexcept { release(p, plain); }
void operator delete[](void* p, std::size_t) noexcept { release(p, plain); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p, plain); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p, plain); }
void operator delete(void* p, std::align_val_t a) noexcept { release(p, static_cast<std::size_t>(a)); }
void operator delete[](void* p, std::align_val_t a) noexcept { release(p, static_cast<std::size_t>(a)); }
void operator delete(void* p, std::size_t, std::align_val_t a) noexcept { release(p, static_cast<std::size_t>(a)); }
void operator delete[](void* p, std::size_t, std::align_val_t a) noexcept { release(p, static_cast<std::size_t>(a)); }
void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept { release(p, static_cast<std::size_t>(a)); }
void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept { release(p, static_cast<std::size_t>(a)); }
// clang-format on
