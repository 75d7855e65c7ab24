//! The accelerator top on `ternary-packed` weights (five trits a byte, the
//! engine's 1.6 bits a weight in DRAM and in the weight buffer), unpacked
//! to the tile's 2-bit codes between the weight buffer and the tile. Under
//! Verilator with the simulator's DRAM model: every result bit-exact with
//! the bit-exact model, the layer's start, completion and total equal to
//! the engine's (pinned here), the weight buffer's reads equal to the
//! mapping's; the shapes the top does not take refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::Accelerator;
use workloads::Precision;

/// `small(lanes, width, true)` with `ternary-packed` weights and a weight
/// tile of `chunks` chunks (double-buffered): `lanes x width / 5` bytes a chunk.
fn design(tag: &str, (lanes, width): (u32, u32), chunks: u64) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.name = format!("tp_{tag}");
    a.array.weights = Precision::TernaryPacked;
    let tile_bytes = u64::from(lanes * width) / 5 * chunks;
    a.buffers.weights.kib = (tile_bytes * 2).div_ceil(1024) as u32;
    a
}

/// 10 x 16 (160 weights a chunk: 32 bytes packed, a 256-bit weight word
/// against 320 bits of codes), AXI 64: one layer; a K split (K = 1024 in
/// two tiles of 32 chunks: the slot holds 32 chunks of 32 bytes, 1 KiB, where
/// 2-bit codes would hold 25); and DRAM-bound decode.
#[test]
fn packed_ternary_is_exact() {
    let tp = design("a", (10, 16), 32);
    let p = AccelParams::new(&tp, 64).expect("builds");
    assert_eq!((p.wword_bits(), p.slot_words), (256, 32));
    let got = vec![
        exact(&tp, 64, (2, 256, 20)),
        exact(&tp, 64, (2, 1024, 20)),
        exact(&tp, 64, (1, 512, 40)),
    ];
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 204), (168, 620), (168, 588)]);
}

/// What the packed top does not take is refused with the reason: lanes x
/// width not a multiple of 5 (the packed word is not whole bytes), a short
/// chunk and a partial group.
#[test]
fn packed_refusals_name_the_reason() {
    let why = |a: &Accelerator| match AccelParams::new(a, 64) {
        Err(RtlError::Unsupported(w)) => w,
        other => panic!("{}: expected a refusal, got {other:?}", a.name),
    };
    let w = why(&design("b", (8, 16), 32));
    assert!(w.contains("multiple of 5"), "{w}");
    let p = AccelParams::new(&design("a", (10, 16), 32), 64).expect("builds");
    let short = p.refuses_layer(2, 264, 20).expect("refused");
    assert!(short.contains("ternary-packed"), "{short}");
    let part = p.refuses_layer(2, 256, 15).expect("refused");
    assert!(part.contains("ternary-packed"), "{part}");
}

/// The packed top lints clean (`verilator --lint-only -Wall`, the top's
/// documented waivers only).
#[test]
fn packed_top_lints_clean() {
    let p = AccelParams::new(&design("a", (10, 16), 32), 64).expect("builds");
    let l = lint_top(&p);
    assert!(l.clean, "{}", l.output);
}

/// An unpacker that reads a byte's trits in the wrong order
/// (`Mutation::TritOrder`) is caught: the timing is the engine's, but the
/// results are not the bit-exact model's.
#[test]
fn unpacker_in_the_wrong_order_is_caught() {
    let mut p = AccelParams::new(&design("a", (10, 16), 32), 64).expect("builds");
    p.mutation = rtl_gen::accel::params::Mutation::TritOrder;
    let r = check_gemm(&p, 2, 256, 20, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(r.finished);
    let rtl = r.rtl.expect("the layer ran");
    assert_eq!((rtl.start, rtl.done), (r.engine.start, r.engine.done));
    assert_eq!(r.wrong_results, 40);
}
