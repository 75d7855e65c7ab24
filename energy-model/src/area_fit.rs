//! Calibration of the lane array's gate-equivalent estimate to Yosys.
//!
//! `energy-model/data/yosys-cells.json` holds the cell counts `onebit rtl
//! synth` gives for 19 designs of five datapaths (scripts/yosys-cells.sh).
//! For each datapath the estimate (`area::array_estimate`) is scaled by one
//! factor, the least-squares fit through the origin of the Yosys gate
//! equivalents (the same cell weights as `area::with_cell_counts`) on the
//! estimate: `f = sum(x y) / sum(x^2)`. The remaining error per design is
//! reported ([`fit`]) and bounded in a test, both on the fit and left one
//! out (each design predicted by the factor of the others). Datapaths the
//! generator does not build (floating-point MAC arrays) keep the
//! uncalibrated estimate.

use crate::area::{array_estimate, with_cell_counts, CellCounts};
use crate::tech::Technology;
use serde::{Deserialize, Serialize};
use sim::arch::preset;
use sim::Accelerator;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One synthesized design of the data file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SynthDesign {
    /// Design name.
    pub design: String,
    /// The preset it was made from.
    pub preset: String,
    /// Lanes.
    pub lanes: u32,
    /// Width.
    pub width: u32,
    /// Token tile (1: the generated tile).
    pub token_tile: u32,
    /// Yosys version.
    pub yosys: String,
    /// Cells by type.
    pub cells: BTreeMap<String, u64>,
    /// Gate equivalents `onebit rtl synth` reported.
    pub gate_equivalents: f64,
}

#[derive(Debug, Deserialize)]
struct DataFile {
    designs: Vec<SynthDesign>,
}

/// The datapath classes fitted separately (each datapath names its own:
/// `ReductionModule::area_class`).
pub fn datapath(arch: &Accelerator) -> &'static str {
    arch.array.reduction.module().area_class(&arch.array)
}

/// One design's fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignFit {
    /// Design name.
    pub design: String,
    /// Its datapath class.
    pub datapath: String,
    /// Yosys gate equivalents.
    pub yosys_ge: f64,
    /// The uncalibrated estimate.
    pub estimate_ge: f64,
    /// Relative error of the calibrated estimate.
    pub error: f64,
    /// Relative error with the factor fitted to the other designs of its datapath.
    pub leave_one_out_error: f64,
}

/// The fit of every datapath: factor per datapath and the error per design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// Factor per datapath.
    pub factors: BTreeMap<String, f64>,
    /// Per design.
    pub designs: Vec<DesignFit>,
}

fn design_of(d: &SynthDesign) -> Accelerator {
    // a shared LUT keeps one read port a lane, as the script writes it
    let mut a =
        crate::datapaths::with_lanes(&preset(&d.preset).expect("the data names presets"), d.lanes);
    a.array.width = d.width;
    a.array.token_tile = d.token_tile;
    a
}

fn ratio(pairs: &[(f64, f64)]) -> f64 {
    let xy: f64 = pairs.iter().map(|(x, y)| x * y).sum();
    let xx: f64 = pairs.iter().map(|(x, _)| x * x).sum();
    if xx > 0.0 {
        xy / xx
    } else {
        1.0
    }
}

/// Fits the committed data (at the 7 nm table's gate weights).
pub fn fit() -> &'static Fit {
    static FIT: OnceLock<Fit> = OnceLock::new();
    FIT.get_or_init(|| {
        let t = Technology::default_7nm();
        let data: DataFile = serde_json::from_str(include_str!("../data/yosys-cells.json"))
            .expect("data/yosys-cells.json is checked by a test");
        let mut by: BTreeMap<String, Vec<(String, f64, f64)>> = BTreeMap::new();
        for d in &data.designs {
            let arch = design_of(d);
            let x = array_estimate(&arch, &t).0;
            let y = with_cell_counts(
                &arch,
                &t,
                &CellCounts {
                    cells: d.cells.clone(),
                },
            )
            .expect("known cells")
            .array_ge;
            by.entry(datapath(&arch).to_string())
                .or_default()
                .push((d.design.clone(), x, y));
        }
        let mut factors = BTreeMap::new();
        let mut designs = Vec::new();
        for (dp, v) in &by {
            let pairs: Vec<(f64, f64)> = v.iter().map(|p| (p.1, p.2)).collect();
            let f = ratio(&pairs);
            factors.insert(dp.clone(), f);
            for (i, (name, x, y)) in v.iter().enumerate() {
                let others: Vec<(f64, f64)> = pairs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| *p)
                    .collect();
                let loo = if others.is_empty() { f } else { ratio(&others) };
                designs.push(DesignFit {
                    design: name.clone(),
                    datapath: dp.clone(),
                    yosys_ge: *y,
                    estimate_ge: *x,
                    error: f * x / y - 1.0,
                    leave_one_out_error: loo * x / y - 1.0,
                });
            }
        }
        Fit { factors, designs }
    })
}

/// The factor the lane array's estimate of `arch` is scaled by, and the
/// area source line naming it.
pub fn calibration(arch: &Accelerator) -> (f64, String) {
    let dp = datapath(arch);
    match fit().factors.get(dp) {
        Some(&f) => (
            f,
            format!("estimate x {f:.3} ({dp} fit to Yosys cell counts)"),
        ),
        None => (1.0, format!("estimate ({dp}: no Yosys data)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_error_is_stated_and_bounded() {
        let f = fit();
        assert_eq!(f.designs.len(), 19);

        for dp in ["adder-tree", "popcount", "xnor-popcount", "mac-int", "lut"] {
            let k = f.factors[dp];
            // the uncalibrated estimate was 1.5-2.4x below Yosys
            assert!(k > 1.0 && k < 3.5, "{dp}: {k}");
        }
        for d in &f.designs {
            assert!(d.error.abs() < 0.15, "{d:?}");
            assert!(d.leave_one_out_error.abs() < 0.20, "{d:?}");
        }
        let max = f.designs.iter().map(|d| d.error.abs()).fold(0.0, f64::max);
        assert!(max > 0.0, "a fit with no error is suspicious");
    }

    #[test]
    fn floating_point_arrays_are_not_calibrated() {
        let a = preset("edge-fp16").unwrap();
        assert_eq!(calibration(&a).0, 1.0);
        let t = preset("edge-ternary").unwrap();
        assert!(calibration(&t).0 > 1.0);
    }
}
