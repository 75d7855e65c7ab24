//! Quantities derived from an accelerator description: accumulator width,
//! pipeline depth, latency and initiation interval of the lane array.
//!
//! These formulas define the tile's timing; the generated RTL implements
//! exactly them and is checked against them cycle for cycle.

use super::{Accelerator, ArrayConfig};
use workloads::Precision;

/// The smallest two's-complement width that holds every sum of `k`
/// products of an `a` value and a `w` value, or `None` when either
/// operand is floating point (accumulated in FP32).
pub fn acc_bits_for(k: u64, a: Precision, w: Precision) -> Option<u32> {
    let (alo, ahi) = a.int_range()?;
    let (wlo, whi) = w.int_range()?;
    let corners = [alo * wlo, alo * whi, ahi * wlo, ahi * whi];
    let pmin = i128::from(*corners.iter().min().expect("four corners"));
    let pmax = i128::from(*corners.iter().max().expect("four corners"));
    let k = i128::from(k.max(1));
    let (lo, hi) = (pmin.min(0) * k, pmax.max(0) * k);
    // smallest b with -2^(b-1) <= lo and hi <= 2^(b-1) - 1, i.e.
    // 2^(b-1) >= max(-lo, hi + 1)
    let need = (-lo).max(hi + 1).max(1) as u128;
    let b = 1 + (128 - (need - 1).leading_zeros());
    Some(b)
}

/// Timing of the lane array, from its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayTiming {
    /// Adder levels of the `width`-input reduction tree: ceil(log2(width)).
    pub tree_levels: u32,
    /// Pipeline registers between the input and the accumulator: the input
    /// register, one after every `stage_levels` tree levels (the last group
    /// ending in the tree's output register), and for `mac` one after the
    /// multipliers.
    pub pipeline_regs: u32,
    /// Cycles from accepting the last chunk of a reduction to `out_valid`:
    /// `pipeline_regs + initiation_interval` (the chunk's plane groups issue
    /// over `initiation_interval` cycles, the last one then crosses the
    /// pipeline, and the accumulate takes one cycle; for every datapath with
    /// an initiation interval of 1 this is `pipeline_regs + 1`).
    pub latency: u32,
    /// Cycles between accepted chunks: 1, or ceil(bits / planes_per_cycle)
    /// for the bit-serial popcount.
    pub initiation_interval: u32,
    /// Activation bit-planes the popcount reduction walks (1 for `mac` and
    /// the adder tree).
    pub planes: u32,
}

impl ArrayTiming {
    /// The timing of `array`: its datapath's
    /// ([`crate::datapath::ReductionModule::timing`]).
    pub fn of(array: &ArrayConfig) -> ArrayTiming {
        array.reduction.module().timing(array)
    }
}

/// Bit-planes of an activation format for the bit-serial popcount: the
/// integer width, 1 for ±1 and {0,1} activations.
pub fn activation_planes(a: Precision) -> u32 {
    match a {
        Precision::Int(b) => u32::from(b),
        Precision::Binary | Precision::Binary01 => 1,
        other => other.storage_bits().ceil() as u32,
    }
}

impl Accelerator {
    /// Accumulator width: the configured one, or the one derived for `max_k`.
    pub fn acc_bits(&self) -> u32 {
        let a = &self.array;
        a.acc_bits
            .or_else(|| acc_bits_for(a.max_k, a.activations, a.weights))
            .unwrap_or(32)
    }

    /// Timing of the lane array.
    pub fn timing(&self) -> ArrayTiming {
        ArrayTiming::of(&self.array)
    }

    /// Clock cycles per nanosecond (the clock in GHz).
    pub fn cycles_per_ns(&self) -> f64 {
        self.clock_ghz
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulator_widths() {
        // 2560 terms of int8 x ternary: range [-327680, 327680] -> 20 bits.
        assert_eq!(
            acc_bits_for(2560, Precision::INT8, Precision::Ternary),
            Some(20)
        );
        // one term: (-128) x (-1) = +128, so [-128, 128] -> 9 bits
        assert_eq!(
            acc_bits_for(1, Precision::INT8, Precision::Ternary),
            Some(9)
        );
        // two terms: [-256, 256] -> 10 bits
        assert_eq!(
            acc_bits_for(2, Precision::INT8, Precision::Ternary),
            Some(10)
        );
        // XNOR-popcount of 64 ±1 terms: [-64, 64] -> 8 bits
        assert_eq!(
            acc_bits_for(64, Precision::Binary, Precision::Binary),
            Some(8)
        );
        // AND of {0,1} x {0,1}: [0, 64] -> 8 bits
        assert_eq!(
            acc_bits_for(64, Precision::Binary01, Precision::Binary01),
            Some(8)
        );
        // int8 x int8, 4096 terms: 16384 * 4096 = 2^26 -> 28 bits
        assert_eq!(
            acc_bits_for(4096, Precision::INT8, Precision::INT8),
            Some(28)
        );
        assert_eq!(acc_bits_for(10, Precision::Fp16, Precision::Fp16), None);
    }

    #[test]
    fn accumulator_width_is_the_smallest_that_fits() {
        let precs = [
            Precision::Int(2),
            Precision::INT4,
            Precision::INT8,
            Precision::Ternary,
            Precision::Binary,
            Precision::Binary01,
        ];
        for a in precs {
            for w in precs {
                for k in [1u64, 2, 3, 7, 64, 100, 2560, 6912, 32768, 1 << 20] {
                    let b = acc_bits_for(k, a, w).unwrap();
                    let (alo, ahi) = a.int_range().unwrap();
                    let (wlo, whi) = w.int_range().unwrap();
                    let c = [alo * wlo, alo * whi, ahi * wlo, ahi * whi];
                    let lo = i128::from(*c.iter().min().unwrap()).min(0) * i128::from(k);
                    let hi = i128::from(*c.iter().max().unwrap()).max(0) * i128::from(k);
                    let fits = |b: u32| -(1i128 << (b - 1)) <= lo && hi < (1i128 << (b - 1));
                    assert!(fits(b), "{a} {w} {k}: {b}");
                    assert!(
                        b == 1 || !fits(b - 1),
                        "{a} {w} {k}: {b} is not the smallest"
                    );
                }
            }
        }
    }
}
