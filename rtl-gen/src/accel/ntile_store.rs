//! The mapper's N tiles over outputs stored per tile: the host's side of
//! a layer whose outputs the engine stores (`store_out.rs`) run in the
//! mapper's N tile (`ntile.rs`) and K tile.
//!
//! The engine (`sim::mapping::linear`, `plan_with`; `sim::engine`, its
//! rule 1) stores an N tile's outputs as ONE transfer when its last K tile
//! ends: `tokens x nt x lanes` accumulators, issued in the cycle the tile's
//! last group's last chunk has gone in, after every group of the tile has
//! computed (one store a tile, not one a group). The top makes the same
//! move: the tile's groups stage their words in one half of the output
//! buffer (group `j` of the tile at `j x M`, `o_go`), the store's request
//! (`st_trig`, the tile's end) carries the tile's `nt x M` words (`st_gm`)
//! and the data side sends them from the half in that order, so a
//! store's bytes are its groups' `M x lanes` accumulators one group after
//! the other, the stores one after the other from the layer's output base
//! (the engine's placement, as without N tiles).
//!
//! Built for the input on chip (one descriptor, the engine's `activations
//! on chip`) and over streamed rows weights outer (`ntile_stream.rs`,
//! which refuses the rest of the streamed moves with the reason).

use super::params::AccelParams;
use super::stream::StreamPlan;
use sim::mapping::OpPlan;

/// Why the top does not run the moves `s` of the layer `m x k x n` with
/// their N tiles (`None`: it does, or no tile holds several groups).
pub fn refuses(p: &AccelParams, s: &StreamPlan, (m, k, n): (u64, u64, u64)) -> Option<String> {
    let nt = s.tiles.iter().map(|t| t.groups).max().unwrap_or(1);
    if nt <= 1 {
        return None;
    }
    if !p.ntiles() {
        return Some(format!(
            "an N tile of {nt} feature groups is not built on this design (N tiles are built for \
             W-bit codes in whole-beat words and a chunk a cycle)"
        ));
    }
    if let Some(w) = super::ntile_stream::refuses(s, super::store_out::half(p)) {
        return Some(w);
    }
    if !n.is_multiple_of(p.lanes()) || !k.is_multiple_of(p.width()) {
        return Some(format!(
            "an N tile of {nt} feature groups with a partial last group or a short last chunk \
             (N = {n}, K = {k} on {} x {}) is not built",
            p.lanes(),
            p.width()
        ));
    }
    let half = super::store_out::half(p);
    if s.out_spill && nt * m > half {
        return Some(format!(
            "an N tile's {nt} groups of {m} output words ({}) are staged in one half of the \
             output buffer ({half} words)",
            nt * m
        ));
    }
    None
}

/// Why the top does not take the mapper's tiles (K tile, N tile) over
/// outputs stored per tile for `K = k`, `N = n` (`None`: it does): the
/// weight image is cut into whole chunks of whole groups.
pub fn refuses_tiling(p: &AccelParams, (k, n): (u64, u64)) -> Option<String> {
    (!n.is_multiple_of(p.lanes()) || !k.is_multiple_of(p.width())).then(|| {
        format!(
            "the mapper's K tile and N tile over outputs stored per tile with a partial last \
             group or a short last chunk (N = {n}, K = {k} on {} x {}) are not built",
            p.lanes(),
            p.width()
        )
    })
}

/// Why the engine's tiles of `plan` are not the moves `s` (`None`: they
/// are, tile for tile: load, busy and store bytes).
pub fn differs(s: &StreamPlan, plan: &OpPlan) -> Option<String> {
    let mut got = Vec::new();
    for pat in &plan.tiles.patterns {
        for _ in 0..pat.reps {
            for &(t, count) in &pat.runs {
                for _ in 0..count {
                    got.push((t.load, t.busy + t.sram_stall, t.store));
                }
            }
        }
    }
    let want: Vec<(u64, u64, u64)> = s
        .tiles
        .iter()
        .map(|t| (t.load(), t.busy(), t.store()))
        .collect();
    (got != want).then(|| {
        format!(
            "the engine maps the layer as `{}`, not as the top runs it (tiles as (load, busy, \
             store): {:?}, the top's: {:?})",
            plan.note,
            &got[..got.len().min(6)],
            &want[..want.len().min(6)]
        )
    })
}

/// The weight image of the moves `s` from the fixed mapping's (`fixed`:
/// every group's chunks in order, a group after the other): every tile's
/// load in order, its groups one after the other, each group's chunks of
/// the tile's K range (whole chunks and groups, [`refuses`]).
pub fn weight_image(p: &AccelParams, s: &StreamPlan, k: u64, fixed: &[u8]) -> Vec<u8> {
    let cb = p.weight_bytes(p.lanes(), p.width()) as usize;
    let c_row = k.div_ceil(p.width());
    let mut img = Vec::with_capacity(fixed.len());
    for t in s.tiles.iter().filter(|t| t.weight_bytes > 0) {
        for j in 0..t.groups {
            let g = t.n0 / p.lanes() + j;
            for c in t.kb..t.kb + t.chunks {
                let at = (g * c_row + c) as usize * cb;
                img.extend_from_slice(&fixed[at..at + cb]);
            }
        }
    }
    img
}

/// The results in the order of the stores: each storing tile's groups one
/// after the other, a group's `tokens x lanes` accumulators row by row
/// (`expected`: the layer's `m x n`, row-major).
pub fn stored_order(p: &AccelParams, s: &StreamPlan, n: u64, expected: &[i32]) -> Vec<i32> {
    let mut e = Vec::with_capacity(expected.len());
    for t in s.tiles.iter().filter(|t| t.out_bytes > 0) {
        let mut g0 = t.n0;
        while g0 < t.n0 + t.lanes {
            let gl = p.lanes().min(t.n0 + t.lanes - g0);
            for r in t.m0..t.m0 + t.tokens {
                for c in g0..g0 + gl {
                    e.push(expected[(r * n + c) as usize]);
                }
            }
            g0 += gl;
        }
    }
    e
}
