// SPDX-License-Identifier: MIT
// The replaced global allocation functions of mapixx_alloc_fault_tests (see alloc_control.hpp).
// Every block gets a header holding its size, so a free knows how many bytes to search even
// when the unsized operator delete is called (clang does not use sized deallocation by
// default). Over-aligned allocations keep the library's own functions: mapixx has no
// over-aligned types on the paths tested here.
#include "alloc_control.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

constexpr std::size_t header = alignof(std::max_align_t) > sizeof(std::size_t) ? alignof(std::max_align_t)
                                                                               : sizeof(std::size_t);

struct thread_state {
    bool armed = false;
    std::uint64_t count = 0;
    std::uint64_t fail_at = 0;
    bool fired = false;
};
thread_local thread_state state;

std::atomic<std::uint64_t> total{0};

std::atomic<std::size_t> pattern_size{0};
const char* pattern_data = nullptr;
std::atomic<std::uint64_t> pattern_found{0};

// Null when the armed failure is due now (or malloc fails).
void* allocate(std::size_t n) noexcept {
    total.fetch_add(1, std::memory_order_relaxed);
    thread_state& s = state;
    if (s.armed) {
        ++s.count;
        if (s.fail_at != 0 && s.count == s.fail_at) {
            s.fired = true;
            return nullptr;
        }
    }
    void* base = std::malloc(n + header);
    if (base == nullptr) return nullptr;
    std::memcpy(base, &n, sizeof n);
    return static_cast<char*>(base) + header;
}

void release(void* p) noexcept {
    if (p == nullptr) return;
    char* base = static_cast<char*>(p) - header;
    if (const std::size_t m = pattern_size.load(std::memory_order_acquire); m != 0) {
        std::size_t n = 0;
        std::memcpy(&n, base, sizeof n);
        const char* first = static_cast<const char*>(p);
        if (n >= m && std::search(first, first + n, pattern_data, pattern_data + m) != first + n) {
            pattern_found.fetch_add(1);
        }
    }
    std::free(base);
}

} // namespace

namespace alloc_control {

void arm(std::uint64_t fail_at) noexcept { state = thread_state{true, 0, fail_at, false}; }
std::uint64_t disarm() noexcept {
    state.armed = false;
    return state.count;
}
bool fired() noexcept { return state.fired; }
std::uint64_t all_threads() noexcept { return total.load(); }

void watch_freed(std::string_view pattern) noexcept {
    pattern_size.store(0, std::memory_order_release);
    pattern_found.store(0);
    if (pattern.empty()) return;
    pattern_data = pattern.data();
    pattern_size.store(std::min<std::size_t>(pattern.size(), 64), std::memory_order_release);
}
std::uint64_t found() noexcept { return pattern_found.load(); }

} // namespace alloc_control

void* operator new(std::size_t n) {
    if (void* p = allocate(n)) return p;
    throw std::bad_alloc{};
}
void* operator new[](std::size_t n) {
    if (void* p = allocate(n)) return p;
    throw std::bad_alloc{};
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
