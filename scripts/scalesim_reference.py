#!/usr/bin/env python3
"""Generate SCALE-Sim v3 reference data for the systolic baseline of `sim`.

Writes, for every (dataflow, array) configuration, a folder
sim/tests/data/scalesim/<df>_<rows>x<cols>/ holding the inputs (config.cfg, topology.csv,
layout.csv) and SCALE-Sim's own reports (COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv,
DETAILED_ACCESS_REPORT.csv), then consolidates them into sim/tests/data/scalesim/reference.csv.

Must run with the interpreter of the venv that has scalesim==3.0.0 and numpy==1.26.4 installed
(scripts/scalesim-reference.sh sets that up). Traces are not written (save_disk_space=True).

Usage: python scripts/scalesim_reference.py [--out DIR] [--jobs N] [--only ws_8x8,os_16x16]
"""
import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

# (rows = ArrayHeight, cols = ArrayWidth)
ARRAYS = [(4, 4), (8, 8), (16, 16), (32, 32), (64, 64), (8, 16), (16, 8), (4, 32), (32, 4)]
DATAFLOWS = ["ws", "os", "is"]

# GEMM layers: (name, M, N, K); the layer computes (M x K) . (K x N).
# Constraints that keep the "incl. prefetch" formula in README.md valid (checked below):
#   distinct ifmap (M*K) and filter (K*N) addresses < 50 * floor(512*1024/100) = 262100, and
#   ofmap words written to SRAM <= 131072 (no mid-layer ofmap drain).
LAYERS = [
    ("gemv_1x64x64", 1, 64, 64),
    ("gemv_1x100x37", 1, 100, 37),
    ("gemv_1x256x256", 1, 256, 256),
    ("gemv_1x8x8", 1, 8, 8),
    ("tiny_1x1x1", 1, 1, 1),
    ("tiny_3x5x7", 3, 5, 7),
    ("g_4x33x65", 4, 33, 65),
    ("sq_8", 8, 8, 8),
    ("sq_16", 16, 16, 16),
    ("g_17x31x9", 17, 31, 9),
    ("sq_32", 32, 32, 32),
    ("g_32x96x128", 32, 96, 128),
    ("sq_64", 64, 64, 64),
    ("g_7x200x50", 7, 200, 50),
    ("g_128x64x32", 128, 64, 32),
    ("g_100x10x3", 100, 10, 3),
    ("g_33x17x65", 33, 17, 65),
    ("g_5x128x40", 5, 128, 40),
    ("g_64x16x200", 64, 16, 200),
    ("g_24x48x72", 24, 48, 72),
    ("g_9x40x300", 9, 40, 300),
    ("g_256x8x16", 256, 8, 16),
    ("g_65x65x65", 65, 65, 65),
    ("g_96x24x48", 96, 24, 48),
    ("g_16x300x100", 16, 300, 100),
    ("gemv_1x512x128", 1, 512, 128),
    ("dot_1x1x300", 1, 1, 300),
    ("col_300x1x1", 300, 1, 1),
    ("g_2x2x2", 2, 2, 2),
    # K*N = 5242 = exactly one 512 kB prefetch set (floor(512*1024/100) words)
    ("pset_1x2621x2", 1, 2621, 2),
]

SRAM_KB = (512, 512, 256)  # ifmap, filter, ofmap

LAYOUT_HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                 "Channels, Num Filter, Strides,\n")

REPORTS = ["COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"]


def config_text(run_name, rows, cols, df):
    return f"""[general]
run_name = {run_name}

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:   {SRAM_KB[0]}
FilterSramSzkB:  {SRAM_KB[1]}
OfmapSramSzkB:   {SRAM_KB[2]}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 64
Dataflow : {df}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 64
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 64
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""


def topology_text():
    lines = ["Layer, M, N, K,\n"]
    for name, m, n, k in LAYERS:
        lines.append(f"{name}, {m}, {n}, {k},\n")
    return "".join(lines)


def run_one(out_dir, df, rows, cols):
    """Run SCALE-Sim for one configuration; returns (run_name, seconds)."""
    import io
    import contextlib
    from scalesim.scale_sim import scalesim

    run_name = f"{df}_{rows}x{cols}"
    d = os.path.join(out_dir, run_name)
    os.makedirs(d, exist_ok=True)
    cfg = os.path.join(d, "config.cfg")
    topo = os.path.join(d, "topology.csv")
    layout = os.path.join(d, "layout.csv")
    with open(cfg, "w") as f:
        f.write(config_text(run_name, rows, cols, df))
    with open(topo, "w") as f:
        f.write(topology_text())
    with open(layout, "w") as f:
        f.write(LAYOUT_HEADER)

    t0 = time.time()
    with tempfile.TemporaryDirectory() as logs:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            s = scalesim(save_disk_space=True, verbose=False, config=cfg, topology=topo,
                         layout=layout, input_type_gemm=True)
            s.run_scale(top_path=logs)
        for r in REPORTS:
            shutil.copyfile(os.path.join(logs, run_name, r), os.path.join(d, r))
    return run_name, time.time() - t0


def read_report(path):
    """SCALE-Sim reports: header line, then 'a, b, c,' rows (trailing comma)."""
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip()]
    header = [h.strip() for h in lines[0].rstrip(",").split(",")]
    rows = [[v.strip() for v in l.rstrip(",").split(",")] for l in lines[1:]]
    return header, rows


REF_COLUMNS = ["config", "dataflow", "rows", "cols", "layer", "M", "N", "K",
               "total_cycles", "total_cycles_incl_prefetch", "stall_cycles",
               "overall_util", "mapping_eff", "compute_util",
               "ifmap_sram_reads", "filter_sram_reads", "ofmap_sram_writes",
               "ifmap_dram_reads", "filter_dram_reads", "ofmap_dram_writes"]


def consolidate(out_dir):
    out_rows = []
    for df in DATAFLOWS:
        for rows, cols in ARRAYS:
            run_name = f"{df}_{rows}x{cols}"
            d = os.path.join(out_dir, run_name)
            if not os.path.isdir(d):
                continue
            with open(os.path.join(d, "topology.csv")) as f:
                topo = [[v.strip() for v in l.strip().rstrip(",").split(",")]
                        for l in f.readlines()[1:] if l.strip()]
            ch, crows = read_report(os.path.join(d, "COMPUTE_REPORT.csv"))
            dh, drows = read_report(os.path.join(d, "DETAILED_ACCESS_REPORT.csv"))
            assert len(crows) == len(topo) == len(drows), run_name
            for lid, (t, c, dd) in enumerate(zip(topo, crows, drows)):
                assert int(c[0]) == lid and int(dd[0]) == lid
                cd = dict(zip(ch, c))
                ddd = dict(zip(dh, dd))
                out_rows.append([
                    run_name, df, rows, cols, t[0], t[1], t[2], t[3],
                    cd["Total Cycles"], cd["Total Cycles (incl. prefetch)"], cd["Stall Cycles"],
                    cd["Overall Util %"], cd["Mapping Efficiency %"], cd["Compute Util %"],
                    ddd["SRAM IFMAP Reads"], ddd["SRAM Filter Reads"], ddd["SRAM OFMAP Writes"],
                    ddd["DRAM IFMAP Reads"], ddd["DRAM Filter Reads"], ddd["DRAM OFMAP Writes"],
                ])
    with open(os.path.join(out_dir, "reference.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REF_COLUMNS)
        w.writerows(out_rows)
    return len(out_rows)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "sim", "tests", "data", "scalesim")
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=default_out)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", default="", help="comma-separated run names, e.g. ws_8x8")
    ap.add_argument("--consolidate-only", action="store_true")
    args = ap.parse_args()
    out = os.path.normpath(args.out)
    os.makedirs(out, exist_ok=True)

    # Sanity: the constraints listed above LAYERS.
    for name, m, n, k in LAYERS:
        assert m * k < 262100 and k * n < 262100, name
        for rows, _ in ARRAYS:
            assert m * n * -(-k // rows) <= 131072, name

    if not args.consolidate_only:
        import numpy
        import importlib.metadata as md
        print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, "
              f"scalesim {md.version('scalesim')}", flush=True)
        jobs = [(df, r, c) for df in DATAFLOWS for (r, c) in ARRAYS]
        if args.only:
            keep = set(args.only.split(","))
            jobs = [j for j in jobs if f"{j[0]}_{j[1]}x{j[2]}" in keep]
        t0 = time.time()
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = [ex.submit(run_one, out, df, r, c) for df, r, c in jobs]
            for fut in futs:
                name, secs = fut.result()
                print(f"  {name}: {secs:.1f} s", flush=True)
        print(f"scalesim runs: {time.time() - t0:.1f} s wall", flush=True)
    n = consolidate(out)
    print(f"reference.csv: {n} rows")


if __name__ == "__main__":
    main()
