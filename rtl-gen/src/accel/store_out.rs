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
//! The AXI write channel carries the stores with ID 1 (`AWUSER[0]` on a
//! store's last burst; the write-back of the outputs kept on chip uses ID
//! 0 after the layers): the address side (`sa_`) issues each store's INCR
//! bursts (256 beats, never across 4 KiB) as soon as it is requested, the
//! data side (`sw_`) sends the store's words from its half once the
//! group's last output is in the buffer (a two-entry queue of stores
//! between them, as at most two groups hold a half), reading the output
//! buffer on the cycles the partial sums' reads leave free, and the write
//! responses with ID 1 are counted. Where an output word is not whole
//! beats the data side packs the store's words into beats through a
//! queue (`dma::store_queue`, a word a cycle), and a store is its bytes
//! from the byte after the store before it, strobed (`strobes.rs`): its
//! first beat from its start's byte, its last to its end's. The counters and flags are reset
//! (4-state simulation starts them unknown) and cleared when a run starts.

use super::build::{
    add, and, b, cat, eq, k, kx, le, lt, mul, mux, n, ne, not, or, set, sl, sub, when, when_else,
    zx, Body, X,
};
use super::params::{addr_bits, AccelParams, Mutation};
use super::table;
use crate::ir::{part, Expr, Stmt};

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
fn store_words(p: &AccelParams) -> &'static str {
    if p.ntiles() {
        "st_gm"
    } else {
        "vd_m"
    }
}

/// The stores on the AXI write channel: the address side (`sa_`, ID 1),
/// the data side (`sw_`) and the write responses (`sb_`). Drives
/// `sw_rd`/`sw_raddr` (an output-buffer read) and the channel's store
/// signals `s_aw*`, `s_w*` that `dma::write_back` puts on the ports.
pub fn channel(p: &AccelParams, o: &mut Body) {
    if !built(p) {
        return;
    }
    let bb = p.beat_bytes();
    let lb = bb.trailing_zeros();
    let strb = super::strobes::strobed(p);
    o.note("stores: the address side (one transfer a group, ID 1), a queue of two, the data side");
    for (r, w) in [
        ("sa_valid", 1),
        ("sa_addr", X),
        ("sa_len", 8),
        ("sa_user", super::strobes::user_bits(p)),
        ("sx_act", 1),
        ("sx_addr", X),
        ("sx_beats", X),
        ("sq_v", 1),
        ("sq_addr", X),
        ("sq_beats", X),
        ("sb_iss", X),
        ("sb_rcv", X),
    ] {
        o.reg(r, w);
    }
    if strb {
        super::strobes::end_byte(p, o);
    }
    o.wire("sh_v", 1, or(n("sx_act"), or(n("sq_v"), n("st_trig"))));
    o.wire(
        "sh_addr",
        X,
        mux(
            n("sx_act"),
            n("sx_addr"),
            mux(n("sq_v"), n("sq_addr"), n("st_addr")),
        ),
    );
    o.wire(
        "sh_beats",
        X,
        mux(
            n("sx_act"),
            n("sx_beats"),
            mux(n("sq_v"), n("sq_beats"), n("st_beats")),
        ),
    );
    // (strobed: the bursts counted from the start's beat; the first AW
    // address is the store's byte, the later ones whole beats)
    let aligned = if strb {
        o.wire("sh_aaddr", X, cat(vec![sl("sh_addr", X - 1, lb), k(lb, 0)]));
        "sh_aaddr"
    } else {
        "sh_addr"
    };
    o.block("axi_master");
    super::dma::burst(p, o, "sab", aligned, "sh_beats");
    o.block("dma");
    o.wire(
        "sa_go",
        1,
        and(n("sh_v"), or(not(n("sa_valid")), n("m_axi_awready"))),
    );
    // the request taken by the address side at once (else it waits in sq)
    o.wire(
        "st_direct",
        1,
        and(and(n("sa_go"), not(n("sx_act"))), not(n("sq_v"))),
    );
    o.wire(
        "sb_fire",
        1,
        and(n("m_axi_bvalid"), eq(n("m_axi_bid"), k(2, 1))),
    );
    let bytes = |beats: &str| cat(vec![sl(beats, X - 1 - lb, 0), k(lb, 0)]);
    o.clocked(
        vec![
            set("sa_valid", b(false)),
            set("sx_act", b(false)),
            set("sq_v", b(false)),
            set("sb_iss", kx(0)),
            set("sb_rcv", kx(0)),
        ],
        vec![when_else(
            n("parse_ok"),
            vec![
                set("sb_iss", kx(0)),
                set("sb_rcv", kx(0)),
                set("sq_v", b(false)),
                set("sx_act", b(false)),
                set("st_ptr", kx(0)),
            ],
            vec![
                when(
                    n("st_trig"),
                    vec![set(
                        "st_ptr",
                        if strb {
                            n("st_end")
                        } else {
                            add(n("st_addr"), bytes("st_beats"))
                        },
                    )],
                ),
                when(
                    and(n("sa_go"), and(not(n("sx_act")), n("sq_v"))),
                    vec![set("sq_v", b(false))],
                ),
                when(
                    and(n("st_trig"), not(n("st_direct"))),
                    [
                        vec![
                            set("sq_v", b(true)),
                            set("sq_addr", n("st_addr")),
                            set("sq_beats", n("st_beats")),
                        ],
                        if strb {
                            vec![set("sq_eo", sl("st_end", lb - 1, 0))]
                        } else {
                            vec![]
                        },
                    ]
                    .concat(),
                ),
                when_else(
                    n("sa_go"),
                    [
                        vec![
                            set("sa_valid", b(true)),
                            set("sa_addr", n("sh_addr")),
                            set("sa_len", sl("sab_bm1", 7, 0)),
                            set(
                                "sa_user",
                                if strb {
                                    cat(vec![n("sh_eo"), eq(n("sab_bm"), n("sh_beats"))])
                                } else {
                                    eq(n("sab_bm"), n("sh_beats"))
                                },
                            ),
                            set("sx_act", ne(n("sab_bm"), n("sh_beats"))),
                            set("sx_addr", add(n(aligned), mul(n("sab_bm"), kx(bb)))),
                            set("sx_beats", sub(n("sh_beats"), n("sab_bm"))),
                            set("sb_iss", add(n("sb_iss"), kx(1))),
                        ],
                        if strb {
                            vec![set("sx_eo", n("sh_eo"))]
                        } else {
                            vec![]
                        },
                    ]
                    .concat(),
                    vec![when(n("m_axi_awready"), vec![set("sa_valid", b(false))])],
                ),
                when(n("sb_fire"), vec![set("sb_rcv", add(n("sb_rcv"), kx(1)))]),
            ],
        )],
    );
    data_side(p, o);
}

/// The data side: a queue of two stores (pushed at the request, `ft`
/// tail, `fh` head), each sent once its group's outputs are in the buffer
/// (`sg_done` groups complete against `sw_st` sent), word by word from
/// its half: a word read (`sw_rd`) lands in `ob_q` a cycle later and is
/// taken into `sw_w` when the word before has gone; a partial-sum read in
/// between takes `ob_q`, so the word is read again. With the output
/// gearbox (`p.ogear()`) a taken word is packed into the store's queue
/// (`dma::store_queue`) and a beat leaves whenever the queue holds one.
fn data_side(p: &AccelParams, o: &mut Body) {
    let bb = p.beat_bytes();
    let h = half(p);
    let gear = p.ogear();
    // (the gearbox: the word's lanes, else its beats)
    let per = if gear { "gl" } else { "wpb" };
    let fields = ["addr", "beats", per, "m", "m0"];
    // (a store's first word in its half: N tiles over streamed rows, the
    // block's tile's, `ntile_stream.rs`)
    let m0 = super::ntile_stream::store_m0(p, o, addr_bits(h + 1));
    for i in 0..2 {
        for f in fields {
            o.reg(&format!("f{i}_{f}"), X);
        }
        o.reg(&format!("f{i}_ge"), 1);
    }
    o.wire("fq_ge", 1, mux(n("fh"), n("f1_ge"), n("f0_ge")));
    for (r, w) in [
        ("ft", 1),
        ("fh", 1),
        ("sg_done", X),
        ("sw_st", X),
        ("sw_act", 1),
        ("sw_h", 1),
        ("sw_ge", 1),
        ("sw_addr", X),
        ("sw_left", X),
        ("sw_bl", X),
        ("sw_bt", X),
        ("sw_ra", X),
        ("sw_m", X),
        (if gear { "sw_gl" } else { "sw_wpb" }, X),
        ("sw_qok", 1),
        ("sw_wv", 1),
        ("sw_w", p.oword_bits()),
    ] {
        // (the gearbox: the queue holds the words)
        if !(gear && ["sw_wv", "sw_w", "sw_bt"].contains(&r)) {
            o.reg(r, w);
        }
    }
    for f in fields {
        o.wire(
            &format!("fq_{f}"),
            X,
            mux(n("fh"), n(&format!("f1_{f}")), n(&format!("f0_{f}"))),
        );
    }
    o.wire(
        "sw_go",
        1,
        and(not(n("sw_act")), ne(n("sg_done"), n("sw_st"))),
    );
    o.block("axi_master");
    super::dma::burst(p, o, "swb", "sw_addr", "sw_left");
    o.block("dma");
    o.wire(
        "sw_newb",
        1,
        and(
            and(n("sw_act"), eq(n("sw_bl"), kx(0))),
            ne(n("sw_left"), kx(0)),
        ),
    );
    let have = if gear { n("sgq_beat") } else { n("sw_wv") };
    o.wire(
        "s_wvalid",
        1,
        and(and(n("sw_act"), have), ne(n("sw_bl"), kx(0))),
    );
    o.wire("s_wfire", 1, and(n("s_wvalid"), n("m_axi_wready")));
    o.wire("s_wlast", 1, eq(n("sw_bl"), kx(1)));
    if !gear {
        o.wire(
            "sw_wend",
            1,
            and(n("s_wfire"), eq(add(n("sw_bt"), kx(1)), n("sw_wpb"))),
        );
    }
    o.wire("sw_end", 1, and(n("s_wfire"), eq(n("sw_left"), kx(1))));
    let lb = bb.trailing_zeros();
    let queue = if gear {
        // strobed stores: the queue starts a store with its start's byte
        // in the beat as bits held (the bytes below it, strobed off)
        o.reg("sw_o", lb);
        o.reg("sw_f", 1);
        let fill = mux(
            n("parse_ok"),
            kx(0),
            zx(cat(vec![sl("fq_addr", lb - 1, 0), k(3, 0)]), lb + 3),
        );
        // a word joins the queue when less than a beat is left in it
        let q = super::dma::store_queue(p, o, or(n("parse_ok"), n("sw_go")), fill);
        super::strobes::wstrb(p, o);
        o.wire(
            "sw_take",
            1,
            and(n("sw_qok"), lt(n("sgq_after"), kx(u64::from(p.axi_bits)))),
        );
        Some(q)
    } else {
        o.wire(
            "sw_take",
            1,
            and(or(not(n("sw_wv")), n("sw_wend")), n("sw_qok")),
        );
        None
    };
    o.wire(
        "sw_rd",
        1,
        and(
            and(n("sw_act"), not(n("ob_re_acc"))),
            and(
                ne(n("sw_ra"), n("sw_m")),
                or(not(n("sw_qok")), n("sw_take")),
            ),
        ),
    );
    o.wire("sw_raddr", X, add(mux(n("sw_h"), kx(h), kx(0)), n("sw_ra")));
    if gear {
        o.wire("s_wdata", p.axi_bits, sl("sgq_q", p.axi_bits - 1, 0));
    } else {
        o.wire(
            "s_wdata",
            p.axi_bits,
            part(
                "sw_w",
                mul(n("sw_bt"), kx(u64::from(p.axi_bits))),
                p.axi_bits,
            ),
        );
    }
    // (broken: every store's first beat is never sent)
    let drop = p.mutation == Mutation::StoreDropBeat;
    let push = |i: u32| {
        vec![
            set(&format!("f{i}_addr"), n("st_addr")),
            set(&format!("f{i}_beats"), n("st_beats")),
            if gear {
                set(&format!("f{i}_gl"), n("st_gl"))
            } else {
                set(&format!("f{i}_wpb"), n("st_wpb"))
            },
            set(&format!("f{i}_m"), n(store_words(p))),
            set(&format!("f{i}_m0"), m0.clone()),
            set(&format!("f{i}_ge"), n("st_ge")),
        ]
    };
    // (the gearbox: no held word nor beat count, the queue instead)
    // (without it: no strobes)
    let keep = |v: Vec<Stmt>| -> Vec<Stmt> {
        if gear {
            without_regs(v, &WORD)
        } else {
            without_regs(v, &["sw_f", "sw_o"])
        }
    };
    let per_word = if gear {
        set("sw_gl", n("fq_gl"))
    } else {
        set("sw_wpb", n("fq_wpb"))
    };
    o.clocked(
        keep(vec![
            set("sw_act", b(false)),
            set("sw_wv", b(false)),
            set("sw_qok", b(false)),
            set("sw_f", b(false)),
            set("ft", b(false)),
            set("fh", b(false)),
            set("sg_done", kx(0)),
            set("sw_st", kx(0)),
        ]),
        vec![when_else(
            n("parse_ok"),
            keep(vec![
                set("sg_done", kx(0)),
                set("sw_st", kx(0)),
                set("ft", b(false)),
                set("fh", b(false)),
                set("sw_h", b(false)),
                set("sw_act", b(false)),
                set("sw_wv", b(false)),
                set("sw_qok", b(false)),
            ]),
            keep(vec![
                when(
                    n("st_trig"),
                    vec![
                        when_else(n("ft"), push(1), push(0)),
                        set("ft", not(n("ft"))),
                    ],
                ),
                when(n("o_gdone"), vec![set("sg_done", add(n("sg_done"), kx(1)))]),
                when(
                    n("sw_go"),
                    vec![
                        set("sw_act", b(true)),
                        // (strobed: from the start's beat)
                        set(
                            "sw_addr",
                            if gear {
                                cat(vec![sl("fq_addr", X - 1, lb), k(lb, 0)])
                            } else {
                                n("fq_addr")
                            },
                        ),
                        set(
                            "sw_left",
                            if drop {
                                sub(n("fq_beats"), kx(1))
                            } else {
                                n("fq_beats")
                            },
                        ),
                        per_word.clone(),
                        // the block's words at its offset in the half
                        set("sw_m", add(n("fq_m0"), n("fq_m"))),
                        set("sw_ge", n("fq_ge")),
                        set("sw_bl", kx(0)),
                        set("sw_bt", kx(u64::from(drop))),
                        set("sw_ra", n("fq_m0")),
                        set("sw_qok", b(false)),
                        set("sw_wv", b(false)),
                        set("fh", not(n("fh"))),
                        set("sw_st", add(n("sw_st"), kx(1))),
                    ],
                ),
                when(n("sw_newb"), vec![set("sw_bl", n("swb_bm"))]),
                when(
                    n("s_wfire"),
                    vec![
                        set("sw_bl", sub(n("sw_bl"), kx(1))),
                        set("sw_left", sub(n("sw_left"), kx(1))),
                        set("sw_addr", add(n("sw_addr"), kx(bb))),
                        set("sw_bt", mux(n("sw_wend"), kx(0), add(n("sw_bt"), kx(1)))),
                    ],
                ),
                when(n("s_wfire"), vec![set("sw_f", b(false))]),
                when(
                    n("sw_go"),
                    vec![set("sw_o", sl("fq_addr", lb - 1, 0)), set("sw_f", b(true))],
                ),
                when(
                    and(n("sw_wend"), not(n("sw_take"))),
                    vec![set("sw_wv", b(false))],
                ),
                when(
                    n("sw_take"),
                    vec![
                        set("sw_w", n("ob_q")),
                        set("sw_wv", b(true)),
                        set("sw_qok", b(false)),
                    ],
                ),
                // a partial-sum read takes ob_q: the word is read again
                when(
                    and(and(n("ob_re_acc"), n("sw_qok")), not(n("sw_take"))),
                    vec![
                        set("sw_qok", b(false)),
                        set("sw_ra", sub(n("sw_ra"), kx(1))),
                    ],
                ),
                when(
                    n("sw_rd"),
                    vec![set("sw_ra", add(n("sw_ra"), kx(1))), set("sw_qok", b(true))],
                ),
                when(
                    n("sw_end"),
                    vec![
                        set("sw_act", b(false)),
                        set("sw_h", mux(n("sw_ge"), not(n("sw_h")), n("sw_h"))),
                    ],
                ),
            ]),
        )],
    );
    if let Some(q) = queue {
        let qw = p.oword_bits() + p.axi_bits;
        o.clocked(vec![set("sgq_q", k(qw, 0)), set("sgq_n", kx(0))], q);
    }
}

/// The held word's registers, which the output gearbox's queue replaces.
const WORD: [&str; 4] = ["sw_wv", "sw_w", "sw_bt", "sw_wpb"];

/// `stmts` without the assignments to `regs` at any depth, and without
/// the `if`s left empty: the data side with the output gearbox without
/// the held word's registers ([`WORD`]), or without it the strobes'.
fn without_regs(stmts: Vec<Stmt>, regs: &[&str]) -> Vec<Stmt> {
    stmts
        .into_iter()
        .filter_map(|st| match st {
            Stmt::NonBlocking(Expr::Name(ref l), _) if regs.contains(&l.as_str()) => None,
            Stmt::If(c, a, e) => {
                let (a, e) = (without_regs(a, regs), without_regs(e, regs));
                (!a.is_empty() || !e.is_empty()).then_some(Stmt::If(c, a, e))
            }
            other => Some(other),
        })
        .collect()
}
