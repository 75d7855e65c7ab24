//! Property tests of the bit-exact model: every datapath equals the plain
//! reference matmul; encodings round-trip; quantization behaves as BitNet's.

use proptest::prelude::*;
use sim::arch::{ArrayConfig, ArrayTiming, Reduction, ZeroHandling};
use sim::bitexact::adder_tree::{levels_for, tree_levels};
use sim::bitexact::encoding::{
    pack_accs, pack_acts, pack_ternary5, pack_weights, unpack_accs, unpack_acts, unpack_ternary5,
    unpack_weights, BitVec,
};
use sim::bitexact::popcount::{self, xnor_popcount};
use sim::bitexact::quantize::{
    absmax_quantize, absmean_ternary, binary01_quantize, bitlinear, dequantize, sign_binarize,
    WeightScheme,
};
use sim::bitexact::reference::{dot, matmul_f64, matmul_ref};
use sim::bitexact::{acc_bits, tile_outputs, tiled_matmul, BitExactError, Datapath, LaneTrace};
use sim::datapath::lut::{
    entry_bits_for, IndexEncoding, LutConfig, LutShape, TableKind, TableStorage,
};
use workloads::Precision;

const LOW_BIT: [Precision; 4] = [
    Precision::Ternary,
    Precision::TernaryPacked,
    Precision::Binary,
    Precision::Binary01,
];

/// A small deterministic generator (SplitMix64) for the values of a case;
/// proptest draws the seed and the shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// How a case fills an operand.
#[derive(Debug, Clone, Copy)]
enum Fill {
    Random,
    Min,
    Max,
    Zero,
    /// Random, with half the values at an extreme.
    Extremes,
}

fn fill_strategy() -> impl Strategy<Value = Fill> {
    prop_oneof![
        4 => Just(Fill::Random),
        1 => Just(Fill::Min),
        1 => Just(Fill::Max),
        1 => Just(Fill::Zero),
        2 => Just(Fill::Extremes),
    ]
}

fn range_of(p: Precision) -> (i64, i64) {
    p.int_range().expect("integer format")
}

fn value(p: Precision, fill: Fill, rng: &mut Rng) -> i64 {
    let (lo, hi) = range_of(p);
    let v = match fill {
        Fill::Min => lo,
        Fill::Max => hi,
        Fill::Zero => 0.clamp(lo, hi),
        Fill::Random => lo + rng.below((hi - lo + 1) as u64) as i64,
        Fill::Extremes => match rng.below(4) {
            0 => lo,
            1 => hi,
            _ => lo + rng.below((hi - lo + 1) as u64) as i64,
        },
    };
    // binary ±1 has no 0
    if p == Precision::Binary && v == 0 {
        if rng.below(2) == 0 {
            -1
        } else {
            1
        }
    } else {
        v
    }
}

fn values(p: Precision, fill: Fill, n: usize, rng: &mut Rng) -> Vec<i64> {
    (0..n).map(|_| value(p, fill, rng)).collect()
}

/// An array configuration the bit-exact model implements.
fn arch_strategy() -> impl Strategy<Value = ArrayConfig> {
    (
        0..3u8,
        1..=64u32,
        1..=16u32,
        1..=4u32,
        0..4usize,
        0..10u8,
        2..=8u8,
        any::<u8>(),
    )
        .prop_map(|(r, width, lanes, stage, wi, ai, abits, ppc_seed)| {
            let reduction = [Reduction::AdderTree, Reduction::Popcount, Reduction::Mac][r as usize];
            let activations = match (reduction, ai) {
                (Reduction::Popcount, 0) => Precision::Binary,
                (Reduction::Popcount, 1) => Precision::Binary01,
                (Reduction::AdderTree, 0) => Precision::Binary01,
                _ => Precision::Int(abits),
            };
            let weights = match reduction {
                Reduction::Mac => match wi {
                    0 => Precision::INT8,
                    1 => Precision::INT4,
                    2 => Precision::Int(abits),
                    _ => Precision::Ternary,
                },
                _ => LOW_BIT[wi],
            };
            let planes = match activations {
                Precision::Int(b) => u32::from(b),
                _ => 1,
            };
            ArrayConfig {
                lanes,
                width,
                reduction,
                stage_levels: stage,
                planes_per_cycle: 1 + u32::from(ppc_seed) % planes,
                activations,
                weights,
                acc_bits: None,
                max_k: 1,
                zeros: ZeroHandling::Gate,
                dataflow: Default::default(),
                lut: None,
                token_tile: 1,
                skip_window: None,
            }
        })
}

/// A table-lookup array: g 2..4, both table kinds, every storage with 1 to
/// 8 read ports (initiation intervals above 1 included), derived and wider
/// entries, both index encodings, activations of 2 to 8 bits.
fn lut_strategy() -> impl Strategy<Value = ArrayConfig> {
    (
        (2..=4u32, 1..=16u32, 1..=12u32, 1..=4u32),
        (any::<bool>(), 0..3u8, 1..=8u32, 0..3u32, any::<bool>()),
        (2..=8u8, 0..3usize),
    )
        .prop_map(
            |((g, groups, lanes, stage), (bitserial, st, ports, extra, aligned), (abits, wi))| {
                let table = if bitserial {
                    TableKind::Bitserial
                } else {
                    TableKind::Signfold
                };
                let weights = match (table, wi) {
                    (TableKind::Bitserial, 2) => Precision::Binary,
                    (_, 1) => Precision::TernaryPacked,
                    _ => Precision::Ternary,
                };
                let activations = Precision::Int(abits);
                let need = entry_bits_for(activations, g);
                ArrayConfig {
                    lanes,
                    width: g * groups,
                    reduction: Reduction::Lut,
                    stage_levels: stage,
                    planes_per_cycle: 1,
                    activations,
                    weights,
                    acc_bits: None,
                    max_k: 1,
                    zeros: ZeroHandling::None,
                    dataflow: Default::default(),
                    token_tile: 1,
                    skip_window: None,
                    lut: Some(LutConfig {
                        group: g,
                        table,
                        entry_bits: (extra > 0).then_some(need + extra),
                        storage: [
                            TableStorage::Lanes,
                            TableStorage::Regfile,
                            TableStorage::Sram,
                        ][st as usize],
                        read_ports: ports,
                        index: if aligned {
                            IndexEncoding::Aligned
                        } else {
                            IndexEncoding::Packed
                        },
                        load_elems: None,
                    }),
                }
            },
        )
}

fn matmul_case(
    mut arch: ArrayConfig,
    m: usize,
    k: usize,
    n: usize,
    fa: Fill,
    fw: Fill,
    seed: u64,
) -> Result<(), TestCaseError> {
    // size the accumulator for exactly this (padded) K: the tightest width
    arch.max_k = (k.div_ceil(arch.width as usize).max(1) * arch.width as usize) as u64;
    let mut rng = Rng(seed);
    let a = values(arch.activations, fa, m * k, &mut rng);
    let w = values(arch.weights, fw, k * n, &mut rng);
    let want = matmul_ref(&a, &w, m, k, n);
    let got = tiled_matmul(&arch, &a, &w, m, k, n)
        .map_err(|e| TestCaseError::fail(format!("{e} ({arch:?})")))?;
    prop_assert_eq!(got, want, "{:?}", arch);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_datapath_equals_the_reference(
        arch in arch_strategy(),
        m in 1..=3usize,
        k in 1..=200usize,
        nl in 1..=33usize,
        fa in fill_strategy(),
        fw in fill_strategy(),
        seed in any::<u64>(),
    ) {
        let n = nl.min(2 * arch.lanes as usize + 1);
        matmul_case(arch, m, k, n, fa, fw, seed)?;
    }

    #[test]
    fn the_lut_equals_the_reference(
        arch in lut_strategy(),
        m in 1..=3usize,
        k in 1..=200usize,
        nl in 1..=25usize,
        fa in fill_strategy(),
        fw in fill_strategy(),
        seed in any::<u64>(),
    ) {
        let n = nl.min(2 * arch.lanes as usize + 1);
        matmul_case(arch, m, k, n, fa, fw, seed)?;
    }

    #[test]
    fn lut_lookups_are_the_group_dot_products(
        arch in lut_strategy(),
        fa in fill_strategy(),
        fw in fill_strategy(),
        seed in any::<u64>(),
    ) {
        let mut dp = Datapath::new(&arch).unwrap();
        let s = LutShape::of(&arch);
        let mut rng = Rng(seed);
        let (lanes, width) = (arch.lanes as usize, arch.width as usize);
        let act = values(arch.activations, fa, width, &mut rng);
        let wgt = values(arch.weights, fw, lanes * width, &mut rng);
        let traces = dp.trace_chunk(&act, &wgt).unwrap();
        let ii = ArrayTiming::of(&arch).initiation_interval as usize;
        prop_assert_eq!(ii, s.initiation_interval(arch.lanes) as usize);
        let mut fast = vec![0; ii * lanes];
        dp.partials_into(&act, &wgt, &mut fast);
        let g = s.g as usize;
        for (l, t) in traces.iter().enumerate() {
            let ws = &wgt[l * width..(l + 1) * width];
            prop_assert_eq!(t.sum(), dot(ws, &act));
            for (c, v) in t.per_cycle().iter().enumerate() {
                prop_assert_eq!(fast[c * lanes + l], *v);
            }
            let LaneTrace::Lut(tr) = t else { panic!("not a LUT trace") };
            prop_assert_eq!(tr.lookups.len() as u64, s.lookups());
            // every entry fits the entry width
            let lim = 1i64 << (s.entry_bits - 1);
            for tab in &tr.tables {
                prop_assert_eq!(tab.len(), s.entries as usize);
                prop_assert!(tab.iter().all(|&e| -lim <= e && e < lim));
            }
            // each group's lookups make its dot product (twice, for two planes)
            for (gi, look) in tr.lookups.chunks(s.planes as usize).enumerate() {
                let d = dot(&ws[gi * g..(gi + 1) * g], &act[gi * g..(gi + 1) * g]);
                prop_assert_eq!(look.iter().sum::<i64>(), d * i64::from(s.planes));
            }
        }
    }

    #[test]
    fn k_of_one(arch in arch_strategy(), fa in fill_strategy(), fw in fill_strategy(), seed in any::<u64>()) {
        matmul_case(arch, 1, 1, 3, fa, fw, seed)?;
    }

    #[test]
    fn fast_partials_equal_the_structured_datapath(
        arch in arch_strategy(),
        fa in fill_strategy(),
        fw in fill_strategy(),
        seed in any::<u64>(),
    ) {
        let mut dp = Datapath::new(&arch).unwrap();
        let mut rng = Rng(seed);
        let (lanes, width) = (arch.lanes as usize, arch.width as usize);
        let act = values(arch.activations, fa, width, &mut rng);
        let wgt = values(arch.weights, fw, lanes * width, &mut rng);
        let traces = dp.trace_chunk(&act, &wgt).unwrap();
        let ii = ArrayTiming::of(&arch).initiation_interval as usize;
        prop_assert_eq!(dp.cycles_per_chunk as usize, ii);
        let mut fast = vec![0; ii * lanes];
        dp.partials_into(&act, &wgt, &mut fast);
        for (l, t) in traces.iter().enumerate() {
            let pc = t.per_cycle();
            prop_assert_eq!(pc.len(), ii);
            for (c, v) in pc.iter().enumerate() {
                prop_assert_eq!(fast[c * lanes + l], *v);
            }
            prop_assert_eq!(t.sum(), dot(&wgt[l * width..(l + 1) * width], &act));
            if let LaneTrace::Tree(tr) = t {
                prop_assert_eq!(tr.levels.len() - 1, ArrayTiming::of(&arch).tree_levels as usize);
            }
            if let LaneTrace::Mac(tr) = t {
                prop_assert_eq!(tr.levels.len() - 1, ArrayTiming::of(&arch).tree_levels as usize);
            }
        }
    }

    #[test]
    fn xnor_popcount_is_the_pm1_dot(width in 1..=300usize, seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let w = values(Precision::Binary, Fill::Random, width, &mut rng);
        let x = values(Precision::Binary, Fill::Random, width, &mut rng);
        let bits = |v: &[i64]| popcount::act_plane(Precision::Binary, v, 0);
        prop_assert_eq!(xnor_popcount(&bits(&w), &bits(&x), width), dot(&w, &x));
    }

    #[test]
    fn port_packing_round_trips(
        arch in arch_strategy(),
        fa in fill_strategy(),
        fw in fill_strategy(),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let (lanes, width) = (arch.lanes as usize, arch.width as usize);
        let act = values(arch.activations, fa, width, &mut rng);
        let wgt = values(arch.weights, fw, lanes * width, &mut rng);
        let pa = pack_acts(arch.activations, &act).unwrap();
        prop_assert_eq!(unpack_acts(arch.activations, &pa, width).unwrap(), act);
        let pw = pack_weights(arch.weights, &wgt, lanes, width).unwrap();
        prop_assert_eq!(unpack_weights(arch.weights, &pw, lanes, width).unwrap(), wgt.clone());
        let pw2 = BitVec::from_hex(&pw.to_hex(), pw.len()).unwrap();
        prop_assert_eq!(pw2, pw);
        let bits = acc_bits(&arch);
        let (lo, hi) = (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1);
        let accs: Vec<i64> = (0..lanes).map(|_| lo + (rng.next() % (hi - lo + 1) as u64) as i64).collect();
        prop_assert_eq!(unpack_accs(bits, &pack_accs(bits, &accs), lanes).unwrap(), accs);
    }

    #[test]
    fn packed_ternary_round_trips(n in 0..=700usize, fill in fill_strategy(), seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let w = values(Precision::Ternary, fill, n, &mut rng);
        let packed = pack_ternary5(&w).unwrap();
        prop_assert_eq!(packed.len(), n.div_ceil(5));
        prop_assert!(packed.iter().all(|&b| b < 243));
        prop_assert_eq!(unpack_ternary5(&packed, n).unwrap(), w);
    }

    #[test]
    fn every_packed_byte_round_trips(b in 0u8..243) {
        let w = unpack_ternary5(&[b], 5).unwrap();
        prop_assert_eq!(pack_ternary5(&w).unwrap(), vec![b]);
    }

    #[test]
    fn absmean_gives_ternary(w in prop::collection::vec(-10.0f64..10.0, 0..200)) {
        let q = absmean_ternary(&w);
        prop_assert!(q.q.iter().all(|v| (-1..=1).contains(v)));
        prop_assert!(q.scale >= 1e-5);
        let s = sign_binarize(&w);
        prop_assert!(s.q.iter().all(|&v| v == 1 || v == -1));
        let b = binary01_quantize(&w);
        prop_assert!(b.q.iter().all(|&v| v == 0 || v == 1));
    }

    #[test]
    fn absmax_stays_in_range(x in prop::collection::vec(-1e3f64..1e3, 1..200), bits in 2..=8u32) {
        let q = absmax_quantize(&x, bits);
        let qb = (1i64 << (bits - 1)) - 1;
        prop_assert!(q.q.iter().all(|v| (-qb..=qb).contains(v)), "{:?}", q.q);
        // the largest magnitude maps to +-Q_b
        let (i, _) = x.iter().enumerate().fold((0, 0.0f64), |(bi, bm), (i, v)| {
            if v.abs() > bm { (i, v.abs()) } else { (bi, bm) }
        });
        if x[i].abs() > 1e-5 {
            prop_assert_eq!(q.q[i].abs(), qb);
        }
        // each value is within half a step of x * scale
        for (v, xq) in x.iter().zip(&q.q) {
            prop_assert!((v * q.scale - *xq as f64).abs() <= 0.5 + 1e-9);
        }
    }

    /// Weights exactly ±c quantize without error (scale c), so the only
    /// error is the activations' rounding: at most K·c·0.5/act_scale.
    #[test]
    fn dequantized_matmul_is_close_to_float(
        k in 1..64usize,
        n in 1..8usize,
        c in 0.01f64..2.0,
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let w: Vec<f64> = (0..k * n).map(|_| if rng.below(2) == 0 { c } else { -c }).collect();
        let x: Vec<f64> = (0..k).map(|_| (rng.below(2001) as f64 - 1000.0) / 1000.0).collect();
        let y = bitlinear(&x, &w, 1, k, n, WeightScheme::Absmean, 8);
        let yf = matmul_f64(&x, &w, 1, k, n);
        let wq = absmean_ternary(&w);
        prop_assert!((wq.scale - c).abs() < 1e-9 * c.max(1.0));
        let s = absmax_quantize(&x, 8).scale;
        let bound = k as f64 * c * 0.5 / s + 1e-9;
        for (a, b) in y.iter().zip(&yf) {
            prop_assert!((a - b).abs() <= bound, "{a} vs {b} (bound {bound})");
        }
    }
}

#[test]
fn extremes_by_hand() {
    // 64 x int8 -128 times all -1 ternary weights = 8192; all +1 = -8192;
    // 127 x +1 = 8128. K = 64 needs 15 bits ([-8192, 8192]).
    for reduction in [Reduction::AdderTree, Reduction::Popcount, Reduction::Mac] {
        for ppc in [1, 3, 8] {
            let arch = ArrayConfig {
                lanes: 3,
                width: 64,
                reduction,
                stage_levels: 2,
                planes_per_cycle: ppc,
                activations: Precision::INT8,
                weights: Precision::Ternary,
                acc_bits: None,
                max_k: 64,
                zeros: ZeroHandling::None,
                dataflow: Default::default(),
                lut: None,
                token_tile: 1,
                skip_window: None,
            };
            assert_eq!(acc_bits(&arch), 15);
            let acts = vec![vec![-128i64; 64]];
            let wgts = vec![vec![vec![-1i64; 64], vec![1; 64], vec![0; 64]]];
            assert_eq!(
                tile_outputs(&arch, &acts, &wgts).unwrap(),
                vec![8192, -8192, 0]
            );
            let acts = vec![vec![127i64; 64]];
            assert_eq!(
                tile_outputs(&arch, &acts, &wgts).unwrap(),
                vec![-8128, 8128, 0]
            );
            // a second chunk overflows the 15-bit accumulator
            let acts2 = vec![vec![-128i64; 64]; 2];
            let wgts2 = vec![wgts[0].clone(); 2];
            assert!(matches!(
                tile_outputs(&arch, &acts2, &wgts2),
                Err(BitExactError::Overflow {
                    lane: 0,
                    acc_bits: 15,
                    value: 16384
                })
            ));
        }
    }
}

#[test]
fn xnor_and_and_popcount_by_hand() {
    let mk = |acts, weights| ArrayConfig {
        lanes: 1,
        width: 4,
        reduction: Reduction::Popcount,
        stage_levels: 2,
        planes_per_cycle: 1,
        activations: acts,
        weights,
        acc_bits: None,
        max_k: 4,
        zeros: ZeroHandling::None,
        dataflow: Default::default(),
        lut: None,
        token_tile: 1,
        skip_window: None,
    };
    // xnor: w = [+1 -1 +1 +1], x = [+1 +1 -1 +1]: 1 - 1 - 1 + 1 = 0
    let arch = mk(Precision::Binary, Precision::Binary);
    let out = tile_outputs(&arch, &[vec![1, 1, -1, 1]], &[vec![vec![1, -1, 1, 1]]]).unwrap();
    assert_eq!(out, vec![0]);
    // and: w = [1 0 1 1], x = [1 1 0 1]: 2
    let arch = mk(Precision::Binary01, Precision::Binary01);
    let out = tile_outputs(&arch, &[vec![1, 1, 0, 1]], &[vec![vec![1, 0, 1, 1]]]).unwrap();
    assert_eq!(out, vec![2]);
    // ternary x ±1: w = [+1 0 -1 +1], x = [+1 +1 -1 -1]: 1 + 0 + 1 - 1 = 1
    let arch = mk(Precision::Binary, Precision::Ternary);
    let out = tile_outputs(&arch, &[vec![1, 1, -1, -1]], &[vec![vec![1, 0, -1, 1]]]).unwrap();
    assert_eq!(out, vec![1]);
}

#[test]
fn popcount_per_cycle_partials_by_hand() {
    // one element, int8 activation -3 = 0b1111_1101, weight +1, 2 planes a cycle:
    // planes (LSB first) 1,0 | 1,1 | 1,1 | 1,1(sign) ->
    // cycle partials 1, 4+8, 16+32, 64-128 -> sum -3
    let t = popcount::lane_chunk(Precision::INT8, Precision::Ternary, 2, &[1], &[-3]).unwrap();
    assert_eq!(t.planes, vec![1, 0, 4, 8, 16, 32, 64, -128]);
    assert_eq!(t.per_cycle, vec![1, 12, 48, -64]);
    assert_eq!(t.sum, -3);
}

#[test]
fn tree_levels_match_the_timing() {
    for width in 1..=300u32 {
        let arch = ArrayConfig {
            lanes: 1,
            width,
            reduction: Reduction::AdderTree,
            stage_levels: 2,
            planes_per_cycle: 1,
            activations: Precision::INT8,
            weights: Precision::Ternary,
            acc_bits: None,
            max_k: 4096,
            zeros: ZeroHandling::None,
            dataflow: Default::default(),
            lut: None,
            token_tile: 1,
            skip_window: None,
        };
        let t = ArrayTiming::of(&arch);
        assert_eq!(levels_for(width as usize), t.tree_levels, "width {width}");
        let terms: Vec<i64> = (0..width as i64).collect();
        assert_eq!(tree_levels(&terms).len() - 1, t.tree_levels as usize);
    }
}

#[test]
fn ternary_port_codes() {
    let bits = pack_weights(Precision::Ternary, &[1, -1, 0, 1, 0, -1], 2, 3).unwrap();
    // lane 0: 01, 11, 00; lane 1: 01, 00, 11 -> LSB first
    // bits 11..0 = 11 00 01 | 00 11 01 = 0b1100_0100_1101 = 0xc4d
    assert_eq!(bits.to_hex(), "c4d");
    let acts = pack_acts(Precision::INT8, &[-1, 2]).unwrap();
    assert_eq!(acts.to_hex(), "02ff");
    // 2'b10 decodes as 0
    let odd = BitVec::from_hex("2", 2).unwrap();
    assert_eq!(
        unpack_weights(Precision::Ternary, &odd, 1, 1).unwrap(),
        vec![0]
    );
}

#[test]
fn quantization_by_hand() {
    // W (K=4 x N=2), mean|W| = 3.95 / 8 = 0.49375
    let w = [0.4, -0.3, -1.2, 0.3, 0.05, 0.7, 0.9, -0.1];
    let q = absmean_ternary(&w);
    assert!((q.scale - 0.49375).abs() < 1e-12);
    // W/γ = .81 -.61 -2.43 .61 .10 1.42 1.82 -.20
    assert_eq!(q.q, vec![1, -1, -1, 1, 0, 1, 1, 0]);
    // ties go to even, like torch.round: [1, 3] / 2 = [0.5, 1.5] -> [0, 2 -> 1]
    assert_eq!(absmean_ternary(&[1.0, 3.0]).q, vec![0, 1]);
    assert_eq!(absmean_ternary(&[-1.0, -3.0]).q, vec![0, -1]);
    // all-zero weights: the clamp keeps the scale finite, every weight 0
    let z = absmean_ternary(&[0.0; 4]);
    assert_eq!((z.q, z.scale), (vec![0; 4], 1e-5));

    // x: max|x| = 127 -> scale 1; 2.5 -> 2 and 1.5 -> 2 (half to even), -0.5 -> 0
    let x = [2.5, -0.5, 1.5, 127.0];
    let a = absmax_quantize(&x, 8);
    assert_eq!(a.scale, 1.0);
    assert_eq!(a.q, vec![2, 0, 2, 127]);
    // acc = x_q · W_q: column 0 = 2 + 0 + 0 + 127 = 129, column 1 = -2 + 0 + 2 + 0 = 0
    let acc = matmul_ref(&a.q, &q.q, 1, 4, 2);
    assert_eq!(acc, vec![129, 0]);
    assert!((dequantize(129, q.scale, a.scale) - 63.693_75).abs() < 1e-12);
    let y = bitlinear(&x, &w, 1, 4, 2, WeightScheme::Absmean, 8);
    assert!((y[0] - 63.693_75).abs() < 1e-12 && y[1] == 0.0);

    // BitNet sign: α = 0.75 / 8 = 0.09375; 0.05 - α <= 0 -> -1
    let s = sign_binarize(&w);
    assert_eq!(s.q, vec![1, -1, -1, 1, -1, 1, 1, -1]);
    assert!((s.scale - 0.49375).abs() < 1e-12);
    // {0,1}: positive weights 0.4 0.3 0.05 0.7 0.9 -> mean 0.47
    let b = binary01_quantize(&w);
    assert_eq!(b.q, vec![1, 0, 0, 1, 1, 1, 1, 0]);
    assert!((b.scale - 0.47).abs() < 1e-12);

    // int4 absmax: Q = 7; x = [1, -2, 0.5] -> scale 3.5 -> [3.5 -> 4, -7, 1.75 -> 2]
    let a4 = absmax_quantize(&[1.0, -2.0, 0.5], 4);
    assert_eq!(a4.q, vec![4, -7, 2]);
}

#[test]
fn refuses_what_no_datapath_does() {
    let mut arch = ArrayConfig {
        lanes: 2,
        width: 4,
        reduction: Reduction::AdderTree,
        stage_levels: 2,
        planes_per_cycle: 1,
        activations: Precision::INT8,
        weights: Precision::INT8,
        acc_bits: None,
        max_k: 16,
        zeros: ZeroHandling::None,
        dataflow: Default::default(),
        lut: None,
        token_tile: 1,
        skip_window: None,
    };
    assert!(matches!(
        Datapath::new(&arch),
        Err(BitExactError::Unsupported(_))
    ));
    arch.reduction = Reduction::Mac;
    arch.weights = Precision::Fp16;
    assert!(matches!(
        Datapath::new(&arch),
        Err(BitExactError::NotInteger(_))
    ));
    arch.weights = Precision::Ternary;
    let dp = Datapath::new(&arch).unwrap();
    assert!(dp.check_chunk(&[0; 4], &[2; 8]).is_err());
    assert!(dp.check_chunk(&[0; 3], &[0; 8]).is_err());
    assert!(dp.check_chunk(&[-128; 4], &[-1; 8]).is_ok());
}
