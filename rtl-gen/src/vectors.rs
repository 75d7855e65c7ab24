//! Test vectors: a [`Stimulus`] for the tile (chunks, the producer's
//! `in_valid` and the consumer's `out_ready` per cycle), deterministic in a
//! seed.
//!
//! Every set starts with the extremes, then random reductions:
//!
//! * one-chunk reductions at each corner of the value ranges (all weights
//!   at their largest or smallest value against all activations at theirs:
//!   all +1 / all −1 weights with 127 / −128 activations for int8 x
//!   ternary), and the same as a two-chunk reduction;
//! * all-zero chunks (zero weights, zero activations, both);
//! * a reduction of exactly `max_k` terms at the corner of largest magnitude,
//!   each sign, when it takes at most [`MAX_K_CHUNKS`] chunks: the
//!   accumulator's extreme values;
//! * random reductions of 1 to 8 chunks (at most `max_k` terms), values
//!   uniform over their formats, with a random share of zero weights;
//! * with `array.token_tile = T > 1`, every other random reduction is a
//!   tile of 1 to `T` tokens sharing its weights (chunk-outer, token-inner:
//!   the first token's chunk loads the weights, the others reuse them).
//!
//! The handshake pattern runs in phases: full throughput (back-to-back
//! reductions, `in_valid` and `out_ready` always high), random gaps in
//! `in_valid`, heavy back-pressure on `out_ready` (the skid buffer and the
//! stall), and both at once.

use crate::design::Design;
use crate::lane::range_of;
use sim::tile::{Chunk, Stimulus};
use workloads::Precision;

/// The longest `max_k` reduction the vectors include, in chunks.
pub const MAX_K_CHUNKS: u64 = 64;

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6a09_e667_f3bc_c908)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 >= 1.0 - p
    }
}

/// A value of a weight encoding (`binary` is ±1).
fn weight_value(p: Precision, rng: &mut Rng) -> i64 {
    match p {
        Precision::Binary => {
            if rng.chance(0.5) {
                1
            } else {
                -1
            }
        }
        _ => {
            let (lo, hi) = range_of(p);
            rng.range(lo as i64, hi as i64)
        }
    }
}

/// The zero of a format, when it has one.
fn zero_of(p: Precision) -> Option<i64> {
    sim::bitexact::encoding::weight_in_range(p, 0).then_some(0)
}

/// `(smallest, largest)` value of a format (`binary`: −1, +1).
fn extremes(p: Precision) -> (i64, i64) {
    let (lo, hi) = range_of(p);
    (lo as i64, hi as i64)
}

/// The vectors for `d`: about `chunks` chunks (the extremes first; the last
/// chunk always ends a reduction) and the handshake pattern.
pub fn stimulus(d: &Design, seed: u64, chunks: usize) -> Stimulus {
    let mut rng = Rng::new(seed);
    let (lanes, width) = (d.lanes() as usize, d.width() as usize);
    let (acts, wgts) = (d.acts(), d.weights());
    let (amin, amax) = extremes(acts);
    let (wmin, wmax) = extremes(wgts);
    let max_chunks = (d.array.max_k / width as u64).max(1);
    let filled = |a: i64, w: i64| (vec![a; width], vec![w; lanes * width]);
    let mut out: Vec<Chunk> = Vec::new();
    let reduction = |out: &mut Vec<Chunk>, parts: Vec<(Vec<i64>, Vec<i64>)>| {
        let n = parts.len();
        for (i, (act, wgt)) in parts.into_iter().enumerate() {
            out.push(Chunk {
                act,
                wgt,
                last: i + 1 == n,
            });
        }
    };
    // corners, one chunk and two chunks
    let corners = [(amax, wmax), (amax, wmin), (amin, wmax), (amin, wmin)];
    for &(a, w) in &corners {
        reduction(&mut out, vec![filled(a, w)]);
    }
    if max_chunks >= 2 {
        for &(a, w) in &corners {
            reduction(&mut out, vec![filled(a, w), filled(a, w)]);
        }
    }
    // all-zero chunks
    let random_acts =
        |rng: &mut Rng| -> Vec<i64> { (0..width).map(|_| weight_value(acts, rng)).collect() };
    let random_wgts = |rng: &mut Rng, zeros: f64| -> Vec<i64> {
        (0..lanes * width)
            .map(|_| match zero_of(wgts) {
                Some(z) if rng.chance(zeros) => z,
                _ => weight_value(wgts, rng),
            })
            .collect()
    };
    if let Some(zw) = zero_of(wgts) {
        let a = random_acts(&mut rng);
        reduction(&mut out, vec![(a, vec![zw; lanes * width])]);
    }
    if let Some(za) = zero_of(acts) {
        let w = random_wgts(&mut rng, 0.0);
        reduction(&mut out, vec![(vec![za; width], w)]);
        if let Some(zw) = zero_of(wgts) {
            reduction(&mut out, vec![filled(za, zw)]);
        }
    }
    // max_k terms at the largest products of each sign
    if max_chunks <= MAX_K_CHUNKS {
        let products: Vec<(i64, (i64, i64))> =
            corners.iter().map(|&(a, w)| (a * w, (a, w))).collect();
        let most = products.iter().max_by_key(|p| p.0).expect("corners");
        let least = products.iter().min_by_key(|p| p.0).expect("corners");
        for &(_, (a, w)) in [most, least] {
            reduction(&mut out, vec![filled(a, w); max_chunks as usize]);
        }
    }
    // random reductions, and token tiles sharing their weights
    let longest = max_chunks.min(8) as i64;
    let tt = i64::from(d.token_tile());
    let mut tiled = false;
    while out.len() < chunks {
        let n = rng.range(1, longest) as usize;
        let zeros = [0.0, 0.31, 0.8][rng.range(0, 2) as usize];
        if tiled {
            let tokens = rng.range(1, tt) as usize;
            for c in 0..n {
                let w = random_wgts(&mut rng, zeros);
                for t in 0..tokens {
                    let act = random_acts(&mut rng);
                    out.push(match t {
                        0 => Chunk {
                            act,
                            wgt: w.clone(),
                            last: c + 1 == n,
                        },
                        _ => Chunk::reusing(act, c + 1 == n),
                    });
                }
            }
        } else {
            let parts = (0..n)
                .map(|_| (random_acts(&mut rng), random_wgts(&mut rng, zeros)))
                .collect();
            reduction(&mut out, parts);
        }
        tiled = tt > 1 && !tiled;
    }
    if let Some(c) = out.last_mut() {
        c.last = true;
    }
    let cycles = (out.len() as u64 * u64::from(d.ii()) + u64::from(d.timing.latency)) as usize;
    let (in_valid, out_ready) = if d.token_tile() > 1 {
        handshake_with(&mut rng, 3 * cycles + 16, &TILED_PHASES)
    } else {
        handshake(&mut rng, 3 * cycles + 16)
    };
    Stimulus {
        chunks: out,
        in_valid,
        out_ready,
    }
}

/// The phases `(P(in_valid), P(out_ready))` of [`handshake`]: full
/// throughput, gaps, back-pressure, both, and bursts.
const PHASES: [(f64, f64); 6] = [
    (1.0, 1.0),
    (0.6, 1.0),
    (1.0, 0.25),
    (0.7, 0.5),
    (1.0, 0.9),
    (0.3, 0.1),
];

/// The phases with weight registers: [`PHASES`] and a near-blocked output
/// (`out_ready` 5% of cycles), so a finished token waits in its
/// accumulator while the tile's next token arrives behind it (the skid
/// path between two partial sums).
const TILED_PHASES: [(f64, f64); 7] = [
    (1.0, 1.0),
    (0.6, 1.0),
    (1.0, 0.25),
    (0.7, 0.5),
    (1.0, 0.05),
    (1.0, 0.9),
    (0.3, 0.1),
];

/// `in_valid` and `out_ready` for `cycles` cycles, in phases of 8 to 64
/// cycles: `(P(in_valid), P(out_ready))` cycling through full throughput,
/// gaps, back-pressure, both, and bursts.
pub fn handshake(rng: &mut Rng, cycles: usize) -> (Vec<bool>, Vec<bool>) {
    handshake_with(rng, cycles, &PHASES)
}

fn handshake_with(rng: &mut Rng, cycles: usize, phases: &[(f64, f64)]) -> (Vec<bool>, Vec<bool>) {
    let mut v = Vec::with_capacity(cycles);
    let mut r = Vec::with_capacity(cycles);
    let mut phase = 0;
    while v.len() < cycles {
        let len = rng.range(8, 64) as usize;
        let (pv, pr) = phases[phase % phases.len()];
        for _ in 0..len {
            v.push(rng.chance(pv));
            r.push(rng.chance(pr));
        }
        phase += 1;
    }
    v.truncate(cycles);
    r.truncate(cycles);
    (v, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn deterministic_and_in_range() {
        let d = Design::new(&preset("edge-ternary").unwrap()).unwrap();
        let a = stimulus(&d, 7, 40);
        assert_eq!(a, stimulus(&d, 7, 40));
        assert_ne!(a, stimulus(&d, 8, 40));
        assert!(a.chunks.len() >= 40);
        assert!(a.chunks.last().unwrap().last);
        let p = sim::tile::predict(&d.array, &a).unwrap();
        assert_eq!(p.accepted.len(), a.chunks.len());
        assert!(!p.wrapped);
        // the corners: 64 x 127 x (+1) and 64 x (-128) x (+1)
        assert_eq!(p.outputs[0].acc[0], 64 * 127);
        assert_eq!(p.outputs[2].acc[0], -64 * 128);
        assert_eq!(p.outputs[3].acc[0], 64 * 128);
    }

    #[test]
    fn chance() {
        let mut r = Rng::new(1);
        assert!((0..1000).all(|_| r.chance(1.0)));
        assert!((0..1000).all(|_| !r.chance(0.0)));
        let n = (0..10000).filter(|_| r.chance(0.3)).count();
        assert!((2700..3300).contains(&n), "{n}");
    }
}
