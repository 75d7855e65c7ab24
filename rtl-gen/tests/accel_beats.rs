//! The accelerator top on words that are not whole AXI beats: the DMA's
//! weight gearbox (a weight word wider than a beat but not whole beats, the
//! words of a tile crossing beats), the input splitter (an activation word
//! narrower than a beat) and the output gearbox (output words, and a
//! partial last group's, packed into the beats of an output row), on a
//! 64-bit and a 512-bit bus. Under Verilator with the simulator's DRAM
//! model: every result bit-exact, the layer's start, completion and total
//! equal to the engine's (pinned here), the weight-buffer reads the
//! mapping's; a gearbox that drops the bits of the next word in a beat is
//! caught; what the top does not take is refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::Accelerator;

/// `small(lanes, width, true)` named for this file.
fn design(lanes: u32, width: u32) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.name = format!("beats_l{lanes}_w{width}");
    a
}

/// 5 x 16 on a 64-bit bus: a 160-bit weight word (2.5 beats), a 128-bit
/// input word (2 beats), a 160-bit output word (2.5 beats). N = 8 leaves a
/// last group of 3 lanes: a 96-bit chunk (1.5 beats) and 96 bits of
/// outputs. The tiles are 5 x 64 x 2 = 640 bits (10 beats) and 3 x 64 x 2
/// = 384 bits (6 beats); the output row 8 x 4 = 32 bytes (4 beats).
#[test]
fn weight_words_across_beats_on_a_64_bit_bus() {
    let a = design(5, 16);
    let p = AccelParams::new(&a, 64).expect("builds");
    assert!(p.wgear() && p.ogear() && !p.asplit());
    assert_eq!(
        (p.wword_bits(), p.aword_bits(), p.oword_bits()),
        (160, 128, 160)
    );
    let got = vec![exact(&a, 64, (2, 64, 8)), exact(&a, 64, (3, 128, 10))];
    // the engine's start / done (= the RTL's, checked above)
    assert_eq!(got, vec![(50, 70), (60, 112)]);
}

/// 5 x 64 on a 512-bit bus: a 640-bit weight word (1.25 beats), a 512-bit
/// input word, a 160-bit output word (less than a beat: 3.2 a beat).
/// N = 64 leaves a last group of 4 lanes: a 512-bit chunk and 128 bits of
/// outputs; the output row 64 x 4 = 256 bytes (4 beats).
#[test]
fn weight_and_output_gearboxes_on_a_512_bit_bus() {
    let a = design(5, 64);
    let p = AccelParams::new(&a, 512).expect("builds");
    assert!(p.wgear() && p.ogear() && !p.asplit());
    assert_eq!(exact(&a, 512, (1, 256, 64)), (80, 585));
}

/// 16 x 16 on a 512-bit bus: a 128-bit input word, four a beat (the
/// splitter), 512-bit weight and output words. And 16 x 4 on a 64-bit bus:
/// a 32-bit input word, two a beat.
#[test]
fn input_words_narrower_than_a_beat() {
    let wide = design(16, 16);
    let p = AccelParams::new(&wide, 512).expect("builds");
    assert!(p.asplit() && !p.wgear() && !p.ogear());
    assert_eq!(p.words_a_beat(), 4);
    let narrow = design(16, 4);
    let q = AccelParams::new(&narrow, 64).expect("builds");
    assert_eq!(q.words_a_beat(), 2);
    let got = vec![
        exact(&wide, 512, (2, 128, 32)),
        exact(&narrow, 64, (2, 32, 32)),
    ];
    assert_eq!(got, vec![(104, 188), (56, 91)]);
}

/// The weight gearbox that drops the next word's bits of a beat (every
/// word after the first of a beat-crossing pair misaligned) is caught: the
/// results differ from the reference.
#[test]
fn a_gearbox_that_drops_a_carry_is_caught() {
    let a = design(5, 16);
    let mut p = AccelParams::new(&a, 64).expect("builds");
    p.mutation = Mutation::GearDropCarry;
    let r = check_gemm(&p, 2, 64, 8, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

/// What the gearboxes do not take is refused with the reason: a weight
/// word narrower than a beat that does not divide it, a tile that is not whole beats, a partial
/// chunk narrower than a beat, an output row that is not whole beats.
#[test]
fn refusals_name_the_reason() {
    let why = |a: &Accelerator, bus: u32| match AccelParams::new(a, bus) {
        Err(RtlError::Unsupported(w)) => w,
        other => panic!("{}: expected a refusal, got {other:?}", a.name),
    };
    // 5 x 16: a 160-bit weight word on a 512-bit bus, not a divisor of it
    // (a divisor, 8 x 16's 256 bits, is taken: `accel_narrow.rs`)
    let w = why(&design(5, 16), 512);
    assert!(
        w.contains("160 bits, narrower than the 512-bit AXI bus"),
        "{w}"
    );
    let a = design(5, 16);
    let p = AccelParams::new(&a, 64).expect("builds");
    // K = 16: a tile of 5 x 16 x 2 bits = 20 bytes, not whole 8-byte beats
    match check_gemm(&p, 1, 16, 10, &opts()) {
        Err(RtlError::Unsupported(w)) => {
            assert!(w.contains("a weight tile of 20 bytes"), "{w}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // N = 6: a last group of 1 lane, a 32-bit chunk
    let w = p.refuses_layer(1, 64, 6).expect("refused");
    assert!(w.contains("last group of 1 of the 5 lanes"), "{w}");
    // N = 7: an output row of 28 bytes
    let w = p.refuses_layer(1, 64, 7).expect("refused");
    assert!(w.contains("output row of 28 bytes"), "{w}");
}

/// The gearbox tops are `verilator --lint-only -Wall` clean.
#[test]
fn gearbox_tops_lint_clean() {
    for (a, bus) in [
        (design(5, 16), 64),
        (design(5, 64), 512),
        (design(16, 16), 512),
    ] {
        let p = AccelParams::new(&a, bus).expect("builds");
        let r = lint_top(&p);
        assert!(r.clean, "{}: {}", a.name, r.output);
    }
}

/// The presets the gearboxes build at 512 bits lint clean: edge-xnor (a
/// 256-bit input word), edge-w4a8 (a 3,840-bit weight word, a 480-bit
/// output word), edge-w8a8 (a 416-bit output word).
#[test]
fn preset_tops_at_512_bits_lint_clean() {
    // (edge-lut: a 504-bit input word on the 512-bit bus, no streamed
    // input built)
    for name in ["edge-xnor", "edge-w4a8", "edge-w8a8", "edge-lut"] {
        let a = sim::arch::preset(name).expect("preset");
        let p = AccelParams::new(&a, 512).expect("builds");
        assert!(p.gears(), "{name}");
        let r = lint_top(&p);
        assert!(r.clean, "{name}: {}", r.output);
    }
}
