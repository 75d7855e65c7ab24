//! The mapping a checked layer runs with: the fixed mapping (`onebit sim
//! --fixed-mapping`), or the mapper's choice (`onebit sim`'s default,
//! `sim::mapping::mapper`) where the top can make its moves, so that `rtl
//! check` compares the RTL with the engine's prediction for the mapping the
//! simulator reports.
//!
//! The top takes the mapper's K tile (descriptor word 9,
//! [`super::table::KT_WORD`]: any number of chunks up to a weight slot's
//! words, the K tiles after a group's first adding to its partial sums in
//! the output buffer), its N tile (word 10, [`super::table::NT_WORD`]:
//! several feature groups a weight tile, `ntile.rs`, on the designs that
//! build it, for a layer of whole groups and chunks) and any token tile
//! that gives the layer the design's sub-tiles (`min(token tile, M)` the
//! same: for a decode, every token tile), also for a layer whose outputs
//! are stored per tile with its input on chip (`ntile_store.rs`); a token
//! tile below the design's (weight-register sub-tiles of fewer tokens,
//! descriptor word 9's high half, `tokens.rs`; where the layer's data
//! moves through DRAM, in token blocks of at most its tokens). For a
//! layer whose input streams through DRAM it takes the choice's token
//! block and loop order too (`stream.rs`, [`super::stream::StreamPlan::mapped`]:
//! blocks of the mapper's tokens, weights outer or tokens outer as it says,
//! each a loop of one descriptor, `block_loop.rs`) with its K tile and its
//! N tile (weights outer with the outputs stored per tile,
//! `ntile_stream.rs`). It refuses, with the reason, an N tile elsewhere
//! (with a partial group or a short chunk, on a design without N tiles;
//! over streamed rows tokens outer or with the outputs on chip,
//! `stream_check.rs`), packed instances, another prefetch depth than the
//! design's and a token tile below the design's that splits a streamed
//! layer's token blocks.

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
    /// Feature groups of a weight tile, the N tile (descriptor word 10).
    pub nt: u64,
    /// Tokens of a weight-register sub-tile, below the design's token tile
    /// (descriptor word 9's high half, [`super::table::kt_word`]; 0: the
    /// design's, `min(T, M)`).
    pub tt: u64,
    /// Tokens of a token block when the input streams (0: the most a half
    /// of the activation buffer holds, the fixed mapping's).
    pub block: u64,
    /// The loop order when the input streams (`ByDramBytes`: the fixed
    /// mapping's rule, the order that moves fewer DRAM bytes).
    pub order: reuse::LoopOrder,
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
            nt: 1,
            tt: 0,
            block: 0,
            order: reuse::LoopOrder::ByDramBytes,
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
/// through DRAM (the choice's token block and loop order are taken then,
/// its N tile must be one group).
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
    let why = refuses_choice(p, &c, (m, k, n), streamed);
    if let Some(why) = why {
        return Err(RtlError::Unsupported(format!(
            "the mapper chooses `{}` for the layer {m}x{k}x{n} (the engine: `{}`); {why} (the \
             fixed mapping: --fixed-mapping)",
            c.describe(),
            r.ops[0].mapping
        )));
    }
    let (plans, tl) = run(mapper)?;
    if tl.cycles != r.cycles {
        return Err(RtlError::Unsupported(format!(
            "the engine runs the mapper's plans in {} cycles, the simulator's step in {}",
            tl.cycles, r.cycles
        )));
    }
    let (kt, nt) = tiles_of(p, &c, k, n);
    let (tt, tf) = (
        reuse::token_tile(&p.arch, &c, m),
        reuse::token_tile(&p.arch, &fixed, m),
    );
    Ok((
        plans,
        tl,
        TopMapping {
            kt,
            nt,
            tt: if tt < tf { tt } else { 0 },
            block: c.block,
            order: c.order,
            describe: c.describe(),
            searched: true,
        },
    ))
}

/// The K tile and the N tile the engine makes of the choice `c` for a
/// layer of `K = k`, `N = n` (`sim::mapping::linear::plan_with`: the N
/// tile at most the groups and a slot's chunks, the K tile what a slot
/// holds of every group's, at most the mapper's and the row's chunks).
fn tiles_of(p: &AccelParams, c: &LinearMapping, k: u64, n: u64) -> (u64, u64) {
    let groups = n.div_ceil(p.lanes()).max(1);
    let nt = c.n_tile.clamp(1, groups).min(p.slot_words);
    let chunks = k.div_ceil(p.width());
    let mut kt = (p.slot_words / nt).clamp(1, chunks);
    if nt == 1 {
        kt = p.slot_words;
    }
    if c.k_chunks > 0 {
        kt = kt.min(c.k_chunks);
    }
    (kt, nt)
}

/// Why the top does not run the mapper's choice `c` for the layer `m x k
/// x n` (`None`: it does).
fn refuses_choice(
    p: &AccelParams,
    c: &LinearMapping,
    (m, k, n): (u64, u64, u64),
    streamed: bool,
) -> Option<String> {
    // (a streamed layer's token blocks and loop order: `stream_check.rs`
    // refuses what the top does not run of them, naming the moves)
    let fixed = LinearMapping::fixed(&p.arch);
    let (_, nt) = tiles_of(p, c, k, n);
    // (outputs stored per tile with the input on chip: no token blocks, the
    // N tile and K tile taken, `ntile_store.rs`)
    let rows_on_chip = m * p.row_bytes(k) <= p.arch.buffers.activations.bytes();
    // (an N tile over streamed rows: built on a design with N tiles,
    // weights outer with the outputs stored per tile, `ntile_stream.rs`;
    // `stream_check.rs` refuses the rest, naming the moves)
    if streamed && !rows_on_chip && nt > 1 && !p.ntiles() {
        return Some(format!(
            "not built: an N tile of {nt} feature groups over streamed rows (the input \
             streams through DRAM; a tile's rows loaded once for its groups); N tiles on this \
             design at all (built for W-bit codes in whole-beat words and a chunk a cycle)"
        ));
    }
    if nt > 1 {
        if !p.ntiles() {
            return Some(format!(
                "an N tile of {nt} feature groups a weight tile is not built on this design \
                 (N tiles are built for W-bit codes in whole-beat words and a chunk a cycle)"
            ));
        }
        if n % p.lanes() != 0 {
            return Some(format!(
                "an N tile of {nt} feature groups with a partial last group (N = {n}, {} lanes) \
                 is not built",
                p.lanes()
            ));
        }
        if k % p.width() != 0 {
            return Some(format!(
                "an N tile of {nt} feature groups with a short last chunk (K = {k}, width {}) \
                 is not built",
                p.width()
            ));
        }
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
    // (a token tile below the design's: the descriptor's, `tokens.rs`;
    // where the data moves through DRAM, only one that does not split the
    // choice's token blocks is verified: the sub-tiles are the blocks)
    let splits_blocks = streamed && (c.block == 0 || c.block > tt);
    if tt != tf && (!super::tokens::built(p) || splits_blocks) {
        return Some(format!(
            "a token tile of {tt} (the top's weight registers take sub-tiles of {tf} tokens{})",
            if super::tokens::built(p) {
                "; a smaller one is verified where the layer's data stays on chip, or in token \
                 blocks of at most its tokens"
            } else {
                ""
            }
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
