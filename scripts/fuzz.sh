#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (tests/fuzz, clang++ with -fsanitize=fuzzer,address,undefined) in
# build-fuzz and runs each for the given number of seconds (default: MAPIXX_FUZZ_SECONDS, 60)
# through ctest -L fuzz. Any crash, sanitizer report or broken invariant fails the run and
# leaves the input in build-fuzz/tests/fuzz/fuzz-artifacts/<target>/. docs/reliability.md.
#
# Usage: scripts/fuzz.sh [seconds]
# Environment: JOBS (build jobs, default min(2, nproc)), MAPIXX_FUZZ_OPTIONS (extra libFuzzer
# options, e.g. "-seed=1").
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [seconds]   (seconds: a positive whole number)" >&2
  exit 2
fi

scripts/install-deps.sh test
# libFuzzer and the sanitizer runtimes (Debian 12: libclang-rt-14-dev, only recommended by
# clang-14), and llvm-symbolizer for readable stacks (llvm-14). See docs/reliability.md.
clangxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clangxx" ]; then
  echo "fuzz.sh: clang++ is missing (scripts/install-deps.sh test installs it)" >&2
  exit 1
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
     "$clangxx" -x c++ -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
  echo "fuzz.sh: $clangxx cannot link -fsanitize=fuzzer,address,undefined; install libclang-rt-14-dev" >&2
  exit 1
fi

nproc_=$(nproc 2>/dev/null || echo 1)
jobs=${JOBS:-$(( nproc_ < 2 ? nproc_ : 2 ))}

start=$(date +%s)
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER="$clangxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAPIXX_BUILD_FUZZERS=ON -DMAPIXX_FUZZ_SECONDS="$seconds" \
  -DMAPIXX_BUILD_EXAMPLES=OFF -DMAPIXX_BUILD_TOOLS=OFF -DMAPIXX_BUILD_BENCHMARKS=OFF >/dev/null
nice cmake --build build-fuzz --target mapixx_fuzzers -j "$jobs"
built=$(date +%s)
echo "fuzz.sh: build took $(( built - start )) s"

# One target at a time (-j 1, also when CTEST_PARALLEL_LEVEL is set): each fuzzer uses one
# core, and the machine may be shared.
status=0
nice ctest --test-dir build-fuzz -L fuzz -j 1 --output-on-failure -V || status=$?
end=$(date +%s)
echo "fuzz.sh: fuzzing took $(( end - built )) s (total $(( end - start )) s)"
exit $status
