//! A layer whose input does not fit the activation buffer under Verilator
//! with the DRAM model in the loop: the engine's tokens-outer order, the
//! token blocks' rows streamed with their first weight transfers; start,
//! completion and total equal to the engine's, results bit-exact; a top
//! that starts a block's first tile on its weights alone is caught.
//! (The layers' moves themselves are checked against the engine's plan in
//! `accel_stream.rs`.)

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// 8 x 16 with a 16 KiB activation buffer (8 KiB halves: 16 rows of 512 B)
/// and a 16 KiB output buffer (512 words of 8 accumulators).
fn streaming(double: bool) -> Accelerator {
    let mut a = small(8, 16, double);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a
}

#[test]
fn an_input_that_does_not_fit_streams_exactly() {
    let o = AccelOptions {
        max_cycles: 100_000,
        work: std::env::var_os("STREAM_DBG").map(Into::into),
        ..opts()
    };
    let mut failed = Vec::new();
    // (design, AXI, shape, token blocks): 40 x 512 B of input in blocks of
    // 16, 16, 8; 64 x 512 B in four blocks; single-buffered weights
    for (arch, axi, shape, blocks) in [
        (streaming(true), 64, (40, 512, 64), 3),
        (streaming(true), 64, (64, 512, 32), 4),
        (streaming(false), 128, (40, 512, 64), 3),
    ] {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
        assert_eq!(
            (s.order, s.blocks),
            (Order::TokensOuter, blocks),
            "{}",
            s.describe()
        );
        assert!(p.refuses_layer(shape.0, shape.1, shape.2).is_some());
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o).expect("runs");
        println!("{}", r.summary());
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_block_started_before_its_rows_arrive_is_caught() {
    let mut p = AccelParams::new(&streaming(true), 64).expect("builds");
    p.mutation = Mutation::StreamEarlyStart;
    let o = AccelOptions {
        max_cycles: 100_000,
        ..opts()
    };
    let r = check_gemm(&p, 40, 512, 64, &o).expect("runs");
    println!("{}", r.summary());
    // the tile computes on rows not yet there, and its transfer's last
    // beat, arriving after the start, counts as a second arrival
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

/// Random AXI delays and back-pressure: the streamed rows still land where
/// the array reads them (correctness only).
#[test]
fn a_streamed_input_is_correct_under_random_axi_timing() {
    let p = AccelParams::new(&streaming(true), 64).expect("builds");
    let o = AccelOptions {
        random: true,
        seed: 7,
        max_cycles: 200_000,
        ..opts()
    };
    let r = check_gemm(&p, 40, 512, 64, &o).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!(r.wrong_results, 0);
}
