//! `onebit presets`: the built-in accelerator designs, as a table, as a
//! list of names, or one of them as an editable TOML file.

use crate::error::{CliError, CliResult};
use clap::Args;
use reports::{Align, Table};
use sim::arch::{preset, preset_names, preset_text, DramKind, DEFAULT_PRESET};
use sim::Accelerator;

/// `onebit presets [--names | --toml NAME]`
#[derive(Debug, Args)]
pub struct PresetsCmd {
    /// Print only the preset names, one a line.
    #[arg(long, conflicts_with = "toml")]
    names: bool,
    /// Print the preset NAME as a commented TOML file to edit and pass as
    /// `--arch FILE` (check it with `onebit check FILE`).
    #[arg(long, value_name = "NAME")]
    toml: Option<String>,
}

/// The DRAM technology as people write it.
pub fn dram_kind(k: DramKind) -> &'static str {
    match k {
        DramKind::Ddr4 => "DDR4",
        DramKind::Lpddr5 => "LPDDR5",
        DramKind::Hbm2e => "HBM2e",
        DramKind::Hbm3 => "HBM3",
    }
}

/// A number without trailing zeros (51.2, 1.5, 3276.8, 1).
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Multiply-accumulates a cycle of the lane array, sustained: lanes x
/// width / initiation interval.
fn macs_per_cycle(a: &Accelerator) -> u64 {
    u64::from(a.array.lanes) * u64::from(a.array.width)
        / u64::from(a.timing().initiation_interval.max(1))
}

fn row(name: &str, a: &Accelerator) -> Vec<String> {
    let ar = &a.array;
    let b = &a.buffers;
    vec![
        if name == DEFAULT_PRESET {
            format!("{name} *")
        } else {
            name.to_string()
        },
        ar.reduction.name().to_string(),
        format!("{}x{}", ar.lanes, ar.width),
        format!("{}/{}", ar.weights, ar.activations),
        macs_per_cycle(a).to_string(),
        num(a.clock_ghz),
        format!("{} {}", dram_kind(a.dram.kind), num(a.dram.bandwidth_gbps)),
        format!("{}/{}/{}", b.weights.kib, b.activations.kib, b.outputs.kib),
        a.description.clone(),
    ]
}

fn out(text: &str) -> CliResult {
    crate::stdio::out(text)
}

impl PresetsCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        if self.names {
            return out(&preset_names()
                .iter()
                .map(|n| format!("{n}\n"))
                .collect::<String>());
        }
        if let Some(name) = &self.toml {
            let text = preset_text(name)
                .or_else(|| sim::system::system_preset_text(name))
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "unknown preset `{name}`; the presets are: {}",
                        preset_names().join(", ")
                    ))
                })?;
            return out(text);
        }
        let mut t = Table::new(&[
            ("preset", Align::Left),
            ("reduction", Align::Left),
            ("lanes x width", Align::Right),
            ("weights/acts", Align::Left),
            ("MAC/cycle", Align::Right),
            ("GHz", Align::Right),
            ("DRAM GB/s", Align::Left),
            ("buffers KiB w/a/o", Align::Right),
            ("description", Align::Left),
        ]);
        for n in preset_names() {
            let a = preset(n).expect("listed preset exists");
            t.row(row(n, &a));
        }
        out(&format!(
            "{}\n* the default design. MAC/cycle = lanes x width / initiation interval (bit-serial \
             popcount walks the activation bit-planes).\nThe fp16 and int8 baselines have the same \
             lanes x width, DRAM and buffer capacities as their ternary counterparts.\n\
             `onebit presets --toml NAME > my.toml` writes one to edit; every key is in docs/accelerator.md.\n\
             Systems of several chips (docs/system.md; `--arch NAME`, `--toml NAME`): {}.\n",
            t.to_text(),
            sim::system::system_preset_names().join(", ")
        ))
    }
}
