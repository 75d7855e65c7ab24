//! The mapper's N tiles on the accelerator top: a weight tile of several
//! feature groups (descriptor word 10, `accel/ntile.rs`), one DRAM load of
//! its groups' weights, its groups computed one after the other from one
//! weight slot, exact against the engine's prediction for the mapping
//! `onebit sim` reports; a top that ignores the N tile is caught, and the
//! N tiles it does not build are refused with the reason.

mod accel_common;

use accel_common::{mapped, small, CYCLES};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::mapping::Mapper;
use sim::Accelerator;

/// The mapper's (K tile, N tile), whether the check passed, and its report.
fn run(
    a: &Accelerator,
    axi: u32,
    shape: (u64, u64, u64),
    mutation: Mutation,
) -> ((u64, u64), bool, String) {
    let mut p = AccelParams::new(a, axi).expect("builds");
    p.mutation = mutation;
    let (_, _, tm) = engine_mapped(&p, shape, CYCLES, false).expect("the mapper's choice is built");
    assert!(
        tm.searched,
        "the mapper keeps the fixed mapping for {shape:?}"
    );
    let r = check_gemm(&p, shape.0, shape.1, shape.2, &mapped()).expect("runs");
    println!("{}", r.summary());
    assert_eq!(r.mapping, tm.describe);
    if r.passed() {
        assert_eq!(r.wrong_results, 0);
        assert_eq!(r.results, (shape.0 * shape.2) as usize);
        let rtl = r.rtl.expect("ran");
        assert_eq!(
            (rtl.start, rtl.done, rtl.total),
            (r.engine.start, r.engine.done, r.engine.total)
        );
        assert_eq!(r.wreads.0, Some(r.wreads.1 as u64), "weight-buffer reads");
    }
    ((tm.kt, tm.nt), r.passed(), r.summary())
}

/// A design, its AXI width, a layer, the mapper's (K tile, N tile) and
/// the engine's (start, done).
type Case = (Accelerator, u32, (u64, u64, u64), (u64, u64), (u64, u64));

/// Layers whose best mapping on cycles holds several feature groups a
/// weight tile: on the single-buffered 8 x 16 design (AXI 128) a decode, a
/// 16-token layer of three groups (the last N tile one group) and a decode
/// of three K tiles a group (the partial sums of two groups a tile); on
/// the double-buffered one (AXI 64) four tokens of eight groups, a decode
/// of six groups a tile in K tiles of 5 chunks (6 tiles of 5 and one of 2)
/// and four tokens of five groups in K tiles of 6, 6 and 4; each exact,
/// bit for bit, with the engine's cycles those of `sim::simulate`
/// (`engine_mapped` checks it) and below the fixed mapping's.
#[test]
fn the_mappers_n_tile_is_exact() {
    let cases: Vec<Case> = vec![
        (small(8, 16, false), 128, (1, 256, 32), (16, 2), (168, 404)),
        (
            small(8, 16, false),
            128,
            (16, 256, 24),
            (16, 2),
            (168, 1044),
        ),
        (small(8, 16, true), 64, (4, 256, 64), (16, 2), (168, 724)),
        (small(8, 16, false), 128, (1, 768, 32), (16, 2), (168, 1204)),
        (small(8, 16, true), 64, (1, 512, 48), (5, 6), (160, 824)),
        (small(8, 16, true), 64, (4, 256, 40), (6, 5), (160, 484)),
    ];
    check_cases(&cases);
}

/// `small` with weight registers of `t` tokens.
fn registers(lanes: u32, width: u32, double: bool, t: u32) -> Accelerator {
    let mut a = small(lanes, width, double);
    a.array.token_tile = t;
    a.name.push_str(&format!("_t{t}"));
    a
}

/// N tiles with weight registers (`token_tile = 4`): each group of a
/// tile fed in its token sub-tiles, the next group's first loading its
/// weights; on the single-buffered 8 x 16 eight tokens of eight groups (2
/// sub-tiles a group) and six of five groups a tile in K tiles of 6, 6
/// and 4 (sub-tiles of 4 and 2), on the double-buffered one four tokens of
/// eight groups; exact, bit for bit, the weight-buffer reads the
/// mapping's (a chunk once a sub-tile), and below the fixed mapping's.
#[test]
fn n_tiles_with_weight_registers_are_exact() {
    let cases: Vec<Case> = vec![
        (
            registers(8, 16, false, 4),
            128,
            (8, 256, 64),
            (16, 2),
            (168, 1700),
        ),
        (
            registers(8, 16, false, 4),
            128,
            (6, 256, 40),
            (6, 5),
            (160, 924),
        ),
        (
            registers(8, 16, true, 4),
            64,
            (4, 256, 64),
            (16, 2),
            (168, 724),
        ),
    ];
    check_cases(&cases);
}

/// A top that takes every weight tile as one feature group whatever the
/// descriptor's N tile (`Mutation::NTileOneGroup`): its transfers are a
/// group's and its tiles the fixed mapping's (one K tile here, so the
/// weights land in the same order and the results stay right), so the
/// first tile starts at 104 against the engine's 168 and the layer is
/// done at 484 against 404: the timing check catches it.
#[test]
fn a_top_ignoring_the_n_tile_is_caught() {
    let (tiles, passed, summary) = run(
        &small(8, 16, false),
        128,
        (1, 256, 32),
        Mutation::NTileOneGroup,
    );
    assert_eq!(tiles, (16, 2));
    assert!(!passed, "{summary}");
    assert!(summary.contains("difference -64 / +80 / +80"), "{summary}");
}

/// N tiles the top does not build are refused with the reason: a partial
/// last group (N = 36 on 8 lanes) and a layer whose input streams (32
/// tokens of 256 bytes over the 4 KiB activation buffer: the mapper's
/// weights outer in blocks of 8 with N tiles of 2).
#[test]
fn n_tiles_the_top_does_not_build_are_refused() {
    let p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    let msg = check_gemm(&p, 1, 256, 36, &mapped())
        .expect_err("refused")
        .to_string();
    assert!(
        msg.contains("N tile of 2 feature groups with a partial last group"),
        "{msg}"
    );
    assert!(msg.contains("--fixed-mapping"), "{msg}");
    let msg = check_gemm(&p, 32, 256, 16, &mapped())
        .expect_err("refused")
        .to_string();
    assert!(msg.contains("N tile 2 groups"), "{msg}");
    assert!(msg.contains("streams through DRAM"), "{msg}");
    assert!(
        msg.contains("N tile of 2 feature groups over streamed rows"),
        "{msg}"
    );
    // both in the fixed mapping are planned
    engine_mapped(&p, (1, 256, 36), Mapper::Fixed, false).expect("fixed");
    engine_mapped(&p, (32, 256, 16), Mapper::Fixed, true).expect("fixed");
}

/// Runs every case: its tiles the mapper's, its start / done the given,
/// bit-exact and exact, and below the fixed mapping's cycles.
fn check_cases(cases: &[Case]) {
    let mut failed = Vec::new();
    for (a, axi, shape, tiles, (start, done)) in cases {
        let (got, passed, summary) = run(a, *axi, *shape, Mutation::None);
        let p = AccelParams::new(a, *axi).expect("builds");
        let (_, fixed, _) = engine_mapped(&p, *shape, Mapper::Fixed, false).expect("fixed");
        println!(
            "{shape:?}: tiles {got:?}, fixed mapping {} cycles",
            fixed.cycles
        );
        assert_eq!(got, *tiles, "{shape:?}");
        assert!(
            summary.contains(&format!("start {start} done {done} ")),
            "{summary}"
        );
        assert!(fixed.cycles > *done, "{shape:?}: fixed {}", fixed.cycles);
        if !passed {
            failed.push(summary);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
