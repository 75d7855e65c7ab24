//! `onebit paper chips [--report DIR]`: published BitNet chips beside
//! onebit's predictions for their re-created presets (energy_model::chips),
//! presented by reports::chips.

use crate::error::{CliError, CliResult};
use crate::output::{check_dir, write_dir};
use std::path::Path;

/// Runs `onebit paper chips`.
pub fn exec(report: Option<&Path>, tech: Option<&str>) -> CliResult {
    if tech.is_some() {
        return Err(CliError::Usage(
            "--tech does not apply to `paper chips`: each chip is priced in the technology table its preset names (`technology`)".into(),
        ));
    }
    if let Some(dir) = report {
        check_dir(dir, "report")?;
    }
    let rep = energy_model::chips::chips().map_err(CliError::Usage)?;
    if let Some(dir) = report {
        write_dir(dir, &reports::chips::output(&rep), "report")?;
    }
    crate::stdio::out(reports::chips::text(&rep))
}
