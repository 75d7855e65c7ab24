//! `onebit merge DIR... --out DIR`: joins the shards of a sweep.

use crate::error::{CliError, CliResult};
use std::path::Path;

/// Renders the report of the sweep in `dir` into `out`.
pub fn report_sweep_dir(dir: &Path, _out: &Path) -> CliResult {
    Err(CliError::file(dir, "sweep reports are not implemented yet"))
}
