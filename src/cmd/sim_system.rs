//! `onebit sim --arch SYSTEM.toml`: one step of a workload on a multi-chip
//! system (docs/system.md); the summary per system and per stage, JSON on
//! request.

use crate::error::{CliError, CliResult};
use crate::output::write_file;
use crate::tech_arg::load_tech_for;
use crate::workload_arg::WorkloadArgs;
use sim::system::{simulate_system, SystemDesign};
use sim::SimOptions;
use std::path::PathBuf;

/// What `onebit sim` passes on for a system.
pub struct SystemRun {
    /// The system.
    pub design: SystemDesign,
    /// The workload of the whole step.
    pub workload: WorkloadArgs,
    /// Fast-forward, oversubscription.
    pub opts: SimOptions,
    /// `--tech`.
    pub tech: Option<String>,
    /// `--json`.
    pub json: Option<PathBuf>,
}

impl SystemRun {
    /// Simulates, prices and prints.
    pub fn exec(mut self) -> CliResult {
        let d = &self.design;
        let micro = d.system.micro_batches;
        let batch = self
            .workload
            .batch
            .unwrap_or(crate::workload_arg::DEFAULT_BATCH);
        if !batch.is_multiple_of(u64::from(micro)) {
            return Err(CliError::Usage(format!(
                "--batch {batch} does not split into `system.micro_batches` = {micro} equal micro-batches: use a multiple of {micro}"
            )));
        }
        let want = batch / u64::from(micro);
        self.workload.batch = Some(want);
        let trace = self
            .workload
            .load(d.chip.array.weights, Some(d.chip.attention.kv_format()))?;
        if micro > 1 && trace.meta.batch != want {
            return Err(CliError::Usage(format!(
                "`system.micro_batches` = {micro} needs the trace of one micro-batch; a trace file states its own batch ({}): give a model instead, or set micro_batches = 1",
                trace.meta.batch
            )));
        }
        let tech = load_tech_for(self.tech.as_deref(), &d.chip)?;
        let r = simulate_system(d, &trace, self.opts).map_err(|e| {
            CliError::Usage(format!(
                "{} on {} x {}: {e}",
                trace.meta.model, d.system.chips, d.chip.name
            ))
        })?;
        let e = energy_model::system::estimate_system(d, &r, &tech);
        if let Some(p) = &self.json {
            write_file(p, reports::system::json(&r, &e).as_bytes())?;
        }
        crate::stdio::out(reports::system::summary(d, &r, &e))
    }
}
