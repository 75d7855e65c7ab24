//! Outputs stored per tile under Verilator with the DRAM model in the
//! loop: a layer whose whole output (32-bit) does not fit the activation
//! buffer writes each feature group's outputs as one store when the
//! group's last K tile ends (the engine's `out_spill`), timed by the same
//! DRAM model as the loads, in the engine's issue order; start, completion
//! and total equal to the engine's, every result bit-exact at the
//! engine's store placement; a top that does not wait for the stores' write
//! responses, and one that drops a write beat, are caught. (The moves
//! themselves are checked against the engine's plan in `accel_stream.rs`.)

mod accel_common;

use accel_common::{banked, opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::image::LayerTiming;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// 8 x 16 with a 16 KiB activation buffer (8 KiB halves: 16 rows of 512 B)
/// and a 16 KiB output buffer (512 words of 8 accumulators, halves of 256),
/// weight registers of `token_tile` tokens.
fn storing(double: bool, token_tile: u32) -> Accelerator {
    let mut a = small(8, 16, double);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a.array.token_tile = token_tile;
    if token_tile > 1 {
        a.name.push_str(&format!("_t{token_tile}"));
    }
    a
}

/// `storing(true, 1)` with a 4 KiB output buffer (128 words).
fn small_out() -> Accelerator {
    let mut a = storing(true, 1);
    a.buffers.outputs.kib = 4;
    a.name.push_str("_o4");
    a
}

/// 16 x 16 with 16 KiB activation and output buffers.
fn storing16() -> Accelerator {
    let mut a = small(16, 16, true);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a
}

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 400_000,
        work: std::env::var_os("STORE_DBG").map(Into::into),
        ..opts()
    }
}

/// The engine's timing (start, done, total).
fn t(start: u64, done: u64) -> LayerTiming {
    LayerTiming {
        start,
        done,
        total: done,
    }
}

#[test]
fn outputs_stored_per_tile_run_exactly() {
    let mut failed = Vec::new();
    // (design, AXI, shape, order, token blocks, stores, engine timing).
    // 8 x 256 x 1024 (input on chip, 32 KiB of outputs over the 16 KiB
    // activation buffer): 128 groups of one 16-chunk K tile, 8 x 16 = 128
    // cycles each; the first load 512 B at 8 B/cycle + 40 = 104; at each
    // tile's end its 256 B store (40 + 32 cycles) goes before the next
    // fetch's 512 B (64), so every other tile waits 40 + 32 + 64 - 128 = 8
    // cycles (63 times); the last store lands 72 cycles after the compute
    // end: 104 + 128 x 128 + 63 x 8 + 72 = 17,064
    let cases = [
        (
            storing(true, 1),
            64,
            (8, 256, 1024),
            Order::OnChip,
            1,
            128,
            t(104, 17064),
        ),
        // 48 x 512 x 128: the input streamed in 3 blocks of 16, 16 groups a
        // block, each group's 16 x 8 x 4 B stored: first load 1 KiB of
        // weights + 8 KiB of rows at 8 B/cycle + 40 = 1,192
        (
            storing(true, 1),
            64,
            (48, 512, 128),
            Order::TokensOuter,
            3,
            48,
            t(1192, 27360),
        ),
        // the same with a 4 KiB output buffer (halves of 64 words): a
        // block's own 16 x 128 outputs (256 words) do not fit it either,
        // the layer's stores are what lets the blocks run
        (
            small_out(),
            64,
            (48, 512, 128),
            Order::TokensOuter,
            3,
            48,
            t(1192, 27360),
        ),
        // weight registers of 2 and 4 tokens: the same moves and cycles
        (
            storing(true, 2),
            64,
            (8, 256, 1024),
            Order::OnChip,
            1,
            128,
            t(104, 17064),
        ),
        (
            storing(true, 4),
            64,
            (48, 512, 128),
            Order::TokensOuter,
            3,
            48,
            t(1192, 27360),
        ),
        // K = 1024, 2 K tiles a group: the partial sums in the group's half,
        // one store a group after its second K tile (80 stores)
        (
            storing(true, 1),
            64,
            (8, 1024, 640),
            Order::OnChip,
            1,
            80,
            t(168, 41200),
        ),
        // the banked LPDDR5-6400 model (one channel) times the loads and
        // the stores (as writes) in the same order
        (
            banked(storing(true, 1)),
            64,
            (8, 256, 1024),
            Order::OnChip,
            1,
            128,
            t(120, 19819),
        ),
        // 16 x 16: a 16 KiB output buffer of 256 words (halves of 128)
        (
            storing16(),
            64,
            (16, 256, 512),
            Order::OnChip,
            1,
            32,
            t(168, 9128),
        ),
        // single-buffered weights, AXI 128: blocks of 16, 16, 8
        (
            storing(false, 1),
            128,
            (40, 512, 256),
            Order::TokensOuter,
            3,
            96,
            t(1192, 64808),
        ),
    ];
    for (arch, axi, shape, order, blocks, stores, timing) in cases {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
        assert_eq!(
            (s.order, s.blocks, s.out_spill, s.partial_spill),
            (order, blocks, true, false),
            "{}",
            s.describe()
        );
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        assert_eq!(r.engine, timing, "{shape:?}: the engine's prediction");
        assert_eq!(r.stores.0, stores, "{shape:?}");
        assert_eq!(r.results as u64, shape.0 * shape.2);
        if !r.passed() || r.rtl != Some(timing) || r.stores.1 != stores as i64 {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// The layer complete when its last output leaves the tile, without the
/// stores' write responses: done at the engine's compute end + drain
/// (16,992 + 4), 68 cycles before the last store lands, and the host,
/// reading memory after the interrupt, misses some of the last group's 64
/// outputs (their write data still on the way).
#[test]
fn a_layer_done_before_its_stores_land_is_caught() {
    let mut p = AccelParams::new(&storing(true, 1), 64).expect("builds");
    p.mutation = Mutation::StoreNoWait;
    let r = check_gemm(&p, 8, 256, 1024, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert!(
        r.wrong_results > 0 && r.wrong_results <= 64,
        "{}",
        r.summary()
    );
    let rtl = r.rtl.expect("completes");
    assert_eq!((rtl.start, rtl.done), (104, 16996), "{}", r.summary());
}

/// A store whose first write beat is never sent: its bursts end early
/// (WLAST where the slave counts a beat short) and the results shift.
#[test]
fn a_dropped_write_beat_is_caught() {
    let mut p = AccelParams::new(&storing(true, 1), 64).expect("builds");
    p.mutation = Mutation::StoreDropBeat;
    let o = AccelOptions {
        max_cycles: 60_000,
        ..o()
    };
    let r = check_gemm(&p, 8, 256, 1024, &o).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.problems > 0 || !r.finished, "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

/// Random AXI delays and back-pressure on every channel (the write
/// responses too): the stores still write every result where the engine
/// places it (correctness only).
#[test]
fn stored_outputs_are_correct_under_random_axi_timing() {
    let p = AccelParams::new(&storing(true, 1), 64).expect("builds");
    let o = AccelOptions {
        random: true,
        seed: 11,
        ..o()
    };
    let r = check_gemm(&p, 48, 512, 128, &o).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!((r.wrong_results, r.stores.1), (0, 48));
}
