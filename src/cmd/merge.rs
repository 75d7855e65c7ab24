//! `onebit merge DIR... --out DIR`: joins the outputs of a sweep's shards
//! (`onebit sweep --shard I/N`) into the result of the whole sweep, byte
//! for byte what one unsharded run writes, and its report.

use crate::cmd::report::render_error;
use crate::cmd::sweep::{check_outputs, write_sweep};
use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::output::{check_dir, require_complete, write_dir};
use crate::stdio::outln;
use clap::Args;
use reports::sweep::store::{self, Meta};
use reports::sweep::PointResult;
use std::path::{Path, PathBuf};

/// `onebit merge DIR... --out DIR [--report DIR]`
#[derive(Debug, Args)]
pub struct MergeCmd {
    /// Output directories of `onebit sweep --shard I/N`, one per shard.
    #[arg(value_name = "DIR", required = true)]
    dirs: Vec<PathBuf>,
    /// Directory for the merged sweep.json, points.csv, points.jsonl and pareto plot.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write the report page of the whole sweep into DIR.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
}

/// Reads a complete sweep output directory (or its sweep.json): one a
/// killed run left, or one without the completion marker, is refused.
pub fn load_dir(dir: &Path) -> CliResult<(Meta, Vec<PointResult>)> {
    let dir = if dir.is_file() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    } else {
        dir
    };
    if !dir.is_dir() {
        return Err(CliError::file(
            dir,
            "no such sweep output directory (a sweep that was stopped leaves none)",
        ));
    }
    require_complete(dir, "sweep")?;
    let meta = read_text(&dir.join("sweep.json"))?;
    let jsonl = read_text(&dir.join("points.jsonl"))?;
    store::load(&meta, &jsonl).map_err(|e| CliError::located(dir, e))
}

/// Renders the report of the sweep in `dir` into `out`.
pub fn report_sweep_dir(dir: &Path, out: &Path) -> CliResult {
    check_dir(out, "report")?;
    let (meta, points) = load_dir(dir)?;
    let o = reports::sweep::report::report(&meta, &points).map_err(render_error)?;
    write_dir(out, &o, "report")?;
    outln(format!(
        "report of a sweep of {} points: {}",
        meta.points,
        out.join("report.html").display()
    ))
}

impl MergeCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        check_outputs(&self.out, self.report.as_deref())?;
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        };
        if let Some(d) = self.dirs.iter().find(|d| same(d, &self.out)) {
            return Err(CliError::Usage(format!(
                "--out {} is one of the shards to merge: write the merged sweep to its own directory",
                d.display()
            )));
        }
        let mut parts = Vec::new();
        for d in &self.dirs {
            parts.push(load_dir(d)?);
        }
        let (meta, points) = store::merge(parts).map_err(CliError::Usage)?;
        outln(format!(
            "merged {} shard{} of a sweep of {} points",
            self.dirs.len(),
            if self.dirs.len() == 1 { "" } else { "s" },
            meta.points
        ))?;
        write_sweep(&meta, &points, &self.out, self.report.as_deref())
    }
}
