//! The bit-serial popcount reduction.
//!
//! A lane's weights become two masks over the `width` elements: `pos`
//! (weight +1) and `neg` (weight −1; for `binary01` weights `pos` = weight 1
//! and `neg` is empty; for `binary` ±1 weights `neg = !pos`).
//!
//! * `intB` activations (two's complement): plane `b` is bit `b` of every
//!   activation. Plane `b` contributes
//!   `(popcount(pos & plane_b) − popcount(neg & plane_b)) << b`, and the sign
//!   plane `b = B−1` contributes the negative of that, since
//!   `a = −a_{B−1}·2^{B−1} + Σ_{b<B−1} a_b·2^b`.
//! * `binary01` activations: one plane (the bits themselves), unsigned:
//!   `popcount(pos & x) − popcount(neg & x)`; with `binary01` weights this is
//!   the AND-popcount `popcount(w & x)`.
//! * `binary` ±1 activations (bit 1 = +1): one plane `x`, value `a = 2x − 1`.
//!   With `binary` weights this is the XNOR-popcount
//!   `2·popcount(!(w ^ x)) − width`; with ternary (or {0,1}) weights,
//!   `2·(popcount(pos & x) − popcount(neg & x)) − (popcount(pos) − popcount(neg))`
//!   (the same identity, restricted to the nonzero weights).
//!
//! `planes_per_cycle` planes are processed a cycle, least significant plane
//! first: cycle `c` handles planes `c·ppc .. min((c+1)·ppc, B)` and produces
//! the sum of their signed, shifted contributions (the per-cycle partial
//! accumulated by the lane); a chunk takes `ceil(B / ppc)` cycles, the
//! initiation interval. Processing the sign plane last keeps every
//! intermediate accumulator value within the range of the final one.

use super::{
    is_int_between, runs_low_bit, signed_bits, tree_timing, LaneTrace, ReductionModule, SelectGate,
    SelectStage, TomlKey,
};
use crate::activity::Activity;
use crate::arch::{activation_planes, Accelerator, ArrayConfig, ArrayTiming, InvalidValue};
use crate::bitexact::encoding::{check_acts, check_weights};
use crate::bitexact::BitExactError;
use crate::bitexact::Datapath;
use crate::mapping::ChunkCost;
use workloads::Precision;

/// The weight masks of one lane's chunk (bit `e` of word `e/64` is element `e`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightMasks {
    /// Elements whose weight is +1 (1 for `binary01`).
    pub pos: Vec<u64>,
    /// Elements whose weight is −1.
    pub neg: Vec<u64>,
    /// Elements.
    pub width: usize,
}

fn words(width: usize) -> usize {
    width.div_ceil(64)
}

/// The masks of one lane's weights.
pub fn weight_masks(weights: Precision, ws: &[i64]) -> Result<WeightMasks, BitExactError> {
    check_low_bit(weights)?;
    check_weights(weights, ws)?;
    let mut m = WeightMasks {
        pos: vec![0; words(ws.len())],
        neg: vec![0; words(ws.len())],
        width: ws.len(),
    };
    fill_masks(ws, &mut m.pos, &mut m.neg);
    Ok(m)
}

fn fill_masks(ws: &[i64], pos: &mut [u64], neg: &mut [u64]) {
    pos.fill(0);
    neg.fill(0);
    for (e, &w) in ws.iter().enumerate() {
        let bit = 1u64 << (e % 64);
        if w > 0 {
            pos[e / 64] |= bit;
        } else if w < 0 {
            neg[e / 64] |= bit;
        }
    }
}

fn check_low_bit(weights: Precision) -> Result<(), BitExactError> {
    if weights.is_low_bit_weight() {
        Ok(())
    } else {
        Err(BitExactError::Unsupported(format!(
            "the popcount reduction takes ternary, binary or binary01 weights, not {weights}"
        )))
    }
}

/// Activation planes a format has: B for `intB`, 1 for ±1 and {0,1}.
pub fn planes_of(acts: Precision) -> Result<u32, BitExactError> {
    match acts {
        Precision::Int(b) => Ok(u32::from(b)),
        Precision::Binary | Precision::Binary01 => Ok(1),
        other => Err(BitExactError::Unsupported(format!(
            "the popcount reduction takes intB, binary or binary01 activations, not {other}"
        ))),
    }
}

/// Bit-plane `b` of the activations' port codes (bit `e` = bit `b` of
/// activation `e`; for ±1 activations plane 0 is the code, 1 = +1).
pub fn act_plane(acts: Precision, xs: &[i64], b: u32) -> Vec<u64> {
    let mut p = vec![0; words(xs.len())];
    fill_plane(acts, xs, b, &mut p);
    p
}

fn fill_plane(acts: Precision, xs: &[i64], b: u32, out: &mut [u64]) {
    out.fill(0);
    for (e, &x) in xs.iter().enumerate() {
        let bit = match acts {
            Precision::Binary => x > 0,
            _ => (x >> b) & 1 != 0,
        };
        if bit {
            out[e / 64] |= 1u64 << (e % 64);
        }
    }
}

fn pc_and(a: &[u64], b: &[u64]) -> i64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| i64::from((x & y).count_ones()))
        .sum()
}

fn pc(a: &[u64]) -> i64 {
    a.iter().map(|x| i64::from(x.count_ones())).sum()
}

/// `popcount(pos & plane) − popcount(neg & plane)`.
pub fn plane_count(pos: &[u64], neg: &[u64], plane: &[u64]) -> i64 {
    pc_and(pos, plane) - pc_and(neg, plane)
}

/// The XNOR-popcount of `width` ±1 weights and activations given as bits
/// (1 = +1): `2·popcount(!(w ^ x)) − width`.
pub fn xnor_popcount(w: &[u64], x: &[u64], width: usize) -> i64 {
    let mut ones = 0i64;
    for (i, (a, b)) in w.iter().zip(x).enumerate() {
        let valid = if (i + 1) * 64 <= width {
            u64::MAX
        } else {
            (1u64 << (width - i * 64)) - 1
        };
        ones += i64::from((!(a ^ b) & valid).count_ones());
    }
    2 * ones - width as i64
}

/// The AND-popcount of {0,1} weights and activations: `popcount(w & x)`.
pub fn and_popcount(w: &[u64], x: &[u64]) -> i64 {
    pc_and(w, x)
}

/// The signed, shifted contribution of activation plane `b` (bits `plane`)
/// for weight masks `m_pos`/`m_neg` (see the module documentation).
pub fn plane_contribution(
    acts: Precision,
    weights: Precision,
    m_pos: &[u64],
    m_neg: &[u64],
    plane: &[u64],
    b: u32,
    width: usize,
) -> i64 {
    match acts {
        Precision::Int(bits) => {
            let v = plane_count(m_pos, m_neg, plane) << b;
            if b + 1 == u32::from(bits) {
                -v
            } else {
                v
            }
        }
        Precision::Binary01 => plane_count(m_pos, m_neg, plane),
        _ => {
            if weights == Precision::Binary {
                xnor_popcount(m_pos, plane, width)
            } else {
                2 * plane_count(m_pos, m_neg, plane) - (pc(m_pos) - pc(m_neg))
            }
        }
    }
}

/// One lane's chunk through the popcount datapath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopcountTrace {
    /// The signed, shifted contribution of every plane (least significant first).
    pub planes: Vec<i64>,
    /// The partial produced in each cycle (`ceil(planes / ppc)` of them).
    pub per_cycle: Vec<i64>,
    /// The chunk's sum.
    pub sum: i64,
}

/// One lane's chunk (weights `ws`, activations `xs`) bit-serially,
/// `planes_per_cycle` planes a cycle.
pub fn lane_chunk(
    acts: Precision,
    weights: Precision,
    planes_per_cycle: u32,
    ws: &[i64],
    xs: &[i64],
) -> Result<PopcountTrace, BitExactError> {
    if ws.len() != xs.len() {
        return Err(BitExactError::Shape {
            what: "lane weights",
            expected: xs.len(),
            got: ws.len(),
        });
    }
    let nplanes = planes_of(acts)?;
    check_acts(acts, xs)?;
    let m = weight_masks(weights, ws)?;
    let ppc = planes_per_cycle.clamp(1, nplanes) as usize;
    let planes: Vec<i64> = (0..nplanes)
        .map(|b| {
            let plane = act_plane(acts, xs, b);
            plane_contribution(acts, weights, &m.pos, &m.neg, &plane, b, m.width)
        })
        .collect();
    let per_cycle: Vec<i64> = planes.chunks(ppc).map(|c| c.iter().sum()).collect();
    let sum = per_cycle.iter().sum();
    Ok(PopcountTrace {
        planes,
        per_cycle,
        sum,
    })
}

/// The planes cycle `c` of a chunk handles: `c*ppc .. min((c+1)*ppc, planes)`.
pub fn cycle_planes(planes: u32, planes_per_cycle: u32) -> Vec<(u32, u32)> {
    let ppc = planes_per_cycle.clamp(1, planes.max(1));
    (0..planes.div_ceil(ppc))
        .map(|c| (c * ppc, ((c + 1) * ppc).min(planes)))
        .collect()
}

/// What planes `lo..hi` of a `bits`-bit two's-complement activation `a`
/// contribute: `Σ_{lo<=b<hi} ±bit_b(a)·2^b`, the sign plane `bits−1`
/// negative. Without the sign plane that is the unsigned field
/// `((a >> lo) mod 2^(hi−lo)) << lo`; with it, the arithmetic shift
/// `(a >> lo) << lo`. So a cycle's partial is the dot product of the weights
/// with these fields, which is how the fast model computes it.
pub fn plane_field(a: i64, lo: u32, hi: u32, bits: u32) -> i64 {
    if hi >= bits {
        (a >> lo) << lo
    } else {
        ((a >> lo) & ((1i64 << (hi - lo)) - 1)) << lo
    }
}

/// The popcount datapath's module.
#[derive(Debug, Clone, Copy)]
pub struct Popcount;

/// Popcounts per plane: one for AND (binary01 weights) and XNOR (binary x
/// binary), two (pos and neg masks) otherwise.
fn popcounts_per_plane(w: Precision, a: Precision) -> u64 {
    match (w, a) {
        (Precision::Binary01, _) | (Precision::Binary, Precision::Binary) => 1,
        _ => 2,
    }
}

impl ReductionModule for Popcount {
    fn name(&self) -> &'static str {
        "popcount"
    }
    fn area_class(&self, a: &ArrayConfig) -> &'static str {
        if matches!(a.activations, Precision::Binary | Precision::Binary01) {
            "xnor-popcount"
        } else {
            "popcount"
        }
    }
    fn allowed_activations(&self) -> &'static str {
        "int2..int8, binary, binary01"
    }
    fn accepts_activations(&self, p: Precision) -> bool {
        is_int_between(p, 2, 8) || matches!(p, Precision::Binary | Precision::Binary01)
    }
    fn allowed_weights(&self) -> &'static str {
        "ternary, ternary-packed, binary, binary01"
    }
    fn accepts_weights(&self, p: Precision) -> bool {
        p.is_low_bit_weight()
    }
    fn validate(&self, a: &ArrayConfig) -> Result<(), InvalidValue> {
        let planes = activation_planes(a.activations);
        if a.planes_per_cycle > planes {
            let v = a.planes_per_cycle.to_string();
            return Err(InvalidValue {
                key: "array.planes_per_cycle".into(),
                message: format!(
                    "`array.planes_per_cycle` = {v} is out of range: {} activations have {planes} \
                     bit-plane{}, expected an integer from 1 to {planes}",
                    a.activations,
                    if planes == 1 { "" } else { "s" }
                ),
                value: v,
            });
        }
        Ok(())
    }
    fn toml_keys(&self, a: &ArrayConfig) -> Vec<TomlKey> {
        vec![TomlKey {
            doc: "Activation bit-planes per cycle (popcount only), 1 to 8 and at most\n\
                  the activation bits; the initiation interval is ceil(bits / planes_per_cycle)."
                .into(),
            key: "planes_per_cycle".into(),
            value: a.planes_per_cycle.to_string(),
        }]
    }
    fn runs(&self, arr: &ArrayConfig, a: Precision, w: Precision) -> bool {
        runs_low_bit(arr, a, w)
    }
    fn timing(&self, a: &ArrayConfig) -> ArrayTiming {
        let planes = activation_planes(a.activations);
        let ii = planes.div_ceil(a.planes_per_cycle.max(1));
        tree_timing(a, a.width, 0, planes, ii)
    }
    fn chunk_events(
        &self,
        arch: &Accelerator,
        timing: &ArrayTiming,
        lane: &mut Activity,
        _shared: &mut Activity,
    ) {
        let arr = &arch.array;
        let (a, w) = (arr.activations, arr.weights);
        let width = u64::from(arr.width);
        let planes = u64::from(activation_planes(a));
        let pc_bits = signed_bits(width + 1);
        let per_plane_pc = popcounts_per_plane(w, a);
        *lane.popcounts.entry(arr.width).or_insert(0) += per_plane_pc * planes;
        // per plane: the pos - neg difference (when two popcounts) and
        // the shifted add into the chunk sum
        if per_plane_pc == 2 {
            *lane.adds.entry(pc_bits + 1).or_insert(0) += planes;
        }
        let sum_bits = pc_bits + 1 + planes as u32;
        *lane.adds.entry(sum_bits).or_insert(0) += planes;
        // the registered per-plane partial sum
        lane.reg_bits += u64::from(sum_bits) * u64::from(timing.initiation_interval);
    }
    fn select(&self, a: &ArrayConfig, t: &ArrayTiming) -> SelectStage {
        let masks = popcounts_per_plane(a.weights, a.activations) as f64;
        SelectStage {
            bits_per_term: masks * f64::from(activation_planes(a.activations)),
            gates_per_term: masks * f64::from(t.planes) / f64::from(t.initiation_interval.max(1)),
            gate: SelectGate::And,
        }
    }
    fn lane_flops(&self, a: &ArrayConfig, chunk: &ChunkCost) -> u64 {
        let lane = chunk.per_lane.reg_bits;
        let ii = u64::from(chunk.timing.initiation_interval.max(1));
        if ii > 1 {
            // the per-plane partial sum is one register written `ii` times a chunk
            let planes = activation_planes(a.activations);
            let sum_bits = u64::from(signed_bits(u64::from(a.width) + 1) + 1 + planes);
            lane.saturating_sub((ii - 1) * sum_bits)
        } else {
            lane
        }
    }
    fn paper_adds(&self, act: &Activity) -> u64 {
        act.terms
    }
    fn bitexact_refuses(&self, w: Precision) -> Option<String> {
        (!w.is_low_bit_weight()).then(|| {
            format!("the popcount reduction takes ternary, binary or binary01 weights, not {w}")
        })
    }
    fn cycle_groups(&self, a: &ArrayConfig) -> Vec<(u32, u32)> {
        match a.activations {
            Precision::Int(b) => cycle_planes(u32::from(b), a.planes_per_cycle),
            _ => vec![(0, 1)],
        }
    }
    fn lane_chunk(
        &self,
        dp: &Datapath,
        ws: &[i64],
        act: &[i64],
    ) -> Result<LaneTrace, BitExactError> {
        Ok(LaneTrace::Popcount(lane_chunk(
            dp.acts,
            dp.weights,
            dp.planes_per_cycle,
            ws,
            act,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_planes() {
        // 1*(-128) + (-1)*127 + 0*5 = -255
        let t = lane_chunk(
            Precision::INT8,
            Precision::Ternary,
            2,
            &[1, -1, 0],
            &[-128, 127, 5],
        );
        let t = t.unwrap();
        assert_eq!(t.sum, -128 - 127);
        assert_eq!(t.per_cycle.len(), 4);
        assert_eq!(t.planes.len(), 8);
    }

    #[test]
    fn xnor() {
        // w = [+1, -1, +1], x = [+1, +1, -1] -> 1 - 1 - 1 = -1
        let t = lane_chunk(
            Precision::Binary,
            Precision::Binary,
            1,
            &[1, -1, 1],
            &[1, 1, -1],
        )
        .unwrap();
        assert_eq!(t.sum, -1);
        let t = lane_chunk(
            Precision::Binary,
            Precision::Ternary,
            1,
            &[1, 0, -1],
            &[1, 1, -1],
        )
        .unwrap();
        assert_eq!(t.sum, 2);
    }

    #[test]
    fn fields_are_plane_sums() {
        for bits in 1..=8u32 {
            let lo_a = -(1i64 << (bits - 1));
            for a in lo_a..-lo_a {
                for ppc in 1..=bits {
                    let mut total = 0;
                    for (lo, hi) in cycle_planes(bits, ppc) {
                        let by_planes: i64 = (lo..hi)
                            .map(|b| {
                                let v = ((a >> b) & 1) << b;
                                if b + 1 == bits {
                                    -v
                                } else {
                                    v
                                }
                            })
                            .sum();
                        assert_eq!(plane_field(a, lo, hi, bits), by_planes, "{a} {lo} {hi}");
                        total += by_planes;
                    }
                    assert_eq!(total, a);
                }
            }
        }
    }
}
