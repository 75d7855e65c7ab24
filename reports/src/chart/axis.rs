//! Axes: linear and logarithmic ranges with ticks, and the coordinate
//! that draws them.

use super::*;

/// One axis: its range (in log10 units when `log`), ticks and title.
#[derive(Debug, Clone)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) log: bool,
    pub(super) ticks: Vec<f64>,
    pub(super) light: Vec<f64>,
    pub(super) desc: String,
}

pub(super) fn nice_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let k = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * p
}

impl Axis {
    /// A linear axis from `lo` to at least `hi` (rounded up to a tick).
    pub(super) fn linear(lo: f64, hi: f64, desc: &str) -> Axis {
        let hi = if hi <= lo { lo + 1.0 } else { hi };
        let step = nice_step(hi - lo, 5.0);
        let hi = (hi / step).ceil() * step;
        let mut ticks = Vec::new();
        let mut t = (lo / step).ceil() * step;
        while t <= hi + step * 1e-9 {
            ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
            t += step;
        }
        Axis {
            lo,
            hi,
            log: false,
            ticks,
            light: Vec::new(),
            desc: desc.to_string(),
        }
    }

    /// A logarithmic axis covering `lo..hi` (values, both > 0), widened to
    /// whole decades when it spans more than one.
    pub(super) fn log(lo: f64, hi: f64, desc: &str) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo / 2.0, lo * 2.0)
        };
        let (mut a, mut b) = (lo.log10(), hi.log10());
        if b - a >= 1.0 {
            a = a.floor();
            b = b.ceil();
        } else {
            // less than a decade: ticks at round values, placed logarithmically
            let lin = Axis::linear(lo, hi, desc);
            let step = lin
                .ticks
                .get(1)
                .zip(lin.ticks.first())
                .map_or(hi - lo, |(y, x)| y - x);
            let lo2 = (lo / step).floor() * step;
            let (lo2, extra) = if lo2 > 0.0 { (lo2, lo2) } else { (lo, -1.0) };
            let (a, b) = (lo2.log10(), lin.hi.log10());
            let mut ticks: Vec<f64> = lin
                .ticks
                .iter()
                .chain(std::iter::once(&extra))
                .filter(|t| **t > 0.0)
                .map(|t| t.log10())
                .filter(|t| *t >= a - 1e-12 && *t <= b + 1e-12)
                .collect();
            ticks.sort_by(f64::total_cmp);
            ticks.dedup();
            return Axis {
                lo: a,
                hi: b,
                log: true,
                ticks,
                light: Vec::new(),
                desc: desc.to_string(),
            };
        }
        let mut ticks = Vec::new();
        let mut light = Vec::new();
        for e in (a.floor() as i32)..=(b.ceil() as i32) {
            for m in 1..10 {
                let v = f64::from(m).log10() + f64::from(e);
                if v < a - 1e-9 || v > b + 1e-9 {
                    continue;
                }
                let major = m == 1 || (b - a < 2.0 && (m == 2 || m == 5));
                if major {
                    ticks.push(v);
                } else {
                    light.push(v);
                }
            }
        }
        Axis {
            lo: a,
            hi: b,
            log: true,
            ticks,
            light,
            desc: desc.to_string(),
        }
    }

    pub(super) fn coord(&self, v: f64) -> f64 {
        if self.log {
            v.max(1e-300).log10()
        } else {
            v
        }
    }

    pub(super) fn label(&self, t: f64) -> String {
        if self.log {
            fmt_axis(10f64.powf(t))
        } else {
            fmt_axis(t)
        }
    }

    pub(super) fn spec(&self) -> Ticked {
        Ticked {
            lo: self.lo,
            hi: self.hi,
            bold: self.ticks.clone(),
            light: self.light.clone(),
        }
    }
}

/// A linear f64 coordinate with the ticks (bold mesh lines) and light
/// mesh lines an [`Axis`] chose.
#[derive(Debug, Clone)]
pub(super) struct Ticked {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) bold: Vec<f64>,
    pub(super) light: Vec<f64>,
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let r = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * r + 1e-9).floor() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

pub(super) fn axis_for(values: impl Iterator<Item = f64> + Clone, log: bool, desc: &str) -> Axis {
    let pos = values
        .clone()
        .filter(|v| v.is_finite() && (!log || *v > 0.0));
    let lo = pos.clone().fold(f64::INFINITY, f64::min);
    let hi = pos.fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() {
        (lo, hi)
    } else {
        (1.0, 10.0)
    };
    if log && hi / lo >= 4.0 {
        Axis::log(lo / 1.3, hi * 1.3, desc)
    } else {
        let pad = ((hi - lo) * 0.06).max(hi.abs() * 0.02).max(1e-12);
        let lo = if lo >= 0.0 && lo - pad < 0.0 {
            0.0
        } else {
            lo - pad
        };
        let mut a = Axis::linear(lo, hi + pad, desc);
        // start at a tick at or below lo
        let step = a
            .ticks
            .get(1)
            .zip(a.ticks.first())
            .map(|(b, a)| b - a)
            .unwrap_or(1.0);
        a.lo = (lo / step).floor() * step;
        a.ticks = Axis::linear(a.lo, a.hi, desc).ticks;
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_has_decade_ticks() {
        let a = Axis::log(0.3, 2000.0, "x");
        assert_eq!(a.lo, -1.0);
        assert_eq!(a.hi, 4.0);
        assert_eq!(a.ticks, vec![-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(a.label(3.0), "1000");
        let l = Axis::linear(0.0, 47.0, "y");
        assert_eq!(l.ticks, vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
    }
}
