//! Chains of linear layers (a descriptor list): the engine's timing of a
//! chain run as one operator sequence (weights prefetched across the
//! boundaries, a dependent layer held until its producer is complete), the
//! requantization rule of a dependent layer's input and the chain's
//! bit-exact results. Engine only (the RTL's chains: accel_chain_cosim.rs).

mod accel_common;

use accel_common::{banked, small};
use rtl_gen::accel::chain::{chain_results, engine_chain, requant, ChainLayer};
use rtl_gen::accel::AccelParams;

fn layer(m: u64, k: u64, n: u64, after: Option<usize>) -> ChainLayer {
    ChainLayer {
        m,
        k,
        n,
        after,
        shift: 6,
        out_shift: None,
    }
}

/// q (N = 32), k, v (N = 16) and o, whose input is v's output (K = 16) or,
/// with `dep` false, an input of its own.
fn qkvo(m: u64, dep: bool) -> Vec<ChainLayer> {
    vec![
        layer(m, 64, 32, None),
        layer(m, 64, 16, None),
        layer(m, 64, 16, None),
        layer(m, 16, 64, dep.then_some(2)),
    ]
}

/// Two independent compute-bound layers on a double buffer: the second
/// layer's first weight tile was prefetched during the first layer, so it
/// starts in the cycle the array frees (the first layer's compute end,
/// before the drain), and runs as long as alone; the first layer is timed
/// as alone (nothing before it). 16 x 64 x 16 alone: 56 / 188 (a 56-cycle
/// first load, 2 groups x 16 tokens x 4 chunks = 128 cycles, a drain of 4).
#[test]
fn independent_layers_prefetch_across_the_boundary() {
    let p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    let (t, total) =
        engine_chain(&p, &[layer(16, 64, 16, None), layer(16, 64, 16, None)]).expect("chain");
    assert_eq!((t[0].start, t[0].done), (56, 188));
    assert_eq!((t[0].alone.start, t[0].alone.done), (56, 188));
    assert_eq!(t[1].start, t[0].compute_end);
    assert_eq!((t[1].start, t[1].compute_end, t[1].done), (184, 312, 316));
    assert_eq!(total, 316);
    // the chain is shorter than two runs one after the other
    assert!(total < 2 * t[0].alone.total);
}

/// A single buffer holds no second tile: the next layer's first load is
/// issued only when the previous layer's last tile frees the slot, so the
/// boundary costs the whole first-load latency again.
#[test]
fn single_buffer_refetches_at_the_boundary() {
    let p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    let (t, total) =
        engine_chain(&p, &[layer(16, 64, 16, None), layer(16, 64, 16, None)]).expect("chain");
    assert_eq!((t[0].start, t[0].compute_end, t[0].done), (56, 240, 244));
    assert_eq!(t[1].start, t[0].compute_end + t[0].alone.start);
    assert_eq!((t[1].start, t[1].done, total), (296, 484, 484));
}

/// q, k, v then o reading v's output: with o's weights prefetched, o waits
/// for v to be complete (v's compute end plus the drain of 4), where an
/// independent o starts at v's compute end — the dependency stall; on the
/// transaction DRAM and on the banked model.
#[test]
fn dependent_layer_waits_for_its_producer() {
    for (arch, axi, v_end) in [
        (small(8, 16, true), 64, 568),
        // the 64-bit bus (8 B a cycle) is narrower than the LPDDR5's 12.8:
        // a transfer's beats start at its first burst's data (the banked
        // model's command timing), no longer at its issue, so the weights
        // the bus carries arrive later: 573, where taking the first data
        // as the issue gave 571
        (banked(small(8, 16, true)), 64, 573),
    ] {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let (dep, _) = engine_chain(&p, &qkvo(16, true)).expect("chain");
        let (ind, _) = engine_chain(&p, &qkvo(16, false)).expect("chain");
        assert_eq!(dep[2].compute_end, v_end, "{}", arch.name);
        assert_eq!(dep[2].done, v_end + 4);
        assert_eq!(dep[3].start, dep[2].done, "o starts when v is complete");
        assert_eq!(
            ind[3].start, ind[2].compute_end,
            "an independent o does not wait"
        );
        // q, k, v back to back: each starts where the previous one's tiles end
        assert_eq!(dep[1].start, dep[0].compute_end);
        assert_eq!(dep[2].start, dep[1].compute_end);
    }
}

/// On a single buffer o's first load is issued when v's last tile ends and
/// arrives after v is complete: no dependency stall shows.
#[test]
fn single_buffer_hides_the_dependency() {
    let p = AccelParams::new(&small(8, 16, false), 128).expect("builds");
    let (dep, total) = engine_chain(&p, &qkvo(16, true)).expect("chain");
    let (ind, total_ind) = engine_chain(&p, &qkvo(16, false)).expect("chain");
    assert_eq!(dep[3].start, dep[2].compute_end + dep[3].alone.start);
    assert!(dep[3].start > dep[2].done);
    assert_eq!((dep[3].start, total), (ind[3].start, total_ind));
    assert_eq!((dep[3].start, dep[3].done), (1004, 1444));
}

/// The rule: arithmetic shift right with round half up, then saturation.
#[test]
fn requantization_rule() {
    assert_eq!(requant(100, 2), 25); // 102 >> 2
    assert_eq!(requant(5, 1), 3); // 2.5 rounds up
    assert_eq!(requant(-5, 1), -2); // -2.5 rounds up
    assert_eq!(requant(-6, 2), -1); // -1.5 rounds up
    assert_eq!(requant(-7, 2), -2); // -1.75
    assert_eq!(requant(1000, 2), 127);
    assert_eq!(requant(-1000, 0), -128);
    assert_eq!(requant(-128, 0), -128);
    assert_eq!(requant(i32::MAX, 31), 1); // (2^31 - 1 + 2^30) >> 31
    assert_eq!(requant(i32::MIN, 31), -1);
}

/// o's results are its weights times v's output requantized, by a plain
/// product here (K = 16: one K tile, no accumulator wraps at these sizes).
#[test]
fn dependent_results_use_the_requantized_output() {
    let p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    let chain = qkvo(2, true);
    let r = chain_results(&p, &chain, 7).expect("results");
    let (v, o) = (&r[2], &r[3]);
    for m in 0..2usize {
        for c in 0..64usize {
            let want: i32 = (0..16usize)
                .map(|i| {
                    let x = i32::from(requant(v.expected[m * 16 + i], 6));
                    x * i32::from(o.weights[c * 16 + i])
                })
                .sum();
            assert_eq!(o.expected[m * 64 + c], want);
            assert_eq!(
                o.acts[m * 16 + c % 16],
                requant(v.expected[m * 16 + c % 16], 6)
            );
        }
    }
    assert!(
        o.acts.iter().filter(|&&x| x != 0).count() > 16,
        "a trivial input"
    );
    // the input image holds the requantized bytes
    let img = &o
        .segments
        .iter()
        .find(|s| s.0 == rtl_gen::accel::image::ACT_ADDR)
        .unwrap()
        .1;
    assert_eq!(img.len(), 32);
    assert_eq!(img[5] as i8, o.acts[5]);
}

/// Chains the top cannot run are refused with the reason.
#[test]
fn bad_chains_are_refused() {
    let p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    let err = |c: &[ChainLayer]| engine_chain(&p, c).expect_err("refused").to_string();
    assert!(err(&[]).contains("at least one layer"));
    let e = err(&[layer(2, 64, 16, None), layer(2, 32, 16, Some(0))]);
    assert!(e.contains("is not layer 0's output"), "{e}");
    let e = err(&[layer(2, 64, 16, Some(1)), layer(2, 16, 16, None)]);
    assert!(e.contains("must be an earlier layer"), "{e}");
    let mut l = layer(2, 64, 16, None);
    l.shift = 32;
    assert!(err(&[l]).contains("0..=31"));
}

/// The bitnet-b1.58-2B-4T decode q, k, v (1 x 2560 x 2560, then 1 x 2560 x
/// 640 twice) on edge-ternary with `token_tile = 1` (AXI 512): DRAM-bound,
/// so the prefetch across each boundary hides 140 of the 900 cycles of a
/// first load (the bus is busy with the previous layer's last tiles); the
/// chain takes 48,145 cycles where the three isolated runs take 48,435.
#[test]
fn decode_qkv_chain_on_edge_ternary() {
    let mut a = sim::arch::preset("edge-ternary").expect("preset");
    a.array.token_tile = 1;
    let p = AccelParams::new(&a, 512).expect("builds");
    let c = [
        layer(1, 2560, 2560, None),
        layer(1, 2560, 640, None),
        layer(1, 2560, 640, None),
    ];
    let (t, total) = engine_chain(&p, &c).expect("chain");
    let got: Vec<(u64, u64, u64)> = t.iter().map(|l| (l.start, l.compute_end, l.done)).collect();
    assert_eq!(
        got,
        [
            (900, 32140, 32145),
            (32900, 40140, 40145),
            (40900, 48140, 48145)
        ]
    );
    assert_eq!(t[1].start - t[0].compute_end, 760);
    assert_eq!((t[1].alone.start, t[1].alone.done), (900, 8145));
    assert_eq!(total, 48145);
    assert_eq!(t.iter().map(|l| l.alone.total).sum::<u64>(), 48435);
}
