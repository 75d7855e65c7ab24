#!/usr/bin/env bash
# Speed experiment (docs/performance.md, "RTL generator"): a lane-transposed
# ("bit-sliced") 64 x 64 ternary adder-tree datapath, in which each 64-bit
# signal holds one bit of all 64 lanes, built with Verilator and clocked with
# random chunks. It is not the generator's RTL (no accumulator, no
# handshake); it measures how fast Verilator could step this datapath when
# one C++ operation advances 64 lanes. The harness checks the 64 lane sums
# of 64 cycles against a plain dot product and prints cycles/s.
#
#   scripts/bitsliced-tile/run.sh [CYCLES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v verilator >/dev/null || { echo "verilator not found: run scripts/setup" >&2; exit 2; }
cd "$work"
python3 "$here/gen.py"
start=$(date +%s.%N)
verilator --cc --exe --build -j 2 -o sim --x-assign fast --x-initial fast \
    -Wno-fatal -Wno-lint -Wno-style -MAKEFLAGS OPT_FAST=-O3 -Mdir obj \
    bs.v "$here/main.cpp" >build.log 2>&1 || { tail -30 build.log; exit 1; }
echo "build $(echo "$(date +%s.%N) - $start" | bc) s"
./obj/sim "${1:-1000000}"
