//! Streamed inputs whose words are not whole beats (the input splitter,
//! several words a beat; a word that crosses beats): the engine writes the
//! rows into the activation buffer at the DRAM's rate (or a beat a cycle
//! where the bus is the narrower) and bounds the buffer's reads by its
//! banks, not its fills. Where that rate is more than the bytes the
//! buffer's banks move a cycle, no write port of the buffer the design
//! describes keeps the engine's timing: the check refuses the layer with
//! the figures (exit 2), before any Verilator build; elsewhere the reason
//! stays the streamed input's word gatherer, which is not built for them.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::stream_in;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::arch::preset;

/// The check's refusal of `m x k x n` on `p` (no Verilator build).
fn refusal(p: &AccelParams, (m, k, n): (u64, u64, u64)) -> String {
    match check_gemm(p, m, k, n, &opts()) {
        Err(RtlError::Unsupported(w)) => w,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// vitallm's stored prefill at AXI 512: 128-bit input words, four a beat;
/// the rows enter at 51.2 B a cycle (LPDDR5's 51.2 GB/s at 1 GHz, below
/// the bus's 64 B), more than its 2 banks x 16 B: refused with the figures.
/// At AXI 256 the bus's 32 B a cycle is what the banks move: the reason is
/// the splitter's (not built).
#[test]
fn a_fill_faster_than_the_banks_is_refused_with_the_figures() {
    let a = preset("vitallm").expect("preset");
    let p = AccelParams::new(&a, 512).expect("builds");
    assert!(p.asplit() && !stream_in::built(&p));
    let rate = stream_in::fill_rate(&p);
    assert_eq!((rate.num, rate.den), (256, 5));
    for shape in [(64, 2560, 640), (64, 2560, 128)] {
        let w = refusal(&p, shape);
        assert!(
            w.contains(
                "the engine writes a streamed input's rows into the activation buffer at 51.2 B \
                 a cycle (the lesser of the DRAM's sustained 51.2 B a cycle and the bus's \
                 64-byte beat a cycle), more than the 2 banks x 16 B = 32 B a cycle this \
                 design's activation buffer moves"
            ),
            "{w}"
        );
        assert!(
            w.contains("(3.2 128-bit input words a cycle, 4 a beat)"),
            "{w}"
        );
    }
    let p = AccelParams::new(&a, 256).expect("builds");
    let rate = stream_in::fill_rate(&p);
    assert_eq!((rate.num, rate.den), (32, 1));
    assert_eq!(stream_in::refuses_fill(&p), None);
    let w = refusal(&p, (64, 2560, 640));
    assert!(
        w.contains("the input splitter would hold the bus while it writes a beat's words"),
        "{w}"
    );
}

/// A 16 x 63 design with 504-bit input words (63 INT8 activations: the
/// input gearbox) on a 512-bit bus: with one 1-byte bank the activation
/// buffer moves 1 B a cycle, the engine's rows enter at the DRAM's 8 B:
/// refused with the figures; with the preset's banks the reason is the
/// word gatherer's (not built).
#[test]
fn a_word_across_beats_is_refused_with_the_figures() {
    let mut a = small(16, 63, true);
    a.buffers.activations.banks = 1;
    a.buffers.activations.bank_bytes = 1;
    let p = AccelParams::new(&a, 512).expect("builds");
    assert!(p.agear() && !stream_in::built(&p));
    let shape = (64, 2016, 16);
    let w = refusal(&p, shape);
    assert!(
        w.contains(
            "at 8 B a cycle (the lesser of the DRAM's sustained 8 B a cycle and the bus's \
             64-byte beat a cycle), more than the 1 banks x 1 B = 1 B a cycle"
        ),
        "{w}"
    );
    let a = small(16, 63, true);
    let p = AccelParams::new(&a, 512).expect("builds");
    assert_eq!(stream_in::refuses_fill(&p), None);
    let w = refusal(&p, shape);
    assert!(w.contains("input words of whole beats"), "{w}");
}
