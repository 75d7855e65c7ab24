//! The accelerator top on `ternary-packed` weights (five trits a byte, the
//! engine's 1.6 bits a weight in DRAM and in the weight buffer), unpacked
//! to the tile's 2-bit codes between the weight buffer and the tile. Under
//! Verilator with the simulator's DRAM model: every result bit-exact with
//! the bit-exact model, the layer's start, completion and total equal to
//! the engine's (pinned here), the weight buffer's reads equal to the
//! mapping's; the shapes the top does not take refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, small, wrong_results};
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
/// 2-bit codes would hold 25); DRAM-bound decode; and a short last chunk
/// (K = 264: 16 chunks and 8 elements, element-major in its chunk, 16
/// bytes a group: two beats).
#[test]
fn packed_ternary_is_exact() {
    let tp = design("a", (10, 16), 32);
    let p = AccelParams::new(&tp, 64).expect("builds");
    assert_eq!((p.wword_bits(), p.slot_words), (256, 32));
    let got = vec![
        exact(&tp, 64, (2, 256, 20)),
        exact(&tp, 64, (2, 1024, 20)),
        exact(&tp, 64, (1, 512, 40)),
        exact(&tp, 64, (2, 264, 20)),
    ];
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 204), (168, 620), (168, 588), (106, 210)]);
}

/// 8 x 16 (128 weights a chunk: 25.6 bytes packed, no whole bytes), AXI
/// 64: the weight word holds five chunks of every lane (128 bytes, 16
/// beats), a slot 40 chunks (8 words, 1 KiB); the unpacker selects the
/// chunk within its word. One layer; a short last chunk (K = 520: 32
/// chunks and 8 elements, stored element-major); a partial last group (N =
/// 20: a group of 4 lanes, words of 64 bytes, the rows shifted); a K split
/// (two tiles of 40 chunks), a K split with a short last tile of 33 chunks
/// (K = 1160: a last word of 3 chunks); DRAM-bound decode.
#[test]
fn five_chunk_words_are_exact() {
    let tp = design("f", (8, 16), 40);
    let p = AccelParams::new(&tp, 64).expect("builds");
    assert_eq!(
        (p.wword_bits(), p.pack_period, p.slot_words, p.wslot_words),
        (1024, 5, 40, 8)
    );
    let got = vec![
        exact(&tp, 64, (2, 640, 16)),
        exact(&tp, 64, (2, 520, 16)),
        exact(&tp, 64, (2, 640, 20)),
        exact(&tp, 64, (2, 1280, 16)),
        exact(&tp, 64, (2, 1160, 16)),
        exact(&tp, 64, (1, 640, 40)),
    ];
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(
        got,
        vec![
            (168, 380),
            (144, 318),
            (168, 460),
            (168, 636),
            (168, 590),
            (168, 724)
        ]
    );
}

/// What the packed top does not take is refused with the reason: a slot
/// that is not whole five-chunk words, a tile whose bytes are not whole
/// beats, a partial group with one-chunk words, a partial group with a
/// short chunk.
#[test]
fn packed_refusals_name_the_reason() {
    let why = |a: &Accelerator| match AccelParams::new(a, 64) {
        Err(RtlError::Unsupported(w)) => w,
        other => panic!("{}: expected a refusal, got {other:?}", a.name),
    };
    // 12 x 16 (a word of 192 bytes): a slot of 1 KiB holds 26 chunks
    let mut b = design("b", (12, 16), 26);
    b.buffers.weights.kib = 2;
    let w = why(&b);
    assert!(w.contains("multiple of 5 chunks"), "{w}");
    let p = AccelParams::new(&design("a", (10, 16), 32), 64).expect("builds");
    // K = 264 on 20 lanes: a last tile of 10 x 264 weights is 528 bytes,
    // whole beats; K = 260: 520 bytes, whole; K = 258: 516 bytes, not
    let beats = p.refuses_layer(2, 258, 20).expect("refused");
    assert!(beats.contains("not whole 8-byte beats"), "{beats}");
    // one-chunk words (10 x 16: 32 bytes) take whole groups only
    let part = p.refuses_layer(2, 256, 15).expect("refused");
    assert!(part.contains("one chunk of every lane"), "{part}");
    let f = AccelParams::new(&design("f", (8, 16), 40), 64).expect("builds");
    let both = f.refuses_layer(2, 520, 20).expect("refused");
    assert!(both.contains("one or the other"), "{both}");
    // a group of 2 lanes: a word of 2 x 16 bytes is whole beats, a tile of
    // 2 x 640 weights 256 bytes; of 1 lane: 16-byte words, 128-byte tiles
    assert_eq!(f.refuses_layer(2, 640, 18), None);
    // K = 600 (37.5 chunks): 8 x 600 / 5 = 960 bytes, whole; K = 520 + 4
    let odd = f.refuses_layer(2, 524, 16).expect("refused");
    assert!(odd.contains("not whole 8-byte beats"), "{odd}");
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
    assert_eq!(wrong_results(&p, (2, 256, 20)), 40);
}

/// Five-chunk words with weight registers (`token_tile` = 4: a chunk's
/// weights read once a sub-tile of 4 tokens, chunk-outer): two sub-tiles;
/// a short chunk; a partial group with a partial sub-tile.
#[test]
fn five_chunk_words_with_weight_registers_are_exact() {
    let mut tp = design("t", (8, 16), 40);
    tp.array.token_tile = 4;
    let got = vec![
        exact(&tp, 64, (8, 640, 16)),
        exact(&tp, 64, (4, 520, 16)),
        exact(&tp, 64, (6, 640, 20)),
    ];
    assert_eq!(got, vec![(408, 1596), (144, 412), (168, 892)]);
}

/// The five-chunk top (8 x 16, the row shifter and the short chunk's
/// rewiring) lints clean.
#[test]
fn five_chunk_top_lints_clean() {
    let p = AccelParams::new(&design("f", (8, 16), 40), 64).expect("builds");
    let l = lint_top(&p);
    assert!(l.clean, "{}", l.output);
}

/// An unpacker that takes a five-chunk word's lanes in the wrong order
/// (`Mutation::PackLaneOrder`: lane `l` of chunk `s` from row `5l + s`,
/// as if each lane's five chunks were together) is caught: the timing is
/// the engine's, the results are not.
#[test]
fn five_chunk_lane_order_is_caught() {
    let mut p = AccelParams::new(&design("f", (8, 16), 40), 64).expect("builds");
    p.mutation = rtl_gen::accel::params::Mutation::PackLaneOrder;
    assert_eq!(wrong_results(&p, (2, 640, 16)), 32);
}
