//! The built-in accelerator presets: the TOML files of `presets/` at the
//! repository root, embedded in the binary. Each file begins with its
//! rationale and the sources of its memory numbers; docs/accelerator.md
//! tabulates them.

use super::Accelerator;

/// Every preset: its name (as typed on the command line) and its TOML
/// text. `edge-ternary` is the default design. The baselines (`*-fp16`,
/// `*-int8`) have the same lanes x width, DRAM and buffer capacities as
/// their ternary counterparts (iso-throughput, iso-memory); the quantized
/// baselines (`*-w8a8`, `*-w4a8`) the same DRAM and buffers and a MAC array
/// sized to the ternary counterpart's area (iso-area, iso-memory).
pub const PRESETS: &[(&str, &str)] = &[
    (
        "edge-ternary",
        include_str!("../../../presets/edge-ternary.toml"),
    ),
    ("edge-fp16", include_str!("../../../presets/edge-fp16.toml")),
    ("edge-int8", include_str!("../../../presets/edge-int8.toml")),
    ("edge-w8a8", include_str!("../../../presets/edge-w8a8.toml")),
    ("edge-w4a8", include_str!("../../../presets/edge-w4a8.toml")),
    ("edge-xnor", include_str!("../../../presets/edge-xnor.toml")),
    (
        "edge-popcount",
        include_str!("../../../presets/edge-popcount.toml"),
    ),
    ("edge-lut", include_str!("../../../presets/edge-lut.toml")),
    (
        "datacenter-ternary",
        include_str!("../../../presets/datacenter-ternary.toml"),
    ),
    (
        "datacenter-fp16",
        include_str!("../../../presets/datacenter-fp16.toml"),
    ),
    (
        "datacenter-int8",
        include_str!("../../../presets/datacenter-int8.toml"),
    ),
    (
        "datacenter-w8a8",
        include_str!("../../../presets/datacenter-w8a8.toml"),
    ),
    (
        "datacenter-w4a8",
        include_str!("../../../presets/datacenter-w4a8.toml"),
    ),
    (
        "systolic-ws-32x32",
        include_str!("../../../presets/systolic-ws-32x32.toml"),
    ),
    // published chips re-created from their papers (`onebit paper chips`)
    ("vitallm", include_str!("../../../presets/vitallm.toml")),
    ("tellme-v2", include_str!("../../../presets/tellme-v2.toml")),
    (
        "slim-llama",
        include_str!("../../../presets/slim-llama.toml"),
    ),
];

/// The name of the default design.
pub const DEFAULT_PRESET: &str = "edge-ternary";

/// The TOML text of the preset called `name`: case-insensitive, and `_`
/// may stand for `-` (so the design's own `name`, e.g. `edge_ternary`,
/// finds it too).
pub fn preset_text(name: &str) -> Option<&'static str> {
    let want = name.trim().replace('_', "-");
    PRESETS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(&want))
        .map(|(_, t)| *t)
}

/// The preset called `name` (see [`preset_text`] for the matching), or
/// `None` when there is no such preset.
pub fn preset(name: &str) -> Option<Accelerator> {
    preset_text(name).map(|t| {
        super::from_toml(t).unwrap_or_else(|e| panic!("built-in preset `{name}` is invalid: {e}"))
    })
}

/// The preset names, in table order (the default first).
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_names_match() {
        for (n, _) in PRESETS {
            let a = preset(n).unwrap();
            assert_eq!(a.name, n.replace('-', "_"), "{n}");
            assert!(!a.description.is_empty(), "{n}");
        }
        assert_eq!(preset_names()[0], DEFAULT_PRESET);
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert!(preset("EDGE-Ternary").is_some());
        assert!(preset("edge_ternary").is_some());
        assert!(preset("no-such").is_none());
    }

    #[test]
    fn files_start_with_their_rationale() {
        for (n, t) in PRESETS {
            let first = t.lines().next().unwrap();
            assert!(first.starts_with(&format!("# {n}: ")), "{n}: {first}");
            assert!(t.contains("Rationale"), "{n}");
        }
    }
}
