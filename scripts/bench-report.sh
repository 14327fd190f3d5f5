#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the benchmark report from the JSON that mapixx_bench produced: <out-dir>/results.md
# (a Markdown table of medians, ratios to the peers and the goals of benchmarks/goals.json, met
# or not) and <out-dir>/yield.png (gnuplot). It only reads results.json, so it can redraw the
# report and the plot of an earlier run at any time:
#
#   scripts/bench-report.sh build/bench/results.json build/bench
#
# The `bench` target runs it after the benchmarks. Needs python3; the plot also needs gnuplot
# (apt-get install gnuplot-nox); without it, results.md is still written.
# Exit status: 0 when the report is written, whatever the goals; non-zero on bad input.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 <results.json> [out-dir (default: the folder of results.json)]" >&2
  exit 2
fi
results=$1
out=${2:-$(dirname "$results")}
root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v python3 >/dev/null 2>&1; then
  echo "bench-report: python3 is needed (apt-get install python3)" >&2
  exit 1
fi
exec python3 "$root/benchmarks/report/bench_report.py" "$results" "$out" \
  --goals "$root/benchmarks/goals.json"
