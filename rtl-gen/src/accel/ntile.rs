//! The mapper's N tiles in the accelerator top: a weight tile of several
//! feature groups (`nt`, descriptor word 10, [`super::table::NT_WORD`]) by
//! one K tile, as the engine maps it (`sim::mapping::linear`, `n_tile`).
//!
//! The engine's tile is the N tile: one DRAM load of its groups' weights
//! (`nt x lanes` lanes' K range), busy `groups x M x chunks` cycles (its
//! groups one after the other on the lanes), one prefetch slot from its
//! fetch to the end of its last group. The top makes the same moves:
//!
//! - the tile cursors (fetch decisions, read requests, starts) step by the
//!   N tile's outputs (`<v>_nw`, `cursor.rs`), and a tile's transfer is its
//!   groups' chunk words one group after the other (`i_tg` groups of
//!   `ch` words), so the slot holds group `j`'s chunk `c` at word `j x ch +
//!   c` (the DMA writes a transfer's words in order);
//! - the feeder walks the tile's groups ([`feeder`]): at the end of a
//!   group's rows the next group's first row follows in the next cycle,
//!   the weight words `ch` further on, the rows from the tile's first
//!   again; the array is freed (engine rule 1) with the last group's last
//!   chunk;
//! - the outputs' and the partial sums' cursors walk the groups of each
//!   tile (`cursor::group_cursor`), a group's words at its own place in
//!   the output buffer (`o_go`: the groups before it in the tile, `M`
//!   words each), so the K tiles of every group add to their own sums.
//!
//! With weight registers (`token_tile > 1`, `tokens.rs`) each group is
//! fed in its token sub-tiles, the next group's first loading its weights.
//!
//! Built where [`AccelParams::ntiles`] holds; `mapping.rs` takes the N
//! tile for a layer of whole groups and chunks with its input on chip,
//! its outputs on chip or stored per tile (one store a tile,
//! `ntile_store.rs`, [`store_words`]), and refuses it otherwise with the
//! reason.

use super::build::{add, and, eq, kx, lt, mul, mux, n, not, or, set, sl, zx, Body, X};
use super::params::{addr_bits, AccelParams, Mutation};
use crate::ir::Stmt;

/// The table's `d_nt` (the descriptor's groups a weight tile, at least 1)
/// and `d_nw` (their outputs, `nt x lanes`). Broken
/// ([`Mutation::NTileOneGroup`]): one group whatever the word says.
pub(super) fn table_fields(p: &AccelParams, o: &mut Body) {
    let w = super::table::NT_WORD * 32;
    o.wire("d_ntw", X, sl("d_new", w + 31, w));
    let nt = if p.mutation == Mutation::NTileOneGroup {
        kx(1)
    } else {
        mux(eq(n("d_ntw"), kx(0)), kx(1), n("d_ntw"))
    };
    o.wire("d_nt", X, nt);
    o.wire("d_nw", X, mul(n("d_nt"), kx(p.lanes())));
    // the N tile's K tiles of every group over a weight slot (`d_ntb`,
    // the entry's `ntb`: ERROR bit 2), or a storing layer's N tile of
    // more words than a staging half (`ntile_store.rs`; its tokens over
    // a half, or its groups over the K tile's bound, are bad anyway: a
    // narrow product)
    let slot = lt(kx(p.slot_words), mul(n("d_kt"), n("d_nt")));
    let bad = if super::store_out::built(p) {
        let h = super::store_out::half(p);
        let (mb, tb) = (addr_bits(h + 1), addr_bits(p.slot_words + 1));
        let fl = super::table::WORDS
            .iter()
            .position(|w| *w == "flags")
            .unwrap_or(3) as u32
            * 32;
        let words = mul(
            zx(sl("d_new", mb - 1, 0), mb),
            zx(sl("d_nt", tb - 1, 0), tb),
        );
        or(slot, and(sl("d_new", fl + 3, fl + 3), lt(kx(h), words)))
    } else {
        slot
    };
    o.wire("d_ntb", 1, bad);
}

/// The store's words of the N tile the feeder ends (`ntile_store.rs`):
/// `st_tg`, its groups (from `st_left` and the tile's outputs `vsd_nw`),
/// and `st_gm`, their words (`vd_m` a group; `mb` bits of tokens).
/// Broken ([`Mutation::NTileStoreGroup`]): the first group's alone.
pub(super) fn store_words(p: &AccelParams, o: &mut Body, mb: u32) {
    o.wire(
        "st_tn",
        X,
        mux(lt(n("st_left"), n("vsd_nw")), n("st_left"), n("vsd_nw")),
    );
    let q = super::table::chunks_of(o, p.lanes(), "st_tn", "st_tq");
    let tg = if p.mutation == Mutation::NTileStoreGroup {
        kx(1)
    } else {
        mux(eq(q.clone(), kx(0)), kx(1), q)
    };
    o.wire("st_tg", X, tg);
    let tb = addr_bits(p.slot_words + 1);
    o.wire(
        "st_gm",
        X,
        mul(
            zx(sl("vd_m", mb - 1, 0), mb),
            zx(sl("st_tg", tb - 1, 0), tb),
        ),
    );
}

/// The descriptor check of entry `i`: its N tile's K tile of every group
/// over a weight slot (`nt x kt > slot words`).
pub(super) fn desc_bad(i: u32) -> crate::ir::Expr {
    n(&format!("t{i}_ntb"))
}

/// The read requests' groups of the tile at `i_n`: `i_tg`, the whole
/// groups of its N tile (at least 1: a partial last group alone).
pub(super) fn request_groups(p: &AccelParams, o: &mut Body) {
    o.wire(
        "i_tn",
        X,
        mux(lt(n("i_left"), n("vi_nw")), n("i_left"), n("vi_nw")),
    );
    let q = super::table::chunks_of(o, p.lanes(), "i_tn", "i_tq");
    o.wire("i_tg", X, mux(eq(q.clone(), kx(0)), kx(1), q));
}

/// The end of the feeder's group: the registers
/// `fd_gn` (the group offered), `fd_te` (the tile's outputs' end),
/// `fd_rb0` (its first row's word) and `fd_wo` (the group's first word in
/// the slot); the wires `fd_rowend` (the group's last chunk is offered),
/// `fd_glast` (it is the tile's last group) and `fd_gadv` (the next group
/// follows).
pub(super) fn group_end(p: &AccelParams, o: &mut Body) {
    for r in ["fd_gn", "fd_te", "fd_rb0", "fd_wo"] {
        o.reg(r, X);
    }
    let l = || kx(p.lanes());
    o.wire(
        "fd_glast",
        1,
        not(and(
            lt(add(n("fd_gn"), l()), n("fd_te")),
            lt(add(n("fd_gn"), l()), n("vd_n")),
        )),
    );
    // (with weight registers `tokens.rs` gives it: the group's last
    // sub-tile's last chunk)
    if p.tile.token_tile() == 1 {
        o.wire(
            "fd_rowend",
            1,
            and(
                and(n("comp"), n("fd_last")),
                eq(add(n("fd_row"), kx(1)), n("vd_m")),
            ),
        );
    }
    o.wire("fd_gadv", 1, and(n("fd_rowend"), not(n("fd_glast"))));
}

/// The feeder's next group: the next values of [`group_end`]'s registers
/// (after the tile start `start_n` and its rows `e_ab + e_kbo`), their
/// updates and resets.
pub(super) fn feeder(p: &AccelParams, o: &mut Body) -> (Vec<Stmt>, Vec<Stmt>) {
    let l = || kx(p.lanes());
    o.wire(
        "fd_gn_n",
        X,
        mux(
            n("start_n"),
            n("e_n"),
            mux(n("fd_gadv"), add(n("fd_gn"), l()), n("fd_gn")),
        ),
    );
    o.wire(
        "fd_te_n",
        X,
        mux(n("start_n"), add(n("e_n"), n("ve_nw")), n("fd_te")),
    );
    o.wire(
        "fd_rb0_n",
        X,
        mux(n("start_n"), add(n("e_ab"), n("e_kbo")), n("fd_rb0")),
    );
    o.wire(
        "fd_wo_n",
        X,
        mux(
            n("start_n"),
            kx(0),
            mux(n("fd_gadv"), add(n("fd_wo"), n("fd_ch")), n("fd_wo")),
        ),
    );
    let regs = ["fd_gn", "fd_te", "fd_rb0", "fd_wo"];
    let run = regs.iter().map(|r| set(r, n(&format!("{r}_n")))).collect();
    let init = regs.iter().map(|r| set(r, kx(0))).collect();
    (run, init)
}

/// The signals of the N tiles the top leaves partly unread: the group cursors'
/// tile chunks and their own (tile-level) halves' steps, the partial sums'
/// layer end, and the tile's outputs below a group's (`i_tn`, divided by
/// the lanes; with the stores, `st_tn` so divided and the narrow
/// products' operands `st_tg`, `st_gm`).
pub(super) fn waived(p: &AccelParams) -> Vec<&'static str> {
    let mut v = vec!["oct_ch", "rct_ch", "rct_nx", "rct_n1", "rc_lend", "i_tn"];
    if super::store_out::built(p) {
        v.extend(["st_tn", "st_tg", "st_gm"]);
    }
    v
}
