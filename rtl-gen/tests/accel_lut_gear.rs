//! LUT group-index words that are not whole bus beats, through the weight
//! gearbox (`dma/gearbox.rs`), and a short last chunk with a partial last
//! group in one layer (the partial group's short chunk respaced,
//! `dma/short_rows.rs`), and input words of 63 bytes (the input gearbox,
//! `dma/input_gear.rs`). Under Verilator with the simulator's DRAM model:
//! every result bit-exact with the bit-exact model's LUT datapath, the
//! layer's start, completion and total equal to the engine's (pinned
//! here), the weight buffer's reads equal to the mapping's.

mod accel_common;

use accel_common::{exact, lint_top, small};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::arch::Reduction;
use sim::datapath::lut::{LutConfig, TableKind, TableStorage};
use sim::Accelerator;
use workloads::Precision;

/// `small(lanes, width, true)` (8 B/cycle, 40 ns DRAM, 4 KiB activation and
/// output buffers) on a signfold LUT of groups of 3 (5-bit indices) from a
/// register file of a read port a lane, zeros not skipped.
fn design(tag: &str, (lanes, width): (u32, u32)) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.name = format!("lutg_{tag}");
    a.array.reduction = Reduction::Lut;
    a.array.weights = Precision::Ternary;
    a.array.lut = Some(LutConfig {
        group: 3,
        table: TableKind::Signfold,
        storage: TableStorage::Regfile,
        read_ports: lanes,
        ..LutConfig::default()
    });
    a.array.zeros = sim::arch::ZeroHandling::None;
    a
}

/// 6 x 48 on a 64-bit bus: a word of 6 x 16 five-bit indices is 480 bits
/// (7.5 beats): one layer, a partial last group of 4 lanes (a 320-bit
/// word), and a K split of 52 chunks into 42 + 10. 4 x 120 (a 800-bit
/// word, 12.5 beats): a short last chunk of 96 elements (32 groups of every
/// lane, 640 bits, the tile whole beats), and that short chunk in a partial
/// last group of 2 lanes (its rows of 2 lanes' indices respaced). 8 x 63
/// (edge-lut's width): the input gearbox too.
#[test]
fn index_words_across_beats_are_exact() {
    let mut got = Vec::new();
    let a = design("l6", (6, 48));
    assert!(AccelParams::new(&a, 64).expect("builds").wgear());
    got.push(exact(&a, 64, (2, 192, 12)));
    got.push(exact(&a, 64, (2, 192, 16)));
    got.push(exact(&a, 64, (1, 2496, 12)));
    let w = design("w120", (4, 120));
    let p = AccelParams::new(&w, 64).expect("builds");
    assert!(p.wgear() && p.short_rows());
    got.push(exact(&w, 64, (2, 576, 8)));
    got.push(exact(&w, 64, (2, 576, 6)));
    // edge-lut's width of 63: an 840-bit index word and a 504-bit input
    // word (the input gearbox), a short chunk of 24 elements in a partial
    // group of 4 lanes
    let e = design("w63", (8, 63));
    let p = AccelParams::new(&e, 64).expect("builds");
    assert!(p.wgear() && p.agear() && p.short_rows());
    got.push(exact(&e, 64, (2, 504, 8)));
    got.push(exact(&e, 64, (2, 528, 12)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(
        got,
        vec![
            (70, 113),
            (70, 151),
            (355, 842),
            (100, 176),
            (100, 146),
            (145, 167),
            (150, 229)
        ]
    );
}

/// The respacer on 2-bit codes too: adder-tree ternary 6 x 24 (a 288-bit
/// word, 4.5 beats of 64 bits), K = 64 (a short last chunk of 16
/// elements) and N = 8 (a partial last group of 2 lanes).
#[test]
fn short_chunk_of_a_partial_group_is_exact_on_codes() {
    let a = small(6, 24, true);
    let got = exact(&a, 64, (2, 64, 8));
    assert_eq!(got, (52, 69));
}

/// A respacer that reads the partial group's short-chunk rows at every
/// lane's stride (`Mutation::ShortRowsStride`) is caught: the timing is the
/// engine's, the partial group's 4 results (2 lanes x 2 tokens) are not
/// the bit-exact model's.
#[test]
fn unspaced_short_rows_are_caught() {
    let a = design("w120", (4, 120));
    let mut p = AccelParams::new(&a, 64).expect("builds");
    p.mutation = Mutation::ShortRowsStride;
    // the partial group's 2 lanes of both tokens wrong, the group's right
    assert_eq!(accel_common::wrong_results(&p, (2, 576, 6)), 4);
}

/// An input gearbox whose words take the next activation's bits out of the
/// queue with them (`Mutation::InputGearSkip`) is caught: the timing is
/// the engine's (the input loads before the layer), 15 of the 16 results
/// are not the bit-exact model's.
#[test]
fn skipping_input_gearbox_is_caught() {
    let a = design("w63", (8, 63));
    let mut p = AccelParams::new(&a, 64).expect("builds");
    p.mutation = Mutation::InputGearSkip;
    assert_eq!(accel_common::wrong_results(&p, (2, 504, 8)), 15);
}

/// The tops above lint clean (`verilator --lint-only -Wall`, the top's
/// documented waivers only).
#[test]
fn gearbox_lut_tops_lint_clean() {
    for a in [
        design("l6", (6, 48)),
        design("w120", (4, 120)),
        design("w63", (8, 63)),
    ] {
        let p = AccelParams::new(&a, 64).expect("builds");
        let l = lint_top(&p);
        assert!(l.clean, "{}: {}", a.name, l.output);
    }
}
