#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (tests/fuzz, clang++ with -fsanitize=fuzzer,address,undefined) in
# build-fuzz and runs each for the given number of seconds (default: MAPIXX_FUZZ_SECONDS, 60)
# through ctest -L fuzz. Any crash, sanitizer report or broken invariant fails the run and
# leaves the input in build-fuzz/tests/fuzz/fuzz-artifacts/<target>/. docs/reliability.md.
#
# Usage: scripts/fuzz.sh [--ci] [seconds]
#   (default)  one target at a time: each fuzzer uses one core, and the machine may be shared.
#   --ci       the CI mode (.ci/run): JOBS targets at a time (default min(2, nproc)), the
#              artifacts of earlier runs cleared first, and the run fails if ctest finds no fuzz
#              test or if any target left an input behind (crash-, leak-, timeout-, oom-...),
#              whatever ctest says.
# Environment: JOBS (build jobs, and fuzzers at a time with --ci; default min(2, nproc)),
# MAPIXX_FUZZ_OPTIONS (extra libFuzzer options, e.g. "-seed=1").
set -euo pipefail
cd "$(dirname "$0")/.."

ci=0
if [ "${1:-}" = --ci ]; then
  ci=1
  shift
fi
seconds=${1:-60}
if [ $# -gt 1 ] || ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [--ci] [seconds]   (seconds: a positive whole number)" >&2
  exit 2
fi

# The test packages plus the sanitizer runtimes and llvm-symbolizer (see install-deps.sh).
scripts/install-deps.sh sanitize
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

artifacts=build-fuzz/tests/fuzz/fuzz-artifacts
status=0
if [ "$ci" -eq 0 ]; then
  # One target at a time (-j 1, also when CTEST_PARALLEL_LEVEL is set): each fuzzer uses one
  # core, and the machine may be shared.
  nice ctest --test-dir build-fuzz -L fuzz -j 1 --no-tests=error --output-on-failure -V || status=$?
else
  # JOBS fuzzers at a time, one core each. What an earlier run left is not this run's finding.
  rm -rf "$artifacts"
  nice ctest --test-dir build-fuzz -L fuzz -j "$jobs" --no-tests=error --output-on-failure || status=$?
  # The second check: any input a fuzzer wrote (crash-*, leak-*, timeout-*, oom-*) fails the run
  # even if its test passed. A slow-unit-* (one input took over 10 s, below the 30 s timeout) is
  # listed, not failed on: on a loaded machine that can be the machine.
  slow=$(find "$artifacts" -mindepth 2 -type f -name 'slow-unit-*' 2>/dev/null | sort || true)
  if [ -n "$slow" ]; then
    echo "fuzz.sh: slow inputs (over 10 s each, not failures):"
    echo "$slow"
  fi
  found=$(find "$artifacts" -mindepth 2 -type f ! -name 'slow-unit-*' 2>/dev/null | sort || true)
  if [ -n "$found" ]; then
    echo "fuzz.sh: the fuzzers left these inputs (reproduce: build-fuzz/tests/fuzz/mapixx_fuzz_<target> <input>):" >&2
    echo "$found" >&2
    [ "$status" -ne 0 ] || status=1
  fi
fi
end=$(date +%s)
echo "fuzz.sh: fuzzing took $(( end - built )) s (total $(( end - start )) s)"
exit $status
