//! `onebit report RESULT.json... --out DIR`: the report page of one or more
//! priced simulation runs (`onebit sim --json`), or of a sweep
//! (`sweep.json` in a sweep's output directory), rendered again from its
//! files. Also the one place that writes a report's files.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::files::{read_text, write_atomic};
use clap::Args;
use reports::{Output, Run};
use std::path::{Path, PathBuf};

/// `onebit report RESULT.json... --out DIR [--arch PRESET|FILE]`
#[derive(Debug, Args)]
pub struct ReportCmd {
    /// Results of `onebit sim --json` (several: one page comparing them), or
    /// a sweep's `sweep.json` (or its directory).
    #[arg(value_name = "RESULT.json", required = true)]
    inputs: Vec<PathBuf>,
    /// Directory for report.html, summary.md, figures/ and tables/.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The design the results ran on, for results that do not carry it
    /// (`onebit sim --json` names a preset; a custom design needs its file).
    #[arg(long, value_name = "PRESET|FILE")]
    arch: Option<String>,
}

/// Writes every file of `out` under `dir` (each atomically), creating the
/// directories it needs.
pub fn write_output(dir: &Path, out: &Output) -> CliResult {
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
    for (rel, contents) in &out.files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::io(parent, e))?;
        }
        write_atomic(&path, contents)?;
    }
    Ok(())
}

/// A report that failed to render (a bug, not bad input).
pub fn render_error(e: String) -> CliError {
    CliError::Usage(format!("cannot render the report: {e}"))
}

impl ReportCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let arch = self.arch.as_deref().map(load_arch).transpose()?;
        let sweeps: Vec<&PathBuf> = self
            .inputs
            .iter()
            .filter(|p| p.is_dir() || p.file_name().is_some_and(|f| f == "sweep.json"))
            .collect();
        if !sweeps.is_empty() {
            if self.inputs.len() != 1 {
                return Err(CliError::Usage(
                    "a sweep is reported on its own: pass one sweep directory (or its sweep.json); join shards with `onebit merge`".into(),
                ));
            }
            return crate::cmd::merge::report_sweep_dir(sweeps[0], &self.out);
        }
        let mut runs = Vec::new();
        for p in &self.inputs {
            let text = read_text(p)?;
            runs.push(Run::from_json(&text, arch.as_ref()).map_err(|e| CliError::file(p, e))?);
        }
        let out = reports::sim_report::report(&runs).map_err(render_error)?;
        write_output(&self.out, &out)?;
        println!(
            "report of {} run{}: {}",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" },
            self.out.join("report.html").display()
        );
        Ok(())
    }
}
