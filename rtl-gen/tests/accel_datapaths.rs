//! The accelerator top on the lane-array datapaths besides ternary INT8:
//! the adder tree with binary and binary01 weights and INT2 / INT4
//! activations, the mac with INT4 and INT8 weights, the bit-serial popcount
//! (initiation interval 4) and the XNOR popcount. Under Verilator with the
//! simulator's DRAM model: every result bit-exact with the bit-exact
//! model, the layer's start, completion and total equal to the engine's
//! (pinned here), the weight buffer's reads equal to the mapping's; and
//! the datapaths the top does not build refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::arch::Reduction;
use sim::Accelerator;
use workloads::Precision;

/// `small(lanes, width, true)` (8 B/cycle, 40 ns DRAM, 4 KiB activation and
/// output buffers) with the datapath `reduction` on `acts` x `weights`, a
/// weight tile of 32 chunks (double-buffered), `planes_per_cycle` planes.
fn design(
    tag: &str,
    (lanes, width): (u32, u32),
    reduction: Reduction,
    acts: Precision,
    weights: Precision,
    planes: u32,
) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.name = format!("dp_{tag}");
    a.array.reduction = reduction;
    a.array.activations = acts;
    a.array.weights = weights;
    a.array.planes_per_cycle = planes;
    let bits = u64::from(sim::bitexact::encoding::weight_bits(weights).expect("integer"));
    let tile_bytes = u64::from(lanes * width) * bits * 32 / 8;
    a.buffers.weights.kib = (tile_bytes * 2).div_ceil(1024) as u32;
    a
}

/// The adder tree with binary (+-1) and binary01 weights (one bit a
/// weight: eight a byte in memory, a weight word of 128 bits on 8 x 16),
/// a partial last group and a K split.
#[test]
fn adder_tree_binary_weights_are_exact() {
    let mut got = Vec::new();
    let bin = design(
        "bin",
        (8, 16),
        Reduction::AdderTree,
        Precision::Int(8),
        Precision::Binary,
        1,
    );
    // DRAM-bound decode: 4 tiles of 256 B
    got.push(exact(&bin, 64, (1, 256, 32)));
    // a partial last group of 4 lanes (64 bits a chunk) and 2 K tiles
    got.push(exact(&bin, 64, (2, 768, 20)));
    let b01 = design(
        "b01",
        (8, 16),
        Reduction::AdderTree,
        Precision::Int(8),
        Precision::Binary01,
        1,
    );
    got.push(exact(&b01, 64, (3, 128, 16)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(72, 212), (104, 508), (56, 108)]);
}

/// INT4 activations (a row of K / 2 bytes, an activation word of 64
/// bits) and INT2 activations (8 x 32: an activation word of 64 bits),
/// ternary weights; a short last chunk with INT4 on 8 x 32.
#[test]
fn adder_tree_narrow_activations_are_exact() {
    let mut got = Vec::new();
    let a4 = design(
        "a4",
        (8, 16),
        Reduction::AdderTree,
        Precision::Int(4),
        Precision::Ternary,
        1,
    );
    got.push(exact(&a4, 64, (2, 256, 32)));
    got.push(exact(&a4, 64, (4, 192, 24)));
    let a2 = design(
        "a2",
        (8, 32),
        Reduction::AdderTree,
        Precision::Int(2),
        Precision::Ternary,
        1,
    );
    got.push(exact(&a2, 64, (2, 512, 16)));
    let a4w = design(
        "a4w",
        (8, 32),
        Reduction::AdderTree,
        Precision::Int(4),
        Precision::Ternary,
        1,
    );
    // K % width = 16: a short last chunk of 16 elements (8 lanes x 16 x 2 bits)
    got.push(exact(&a4w, 64, (2, 272, 16)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 340), (88, 276), (168, 333), (108, 199)]);
}

/// The mac with INT8 and INT4 weights (a weight word of 8 x 16 x 8 and
/// x 4 bits), INT8 activations: one chunk a cycle.
#[test]
fn mac_integer_weights_are_exact() {
    let mut got = Vec::new();
    let w8 = design(
        "w8",
        (8, 16),
        Reduction::Mac,
        Precision::Int(8),
        Precision::Int(8),
        1,
    );
    got.push(exact(&w8, 64, (2, 256, 16)));
    let w4 = design(
        "w4",
        (8, 16),
        Reduction::Mac,
        Precision::Int(8),
        Precision::Int(4),
        1,
    );
    got.push(exact(&w4, 64, (3, 256, 24)));
    // a partial last group of 4 lanes (4 x 16 x 4 bits = one beat a chunk)
    got.push(exact(&w4, 64, (2, 256, 20)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(296, 589), (168, 477), (168, 397)]);
}

/// The bit-serial popcount on INT8 activations and ternary weights, 2
/// planes a cycle: II = 4, the feeder holds each chunk 4 cycles; and the
/// XNOR popcount (binary x binary, one plane: II = 1) on 8 x 64.
#[test]
fn popcount_is_exact() {
    let mut got = Vec::new();
    let pc = design(
        "pc",
        (8, 16),
        Reduction::Popcount,
        Precision::Int(8),
        Precision::Ternary,
        2,
    );
    assert_eq!(AccelParams::new(&pc, 64).expect("builds").tile.ii(), 4);
    got.push(exact(&pc, 64, (2, 256, 16)));
    got.push(exact(&pc, 64, (1, 512, 32)));
    got.push(exact(&pc, 64, (3, 256, 20)));
    let xn = design(
        "xn",
        (8, 64),
        Reduction::Popcount,
        Precision::Binary,
        Precision::Binary,
        1,
    );
    got.push(exact(&xn, 64, (2, 512, 16)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 364), (168, 724), (104, 684), (104, 189)]);
}

/// What the top does not build is refused with the reason: ternary-packed
/// weights whose slot is not whole five-chunk words (12 x 16: 1 KiB holds
/// 26 chunks at the engine's 1.6 bits a weight), the LUT preset (its weight word of 5-bit group
/// indices, which the weight gearbox does not take), INT3
/// activations, II > 1 with weight registers, and a short chunk of binary
/// activations and weights (its zero-code padding is -1 x -1).
#[test]
fn refusals_name_the_reason() {
    let why = |a: &Accelerator| match AccelParams::new(a, 64) {
        Err(RtlError::Unsupported(w)) => w,
        other => panic!("{}: expected a refusal, got {other:?}", a.name),
    };
    let mut tp = small(12, 16, true);
    tp.array.weights = Precision::TernaryPacked;
    tp.buffers.weights.kib = 2;
    assert!(why(&tp).contains("multiple of 5 chunks"), "{}", why(&tp));
    let lut = {
        let mut a = sim::arch::preset("edge-lut").expect("preset");
        a.array.token_tile = 1;
        a
    };
    // (its 5-bit group indices are decoded, its 5,355-bit words and 504-bit
    // input words through the gearboxes: it builds; the 2B-4T K = 2560
    // leaves a last chunk of 40 elements, 14 groups a lane the last of one
    // weight: taken, but its tile of 51 x 854 x 5 bits, 27,222 bytes, is
    // not whole 8-byte beats)
    let p = AccelParams::new(&lut, 64).expect("builds");
    assert_eq!(p.refuses_layer(1, 2560, 640), None);
    let w = p.refuses_tile(p.weight_bytes(51, 2560)).expect("refused");
    assert!(w.contains("27222 bytes is not whole 8-byte beats"), "{w}");
    let a3 = design(
        "a3",
        (8, 64),
        Reduction::AdderTree,
        Precision::Int(3),
        Precision::Ternary,
        1,
    );
    assert!(why(&a3).contains("1, 2, 4 or 8 bits"), "{}", why(&a3));
    let mut pct = design(
        "pct",
        (8, 16),
        Reduction::Popcount,
        Precision::Int(8),
        Precision::Ternary,
        2,
    );
    pct.array.token_tile = 2;
    assert!(why(&pct).contains("initiation interval 4"), "{}", why(&pct));
    // 8 x 128 XNOR: K = 576 leaves a short chunk of 64 elements
    let xn = design(
        "xn",
        (8, 128),
        Reduction::Popcount,
        Precision::Binary,
        Precision::Binary,
        1,
    );
    let p = AccelParams::new(&xn, 64).expect("builds");
    let short = p.refuses_layer(2, 576, 16).expect("refused");
    assert!(short.contains("-1 for both"), "{short}");
    // the ternary INT8 design is still built, and a K the rows' beats allow
    assert!(AccelParams::new(&small(8, 16, true), 64).is_ok());
}

/// The top of every datapath above lints clean (`verilator --lint-only
/// -Wall`, the top's documented waivers only).
#[test]
fn every_datapath_lints_clean() {
    let designs = [
        (
            "bin",
            (8, 16),
            Reduction::AdderTree,
            Precision::Int(8),
            Precision::Binary,
            1,
        ),
        (
            "b01",
            (8, 16),
            Reduction::AdderTree,
            Precision::Int(8),
            Precision::Binary01,
            1,
        ),
        (
            "a4w",
            (8, 32),
            Reduction::AdderTree,
            Precision::Int(4),
            Precision::Ternary,
            1,
        ),
        (
            "a2",
            (8, 32),
            Reduction::AdderTree,
            Precision::Int(2),
            Precision::Ternary,
            1,
        ),
        (
            "w8",
            (8, 16),
            Reduction::Mac,
            Precision::Int(8),
            Precision::Int(8),
            1,
        ),
        (
            "w4",
            (8, 16),
            Reduction::Mac,
            Precision::Int(8),
            Precision::Int(4),
            1,
        ),
        (
            "pc",
            (8, 16),
            Reduction::Popcount,
            Precision::Int(8),
            Precision::Ternary,
            2,
        ),
        (
            "xn",
            (8, 64),
            Reduction::Popcount,
            Precision::Binary,
            Precision::Binary,
            1,
        ),
    ];
    for (tag, shape, r, a, w, planes) in designs {
        let p = AccelParams::new(&design(tag, shape, r, a, w, planes), 64).expect("builds");
        let l = lint_top(&p);
        assert!(l.clean, "{tag}: {}", l.output);
    }
}

/// A feeder that offers the popcount's chunks one a cycle instead of
/// holding each II cycles is caught: the tile takes one in four, most
/// reductions lose their last chunk, and the layer never completes.
#[test]
fn popcount_feeder_without_hold_is_caught() {
    let pc = design(
        "pc",
        (8, 16),
        Reduction::Popcount,
        Precision::Int(8),
        Precision::Ternary,
        2,
    );
    let mut p = AccelParams::new(&pc, 64).expect("builds");
    p.mutation = rtl_gen::accel::params::Mutation::NoHold;
    let o = rtl_gen::accel::check::AccelOptions {
        max_cycles: 20_000,
        ..opts()
    };
    let r = check_gemm(&p, 2, 256, 16, &o).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(!r.finished);
    assert_eq!(r.wrong_results, 32);
}

/// q, k, v, o as one chain of independent layers (4 tokens: 4 x 64 x 32,
/// 4 x 64 x 16 twice, 4 x 16 x 64) on INT4 activations, the INT4-weight
/// mac and the popcount: every layer's start and completion equal to
/// `engine_chain`'s (pinned), every result bit-exact (the rows packed at
/// the activation bits, each layer's at its own offset).
#[test]
fn chains_are_exact() {
    use rtl_gen::accel::chain::ChainLayer;
    use rtl_gen::accel::chain_check::check_chain;
    let layer = |m, k, n| ChainLayer {
        m,
        k,
        n,
        after: None,
        shift: 0,
        out_shift: None,
    };
    let qkvo = [
        layer(4, 64, 32),
        layer(4, 64, 16),
        layer(4, 64, 16),
        layer(4, 16, 64),
    ];
    let designs = [
        design(
            "a4",
            (8, 16),
            Reduction::AdderTree,
            Precision::Int(4),
            Precision::Ternary,
            1,
        ),
        design(
            "w4",
            (8, 16),
            Reduction::Mac,
            Precision::Int(8),
            Precision::Int(4),
            1,
        ),
        design(
            "pc",
            (8, 16),
            Reduction::Popcount,
            Precision::Int(8),
            Precision::Ternary,
            2,
        ),
    ];
    let mut got = Vec::new();
    for a in &designs {
        let p = AccelParams::new(a, 64).expect("builds");
        let r = check_chain(&p, &qkvo, &opts()).expect("runs");
        println!("{}", r.summary());
        assert!(r.passed(), "{}", r.summary());
        got.push(
            r.layers
                .iter()
                .map(|l| l.rtl.expect("the layer ran"))
                .collect::<Vec<_>>(),
        );
    }
    // (start, done) of q, k, v, o (= the engine's, checked above)
    let pinned: Vec<Vec<(u64, u64)>> = vec![
        vec![(56, 164), (200, 236), (272, 308), (332, 500)],
        vec![(72, 213), (248, 301), (336, 389), (400, 597)],
        vec![(56, 316), (312, 444), (440, 572), (568, 812)],
    ];
    assert_eq!(got, pinned);
}

/// Random AXI delays and back-pressure on the popcount (II = 4), the
/// INT4-weight mac and a short chunk of INT4 activations: still bit-exact.
#[test]
fn randomized_timing_is_correct() {
    let cases = [
        (
            design(
                "pc",
                (8, 16),
                Reduction::Popcount,
                Precision::Int(8),
                Precision::Ternary,
                2,
            ),
            (2, 256, 16),
        ),
        (
            design(
                "w4",
                (8, 16),
                Reduction::Mac,
                Precision::Int(8),
                Precision::Int(4),
                1,
            ),
            (3, 256, 24),
        ),
        (
            design(
                "a4w",
                (8, 32),
                Reduction::AdderTree,
                Precision::Int(4),
                Precision::Ternary,
                1,
            ),
            (2, 272, 16),
        ),
    ];
    let o = rtl_gen::accel::check::AccelOptions {
        random: true,
        seed: 7,
        ..opts()
    };
    for (a, (m, k, n)) in &cases {
        let p = AccelParams::new(a, 64).expect("builds");
        let r = check_gemm(&p, *m, *k, *n, &o).expect("runs");
        println!("{}", r.summary());
        assert!(r.passed(), "{}", r.summary());
        assert_eq!(r.results, (m * n) as usize);
        assert_eq!(r.wrong_results, 0);
    }
}

/// Outputs stored per tile (`accel_store_cosim.rs`) on the bit-serial
/// popcount (II = 4) and the mac with INT4 weights: 8 x 256 x 512 on the
/// 4 KiB buffers (16 KiB of outputs spill from the activation buffer), one
/// store a group of 8 lanes, exact and bit-exact. (The designs are `pc`
/// and `w4` above: the tops are the same, one build each serves both.)
#[test]
fn stored_outputs_on_other_datapaths_are_exact() {
    let pc = design(
        "pc",
        (8, 16),
        Reduction::Popcount,
        Precision::Int(8),
        Precision::Ternary,
        2,
    );
    let w4 = design(
        "w4",
        (8, 16),
        Reduction::Mac,
        Precision::Int(8),
        Precision::Int(4),
        1,
    );
    let mut got = Vec::new();
    for a in [&pc, &w4] {
        let p = AccelParams::new(a, 64).expect("builds");
        let r = check_gemm(&p, 8, 256, 512, &opts()).expect("runs");
        println!("{}", r.summary());
        assert!(r.passed(), "{}", r.summary());
        assert_eq!((r.results, r.wrong_results), (8 * 512, 0));
        assert_eq!(r.stores, (64, 64), "{}", r.summary());
        assert_eq!(
            r.rtl.map(|t| (t.start, t.done)),
            Some((r.engine.start, r.engine.done))
        );
        got.push((r.engine.start, r.engine.done));
    }
    // the engine's start / done (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 32944), (168, 10696)]);
}
