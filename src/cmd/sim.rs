//! `onebit sim`: simulate one step of a workload on a design and print the
//! summary; JSON and per-operator CSV on request.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::output::{check_dir, check_file, write_dir, write_file};
use crate::tech_arg::load_tech_for;
use crate::workload_arg::WorkloadArgs;
use clap::Args;
use sim::{simulate_measured, SimOptions};
use std::path::PathBuf;

/// `onebit sim --arch PRESET|FILE (--model NAME | --hf-config FILE | --trace FILE | --gemm FILE)`
#[derive(Debug, Args)]
pub struct SimCmd {
    /// A design preset (see `onebit presets`) or an accelerator TOML file.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    #[command(flatten)]
    workload: WorkloadArgs,
    /// A GGUF or safetensors checkpoint whose measured weight statistics
    /// (zero share, densest lane, toggles) drive the simulation; the shape
    /// comes from the file unless --model/--hf-config name an agreeing one.
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
    /// Step every cycle instead of jumping between events (same results, slower).
    #[arg(long)]
    no_fast_forward: bool,
    /// Run a step that needs more DRAM than the design's `dram.capacity_gib`
    /// (weights + KV cache + spilled activations); the result carries a warning.
    #[arg(long)]
    allow_oversubscribe: bool,
    /// Write the full result as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write one CSV row per operator.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also print how much work the engine did (events, steady-state jumps).
    #[arg(long)]
    engine_stats: bool,
    /// Also write the report (HTML page, Markdown summary, plots as SVG and
    /// PNG, CSV tables) into DIR (docs/reports.md).
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Operators listed in the summary.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Technology table for energy and area: `7nm`, `16nm`, `28nm`, `45nm`,
    /// or a TOML file overriding entries of one (docs/energy.md); default:
    /// the table the design names (`technology`), else 7nm.
    #[arg(long, value_name = "FILE|7nm|16nm|28nm|45nm")]
    tech: Option<String>,
    /// Price the control's area with the synthesized accelerator's cells:
    /// the JSON of `onebit rtl synth --top accel --arch A --json FILE` for
    /// the same design (docs/energy.md, "Control area"); default: the
    /// technology table's `control_overhead` share.
    #[arg(long, value_name = "FILE")]
    control_cells: Option<PathBuf>,
    /// Write the DRAM request stream the simulator sends: one line per
    /// burst, `CYCLE LD|ST 0xADDR` (accelerator cycles; addresses from the
    /// placement in docs/simulator.md), replayable with `onebit dram` and,
    /// without the cycle column, Ramulator 2 or DRAMSim3.
    #[arg(long, value_name = "FILE")]
    dram_trace: Option<PathBuf>,
    /// What the mapper minimizes for each lane-array product: edp (energy x
    /// cycles), energy or cycles (docs/simulator.md, "The mapper").
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Edp)]
    objective: ObjectiveArg,
    /// Use the fixed mapping (full K tile, full token block, loop order by
    /// DRAM bytes) instead of searching.
    #[arg(long)]
    fixed_mapping: bool,
}

/// `--objective`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// Energy x cycles.
    Edp,
    /// Energy.
    Energy,
    /// Cycles.
    Cycles,
}

impl ObjectiveArg {
    /// The simulator's objective.
    pub fn objective(self) -> sim::mapping::Objective {
        match self {
            ObjectiveArg::Edp => sim::mapping::Objective::Edp,
            ObjectiveArg::Energy => sim::mapping::Objective::Energy,
            ObjectiveArg::Cycles => sim::mapping::Objective::Cycles,
        }
    }
}

/// The mapper of `--objective` / `--fixed-mapping`, priced from `tech`.
pub fn mapper_for(
    arch: &sim::Accelerator,
    tech: &energy_model::Technology,
    objective: ObjectiveArg,
    fixed: bool,
) -> sim::mapping::Mapper {
    if fixed {
        sim::mapping::Mapper::Fixed
    } else {
        sim::mapping::Mapper::Search {
            objective: objective.objective(),
            prices: Some(energy_model::mapper_prices(arch, tech)),
        }
    }
}

impl SimCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        if let Some(design) = crate::arch_arg::load_system(&self.arch)? {
            if self.control_cells.is_some() {
                return Err(CliError::Usage(
                    "--control-cells prices one accelerator's control; a system design has several"
                        .into(),
                ));
            }
            return self.exec_system(design);
        }
        for p in [&self.json, &self.csv, &self.dram_trace]
            .into_iter()
            .flatten()
        {
            check_file(p)?;
        }
        if let Some(dir) = &self.report {
            check_dir(dir, "report")?;
        }
        let arch = load_arch(&self.arch)?;
        for w in sim::memory::design_warnings(&arch) {
            crate::stdio::errln(format!("warning: {}: {w}", arch.name))?;
        }
        let (trace, profile) = match &self.weights {
            Some(path) => crate::weights_arg::load_measured(path, &arch, &self.workload)?,
            None => (
                self.workload
                    .load(arch.array.weights, Some(arch.attention.kv_format()))?,
                Default::default(),
            ),
        };
        let tech = load_tech_for(self.tech.as_deref(), &arch)?;
        let (r, stats) = simulate_measured(
            &arch,
            &trace,
            SimOptions {
                fast_forward: !self.no_fast_forward,
                record_dram: self.dram_trace.is_some(),
                allow_oversubscribe: self.allow_oversubscribe,
                mapper: mapper_for(&arch, &tech, self.objective, self.fixed_mapping),
            },
            &profile,
        )
        .map_err(|e| CliError::Usage(format!("{} on {}: {e}", trace.meta.model, arch.name)))?;
        let mut area = energy_model::area::estimate(&arch, &tech);
        if let Some(path) = &self.control_cells {
            area = control_cells(&arch, &tech, area, path)?;
        }
        let e = energy_model::energy::estimate_with_area(&arch, &r, &tech, &area);
        if let Some(p) = &self.json {
            write_file(p, energy_model::energy::sim_json(&r, &e, &area).as_bytes())?;
        }
        if let Some(p) = &self.csv {
            write_file(p, reports::sim_text::ops_csv(&r, &e).as_bytes())?;
        }
        if let (Some(p), Some(transfers)) = (&self.dram_trace, &stats.transfers) {
            let burst = match (arch.dram.model, arch.dram.spec()) {
                (sim::arch::DramModelKind::Banked, Some(s)) => u64::from(s.org.burst_bytes()),
                _ => u64::from(arch.dram.request_bytes),
            };
            let text = reports::dram::request_stream(transfers, burst, arch.clock_ghz);
            write_file(p, text.as_bytes())?;
        }
        if let Some(dir) = &self.report {
            let run = reports::Run::new(&r, &e, &area, &arch);
            let out =
                reports::sim_report::report(&[run]).map_err(crate::cmd::report::render_error)?;
            write_dir(dir, &out, "report")?;
        }
        let mut s = reports::sim_text::summary(&r, self.top, arch.dram.bandwidth_gbps);
        if self.engine_stats {
            s += &format!(
                "\nengine: {} events, {} steady-state jumps\n",
                stats.events, stats.jumps
            );
        }
        s += &reports::sim_text::energy_summary(&e, &area);
        s += &reports::onchip::summary(&r, &e, &area, self.top);
        if let Some(dir) = &self.report {
            s += &format!("\nreport: {}\n", dir.join("report.html").display());
        }
        crate::stdio::out(s)
    }

    /// A multi-chip system (docs/system.md): the flags that only a single
    /// design has are refused.
    fn exec_system(self, design: sim::system::SystemDesign) -> CliResult {
        let single = [
            (self.weights.is_some(), "--weights"),
            (self.csv.is_some(), "--csv"),
            (self.report.is_some(), "--report"),
            (self.dram_trace.is_some(), "--dram-trace"),
        ];
        if let Some((_, flag)) = single.iter().find(|(given, _)| *given) {
            return Err(CliError::Usage(format!(
                "{flag} is for a single design; `--arch {}` is a system (docs/system.md)",
                self.arch
            )));
        }
        if let Some(p) = &self.json {
            check_file(p)?;
        }
        let tech = load_tech_for(self.tech.as_deref(), &design.chip)?;
        let mapper = mapper_for(&design.chip, &tech, self.objective, self.fixed_mapping);
        crate::cmd::sim_system::SystemRun {
            design,
            workload: self.workload,
            opts: SimOptions {
                fast_forward: !self.no_fast_forward,
                record_dram: false,
                allow_oversubscribe: self.allow_oversubscribe,
                mapper,
            },
            tech: self.tech,
            json: self.json,
        }
        .exec()
    }
}

/// The area with the control priced from the synthesis report at `path`,
/// which must be of the same design.
fn control_cells(
    arch: &sim::Accelerator,
    tech: &energy_model::tech::Technology,
    area: energy_model::AreaReport,
    path: &std::path::Path,
) -> CliResult<energy_model::AreaReport> {
    use energy_model::control_cells::{with_control_cells, ControlCells};
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let bad = |why: String| CliError::Usage(format!("--control-cells {}: {why}", path.display()));
    let c = ControlCells::from_json(&text).map_err(|e| bad(e.to_string()))?;
    if c.design != arch.name {
        return Err(bad(format!(
            "synthesized from design `{}`, not `{}`",
            c.design, arch.name
        )));
    }
    with_control_cells(arch, area, tech, &c).map_err(|e| bad(e.to_string()))
}
