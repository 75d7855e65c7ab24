//! Token blocks as a loop of one descriptor (`block_loop.rs`) under
//! Verilator with the DRAM model in the loop: a layer whose input needs
//! more token blocks than the descriptor table has entries runs in the
//! engine's tokens-outer order from one descriptor; start, completion and
//! total equal to the engine's, every result bit-exact; a loop whose blocks
//! all read the first block's DRAM region is caught.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::block_loop::MAX_BLOCKS;
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::stream_check::streamed_plan;
use rtl_gen::accel::table::MAX_LAYERS;
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// 8 x 16 with a 16 KiB activation buffer (8 KiB halves: 16 rows of 512 B)
/// and a 16 KiB output buffer.
fn streaming() -> Accelerator {
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a
}

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 400_000,
        work: std::env::var_os("BLOCKS_DBG").map(Into::into),
        ..opts()
    }
}

#[test]
fn more_blocks_than_table_entries_run_exactly() {
    let p = AccelParams::new(&streaming(), 64).expect("builds");
    let mut failed = Vec::new();
    // (shape, engine start, done): 152 tokens in 9 blocks of 16 and one
    // of 8; the outputs kept on chip (16 features), stored per tile (64)
    for (shape, start, done) in [((152, 512, 16), 1192, 16532), ((152, 512, 64), 1192, 46360)] {
        let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
        assert_eq!((s.order, s.blocks, s.block), (Order::TokensOuter, 10, 16));
        assert!(s.blocks > u64::from(MAX_LAYERS));
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        if !r.passed() || (r.engine.start, r.engine.done) != (start, done) {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_loop_without_the_block_stride_is_caught() {
    let mut p = AccelParams::new(&streaming(), 64).expect("builds");
    p.mutation = Mutation::LoopNoStride;
    let r = check_gemm(&p, 152, 512, 16, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

#[test]
fn more_blocks_than_the_loop_counts_are_refused() {
    let p = AccelParams::new(&streaming(), 64).expect("builds");
    let m = (MAX_BLOCKS + 1) * 16;
    let e = streamed_plan(&p, m, 512, 16).expect_err("refused");
    assert!(e.contains("token blocks: the top's loop"), "{e}");
    assert!(streamed_plan(&p, MAX_BLOCKS * 16, 512, 16).is_ok());
}
