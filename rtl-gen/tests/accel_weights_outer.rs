//! A layer whose input does not fit the activation buffer and that the
//! engine runs weights outer, under Verilator with the DRAM model in the
//! loop: one feature group of one K tile, its weights loaded once with the
//! first token block's rows and held while every later block's tile loads
//! its rows alone (the blocks a loop of one descriptor, the later ones
//! held, `block_loop.rs`, `stream_in.rs`), and several feature groups with the outputs
//! stored per tile (the cursors stepping `(group, K tile, block)`, every
//! tile's rows into its slot's half, a weight slot per weight tile); start,
//! completion and total equal to the engine's, every result bit-exact,
//! every transfer and store at the engine's placement, and bit-exact under
//! random AXI timing. Caught: later blocks reading the weights from their
//! own slot, a group's weights written into its transfer's slot (per tile),
//! cursors walking each block's tiles in order. Several K tiles weights
//! outer, and several groups with the outputs on chip, stay refused, with
//! the engine's moves named.

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

/// 8 x 16 with a 2 KiB activation buffer (1 KiB halves: one row of 1024
/// B, two K tiles over the 512-element weight slot) and a 1 KiB output
/// buffer (staging halves of 16 words).
fn k_tiled(double: bool) -> Accelerator {
    let mut a = small(8, 16, double);
    a.buffers.activations.kib = 2;
    a.buffers.outputs.kib = 1;
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

/// Several feature groups weights outer, the outputs stored per tile: on
/// the 1 KiB design a block is 2 rows of 256 B (512 B halves), on the 2
/// KiB one a row of 1024 B in 2 K tiles (a tile loads its K range of the
/// block's rows; the block's partial sums stay at its offset in its
/// group's staging half while the other blocks compute). The whole output
/// spills from the activation buffer. Pinned: the engine's start / done
/// (the first by hand: the first transfer is the first group's 512 B of
/// weights and 2 x 256 B of rows, 40 + 1024 / 8 = 168; on the 2 KiB
/// design the first K tile's 1024 B of weights and 512 B of the row, 40 +
/// 1536 / 8 = 232).
#[test]
fn several_groups_weights_outer_with_stores_is_exact() {
    let mut failed = Vec::new();
    // (design, AXI, shape, groups x K tiles x blocks, the engine's start / done)
    for (arch, axi, shape, (groups, k_tiles, blocks), timing) in [
        // 3 groups x 8 blocks: every group's first block in the same
        // transfer slot (an even count of blocks)
        (tight(true), 64, (16, 256, 24), (3, 1, 8), (168, 2032)),
        // 7 blocks: the group's first block alternates slots
        (tight(true), 64, (14, 256, 24), (3, 1, 7), (168, 1816)),
        (tight(true), 64, (16, 256, 32), (4, 1, 8), (168, 2672)),
        // single-buffered weights: one tile at a time
        (tight(false), 128, (16, 256, 24), (3, 1, 8), (168, 3688)),
        (tight(false), 128, (14, 256, 24), (3, 1, 7), (168, 3256)),
        // weight registers (T = 2): the order inside a tile, not the moves
        (
            with_tokens(tight(true), 2),
            64,
            (16, 256, 24),
            (3, 1, 8),
            (168, 2032),
        ),
        // several K tiles
        (k_tiled(true), 64, (8, 1024, 72), (9, 2, 8), (232, 12348)),
        (k_tiled(true), 64, (7, 1024, 80), (10, 2, 7), (232, 12308)),
        (k_tiled(false), 128, (8, 1024, 72), (9, 2, 8), (232, 22216)),
    ] {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
        assert_eq!(
            (s.order, s.groups, s.k_tiles, s.blocks, s.out_spill),
            (Order::WeightsOuter, groups, k_tiles, blocks, true),
            "{}",
            s.describe()
        );
        // every weight tile once, with its group's first block; a store
        // a block on the group's last K tile
        let tiles = groups * k_tiles * blocks;
        let stores = groups * blocks;
        assert_eq!(s.tiles.len() as u64, tiles);
        assert!(s
            .tiles
            .iter()
            .all(|t| (t.weight_bytes > 0) == (t.block == 0)
                && (t.out_bytes > 0) == (t.kb + t.chunks == shape.1 / 16)));
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        let rtl = r.rtl.map(|t| (t.start, t.done));
        if (r.engine.start, r.engine.done) != timing || rtl != Some(timing) {
            failed.push(format!(
                "{shape:?}: expected {timing:?}, engine {:?}, rtl {rtl:?}",
                (r.engine.start, r.engine.done)
            ));
        }
        if r.transfers != tiles || r.stores != (stores, stores as i64) {
            failed.push(format!(
                "{shape:?}: {tiles} transfers and {stores} stores, got {} and {:?}",
                r.transfers, r.stores
            ));
        }
        if !r.passed() || r.results as u64 != shape.0 * shape.2 {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// One group of 2 K tiles weights outer, its outputs on chip: the first
/// K tile over the 8 blocks, then the second adding to each block's
/// partial sums (at the block's offset), on the 16 KiB design (8 blocks of
/// 8 rows of 1024 B). The first transfer: 1024 B of weights and 8 x 512 B
/// of rows, 40 + 5120 / 8 = 680.
#[test]
fn one_group_of_k_tiles_weights_outer_is_exact() {
    let p = AccelParams::new(&streaming(true), 64).expect("builds");
    let s = StreamPlan::new(&p, 64, 1024, 8);
    assert_eq!(
        (s.order, s.groups, s.k_tiles, s.blocks, s.out_spill),
        (Order::WeightsOuter, 1, 2, 8, false)
    );
    let r = check_gemm(&p, 64, 1024, 8, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!((r.engine.start, r.engine.done), (680, 8748));
    assert_eq!(r.rtl.map(|t| (t.start, t.done)), Some((680, 8748)));
    assert_eq!((r.transfers, r.wrong_results, r.results), (16, 0, 512));
}

/// The new slot and cursor logic broken, on 16 x 256 x 24 (3 groups x 8
/// blocks): the check catches each.
#[test]
fn broken_weights_outer_slots_and_cursors_are_caught() {
    // a group's weights into its transfer's slot: with 8 blocks every
    // group's first block is in slot 0, so the next group's weights
    // overwrite the ones the last block still computes with
    let mut p = AccelParams::new(&tight(true), 64).expect("builds");
    p.mutation = Mutation::WeightSlotPerTile;
    let r = check_gemm(&p, 16, 256, 24, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
    // the cursors walking a block's groups before the next block: its
    // second tile's transfer takes the next block's rows for a group's,
    // the results wrong (the layer does not complete: the group's staging
    // half waits for stores that never come)
    p.mutation = Mutation::WoBlockOuter;
    let r = check_gemm(&p, 16, 256, 24, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.wrong_results > 0 && r.rtl.is_none(), "{}", r.summary());
}

#[test]
fn weights_outer_refusals_name_the_reason() {
    // 16 x 512 x 16 on 1 KiB: a block is one row (512 B halves), 16
    // blocks, 2 groups: weights outer (2 x 1024 + 2 x 8192 B against 16 x
    // 2048 + 8192 B), the outputs (1 KiB) on chip
    let p = AccelParams::new(&tight(true), 64).expect("builds");
    let s = StreamPlan::new(&p, 16, 512, 16);
    assert_eq!(
        (s.order, s.groups, s.blocks, s.out_spill),
        (Order::WeightsOuter, 2, 16, false)
    );
    match check_gemm(&p, 16, 512, 16, &o()) {
        Err(RtlError::Unsupported(w)) => {
            assert!(w.contains("weights outer"), "{w}");
            assert!(
                w.contains("over 2 feature groups only with the outputs stored"),
                "{w}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // 16 x 256 x 32 on 16 x 16 with 1 KiB buffers: a group's 16 tokens
    // over its staging half of 8 words
    let mut a = small(16, 16, true);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 1;
    let p = AccelParams::new(&a, 64).expect("builds");
    let s = StreamPlan::new(&p, 16, 256, 32);
    assert_eq!(
        (s.order, s.groups, s.blocks, s.out_spill),
        (Order::WeightsOuter, 2, 8, true)
    );
    match check_gemm(&p, 16, 256, 32, &o()) {
        Err(RtlError::Unsupported(w)) => {
            assert!(w.contains("all 16 tokens are staged in one half"), "{w}");
            assert!(w.contains("(8 words)"), "{w}");
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

/// Several groups with stores under random AXI timing: the weight slots,
/// the rows' halves and the staging halves still meet (correctness only).
#[test]
fn several_groups_weights_outer_is_correct_under_random_axi_timing() {
    let p = AccelParams::new(&tight(true), 64).expect("builds");
    let opt = AccelOptions {
        random: true,
        seed: 3,
        max_cycles: 200_000,
        ..o()
    };
    let r = check_gemm(&p, 14, 256, 24, &opt).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!((r.wrong_results, r.results), (0, 336));
    // and over 2 K tiles
    let p = AccelParams::new(&k_tiled(true), 64).expect("builds");
    let r = check_gemm(&p, 8, 1024, 72, &opt).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!((r.wrong_results, r.results), (0, 576));
}
