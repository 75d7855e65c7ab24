//! Reading and writing a system description: an accelerator TOML file
//! (the chip) with a `[system]` table and its `[system.link]`, or a
//! `[system]` table alone naming a preset chip with `chip = "..."`
//! (docs/system.md).

use super::{SystemConfig, SystemDesign};
use crate::arch::{from_toml, preset, preset_names, to_toml, ArchError};
use serde::{Deserialize, Serialize};

/// Whether `text` is a system description (has a `[system]` table).
pub fn is_system_toml(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|t| t.get("system").is_some_and(toml::Value::is_table))
}

#[derive(Deserialize)]
struct SystemOnly {
    system: SystemConfig,
    #[serde(flatten)]
    _rest: toml::Table,
}

#[derive(Serialize)]
struct SystemOut<'a> {
    system: &'a SystemConfig,
}

/// 1-based line and column of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Whether a header line opens a `system` table (`[system]`, `[system.link]`).
fn is_system_header(t: &str) -> bool {
    let inner = t.trim_start_matches('[').trim_start();
    t.starts_with('[') && (inner.starts_with("system]") || inner.starts_with("system."))
}

/// The text with every line of the `system` tables blanked (line numbers
/// kept, so the chip's errors point into the user's file), and the byte
/// offset of each system line for locating keys.
fn split_system(text: &str) -> (String, Vec<(usize, String)>) {
    let mut chip = String::with_capacity(text.len());
    let mut lines = Vec::new();
    let mut in_system = false;
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        let t = l.trim();
        if t.starts_with('[') {
            in_system = is_system_header(t);
        }
        if in_system {
            lines.push((offset, l.to_string()));
            chip.push_str(if l.ends_with('\n') { "\n" } else { "" });
        } else {
            chip.push_str(l);
        }
        offset += l.len();
    }
    (chip, lines)
}

/// Where key `system.link.x` (or `system.x`) is written.
fn locate(text: &str, lines: &[(usize, String)], key: &str) -> (usize, usize) {
    let (table, last) = match key.rsplit_once('.') {
        Some((t, l)) => (t, l),
        None => ("system", key),
    };
    let mut current = String::new();
    for (off, l) in lines {
        let t = l.trim();
        if t.starts_with('[') {
            current = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            if current == table && key == table {
                return line_col(text, *off);
            }
            continue;
        }
        if current == table {
            if let Some((k, _)) = t.split_once('=') {
                if k.trim().trim_matches('"') == last {
                    let col = l.len() - l.trim_start().len();
                    return line_col(text, off + col);
                }
            }
        }
    }
    lines.first().map_or((1, 1), |(o, _)| line_col(text, *o))
}

/// Reads a system description. Errors name the line, column and key.
pub fn system_from_toml(text: &str) -> Result<SystemDesign, ArchError> {
    let (chip_text, lines) = split_system(text);
    let parsed: SystemOnly = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, col) = line_col(text, offset);
        ArchError {
            line,
            col,
            key: "system".into(),
            message: format!(
                "in the `[system]` table: {}",
                crate::arch::toml_message(e.message(), e.span().map(|s| s.start), text)
            ),
        }
    })?;
    let system = parsed.system;
    system.validate().map_err(|e| {
        let (line, col) = locate(text, &lines, &e.key);
        ArchError {
            line,
            col,
            key: e.key,
            message: e.message,
        }
    })?;
    let has_chip_tables = chip_text
        .lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && !l.starts_with('#'));
    let chip = match (&system.chip, has_chip_tables) {
        (Some(name), false) => preset(name).ok_or_else(|| {
            let (line, col) = locate(text, &lines, "system.chip");
            ArchError {
                line,
                col,
                key: "system.chip".into(),
                message: format!(
                    "`system.chip` = \"{name}\" is not a preset; the presets are: {}",
                    preset_names().join(", ")
                ),
            }
        })?,
        (Some(_), true) => {
            let (line, col) = locate(text, &lines, "system.chip");
            return Err(ArchError {
                line,
                col,
                key: "system.chip".into(),
                message: "`system.chip` names a preset but the file also describes the chip in its own tables: keep one".into(),
            });
        }
        (None, _) => from_toml(&chip_text)?,
    };
    Ok(SystemDesign { chip, system })
}

/// Writes a system description: the chip's tables, then `[system]`
/// (without `chip`, the chip being written out).
pub fn system_to_toml(d: &SystemDesign) -> String {
    let mut sys = d.system.clone();
    sys.chip = None;
    let tail = toml::to_string(&SystemOut { system: &sys }).unwrap_or_default();
    format!(
        "{}\n# The system: chips, parallel degrees, topology and links (docs/system.md).\n{tail}",
        to_toml(&d.chip)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYS: &str = r#"
[system]
chip = "edge-ternary"
chips = 4
tp = 4
topology = "ring"

[system.link]
bandwidth_gbps = 16.0
latency_us = 1.0
links_per_chip = 2
energy_pj_per_bit = 1.0
energy_source = "test"
"#;

    #[test]
    fn reads_a_preset_chip_and_round_trips() {
        assert!(is_system_toml(SYS));
        let d = system_from_toml(SYS).unwrap();
        assert_eq!(d.chip.name, "edge_ternary");
        assert_eq!(d.system.tp, 4);
        let back = system_from_toml(&system_to_toml(&d)).unwrap();
        assert_eq!(back.chip, d.chip);
        assert_eq!(back.system.link, d.system.link);
        assert!(!is_system_toml(&to_toml(&d.chip)));
    }

    #[test]
    fn refusals_name_key_and_line() {
        let bad = SYS.replace("chips = 4", "chips = 3");
        let e = system_from_toml(&bad).unwrap_err();
        assert_eq!((e.key.as_str(), e.line), ("system.chips", 4), "{e:?}");
        let bad = SYS.replace("latency_us = 1.0", "latency_us = -1.0");
        let e = system_from_toml(&bad).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.line),
            ("system.link.latency_us", 10),
            "{e:?}"
        );
        let bad = SYS.replace("topology = \"ring\"", "topology = \"torus\"");
        let e = system_from_toml(&bad).unwrap_err();
        assert_eq!(e.line, 6, "{e:?}");
        let bad = SYS.replace("edge-ternary", "no-such-chip");
        let e = system_from_toml(&bad).unwrap_err();
        assert!(e.message.contains("not a preset"), "{e:?}");
    }
}
