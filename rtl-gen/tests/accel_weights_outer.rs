//! A layer whose input does not fit the activation buffer and that the
//! engine runs weights outer, under Verilator with the DRAM model in the
//! loop: one feature group of one K tile, its weights loaded once with the
//! first token block's rows and held while every later block's tile loads
//! its rows alone (one descriptor a block, the later ones with the held
//! flag, `stream_in.rs`); start, completion and total equal to the
//! engine's, every result bit-exact, every transfer at the engine's
//! placement, and bit-exact under random AXI timing. A top whose later
//! blocks read the weights from their own slot is caught. The weights-outer order of several groups or K tiles
//! stays refused, with the engine's moves named.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::Accelerator;

/// 8 x 16 with a 1 KiB activation buffer (512 B halves: 8 rows of 64 B).
fn tight(double: bool) -> Accelerator {
    let mut a = small(8, 16, double);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 1;
    a
}

/// 8 x 16 with 16 KiB activation and output buffers (8 KiB halves: 16
/// rows of 512 B).
fn streaming(double: bool) -> Accelerator {
    let mut a = small(8, 16, double);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a
}

/// `a` with weight registers of `t` tokens.
fn with_tokens(mut a: Accelerator, t: u32) -> Accelerator {
    a.array.token_tile = t;
    a
}

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 100_000,
        work: std::env::var_os("WO_DBG").map(Into::into),
        ..opts()
    }
}

#[test]
fn one_group_weights_outer_is_exact() {
    let mut failed = Vec::new();
    // (design, AXI, shape, blocks, the engine's start / done): one group
    // of 8 outputs, so the weights once (weights outer) beat the weights
    // again for every block (tokens outer)
    for (arch, axi, shape, blocks, timing) in [
        (tight(true), 64, (32, 64, 8), 4, (120, 356)),
        (streaming(true), 64, (40, 512, 8), 3, (1192, 2988)),
        (streaming(false), 128, (40, 512, 8), 3, (1192, 4092)),
        // weight registers (T = 4): the order inside a tile, not the moves
        (
            with_tokens(streaming(true), 4),
            64,
            (40, 512, 8),
            3,
            (1192, 2988),
        ),
    ] {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
        assert_eq!(
            (s.order, s.blocks, s.groups, s.k_tiles),
            (Order::WeightsOuter, blocks, 1, 1),
            "{}",
            s.describe()
        );
        // the weights with the first block only
        assert!(s.tiles[0].weight_bytes > 0);
        assert!(s.tiles[1..].iter().all(|t| t.weight_bytes == 0));
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        // pinned: the engine's numbers (the first by hand below)
        if (r.engine.start, r.engine.done) != timing || r.transfers != blocks {
            failed.push(format!(
                "{shape:?}: expected {timing:?}, {blocks} transfers"
            ));
        }
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_held_block_reading_its_own_slot_is_caught() {
    let mut p = AccelParams::new(&tight(true), 64).expect("builds");
    p.mutation = Mutation::HeldOwnSlot;
    let r = check_gemm(&p, 32, 64, 8, &o()).expect("runs");
    println!("{}", r.summary());
    // the second block's tile computes with slot 1, which holds no weights
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

#[test]
fn weights_outer_over_several_groups_is_refused() {
    // 16 x 512 x 16 on 1 KiB: a block is one row (512 B halves), 16
    // blocks, 2 groups: weights outer (2 x 1024 + 2 x 8192 B against 16 x
    // 2048 + 8192 B)
    let p = AccelParams::new(&tight(true), 64).expect("builds");
    // one group whose 40 x 8 outputs spill from the 1 KiB activation buffer
    let s = StreamPlan::new(&p, 40, 64, 8);
    assert_eq!(
        (s.order, s.groups, s.out_spill),
        (Order::WeightsOuter, 1, true)
    );
    match check_gemm(&p, 40, 64, 8, &o()) {
        Err(RtlError::Unsupported(w)) => assert!(w.contains("weights-outer order"), "{w}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let s = StreamPlan::new(&p, 16, 512, 16);
    assert_eq!((s.order, s.groups, s.blocks), (Order::WeightsOuter, 2, 16));
    match check_gemm(&p, 16, 512, 16, &o()) {
        Err(RtlError::Unsupported(w)) => {
            assert!(w.contains("weights outer"), "{w}");
            assert!(w.contains("2 groups x 1 K tiles"), "{w}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Random AXI delays and back-pressure: the held weights and every block's
/// rows still meet in the array (correctness only).
#[test]
fn weights_outer_is_correct_under_random_axi_timing() {
    let p = AccelParams::new(&streaming(true), 64).expect("builds");
    let opt = AccelOptions {
        random: true,
        seed: 7,
        max_cycles: 200_000,
        ..o()
    };
    let r = check_gemm(&p, 40, 512, 8, &opt).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!((r.wrong_results, r.results), (0, 320));
}
