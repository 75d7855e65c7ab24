//! `onebit report RESULT.json... --out DIR`: the report page of one or more
//! priced simulation runs (`onebit sim --json`), or of a sweep
//! (`sweep.json` in a sweep's output directory), rendered again from its
//! files. Also the one place that writes a report's files.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::output::{check_dir, write_dir};
use clap::Args;
use reports::Run;
use std::path::PathBuf;

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

/// A report that failed to render (a bug, not bad input).
pub fn render_error(e: String) -> CliError {
    CliError::Usage(format!("cannot render the report: {e}"))
}

impl ReportCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        check_dir(&self.out, "report")?;
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
            if self.arch.is_some() {
                return Err(CliError::Usage(
                    "--arch does not apply to a sweep: every point carries its own design".into(),
                ));
            }
            return crate::cmd::merge::report_sweep_dir(sweeps[0], &self.out);
        }
        let mut runs = Vec::new();
        for p in &self.inputs {
            let text = read_text(p)?;
            let run = Run::from_json(&text, arch.as_ref()).map_err(|e| CliError::located(p, e))?;
            if let (Some(a), Some(spec)) = (&arch, &self.arch) {
                if run.result.design != a.name {
                    return Err(CliError::Usage(format!(
                        "--arch {spec} describes design `{}`, but {} ran on `{}`: --arch gives the \
                         description of the design a result ran on",
                        a.name,
                        p.display(),
                        run.result.design
                    )));
                }
            }
            runs.push(run);
        }
        let out = reports::sim_report::report(&runs).map_err(render_error)?;
        write_dir(&self.out, &out, "report")?;
        crate::stdio::outln(format!(
            "report of {} run{}: {}",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" },
            self.out.join("report.html").display()
        ))
    }
}
