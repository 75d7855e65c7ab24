//! The mapper's choice in the accelerator top: a layer checked with
//! `--mapper` runs the K tile the simulator's mapper chose (descriptor word
//! 9), exact against the engine's prediction for that mapping (which is
//! the cycles `onebit sim` reports with the same objective); choices the
//! top does not make are refused with the reason; a top that ignores the
//! descriptor's K tile is caught.

mod accel_common;

use accel_common::{mapped, small, CYCLES};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::mapping::Mapper;
use sim::Accelerator;

/// The K tile the mapper chose, and the check's report.
fn run(
    a: &Accelerator,
    axi: u32,
    shape: (u64, u64, u64),
    mutation: Mutation,
) -> (u64, bool, String) {
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
    (tm.kt, r.passed(), r.summary())
}

/// A design, its AXI width, a layer, the mapper's K tile and the total.
type Case = (Accelerator, u32, (u64, u64, u64), u64, u64);

/// Decode and prefill shapes whose best K tile on cycles is below a
/// weight slot's 32 chunks (8 x 16) or 8 chunks (16 x 64): every case
/// exact, bit for bit, and the engine's cycles those of `sim::simulate`
/// with the same mapper (`engine_mapped` checks it).
#[test]
fn the_mappers_k_tile_is_exact() {
    let cases: Vec<Case> = vec![
        // 32 chunks a row in two K tiles of 16: the first load is half a
        // slot, 256 B at 8 B/cycle after 40 cycles
        (small(8, 16, true), 64, (1, 512, 64), 16, 1084),
        // 80 chunks in 5 K tiles of 16, two tokens: partial sums in the
        // output buffer
        (small(8, 16, true), 64, (2, 1280, 16), 16, 748),
        // a K tile that does not divide the row (20 chunks in 5s) on a
        // 512-bit bus
        (small(16, 64, true), 512, (2, 1280, 16), 5, 695),
        // 24 chunks in 6s, two groups
        (small(16, 64, true), 512, (1, 1536, 32), 6, 1587),
    ];
    let mut failed = Vec::new();
    for (a, axi, shape, kt, total) in &cases {
        let (got_kt, passed, summary) = run(a, *axi, *shape, Mutation::None);
        assert_eq!(got_kt, *kt, "{shape:?}");
        assert!(summary.contains(&format!("total {total} ")), "{summary}");
        // the fixed mapping (a slot's K tile) is slower: the check compares
        // with the mapper's prediction, not the fixed one
        let p = AccelParams::new(a, *axi).expect("builds");
        let (_, fixed, _) = engine_mapped(&p, *shape, Mapper::Fixed, false).expect("fixed");
        println!("fixed mapping: {} cycles", fixed.cycles);
        assert!(fixed.cycles > *total, "{shape:?}: fixed {}", fixed.cycles);
        if !passed {
            failed.push(summary);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// A top that runs every K tile at a slot's words, whatever the
/// descriptor says: the partial sums and the tiles' times are wrong.
#[test]
fn a_top_ignoring_the_k_tile_is_caught() {
    let (kt, passed, summary) = run(&small(8, 16, true), 64, (1, 512, 64), Mutation::SlotKTile);
    assert_eq!(kt, 16);
    assert!(!passed, "{summary}");
}

/// Choices the top does not make are refused with the reason: an N tile
/// with a partial last group (two feature groups a weight tile of the
/// single-buffered 8 x 16, N = 36), and any choice but the fixed mapping
/// for a layer whose data streams (N tiles on chip: `accel_ntile.rs`).
#[test]
fn choices_the_top_does_not_make_are_refused() {
    let p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    let e = check_gemm(&p, 1, 256, 36, &mapped()).expect_err("refused");
    let msg = e.to_string();
    assert!(msg.contains("N tile of 2 feature groups"), "{msg}");
    assert!(msg.contains("--fixed-mapping"), "{msg}");
    // the same layer in the fixed mapping is planned
    engine_mapped(&p, (1, 256, 36), Mapper::Fixed, false).expect("fixed");
}
