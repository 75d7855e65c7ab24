//! Exact rates: a number of bytes per number of cycles kept as a fraction
//! of two integers, built from the decimal values a design states (GB/s,
//! GHz, ns) without rounding.
//!
//! A design's floating-point key is read as the shortest decimal that
//! denotes it (what the file says: `51.2`, `1e-6`), so `51.2 GB/s / 0.8 GHz`
//! is exactly 64 bytes a cycle. Products that may need more than 128 bits
//! (bytes x denominator) are formed in 256 bits.

/// A finite, non-negative `f64` as `digits * 10^exp`, from the shortest
/// decimal that reads back to it.
pub fn decimal(v: f64) -> Option<(u128, i32)> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let s = format!("{v:e}");
    let (mantissa, exp) = s.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: u128 = format!("{int}{frac}").parse().ok()?;
    Some((digits, exp - i32::try_from(frac.len()).ok()?))
}

/// `10^e` for `e` up to 38.
fn pow10(e: u32) -> Option<u128> {
    10u128.checked_pow(e)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `a * b` as (high, low) 128-bit halves.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    let mask = u128::from(u64::MAX);
    let (a1, a0) = (a >> 64, a & mask);
    let (b1, b0) = (b >> 64, b & mask);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & mask) + (p10 & mask);
    let lo = (p00 & mask) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// `ceil((hi * 2^128 + lo) / d)`, or `None` when it does not fit in 128 bits
/// (or `d` is 0 or above 2^127).
fn div_ceil_wide(hi: u128, lo: u128, d: u128) -> Option<u128> {
    if d == 0 || d > 1 << 127 {
        return None;
    }
    if hi == 0 {
        return Some(lo.div_ceil(d));
    }
    if hi >= d {
        return None;
    }
    // long division, one bit at a time: the remainder stays below d <= 2^127
    let mut rem = hi;
    let mut q: u128 = 0;
    for i in (0..128).rev() {
        rem = (rem << 1) | ((lo >> i) & 1);
        q <<= 1;
        if rem >= d {
            rem -= d;
            q |= 1;
        }
    }
    Some(if rem > 0 { q.checked_add(1)? } else { q })
}

/// An exact rate in bytes per cycle, `num / den`, in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Numerator (bytes).
    pub num: u128,
    /// Denominator (cycles).
    pub den: u128,
}

impl Rate {
    /// `num / den` in lowest terms; `None` when either is 0.
    pub fn new(num: u128, den: u128) -> Option<Rate> {
        if num == 0 || den == 0 {
            return None;
        }
        let g = gcd(num, den);
        Some(Rate {
            num: num / g,
            den: den / g,
        })
    }

    /// `a / b` for two decimal values (e.g. GB/s over GHz): exact, or
    /// `None` when either is not positive or the fraction needs more than
    /// 127 bits (values outside the documented ranges).
    pub fn ratio(a: f64, b: f64) -> Option<Rate> {
        let (da, ea) = decimal(a)?;
        let (db, eb) = decimal(b)?;
        let shift = ea - eb;
        let (num, den) = if shift >= 0 {
            (da.checked_mul(pow10(shift.unsigned_abs())?)?, db)
        } else {
            (da, db.checked_mul(pow10(shift.unsigned_abs())?)?)
        };
        let r = Rate::new(num, den)?;
        (r.num <= 1 << 127 && r.den <= 1 << 127).then_some(r)
    }

    /// Cycles to move `bytes` at this rate, rounded up; `u64::MAX` when the
    /// count does not fit (runs are bounded before the engine starts).
    pub fn cycles_for(self, bytes: u64) -> u64 {
        let (hi, lo) = wide_mul(u128::from(bytes), self.den);
        div_ceil_wide(hi, lo, self.num)
            .and_then(|c| u64::try_from(c).ok())
            .unwrap_or(u64::MAX)
    }

    /// The rate as a float, for reports.
    pub fn bytes_per_cycle(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// True when `self` is below `other`.
    pub fn less_than(self, other: Rate) -> bool {
        // a/b < c/d  <=>  a*d < c*b
        wide_mul(self.num, other.den) < wide_mul(other.num, self.den)
    }

    /// The lesser of two rates.
    pub fn min(self, other: Rate) -> Rate {
        if other.less_than(self) {
            other
        } else {
            self
        }
    }
}

/// `ceil(a * b)` for two decimal values (e.g. ns times GHz), exactly;
/// `None` when it does not fit in 64 bits.
pub fn product_ceil(a: f64, b: f64) -> Option<u64> {
    let (da, ea) = decimal(a)?;
    let (db, eb) = decimal(b)?;
    let digits = da.checked_mul(db)?;
    let e = ea + eb;
    let v = if e >= 0 {
        digits.checked_mul(pow10(e.unsigned_abs())?)?
    } else {
        match pow10(e.unsigned_abs()) {
            Some(p) => digits.div_ceil(p),
            // 10^e above 2^128: the product is below 1
            None => u128::from(digits > 0),
        }
    };
    u64::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_what_the_file_says() {
        assert_eq!(decimal(51.2), Some((512, -1)));
        assert_eq!(decimal(1e-6), Some((1, -6)));
        assert_eq!(decimal(100.0), Some((1, 2)));
        assert_eq!(decimal(0.0), Some((0, 0)));
        assert_eq!(decimal(-1.0), None);
        assert_eq!(decimal(f64::NAN), None);
    }

    #[test]
    fn rates_are_exact() {
        // 51.2 GB/s at 0.8 GHz: exactly 64 bytes a cycle
        let r = Rate::ratio(51.2, 0.8).unwrap();
        assert_eq!((r.num, r.den), (64, 1));
        assert_eq!(r.cycles_for(64), 1);
        assert_eq!(r.cycles_for(65), 2);
        let r = Rate::ratio(51.2, 1.0).unwrap();
        assert_eq!((r.num, r.den), (256, 5));
        assert_eq!(r.cycles_for(512), 10);
        assert_eq!(r.cycles_for(513), 11);
        assert_eq!(r.cycles_for(0), 0);
        // 1e-6, 1e-4 and 1e-3 GB/s are three different rates
        let c: Vec<u64> = [1e-6, 1e-4, 1e-3]
            .iter()
            .map(|&bw| Rate::ratio(bw, 1.0).unwrap().cycles_for(1000))
            .collect();
        assert_eq!(c, vec![1_000_000_000, 10_000_000, 1_000_000]);
        let a = Rate::new(50, 1).unwrap();
        assert_eq!(r.min(a), a);
        assert!(a.less_than(r) && !r.less_than(a));
    }

    #[test]
    fn wide_products_divide_exactly() {
        // bytes x den past 2^128: (2^64 - 1) x 10^23 / 3 x 10^22
        let r = Rate::new(3 * 10u128.pow(22), 10u128.pow(23)).unwrap();
        assert_eq!((r.num, r.den), (3, 10));
        let r = Rate {
            num: 3 * 10u128.pow(22) + 1,
            den: 10u128.pow(23),
        };
        let bytes = 1u64 << 40;
        let exact = (u128::from(bytes) * r.den).div_ceil(r.num);
        assert_eq!(u128::from(r.cycles_for(bytes)), exact);
        let (hi, lo) = wide_mul(u128::MAX, u128::MAX);
        assert_eq!((hi, lo), (u128::MAX - 1, 1));
        // 2^128 / 3, rounded up
        assert_eq!(div_ceil_wide(1, 0, 3), Some(u128::MAX / 3 + 1));
        assert_eq!(r.cycles_for(u64::MAX), u64::MAX);
    }

    #[test]
    fn latencies_are_exact() {
        // 10 ns at 0.3 GHz is 3 cycles (the float product is 3.0000000000000004)
        assert_eq!(product_ceil(10.0, 0.3), Some(3));
        assert_eq!(product_ceil(100.0, 1.0), Some(100));
        assert_eq!(product_ceil(0.5, 1.0), Some(1));
        assert_eq!(product_ceil(0.0, 1.0), Some(0));
    }
}
