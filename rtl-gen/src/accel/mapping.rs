//! The mapping a checked layer runs with: the fixed mapping (`onebit sim
//! --fixed-mapping`), or the mapper's choice (`onebit sim`'s default,
//! `sim::mapping::mapper`) where the top can make its moves, so that `rtl
//! check` compares the RTL with the engine's prediction for the mapping the
//! simulator reports.
//!
//! The top takes the mapper's K tile (descriptor word 9,
//! [`super::table::KT_WORD`]: any number of chunks up to a weight slot's
//! words, the K tiles after a group's first adding to its partial sums in
//! the output buffer) and any token tile that gives the layer the design's
//! sub-tiles (`min(token tile, M)` the same: for a decode, every token tile).
//! It refuses, with the reason, a choice of several feature groups a weight
//! tile (N tile), packed instances, another prefetch depth than the
//! design's, or, for a layer whose data streams through DRAM, any choice
//! but the fixed mapping (the streamed orders are the fixed mapping's,
//! `stream.rs`).

use super::params::AccelParams;
use crate::error::RtlError;
use sim::engine::{self, Timeline};
use sim::mapping::{map_trace_with, reuse, LinearMapping, Mapper, OpPlan};
use sim::measured::WeightProfile;
use workloads::{OpGraph, Trace};

/// The mapping of one layer as the top runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopMapping {
    /// Chunks of a K tile (descriptor word 9).
    pub kt: u64,
    /// The mapping, for the report: `fixed` or the mapper's choice.
    pub describe: String,
    /// The mapper chose it (not the fixed mapping).
    pub searched: bool,
}

impl TopMapping {
    /// The fixed mapping on `p`: the largest K tile, a weight slot's words.
    pub fn fixed(p: &AccelParams) -> TopMapping {
        TopMapping {
            kt: p.slot_words,
            describe: "fixed".into(),
            searched: false,
        }
    }
}

/// The one-operator trace of the layer `m x k x n` in the design's precisions.
pub fn gemm_trace(p: &AccelParams, m: u64, k: u64, n: u64) -> Result<Trace, RtlError> {
    workloads::gemm::parse_topology(
        "accel-check",
        &format!("Layer, M, N, K\ngemm, {m}, {n}, {k}\n"),
        p.arch.array.activations,
        p.arch.array.weights,
    )
    .map_err(|e| RtlError::Unsupported(format!("layer {m}x{k}x{n}: {e}")))
}

/// The engine's plan and timeline of the layer `m x k x n` with `mapper`,
/// and the mapping as the top runs it; `streamed`: the layer's data moves
/// through DRAM (only the fixed mapping is taken then).
pub fn engine_mapped(
    p: &AccelParams,
    (m, k, n): (u64, u64, u64),
    mapper: Mapper,
    streamed: bool,
) -> Result<(Vec<OpPlan>, Timeline, TopMapping), RtlError> {
    let trace = gemm_trace(p, m, k, n)?;
    let graph = OpGraph::new(&trace)
        .map_err(|e| RtlError::Unsupported(format!("the layer's graph: {e}")))?;
    let refused =
        |e: String| RtlError::Unsupported(format!("the simulator refuses the layer: {e}"));
    let run = |mapper: Mapper| -> Result<(Vec<OpPlan>, Timeline), RtlError> {
        let plans = map_trace_with(&p.arch, &trace, &WeightProfile::new(), mapper)
            .map_err(|e| refused(e.to_string()))?;
        let tl = engine::run(&p.arch, &plans, &graph, true);
        Ok((plans, tl))
    };
    if mapper == Mapper::Fixed {
        let (plans, tl) = run(mapper)?;
        return Ok((plans, tl, TopMapping::fixed(p)));
    }
    // what `onebit sim` reports: the mapper's choice, or the fixed mapping
    // where the whole run kept it
    let opts = sim::SimOptions {
        mapper,
        ..sim::SimOptions::default()
    };
    let r = sim::simulate(&p.arch, &trace, opts).map_err(|e| refused(e.to_string()))?;
    let fixed = LinearMapping::fixed(&p.arch);
    let chosen = r.ops[0]
        .choice
        .as_ref()
        .filter(|c| !c.whole_run && c.chosen != fixed)
        .map(|c| c.chosen);
    let Some(c) = chosen else {
        let (plans, tl) = run(Mapper::Fixed)?;
        return Ok((plans, tl, TopMapping::fixed(p)));
    };
    let why = refuses_choice(p, &c, m, streamed);
    if let Some(why) = why {
        return Err(RtlError::Unsupported(format!(
            "the mapper chooses `{}` for the layer {m}x{k}x{n}; {why} (the fixed mapping: \
             --fixed-mapping)",
            c.describe()
        )));
    }
    let (plans, tl) = run(mapper)?;
    if tl.cycles != r.cycles {
        return Err(RtlError::Unsupported(format!(
            "the engine runs the mapper's plans in {} cycles, the simulator's step in {}",
            tl.cycles, r.cycles
        )));
    }
    Ok((
        plans,
        tl,
        TopMapping {
            kt: if c.k_chunks == 0 {
                p.slot_words
            } else {
                c.k_chunks
            },
            describe: c.describe(),
            searched: true,
        },
    ))
}

/// Why the top does not run the mapper's choice `c` for a layer of `m`
/// tokens (`None`: it does).
fn refuses_choice(p: &AccelParams, c: &LinearMapping, m: u64, streamed: bool) -> Option<String> {
    let fixed = LinearMapping::fixed(&p.arch);
    if streamed {
        return Some(
            "the top runs a layer whose data streams through DRAM in the fixed mapping only".into(),
        );
    }
    if c.n_tile != 1 {
        return Some(format!(
            "an N tile of {} feature groups a weight tile is not built (one group a tile)",
            c.n_tile
        ));
    }
    if c.pack != 1 {
        return Some(format!(
            "{} instances packed on the lanes are not built",
            c.pack
        ));
    }
    if c.depth != fixed.depth {
        return Some(format!(
            "a prefetch depth of {} weight tiles (the top's slots are the design's {})",
            c.depth, fixed.depth
        ));
    }
    let (tt, tf) = (
        reuse::token_tile(&p.arch, c, m),
        reuse::token_tile(&p.arch, &fixed, m),
    );
    if tt != tf {
        return Some(format!(
            "a token tile of {tt} (the top's weight registers take sub-tiles of {tf} tokens)"
        ));
    }
    if c.k_chunks > p.slot_words {
        return Some(format!(
            "a K tile of {} chunks, over a weight slot's {} words",
            c.k_chunks, p.slot_words
        ));
    }
    None
}
