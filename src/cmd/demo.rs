//! `onebit demo [--out DIR]`: the tour in one command, on built-in
//! defaults. Simulates microsoft/bitnet-b1.58-2B-4T (decode at KV length
//! 2048 and prefill of a 512-token prompt) on the default ternary design
//! on its FP16 baseline and on the stronger of its quantized baselines of
//! the same area (W4A8 or W8A8), prices them at 7 nm, writes the full report
//! (with the FP16 vs ternary vs binary comparison across model sizes),
//! emits the default design's Verilog and checks it against the simulator
//! when Verilator is installed, and prints where to look.

use crate::cmd::report::render_error;
use crate::error::{CliError, CliResult};
use crate::output::{check_dir, write_dir};
use crate::stdio::outln;
use clap::Args;
use energy_model::Technology;
use reports::Run;
use sim::simulate;
use std::path::{Path, PathBuf};
use std::time::Instant;
use workloads::trace::{generate, TraceOptions};
use workloads::{zoo, Phase};

/// The model of the demo.
pub const MODEL: &str = "bitnet-b1.58-2B-4T";
/// The FP16 baseline of the default design.
pub const BASELINE: &str = "edge-fp16";
/// The quantized baselines of the default design (same area and memory).
pub const QUANTIZED: [&str; 2] = ["edge-w4a8", "edge-w8a8"];
/// Prompt length of the prefill step (keeps the demo well under a minute).
pub const PREFILL_SEQ: u64 = 512;
/// KV length of the decode step (`onebit sim`'s default).
pub const DECODE_SEQ: u64 = 2048;

/// `onebit demo [--out DIR]`
#[derive(Debug, Args)]
pub struct DemoCmd {
    /// Directory for the report, its plots and tables, and the RTL.
    #[arg(long, value_name = "DIR", default_value = "onebit-out")]
    out: PathBuf,
    /// Do not emit and check the RTL.
    #[arg(long)]
    no_rtl: bool,
}

fn run(arch: &sim::Accelerator, tech: &Technology, phase: Phase, seq: u64) -> CliResult<Run> {
    let mut model = zoo::find(MODEL).ok_or_else(|| CliError::Usage(format!("no model {MODEL}")))?;
    // a baseline runs the same shapes with its own weights (FP16, INT4, INT8)
    let w = arch.array.weights;
    if w != model.weights {
        model = model.with_encoding(w);
        model.name = format!("{}@{w}", model.name);
    }
    let trace = generate(
        &model,
        &TraceOptions {
            phase,
            seq,
            batch: 1,
            kv: Some(arch.attention.kv_format()),
            ..TraceOptions::default()
        },
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let r = simulate(arch, &trace, energy_model::default_options(arch, tech))
        .map_err(|e| CliError::Usage(format!("{MODEL} on {}: {e}", arch.name)))?;
    let area = energy_model::area::estimate(arch, tech);
    let e = energy_model::energy::estimate_with_area(arch, &r, tech, &area);
    Ok(Run::new(&r, &e, &area, arch))
}

/// The default design's Verilog and manifest as files under `rtl/`, or
/// why there are none.
fn rtl_files(arch: &sim::Accelerator, out: &mut reports::Output) -> Result<(), String> {
    let emitted = rtl_gen::emit(arch).map_err(|e| format!("not emitted: {e}"))?;
    for (name, text) in emitted.files() {
        out.add(format!("rtl/{name}"), text);
    }
    Ok(())
}

/// What happened to the RTL check, in one line.
fn rtl_check(arch: &sim::Accelerator, dir: &Path) -> String {
    let written = format!("{} (Verilog and manifest)", dir.display());
    if rtl_gen::tools::find("verilator").is_none() {
        return format!(
            "{written}; not checked: Verilator is not installed ({})",
            rtl_gen::INSTALL_HINT
        );
    }
    let opts = rtl_gen::CheckOptions {
        vectors: 100,
        opt: "-O0".into(),
        ..rtl_gen::CheckOptions::default()
    };
    match rtl_gen::check(arch, &opts) {
        Ok(rep) if rep.passed() => format!(
            "{written}; checked with {}: lint clean, bit- and cycle-exact against the simulator on {} cycles",
            rep.sim_version, rep.cycles
        ),
        Ok(rep) => format!("{written}; CHECK FAILED:\n{}", rep.summary()),
        Err(e) => format!("{written}; the check did not run: {e}"),
    }
}

impl DemoCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let t0 = Instant::now();
        let tech = Technology::default_7nm();
        let ternary = sim::arch::preset(sim::arch::DEFAULT_PRESET)
            .ok_or_else(|| CliError::Usage("no default preset".into()))?;
        let fp16 = sim::arch::preset(BASELINE)
            .ok_or_else(|| CliError::Usage(format!("no preset {BASELINE}")))?;
        check_dir(&self.out, "demo")?;
        // the strongest quantized baseline: the lower decode energy per token
        let mut quantized = Vec::new();
        for name in QUANTIZED {
            let a = sim::arch::preset(name)
                .ok_or_else(|| CliError::Usage(format!("no preset {name}")))?;
            let r = run(&a, &tech, Phase::Decode, DECODE_SEQ)?;
            quantized.push((a, r));
        }
        quantized.sort_by(|x, y| x.1.per_token_total().total_cmp(&y.1.per_token_total()));
        let weaker = quantized
            .get(1)
            .map(|(a, r)| (a.name.clone(), r.per_token_total()));
        let (strong, strong_decode) = quantized
            .into_iter()
            .next()
            .ok_or_else(|| CliError::Usage("no quantized baseline".into()))?;
        outln(format!(
            "onebit demo: {MODEL} on {} (the default design), {} (its FP16 baseline) and {} (the stronger of its W4A8 and W8A8 baselines of the same area), {} technology",
            sim::arch::DEFAULT_PRESET,
            BASELINE,
            strong.name,
            tech.name
        ))?;
        let runs = vec![
            run(&ternary, &tech, Phase::Decode, DECODE_SEQ)?,
            run(&fp16, &tech, Phase::Decode, DECODE_SEQ)?,
            strong_decode,
            run(&ternary, &tech, Phase::Prefill, PREFILL_SEQ)?,
            run(&fp16, &tech, Phase::Prefill, PREFILL_SEQ)?,
            run(&strong, &tech, Phase::Prefill, PREFILL_SEQ)?,
        ];
        let baselines = reports::demo::baselines(&fp16, &strong, &ternary, weaker);
        // FP16 vs ternary vs binary across model sizes
        let trend = energy_model::paper::trend(&tech, BASELINE, sim::arch::DEFAULT_PRESET, 512, 1)
            .map_err(CliError::Usage)?;
        let (page, mut out) =
            reports::demo::page(&runs, &baselines, &tech, &trend).map_err(render_error)?;
        out.add_page(&page);
        let emitted = if self.no_rtl {
            Ok(())
        } else {
            rtl_files(&ternary, &mut out)
        };
        write_dir(&self.out, &out, "demo")?;

        crate::stdio::out(reports::demo::text(&runs, &baselines))?;
        let rtl_line = match emitted {
            _ if self.no_rtl => "skipped (--no-rtl)".to_string(),
            Ok(()) => rtl_check(&ternary, &self.out.join("rtl")),
            Err(e) => e,
        };
        let o = self.out.display();
        let mut s = format!("\nRTL of {}: {rtl_line}\n", ternary.name);
        s += &format!("\nWhere to look ({:.1} s):\n", t0.elapsed().as_secs_f64());
        s += &format!("  {o}/report.html   the report: open it in a browser\n");
        s += &format!("  {o}/summary.md    the same as Markdown\n");
        s += &format!("  {o}/figures/      every plot as SVG and PNG\n");
        s += &format!("  {o}/tables/       every table as CSV; {o}/runs/ the runs as JSON\n");
        if !self.no_rtl {
            s += &format!("  {o}/rtl/          the default design's Verilog and its manifest\n");
        }
        s += "Next: `onebit sim --help`, `onebit sweep --help`, docs/reports.md, docs/sweeps.md\n";
        crate::stdio::out(s)
    }
}
