//! The engine over the banked DRAM model: fast-forward on and off give
//! identical results (random small designs and request streams, long enough
//! that refreshes fall inside the runs), and the banked account of a run is
//! consistent with its traffic.

use proptest::prelude::*;
use sim::arch::{preset, DramModelKind};
use sim::memory::banked::Mapping;
use sim::{simulate, Accelerator, SimOptions};
use workloads::trace::{generate, TraceOptions};
use workloads::{ActFn, Family, ModelConfig, Phase, Precision};

fn tiny_model(head_dim: u64, ffn: u64, heads: u64, layers: u64, vocab: u64) -> ModelConfig {
    ModelConfig {
        name: "tiny".into(),
        family: Family::BitnetB158,
        source: "test".into(),
        layers,
        hidden: head_dim * heads,
        ffn,
        heads,
        kv_heads: 1,
        head_dim,
        vocab,
        act: ActFn::Relu2,
        gated_ffn: true,
        tied_embeddings: true,
        sub_norm: true,
        weights: Precision::Ternary,
        activations: Precision::INT8,
        high_precision: Precision::Fp16,
    }
}

prop_compose! {
    fn banked_design()(
        lanes in 1u32..16,
        width in 1u32..64,
        wkib in 1u32..8,
        dbw in any::<bool>(),
        hbm in any::<bool>(),
        channels in 0u32..3,
        interleaved in any::<bool>(),
        clock in 1u32..4,
    ) -> Accelerator {
        let mut a = preset("edge-ternary").unwrap();
        a.array.lanes = lanes;
        a.array.width = width;
        a.buffers.weights.kib = wkib;
        a.buffers.weights.double_buffered = dbw;
        a.clock_ghz = f64::from(clock) * 0.5;
        a.dram.model = DramModelKind::Banked;
        a.dram.preset = Some(if hbm { "hbm3-6400" } else { "lpddr5-6400" }.into());
        a.dram.channels = Some(1 << channels);
        a.dram.mapping = Some(if interleaved { Mapping::RoCoBaRaCh } else { Mapping::RoBaRaCoCh });
        a.dram.bandwidth_gbps = a.dram.derived_gbps().unwrap();
        a
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn fast_forward_changes_nothing_banked(
        a in banked_design(),
        head_dim in 1u64..16,
        ffn in 1u64..300,
        heads in 1u64..4,
        layers in 1u64..3,
        vocab in 1u64..200,
        prefill in any::<bool>(),
        seq in 1u64..32,
    ) {
        let m = tiny_model(head_dim, ffn, heads, layers, vocab);
        let opts = TraceOptions {
            phase: if prefill { Phase::Prefill } else { Phase::Decode },
            seq,
            batch: 1,
            zeros: None,
            ..TraceOptions::default()
        };
        let t = generate(&m, &opts).unwrap();
        let fast = simulate(&a, &t, SimOptions { fast_forward: true, ..SimOptions::default() });
        let slow = simulate(&a, &t, SimOptions { fast_forward: false, ..SimOptions::default() });
        match (fast, slow) {
            (Ok(f), Ok(s)) => {
                prop_assert_eq!(f.cycles, s.cycles);
                let d = f.dram.clone().expect("banked account");
                // every byte moved is a burst the controller served
                let bytes = f.traffic.dram_read_bytes + f.traffic.dram_write_bytes;
                let burst = a.dram.spec().unwrap().org.burst_bytes() as u64;
                prop_assert!(d.counts.rd + d.counts.wr >= bytes / burst);
                prop_assert_eq!(f, s);
            }
            (Err(f), Err(s)) => prop_assert_eq!(f, s),
            (f, s) => prop_assert!(false, "one mode failed: {:?} / {:?}", f.err(), s.err()),
        }
    }
}

/// A run long enough to cross several refresh intervals counts them, and
/// the banked model is slower than the transaction model at the same peak
/// bandwidth (refresh and row switches cost time).
#[test]
fn banked_run_refreshes_and_costs_time() {
    let m = tiny_model(64, 512, 4, 2, 512);
    let t = generate(
        &m,
        &TraceOptions {
            phase: Phase::Decode,
            seq: 64,
            batch: 1,
            zeros: None,
            ..TraceOptions::default()
        },
    )
    .unwrap();
    let mut a = preset("edge-ternary").unwrap();
    a.dram.model = DramModelKind::Banked;
    a.dram.preset = Some("lpddr5-6400".into());
    a.dram.channels = Some(1);
    a.dram.bandwidth_gbps = a.dram.derived_gbps().unwrap();
    let b = simulate(&a, &t, SimOptions::default()).unwrap();
    let d = b.dram.clone().unwrap();
    // one REFab per tREFI (3125 CK of 1.25 ns) over the run at 1 GHz
    let dram_cycles = (b.cycles as f64 / 1.25).ceil() as u64;
    let expect = dram_cycles / 3125;
    assert!(
        d.counts.ref_ab >= expect.saturating_sub(1) && d.counts.ref_ab <= expect + 1,
        "{} refreshes over {dram_cycles} DRAM cycles",
        d.counts.ref_ab
    );
    assert!(d.counts.ref_ab >= 2);
    assert!(d.energy.refresh_pj > 0.0 && d.energy.background_pj > 0.0);
    a.dram.model = DramModelKind::Transaction;
    let tr = simulate(&a, &t, SimOptions::default()).unwrap();
    assert!(tr.dram.is_none());
    assert!(b.cycles > tr.cycles, "{} vs {}", b.cycles, tr.cycles);
}
