//! The mapper's token tile below the design's (`tokens.rs`, `mapping.rs`):
//! a design with weight registers of `T = 4` tokens runs a layer whose
//! mapper choice takes weight-register sub-tiles of fewer tokens (the
//! descriptor's token tile, word 9's high half): results bit-exact, start,
//! completion and total equal to the engine's for that mapping, and the
//! weight-buffer reads the mapping's (a chunk's weights once a chunk and
//! sub-tile, `reuse::loads(M, tt)`); a feeder that ignores the
//! descriptor's token tile (sub-tiles of `T`) is caught.
//!
//! The choice is steered by the mapper's prices, not a technology's: the
//! `T:1` partial-sum multiplexers priced high against the weight buffer's
//! reads, so that a smaller token tile costs less energy.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions, AccelReport};
use rtl_gen::accel::mapping::engine_mapped;
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::mapping::{MapPrices, Mapper, Objective};
use sim::Accelerator;

/// 16 x 16, double-buffered, weight registers of 4 tokens.
fn design() -> Accelerator {
    let mut a = small(16, 16, true);
    a.array.token_tile = 4;
    a.name.push_str("_t4");
    a
}

/// The mapper by energy x cycles with the multiplexers priced high.
fn mapper() -> Mapper {
    Mapper::Search {
        objective: Objective::Edp,
        prices: Some(MapPrices {
            sram_read_pj_per_byte: [0.5, 0.1, 0.1],
            sram_write_pj_per_byte: [0.1, 0.1, 0.1],
            dram_pj_per_bit: 0.1,
            reg_pj_per_bit: 0.01,
            mux_pj_per_bit: 1.0,
            term_pj: 0.01,
            static_pj_per_cycle: 1.0,
        }),
    }
}

/// 6 tokens, 8 chunks, 2 feature groups (the fixed mapping: sub-tiles of 4 + 2).
const SHAPE: (u64, u64, u64) = (6, 128, 32);

/// The token tile the mapper chose (below 4) and the check's report.
fn run(mutation: Mutation) -> (u64, AccelReport) {
    let mut p = AccelParams::new(&design(), 64).expect("builds");
    p.mutation = mutation;
    let (_, tl, tm) = engine_mapped(&p, SHAPE, mapper(), false).expect("the choice is built");
    assert!(tm.searched, "the mapper keeps the fixed mapping");
    assert!(
        tm.tt >= 1 && tm.tt < 4,
        "token tile {} ({})",
        tm.tt,
        tm.describe
    );
    let o = AccelOptions {
        mapper: mapper(),
        ..opts()
    };
    let (m, k, n) = SHAPE;
    let r = check_gemm(&p, m, k, n, &o).expect("runs");
    println!("{}", r.summary());
    assert_eq!(r.mapping, tm.describe);
    assert_eq!(r.engine.total, tl.cycles);
    (tm.tt, r)
}

/// Weight-buffer reads of the layer in sub-tiles of `tt`: 2 groups x 8
/// chunks x `ceil(6 / tt)` loads.
fn reads(tt: u64) -> u64 {
    2 * 8 * SHAPE.0.div_ceil(tt)
}

#[test]
fn a_token_tile_below_the_designs_is_exact() {
    let (tt, r) = run(Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    // the mapper's choice: sub-tiles of one token (a weight load every
    // chunk), one K tile of 8 chunks
    assert_eq!(tt, 1);
    assert_eq!(
        (r.engine.start, r.engine.done, r.engine.total),
        (104, 220, 220)
    );
    assert_eq!(r.results, 6 * 32);
    assert_eq!(r.wrong_results, 0);
    assert_eq!(r.rtl, Some(r.engine));
    assert_eq!(r.wreads, (Some(reads(tt)), reads(tt) as i64));
    // the fixed mapping's sub-tiles of 4 read the weights fewer times
    assert!(reads(tt) > reads(4));
}

/// A feeder in sub-tiles of the design's 4 tokens whatever the descriptor
/// says: the results and cycles are right (one chunk a cycle either way),
/// but the weights are read once a sub-tile of 4, not of the mapping's.
#[test]
fn a_feeder_ignoring_the_descriptors_token_tile_is_caught() {
    let (tt, r) = run(Mutation::TokenTileIgnored);
    assert!(!r.passed(), "{}", r.summary());
    assert_eq!(r.wreads, (Some(reads(tt)), reads(4) as i64));
}
