//! The mapper: for each matrix product on the lane array, search the loop
//! order and tile sizes and keep the mapping that is best on the user's
//! objective (`--objective edp|energy|cycles`).
//!
//! The space of one operator, pruned by these rules:
//! - loop order: weights outer or tokens outer when the activations stream
//!   from DRAM; when the whole input fits the activation buffer there is
//!   one order;
//! - token tile of the lanes' weight registers: 1 and the powers of two up
//!   to `array.token_tile` (and the cap itself); never above the tokens;
//! - prefetch depth `d`, weight tiles in flight ([`super::prefetch`]): the
//!   design's `buffers.prefetch_slots = S` and the powers of two from 2
//!   below it, on a double-buffered weight buffer with `S > 2` (a weight
//!   tile is then `S x tile_bytes / d`); one depth, the design's, otherwise;
//! - K tile: the largest that fits a weight tile, a half and a quarter of
//!   it (a K split spills partial sums: to the output buffer when they fit
//!   half of it, else to DRAM);
//! - N tile: feature groups (`array.lanes` outputs each) whose weights one
//!   weight tile holds, run one after the other; 1 with each K tile
//!   above, and the powers of two from 2 below `n_max` and `n_max` itself
//!   with the largest K tile that fits them (`n_max`: the groups there
//!   are, at most as many as one chunk of each fits a weight tile; none
//!   with packed heads, which fill one group). An N tile makes fewer,
//!   larger DRAM loads (latency paid per tile) and, in the weights-outer
//!   order, loads a token block's streamed activations once per N tile
//!   instead of once per group; it costs K tile room;
//! - token block: the largest that fits half of the activation buffer, a
//!   half and a quarter of it (streamed activations only);
//! - head packing (QK^T and PV on the array): 1, and `p` instances side by
//!   side for the powers of two `p` up to `lanes / n` (and that bound), at
//!   most the instances there are.
//!
//! The search is exhaustive over this space: per packing and depth at most
//! 2 orders x (3 K tiles + N tiles) x 3 blocks x 12 token tiles, with at
//! most `log2(groups) + 1` N tiles and 4 depths (`S` = 16: 16, 2, 4, 8).
//! With the design's depth only and one feature group that is 216 as
//! before; the 70B datacenter prefill's projections have 151 to 301
//! candidates (`onebit sim` prints the count). Every candidate is planned
//! ([`super::linear`]) and ranked
//! with a closed-form estimate: cycles = DRAM latency + the first tile's
//! load + max(compute and SRAM-port cycles, DRAM transfer cycles, (loading
//! tiles x DRAM latency + transfer + compute) / depth) + pipeline drain, energy = the plan's counters x [`MapPrices`] + static
//! power x cycles. The best [`FINALISTS`] distinct plans and the fixed
//! mapping ([`LinearMapping::fixed`], always the first candidate) are then
//! run alone through the engine, and the first of them (in candidate
//! order, the fixed mapping first) within [`MIN_GAIN`] of the best
//! simulated score is chosen, so the choice is never worse than the fixed
//! mapping on the objective (for the operator alone) and changes it only
//! for a gain of at least 0.1%. The choice is deterministic. Results are cached per distinct operator shape within a
//! trace, so a model's 80 identical layers are searched once.

use super::linear;
use super::prefetch;
use super::reuse::{LinearMapping, LoopOrder};
use super::{ChunkCost, MapError, OpPlan};
use crate::activity::{Activity, Buffer};
use crate::arch::Accelerator;
use crate::measured::MeasuredWeights;
use crate::memory::DramChannel;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use workloads::{Op, OpKind, Precision};

/// What the mapper minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Energy x cycles.
    #[default]
    Edp,
    /// Energy.
    Energy,
    /// Cycles.
    Cycles,
}

impl Objective {
    /// Every objective.
    pub const ALL: [Objective; 3] = [Objective::Edp, Objective::Energy, Objective::Cycles];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Edp => "edp",
            Objective::Energy => "energy",
            Objective::Cycles => "cycles",
        }
    }

    /// The objective of a [`Cost`].
    pub fn score(self, c: &Cost) -> f64 {
        match self {
            Objective::Edp => c.energy_pj * c.cycles as f64,
            Objective::Energy => c.energy_pj,
            Objective::Cycles => c.cycles as f64,
        }
    }
}

/// Per-event prices the mapper weighs energy with; the energy model fills
/// them from its technology table (`energy_model::mapper_prices`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MapPrices {
    /// pJ per byte read, weight / activation / output buffer.
    pub sram_read_pj_per_byte: [f64; 3],
    /// pJ per byte written, weight / activation / output buffer.
    pub sram_write_pj_per_byte: [f64; 3],
    /// pJ per DRAM bit.
    pub dram_pj_per_bit: f64,
    /// pJ per register bit written.
    pub reg_pj_per_bit: f64,
    /// pJ per bit through a 2:1 multiplexer level.
    pub mux_pj_per_bit: f64,
    /// pJ of the arithmetic of one term (select and reduction share).
    pub term_pj: f64,
    /// pJ per cycle of static power and clock while the operator runs.
    pub static_pj_per_cycle: f64,
}

impl MapPrices {
    /// The estimated energy of `act` over `cycles`.
    pub fn energy(&self, act: &Activity, cycles: u64) -> f64 {
        let mut e = act.terms as f64 * self.term_pj
            + act.reg_bits as f64 * self.reg_pj_per_bit
            + act.mux_bits as f64 * self.mux_pj_per_bit
            + (act.dram_read_bits + act.dram_write_bits) as f64 * self.dram_pj_per_bit
            + cycles as f64 * self.static_pj_per_cycle;
        for (b, t) in &act.sram {
            let i = match b {
                Buffer::Weights => 0,
                Buffer::Activations => 1,
                Buffer::Outputs => 2,
            };
            e += t.read_bytes as f64 * self.sram_read_pj_per_byte[i]
                + t.write_bytes as f64 * self.sram_write_pj_per_byte[i];
        }
        e
    }
}

/// How the simulator maps the lane array's products.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Mapper {
    /// The fixed mapping (the library default).
    #[default]
    Fixed,
    /// Search the space above for the best mapping on `objective`; energy
    /// objectives need `prices` (without them they rank by cycles).
    Search {
        /// What to minimize.
        objective: Objective,
        /// Per-event prices.
        prices: Option<MapPrices>,
    },
}

/// The estimated cost of a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// Estimated cycles of the operator alone.
    pub cycles: u64,
    /// Estimated energy in pJ (0 without prices).
    pub energy_pj: f64,
}

/// The mapping the mapper chose for an operator, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingChoice {
    /// The objective.
    pub objective: Objective,
    /// The chosen mapping.
    pub chosen: LinearMapping,
    /// Its estimated cost.
    pub cost: Cost,
    /// The best other mapping and its cost (none when the space has one point).
    pub runner_up: Option<(LinearMapping, Cost)>,
    /// The fixed mapping's estimated cost.
    pub fixed_cost: Cost,
    /// Candidates evaluated.
    pub candidates: u32,
    /// The whole run kept the fixed mapping: with the mapper's choices the
    /// run was worse on the objective (operators interact in the engine);
    /// `chosen` is then the fixed mapping and `runner_up` the mapper's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_run: bool,
}

impl MappingChoice {
    /// One line for reports: the choice, the runner-up and their costs.
    pub fn describe(&self) -> String {
        let c = |c: &Cost| format!("{} cycles, {:.4e} pJ", c.cycles, c.energy_pj);
        let mut s = String::new();
        if self.whole_run {
            s.push_str("fixed mapping kept for the whole run (better on it than the per-operator choices): ");
        }
        s += &format!(
            "{} ({}) of {} candidates by {}",
            self.chosen.describe(),
            c(&self.cost),
            self.candidates,
            self.objective.name()
        );
        if let Some((m, rc)) = &self.runner_up {
            s.push_str(&format!("; runner-up {} ({})", m.describe(), c(rc)));
        }
        s
    }
}

/// Candidates run through the engine after the estimate has ranked them
/// (besides the fixed mapping).
pub const FINALISTS: usize = 3;

/// The smallest relative gain on the objective for which the mapper
/// leaves an earlier candidate (the fixed mapping first): 0.1%.
pub const MIN_GAIN: f64 = 1e-3;

/// The cost of `plan` run alone through the engine (fast-forward on: the
/// same cycles as stepping).
pub fn simulated(arch: &Accelerator, op: &Op, plan: &OpPlan, prices: Option<&MapPrices>) -> Cost {
    let alone = Op {
        inputs: Vec::new(),
        ..op.clone()
    };
    let trace = workloads::Trace {
        meta: workloads::TraceMeta::default(),
        ops: vec![alone],
    };
    let cycles = match workloads::OpGraph::new(&trace) {
        Ok(graph) => crate::engine::run(arch, std::slice::from_ref(plan), &graph, true).cycles,
        Err(_) => estimate(arch, plan, prices).cycles,
    };
    Cost {
        cycles,
        energy_pj: prices.map_or(0.0, |p| p.energy(&plan.activity, cycles)),
    }
}

/// The estimated cost of `plan` on `arch`.
pub fn estimate(arch: &Accelerator, plan: &OpPlan, prices: Option<&MapPrices>) -> Cost {
    let dram = DramChannel::new(arch);
    let (load, store) = plan.dram_bytes();
    let compute = plan.tiles.sum(|t| t.occupancy());
    let first = plan
        .tiles
        .patterns
        .first()
        .and_then(|p| p.runs.first())
        .map_or(0, |r| r.0.load);
    // at most `depth` tiles are in flight: every loading tile waits the
    // latency and its transfer, `depth` of them at a time
    let depth = u64::from(
        plan.depth
            .unwrap_or_else(|| prefetch::design_depth(arch))
            .max(1),
    );
    let loading = plan.tiles.sum(|t| u64::from(t.load > 0));
    let in_flight = (loading * dram.latency + dram.rate.cycles_for(load) + compute) / depth;
    let cycles = dram.latency
        + dram.rate.cycles_for(first)
        + compute
            .max(dram.rate.cycles_for(load + store))
            .max(in_flight)
        + plan.drain;
    Cost {
        cycles,
        energy_pj: prices.map_or(0.0, |p| p.energy(&plan.activity, cycles)),
    }
}

/// Powers of two from 2 below `max`, and `max` (when above 1).
fn doublings(max: u64) -> Vec<u64> {
    let mut v = Vec::new();
    let mut t = 2;
    while t < max {
        v.push(t);
        t *= 2;
    }
    if max > 1 {
        v.push(max);
    }
    v
}

/// The candidates of `op` in the order the search visits them (the fixed
/// mapping first).
pub(super) fn candidates(
    arch: &Accelerator,
    op: &Op,
    measured: Option<&MeasuredWeights>,
) -> Vec<LinearMapping> {
    let cap = u64::from(arch.array.token_tile).min(op.m).max(1);
    let mut tiles = vec![1];
    tiles.extend(doublings(cap));
    let thirds = |max: u64| {
        let mut v = vec![max, max / 2, max / 4];
        v.retain(|&x| x >= 1);
        v.dedup();
        v
    };
    // head packing: instances of an attention product whose outputs fill
    // at most half of the lanes run side by side (powers of two up to the
    // lanes they fill, at most the instances there are)
    let lanes = u64::from(arch.array.lanes);
    let mut packs = vec![1];
    if matches!(op.kind, OpKind::Qk | OpKind::Pv) && op.n > 0 && op.g > 1 {
        packs.extend(doublings((lanes / op.n).min(op.g)));
    }
    let mut v = vec![LinearMapping::fixed(arch)];
    for &pack in &packs {
        for depth in prefetch::depths(arch) {
            let room = linear::room(arch, op, measured, depth);
            let (blocks, orders) = if room.on_chip {
                (vec![0], vec![LoopOrder::ByDramBytes])
            } else {
                (
                    thirds(room.max_block),
                    vec![LoopOrder::WeightsOuter, LoopOrder::TokensOuter],
                )
            };
            // (K tile, N tile): the K tiles of one feature group, and the
            // N tiles above one group with the largest K tile that fits
            // them (packed instances fill one group: no N tile)
            let mut kn: Vec<(u64, u64)> = thirds(room.max_k_chunks)
                .into_iter()
                .map(|k| (k, 1))
                .collect();
            if pack == 1 {
                kn.extend(doublings(room.max_n_tile).into_iter().map(|n| (0, n)));
            }
            for &order in &orders {
                for &(k_chunks, n_tile) in &kn {
                    for &block in &blocks {
                        for &token_tile in tiles.iter().rev() {
                            v.push(LinearMapping {
                                order,
                                token_tile,
                                k_chunks,
                                block,
                                pack,
                                n_tile,
                                depth,
                            });
                        }
                    }
                }
            }
        }
    }
    v
}

/// The best mapping of `op` on `objective`, with its plan.
pub fn search(
    arch: &Accelerator,
    chunk: &ChunkCost,
    op: &Op,
    measured: Option<&MeasuredWeights>,
    objective: Objective,
    prices: Option<&MapPrices>,
) -> Result<OpPlan, MapError> {
    let objective = if prices.is_none() {
        Objective::Cycles
    } else {
        objective
    };
    let cands = candidates(arch, op, measured);
    let mut all: Vec<(f64, LinearMapping, Cost, OpPlan)> = Vec::with_capacity(cands.len());
    for m in &cands {
        let plan = linear::plan_with(arch, chunk, op, measured, m)?;
        let cost = estimate(arch, &plan, prices);
        all.push((objective.score(&cost), *m, cost, plan));
    }
    // rank by the estimate, then run the best few and the fixed mapping
    // through the engine alone and keep the best simulated one: the
    // estimate ignores how loads overlap compute, the engine does not
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&x, &y| all[x].0.total_cmp(&all[y].0).then(x.cmp(&y)));
    let mut finalists: Vec<usize> = Vec::new();
    for &i in &order {
        if finalists.len() == FINALISTS {
            break;
        }
        if finalists
            .iter()
            .all(|&f| plan_differs(&all[i].3, Some(&all[f].3)))
        {
            finalists.push(i);
        }
    }
    if !finalists.contains(&0) {
        finalists.push(0);
    }
    finalists.sort_unstable();
    for &i in &finalists {
        let cost = simulated(arch, op, &all[i].3, prices);
        all[i].2 = cost;
        all[i].0 = objective.score(&cost);
    }
    let fixed_cost = all[0].2;
    // the first candidate (the fixed mapping first) within `MIN_GAIN` of
    // the lowest simulated score: a gain below it does not pay for the
    // change of mapping (nor for the simulator's extra tiles)
    let best = finalists
        .iter()
        .map(|&i| all[i].0)
        .fold(f64::INFINITY, f64::min);
    let b = *finalists
        .iter()
        .find(|&&i| all[i].0 <= best * (1.0 + MIN_GAIN))
        .expect("the fixed mapping is a finalist");
    let second = finalists
        .iter()
        .copied()
        .filter(|&i| i != b && plan_differs(&all[i].3, Some(&all[b].3)))
        .min_by(|&x, &y| all[x].0.total_cmp(&all[y].0).then(x.cmp(&y)))
        .map(|i| (all[i].1, all[i].2));
    let (_, chosen, cost, mut plan) = all.swap_remove(b);
    plan.choice = Some(MappingChoice {
        objective,
        chosen,
        cost,
        runner_up: second,
        fixed_cost,
        candidates: cands.len() as u32,
        whole_run: false,
    });
    Ok(plan)
}

/// True when two plans do different work (a runner-up that is the same
/// plan under another name says nothing).
fn plan_differs(a: &OpPlan, b: Option<&OpPlan>) -> bool {
    b.is_none_or(|b| !a.same_work(b))
}

/// The shape of an operator, the key of the mapping cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Shape {
    kind: OpKind,
    dims: [u64; 4],
    precisions: [Precision; 3],
    zeros: u64,
}

/// Mappings already searched, by operator shape.
#[derive(Debug, Default)]
pub struct MappingCache {
    plans: HashMap<Shape, OpPlan>,
}

impl MappingCache {
    /// The searched plan of `op` (from the cache when an operator of the
    /// same shape was searched before; operators with measured weights are
    /// searched each).
    pub fn plan(
        &mut self,
        arch: &Accelerator,
        chunk: &ChunkCost,
        op: &Op,
        measured: Option<&MeasuredWeights>,
        objective: Objective,
        prices: Option<&MapPrices>,
    ) -> Result<OpPlan, MapError> {
        if measured.is_some() {
            return search(arch, chunk, op, measured, objective, prices);
        }
        let key = Shape {
            kind: op.kind,
            dims: [op.g, op.m, op.k, op.n],
            precisions: [op.a, op.w.unwrap_or(op.a), op.out],
            zeros: op.zero_fraction().to_bits(),
        };
        if let Some(p) = self.plans.get(&key) {
            return Ok(p.clone());
        }
        let p = search(arch, chunk, op, measured, objective, prices)?;
        self.plans.insert(key, p.clone());
        Ok(p)
    }
}
