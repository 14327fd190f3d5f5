#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, command 1: install what is missing, build the mapixx tool, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run
cmake -S . -B build-run -DCMAKE_BUILD_TYPE=Release -DMAPIXX_BUILD_TESTS=OFF -DMAPIXX_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-run --target mapixx_tool -j "$(nproc)"

tool=build-run/bin/mapixx
echo
echo "\$ mapixx error 0x80040112"
"$tool" error 0x80040112
echo
echo "\$ mapixx flags logon 0x18032"
"$tool" flags logon 0x18032
echo
echo "\$ mapixx flags init 0x10001"
"$tool" flags init 0x10001
echo
echo "\$ mapixx flags logon MAPI_NT_SERVICE|MAPI_LOGON_UI   (a rule broken: exit status 1)"
"$tool" flags logon 'MAPI_NT_SERVICE|MAPI_LOGON_UI' || echo "(exit status $?)"
