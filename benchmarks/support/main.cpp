// SPDX-License-Identifier: MIT
// The entry point of mapixx_bench: Google Benchmark's usual main, plus facts about this build
// in the JSON `context` (compiler, what each peer is, why a peer is missing) for the report.
#include "support/bench_support.hpp"

#include <mapixx/version.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define MAPIXX_BENCH_HAS_SINGLE_THREADED 1
#endif

namespace {

std::string compiler_name()
{
#if defined(__clang__)
    return "clang++ " __clang_version__;
#elif defined(__GNUC__)
    return "g++ " __VERSION__;
#elif defined(_MSC_VER)
    return "MSVC " + std::to_string(_MSC_FULL_VER);
#else
    return "unknown compiler";
#endif
}

/// Every benchmark is measured in a process that has started a thread, as a MAPI client that
/// uses threads is (a service, or any client with a notification or spooler thread). Once a
/// process has started one, libstdc++ counts `shared_ptr` references with atomic operations
/// and glibc's malloc takes its locking paths; before, both take cheaper single-threaded paths.
/// Without this, a row's time would depend on whether a thread-handoff row had run before it
/// in the same process. MAPIXX_BENCH_SINGLE_THREADED=1 skips it, to see the difference.
std::string become_multi_threaded()
{
    const char* env = std::getenv("MAPIXX_BENCH_SINGLE_THREADED");
    if (env == nullptr || std::string(env) != "1") {
        std::thread([] {}).join();
    }
#if defined(MAPIXX_BENCH_HAS_SINGLE_THREADED)
    return __libc_single_threaded != 0 ? "single-threaded process (MAPIXX_BENCH_SINGLE_THREADED=1)"
                                       : "multi-threaded process (a thread was started before the first benchmark)";
#else
    return "a thread was started before the first benchmark";
#endif
}

} // namespace

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::AddCustomContext("mapixx_version", std::to_string(MAPIXX_VERSION_MAJOR) + "." +
                                                      std::to_string(MAPIXX_VERSION_MINOR) + "." +
                                                      std::to_string(MAPIXX_VERSION_PATCH));
    benchmark::AddCustomContext("compiler", compiler_name());
    benchmark::AddCustomContext("mapixx_bench_flags", "-O2 -DNDEBUG (forced for this target)");
    benchmark::AddCustomContext("alloc_counting", "global operator new/delete replaced");
    const std::string threading = become_multi_threaded();
    benchmark::AddCustomContext("threading", threading);
    std::fprintf(stderr, "mapixx_bench: threading: %s\n", threading.c_str());
    for (const auto& [key, value] : mapixx_bench::notes()) {
        benchmark::AddCustomContext(key, value);
        std::fprintf(stderr, "mapixx_bench: %s: %s\n", key.c_str(), value.c_str());
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
