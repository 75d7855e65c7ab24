//! The storage format of the KV cache: the precision each cached element is
//! stored in and, for the integer formats, the per-group scales stored
//! beside them.
//!
//! Integer KV caches (INT8, INT4) are quantized per token and head in
//! groups of `group` consecutive elements of the head dimension, each group
//! with one FP16 scale (2 bytes), as KIVI (arXiv 2402.02750) and the INT8/
//! INT4 KV caches of serving stacks store them. FP8 (E4M3) and the 16-bit
//! formats carry no per-group scale (a per-tensor scale, a few bytes per
//! layer, is not counted).

use crate::precision::Precision;
use serde::{Deserialize, Serialize};

/// Bytes of one per-group scale (FP16).
pub const KV_SCALE_BYTES: u64 = 2;

/// The precisions a KV cache may be stored in, for error messages.
pub const KV_PRECISION_NAMES: &str = "fp16, bf16, fp8, int8, int4";

/// How the KV cache is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KvFormat {
    /// Precision of a cached element.
    pub precision: Precision,
    /// Elements of the head dimension sharing one scale (integer formats).
    pub group: u64,
}

impl KvFormat {
    /// A cache in `precision` with one scale per `group` elements.
    pub fn new(precision: Precision, group: u64) -> KvFormat {
        KvFormat { precision, group }
    }

    /// True when `p` is one of [`KV_PRECISION_NAMES`].
    pub fn supports(p: Precision) -> bool {
        matches!(
            p,
            Precision::Fp16
                | Precision::Bf16
                | Precision::Fp8
                | Precision::Int(8)
                | Precision::Int(4)
        )
    }

    /// True when the format stores per-group scales.
    pub fn has_scales(&self) -> bool {
        matches!(self.precision, Precision::Int(_))
    }

    /// Bytes of `rows` cached vectors of `dim` elements (one token of one
    /// head each): the elements, plus one scale per group for integer
    /// formats.
    pub fn bytes(&self, rows: u64, dim: u64) -> u64 {
        let per_row = self.precision.bytes_for(dim)
            + if self.has_scales() {
                dim.div_ceil(self.group.max(1)) * KV_SCALE_BYTES
            } else {
                0
            };
        rows * per_row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_with_scales_by_hand() {
        // one token of one 128-wide head
        let f = |p, g| KvFormat::new(p, g).bytes(1, 128);
        assert_eq!(f(Precision::Fp16, 64), 256);
        assert_eq!(f(Precision::Fp8, 64), 128);
        // int8: 128 bytes + 2 groups x 2 bytes
        assert_eq!(f(Precision::INT8, 64), 132);
        // int4: 64 bytes + 4 groups of 32 x 2 bytes
        assert_eq!(f(Precision::INT4, 32), 72);
        // a group that does not divide the row still needs its scale
        assert_eq!(f(Precision::INT4, 96), 64 + 4);
        assert_eq!(KvFormat::new(Precision::INT8, 64).bytes(10, 128), 1320);
    }
}
