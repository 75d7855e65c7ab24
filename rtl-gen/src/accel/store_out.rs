//! The outputs stored per tile in RTL: a layer whose descriptor sets
//! [`STORE_FLAG`] writes each feature group's outputs (its tokens' output
//! words, `tokens x lanes` accumulators) to memory as ONE store when the
//! group's last K tile ends, as the engine's mapping does when the whole
//! output does not fit the activation buffer (`stream.rs`,
//! `TileMove::out_bytes`): the store's first AW burst is on the bus in the
//! cycle the engine issues the store (the tile's end, the cycle after its
//! last chunk went in), its bytes follow the stores before it from the
//! layer's output base (the engine's placement: stores one after the other
//! in issue order), and the layer is complete when its last output has
//! left the tile and every store's write response has come back (the
//! engine's `done = max(compute_end + drain, last store)`). With the
//! mapper's N tile (`ntile_store.rs`) the store is the tile's: its groups'
//! words one group after the other, staged together in one half.
//!
//! Staging: the output buffer's two halves (`out_words / 2` words each),
//! alternating per feature group: group `g`'s outputs (and the partial sums
//! of its K tiles) go to words `(g % 2) * half + m`; weights outer
//! (`stream_in::WO_FLAG`) a group's half holds all its blocks, block `b`'s
//! tokens at its offset `b0` (the tokens of the blocks before it), its
//! store taken from there, and the half is claimed by the group's first
//! block and freed by its last block's store. A group's first tile
//! starts only when its half is free, the engine's rule
//! (`sim::engine::out_halves`): the store of the group two before has
//! left the buffer, its last byte written at the DRAM model's end, which
//! the write response of its last burst gives (the half frees in that
//! cycle; [`start_hold`]). Under random AXI timing the hold keeps the
//! results exact.
//!
//! The stores on the AXI write channel are `store_write.rs`'s.

use super::build::{
    add, and, b, eq, kx, le, lt, mul, mux, n, ne, not, or, set, sl, sub, when, when_else, zx, Body,
    X,
};
use super::params::{addr_bits, AccelParams, Mutation};
use super::table;
use crate::ir::{Expr, Stmt};

/// The descriptor's flags bit of outputs stored per tile (bit 3).
pub const STORE_FLAG: u64 = 0x8;

/// The store path is built on `p`: the output buffer has two halves
/// (output words that are not whole beats are packed into beats by the
/// data side's queue, `dma::store_queue`).
pub fn built(p: &AccelParams) -> bool {
    p.out_words >= 2
}

/// Words of one staging half of the output buffer.
pub fn half(p: &AccelParams) -> u64 {
    p.out_words / 2
}

/// Flags bits the top takes for the stores (none when not built).
pub fn flags_mask(p: &AccelParams) -> u64 {
    if built(p) {
        STORE_FLAG
    } else {
        0
    }
}

/// `flags` marks a layer whose outputs are stored per tile (false when not built).
pub fn is_store(p: &AccelParams, flags: &str) -> Expr {
    if built(p) {
        sl(flags, 3, 3)
    } else {
        crate::ir::konst(1, 0)
    }
}

/// Descriptor `i`'s store flag is not taken: with a dependent input or
/// INT8 outputs, more tokens than a staging half holds, or unlike the
/// first layer's (a chain stores all its layers' outputs or none).
pub fn desc_bad(p: &AccelParams, i: u32) -> Expr {
    if !built(p) {
        return b(false);
    }
    let fl = format!("t{i}_flags");
    let mut bad = and(
        sl(&fl, 3, 3),
        or(
            or(sl(&fl, 0, 0), sl(&fl, 2, 2)),
            lt(kx(half(p)), n(&format!("t{i}_m"))),
        ),
    );
    if i > 0 {
        bad = or(bad, ne(sl(&fl, 3, 3), sl("t0_flags", 3, 3)));
    }
    bad
}

/// The start hold (`st_ok`): a store layer's group starts its first tile
/// only when its staging half is free (`hc0`, `hc1` claimed from that
/// start until the group's store has left the buffer: the engine's rule,
/// `sim::engine::out_halves`, the store's last byte written at the DRAM
/// model's end, which the write response of its last burst gives). The
/// data side counts the stores' bursts sent (`sw_nb`); at a group's last
/// write beat its half waits (`hw0`, `hw1`) for the write responses up to
/// that burst (`hb0`, `hb1`), and frees in the cycle the last one comes
/// back (a group may start in it, as a tile starts in the cycle its last
/// weight beat arrives). Needs `ve_flags`, `e_kb`, `start_n`, `parse_ok`,
/// the data side's `sw_end`, `sw_h`, `s_wfire`, `s_wlast` and the write
/// responses' `sb_rcv`, `sb_fire`.
pub fn start_hold(p: &AccelParams, o: &mut Body) -> Expr {
    if !built(p) {
        return b(true);
    }
    for r in ["e_h", "hc0", "hc1", "hw0", "hw1"] {
        o.reg(r, 1);
    }
    for r in ["sw_nb", "hb0", "hb1"] {
        o.reg(r, X);
    }
    // (broken: a half frees at its store's last write beat, before the
    // store has left the buffer in the engine's DRAM model)
    let at_data = p.mutation == Mutation::HalfAtWriteData;
    let rcv = add(n("sb_rcv"), zx(n("sb_fire"), 1));
    for h in 0..2 {
        let free = if at_data {
            b(false)
        } else {
            and(n(&format!("hw{h}")), le(n(&format!("hb{h}")), rcv.clone()))
        };
        o.wire(&format!("hf{h}"), 1, free);
        o.wire(
            &format!("hbusy{h}"),
            1,
            and(n(&format!("hc{h}")), not(n(&format!("hf{h}")))),
        );
    }
    // (weights outer: a group's first tile is its first block's)
    o.wire(
        "st_first",
        1,
        and(
            and(is_store(p, "ve_flags"), eq(n("e_kb"), kx(0))),
            or(not(n("wo")), eq(n("e_l"), crate::ir::konst(table::LB, 0))),
        ),
    );
    o.wire(
        "st_ok",
        1,
        not(and(n("st_first"), mux(n("e_h"), n("hbusy1"), n("hbusy0")))),
    );
    let take = and(n("start_n"), n("st_first"));
    // a group's last write beat: its half freed (broken) or waiting for
    // the responses up to this burst
    let sent = |h: u64| {
        if at_data {
            vec![set(&format!("hc{h}"), b(false))]
        } else {
            vec![
                set(&format!("hw{h}"), b(true)),
                set(&format!("hb{h}"), add(n("sw_nb"), kx(1))),
            ]
        }
    };
    let cleared = |v: &mut Vec<Stmt>| {
        for r in ["e_h", "hc0", "hc1", "hw0", "hw1"] {
            v.push(set(r, b(false)));
        }
        v.push(set("sw_nb", kx(0)));
    };
    let (mut reset, mut parse) = (Vec::new(), Vec::new());
    cleared(&mut reset);
    cleared(&mut parse);
    o.clocked(
        reset,
        vec![when_else(
            n("parse_ok"),
            parse,
            vec![
                when(
                    and(n("s_wfire"), n("s_wlast")),
                    vec![set("sw_nb", add(n("sw_nb"), kx(1)))],
                ),
                when(
                    and(n("sw_end"), n("sw_ge")),
                    vec![when_else(n("sw_h"), sent(1), sent(0))],
                ),
                when(n("hf0"), vec![set("hc0", b(false)), set("hw0", b(false))]),
                when(n("hf1"), vec![set("hc1", b(false)), set("hw1", b(false))]),
                when(
                    take,
                    vec![
                        set("e_h", not(n("e_h"))),
                        when_else(
                            n("e_h"),
                            vec![set("hc1", b(true))],
                            vec![set("hc0", b(true))],
                        ),
                    ],
                ),
            ],
        )],
    );
    n("st_ok")
}

/// The output collector's and the partial-sum reads' staging halves:
/// `o_wa` and `r_addr` for a store layer (the others' are `o_base + o_m`
/// and `r_base + r_m`), and `o_gdone`, a store layer's group whose last
/// output is written this cycle.
pub fn staging(p: &AccelParams, o: &mut Body) -> (Expr, Expr) {
    // (weights outer: a block's tokens at its offset in the group, `o_b0`)
    // (N tiles: a group's words after the tile's groups before it, `o_go`)
    let row = |c: &str| {
        let m = n(&format!("{c}_m"));
        if p.ntiles() {
            add(n(&format!("{c}_go")), m)
        } else {
            m
        }
    };
    let plain = (
        add(n("o_base"), add(n("o_b0"), row("o"))),
        add(n("r_base"), add(n("r_b0"), row("r"))),
    );
    if !built(p) {
        return plain;
    }
    let h = half(p);
    o.reg("o_h", 1);
    o.reg("r_h", 1);
    table::view(o, "vso", n("o_l"), &["flags"]);
    table::view(o, "vsr", n("r_l"), &["flags"]);
    o.wire(
        "o_gdone",
        1,
        and(
            and(n("t_out_valid"), n("o_row_end")),
            and(n("oc_wrap"), is_store(p, "vso_flags")),
        ),
    );
    o.wire(
        "r_gdone",
        1,
        and(
            and(n("rd_step"), n("r_row_end")),
            and(n("rc_wrap"), is_store(p, "vsr_flags")),
        ),
    );
    o.clocked(
        vec![set("o_h", b(false)), set("r_h", b(false))],
        vec![when_else(
            n("parse_ok"),
            vec![set("o_h", b(false)), set("r_h", b(false))],
            vec![
                // a group's half: weights outer, all its blocks'
                when(
                    and(n("o_gdone"), not(n("oc_blk"))),
                    vec![set("o_h", not(n("o_h")))],
                ),
                when(
                    and(n("r_gdone"), not(n("rc_blk"))),
                    vec![set("r_h", not(n("r_h")))],
                ),
            ],
        )],
    );
    (
        mux(
            is_store(p, "vso_flags"),
            add(mux(n("o_h"), kx(h), kx(0)), add(n("o_b0"), row("o"))),
            plain.0,
        ),
        mux(
            is_store(p, "vsr_flags"),
            add(mux(n("r_h"), kx(h), kx(0)), add(n("r_b0"), row("r"))),
            plain.1,
        ),
    )
}

/// The layer-complete event (`fin`): the chain's last output has left the
/// tile (now, `o_final`, or before, `fin_pend`) and no store is waiting
/// for its write response. Needs the address side's counters.
pub fn finish(p: &AccelParams, o: &mut Body) -> Expr {
    if !built(p) || p.mutation == Mutation::StoreNoWait {
        return n("o_final");
    }
    o.reg("fin_pend", 1);
    o.wire(
        "st_idle",
        1,
        and(
            eq(add(n("sb_rcv"), zx(n("sb_fire"), 1)), n("sb_iss")),
            and(not(n("sq_v")), not(n("sx_act"))),
        ),
    );
    o.wire("fin", 1, and(or(n("o_final"), n("fin_pend")), n("st_idle")));
    o.clocked(
        vec![set("fin_pend", b(false))],
        vec![when_else(
            n("parse_ok"),
            vec![set("fin_pend", b(false))],
            vec![
                when(n("o_final"), vec![set("fin_pend", b(true))]),
                when(n("fin"), vec![set("fin_pend", b(false))]),
            ],
        )],
    );
    n("fin")
}

/// The store's request when the feeder's tile is its group's last K tile
/// and ends (`st_trig`), its address and beats; the feeder's group
/// (`fd_n`). Needs `tile_end`, `start_n`, `e_n`, `fd_l`, `fd_kb`,
/// `fd_ch`, `vd_m`, `vd_c`.
pub fn request(p: &AccelParams, o: &mut Body) {
    if !built(p) {
        return;
    }
    o.reg("fd_n", X);
    o.reg("fd_b0", X);
    o.clocked_data(vec![when(
        n("start_n"),
        vec![set("fd_n", n("e_n")), set("fd_b0", n("e_b0"))],
    )]);
    // the store ends its group's use of the half: weights outer, the
    // group's last block's
    o.wire(
        "st_ge",
        1,
        or(not(n("wo")), not(table::in_chain(table::next("fd_l")))),
    );
    // (N tiles: the tile's outputs, `ntile_store.rs`)
    let vsd: &[&str] = if p.ntiles() {
        &["flags", "n", "obase", "nw"]
    } else {
        &["flags", "n", "obase"]
    };
    table::view(o, "vsd", n("fd_l"), vsd);
    o.wire(
        "st_trig",
        1,
        and(
            and(n("tile_end"), is_store(p, "vsd_flags")),
            le(n("vd_c"), add(n("fd_kb"), n("fd_ch"))),
        ),
    );
    // beats a word of the group: its lanes' 32-bit accumulators
    o.wire("st_left", X, sub(n("vsd_n"), n("fd_n")));
    o.wire(
        "st_gl",
        X,
        mux(lt(n("st_left"), kx(p.lanes())), n("st_left"), kx(p.lanes())),
    );
    // a group's tokens fit a half (the host's rule): a narrow product
    let mb = addr_bits(half(p) + 1);
    // the store's words: the group's tokens, or an N tile's groups' words
    // (`st_gm`, `ntile_store.rs`)
    if p.ntiles() {
        super::ntile::store_words(p, o, mb);
    }
    let words = store_words(p);
    if p.ogear() {
        // the store's words packed into beats, strobed (`strobes.rs`)
        super::strobes::store_beats(p, o, words, mb);
    } else {
        let s = (p.axi_bits / 32).trailing_zeros();
        o.wire("st_wpb", X, zx(sl("st_gl", X - 1, s), X - s));
        let wb = addr_bits(p.lanes() * 32 / u64::from(p.axi_bits) + 1);
        o.wire(
            "st_beats",
            X,
            mul(
                zx(sl(words, mb - 1, 0), mb),
                zx(sl("st_wpb", wb - 1, 0), wb),
            ),
        );
    }
    o.reg("st_ptr", X);
    o.wire(
        "st_addr",
        X,
        mux(eq(n("fd_n"), kx(0)), n("vsd_obase"), n("st_ptr")),
    );
}

/// The name of a store's words: the feeder's group's tokens (`vd_m`), or
/// with N tiles the tile's groups' words (`st_gm`, `ntile::store_words`).
pub(super) fn store_words(p: &AccelParams) -> &'static str {
    if p.ntiles() {
        "st_gm"
    } else {
        "vd_m"
    }
}
