//! The mapper's N tiles over streamed rows: a layer whose input streams
//! from DRAM in token blocks in the engine's weights-outer order
//! (`stream.rs`, `block_loop.rs`) with an N tile of several feature groups
//! a weight tile (`ntile.rs`) and its outputs stored per tile
//! (`ntile_store.rs`).
//!
//! The engine (`sim::mapping::linear`, `plan_with`, weights outer) walks
//! `(N tile, K tile, block)`: a tile is one N tile of one K tile of one
//! block; its load is ONE transfer, the N tile's weights (its groups' K
//! range, the block's first tile only: the later blocks hold them) then
//! the block's rows' K range, loaded once for all the tile's groups; it is
//! busy `groups x tokens x chunks` cycles (its groups one after the other
//! on the lanes, each reading the same rows); its store, with the last K
//! tile, is ONE transfer of the tile's `groups x tokens x lanes`
//! accumulators. The top makes the same moves:
//!
//! - the transfer is the N tile's weight words (`i_tg` groups of `ch`
//!   words, none when held) then the block's rows into the half of the
//!   activation buffer of the tile's slot (`stream_in.rs`); the feeder
//!   walks the tile's groups from the same first row (`fd_rb0`, `ntile.rs`);
//! - the output buffer's staging half keeps every block's partial sums of
//!   the N tile through its K tiles: block `b`'s tile at `b x groups x M`
//!   (the blocks before it, each the tile's groups' words), group `j` of it
//!   `j x M` further ([`next_b0`]: the collector and the partial sums'
//!   reads step a block by the tile's words, `_b0 + _go + M`, at the
//!   tile's last group only: its other groups keep the block's offset);
//! - a block's store reads the tile's words from there ([`store_m0`]: the
//!   block's first token in its group times the tile's groups), the
//!   stores one after the other from the layer's output base.
//!
//! Tokens outer (block, N tile, K tile) with an N tile is refused, and so
//! are the outputs kept in the output buffer ([`refuses`]), as are the
//! layers `ntile_store.rs` refuses (a partial group, a short chunk, a
//! tile's staged words over a half).

use super::build::{add, kx, mul, mux, n, sl, zx, Body, X};
use super::params::{addr_bits, AccelParams, Mutation};
use super::stream::{Order, StreamPlan};
use crate::ir::Expr;

/// Why the top does not run the streamed moves `s` with their N tiles
/// (`None`: it does, or the input is on chip, or no tile holds several
/// groups): tokens outer, the outputs kept in the output buffer (its
/// layout is a group's tokens one after the other, the staging half's a
/// block's tile's groups), or the N tile's words of every block over a
/// staging half (`half` words): with several K tiles they are the partial
/// sums every block's tile keeps through the K tiles (weights outer walks
/// the blocks inside a K tile; the engine spills them to DRAM where they
/// exceed half the output buffer at its accumulator bytes, which the top
/// refuses apart, `stream_check.rs`); with one, the top stages the N
/// tile's blocks one after the other in the half.
pub fn refuses(s: &StreamPlan, half: u64) -> Option<String> {
    let nt = s.tiles.iter().map(|t| t.groups).max().unwrap_or(1);
    if nt <= 1 || !s.streams_input() {
        return None;
    }
    if s.order == Order::TokensOuter {
        return Some(format!(
            "an N tile of {nt} feature groups over streamed rows in the tokens-outer order \
             (block, N tile, K tile) is not built (weights outer it is)"
        ));
    }
    if !s.out_spill {
        return Some(format!(
            "an N tile of {nt} feature groups over streamed rows (the input streams through \
             DRAM) with the outputs kept in the output buffer is not built (with the outputs \
             stored per tile it is)"
        ));
    }
    let m: u64 = s
        .tiles
        .iter()
        .filter(|t| t.n0 == 0 && t.kb == 0)
        .map(|t| t.tokens)
        .sum();
    (nt * m > half).then(|| {
        if s.k_tiles > 1 {
            format!(
                "weights outer the partial sums of an N tile of {nt} groups for all {m} tokens \
                 ({} output words) stay in the output buffer through its {} K tiles, over a \
                 staging half ({half} words of 32-bit accumulators), which the top does not \
                 build",
                nt * m,
                s.k_tiles,
            )
        } else {
            format!(
                "an N tile's {nt} groups of {m} output words ({}) are staged in one half of the \
                 output buffer ({half} words)",
                nt * m
            )
        }
    })
}

/// The next `_b0` of the cursor `c` (`o` or `r`, view `v`) at the end of
/// one of its group's rows: the block's offset in the staging half. The
/// tile's groups but the last keep it (the next group of the same block,
/// `_go` further); the last group of a block steps it to the next block's
/// tile: the block's own offset `_b0`, the tile's groups' words before
/// the last `_go` and the last group's `M` (`v`'s `_m`); the last block
/// of the group's K tile resets it. Without N tiles a row's end is its
/// tile's: the next block's tokens follow (`_b0 + M`), or 0. Broken
/// ([`Mutation::NTileStreamStride`]): a block one group's tokens after
/// the one before, as with one group a tile.
pub(super) fn next_b0(p: &AccelParams, c: &str, v: &str) -> Expr {
    let b0 = || n(&format!("{c}_b0"));
    let m = n(&format!("{v}_m"));
    let blk = n(&format!("{c}c_blk"));
    if !p.ntiles() {
        return mux(blk, add(b0(), m), kx(0));
    }
    let step = if p.mutation == Mutation::NTileStreamStride {
        add(b0(), m)
    } else {
        add(add(b0(), n(&format!("{c}_go"))), m)
    };
    mux(n(&format!("{c}c_gin")), b0(), mux(blk, step, kx(0)))
}

/// `st_m0`: where the store of the feeder's tile starts in its staging
/// half, the block's first token in its group `fd_b0` times the tile's
/// groups `st_tg` (`mb` bits of tokens; without N tiles `fd_b0`).
pub(super) fn store_m0(p: &AccelParams, o: &mut Body, mb: u32) -> Expr {
    if !p.ntiles() {
        return n("fd_b0");
    }
    let tb = addr_bits(p.slot_words + 1);
    let m0 = mul(
        zx(sl("fd_b0", mb - 1, 0), mb),
        zx(sl("st_tg", tb - 1, 0), tb),
    );
    o.wire("st_m0", X, m0);
    n("st_m0")
}
