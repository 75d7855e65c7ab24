#!/usr/bin/env python3
"""Check that the closed-form SCALE-Sim v3 formulas in sim/tests/data/scalesim/README.md reproduce
every number SCALE-Sim wrote into the recorded reports (COMPUTE_REPORT, BANDWIDTH_REPORT,
DETAILED_ACCESS_REPORT) and into reference.csv.

Pure standard library; needs no SCALE-Sim install. Exit code 0 only if every value matches exactly
(integers equal; floats equal bit for bit, compared through Python's shortest repr).

Usage: python3 scripts/scalesim_check.py [DATA_DIR]
"""
import configparser
import csv
import os
import sys


def cdiv(a, b):
    return -(-a // b)


def model(df, R, C, M, N, K, sram_kb=(512, 512, 256)):
    """Closed-form SCALE-Sim v3 GEMM model (InterfaceBandwidth CALC, no sparsity).

    R = ArrayHeight (rows), C = ArrayWidth (cols); the layer is (M x K) . (K x N).
    Returns a dict keyed like the report columns.
    """
    # --- mapping: which GEMM dim goes on the array rows / cols / time ---------------------------
    if df == "ws":      # weights (K x N) stationary: K on rows, N on cols, M streams
        Sr, Sc, T = K, N, M
        P = 2 * R + C + T - 2          # demand-matrix rows per fold
        util_cycles = 2 * R + 2 * C + T - 3
    elif df == "os":    # outputs (M x N) stationary: M on rows, N on cols, K streams
        Sr, Sc, T = M, N, K
        P = R + C + T - 2
        util_cycles = R + C + T - 2
    elif df == "is":    # inputs (M x K) stationary: K on rows, M on cols, N streams
        Sr, Sc, T = K, M, N
        P = 2 * R + C + T - 2
        util_cycles = 2 * R + 2 * C + T - 3
    else:
        raise ValueError(df)
    row_folds = cdiv(Sr, R)
    col_folds = cdiv(Sc, C)
    folds = row_folds * col_folds
    L = folds * P                      # rows of the demand matrices = simulated cycles
    total_cycles = L - 1               # SCALE-Sim reports the index of the last row

    # --- per-fold averages (fold order: col fold outer, row fold inner; naive float sum) --------
    map_sum = 0
    util_sum = 0
    for fc in range(col_folds):
        for fr in range(row_folds):
            rows_used = min(R, Sr - fr * R)
            cols_used = min(C, Sc - fc * C)
            mac_used = rows_used * cols_used
            map_sum += mac_used / (R * C)
            util_sum += (mac_used * T) / (R * C * util_cycles)
    mapping_eff = map_sum / folds * 100
    compute_util = util_sum / folds * 100
    overall_util = (M * N * K * 100) / (total_cycles * R * C)

    last_r = Sr - (row_folds - 1) * R          # rows used in the last row fold
    last_c = Sc - (col_folds - 1) * C          # cols used in the last col fold
    first_r = min(R, Sr)                       # rows used in the first row fold
    base = (folds - 1) * P                     # first demand row of the last fold

    # --- SRAM traffic (words) --------------------------------------------------------------------
    if df == "ws":
        if_sram = M * K * col_folds
        fl_sram = K * N
        of_sram = M * N * row_folds
        of_dram = M * N * row_folds            # ofmap words pushed through the write buffer
        if_start, if_stop = R + 1, base + R + M - 1 + last_r
        fl_start, fl_stop = R - first_r + 1, base + R
        of_start, of_stop = 2 * R - 1, base + 2 * R - 1 + M - 1 + last_c - 1
    elif df == "os":
        if_sram = M * K * col_folds
        fl_sram = K * N * row_folds
        of_sram = M * N + folds * (R + C)      # SCALE-Sim bug: adds R + C per fold
        of_dram = M * N
        if_start, if_stop = 1, base + K - 1 + last_r
        fl_start, fl_stop = 1, base + K - 1 + last_c
        of_start, of_stop = K - 1 + R - first_r, base + K - 1 + R - 1 + last_c - 1
    else:  # is
        if_sram = M * K
        fl_sram = K * N * col_folds
        of_sram = M * N * row_folds
        of_dram = M * N * row_folds
        if_start, if_stop = R - first_r + 1, base + R
        fl_start, fl_stop = R + 1, base + R + N - 1 + last_r
        of_start, of_stop = 2 * R - 1, base + 2 * R - 1 + N - 1 + last_c - 1

    # --- DRAM side (CALC mode: stall-free, everything prefetched before cycle 0) ----------------
    # ifmap/filter: one up-front prefetch of ceil(U/S) "sets" of S words at 10 words/cycle,
    # ending at cycle -1.  S = floor(SRAM bytes / 100).
    def prefetch_cycles(distinct, kb):
        S = (kb * 1024) // 100
        return cdiv(cdiv(distinct, S) * S, 10)
    if_dram = M * K                      # distinct ifmap addresses
    fl_dram = K * N                      # distinct filter addresses
    cn_if = prefetch_cycles(if_dram, sram_kb[0])
    cn_fl = prefetch_cycles(fl_dram, sram_kb[1])
    if_dram_start, if_dram_stop = -cn_if, -1
    fl_dram_start, fl_dram_stop = -cn_fl, -1
    # ofmap: drained after the last compute cycle, C words per cycle.
    of_lines = cdiv(of_dram, C)
    of_dram_start, of_dram_stop = L - 1, L - 1 + of_lines - 1
    incl_prefetch = of_dram_stop - min(if_dram_start, fl_dram_start)

    return {
        # COMPUTE_REPORT
        "Total Cycles (incl. prefetch)": incl_prefetch,
        "Total Cycles": total_cycles,
        "Stall Cycles": 0,
        "Overall Util %": overall_util,
        "Mapping Efficiency %": mapping_eff,
        "Compute Util %": compute_util,
        # BANDWIDTH_REPORT
        "Avg IFMAP SRAM BW": if_sram / total_cycles,
        "Avg FILTER SRAM BW": fl_sram / total_cycles,
        "Avg OFMAP SRAM BW": of_sram / total_cycles,
        "Avg IFMAP DRAM BW": if_dram / (if_dram_stop - if_dram_start + 1),
        "Avg FILTER DRAM BW": fl_dram / (fl_dram_stop - fl_dram_start + 1),
        "Avg OFMAP DRAM BW": of_dram / (of_dram_stop - of_dram_start + 1),
        # DETAILED_ACCESS_REPORT
        "SRAM IFMAP Start Cycle": if_start, "SRAM IFMAP Stop Cycle": if_stop,
        "SRAM IFMAP Reads": if_sram,
        "SRAM Filter Start Cycle": fl_start, "SRAM Filter Stop Cycle": fl_stop,
        "SRAM Filter Reads": fl_sram,
        "SRAM OFMAP Start Cycle": of_start, "SRAM OFMAP Stop Cycle": of_stop,
        "SRAM OFMAP Writes": of_sram,
        "DRAM IFMAP Start Cycle": if_dram_start, "DRAM IFMAP Stop Cycle": if_dram_stop,
        "DRAM IFMAP Reads": if_dram,
        "DRAM Filter Start Cycle": fl_dram_start, "DRAM Filter Stop Cycle": fl_dram_stop,
        "DRAM Filter Reads": fl_dram,
        "DRAM OFMAP Start Cycle": of_dram_start, "DRAM OFMAP Stop Cycle": of_dram_stop,
        "DRAM OFMAP Writes": of_dram,
    }


def read_report(path):
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip()]
    header = [h.strip() for h in lines[0].rstrip(",").split(",")]
    rows = [[v.strip() for v in l.rstrip(",").split(",")] for l in lines[1:]]
    return header, rows


def same(expected, got_str):
    """Exact comparison of a model value with the string SCALE-Sim printed."""
    if isinstance(expected, float):
        return repr(expected) == got_str
    # integers: SCALE-Sim prints some of them as floats ("9.0")
    return float(got_str) == expected and float(got_str).is_integer()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "sim", "tests", "data", "scalesim")
    checked = 0
    layers = 0
    failures = []
    models = {}
    for run in sorted(os.listdir(data)):
        d = os.path.join(data, run)
        if not os.path.isfile(os.path.join(d, "config.cfg")):
            continue
        cp = configparser.ConfigParser()
        cp.read(os.path.join(d, "config.cfg"))
        ap = cp["architecture_presets"]
        R, C = int(ap["ArrayHeight"]), int(ap["ArrayWidth"])
        df = ap["Dataflow"].strip()
        kb = (int(ap["IfmapSramSzkB"]), int(ap["FilterSramSzkB"]), int(ap["OfmapSramSzkB"]))
        assert cp["run_presets"]["InterfaceBandwidth"].strip() == "CALC"
        with open(os.path.join(d, "topology.csv")) as f:
            topo = [[v.strip() for v in l.strip().rstrip(",").split(",")]
                    for l in f.readlines()[1:] if l.strip()]
        for rep in ("COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"):
            header, rows = read_report(os.path.join(d, rep))
            assert len(rows) == len(topo), (run, rep)
            for lid, (t, vals) in enumerate(zip(topo, rows)):
                M, N, K = int(t[1]), int(t[2]), int(t[3])
                key = (run, t[0])
                if key not in models:
                    models[key] = model(df, R, C, M, N, K, kb)
                    layers += 1
                m = models[key]
                for h, v in zip(header[1:], vals[1:]):
                    checked += 1
                    if not same(m[h], v):
                        failures.append(f"{run} {t[0]} (M={M},N={N},K={K}) {rep}: {h}: "
                                        f"scalesim={v} formula={m[h]!r}")

    # reference.csv must be a faithful copy of the reports
    ref_cols = {
        "total_cycles": "Total Cycles", "total_cycles_incl_prefetch": "Total Cycles (incl. prefetch)",
        "stall_cycles": "Stall Cycles", "overall_util": "Overall Util %",
        "mapping_eff": "Mapping Efficiency %", "compute_util": "Compute Util %",
        "ifmap_sram_reads": "SRAM IFMAP Reads", "filter_sram_reads": "SRAM Filter Reads",
        "ofmap_sram_writes": "SRAM OFMAP Writes", "ifmap_dram_reads": "DRAM IFMAP Reads",
        "filter_dram_reads": "DRAM Filter Reads", "ofmap_dram_writes": "DRAM OFMAP Writes",
    }
    ref_rows = 0
    with open(os.path.join(data, "reference.csv")) as f:
        for row in csv.DictReader(f):
            ref_rows += 1
            m = models.get((row["config"], row["layer"]))
            if m is None:
                failures.append(f"reference.csv row {row['config']} {row['layer']} has no report")
                continue
            for col, h in ref_cols.items():
                checked += 1
                if not same(m[h], row[col]):
                    failures.append(f"reference.csv {row['config']} {row['layer']}: {col}: "
                                    f"csv={row[col]} formula={m[h]!r}")
    if ref_rows != layers:
        failures.append(f"reference.csv has {ref_rows} rows, reports have {layers} layers")

    for msg in failures[:50]:
        print("MISMATCH", msg)
    print(f"{layers} layers, {ref_rows} reference.csv rows, {checked} values checked, "
          f"{len(failures)} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
