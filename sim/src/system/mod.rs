//! Multi-chip systems: several copies of one accelerator design joined by
//! links, running a model tensor-parallel (Megatron-LM's column/row split of
//! the projections, attention heads split across chips) and
//! pipeline-parallel (layers in stages, micro-batches), with the collectives
//! and pipeline transfers run on the cycle-level engine's link unit
//! (docs/system.md).
//!
//! - [`SystemConfig`] is the `[system]` table: chips, degrees, topology and
//!   the [`LinkConfig`] of every chip's links;
//! - `link.rs` times one message over a link (packetization, latency);
//! - `collective.rs` turns a collective into message steps on the link unit;
//! - `parallel.rs` splits a trace into each chip's share;
//! - `run.rs` simulates a system and gathers its [`SystemResult`];
//! - `toml.rs` reads and writes a system description.

mod collective;
mod link;
mod parallel;
mod presets;
mod run;
mod toml;

pub use collective::{collective_steps, Collective, Step};
pub use link::wire_bytes;
pub use parallel::{shard_trace, stage_layers, CollectiveOp, COLLECTIVE_PREFIX};
pub use presets::{system_preset, system_preset_names, system_preset_text, SYSTEM_PRESETS};
pub use run::{simulate_collective, simulate_system, ChipResult, SystemError, SystemResult};
pub use toml::{is_system_toml, system_from_toml, system_to_toml};

use crate::arch::{Accelerator, InvalidValue};
use serde::{Deserialize, Serialize};

/// How the chips are wired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Topology {
    /// Each chip's links go to its two ring neighbours; collectives run as
    /// rings.
    Ring,
    /// Every pair of chips has a direct edge: a chip's links are shared
    /// evenly among its `chips - 1` peers.
    FullyConnected,
    /// Every chip's links go to a non-blocking switch; any chip reaches any
    /// other at the full bandwidth of its links, at the (end-to-end) link
    /// latency. Collectives run as rings through the switch.
    Switch,
}

impl Topology {
    /// The TOML name.
    pub fn name(self) -> &'static str {
        match self {
            Topology::Ring => "ring",
            Topology::FullyConnected => "fully-connected",
            Topology::Switch => "switch",
        }
    }
}

/// The links of one chip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// Bandwidth of one link in one direction, GB/s (10^9 bytes/s).
    pub bandwidth_gbps: f64,
    /// Latency of one message over a link (or through the switch), µs.
    pub latency_us: f64,
    /// Links per chip.
    pub links_per_chip: u32,
    /// Energy per bit moved over a link, pJ (both ends' PHYs and the wire).
    pub energy_pj_per_bit: f64,
    /// Where `energy_pj_per_bit` comes from (paper, datasheet, page).
    pub energy_source: String,
    /// Flit size in bytes; the header is rounded up to whole flits.
    #[serde(default = "default_flit")]
    pub flit_bytes: u32,
    /// Largest payload of one packet in bytes; 0: messages are not
    /// packetized (no per-packet header).
    #[serde(default)]
    pub payload_bytes: u32,
    /// Header bytes of a message and of each packet (rounded up to flits).
    #[serde(default)]
    pub header_bytes: u32,
}

/// The `[system]` table: how many chips, how the model is split, the links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemConfig {
    /// The per-chip design: a preset name, when the file does not describe
    /// the chip itself in its own tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chip: Option<String>,
    /// One line on what the system is for.
    #[serde(default)]
    pub description: String,
    /// Chips in the system; must equal `tp * pp`.
    pub chips: u32,
    /// Tensor-parallel degree: chips sharing every layer.
    #[serde(default = "one")]
    pub tp: u32,
    /// Pipeline-parallel degree: stages of consecutive layers.
    #[serde(default = "one")]
    pub pp: u32,
    /// Micro-batches a step's batch is cut into for the pipeline.
    #[serde(default = "one")]
    pub micro_batches: u32,
    /// How the chips are wired.
    pub topology: Topology,
    /// Fixed software/launch time of every collective, µs (GenZ charges
    /// 5 µs; 0 for a hardware collective engine).
    #[serde(default)]
    pub collective_startup_us: f64,
    /// Each chip's links.
    pub link: LinkConfig,
}

/// A system: the chip design and the `[system]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemDesign {
    /// The design of every chip.
    pub chip: Accelerator,
    /// How the chips are joined and the model split.
    pub system: SystemConfig,
}

/// Most chips a system may have.
pub const MAX_CHIPS: u32 = 4096;

fn one() -> u32 {
    1
}
fn default_flit() -> u32 {
    16
}

impl SystemConfig {
    /// Refuses out-of-range values, naming the key, the value and the
    /// accepted range.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        let int = |key: &str, v: u32, lo: u32, hi: u32| {
            if v < lo || v > hi {
                Err(InvalidValue {
                    key: format!("system.{key}"),
                    value: v.to_string(),
                    message: format!(
                        "`system.{key}` = {v} is out of range: expected an integer from {lo} to {hi}"
                    ),
                })
            } else {
                Ok(())
            }
        };
        let real = |key: &str, v: f64, lo: f64, hi: f64, open_lo: bool| {
            let bad = !v.is_finite() || v > hi || v < lo || (open_lo && v <= lo);
            if bad {
                let range = if open_lo {
                    format!("above {lo} up to {hi}")
                } else {
                    format!("from {lo} to {hi}")
                };
                Err(InvalidValue {
                    key: format!("system.{key}"),
                    value: v.to_string(),
                    message: format!(
                        "`system.{key}` = {v} is out of range: expected a number {range}"
                    ),
                })
            } else {
                Ok(())
            }
        };
        int("chips", self.chips, 1, MAX_CHIPS)?;
        int("tp", self.tp, 1, MAX_CHIPS)?;
        int("pp", self.pp, 1, MAX_CHIPS)?;
        int("micro_batches", self.micro_batches, 1, 65536)?;
        if u64::from(self.tp) * u64::from(self.pp) != u64::from(self.chips) {
            return Err(InvalidValue {
                key: "system.chips".into(),
                value: self.chips.to_string(),
                message: format!(
                    "`system.chips` = {} must equal `system.tp` x `system.pp` = {} x {} = {}",
                    self.chips,
                    self.tp,
                    self.pp,
                    u64::from(self.tp) * u64::from(self.pp)
                ),
            });
        }
        real(
            "collective_startup_us",
            self.collective_startup_us,
            0.0,
            1e6,
            false,
        )?;
        let l = &self.link;
        real("link.bandwidth_gbps", l.bandwidth_gbps, 0.0, 1e6, true)?;
        real("link.latency_us", l.latency_us, 0.0, 1e6, false)?;
        int("link.links_per_chip", l.links_per_chip, 1, 1024)?;
        real(
            "link.energy_pj_per_bit",
            l.energy_pj_per_bit,
            0.0,
            1e4,
            false,
        )?;
        int("link.flit_bytes", l.flit_bytes, 1, 65536)?;
        if l.payload_bytes != 0 {
            int("link.payload_bytes", l.payload_bytes, 1, 1 << 30)?;
        }
        int("link.header_bytes", l.header_bytes, 0, 65536)?;
        if l.energy_source.trim().is_empty() {
            return Err(InvalidValue {
                key: "system.link.energy_source".into(),
                value: "\"\"".into(),
                message: "`system.link.energy_source` is empty: name the paper, datasheet or page `energy_pj_per_bit` comes from".into(),
            });
        }
        if self.topology == Topology::FullyConnected
            && self.chips > 1
            && l.links_per_chip < self.chips - 1
        {
            return Err(InvalidValue {
                key: "system.link.links_per_chip".into(),
                value: l.links_per_chip.to_string(),
                message: format!(
                    "`system.link.links_per_chip` = {} is too few for a fully connected system of {} chips: each chip needs at least one link to each of its {} peers",
                    l.links_per_chip,
                    self.chips,
                    self.chips - 1
                ),
            });
        }
        Ok(())
    }

    /// Bytes per second one chip sends to one peer: all its links on a
    /// ring (toward its successor) or through the switch; its links shared
    /// among its `chips - 1` peers when fully connected.
    pub fn edge_bytes_per_s(&self) -> f64 {
        let all = self.link.bandwidth_gbps * 1e9 * f64::from(self.link.links_per_chip);
        match self.topology {
            Topology::Ring | Topology::Switch => all,
            Topology::FullyConnected => all / f64::from(self.chips.saturating_sub(1).max(1)),
        }
    }
}
