//! The simulator's entry point: map a trace onto a design, run the engine,
//! and gather the result.

use crate::activity::Activity;
use crate::arch::Accelerator;
use crate::capacity::{footprint, refusal, CapacityError};
use crate::engine;
use crate::mapping::mapper::{Cost, MapPrices, MappingChoice, Objective};
use crate::mapping::reuse::LinearMapping;
use crate::mapping::{
    map_op_with, map_trace_with, ChunkCost, MapError, Mapper, MappingCache, OpPlan, Unit,
};
use crate::measured::WeightProfile;
use crate::memory::DramChannel;
use crate::result::{DramResult, OpResult, SimResult, Traffic, RESULT_SCHEMA};
use std::collections::BTreeMap;
use workloads::trace::fuse_attention;
use workloads::{Count, GraphError, OpGraph, Overflow, Trace};

/// How to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimOptions {
    /// Jump from event to event instead of stepping every cycle (results are identical).
    pub fast_forward: bool,
    /// Keep every DRAM transfer (`simulate_recording`).
    pub record_dram: bool,
    /// Run a step that needs more DRAM than `dram.capacity_gib`, with a
    /// warning in the result, instead of refusing it.
    pub allow_oversubscribe: bool,
    /// How the lane array's products are mapped: the fixed mapping (the
    /// default) or a search on an objective ([`crate::mapping::mapper`]).
    pub mapper: Mapper,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            fast_forward: true,
            record_dram: false,
            allow_oversubscribe: false,
            mapper: Mapper::Fixed,
        }
    }
}

/// A trace that cannot be simulated on a design.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// An operator does not fit the design.
    #[error(transparent)]
    Map(#[from] MapError),
    /// The trace's dependencies are broken.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// The step does not fit the design's DRAM.
    #[error(transparent)]
    Capacity(#[from] CapacityError),
    /// A total over the run (MACs, a counter, the cycles) exceeds 2^64 - 1.
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

/// Most cycles a run may take: a bound on the engine's clock (every time
/// the engine forms is at most twice this), checked before it starts.
pub const MAX_RUN_CYCLES: u128 = 1 << 62;

/// Refuses a run whose totals would pass 2^64 - 1, before the engine
/// starts: the run's MACs and every activity counter (summed in trace
/// order; the error names the operator at which the sum overflows), and
/// an upper bound on its cycles (every tile run one after another, each
/// load and store waiting the full DRAM latency) above [`MAX_RUN_CYCLES`].
/// Returns the run's counters (the sum of the plans' activity).
fn check_totals(arch: &Accelerator, trace: &Trace, plans: &[OpPlan]) -> Result<Activity, Overflow> {
    let dram = DramChannel::new(arch);
    let mut macs = Count::new(0);
    let mut total = Activity::default();
    let mut cycles: u128 = 0;
    for (op, plan) in trace.ops.iter().zip(plans) {
        let overflow = |quantity: &str| Overflow {
            op: op.name.clone(),
            quantity: format!("the run's {quantity} (summed up to this operator)"),
        };
        macs = macs + plan.macs;
        macs.get(
            &op.name,
            "the run's multiply-accumulates (summed up to this operator)",
        )?;
        total.checked_add(&plan.activity).map_err(overflow)?;
        let w = u128::from;
        let tiles = w(plan.tile_count());
        let (load, store) = plan.dram_bytes();
        cycles += w(plan.tiles.sum(|t| t.busy))
            + w(plan.tiles.sum(|t| t.sram_stall))
            + w(plan.drain)
            + tiles * (2 * w(dram.latency) + 2)
            + w(dram.rate.cycles_for(load))
            + w(dram.rate.cycles_for(store));
        if cycles > MAX_RUN_CYCLES {
            return Err(Overflow {
                op: op.name.clone(),
                quantity: format!(
                    "an upper bound on the run's cycles (up to this operator; the limit is 2^62 = {MAX_RUN_CYCLES})"
                ),
            });
        }
    }
    Ok(total)
}

/// The objective a whole run is judged on: the mapper's, by cycles when it
/// has no prices (as [`crate::mapping::mapper::search`] ranks).
fn run_objective(o: Objective, prices: Option<&MapPrices>) -> (Objective, Option<&MapPrices>) {
    match prices {
        Some(p) => (o, Some(p)),
        None => (Objective::Cycles, None),
    }
}

/// A whole run's cost on the mapper's terms: its cycles, and its counters
/// (a [`SimResult`]'s `activity`) at the mapper's prices.
pub fn run_cost(activity: &Activity, cycles: u64, prices: Option<&MapPrices>) -> Cost {
    Cost {
        cycles,
        energy_pj: prices.map_or(0.0, |p| p.energy(activity, cycles)),
    }
}

/// The fixed mapping's plan of every searched operator whose choice is not
/// the fixed mapping, by position in the trace. Every other operator's
/// plan is the fixed mapping's already: the mapper plans the fixed mapping
/// with the same function when it chooses it, and operators it does not
/// search are planned as without it. So the whole trace need not be mapped
/// a second time.
fn fixed_replacements(
    arch: &Accelerator,
    trace: &Trace,
    profile: &WeightProfile,
    plans: &[OpPlan],
) -> Result<Vec<(usize, OpPlan)>, MapError> {
    let fixed_map = LinearMapping::fixed(arch);
    let chunk = ChunkCost::of(arch);
    let mut cache = MappingCache::default();
    let mut out = Vec::new();
    for (i, (op, plan)) in trace.ops.iter().zip(plans).enumerate() {
        if plan.choice.as_ref().is_some_and(|c| c.chosen != fixed_map) {
            let measured = profile.get(&op.name);
            let fixed = map_op_with(arch, &chunk, op, measured, Mapper::Fixed, &mut cache)?;
            out.push((i, fixed));
        }
    }
    Ok(out)
}

/// True when two plans of an operator do different work.
fn plan_differs(a: &OpPlan, b: &OpPlan) -> bool {
    !a.same_work(b)
}

/// Exchanges the plans at the positions of `side` with the plans it holds.
fn swap_plans(plans: &mut [OpPlan], side: &mut [(usize, OpPlan)]) {
    for (i, p) in side.iter_mut() {
        std::mem::swap(&mut plans[*i], p);
    }
}

/// The fixed plans kept for a whole run (`fixed`, the searched plans they
/// replaced in `searched` by position): each operator the mapper had
/// searched says so, with the fixed mapping chosen and the mapper's own
/// choice as the runner-up.
fn keep_fixed(arch: &Accelerator, fixed: &mut [OpPlan], searched: &[(usize, OpPlan)]) {
    let fixed_map = LinearMapping::fixed(arch);
    let mark = |c: &MappingChoice| {
        let mut c = c.clone();
        if c.chosen != fixed_map {
            c.runner_up = Some((c.chosen, c.cost));
        }
        c.chosen = fixed_map;
        c.cost = c.fixed_cost;
        c.whole_run = true;
        c
    };
    // an operator not replaced holds the searched plan, whose choice is
    // the fixed mapping
    for p in fixed.iter_mut() {
        if let Some(c) = &p.choice {
            p.choice = Some(mark(c));
        }
    }
    for (i, s) in searched {
        if let Some(c) = &s.choice {
            fixed[*i].choice = Some(mark(c));
        }
    }
}

/// How much work the engine did (not part of the result: it differs
/// between fast-forward on and off), and the DRAM transfers when recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineStats {
    /// Events processed.
    pub events: u64,
    /// Steady-state jumps taken.
    pub jumps: u64,
    /// Every DRAM transfer in issue order (`SimOptions::record_dram`).
    pub transfers: Option<Vec<crate::memory::Transfer>>,
}

/// Simulates one step of `trace` on `arch`.
pub fn simulate(
    arch: &Accelerator,
    trace: &Trace,
    opts: SimOptions,
) -> Result<SimResult, SimError> {
    simulate_with_stats(arch, trace, opts).map(|(r, _)| r)
}

/// Simulates one step of `trace` on `arch`, and says how much work the engine did.
pub fn simulate_with_stats(
    arch: &Accelerator,
    trace: &Trace,
    opts: SimOptions,
) -> Result<(SimResult, EngineStats), SimError> {
    simulate_measured(arch, trace, opts, &WeightProfile::new())
}

/// Simulates one step of `trace` on `arch` with the measured weight
/// statistics of a checkpoint (by operator name; [`crate::measured`]).
pub fn simulate_measured(
    arch: &Accelerator,
    trace: &Trace,
    opts: SimOptions,
    profile: &WeightProfile,
) -> Result<(SimResult, EngineStats), SimError> {
    simulate_patched(arch, trace, opts, profile, &|_, _| {})
}

/// Simulates one step of `trace` on `arch`, letting `patch` replace the
/// mapped plans before the engine runs (the trace it sees is the one
/// mapped, after attention fusion). A multi-chip system
/// (`crate::system`) puts its collectives on the link unit this way.
/// `patch` must replace plans by the trace alone, not by the plans it is
/// given: with the mapper on it is applied again to the fixed mapping's
/// plans for the whole-run check.
pub fn simulate_patched(
    arch: &Accelerator,
    trace: &Trace,
    opts: SimOptions,
    profile: &WeightProfile,
    patch: &dyn Fn(&Trace, &mut [OpPlan]),
) -> Result<(SimResult, EngineStats), SimError> {
    // a design with fused attention runs every qk -> softmax -> pv chain as
    // one streaming operator
    let fused;
    let trace = if arch.attention.fused {
        fused = fuse_attention(trace);
        &fused
    } else {
        trace
    };
    let graph = OpGraph::new(trace)?;
    let mut plans = map_trace_with(arch, trace, profile, opts.mapper)?;
    patch(trace, &mut plans);
    let mut total = check_totals(arch, trace, &plans)?;
    let mut tl = engine::run_recording(arch, &plans, &graph, opts.fast_forward, opts.record_dram);
    // whole run: the mapper's choices against the fixed mapping, keeping
    // the better on the objective (operators interact in the engine,
    // prefetching across their boundaries, so a choice better alone can
    // make the whole run worse); docs/simulator.md
    if let Mapper::Search { objective, prices } = opts.mapper {
        // the fixed mapping's plans: the searched plans with the operators
        // whose choice differs replaced, patched as the searched ones were
        // (`side` keeps what was replaced, to put back)
        let mut side = fixed_replacements(arch, trace, profile, &plans)?;
        if !side.is_empty() {
            swap_plans(&mut plans, &mut side);
            patch(trace, &mut plans);
            if side.iter().any(|(i, s)| plan_differs(&plans[*i], s)) {
                let fixed_total = check_totals(arch, trace, &plans)?;
                let tf = engine::run_recording(
                    arch,
                    &plans,
                    &graph,
                    opts.fast_forward,
                    opts.record_dram,
                );
                let (o, p) = run_objective(objective, prices.as_ref());
                let fixed_score = o.score(&run_cost(&fixed_total, tf.cycles, p));
                swap_plans(&mut plans, &mut side);
                let mapped = o.score(&run_cost(&total, tl.cycles, p));
                if fixed_score < mapped {
                    swap_plans(&mut plans, &mut side);
                    keep_fixed(arch, &mut plans, &side);
                    tl = tf;
                    total = fixed_total;
                }
            } else {
                swap_plans(&mut plans, &mut side);
            }
        }
    }
    let has_link = plans.iter().any(|p| p.unit == Unit::Link);
    let need = footprint(arch, trace, &plans);
    let mut warnings = Vec::new();
    if let Some(have) = arch.dram.capacity_bytes() {
        if need.total() > have {
            if !opts.allow_oversubscribe {
                return Err(CapacityError { need, have }.into());
            }
            warnings.push(format!(
                "oversubscribed DRAM (run with --allow-oversubscribe): {}",
                refusal(&need, have)
                    .split("; lower")
                    .next()
                    .unwrap_or_default()
            ));
        }
    }

    let stats = EngineStats {
        events: tl.events,
        jumps: tl.jumps,
        transfers: tl.transfers.take(),
    };
    let dram = tl.dram.take().map(|d| DramResult {
        preset: d.preset,
        channels: d.channels,
        efficiency: d.efficiency,
        row_hit_rate: d.row_hit_rate,
        refresh_share: d.refresh_share,
        requests: d.requests,
        counts: d.stats.counts,
        energy: d.energy,
    });

    // `total`, the run's counters, is the sum of the kept plans' activity
    let mut ops = Vec::with_capacity(plans.len());
    let mut array_terms = 0u64;
    let mut macs = 0u64;
    for ((op, plan), timing) in trace.ops.iter().zip(plans).zip(&tl.ops) {
        macs += plan.macs;
        if plan.unit == Unit::Array {
            array_terms += plan.macs;
        }
        ops.push(OpResult {
            name: op.name.clone(),
            kind: op.kind.keyword().to_string(),
            layer: op.layer,
            unit: plan.unit,
            macs: plan.macs,
            tiles: plan.tile_count(),
            mapping: plan.note.clone(),
            choice: plan.choice.clone(),
            timing: *timing,
            activity: plan.activity,
        });
    }
    let traffic = Traffic {
        dram_read_bytes: total.dram_read_bytes(),
        dram_write_bytes: total.dram_write_bytes(),
        sram_read_bytes: total.sram.iter().map(|(b, t)| (*b, t.read_bytes)).collect(),
        sram_write_bytes: total
            .sram
            .iter()
            .map(|(b, t)| (*b, t.write_bytes))
            .collect(),
    };
    let cycles = tl.cycles;
    let latency_s = cycles as f64 / (arch.clock_ghz * 1e9);
    let tokens = trace.meta.tokens();
    let t = arch.timing();
    let peak_terms = f64::from(arch.array.lanes) * f64::from(arch.array.width)
        / f64::from(t.initiation_interval);
    let share = |x: u64| {
        if cycles == 0 {
            0.0
        } else {
            x as f64 / cycles as f64
        }
    };
    Ok((
        SimResult {
            schema: RESULT_SCHEMA.to_string(),
            design: arch.name.clone(),
            model: trace.meta.model.clone(),
            phase: trace.meta.phase,
            batch: trace.meta.batch,
            seq: trace.meta.seq,
            draft: trace.meta.draft,
            tokens,
            clock_ghz: arch.clock_ghz,
            cycles,
            latency_s,
            tokens_per_s: if latency_s > 0.0 {
                tokens as f64 / latency_s
            } else {
                0.0
            },
            macs,
            array_utilization: if cycles == 0 {
                0.0
            } else {
                array_terms as f64 / (peak_terms * cycles as f64)
            },
            compute_bound_share: share(tl.bound.compute),
            memory_bound_share: share(tl.bound.memory),
            bound: tl.bound,
            units: Unit::ALL
                .iter()
                .filter(|&&u| u != Unit::Link || has_link)
                .map(|&u| (u, tl.units[u.index()]))
                .collect::<BTreeMap<_, _>>(),
            traffic,
            activity: total,
            ops,
            dram,
            footprint: need,
            warnings,
        },
        stats,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::preset;
    use workloads::trace::{generate, TraceOptions};
    use workloads::{zoo, Phase};

    /// The fixed mapping the whole-run check forms from the searched plans
    /// is the one mapping the trace with the fixed mapping gives, operator
    /// by operator (plan, note and counters), on designs and phases where
    /// the mapper changes some operators' mappings.
    #[test]
    fn fixed_plans_from_the_searched_ones_equal_the_fixed_mapping() {
        let mut replaced = 0;
        for (model, phase, seq) in [
            ("bitnet-b1.58-3B", Phase::Decode, 2048),
            ("bitnet-b1.58-700M", Phase::Prefill, 256),
            ("bitnet-125M", Phase::Decode, 512),
        ] {
            for arch in ["edge-ternary", "datacenter-ternary", "edge-lut"] {
                let a = preset(arch).unwrap();
                let m = zoo::find(model).unwrap();
                let opts = TraceOptions {
                    phase,
                    seq,
                    kv: Some(a.attention.kv_format()),
                    ..TraceOptions::default()
                };
                let t = generate(&m, &opts).unwrap();
                let t = if a.attention.fused {
                    fuse_attention(&t)
                } else {
                    t
                };
                let profile = WeightProfile::new();
                let search = Mapper::Search {
                    objective: Objective::Cycles,
                    prices: None,
                };
                let mut plans = map_trace_with(&a, &t, &profile, search).unwrap();
                let fixed = map_trace_with(&a, &t, &profile, Mapper::Fixed).unwrap();
                let mut side = fixed_replacements(&a, &t, &profile, &plans).unwrap();
                replaced += side.len();
                swap_plans(&mut plans, &mut side);
                for (i, (p, f)) in plans.iter().zip(&fixed).enumerate() {
                    let what = format!("{model} {phase} on {arch}, operator {i}");
                    assert_eq!(p.tiles, f.tiles, "{what}");
                    assert_eq!(p.activity, f.activity, "{what}");
                    assert_eq!(p.drain, f.drain, "{what}");
                    assert_eq!(p.note, f.note, "{what}");
                    assert_eq!(p.macs, f.macs, "{what}");
                    assert_eq!(p.unit, f.unit, "{what}");
                }
            }
        }
        assert!(replaced > 0, "no case where the mapper changed a mapping");
    }
}
