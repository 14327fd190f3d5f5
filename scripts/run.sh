#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, command 1: install what is missing, build the mapixx tool, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run
cmake -S . -B build-run -DCMAKE_BUILD_TYPE=Release -DMAPIXX_BUILD_TESTS=OFF -DMAPIXX_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-run --target mapixx_tool -j "$(nproc)"

tool=build-run/bin/mapixx

# The main job on the embedded default: a file profile store in the build directory, the
# bundled MAPISVC.INF (data/mapisvc.inf, copied beside the tool by the build), a profile with the
# Maildir store and the local transport (tightly coupled to the store), a service-mode logon
# (MAPI_NT_SERVICE, MAPI_NO_MAIL), 100 messages submitted and flushed, the report, the status
# table, the delivered counts, logoff. Each run starts from an empty store.
demo=build-run/demo
rm -rf "$demo"
echo
echo "\$ mapixx --store $demo/profiles profile create Demo --default-services"
"$tool" --store "$demo/profiles" profile create Demo --default-services
echo
echo "\$ mapixx --store $demo/profiles spool --profile Demo --service --flush --submit 100"
"$tool" --store "$demo/profiles" spool --profile Demo --service --flush --submit 100
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
