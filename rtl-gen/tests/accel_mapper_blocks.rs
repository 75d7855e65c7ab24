//! The mapper's token blocks and loop order on a streamed layer
//! (`mapping.rs`, `stream.rs`, `block_loop.rs`): a layer whose input does
//! not fit the activation buffer, checked with the mapper (objective
//! cycles), runs the choice's token block, loop order (weights outer) and
//! K tile, its blocks a loop of one descriptor with the blocks after the
//! first holding the weights; start, completion and total equal to the
//! engine's for that mapping (and below the fixed mapping's), every result
//! bit-exact, every transfer at the engine's placement. A loop whose later
//! blocks load the weights again (`Mutation::WoLoopUnheld`) is caught, and
//! an N tile over streamed rows stays refused, naming only that.

mod accel_common;

use accel_common::{mapped, small, CYCLES};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::table::MAX_LAYERS;
use rtl_gen::accel::AccelParams;
use sim::mapping::Mapper;
use sim::Accelerator;

/// 8 x 16 with 16 KiB activation and output buffers (8 KiB halves: 16
/// rows of 512 B), double-buffered 2 KiB weights.
fn streaming() -> Accelerator {
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a
}

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 400_000,
        work: std::env::var_os("MAPPER_BLOCKS_DBG").map(Into::into),
        ..mapped()
    }
}

/// `(shape, K tile, token block, blocks, engine start, done, fixed total)`.
type Case = ((u64, u64, u64), u64, u64, u64, u64, u64, u64);

/// Weights outer in the mapper's blocks, more of them than the table's
/// entries, and its K tiles: exact.
#[test]
fn the_mappers_blocks_weights_outer_are_exact() {
    let p = AccelParams::new(&streaming(), 64).expect("builds");
    let cases: [Case; 2] = [
        // 10 blocks of 4 tokens x 2 K tiles of 16 chunks (the fixed
        // mapping: 3 blocks of 16, one K tile of 32)
        ((40, 512, 8), 16, 4, 10, 232, 2796, 2988),
        // 10 blocks of 16 x 2 K tiles of 4 chunks
        ((152, 128, 8), 4, 16, 10, 184, 2580, 2828),
    ];
    let mut failed = Vec::new();
    for (shape, kt, block, blocks, start, done, fixed_total) in cases {
        let (_, tl, tm) = engine_mapped(&p, shape, CYCLES, true).expect("the choice is built");
        assert!(tm.searched, "{shape:?}");
        assert_eq!((tm.kt, tm.block), (kt, block), "{shape:?}: {}", tm.describe);
        let s = StreamPlan::mapped(&p, shape, &tm);
        assert_eq!(
            (s.order, s.block, s.blocks),
            (Order::WeightsOuter, block, blocks)
        );
        assert!(s.blocks > u64::from(MAX_LAYERS));
        let (_, fixed, _) = engine_mapped(&p, shape, Mapper::Fixed, true).expect("fixed");
        assert_eq!(fixed.cycles, fixed_total, "{shape:?}");
        assert!(tl.cycles < fixed.cycles, "{shape:?}");
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        assert_eq!(r.mapping, tm.describe);
        if !r.passed() || (r.engine.start, r.engine.done) != (start, done) {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// A loop whose blocks after the first load the weights again: their
/// transfers are longer than the engine's, at other addresses.
#[test]
fn a_loop_whose_later_blocks_reload_the_weights_is_caught() {
    let mut p = AccelParams::new(&streaming(), 64).expect("builds");
    p.mutation = Mutation::WoLoopUnheld;
    let r = check_gemm(&p, 40, 512, 8, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    // (every later block's tiles wait for weights it reloads over the
    // rows: 0 of 320 right, done 3948 against 2796)
    assert!(r.wrong_results > 0, "{}", r.summary());
    assert_ne!(
        r.rtl.map(|t| t.done),
        Some(r.engine.done),
        "{}",
        r.summary()
    );
}

/// The mapper's N tile over streamed rows stays refused, the message
/// naming the N tile and not the token blocks or the loop order.
#[test]
fn an_n_tile_over_streamed_rows_is_refused() {
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 1;
    let p = AccelParams::new(&a, 64).expect("builds");
    let msg = check_gemm(&p, 8, 256, 16, &o())
        .expect_err("refused")
        .to_string();
    assert!(
        msg.contains("N tile of 2 feature groups over streamed rows"),
        "{msg}"
    );
    assert!(!msg.contains("token blocks and loop order"), "{msg}");
    engine_mapped(&p, (8, 256, 16), Mapper::Fixed, true).expect("fixed");
}
