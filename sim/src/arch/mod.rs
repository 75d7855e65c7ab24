//! The accelerator description: one type, read from TOML, used by every
//! crate (the simulator, the energy model and the RTL generator read the
//! same struct, so they cannot disagree about a design).
//!
//! Every key, its unit and its range are documented in docs/accelerator.md;
//! [`Accelerator::validate`] refuses out-of-range values naming the key.

mod derive;
mod onchip;
mod presets;
mod toml_io;
pub mod weight_image;

pub use crate::datapath::Reduction;
pub use derive::{acc_bits_for, activation_planes, ArrayTiming};
pub use onchip::{MAX_PREFETCH_SLOTS, MAX_TOKEN_TILE};
pub use presets::{preset, preset_names, preset_text, DEFAULT_PRESET, PRESETS};
pub use toml_io::{
    from_toml, to_toml, toml_message, ArchError, InvalidValue, MAX_LANES, VERILOG_KEYWORDS,
};

use serde::{Deserialize, Serialize};
use workloads::{KvFormat, Precision};

/// What the datapath does with zero weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZeroHandling {
    /// Zero terms go through the datapath like any other.
    None,
    /// Zero terms are clock-gated: same cycles, less switching energy.
    Gate,
    /// Zero weights are compacted away offline: fewer chunks, fewer cycles.
    Skip,
}

/// How operands move through the array: the onebit lane template, or a
/// systolic multiply-accumulate array with one of SCALE-Sim's dataflows.
///
/// A systolic array has `width` rows (SCALE-Sim's `ArrayHeight`) and
/// `lanes` columns (`ArrayWidth`); see docs/accelerator.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dataflow {
    /// The lane template: `lanes` dot-product lanes, each reducing a chunk of
    /// `width` broadcast activations a cycle.
    #[default]
    Lanes,
    /// Weight-stationary systolic array: K on the rows, N on the columns,
    /// the M tokens stream through.
    SystolicWs,
    /// Output-stationary systolic array: M on the rows, N on the columns,
    /// the K terms stream through.
    SystolicOs,
    /// Input-stationary systolic array: K on the rows, M on the columns,
    /// the N output features stream through.
    SystolicIs,
}

impl Dataflow {
    /// Every dataflow, in a fixed order.
    pub const ALL: [Dataflow; 4] = [
        Dataflow::Lanes,
        Dataflow::SystolicWs,
        Dataflow::SystolicOs,
        Dataflow::SystolicIs,
    ];

    /// The TOML name.
    pub fn name(self) -> &'static str {
        match self {
            Dataflow::Lanes => "lanes",
            Dataflow::SystolicWs => "systolic-ws",
            Dataflow::SystolicOs => "systolic-os",
            Dataflow::SystolicIs => "systolic-is",
        }
    }

    /// True for the three systolic dataflows.
    pub fn is_systolic(self) -> bool {
        self != Dataflow::Lanes
    }
}

/// The dot-product lane array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrayConfig {
    /// Dot-product lanes (output features computed at once).
    pub lanes: u32,
    /// Activations (and weights per lane) taken per cycle.
    pub width: u32,
    /// How each lane reduces its products.
    pub reduction: Reduction,
    /// Adder-tree levels between pipeline registers (adder-tree and
    /// popcount reductions).
    #[serde(default = "default_stage_levels")]
    pub stage_levels: u32,
    /// Activation bit-planes processed per cycle (popcount reduction).
    #[serde(default = "default_planes")]
    pub planes_per_cycle: u32,
    /// Precision of the activations the array takes (int1..int8 for the
    /// low-bit reductions; int8 or fp16 for `mac`).
    pub activations: Precision,
    /// Encoding of the weights the array takes.
    pub weights: Precision,
    /// Accumulator width in bits; derived from `max_k` when absent, refused
    /// when too small for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc_bits: Option<u32>,
    /// The longest reduction (K) the accumulators must hold without overflow.
    #[serde(default = "default_max_k")]
    pub max_k: u64,
    /// What happens to zero weights.
    #[serde(default = "default_zeros")]
    pub zeros: ZeroHandling,
    /// How operands move through the array: the lane template (default) or
    /// a systolic dataflow (`width` rows x `lanes` columns of MAC cells).
    #[serde(default)]
    pub dataflow: Dataflow,
    /// The table-lookup keys (`[array.lut]`, `lut` reduction only; absent:
    /// their defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lut: Option<crate::datapath::lut::LutConfig>,
    /// Tokens a lane holds its weights for: each lane keeps one chunk of
    /// weights in a register and one partial sum per token of the tile, so
    /// the weight buffer is read once per token tile instead of once per
    /// token (1: no reuse in the lanes; docs/accelerator.md).
    #[serde(default = "default_token_tile", skip_serializing_if = "is_one")]
    pub token_tile: u32,
    /// `zeros = "skip"`: activations broadcast per compaction window; each
    /// lane selects its nonzeros of the window through a `skip_window`:1
    /// multiplexer per tree input (absent: `width`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_window: Option<u32>,
}

impl ArrayConfig {
    /// The zero-skip compaction window in activations (`skip_window`, or `width`).
    pub fn window(&self) -> u32 {
        self.skip_window.unwrap_or(self.width)
    }
}

/// One on-chip SRAM buffer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SramConfig {
    /// Capacity in KiB.
    pub kib: u32,
    /// Independent banks.
    pub banks: u32,
    /// Bytes each bank reads or writes per cycle.
    pub bank_bytes: u32,
    /// Two halves: one is filled while the other is used.
    #[serde(default = "default_true")]
    pub double_buffered: bool,
}

impl SramConfig {
    /// Capacity in bytes.
    pub fn bytes(&self) -> u64 {
        u64::from(self.kib) * 1024
    }

    /// Bytes the buffer moves per cycle (all banks).
    pub fn bytes_per_cycle(&self) -> u64 {
        u64::from(self.banks) * u64::from(self.bank_bytes)
    }

    /// Bytes one tile may occupy: half the buffer when double-buffered.
    pub fn tile_bytes(&self) -> u64 {
        if self.double_buffered {
            self.bytes() / 2
        } else {
            self.bytes()
        }
    }
}

/// The three on-chip buffers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuffersConfig {
    /// Weight buffer (feeds the lanes).
    pub weights: SramConfig,
    /// Activation buffer (broadcast to the lanes; also holds inter-operator
    /// activations).
    pub activations: SramConfig,
    /// Output buffer (accumulator results).
    pub outputs: SramConfig,
    /// Tiles each unit may hold in flight (loading or waiting) at once;
    /// absent: two when the buffer it streams through is double-buffered,
    /// one otherwise. Slots beyond those are extra tile-sized SRAM, counted
    /// in the area (docs/accelerator.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefetch_slots: Option<u32>,
}

/// Off-chip memory technology (the energy model prices its bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DramKind {
    /// DDR4.
    Ddr4,
    /// LPDDR5.
    Lpddr5,
    /// HBM2e.
    Hbm2e,
    /// HBM3.
    Hbm3,
}

/// Off-chip memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DramConfig {
    /// Technology.
    pub kind: DramKind,
    /// Peak bandwidth in GB/s (10^9 bytes per second).
    pub bandwidth_gbps: f64,
    /// Latency from request to first data, in ns.
    pub latency_ns: f64,
    /// Bytes per request (burst).
    #[serde(default = "default_request_bytes")]
    pub request_bytes: u32,
    /// Requests that may be in flight at once.
    #[serde(default = "default_outstanding")]
    pub max_outstanding: u32,
    /// The data bus between the accelerator and the DRAM controller (e.g.
    /// an AXI4 port), in bits: a transfer on it moves one beat a cycle on
    /// its direction's channel (reads and writes apart), the beats its bytes
    /// touch ([`crate::memory::Bus`]). Absent: the DRAM's rate alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bus_bits: Option<u32>,
    // --- banked DRAM model (memory::banked) ---
    /// Which model times the transfers.
    #[serde(default)]
    pub model: DramModelKind,
    /// Banked model: DRAM device preset (`memory::banked::presets::NAMES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Banked model: channels (HBM3: channels of two pseudo-channels each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// Banked model: address mapping (default the bank-interleaved `RoCoBaRaCh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<crate::memory::banked::Mapping>,
    // --- capacity
    /// Capacity in GiB (2^30 bytes); a step whose weights, KV cache and
    /// spilled activations exceed it is refused. Absent: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_gib: Option<f64>,
    // --- stored weight image
    /// The padding rule of the weights' DRAM image (`[dram.weight_image]`,
    /// [`weight_image`]); absent: the packed weights' bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_image: Option<weight_image::WeightImage>,
}

/// Which DRAM model times the transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DramModelKind {
    /// One channel with bandwidth, latency and an outstanding window.
    #[default]
    Transaction,
    /// Banks, rows, refresh and a memory controller per channel
    /// (`memory::banked`).
    Banked,
}

/// The banked model's view of `[dram]`: with `model = "banked"`,
/// `bandwidth_gbps` is derived from the preset and the channel count.
impl DramConfig {
    /// Capacity in bytes, when the design states one.
    pub fn capacity_bytes(&self) -> Option<u64> {
        self.capacity_gib.map(|g| (g * (1u64 << 30) as f64) as u64)
    }

    /// The device of the banked model, if one is configured.
    pub fn spec(&self) -> Option<crate::memory::banked::DramSpec> {
        self.preset
            .as_deref()
            .and_then(crate::memory::banked::presets::preset)
    }

    /// Channels of the banked model (1 when not given).
    pub fn channel_count(&self) -> u32 {
        self.channels.unwrap_or(1)
    }

    /// Peak bandwidth of the preset's channels in GB/s.
    pub fn derived_gbps(&self) -> Option<f64> {
        self.spec()
            .map(|s| s.peak_gbps_per_channel() * f64::from(self.channel_count()))
    }
}

/// The vector unit: norms, quantization, activation functions, softmax,
/// RoPE, residual adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorConfig {
    /// Elements processed per cycle.
    pub elems_per_cycle: u32,
    /// Arithmetic precision.
    pub precision: Precision,
}

/// Where the activation x activation matrix products (QK^T, PV) run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttentionMapping {
    /// On the vector unit, one multiply-accumulate per element slot a cycle.
    Vector,
    /// On a dedicated attention unit of `macs_per_cycle` multipliers.
    Unit,
    /// On the lane array itself (only for `mac` arrays).
    Array,
}

/// The attention datapath.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionConfig {
    /// Where QK^T and PV run.
    pub mapping: AttentionMapping,
    /// Multiply-accumulates per cycle of the dedicated unit (`unit` mapping).
    #[serde(default)]
    pub macs_per_cycle: u32,
    /// Arithmetic precision of the attention products (and of the KV
    /// cache when `kv_cache` is absent).
    pub precision: Precision,
    // --- KV cache and fused attention
    /// Precision the KV cache is stored in (fp16, bf16, fp8, int8, int4);
    /// absent: `precision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_cache: Option<Precision>,
    /// Elements of the head dimension sharing one FP16 scale in an integer
    /// KV cache.
    #[serde(default = "default_kv_group")]
    pub kv_group: u64,
    /// QK^T, softmax and PV run as one streaming operator with an online
    /// softmax; the scores stay in the score buffer.
    #[serde(default)]
    pub fused: bool,
    /// Queries per attention tile.
    #[serde(default = "default_block")]
    pub q_block: u32,
    /// Keys per attention tile (a KV tile).
    #[serde(default = "default_block")]
    pub kv_block: u32,
    /// On-chip buffer of the attention unit holding one tile's scores, KiB
    /// (fused attention).
    #[serde(default = "default_score_kib")]
    pub score_buffer_kib: u32,
}

impl AttentionConfig {
    /// How the design stores the KV cache.
    pub fn kv_format(&self) -> KvFormat {
        KvFormat::new(self.kv_cache.unwrap_or(self.precision), self.kv_group)
    }

    /// Bytes of one tile's scores (`q_block x kv_block` at `precision`).
    pub fn score_tile_bytes(&self) -> u64 {
        self.precision
            .bytes_for(u64::from(self.q_block) * u64::from(self.kv_block))
    }
}

/// The built-in technology tables a design may name in `technology`
/// (energy-model's `tech/*.toml`; a test there checks the two lists agree).
pub const TECHNOLOGY_NAMES: [&str; 4] = ["7nm", "16nm", "28nm", "45nm"];

/// An accelerator design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accelerator {
    /// Design name; the RTL module prefix, so a legal Verilog identifier.
    pub name: String,
    /// One line on what the design is for.
    #[serde(default)]
    pub description: String,
    /// Clock frequency in GHz.
    pub clock_ghz: f64,
    /// The technology table the design is built in (one of
    /// [`TECHNOLOGY_NAMES`]); absent: whatever table the command is given
    /// (7 nm by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<String>,
    /// The lane array.
    pub array: ArrayConfig,
    /// On-chip buffers.
    pub buffers: BuffersConfig,
    /// Off-chip memory.
    pub dram: DramConfig,
    /// Vector unit.
    pub vector: VectorConfig,
    /// Attention datapath.
    pub attention: AttentionConfig,
}

fn default_token_tile() -> u32 {
    1
}
fn is_one(v: &u32) -> bool {
    *v == 1
}
fn default_kv_group() -> u64 {
    64
}
fn default_block() -> u32 {
    64
}
fn default_score_kib() -> u32 {
    16
}
fn default_stage_levels() -> u32 {
    2
}
fn default_planes() -> u32 {
    1
}
fn default_max_k() -> u64 {
    32768
}
fn default_zeros() -> ZeroHandling {
    ZeroHandling::Gate
}
fn default_true() -> bool {
    true
}
fn default_request_bytes() -> u32 {
    64
}
fn default_outstanding() -> u32 {
    64
}
