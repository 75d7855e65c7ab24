//! The accelerator top under Verilator with the simulator's DRAM model in
//! the loop: results bit-exact, layer start, completion and total equal to
//! the engine's prediction; the randomized mode correct; a broken slave and
//! a broken sequencer caught.

mod accel_common;

use accel_common::{banked, opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions, AccelReport};
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

fn check(
    arch: &Accelerator,
    axi: u32,
    (m, k, n): (u64, u64, u64),
    o: &AccelOptions,
) -> AccelReport {
    let p = AccelParams::new(arch, axi).expect("builds");
    let r = check_gemm(&p, m, k, n, o).expect("runs");
    println!("{}", r.summary());
    r
}

/// The verified matrix: shapes (DRAM-bound, compute-bound, a full weight
/// tile, prefill), double and single buffering, 64-, 128- and 512-bit AXI,
/// the transaction and the banked DRAM model: every case exact.
#[test]
fn matrix_is_exact() {
    let o = opts();
    let cases: Vec<(Accelerator, u32, (u64, u64, u64))> = vec![
        // DRAM-bound decode: 4 tiles of 512 B at 8 B/cycle, 16 busy cycles each
        (small(8, 16, true), 64, (1, 256, 32)),
        // compute-bound prefill: 16 tokens x 4 chunks = 64 busy cycles a tile, 16 to load
        (small(8, 16, true), 64, (16, 64, 16)),
        // the full weight tile (32 chunks), 3 tokens
        (small(8, 16, true), 64, (3, 512, 24)),
        // K larger than a buffer half: 3 K tiles (32 + 32 + 16 chunks) a
        // group, partial sums added in the output buffer
        (small(8, 16, true), 64, (2, 1280, 16)),
        (small(8, 16, true), 64, (4, 1024, 8)),
        // single-buffered: a load only after the previous tile
        (small(8, 16, false), 128, (2, 128, 40)),
        (small(8, 16, false), 128, (16, 64, 16)),
        // wide AXI
        (small(16, 64, true), 512, (4, 1024, 64)),
        // the banked model (LPDDR5-6400, one channel: 12.8 B/cycle, so the
        // DRAM-bound case has the 16-byte bus; on a 64-bit bus the bus
        // would time its transfers, in the engine as in the RTL)
        (banked(small(8, 16, false)), 128, (1, 256, 32)),
        (banked(small(8, 16, true)), 64, (8, 128, 48)),
        (small(8, 16, false), 128, (4, 768, 16)),
    ];
    let mut failed = Vec::new();
    for (arch, axi, shape) in &cases {
        let r = check(arch, *axi, *shape, &o);
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Random AXI delays and back-pressure: still bit-exact (also a partial
/// group and a short chunk, whose words end early); the cycle
/// difference is reported, not required to be zero.
#[test]
fn randomized_timing_is_correct() {
    let o = AccelOptions {
        random: true,
        seed: 7,
        ..opts()
    };
    // the last two: a partial last group and a short last chunk in a K split
    for shape in [
        (1, 256, 32),
        (16, 64, 16),
        (2, 1280, 16),
        (2, 256, 36),
        (2, 1064, 16),
    ] {
        let r = check(&small(8, 16, true), 64, shape, &o);
        assert!(r.passed(), "{}", r.summary());
        assert_eq!(r.wrong_results, 0);
    }
}

/// A slave that drops one weight beat: the layer never completes, the check fails.
#[test]
fn dropped_beat_is_caught() {
    let o = AccelOptions {
        drop_beat: 5,
        max_cycles: 20_000,
        ..opts()
    };
    let r = check(&small(8, 16, true), 64, (1, 256, 32), &o);
    assert!(!r.passed());
    assert!(!r.finished);
}

/// A sequencer that starts tiles before their weights arrive, and one that
/// prefetches a single tile on a double buffer: both caught.
#[test]
fn mutated_sequencers_are_caught() {
    use rtl_gen::accel::params::Mutation;
    for m in [Mutation::EarlyStart, Mutation::OneSlot] {
        let mut p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
        p.mutation = m;
        let r = check_gemm(&p, 1, 256, 32, &opts()).expect("runs");
        println!("{m:?}\n{}", r.summary());
        assert!(!r.passed(), "{m:?} passed");
    }
}

/// N not a multiple of the lanes: the last group has `N % lanes` lanes,
/// whose weights alone the engine loads (fewer bytes, so a shorter
/// transfer) and whose outputs alone are written back; exact on double and
/// single buffering, with a K split and on the banked model.
#[test]
fn partial_last_group_is_exact() {
    let o = opts();
    let cases: Vec<(Accelerator, u32, (u64, u64, u64))> = vec![
        // 8 lanes: 4 full groups and one of 4 (a chunk of 128 bits, two beats)
        (small(8, 16, true), 64, (2, 256, 36)),
        // DRAM-bound decode with a group of 2 lanes (a 64-bit chunk, one beat)
        (small(8, 16, true), 64, (1, 512, 18)),
        // a K split (3 K tiles) over a partial group of 4 lanes
        (small(8, 16, true), 64, (2, 1280, 20)),
        // single buffer on a 128-bit bus: a group of 4 lanes
        (small(8, 16, false), 128, (3, 128, 44)),
        (banked(small(8, 16, true)), 64, (4, 128, 42)),
    ];
    let mut failed = Vec::new();
    for (arch, axi, shape) in &cases {
        let r = check(arch, *axi, *shape, &o);
        assert_eq!(r.results, (shape.0 * shape.2) as usize);
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// K not a multiple of the width: the last chunk holds `K % width`
/// elements, stored element-major so the engine's load (`lanes x (K %
/// width)` codes) is a prefix of whole beats; the missing elements are zero
/// weights. Exact alone, in a K split (the short chunk in the last K tile)
/// and on the banked model.
#[test]
fn short_last_chunk_is_exact() {
    let o = opts();
    let cases: Vec<(Accelerator, u32, (u64, u64, u64))> = vec![
        // 16 chunks + 8 elements, DRAM-bound decode
        (small(8, 16, true), 64, (1, 264, 32)),
        // 2 tokens, 3 K tiles: 32 + 32 + (2 chunks + 8 elements)
        (small(8, 16, true), 64, (2, 1064, 16)),
        // single buffer, compute-bound
        (small(8, 16, false), 64, (16, 72, 16)),
        (banked(small(8, 16, true)), 64, (4, 136, 24)),
    ];
    let mut failed = Vec::new();
    for (arch, axi, shape) in &cases {
        let r = check(arch, *axi, *shape, &o);
        assert_eq!(r.results, (shape.0 * shape.2) as usize);
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
