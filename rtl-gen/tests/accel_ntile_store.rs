//! The mapper's N tiles over outputs stored per tile (`accel/ntile_store.rs`):
//! a layer whose outputs do not fit on chip, its input on chip, run in the
//! mapper's N tile: one weight load and ONE store of outputs a tile (its
//! groups' words one group after the other), exact against the engine's
//! prediction for the mapping `onebit sim` reports; a top whose store
//! carries one group's words is caught, and an N tile over streamed rows
//! is refused with the reason.

mod accel_common;

use accel_common::{exact_with, mapped, small, CYCLES};
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

#[test]
fn an_n_tile_over_stored_outputs_is_exact() {
    let a = small(8, 16, false);
    let p = AccelParams::new(&a, 128).expect("builds");
    let (_, _, tm) = engine_mapped(&p, SHAPE, CYCLES, true).expect("the mapper's choice is built");
    assert!(tm.searched);
    assert_eq!((tm.kt, tm.nt), (16, 2));
    let (_, fixed, _) = engine_mapped(&p, SHAPE, Mapper::Fixed, true).expect("fixed");
    let r = exact_with(&a, 128, SHAPE, &mapped());
    assert_eq!(r.mapping, tm.describe);
    // one store a tile: 16 N tiles of 2 groups
    assert_eq!(r.stores, (16, 16));
    println!("fixed mapping {} cycles", fixed.cycles);
    assert_eq!((r.engine.start, r.engine.done), (168, 7848));
    assert!(fixed.cycles > r.engine.total);
}

/// A store that carries only the N tile's first group
/// (`Mutation::NTileStoreGroup`): half the outputs never reach memory and
/// the later stores land early: the results are wrong.
#[test]
fn a_store_of_one_group_a_tile_is_caught() {
    let mut p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    p.mutation = Mutation::NTileStoreGroup;
    let r = check_gemm(&p, SHAPE.0, SHAPE.1, SHAPE.2, &mapped()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert_eq!(r.wrong_results, 0);
}

/// An N tile over streamed rows is refused with what is missing: 32
/// tokens of 256 (8 KiB over the 4 KiB activation buffer), the mapper's
/// weights outer in blocks of 8 with N tiles of 4.
#[test]
fn an_n_tile_over_streamed_rows_is_refused() {
    let p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    let msg = check_gemm(&p, 32, 256, 32, &mapped())
        .expect_err("refused")
        .to_string();
    println!("{msg}");
    assert!(
        msg.contains("an N tile of 4 feature groups over streamed rows"),
        "{msg}"
    );
    assert!(!msg.contains("stored outputs"), "{msg}");
}
