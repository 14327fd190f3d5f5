// SPDX-License-Identifier: MIT
// Control of the replaced global operator new of mapixx_alloc_fault_tests (replaced_new.cpp):
// counting the allocations of the calling thread, making the k-th of them throw
// std::bad_alloc once, and looking for a byte pattern in every block as it is freed.
#ifndef MAPIXX_TESTS_ALLOC_CONTROL_HPP_INCLUDED
#define MAPIXX_TESTS_ALLOC_CONTROL_HPP_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace alloc_control {

/// Starts counting the allocations of this thread from zero. With `fail_at` = k > 0, the k-th
/// of them throws std::bad_alloc (a nothrow new returns null instead), once; 0: count only.
void arm(std::uint64_t fail_at) noexcept;
/// Stops counting and failing; returns how many allocations this thread made since `arm`.
std::uint64_t disarm() noexcept;
/// True if the armed failure happened.
bool fired() noexcept;
/// Allocations made by every thread since the program started.
std::uint64_t all_threads() noexcept;

/// From now on, every block freed (by any thread) is searched for `pattern` (at most 64 bytes)
/// before it goes back to the C library; `found()` counts the blocks that held it. The
/// pattern must outlive the watch. An empty pattern stops watching.
void watch_freed(std::string_view pattern) noexcept;
/// Freed blocks that held the pattern since `watch_freed`.
std::uint64_t found() noexcept;

} // namespace alloc_control

#endif
