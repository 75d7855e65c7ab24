//! Stores per tile that are not whole bus beats, under Verilator with the
//! DRAM model in the loop: a 13 x 16 MAC design with INT8 weights and
//! activations (a 416-bit output word, 6.5 beats of 64 bits, as
//! edge-w8a8's) stores each feature group's 3 tokens as 156 bytes
//! (19.5 beats; the partial last group of 7 lanes 84 bytes), one store
//! right after the other from the layer's output base, so most start and
//! end inside a beat: an unaligned first AW address, full-width beats
//! with byte strobes, the slave writing only the strobed bytes and
//! timing each store's bytes (from its first address and `AWUSER`) with
//! the engine's DRAM model. Start, completion and total equal to the
//! engine's, every result bit-exact; a store whose first beat strobes
//! every byte (over the store before it's last bytes) is caught.

mod accel_common;

use accel_common::{lint_top, opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::image::LayerTiming;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::strobes;
use rtl_gen::accel::AccelParams;
use sim::arch::Reduction;
use sim::Accelerator;
use workloads::Precision;

/// 13 x 16 MAC, INT8 x INT8, a weight tile of 32 chunks double-buffered
/// (13 KiB), 4 KiB activation and output buffers, 8 B/cycle and 40 ns.
fn w8() -> Accelerator {
    let mut a = small(13, 16, true);
    a.name = "strb_l13_w16".into();
    a.array.reduction = Reduction::Mac;
    a.array.activations = Precision::Int(8);
    a.array.weights = Precision::Int(8);
    a.buffers.weights.kib = (13 * 16 * 32 * 2u64).div_ceil(1024) as u32;
    a
}

fn o() -> AccelOptions {
    AccelOptions {
        max_cycles: 400_000,
        work: std::env::var_os("STORE_DBG").map(Into::into),
        ..opts()
    }
}

/// The layer of the suite: 3 x 512 x 410 (4,920 B of outputs over the
/// 4 KiB activation buffer), 32 groups of one 32-chunk K tile.
const LAYER: (u64, u64, u64) = (3, 512, 410);

/// Every store at the engine's placement (156 B each, 84 B the last, so
/// the stores start at bytes 0, 4, 0, 4, ... of 8-byte beats), exact and
/// bit-exact.
#[test]
fn stores_that_are_not_whole_beats_run_exactly() {
    let p = AccelParams::new(&w8(), 64).expect("builds");
    assert!(strobes::strobed(&p) && p.oword_bits() == 416);
    let (m, k, n) = LAYER;
    let s = StreamPlan::new(&p, m, k, n);
    assert_eq!(
        (s.order, s.blocks, s.out_spill, s.partial_spill),
        (Order::OnChip, 1, true, false),
        "{}",
        s.describe()
    );
    let bytes: Vec<u64> = s
        .tiles
        .iter()
        .map(|t| t.out_bytes)
        .filter(|&b| b > 0)
        .collect();
    assert_eq!(bytes.len(), 32);
    assert!(bytes[..31].iter().all(|&b| b == 156) && bytes[31] == 84);
    let r = check_gemm(&p, m, k, n, &o()).expect("runs");
    println!("{}", r.summary());
    let engine = LayerTiming {
        start: 872,
        done: 27027,
        total: 27027,
    };
    accel_common::assert_stored_exact(&r, engine, 32, (m * n) as usize);
    assert_eq!((r.addr_mismatch, r.problems), (0, 0), "{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
}

/// A store whose first beat strobes every byte writes its padding over
/// the last bytes of the store before it (written earlier on the one
/// write channel): those results are wrong, and the slave sees stores that
/// strobed other bytes than they were timed for.
#[test]
fn a_first_beat_strobing_every_byte_is_caught() {
    let mut p = AccelParams::new(&w8(), 64).expect("builds");
    p.mutation = Mutation::StoreStrobeFull;
    let (m, k, n) = LAYER;
    let r = check_gemm(&p, m, k, n, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert_eq!(r.rtl, Some(r.engine), "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
    assert!(r.problems > 0, "{}", r.summary());
}

/// The strobed tops lint clean (`verilator --lint-only -Wall`): the
/// 13 x 16 design at 64 and 512 bits.
#[test]
fn strobed_tops_lint_clean() {
    for axi in [64, 512] {
        let p = AccelParams::new(&w8(), axi).expect("builds");
        assert!(strobes::strobed(&p));
        let r = lint_top(&p);
        assert!(r.clean, "axi {axi}: {}", r.output);
    }
}
