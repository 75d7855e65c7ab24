//! `onebit check FILE...`: validates input files without running anything
//! and prints a one-line summary of each good file.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::model_arg::load_hf_config;
use clap::Args;
use std::path::{Path, PathBuf};
use workloads::{trace, OpGraph};

/// `onebit check FILE...`
#[derive(Debug, Args)]
pub struct CheckCmd {
    /// Files to validate: traces (`onebit-trace` header), Hugging Face
    /// config.json files (`.json`), accelerator descriptions (`.toml`) or
    /// technology tables (`.toml` with a `[technology]` table).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Validates an accelerator description and returns its summary line.
fn check_accelerator(path: &Path) -> CliResult<String> {
    let text = read_text(path)?;
    let a =
        sim::arch::from_toml(&text).map_err(|e| CliError::at(path, e.line, e.col, &e.message))?;
    let ar = &a.array;
    let acc = match ar.acc_bits {
        Some(b) => format!("{b}-bit accumulators"),
        None => match sim::arch::acc_bits_for(ar.max_k, ar.activations, ar.weights) {
            Some(b) => format!("{b}-bit accumulators (derived for K <= {})", ar.max_k),
            None => "fp32 accumulators".to_string(),
        },
    };
    let warnings = sim::memory::design_warnings(&a);
    for w in &warnings {
        crate::stdio::errln(format!("warning: {}: {w}", path.display()))?;
    }
    let reachable = warnings
        .iter()
        .find(|w| matches!(w, sim::memory::DesignWarning::DramWindow { .. }))
        .map_or(String::new(), |w| {
            format!(" (unreachable: {:.2} GB/s sustained)", w.reachable())
        });
    Ok(format!(
        "{}: accelerator {}, {} {}x{}, {} weights / {} activations, {}, {} {} GB/s{reachable}",
        path.display(),
        a.name,
        ar.reduction.name(),
        ar.lanes,
        ar.width,
        ar.weights,
        ar.activations,
        acc,
        crate::cmd::presets::dram_kind(a.dram.kind),
        a.dram.bandwidth_gbps
    ))
}

/// Validates a technology table (a TOML file with a `[technology]` table)
/// and returns its summary line.
fn check_technology(path: &Path, text: &str) -> CliResult<String> {
    let t = energy_model::Technology::from_override_toml(text, &path.display().to_string())
        .map_err(|e| CliError::at(path, e.line, e.col, &e.message))?;
    Ok(format!(
        "{}: technology {}, {} of {} entries set by the file",
        path.display(),
        t.name,
        t.overridden.len(),
        energy_model::Key::ALL.len()
    ))
}

/// Validates one file and returns its summary line.
fn check_file(path: &Path) -> CliResult<String> {
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml {
        let text = read_text(path)?;
        if energy_model::tech::is_technology_file(&text) {
            return check_technology(path, &text);
        }
        return check_accelerator(path);
    }
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let m = load_hf_config(path)?;
        return Ok(format!(
            "{}: config.json, {} model, {} layers, hidden {}, {:.3}B parameters",
            path.display(),
            m.family,
            m.layers,
            m.hidden,
            m.params().total() as f64 / 1e9
        ));
    }
    let text = read_text(path)?;
    let t = trace::parse(&text).map_err(|e| {
        CliError::at(
            path,
            e.line,
            e.col,
            format!("expected {}, found {}", e.expected, e.found),
        )
    })?;
    OpGraph::new(&t).map_err(|e| CliError::file(path, e))?;
    Ok(format!(
        "{}: trace v{}, model {}, {} batch {} seq {}, {} operators, {:.3} GMAC, {:.1} MiB read",
        path.display(),
        trace::TRACE_VERSION,
        t.meta.model,
        t.meta.phase,
        t.meta.batch,
        t.meta.seq,
        t.ops.len(),
        t.macs() as f64 / 1e9,
        t.wbytes() as f64 / (1u64 << 20) as f64
    ))
}

impl CheckCmd {
    /// Runs the subcommand: every file is checked and every error reported.
    pub fn exec(self) -> CliResult {
        let mut errors = Vec::new();
        for f in &self.files {
            match check_file(f) {
                Ok(line) => crate::stdio::outln(format!("ok  {line}"))?,
                Err(e) => errors.push(e),
            }
        }
        // All but the last are printed here, the last by `main`, so they
        // appear in file order.
        let last = errors.pop();
        for e in errors {
            crate::stdio::report_error(&e);
        }
        last.map_or(Ok(()), Err)
    }
}
