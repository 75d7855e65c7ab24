//! Number formats of weights and activations: the BitNet encodings (ternary,
//! binary ±1, binary {0,1}) and the integer and floating-point baselines.
//!
//! One enum serves every operand in the system: trace operators name their
//! operand precisions with it, the accelerator description names its weight
//! encoding and activation width with it, and memory footprints are computed
//! from [`Precision::storage_bits`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A number format, as stored in memory and as seen by the datapath.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Precision {
    /// BitNet b1.58 weights in {-1, 0, +1}, stored as 2 bits each
    /// (2'b01 = +1, 2'b11 = -1, 2'b00 = 0).
    Ternary,
    /// Ternary weights packed 5 trits per byte (3^5 = 243 <= 256): 1.6 bits each.
    TernaryPacked,
    /// BitNet (2023) weights in {-1, +1}, 1 bit each (1 = +1, 0 = -1).
    Binary,
    /// Weights in {0, 1}, 1 bit each: AND-popcount instead of XNOR-popcount.
    Binary01,
    /// Two's-complement integer of the given width (1..=32 bits).
    Int(u8),
    /// 8-bit floating point, E4M3 (OCP FP8; the KV-cache format of
    /// FP8 inference stacks).
    Fp8,
    /// IEEE 754 half precision.
    Fp16,
    /// bfloat16.
    Bf16,
    /// IEEE 754 single precision.
    Fp32,
}

/// The precision names accepted by [`Precision::from_str`], for error messages.
pub const PRECISION_NAMES: &str =
    "ternary, ternary-packed, binary, binary01, int1..int32, fp8, fp16, bf16, fp32";

/// A precision name that is not one of [`PRECISION_NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown precision `{0}` (expected one of: {PRECISION_NAMES})")]
pub struct UnknownPrecision(pub String);

impl Precision {
    /// INT8, the activation precision of BitNet and BitNet b1.58.
    pub const INT8: Precision = Precision::Int(8);
    /// INT4, a weight-only quantization baseline.
    pub const INT4: Precision = Precision::Int(4);
    /// INT32, the usual accumulator precision.
    pub const INT32: Precision = Precision::Int(32);

    /// Bits one value occupies in memory (1.6 for packed ternary).
    pub fn storage_bits(self) -> f64 {
        match self {
            Precision::Ternary => 2.0,
            Precision::TernaryPacked => 1.6,
            Precision::Binary | Precision::Binary01 => 1.0,
            Precision::Int(b) => f64::from(b),
            Precision::Fp8 => 8.0,
            Precision::Fp16 | Precision::Bf16 => 16.0,
            Precision::Fp32 => 32.0,
        }
    }

    /// Bytes that `count` values occupy, rounded up to whole bytes.
    /// Packed ternary rounds up to whole groups of five. For counts whose
    /// size exceeds 2^64 - 1 bytes it saturates: sizes derived from user
    /// dimensions go through [`Precision::checked_bytes_for`] (or a
    /// [`crate::Count`]) instead.
    pub fn bytes_for(self, count: u64) -> u64 {
        self.checked_bytes_for(count).unwrap_or(u64::MAX)
    }

    /// Bytes that `count` values occupy, exactly; `None` past 2^64 - 1.
    pub fn checked_bytes_for(self, count: u64) -> Option<u64> {
        match self {
            Precision::TernaryPacked => Some(count.div_ceil(5)),
            Precision::Ternary => Some(count.div_ceil(4)),
            Precision::Binary | Precision::Binary01 => Some(count.div_ceil(8)),
            Precision::Int(b) => {
                u64::try_from((u128::from(count) * u128::from(b)).div_ceil(8)).ok()
            }
            Precision::Fp8 => Some(count),
            Precision::Fp16 | Precision::Bf16 => count.checked_mul(2),
            Precision::Fp32 => count.checked_mul(4),
        }
    }

    /// Bytes that a checked count of values occupies.
    pub fn bytes_of(self, count: crate::Count) -> crate::Count {
        match count.value() {
            Some(c) => self
                .checked_bytes_for(c)
                .map_or(crate::Count::OVERFLOW, crate::Count::new),
            None => crate::Count::OVERFLOW,
        }
    }

    /// True for the 1- and 1.58-bit weight encodings, whose products need no multiplier.
    pub fn is_low_bit_weight(self) -> bool {
        matches!(
            self,
            Precision::Ternary | Precision::TernaryPacked | Precision::Binary | Precision::Binary01
        )
    }

    /// True for the floating-point formats.
    pub fn is_float(self) -> bool {
        matches!(
            self,
            Precision::Fp8 | Precision::Fp16 | Precision::Bf16 | Precision::Fp32
        )
    }

    /// The smallest and largest integer value of this format, for the
    /// integer and low-bit formats (`None` for floating point).
    pub fn int_range(self) -> Option<(i64, i64)> {
        match self {
            Precision::Ternary | Precision::TernaryPacked => Some((-1, 1)),
            Precision::Binary => Some((-1, 1)),
            Precision::Binary01 => Some((0, 1)),
            Precision::Int(1) => Some((-1, 0)),
            Precision::Int(b) => Some((-(1i64 << (b - 1)), (1i64 << (b - 1)) - 1)),
            _ => None,
        }
    }

    /// The largest magnitude a value of this format can have, as an integer
    /// (used to size accumulators). `None` for floating point.
    pub fn max_magnitude(self) -> Option<u64> {
        self.int_range()
            .map(|(lo, hi)| lo.unsigned_abs().max(hi.unsigned_abs()))
    }

    /// The fraction of weights that are zero when nothing else is known:
    /// for ternary, absmean quantization (BitNet b1.58, eq. 1-3) of
    /// Gaussian latent weights rounds |w| < mean|w|/2 to zero, i.e.
    /// P(|z| < sqrt(2/pi)/2) = erf(1/(2*sqrt(pi))) = 0.3101 for z ~ N(0,1);
    /// for {0,1} weights, half the weights (the sign of a zero-mean weight);
    /// for every other format, 0.
    pub fn default_zero_fraction(self) -> f64 {
        match self {
            Precision::Ternary | Precision::TernaryPacked => {
                libm::erf(1.0 / (2.0 * std::f64::consts::PI.sqrt()))
            }
            Precision::Binary01 => 0.5,
            _ => 0.0,
        }
    }

    /// The canonical name, as written in traces and TOML files.
    pub fn name(self) -> String {
        match self {
            Precision::Ternary => "ternary".into(),
            Precision::TernaryPacked => "ternary-packed".into(),
            Precision::Binary => "binary".into(),
            Precision::Binary01 => "binary01".into(),
            Precision::Int(b) => format!("int{b}"),
            Precision::Fp8 => "fp8".into(),
            Precision::Fp16 => "fp16".into(),
            Precision::Bf16 => "bf16".into(),
            Precision::Fp32 => "fp32".into(),
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Precision {
    type Err = UnknownPrecision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "ternary" => Precision::Ternary,
            "ternary-packed" => Precision::TernaryPacked,
            "binary" => Precision::Binary,
            "binary01" => Precision::Binary01,
            "fp8" => Precision::Fp8,
            "fp16" => Precision::Fp16,
            "bf16" => Precision::Bf16,
            "fp32" => Precision::Fp32,
            _ => {
                let bits = s
                    .strip_prefix("int")
                    .filter(|d| {
                        !d.is_empty() && d.len() <= 2 && d.bytes().all(|c| c.is_ascii_digit())
                    })
                    .and_then(|d| d.parse::<u8>().ok())
                    .filter(|b| (1..=32).contains(b));
                match bits {
                    Some(b) => Precision::Int(b),
                    None => return Err(UnknownPrecision(s.to_string())),
                }
            }
        })
    }
}

impl TryFrom<String> for Precision {
    type Error = UnknownPrecision;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Precision> for String {
    fn from(p: Precision) -> String {
        p.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in [
            Precision::Ternary,
            Precision::TernaryPacked,
            Precision::Binary,
            Precision::Binary01,
            Precision::Int(1),
            Precision::INT4,
            Precision::INT8,
            Precision::INT32,
            Precision::Fp8,
            Precision::Fp16,
            Precision::Bf16,
            Precision::Fp32,
        ] {
            assert_eq!(p.name().parse::<Precision>().unwrap(), p);
        }
        assert!("int0".parse::<Precision>().is_err());
        assert!("int33".parse::<Precision>().is_err());
        assert!("int+8".parse::<Precision>().is_err());
        assert!("INT8".parse::<Precision>().is_err());
    }

    #[test]
    fn storage_sizes() {
        assert_eq!(Precision::TernaryPacked.bytes_for(5), 1);
        assert_eq!(Precision::TernaryPacked.bytes_for(6), 2);
        assert_eq!(Precision::Ternary.bytes_for(9), 3);
        assert_eq!(Precision::Binary.bytes_for(9), 2);
        assert_eq!(Precision::INT4.bytes_for(3), 2);
        assert_eq!(Precision::Fp16.bytes_for(3), 6);
    }

    #[test]
    fn ranges() {
        assert_eq!(Precision::INT8.int_range(), Some((-128, 127)));
        assert_eq!(Precision::INT8.max_magnitude(), Some(128));
        assert_eq!(Precision::Int(1).int_range(), Some((-1, 0)));
        assert_eq!(Precision::Ternary.max_magnitude(), Some(1));
        assert_eq!(Precision::Fp16.int_range(), None);
    }

    #[test]
    fn ternary_zero_share_of_gaussian_weights() {
        // P(|z| < 0.3989) for z ~ N(0,1) = 2*Phi(0.3989) - 1 = 0.3101 (normal table).
        let z = Precision::Ternary.default_zero_fraction();
        assert!((z - 0.3101).abs() < 1e-4, "{z}");
    }
}
