//! Descriptor chains on the accelerator top under Verilator: the layers run
//! as ONE run (DESC_COUNT > 1), every layer's start and completion and the
//! total equal to the engine's `engine_chain`, results bit-exact (a
//! dependent layer's input requantized on chip); sequencers without the
//! prefetch across layer boundaries or without the dependency hold are
//! caught.

mod accel_common;

use accel_common::{banked, opts, small};
use rtl_gen::accel::chain::ChainLayer;
use rtl_gen::accel::chain_check::{check_chain, ChainReport};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

fn layer(m: u64, k: u64, n: u64) -> ChainLayer {
    ChainLayer {
        m,
        k,
        n,
        after: None,
        shift: 0,
        out_shift: None,
    }
}

fn run(arch: &Accelerator, axi: u32, layers: &[ChainLayer], mutation: Mutation) -> ChainReport {
    let mut p = AccelParams::new(arch, axi).expect("builds");
    p.mutation = mutation;
    let r = check_chain(&p, layers, &opts()).expect("runs");
    println!("{}", r.summary());
    r
}

fn timing(r: &ChainReport) -> Vec<(u64, u64)> {
    r.layers.iter().map(|l| l.rtl.unwrap_or((0, 0))).collect()
}

/// Two independent compute-bound layers on a double buffer (the engine's
/// figures pinned in accel_chain.rs: 56/188, then 184/316 with the second
/// layer's first tile prefetched) and on a single buffer (56/244, 296/484).
#[test]
fn independent_pair_is_exact() {
    let two = [layer(16, 64, 16), layer(16, 64, 16)];
    let r = run(&small(8, 16, true), 64, &two, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    assert_eq!(timing(&r), vec![(56, 188), (184, 316)]);
    assert_eq!(r.total, (316, Some(316)));
    let r = run(&small(8, 16, false), 128, &two, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    assert_eq!(timing(&r), vec![(56, 244), (296, 484)]);
}

/// q (N = 32), k, v (N = 16) and o (K = 16, N = 64, an input of its own)
/// as one chain of four descriptors, double- and single-buffered, and a
/// DRAM-bound decode chain (M = 1) whose boundaries are load-bound (M = 8:
/// the four outputs fill the 128-word output buffer).
#[test]
fn qkvo_chain_is_exact() {
    for m in [8, 1] {
        let qkvo = [
            layer(m, 64, 32),
            layer(m, 64, 16),
            layer(m, 64, 16),
            layer(m, 16, 64),
        ];
        for (arch, axi) in [(small(8, 16, true), 64), (small(8, 16, false), 128)] {
            let r = run(&arch, axi, &qkvo, Mutation::None);
            assert!(r.passed(), "{}", r.summary());
        }
    }
}

/// The q, k, v, o chain of 8 tokens on the banked DRAM model (LPDDR5-6400,
/// one channel): the boundaries' loads timed by the bank state.
#[test]
fn qkvo_chain_on_banked_dram_is_exact() {
    let qkvo = [
        layer(8, 64, 32),
        layer(8, 64, 16),
        layer(8, 64, 16),
        layer(8, 16, 64),
    ];
    let r = run(&banked(small(8, 16, true)), 64, &qkvo, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
}

/// q, k, v then o reading v's output requantized to INT8 (shift 6) on a
/// 16 x 16 design (lanes = width: an output word is one input chunk),
/// double- and single-buffered: o's input is written into the activation
/// buffer as v's outputs leave the tile, o starts no earlier than v's done,
/// every layer exact and bit-exact.
#[test]
fn dependent_qkvo_chain_is_exact() {
    let mut qkvo = vec![
        layer(8, 64, 32),
        layer(8, 64, 16),
        layer(8, 64, 16),
        layer(8, 16, 64),
    ];
    qkvo[3].after = Some(2);
    qkvo[3].shift = 6;
    for (arch, axi) in [(small(16, 16, true), 64), (small(16, 16, false), 128)] {
        let r = run(&arch, axi, &qkvo, Mutation::None);
        assert!(r.passed(), "{}", r.summary());
        assert!(r.layers[3].engine.0 >= r.layers[2].engine.1);
    }
}

/// Without the dependency hold o starts before v is complete: caught. A
/// compute-bound k, v (16 x 64 x 16: 64 busy cycles a tile) and o (16 x 16
/// x 32) reading v: o's weights are on chip before v ends, so the engine
/// holds o until v's done, and a sequencer without the hold starts it at
/// v's compute end.
#[test]
fn missing_dependency_hold_is_caught() {
    let mut kvo = vec![layer(16, 64, 16), layer(16, 64, 16), layer(16, 16, 32)];
    kvo[2].after = Some(1);
    kvo[2].shift = 6;
    let arch = small(16, 16, true);
    let r = run(&arch, 64, &kvo, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    // the hold binds: o starts at v's done
    assert_eq!(r.layers[2].engine.0, r.layers[1].engine.1);
    let r = run(&arch, 64, &kvo, Mutation::NoDependencyHold);
    assert!(!r.passed(), "{}", r.summary());
    assert_ne!(r.layers[2].rtl, Some(r.layers[2].engine));
}

/// A chain whose outputs do not fit the output buffer together is refused
/// (16 tokens: 256 words of 128).
#[test]
fn chain_outputs_must_fit_on_chip() {
    let p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    let qkvo = [
        layer(16, 64, 32),
        layer(16, 64, 16),
        layer(16, 64, 16),
        layer(16, 16, 64),
    ];
    let e = check_chain(&p, &qkvo, &opts()).expect_err("refused");
    assert!(e.to_string().contains("256 words"), "{e}");
}

/// A sequencer that fetches no weights of a layer before the layers before
/// it are complete: the check must catch it (the second layer starts late).
#[test]
fn missing_cross_boundary_prefetch_is_caught() {
    let two = [layer(16, 64, 16), layer(16, 64, 16)];
    let r = run(&small(8, 16, true), 64, &two, Mutation::NoChainPrefetch);
    assert!(!r.passed(), "{}", r.summary());
    assert!(r.layers.iter().all(|l| l.wrong == 0), "results stay right");
    assert_ne!(r.layers[1].rtl, Some(r.layers[1].engine));
}

/// A whole BitNet block's linear layers as one chain of 7 descriptors on a
/// 16 x 16 design: q, k, v, o reading v (shift 5), gate, up, down reading
/// up (shift 6), 2 tokens, double- and single-buffered; every layer's
/// start and done equal to the engine's, results bit-exact. A chain of 9
/// is refused with the table's size.
#[test]
fn bitnet_block_of_seven_layers_is_one_chain() {
    let mut block = vec![
        layer(2, 64, 32), // q
        layer(2, 64, 16), // k
        layer(2, 64, 16), // v
        layer(2, 16, 64), // o, reading v
        layer(2, 64, 32), // gate
        layer(2, 64, 32), // up
        layer(2, 32, 64), // down, reading up
    ];
    block[3].after = Some(2);
    block[3].shift = 5;
    block[6].after = Some(5);
    block[6].shift = 6;
    let double = [
        (72, 116),
        (152, 164),
        (184, 196),
        (208, 296),
        (332, 376),
        (412, 456),
        (476, 576),
    ];
    let single = [
        (72, 164),
        (232, 244),
        (312, 324),
        (368, 524),
        (592, 684),
        (752, 844),
        (896, 1084),
    ];
    for (arch, axi, want) in [
        (small(16, 16, true), 64, double),
        (small(16, 16, false), 128, single),
    ] {
        let r = run(&arch, axi, &block, Mutation::None);
        assert!(r.passed(), "{}", r.summary());
        assert_eq!(timing(&r), want.to_vec());
        assert!(r.layers[6].engine.0 >= r.layers[5].engine.1);
        assert!(r.layers[3].engine.0 >= r.layers[2].engine.1);
    }
    let p = AccelParams::new(&small(16, 16, true), 64).expect("builds");
    let nine = vec![layer(1, 16, 16); 9];
    let e = check_chain(&p, &nine, &opts()).expect_err("refused");
    assert!(e.to_string().contains("holds at most 8"), "{e}");
}

/// INT8 outputs in memory (descriptor flags bit 1, shift in bits 28:24):
/// q, k, v, o on the 8 x 16 design with q and o written as INT8 (shift 4
/// and 3), k and v as accumulators; and on the 16 x 16 design v written as
/// INT8 (shift 5) while o reads v's accumulators requantized with its own
/// shift 6. Each INT8 layer's bytes equal `requant` of the model's
/// accumulators; the layers' starts and dones equal the engine's (the
/// outputs stay on chip until the chain ends, so the engine's timing is
/// that of the accumulator chain). A design whose output word is less than
/// an AXI beat is refused.
#[test]
fn int8_outputs_are_exact() {
    let mut qkvo = vec![
        layer(8, 64, 32),
        layer(8, 64, 16),
        layer(8, 64, 16),
        layer(8, 16, 64),
    ];
    qkvo[0].out_shift = Some(4);
    qkvo[3].out_shift = Some(3);
    let r = run(&small(8, 16, true), 64, &qkvo, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    let acc: Vec<ChainLayer> = qkvo
        .iter()
        .map(|l| ChainLayer {
            out_shift: None,
            ..*l
        })
        .collect();
    let base = run(&small(8, 16, true), 64, &acc, Mutation::None);
    assert_eq!(timing(&r), timing(&base));
    let mut dep = acc.clone();
    dep[2].out_shift = Some(5);
    dep[3].after = Some(2);
    dep[3].shift = 6;
    let r = run(&small(16, 16, true), 64, &dep, Mutation::None);
    assert!(r.passed(), "{}", r.summary());
    let p = AccelParams::new(&small(8, 16, true), 128).expect("builds");
    let e = check_chain(&p, &qkvo, &opts()).expect_err("refused");
    assert!(e.to_string().contains("whole 128-bit AXI beats"), "{e}");
}
