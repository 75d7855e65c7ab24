//! Hand-computed cycle counts of the engine, and the fast-forward property:
//! stepping every cycle and jumping between events give identical results.

use proptest::prelude::*;
use sim::arch::{preset, DramKind, Reduction, ZeroHandling};
use sim::mapping::Unit;
use sim::{simulate, simulate_with_stats, Accelerator, SimOptions, SimResult};
use std::sync::atomic::{AtomicU64, Ordering};
use workloads::trace::{generate, TraceOptions};
use workloads::{ActFn, Family, ModelConfig, Op, OpKind, Phase, Precision, Trace, TraceMeta};

fn design() -> Accelerator {
    preset("edge-ternary").unwrap()
}

fn linear(name: &str, m: u64, k: u64, n: u64, w: Precision) -> Op {
    Op::linear(name, m, k, n, w)
}

fn trace_of(ops: Vec<Op>) -> Trace {
    Trace {
        meta: TraceMeta::default(),
        ops,
    }
}

fn run(arch: &Accelerator, t: &Trace) -> SimResult {
    simulate(arch, t, SimOptions::default()).unwrap()
}

#[test]
fn one_lane_one_chunk() {
    let mut a = design();
    a.array.lanes = 1;
    a.array.width = 8;
    a.array.stage_levels = 1;
    a.clock_ghz = 1.0;
    a.dram.bandwidth_gbps = 1.0; // 1 byte per cycle
    a.dram.latency_ns = 10.0; // 10 cycles
    let t = a.timing();
    // 8 inputs: 3 tree levels, a register after each, plus the input register
    assert_eq!((t.tree_levels, t.pipeline_regs, t.latency), (3, 4, 5));
    let r = run(
        &a,
        &trace_of(vec![linear("x", 1, 8, 1, Precision::Ternary)]),
    );
    // 8 ternary weights = 2 bytes: issued at 0, arrive at 10 + 2 = 12;
    // one chunk computes in cycle 12; the result is out 5 cycles later.
    assert_eq!(r.cycles, 18);
    let op = &r.ops[0].timing;
    assert_eq!((op.start, op.compute_end, op.done), (12, 13, 18));
    assert_eq!(op.cycles.busy, 1);
    assert_eq!(op.cycles.memory_stall, 12);
    assert_eq!(r.traffic.dram_read_bytes, 2);
}

#[test]
fn pipeline_depth_follows_stage_levels() {
    for (width, stage, regs) in [
        (64, 2, 4),
        (64, 1, 7),
        (64, 6, 2),
        (1, 2, 1),
        (5, 2, 3),
        (100, 3, 4),
    ] {
        let mut a = design();
        a.array.width = width;
        a.array.stage_levels = stage;
        assert_eq!(
            a.timing().pipeline_regs,
            regs,
            "width {width} stage {stage}"
        );
    }
    let mut a = design();
    a.array.reduction = Reduction::Popcount;
    a.array.planes_per_cycle = 2;
    assert_eq!(a.timing().initiation_interval, 4);
}

#[test]
fn dram_bound_layer_takes_bytes_over_bandwidth_plus_latency() {
    // edge-ternary: 51.2 B/cycle, 100 cycles latency, 64x64 lanes, latency 5.
    let a = design();
    let r = run(
        &a,
        &trace_of(vec![linear("w", 1, 4096, 4096, Precision::Ternary)]),
    );
    // 4 MiB of 2-bit weights in 64 tiles of 64 KiB; each tile takes
    // 65536 / 51.2 = 1280 cycles on the bus, back to back after the first
    // 100-cycle latency; the last tile computes 64 chunks and drains 5.
    assert_eq!(r.cycles, 100 + 4194304 * 10 / 512 + 64 + 5);
    assert_eq!(r.traffic.dram_read_bytes, 4194304);
    // the array computes 64 chunks per tile while the next tile streams in
    assert_eq!(r.bound.compute, 64 * 64);
    assert_eq!(r.bound.memory, r.cycles - 64 * 64 - 5);
}

#[test]
fn compute_bound_layer_with_weight_reuse() {
    // 512 tokens against a 1024 x 1024 ternary matrix: the weights (256 KiB)
    // are read once, the activations (512 KiB) stream in token blocks.
    let a = design();
    let r = run(
        &a,
        &trace_of(vec![linear("w", 512, 1024, 1024, Precision::Ternary)]),
    );
    let ideal = 512 * (1024 / 64) * (1024 / 64); // tokens x chunks x feature groups
    assert!(r.cycles >= ideal);
    assert!(r.compute_bound_share > 0.8, "{}", r.compute_bound_share);
    assert!(
        r.ops[0].mapping.contains("token blocks"),
        "{}",
        r.ops[0].mapping
    );
}

#[test]
fn small_accumulators_are_refused() {
    let mut a = design();
    a.array.acc_bits = Some(12);
    let e = simulate(
        &a,
        &trace_of(vec![linear("w", 1, 4096, 64, Precision::Ternary)]),
        SimOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("K = 4096 terms, which needs 21-bit accumulators; the design has 12"),
        "{e}"
    );
}

#[test]
fn skipping_zero_weights_takes_the_densest_lanes_cycles() {
    let mut a = design();
    a.dram.bandwidth_gbps = 100000.0;
    let mut op = linear("w", 64, 4096, 256, Precision::Ternary);
    op.zeros = Some(0.5);
    let gated = run(&a, &trace_of(vec![op.clone()]));
    a.array.zeros = ZeroHandling::Skip;
    // a window of one chunk: the densest of 64 lanes has 64 nonzeros in
    // nearly every chunk, so skipping saves no cycle
    let same = run(&a, &trace_of(vec![op.clone()]));
    assert_eq!(
        same.ops[0].timing.cycles.busy,
        gated.ops[0].timing.cycles.busy
    );
    // a 96-position window: 48 nonzeros a lane on average, 2 cycles only
    // when the densest lane passes 64
    a.array.skip_window = Some(96);
    let skipped = run(&a, &trace_of(vec![op]));
    let e = sim::mapping::skip::expected_window_cycles(96, 64, 64, 0.5);
    assert!(e > 1.0 && e < 1.1, "{e}");
    let chunks = (4096u64.div_ceil(96) as f64 * e).ceil() as u64;
    // 64 tokens x 4 feature groups of 64 lanes x the chunks
    assert_eq!(gated.ops[0].timing.cycles.busy, 64 * 4 * 64);
    assert_eq!(skipped.ops[0].timing.cycles.busy, 64 * 4 * chunks);
    assert_eq!(gated.activity.zero_terms_gated, 64 * 4096 * 256 / 2);
    assert_eq!(
        skipped.activity.zero_terms_skipped,
        64 * 256 * (4096 - chunks * 64)
    );
    // weights stored as a bitmap and a sign bit per nonzero: 1.5 bits a
    // weight against 2. Dense, the activations stream once per feature
    // group (weights outer); the smaller compacted weights make tokens
    // outer cheaper: 4 token blocks read the weights once each
    let w_bytes = |r: &sim::SimResult| r.traffic.dram_read_bytes;
    assert_eq!(w_bytes(&gated), 4096 * 256 / 4 + 4 * 64 * 4096);
    let stored = (4096.0 * 256.0 * 1.5 / 8.0) as u64;
    assert!(skipped.ops[0]
        .mapping
        .contains("4 token blocks of 16; tokens outer"));
    let got = w_bytes(&skipped) - 64 * 4096;
    assert!(got.abs_diff(4 * stored) <= stored / 100, "{got} {stored}");
}

#[test]
fn independent_operators_overlap_on_different_units() {
    // unfused: the softmax runs on the vector unit beside the attention unit
    let mut a = design();
    a.attention.fused = false;
    let m = workloads::zoo::find("bitnet-b1.58-700M").unwrap();
    let t = generate(
        &m,
        &TraceOptions {
            seq: 128,
            ..Default::default()
        },
    )
    .unwrap();
    let r = run(&a, &t);
    let span: u64 = r.ops.iter().map(|o| o.span()).sum();
    // overlapping units make the run shorter than the operators end to end
    assert!(r.cycles < span, "{} vs {}", r.cycles, span);
    let busy = |u: Unit| r.units[&u].busy;
    assert!(busy(Unit::Array) > 0 && busy(Unit::Vector) > 0 && busy(Unit::Attention) > 0);
    // every unit's cycles add up to the run
    for c in r.units.values() {
        assert_eq!(
            c.busy + c.sram_stall + c.memory_stall + c.dependency_stall + c.idle,
            r.cycles
        );
    }
    assert_eq!(r.bound.compute + r.bound.memory + r.bound.other, r.cycles);
}

fn tiny_model(
    hidden: u64,
    ffn: u64,
    heads: u64,
    kv: u64,
    layers: u64,
    vocab: u64,
    w: Precision,
) -> ModelConfig {
    ModelConfig {
        name: "tiny".into(),
        family: Family::BitnetB158,
        source: "test".into(),
        layers,
        hidden: hidden * heads,
        ffn,
        heads,
        kv_heads: kv,
        head_dim: hidden,
        vocab,
        act: ActFn::Relu2,
        gated_ffn: true,
        tied_embeddings: true,
        sub_norm: true,
        weights: w,
        activations: Precision::INT8,
        high_precision: Precision::Fp16,
    }
}

prop_compose! {
    fn small_design()(
        lanes in 1u32..12,
        width in 1u32..40,
        stage in 1u32..4,
        popcount in any::<bool>(),
        planes in 1u32..5,
        wkib in 1u32..6,
        akib in 1u32..6,
        dbw in any::<bool>(),
        dba in any::<bool>(),
        bw in 1u32..64,
        lat in 0u32..50,
        bank_bytes in 1u32..32,
        vec in 1u32..16,
        macs in 1u32..64,
        skip in any::<bool>(),
        outstanding in 1u32..8,
    ) -> Accelerator {
        let mut a = preset("edge-ternary").unwrap();
        a.array.lanes = lanes;
        a.array.width = width;
        a.array.stage_levels = stage;
        if popcount {
            a.array.reduction = Reduction::Popcount;
            a.array.planes_per_cycle = planes;
        }
        a.array.zeros = if skip { ZeroHandling::Skip } else { ZeroHandling::Gate };
        a.buffers.weights.kib = wkib;
        a.buffers.weights.double_buffered = dbw;
        a.buffers.weights.bank_bytes = bank_bytes;
        a.buffers.weights.banks = 1;
        a.buffers.activations.kib = akib;
        a.buffers.activations.double_buffered = dba;
        a.dram.kind = DramKind::Lpddr5;
        a.dram.bandwidth_gbps = f64::from(bw) / 4.0;
        a.dram.latency_ns = f64::from(lat);
        a.dram.max_outstanding = outstanding;
        a.vector.elems_per_cycle = vec;
        a.attention.macs_per_cycle = macs;
        a
    }
}

static JUMPS: AtomicU64 = AtomicU64::new(0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fast_forward_changes_nothing(
        a in small_design(),
        head_dim in 1u64..16,
        ffn in 1u64..300,
        heads in 1u64..5,
        layers in 1u64..3,
        vocab in 1u64..200,
        prefill in any::<bool>(),
        seq in 1u64..48,
        batch in 1u64..3,
        zeros in 0.0f64..1.0,
        packed in any::<bool>(),
        variant in 0u32..65536,
    ) {
        // the attention variants: causal or full mask, fused or not, verify
        // steps, integer KV caches, small attention tiles; the lanes' token
        // tile, the mapper and the prefetch slots
        let mut a = a;
        a.array.token_tile = [1, 2, 3, 16][(variant >> 12) as usize % 4];
        // 3 or 6 slots: the mapper also searches depths 2 (and 4) below them
        a.buffers.prefetch_slots = if variant >> 15 & 1 == 1 {
            Some(if variant >> 4 & 1 == 1 { 6 } else { 3 })
        } else {
            None
        };
        let mapper = if variant >> 14 & 1 == 1 {
            sim::mapping::Mapper::Search { objective: sim::mapping::Objective::Cycles, prices: None }
        } else {
            sim::mapping::Mapper::Fixed
        };
        a.attention.fused = variant & 1 == 1;
        a.attention.q_block = 1 + (variant >> 4) % 8;
        a.attention.kv_block = 1 + (variant >> 7) % 8;
        let kv = match (variant >> 10) % 4 {
            0 => None,
            1 => Some(workloads::KvFormat::new(Precision::INT8, 4)),
            2 => Some(workloads::KvFormat::new(Precision::INT4, 3)),
            _ => Some(workloads::KvFormat::new(Precision::Fp8, 1)),
        };
        let w = if packed { Precision::TernaryPacked } else { Precision::Ternary };
        let m = tiny_model(head_dim, ffn, heads, 1, layers, vocab, w);
        let phase = match (prefill, variant >> 3 & 1 == 1) {
            (true, _) => Phase::Prefill,
            (false, true) => Phase::Verify,
            (false, false) => Phase::Decode,
        };
        let opts = TraceOptions {
            phase,
            seq,
            batch,
            zeros: Some(zeros),
            mask: if variant >> 1 & 1 == 1 { workloads::Mask::Causal } else { workloads::Mask::Full },
            kv,
            draft: 1 + u64::from(variant >> 2 & 1) * 3,
            ..TraceOptions::default()
        };
        let t = generate(&m, &opts).unwrap();
        let fast = simulate_with_stats(&a, &t, SimOptions { fast_forward: true, mapper, ..SimOptions::default() }).map(|(r, s)| {
            JUMPS.fetch_add(s.jumps, Ordering::Relaxed);
            r
        });
        let slow = simulate(&a, &t, SimOptions { fast_forward: false, mapper, ..SimOptions::default() });
        match (fast, slow) {
            (Ok(f), Ok(s)) => {
                prop_assert_eq!(f.cycles, s.cycles);
                prop_assert_eq!(f, s);
            }
            (Err(f), Err(s)) => prop_assert_eq!(f, s),
            (f, s) => prop_assert!(false, "one mode failed: {:?} / {:?}", f.err(), s.err()),
        }
    }
}

/// A one-block LLaMA-7B-shaped BitNet prefill of 256 tokens on the edge
/// design: long runs of identical tiles on all three units, several with a
/// steady state of period two; the engine must jump and still agree with
/// stepping every cycle.
#[test]
fn fast_forward_jumps_and_agrees_on_a_real_block() {
    let mut m = workloads::zoo::find("bitnet-b1.58-7B").unwrap();
    m.layers = 1;
    let t = generate(
        &m,
        &TraceOptions {
            phase: Phase::Prefill,
            seq: 256,
            batch: 1,
            zeros: None,
            ..TraceOptions::default()
        },
    )
    .unwrap();
    let a = design();
    let (fast, stats) = simulate_with_stats(
        &a,
        &t,
        SimOptions {
            fast_forward: true,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (slow, slow_stats) = simulate_with_stats(
        &a,
        &t,
        SimOptions {
            fast_forward: false,
            ..SimOptions::default()
        },
    )
    .unwrap();
    assert!(stats.jumps > 10, "{stats:?}");
    assert_eq!(slow_stats.jumps, 0);
    assert!(stats.events * 10 < slow.cycles);
    assert_eq!(fast, slow);
}

prop_compose! {
    /// One operator of a random trace: a kind, a shape, and which earlier
    /// operators it reads (bit i of `deps` = operator i).
    fn random_op()(
        kind in 0usize..8,
        g in 1u64..4,
        m in 1u64..64,
        k in 1u64..300,
        n in 1u64..300,
        deps in any::<u8>(),
        zeros in 0.0f64..1.0,
    ) -> (usize, [u64; 4], u8, f64) {
        (kind, [g, m, k, n], deps, zeros)
    }
}

fn random_trace(spec: &[(usize, [u64; 4], u8, f64)]) -> Trace {
    let mut ops: Vec<Op> = Vec::new();
    for (i, &(kind, [g, m, k, n], deps, zeros)) in spec.iter().enumerate() {
        let inputs = (0..i)
            .filter(|j| deps >> j & 1 == 1)
            .map(|j| ops[j].name.clone())
            .collect();
        let (kind, w, a, wbytes) = match kind {
            0 | 1 => (
                OpKind::Linear,
                Some(Precision::Ternary),
                Precision::INT8,
                Precision::Ternary.bytes_for(k * n),
            ),
            2 => (
                OpKind::Qk,
                Some(Precision::Fp16),
                Precision::Fp16,
                g * k * n * 2,
            ),
            3 => (OpKind::Softmax, None, Precision::Fp16, 0),
            4 => (OpKind::KvAppend, None, Precision::Fp16, 0),
            6 => (
                OpKind::Attention,
                Some(Precision::Fp16),
                Precision::Fp16,
                2 * g * k * n * 2,
            ),
            7 => (
                OpKind::Pv,
                Some(Precision::INT8),
                Precision::Fp16,
                g * k * n,
            ),
            _ => (
                OpKind::Embed,
                Some(Precision::Fp16),
                Precision::INT32,
                m * n * 2,
            ),
        };
        let g = if kind == OpKind::Linear { 1 } else { g };
        ops.push(Op {
            name: format!("op{i}"),
            kind,
            layer: None,
            inputs,
            g,
            m,
            k: if kind.is_matmul() || kind == OpKind::Embed || kind == OpKind::Attention {
                k
            } else {
                1
            },
            n,
            a,
            w,
            out: Precision::Fp16,
            wbytes,
            zeros: if kind == OpKind::Linear {
                Some(zeros)
            } else {
                None
            },
            mask: if kind.is_attention() && deps & 1 == 1 {
                workloads::Mask::Causal
            } else {
                workloads::Mask::Full
            },
        });
    }
    trace_of(ops)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Random operator graphs: independent operators on all three units run
    /// at once, with runs of identical tiles on several units.
    #[test]
    fn fast_forward_changes_nothing_on_random_graphs(
        a in small_design(),
        spec in proptest::collection::vec(random_op(), 1..8),
    ) {
        let t = random_trace(&spec);
        let fast = simulate_with_stats(&a, &t, SimOptions { fast_forward: true, ..SimOptions::default() }).map(|(r, s)| {
            JUMPS.fetch_add(s.jumps, Ordering::Relaxed);
            r
        });
        let slow = simulate(&a, &t, SimOptions { fast_forward: false, ..SimOptions::default() });
        match (fast, slow) {
            (Ok(f), Ok(s)) => prop_assert_eq!(f, s),
            (Err(f), Err(s)) => prop_assert_eq!(f, s),
            (f, s) => prop_assert!(false, "one mode failed: {:?} / {:?}", f.err(), s.err()),
        }
    }
}
