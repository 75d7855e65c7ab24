//! The sequencer's tile cursors: where a cursor `(kb, n)` of a layer goes
//! after its tile (the next K tile, the next feature group, the next
//! layer's first tile, or weights outer the next block's same tile), the
//! wires every cursor of `layer.rs` and `collector.rs` is built from; a
//! tile covers an N tile's outputs (`<v>_nw`, `ntile.rs`) where the design
//! builds them, and [`group_cursor`] walks the feature groups of each.

use super::build::{add, and, b, kx, le, lt, min, mux, n, or, sub, Body, X};
use super::params::{AccelParams, Mutation};
use super::table;
use crate::ir::Expr;

/// `<pre>_wrap`: the cursor `(<pre>_kb, <pre>_n)` leaves its group after
/// this tile; `<pre>_lend`: it leaves its layer (of `<v>_c` chunks a row,
/// `<v>_n` outputs and K tiles of `<v>_kt` chunks, the view `v` of its
/// layer `l`); `<pre>_ch`: the tile's chunks; `<pre>_kb1`/`<pre>_n1`: the
/// next tile in the same layer; `<pre>_nl`, `<pre>_nn`, `<pre>_nkb`: the
/// tile the cursor goes to (the next layer's first when it leaves its
/// layer; weights outer, `wo`, the next block's same tile, and from the
/// last block the first block's next tile, `stream_in::WO_FLAG`).
pub(super) fn cursor(
    p: &AccelParams,
    o: &mut Body,
    pre: &str,
    kb: Expr,
    nn: Expr,
    v: &str,
    l: &str,
) {
    let (c, nl) = (&format!("{v}_c"), &format!("{v}_n"));
    let kt = || n(&format!("{v}_kt"));
    // a tile's outputs: a group's lanes, or the layer's N tile
    let step = || {
        if p.ntiles() {
            n(&format!("{v}_nw"))
        } else {
            kx(p.lanes())
        }
    };
    let w = |s: &str| format!("{pre}_{s}");
    o.wire(&w("kbx"), X, kb);
    o.wire(&w("nx"), X, nn);
    o.wire(&w("left"), X, sub(n(c), n(&w("kbx"))));
    o.wire(&w("ch"), X, min(n(&w("left")), kt()));
    o.wire(&w("wrap"), 1, le(n(&w("left")), kt()));
    o.wire(
        &w("kb1"),
        X,
        mux(n(&w("wrap")), kx(0), add(n(&w("kbx")), kt())),
    );
    o.wire(
        &w("n1"),
        X,
        mux(n(&w("wrap")), add(n(&w("nx")), step()), n(&w("nx"))),
    );
    o.wire(
        &w("lend"),
        1,
        and(n(&w("wrap")), le(n(nl), add(n(&w("nx")), step()))),
    );
    // weights outer: the next block's same tile (broken: the blocks' own
    // tiles in order, tokens outer)
    let wo = if p.mutation == Mutation::WoBlockOuter {
        b(false)
    } else {
        n("wo")
    };
    o.wire(
        &w("blk"),
        1,
        and(wo.clone(), table::in_chain(table::next(l))),
    );
    o.wire(
        &w("nl"),
        table::LB,
        mux(
            or(n(&w("blk")), n(&w("lend"))),
            table::next(l),
            mux(wo, crate::ir::konst(table::LB, 0), n(l)),
        ),
    );
    o.wire(
        &w("nn"),
        X,
        mux(
            n(&w("blk")),
            n(&w("nx")),
            mux(n(&w("lend")), kx(0), n(&w("n1"))),
        ),
    );
    o.wire(
        &w("nkb"),
        X,
        mux(
            n(&w("blk")),
            n(&w("kbx")),
            mux(n(&w("lend")), kx(0), n(&w("kb1"))),
        ),
    );
}

/// `<pre>_l`, `<pre>_n`, `<pre>_kb`: the tile after the cursor `cur`
/// (its `_nl`, `_nn`, `_nkb`).
pub(super) fn step(o: &mut Body, pre: &str, cur: &str) {
    o.wire(&format!("{pre}_l"), table::LB, n(&format!("{cur}_nl")));
    o.wire(&format!("{pre}_n"), X, n(&format!("{cur}_nn")));
    o.wire(&format!("{pre}_kb"), X, n(&format!("{cur}_nkb")));
}

/// The cursor `<pre>` of the outputs: the feature group `gn` of the tile
/// `(kb, tn)` (an N tile of `<v>_nw` outputs from `tn`), stepping to the
/// tile's next group and, from its last, as [`cursor`] steps the tile
/// (built as `<pre>t`): `<pre>_wrap`, `_lend`, `_blk`, `_nl`, `_nn`,
/// `_nkb` as [`cursor`]'s for the group, `<pre>_gin` (a next group in the
/// tile) and `<pre>_ntn` (the next group's tile). Without N tiles, the
/// group is the tile: [`cursor`] itself.
#[allow(clippy::too_many_arguments)]
pub(super) fn group_cursor(
    p: &AccelParams,
    o: &mut Body,
    pre: &str,
    kb: Expr,
    (gn, tn): (Expr, Expr),
    v: &str,
    l: &str,
) {
    if !p.ntiles() {
        cursor(p, o, pre, kb, gn, v, l);
        return;
    }
    let t = format!("{pre}t");
    cursor(p, o, &t, kb.clone(), tn.clone(), v, l);
    let w = |s: &str| format!("{pre}_{s}");
    let tw = |s: &str| n(&format!("{t}_{s}"));
    o.wire(&w("gx"), X, gn);
    o.wire(&w("te"), X, add(tn.clone(), n(&format!("{v}_nw"))));
    o.wire(
        &w("gin"),
        1,
        and(
            lt(add(n(&w("gx")), kx(p.lanes())), n(&w("te"))),
            lt(add(n(&w("gx")), kx(p.lanes())), n(&format!("{v}_n"))),
        ),
    );
    let last = || super::build::not(n(&w("gin")));
    o.wire(&w("wrap"), 1, and(last(), tw("wrap")));
    o.wire(&w("lend"), 1, and(last(), tw("lend")));
    o.wire(&w("blk"), 1, and(last(), tw("blk")));
    o.wire(&w("nl"), table::LB, mux(n(&w("gin")), n(l), tw("nl")));
    o.wire(
        &w("nn"),
        X,
        mux(n(&w("gin")), add(n(&w("gx")), kx(p.lanes())), tw("nn")),
    );
    o.wire(&w("nkb"), X, mux(n(&w("gin")), kb, tw("nkb")));
    o.wire(&w("ntn"), X, mux(n(&w("gin")), tn, tw("nn")));
}
