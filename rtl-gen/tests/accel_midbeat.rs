//! Weight tiles that are not whole bus beats, read from inside a beat: the
//! engine lays a layer's tiles one after the other in DRAM and times each
//! as its bytes, so a tile after one of 180 bytes starts at byte 4 of a
//! 64-bit beat. The DMA issues the tile's read at its first byte (the beat
//! holding it returned whole), the weight gearbox drops the first beat's
//! bytes below it and cuts the last word to its bits, and ARUSER tells the
//! testbench's slave where the tile ends in its last beat, so the DRAM
//! model times the tile's bytes. Under Verilator: every result bit-exact
//! with the bit-exact model's LUT datapath, the layer's start, completion
//! and total equal to the engine's (pinned here), the weight buffer's
//! reads equal to the mapping's; under Icarus too; a tile that touches a
//! beat more than its bytes' whole beats, where the bus has no cycle to
//! spare, refused with the reason.

mod accel_common;

use accel_common::{exact_with, opts, small};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::arch::Reduction;
use sim::datapath::lut::{LutConfig, TableKind, TableStorage};
use sim::Accelerator;
use workloads::Precision;

/// `small(6, 48, true)` (8 B/cycle, 40 ns DRAM) on a signfold LUT of
/// groups of 3 (5-bit indices, a 480-bit word of 7.5 beats at 64 bits),
/// zeros not skipped.
fn design() -> Accelerator {
    let mut a = small(6, 48, true);
    a.name = "midbeat".into();
    a.array.reduction = Reduction::Lut;
    a.array.weights = Precision::Ternary;
    a.array.lut = Some(LutConfig {
        group: 3,
        table: TableKind::Signfold,
        storage: TableStorage::Regfile,
        read_ports: 6,
        ..LutConfig::default()
    });
    a.array.zeros = sim::arch::ZeroHandling::None;
    a
}

/// K = 144 (three chunks, 180 bytes a tile of every lane: 22.5 beats) over
/// N = 12: two tiles, the second from byte 180 (byte 4 of its first beat),
/// 23 beats each as the engine's 180 bytes are timed: exact at 64 bits.
#[test]
fn tiles_from_inside_a_beat_are_exact() {
    let a = design();
    let p = AccelParams::new(&a, 64).expect("builds");
    assert!(p.wgear());
    assert_eq!(p.weight_bytes(6, 144), 180);
    let r = exact_with(&a, 64, (2, 144, 12), &opts());
    assert_eq!(
        (r.engine.start, r.engine.done, r.engine.total),
        (63, 97, 97)
    );
}

/// N = 10: the partial last group's tile of 4 lanes is 120 bytes from byte
/// 180 (byte 4 of its first beat): 15 whole beats of bytes, which the
/// engine's DRAM model times in 15 cycles at 8 B a cycle, but the read
/// touches 16 beats (bytes 176 to 303), which the bus moves one a cycle.
/// Run, the RTL finished one cycle after the engine (engine start / done /
/// total 63 / 89 / 89, RTL 63 / 90 / 90, 20 of 20 results bit-exact): the
/// bus is physically right, the engine times bytes, so the layer is
/// refused with the reason. The N = 12 tile of 180 bytes from byte 180
/// touches 23 beats, its bytes' whole beats: taken (above).
#[test]
fn a_tile_that_touches_a_beat_more_than_its_bytes_is_refused() {
    let p = AccelParams::new(&design(), 64).expect("builds");
    assert_eq!(p.refuses_reads([180, 180]), None);
    assert_eq!(p.refuses_reads([120, 180]), None);
    assert!(p.refuses_reads([180, 120]).is_some());
    match rtl_gen::accel::check::check_gemm(&p, 2, 144, 10, &opts()) {
        Err(RtlError::Unsupported(w)) => assert!(
            w.contains(
                "a weight tile of 120 bytes from byte 4 of its first 8-byte beat moves 16 beats"
            ) && w.contains("in 15 cycles (at 8.00 B a cycle, 15 whole beats)"),
            "{w}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A gearbox that keeps the first beat's bytes below the tile's first
/// byte (`Mutation::MidbeatLead`) is caught: the timing is the engine's,
/// the second group's results are not the bit-exact model's.
#[test]
fn kept_leading_bytes_are_caught() {
    let mut p = AccelParams::new(&design(), 64).expect("builds");
    p.mutation = Mutation::MidbeatLead;
    assert_eq!(accel_common::wrong_results(&p, (2, 144, 12)), 12);
}

/// The top with tiles from inside a beat lints clean (`verilator
/// --lint-only -Wall`): the bits and end byte rounded up keep only their
/// high bits, the chunks' beats are not built where the tile's bytes are.
#[test]
fn the_top_lints_clean() {
    let p = AccelParams::new(&design(), 64).expect("builds");
    let r = accel_common::lint_top(&p);
    assert!(r.clean, "{}", r.output);
}

/// The Icarus testbench reads the wider ARUSER as the Verilator one does
/// (a tile's bytes from its first ARADDR and end byte): the N = 12 layer
/// exact under Icarus too, start / done / total the engine's.
#[test]
fn tiles_from_inside_a_beat_are_exact_under_icarus() {
    let p = AccelParams::new(&design(), 64).expect("builds");
    let o = rtl_gen::accel::check::AccelOptions {
        sim: rtl_gen::check::Simulator::Icarus,
        ..opts()
    };
    let r = rtl_gen::accel::check::check_gemm(&p, 2, 144, 12, &o).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!((r.results, r.wrong_results), (24, 0));
    assert_eq!(
        (r.engine.start, r.engine.done, r.engine.total),
        (63, 97, 97)
    );
    assert_eq!(r.rtl, Some(r.engine), "{}", r.summary());
}
