//! The lane array's datapaths compared at equal area: each design's lane
//! count is the largest whose estimated area (the 7 nm model of
//! [`crate::area`], or the given table) does not exceed the reference
//! design's, and each is simulated on one model's decode step and prefill.
//!
//! Behind `onebit paper datapaths`: adder tree (edge-ternary), popcount
//! (edge-popcount) and table lookup (edge-lut), all with edge-ternary's
//! buffers, DRAM, vector and attention units.

use crate::area;
use crate::tech::Technology;
use serde::Serialize;
use sim::arch::{preset, Accelerator, MAX_LANES};
use sim::datapath::lut::{LutShape, TableStorage};
use workloads::{zoo, Phase};

/// The presets compared, in order: adder tree, popcount, table lookup.
pub const DATAPATH_PRESETS: [&str; 3] = ["edge-ternary", "edge-popcount", "edge-lut"];

/// `arch` with `lanes` lanes; a shared LUT with one read port a lane and
/// plane keeps one.
pub fn with_lanes(arch: &Accelerator, lanes: u32) -> Accelerator {
    let mut a = arch.clone();
    let old = a.array.lanes;
    a.array.lanes = lanes;
    if let Some(l) = a.array.lut.as_mut() {
        let s = LutShape::of(&arch.array);
        if s.storage != TableStorage::Lanes && l.read_ports == old * s.planes {
            l.read_ports = lanes * s.planes;
        }
    }
    a
}

/// The largest lane count (1 to 4096) whose estimated area does not exceed
/// `budget_mm2`, and that area; `None` when one lane already exceeds it.
/// The area grows with the lanes, so the search bisects.
pub fn fit_lanes(arch: &Accelerator, t: &Technology, budget_mm2: f64) -> Option<(u32, f64)> {
    let area = |l: u32| area::estimate(&with_lanes(arch, l), t).total_mm2();
    if area(1) > budget_mm2 {
        return None;
    }
    let (mut lo, mut hi) = (1u32, MAX_LANES);
    if area(hi) <= budget_mm2 {
        return Some((hi, area(hi)));
    }
    // area(lo) <= budget < area(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if area(mid) <= budget_mm2 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((lo, area(lo)))
}

/// One design's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatapathRow {
    /// The preset it is sized from.
    pub preset: String,
    /// Its reduction.
    pub reduction: String,
    /// Lanes at the budget.
    pub lanes: u32,
    /// Width of a chunk.
    pub width: u32,
    /// Initiation interval (cycles a chunk).
    pub initiation_interval: u32,
    /// Weight bits in SRAM and DRAM, per weight.
    pub weight_bits: f64,
    /// Estimated area, mm².
    pub area_mm2: f64,
    /// Lane array area, mm².
    pub array_mm2: f64,
    /// Decode: tokens per second.
    pub decode_tokens_per_s: f64,
    /// Decode: energy per token, mJ.
    pub decode_mj_per_token: f64,
    /// Prefill: tokens per second.
    pub prefill_tokens_per_s: f64,
    /// Prefill: energy per token, mJ.
    pub prefill_mj_per_token: f64,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatapathComparison {
    /// Model.
    pub model: String,
    /// KV length of the decode step.
    pub decode_seq: u64,
    /// Prompt length of the prefill.
    pub prefill_tokens: u64,
    /// The reference design and its area, mm² (the budget).
    pub budget_design: String,
    /// The budget, mm².
    pub budget_mm2: f64,
    /// Technology table.
    pub technology: String,
    /// One row per datapath.
    pub rows: Vec<DatapathRow>,
}

fn step(
    t: &Technology,
    arch: &Accelerator,
    model: &str,
    phase: Phase,
    seq: u64,
) -> Result<(f64, f64), String> {
    let m = zoo::find(model).ok_or_else(|| format!("no model {model}"))?;
    let (_, e) = crate::baselines::step(t, arch, &m, phase, seq, 1)?;
    let tokens = e.tokens.max(1) as f64;
    Ok((tokens / e.latency_s, e.joules_per_token * 1e3))
}

/// The three datapaths sized to `budget`'s area and run on `model`.
pub fn compare(
    t: &Technology,
    budget: &str,
    model: &str,
    decode_seq: u64,
    prefill_tokens: u64,
) -> Result<DatapathComparison, String> {
    let base = preset(budget).ok_or_else(|| format!("no preset {budget}"))?;
    let budget_mm2 = area::estimate(&base, t).total_mm2();
    let mut rows = Vec::new();
    for name in DATAPATH_PRESETS {
        let p = preset(name).ok_or_else(|| format!("no preset {name}"))?;
        let (lanes, area_mm2) = fit_lanes(&p, t, budget_mm2)
            .ok_or_else(|| format!("{name}: one lane exceeds {budget_mm2:.4} mm²"))?;
        let a = with_lanes(&p, lanes);
        let (dtps, dmj) = step(t, &a, model, Phase::Decode, decode_seq)?;
        let (ptps, pmj) = step(t, &a, model, Phase::Prefill, prefill_tokens)?;
        let module = a.array.reduction.module();
        rows.push(DatapathRow {
            preset: name.to_string(),
            reduction: a.array.reduction.name().to_string(),
            lanes,
            width: a.array.width,
            initiation_interval: a.timing().initiation_interval,
            weight_bits: module
                .weight_bits(&a.array)
                .map_or(a.array.weights.storage_bits(), |(b, per)| {
                    b as f64 / per as f64
                }),
            area_mm2,
            array_mm2: area::estimate(&a, t).array_mm2,
            decode_tokens_per_s: dtps,
            decode_mj_per_token: dmj,
            prefill_tokens_per_s: ptps,
            prefill_mj_per_token: pmj,
        });
    }
    Ok(DatapathComparison {
        model: model.to_string(),
        decode_seq,
        prefill_tokens,
        budget_design: budget.to_string(),
        budget_mm2,
        technology: t.name.clone(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_lut_is_the_largest_lut_within_edge_ternarys_area() {
        let t = Technology::default_7nm();
        let budget = area::estimate(&preset("edge-ternary").unwrap(), &t).total_mm2();
        let lut = preset("edge-lut").unwrap();
        let here = area::estimate(&lut, &t).total_mm2();
        let more = area::estimate(&with_lanes(&lut, lut.array.lanes + 1), &t).total_mm2();
        assert!(here <= budget, "{here} > {budget}");
        assert!(
            more > budget,
            "{more} <= {budget}: edge-lut could have another lane"
        );
        assert_eq!(
            fit_lanes(&lut, &t, budget).map(|f| f.0),
            Some(lut.array.lanes)
        );
        // the read ports follow the lanes (one a lane: one chunk a cycle)
        assert_eq!(with_lanes(&lut, 53).array.lut.unwrap().read_ports, 53);
    }

    #[test]
    fn the_comparison_runs_every_datapath_within_the_budget() {
        let t = Technology::default_7nm();
        let c = compare(&t, "edge-ternary", "bitnet-b1.58-2b-4t", 512, 64).unwrap();
        let names: Vec<&str> = c.rows.iter().map(|r| r.reduction.as_str()).collect();
        assert_eq!(names, ["adder-tree", "popcount", "lut"]);
        for r in &c.rows {
            assert!(r.area_mm2 <= c.budget_mm2, "{r:?}");
            assert!(r.decode_tokens_per_s > 0.0 && r.prefill_tokens_per_s > 0.0);
        }
        let (tree, lut) = (&c.rows[0], &c.rows[2]);
        assert_eq!((tree.lanes, tree.width), (64, 64));
        assert_eq!((lut.lanes, lut.width), (51, 63));
        assert!((lut.weight_bits - 5.0 / 3.0).abs() < 1e-12);
        // decode is DRAM-bound: 1.67 instead of 2 bits a weight is faster
        assert!(lut.decode_tokens_per_s > tree.decode_tokens_per_s, "{c:?}");
    }

    #[test]
    fn fitting_is_monotone_and_refuses_a_tiny_budget() {
        let t = Technology::default_7nm();
        let a = preset("edge-ternary").unwrap();
        let budget = area::estimate(&a, &t).total_mm2();
        assert_eq!(fit_lanes(&a, &t, budget).map(|f| f.0), Some(64));
        assert_eq!(fit_lanes(&a, &t, 1e-6), None);
    }
}
