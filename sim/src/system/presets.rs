//! The built-in system presets: the TOML files of `presets/systems/`,
//! embedded in the binary. Each begins with its rationale and the source
//! of its link figures.

use super::{system_from_toml, SystemDesign};

/// Every system preset: its name and its TOML text.
pub const SYSTEM_PRESETS: &[(&str, &str)] = &[
    (
        "edge-ternary-x4",
        include_str!("../../../presets/systems/edge-ternary-x4.toml"),
    ),
    (
        "edge-ternary-x8",
        include_str!("../../../presets/systems/edge-ternary-x8.toml"),
    ),
    (
        "datacenter-ternary-x2",
        include_str!("../../../presets/systems/datacenter-ternary-x2.toml"),
    ),
    (
        "a100-like-pp2",
        include_str!("../../../presets/systems/a100-like-pp2.toml"),
    ),
];

/// The TOML text of the system preset `name`.
pub fn system_preset_text(name: &str) -> Option<&'static str> {
    SYSTEM_PRESETS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, t)| *t)
}

/// The system preset `name`, parsed.
pub fn system_preset(name: &str) -> Option<SystemDesign> {
    system_preset_text(name).and_then(|t| system_from_toml(t).ok())
}

/// The names of the system presets.
pub fn system_preset_names() -> Vec<&'static str> {
    SYSTEM_PRESETS.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for (name, text) in SYSTEM_PRESETS {
            system_from_toml(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }
}
