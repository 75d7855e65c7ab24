//! The LUT's serial input load (`array.lut.load_elems`) on the accelerator
//! top (`accel/lut_serial.rs`): the table builder's input register filled
//! `load_elems` activations a cycle, `ceil(width / load_elems)` cycles a
//! chunk and token of the first feature group before its lookups, as the
//! engine charges it. Under Verilator with the simulator's DRAM model:
//! every result bit-exact with the bit-exact model's LUT datapath, the
//! layer's start, completion and total equal to the engine's (pinned
//! here), the weight buffer's reads the mapping's; a load one cycle short
//! caught; what is not built refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, opts, small};
use rtl_gen::accel::image::Layer;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::arch::Reduction;
use sim::datapath::lut::{LutConfig, TableKind, TableStorage};
use sim::Accelerator;
use workloads::Precision;

/// 8 lanes x 48 (`small`: 8 B/cycle, 40 ns DRAM, 4 KiB activation and
/// output buffers) on signfold `g = 3` tables from a register file of 8
/// ports (the engine's 5-bit indices stored, decoded in front of the
/// tile), a weight tile of 32 chunks of 2-bit codes (38 of indices),
/// double-buffered, and a serial input load of 5 activations a cycle:
/// `ceil(48 / 5)` = 10 cycles a chunk, the last slice 3 activations.
fn design() -> Accelerator {
    let (lanes, width) = (8, 48);
    let mut a = small(lanes, width, true);
    a.name = "lut_serial".into();
    a.array.reduction = Reduction::Lut;
    a.array.weights = Precision::Ternary;
    a.array.zeros = sim::arch::ZeroHandling::None;
    a.array.lut = Some(LutConfig {
        group: 3,
        table: TableKind::Signfold,
        storage: TableStorage::Regfile,
        read_ports: 8,
        load_elems: Some(5),
        ..LutConfig::default()
    });
    a.buffers.weights.kib = (u64::from(lanes * width) * 2 * 32 / 8 * 2).div_ceil(1024) as u32;
    a
}

/// The engine's SRAM stall cycles of the layer's tiles: the serial load,
/// `m x chunks x 10` on the first feature group's tiles, 0 on the others.
fn engine_stalls(p: &AccelParams, (m, k, n): (u64, u64, u64)) -> Vec<u64> {
    let layer = Layer::new(p, m, k, n, 1).expect("the top runs the layer");
    let mut v = Vec::new();
    for pat in &layer.plan.tiles.patterns {
        for _ in 0..pat.reps {
            for &(t, count) in &pat.runs {
                for _ in 0..count {
                    v.push(t.sram_stall);
                }
            }
        }
    }
    v
}

/// One layer of 4 chunks in two feature groups (the first loads its 2 x 4
/// chunks serially: 80 cycles), and one of 40 chunks in K tiles of 38 and
/// 2 in three feature groups, the last of 4 lanes (the first group's two tiles:
/// 2 x 38 x 10 and 2 x 2 x 10 cycles): exact, bit-exact.
#[test]
fn serial_load_is_exact() {
    let a = design();
    let p = AccelParams::new(&a, 64).expect("builds");
    assert_eq!(p.serial_load(), 10);
    assert_eq!(engine_stalls(&p, (2, 192, 16)), vec![80, 0]);
    assert_eq!(engine_stalls(&p, (2, 1920, 20)), vec![760, 40, 0, 0, 0, 0]);
    let got = vec![exact(&a, 64, (2, 192, 16)), exact(&a, 64, (2, 1920, 20))];
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(80, 181), (420, 2067)]);
}

/// A feeder that offers a first-group chunk after 9 load cycles instead
/// of 10 (`Mutation::SerialShort`: the last slice of 3 activations not
/// yet in the table builder's register) is caught twice over: the layer
/// completes 2 x 4 cycles before the engine says, and the first group's
/// 16 results are wrong (the second group's, loaded in parallel, right).
#[test]
fn serial_load_one_cycle_short_is_caught() {
    let mut p = AccelParams::new(&design(), 64).expect("builds");
    p.mutation = Mutation::SerialShort;
    let r = rtl_gen::accel::check::check_gemm(&p, 2, 192, 16, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(r.finished);
    let rtl = r.rtl.expect("the layer ran");
    assert_eq!(rtl.start, r.engine.start);
    assert_eq!(r.engine.done - rtl.done, 8);
    assert_eq!(r.wrong_results, 16);
}

/// What the serial load is not built with is refused with the reason: a
/// short last chunk, the tellme-v2 preset's padded DRAM image (without
/// it the preset builds, with its 84-cycle load in the manifest); and the
/// top lints clean.
#[test]
fn serial_load_refusals_and_lint() {
    let p = AccelParams::new(&design(), 64).expect("builds");
    match Layer::new(&p, 2, 216, 16, 1) {
        Err(RtlError::Unsupported(w)) => assert!(
            w.contains("load_elems") && w.contains("short last chunk (24 elements"),
            "{w}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let mut tv2 = sim::arch::preset("tellme-v2").expect("preset");
    match AccelParams::new(&tv2, 64) {
        Err(RtlError::Unsupported(w)) => assert!(w.contains("weight_image"), "{w}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    tv2.dram.weight_image = None;
    let t = AccelParams::new(&tv2, 512).expect("builds");
    assert_eq!(t.serial_load(), 84);
    let (_, manifest) = rtl_gen::accel::emit_accel(&t, false);
    let s = manifest.serial_load.expect("in the manifest");
    assert_eq!((s.load_elems, s.cycles_a_chunk), (1, 84));
    let lint = lint_top(&p);
    assert!(lint.clean, "{}", lint.output);
}
