//! The lane array's datapaths, one module each, behind one interface.
//!
//! A datapath (the `array.reduction` key) is everything that differs between
//! a select/negate adder tree, a bit-serial popcount, a multiply-accumulate
//! array and a table-lookup array: the operand formats and keys it accepts,
//! its derived timing, the events one chunk causes, its bit-exact function
//! and the logic it needs. [`ReductionModule`] is that interface; each
//! datapath implements it in its own file ([`adder_tree`], [`popcount`],
//! [`mac`]) and [`Reduction::module`] is the registry every other part of
//! onebit goes through (validation and TOML writing in `arch`, timing in
//! `arch::derive`, chunk events in `mapping::chunk`, the bit-exact model,
//! the energy and area model, and the RTL generator's lane generators in
//! `rtl-gen/src/datapath/`).
//!
//! Adding a datapath: a file here implementing [`ReductionModule`], a
//! variant of [`Reduction`] and [`LaneTrace`] and a line in
//! [`Reduction::module`] and [`Reduction::ALL`] (this file), and its lane
//! generator in rtl-gen (one file there and its line in that registry).

pub mod adder_tree;
pub mod lut;
pub mod mac;
pub mod popcount;

use crate::activity::Activity;
use crate::arch::{Accelerator, ArrayConfig, ArrayTiming, InvalidValue};
use crate::bitexact::{BitExactError, Datapath};
use crate::mapping::ChunkCost;
use serde::{Deserialize, Serialize};
use workloads::Precision;

/// How a lane reduces its `width` products (the `array.reduction` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reduction {
    /// Select/negate each activation by its weight and sum with a
    /// `width`-input adder tree, registered every `stage_levels` levels.
    AdderTree,
    /// Bit-serial over activation bit-planes: popcount(pos & a_b) -
    /// popcount(neg & a_b), shifted by b, the sign plane weighted negative;
    /// `planes_per_cycle` planes a cycle. XNOR/AND-popcount with 1-bit
    /// activations.
    Popcount,
    /// A multiply-accumulate array (INT8 or FP16 baseline).
    Mac,
    /// Table lookup: a shared precompute unit builds tables of the sums of
    /// groups of `g` activations; each lane looks up one entry per weight
    /// group by its weight index (`[array.lut]`).
    Lut,
}

/// The comment above `array.reduction` in a written description.
pub const REDUCTION_DOC: &str =
    "How a lane reduces its products: \"adder-tree\" (select/negate + adder tree),\n\
     \"popcount\" (bit-serial over activation bit-planes), \"mac\" (multipliers),\n\
     \"lut\" (table lookup of precomputed activation-group sums, keys in [array.lut]).";

impl Reduction {
    /// Every datapath, in the order the documentation lists them.
    pub const ALL: [Reduction; 4] = [
        Reduction::AdderTree,
        Reduction::Popcount,
        Reduction::Mac,
        Reduction::Lut,
    ];

    /// The datapath's module: the one place its behaviour is defined.
    pub fn module(self) -> &'static dyn ReductionModule {
        match self {
            Reduction::AdderTree => &adder_tree::AdderTree,
            Reduction::Popcount => &popcount::Popcount,
            Reduction::Mac => &mac::Mac,
            Reduction::Lut => &lut::Lut,
        }
    }

    /// The TOML name.
    pub fn name(self) -> &'static str {
        self.module().name()
    }
}

/// Refuses a datapath's key table (`[array.<name>]`) beside another
/// `array.reduction`.
pub fn check_foreign_keys(a: &ArrayConfig) -> Result<(), InvalidValue> {
    let tables = [(a.lut.is_some(), Reduction::Lut, "array.lut")];
    for (present, owner, key) in tables {
        if present && a.reduction != owner {
            return Err(InvalidValue {
                key: key.into(),
                value: "{...}".into(),
                message: format!(
                    "`{key}` is not accepted with `array.reduction` = \"{}\": its keys configure \
                     the \"{}\" reduction; remove the table or set `array.reduction` = \"{}\"",
                    a.reduction.name(),
                    owner.name(),
                    owner.name()
                ),
            });
        }
    }
    Ok(())
}

/// One lane's chunk through its reduction, with the datapath's internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaneTrace {
    /// Adder tree: the terms and every level.
    Tree(adder_tree::TreeTrace),
    /// Popcount: every plane's contribution and every cycle's partial.
    Popcount(popcount::PopcountTrace),
    /// MAC: the products and the tree levels.
    Mac(mac::MacTrace),
    /// LUT: the tables, the lookups and their sum.
    Lut(lut::LutTrace),
}

impl LaneTrace {
    /// The chunk's sum.
    pub fn sum(&self) -> i64 {
        match self {
            LaneTrace::Tree(t) => t.sum,
            LaneTrace::Popcount(t) => t.sum,
            LaneTrace::Mac(t) => t.sum,
            LaneTrace::Lut(t) => t.sum,
        }
    }

    /// What the lane adds to its accumulator in each cycle of the chunk
    /// (one value, except for a datapath taking several cycles a chunk).
    pub fn per_cycle(&self) -> Vec<i64> {
        match self {
            LaneTrace::Popcount(t) => t.per_cycle.clone(),
            LaneTrace::Lut(t) => t.per_cycle.clone(),
            other => vec![other.sum()],
        }
    }
}

/// The logic gate a select stage is built of, per term bit (the area model
/// prices it from the technology table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectGate {
    /// An XOR (conditional inversion) and an AND (the zero gate).
    XorAnd,
    /// An AND (masking a bit).
    And,
}

/// The select stage of one lane: what turns a weight and an activation into
/// a term before the reduction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectStage {
    /// Bits selected (and switched) per term and chunk: the energy model
    /// prices `terms x bits_per_term` at `select_pj_per_bit`.
    pub bits_per_term: f64,
    /// Gates per term (hardware instances: per cycle), for the area.
    pub gates_per_term: f64,
    /// The gate each of them is.
    pub gate: SelectGate,
}

/// Logic of a datapath the chunk events do not describe, as counts of
/// technology-independent cells (the area model prices them).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DatapathLogic {
    /// 2:1 multiplexer bits in each lane.
    pub lane_mux2: f64,
    /// 2:1 multiplexer bits shared by the lanes.
    pub shared_mux2: f64,
    /// XOR gates in each lane.
    pub lane_xor: f64,
    /// AND-class gates in each lane.
    pub lane_and: f64,
    /// Full adders shared by the lanes (beyond the events' per-cycle adds).
    pub shared_full_adders: f64,
    /// Bytes of an SRAM local to the datapath (0: none).
    pub local_sram_bytes: u64,
    /// Its banks (macros).
    pub local_sram_banks: u32,
}

/// A key of a datapath written into a description (`to_toml`): its comment,
/// dotted name below `[array]` and value as TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlKey {
    /// The comment above the key (may span lines).
    pub doc: String,
    /// The key.
    pub key: String,
    /// Its value, as TOML.
    pub value: String,
}

/// Everything a datapath defines. One implementation per file of this
/// module; the rest of onebit calls these through [`Reduction::module`].
pub trait ReductionModule: Sync {
    /// The TOML name (`array.reduction`).
    fn name(&self) -> &'static str;
    /// The class whose Yosys cell counts calibrate the area estimate of
    /// `a` (energy-model `area_fit.rs`): the name, unless one datapath
    /// builds different logic for different formats.
    fn area_class(&self, _a: &ArrayConfig) -> &'static str {
        self.name()
    }

    // ------------------------------------------------ keys and validation

    /// The activation precisions it accepts, as the error messages list them.
    fn allowed_activations(&self) -> &'static str;
    /// True when it takes `p` activations.
    fn accepts_activations(&self, p: Precision) -> bool;
    /// The weight encodings it accepts, as the error messages list them.
    fn allowed_weights(&self) -> &'static str;
    /// True when it takes `p` weights.
    fn accepts_weights(&self, p: Precision) -> bool;
    /// True for datapaths of multipliers (systolic dataflows, attention on
    /// the array and the multipliers' pipeline register need them).
    fn multiplies(&self) -> bool {
        false
    }
    /// Checks the keys only this datapath reads (after the common ones).
    fn validate(&self, _a: &ArrayConfig) -> Result<(), InvalidValue> {
        Ok(())
    }
    /// Its own keys as a written description shows them, in order, after
    /// `stage_levels`.
    fn toml_keys(&self, _a: &ArrayConfig) -> Vec<TomlKey> {
        Vec::new()
    }
    /// True when the array of `arr` can run a product of `a` activations
    /// with `w` weights.
    fn runs(&self, arr: &ArrayConfig, a: Precision, w: Precision) -> bool;

    // ------------------------------------------------ timing and events

    /// The derived timing of `a`.
    fn timing(&self, a: &ArrayConfig) -> ArrayTiming;
    /// Adds what one lane (`lane`) and the shared broadcast path (`shared`)
    /// do for one chunk, beyond the input registers and the accumulator
    /// (which every datapath has, see `mapping::chunk`).
    fn chunk_events(
        &self,
        arch: &Accelerator,
        timing: &ArrayTiming,
        lane: &mut Activity,
        shared: &mut Activity,
    );
    /// Its select stage.
    fn select(&self, a: &ArrayConfig, t: &ArrayTiming) -> SelectStage;
    /// Flip-flops of one lane (the registers a chunk writes, less those
    /// written several times a chunk).
    fn lane_flops(&self, _a: &ArrayConfig, chunk: &ChunkCost) -> u64 {
        chunk.per_lane.reg_bits
    }
    /// Logic beyond the events' adders, popcounts, multipliers, select stage
    /// and flip-flops (for the area).
    fn logic(&self, _a: &ArrayConfig) -> DatapathLogic {
        DatapathLogic::default()
    }
    /// Bits a weight occupies in SRAM and DRAM when the datapath stores
    /// weights in a format of its own (the LUT's indices), as the fraction
    /// `(bits, weights)`; `None`: the weights' precision.
    fn weight_bits(&self, _a: &ArrayConfig) -> Option<(u64, u64)> {
        None
    }
    /// The additions BitNet's arithmetic-energy rule counts for `act`
    /// (priced at INT8, or at the activation precision for multipliers).
    fn paper_adds(&self, act: &Activity) -> u64;

    // ------------------------------------------------ bit-exact model

    /// Why the bit-exact model refuses `w` weights, if it does.
    fn bitexact_refuses(&self, _w: Precision) -> Option<String> {
        None
    }
    /// The chunk's cycles: per cycle, the activation bit-planes `lo..hi`
    /// whose contributions the lanes add in that cycle
    /// (`bitexact::popcount::plane_field`); `[(0, 1)]` (the whole
    /// activation in one cycle) for single-cycle datapaths.
    fn cycle_groups(&self, _a: &ArrayConfig) -> Vec<(u32, u32)> {
        vec![(0, 1)]
    }
    /// One lane's chunk through the hardware-structured datapath.
    fn lane_chunk(
        &self,
        dp: &Datapath,
        ws: &[i64],
        act: &[i64],
    ) -> Result<LaneTrace, BitExactError>;
}

// ------------------------------------------------------------ shared helpers

/// Bits needed for a signed value of magnitude up to `m`.
pub fn signed_bits(max_mag: u64) -> u32 {
    // smallest b with 2^(b-1) >= max_mag
    let mut b = 1;
    while (1u64 << (b - 1)) < max_mag {
        b += 1;
    }
    b
}

/// Widths of a pairwise reduction tree: for each level, (adds, output bits),
/// starting from `n` inputs of `bits` bits.
pub fn tree_adds(n: u64, bits: u32) -> Vec<(u64, u32)> {
    let mut v = Vec::new();
    let mut n = n;
    let mut b = bits;
    while n > 1 {
        b += 1;
        v.push((n / 2, b));
        n = n.div_ceil(2);
    }
    v
}

/// Levels of an `n`-input pairwise tree: ceil(log2(n)), 0 for one input.
pub fn levels_of(n: u32) -> u32 {
    if n <= 1 {
        0
    } else {
        32 - (n - 1).leading_zeros()
    }
}

/// The timing of a tree datapath: the input register, one register every
/// `stage_levels` of the `tree_inputs`-input tree, `extra_regs` more, and
/// `ii` cycles a chunk over `planes` planes.
pub fn tree_timing(
    a: &ArrayConfig,
    tree_inputs: u32,
    extra_regs: u32,
    planes: u32,
    ii: u32,
) -> ArrayTiming {
    let tree_levels = levels_of(tree_inputs);
    let stage = a.stage_levels.max(1);
    let tree_regs = tree_levels.div_ceil(stage);
    let pipeline_regs = 1 + tree_regs + extra_regs;
    ArrayTiming {
        tree_levels,
        pipeline_regs,
        latency: pipeline_regs + ii,
        initiation_interval: ii,
        planes,
    }
}

/// The events of the pairwise adder tree of `width` terms of `term_bits`
/// bits with a register every `stage_levels` levels (and at its output).
pub fn tree_events(lane: &mut Activity, width: u64, term_bits: u32, stage_levels: u32) {
    let levels = tree_adds(width, term_bits);
    let stage = stage_levels.max(1) as usize;
    for (i, &(adds, bits)) in levels.iter().enumerate() {
        *lane.adds.entry(bits).or_insert(0) += adds;
        let level = i + 1;
        if level % stage == 0 || level == levels.len() {
            let values = width.div_ceil(1 << level);
            lane.reg_bits += values * u64::from(bits);
        }
    }
}

/// True when `p` is `intB` with `lo <= B <= hi`.
pub fn is_int_between(p: Precision, lo: u8, hi: u8) -> bool {
    matches!(p, Precision::Int(b) if (lo..=hi).contains(&b))
}

/// The low-bit reductions' operand rule: low-bit weights, and activations
/// no wider than the array's.
pub fn runs_low_bit(arr: &ArrayConfig, a: Precision, w: Precision) -> bool {
    let w_ok = w.is_low_bit_weight();
    let a_ok = match (a, arr.activations) {
        (Precision::Int(x), Precision::Int(y)) => x <= y,
        (x, y) => x == y,
    };
    w_ok && a_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_of_five() {
        // 5 inputs: level 1 has 2 adds (one passes through), level 2 1 add, level 3 1 add
        assert_eq!(tree_adds(5, 9), vec![(2, 10), (1, 11), (1, 12)]);
        assert_eq!(tree_adds(1, 9), vec![]);
        let total: u64 = tree_adds(64, 9).iter().map(|l| l.0).sum();
        assert_eq!(total, 63);
        assert_eq!(signed_bits(65), 8);
        assert_eq!(signed_bits(64), 7);
        assert_eq!(levels_of(1), 0);
        assert_eq!(levels_of(2), 1);
        assert_eq!(levels_of(64), 6);
        assert_eq!(levels_of(65), 7);
    }

    #[test]
    fn registry_names_are_the_serde_names() {
        for r in Reduction::ALL {
            let t: String = toml::Value::try_from(r).unwrap().to_string();
            assert_eq!(t, format!("\"{}\"", r.name()));
        }
    }
}
