//! Simulating a system: every pipeline stage's chip on the cycle-level
//! engine (its share of the operators on its array, vector and attention
//! units, its collectives on its link unit), then the stages' micro-batch
//! schedule.
//!
//! The chips of one stage run the same operators on the same shapes and
//! meet in the same collectives, so one engine run times them all. The
//! pipeline runs the micro-batches GPipe-style (Huang et al., arXiv
//! 1811.06965): stage `s` starts micro-batch `b` when it has finished `b - 1`
//! and `b` has arrived from stage `s - 1` (its compute there and its send);
//! a stage's send runs on its link unit while it starts the next
//! micro-batch.

use super::collective::collective_steps;
use super::parallel::{shard_trace, stage_layers, CollectiveOp};
use super::{Collective, SystemConfig, SystemDesign};
use crate::capacity::{gib, Footprint};
use crate::mapping::{OpPlan, TileWork, Tiles, Unit};
use crate::result::SimResult;
use crate::simulate::{simulate_patched, SimError, SimOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use workloads::{Mask, Op, OpKind, Trace, TraceMeta};

/// A system that cannot run a step.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SystemError {
    /// A stage's trace does not run on the chip.
    #[error("pipeline stage {stage}: {source}")]
    Sim {
        /// The stage.
        stage: usize,
        /// Why.
        source: SimError,
    },
    /// A stage's chips need more DRAM than they have.
    #[error("pipeline stage {stage} (layers {first} to {last}): each chip needs {} of DRAM (weights {}, KV cache {} and activations {} for {micro} micro-batch(es)) but has {} (`dram.capacity_gib`); add chips (`system.tp`, `system.pp`), lower --batch or --seq, or run it anyway with --allow-oversubscribe", gib(need.total()), gib(need.weights), gib(need.kv_cache), gib(need.activations), gib(*have))]
    Capacity {
        /// The stage.
        stage: usize,
        /// Its first layer.
        first: u32,
        /// Its last layer.
        last: u32,
        /// What each chip needs.
        need: Footprint,
        /// Micro-batches.
        micro: u32,
        /// Bytes the chip has.
        have: u64,
    },
    /// More pipeline stages than layers.
    #[error("`system.pp` = {pp} stages for a model of {layers} layers: every stage needs at least one layer")]
    Stages {
        /// Stages.
        pp: u32,
        /// Layers of the model.
        layers: u32,
    },
}

/// One pipeline stage's chip (every chip of the stage alike).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChipResult {
    /// Stage index.
    pub stage: usize,
    /// First and last layer of the stage (inclusive), when it has layers.
    pub layers: (u32, u32),
    /// The chip's run of one micro-batch (its collectives on the link unit).
    pub result: SimResult,
    /// Seconds until the stage's send to the next starts (its compute and
    /// tensor-parallel collectives), one micro-batch.
    pub compute_s: f64,
    /// Seconds of the send to the next stage, one micro-batch (0 on the last).
    pub send_s: f64,
    /// Seconds the link unit is busy, one micro-batch.
    pub link_busy_s: f64,
    /// Bytes this chip puts on its links, one micro-batch.
    pub link_wire_bytes: f64,
    /// Its share of the step idle in the pipeline's bubbles.
    pub bubble_share: f64,
    /// Its links' busy share of the step.
    pub link_utilization: f64,
    /// DRAM the chip needs for the whole step (all micro-batches' KV caches).
    pub footprint: Footprint,
}

/// A step of a system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemResult {
    /// The `[system]` table.
    pub system: SystemConfig,
    /// The chip design's name.
    pub chip: String,
    /// Model name.
    pub model: String,
    /// Sequences of the step (all micro-batches).
    pub batch: u64,
    /// Tokens of the step.
    pub tokens: u64,
    /// Seconds of the step: the last micro-batch leaving the last stage.
    pub latency_s: f64,
    /// Tokens per second of the system.
    pub tokens_per_s: f64,
    /// Mean over the chips of the step's share idle in pipeline bubbles.
    pub bubble_share: f64,
    /// Mean over the chips of their links' busy share of the step.
    pub link_utilization: f64,
    /// Bytes on all links of the system in the step.
    pub link_wire_bytes: f64,
    /// Per stage (each stands for its `tp` chips).
    pub stages: Vec<ChipResult>,
}

/// The link unit's plan of collective `c` on a chip clocked at `clock_ghz`:
/// one tile per message step, busy for the step's time in whole cycles
/// (rounded up).
pub fn link_plan(sys: &SystemConfig, c: &CollectiveOp, clock_ghz: f64) -> (OpPlan, f64) {
    let steps = collective_steps(sys, c.kind, c.bytes, c.chips);
    let mut tiles = Tiles::new();
    let mut wire = 0.0;
    for s in &steps {
        wire += s.wire_bytes;
        let busy = (s.seconds * clock_ghz * 1e9).ceil().max(1.0) as u64;
        tiles.push(
            TileWork {
                busy,
                ..TileWork::default()
            },
            1,
        );
    }
    let note = format!(
        "{} of {:.0} B among {} chip(s), {} step(s) on the {} links",
        c.kind.name(),
        c.bytes,
        c.chips,
        steps.len(),
        sys.topology.name()
    );
    (
        OpPlan {
            unit: Unit::Link,
            tiles,
            drain: 0,
            activity: Default::default(),
            macs: 0,
            note,
            choice: None,
            depth: None,
        },
        wire,
    )
}

fn patch_for<'a>(
    sys: &'a SystemConfig,
    coll: &'a BTreeMap<String, CollectiveOp>,
    clock: f64,
) -> impl Fn(&Trace, &mut [OpPlan]) + 'a {
    move |t: &Trace, plans: &mut [OpPlan]| {
        for (op, plan) in t.ops.iter().zip(plans.iter_mut()) {
            if let Some(c) = coll.get(&op.name) {
                *plan = link_plan(sys, c, clock).0;
            }
        }
    }
}

/// Simulates one step of a system. `micro` is the trace of one
/// micro-batch (`batch / system.micro_batches` sequences) of the whole
/// model; each stage's chips run their share of it `micro_batches` times.
pub fn simulate_system(
    design: &SystemDesign,
    micro: &Trace,
    opts: SimOptions,
) -> Result<SystemResult, SystemError> {
    let sys = &design.system;
    let chip = &design.chip;
    let layers = micro
        .ops
        .iter()
        .filter_map(|o| o.layer)
        .max()
        .map_or(0, |l| l + 1);
    if sys.pp > layers.max(1) {
        return Err(SystemError::Stages { pp: sys.pp, layers });
    }
    let ranges = stage_layers(layers, sys.pp);
    let b = sys.micro_batches;
    let mut stages = Vec::with_capacity(ranges.len());
    for (s, range) in ranges.iter().enumerate() {
        let (t, coll) = shard_trace(micro, sys.tp, s, &ranges);
        let patch = patch_for(sys, &coll, chip.clock_ghz);
        let run_opts = SimOptions {
            allow_oversubscribe: true,
            ..opts
        };
        let (mut r, _) = simulate_patched(chip, &t, run_opts, &Default::default(), &patch)
            .map_err(|source| SystemError::Sim { stage: s, source })?;
        // the chip holds every micro-batch's KV cache and activations
        let f = r.footprint;
        let need = Footprint {
            weights: f.weights,
            kv_cache: f.kv_cache.saturating_mul(u64::from(b)),
            activations: f.activations.saturating_mul(u64::from(b)),
        };
        r.warnings.retain(|w| !w.starts_with("oversubscribed DRAM"));
        if let Some(have) = chip.dram.capacity_bytes() {
            if need.total() > have {
                if !opts.allow_oversubscribe {
                    return Err(SystemError::Capacity {
                        stage: s,
                        first: range.start,
                        last: range.end.saturating_sub(1),
                        need,
                        micro: b,
                        have,
                    });
                }
                r.warnings.push(format!(
                    "oversubscribed DRAM (run with --allow-oversubscribe): each chip of stage {s} needs {} but has {}",
                    gib(need.total()),
                    gib(have)
                ));
            }
        }
        let hz = chip.clock_ghz * 1e9;
        let mut wire = 0.0;
        let mut send = None;
        for o in &r.ops {
            if let Some(c) = coll.get(&o.name) {
                wire += link_plan(sys, c, chip.clock_ghz).1;
                if c.kind == Collective::Send {
                    send = Some(o.timing);
                }
            }
        }
        for o in r.ops.iter_mut() {
            if let Some(c) = coll.get(&o.name) {
                o.kind = c.kind.name().to_string();
            }
        }
        let total_s = r.cycles as f64 / hz;
        let (compute_s, send_s) = match send {
            Some(t) => (t.start as f64 / hz, total_s - t.start as f64 / hz),
            None => (total_s, 0.0),
        };
        let link_busy = r.units.get(&Unit::Link).map_or(0, |c| c.busy) as f64 / hz;
        stages.push(ChipResult {
            stage: s,
            layers: (range.start, range.end.saturating_sub(1)),
            result: r,
            compute_s,
            send_s,
            link_busy_s: link_busy,
            link_wire_bytes: wire,
            bubble_share: 0.0,
            link_utilization: 0.0,
            footprint: need,
        });
    }
    // GPipe schedule of the micro-batches over the stages
    let mut free = vec![0.0f64; stages.len()];
    let mut latency: f64 = 0.0;
    for _ in 0..b {
        let mut arrive = 0.0f64;
        for (s, st) in stages.iter().enumerate() {
            let start = arrive.max(free[s]);
            let end = start + st.compute_s;
            free[s] = end;
            arrive = end + st.send_s;
            latency = latency.max(arrive);
        }
    }
    let bf = f64::from(b);
    for st in &mut stages {
        if latency > 0.0 {
            st.bubble_share = (1.0 - bf * st.compute_s / latency).max(0.0);
            st.link_utilization = (bf * st.link_busy_s / latency).min(1.0);
        }
    }
    let n = stages.len().max(1) as f64;
    let tokens = micro.meta.tokens() * u64::from(b);
    let tp = f64::from(sys.tp);
    Ok(SystemResult {
        system: sys.clone(),
        chip: chip.name.clone(),
        model: micro.meta.model.clone(),
        batch: micro.meta.batch * u64::from(b),
        tokens,
        latency_s: latency,
        tokens_per_s: if latency > 0.0 {
            tokens as f64 / latency
        } else {
            0.0
        },
        bubble_share: stages.iter().map(|s| s.bubble_share).sum::<f64>() / n,
        link_utilization: stages.iter().map(|s| s.link_utilization).sum::<f64>() / n,
        link_wire_bytes: stages.iter().map(|s| s.link_wire_bytes).sum::<f64>() * tp * bf,
        stages,
    })
}

/// Times one collective alone on the engine: `kind` of `bytes` among
/// `chips` chips of `design`'s system. Returns the cycles of the run and
/// the seconds at the chip's clock.
pub fn simulate_collective(
    design: &SystemDesign,
    kind: Collective,
    bytes: f64,
    chips: u32,
    fast_forward: bool,
) -> Result<(u64, f64), SimError> {
    let op = Op {
        name: format!("x{}{}", super::COLLECTIVE_PREFIX, kind.name()),
        kind: OpKind::Add,
        layer: None,
        inputs: vec![],
        g: 1,
        m: 1,
        k: 1,
        n: 1,
        a: workloads::Precision::Fp16,
        w: None,
        out: workloads::Precision::Fp16,
        wbytes: 0,
        zeros: None,
        mask: Mask::Full,
    };
    let mut coll = BTreeMap::new();
    coll.insert(op.name.clone(), CollectiveOp { kind, bytes, chips });
    let trace = Trace {
        meta: TraceMeta {
            model: "collective".into(),
            phase: workloads::Phase::Decode,
            batch: 1,
            seq: 1,
            draft: 0,
            tied_embeddings: false,
        },
        ops: vec![op],
    };
    let patch = patch_for(&design.system, &coll, design.chip.clock_ghz);
    let opts = SimOptions {
        fast_forward,
        record_dram: false,
        allow_oversubscribe: true,
        mapper: Default::default(),
    };
    let (r, _) = simulate_patched(&design.chip, &trace, opts, &Default::default(), &patch)?;
    Ok((r.cycles, r.latency_s))
}
