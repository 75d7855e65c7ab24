//! The tile model's weight registers (`array.token_tile > 1`): a
//! hand-computed 2-lane design holding its weights over 4 tokens, the
//! protocol refusals, and a property test against the bit-exact model
//! token by token under random handshakes (the results, their order, and
//! the closed-form timing of the mapping).

use proptest::prelude::*;
use sim::arch::{ArrayConfig, ArrayTiming, Reduction, ZeroHandling};
use sim::bitexact::tile_outputs;
use sim::tile::{cycles_for_reductions, predict, tile_latency, Chunk, Stimulus, TileError};
use workloads::Precision;

fn tree(lanes: u32, width: u32, stage: u32, token_tile: u32) -> ArrayConfig {
    ArrayConfig {
        lanes,
        width,
        reduction: Reduction::AdderTree,
        stage_levels: stage,
        planes_per_cycle: 1,
        activations: Precision::INT8,
        weights: Precision::Ternary,
        acc_bits: None,
        max_k: 4096,
        zeros: ZeroHandling::Gate,
        dataflow: Default::default(),
        lut: None,
        token_tile,
        skip_window: None,
    }
}

fn stim(chunks: Vec<Chunk>) -> Stimulus {
    Stimulus {
        chunks,
        in_valid: Vec::new(),
        out_ready: Vec::new(),
    }
}

#[test]
fn two_lanes_hold_their_weights_over_four_tokens() {
    // 2 lanes x 2 elements; chunk 0: lane 0 [1, -1], lane 1 [0, 1];
    // chunk 1: lane 0 [1, 1], lane 1 [-1, 1]. Token t: chunk 0 activations
    // [t, 1], chunk 1 [2, 3t]. Lane 0: (t - 1) + (2 + 3t) = 4t + 1; lane 1:
    // 1 + (-2 + 3t) = 3t - 1.
    let a = tree(2, 2, 1, 4);
    let w = [vec![1, -1, 0, 1], vec![1, 1, -1, 1]];
    let mut chunks = Vec::new();
    for (c, wc) in w.iter().enumerate() {
        for t in 0..4i64 {
            let act = if c == 0 { vec![t, 1] } else { vec![2, 3 * t] };
            chunks.push(match t {
                0 => Chunk {
                    act,
                    wgt: wc.clone(),
                    last: c == 1,
                },
                _ => Chunk::reusing(act, c == 1),
            });
        }
    }
    let p = predict(&a, &stim(chunks)).unwrap();
    let got: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
    assert_eq!(got, vec![vec![1, -1], vec![5, 2], vec![9, 5], vec![13, 8]]);
    // one chunk a cycle (accepted at 0..8), each token's result the
    // latency after its last chunk, the last at the closed form's cycle
    assert_eq!(p.accepted, (0..8).collect::<Vec<u64>>());
    let t = ArrayTiming::of(&a);
    for (k, o) in p.outputs.iter().enumerate() {
        assert_eq!(o.cycle, p.accepted[4 + k] + u64::from(tile_latency(&t)));
    }
    assert_eq!(p.outputs[3].cycle, cycles_for_reductions(&t, 4, 2));
}

#[test]
fn the_protocol_is_checked() {
    let a = tree(2, 2, 1, 2);
    let load = |last| Chunk {
        act: vec![1, 2],
        wgt: vec![1, 0, -1, 1],
        last,
    };
    // reusing before any load
    let e = predict(&a, &stim(vec![Chunk::reusing(vec![1, 1], true)])).unwrap_err();
    assert!(matches!(e, TileError::Protocol { chunk: 0, .. }), "{e}");
    // three chunks on one load of a 2-token tile
    let e = predict(
        &a,
        &stim(vec![
            load(true),
            Chunk::reusing(vec![1, 1], true),
            Chunk::reusing(vec![1, 1], true),
        ]),
    )
    .unwrap_err();
    assert!(matches!(e, TileError::Protocol { chunk: 2, .. }), "{e}");
    // without weight registers a chunk must carry its weights
    let one = tree(2, 2, 1, 1);
    assert!(predict(
        &one,
        &stim(vec![load(false), Chunk::reusing(vec![1, 1], true)])
    )
    .is_err());
}

/// One token's chunks: activations, and weights per lane.
type TokenChunks = (Vec<Vec<i64>>, Vec<Vec<Vec<i64>>>);

/// Token tiles `(tokens, chunks)` as a stimulus, and each token's
/// reduction with its weights spelled out (in the order the results leave).
fn tiles(a: &ArrayConfig, shape: &[(usize, usize)], seed: u64) -> (Vec<Chunk>, Vec<Vec<i64>>) {
    let (lanes, width) = (a.lanes as usize, a.width as usize);
    let mut x = seed;
    let mut next = |lo: i64, hi: i64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + ((x >> 33) % (hi - lo + 1) as u64) as i64
    };
    let (mut chunks, mut want) = (Vec::new(), Vec::new());
    for &(tokens, n) in shape {
        let mut per_token: Vec<TokenChunks> = vec![(Vec::new(), Vec::new()); tokens];
        for c in 0..n {
            let w: Vec<i64> = (0..lanes * width).map(|_| next(-1, 1)).collect();
            for (t, tok) in per_token.iter_mut().enumerate() {
                let act: Vec<i64> = (0..width).map(|_| next(-128, 127)).collect();
                tok.0.push(act.clone());
                tok.1.push(w.chunks(width).map(<[i64]>::to_vec).collect());
                chunks.push(match t {
                    0 => Chunk {
                        act,
                        wgt: w.clone(),
                        last: c + 1 == n,
                    },
                    _ => Chunk::reusing(act, c + 1 == n),
                });
            }
        }
        for (acts, wgts) in per_token {
            want.push(tile_outputs(a, &acts, &wgts).unwrap());
        }
    }
    (chunks, want)
}

fn pattern(seed: u64, len: usize, percent: u64) -> Vec<bool> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 100 < percent
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every token's result is the bit-exact model's, in token order, with
    /// gaps and back-pressure; at full throughput the timing is the closed
    /// form whatever the token tile.
    #[test]
    fn token_tiles_agree_with_the_bit_exact_model(
        lanes in 1u32..5,
        width in 1u32..9,
        stage in 1u32..4,
        tt in 2u32..9,
        shape in prop::collection::vec((1usize..9, 1usize..5), 1..6),
        seed in any::<u64>(),
        pv in 30u64..101,
        pr in 10u64..101,
    ) {
        let a = tree(lanes, width, stage, tt);
        let shape: Vec<(usize, usize)> =
            shape.into_iter().map(|(t, c)| (t.min(tt as usize), c)).collect();
        let (chunks, want) = tiles(&a, &shape, seed);
        let len = chunks.len() * 8 + 32;
        let s = Stimulus {
            chunks: chunks.clone(),
            in_valid: pattern(seed, len, pv),
            out_ready: pattern(seed ^ 0x55, len, pr),
        };
        let p = predict(&a, &s).unwrap();
        let got: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
        prop_assert_eq!(&got, &want);
        let full = predict(&a, &stim(chunks.clone())).unwrap();
        let t = ArrayTiming::of(&a);
        prop_assert_eq!(
            full.outputs.last().unwrap().cycle,
            cycles_for_reductions(&t, 1, chunks.len() as u64)
        );
    }
}
