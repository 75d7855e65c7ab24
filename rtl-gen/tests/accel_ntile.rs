//! The mapper's N tiles on the accelerator top: a weight tile of several
//! feature groups (descriptor word 10, `accel/ntile.rs`), one DRAM load of
//! its groups' weights, its groups computed one after the other from one
//! weight slot, exact against the engine's prediction for the mapping
//! `onebit sim` reports; a top that ignores the N tile is caught, and the
//! N tiles it does not build are refused with the reason.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::mapping::{Mapper, Objective};
use sim::Accelerator;

const CYCLES: Mapper = Mapper::Search {
    objective: Objective::Cycles,
    prices: None,
};

fn mapped() -> AccelOptions {
    AccelOptions {
        mapper: CYCLES,
        ..opts()
    }
}

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
    assert!(tm.searched, "the mapper keeps the fixed mapping for {shape:?}");
    let r = check_gemm(&p, shape.0, shape.1, shape.2, &mapped()).expect("runs");
    println!("{}", r.summary());
    assert_eq!(r.mapping, tm.describe);
    if r.passed() {
        assert_eq!(r.wrong_results, 0);
        assert_eq!(r.results, (shape.0 * shape.2) as usize);
        let rtl = r.rtl.clone().expect("ran");
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

/// Layers whose best mapping on cycles holds two feature groups a weight
/// tile: a decode and a 16-token layer of three groups (the last N tile
/// one group) on the single-buffered 8 x 16 design, four tokens of eight
/// groups on the double-buffered one; each exact, bit for bit, with the
/// engine's cycles those of `sim::simulate` (`engine_mapped` checks it)
/// and below the fixed mapping's.
#[test]
fn the_mappers_n_tile_is_exact() {
    let cases: Vec<Case> = vec![
        (small(8, 16, false), 128, (1, 256, 32), (16, 2), (0, 0)),
        (small(8, 16, false), 128, (16, 256, 24), (16, 2), (0, 0)),
        (small(8, 16, true), 64, (4, 256, 64), (16, 2), (0, 0)),
    ];
    let mut failed = Vec::new();
    for (a, axi, shape, tiles, (start, done)) in &cases {
        let (got, passed, summary) = run(a, *axi, *shape, Mutation::None);
        let p = AccelParams::new(a, *axi).expect("builds");
        let (_, fixed, _) = engine_mapped(&p, *shape, Mapper::Fixed, false).expect("fixed");
        println!("{shape:?}: tiles {got:?}, fixed mapping {} cycles", fixed.cycles);
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
