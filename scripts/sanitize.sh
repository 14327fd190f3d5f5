#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the tests with clang++ and a sanitizer in a build directory of its own and runs them;
# any sanitizer report fails the run. docs/reliability.md.
#
# Usage: scripts/sanitize.sh [asan|tsan]      (default: asan)
#   asan  build-asan, -fsanitize=address,undefined: every test executable, the examples and
#         the tool, then every ctest except the ones that only compile (labels headers,
#         compile_fail), build a consumer project without the sanitizer (consumer), are
#         cross-compiled by MinGW and run under Wine, not built by clang (abi, win32), take
#         minutes by design (soak; run it on its own) or are libFuzzer runs (fuzz, never
#         configured here; scripts/fuzz.sh).
#   tsan  build-tsan, -fsanitize=thread: the coro, service, session, spooler and core test
#         executables, then the tests labelled concurrency, coro, service or spooler (the
#         spooler's work posted from other threads, the reactor woken from them), the core tests
#         of the sessions' mutex (detail::small_mutex), and the session concurrency suite (also
#         while it is not labelled "concurrency" yet).
# The sanitizer build cross-compiles nothing (MAPIXX_MINGW_CXX=OFF): the MinGW/Wine tests are
# not clang programs and are covered by scripts/test.sh.
# A report fails the run twice over: the program stops with a non-zero exit status (so its test
# fails), and every report is also written to <build dir>/sanitizer-reports/, which the script
# prints and fails on at the end. The second catches reports that a test's exit-status check
# cannot see: examples checked by PASS_REGULAR_EXPRESSION (ctest ignores their exit status),
# tool tests that expect no particular status, helper processes.
# Environment: JOBS (build and test jobs, default min(2, nproc)); MAPIXX_SANITIZE_DIR (build
# directory, default build-asan / build-tsan).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-asan}
case "$mode" in
  asan | tsan) ;;
  *) echo "usage: scripts/sanitize.sh [asan|tsan]" >&2; exit 2 ;;
esac

# The test packages plus the sanitizer runtimes and llvm-symbolizer (see install-deps.sh).
scripts/install-deps.sh sanitize
clangxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clangxx" ]; then
  echo "sanitize.sh: clang++ is missing (scripts/install-deps.sh test installs it)" >&2
  exit 1
fi

nproc_=$(nproc 2>/dev/null || echo 1)
jobs=${JOBS:-$(( nproc_ < 2 ? nproc_ : 2 ))}
# -gline-tables-only (instead of Debug's -g): reports still give function, file and line of
# every frame, and the build is faster and much smaller. The asan build is -O0: its compile
# time is most of the run, and a test file of the suite compiles in 11 s at -O0 against 27 s at
# -O1 (ASan and UBSan miss nothing at -O0). tsan stays at -O1 (few files; ThreadSanitizer
# programs are much slower unoptimised).
common=(-fno-omit-frame-pointer)
debug_flags=-gline-tables-only
if [ "$mode" = asan ]; then
  # -fno-sanitize=function: with clang 14 the function sanitizer breaks coroutine code ("Cannot
  # represent a difference across sections"). -fno-sanitize-recover=all: every UBSan report
  # aborts the program, so the test fails.
  san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-sanitize=function)
  common+=(-O0)
  dir=${MAPIXX_SANITIZE_DIR:-build-asan}
else
  san=(-fsanitize=thread)
  common+=(-O1)
  dir=${MAPIXX_SANITIZE_DIR:-build-tsan}
fi
flags="${san[*]} ${common[*]}"

# The sanitizer runtimes come with libclang-rt-14-dev (Debian 12; clang-14 only recommends it).
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
cat >"$probe_dir/probe.cpp" <<'EOF'
#include <thread>
int main() { int x = 0; std::thread t([&] { x = 1; }); t.join(); return x - 1; }
EOF
if ! "$clangxx" -std=c++20 ${flags} -pthread "$probe_dir/probe.cpp" -o "$probe_dir/probe" 2>"$probe_dir/err"; then
  cat "$probe_dir/err" >&2
  echo "sanitize.sh: $clangxx cannot build with ${san[*]}; install libclang-rt-14-dev" >&2
  exit 1
fi
# ThreadSanitizer of LLVM 14 cannot run with the high mmap randomisation of newer kernels
# ("unexpected memory mapping"); without address randomisation it can.
run=()
if ! "$probe_dir/probe" >/dev/null 2>&1; then
  if setarch "$(uname -m)" -R "$probe_dir/probe" >/dev/null 2>&1; then
    echo "sanitize.sh: the $mode runtime needs address randomisation off here: running under setarch -R"
    run=(setarch "$(uname -m)" -R)
  else
    "$probe_dir/probe" || true
    echo "sanitize.sh: a program built with ${san[*]} does not run on this machine" >&2
    exit 1
  fi
fi

# Every report stops the program with a non-zero exit status, so the test fails; it is also
# written to $reports/<mode>.<pid> (log_path), checked after the tests.
mkdir -p "$dir"
reports=$(cd "$dir" && pwd)/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
sym=""
if [ -n "$symbolizer" ]; then sym=":external_symbolizer_path=$symbolizer"; fi
# (log_path is a flag common to the checkers of one program: one prefix for all of them.)
log=":log_path=$reports/$mode$sym"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:symbolize=1$log"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1:symbolize=1$log"
export LSAN_OPTIONS="exitcode=88$log"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:symbolize=1$log"

# Prints every report file; returns 1 if there is one.
show_reports() {
  local found
  found=$(find "$reports" -type f | sort)
  if [ -z "$found" ]; then
    echo "sanitize.sh: no sanitizer reports"
    return 0
  fi
  for f in $found; do
    echo "==== sanitizer report $f"
    cat "$f"
  done
  echo "sanitize.sh: $(echo "$found" | wc -l) sanitizer report(s) in $reports" >&2
  return 1
}

start=$(date +%s)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$clangxx" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_DEBUG="$debug_flags" -DCMAKE_EXE_LINKER_FLAGS="${san[*]}" \
  -DMAPIXX_BUILD_BENCHMARKS=OFF -DMAPIXX_BUILD_FUZZERS=OFF \
  -DMAPIXX_MINGW_CXX=OFF -DMAPIXX_MINGW32_CXX=OFF >/dev/null

status=0
if [ "$mode" = asan ]; then
  nice "${run[@]}" cmake --build "$dir" -j "$jobs" || { show_reports || true; exit 1; }
  built=$(date +%s)
  echo "sanitize.sh: asan build took $(( built - start )) s"
  # Not the tests that only compile (headers, compile_fail), build and install a consumer
  # project without the sanitizer (consumer), are MinGW programs run under Wine (abi, win32),
  # take minutes by design (soak) or fuzz (fuzz).
  nice "${run[@]}" ctest --test-dir "$dir" -LE '^(headers|compile_fail|abi|win32|consumer|soak|fuzz)$' --output-on-failure \
    -j "$jobs" --timeout 900 || status=$?
else
  # Only what the selected tests need (the coro target also builds the coro_stack programs).
  nice "${run[@]}" cmake --build "$dir" -j "$jobs" \
    --target mapixx_coro_tests mapixx_service_tests mapixx_session_tests mapixx_core_tests mapixx_spooler_tests \
    || { show_reports || true; exit 1; }
  built=$(date +%s)
  echo "sanitize.sh: tsan build took $(( built - start )) s"
  selected='^(concurrency|coro|service|spooler)$'
  nice "${run[@]}" ctest --test-dir "$dir" -L "$selected" -LE '^abi$' --output-on-failure \
    -j "$jobs" --timeout 900 || status=$?
  # The session layer's mutex (core/small_mutex tests: every case names the mutex).
  nice "${run[@]}" ctest --test-dir "$dir" -L '^core$' -R 'mutex' --output-on-failure --timeout 900 || status=$?
  # The session concurrency suite, in case it does not carry the "concurrency" label (yet).
  if ctest --test-dir "$dir" -N -L '^session$' -R 'concurrency' -LE "$selected" | grep -q 'Total Tests: [1-9]'; then
    nice "${run[@]}" ctest --test-dir "$dir" -L '^session$' -R 'concurrency' -LE "$selected" \
      --output-on-failure --timeout 900 || status=$?
  fi
fi
end=$(date +%s)
echo "sanitize.sh: $mode tests took $(( end - built )) s (total $(( end - start )) s)"
# Every report, also those whose test passed (see the head of this file).
show_reports || { [ "$status" -ne 0 ] || status=1; }
exit $status
