// SPDX-License-Identifier: MIT
// One coroutine awaits 1 000 000 tasks that complete without suspending, in a loop, on a thread
// with an 8 MiB stack. If `co_await task` nested one stack frame per await (g++ 12 at -O0 with
// plain symmetric transfer does), this crashes with a stack overflow; see
// MAPIXX_CORO_SYMMETRIC_TRANSFER in mapixx/coro/task.hpp. Built at -O0 and at -O2.
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#if __has_include(<pthread.h>)
#include <pthread.h>
#define MAPIXX_STACK_TEST_PTHREAD 1
#endif

namespace {

constexpr std::int64_t iterations = 1'000'000;
constexpr std::size_t stack_size = std::size_t{8} << 20;

mapixx::task<std::int64_t> make_value(std::int64_t i)
{
    co_return i;
}

mapixx::task<std::int64_t> sum_values()
{
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < iterations; ++i) {
        sum += co_await make_value(i);
    }
    co_return sum;
}

int check()
{
    const std::int64_t expected = iterations * (iterations - 1) / 2;
    const std::int64_t sum = mapixx::sync_wait(sum_values());
    std::printf("awaited %lld synchronously completing tasks: sum %lld, expected %lld\n",
                static_cast<long long>(iterations), static_cast<long long>(sum),
                static_cast<long long>(expected));
    return sum == expected ? EXIT_SUCCESS : EXIT_FAILURE;
}

#ifdef MAPIXX_STACK_TEST_PTHREAD
void* run_check(void* result)
{
    *static_cast<int*>(result) = check();
    return nullptr;
}
#endif

} // namespace

int main()
{
#ifdef MAPIXX_STACK_TEST_PTHREAD
    // Run on a thread whose stack is exactly 8 MiB, the Linux default, so that the outcome
    // does not depend on `ulimit -s` of whoever runs the test.
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, stack_size);
    int result = EXIT_FAILURE;
    pthread_t thread;
    if (pthread_create(&thread, &attributes, run_check, &result) != 0) {
        std::printf("could not start a thread with an 8 MiB stack\n");
        return EXIT_FAILURE;
    }
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attributes);
    return result;
#else
    static_cast<void>(stack_size);
    return check();
#endif
}
