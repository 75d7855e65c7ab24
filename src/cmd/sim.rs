//! `onebit sim`: simulate one step of a workload on a design and print the
//! summary; JSON and per-operator CSV on request.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::files::write_atomic;
use crate::workload_arg::WorkloadArgs;
use clap::Args;
use reports::{Align, Table};
use sim::{simulate, SimOptions, SimResult};
use std::path::PathBuf;

/// `onebit sim --arch PRESET|FILE (--model NAME | --hf-config FILE | --trace FILE | --gemm FILE)`
#[derive(Debug, Args)]
pub struct SimCmd {
    /// A design preset (see `onebit presets`) or an accelerator TOML file.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    #[command(flatten)]
    workload: WorkloadArgs,
    /// Step every cycle instead of jumping between events (same results, slower).
    #[arg(long)]
    no_fast_forward: bool,
    /// Write the full result as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write one CSV row per operator.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Operators listed in the summary.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1u64 << 20) as f64)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The per-operator CSV.
pub fn ops_csv(r: &SimResult) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
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
    ]);
    for o in &r.ops {
        let t = &o.timing;
        let _ = w.write_record([
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
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The human summary of a result.
pub fn summary(r: &SimResult, top: usize) -> String {
    let mut s = format!(
        "{} {} (batch {}, seq {}) on {}\n\n",
        r.model, r.phase, r.batch, r.seq, r.design
    );
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
    t.row(vec!["GMAC".into(), format!("{:.3}", r.macs as f64 / 1e9)]);
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

impl SimCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let arch = load_arch(&self.arch)?;
        let trace = self.workload.load(arch.array.weights)?;
        let r = simulate(
            &arch,
            &trace,
            SimOptions {
                fast_forward: !self.no_fast_forward,
            },
        )
        .map_err(|e| CliError::Usage(format!("{} on {}: {e}", trace.meta.model, arch.name)))?;
        if let Some(p) = &self.json {
            write_atomic(p, r.to_json().as_bytes())?;
        }
        if let Some(p) = &self.csv {
            write_atomic(p, ops_csv(&r).as_bytes())?;
        }
        print!("{}", summary(&r, self.top));
        Ok(())
    }
}
