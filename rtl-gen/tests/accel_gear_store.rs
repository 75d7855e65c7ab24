//! Outputs stored per tile through the output gearbox under Verilator
//! with the DRAM model in the loop: a design whose output word is not
//! whole AXI beats packs each feature group's output words into beats
//! (a word a cycle into the store's queue), written where the engine's
//! DRAM model places the store; start, completion and total equal to the
//! engine's, every result bit-exact. A store path that packs a word over
//! the bits its queue holds is caught, and a preset's streamed input
//! beside it that the top does not build is refused with the reason.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::image::LayerTiming;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::Accelerator;

/// 8 x 16 with 16 KiB activation and output buffers: on a 512-bit bus a
/// 256-bit output word (two a beat, as vitallm's), a 128-bit input word
/// (the splitter) and 256-bit weight words (narrow words).
fn packing() -> Accelerator {
    let mut a = small(8, 16, true);
    a.name = "gstore_l8_w16".into();
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

/// 8 x 256 x 1024 on 512 bits (32 KiB of outputs over the 16 KiB
/// activation buffer): 128 groups of one K tile, each group's 8 tokens x
/// 8 lanes x 4 B = 256 B stored as 4 packed beats.
#[test]
fn outputs_stored_through_the_output_gearbox_run_exactly() {
    let p = AccelParams::new(&packing(), 512).expect("builds");
    assert!(p.ogear() && p.oword_bits() == 256);
    let s = StreamPlan::new(&p, 8, 256, 1024);
    assert_eq!(
        (s.order, s.blocks, s.out_spill, s.partial_spill),
        (Order::OnChip, 1, true, false),
        "{}",
        s.describe()
    );
    let r = check_gemm(&p, 8, 256, 1024, &o()).expect("runs");
    println!("{}", r.summary());
    let engine = LayerTiming {
        start: 104,
        done: 17064,
        total: 17064,
    };
    accel_common::assert_stored_exact(&r, engine, 128, 8 * 1024);
    assert!(r.passed(), "{}", r.summary());
}

/// A word packed at the queue's first bit, over the half beat it holds:
/// every beat's first word is garbled, the results are wrong.
#[test]
fn a_store_packed_over_its_queue_is_caught() {
    let mut p = AccelParams::new(&packing(), 512).expect("builds");
    p.mutation = Mutation::StoreGearOverlap;
    let r = check_gemm(&p, 8, 256, 1024, &o()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.wrong_results > 0, "{}", r.summary());
}

/// The presets' stored prefills that stay out are refused with the
/// reason before anything is built: vitallm's streamed input (a 128-bit
/// input word, whose rows the engine writes faster than the activation
/// buffer's banks move: `accel_stream_words.rs`). (edge-w4a8's and edge-w8a8's stores of
/// 1,500 and 1,300 bytes, not whole beats, are strobed: `accel_strobes.rs`.)
#[test]
fn preset_prefills_that_stay_out_are_refused() {
    let cases = [
        ("vitallm", (64, 2560, 128), "128-bit input word"),
        ("vitallm", (64, 2560, 640), "128-bit input word"),
    ];
    for (name, (m, k, n), want) in cases {
        let a = sim::arch::preset(name).expect("preset");
        let p = AccelParams::new(&a, 512).expect("builds");
        match check_gemm(&p, m, k, n, &o()) {
            Err(RtlError::Unsupported(w)) => assert!(w.contains(want), "{name}: {w}"),
            other => panic!("{name}: expected a refusal, got {other:?}"),
        }
    }
}
