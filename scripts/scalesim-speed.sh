#!/usr/bin/env bash
# Speed of onebit against SCALE-Sim v3 on the same GEMMs and the same array (docs/performance.md).
#
# For each configuration (default: ws_32x32 os_8x8; any folder of sim/tests/data/scalesim works):
#   1. SCALE-Sim 3.0.0 on that folder's config.cfg + topology.csv (30 GEMM layers), in its fastest
#      mode (no trace files: save_disk_space=True), as a whole process, timed by hyperfine;
#   2. `onebit sim --arch <design> --gemm topology.csv` (release build) on the same array and
#      dataflow with memory that never stalls, timed by hyperfine;
#   3. a check that onebit's per-layer cycles are SCALE-Sim's Total Cycles + 1 (the array computes
#      for L cycles where SCALE-Sim reports the last index L - 1), read from both tools' CSVs.
# Needs hyperfine (apt-get install hyperfine) and the SCALE-Sim venv (scripts/scalesim-reference.sh
# creates it). Usage: scripts/scalesim-speed.sh [CONFIG...]   (env RUNS_SCALESIM, RUNS_ONEBIT)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${SCALESIM_VENV:-.venv-scalesim}"
DATA=sim/tests/data/scalesim
RUNS_SCALESIM="${RUNS_SCALESIM:-3}"
RUNS_ONEBIT="${RUNS_ONEBIT:-200}"
CONFIGS=("$@")
[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(ws_32x32 os_8x8)

command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || { echo "no SCALE-Sim venv: run scripts/scalesim-reference.sh" >&2; exit 1; }

cargo build --release -q --bin onebit
ONEBIT="$PWD/target/release/onebit"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/run_scalesim.py" <<'EOF'
"""Run SCALE-Sim once on a reference folder, no trace files; copy COMPUTE_REPORT.csv to argv[2]
and append the seconds spent in SCALE-Sim itself (set-up and run_scale, not the interpreter's
start and imports) to argv[3]."""
import contextlib, io, os, shutil, sys, tempfile, time
from scalesim.scale_sim import scalesim
d, out, times = sys.argv[1], sys.argv[2], sys.argv[3]
with tempfile.TemporaryDirectory() as logs:
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        s = scalesim(save_disk_space=True, verbose=False, config=os.path.join(d, "config.cfg"),
                     topology=os.path.join(d, "topology.csv"), layout=os.path.join(d, "layout.csv"),
                     input_type_gemm=True)
        s.run_scale(top_path=logs)
    with open(times, "a") as f:
        f.write(f"{time.perf_counter() - t0}\n")
    run = os.listdir(logs)[0]
    shutil.copyfile(os.path.join(logs, run, "COMPUTE_REPORT.csv"), out)
EOF

cat > "$WORK/compare.py" <<'EOF'
"""Per layer: onebit's compute span (compute_end - start) must be SCALE-Sim's Total Cycles + 1."""
import csv, sys
with open(sys.argv[1]) as f:
    lines = [l.strip().rstrip(",") for l in f if l.strip()]
head = [h.strip() for h in lines[0].split(",")]
scalesim = [dict(zip(head, [v.strip() for v in l.split(",")]))["Total Cycles"] for l in lines[1:]]
with open(sys.argv[2]) as f:
    onebit = [int(r["compute_end"]) - int(r["start"]) for r in csv.DictReader(f)]
assert len(onebit) == len(scalesim), (len(onebit), len(scalesim))
bad = [(i, s, o) for i, (s, o) in enumerate(zip(scalesim, onebit)) if int(s) + 1 != o]
print(f"{len(onebit)} layers: onebit = SCALE-Sim Total Cycles + 1 on "
      f"{len(onebit) - len(bad)} of {len(onebit)}")
sys.exit(1 if bad else 0)
EOF

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -srm)"
for c in "${CONFIGS[@]}"; do
    dir="$DATA/$c"
    df=${c%%_*}
    dims=${c#*_}
    rows=${dims%x*}
    cols=${dims#*x}
    # the SCALE-Sim baseline preset on this array and dataflow; SRAM ports wide enough for any
    # array (so only the memory model, never stalling here, could add cycles)
    sed -e "s/^dataflow = .*/dataflow = \"systolic-$df\"/" -e "s/^lanes = .*/lanes = $cols/" \
        -e "s/^width = .*/width = $rows/" -e "s/^bank_bytes = .*/bank_bytes = 4096/" \
        -e "s/^name = .*/name = \"systolic_$c\"/" \
        presets/systolic-ws-32x32.toml > "$WORK/$c.toml"
    echo
    echo "== $c: SCALE-Sim 3.0.0 vs onebit, $(($(wc -l < "$dir/topology.csv") - 1)) GEMM layers"
    "$ONEBIT" sim --arch "$WORK/$c.toml" --gemm "$dir/topology.csv" --csv "$WORK/$c.onebit.csv" > /dev/null
    "$VENV/bin/python" "$WORK/run_scalesim.py" "$dir" "$WORK/$c.scalesim.csv" /dev/null
    "$VENV/bin/python" "$WORK/compare.py" "$WORK/$c.scalesim.csv" "$WORK/$c.onebit.csv"
    hyperfine -N --style basic --runs "$RUNS_SCALESIM" --export-json "$WORK/$c.scalesim.json" \
        -n "scalesim $c" "$VENV/bin/python $WORK/run_scalesim.py $dir $WORK/$c.scalesim.csv $WORK/$c.inproc"
    hyperfine -N --style basic --warmup 5 --runs "$RUNS_ONEBIT" --export-json "$WORK/$c.onebit.json" \
        -n "onebit $c" "$ONEBIT sim --arch $WORK/$c.toml --gemm $dir/topology.csv"
    # in process: onebit's simulate() (mapping + engine) from the plain benchmark
    cargo bench -q -p sim --bench systolic -- "$c" 2>/dev/null | grep "^| $c " > "$WORK/$c.bench"
    python3 - "$WORK/$c.scalesim.json" "$WORK/$c.onebit.json" "$c" "$WORK/$c.inproc" \
        "$WORK/$c.bench" <<'EOF'
import json, statistics, sys
s = json.load(open(sys.argv[1]))["results"][0]
o = json.load(open(sys.argv[2]))["results"][0]
c = sys.argv[3]
print(f"{c} whole process: SCALE-Sim {s['mean']:.3f} s (min {s['min']:.3f}), "
      f"onebit {o['mean'] * 1e3:.3f} ms (min {o['min'] * 1e3:.3f}): "
      f"{s['mean'] / o['mean']:.0f}x faster (mean), {s['min'] / o['min']:.0f}x (min)")
inproc = [float(l) for l in open(sys.argv[4]) if l.strip()]
bench = open(sys.argv[5]).read().split("|")
sim_us, best_us = float(bench[5]), float(bench[6])
si = statistics.mean(inproc)
print(f"{c} in process: SCALE-Sim {si:.3f} s (min {min(inproc):.3f}), "
      f"onebit simulate() {sim_us:.1f} us (best {best_us:.1f}): "
      f"{si / (sim_us * 1e-6):.0f}x faster (mean), {min(inproc) / (best_us * 1e-6):.0f}x (min)")
EOF
done
