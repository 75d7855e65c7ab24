//! The cycle behaviour of the compute tile model: hand-computed latencies
//! and initiation intervals, back-to-back reductions, back-pressure, and the
//! closed form the engine uses.

use proptest::prelude::*;
use sim::arch::{ArrayConfig, ArrayTiming, Reduction, ZeroHandling};
use sim::bitexact::tile_outputs;
use sim::datapath::lut::{LutConfig, TableKind, TableStorage};
use sim::tile::{cycles_for_reductions, predict, tile_latency, Chunk, Stimulus, Tile, TileInputs};
use workloads::Precision;

fn arch(
    reduction: Reduction,
    lanes: u32,
    width: u32,
    stage: u32,
    acts: Precision,
    weights: Precision,
    ppc: u32,
) -> ArrayConfig {
    ArrayConfig {
        lanes,
        width,
        reduction,
        stage_levels: stage,
        planes_per_cycle: ppc,
        activations: acts,
        weights,
        acc_bits: None,
        max_k: 4096,
        zeros: ZeroHandling::Gate,
        dataflow: Default::default(),
        lut: None,
        token_tile: 1,
        skip_window: None,
    }
}

fn ternary_tree(lanes: u32, width: u32, stage: u32) -> ArrayConfig {
    arch(
        Reduction::AdderTree,
        lanes,
        width,
        stage,
        Precision::INT8,
        Precision::Ternary,
        1,
    )
}

/// A deterministic chunk: activations and weights from a counter.
fn chunk(a: &ArrayConfig, seed: i64, last: bool) -> Chunk {
    let (lanes, width) = (a.lanes as i64, a.width as i64);
    let (alo, ahi) = a.activations.int_range().unwrap();
    let (wlo, whi) = a.weights.int_range().unwrap();
    let pick = |lo: i64, hi: i64, x: i64, binary: bool| {
        let v = lo + (x.rem_euclid(hi - lo + 1));
        if binary && v == 0 {
            1
        } else {
            v
        }
    };
    Chunk {
        act: (0..width)
            .map(|e| {
                pick(
                    alo,
                    ahi,
                    seed * 31 + e * 7,
                    a.activations == Precision::Binary,
                )
            })
            .collect(),
        wgt: (0..lanes * width)
            .map(|i| {
                pick(
                    wlo,
                    whi,
                    seed * 17 + i * 5 + i / 3,
                    a.weights == Precision::Binary,
                )
            })
            .collect(),
        last,
    }
}

/// `n` reductions of `c` chunks.
fn reductions(a: &ArrayConfig, n: usize, c: usize) -> Vec<Chunk> {
    (0..n * c)
        .map(|i| chunk(a, i as i64, i % c == c - 1))
        .collect()
}

/// The bit-exact model's result of every reduction in `chunks`.
fn expected(a: &ArrayConfig, chunks: &[Chunk]) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    let (mut acts, mut wgts) = (Vec::new(), Vec::new());
    for c in chunks {
        acts.push(c.act.clone());
        wgts.push(
            c.wgt
                .chunks(a.width as usize)
                .map(<[i64]>::to_vec)
                .collect::<Vec<_>>(),
        );
        if c.last {
            out.push(tile_outputs(a, &acts, &wgts).unwrap());
            acts.clear();
            wgts.clear();
        }
    }
    out
}

#[test]
fn one_lane_one_chunk_comes_out_after_the_latency() {
    // width 64, a register every 2 levels: 6 levels -> 3 tree registers + the
    // input register = 4, latency 5.
    let a = ternary_tree(1, 64, 2);
    let t = ArrayTiming::of(&a);
    assert_eq!((t.tree_levels, t.pipeline_regs, t.latency), (6, 4, 5));
    assert_eq!(tile_latency(&t), 5);
    let stim = Stimulus {
        chunks: vec![chunk(&a, 3, true)],
        ..Stimulus::default()
    };
    let p = predict(&a, &stim).unwrap();
    assert_eq!(p.accepted, vec![0]);
    assert_eq!(p.outputs.len(), 1);
    assert_eq!(p.outputs[0].cycle, 5);
    assert_eq!(p.outputs[0].acc, expected(&a, &stim.chunks)[0]);
    // out_valid is low before cycle 5 and high in it
    assert!(p.trace[..5].iter().all(|r| !r.out_valid));
    assert!(p.trace[5].out_valid);
    assert_eq!(cycles_for_reductions(&t, 1, 1), 5);
}

#[test]
fn hand_computed_pipelines() {
    // (arch, pipeline_regs, initiation interval, tile latency)
    let cases = [
        // width 1: no tree, only the input register; the accumulator reads it
        (ternary_tree(1, 1, 2), 1, 1, 2),
        // width 4, stage 2: 2 levels -> 1 tree register
        (ternary_tree(2, 4, 2), 2, 1, 3),
        // width 5, stage 2: 3 levels -> registers after levels 2 and 3
        (ternary_tree(2, 5, 2), 3, 1, 4),
        // width 16 int8 x int8 mac, stage 2: input + multiplier + 2 tree registers
        (
            arch(
                Reduction::Mac,
                2,
                16,
                2,
                Precision::INT8,
                Precision::INT8,
                1,
            ),
            4,
            1,
            5,
        ),
        // popcount int8, 2 planes a cycle: II 4; width 16 stage 2: 3 registers
        (
            arch(
                Reduction::Popcount,
                2,
                16,
                2,
                Precision::INT8,
                Precision::Ternary,
                2,
            ),
            3,
            4,
            7,
        ),
        // popcount int8, 3 planes a cycle: II 3
        (
            arch(
                Reduction::Popcount,
                2,
                16,
                4,
                Precision::INT8,
                Precision::Ternary,
                3,
            ),
            2,
            3,
            5,
        ),
        // XNOR popcount: 1 plane, II 1
        (
            arch(
                Reduction::Popcount,
                2,
                64,
                3,
                Precision::Binary,
                Precision::Binary,
                1,
            ),
            3,
            1,
            4,
        ),
        // popcount width 1 int4: no tree, II 4, the accumulator reads stage 0
        (
            arch(
                Reduction::Popcount,
                1,
                1,
                1,
                Precision::INT4,
                Precision::Binary01,
                1,
            ),
            1,
            4,
            5,
        ),
    ];
    for (a, regs, ii, lat) in cases {
        let t = ArrayTiming::of(&a);
        assert_eq!(
            (t.pipeline_regs, t.initiation_interval),
            (regs, ii),
            "{a:?}"
        );
        assert_eq!(tile_latency(&t), lat, "{a:?}");
        // three one-chunk reductions, always valid and ready
        let stim = Stimulus {
            chunks: reductions(&a, 3, 1),
            ..Stimulus::default()
        };
        let p = predict(&a, &stim).unwrap();
        let ii = u64::from(ii);
        assert_eq!(p.accepted, vec![0, ii, 2 * ii], "{a:?}");
        let cycles: Vec<u64> = p.outputs.iter().map(|o| o.cycle).collect();
        let lat = u64::from(lat);
        assert_eq!(cycles, vec![lat, ii + lat, 2 * ii + lat], "{a:?}");
        let values: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
        assert_eq!(values, expected(&a, &stim.chunks));
        // in_ready is low exactly in the II-1 cycles after each acceptance
        for r in &p.trace {
            let busy = p.accepted.iter().any(|&c| r.cycle > c && r.cycle < c + ii);
            assert_eq!(r.in_ready, !busy, "cycle {} {a:?}", r.cycle);
        }
    }
}

#[test]
fn popcount_int8_two_planes_a_cycle_has_ii_4() {
    let a = arch(
        Reduction::Popcount,
        4,
        32,
        2,
        Precision::INT8,
        Precision::Ternary,
        2,
    );
    assert_eq!(ArrayTiming::of(&a).initiation_interval, 4);
    let stim = Stimulus {
        chunks: reductions(&a, 2, 3),
        ..Stimulus::default()
    };
    let p = predict(&a, &stim).unwrap();
    assert_eq!(p.accepted, vec![0, 4, 8, 12, 16, 20]);
    // 32 wide, stage 2: 5 levels -> 3 registers + input = 4; latency 4 + 4
    assert_eq!(
        p.outputs.iter().map(|o| o.cycle).collect::<Vec<_>>(),
        vec![8 + 8, 20 + 8]
    );
    let values: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
    assert_eq!(values, expected(&a, &stim.chunks));
}

fn lut(
    lanes: u32,
    width: u32,
    g: u32,
    kind: TableKind,
    storage: TableStorage,
    ports: u32,
) -> ArrayConfig {
    let mut a = arch(
        Reduction::Lut,
        lanes,
        width,
        2,
        Precision::INT8,
        Precision::Ternary,
        1,
    );
    a.zeros = ZeroHandling::None;
    a.lut = Some(LutConfig {
        group: g,
        table: kind,
        storage,
        read_ports: ports,
        ..LutConfig::default()
    });
    a
}

#[test]
fn lut_pipelines_by_hand() {
    // edge-lut's array: 63 wide in groups of 3 = 21 lookups, a 5-level tree
    // registered every 2 levels (3 registers) + input + table = 5; II 1
    let a = lut(48, 63, 3, TableKind::Signfold, TableStorage::Regfile, 48);
    let t = ArrayTiming::of(&a);
    assert_eq!(
        (
            t.tree_levels,
            t.pipeline_regs,
            t.initiation_interval,
            t.latency
        ),
        (5, 5, 1, 6)
    );
    // a ternary bitserial table looks up two planes: 8 wide, g 4 -> 4 lookups,
    // 2 levels -> 1 register + input + table = 3
    let b = lut(4, 8, 4, TableKind::Bitserial, TableStorage::Lanes, 1);
    let t = ArrayTiming::of(&b);
    assert_eq!(
        (t.tree_levels, t.pipeline_regs, t.initiation_interval),
        (2, 3, 1)
    );
    // a shared SRAM with 2 ports for 4 lanes: II 2 and its output register
    let c = lut(4, 12, 3, TableKind::Signfold, TableStorage::Sram, 2);
    let t = ArrayTiming::of(&c);
    // 4 lookups: 2 levels -> 1 register + input + table + SRAM output = 4
    assert_eq!(
        (t.pipeline_regs, t.initiation_interval, t.latency),
        (4, 2, 6)
    );
    for a in [a, b, c] {
        let t = ArrayTiming::of(&a);
        let stim = Stimulus {
            chunks: reductions(&a, 3, 2),
            ..Stimulus::default()
        };
        let p = predict(&a, &stim).unwrap();
        let ii = u64::from(t.initiation_interval);
        assert_eq!(p.accepted, (0..6).map(|i| i * ii).collect::<Vec<_>>());
        assert_eq!(
            p.outputs.iter().map(|o| o.cycle).collect::<Vec<_>>(),
            (0..3u64)
                .map(|r| (2 * r + 1) * ii + u64::from(tile_latency(&t)))
                .collect::<Vec<_>>()
        );
        let values: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
        assert_eq!(values, expected(&a, &stim.chunks));
        assert_eq!(
            p.outputs.last().unwrap().cycle,
            cycles_for_reductions(&t, 3, 2)
        );
    }
}

#[test]
fn back_to_back_reductions_have_no_bubbles() {
    let a = ternary_tree(4, 16, 1); // 4 levels, 4 tree regs + input = 5, latency 6
    let t = ArrayTiming::of(&a);
    for c in 1..=4usize {
        let stim = Stimulus {
            chunks: reductions(&a, 5, c),
            ..Stimulus::default()
        };
        let p = predict(&a, &stim).unwrap();
        assert_eq!(p.accepted, (0..5 * c as u64).collect::<Vec<_>>());
        for (r, o) in p.outputs.iter().enumerate() {
            let last_accept = ((r + 1) * c - 1) as u64;
            assert_eq!(o.cycle, last_accept + 6);
        }
        let values: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
        assert_eq!(values, expected(&a, &stim.chunks));
        assert_eq!(
            p.outputs.last().unwrap().cycle,
            cycles_for_reductions(&t, 5, c as u64)
        );
        assert!(p.trace.iter().all(|r| r.in_ready));
    }
}

#[test]
fn backpressure_by_hand() {
    // width 4, stage 2: input register + 1 tree register, latency 3.
    // One-chunk reductions L0, L1, ...; the consumer is not ready until cycle 10.
    let a = ternary_tree(2, 4, 2);
    let chunks = reductions(&a, 6, 1);
    let want = expected(&a, &chunks);
    let mut out_ready = vec![false; 10];
    out_ready.push(true);
    let stim = Stimulus {
        chunks,
        in_valid: vec![],
        out_ready,
    };
    let p = predict(&a, &stim).unwrap();
    // L0 reaches out at cycle 3; L1 waits in the accumulator (done) from
    // cycle 4; L2 arrives behind it in cycle 4 and stalls the tile, so L3
    // (accepted at 3) stays in the input register and in_ready is low from
    // cycle 4 until the consumer takes L0 at cycle 10.
    assert_eq!(p.accepted[..4], [0, 1, 2, 3]);
    for r in &p.trace[4..11] {
        assert!(!r.in_ready, "cycle {}", r.cycle);
    }
    for r in &p.trace[3..10] {
        assert!(r.out_valid && r.out_acc.as_deref() == Some(&want[0][..]));
    }
    let cycles: Vec<u64> = p.outputs.iter().map(|o| o.cycle).collect();
    assert_eq!(cycles[..4], [10, 11, 12, 13]);
    assert_eq!(p.accepted[4], 12);
    let values: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
    assert_eq!(values, want);
}

#[test]
fn the_model_steps_without_predict() {
    let a = ternary_tree(1, 2, 1); // 1 level: input + 1 register, latency 3
    let mut tile = Tile::new(&a).unwrap();
    let c = chunk(&a, 1, true);
    let o = tile.step(&TileInputs {
        in_valid: true,
        in_act: &c.act,
        in_wgt: &c.wgt,
        in_last: true,
        out_ready: false,
    });
    assert!(o.in_ready && !o.out_valid);
    for _ in 0..2 {
        let o = tile.step(&TileInputs::idle(false));
        assert!(!o.out_valid);
    }
    // cycle 3: valid and held while not ready
    let want = expected(&a, std::slice::from_ref(&c));
    for _ in 0..3 {
        let o = tile.step(&TileInputs::idle(false));
        assert!(o.out_valid);
        assert_eq!(o.out_acc, &want[0][..]);
    }
    let o = tile.step(&TileInputs::idle(true));
    assert!(o.out_valid);
    assert!(!tile.outputs().out_valid);
    assert!(tile.is_drained());
    tile.reset();
    assert_eq!(tile.cycle(), 0);
    assert!(tile.outputs().in_ready);
}

/// Array configurations for the randomized tests.
fn arch_strategy() -> impl Strategy<Value = ArrayConfig> {
    (
        0..3u8,
        1..=24u32,
        1..=6u32,
        1..=3u32,
        0..4usize,
        0..6u8,
        2..=8u8,
        any::<u8>(),
    )
        .prop_map(|(r, width, lanes, stage, wi, ai, abits, ppc)| {
            let reduction = [Reduction::AdderTree, Reduction::Popcount, Reduction::Mac][r as usize];
            let low = [
                Precision::Ternary,
                Precision::TernaryPacked,
                Precision::Binary,
                Precision::Binary01,
            ];
            let activations = match (reduction, ai) {
                (Reduction::Popcount, 0) => Precision::Binary,
                (Reduction::Popcount, 1) => Precision::Binary01,
                _ => Precision::Int(abits),
            };
            let weights = match reduction {
                Reduction::Mac => [
                    Precision::INT8,
                    Precision::INT4,
                    Precision::Ternary,
                    Precision::Int(abits),
                ][wi],
                _ => low[wi],
            };
            let planes = match activations {
                Precision::Int(b) => u32::from(b),
                _ => 1,
            };
            arch(
                reduction,
                lanes,
                width,
                stage,
                activations,
                weights,
                1 + u32::from(ppc) % planes,
            )
        })
}

fn pattern(seed: u64, len: usize, percent_true: u64) -> Vec<bool> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % 100 < percent_true
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    /// Random gaps and back-pressure: every reduction comes out once, in
    /// order, with the bit-exact model's value, never earlier than the
    /// latency; outputs are held while not taken.
    #[test]
    fn random_backpressure_and_gaps(
        a in arch_strategy(),
        lens in prop::collection::vec(1..=4usize, 1..=6),
        seeds in (any::<u64>(), any::<u64>()),
        pv in 20..=100u64,
        pr in 10..=100u64,
        plen in 0..=120usize,
    ) {
        let mut chunks = Vec::new();
        let mut i = 0i64;
        for &c in &lens {
            for j in 0..c {
                chunks.push(chunk(&a, i * 7 + seeds.0 as i64 % 1000, j == c - 1));
                i += 1;
            }
        }
        let want = expected(&a, &chunks);
        let stim = Stimulus {
            chunks: chunks.clone(),
            in_valid: pattern(seeds.0, plen, pv),
            out_ready: pattern(seeds.1, plen, pr),
        };
        let p = predict(&a, &stim).unwrap();
        let t = ArrayTiming::of(&a);
        let (ii, lat) = (u64::from(t.initiation_interval), u64::from(tile_latency(&t)));
        prop_assert!(!p.wrapped);
        prop_assert_eq!(p.accepted.len(), chunks.len());
        prop_assert!(p.accepted.windows(2).all(|w| w[1] >= w[0] + ii));
        let values: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
        prop_assert_eq!(&values, &want);
        let always_ready = stim.out_ready.iter().all(|&r| r);
        let mut last_idx = 0usize;
        for (r, o) in p.outputs.iter().enumerate() {
            last_idx += lens[r];
            let accepted = p.accepted[last_idx - 1];
            prop_assert!(o.cycle >= accepted + lat);
            if always_ready {
                prop_assert_eq!(o.cycle, accepted + lat);
            }
        }
        // outputs are held until taken; taken ones are the events
        for w in p.trace.windows(2) {
            if w[0].out_valid && !w[0].out_ready {
                prop_assert!(w[1].out_valid);
                prop_assert_eq!(&w[1].out_acc, &w[0].out_acc);
            }
        }
        let taken = p.trace.iter().filter(|r| r.out_valid && r.out_ready).count();
        prop_assert_eq!(taken, want.len());
        // with the consumer always ready, in_ready only drops for the II hold
        if always_ready {
            for r in &p.trace {
                let busy = p.accepted.iter().any(|&c| r.cycle > c && r.cycle < c + ii);
                prop_assert_eq!(r.in_ready, !busy);
            }
        }
    }

    /// The closed form the engine uses equals the stepped model.
    #[test]
    fn closed_form_equals_stepped(a in arch_strategy(), n in 1..=5u64, c in 1..=5u64) {
        let stim = Stimulus {
            chunks: reductions(&a, n as usize, c as usize),
            ..Stimulus::default()
        };
        let p = predict(&a, &stim).unwrap();
        let t = ArrayTiming::of(&a);
        prop_assert_eq!(p.outputs.last().unwrap().cycle, cycles_for_reductions(&t, n, c));
        prop_assert_eq!(p.cycles, cycles_for_reductions(&t, n, c) + 1);
    }
}

/// Throughput of the stepped model for a 16x16 tile (run with
/// `cargo test --release -p sim --test tile_timing -- --ignored --nocapture`).
#[test]
#[ignore]
fn stepped_model_speed() {
    for a in [
        ternary_tree(16, 16, 2),
        arch(
            Reduction::Popcount,
            16,
            16,
            2,
            Precision::INT8,
            Precision::Ternary,
            2,
        ),
        arch(
            Reduction::Mac,
            16,
            16,
            2,
            Precision::INT8,
            Precision::INT8,
            1,
        ),
    ] {
        let chunks = reductions(&a, 8, 4);
        let mut tile = Tile::new(&a).unwrap();
        let n = 5_000_000u64;
        let start = std::time::Instant::now();
        let mut next = 0usize;
        let mut taken = 0u64;
        for cyc in 0..n {
            let c = &chunks[next];
            let o = tile.step(&TileInputs {
                in_valid: true,
                in_act: &c.act,
                in_wgt: &c.wgt,
                in_last: c.last,
                out_ready: cyc % 7 != 0,
            });
            taken += u64::from(o.out_valid && cyc % 7 != 0);
            if o.in_ready {
                next = (next + 1) % chunks.len();
            }
        }
        let s = start.elapsed().as_secs_f64();
        println!(
            "{:?} {}x{}: {:.1} M cycles/s ({taken} outputs)",
            a.reduction,
            a.lanes,
            a.width,
            n as f64 / s / 1e6
        );
    }
}
