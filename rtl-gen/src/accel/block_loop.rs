//! Token blocks as a loop of one descriptor: a streamed layer in the
//! engine's tokens-outer or weights-outer order (`stream.rs`) given as the
//! first descriptor with a count of blocks ([`BLOCKS_WORD`], at least 2)
//! runs as that many token blocks, each a layer of the chain for every
//! cursor of the sequencer (the cursors' layer index counts the blocks:
//! block `b` is layer `b`, so tokens outer the cursors walk `(block, group,
//! K tile)`, weights outer (`stream_in::WO_FLAG`) `(group, K tile, block)`,
//! and every comparison of layer indices is one of blocks). The table
//! keeps the one entry; a view of layer `b` ([`super::table::view`]) reads
//! entry 0 with the block's own fields:
//!
//! - `m`: the descriptor's tokens (a full block), the last block's
//!   ([`LAST_WORD`]) for `b = blocks - 1`;
//! - `wbase`, `abase`: the descriptor's plus `b` times the DRAM stride of a
//!   block ([`DSTRIDE_WORD`]: the block's weights and rows, the engine's
//!   placement of its loads one after the other; weights outer not read,
//!   every tile's load follows the one before from the weight base);
//! - `obase`: the descriptor's plus `b` times the output stride of a block
//!   ([`OSTRIDE_WORD`]: a full block's outputs, or its first store);
//! - `ab`: the half of the activation buffer of the block's parity (a
//!   block fills one half while the array reads the other);
//! - `flags`: weights outer, the held flag (`stream_in::HELD_FLAG`) on
//!   every block after the first: its tiles compute with the weights its
//!   group's first block loaded, their transfers its rows alone.
//!
//! The chain's length (`chain_n`, what [`super::table::in_chain`] compares
//! with) is the count of blocks; the descriptor fetch and the input loader
//! still walk `DESC_COUNT` table entries (1). A count of 0 or 1 is no loop.

use super::build::{add, and, eq, k, kx, mul, mux, n, ne, sl, sub, zx, Body, X};
use super::params::{AccelParams, Mutation};
use super::stream_in::{is_wo, HELD_FLAG};
use super::table::LB;
use crate::ir::Expr;

/// The descriptor's word holding the count of token blocks (0 or 1: no
/// loop).
pub const BLOCKS_WORD: u32 = 11;

/// The descriptor's word holding the last block's tokens.
pub const LAST_WORD: u32 = 12;

/// The descriptor's word holding the DRAM bytes from a block's first
/// load to the next block's.
pub const DSTRIDE_WORD: u32 = 13;

/// The descriptor's word holding the output bytes of a full block.
pub const OSTRIDE_WORD: u32 = 14;

/// Blocks a loop runs at most: the cursors' layer index counts them.
pub const MAX_BLOCKS: u64 = (1 << LB) - 1;

/// Entry 0's loop fields (`t0_nb`, `t0_ml`, `t0_ds`, `t0_os`) loaded with
/// it, and `lp` (the chain is the loop: entry 0 streamed with at least 2
/// blocks), `lp_half` (the activation buffer's second half) and `chain_n`
/// (the chain's layers).
pub fn fields(p: &AccelParams, o: &mut Body) {
    let f = [
        ("t0_nb", BLOCKS_WORD),
        ("t0_ml", LAST_WORD),
        ("t0_ds", DSTRIDE_WORD),
        ("t0_os", OSTRIDE_WORD),
    ];
    let mut fill = Vec::new();
    for (r, w) in f {
        o.reg(r, X);
        fill.push(super::build::set(r, sl("d_new", w * 32 + 31, w * 32)));
    }
    o.clocked_data(vec![super::build::when(
        and(n("d_last"), eq(n("d_idx"), k(LB, 0))),
        fill,
    )]);
    o.wire(
        "lp",
        1,
        and(
            super::stream_in::is_streamed(p, "t0_flags"),
            and(ne(n("t0_nb"), kx(0)), ne(n("t0_nb"), kx(1))),
        ),
    );
    o.wire("lp_half", X, kx(p.act_words / 2));
    // (broken: every block's transfers read the first block's region)
    let ds = if p.mutation == Mutation::LoopNoStride {
        kx(0)
    } else {
        n("t0_ds")
    };
    o.wire("lp_ds", X, ds);
    o.wire("chain_n", X, mux(n("lp"), n("t0_nb"), n("desc_count")));
    // weights outer the blocks after the first hold their group's weights
    // (broken: every block loads them again)
    let held = if p.mutation == Mutation::WoLoopUnheld {
        crate::ir::konst(1, 0)
    } else {
        and(n("lp"), is_wo(p, "t0_flags"))
    };
    o.wire("lp_wo", 1, held);
}

/// The field `f` of layer `l` (an `LB`-bit name) read from the table as
/// `e` (entry 0 when the chain is the loop), the block's own when it is.
pub fn field(l: &str, f: &str, e: Expr) -> Expr {
    let lx = || zx(n(l), LB);
    match f {
        "m" => mux(
            and(n("lp"), eq(lx(), sub(n("t0_nb"), kx(1)))),
            n("t0_ml"),
            e,
        ),
        "wbase" | "abase" => add(e, mux(n("lp"), mul(lx(), n("lp_ds")), kx(0))),
        "obase" => add(e, mux(n("lp"), mul(lx(), n("t0_os")), kx(0))),
        "ab" => mux(n("lp"), mux(sl(l, 0, 0), n("lp_half"), kx(0)), e),
        "flags" => mux(
            and(n("lp_wo"), ne(lx(), kx(0))),
            crate::ir::bin(crate::ir::BinOp::Or, e.clone(), kx(HELD_FLAG)),
            e,
        ),
        _ => e,
    }
}

/// The table entry a view of layer `l` reads: 0 for the loop.
pub fn entry(l: &str) -> Expr {
    mux(n("lp"), k(LB, 0), n(l))
}
