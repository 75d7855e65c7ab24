//! The mapper's N tiles over streamed rows (`ntile_stream.rs`): a layer
//! whose input does not fit the activation buffer and whose outputs are
//! stored per tile, checked with the mapper (objective cycles), runs its
//! choice weights outer with an N tile of several feature groups: a
//! tile's transfer its N tile's weights (the first block's only, the
//! later blocks hold them) then its block's rows, loaded once for all its
//! groups; its groups one after the other; one store a block's tile of
//! its groups' words. Start, completion and total equal to the engine's
//! for that mapping, every result bit-exact, every transfer and store at
//! the engine's placement. A staging half whose blocks step by one
//! group's tokens (`Mutation::NTileStreamStride`) is caught; an N tile
//! over streamed rows with the outputs on chip stays refused.

mod accel_common;

use accel_common::{assert_spill_refused, mapped, small, CYCLES};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use sim::mapping::Mapper;
use sim::Accelerator;

/// 8 x 16 with a 1 KiB activation buffer (512 B halves) and a 4 KiB
/// output buffer (2 KiB staging halves of 64 words), double-buffered
/// 2 KiB weights.
fn design() -> Accelerator {
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 4;
    a
}

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 400_000,
        work: std::env::var_os("NTILE_STREAM_DBG").map(Into::into),
        ..mapped()
    }
}

/// `(shape, N tile, N tiles, K tiles, token block, blocks, engine start,
/// done, fixed total)`.
type Case = ((u64, u64, u64), u64, u64, u64, u64, u64, u64, u64, u64);

/// Weights outer with the mapper's N tile over streamed rows: one N tile
/// of 4 groups over 2 K tiles and 8 blocks, and 2 N tiles of 8 groups (the
/// weight slots alternate per N tile) over 4 K tiles and 4 blocks: exact.
#[test]
fn n_tiles_over_streamed_rows_are_exact() {
    let p = AccelParams::new(&design(), 64).expect("builds");
    let cases: [Case; 2] = [
        ((16, 256, 32), 4, 1, 2, 2, 8, 200, 1576, 2672),
        ((8, 256, 128), 8, 2, 4, 2, 4, 184, 3384, 4976),
    ];
    let mut failed = Vec::new();
    for (shape, nt, ntiles, k_tiles, block, blocks, start, done, fixed_total) in cases {
        let (_, tl, tm) = engine_mapped(&p, shape, CYCLES, true).expect("the choice is built");
        assert!(tm.searched, "{shape:?}");
        assert_eq!((tm.nt, tm.block), (nt, block), "{shape:?}: {}", tm.describe);
        let s = StreamPlan::mapped(&p, shape, &tm);
        assert_eq!(
            (s.order, s.groups, s.k_tiles, s.block, s.blocks, s.out_spill),
            (Order::WeightsOuter, ntiles, k_tiles, block, blocks, true),
            "{}",
            s.describe()
        );
        // the weights with each N tile's K tile's first block only
        assert!(s
            .tiles
            .iter()
            .all(|t| (t.weight_bytes > 0) == (t.block == 0) && t.groups == nt));
        let (_, fixed, _) = engine_mapped(&p, shape, Mapper::Fixed, true).expect("fixed");
        println!("{shape:?}: fixed mapping {} cycles", fixed.cycles);
        assert_eq!(fixed.cycles, fixed_total, "{shape:?}");
        assert!(tl.cycles < fixed.cycles, "{shape:?}");
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        assert_eq!(r.mapping, tm.describe);
        let rtl = r.rtl.map(|t| (t.start, t.done, t.total));
        if !r.passed()
            || r.wrong_results != 0
            || r.results != (shape.0 * shape.2) as usize
            || (r.engine.start, r.engine.done, r.engine.total) != (start, done, done)
            || rtl != Some((start, done, done))
            || r.stores != (blocks * ntiles, (blocks * ntiles) as i64)
        {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Blocks staged one group's tokens apart: each block's tile overwrites
/// the groups of the block before it in the staging half, at the engine's
/// timing.
#[test]
fn blocks_staged_a_group_apart_are_caught() {
    let mut p = AccelParams::new(&design(), 64).expect("builds");
    p.mutation = Mutation::NTileStreamStride;
    let r = check_gemm(&p, 16, 256, 32, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    // (only the first block's first group's 16 results land where its
    // store reads them)
    assert_eq!(r.wrong_results, 496, "{}", r.summary());
    let rtl = r.rtl.expect("the layer ran");
    assert_eq!(
        (rtl.start, rtl.done, rtl.total),
        (r.engine.start, r.engine.done, r.engine.total)
    );
}

/// With the outputs kept in the output buffer (it holds a group's tokens
/// one after the other, not a block's tile's groups) the N tile over
/// streamed rows is refused, naming that.
#[test]
fn an_n_tile_over_streamed_rows_with_the_outputs_on_chip_is_refused() {
    let mut a = design();
    a.buffers.outputs.kib = 1;
    let p = AccelParams::new(&a, 64).expect("builds");
    let msg = check_gemm(&p, 8, 256, 16, &o())
        .expect_err("refused")
        .to_string();
    assert!(
        msg.contains(
            "N tile of 2 feature groups over streamed rows (the input streams through DRAM) \
             with the outputs kept in the output buffer"
        ),
        "{msg}"
    );
}

/// Weights outer with several K tiles every block's tile keeps its partial
/// sums through the K tiles: an N tile of 4 groups of 32 tokens is 32 x 32
/// x 3 B over the engine's 2 KiB output half, so the engine spills them to
/// DRAM between its 2 K tiles, which the top refuses.
#[test]
fn an_n_tiles_partial_sums_over_a_half_are_refused() {
    let mut a = design();
    a.buffers.activations.kib = 2;
    let p = AccelParams::new(&a, 64).expect("builds");
    let msg = check_gemm(&p, 32, 256, 32, &o())
        .expect_err("refused")
        .to_string();
    assert_spill_refused(&msg, 3072);
}
