//! The design a command works on: `--arch PRESET|FILE`.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use sim::arch::{from_toml, preset, preset_names};
use sim::Accelerator;
use std::path::Path;

/// Loads a preset by name, or an accelerator TOML file by path.
pub fn load_arch(spec: &str) -> CliResult<Accelerator> {
    let path = Path::new(spec);
    if path.is_file() || spec.ends_with(".toml") {
        let text = read_text(path)?;
        return from_toml(&text).map_err(|e| CliError::at(path, e.line, e.col, &e.message));
    }
    preset(spec).ok_or_else(|| {
        CliError::Usage(format!(
            "--arch {spec}: no such file, and not a preset; the presets are: {}",
            preset_names().join(", ")
        ))
    })
}
