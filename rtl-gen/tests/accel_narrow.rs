//! The accelerator top on weight words narrower than a bus beat (a beat of
//! several words written as one row of the weight buffer, `dma/narrow.rs`),
//! and the stores per tile and the streamed input beside the DMA's
//! gearboxes. Under Verilator with the simulator's DRAM model: every result
//! bit-exact, the layer's start, completion and total equal to the
//! engine's (pinned here), the weight-buffer reads the mapping's; a read
//! that takes a row's words in the wrong order is caught; what the top does
//! not take is refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::StreamPlan;
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// `small(lanes, width, true)` named for this file, with `act` KiB of
/// activation buffer and `out` KiB of output buffer.
fn design(lanes: u32, width: u32, act: u32, out: u32) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.buffers.activations.kib = act;
    a.buffers.outputs.kib = out;
    a.name = format!("narrow_l{lanes}_w{width}_a{act}_o{out}");
    a
}

/// The engine's moves of `m x k x n` on `p`: (outputs stored per tile,
/// input streamed).
fn moves(p: &AccelParams, (m, k, n): (u64, u64, u64)) -> (bool, bool) {
    let s = StreamPlan::new(p, m, k, n);
    (s.out_spill, s.streams_input())
}

/// 8 x 16 on a 512-bit bus (vitallm's array): a 256-bit weight word, two a
/// beat (a row of the weight buffer); with it a 128-bit input word (the
/// splitter) and a 256-bit output word (the output gearbox). A slot of 32
/// chunks is 16 rows; K = 1024 is two K tiles.
#[test]
fn weight_words_narrower_than_a_beat() {
    let a = design(8, 16, 4, 4);
    let p = AccelParams::new(&a, 512).expect("builds");
    assert!(p.wnarrow() && !p.wgear() && p.asplit() && p.ogear());
    assert_eq!(
        (p.wword_bits(), p.wwords_a_row(), p.wslot_rows()),
        (256, 2, 16)
    );
    let got = vec![exact(&a, 512, (2, 256, 16)), exact(&a, 512, (1, 1024, 32))];
    // the engine's start / done (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 204), (168, 1100)]);
}

/// A read that takes a row's words in the reverse order (word 1 of a beat
/// for word 0) is caught: the results differ from the reference.
#[test]
fn a_row_read_in_the_wrong_word_order_is_caught() {
    let a = design(8, 16, 4, 4);
    let mut p = AccelParams::new(&a, 512).expect("builds");
    p.mutation = Mutation::NarrowWordOrder;
    let r = check_gemm(&p, 2, 256, 16, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

/// Outputs stored per tile beside the input splitter: 16 x 16 on a 512-bit
/// bus (a 128-bit input word, four a beat; 512-bit weight and output
/// words), a 16 KiB activation buffer that the 8 x 1024 outputs (32 KiB)
/// do not fit, so the engine stores each group's outputs.
#[test]
fn stores_beside_the_input_splitter() {
    let a = design(16, 16, 16, 16);
    let p = AccelParams::new(&a, 512).expect("builds");
    assert!(p.asplit() && !p.wgear() && !p.wnarrow() && !p.ogear());
    let shape = (8, 256, 1024);
    assert_eq!(moves(&p, shape), (true, false));
    // the engine's start / done (= the RTL's, checked by `exact`)
    assert_eq!(exact(&a, 512, shape), (168, 12472));
}

/// The streamed input beside narrow weight words and the weight gearbox:
/// 2 x 64 on a 512-bit bus (a 256-bit weight word, two a beat; a 512-bit
/// input word; 64-bit outputs) with a 4 KiB activation buffer that 32 rows
/// of 256 bytes do not fit, and 5 x 64 (a 640-bit weight word, 1.25 beats;
/// 160-bit outputs) with an 8 KiB one that 32 rows of 512 bytes do not
/// fit: the engine streams the input in token blocks with the weight
/// tiles (N = 64 on 5 lanes: a last group of 4, a 512-bit chunk; the 32 x
/// 13 output words in a 16 KiB output buffer).
#[test]
fn streamed_input_beside_the_weight_gearboxes() {
    let narrow = design(2, 64, 4, 4);
    let p = AccelParams::new(&narrow, 512).expect("builds");
    assert!(p.wnarrow() && !p.asplit());
    let gear = design(5, 64, 8, 16);
    let q = AccelParams::new(&gear, 512).expect("builds");
    assert!(q.wgear() && !q.asplit());
    let shape = (32, 256, 16);
    assert_eq!(moves(&p, shape), (false, true));
    assert_eq!(moves(&q, (32, 512, 64)), (false, true));
    let got = vec![exact(&narrow, 512, shape), exact(&gear, 512, (32, 512, 64))];
    assert_eq!(got, vec![(312, 2469), (632, 6877)]);
}

/// What the top does not take is refused with the reason: a weight word
/// narrower than a beat that does not divide it, a partial last group of
/// narrow words, a store per tile through the output gearbox that is not
/// whole beats, a streamed input with the input splitter.
#[test]
fn refusals_name_the_reason() {
    match AccelParams::new(&design(5, 16, 4, 4), 512) {
        Err(rtl_gen::error::RtlError::Unsupported(w)) => assert!(
            w.contains("160 bits, narrower than the 512-bit AXI bus and not a divisor of it"),
            "{w}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // 32 x 4: a 256-bit word; N = 16 leaves a last group of 16 lanes, 128
    // bits of weights a chunk
    let p = AccelParams::new(&design(32, 4, 4, 4), 512).expect("builds");
    assert!(p.wnarrow());
    let w = p.refuses_layer(1, 256, 16).expect("refused");
    assert!(w.contains("last group of 16 of the 32 lanes"), "{w}");
    // 8 x 16 with a 16 KiB activation buffer: 8 x 1024 outputs stored
    let p = AccelParams::new(&design(8, 16, 16, 16), 512).expect("builds");
    assert_eq!(moves(&p, (8, 256, 1024)), (true, false));
    // (taken: the store path packs the 256-bit words, `accel_gear_store.rs`;
    // a store of 3 tokens, 1.5 beats, too: strobed, `accel_strobes.rs`)
    assert_eq!(p.refuses_layer(8, 256, 1024), None);
    assert_eq!(p.refuses_block(3, 256, 1024, true), None);
    // 16 x 16 (the splitter): 32 rows of 256 bytes streamed
    let p = AccelParams::new(&design(16, 16, 4, 4), 512).expect("builds");
    assert!(moves(&p, (32, 256, 16)).1);
    let w = p.refuses_layer(32, 256, 16).expect("refused");
    assert!(w.contains("128-bit input word"), "{w}");
}

/// The tops of narrow weight words lint clean, and vitallm's at 512 bits.
#[test]
fn narrow_tops_lint_clean() {
    for a in [
        design(8, 16, 4, 4),
        design(2, 64, 4, 4),
        sim::arch::preset("vitallm").expect("preset"),
    ] {
        let p = AccelParams::new(&a, 512).expect("builds");
        assert!(p.wnarrow(), "{}", a.name);
        let r = lint_top(&p);
        assert!(r.clean, "{}: {}", a.name, r.output);
    }
}
