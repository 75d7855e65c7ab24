//! Sweeps of multi-chip systems: a space whose `base` is a system
//! (docs/system.md) varies the chip's keys and the `system.*` keys
//! (`system.tp`, `system.link.bandwidth_gbps`, ...); each point is
//! simulated with `sim::system` and priced with its links. Area is the
//! system's (chips x one chip's), energy per token includes the links.
//! Unless the space sets `system.chips` itself, each point has `tp x pp`
//! chips.

use super::{set_key, PointResult, Status, Sweep};
use energy_model::system::estimate_system;
use sim::system::{simulate_system, SystemConfig, SystemDesign, SystemError};
use sim::Accelerator;
use std::collections::BTreeMap;
use workloads::Trace;

/// The system a sweep's points start from, and how to trace one
/// micro-batch of the workload (`batch / system.micro_batches` sequences).
pub struct SystemBase<'a> {
    /// The base `[system]` table.
    pub config: &'a SystemConfig,
    /// The workload's trace at a given batch.
    pub trace_at: &'a (dyn Fn(u64) -> Result<Trace, String> + Sync),
}

/// Whether `key` is a key of the `[system]` table.
pub fn is_system_key(key: &str) -> bool {
    key.starts_with("system.")
}

/// The base table as a TOML tree rooted above `system`.
pub fn system_value(c: &SystemConfig) -> Result<toml::Value, String> {
    let mut root = toml::value::Table::new();
    root.insert(
        "system".into(),
        toml::Value::try_from(c).map_err(|e| e.to_string())?,
    );
    Ok(toml::Value::Table(root))
}

impl Sweep<'_> {
    /// The `[system]` table of grid point `index`, validated.
    pub fn system_of(&self, base: &SystemConfig, index: u64) -> Result<SystemConfig, String> {
        let mut v = system_value(base)?;
        for a in &self.space.fixed {
            if is_system_key(&a.key) {
                set_key(&mut v, &a.key, a.values[0].to_toml())?;
            }
        }
        for (k, s) in self.space.point(index) {
            if is_system_key(k) {
                set_key(&mut v, k, s.to_toml())?;
            }
        }
        let mut sys = v
            .get("system")
            .cloned()
            .ok_or("no system table")?
            .try_into::<SystemConfig>()
            .map_err(|e| format!("`system`: {}", e.message().trim()))?;
        // a space that varies the degrees but not `system.chips` sizes the
        // system to them
        let keys = || {
            self.space
                .fixed
                .iter()
                .chain(&self.space.axes)
                .map(|a| a.key.as_str())
        };
        if !keys().any(|k| k == "system.chips") {
            sys.chips = sys.tp.saturating_mul(sys.pp);
        }
        sys.validate().map_err(|e| e.message)?;
        Ok(sys)
    }

    /// Evaluates grid point `index` of a system sweep, its chip `arch`.
    pub(super) fn evaluate_system(
        &self,
        sb: &SystemBase,
        mut out: PointResult,
        arch: Accelerator,
    ) -> PointResult {
        let sys = match self.system_of(sb.config, out.index) {
            Ok(s) => s,
            Err(e) => {
                out.reason = e;
                return out;
            }
        };
        let area = energy_model::area::estimate(&arch, self.tech);
        let mm2 = area.total_mm2() * f64::from(sys.chips);
        out.area_mm2 = Some(mm2);
        out.design = Some(arch.clone());
        out.system = Some(sys.clone());
        let c = &self.space.constraints;
        if let Some(max) = c.max_area_mm2 {
            if mm2 > max {
                out.status = Status::OverBudget;
                out.reason = format!("system area {mm2:.4} mm² > {max} mm²");
                return out;
            }
        }
        let batch = self.trace.meta.batch;
        let mb = u64::from(sys.micro_batches);
        if !batch.is_multiple_of(mb) {
            out.reason = format!(
                "the batch of {batch} does not split into `system.micro_batches` = {mb} equal micro-batches"
            );
            return out;
        }
        let owned;
        let trace = if mb == 1 {
            self.trace
        } else {
            match (sb.trace_at)(batch / mb) {
                Ok(t) => {
                    owned = t;
                    &owned
                }
                Err(e) => {
                    out.reason = e;
                    return out;
                }
            }
        };
        let design = SystemDesign {
            chip: arch,
            system: sys,
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            simulate_system(
                &design,
                trace,
                energy_model::default_options(&design.chip, self.tech),
            )
        }));
        let r = match run {
            Ok(Ok(r)) => r,
            Ok(Err(e @ SystemError::Capacity { .. })) => {
                out.status = Status::Infeasible;
                out.reason = format!("does not fit the DRAM: {e}");
                return out;
            }
            Ok(Err(e)) => {
                out.reason = format!("the simulator refuses it: {e}");
                return out;
            }
            Err(_) => {
                out.reason = "the simulator failed on this design (a bug: please report it)".into();
                return out;
            }
        };
        let e = estimate_system(&design, &r, self.tech);
        let s = &design.system;
        let per_step = f64::from(s.tp) * mb as f64;
        let tokens = r.tokens.max(1) as f64;
        let macs: f64 = r.stages.iter().map(|st| st.result.macs as f64).sum::<f64>() * per_step;
        let n = r.stages.len().max(1) as f64;
        let mut parts: BTreeMap<String, f64> = BTreeMap::new();
        for st in &e.stages {
            for (k, v) in energy_model::Breakdown::NAMES
                .iter()
                .zip(st.micro_batch.total_pj.values())
            {
                *parts.entry(k.to_string()).or_default() += v * per_step / tokens;
            }
        }
        parts.insert("links".into(), e.links_j * 1e12 / tokens);
        let f = super::Figures {
            j_per_token: e.joules_per_token,
            tokens_per_s: r.tokens_per_s,
            power_w: e.average_power_w,
            latency_s: r.latency_s,
            cycles: (r.latency_s * design.chip.clock_ghz * 1e9).round() as u64,
            tops_per_watt: if e.total_j > 0.0 {
                2.0 * macs / e.total_j / 1e12
            } else {
                0.0
            },
            pj_per_mac: if macs > 0.0 {
                e.total_j * 1e12 / macs
            } else {
                0.0
            },
            array_utilization: r
                .stages
                .iter()
                .map(|st| st.result.array_utilization)
                .sum::<f64>()
                / n,
            memory_bound_share: r
                .stages
                .iter()
                .map(|st| st.result.memory_bound_share)
                .sum::<f64>()
                / n,
            dram_bytes: r
                .stages
                .iter()
                .map(|st| {
                    (st.result.traffic.dram_read_bytes + st.result.traffic.dram_write_bytes) as f64
                })
                .sum::<f64>() as u64
                * (per_step as u64),
            energy_per_token_pj: parts,
        };
        super::with_figures(out, f, c)
    }
}
