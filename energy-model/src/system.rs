//! The energy of a multi-chip system's step: every chip's own energy (its
//! stage's operators for each micro-batch, as `onebit sim` prices one
//! chip), its leakage while it idles in the pipeline's bubbles, and the
//! energy of the bits on the links at the system's `link.energy_pj_per_bit`
//! (cited in the system description).

use crate::area::AreaReport;
use crate::energy::{estimate_with_area, EnergyReport};
use crate::tech::Technology;
use serde::Serialize;
use sim::system::{SystemDesign, SystemResult};

/// One stage's chip: its energy for one micro-batch and for the step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChipEnergy {
    /// The stage.
    pub stage: usize,
    /// One micro-batch on one chip of the stage.
    pub micro_batch: EnergyReport,
    /// Leakage of one chip while idle in the step's bubbles, J.
    pub idle_leakage_j: f64,
    /// One chip's energy over the step (its micro-batches and idle
    /// leakage; links not included), J.
    pub step_j: f64,
    /// The bits one chip of the stage puts on its links in the step, times
    /// the energy per bit, J.
    pub link_j: f64,
}

/// The system's energy over a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemEnergy {
    /// Per stage (each for its `tp` chips).
    pub stages: Vec<ChipEnergy>,
    /// Every chip's energy, J.
    pub chips_j: f64,
    /// Every link's energy, J.
    pub links_j: f64,
    /// The whole system, J.
    pub total_j: f64,
    /// Joules per token, links included.
    pub joules_per_token: f64,
    /// The links' share of the energy.
    pub link_share: f64,
    /// Average power of the system over the step, W.
    pub average_power_w: f64,
    /// Area of one chip.
    pub chip_area: AreaReport,
}

/// Prices `r`, a step of `d`, at technology `t`.
pub fn estimate_system(d: &SystemDesign, r: &SystemResult, t: &Technology) -> SystemEnergy {
    let area = crate::area::estimate(&d.chip, t);
    let b = f64::from(d.system.micro_batches);
    let tp = f64::from(d.system.tp);
    let pj_bit = d.system.link.energy_pj_per_bit;
    let mut stages = Vec::with_capacity(r.stages.len());
    let (mut chips_j, mut links_j) = (0.0, 0.0);
    for s in &r.stages {
        let e = estimate_with_area(&d.chip, &s.result, t, &area);
        let busy = b * (s.compute_s + s.send_s);
        let idle = (r.latency_s - busy).max(0.0);
        let idle_leakage_j = e.leakage_w * idle;
        let step_j = b * e.energy_pj * 1e-12 + idle_leakage_j;
        let link_j = b * s.link_wire_bytes * 8.0 * pj_bit * 1e-12;
        chips_j += tp * step_j;
        links_j += tp * link_j;
        stages.push(ChipEnergy {
            stage: s.stage,
            micro_batch: e,
            idle_leakage_j,
            step_j,
            link_j,
        });
    }
    let total_j = chips_j + links_j;
    SystemEnergy {
        stages,
        chips_j,
        links_j,
        total_j,
        joules_per_token: total_j / r.tokens.max(1) as f64,
        link_share: if total_j > 0.0 {
            links_j / total_j
        } else {
            0.0
        },
        average_power_w: if r.latency_s > 0.0 {
            total_j / r.latency_s
        } else {
            0.0
        },
        chip_area: area,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::system::system_preset;
    use workloads::trace::generate;

    #[test]
    fn links_are_priced_per_bit() {
        let d = system_preset("edge-ternary-x4").unwrap();
        let m = workloads::zoo::find("bitnet-b1.58-700M").unwrap();
        let t = generate(&m, &workloads::TraceOptions::default()).unwrap();
        let r = sim::system::simulate_system(&d, &t, sim::SimOptions::default()).unwrap();
        let e = estimate_system(&d, &r, &Technology::default_7nm());
        // every chip's link bits at 1.17 pJ/bit
        let want = r.link_wire_bytes * 8.0 * 1.17e-12;
        assert!(
            (e.links_j - want).abs() <= 1e-9 * want,
            "{} vs {want}",
            e.links_j
        );
        assert!(e.links_j > 0.0 && e.chips_j > 0.0);
        assert!((e.total_j - e.chips_j - e.links_j).abs() < 1e-15);
    }
}
