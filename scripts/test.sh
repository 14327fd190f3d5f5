#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, command 2: install what is missing, build everything, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DMAPIXX_BUILD_BENCHMARKS=OFF
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600 -LE soak  # the soak test: ctest --test-dir build -L soak
