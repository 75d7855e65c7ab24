//! Dependent chains beyond ternary INT8 on `lanes = width`: a consumer
//! reading its producer's output requantized on chip on designs with
//! `lanes < width` (the output word lands inside one activation word, 8 x
//! 16, or runs on into the next, 13 x 64: the column SRAMs of
//! `accel/fw_columns.rs`) and on the mac and bit-serial popcount
//! datapaths. Under Verilator with the simulator's DRAM model: every
//! layer's start and completion and the total equal to `engine_chain`'s
//! (pinned here), every result bit-exact. A forwarder that ignores the
//! word's offset is caught; a layer with two consumers is exact; what the
//! top does not forward is refused with the reason.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::chain::ChainLayer;
use rtl_gen::accel::chain_check::{check_chain, ChainReport};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::arch::Reduction;
use sim::Accelerator;
use workloads::Precision;

fn layer(m: u64, k: u64, n: u64) -> ChainLayer {
    ChainLayer {
        m,
        k,
        n,
        after: None,
        shift: 0,
        out_shift: None,
    }
}

fn reading(mut l: ChainLayer, producer: usize, shift: u32) -> ChainLayer {
    l.after = Some(producer);
    l.shift = shift;
    l
}

/// `small(lanes, width, true)` with the datapath `reduction` on INT8
/// activations and `weights`, a weight tile of 32 chunks double-buffered,
/// `planes` activation bit-planes a cycle.
fn design(
    tag: &str,
    (lanes, width): (u32, u32),
    reduction: Reduction,
    weights: Precision,
    planes: u32,
) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.name = format!("cd_{tag}");
    a.array.reduction = reduction;
    a.array.weights = weights;
    a.array.planes_per_cycle = planes;
    let bits = u64::from(sim::bitexact::encoding::weight_bits(weights).expect("integer"));
    let tile_bytes = u64::from(lanes * width) * bits * 32 / 8;
    a.buffers.weights.kib = (tile_bytes * 2).div_ceil(1024) as u32;
    a
}

fn run(arch: &Accelerator, axi: u32, layers: &[ChainLayer], mutation: Mutation) -> ChainReport {
    let mut p = AccelParams::new(arch, axi).expect("builds");
    p.mutation = mutation;
    let r = check_chain(&p, layers, &opts()).expect("runs");
    println!("{}", r.summary());
    r
}

/// The chain passes (every layer bit-exact, start / done and total equal
/// to the engine's); the RTL's start / done of every layer and the total.
fn exact(arch: &Accelerator, layers: &[ChainLayer]) -> (Vec<(u64, u64)>, u64) {
    let r = run(arch, 64, layers, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    for l in &r.layers {
        assert_eq!(l.rtl, Some(l.engine));
        assert_eq!(l.wrong, 0);
    }
    let t = r.layers.iter().map(|l| l.rtl.expect("seen")).collect();
    (t, r.total.1.expect("read"))
}

/// q, k, v then o reading v (shift 6) on the 8 x 16 ternary design: each
/// output word of 8 values is half an input chunk of o (two columns of 8
/// bytes).
fn qkvo_8x16() -> Vec<ChainLayer> {
    vec![
        layer(8, 64, 32),
        layer(8, 64, 16),
        layer(8, 64, 16),
        reading(layer(8, 16, 64), 2, 6),
    ]
}

/// The engine's figures (= the RTL's): o's weights arrive after v is
/// complete (its start 396 is load-bound, past v's done 388).
#[test]
fn dependent_chain_on_8x16_is_exact() {
    let (t, total) = exact(&small(8, 16, true), &qkvo_8x16());
    assert_eq!(t, vec![(56, 212), (232, 300), (320, 388), (396, 596)]);
    assert_eq!(total, 596);
}

/// q (4 x 64 x 104: eight output words of 13 values) and k, then o reading
/// q (shift 6) on a 13 x 64 mac INT8 design (edge-w8a8's array with a
/// small buffer): q's fifth word starts at byte 52 of o's first input
/// chunk and runs on into the second, its sixth from byte 1 of the second
/// (a short chunk of 40 elements, the rest written as zeros).
#[test]
fn dependent_chain_on_13x64_mac_is_exact() {
    let a = design("w8", (13, 64), Reduction::Mac, Precision::Int(8), 1);
    let chain = [
        layer(4, 64, 104),
        layer(4, 64, 26),
        reading(layer(4, 104, 26), 0, 6),
    ];
    let (t, total) = exact(&a, &chain);
    assert_eq!(t, vec![(144, 882), (976, 1090), (1249, 1432)]);
    assert_eq!(total, 1432);
}

/// The bit-serial popcount (INT8 x ternary, 2 planes a cycle: II = 4) on 8
/// x 16: o reads v, and the hold binds (o starts at v's done, 316).
#[test]
fn dependent_chain_on_popcount_is_exact() {
    let a = design("pc", (8, 16), Reduction::Popcount, Precision::Ternary, 2);
    let chain = [
        layer(4, 64, 16),
        layer(4, 64, 16),
        reading(layer(4, 16, 32), 1, 6),
    ];
    let (t, total) = exact(&a, &chain);
    assert_eq!(t, vec![(56, 188), (184, 316), (316, 436)]);
    assert_eq!(total, 436);
    let p = AccelParams::new(&a, 64).expect("builds");
    let (e, _) = rtl_gen::accel::chain::engine_chain(&p, &chain).expect("engine");
    assert!(e[1].compute_end < e[1].done && e[2].start == e[1].done);
}

/// q (8 x 64 x 32) read by two later layers, k (8 x 32 x 16) and v (8 x
/// 32 x 32), with the same shift (6) on the 8 x 16 design: q's words are
/// forwarded once, into k's rows, and v reads them there (its own rows
/// are never written). Both start after q's done (212), at their loads. A
/// v that reads its own rows is caught.
#[test]
fn two_consumers_are_exact() {
    let chain = [
        layer(8, 64, 32),
        reading(layer(8, 32, 16), 0, 6),
        reading(layer(8, 32, 32), 0, 6),
    ];
    let (t, total) = exact(&small(8, 16, true), &chain);
    assert_eq!(t, vec![(56, 212), (224, 276), (288, 404)]);
    assert_eq!(total, 404);
    // v reading its own rows instead of k's: 251 of its 256 results wrong
    // (timing unchanged)
    let r = run(&small(8, 16, true), 64, &chain, Mutation::NoSharedInput);
    assert!(!r.passed(), "{}", r.summary());
    assert_eq!((r.layers[1].wrong, r.layers[2].wrong), (0, 251));
    assert!(r.layers.iter().all(|l| l.rtl == Some(l.engine)));
}

/// A forwarder that writes every word from its activation word's first
/// column (as if lanes = width) is caught: v's second word of a row
/// overwrites its first, the row's padding fill zeroes the rest, and 504
/// of o's 512 results are wrong (timing unchanged).
#[test]
fn forward_offset_is_caught() {
    let r = run(
        &small(8, 16, true),
        64,
        &qkvo_8x16(),
        Mutation::ForwardOffset,
    );
    assert!(!r.passed(), "{}", r.summary());
    assert_eq!(r.layers[3].wrong, 504);
    assert!(r.layers.iter().all(|l| l.rtl == Some(l.engine)));
    assert!(r.layers[..3].iter().all(|l| l.wrong == 0));
}

/// The tops with column SRAMs lint clean (8 x 16 ternary: two columns of
/// 8 bytes; 13 x 64 mac: 64 columns of a byte).
#[test]
fn column_tops_lint_clean() {
    for a in [
        small(8, 16, true),
        design("w8", (13, 64), Reduction::Mac, Precision::Int(8), 1),
    ] {
        let p = AccelParams::new(&a, 64).expect("builds");
        assert!(rtl_gen::accel::fw_columns::column_bytes(&p).is_some());
        let l = accel_common::lint_top(&p);
        assert!(l.clean, "{}: {}", a.name, l.output);
    }
}

/// What the top does not forward is refused with the reason, before any
/// build: a second consumer of a layer with another shift (the engine's
/// model takes it), lanes > width, binary activations.
#[test]
fn refusals_name_the_reason() {
    let why = |a: &Accelerator, chain: &[ChainLayer]| {
        let p = AccelParams::new(a, 64).expect("builds");
        match check_chain(&p, chain, &opts()) {
            Err(RtlError::Unsupported(w)) => w,
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    let two = [
        layer(4, 64, 16),
        reading(layer(4, 16, 16), 0, 6),
        reading(layer(4, 16, 16), 0, 5),
    ];
    let e = why(&small(8, 16, true), &two);
    assert!(
        e.contains("chain layer 2 reads layer 0's output with shift 5, layer 1 with shift 6"),
        "{e}"
    );
    // the engine times it (both consumers held until layer 0 is done)
    let p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    let (t, _) = rtl_gen::accel::chain::engine_chain(&p, &two).expect("the engine runs it");
    assert!(t[1].start >= t[0].done && t[2].start >= t[0].done);
    let wide = [layer(4, 64, 32), reading(layer(4, 32, 16), 0, 6)];
    let e = why(&small(32, 16, true), &wide);
    assert!(e.contains("lanes <= width"), "{e}");
    assert!(e.contains("32 lanes of width 16"), "{e}");
    let xn = design("xn", (8, 64), Reduction::Popcount, Precision::Binary, 1);
    let mut xn = xn;
    xn.array.activations = Precision::Binary;
    let e = why(&xn, &[layer(2, 512, 16), reading(layer(2, 16, 16), 0, 0)]);
    assert!(e.contains("INT8 inputs"), "{e}");
}
