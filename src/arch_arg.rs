//! The design a command works on: `--arch PRESET|FILE`.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use sim::arch::{from_toml, preset, preset_names};
use sim::Accelerator;
use std::path::Path;

/// Loads a preset by name, or an accelerator TOML file by path.
pub fn load_arch(spec: &str) -> CliResult<Accelerator> {
    let path = Path::new(spec);
    let what = crate::files::not_a_file(path)
        .or_else(|| char_device(path).then_some("a character device"));
    if let Some(what) = what {
        return Err(CliError::file(
            path,
            format!("is {what}, expected an accelerator TOML file or a preset name"),
        ));
    }
    // a file, or a pipe (`--arch <(onebit presets --toml NAME)`)
    if path.exists() || spec.ends_with(".toml") {
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

/// Whether `path` is a character device (a terminal, `/dev/null`).
fn char_device(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// A multi-chip system, when `spec` names a system preset or a TOML file
/// with a `[system]` table (docs/system.md); `None` for a single design.
pub fn load_system(spec: &str) -> CliResult<Option<sim::system::SystemDesign>> {
    if let Some(text) = sim::system::system_preset_text(spec) {
        return sim::system::system_from_toml(text)
            .map(Some)
            .map_err(|e| CliError::Usage(format!("system preset {spec}: {}", e.message)));
    }
    let path = Path::new(spec);
    if !path.is_file() {
        return Ok(None);
    }
    let text = read_text(path)?;
    if !sim::system::is_system_toml(&text) {
        return Ok(None);
    }
    sim::system::system_from_toml(&text)
        .map(Some)
        .map_err(|e| CliError::at(path, e.line, e.col, &e.message))
}
