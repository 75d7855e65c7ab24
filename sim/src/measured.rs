//! Weight statistics measured from a checkpoint, by trace operator, and
//! what the lane array's mapping takes from them (docs/weights.md):
//!
//! * zero gating: the measured zero share replaces the encoding's default
//!   (31.01% for absmean-quantized Gaussian weights);
//! * zero skipping: a lane group runs as many chunks as its densest lane's
//!   compacted weights need, so the reduction length is the measured mean
//!   over lane groups of the densest lane's nonzeros, not `K x (1 − zeros)`;
//! * weight input registers: their capture energy scales with the measured
//!   toggle rate of the lanes' weight codes over the rate of i.i.d. weights
//!   at the encoding's default zero share (the unmeasured model's
//!   assumption). The other components do not depend on the weight values in
//!   this model: the select stage and reduction tree are gated by zeros only,
//!   accumulators, activation paths, SRAM and DRAM energy are data-independent.

use std::collections::BTreeMap;
use workloads::weights::stats::iid_toggle_rate;
use workloads::weights::TensorStats;

/// What the mapping uses of one tensor's statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredWeights {
    /// Share of zero weights.
    pub zero_share: f64,
    /// The densest lane's nonzeros as a share of `K`, averaged over lane groups.
    pub densest_lane_share: f64,
    /// Share of weight-code bits that flip between a lane's chunks; `None`
    /// when no row has two chunks (nothing to compare: the assumption stays).
    pub toggle_rate: Option<f64>,
    /// Lanes the statistics were taken for.
    pub lanes: u32,
    /// Width the statistics were taken for.
    pub width: u32,
}

impl MeasuredWeights {
    /// From a tensor's statistics.
    pub fn of(s: &TensorStats) -> MeasuredWeights {
        MeasuredWeights {
            zero_share: s.zero_share(),
            densest_lane_share: s.densest_lane_share(),
            toggle_rate: (s.toggle_bits > 0).then(|| s.toggle_rate()),
            lanes: s.geometry.lanes,
            width: s.geometry.width,
        }
    }

    /// The factor on the weight input registers' capture energy: measured
    /// toggles over those of i.i.d. weights at zero share `default_zeros`
    /// (1 when the toggles were not measured).
    pub fn register_factor(&self, default_zeros: f64) -> f64 {
        let r = iid_toggle_rate(default_zeros);
        match self.toggle_rate {
            Some(t) if r > 0.0 => t / r,
            _ => 1.0,
        }
    }
}

/// Measured statistics by operator name (`L3.q`).
pub type WeightProfile = BTreeMap<String, MeasuredWeights>;
