//! The accelerator top's geometry: what the generator builds from a design
//! and an AXI data width, and what it refuses (typed, with the reason).
//!
//! Every size comes from the accelerator description: the weight buffer
//! holds `prefetch_slots` tiles of `tile_bytes` each (a half of a
//! double-buffered buffer), the activation and output buffers hold their
//! `kib`. One weight word is one chunk of every lane (`lanes x width x W`
//! bits for `W`-bit weight codes, the tile's `in_wgt`), one activation word
//! is one chunk (`width x A` bits for `A`-bit activations, the tile's
//! `in_act`), one output word is one tile output (`lanes` accumulators
//! sign-extended to 32 bits). In memory the weights and the activations
//! are packed at the same `W` and `A` bits an element, the bytes the
//! engine counts (`Precision::bytes_for`); `ternary-packed` weights five a
//! byte, a word of `lanes x width / 5` bytes (one chunk) or, where that is
//! not whole bytes, of `lanes x width` bytes (five chunks of every lane),
//! unpacked to the tile's codes (`unpack.rs`); a signfold LUT's weights as
//! the engine's group indices (`index_bits` a group of `g`), decoded to
//! the tile's codes (`lut_index.rs`).

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
    /// A loop of token blocks reads every block's weights and rows from
    /// the first block's DRAM region (`block_loop.rs`: no block stride).
    LoopNoStride,
    /// A weights-outer loop of token blocks loads the weights again with
    /// every block's tiles (`block_loop.rs`: no held flag on the blocks
    /// after the first).
    WoLoopUnheld,
    /// A weights-outer block's tile reads the weights from its own slot
    /// instead of the slot its group's first block loaded them into.
    HeldOwnSlot,
    /// Weights outer over several feature groups: a weight tile's weights
    /// go to the slot of its own transfer (per tile) instead of alternating
    /// per weight tile (a group's first block overwrites the weights the
    /// group before it still computes with).
    WeightSlotPerTile,
    /// Weights outer: the cursors walk each block's tiles in order (tokens
    /// outer) instead of stepping through the blocks inside a group.
    WoBlockOuter,
    /// With weight registers (`token_tile > 1`), loads the weights with
    /// every chunk of the chunk-outer order (the token slots broken).
    WloadEveryChunk,
    /// With weight registers, feeds as for `token_tile = 1` (token-outer,
    /// weights with every chunk): results and cycles right, but no weight
    /// reuse (the mapping's weight-buffer reads broken).
    TokenOuter,
    /// With weight registers, takes sub-tiles of the design's token tile
    /// whatever the descriptor's (word 9's high half, `tokens.rs`) says:
    /// the mapper's smaller token tile run with too few weight loads.
    TokenTileIgnored,
    /// With initiation interval II > 1, offers a chunk every cycle instead
    /// of holding each one II cycles (the tile refuses the chunks between).
    NoHold,
    /// With outputs stored per tile, the layer is complete when its last
    /// output has left the tile, without waiting for the stores' write
    /// responses (the engine's `done = max(compute_end + drain, last
    /// store)` broken).
    StoreNoWait,
    /// With outputs stored per tile, a group's staging half frees at its
    /// store's last write beat instead of when the store has left the
    /// buffer in the engine's DRAM model (its last write response): a
    /// group starts before the engine lets it.
    HalfAtWriteData,
    /// With outputs stored per tile, the data side drops the first write
    /// beat of every store (a word's first beat never sent).
    StoreDropBeat,
    /// With outputs stored per tile through the output gearbox, a word is
    /// packed at the queue's first bit, over the bits it holds (the
    /// packing offset dropped).
    StoreGearOverlap,
    /// With stores that are not whole beats (byte strobes, `store_out.rs`),
    /// a store's first beat strobes every byte, also those below its start
    /// address (the store before it's last bytes overwritten).
    StoreStrobeFull,
    /// With `ternary-packed` weights, the unpacker reads a byte's digits
    /// most significant first (weight `5i + j` from digit `4 - j`).
    TritOrder,
    /// With five-chunk packed words (`lanes x width` not a multiple of 5),
    /// the unpacker takes lane `l` of a word's chunk `s` from row `5l + s`
    /// (each lane's five chunks together) instead of the stream's row
    /// `s x lanes + l` (the chunk-major order the engine's bytes are in).
    PackLaneOrder,
    /// With `lanes < width`, a forwarded output word is written from the
    /// first column of its activation word (the offset `o_n % width`
    /// ignored, as if `lanes = width`).
    ForwardOffset,
    /// A later consumer of a layer reads its own (never written) input rows
    /// instead of the first consumer's, which the forwarded words went to.
    NoSharedInput,
    /// Ignores the descriptor's K tile (word 9): every K tile a weight
    /// slot's words, the fixed mapping's, whatever the mapping chose.
    SlotKTile,
    /// With the weight gearbox (weight words not whole beats), a beat that
    /// completes a word drops its bits of the next word (the next words
    /// misaligned).
    GearDropCarry,
    /// With weight words narrower than a beat (several a row of the weight
    /// buffer), the read takes a row's words in the reverse order (word
    /// `r - 1 - i` for word `i`).
    NarrowWordOrder,
    /// With stored LUT group indices, the index decoder ignores the negate
    /// bit (every group decoded as its table entry's stored pattern).
    IndexSign,
    /// Ignores the descriptor's N tile (word 10): every weight tile one
    /// feature group, whatever the mapping chose (`ntile.rs`).
    NTileOneGroup,
    /// An N tile's store of outputs (`ntile_store.rs`) carries only its
    /// first group's words (one group a store, as without N tiles).
    NTileStoreGroup,
    /// Weights outer over streamed rows with N tiles (`ntile_stream.rs`):
    /// a block's outputs staged one group's tokens after the block before
    /// it (as with one group a tile), not the tile's groups' words, so the
    /// blocks' groups overwrite one another's partial sums and outputs.
    NTileStreamStride,
    /// With the weight gearbox, the short last chunk of a partial last
    /// group is not respaced: its rows (one an element, or a LUT group, of
    /// the group's lanes) are read at the stride of every lane's row.
    ShortRowsStride,
    /// With the weight gearbox, a tile whose read starts inside a beat
    /// keeps its first beat's bytes below the tile's first byte (the tile
    /// before it's last bytes taken as its first bits).
    MidbeatLead,
    /// With the input gearbox, a word leaving the queue takes the next
    /// activation's bits with it (the row's later words misaligned).
    InputGearSkip,
    /// With the LUT's serial input load (`lut_serial.rs`), the feeder
    /// offers a first-group chunk after `L - 1` load cycles instead of `L`
    /// (its last slice not yet in the table builder's input register).
    SerialShort,
    /// With stored LUT group indices, a short last chunk's groups are
    /// counted as `K % width / g` rounded down: its partial last group (1
    /// or 2 weights of 3) is not loaded.
    PartialGroupDropped,
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
    /// is built: for arrays of at most [`SHORT_CHUNK_CODES`] codes a chunk
    /// (2-bit or narrower codes, rewired as the DMA writes the word).
    pub short_chunk: bool,
    /// Chunks a weight word holds: 1, or with `ternary-packed` weights on
    /// `lanes x width` not a multiple of 5, five (a word of `lanes x width`
    /// bytes: five chunks of every lane, whole bytes).
    pub pack_period: u64,
    /// Words of a weight slot (`slot_words / pack_period`).
    pub wslot_words: u64,
    /// With `ternary-packed` weights, the unpacker's rewiring of a short
    /// last chunk (element-major within its chunk) and, for five-chunk
    /// words, its row shifter for a partial last group: built for arrays
    /// of at most [`SHORT_CHUNK_CODES`] codes a chunk.
    pub pack_rewire: bool,
}

/// The largest `lanes x width` for which the short chunk's rewiring is
/// built. A measured limit, not a hardware one: on edge-ternary (64 x 64,
/// 4,096 two-bit slices a slot) the rewiring, evaluated on every weight
/// beat, took Verilator's model from 1.1 s to 101 s for the 2B-4T q
/// decode; 16 x 64 runs the suite at full speed.
pub const SHORT_CHUNK_CODES: u64 = 1024;

/// The largest `lanes x width / g` (stored LUT group indices a chunk) for
/// which the short chunk's rewiring is built: the rewiring moves whole
/// indices (5 or 7 bits), a third or a quarter of the codes' slices;
/// edge-lut's 1,071 (51 lanes x 21 groups) is measured in docs/rtl.md.
pub const SHORT_CHUNK_FIELDS: u64 = 2048;

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

/// Why the top does not build the lane array of `a` (`None`: it does):
/// the adder tree with 2-bit ternary, binary (+-1) or binary01 weights (or
/// `ternary-packed`, five a byte: a weight word of one chunk of every lane
/// when `lanes x width` is a multiple of 5, of five chunks otherwise), the
/// LUT where its group index is its codes' bits (`refuses_lut`), the
/// `mac` with integer weights, or the bit-serial popcount (those weights,
/// initiation interval `ceil(planes / planes_per_cycle)`), with integer or
/// binary activations of 1, 2, 4 or 8 bits (the loader counts a row's beats
/// with a shift).
pub fn refuses_datapath(a: &sim::arch::ArrayConfig) -> Option<String> {
    let act_ok = matches!(
        a.activations,
        Precision::Int(1 | 2 | 4 | 8) | Precision::Binary | Precision::Binary01
    );
    if !act_ok {
        return Some(format!(
            "`array.activations` = \"{}\": the top takes activations of 1, 2, 4 or 8 bits (its \
             loader counts an input row's beats with a shift; other datapaths: the tile only, \
             `--top tile`)",
            a.activations
        ));
    }
    match (a.reduction, a.weights) {
        (Reduction::AdderTree, Precision::Ternary | Precision::Binary | Precision::Binary01) => {
            None
        }
        (Reduction::AdderTree, Precision::TernaryPacked) => None,
        (Reduction::Mac, Precision::Int(_)) => None,
        (Reduction::Popcount, Precision::Ternary | Precision::Binary | Precision::Binary01) => None,
        (Reduction::Lut, Precision::Ternary | Precision::Binary) => refuses_lut(a),
        (r, w) => Some(format!(
            "built for the adder-tree and popcount lane arrays (ternary, binary or binary01 \
             weights) and the mac (integer weights); `array.reduction` = \"{}\" with \"{w}\" \
             weights is built as the tile only (`--top tile`)",
            r.name()
        )),
    }
}

/// Why the top does not build the LUT lane array of `a` (`None`: it does).
/// The tile takes the weights as its 2-bit ternary (1-bit binary) codes and
/// encodes each group into its table index itself. Where the engine's
/// stored group index (`LutShape::index_bits` a group of `g`, what the
/// mapping counts in DRAM and in the weight buffer) is as many bits as the
/// group's codes (signfold at `g = 2`, bitserial at `g` = 2 or 4) the top
/// stores the codes; a signfold index of other bits (`g` = 3 or 4, packed
/// or aligned) is stored as the engine's index and decoded in front of the
/// tile (`lut_index.rs`); a bitserial index of other bits (aligned at
/// `g = 3`) is refused. A serial input load (`array.lut.load_elems`) is
/// built in front of the tile (`lut_serial.rs`; refused with weight
/// registers or II > 1, `lut_serial::refuses_design`).
fn refuses_lut(a: &sim::arch::ArrayConfig) -> Option<String> {
    use sim::datapath::lut::LutShape;
    let s = LutShape::of(a);
    let code_bits = match a.weights {
        Precision::Binary => 1,
        _ => 2,
    };
    if s.index_bits != s.g * code_bits && super::lut_index::LutIndex::of(a).is_none() {
        return Some(format!(
            "the engine stores a group of {} \"{}\" weights as a {}-bit table index ({:.2} bits \
             a weight, in DRAM and in the weight buffer), while the top's weight word holds the \
             tile's {code_bits}-bit codes ({} bits a group) and it builds an index decoder for \
             signfold tables only, so its tiles would not be the bytes the engine moves (built: \
             signfold, or bitserial with `array.lut.group` = 2 or 4)",
            s.g,
            a.weights,
            s.index_bits,
            s.bits_per_weight(),
            s.g * code_bits
        ));
    }
    None
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
        if let Some(why) = refuses_datapath(a) {
            return Err(unsupported(arch, why));
        }
        if arch.dram.weight_image.is_some() {
            return Err(unsupported(
                arch,
                "`[dram.weight_image]`: the engine streams the weights' padded DRAM image (more \
                 bytes a tile than the packed code), the top's DMA reads the packed tiles the \
                 weight buffer holds (omit the table to check the datapath and its timing)"
                    .into(),
            ));
        }
        if let Some(why) = super::lut_serial::refuses_design(a, tile.ii()) {
            return Err(unsupported(arch, why));
        }
        if a.zeros == ZeroHandling::Skip {
            return Err(unsupported(
                arch,
                "`array.zeros` must not be \"skip\" (compaction is not in the accelerator \
                 top yet)"
                    .into(),
            ));
        }
        if tile.acc_bits > 32 {
            return Err(unsupported(
                arch,
                format!(
                    "needs accumulators of at most 32 bits (has {})",
                    tile.acc_bits
                ),
            ));
        }
        // the feeder holds a chunk II cycles token by token; the weight
        // registers' feeder (`tokens.rs`) offers one a cycle
        if tile.ii() > 1 && a.token_tile > 1 {
            return Err(unsupported(
                arch,
                format!(
                    "initiation interval {} with `array.token_tile` {}: the feeder of the weight \
                     registers offers a chunk every cycle (II > 1 is built with token_tile = 1)",
                    tile.ii(),
                    a.token_tile
                ),
            ));
        }
        let (lanes, width) = (u64::from(a.lanes), u64::from(a.width));
        // with weight registers the mapping lets a port narrower than a
        // chunk deliver it over a sub-tile's token cycles, through a staging
        // register in front of `in_wgt` (energy_model::lane_extras), which
        // the top does not build: its weight word is one chunk, read in a cycle
        let (wb, ab) = (u64::from(tile.wgt_bits), u64::from(tile.act_bits));
        // a weight word: one chunk of every lane at the tile's codes, or
        // packed five trits a byte (`ternary-packed`)
        let packed = a.weights == Precision::TernaryPacked;
        let index = super::lut_index::LutIndex::of(a);
        // (five chunks of every lane are whole bytes whatever the array)
        let period = if packed && !(lanes * width).is_multiple_of(5) {
            5
        } else {
            1
        };
        let wword = match (packed, index) {
            (true, _) => lanes * width * 8 * period / 5,
            // LUT group indices, decoded in front of the tile
            (_, Some(ix)) => lanes * ix.lane_bits(),
            _ => lanes * width * wb,
        };
        let chunk = lanes * width * wb / 8;
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
        // words that are not whole beats go through the DMA's gearboxes
        // (`dma/gearbox.rs`): a weight word of at least a beat, an input
        // word narrower than a beat (a power of two: several a beat), an
        // output word of any lanes
        let db = u64::from(axi_bits);
        if packed && !wword.is_multiple_of(db) {
            return Err(unsupported(
                arch,
                format!(
                    "a packed weight word (lanes x width / 5 bytes) is {wword} bits, not a \
                     multiple of the {axi_bits}-bit AXI bus (the gearbox takes W-bit codes)"
                ),
            ));
        }
        if index.is_some() && wword < db {
            return Err(unsupported(
                arch,
                format!(
                    "a weight word of LUT group indices (one chunk of every lane's indices) is \
                     {wword} bits, narrower than the {axi_bits}-bit AXI bus (narrow words are \
                     built for W-bit codes; the gearbox takes a word of at least a beat)"
                ),
            ));
        }
        // (LUT group indices: a word of every lane's chunk of indices that
        // is not whole beats goes through the weight gearbox too, which
        // takes any word of at least a beat)
        // a weight word narrower than a beat that divides it: a beat carries
        // `bus / word` words, written as one row of the weight buffer
        // (`dma/narrow.rs`)
        if wword < db && !db.is_multiple_of(wword) {
            return Err(unsupported(
                arch,
                format!(
                    "a weight word (lanes x width x weight bits) is {wword} bits, narrower than \
                     the {axi_bits}-bit AXI bus and not a divisor of it: a beat would carry \
                     words that cross beats, and the weight buffer takes a beat of whole words \
                     a cycle as the beats arrive{}",
                    match [512u64, 256, 128, 64].into_iter().find(|&b| b <= wword) {
                        Some(b) => format!(" (a bus of at most {b} bits takes it)"),
                        None => String::new(),
                    }
                ),
            ));
        }
        // (an activation word neither whole beats nor a beat's divisor:
        // the input gearbox, `dma/input_gear.rs`)
        let slots = arch.prefetch_slots(arch.buffers.weights.double_buffered);
        if !(1..=2).contains(&slots) {
            return Err(unsupported(
                arch,
                format!("{slots} prefetch slots: the weight buffer is built with 1 or 2"),
            ));
        }
        // chunks a slot holds (the engine's K tile: `lanes x width x 1.6`
        // bits a packed chunk), in whole words
        let slot_words = arch.buffers.weights.tile_bytes() * 8 * period / wword;
        if !slot_words.is_multiple_of(period) {
            return Err(unsupported(
                arch,
                format!(
                    "a weight tile of {slot_words} chunks of \"ternary-packed\" weights on {lanes} \
                     lanes x {width}: the top's packed word is five chunks of every lane \
                     ({} bytes), and a slot holds whole words (a tile of a multiple of 5 chunks)",
                    lanes * width
                ),
            ));
        }
        // a narrow word's slot is whole rows of the weight buffer (a beat)
        if wword < db && !(slot_words * wword).is_multiple_of(db) {
            return Err(unsupported(
                arch,
                format!(
                    "a weight tile of {slot_words} chunks of {wword} bits is not whole \
                     {axi_bits}-bit rows of the weight buffer (a beat of {} words a row)",
                    db / wword
                ),
            ));
        }
        let act_words = arch.buffers.activations.bytes() * 8 / (width * ab);
        let out_words = arch.buffers.outputs.bytes() * 8 / (lanes * 32);
        if slot_words == 0 || act_words == 0 || out_words == 0 {
            return Err(unsupported(
                arch,
                "a buffer holds less than one word".into(),
            ));
        }
        if arch.dram.bus_bits.is_some_and(|b| b != axi_bits) {
            return Err(unsupported(
                arch,
                format!(
                    "`dram.bus_bits` = {} is not the {axi_bits}-bit AXI bus the top is built with \
                     (omit the key: the check times the DRAM's transfers on the AXI bus)",
                    arch.dram.bus_bits.unwrap_or(0)
                ),
            ));
        }
        // the design the engine and the testbench's DRAM model both time the
        // transfers with: on the AXI bus, a beat a cycle on R and on W
        let mut arch = arch.clone();
        arch.dram.bus_bits = Some(axi_bits);
        Ok(AccelParams {
            tile,
            arch,
            axi_bits,
            slots,
            slot_words,
            act_words,
            out_words,
            mutation: Mutation::None,
            // (packed trits: rewired by the unpacker, `pack_rewire`; LUT
            // indices whole groups, `refuses_block`)
            short_chunk: (lanes * width <= SHORT_CHUNK_CODES
                || index.is_some_and(|ix| lanes * u64::from(ix.groups) <= SHORT_CHUNK_FIELDS))
                && !packed,
            pack_period: period,
            wslot_words: slot_words / period,
            pack_rewire: lanes * width <= SHORT_CHUNK_CODES && packed,
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

    /// Bits of one weight code (the tile's `in_wgt` element, and in memory).
    pub fn wgt_bits(&self) -> u64 {
        u64::from(self.tile.wgt_bits)
    }

    /// Bits of one activation (the tile's `in_act` element, and in memory).
    pub fn act_bits(&self) -> u64 {
        u64::from(self.tile.act_bits)
    }

    /// Bytes of an input row of `k` elements (the engine's
    /// `Precision::bytes_for`; whole bytes, as `refuses_layer` requires).
    pub fn row_bytes(&self, k: u64) -> u64 {
        (k * self.act_bits()).div_ceil(8)
    }

    /// The top forwards a producer's outputs into a consumer's input
    /// (requantized to INT8): the input is INT8 (an activation word is
    /// `width` bytes), the width a power of two (the word's address and
    /// offset are shifts of the output's feature), and `lanes <= width`
    /// (one output word is one input chunk, or lands in one or two
    /// activation words through the column SRAMs, `fw_columns.rs`).
    pub fn forwards(&self) -> bool {
        self.lanes() <= self.width()
            && self.act_bits() == 8
            && u64::from(self.aword_bits()) == self.width() * 8
            && self.width().is_power_of_two()
    }

    /// The product of the zero activation code and the zero weight code
    /// (what a padded element of a short chunk adds): 0 but for binary
    /// (+-1) activations with binary weights.
    pub fn pad_product(&self) -> i64 {
        use sim::bitexact::encoding::{decode_act, decode_weight};
        let a = &self.arch.array;
        decode_act(a.activations, 0).unwrap_or(0) * decode_weight(a.weights, 0).unwrap_or(0)
    }

    /// The feeder holds each chunk it offers for the tile's initiation
    /// interval (II > 1, the bit-serial popcount; not with
    /// [`Mutation::NoHold`]).
    pub fn holds(&self) -> bool {
        self.tile.ii() > 1 && self.mutation != Mutation::NoHold
    }

    /// The weights are `ternary-packed`: five trits a byte in memory and in
    /// the weight buffer, unpacked to the tile's 2-bit codes.
    pub fn packed(&self) -> bool {
        self.arch.array.weights == Precision::TernaryPacked
    }

    /// Bytes of the weights of `lanes x klen` elements in memory (the
    /// engine's `Precision::bytes_for`: `W`-bit codes, or five a byte).
    pub fn weight_bytes(&self, lanes: u64, klen: u64) -> u64 {
        if self.packed() {
            (lanes * klen).div_ceil(5)
        } else if let Some(ix) = self.lut_index() {
            // the engine's `index_bits` a group of `g`, a lane's partial last
            // group a whole index (`sim::mapping::linear`)
            (lanes * klen.div_ceil(u64::from(ix.g)) * u64::from(ix.bits)).div_ceil(8)
        } else {
            (lanes * klen * self.wgt_bits()).div_ceil(8)
        }
    }

    /// Bits of one lane's chunk of weights in a weight word: its `W`-bit
    /// codes, or its groups' stored LUT indices (not for packed trits,
    /// whose words are whole chunks of every lane).
    pub fn lane_chunk_bits(&self) -> u64 {
        match self.lut_index() {
            Some(ix) => ix.lane_bits(),
            None => self.width() * self.wgt_bits(),
        }
    }

    /// Bits of a weight word (in the weight buffer): the tile's `in_wgt`,
    /// or its packed bytes (`lanes x width x pack_period / 5`).
    pub fn wword_bits(&self) -> u32 {
        if self.packed() {
            self.tile.lanes() * self.tile.width() * 8 * self.pack_period as u32 / 5
        } else if self.lut_index().is_some() {
            self.tile.lanes() * self.lane_chunk_bits() as u32
        } else {
            self.tile.in_wgt_bits()
        }
    }

    /// Bits of an activation word.
    pub fn aword_bits(&self) -> u32 {
        self.tile.in_act_bits()
    }

    /// Bits of an output word.
    pub fn oword_bits(&self) -> u32 {
        self.arch.array.lanes * 32
    }

    /// The weight gearbox is built: a weight word is more than a beat but
    /// not whole beats, so the words of a tile cross beats
    /// (`dma/gearbox.rs`).
    pub fn wgear(&self) -> bool {
        self.wword_bits() > self.axi_bits && !self.wword_bits().is_multiple_of(self.axi_bits)
    }

    /// A weight word is narrower than a beat (a divisor of it): a beat
    /// carries [`AccelParams::wwords_a_row`] words, written as one row of
    /// the weight buffer as it arrives (`dma/narrow.rs`).
    pub fn wnarrow(&self) -> bool {
        self.wword_bits() < self.axi_bits
    }

    /// Weight words a row of the weight buffer (a beat with narrow words,
    /// else 1).
    pub fn wwords_a_row(&self) -> u64 {
        u64::from((self.axi_bits / self.wword_bits()).max(1))
    }

    /// Bits of a row of the weight buffer (its SRAM word): a weight word,
    /// or a beat of narrow words.
    pub fn wrow_bits(&self) -> u32 {
        self.wword_bits().max(self.axi_bits)
    }

    /// Rows of a weight slot (its words, or its beats of narrow words).
    pub fn wslot_rows(&self) -> u64 {
        self.wslot_words / self.wwords_a_row()
    }

    /// The input splitter is built: an activation word is narrower than a
    /// beat, which carries [`AccelParams::words_a_beat`] of them.
    pub fn asplit(&self) -> bool {
        self.aword_bits() < self.axi_bits && self.axi_bits.is_multiple_of(self.aword_bits())
    }

    /// Activation words a beat (1 when a word is whole beats).
    pub fn words_a_beat(&self) -> u32 {
        (self.axi_bits / self.aword_bits()).max(1)
    }

    /// The output gearbox is built: an output word is not whole beats, so
    /// the words of an output row cross beats.
    pub fn ogear(&self) -> bool {
        !self.oword_bits().is_multiple_of(self.axi_bits)
    }

    /// A gearbox, narrow weight words or the splitter is built (some word
    /// is not whole beats): the stores per tile are built without the
    /// output gearbox, the streamed input without the splitter
    /// (`store_out::built`, `stream_in::built`).
    pub fn gears(&self) -> bool {
        self.wgear() || self.wnarrow() || self.asplit() || self.ogear() || self.agear()
    }

    /// The top builds the mapper's N tiles (several feature groups a
    /// weight tile, descriptor word 10, `ntile.rs`): on designs of `W`-bit
    /// codes in whole-beat weight and activation words (no gearbox, no
    /// narrow words) and a chunk a cycle (with weight registers or without,
    /// not the broken [`Mutation::TokenOuter`] feeder).
    pub fn ntiles(&self) -> bool {
        self.mutation != Mutation::TokenOuter
            && self.tile.ii() == 1
            && !self.packed()
            && self.lut_index().is_none()
            && !self.wgear()
            && !self.wnarrow()
            && !self.agear()
    }

    /// The module name of the top: `<name>_accel`.
    pub fn top(&self) -> String {
        format!("{}_accel", self.tile.name)
    }

    /// The module name of a buffer's SRAM macro wrapper.
    pub fn sram(&self, buffer: &str) -> String {
        format!("{}_sram_{buffer}", self.tile.name)
    }
}
