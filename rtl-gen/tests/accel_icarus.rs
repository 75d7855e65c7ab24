//! The accelerator top under Icarus Verilog (the VPI testbench, the same
//! slave, host and DRAM model as the Verilator one): one layer on an 8x16
//! double-buffered and a single-buffered design, results bit-exact and the
//! layer's start, completion and total exactly the engine's; a broken
//! sequencer caught; a chain with a dependent layer exact too.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::{check_gemm, AccelOptions, AccelReport};
use rtl_gen::accel::AccelParams;
use rtl_gen::check::Simulator;
use sim::Accelerator;

fn icarus() -> AccelOptions {
    AccelOptions {
        sim: Simulator::Icarus,
        ..opts()
    }
}

fn check(arch: &Accelerator, axi: u32, (m, k, n): (u64, u64, u64)) -> AccelReport {
    let p = AccelParams::new(arch, axi).expect("builds");
    let r = check_gemm(&p, m, k, n, &icarus()).expect("runs");
    println!("{}", r.summary());
    r
}

/// Two cases of the Verilator matrix (`accel_cosim::matrix_is_exact`):
/// exact under Icarus too.
#[test]
fn small_cases_are_exact() {
    for (arch, axi, shape) in [
        // DRAM-bound decode: 4 tiles of 512 B at 8 B/cycle
        (small(8, 16, true), 64, (1, 256, 32)),
        // single-buffered: a load only after the previous tile
        (small(8, 16, false), 128, (2, 128, 40)),
    ] {
        let r = check(&arch, axi, shape);
        assert!(r.finished, "{}", r.summary());
        assert_eq!(r.wrong_results, 0, "{}", r.summary());
        assert_eq!(r.results, (shape.0 * shape.2) as usize);
        assert_eq!(r.rtl, Some(r.engine), "{}", r.summary());
        assert!(r.transfers > 0);
        assert!(r.passed(), "{}", r.summary());
    }
}

/// A sequencer that prefetches a single tile on a double buffer (the
/// CLI's `--inject-fault`): caught under Icarus.
#[test]
fn one_slot_sequencer_is_caught() {
    let mut p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    p.mutation = rtl_gen::accel::params::Mutation::OneSlot;
    let r = check_gemm(&p, 1, 256, 32, &icarus()).expect("runs");
    println!("{}", r.summary());
    assert!(r.finished);
    assert_eq!(r.wrong_results, 0);
    assert!(!r.passed());
    assert_ne!(r.rtl, Some(r.engine));
}

/// A dependent chain under Icarus: q (8 x 64 x 32), k, v (8 x 64 x 16) and
/// o (8 x 16 x 64) reading v's output requantized on chip (shift 6), as one
/// run of four descriptors on the 16 x 16 double-buffered design. Every
/// layer's start and completion are the engine's, which Verilator gives
/// too (`accel_chain_cosim::dependent_qkvo_chain_is_exact`, docs/rtl.md:
/// 72 / 140, 176 / 212, 208 / 244, 256 / 356), and every result bit-exact.
#[test]
fn dependent_chain_is_exact() {
    use rtl_gen::accel::chain::ChainLayer;
    use rtl_gen::accel::chain_check::check_chain;
    let layer = |m, k, n| ChainLayer {
        m,
        k,
        n,
        after: None,
        shift: 0,
        out_shift: None,
    };
    let mut qkvo = vec![
        layer(8, 64, 32),
        layer(8, 64, 16),
        layer(8, 64, 16),
        layer(8, 16, 64),
    ];
    qkvo[3].after = Some(2);
    qkvo[3].shift = 6;
    let p = AccelParams::new(&small(16, 16, true), 64).expect("builds");
    let r = check_chain(&p, &qkvo, &icarus()).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    let rtl: Vec<(u64, u64)> = r.layers.iter().map(|l| l.rtl.unwrap_or((0, 0))).collect();
    assert_eq!(rtl, vec![(72, 140), (176, 212), (208, 244), (256, 356)]);
    assert_eq!(r.total, (356, Some(356)));
}

/// Outputs stored per tile under Icarus: 4 x 256 x 128 on 8 x 16 with a
/// 1 KiB activation buffer (the 1 KiB input fits, the 2 KiB of outputs do
/// not) and a 1 KiB output buffer (halves of 16 words): 16 groups, each
/// one 128 B store timed by the same DRAM model as under Verilator.
#[test]
fn outputs_stored_per_tile_are_exact() {
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 1;
    a.name.push_str("_st");
    let r = check(&a, 64, (4, 256, 128));
    assert_eq!((r.engine.start, r.engine.done), (104, 1592));
    assert_eq!(r.stores, (16, 16), "{}", r.summary());
    assert_eq!(r.wrong_results, 0, "{}", r.summary());
    assert_eq!(r.rtl, Some(r.engine), "{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
}

/// A non-ternary datapath under Icarus: the bit-serial popcount (INT8 x
/// ternary, 2 planes a cycle: II = 4) on 8 x 16, k, v (4 x 64 x 16) and o
/// (4 x 16 x 32) reading v (shift 6) through the column SRAMs (lanes <
/// width). The same start / done as under Verilator
/// (`accel_chain_datapaths::dependent_chain_on_popcount_is_exact`: 56 /
/// 188, 184 / 316, 316 / 436), every result bit-exact (Icarus's 4-state
/// run: no unknown bit of the columns reaches a result).
#[test]
fn popcount_dependent_chain_is_exact() {
    use rtl_gen::accel::chain::ChainLayer;
    use rtl_gen::accel::chain_check::check_chain;
    use sim::arch::Reduction;
    let layer = |m, k, n, after: Option<usize>| ChainLayer {
        m,
        k,
        n,
        after,
        shift: if after.is_some() { 6 } else { 0 },
        out_shift: None,
    };
    let mut a = small(8, 16, true);
    a.name = "cd_pc".into();
    a.array.reduction = Reduction::Popcount;
    a.array.planes_per_cycle = 2;
    // a weight tile of 32 chunks of 8 x 16 2-bit codes, double-buffered
    a.buffers.weights.kib = 2;
    let chain = [
        layer(4, 64, 16, None),
        layer(4, 64, 16, None),
        layer(4, 16, 32, Some(1)),
    ];
    let p = AccelParams::new(&a, 64).expect("builds");
    assert_eq!(p.tile.ii(), 4);
    let r = check_chain(&p, &chain, &icarus()).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    let rtl: Vec<(u64, u64)> = r.layers.iter().map(|l| l.rtl.unwrap_or((0, 0))).collect();
    assert_eq!(rtl, vec![(56, 188), (184, 316), (316, 436)]);
    assert_eq!(r.total, (436, Some(436)));
}
