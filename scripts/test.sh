#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, command 2: install what is missing, build everything, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
jobs=$(nproc)
# Debug (no optimisation, assertions on) with -g1: line tables and function names for backtraces,
# no variable information. Full -g makes each test file compile about 20% slower (docs/reliability.md,
# "CI time"); build a directory of your own with -g to step through a test in a debugger.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1" -DMAPIXX_BUILD_BENCHMARKS=OFF
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600 -LE soak  # the soak test: ctest --test-dir build -L soak
