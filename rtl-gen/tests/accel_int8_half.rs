//! The partial sums an N tile keeps over streamed rows against half of the
//! output buffer, in the engine and in the top. The engine
//! (`sim::mapping::linear`) keeps a weights-outer N tile's partial sums of
//! all the layer's tokens on chip through its K tiles while `M x lanes x
//! acc_bytes` (`acc_bytes = ceil(acc_bits / 8)`) fits
//! `buffers.outputs.tile_bytes()` (half the buffer when double-buffered),
//! and spills them to DRAM otherwise; the top keeps them in a staging half
//! of 32-bit words (`store_out::half`, `out_words / 2`). With accumulators
//! of 25 to 32 bits (edge-int8's 31) the two are the same bytes: what the
//! engine keeps fills the top's half, and what the top cannot stage the
//! engine spills (which the top refuses apart). With narrower accumulators
//! (edge-ternary's 24 bits, 3 bytes) the engine keeps up to
//! `tile_bytes / (lanes x 3)` words where the top's 32-bit half holds
//! `tile_bytes / (lanes x 4)`: those layers stay refused with the reason.

mod accel_common;

use accel_common::{assert_spill_refused, assert_stored_exact, mapped, small, CYCLES};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::image::LayerTiming;
use rtl_gen::accel::mapping::{engine_mapped, TopMapping};
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::stream_check::takes_plan;
use rtl_gen::accel::AccelParams;
use sim::arch::{preset, Reduction};
use sim::mapping::reuse::LoopOrder;
use sim::Accelerator;
use workloads::Precision;

/// `small(8, 16, true)` as an INT8 x INT8 mac with edge-int8's `max_k`
/// (31-bit accumulators, 4 bytes), double-buffered 2 KiB weights (8
/// chunks a slot), a 1 KiB activation buffer (512 B halves) and a 4 KiB
/// output buffer (2 KiB halves: 64 words of 8 x 32 bits).
fn int8() -> Accelerator {
    let mut a = small(8, 16, true);
    a.name = "int8_half".into();
    a.array.reduction = Reduction::Mac;
    a.array.activations = Precision::Int(8);
    a.array.weights = Precision::Int(8);
    a.array.max_k = 32768;
    a.buffers.weights.kib = 2;
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 4;
    a
}

/// Bytes of one 32-bit staging half of the top on `p`.
fn top_half_bytes(p: &AccelParams) -> u64 {
    rtl_gen::accel::store_out::half(p) * p.lanes() * 4
}

/// The mapper's weights-outer choice on `p` for `(m, k, n)` as the top
/// takes it (`kt` chunks a K tile, `nt` groups an N tile, blocks of
/// `block`), for the preset layers whose mapper is priced by the CLI.
fn weights_outer(kt: u64, nt: u64, block: u64) -> TopMapping {
    TopMapping {
        kt,
        nt,
        tt: 0,
        block,
        order: LoopOrder::WeightsOuter,
        describe: format!("weights outer, K tile {kt}, N tile {nt}, token block {block}"),
        searched: true,
    }
}

/// On 4-byte accumulators the mapper's N tile of 2 groups over 32 tokens
/// keeps 32 x 16 x 4 = 2048 B of partial sums through its 4 K tiles,
/// exactly the engine's half and exactly the top's 64-word half: no spill,
/// and the check is exact (start / done / total, every store at the
/// engine's placement, every result bit-exact).
#[test]
fn int8_partial_sums_filling_the_half_are_exact() {
    let p = AccelParams::new(&int8(), 64).expect("builds");
    assert_eq!(p.tile.acc_bits, 31);
    let engine_half = p.arch.buffers.outputs.tile_bytes();
    assert_eq!((engine_half, top_half_bytes(&p)), (2048, 2048));
    let shape = (32, 256, 32);
    let (_, tl, tm) = engine_mapped(&p, shape, CYCLES, true).expect("the choice is built");
    assert!(tm.searched, "{}", tm.describe);
    assert_eq!((tm.nt, tm.block), (2, 2), "{}", tm.describe);
    let s = StreamPlan::mapped(&p, shape, &tm);
    assert_eq!(
        (s.order, s.groups, s.k_tiles, s.blocks, s.out_spill),
        (Order::WeightsOuter, 2, 4, 16, true),
        "{}",
        s.describe()
    );
    // the partial sums of all 32 tokens of the N tile's 16 lanes
    assert_eq!(shape.0 * tm.nt * p.lanes() * 4, engine_half);
    assert!(!s.partial_spill, "{}", s.describe());
    let o = AccelOptions {
        max_cycles: 400_000,
        ..mapped()
    };
    let r = check_gemm(&p, shape.0, shape.1, shape.2, &o).expect("runs");
    println!("{}", r.summary());
    assert_eq!(r.mapping, tm.describe);
    assert_eq!(r.engine.total, tl.cycles, "{}", r.summary());
    let want = LayerTiming {
        start: 184,
        done: 5960,
        total: 5960,
    };
    // one store a block's tile of its 2 groups, 16 blocks x 2 N tiles
    assert_stored_exact(&r, want, 32, 1024);
}

/// One token block more (34 tokens: 34 x 16 x 4 = 2176 B over the 2048 B
/// half) and the engine spills the partial sums between the K tiles:
/// 2 N tiles x 34 tokens x 16 lanes x 4 B x 3 K-tile boundaries = 13,056 B
/// written and read back, which the top refuses as a spill, not as a
/// staging half it could have kept.
#[test]
fn int8_partial_sums_over_the_half_are_spilled_by_the_engine() {
    let p = AccelParams::new(&int8(), 64).expect("builds");
    let shape = (34, 256, 32);
    let tm = weights_outer(4, 2, 2);
    let s = StreamPlan::mapped(&p, shape, &tm);
    assert_eq!(
        (s.groups, s.k_tiles, s.blocks),
        (2, 4, 17),
        "{}",
        s.describe()
    );
    assert!(s.partial_spill, "{}", s.describe());
    let spilled: u64 = s.tiles.iter().map(|t| t.partial_out).sum();
    assert_eq!(spilled, 2 * 34 * 16 * 4 * 3);
    let msg = takes_plan(&p, &s, shape).expect_err("refused");
    assert_spill_refused(&msg, spilled);
}

/// edge-int8 at AXI 512: 31-bit accumulators (4 bytes), a 32 KiB output
/// buffer of 128 words (64 lanes x 32 bits), a 16 KiB half for the engine
/// and 64 words (16 KiB) for the top. The 2B-4T 64-token prefills' edp
/// choice (weights outer, token blocks of 25, N tiles of 2 groups over 3
/// K tiles) needs 64 x 128 x 4 = 32,768 B of partial sums, twice the half:
/// the engine spills them (20, 5 and 54 N tiles x 32,768 B x 2 K-tile
/// boundaries), and the top refuses the spill; the 128-token prefill
/// spills in the fixed mapping too (40 groups x 128 x 64 x 4 B).
#[test]
fn edge_int8_prefills_spill_what_a_half_cannot_hold() {
    let p = AccelParams::new(&preset("edge-int8").expect("preset"), 512).expect("builds");
    assert_eq!((p.tile.acc_bits, p.out_words), (31, 128));
    let half = p.arch.buffers.outputs.tile_bytes();
    assert_eq!((half, top_half_bytes(&p)), (16384, 16384));
    for (n, spilled) in [(2560, 1_310_720), (640, 327_680), (6912, 3_538_944)] {
        let shape = (64, 2560, n);
        let s = StreamPlan::mapped(&p, shape, &weights_outer(p.slot_words / 2, 2, 25));
        assert_eq!((s.k_tiles, s.blocks), (3, 3), "{}", s.describe());
        assert!(64 * 2 * p.lanes() * 4 > half);
        assert!(s.partial_spill, "{}", s.describe());
        let got: u64 = s.tiles.iter().map(|t| t.partial_out).sum();
        assert_eq!(got, spilled, "{n}");
        let msg = takes_plan(&p, &s, shape).expect_err("refused");
        assert_spill_refused(&msg, spilled);
    }
    let s = StreamPlan::new(&p, 128, 2560, 2560);
    assert_eq!((s.k_tiles, s.groups), (2, 40), "{}", s.describe());
    assert!(s.partial_spill, "{}", s.describe());
    let got: u64 = s.tiles.iter().map(|t| t.partial_out).sum();
    assert_eq!(got, 40 * 128 * 64 * 4);
    assert!(takes_plan(&p, &s, (128, 2560, 2560)).is_err());
}

/// With 24-bit accumulators (3 bytes) the engine keeps an N tile of 2
/// groups over 40 tokens through 2 K tiles on chip (40 x 16 x 3 = 1920 B
/// of its 2048 B half, no spill) where the top's 32-bit words need 80 of
/// its 64-word half (2560 B): refused, naming the words and the half.
#[test]
fn narrower_accumulators_the_engine_keeps_are_refused() {
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 4;
    let p = AccelParams::new(&a, 64).expect("builds");
    assert_eq!(p.tile.acc_bits, 24);
    let shape = (40, 256, 16);
    let s = StreamPlan::mapped(&p, shape, &weights_outer(8, 2, 2));
    assert_eq!(
        (s.groups, s.k_tiles, s.blocks),
        (1, 2, 20),
        "{}",
        s.describe()
    );
    assert!(40 * 16 * 3 <= p.arch.buffers.outputs.tile_bytes());
    assert!(!s.partial_spill, "{}", s.describe());
    let msg = takes_plan(&p, &s, shape).expect_err("refused");
    assert!(
        msg.contains("N tile of 2 groups for all 40 tokens (80 output words)")
            && msg.contains("over a staging half (64 words of 32-bit accumulators)"),
        "{msg}"
    );
}
