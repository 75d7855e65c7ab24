//! The technology table a command prices events with: `--tech FILE|7nm|16nm|28nm|45nm`,
//! else the table the design names (`technology`), else 7 nm.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use energy_model::Technology;
use std::path::Path;

/// The default 7 nm table, a built-in table by name, or a user file that
/// overrides entries of one (docs/energy.md).
pub fn load_tech(spec: Option<&str>) -> CliResult<Technology> {
    let Some(spec) = spec else {
        return Ok(Technology::default_7nm());
    };
    let path = Path::new(spec);
    if path.exists() || spec.ends_with(".toml") {
        let text = read_text(path)?;
        return Technology::from_override_toml(&text, &path.display().to_string())
            .map_err(|e| CliError::at(path, e.line, e.col, &e.message));
    }
    Technology::builtin(spec).ok_or_else(|| {
        CliError::Usage(format!(
            "--tech {spec}: no such file, and not a built-in table; the built-in tables are: {}",
            Technology::builtin_names().join(", ")
        ))
    })
}

/// `--tech` when given, else the table `arch` names in its `technology`
/// key, else the default 7 nm table.
pub fn load_tech_for(spec: Option<&str>, arch: &sim::Accelerator) -> CliResult<Technology> {
    match (spec, &arch.technology) {
        (None, Some(name)) => Technology::builtin(name).ok_or_else(|| {
            CliError::Usage(format!(
                "design {}: `technology` = \"{name}\" is not a built-in table; the built-in tables are: {}",
                arch.name,
                Technology::builtin_names().join(", ")
            ))
        }),
        _ => load_tech(spec),
    }
}
