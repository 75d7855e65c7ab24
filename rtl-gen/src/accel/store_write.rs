//! The stores of outputs stored per tile (`store_out.rs`) on the AXI write
//! channel.
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
    add, and, b, cat, eq, k, kx, lt, mul, mux, n, ne, not, or, set, sl, sub, when, when_else, zx,
    Body, X,
};
use super::params::{addr_bits, AccelParams, Mutation};
use super::store_out::{built, half, store_words};
use crate::ir::{part, Expr, Stmt};

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
