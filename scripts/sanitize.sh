#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the tests with clang++ and a sanitizer in a build directory of its own and runs them;
# any sanitizer report fails the run. docs/reliability.md.
#
# Usage: scripts/sanitize.sh [asan|tsan]      (default: asan)
#   asan  build-asan, -fsanitize=address,undefined: every test executable, the examples and
#         the tool, then every ctest except the ones that only compile (labels headers,
#         compile_fail, abi) or build a consumer project without the sanitizer (consumer).
#   tsan  build-tsan, -fsanitize=thread: the coro, service and session test executables, then
#         the tests labelled concurrency, coro or service (and the session concurrency suite,
#         also while it is not labelled "concurrency" yet).
# Environment: JOBS (build and test jobs, default min(2, nproc)).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-asan}
case "$mode" in
  asan | tsan) ;;
  *) echo "usage: scripts/sanitize.sh [asan|tsan]" >&2; exit 2 ;;
esac

scripts/install-deps.sh test
clangxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clangxx" ]; then
  echo "sanitize.sh: clang++ is missing (scripts/install-deps.sh test installs it)" >&2
  exit 1
fi

nproc_=$(nproc 2>/dev/null || echo 1)
jobs=${JOBS:-$(( nproc_ < 2 ? nproc_ : 2 ))}
common=(-fno-omit-frame-pointer -O1)
if [ "$mode" = asan ]; then
  # -fno-sanitize=function: with clang 14 the function sanitizer breaks coroutine code ("Cannot
  # represent a difference across sections"). -fno-sanitize-recover=all: every UBSan report
  # aborts the program, so the test fails.
  san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-sanitize=function)
  dir=build-asan
else
  san=(-fsanitize=thread)
  dir=build-tsan
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

# Every report stops the program with a non-zero exit status, so the test fails.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1:symbolize=1"
export LSAN_OPTIONS="exitcode=88"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:symbolize=1"

start=$(date +%s)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$clangxx" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="${san[*]}" \
  -DMAPIXX_BUILD_BENCHMARKS=OFF -DMAPIXX_BUILD_FUZZERS=OFF >/dev/null

status=0
if [ "$mode" = asan ]; then
  nice "${run[@]}" cmake --build "$dir" -j "$jobs"
  built=$(date +%s)
  echo "sanitize.sh: asan build took $(( built - start )) s"
  # Not the tests that only compile (headers, compile_fail, abi) or build and install a
  # consumer project without the sanitizer (consumer).
  nice "${run[@]}" ctest --test-dir "$dir" -LE '^(headers|compile_fail|abi|consumer)$' --output-on-failure \
    -j "$jobs" --timeout 900 || status=$?
else
  # Only what the selected tests need (the coro target also builds the coro_stack programs).
  nice "${run[@]}" cmake --build "$dir" -j "$jobs" \
    --target mapixx_coro_tests mapixx_service_tests mapixx_session_tests
  built=$(date +%s)
  echo "sanitize.sh: tsan build took $(( built - start )) s"
  selected='^(concurrency|coro|service)$'
  nice "${run[@]}" ctest --test-dir "$dir" -L "$selected" -LE '^abi$' --output-on-failure \
    -j "$jobs" --timeout 900 || status=$?
  # The session concurrency suite, in case it does not carry the "concurrency" label (yet).
  if ctest --test-dir "$dir" -N -L '^session$' -R 'concurrency' -LE "$selected" | grep -q 'Total Tests: [1-9]'; then
    nice "${run[@]}" ctest --test-dir "$dir" -L '^session$' -R 'concurrency' -LE "$selected" \
      --output-on-failure --timeout 900 || status=$?
  fi
fi
end=$(date +%s)
echo "sanitize.sh: $mode tests took $(( end - built )) s (total $(( end - start )) s)"
exit $status
