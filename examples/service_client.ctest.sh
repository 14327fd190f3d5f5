#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest driver of examples/service_client: starts it, waits until it serves, sends SIGTERM
# (as `systemctl stop` does), waits for it to end, and prints its output with the exit status
# appended to its last line, which the test's PASS_REGULAR_EXPRESSION checks.
# Usage: service_client.ctest.sh PROGRAM
set -u
program=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$program" >"$out" 2>&1 &
pid=$!
# Wait for "ready" (a guard against a hang, not a timing check: 60 s at most).
i=0
while ! grep -q '^ready:' "$out"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "service_client ended before it was ready:"; cat "$out"; exit 1
  fi
  i=$((i + 1))
  if [ "$i" -gt 600 ]; then
    echo "service_client was not ready after 60 s:"; cat "$out"; kill -KILL "$pid"; exit 1
  fi
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
sed '$ s/$/ (exit status '"$rc"')/' "$out"
exit "$rc"
