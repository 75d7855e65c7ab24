//! The table-lookup (LUT) reduction.
//!
//! Per chunk, a precompute unit shared by all lanes cuts the `width`
//! activations into `width / g` groups of `g` and builds, for each group, a
//! table of the sums the group's weight patterns can make; each lane then
//! looks up one entry per weight group by its weight index, negates it when
//! the index says so, and sums the lookups with the pairwise tree into its
//! accumulator. Two table kinds (`array.lut.table`):
//!
//! * **`signfold`** (ternary weights; bitnet.cpp's TL2 does this with 14
//!   entries for g = 3: Wang et al., "Bitnet.cpp: Efficient Edge Inference
//!   for Ternary LLMs", arXiv 2502.11880, §3): the `3^g` patterns of `g`
//!   ternary weights, folded by sign into `(3^g+1)/2` entries. A pattern is
//!   the base-3 number `v = Σ (w_j + 1)·3^j`; negating every weight maps it
//!   to `3^g − 1 − v`, so entry `e = min(v, 3^g − 1 − v)` with a negate bit
//!   `v > (3^g − 1)/2`. Entry `(3^g − 1)/2` is the all-zero pattern. One
//!   lookup per group.
//! * **`bitserial`** (ternary or binary weights; T-MAC does this at g = 4:
//!   Wei et al., "T-MAC: CPU Renaissance via Table Lookup for Low-Bit LLM
//!   Deployment on Edge", EuroSys 2025, arXiv 2407.00088, §3): weights as
//!   ±1 bit-planes (binary: one plane, the weight; ternary: two, with
//!   `w = (p1 + p0)/2`, `+1 = (+,+)`, `0 = (+,−)`, `−1 = (−,−)`), a table of
//!   the `2^g` sums `Σ p_j·a_j` of which half is stored (the patterns with
//!   `p_{g−1} = −1`) and half negated (`T(−p) = −T(p)`). One lookup per
//!   group and plane; a ternary chunk's lookups sum to twice the dot
//!   product, halved exactly (the sum is even) before the accumulator.
//!
//! The weight index of a group (`index_bits`): signfold a negate bit and
//! `ceil(log2(entries))` entry bits (g = 2: 4 bits = 2.0 bits a weight,
//! bitnet.cpp's TL1 cost; g = 3: 5 bits = 1.67, TL2's); bitserial `g` bits a
//! plane (the top bit the negate). `index = "aligned"` rounds a group's
//! index up to a power of two bits. Weights are stored in SRAM and DRAM as
//! these indices.
//!
//! Table storage (`array.lut.storage`): `"lanes"` — every lane holds its own
//! copy in flip-flops, written by the broadcast each chunk, read through
//! `planes` multiplexers a table (one chunk a cycle); `"regfile"` — one
//! flip-flop register file shared by the lanes with `read_ports` read ports
//! a table; `"sram"` — one shared SRAM with `read_ports` ports a table and
//! one more pipeline register (its registered output). A shared table
//! serves `lanes x planes` lookups a chunk, so the initiation interval is
//! `ceil(lanes x planes / read_ports)` (the read-port conflicts); the chunk's
//! sum arrives in its last cycle.
//!
//! Pipeline: the input register, the table register (the built tables; the
//! build is `g − 1` adder levels deep), for `"sram"` the SRAM's output
//! register, then the lookup, negate and a register every `stage_levels`
//! levels of the `width/g x planes`-input tree.

use super::{
    is_int_between, levels_of, signed_bits, tree_timing, LaneTrace, ReductionModule, SelectGate,
    SelectStage, TomlKey,
};
use crate::activity::Activity;
use crate::arch::{Accelerator, ArrayConfig, ArrayTiming, InvalidValue};
use crate::bitexact::encoding::check_weights;
use crate::bitexact::{BitExactError, Datapath};
use serde::{Deserialize, Serialize};
use workloads::Precision;

/// How the tables are organised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// Ternary patterns folded by sign: `(3^g+1)/2` entries, one lookup a group.
    #[default]
    Signfold,
    /// ±1 bit-planes: `2^(g−1)` entries stored, one lookup a group and plane.
    Bitserial,
}

/// Where the tables are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TableStorage {
    /// A copy in every lane's flip-flops.
    #[default]
    Lanes,
    /// One flip-flop register file shared by the lanes.
    Regfile,
    /// One SRAM shared by the lanes.
    Sram,
}

/// How a group's weight index is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IndexEncoding {
    /// The fewest bits.
    #[default]
    Packed,
    /// Rounded up to a power of two bits a group.
    Aligned,
}

/// The `[array.lut]` keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LutConfig {
    /// Activations (and weights) per group, 2 to 4.
    #[serde(default = "default_group")]
    pub group: u32,
    /// Table kind.
    #[serde(default)]
    pub table: TableKind,
    /// Bits of a table entry; derived (the smallest that holds every entry)
    /// when absent, refused when smaller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_bits: Option<u32>,
    /// Table storage.
    #[serde(default)]
    pub storage: TableStorage,
    /// Read ports of a shared table per cycle (`regfile`, `sram`).
    #[serde(default = "default_ports")]
    pub read_ports: u32,
    /// Weight index encoding.
    #[serde(default)]
    pub index: IndexEncoding,
    /// Serial input load: the precompute unit takes a chunk's activations
    /// this many a cycle and builds its tables only once the whole chunk is
    /// in, so each chunk of each token costs `ceil(width / load_elems)`
    /// cycles that do not overlap the lookups; the chunk is loaded once per
    /// token for all feature groups of the operator (its tables serve every
    /// output, as in a design that keeps a block's table for the whole
    /// matrix). Absent: the chunk arrives with the activation port,
    /// overlapped with the previous chunk's lookups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_elems: Option<u32>,
}

fn default_group() -> u32 {
    3
}
fn default_ports() -> u32 {
    1
}

impl Default for LutConfig {
    fn default() -> LutConfig {
        LutConfig {
            group: default_group(),
            table: TableKind::default(),
            entry_bits: None,
            storage: TableStorage::default(),
            read_ports: default_ports(),
            index: IndexEncoding::default(),
            load_elems: None,
        }
    }
}

impl LutConfig {
    /// Cycles the serial input load of one chunk of `positions` activations
    /// takes before its lookups (`load_elems`; 0 when absent).
    pub fn load_cycles(&self, positions: u64) -> u64 {
        self.load_elems
            .map_or(0, |e| positions.div_ceil(u64::from(e.max(1))))
    }
}

/// Largest `array.lut.read_ports`.
pub const MAX_READ_PORTS: u32 = 4096;

/// The derived shape of a LUT array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LutShape {
    /// Group size g.
    pub g: u32,
    /// Table kind.
    pub kind: TableKind,
    /// Weight bit-planes looked up (signfold 1; bitserial 1 binary, 2 ternary).
    pub planes: u32,
    /// Stored entries of one table.
    pub entries: u32,
    /// Entry bits (configured or derived).
    pub entry_bits: u32,
    /// The smallest entry width that holds every entry.
    pub min_entry_bits: u32,
    /// Groups (tables) of a chunk: `width / g`.
    pub groups: u32,
    /// Stored index bits of one group (all planes).
    pub index_bits: u32,
    /// Index bits of one lookup (before alignment).
    pub lookup_index_bits: u32,
    /// Table adds of one group's build.
    pub build_adds: u32,
    /// Storage.
    pub storage: TableStorage,
    /// Read ports of a shared table.
    pub read_ports: u32,
}

impl LutShape {
    /// The shape of `a` (its `[array.lut]` keys or their defaults).
    pub fn of(a: &ArrayConfig) -> LutShape {
        let c = a.lut.clone().unwrap_or_default();
        let g = c.group.clamp(1, 8);
        let planes = match (c.table, a.weights) {
            (TableKind::Bitserial, Precision::Binary) => 1,
            (TableKind::Bitserial, _) => 2,
            (TableKind::Signfold, _) => 1,
        };
        let entries = match c.table {
            TableKind::Signfold => 3u32.pow(g).div_ceil(2),
            TableKind::Bitserial => 1 << (g - 1),
        };
        let lookup_index_bits = match c.table {
            TableKind::Signfold => 1 + levels_of(entries),
            TableKind::Bitserial => g,
        };
        let packed = lookup_index_bits * planes;
        let index_bits = match c.index {
            IndexEncoding::Packed => packed,
            IndexEncoding::Aligned => packed.next_power_of_two(),
        };
        let build_adds = match c.table {
            TableKind::Signfold => entries - 1 - g,
            TableKind::Bitserial => (1 << g) - 2,
        };
        let min_entry_bits = entry_bits_for(a.activations, g);
        LutShape {
            g,
            kind: c.table,
            planes,
            entries,
            entry_bits: c.entry_bits.unwrap_or(min_entry_bits),
            min_entry_bits,
            groups: a.width / g,
            index_bits,
            lookup_index_bits,
            build_adds,
            storage: c.storage,
            read_ports: c.read_ports.max(1),
        }
    }

    /// Lookups of one lane a chunk.
    pub fn lookups(&self) -> u64 {
        u64::from(self.groups) * u64::from(self.planes)
    }

    /// Bits of every table of a chunk (one copy).
    pub fn table_bits(&self) -> u64 {
        u64::from(self.groups) * u64::from(self.entries) * u64::from(self.entry_bits)
    }

    /// Weight storage bits per weight (the index bits of a group over g).
    pub fn bits_per_weight(&self) -> f64 {
        f64::from(self.index_bits) / f64::from(self.g)
    }

    /// Cycles a chunk occupies a shared table's read ports.
    pub fn initiation_interval(&self, lanes: u32) -> u32 {
        match self.storage {
            TableStorage::Lanes => 1,
            _ => (lanes * self.planes).div_ceil(self.read_ports),
        }
    }
}

/// The smallest two's-complement width holding every sum of `g` values
/// `±a` of `a` activations.
pub fn entry_bits_for(a: Precision, g: u32) -> u32 {
    let m = a.max_magnitude().unwrap_or(1) * u64::from(g);
    // range [-m, m]: m needs signed_bits(m + 1)
    signed_bits(m + 1)
}

/// The signfold (negate, entry) of a group's ternary weights: with the
/// pattern number `v = Σ (w_j + 1)·3^j` and `mid = (3^g − 1)/2` (the
/// all-zero pattern), entry `v − mid` when `v >= mid`, else the negation of
/// entry `mid − v`. Stored patterns are those whose highest nonzero weight
/// is +1.
pub fn signfold_index(ws: &[i64]) -> (bool, u32) {
    let g = ws.len() as u32;
    let v: u32 = ws
        .iter()
        .enumerate()
        .map(|(j, &w)| ((w + 1) as u32) * 3u32.pow(j as u32))
        .sum();
    let mid = (3u32.pow(g) - 1) / 2;
    if v >= mid {
        (false, v - mid)
    } else {
        (true, mid - v)
    }
}

/// The weights of signfold entry `e` of a `g`-group (pattern `mid + e`).
pub fn signfold_pattern(e: u32, g: u32) -> Vec<i64> {
    let v = (3u32.pow(g) - 1) / 2 + e;
    (0..g)
        .map(|j| i64::from((v / 3u32.pow(j)) % 3) - 1)
        .collect()
}

/// The ±1 planes of a group's weights for a bitserial table: one (the
/// weights) for binary, `[p1, p0]` for ternary.
pub fn bitserial_planes(weights: Precision, ws: &[i64]) -> Vec<Vec<i64>> {
    match weights {
        Precision::Binary => vec![ws.to_vec()],
        _ => vec![
            ws.iter().map(|&w| if w >= 0 { 1 } else { -1 }).collect(),
            ws.iter().map(|&w| if w > 0 { 1 } else { -1 }).collect(),
        ],
    }
}

/// The bitserial (negate, entry) of a ±1 plane: index bit j is set for
/// `p_j = +1`; stored patterns have `p_{g−1} = +1`, so a clear top bit
/// negates the entry of the complemented low `g − 1` bits.
pub fn bitserial_index(plane: &[i64]) -> (bool, u32) {
    let g = plane.len() as u32;
    let idx: u32 = plane
        .iter()
        .enumerate()
        .map(|(j, &p)| u32::from(p > 0) << j)
        .sum();
    let mask = (1u32 << (g - 1)) - 1;
    if idx >> (g - 1) == 1 {
        (false, idx & mask)
    } else {
        (true, !idx & mask)
    }
}

/// The ±1 pattern of bitserial entry `e` of a `g`-group (`p_{g−1} = +1`).
pub fn bitserial_pattern(e: u32, g: u32) -> Vec<i64> {
    (0..g)
        .map(|j| {
            if j + 1 == g || (e >> j) & 1 == 1 {
                1
            } else {
                -1
            }
        })
        .collect()
}

/// One group's table as the precompute unit builds it.
pub fn build_table(kind: TableKind, acts: &[i64]) -> Vec<i64> {
    let g = acts.len() as u32;
    let dot = |p: &[i64]| p.iter().zip(acts).map(|(w, a)| w * a).sum::<i64>();
    match kind {
        TableKind::Signfold => (0..3u32.pow(g).div_ceil(2))
            .map(|e| dot(&signfold_pattern(e, g)))
            .collect(),
        TableKind::Bitserial => (0..1u32 << (g - 1))
            .map(|e| dot(&bitserial_pattern(e, g)))
            .collect(),
    }
}

/// One lane's chunk through the LUT datapath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LutTrace {
    /// Every group's table (the broadcast tables).
    pub tables: Vec<Vec<i64>>,
    /// The lane's lookups after the negate, group-major then plane.
    pub lookups: Vec<i64>,
    /// The tree's sum of the lookups (twice the chunk's sum for a ternary
    /// bitserial table).
    pub tree_sum: i64,
    /// The chunk's sum.
    pub sum: i64,
    /// What the lane adds to its accumulator in each of the chunk's cycles
    /// (a shared table's ports serve the lanes over the initiation
    /// interval; the sum arrives in the last cycle).
    pub per_cycle: Vec<i64>,
}

/// One lane's chunk: tables, lookups and sum. Refuses weights outside the
/// table kind's encoding and a width that is not a multiple of g.
pub fn lane_chunk(
    shape: &LutShape,
    weights: Precision,
    cycles: u32,
    ws: &[i64],
    acts: &[i64],
) -> Result<LutTrace, BitExactError> {
    if ws.len() != acts.len() {
        return Err(BitExactError::Shape {
            what: "lane weights",
            expected: acts.len(),
            got: ws.len(),
        });
    }
    let g = shape.g as usize;
    if !acts.len().is_multiple_of(g) {
        return Err(BitExactError::Unsupported(format!(
            "a chunk of {} elements in groups of {g}",
            acts.len()
        )));
    }
    check_weights(weights, ws)?;
    let mut tables = Vec::with_capacity(acts.len() / g);
    let mut lookups = Vec::with_capacity(acts.len() / g * shape.planes as usize);
    for (wg, ag) in ws.chunks(g).zip(acts.chunks(g)) {
        let table = build_table(shape.kind, ag);
        match shape.kind {
            TableKind::Signfold => {
                let (neg, e) = signfold_index(wg);
                let v = table[e as usize];
                lookups.push(if neg { -v } else { v });
            }
            TableKind::Bitserial => {
                for plane in bitserial_planes(weights, wg) {
                    let (neg, e) = bitserial_index(&plane);
                    let v = table[e as usize];
                    lookups.push(if neg { -v } else { v });
                }
            }
        }
        tables.push(table);
    }
    let tree_sum = super::adder_tree::tree_sum(&lookups);
    let sum = if shape.planes == 2 {
        tree_sum >> 1
    } else {
        tree_sum
    };
    let mut per_cycle = vec![0; cycles.max(1) as usize - 1];
    per_cycle.push(sum);
    Ok(LutTrace {
        tables,
        lookups,
        tree_sum,
        sum,
        per_cycle,
    })
}

/// The table-lookup datapath's module.
#[derive(Debug, Clone, Copy)]
pub struct Lut;

fn bad(key: &str, value: String, message: String) -> InvalidValue {
    InvalidValue {
        key: key.into(),
        value,
        message,
    }
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

fn kind_name(k: TableKind) -> &'static str {
    match k {
        TableKind::Signfold => "signfold",
        TableKind::Bitserial => "bitserial",
    }
}

fn storage_name(s: TableStorage) -> &'static str {
    match s {
        TableStorage::Lanes => "lanes",
        TableStorage::Regfile => "regfile",
        TableStorage::Sram => "sram",
    }
}

fn index_name(i: IndexEncoding) -> &'static str {
    match i {
        IndexEncoding::Packed => "packed",
        IndexEncoding::Aligned => "aligned",
    }
}

impl ReductionModule for Lut {
    fn name(&self) -> &'static str {
        "lut"
    }
    fn allowed_activations(&self) -> &'static str {
        "int2..int8"
    }
    fn accepts_activations(&self, p: Precision) -> bool {
        is_int_between(p, 2, 8)
    }
    fn allowed_weights(&self) -> &'static str {
        "ternary, ternary-packed (signfold); ternary, ternary-packed, binary (bitserial)"
    }
    fn accepts_weights(&self, p: Precision) -> bool {
        matches!(
            p,
            Precision::Ternary | Precision::TernaryPacked | Precision::Binary
        )
    }
    fn validate(&self, a: &ArrayConfig) -> Result<(), InvalidValue> {
        let c = a.lut.clone().unwrap_or_default();
        if !(2..=4).contains(&c.group) {
            return Err(bad(
                "array.lut.group",
                c.group.to_string(),
                format!(
                    "`array.lut.group` = {} is out of range: expected an integer from 2 to 4",
                    c.group
                ),
            ));
        }
        if c.table == TableKind::Signfold && a.weights == Precision::Binary {
            return Err(bad(
                "array.weights",
                quoted("binary"),
                "`array.weights` = \"binary\" is not accepted with `array.lut.table` = \
                 \"signfold\" (its entries are ternary patterns): expected one of ternary, \
                 ternary-packed, or set `array.lut.table` = \"bitserial\""
                    .into(),
            ));
        }
        if !a.width.is_multiple_of(c.group) {
            return Err(bad(
                "array.width",
                a.width.to_string(),
                format!(
                    "`array.width` = {} is not accepted by the lut reduction: expected a multiple \
                     of `array.lut.group` = {}",
                    a.width, c.group
                ),
            ));
        }
        let shape = LutShape::of(a);
        if let Some(bits) = c.entry_bits {
            let need = shape.min_entry_bits;
            if !(need..=32).contains(&bits) {
                return Err(bad(
                    "array.lut.entry_bits",
                    bits.to_string(),
                    format!(
                        "`array.lut.entry_bits` = {bits} is out of range: sums of {} {} \
                         activations need {need} bits, expected an integer from {need} to 32",
                        c.group, a.activations
                    ),
                ));
            }
        }
        if !(1..=MAX_READ_PORTS).contains(&c.read_ports) {
            return Err(bad(
                "array.lut.read_ports",
                c.read_ports.to_string(),
                format!(
                    "`array.lut.read_ports` = {} is out of range: expected an integer from 1 to \
                     {MAX_READ_PORTS}",
                    c.read_ports
                ),
            ));
        }
        if let Some(e) = c.load_elems {
            if !(1..=a.width).contains(&e) {
                return Err(bad(
                    "array.lut.load_elems",
                    e.to_string(),
                    format!(
                        "`array.lut.load_elems` = {e} is out of range: a chunk of {} activations \
                         loads at 1 to {} a cycle, expected an integer from 1 to {}",
                        a.width, a.width, a.width
                    ),
                ));
            }
        }
        if a.zeros != crate::arch::ZeroHandling::None {
            let z = match a.zeros {
                crate::arch::ZeroHandling::Gate => "gate",
                _ => "skip",
            };
            return Err(bad(
                "array.zeros",
                quoted(z),
                format!(
                    "`array.zeros` = \"{z}\" is not accepted with `array.reduction` = \"lut\" (a \
                     lane reads one table entry per group of weights whatever their values): \
                     expected \"none\""
                ),
            ));
        }
        Ok(())
    }
    fn toml_keys(&self, a: &ArrayConfig) -> Vec<TomlKey> {
        let c = a.lut.clone().unwrap_or_default();
        let s = LutShape::of(a);
        let mut v = vec![
            TomlKey {
                doc: "Table lookup: activations (and weights) per group, 2 to 4.".into(),
                key: "lut.group".into(),
                value: c.group.to_string(),
            },
            TomlKey {
                doc: "Table kind: \"signfold\" ((3^g+1)/2 entries of ternary patterns and a\n\
                      negate, bitnet.cpp TL2-like) or \"bitserial\" (2^(g-1) entries of ±1\n\
                      bit-planes and a negate, T-MAC-like; ternary weights take two lookups)."
                    .into(),
                key: "lut.table".into(),
                value: quoted(kind_name(c.table)),
            },
        ];
        if let Some(b) = c.entry_bits {
            v.push(TomlKey {
                doc: format!(
                    "Bits of a table entry, {} to 32 (omit to derive it).",
                    s.min_entry_bits
                ),
                key: "lut.entry_bits".into(),
                value: b.to_string(),
            });
        }
        v.push(TomlKey {
            doc: "Table storage: \"lanes\" (a copy in every lane's flip-flops), \"regfile\"\n\
                  (one shared flip-flop register file) or \"sram\" (one shared SRAM)."
                .into(),
            key: "lut.storage".into(),
            value: quoted(storage_name(c.storage)),
        });
        v.push(TomlKey {
            doc: "Read ports of a shared table per cycle, 1 to 4096 (regfile, sram); the\n\
                  initiation interval is ceil(lanes x planes / read_ports)."
                .into(),
            key: "lut.read_ports".into(),
            value: c.read_ports.to_string(),
        });
        v.push(TomlKey {
            doc: format!(
                "Weight index encoding: \"packed\" (fewest bits) or \"aligned\" (a power of two\n\
                 bits a group); here {} bits a group of {} = {:.2} bits a weight.",
                s.index_bits,
                s.g,
                s.bits_per_weight()
            ),
            key: "lut.index".into(),
            value: quoted(index_name(c.index)),
        });
        if let Some(e) = c.load_elems {
            v.push(TomlKey {
                doc: format!(
                    "Serial input load: activations a cycle, 1 to {}; each chunk takes\n\
                     ceil(width / load_elems) cycles before its lookups, once per token.",
                    a.width
                ),
                key: "lut.load_elems".into(),
                value: e.to_string(),
            });
        }
        v
    }
    fn runs(&self, arr: &ArrayConfig, a: Precision, w: Precision) -> bool {
        super::runs_low_bit(arr, a, w) && w != Precision::Binary01
    }
    fn timing(&self, a: &ArrayConfig) -> ArrayTiming {
        let s = LutShape::of(a);
        let sram_reg = u32::from(s.storage == TableStorage::Sram);
        let tree_inputs = s.groups.max(1) * s.planes;
        tree_timing(
            a,
            tree_inputs,
            1 + sram_reg,
            1,
            s.initiation_interval(a.lanes),
        )
    }
    fn chunk_events(
        &self,
        arch: &Accelerator,
        _timing: &ArrayTiming,
        lane: &mut Activity,
        shared: &mut Activity,
    ) {
        let a = &arch.array;
        let s = LutShape::of(a);
        let eb = s.entry_bits;
        let width = u64::from(a.width);
        // the lane's input register holds indices, not 2-bit weight codes
        let w_bits = a.weights.storage_bits().ceil() as u64;
        lane.reg_bits -= width * w_bits;
        lane.reg_bits += u64::from(s.groups) * u64::from(s.index_bits);
        // the precompute unit: the table build adds, once for all lanes
        *shared.adds.entry(eb).or_insert(0) += u64::from(s.groups) * u64::from(s.build_adds);
        let table_bits = s.table_bits();
        match s.storage {
            // every lane's copy is written each chunk
            TableStorage::Lanes => lane.reg_bits += table_bits,
            TableStorage::Regfile => shared.reg_bits += table_bits,
            TableStorage::Sram => shared.local_sram_write_bits += table_bits,
        }
        let lookups = s.lookups();
        let mux_levels = u64::from(levels_of(s.entries));
        match s.storage {
            TableStorage::Sram => lane.local_sram_read_bits += lookups * u64::from(eb),
            _ => lane.lut_mux_bits += lookups * u64::from(eb) * mux_levels,
        }
        lane.lut_decode_bits += lookups * u64::from(s.lookup_index_bits);
        lane.lut_negate_bits += lookups * u64::from(eb);
        // the lookups' tree, registered every stage_levels levels
        super::tree_events(lane, lookups, eb, a.stage_levels);
        if s.storage == TableStorage::Sram {
            // the SRAM's output register
            lane.reg_bits += lookups * u64::from(eb);
        }
    }
    fn select(&self, _a: &ArrayConfig, _t: &ArrayTiming) -> SelectStage {
        // no per-term select: the lookups' negate and decode are counted
        // per lookup (Activity::lut_negate_bits, lut_decode_bits)
        SelectStage {
            bits_per_term: 0.0,
            gates_per_term: 0.0,
            gate: SelectGate::And,
        }
    }
    fn logic(&self, a: &ArrayConfig) -> super::DatapathLogic {
        let s = LutShape::of(a);
        let eb = f64::from(s.entry_bits);
        let ii = f64::from(s.initiation_interval(a.lanes));
        // an E:1 read multiplexer of entry_bits is (E-1) x entry_bits 2:1 muxes
        let read_mux = f64::from(s.entries - 1) * eb;
        let groups = f64::from(s.groups);
        let lookups_per_cycle = s.lookups() as f64 / ii;
        let (lane_mux2, shared_mux2) = match s.storage {
            TableStorage::Lanes => (groups * f64::from(s.planes) * read_mux, 0.0),
            TableStorage::Regfile => (0.0, groups * f64::from(s.read_ports) * read_mux),
            TableStorage::Sram => (0.0, 0.0),
        };
        super::DatapathLogic {
            lane_mux2,
            shared_mux2,
            // the conditional negate: an XOR a bit (the +1 enters the tree as a carry)
            lane_xor: lookups_per_cycle * eb,
            // the index decode: an XOR a low index bit (complement under the negate bit)
            lane_and: lookups_per_cycle * f64::from(s.lookup_index_bits),
            shared_full_adders: groups * f64::from(s.build_adds) * eb,
            local_sram_bytes: match s.storage {
                TableStorage::Sram => s.table_bits().div_ceil(8),
                _ => 0,
            },
            local_sram_banks: match s.storage {
                TableStorage::Sram => s.groups * s.read_ports,
                _ => 0,
            },
        }
    }
    fn weight_bits(&self, a: &ArrayConfig) -> Option<(u64, u64)> {
        let s = LutShape::of(a);
        Some((u64::from(s.index_bits), u64::from(s.g)))
    }
    fn paper_adds(&self, act: &Activity) -> u64 {
        // every add the datapath does: the table build, the lookups' tree
        // and the accumulate
        act.adds.values().sum::<u64>() + act.acc_updates.values().sum::<u64>()
    }
    fn bitexact_refuses(&self, w: Precision) -> Option<String> {
        (!self.accepts_weights(w)).then(|| {
            format!("the lut reduction takes ternary, ternary-packed or binary weights, not {w}")
        })
    }
    fn cycle_groups(&self, a: &ArrayConfig) -> Vec<(u32, u32)> {
        let ii = LutShape::of(a).initiation_interval(a.lanes);
        if ii == 1 {
            return vec![(0, 1)];
        }
        // the shared table's ports serve the lanes over ii cycles; the
        // chunk's sums arrive in the last one (plane fields 0..0 add
        // nothing, 0..bits the whole activation)
        let bits = match a.activations {
            Precision::Int(b) => u32::from(b),
            _ => 1,
        };
        let mut v = vec![(0, 0); ii as usize - 1];
        v.push((0, bits));
        v
    }
    fn lane_chunk(
        &self,
        dp: &Datapath,
        ws: &[i64],
        act: &[i64],
    ) -> Result<LaneTrace, BitExactError> {
        let t = lane_chunk(
            &LutShape::of(&dp.array),
            dp.weights,
            dp.cycles_per_chunk,
            ws,
            act,
        )?;
        Ok(LaneTrace::Lut(t))
    }
}
