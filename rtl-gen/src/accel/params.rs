//! The accelerator top's geometry: what the generator builds from a design
//! and an AXI data width, and what it refuses (typed, with the reason).
//!
//! Every size comes from the accelerator description: the weight buffer
//! holds `prefetch_slots` tiles of `tile_bytes` each (a half of a
//! double-buffered buffer), the activation and output buffers hold their
//! `kib`. One weight word is one chunk of every lane (`lanes x width x 2`
//! bits, the tile's `in_wgt`), one activation word is one chunk
//! (`width x 8` bits, the tile's `in_act`), one output word is one tile
//! output (`lanes` accumulators sign-extended to 32 bits).

use crate::design::Design;
use crate::error::RtlError;
use sim::arch::{Reduction, ZeroHandling};
use sim::Accelerator;
use workloads::Precision;

/// Bytes of one descriptor in memory (16 little-endian 32-bit words).
pub const DESC_BYTES: u64 = 64;

/// A deliberate defect of the sequencer, for the tests that prove the check
/// catches one (never emitted by the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mutation {
    /// The RTL as specified.
    #[default]
    None,
    /// A tile starts without waiting for its weights (engine rule 2 broken).
    EarlyStart,
    /// Fetches as if the weight buffer held one tile (engine rule 3 broken).
    OneSlot,
    /// Fetches no weight tile of a chain's layer before the layers before
    /// it are complete (the prefetch across a layer boundary broken).
    NoChainPrefetch,
    /// Starts a dependent layer without waiting for its producer (the
    /// dependency hold broken).
    NoDependencyHold,
    /// A tile whose transfer carries a streamed input starts when its
    /// weights have arrived, without waiting for the rows after them.
    StreamEarlyStart,
    /// With weight registers (`token_tile > 1`), loads the weights with
    /// every chunk of the chunk-outer order (the token slots broken).
    WloadEveryChunk,
    /// With weight registers, feeds as for `token_tile = 1` (token-outer,
    /// weights with every chunk): results and cycles right, but no weight
    /// reuse (the mapping's weight-buffer reads broken).
    TokenOuter,
    /// With outputs stored per tile, the layer is complete when its last
    /// output has left the tile, without waiting for the stores' write
    /// responses (the engine's `done = max(compute_end + drain, last
    /// store)` broken).
    StoreNoWait,
    /// With outputs stored per tile, the data side drops the first write
    /// beat of every store (a word's first beat never sent).
    StoreDropBeat,
}

/// The accelerator top of one design.
#[derive(Debug, Clone, PartialEq)]
pub struct AccelParams {
    /// The compute tile inside.
    pub tile: Design,
    /// The design's accelerator description.
    pub arch: Accelerator,
    /// AXI4 data bits (64, 128, 256 or 512).
    pub axi_bits: u32,
    /// Weight tiles the buffer holds at once (the engine's prefetch slots).
    pub slots: u32,
    /// Chunks one weight tile holds (words of a slot).
    pub slot_words: u64,
    /// Words of the activation buffer.
    pub act_words: u64,
    /// Words of the output buffer.
    pub out_words: u64,
    /// A deliberate defect (tests only).
    pub mutation: Mutation,
    /// The element-major rewiring of a short last chunk (`K % width != 0`)
    /// is built: for arrays of at most [`SHORT_CHUNK_CODES`] codes a chunk.
    pub short_chunk: bool,
}

/// The largest `lanes x width` for which the short chunk's rewiring is
/// built. A measured limit, not a hardware one: on edge-ternary (64 x 64,
/// 4,096 two-bit slices a slot) the rewiring, evaluated on every weight
/// beat, took Verilator's model from 1.1 s to 101 s for the 2B-4T q
/// decode; 16 x 64 runs the suite at full speed.
pub const SHORT_CHUNK_CODES: u64 = 1024;

fn unsupported(arch: &Accelerator, why: String) -> RtlError {
    RtlError::Unsupported(format!(
        "design `{}`: the accelerator top: {why}",
        arch.name
    ))
}

/// Bits to address `n` words (at least 1).
pub fn addr_bits(n: u64) -> u32 {
    (64 - n.saturating_sub(1).leading_zeros()).max(1)
}

impl AccelParams {
    /// The top of `arch` with an AXI data bus of `axi_bits`, or why it is not built.
    pub fn new(arch: &Accelerator, axi_bits: u32) -> Result<AccelParams, RtlError> {
        let tile = Design::new(arch)?;
        let a = &arch.array;
        if !matches!(axi_bits, 64 | 128 | 256 | 512) {
            return Err(unsupported(
                arch,
                format!("AXI data width {axi_bits} bits: expected 64, 128, 256 or 512"),
            ));
        }
        if a.reduction != Reduction::AdderTree
            || a.weights != Precision::Ternary
            || a.activations != Precision::Int(8)
        {
            return Err(unsupported(
                arch,
                "built for the adder-tree lane array with 2-bit ternary weights and INT8 \
                 activations (other datapaths: the tile only, `--top tile`)"
                    .into(),
            ));
        }
        if a.zeros == ZeroHandling::Skip {
            return Err(unsupported(
                arch,
                "`array.zeros` must not be \"skip\" (compaction is not in the accelerator \
                 top yet)"
                    .into(),
            ));
        }
        if tile.ii() != 1 || tile.acc_bits > 32 {
            return Err(unsupported(
                arch,
                format!(
                    "needs initiation interval 1 and accumulators of at most 32 bits (has {} and {})",
                    tile.ii(),
                    tile.acc_bits
                ),
            ));
        }
        let (lanes, width) = (u64::from(a.lanes), u64::from(a.width));
        if !width.is_power_of_two() {
            return Err(unsupported(
                arch,
                format!("width {width}: the sequencer counts chunks as K / width with a shift (a power of two)"),
            ));
        }
        // with weight registers the mapping lets a port narrower than a
        // chunk deliver it over a sub-tile's token cycles, through a staging
        // register in front of `in_wgt` (energy_model::lane_extras), which
        // the top does not build: its weight word is one chunk, read in a cycle
        let chunk = lanes * width * 2 / 8;
        let port = arch.buffers.weights.bytes_per_cycle();
        if a.token_tile > 1 && port < chunk {
            return Err(unsupported(
                arch,
                format!(
                    "the weight buffer's port ({port} B a cycle) is narrower than a chunk of \
                     every lane ({chunk} B): the staging register the mapping assumes with \
                     `array.token_tile` {} is not built (the top reads a chunk a cycle)",
                    a.token_tile
                ),
            ));
        }
        let db = u64::from(axi_bits);
        for (what, bits) in [
            ("a weight word (lanes x width x 2)", lanes * width * 2),
            ("an activation word (width x 8)", width * 8),
            ("an output word (lanes x 32)", lanes * 32),
        ] {
            if !bits.is_multiple_of(db) {
                return Err(unsupported(
                    arch,
                    format!("{what} is {bits} bits, not a multiple of the {axi_bits}-bit AXI bus"),
                ));
            }
        }
        let slots = arch.prefetch_slots(arch.buffers.weights.double_buffered);
        if !(1..=2).contains(&slots) {
            return Err(unsupported(
                arch,
                format!("{slots} prefetch slots: the weight buffer is built with 1 or 2"),
            ));
        }
        let slot_words = arch.buffers.weights.tile_bytes() * 8 / (lanes * width * 2);
        let act_words = arch.buffers.activations.bytes() / width;
        let out_words = arch.buffers.outputs.bytes() * 8 / (lanes * 32);
        if slot_words == 0 || act_words == 0 || out_words == 0 {
            return Err(unsupported(
                arch,
                "a buffer holds less than one word".into(),
            ));
        }
        Ok(AccelParams {
            tile,
            arch: arch.clone(),
            axi_bits,
            slots,
            slot_words,
            act_words,
            out_words,
            mutation: Mutation::None,
            short_chunk: lanes * width <= SHORT_CHUNK_CODES,
        })
    }

    /// Lanes.
    pub fn lanes(&self) -> u64 {
        u64::from(self.arch.array.lanes)
    }

    /// Width.
    pub fn width(&self) -> u64 {
        u64::from(self.arch.array.width)
    }

    /// AXI bytes per beat.
    pub fn beat_bytes(&self) -> u64 {
        u64::from(self.axi_bits / 8)
    }

    /// The DRAM's peak bytes a cycle (transaction model: bandwidth over
    /// clock; banked: the preset's channels).
    pub fn dram_bytes_per_cycle(&self) -> f64 {
        let d = &self.arch.dram;
        let gbps = match d.model {
            sim::arch::DramModelKind::Banked => d.derived_gbps().unwrap_or(d.bandwidth_gbps),
            sim::arch::DramModelKind::Transaction => d.bandwidth_gbps,
        };
        gbps / self.arch.clock_ghz
    }

    /// Bits of a weight word.
    pub fn wword_bits(&self) -> u32 {
        self.tile.in_wgt_bits()
    }

    /// Bits of an activation word.
    pub fn aword_bits(&self) -> u32 {
        self.tile.in_act_bits()
    }

    /// Bits of an output word.
    pub fn oword_bits(&self) -> u32 {
        self.arch.array.lanes * 32
    }

    /// The module name of the top: `<name>_accel`.
    pub fn top(&self) -> String {
        format!("{}_accel", self.tile.name)
    }

    /// The module name of a buffer's SRAM macro wrapper.
    pub fn sram(&self, buffer: &str) -> String {
        format!("{}_sram_{buffer}", self.tile.name)
    }

    /// Why a layer of `m x k x n` cannot run on this top (`None`: it can):
    /// the shapes it takes are K and N of any length (a short last chunk or
    /// a partial last group of whole bus beats, not both), the input and the
    /// partial sums of a K split on chip, the outputs in the output buffer
    /// or, when the engine stores them per tile
    /// ([`super::stream::StreamPlan::out_spill`]), a group's tokens within
    /// a half of it (`store_out.rs`).
    pub fn refuses_layer(&self, m: u64, k: u64, n: u64) -> Option<String> {
        self.refuses_block(m, k, n, false)
    }

    /// Why a layer of `m x k x n` cannot run as one descriptor (`None`: it
    /// can), its outputs stored per tile when the engine stores them for
    /// this layer or when `stored` (a token block of a larger layer whose
    /// outputs the engine stores, `stream_check.rs`): as
    /// [`AccelParams::refuses_layer`].
    pub fn refuses_block(&self, m: u64, k: u64, n: u64, stored: bool) -> Option<String> {
        let (l, w) = (self.lanes(), self.width());
        if m == 0 || k == 0 || n == 0 {
            return Some("M, K and N must be at least 1".into());
        }
        let db = u64::from(self.axi_bits);
        // a short last chunk of `K % width` elements: stored element-major,
        // its codes (the engine's load, `lanes x (K % width)`) whole beats
        let kr = k % w;
        if kr != 0 && !self.short_chunk {
            return Some(format!(
                "K = {k} is not a multiple of the width {w}: the short chunk's rewiring is built \
                 for arrays of at most {SHORT_CHUNK_CODES} lanes x width (this one has {})",
                l * w
            ));
        }
        if kr != 0 && !(l * kr * 2).is_multiple_of(db) {
            return Some(format!(
                "K = {k} leaves a last chunk of {kr} of the width {w}, whose {} bits of weights \
                 must be whole {db}-bit beats",
                l * kr * 2
            ));
        }
        // a partial last group of `N % lanes` lanes: its chunks (the
        // engine's load, `rest x width` codes) and its output words must be
        // whole bus beats
        let rest = n % l;
        if kr != 0 && rest != 0 {
            return Some(format!(
                "K = {k} is not a multiple of the width {w} and N = {n} not of the lanes {l}: \
                 the top takes one or the other (the short chunk's element-major order is \
                 wired for a whole group)"
            ));
        }
        if rest != 0 && (!(rest * w * 2).is_multiple_of(db) || !(rest * 32).is_multiple_of(db)) {
            return Some(format!(
                "N = {n} leaves a last group of {rest} of the {l} lanes, whose chunk ({} bits) and \
                 outputs ({} bits) must be whole {db}-bit beats",
                rest * w * 2,
                rest * 32
            ));
        }
        if !k.is_multiple_of(self.beat_bytes()) {
            return Some(format!(
                "K = {k} bytes a row must be whole {}-byte beats",
                self.beat_bytes()
            ));
        }
        // the engine's moves when the data does not fit on chip (the input
        // streamed in token blocks, the outputs stored per tile, the partial
        // sums of a K split spilled): `stream.rs` derives them; one
        // descriptor takes its input on chip (a streamed input runs as one
        // descriptor a token block, `stream_check.rs`), its partial sums in
        // the output buffer, and its outputs there or stored per tile
        // (`store_out.rs`)
        let moves = super::stream::StreamPlan::new(self, m, k, n);
        if moves.streams_input() || moves.partial_spill {
            return Some(format!(
                "the engine moves this layer's data through DRAM ({}), which one descriptor of \
                 the top does not (it takes the input and the partial sums on chip{})",
                moves.describe(),
                if moves.partial_spill {
                    "; spilled partial sums are not built"
                } else {
                    ""
                }
            ));
        }
        let c = k.div_ceil(w);
        if m * c > self.act_words {
            return Some(format!(
                "the input ({m} rows of {c} words) does not fit the activation buffer's {} words",
                self.act_words
            ));
        }
        if moves.out_spill || stored {
            let half = super::store_out::half(self);
            if !super::store_out::built(self) {
                return Some(format!(
                    "the engine stores the outputs per tile ({}): the store path needs an \
                     output buffer of at least 2 words",
                    moves.describe()
                ));
            }
            if m > half {
                return Some(format!(
                    "the engine stores the outputs per tile ({}): a group's {m} output words must \
                     fit a half of the output buffer ({half} words)",
                    moves.describe()
                ));
            }
        } else if m * n.div_ceil(l) > self.out_words {
            return Some(format!(
                "the output ({m} x {n} accumulators) does not fit the output buffer"
            ));
        }
        if m * k > u64::from(u32::MAX) || k * l > u64::from(u32::MAX) {
            return Some("the layer is too large for the 32-bit counters".into());
        }
        None
    }
}
