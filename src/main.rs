//! `onebit`: the command line of the onebit simulator. It parses arguments,
//! calls the workspace crates and prints; every subcommand lives in its own
//! file under `cmd/`.

mod arch_arg;
mod cmd;
mod error;
mod files;
mod jobs_arg;
mod journal;
mod model_arg;
mod output;
mod stdio;
mod tech_arg;
mod weights_arg;
mod workload_arg;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Cycle-level simulator, energy model and RTL generator for 1-bit and
/// 1.58-bit (BitNet) LLM accelerators.
#[derive(Debug, Parser)]
#[command(name = "onebit", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The tour in one command: simulate, price and report BitNet b1.58 2B4T on the default design and its FP16 baseline, and check the RTL.
    Demo(cmd::demo::DemoCmd),
    /// List the built-in models with their shapes and weight memory per encoding.
    Models(cmd::models::ModelsCmd),
    /// Write the layer trace of one forward step (decode or prefill) of a model.
    Trace(cmd::trace::TraceCmd),
    /// List the accelerator presets, or print one as an editable TOML file.
    Presets(cmd::presets::PresetsCmd),
    /// Simulate one decode or prefill step of a workload on a design, cycle by cycle.
    Sim(cmd::sim::SimCmd),
    /// Validate input files (traces, config.json, accelerator and technology TOML) without running anything.
    Check(cmd::check::CheckCmd),
    /// Reproduce a paper's energy and memory figures from the tool's own counts.
    Paper(cmd::paper::PaperCmd),
    /// Generate the design's Verilog, check it against the simulator, synthesize it.
    Rtl(cmd::rtl::RtlCmd),
    /// Write the report page (HTML, Markdown, plots, CSV) of simulation results or of a sweep.
    Report(cmd::report::ReportCmd),
    /// Replay a memory trace (Ramulator LD/ST lines or onebit's request stream) on a banked DRAM preset.
    Dram(cmd::dram::DramCmd),
    /// Simulate and price every point of a design space; mark and plot the Pareto front.
    Sweep(cmd::sweep::SweepCmd),
    /// Join the outputs of a sweep's shards into the result of the whole sweep.
    Merge(cmd::merge::MergeCmd),
    /// Per-tensor statistics of a GGUF or safetensors checkpoint's weights as the design's lanes see them.
    Weights(cmd::weights::WeightsCmd),
    /// Run one layer of a checkpoint through the design's bit-exact datapath (and, with --rtl, the generated tile).
    RunLayer(cmd::run_layer::RunLayerCmd),
}

/// Parses the command line; `--help` and `--version` are printed here
/// (through [`stdio`], so a failing standard output is exit 2, not a
/// silent 0), usage errors on standard error with exit 2.
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) => {
            let to_stdout = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
            let tty = if to_stdout {
                std::io::IsTerminal::is_terminal(&std::io::stdout())
            } else {
                std::io::IsTerminal::is_terminal(&std::io::stderr())
            };
            let text = if tty {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            if to_stdout {
                return Err(match stdio::out(&text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(err) => {
                        stdio::report_error(&err);
                        ExitCode::from(err.exit_code())
                    }
                });
            }
            // a usage error, or help shown for a missing subcommand
            let _ = stdio::err_bytes(text.as_bytes());
            Err(ExitCode::from(2))
        }
    }
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let result = match cli.command {
        Command::Models(c) => c.exec(),
        Command::Trace(c) => c.exec(),
        Command::Presets(c) => c.exec(),
        Command::Check(c) => c.exec(),
        Command::Sim(c) => c.exec(),
        Command::Paper(c) => c.exec(),
        Command::Rtl(c) => c.exec(),
        Command::Report(c) => c.exec(),
        Command::Demo(c) => c.exec(),
        Command::Dram(c) => c.exec(),
        Command::Sweep(c) => c.exec(),
        Command::Merge(c) => c.exec(),
        Command::Weights(c) => c.exec(),
        Command::RunLayer(c) => c.exec(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            stdio::report_error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
