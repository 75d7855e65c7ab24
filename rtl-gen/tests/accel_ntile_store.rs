//! The mapper's N tiles over outputs stored per tile (`accel/ntile_store.rs`):
//! a layer whose outputs do not fit on chip, its input on chip, run in the
//! mapper's N tile: one weight load and ONE store of outputs a tile (its
//! groups' words one group after the other), exact against the engine's
//! prediction for the mapping `onebit sim` reports; a top whose store
//! carries one group's words is caught, and an N tile over streamed rows
//! with the outputs kept in the output buffer is refused with the reason
//! (stored per tile it runs, `accel_ntile_stream.rs`).

mod accel_common;

use accel_common::{assert_spill_refused, exact_with, mapped, small, CYCLES};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::mapping::Mapper;

/// The layer of the tests: 8 tokens of 256 into 256 outputs on the
/// single-buffered 8 x 16 design (AXI 128): the input (2 KiB) on chip,
/// the outputs (8 KiB) over the 4 KiB activation buffer, so stored per
/// tile; the mapper (cycles) takes N tiles of 2 groups.
const SHAPE: (u64, u64, u64) = (8, 256, 256);

/// On the single-buffered 8 x 16 design (AXI 128) with the mapper on
/// cycles: [`SHAPE`] (16 N tiles of 2 groups, 16 stores of 512 B) and 16
/// tokens into 128 outputs (8 N tiles, 8 stores of 1 KiB); each exact
/// (start / done / total the engine's, every result bit-exact, one store
/// a tile at the engine's placement, the weight-buffer reads the
/// mapping's) and below the fixed mapping's one store a group.
#[test]
fn an_n_tile_over_stored_outputs_is_exact() {
    let a = small(8, 16, false);
    let p = AccelParams::new(&a, 128).expect("builds");
    // (shape, stores, engine start / done, the fixed mapping's total)
    let cases = [
        (SHAPE, 16, (168, 7848), 8488),
        ((16, 256, 128), 8, (168, 6504), 6824),
    ];
    for (shape, stores, (start, done), fixed_total) in cases {
        let (_, _, tm) =
            engine_mapped(&p, shape, CYCLES, true).expect("the mapper's choice is built");
        assert!(tm.searched);
        assert_eq!((tm.kt, tm.nt), (16, 2));
        let (_, fixed, _) = engine_mapped(&p, shape, Mapper::Fixed, true).expect("fixed");
        let r = exact_with(&a, 128, shape, &mapped());
        println!("{shape:?}: fixed mapping {} cycles", fixed.cycles);
        assert_eq!(r.mapping, tm.describe);
        assert_eq!(r.stores, (stores, stores as i64));
        assert_eq!((r.engine.start, r.engine.done), (start, done));
        assert_eq!(fixed.cycles, fixed_total);
        assert!(fixed.cycles > r.engine.total);
    }
}

/// A store that carries only the N tile's first group
/// (`Mutation::NTileStoreGroup`): half the outputs never reach memory, the
/// later stores land early, and the shorter stores end the layer 512
/// cycles early (7336 against the engine's 7848): 64 of the 2,048
/// results right.
#[test]
fn a_store_of_one_group_a_tile_is_caught() {
    let mut p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    p.mutation = Mutation::NTileStoreGroup;
    let r = check_gemm(&p, SHAPE.0, SHAPE.1, SHAPE.2, &mapped()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert_eq!(r.wrong_results, 1984);
    assert!(
        r.summary().contains("difference +0 / -512 / -512"),
        "{}",
        r.summary()
    );
}

/// An N tile over streamed rows is refused with what is missing: 32
/// tokens of 256 (8 KiB over the 4 KiB activation buffer), the mapper's
/// weights outer in blocks of 8 with N tiles of 4, whose partial sums
/// (32 tokens x 32 outputs x 3 B, over the 2 KiB output half) the engine
/// spills to DRAM between its 2 K tiles.
#[test]
fn an_n_tile_over_streamed_rows_is_refused() {
    let p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    let msg = check_gemm(&p, 32, 256, 32, &mapped())
        .expect_err("refused")
        .to_string();
    println!("{msg}");
    assert_spill_refused(&msg, 3072);
    assert!(!msg.contains("stored outputs"), "{msg}");
}
