#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian 12 package that building and testing mapixx needs. Idempotent: it asks
# apt only for what is missing, runs `apt-get update` at most once, works as root without sudo
# and as another user with sudo. Usage: scripts/install-deps.sh [run|test|sanitize|bench|docs]
set -euo pipefail

purpose=${1:-test}

# What the library, the tool and the main job need.
packages=(g++ cmake make libmsgsl-dev librange-v3-dev doctest-dev pkg-config)
if [ "$purpose" = test ] || [ "$purpose" = sanitize ]; then
  # What the whole test suite needs in addition: clang++ for the header checks, the MinGW-w64
  # cross compiler and SDK headers for the ABI test, python3 for fixture generators, and Wine
  # to run the cross-compiled win32 tests (wine64 is the 64-bit loader, in /usr/lib/wine;
  # wine adds /usr/bin/wine and wineboot), and python3-aiosmtpd, a real SMTP server for the
  # SMTP transport tests.
  packages+=(clang g++-mingw-w64-x86-64-posix g++-mingw-w64-i686-posix mingw-w64-tools python3 python3-aiosmtpd wine64 wine)
fi
if [ "$purpose" = sanitize ]; then
  # The sanitizer and libFuzzer runtimes (libclang-rt-14-dev: clang-14 only recommends it, and
  # this script installs without recommends) and llvm-symbolizer (llvm-14), so that reports have
  # files and lines: scripts/sanitize.sh and scripts/fuzz.sh.
  packages+=(libclang-rt-14-dev llvm-14)
fi
if [ "$purpose" = docs ]; then
  # The API reference (doxygen) and its pictures (graphviz: class graphs, docs/logon-flow.dot).
  packages+=(doxygen graphviz)
fi
if [ "$purpose" = bench ]; then
  # The benchmark target: Google Benchmark, Boost.Asio as a peer, gnuplot for the plot,
  # taskset to pin the run to one CPU, python3 for the report, and postfix for its smtp-sink and
  # smtp-source (the SMTP peer; preseeded below with "No configuration", so no mail server is
  # configured or started).
  packages+=(libbenchmark-dev libboost-dev gnuplot-nox util-linux python3 postfix)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: these packages are missing and neither root nor sudo is available: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
# postfix (bench: smtp-sink and smtp-source) must not configure or start a mail server here.
if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
  echo "postfix postfix/main_mailer_type select No configuration" | "${as_root[@]}" debconf-set-selections
fi
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
