//! Mapping of trace operators onto the accelerator: which unit runs each
//! operator, how it is cut into tiles (DRAM loads, compute, DRAM stores),
//! and the activity counts it causes.
//!
//! A mapping is timing-free: the engine decides when each tile runs.

mod attention;
mod bounds;
mod chunk;
mod linear;
pub mod mapper;
#[cfg(test)]
mod partial_sums_tests;
pub mod prefetch;
pub mod reuse;
pub mod skip;
mod streamed;
pub mod systolic;
mod tiles;
mod vector;

pub use attention::score_pairs;
pub use bounds::MAX_MAPPING_STEPS;
pub use chunk::ChunkCost;
pub use mapper::{Cost, MapPrices, Mapper, MappingCache, MappingChoice, Objective};
pub use reuse::{LinearMapping, LoopOrder};
pub use systolic::{scalesim_cycles, ScaleSimCycles, Systolic};
pub use tiles::{push_run, Pattern, Run, Tiles};

use crate::activity::Activity;
use crate::arch::{Accelerator, AttentionMapping};
use crate::measured::{MeasuredWeights, WeightProfile};
use serde::{Deserialize, Serialize};
use workloads::{Op, OpKind, Precision, Trace};

/// A unit of the accelerator that runs operators one tile at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// The lane array.
    Array,
    /// The vector unit.
    Vector,
    /// The attention unit.
    Attention,
    /// The chip's inter-chip links: collectives and pipeline transfers of
    /// a multi-chip system (`crate::system`), one message step a tile.
    Link,
}

impl Unit {
    /// Every unit, in a fixed order.
    pub const ALL: [Unit; 4] = [Unit::Array, Unit::Vector, Unit::Attention, Unit::Link];

    /// Number of units.
    pub const COUNT: usize = Unit::ALL.len();

    /// Index into per-unit arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Array => "array",
            Unit::Vector => "vector",
            Unit::Attention => "attention",
            Unit::Link => "link",
        }
    }
}

/// The timing-relevant work of one tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TileWork {
    /// Bytes read from DRAM before the tile can compute.
    pub load: u64,
    /// The load reads activations that the operator's producers spilled,
    /// so it may only be issued once they are complete.
    pub load_after_producers: bool,
    /// Cycles the unit computes at its full rate.
    pub busy: u64,
    /// Extra cycles the unit waits on an SRAM port during the tile.
    pub sram_stall: u64,
    /// Bytes written to DRAM after the tile.
    pub store: u64,
    /// Bytes of `load` that are partial sums of a K split read back: their
    /// own transfer, from where their spill was written, issued with the
    /// tile's load but not before that spill has landed (`crate::engine`).
    pub partial_in: u64,
    /// Bytes of `store` that are partial sums of a K split spilled (the
    /// store's last bytes), read back by the next K tile.
    pub partial_out: u64,
}

impl TileWork {
    /// Cycles the unit is occupied by the tile.
    pub fn occupancy(&self) -> u64 {
        self.busy + self.sram_stall
    }
}

/// How one operator runs.
#[derive(Debug, Clone, PartialEq)]
pub struct OpPlan {
    /// The unit that runs it.
    pub unit: Unit,
    /// Tiles in execution order.
    pub tiles: Tiles,
    /// Cycles after the last tile's compute until the result is complete
    /// (pipeline drain).
    pub drain: u64,
    /// Events the operator causes.
    pub activity: Activity,
    /// Useful multiply-accumulates (or terms) of the operator.
    pub macs: u64,
    /// A short description of the mapping (tile sizes, loop order).
    pub note: String,
    /// The mapper's choice and why (searched lane-array products only).
    pub choice: Option<MappingChoice>,
    /// Tiles the unit holds in flight for this operator (the lane array's
    /// prefetch depth, [`prefetch`]); `None`: the unit's slots.
    pub depth: Option<u32>,
}

impl OpPlan {
    /// Number of tiles.
    pub fn tile_count(&self) -> u64 {
        self.tiles.count()
    }

    /// Total DRAM bytes read and written.
    pub fn dram_bytes(&self) -> (u64, u64) {
        (self.tiles.sum(|t| t.load), self.tiles.sum(|t| t.store))
    }

    /// True when `self` and `other` do the same work in the same way (the
    /// same tiles, events, drain and tiles in flight).
    pub fn same_work(&self, other: &OpPlan) -> bool {
        self.tiles == other.tiles
            && self.activity == other.activity
            && self.drain == other.drain
            && self.depth == other.depth
    }
}

/// An operator the design cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The accumulators are too narrow for the operator's reduction length.
    #[error("operator `{op}` reduces K = {k} terms, which needs {needed}-bit accumulators; the design has {have} (raise `array.max_k` or `array.acc_bits`)")]
    Accumulator {
        /// Operator name.
        op: String,
        /// Reduction length.
        k: u64,
        /// Bits needed.
        needed: u32,
        /// Bits the design has.
        have: u32,
    },
    /// One chunk of weights for all lanes does not fit the weight buffer.
    #[error("operator `{op}`: one chunk of weights for all lanes ({bytes} bytes) does not fit half of the weight buffer ({capacity} bytes); enlarge `buffers.weights.kib`")]
    WeightBuffer {
        /// Operator name.
        op: String,
        /// Bytes of one chunk.
        bytes: u64,
        /// Usable bytes.
        capacity: u64,
    },
    /// A count, size or cycle figure of the operator exceeds 2^64 - 1.
    #[error(transparent)]
    Overflow(#[from] workloads::Overflow),
    /// The operator's mapping would take more steps than the documented limit.
    #[error("operator `{op}`: its mapping takes {steps} steps (instances x feature groups x K tiles, or folds), above the limit of {limit}; split the operator (smaller g, n or k)")]
    TooManySteps {
        /// Operator name.
        op: String,
        /// Steps the mapping would take.
        steps: u128,
        /// The limit.
        limit: u128,
    },
    /// One row of activations does not fit the activation buffer.
    #[error("operator `{op}`: one row of activations ({bytes} bytes) does not fit the activation buffer ({capacity} bytes); enlarge `buffers.activations.kib`")]
    ActivationBuffer {
        /// Operator name.
        op: String,
        /// Bytes of one row.
        bytes: u64,
        /// Usable bytes.
        capacity: u64,
    },
}

/// True when the lane array can run a product of `a` activations with `w`
/// weights.
pub fn array_supports(arch: &Accelerator, a: Precision, w: Precision) -> bool {
    let arr = &arch.array;
    arr.reduction.module().runs(arr, a, w)
}

/// The unit that runs high-precision products the array cannot (attention
/// and, on low-bit designs, the LM head), and its rate in MACs per cycle.
pub fn high_precision_unit(arch: &Accelerator) -> (Unit, u64) {
    match arch.attention.mapping {
        AttentionMapping::Unit => (
            Unit::Attention,
            u64::from(arch.attention.macs_per_cycle.max(1)),
        ),
        AttentionMapping::Vector | AttentionMapping::Array => {
            (Unit::Vector, u64::from(arch.vector.elems_per_cycle.max(1)))
        }
    }
}

/// Plans every operator of `trace` on `arch`.
pub fn map_trace(arch: &Accelerator, trace: &Trace) -> Result<Vec<OpPlan>, MapError> {
    map_trace_measured(arch, trace, &WeightProfile::new())
}

/// Plans every operator of `trace` on `arch`, with the measured weight
/// statistics of the operators in `profile` ([`crate::measured`]).
pub fn map_trace_measured(
    arch: &Accelerator,
    trace: &Trace,
    profile: &WeightProfile,
) -> Result<Vec<OpPlan>, MapError> {
    map_trace_with(arch, trace, profile, Mapper::Fixed)
}

/// Plans every operator of `trace` on `arch` with measured statistics and
/// the given mapper (searched mappings are cached per operator shape).
pub fn map_trace_with(
    arch: &Accelerator,
    trace: &Trace,
    profile: &WeightProfile,
    mapper: Mapper,
) -> Result<Vec<OpPlan>, MapError> {
    let chunk = ChunkCost::of(arch);
    let mut cache = MappingCache::default();
    trace
        .ops
        .iter()
        .map(|op| map_op_with(arch, &chunk, op, profile.get(&op.name), mapper, &mut cache))
        .collect()
}

/// Plans one operator.
pub fn map_op(arch: &Accelerator, chunk: &ChunkCost, op: &Op) -> Result<OpPlan, MapError> {
    map_op_measured(arch, chunk, op, None)
}

/// Plans one operator with its measured weight statistics, if any.
pub fn map_op_measured(
    arch: &Accelerator,
    chunk: &ChunkCost,
    op: &Op,
    measured: Option<&MeasuredWeights>,
) -> Result<OpPlan, MapError> {
    map_op_with(
        arch,
        chunk,
        op,
        measured,
        Mapper::Fixed,
        &mut MappingCache::default(),
    )
}

/// Plans one operator with the given mapper.
pub fn map_op_with(
    arch: &Accelerator,
    chunk: &ChunkCost,
    op: &Op,
    measured: Option<&MeasuredWeights>,
    mapper: Mapper,
    cache: &mut MappingCache,
) -> Result<OpPlan, MapError> {
    match op.kind {
        OpKind::Linear | OpKind::Qk | OpKind::Pv => {
            let w = op.w.unwrap_or(op.a);
            let on_array = match op.kind {
                OpKind::Linear => array_supports(arch, op.a, w),
                _ => {
                    arch.attention.mapping == AttentionMapping::Array
                        && array_supports(arch, op.a, w)
                }
            };
            if on_array {
                match Systolic::of(arch.array.dataflow) {
                    Some(df) => {
                        bounds::systolic(arch, op, df)?;
                        systolic::plan(arch, op, df)
                    }
                    None => {
                        bounds::lane_array(arch, chunk, op)?;
                        match mapper {
                            Mapper::Fixed => linear::plan(arch, chunk, op, measured),
                            Mapper::Search { objective, prices } => {
                                cache.plan(arch, chunk, op, measured, objective, prices.as_ref())
                            }
                        }
                    }
                }
            } else {
                bounds::streamed(op)?;
                Ok(streamed::plan_product(arch, op))
            }
        }
        OpKind::Attention => Ok(attention::plan_fused(arch, op)),
        _ => {
            bounds::vector(op)?;
            vector::plan(arch, op)
        }
    }
}
