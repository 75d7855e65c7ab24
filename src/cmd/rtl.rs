//! `onebit rtl emit|check|synth|bench`: the generated Verilog of a design,
//! its co-simulation against the simulator, its Yosys cell counts, and the
//! co-simulation speed benchmark (docs/rtl.md).

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::output::{check_dir, check_file, write_dir, write_file};
use crate::stdio::{out, outln};
use crate::tech_arg::load_tech_for;
use clap::{Args, Subcommand};
use rtl_gen::check::{bench, run_cases, Case, CheckOptions, CheckReport, Simulator};
use rtl_gen::synth::synthesize;
use rtl_gen::RtlError;
use std::path::PathBuf;

/// `onebit rtl <emit|check|synth|bench>`
#[derive(Debug, Args)]
pub struct RtlCmd {
    #[command(subcommand)]
    action: RtlAction,
}

#[derive(Debug, Subcommand)]
enum RtlAction {
    /// Write the design's Verilog (one file per module) and its JSON manifest.
    Emit(EmitArgs),
    /// Lint the Verilog, then co-simulate it against the simulator, bit and cycle exact.
    Check(CheckArgs),
    /// Synthesize with Yosys: cells by type, gate equivalents, array area.
    Synth(SynthArgs),
    /// Measure the co-simulation: Verilator build time and simulated cycles per second.
    Bench(BenchArgs),
}

/// `onebit rtl emit --arch A --out DIR`
#[derive(Debug, Args)]
struct EmitArgs {
    /// A design preset (see `onebit presets`) or an accelerator TOML file.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    /// Directory for `<name>_lane.v`, `<name>_tile.v` and `<name>_tile.json`
    /// (with `--top accel` also the buffers' SRAM wrappers, one
    /// `<name>_accel_<block>.v` per block of the top, `<name>_accel.v` and
    /// its manifest).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The top: `tile` (the lane array) or `accel` (the whole accelerator on AXI4).
    #[arg(long, default_value = "tile", value_name = "tile|accel")]
    top: String,
    /// AXI4 data bits of the accelerator top: 64, 128, 256 or 512.
    #[arg(long, default_value_t = 64, value_name = "BITS")]
    axi_bits: u32,
}

/// `onebit rtl check --arch A [--seed S] [--vectors N] [--sim verilator|icarus] [--vcd FILE]`
#[derive(Debug, Args)]
struct CheckArgs {
    /// A design preset (see `onebit presets`) or an accelerator TOML file.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    /// Seed of the random vectors.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Chunks to send (the extremes first, then random reductions).
    #[arg(long, default_value_t = 300, value_name = "N")]
    vectors: usize,
    /// The simulator: verilator or icarus.
    #[arg(long, default_value = "verilator", value_name = "SIM")]
    sim: String,
    /// Write a VCD waveform of the run.
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// Keep sources, vectors and the build here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// Parallel compile jobs (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Break the RTL on purpose (invert `in_ready`; with `--top accel`, a
    /// sequencer that prefetches one tile on a double buffer) to see the check fail.
    #[arg(long, hide = true)]
    inject_fault: bool,
    /// The top: `tile` (the lane array) or `accel` (the whole accelerator on AXI4).
    #[arg(long, default_value = "tile", value_name = "tile|accel")]
    top: String,
    /// AXI4 data bits of the accelerator top: 64, 128, 256 or 512.
    #[arg(long, default_value_t = 64, value_name = "BITS")]
    axi_bits: u32,
    /// `--top accel`: one linear layer of M tokens, reduction K, N outputs.
    #[arg(long, value_name = "M,K,N")]
    gemm: Option<String>,
    /// `--top accel`: the linear operators of a trace, each checked as its own run.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// `--top accel --trace`: look at the first N operators.
    #[arg(long, default_value_t = 1, value_name = "N")]
    ops: usize,
    /// `--top accel`: random AXI delays and back-pressure (results only; the cycle difference is reported).
    #[arg(long)]
    random: bool,
    /// `--top accel --trace`: run the linear operators as ONE descriptor
    /// chain and compare every layer's start and completion with the
    /// engine's run of the chain; a layer that reads an earlier layer of
    /// the chain (the trace's inputs) takes its output requantized on chip
    /// (designs with INT8 inputs, a power-of-two width and lanes <= width;
    /// others are refused).
    #[arg(long)]
    chain: bool,
    /// `--chain`: the requantization shift of every dependent layer's input
    /// (0..=31; default: ceil(log2 K) of the producer).
    #[arg(long, value_name = "S")]
    requant_shift: Option<u32>,
    /// `--chain`: write every layer's outputs to memory as INT8, each
    /// accumulator requantized by clamp((a + 2^(S-1)) >> S, -128, 127)
    /// (0..=31), one byte an output instead of 4.
    #[arg(long, value_name = "S")]
    int8_out: Option<u32>,
    /// `--top accel`: the mapping the engine and the top run each layer
    /// with: `fixed` (`onebit sim --fixed-mapping`), or the mapper's choice
    /// on an objective, `edp`, `energy` or `cycles` (`onebit sim
    /// --objective`, priced by the design's technology table), refused with
    /// the reason where the top does not make its moves.
    #[arg(long, value_name = "M", default_value = "fixed")]
    mapper: MapperArg,
}

/// `--mapper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MapperArg {
    /// The fixed mapping.
    Fixed,
    /// The mapper's choice by energy x cycles.
    Edp,
    /// The mapper's choice by energy.
    Energy,
    /// The mapper's choice by cycles.
    Cycles,
}

impl MapperArg {
    /// The simulator's mapper for `arch`, priced as `onebit sim` prices it.
    fn mapper(self, arch: &sim::Accelerator) -> CliResult<sim::mapping::Mapper> {
        use super::sim::ObjectiveArg;
        let objective = match self {
            MapperArg::Fixed => return Ok(sim::mapping::Mapper::Fixed),
            MapperArg::Edp => ObjectiveArg::Edp,
            MapperArg::Energy => ObjectiveArg::Energy,
            MapperArg::Cycles => ObjectiveArg::Cycles,
        };
        let tech = crate::tech_arg::load_tech_for(None, arch)?;
        Ok(super::sim::mapper_for(arch, &tech, objective, false))
    }
}

/// `onebit rtl synth --arch A [--json FILE]`
#[derive(Debug, Args)]
struct SynthArgs {
    /// A design preset (see `onebit presets`) or an accelerator TOML file.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    /// Write the report (cells by type, GE, per module) as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Keep Yosys's inputs and statistics here.
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// Technology table for the area: `7nm`, `16nm`, `28nm`, `45nm`, or a
    /// TOML file; default: the design's `technology`, else 7nm.
    #[arg(long, value_name = "FILE|7nm|16nm|28nm|45nm")]
    tech: Option<String>,
    /// The top: `tile` (the lane array) or `accel` (the whole accelerator, SRAMs as blackboxes).
    #[arg(long, default_value = "tile", value_name = "tile|accel")]
    top: String,
    /// AXI4 data bits of the accelerator top: 64, 128, 256 or 512.
    #[arg(long, default_value_t = 64, value_name = "BITS")]
    axi_bits: u32,
}

/// `onebit rtl bench --arch A [--cycles N]`
#[derive(Debug, Args)]
struct BenchArgs {
    /// A design preset (see `onebit presets`) or an accelerator TOML file.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    /// Cycles to simulate.
    #[arg(long, default_value_t = 2_000_000, value_name = "N")]
    cycles: u64,
    /// Chunks in the replayed pool.
    #[arg(long, default_value_t = 256, value_name = "N")]
    vectors: usize,
    /// Keep sources, vectors and the build here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// Parallel compile jobs (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Verilator simulation threads.
    #[arg(long, default_value_t = 1, value_name = "N")]
    threads: usize,
    /// C++ optimization of the Verilator model (`OPT_FAST`).
    #[arg(long, default_value = "-O3", value_name = "FLAG")]
    opt: String,
}

/// The exit code of an `rtl-gen` error: refusals, missing tools and bad
/// files are usage or input errors (2); a tool that ran and failed on the
/// generated design is a failed check (1).
fn cli_error(e: RtlError) -> CliError {
    match e {
        RtlError::Io { path, source } => CliError::Io { path, source },
        RtlError::ToolFailed { .. } => CliError::CheckFailed(e.to_string()),
        other => CliError::Usage(other.to_string()),
    }
}

impl RtlCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        match self.action {
            RtlAction::Emit(a) => a.exec(),
            RtlAction::Check(a) => a.exec(),
            RtlAction::Synth(a) => a.exec(),
            RtlAction::Bench(a) => a.exec(),
        }
    }
}

impl EmitArgs {
    fn exec(self) -> CliResult {
        if super::rtl_accel::is_accel(&self.top)? {
            let arch = load_arch(&self.arch)?;
            return super::rtl_accel::emit(&arch, self.axi_bits, &self.out);
        }
        check_dir(&self.out, "rtl")?;
        let arch = load_arch(&self.arch)?;
        let e = rtl_gen::emit(&arch).map_err(cli_error)?;
        for note in rtl_gen::manifest::not_generated(&arch.array) {
            crate::stdio::errln(format!("warning: {}: {note}", arch.name))?;
        }
        let mut files = reports::Output::new();
        for (name, text) in e.files() {
            files.add(name, text);
        }
        write_dir(&self.out, &files, "rtl")?;
        let mut s = String::new();
        for (name, _) in &files.files {
            s += &format!("wrote {}\n", self.out.join(name).display());
        }
        out(s)?;
        let t = &e.design.timing;
        outln(format!(
            "{}: {} lanes x {} ({} reduction), {}-bit accumulators, latency {}, initiation interval {}",
            e.design.top(),
            e.design.lanes(),
            e.design.width(),
            e.design.reduction().name(),
            e.design.acc_bits,
            t.latency,
            t.initiation_interval
        ))
    }
}

fn finish(report: &CheckReport) -> CliResult {
    out(report.summary())?;
    if report.passed() {
        Ok(())
    } else {
        let bad: Vec<&str> = report
            .cases
            .iter()
            .filter(|c| !c.passed())
            .map(|c| c.design.as_str())
            .collect();
        Err(CliError::CheckFailed(format!(
            "the RTL of {} does not match the simulator (or does not lint clean)",
            bad.join(", ")
        )))
    }
}

impl CheckArgs {
    fn exec(self) -> CliResult {
        let sim: Simulator = self
            .sim
            .parse()
            .map_err(|e: String| CliError::Usage(format!("--sim {}: {e}", self.sim)))?;
        if super::rtl_accel::is_accel(&self.top)? {
            let layers =
                super::rtl_accel::layers(self.gemm.as_deref(), self.trace.as_deref(), self.ops)?;
            let arch = load_arch(&self.arch)?;
            let mapper = self.mapper.mapper(&arch)?;
            return super::rtl_accel::check(
                &arch,
                self.axi_bits,
                &layers,
                self.seed,
                self.random,
                self.work,
                crate::jobs_arg::resolve(self.jobs)?,
                self.inject_fault,
                self.chain,
                self.requant_shift,
                sim,
                self.int8_out,
                mapper,
            );
        }
        if self.gemm.is_some()
            || self.trace.is_some()
            || self.random
            || self.chain
            || self.requant_shift.is_some()
            || self.int8_out.is_some()
            || self.mapper != MapperArg::Fixed
        {
            return Err(CliError::Usage(
                "--gemm, --trace, --chain, --requant-shift, --int8-out, --mapper and --random check the accelerator top: add --top accel"
                    .into(),
            ));
        }
        if self.vectors == 0 {
            return Err(CliError::Usage("--vectors must be at least 1".into()));
        }
        if let Some(v) = &self.vcd {
            check_file(v)?;
        }
        let arch = load_arch(&self.arch)?;
        let opts = CheckOptions {
            seed: self.seed,
            vectors: self.vectors,
            sim,
            vcd: self.vcd,
            work: self.work,
            jobs: crate::jobs_arg::resolve(self.jobs)?,
            ..CheckOptions::default()
        };
        let mut case = Case::new(&arch, opts.seed, opts.vectors).map_err(cli_error)?;
        if self.inject_fault {
            inject_fault(&mut case);
        }
        let report = run_cases(vec![case], &opts).map_err(cli_error)?;
        finish(&report)
    }
}

/// Inverts `in_ready` in the top module (a test of the check itself).
fn inject_fault(case: &mut Case) {
    for (_, text) in &mut case.emitted.verilog {
        *text = text
            .lines()
            .map(
                |l| match l.trim_start().strip_prefix("assign in_ready = ") {
                    Some(e) => format!("    assign in_ready = ~({});\n", e.trim_end_matches(';')),
                    None => format!("{l}\n"),
                },
            )
            .collect();
    }
}

impl SynthArgs {
    fn exec(self) -> CliResult {
        if super::rtl_accel::is_accel(&self.top)? {
            let arch = load_arch(&self.arch)?;
            if let Some(path) = &self.json {
                check_file(path)?;
            }
            return super::rtl_accel::synth(
                &arch,
                self.axi_bits,
                self.work.as_deref(),
                self.json.as_deref(),
            );
        }
        let arch = load_arch(&self.arch)?;
        let tech = load_tech_for(self.tech.as_deref(), &arch)?;
        if let Some(path) = &self.json {
            check_file(path)?;
        }
        let r = synthesize(&arch, self.work.as_deref()).map_err(cli_error)?;
        out(r.summary())?;
        let counts = energy_model::area::CellCounts {
            cells: r.cells.clone(),
        };
        match energy_model::area::with_cell_counts(&arch, &tech, &counts) {
            Ok(a) => outln(format!(
                "  lane array at {}: {:.4} mm² from these cells (estimate without them: {:.4} mm²)",
                tech.name,
                a.array_mm2,
                energy_model::area::estimate(&arch, &tech).array_mm2
            ))?,
            Err(e) => outln(format!("  (no area: {e})"))?,
        }
        if let Some(path) = &self.json {
            write_file(path, r.to_json().as_bytes())?;
        }
        Ok(())
    }
}

impl BenchArgs {
    fn exec(self) -> CliResult {
        if self.vectors == 0 || self.cycles == 0 {
            return Err(CliError::Usage(
                "--vectors and --cycles must be at least 1".into(),
            ));
        }
        if self.threads == 0 {
            return Err(CliError::Usage("--threads must be at least 1".into()));
        }
        let threads = crate::jobs_arg::resolve_flag("--threads", Some(self.threads))?;
        let arch = load_arch(&self.arch)?;
        let opts = CheckOptions {
            vectors: self.vectors,
            work: self.work,
            jobs: crate::jobs_arg::resolve(self.jobs)?,
            threads,
            opt: self.opt,
            ..CheckOptions::default()
        };
        let report = bench(&arch, self.cycles, &opts).map_err(cli_error)?;
        finish(&report)
    }
}
