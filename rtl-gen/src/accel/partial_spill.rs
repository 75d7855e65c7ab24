//! The partial sums of a K split spilled to DRAM, as the engine moves
//! them, and why the accelerator top does not make those moves.
//!
//! The engine (`sim::mapping::linear`, `spills` / `spill_bytes`) spills a
//! K split's partial sums when the live ones exceed half the output buffer
//! at its accumulator bytes (`ceil(acc_bits / 8)`, 3 B for 24-bit sums):
//! tokens outer a block's, weights outer those of all the layer's tokens
//! (every block computes a K tile before any computes the next). Its moves
//! ([`StreamPlan`]'s `partial_out` / `partial_in`):
//!
//! - bytes: a tile's `tokens x lanes x acc_bytes`, written after every K
//!   tile but the last, read back by the next K tile of the same block and
//!   N tile;
//! - transfers: the write is (part of) the tile's store, one transfer after
//!   its outputs (a K tile but the last has none), issued when the tile's
//!   compute ends (`sim::engine` rule 1); the read-back is a transfer of
//!   its own from where the spill was written, issued with the next K
//!   tile's load (the prefetch, when the weight buffer has room, rule 3)
//!   but never before the spill has landed; the tile starts once both have
//!   arrived;
//! - placement (`sim::memory::model`): stores one after the other in issue
//!   order from the store region (after the loads, at the next 1 MiB,
//!   [`store_base`]), loads of weights and rows one after the other from
//!   the layer's region at 0 (a read-back takes no room there);
//! - the accumulators: the engine models no data; in the top the next K
//!   tile adds to the partial sums the collector reads from the output
//!   buffer (`collector.rs`), so a read-back would land there.
//!
//! The top does not build those moves: its DMA would write a tile's
//! partial sums out and read them back into the output buffer, at the
//! accumulators' bytes, with the read-back waiting for its store's
//! response. So it refuses a spilled K split with the engine's figures
//! ([`refusal`]); [`spills`] gives every spill's writer, reader, bytes and
//! address.

use super::stream::StreamPlan;
use super::stream_check::store_base;

/// One spill of partial sums: a tile's store and the next K tile's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spill {
    /// The tile that writes them (its index in [`StreamPlan::tiles`]).
    pub writer: usize,
    /// The tile that reads them back (the next K tile of its block and N
    /// tile).
    pub reader: usize,
    /// Bytes each way: the tile's `tokens x lanes x acc_bytes`.
    pub bytes: u64,
    /// Where the engine writes them and reads them back from: the
    /// writer's store at its place in the store region, after the
    /// writer's outputs.
    pub at: u64,
}

/// Every spill of `s`, in the order of the readers' loads.
pub fn spills(s: &StreamPlan) -> Vec<Spill> {
    let base = store_base(s.placed_loads());
    // each tile's store address: the stores before it, from the base
    let store_at: Vec<u64> = s
        .tiles
        .iter()
        .scan(base, |at, t| {
            let here = *at;
            *at += t.store();
            Some(here)
        })
        .collect();
    s.tiles
        .iter()
        .enumerate()
        .filter(|(_, t)| t.partial_in > 0)
        .filter_map(|(j, t)| {
            let writer = (0..j).rev().find(|&i| {
                let w = &s.tiles[i];
                w.block == t.block && w.n0 == t.n0 && w.kb < t.kb && w.partial_out > 0
            })?;
            let w = &s.tiles[writer];
            Some(Spill {
                writer,
                reader: j,
                bytes: t.partial_in,
                at: store_at[writer] + w.out_bytes,
            })
        })
        .collect()
}

/// Why the top does not run `s`'s spilled partial sums (`None`: none
/// spill): the engine's bytes and where it writes and reads them.
pub fn refusal(s: &StreamPlan) -> Option<String> {
    if !s.partial_spill {
        return None;
    }
    let v = spills(s);
    let Some(first) = v.first() else {
        return Some("the top does not spill partial sums to DRAM".into());
    };
    let bytes: u64 = v.iter().map(|x| x.bytes).sum();
    Some(format!(
        "the top does not spill partial sums to DRAM: the engine writes {} spills ({bytes} B) \
         as their tiles' stores into the store region (the first, tile {}'s {} B, at byte {}) \
         and reads each back from there by the next K tile (the first by tile {}), a transfer \
         of its own once the spill has landed; the top's DMA does not make those transfers",
        v.len(),
        first.writer,
        first.bytes,
        first.at,
        first.reader,
    ))
}
