// SPDX-License-Identifier: MIT
// The entry point of mapixx_bench: Google Benchmark's usual main, plus facts about this build
// in the JSON `context` (compiler, what each peer is, why a peer is missing) for the report.
#include "support/bench_support.hpp"

#include <mapixx/version.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

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
    for (const auto& [key, value] : mapixx_bench::notes()) {
        benchmark::AddCustomContext(key, value);
        std::fprintf(stderr, "mapixx_bench: %s: %s\n", key.c_str(), value.c_str());
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
