//! The multiply-accumulate baseline reduction: `width` multipliers (weight x
//! activation, both two's complement integers) into a `width`-input adder
//! tree (the same pairwise tree as [`super::adder_tree`]), then the
//! accumulator. Floating-point MAC arrays are not modelled bit-exactly.

use super::adder_tree::tree_levels;
use super::{
    is_int_between, tree_adds, tree_timing, LaneTrace, ReductionModule, SelectGate, SelectStage,
};
use crate::activity::Activity;
use crate::arch::{Accelerator, ArrayConfig, ArrayTiming};
use crate::bitexact::BitExactError;
use crate::bitexact::Datapath;
use workloads::Precision;

/// One lane's chunk through the MAC datapath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacTrace {
    /// The multipliers' outputs.
    pub products: Vec<i64>,
    /// The adder tree's levels (level 0 = the products, last = `[sum]`).
    pub levels: Vec<Vec<i64>>,
    /// The chunk's sum.
    pub sum: i64,
}

/// One lane's chunk: products, tree levels and sum.
pub fn lane_chunk(ws: &[i64], xs: &[i64]) -> Result<MacTrace, BitExactError> {
    if ws.len() != xs.len() {
        return Err(BitExactError::Shape {
            what: "lane weights",
            expected: xs.len(),
            got: ws.len(),
        });
    }
    let products: Vec<i64> = ws.iter().zip(xs).map(|(w, x)| w * x).collect();
    let levels = tree_levels(&products);
    let sum = levels.last().and_then(|l| l.first()).copied().unwrap_or(0);
    Ok(MacTrace {
        products,
        levels,
        sum,
    })
}

/// Bits of a product of a `wb`-bit and an `ab`-bit two's-complement number.
pub fn product_bits(wb: u32, ab: u32) -> u32 {
    wb + ab
}

/// The multiply-accumulate datapath's module.
#[derive(Debug, Clone, Copy)]
pub struct Mac;

impl ReductionModule for Mac {
    fn name(&self) -> &'static str {
        "mac"
    }
    fn area_class(&self, a: &ArrayConfig) -> &'static str {
        if a.activations.is_float() {
            "mac-float"
        } else {
            "mac-int"
        }
    }
    fn allowed_activations(&self) -> &'static str {
        "int4..int8, fp16, bf16"
    }
    fn accepts_activations(&self, p: Precision) -> bool {
        is_int_between(p, 4, 8) || matches!(p, Precision::Fp16 | Precision::Bf16)
    }
    fn allowed_weights(&self) -> &'static str {
        "int4, int8, fp16, bf16"
    }
    fn accepts_weights(&self, p: Precision) -> bool {
        matches!(
            p,
            Precision::Int(4) | Precision::Int(8) | Precision::Fp16 | Precision::Bf16
        )
    }
    fn multiplies(&self) -> bool {
        true
    }
    fn runs(&self, arr: &ArrayConfig, a: Precision, w: Precision) -> bool {
        let int_bits = |p: Precision| match p {
            Precision::Int(b) => Some(b),
            _ => None,
        };
        if arr.activations.is_float() {
            // a floating-point MAC array runs any integer or float operands
            // of at most its width
            a.storage_bits() <= arr.activations.storage_bits()
                && (w.is_low_bit_weight() || w.storage_bits() <= arr.weights.storage_bits())
        } else {
            let a_ok =
                matches!((int_bits(a), int_bits(arr.activations)), (Some(x), Some(y)) if x <= y);
            let w_ok = w.is_low_bit_weight()
                || matches!((int_bits(w), int_bits(arr.weights)), (Some(x), Some(y)) if x <= y);
            a_ok && w_ok
        }
    }
    fn timing(&self, a: &ArrayConfig) -> ArrayTiming {
        // the multipliers' output register
        tree_timing(a, a.width, 1, 1, 1)
    }
    fn chunk_events(
        &self,
        arch: &Accelerator,
        _timing: &ArrayTiming,
        lane: &mut Activity,
        _shared: &mut Activity,
    ) {
        let arr = &arch.array;
        let a = arr.activations;
        let width = u64::from(arr.width);
        let a_bits = a.storage_bits().ceil() as u32;
        let w_bits = arr.weights.storage_bits().ceil() as u32;
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
            for (adds, bits) in tree_adds(width, prod_bits) {
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
    fn select(&self, _a: &ArrayConfig, _t: &ArrayTiming) -> SelectStage {
        SelectStage {
            bits_per_term: 0.0,
            gates_per_term: 0.0,
            gate: SelectGate::And,
        }
    }
    fn paper_adds(&self, act: &Activity) -> u64 {
        act.adds.values().sum::<u64>()
            + act.acc_updates.values().sum::<u64>()
            + act.fp_adds.values().sum::<u64>()
    }
    fn lane_chunk(
        &self,
        _dp: &Datapath,
        ws: &[i64],
        act: &[i64],
    ) -> Result<LaneTrace, BitExactError> {
        Ok(LaneTrace::Mac(lane_chunk(ws, act)?))
    }
}
