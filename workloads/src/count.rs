//! Checked counts and sizes: the one type in which multiply-accumulates,
//! elements, bytes, bits and cycles derived from user dimensions are
//! computed. Arithmetic on a [`Count`] never wraps: a result past
//! `u64::MAX` is remembered as overflowed and turned into an [`Overflow`]
//! error that names the operator and the quantity when the value is read.

use std::fmt;
use std::ops::{Add, Mul};

/// A quantity of an operator (or of a whole run) that does not fit in 64
/// bits: which operator, and what quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "operator `{op}`: {quantity} exceed 2^64 - 1 (18446744073709551615); make the operator smaller"
)]
pub struct Overflow {
    /// The operator whose quantity overflowed (the first one, for a total).
    pub op: String,
    /// What overflowed, e.g. "multiply-accumulates" or "the run's DRAM read bytes".
    pub quantity: String,
}

/// A u64 count whose arithmetic is checked: once a step overflows, every
/// later step stays overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(Option<u64>);

impl Count {
    /// An exact count.
    pub fn new(v: u64) -> Count {
        Count(Some(v))
    }

    /// A count known to have overflowed.
    pub const OVERFLOW: Count = Count(None);

    /// The value, or `None` after an overflow.
    pub fn value(self) -> Option<u64> {
        self.0
    }

    /// The value, or an [`Overflow`] naming `op` and `quantity`.
    pub fn get(self, op: &str, quantity: &str) -> Result<u64, Overflow> {
        self.0.ok_or_else(|| Overflow {
            op: op.to_string(),
            quantity: quantity.to_string(),
        })
    }

    /// From a u128 (overflowed when it does not fit in 64 bits).
    pub fn from_wide(v: u128) -> Count {
        Count(u64::try_from(v).ok())
    }

    /// `ceil(self / d)`; `d` must be positive (a zero divisor overflows).
    pub fn div_ceil(self, d: u64) -> Count {
        match (self.0, d) {
            (Some(v), 1..) => Count(Some(v.div_ceil(d))),
            _ => Count::OVERFLOW,
        }
    }
}

impl From<u64> for Count {
    fn from(v: u64) -> Count {
        Count::new(v)
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("more than 2^64 - 1"),
        }
    }
}

impl<T: Into<Count>> Mul<T> for Count {
    type Output = Count;
    fn mul(self, rhs: T) -> Count {
        let rhs = rhs.into();
        match (self.0, rhs.0) {
            (Some(a), Some(b)) => Count(a.checked_mul(b)),
            _ => Count::OVERFLOW,
        }
    }
}

impl<T: Into<Count>> Add<T> for Count {
    type Output = Count;
    fn add(self, rhs: T) -> Count {
        let rhs = rhs.into();
        match (self.0, rhs.0) {
            (Some(a), Some(b)) => Count(a.checked_add(b)),
            _ => Count::OVERFLOW,
        }
    }
}

impl std::iter::Sum for Count {
    fn sum<I: Iterator<Item = Count>>(iter: I) -> Count {
        iter.fold(Count::new(0), |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_past_2_64_overflow_and_stay_overflowed() {
        let c = Count::new(1 << 24) * (1u64 << 24);
        assert_eq!(c.value(), Some(1 << 48));
        // 2^48 * 2^15 fits; 2^48 * 2^16 = 2^64 does not
        assert_eq!((c * (1u64 << 15)).value(), Some(1 << 63));
        assert_eq!((c * (1u64 << 16)).value(), None);
        // a GEMM of M = N = K = 2^24: 2^72 multiply-accumulates
        let big = c * (1u64 << 24);
        assert_eq!(big.value(), None);
        assert_eq!((big + 1).value(), None);
        let e = big.get("fc1", "multiply-accumulates").unwrap_err();
        assert_eq!(e.op, "fc1");
        assert!(e
            .to_string()
            .contains("operator `fc1`: multiply-accumulates exceed 2^64 - 1"));
    }

    #[test]
    fn sums_are_exact_or_overflow() {
        let half = 1u64 << 63;
        assert_eq!((Count::new(half - 1) + half).value(), Some(u64::MAX));
        assert_eq!((Count::new(half) + half).value(), None);
        let s: Count = [1u64, 2, 3].into_iter().map(Count::new).sum();
        assert_eq!(s.value(), Some(6));
        assert_eq!(Count::from_wide(1u128 << 64).value(), None);
        assert_eq!(Count::new(10).div_ceil(3).value(), Some(4));
        assert_eq!(Count::new(10).div_ceil(0).value(), None);
    }
}
