//! The node curve that places the 28 nm and 16 nm technology tables between
//! the 45 nm and 7 nm ones.
//!
//! Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS
//! device performance from 180 nm to 7 nm", Integration 58 (2017) 74-81,
//! fit energy per operation at each node as a polynomial in the supply
//! voltage, `F(V) = a V^2 + b V + c` (HSPICE on PTM and ITRS models). Their
//! 7/45 nm ratio (0.094 at 0.8 V) is steeper than BitNet Table 2's (~0.3),
//! which the 45 nm and 7 nm tables copy; so the curve sets only *where* a
//! node lies between the two published endpoints:
//! `w = ln(F(node)/F(45)) / ln(F(7)/F(45))` and `E(node) = E45 (E7/E45)^w`.
//! The paper has no 28 nm row: a node between two rows is interpolated
//! linearly between them (28 nm: one third of the way from 32 to 20 nm).

/// The energy polynomials `(node nm, a, b, c)` of Stillmaker & Baas 2017
/// for the nodes the tables use.
pub const ENERGY_POLYNOMIALS: [(f64, f64, f64, f64); 5] = [
    (45.0, 1.103, -0.362, 0.2767),
    (32.0, 0.9559, -0.7823, 0.471),
    (20.0, 0.373, -0.1582, 0.04104),
    (16.0, 0.2958, -0.1241, 0.03024),
    (7.0, 0.1776, -0.09097, 0.02447),
];

/// The common supply voltage the polynomials are evaluated at, V (the
/// curve's shape hardly depends on it; 0.8 V is VitaLLM's 16 nm supply).
pub const CURVE_VDD: f64 = 0.8;

/// Stillmaker & Baas's energy factor at `node_nm` (7 to 45 nm), linearly
/// interpolated between neighbouring rows; `None` outside 7..=45 nm.
pub fn energy_factor(node_nm: f64) -> Option<f64> {
    let f = |&(_, a, b, c): &(f64, f64, f64, f64)| a * CURVE_VDD * CURVE_VDD + b * CURVE_VDD + c;
    ENERGY_POLYNOMIALS.windows(2).find_map(|w| {
        let (hi, lo) = (&w[0], &w[1]);
        if node_nm <= hi.0 && node_nm >= lo.0 {
            let t = (hi.0 - node_nm) / (hi.0 - lo.0);
            Some(f(hi) * (1.0 - t) + f(lo) * t)
        } else {
            None
        }
    })
}

/// Where `node_nm` lies between 45 nm (0) and 7 nm (1) on the curve.
pub fn position(node_nm: f64) -> Option<f64> {
    let e45 = energy_factor(45.0)?;
    let e7 = energy_factor(7.0)?;
    Some((energy_factor(node_nm)? / e45).ln() / (e7 / e45).ln())
}

/// An energy at `node_nm` between its 45 nm and 7 nm values on the curve.
pub fn between(e45: f64, e7: f64, node_nm: f64) -> Option<f64> {
    Some(e45 * (e7 / e45).powf(position(node_nm)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_interpolation() {
        assert_eq!(position(45.0), Some(0.0));
        assert!((position(7.0).unwrap() - 1.0).abs() < 1e-12);
        // 0.8 V: F(45) = 1.103 x 0.64 - 0.362 x 0.8 + 0.2767 = 0.69302
        assert!((energy_factor(45.0).unwrap() - 0.69302).abs() < 1e-12);
        // 28 nm: one third of the way from the 32 nm row to the 20 nm row
        let f28 = energy_factor(28.0).unwrap();
        let (f32_, f20) = (energy_factor(32.0).unwrap(), energy_factor(20.0).unwrap());
        assert!((f28 - (f32_ * 2.0 / 3.0 + f20 / 3.0)).abs() < 1e-12);
        assert_eq!(format!("{:.4}", position(28.0).unwrap()), "0.2825");
        assert_eq!(format!("{:.4}", position(16.0).unwrap()), "0.7417");
        assert_eq!(energy_factor(5.0), None);
        assert_eq!(energy_factor(65.0), None);
    }
}
