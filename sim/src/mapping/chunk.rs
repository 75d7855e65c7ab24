//! The events of one chunk on the lane array: what one lane does with
//! `width` activations and its `width` weights, and what the broadcast
//! activation path does once per chunk for all lanes.

use crate::activity::Activity;
use crate::arch::{activation_planes, Accelerator, ArrayTiming, Reduction};
use workloads::Precision;

/// Per-chunk event counts of a design.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkCost {
    /// Timing of the array.
    pub timing: ArrayTiming,
    /// Events of one lane reducing one chunk.
    pub per_lane: Activity,
    /// Events shared by all lanes for one chunk (the activation input register).
    pub per_chunk: Activity,
}

/// Bits needed for a signed value of magnitude up to `m`.
fn signed_bits(max_mag: u64) -> u32 {
    // smallest b with 2^(b-1) >= max_mag
    let mut b = 1;
    while (1u64 << (b - 1)) < max_mag {
        b += 1;
    }
    b
}

/// Widths of a pairwise reduction tree: for each level, (adds, output bits),
/// starting from `n` inputs of `bits` bits.
fn tree_levels(n: u64, bits: u32) -> Vec<(u64, u32)> {
    let mut v = Vec::new();
    let mut n = n;
    let mut b = bits;
    while n > 1 {
        b += 1;
        v.push((n / 2, b));
        n = n.div_ceil(2);
    }
    v
}

impl ChunkCost {
    /// The chunk cost of `arch`.
    pub fn of(arch: &Accelerator) -> ChunkCost {
        let arr = &arch.array;
        let timing = arch.timing();
        let width = u64::from(arr.width);
        let acc = arch.acc_bits();
        let a = arr.activations;
        let w = arr.weights;
        let a_bits = a.storage_bits().ceil() as u32;
        let w_bits = w.storage_bits().ceil() as u32;
        let mut lane = Activity {
            terms: width,
            ..Activity::default()
        };
        let mut shared = Activity::default();
        // input registers: broadcast activations once, each lane's weights
        shared.reg_bits += width * u64::from(a_bits);
        lane.reg_bits += width * u64::from(w_bits);
        match arr.reduction {
            Reduction::AdderTree => {
                // a select/negated int-B term needs B+1 bits (-(-2^(B-1)) = 2^(B-1))
                let term_bits = match w {
                    Precision::Binary01 => a_bits,
                    _ => a_bits + 1,
                };
                let levels = tree_levels(width, term_bits);
                let stage = arr.stage_levels.max(1) as usize;
                for (i, &(adds, bits)) in levels.iter().enumerate() {
                    *lane.adds.entry(bits).or_insert(0) += adds;
                    let level = i + 1;
                    if level % stage == 0 || level == levels.len() {
                        let values = width.div_ceil(1 << level);
                        lane.reg_bits += values * u64::from(bits);
                    }
                }
            }
            Reduction::Popcount => {
                let planes = u64::from(activation_planes(a));
                let pc_bits = signed_bits(width + 1);
                let per_plane_pc = match (w, a) {
                    (Precision::Binary01, _) => 1,
                    (Precision::Binary, Precision::Binary) => 1,
                    _ => 2,
                };
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
            Reduction::Mac => {
                let name = if a.is_float() {
                    a.name()
                } else {
                    format!("int{}", a_bits.max(w_bits))
                };
                *lane.mults.entry(name.clone()).or_insert(0) += width;
                if a.is_float() {
                    *lane.fp_adds.entry(name).or_insert(0) += width.saturating_sub(1);
                } else {
                    let prod_bits = a_bits + w_bits;
                    for (adds, bits) in tree_levels(width, prod_bits) {
                        *lane.adds.entry(bits).or_insert(0) += adds;
                    }
                }
                let prod_bits = if a.is_float() {
                    a_bits
                } else {
                    a_bits + w_bits
                };
                lane.reg_bits += width * u64::from(prod_bits);
            }
        }
        *lane.acc_updates.entry(acc).or_insert(0) += 1;
        lane.reg_bits += u64::from(acc);
        ChunkCost {
            timing,
            per_lane: lane,
            per_chunk: shared,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_of_five() {
        // 5 inputs: level 1 has 2 adds (one passes through), level 2 1 add, level 3 1 add
        assert_eq!(tree_levels(5, 9), vec![(2, 10), (1, 11), (1, 12)]);
        assert_eq!(tree_levels(1, 9), vec![]);
        let total: u64 = tree_levels(64, 9).iter().map(|l| l.0).sum();
        assert_eq!(total, 63);
        assert_eq!(signed_bits(65), 8);
        assert_eq!(signed_bits(64), 7);
    }
}
