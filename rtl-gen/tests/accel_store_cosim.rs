//! Outputs stored per tile under Verilator with the DRAM model in the
//! loop: a layer whose whole output does not fit the activation buffer
//! writes each feature group's outputs as one store when its last K tile
//! ends (the engine's `out_spill`), timed by the same DRAM model as the
//! loads; start, completion and total equal to the engine's, every result
//! bit-exact at the engine's store placement.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// 8 x 16 with a 16 KiB activation buffer (8 KiB halves: 16 rows of 512 B)
/// and a 16 KiB output buffer (512 words of 8 accumulators, halves of 256).
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

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 400_000,
        work: std::env::var_os("STORE_DBG").map(Into::into),
        ..opts()
    }
}

#[test]
fn outputs_stored_per_tile_exactly() {
    let mut failed = Vec::new();
    // (design, AXI, shape, order, token blocks, engine start / done / total)
    for (arch, axi, shape, order, blocks) in [
        (storing(true, 1), 64, (8, 256, 1024), Order::OnChip, 1),
        (storing(true, 1), 64, (48, 512, 128), Order::TokensOuter, 3),
        (storing(true, 2), 64, (8, 256, 1024), Order::OnChip, 1),
        (storing(true, 4), 64, (48, 512, 128), Order::TokensOuter, 3),
        (storing(true, 1), 64, (8, 1024, 640), Order::OnChip, 1),
        (
            storing(false, 1),
            128,
            (40, 512, 256),
            Order::TokensOuter,
            3,
        ),
    ] {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
        assert_eq!(
            (s.order, s.blocks, s.out_spill),
            (order, blocks, true),
            "{}",
            s.describe()
        );
        let r = check_gemm(&p, shape.0, shape.1, shape.2, &o()).expect("runs");
        println!("{}", r.summary());
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
