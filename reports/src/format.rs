//! Numbers as people read them: a unit chosen for the magnitude, three
//! significant digits, percentages. Used by the tables, pages and plot
//! axes, so that a figure reads the same everywhere.

/// A unit and the factor that converts a base-unit value into it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Base units per displayed unit (e.g. 1e9 for mJ when values are pJ).
    pub factor: f64,
    /// The unit's symbol.
    pub unit: &'static str,
}

impl Scale {
    /// `v` in this unit.
    pub fn of(&self, v: f64) -> f64 {
        v / self.factor
    }

    /// `v` in this unit with three significant digits and the symbol.
    pub fn show(&self, v: f64) -> String {
        format!("{} {}", sig3(self.of(v)), self.unit)
    }
}

fn pick(max: f64, units: &[(f64, &'static str)]) -> Scale {
    let m = max.abs();
    let mut best = units[0];
    for &u in units {
        if m >= u.0 * 0.9995 {
            best = u;
        }
    }
    Scale {
        factor: best.0,
        unit: best.1,
    }
}

/// An energy unit for values in pJ whose largest is `max_pj`.
pub fn energy_scale(max_pj: f64) -> Scale {
    pick(
        max_pj,
        &[
            (1.0, "pJ"),
            (1e3, "nJ"),
            (1e6, "µJ"),
            (1e9, "mJ"),
            (1e12, "J"),
        ],
    )
}

/// A time unit for values in seconds whose largest is `max_s`.
pub fn time_scale(max_s: f64) -> Scale {
    pick(
        max_s,
        &[(1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1.0, "s")],
    )
}

/// An energy in pJ, in the unit that suits it ("55.5 mJ").
pub fn energy(pj: f64) -> String {
    if pj == 0.0 {
        return "0 J".into();
    }
    energy_scale(pj).show(pj)
}

/// A duration in seconds, in the unit that suits it ("4.06 s", "27.1 ms").
pub fn time(s: f64) -> String {
    if s == 0.0 {
        return "0 s".into();
    }
    time_scale(s).show(s)
}

/// Three significant digits, no exponent for everyday magnitudes
/// (0.00123 .. 999000), `1.23e-5` style beyond.
pub fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            format!("{v}")
        };
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{v:.2e}");
    }
    let digits = a.log10().floor() as i32;
    let decimals = (2 - digits).max(0) as usize;
    format!("{v:.decimals$}")
}

/// A compact axis label: SI suffix (k, M, G, T) above 1000, plain digits
/// down to 0.001, an exponent below.
pub fn axis(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        return "0".into();
    }
    let (x, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    if a < 1e-3 {
        return format!("{v:.0e}");
    }
    let s = if x.fract().abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    s + suffix
}

/// A share as a percentage with one decimal ("96.3%").
pub fn pct(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

/// A ratio ("7.62x").
pub fn times(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}x")
    } else if r >= 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.2}x")
    }
}

/// An area in mm² with three significant digits.
pub fn mm2(v: f64) -> String {
    format!("{} mm²", sig3(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_magnitude() {
        assert_eq!(energy(55.472e9), "55.5 mJ");
        assert_eq!(energy(2.258e9), "2.26 mJ");
        assert_eq!(energy(999.0), "999 pJ");
        assert_eq!(energy(1.0e12), "1.00 J");
        assert_eq!(time(4.064), "4.06 s");
        assert_eq!(time(0.0271), "27.1 ms");
        assert_eq!(time(3e-7), "300 ns");
        assert_eq!(sig3(0.0981), "0.0981");
        assert_eq!(sig3(1234.6), "1235");
        assert_eq!(sig3(12.0), "12.0");
        assert_eq!(sig3(2.5e-5), "2.50e-5");
        assert_eq!(pct(0.9634), "96.3%");
        assert_eq!(times(7.617), "7.62x");
        assert_eq!(times(71.43), "71.4x");
    }

    #[test]
    fn axis_labels_are_short() {
        assert_eq!(axis(1e9), "1G");
        assert_eq!(axis(2.5e12), "2.5T");
        assert_eq!(axis(20000.0), "20k");
        assert_eq!(axis(1000.0), "1000");
        assert_eq!(axis(0.25), "0.25");
        assert_eq!(axis(0.0001), "1e-4");
        assert_eq!(axis(0.0), "0");
    }
}
