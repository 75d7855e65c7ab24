//! The multiply-accumulate baseline reduction: `width` multipliers (weight x
//! activation, both two's complement integers) into a `width`-input adder
//! tree (the same pairwise tree as [`super::adder_tree`]), then the
//! accumulator. Floating-point MAC arrays are not modelled bit-exactly.

use super::adder_tree::tree_levels;
use super::BitExactError;

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
