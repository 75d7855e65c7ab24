//! Attention on the simulator: hand-computed causal MACs, fused against
//! unfused DRAM bytes, KV-cache bytes at INT8 and INT4 with their scales,
//! the capacity refusal, and property tests (causal never more than full,
//! fused never more DRAM bytes than unfused).

use proptest::prelude::*;
use sim::arch::preset;
use sim::{simulate, Accelerator, SimError, SimOptions, SimResult};
use workloads::trace::{generate, TraceOptions};
use workloads::{
    zoo, ActFn, Family, KvFormat, Mask, ModelConfig, Op, OpKind, Phase, Precision, Trace, TraceMeta,
};

fn run(a: &Accelerator, t: &Trace) -> SimResult {
    simulate(a, t, SimOptions::default()).unwrap()
}

fn attention_macs(t: &Trace) -> u128 {
    t.ops
        .iter()
        .filter(|o| o.kind.is_attention())
        .map(Op::macs)
        .sum()
}

/// bitnet-b1.58-700M prefill of 37 tokens: 24 layers x 16 heads x 96
/// head dim, QK^T and PV each sum the attended positions 1 + 2 + ... + 37.
#[test]
fn causal_prefill_macs_by_hand() {
    let m = zoo::find("bitnet-b1.58-700M").unwrap();
    let opts = |mask| TraceOptions {
        phase: Phase::Prefill,
        seq: 37,
        mask,
        ..TraceOptions::default()
    };
    let full = generate(&m, &opts(Mask::Full)).unwrap();
    let causal = generate(&m, &opts(Mask::Causal)).unwrap();
    assert_eq!(attention_macs(&full), 2 * 24 * 16 * 37 * 37 * 96);
    assert_eq!(attention_macs(&full), 100_933_632);
    let positions: u64 = (1..=37).sum();
    assert_eq!(positions, 703);
    assert_eq!(
        attention_macs(&causal),
        u128::from(2 * 24 * 16 * 96 * positions)
    );
    assert_eq!(attention_macs(&causal), 51_830_784);
    // the simulator reports the useful MACs, fused or not
    let a = preset("edge-ternary").unwrap();
    let mut unfused = a.clone();
    unfused.attention.fused = false;
    let sum = |r: &SimResult| -> u64 {
        r.ops
            .iter()
            .filter(|o| matches!(o.kind.as_str(), "qk" | "pv" | "attention"))
            .map(|o| o.macs)
            .sum()
    };
    assert_eq!(sum(&run(&a, &causal)), 51_830_784);
    assert_eq!(sum(&run(&unfused, &causal)), 51_830_784);
    assert_eq!(sum(&run(&unfused, &full)), 100_933_632);
}

/// The computed (tiled) pairs: with 64 x 64 tiles a 37-token prompt is one
/// partly masked tile per head, computed whole; with 8 x 8 tiles the
/// blocks of 8 queries need 8, 16, 24, 32 and 37 keys.
#[test]
fn partly_masked_tiles_are_computed_whole() {
    let m = zoo::find("bitnet-b1.58-700M").unwrap();
    let t = generate(
        &m,
        &TraceOptions {
            phase: Phase::Prefill,
            seq: 37,
            ..TraceOptions::default()
        },
    )
    .unwrap();
    let mut a = preset("edge-ternary").unwrap();
    a.attention.fused = false;
    let qk = t.op("L0.qk").unwrap();
    assert_eq!(sim::mapping::score_pairs(&a, qk), 16 * 37 * 37);
    a.attention.q_block = 8;
    a.attention.kv_block = 8;
    let per_head = 8 * 8 + 8 * 16 + 8 * 24 + 8 * 32 + 5 * 37;
    assert_eq!(sim::mapping::score_pairs(&a, qk), 16 * per_head);
    let r = run(&a, &t);
    let qk_r = r.ops.iter().find(|o| o.name == "L0.qk").unwrap();
    // 256 MACs a cycle on the attention unit: the computed pairs x head dim
    assert_eq!(qk_r.timing.cycles.busy, (16 * per_head * 96).div_ceil(256));
}

fn op(name: &str, kind: OpKind, inputs: &[&str], [g, m, k, n]: [u64; 4], wbytes: u64) -> Op {
    Op {
        name: name.into(),
        kind,
        layer: Some(0),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
        g,
        m,
        k,
        n,
        a: Precision::Fp16,
        w: if kind == OpKind::Softmax {
            None
        } else {
            Some(Precision::Fp16)
        },
        out: Precision::Fp16,
        wbytes,
        zeros: None,
        mask: Mask::Causal,
    }
}

/// One attention layer by hand: 2 heads sharing one KV head, 128 queries
/// against 128 keys, head dim 64, causal, 64 x 64 tiles, a 16 KiB
/// activation buffer (so queries, scores and the output spill).
#[test]
fn fused_against_unfused_dram_bytes_of_one_layer() {
    let kv = 128 * 64 * 2; // one head's K (or V) at FP16: 16384 bytes
    let t = Trace {
        meta: TraceMeta {
            phase: Phase::Prefill,
            seq: 128,
            ..TraceMeta::default()
        },
        ops: vec![
            op("L0.qk", OpKind::Qk, &[], [2, 128, 64, 128], kv),
            op(
                "L0.softmax",
                OpKind::Softmax,
                &["L0.qk"],
                [2, 128, 1, 128],
                0,
            ),
            op("L0.pv", OpKind::Pv, &["L0.softmax"], [2, 128, 128, 64], kv),
        ],
    };
    let mut a = preset("edge-ternary").unwrap();
    a.buffers.activations.kib = 16;
    a.attention.fused = false;
    // computed pairs per head: 64 x 64 + 64 x 128 = 12288; FP16 scores of
    // both heads: 2 x 12288 x 2 = 49152 bytes
    let scores = 2 * (64 * 64 + 64 * 128) * 2;
    assert_eq!(scores, 49152);
    let queries = 2 * 128 * 64 * 2; // 32768 > 16 KiB: loaded
    let output = 2 * 128 * 64 * 2; // 32768: stored
    let u = run(&a, &t);
    // qk: K + queries in, scores out; softmax: scores in and out; pv: V +
    // probabilities in, output out
    assert_eq!(
        u.traffic.dram_read_bytes,
        (kv + queries) + scores + (kv + scores)
    );
    assert_eq!(u.traffic.dram_write_bytes, scores + scores + output);
    a.attention.fused = true;
    let f = run(&a, &t);
    assert_eq!(f.ops.len(), 1);
    assert_eq!(f.ops[0].kind, "attention");
    assert_eq!(f.traffic.dram_read_bytes, 2 * kv + queries);
    assert_eq!(f.traffic.dram_write_bytes, output);
    // the difference is the score matrix, written and read twice
    assert_eq!(
        u.traffic.dram_read_bytes + u.traffic.dram_write_bytes
            - f.traffic.dram_read_bytes
            - f.traffic.dram_write_bytes,
        4 * scores
    );
    assert_eq!(f.macs, u.macs);
}

/// bitnet-b1.58-2B-4T decode at KV length 2048: 5 KV heads of 128 per
/// layer. INT8 with a scale per 64 elements: 128 + 2 x 2 bytes a row;
/// INT4 with a scale per 32: 64 + 4 x 2 bytes a row.
#[test]
fn kv_bytes_at_int8_and_int4_with_scales() {
    let m = zoo::find("bitnet-b1.58-2B-4T").unwrap();
    let trace = |kv| {
        generate(
            &m,
            &TraceOptions {
                kv,
                ..TraceOptions::default()
            },
        )
        .unwrap()
    };
    let fp16 = trace(None);
    let int8 = trace(Some(KvFormat::new(Precision::INT8, 64)));
    let int4 = trace(Some(KvFormat::new(Precision::INT4, 32)));
    let rows = 5 * 2048;
    assert_eq!(fp16.op("L0.qk").unwrap().wbytes, rows * 256);
    assert_eq!(int8.op("L0.qk").unwrap().wbytes, rows * (128 + 4));
    assert_eq!(int8.op("L0.qk").unwrap().wbytes, 1_351_680);
    assert_eq!(int4.op("L0.pv").unwrap().wbytes, rows * (64 + 8));
    assert_eq!(int4.op("L0.pv").unwrap().wbytes, 737_280);
    // the appended token: 5 rows
    assert_eq!(int8.op("L0.k_cache").unwrap().wbytes, 5 * 132);
    // DRAM traffic of the step follows: 30 layers x (K + V) less per token
    let a = preset("edge-ternary").unwrap();
    let (r16, r8) = (run(&a, &fp16), run(&a, &int8));
    assert_eq!(
        r16.traffic.dram_read_bytes - r8.traffic.dram_read_bytes,
        30 * 2 * rows * (256 - 132)
    );
    assert_eq!(
        r16.traffic.dram_write_bytes - r8.traffic.dram_write_bytes,
        30 * 2 * 5 * (256 - 132)
    );
    assert_eq!(r8.footprint.kv_cache, 30 * 2 * 1_351_680);
}

/// 70B at batch 256 on datacenter-ternary: the KV cache alone is
/// 80 layers x 2 x 8 heads x 128 x 2048 tokens x 256 sequences x 2 bytes
/// = 160 GiB against 64 GiB of HBM3.
#[test]
fn capacity_refusal_by_hand() {
    let m = zoo::find("bitnet-b1.58-70B").unwrap();
    let a = preset("datacenter-ternary").unwrap();
    let t = generate(
        &m,
        &TraceOptions {
            batch: 256,
            kv: Some(a.attention.kv_format()),
            ..TraceOptions::default()
        },
    )
    .unwrap();
    let e = simulate(&a, &t, SimOptions::default()).unwrap_err();
    let SimError::Capacity(c) = &e else {
        panic!("{e}")
    };
    assert_eq!(c.need.kv_cache, 80 * 2 * 8 * 128 * 2048 * 256 * 2);
    assert_eq!(c.need.kv_cache, 160 << 30);
    assert_eq!(c.have, 64 << 30);
    let msg = e.to_string();
    assert!(
        msg.starts_with("the step needs 176.96 GiB of DRAM (weights 16.91 GiB, KV cache 160.00 GiB, spilled activations 0.04 GiB) but the design has 64.00 GiB (`dram.capacity_gib`)"),
        "{msg}"
    );
    // run anyway: the result carries the warning
    let r = simulate(
        &a,
        &t,
        SimOptions {
            allow_oversubscribe: true,
            mapper: Default::default(),
            ..SimOptions::default()
        },
    )
    .unwrap();
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].contains("oversubscribed DRAM"),
        "{:?}",
        r.warnings
    );
    // batch 64 fits: 40 GiB of KV cache
    let t64 = generate(
        &m,
        &TraceOptions {
            batch: 64,
            ..TraceOptions::default()
        },
    )
    .unwrap();
    assert!(simulate(&a, &t64, SimOptions::default())
        .unwrap()
        .warnings
        .is_empty());
}

fn tiny(hd: u64, heads: u64, kv: u64, layers: u64) -> ModelConfig {
    ModelConfig {
        name: "tiny".into(),
        family: Family::BitnetB158,
        source: "test".into(),
        layers,
        hidden: hd * heads,
        ffn: 2 * hd * heads,
        heads,
        kv_heads: kv,
        head_dim: hd,
        vocab: 64,
        act: ActFn::Relu2,
        gated_ffn: true,
        tied_embeddings: true,
        sub_norm: true,
        weights: Precision::Ternary,
        activations: Precision::INT8,
        high_precision: Precision::Fp16,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Causal attention never counts more MACs than full, and equals it
    /// for a one-token step; the simulated cycles never grow either.
    #[test]
    fn causal_never_more_than_full(
        hd in 1u64..24,
        heads in 1u64..4,
        seq in 1u64..80,
        batch in 1u64..3,
        verify in any::<bool>(),
        draft in 1u64..6,
        qb in 1u32..70,
        kb in 1u32..70,
    ) {
        let m = tiny(hd, heads, 1, 1);
        let phase = if verify { Phase::Verify } else { Phase::Prefill };
        let opts = |mask| TraceOptions { phase, seq, batch, draft, mask, ..TraceOptions::default() };
        let full = generate(&m, &opts(Mask::Full)).unwrap();
        let causal = generate(&m, &opts(Mask::Causal)).unwrap();
        prop_assert!(attention_macs(&causal) <= attention_macs(&full));
        if seq == 1 && !verify {
            prop_assert_eq!(attention_macs(&causal), attention_macs(&full));
        }
        let mut a = preset("edge-ternary").unwrap();
        a.attention.q_block = qb;
        a.attention.kv_block = kb;
        a.attention.score_buffer_kib = 64;
        for o in causal.ops.iter().filter(|o| o.kind.is_attention()) {
            let pairs = sim::mapping::score_pairs(&a, o);
            // computed pairs lie between the attended and all pairs
            let keys = if o.kind == OpKind::Pv { o.k } else { o.n };
            prop_assert!(pairs >= o.attended(), "{} < {}", pairs, o.attended());
            prop_assert!(pairs <= o.g * o.m * keys, "{} > all pairs", pairs);
        }
        let (rf, rc) = (run(&a, &full), run(&a, &causal));
        prop_assert!(rc.macs <= rf.macs);
        prop_assert!(rc.ops.iter().map(|o| o.timing.cycles.busy).sum::<u64>()
            <= rf.ops.iter().map(|o| o.timing.cycles.busy).sum::<u64>());
    }

    /// Fused attention never moves more DRAM bytes than unfused, on any
    /// buffer sizes, masks and phases.
    #[test]
    fn fused_never_moves_more_dram_bytes(
        hd in 1u64..32,
        heads in 1u64..5,
        seq in 1u64..200,
        batch in 1u64..3,
        phase in 0u8..3,
        causal in any::<bool>(),
        akib in 1u32..64,
        qb in 1u32..65,
        kb in 1u32..65,
    ) {
        let m = tiny(hd, heads, 1, 2);
        let phase = [Phase::Decode, Phase::Prefill, Phase::Verify][phase as usize];
        let t = generate(&m, &TraceOptions {
            phase, seq, batch,
            mask: if causal { Mask::Causal } else { Mask::Full },
            ..TraceOptions::default()
        }).unwrap();
        let mut a = preset("edge-ternary").unwrap();
        a.buffers.activations.kib = akib;
        a.attention.q_block = qb;
        a.attention.kv_block = kb;
        a.attention.score_buffer_kib = 16;
        a.attention.fused = false;
        let u = run(&a, &t);
        a.attention.fused = true;
        let f = run(&a, &t);
        let bytes = |r: &SimResult| r.traffic.dram_read_bytes + r.traffic.dram_write_bytes;
        prop_assert!(bytes(&f) <= bytes(&u), "{} > {}", bytes(&f), bytes(&u));
        prop_assert_eq!(f.macs, u.macs);
    }
}
