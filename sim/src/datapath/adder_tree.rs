//! The select/negate adder-tree reduction.
//!
//! Per lane and chunk: each of the `width` terms is the activation selected
//! and negated by its weight (ternary: `+a`, `-a` or `0`; binary ±1: `+a` or
//! `-a`; binary01: `a` or `0`), then the `width` terms are summed by a binary
//! tree, pairwise, level by level: level `l+1` element `i` is level `l`
//! elements `2i` and `2i+1` added; an odd last element passes through
//! unchanged. A `width`-input tree has `ceil(log2(width))` levels, which is
//! [`crate::arch::ArrayTiming::tree_levels`].

use super::{
    is_int_between, runs_low_bit, tree_events, tree_timing, LaneTrace, ReductionModule, SelectGate,
    SelectStage,
};
use crate::activity::Activity;
use crate::arch::{Accelerator, ArrayConfig, ArrayTiming};
use crate::bitexact::BitExactError;
use crate::bitexact::Datapath;
use workloads::Precision;

/// The term one weight makes of one activation, as the select/negate stage
/// builds it (no multiplier). Refuses weights outside the encoding.
pub fn select_term(weights: Precision, w: i64, a: i64) -> Result<i64, BitExactError> {
    match (weights, w) {
        (Precision::Ternary | Precision::TernaryPacked, 1)
        | (Precision::Binary, 1)
        | (Precision::Binary01, 1) => Ok(a),
        (Precision::Ternary | Precision::TernaryPacked, -1) | (Precision::Binary, -1) => Ok(-a),
        (Precision::Ternary | Precision::TernaryPacked, 0) | (Precision::Binary01, 0) => Ok(0),
        (p, _) if p.is_low_bit_weight() => Err(BitExactError::OutOfRange {
            what: "weight",
            value: w,
            precision: p,
        }),
        (p, _) => Err(BitExactError::Unsupported(format!(
            "the adder-tree reduction selects and negates; {p} weights need a multiplier (mac)"
        ))),
    }
}

/// The terms of one lane's chunk.
pub fn select_terms(
    weights: Precision,
    ws: &[i64],
    acts: &[i64],
) -> Result<Vec<i64>, BitExactError> {
    ws.iter()
        .zip(acts)
        .map(|(&w, &a)| select_term(weights, w, a))
        .collect()
}

/// Adder levels of an `n`-input tree: ceil(log2(n)), 0 for n <= 1.
pub fn levels_for(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

/// One tree level: pairwise sums, the odd last element passed through.
pub fn tree_level(inputs: &[i64]) -> Vec<i64> {
    inputs.chunks(2).map(|p| p.iter().sum::<i64>()).collect()
}

/// Every level of the tree: element 0 is the terms, the last is `[sum]`
/// (`levels_for(n) + 1` vectors; an empty input gives `[[], [0]]`).
pub fn tree_levels(terms: &[i64]) -> Vec<Vec<i64>> {
    if terms.is_empty() {
        return vec![vec![], vec![0]];
    }
    let mut levels = vec![terms.to_vec()];
    while levels.last().expect("non-empty").len() > 1 {
        let next = tree_level(levels.last().expect("non-empty"));
        levels.push(next);
    }
    levels
}

/// The tree's sum, computed level by level (no allocation beyond one
/// scratch vector).
pub fn tree_sum(terms: &[i64]) -> i64 {
    let mut v = terms.to_vec();
    let mut n = v.len();
    while n > 1 {
        let half = n.div_ceil(2);
        for i in 0..half {
            let b = if 2 * i + 1 < n { v[2 * i + 1] } else { 0 };
            v[i] = v[2 * i] + b;
        }
        n = half;
    }
    v.first().copied().unwrap_or(0)
}

/// The tree levels after which a pipeline register sits: `stage_levels`,
/// `2*stage_levels`, ... and always the last level (the tree's output
/// register). Empty for a tree without levels (width 1).
pub fn register_levels(tree_levels: u32, stage_levels: u32) -> Vec<u32> {
    let s = stage_levels.max(1);
    (1..=tree_levels.div_ceil(s))
        .map(|j| (j * s).min(tree_levels))
        .collect()
}

/// Bits of a level-`l` partial sum when the terms are `term_bits` wide
/// (two's complement): each level adds one bit.
pub fn level_bits(term_bits: u32, level: u32) -> u32 {
    term_bits + level
}

/// One lane's chunk through the adder tree: the sum and every level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeTrace {
    /// Level 0 is the selected terms; the last level is `[sum]`.
    pub levels: Vec<Vec<i64>>,
    /// The chunk's sum.
    pub sum: i64,
}

/// One lane's chunk through the select stage and the tree.
pub fn lane_chunk(
    weights: Precision,
    ws: &[i64],
    acts: &[i64],
) -> Result<TreeTrace, BitExactError> {
    let terms = select_terms(weights, ws, acts)?;
    let levels = tree_levels(&terms);
    let sum = levels.last().and_then(|l| l.first()).copied().unwrap_or(0);
    Ok(TreeTrace { levels, sum })
}

/// The adder-tree datapath's module.
#[derive(Debug, Clone, Copy)]
pub struct AdderTree;

impl ReductionModule for AdderTree {
    fn name(&self) -> &'static str {
        "adder-tree"
    }
    fn allowed_activations(&self) -> &'static str {
        "int2..int8"
    }
    fn accepts_activations(&self, p: Precision) -> bool {
        is_int_between(p, 2, 8)
    }
    fn allowed_weights(&self) -> &'static str {
        "ternary, ternary-packed, binary, binary01"
    }
    fn accepts_weights(&self, p: Precision) -> bool {
        p.is_low_bit_weight()
    }
    fn runs(&self, arr: &ArrayConfig, a: Precision, w: Precision) -> bool {
        runs_low_bit(arr, a, w)
    }
    fn timing(&self, a: &ArrayConfig) -> ArrayTiming {
        tree_timing(a, a.width, 0, 1, 1)
    }
    fn chunk_events(
        &self,
        arch: &Accelerator,
        _timing: &ArrayTiming,
        lane: &mut Activity,
        _shared: &mut Activity,
    ) {
        let arr = &arch.array;
        let a_bits = arr.activations.storage_bits().ceil() as u32;
        // a select/negated int-B term needs B+1 bits (-(-2^(B-1)) = 2^(B-1))
        let term_bits = match arr.weights {
            Precision::Binary01 => a_bits,
            _ => a_bits + 1,
        };
        tree_events(lane, u64::from(arr.width), term_bits, arr.stage_levels);
    }
    fn select(&self, a: &ArrayConfig, _t: &ArrayTiming) -> SelectStage {
        let bits = f64::from(a.activations.storage_bits().ceil() as u32);
        SelectStage {
            bits_per_term: bits,
            gates_per_term: bits,
            gate: SelectGate::XorAnd,
        }
    }
    fn paper_adds(&self, act: &Activity) -> u64 {
        act.adds.values().sum::<u64>() + act.acc_updates.values().sum::<u64>()
    }
    fn bitexact_refuses(&self, w: Precision) -> Option<String> {
        (!w.is_low_bit_weight()).then(|| {
            format!("the adder-tree reduction takes ternary, binary or binary01 weights, not {w}")
        })
    }
    fn lane_chunk(
        &self,
        dp: &Datapath,
        ws: &[i64],
        act: &[i64],
    ) -> Result<LaneTrace, BitExactError> {
        Ok(LaneTrace::Tree(lane_chunk(dp.weights, ws, act)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_widths_pass_through() {
        let lv = tree_levels(&[1, 2, 3, 4, 5]);
        assert_eq!(
            lv,
            vec![vec![1, 2, 3, 4, 5], vec![3, 7, 5], vec![10, 5], vec![15]]
        );
        assert_eq!(lv.len() - 1, levels_for(5) as usize);
        assert_eq!(tree_sum(&[1, 2, 3, 4, 5]), 15);
        assert_eq!(tree_sum(&[]), 0);
        for n in 1..300 {
            let t: Vec<i64> = (0..n as i64).collect();
            assert_eq!(tree_levels(&t).len() - 1, levels_for(n) as usize);
        }
    }

    #[test]
    fn registers() {
        assert_eq!(register_levels(6, 2), vec![2, 4, 6]);
        assert_eq!(register_levels(5, 2), vec![2, 4, 5]);
        assert_eq!(register_levels(0, 2), Vec::<u32>::new());
        assert_eq!(register_levels(3, 16), vec![3]);
    }
}
