//! Simulation results: cycles, latency, throughput, stalls by cause,
//! activity counters per component and traffic per memory level, per
//! operator and in total. Serialized as JSON with a schema version.

use crate::activity::{Activity, Buffer};
use crate::capacity::Footprint;
use crate::engine::{Bound, Cycles, OpTiming};
use crate::mapping::Unit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use workloads::Phase;

/// The version of the result schema; bumped on any incompatible change.
pub const RESULT_SCHEMA: &str = "onebit.sim/1";

/// One operator's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpResult {
    /// Operator name.
    pub name: String,
    /// Operator kind keyword.
    pub kind: String,
    /// Transformer block, if any.
    pub layer: Option<u32>,
    /// The unit that ran it.
    pub unit: Unit,
    /// Useful multiply-accumulates (0 for vector operators).
    pub macs: u64,
    /// Tiles it was cut into.
    pub tiles: u64,
    /// The mapping chosen.
    pub mapping: String,
    /// The mapper's choice, its runner-up and their estimated costs
    /// (searched lane-array products only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<crate::mapping::MappingChoice>,
    /// Cycle timing.
    pub timing: OpTiming,
    /// Events it caused.
    pub activity: Activity,
}

impl OpResult {
    /// Cycles from its first tile to its completion.
    pub fn span(&self) -> u64 {
        self.timing.done.saturating_sub(self.timing.start)
    }
}

/// Bytes moved per memory level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traffic {
    /// Bytes read from DRAM.
    pub dram_read_bytes: u64,
    /// Bytes written to DRAM.
    pub dram_write_bytes: u64,
    /// Bytes read from each SRAM buffer.
    pub sram_read_bytes: BTreeMap<Buffer, u64>,
    /// Bytes written to each SRAM buffer.
    pub sram_write_bytes: BTreeMap<Buffer, u64>,
}

/// The result of simulating one trace on one design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    /// [`RESULT_SCHEMA`].
    pub schema: String,
    /// Design name.
    pub design: String,
    /// Model name.
    pub model: String,
    /// Decode or prefill.
    pub phase: Phase,
    /// Sequences per step.
    pub batch: u64,
    /// KV length (decode, verify) or prompt length (prefill).
    pub seq: u64,
    /// Drafted tokens verified per sequence (verify; 0 otherwise).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub draft: u64,
    /// Tokens the step produces or consumes.
    pub tokens: u64,
    /// Clock in GHz.
    pub clock_ghz: f64,
    /// Total cycles of the step.
    pub cycles: u64,
    /// Seconds of the step.
    pub latency_s: f64,
    /// Tokens per second.
    pub tokens_per_s: f64,
    /// Useful multiply-accumulates of the matrix products.
    pub macs: u64,
    /// Useful array terms over the array's peak terms in the run's cycles.
    pub array_utilization: f64,
    /// Share of cycles in which some unit computed.
    pub compute_bound_share: f64,
    /// Share of cycles in which nothing computed and a unit waited on DRAM.
    pub memory_bound_share: f64,
    /// Cycle split of the run.
    pub bound: Bound,
    /// Cycles per unit by state.
    pub units: BTreeMap<Unit, Cycles>,
    /// Bytes per memory level.
    pub traffic: Traffic,
    /// Events of the whole run.
    pub activity: Activity,
    /// Per operator, in trace order.
    pub ops: Vec<OpResult>,
    /// The banked DRAM model's account of the run (absent for the
    /// transaction model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dram: Option<DramResult>,
    /// What the step keeps in DRAM.
    #[serde(default)]
    pub footprint: Footprint,
    /// Warnings reports show with the result (an oversubscribed DRAM).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What the banked DRAM model says about a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DramResult {
    /// DRAM preset.
    pub preset: String,
    /// Channels.
    pub channels: u32,
    /// Achieved over peak bandwidth across the run.
    pub efficiency: f64,
    /// Row-buffer hits over requests.
    pub row_hit_rate: f64,
    /// Share of rank time blocked by refresh.
    pub refresh_share: f64,
    /// Requests (bursts) served.
    pub requests: u64,
    /// Commands and standby cycles.
    pub counts: crate::memory::banked::Counts,
    /// DRAM energy by part (IDD method), pJ.
    pub energy: crate::memory::banked::Energy,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

impl SimResult {
    /// Achieved DRAM bandwidth over the peak (`dram.bandwidth_gbps`) across
    /// the run, for either DRAM model.
    pub fn dram_efficiency(&self, peak_gbps: f64) -> f64 {
        if self.latency_s <= 0.0 || peak_gbps <= 0.0 {
            return 0.0;
        }
        let bytes = (self.traffic.dram_read_bytes + self.traffic.dram_write_bytes) as f64;
        bytes / self.latency_s / 1e9 / peak_gbps
    }

    /// Operator indices sorted by span, longest first (ties by trace order).
    pub fn top_ops(&self, count: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.ops.len()).collect();
        idx.sort_by_key(|&i| (std::cmp::Reverse(self.ops[i].span()), i));
        idx.truncate(count);
        idx
    }

    /// JSON text (pretty, stable key order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("results are plain data") + "\n"
    }
}
