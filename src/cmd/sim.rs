//! `onebit sim`: simulate one step of a workload on a design and print the
//! summary; JSON and per-operator CSV on request.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::output::{check_dir, check_file, write_dir, write_file};
use crate::tech_arg::load_tech_for;
use crate::workload_arg::WorkloadArgs;
use clap::Args;
use energy_model::{AreaReport, Breakdown, EnergyReport};
use reports::{Align, Table};
use sim::{simulate_measured, SimOptions, SimResult};
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

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1u64 << 20) as f64)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The per-operator CSV: timing, traffic and energy (pJ, in total and by
/// component; leakage is not attributed to operators).
pub fn ops_csv(r: &SimResult, e: &EnergyReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(
        [
            "name",
            "kind",
            "layer",
            "unit",
            "macs",
            "tiles",
            "start",
            "compute_end",
            "done",
            "busy",
            "sram_stall",
            "memory_stall",
            "dependency_stall",
            "dram_read_bytes",
            "dram_write_bytes",
            "mapping",
            "energy_pj",
        ]
        .into_iter()
        .map(String::from)
        .chain(Breakdown::NAMES.iter().map(|n| format!("{n}_pj")))
        .collect::<Vec<_>>(),
    );
    for (o, oe) in r.ops.iter().zip(&e.ops) {
        let t = &o.timing;
        let mut rec = vec![
            o.name.clone(),
            o.kind.clone(),
            o.layer.map(|l| l.to_string()).unwrap_or_default(),
            o.unit.name().to_string(),
            o.macs.to_string(),
            o.tiles.to_string(),
            t.start.to_string(),
            t.compute_end.to_string(),
            t.done.to_string(),
            t.cycles.busy.to_string(),
            t.cycles.sram_stall.to_string(),
            t.cycles.memory_stall.to_string(),
            t.cycles.dependency_stall.to_string(),
            o.activity.dram_read_bytes().to_string(),
            o.activity.dram_write_bytes().to_string(),
            o.mapping.clone(),
            format!("{}", oe.total_pj),
        ];
        rec.extend(oe.energy_pj.values().iter().map(|v| format!("{v}")));
        let _ = w.write_record(rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The human summary of a result (`dram_peak_gbps`: the design's peak DRAM
/// bandwidth).
pub fn summary(r: &SimResult, top: usize, dram_peak_gbps: f64) -> String {
    let draft = if r.draft > 0 {
        format!(", {} drafted", r.draft)
    } else {
        String::new()
    };
    let mut s = format!(
        "{} {} (batch {}, seq {}{draft}) on {}\n\n",
        r.model, r.phase, r.batch, r.seq, r.design
    );
    for w in &r.warnings {
        s += &format!("warning: {w}\n\n");
    }
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    t.row(vec!["cycles".into(), r.cycles.to_string()]);
    t.row(vec![
        "latency".into(),
        format!("{:.6} ms at {} GHz", r.latency_s * 1e3, r.clock_ghz),
    ]);
    t.row(vec!["tokens/s".into(), format!("{:.2}", r.tokens_per_s)]);
    t.row(vec!["array utilization".into(), pct(r.array_utilization)]);
    t.row(vec![
        "bound".into(),
        format!(
            "compute {} | memory {} | other {} of cycles",
            pct(r.compute_bound_share),
            pct(r.memory_bound_share),
            pct(1.0 - r.compute_bound_share - r.memory_bound_share)
        ),
    ]);
    t.row(vec![
        "DRAM".into(),
        format!(
            "{} read, {} written",
            mib(r.traffic.dram_read_bytes),
            mib(r.traffic.dram_write_bytes)
        ),
    ]);
    t.row(vec![
        "DRAM model".into(),
        reports::dram::sim_line(r, dram_peak_gbps),
    ]);
    t.row(vec!["GMAC".into(), format!("{:.3}", r.macs as f64 / 1e9)]);
    t.row(vec![
        "DRAM footprint".into(),
        format!(
            "{} (weights {}, KV cache {}, spilled activations {})",
            sim::capacity::gib(r.footprint.total()),
            sim::capacity::gib(r.footprint.weights),
            sim::capacity::gib(r.footprint.kv_cache),
            sim::capacity::gib(r.footprint.activations)
        ),
    ]);
    s += &t
        .to_text()
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    s += &format!("\ntop {} operators by time:\n", top.min(r.ops.len()));
    let mut t = Table::new(&[
        ("operator", Align::Left),
        ("kind", Align::Left),
        ("unit", Align::Left),
        ("cycles", Align::Right),
        ("share", Align::Right),
        ("busy", Align::Right),
        ("DRAM wait", Align::Right),
        ("SRAM wait", Align::Right),
        ("dep wait", Align::Right),
    ]);
    for i in r.top_ops(top) {
        let o = &r.ops[i];
        let c = &o.timing.cycles;
        t.row(vec![
            o.name.clone(),
            o.kind.clone(),
            o.unit.name().into(),
            o.span().to_string(),
            pct(o.span() as f64 / r.cycles.max(1) as f64),
            c.busy.to_string(),
            c.memory_stall.to_string(),
            c.sram_stall.to_string(),
            c.dependency_stall.to_string(),
        ]);
    }
    s += &t.to_text();
    s
}

/// An energy in the unit that suits it.
pub fn energy(pj: f64) -> String {
    if pj == 0.0 {
        return "0".into();
    }
    let a = pj.abs();
    let (v, u) = if a >= 1e12 {
        (pj / 1e12, "J")
    } else if a >= 1e9 {
        (pj / 1e9, "mJ")
    } else if a >= 1e6 {
        (pj / 1e6, "µJ")
    } else if a >= 1e3 {
        (pj / 1e3, "nJ")
    } else {
        (pj, "pJ")
    };
    format!("{v:.3} {u}")
}

/// The energy and area summary.
pub fn energy_summary(e: &EnergyReport, a: &AreaReport) -> String {
    let mut s = format!("\nenergy and area at {} (docs/energy.md):\n", e.technology);
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    t.row(vec![
        "energy/token".into(),
        format!(
            "{} ({:.6} J; the step: {} for {} token{})",
            energy(e.joules_per_token * 1e12),
            e.joules_per_token,
            energy(e.energy_pj),
            e.tokens,
            if e.tokens == 1 { "" } else { "s" }
        ),
    ]);
    t.row(vec![
        "power".into(),
        format!(
            "{:.3} W average ({:.3} mW leakage)",
            e.average_power_w,
            e.leakage_w * 1e3
        ),
    ]);
    t.row(vec![
        "efficiency".into(),
        format!(
            "{:.4} pJ/MAC = {:.4} pJ/op, {:.3} TOPS/W (2 ops per MAC, all energy)",
            e.pj_per_mac,
            e.pj_per_mac / 2.0,
            e.tops_per_watt
        ),
    ]);
    t.row(vec![
        "area".into(),
        format!(
            "{:.4} mm² (logic {:.4}, SRAM {:.4}; logic from {})",
            a.total_mm2(),
            a.logic_mm2(),
            a.sram_mm2(),
            a.array_logic_source
        ),
    ]);
    s += &t
        .to_text()
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    s += "\nenergy per token by component:\n";
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("energy", Align::Right),
        ("share", Align::Right),
    ]);
    let total = e.per_token_pj.total();
    for (name, v) in Breakdown::NAMES.iter().zip(e.per_token_pj.values()) {
        t.row(vec![
            name.replace('_', " "),
            energy(v),
            pct(if total > 0.0 { v / total } else { 0.0 }),
        ]);
    }
    t.row(vec!["total".into(), energy(total), pct(1.0)]);
    if let Some(d) = &e.dram_parts_pj {
        let per = 1.0 / e.tokens.max(1) as f64;
        for (name, v) in [
            ("  dram background", d.background_pj),
            ("  dram act/pre", d.act_pre_pj),
            ("  dram rd/wr", d.rd_wr_pj),
            ("  dram refresh", d.refresh_pj),
        ] {
            let v = v * per;
            t.row(vec![
                name.into(),
                energy(v),
                pct(if total > 0.0 { v / total } else { 0.0 }),
            ]);
        }
    }
    s += &t.to_text();
    s
}

impl SimCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        if let Some(design) = crate::arch_arg::load_system(&self.arch)? {
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
        let area = energy_model::area::estimate(&arch, &tech);
        let e = energy_model::energy::estimate_with_area(&arch, &r, &tech, &area);
        if let Some(p) = &self.json {
            write_file(p, energy_model::energy::sim_json(&r, &e, &area).as_bytes())?;
        }
        if let Some(p) = &self.csv {
            write_file(p, ops_csv(&r, &e).as_bytes())?;
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
        let mut s = summary(&r, self.top, arch.dram.bandwidth_gbps);
        if self.engine_stats {
            s += &format!(
                "\nengine: {} events, {} steady-state jumps\n",
                stats.events, stats.jumps
            );
        }
        s += &energy_summary(&e, &area);
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
