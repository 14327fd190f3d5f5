#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs mapixx_bench the way the `bench` target does, then writes the report.
#
# Usage: benchmarks/run.sh <path/to/mapixx_bench> <out-dir> [more --benchmark_* flags]
#   e.g. benchmarks/run.sh build/benchmarks/mapixx_bench build/bench --benchmark_filter=yield/mapixx
# Environment: MAPIXX_BENCH_CPU (CPU to pin to, default 0; empty: don't pin),
#              MAPIXX_BENCH_REPETITIONS (default 5), MAPIXX_TASKSET (path of taskset).
# Writes <out-dir>/results.json, then scripts/bench-report.sh turns it into results.md and
# yield.png. Exits non-zero if the benchmark binary or the report fails; a missed goal is not a
# failure (no benchmark asserts a time).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 <mapixx_bench> <out-dir> [--benchmark_* flags]" >&2
  exit 2
fi
bench=$1
out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

cpu=${MAPIXX_BENCH_CPU-0}
reps=${MAPIXX_BENCH_REPETITIONS:-5}
taskset=${MAPIXX_TASKSET:-$(command -v taskset || true)}

# Pin to one CPU where possible: all threads of the run (including the thread-handoff peer) then
# share that CPU, and the scheduler never migrates the benchmark between cores mid-run.
pin=()
pinned=none
if [ -n "$cpu" ] && [ -n "$taskset" ] && "$taskset" -c "$cpu" true 2>/dev/null; then
  pin=("$taskset" -c "$cpu")
  pinned=$cpu
elif [ -n "$cpu" ]; then
  echo "bench: cannot pin to CPU '$cpu' (taskset missing or CPU not allowed); running unpinned" >&2
fi

# Random interleaving runs the repetitions of all benchmarks in a shuffled order, so a change in
# the load of a shared machine during the run hits mapixx and its peers alike instead of
# whichever benchmark happened to run at that moment: the ratios are what the goals judge.
mkdir -p "$out"
echo "bench: ${pin[*]:-(unpinned)} $bench, $reps repetitions, JSON to $out/results.json"
"${pin[@]}" "$bench" \
  --benchmark_repetitions="$reps" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/results.json" \
  --benchmark_out_format=json \
  --benchmark_context=pinned_cpu="$pinned" \
  "$@"

bash "$here/../scripts/bench-report.sh" "$out/results.json" "$out"
