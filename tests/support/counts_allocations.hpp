// SPDX-License-Identifier: MIT
// MAPIXX_TEST_COUNTS_ALLOCATIONS: 1 if a test binary may replace the global operator new to
// count allocations, 0 under ThreadSanitizer, whose runtime defines operator new itself
// (strongly, in a static archive), so that tests which count are skipped there. g++ says TSan
// is on with __SANITIZE_THREAD__, clang only through __has_feature.
#ifndef MAPIXX_TEST_COUNTS_ALLOCATIONS_HPP_INCLUDED
#define MAPIXX_TEST_COUNTS_ALLOCATIONS_HPP_INCLUDED

#if defined(__SANITIZE_THREAD__)
#define MAPIXX_TEST_COUNTS_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MAPIXX_TEST_COUNTS_ALLOCATIONS 0
#endif
#endif
#ifndef MAPIXX_TEST_COUNTS_ALLOCATIONS
#define MAPIXX_TEST_COUNTS_ALLOCATIONS 1
#endif

#endif
