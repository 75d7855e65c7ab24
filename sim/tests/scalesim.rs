//! Agreement with SCALE-Sim v3 on GEMMs, for every row of the recorded
//! reference data (sim/tests/data/scalesim/reference.csv: 3 dataflows x 9
//! arrays x 30 layers = 810 rows, written by the real SCALE-Sim 3.0.0; see
//! the README beside it and docs/validation.md). SCALE-Sim is not needed to
//! run these tests.
//!
//! (a) `scalesim_cycles` reproduces every recorded number: Total Cycles,
//!     Stall Cycles and the six access counts exactly, and the three
//!     utilisations bit for bit.
//! (b) The full engine (`simulate`) on a systolic design with memory that
//!     never stalls takes, per layer, exactly SCALE-Sim's Total Cycles + 2
//!     cycles: + 1 because SCALE-Sim reports the index of its last cycle
//!     (L - 1) where onebit counts cycles (L), and + 1 for the first fold's
//!     operands, which arrive from DRAM one cycle after the layer starts
//!     (the engine rounds every transfer up to a whole cycle; SCALE-Sim
//!     prefetches before its cycle 0). The array computes for exactly L
//!     cycles, from cycle 1 to cycle L + 1, and never stalls.

use serde::Deserialize;
use sim::arch::{preset, Dataflow, SramConfig};
use sim::mapping::{scalesim_cycles, Systolic, Unit};
use sim::{simulate, Accelerator, SimOptions, SimResult};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use workloads::{gemm, Precision, Trace};

/// One row of reference.csv (the README explains every column).
#[derive(Debug, Clone, Deserialize)]
struct Row {
    config: String,
    dataflow: String,
    rows: u64,
    cols: u64,
    layer: String,
    #[serde(rename = "M")]
    m: u64,
    #[serde(rename = "N")]
    n: u64,
    #[serde(rename = "K")]
    k: u64,
    total_cycles: u64,
    #[allow(dead_code)] // not compared: see docs/validation.md
    total_cycles_incl_prefetch: u64,
    stall_cycles: u64,
    overall_util: f64,
    mapping_eff: f64,
    compute_util: f64,
    ifmap_sram_reads: u64,
    filter_sram_reads: u64,
    ofmap_sram_writes: u64,
    ifmap_dram_reads: u64,
    filter_dram_reads: u64,
    ofmap_dram_writes: u64,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scalesim")
}

fn reference() -> Vec<Row> {
    let mut r = csv::Reader::from_path(data_dir().join("reference.csv")).expect("reference.csv");
    let rows: Vec<Row> = r
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("reference.csv parses");
    assert_eq!(rows.len(), 810, "3 dataflows x 9 arrays x 30 layers");
    rows
}

fn systolic(name: &str) -> Systolic {
    Systolic::from_name(name).unwrap_or_else(|| panic!("unknown dataflow `{name}`"))
}

/// The design the engine is checked on: the `systolic-ws-32x32` preset with
/// the row's dataflow and array, and
/// - memory that never stalls (SCALE-Sim's InterfaceBandwidth = CALC): no
///   latency and 100000 GB/s at 0.01 GHz = 10^7 bytes a cycle, more than any
///   fold of the reference layers loads (at most 64 x 2621 bytes), so every
///   load takes the single cycle the engine rounds a transfer up to, and the
///   next folds are prefetched while one computes (double-buffered);
/// - SRAM ports of 4096 B a cycle, wider than any array here needs (64
///   activations or weights, 64 partial sums of 4 bytes a cycle);
/// - buffers large enough that activations and outputs stay on chip and
///   weights are read from DRAM once (as SCALE-Sim's 512 kB SRAMs do here).
fn design(df: Systolic, rows: u64, cols: u64) -> Accelerator {
    let mut a = preset("systolic-ws-32x32").expect("preset");
    a.array.dataflow = df.dataflow();
    a.array.width = rows as u32;
    a.array.lanes = cols as u32;
    a.clock_ghz = 0.01;
    a.dram.bandwidth_gbps = 100_000.0;
    a.dram.latency_ns = 0.0;
    let wide = |kib| SramConfig {
        kib,
        banks: 64,
        bank_bytes: 64,
        double_buffered: true,
    };
    a.buffers.weights = wide(1024);
    a.buffers.activations = wide(1024);
    a.buffers.outputs = wide(256);
    a.validate().expect("the test design is valid");
    a
}

/// The topology SCALE-Sim ran for `config`, read as `onebit sim --gemm` reads it.
fn topology(config: &str) -> Trace {
    let path = data_dir().join(config).join("topology.csv");
    let text = std::fs::read_to_string(&path).expect("topology.csv");
    gemm::parse_topology("topology", &text, Precision::INT8, Precision::INT8)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(a: &Accelerator, t: &Trace) -> SimResult {
    simulate(a, t, SimOptions::default()).expect("simulates")
}

#[test]
fn closed_form_reproduces_every_recorded_value() {
    let rows = reference();
    let mut exact_floats = 0;
    for r in &rows {
        let s = scalesim_cycles(systolic(&r.dataflow), r.rows, r.cols, r.m, r.n, r.k);
        let what = format!("{} {}", r.config, r.layer);
        assert_eq!(s.total_cycles, r.total_cycles, "{what}: total cycles");
        assert_eq!(s.cycles, r.total_cycles + 1, "{what}");
        assert_eq!(s.stall_cycles, r.stall_cycles, "{what}");
        let counts = [
            (s.ifmap_sram_reads, r.ifmap_sram_reads, "ifmap SRAM reads"),
            (
                s.filter_sram_reads,
                r.filter_sram_reads,
                "filter SRAM reads",
            ),
            (
                s.ofmap_sram_writes,
                r.ofmap_sram_writes,
                "ofmap SRAM writes",
            ),
            (s.ifmap_dram_reads, r.ifmap_dram_reads, "ifmap DRAM reads"),
            (
                s.filter_dram_reads,
                r.filter_dram_reads,
                "filter DRAM reads",
            ),
            (
                s.ofmap_dram_writes,
                r.ofmap_dram_writes,
                "ofmap DRAM writes",
            ),
        ];
        for (got, want, name) in counts {
            assert_eq!(got, want, "{what}: {name}");
        }
        for (got, want, name) in [
            (s.overall_util, r.overall_util, "overall util"),
            (s.mapping_eff, r.mapping_eff, "mapping efficiency"),
            (s.compute_util, r.compute_util, "compute util"),
        ] {
            let rel = ((got - want) / want).abs();
            assert!(rel <= 1e-12, "{what}: {name} {got} vs {want}");
            if got.to_bits() == want.to_bits() {
                exact_floats += 1;
            }
        }
    }
    // the fold loop sums in SCALE-Sim's order: every float is the same bits
    assert_eq!(exact_floats, 3 * rows.len());
}

#[test]
fn reference_covers_dataflows_arrays_and_shapes() {
    let rows = reference();
    let mut per_config: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *per_config.entry(r.config.as_str()).or_default() += 1;
        assert_eq!(r.config, format!("{}_{}x{}", r.dataflow, r.rows, r.cols));
    }
    assert_eq!(per_config.len(), 27);
    assert!(per_config.values().all(|&n| n == 30));
    // the layers are the topology file's, in order
    for (config, _) in per_config {
        let t = topology(config);
        let layers: Vec<_> = rows.iter().filter(|r| r.config == config).collect();
        assert_eq!(t.ops.len(), layers.len());
        for (op, r) in t.ops.iter().zip(layers) {
            assert_eq!(
                (op.name.as_str(), op.m, op.n, op.k),
                (r.layer.as_str(), r.m, r.n, r.k)
            );
        }
    }
}

#[test]
fn engine_agrees_with_scalesim_on_every_layer() {
    let rows = reference();
    let mut checked = 0;
    let mut configs: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        configs.entry(r.config.clone()).or_default().push(r);
    }
    for (config, layers) in &configs {
        let r0 = layers[0];
        let df = systolic(&r0.dataflow);
        let a = design(df, r0.rows, r0.cols);
        let topo = topology(config);
        for (op, r) in topo.ops.iter().zip(layers) {
            let what = format!("{config} {}", r.layer);
            let one = Trace {
                meta: topo.meta.clone(),
                ops: vec![op.clone()],
            };
            let res = run(&a, &one);
            let o = &res.ops[0];
            let t = &o.timing;
            let s = scalesim_cycles(df, r.rows, r.cols, r.m, r.n, r.k);
            // the documented offset: + 1 (cycles, not the last index) + 1 (first load)
            assert_eq!(res.cycles, r.total_cycles + 2, "{what}: {}", o.mapping);
            assert_eq!(t.start, 1, "{what}");
            assert_eq!(t.compute_end - t.start, r.total_cycles + 1, "{what}");
            assert_eq!(t.cycles.busy, r.total_cycles + 1, "{what}");
            assert_eq!(t.cycles.sram_stall + t.cycles.dependency_stall, 0, "{what}");
            assert_eq!(t.cycles.memory_stall, 1, "{what}: only the first load");
            assert_eq!(o.unit, Unit::Array);
            assert_eq!(o.tiles, s.folds, "{what}: one tile per fold");
            assert_eq!(o.macs, r.m * r.n * r.k);
            // operand traffic: SCALE-Sim's counts (INT8: one byte a word)
            let sram = &o.activity.sram;
            let reads = |b| sram.get(&b).map_or(0, |x| x.read_bytes);
            assert_eq!(
                reads(sim::activity::Buffer::Activations),
                r.ifmap_sram_reads,
                "{what}"
            );
            assert_eq!(
                reads(sim::activity::Buffer::Weights),
                r.filter_sram_reads,
                "{what}"
            );
            // every weight read from DRAM once; activations and outputs stay on chip
            assert_eq!(o.activity.dram_read_bytes(), r.filter_dram_reads, "{what}");
            assert_eq!(o.activity.dram_write_bytes(), 0, "{what}");
            checked += 1;
        }

        // The whole topology as one run: the layers follow each other on
        // the array without a gap (the next layer's first fold is prefetched).
        let res = run(&a, &topo);
        let mut start = 1;
        for (o, r) in res.ops.iter().zip(layers) {
            assert_eq!(o.timing.start, start, "{config} {}", r.layer);
            start += r.total_cycles + 1;
            assert_eq!(o.timing.compute_end, start, "{config} {}", r.layer);
        }
        let sum: u64 = layers.iter().map(|r| r.total_cycles + 1).sum();
        assert_eq!(res.cycles, sum + 1, "{config}");
    }
    assert_eq!(checked, 810);
}

#[test]
fn stepping_every_cycle_gives_the_same_result() {
    for (df, rows, cols) in [
        (Systolic::Ws, 8, 8),
        (Systolic::Os, 4, 32),
        (Systolic::Is, 16, 8),
    ] {
        let a = design(df, rows, cols);
        let t = topology(&format!("{}_{rows}x{cols}", df.name()));
        let ff = simulate(
            &a,
            &t,
            SimOptions {
                fast_forward: true,
                ..SimOptions::default()
            },
        )
        .unwrap();
        let step = simulate(
            &a,
            &t,
            SimOptions {
                fast_forward: false,
                ..SimOptions::default()
            },
        )
        .unwrap();
        assert_eq!(ff, step, "{df:?} {rows}x{cols}");
    }
}

#[test]
fn slow_memory_or_narrow_ports_only_add_cycles() {
    let t = topology("ws_32x32");
    let ideal = run(&design(Systolic::Ws, 32, 32), &t).cycles;
    // the preset as shipped: ports exactly as wide as the 32 x 32 array needs
    let p = preset("systolic-ws-32x32").unwrap();
    assert_eq!(p.array.dataflow, Dataflow::SystolicWs);
    let shipped = run(&p, &t);
    assert_eq!(
        shipped.cycles, ideal,
        "the preset never stalls on this topology"
    );
    // a real DRAM: latency before the first fold, and bandwidth-bound GEMVs
    let mut slow = design(Systolic::Ws, 32, 32);
    slow.clock_ghz = 1.0;
    slow.dram.bandwidth_gbps = 1.0;
    slow.dram.latency_ns = 100.0;
    let r = run(&slow, &t);
    assert!(r.cycles > ideal + 100, "{} vs {ideal}", r.cycles);
    assert!(r.units[&Unit::Array].memory_stall > 100);
    // a weight port of 8 B a cycle: each of the R = 32 weight-fill cycles of
    // a fold using c columns takes ceil(c / 8) cycles instead of one
    let mut narrow = design(Systolic::Ws, 32, 32);
    narrow.buffers.weights.banks = 1;
    narrow.buffers.weights.bank_bytes = 8;
    let r = run(&narrow, &t);
    let extra: u64 = t
        .ops
        .iter()
        .map(|o| {
            let row_folds = o.k.div_ceil(32);
            (0..o.n.div_ceil(32))
                .map(|fc| row_folds * 32 * ((32.min(o.n - fc * 32)).div_ceil(8) - 1))
                .sum::<u64>()
        })
        .sum();
    assert!(extra > 0);
    assert_eq!(r.cycles, ideal + extra);
    assert_eq!(r.units[&Unit::Array].sram_stall, extra);
}

#[test]
fn systolic_needs_mac_cells_and_runs_attention_on_the_array() {
    use workloads::{Op, OpKind};
    let mut a = design(Systolic::Os, 16, 16);
    a.attention.mapping = sim::arch::AttentionMapping::Array;
    a.attention.precision = Precision::INT8;
    a.validate().unwrap();
    // QK^T of 4 heads: M = 1 query, K = 64 head dim, N = 100 keys
    let qk = Op {
        name: "qk".into(),
        kind: OpKind::Qk,
        layer: None,
        inputs: vec![],
        g: 4,
        m: 1,
        k: 64,
        n: 100,
        a: Precision::INT8,
        w: Some(Precision::INT8),
        out: Precision::INT32,
        wbytes: 4 * 64 * 100,
        zeros: Some(0.0),
        mask: workloads::Mask::Full,
    };
    let t = Trace {
        meta: Default::default(),
        ops: vec![qk],
    };
    let r = run(&a, &t);
    let s = scalesim_cycles(Systolic::Os, 16, 16, 1, 100, 64);
    assert_eq!(r.ops[0].unit, Unit::Array);
    assert_eq!(r.ops[0].tiles, 4 * s.folds);
    assert_eq!(r.cycles, 4 * s.cycles + 1);
}

#[test]
fn spilled_operands_stream_with_the_folds() {
    // 64 x 64 x 64 on 32 x 32 (2 x 2 folds) with a 1 KiB activation buffer:
    // the 4 KiB input streams from DRAM with the folds, the 16 KiB of INT32
    // outputs are written back when complete.
    let t = Trace {
        meta: Default::default(),
        ops: topology("ws_32x32")
            .ops
            .into_iter()
            .filter(|o| o.name == "sq_64")
            .collect(),
    };
    // (dataflow, DRAM bytes read: weights once + activations as the folds load them)
    for (df, reads) in [
        (Systolic::Ws, 4096 + 4 * 64 * 32), // M x 32 rows of K per fold
        (Systolic::Os, 4096 + 4 * 32 * 64), // 32 rows of M x K per fold
        (Systolic::Is, 4096 + 4 * 32 * 32), // the stationary 32 x 32 tile per fold
    ] {
        let mut a = design(df, 32, 32);
        a.buffers.activations.kib = 1;
        let r = run(&a, &t);
        let o = &r.ops[0];
        let s = scalesim_cycles(df, 32, 32, 64, 64, 64);
        assert_eq!(o.activity.dram_read_bytes(), reads, "{df:?}");
        assert_eq!(o.activity.dram_write_bytes(), 64 * 64 * 4, "{df:?}");
        // the folds still follow each other without a gap; the last
        // outputs take one more cycle to reach DRAM
        assert_eq!(o.timing.compute_end - o.timing.start, s.cycles, "{df:?}");
        assert_eq!(r.cycles, s.total_cycles + 3, "{df:?}");
    }
}
