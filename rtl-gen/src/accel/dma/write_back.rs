//! The write-back of the output buffer: output rows as INCR bursts, the
//! data from the output buffer (requantized for INT8 outputs), the write
//! responses counted; the AXI write channel shared with the stores.

use crate::accel::build::{
    add, and, b, cat, eq, k, kx, le, min, mul, mux, n, ne, not, or, set, sl, sub, when, when_else,
    zx, Body, X,
};
use crate::accel::params::AccelParams;
use crate::accel::table;
use crate::ir::{part, Expr, Stmt};

use super::{burst, log2};

/// The top builds INT8 outputs (descriptor flags bit 2) when an output
/// word's `lanes` bytes are whole AXI beats.
pub fn int8_out_able(p: &AccelParams) -> bool {
    (p.arch.array.lanes * 8).is_multiple_of(p.axi_bits)
}

/// The write-back: rows of the output (`out_row_beats` beats each, at
/// `out_base + m * out_stride`) as bursts; words read from the output
/// buffer in row order (word `g * M + m` holds row `m`, lanes of group `g`).
pub fn write_back(p: &AccelParams, o: &mut Body) {
    let bb = p.beat_bytes();
    // output words that are not whole beats: the output gearbox
    // (`gearbox.rs`) packs a row's words into beats
    let gear = p.ogear();
    o.note(
        "write-back: output rows as INCR bursts, data from the output buffer, responses counted",
    );
    for (r, w) in [
        ("aw_valid", 1),
        ("aw_addr", X),
        ("aw_len", 8),
        ("aw_user", 1),
        ("wb_row", X),
        ("wb_rb", X),
        ("wb_addr", X),
        ("wb_left", X),
        ("wsub", 1),
        ("wb_bl", X),
        ("wb_ra", X),
        ("wb_mr", X),
        ("wb_gn", X),
        ("wq_v", 1),
        ("wq_pend", 1),
        ("aw_cnt", X),
        ("b_cnt", X),
        ("wb_l", table::LB),
        ("wb_ob", X),
    ] {
        o.reg(r, w);
    }
    if !gear {
        o.reg("wb_bt", X);
    }
    // (a chain whose outputs were stored per tile has nothing to write back)
    o.wire(
        "in_wb",
        1,
        and(
            eq(n("ph"), k(3, 4)),
            not(crate::accel::store_out::is_store(p, "t0_flags")),
        ),
    );
    // the layer written back (wb_l), and the next one; an output row is
    // `N x 4` bytes of whole beats
    table::view(o, "vw", n("wb_l"), &["m", "n", "ostride", "flags"]);
    table::view(o, "vwn", table::next("wb_l"), &["n", "obase", "flags"]);
    let lb = log2(bb);
    // an INT8-output layer (flags bit 2, where the top builds it): a row
    // is `N` bytes, the accumulators requantized as they leave the buffer
    let i8_able = int8_out_able(p);
    for (w, src, fl) in [
        ("vw_orow", "vw_n", "vw_flags"),
        ("vwn_orow", "vwn_n", "vwn_flags"),
        ("wb0_orow", "t0_n", "t0_flags"),
    ] {
        let acc = zx(sl(src, 31, lb - 2), 34 - lb);
        let e = if i8_able {
            mux(sl(fl, 2, 2), zx(sl(src, 31, lb), 32 - lb), acc)
        } else {
            acc
        };
        o.wire(w, X, e);
    }
    o.wire(
        "wb_i8",
        1,
        if i8_able {
            sl("vw_flags", 2, 2)
        } else {
            b(false)
        },
    );
    o.block("axi_master");
    burst(p, o, "wbb", "wb_addr", "wb_left");
    o.block("dma");
    o.wire(
        "aw_go",
        1,
        and(
            and(n("in_wb"), not(n("wsub"))),
            and(not(n("aw_valid")), ne(n("wb_row"), n("vw_m"))),
        ),
    );
    o.wire("wb_row_end", 1, eq(n("wbb_bm"), n("wb_left")));
    let have = if gear { n("og_beat") } else { n("wq_v") };
    o.wire("w_valid", 1, and(and(n("wsub"), have), n("in_wb")));
    o.wire("w_fire", 1, and(n("w_valid"), n("m_axi_wready")));
    // beats of the word: every lane's, or the partial last group's
    o.wire("wb_left_n", X, sub(n("vw_n"), n("wb_gn")));
    o.wire("wb_lanes", X, min(n("wb_left_n"), kx(p.lanes())));
    o.wire(
        "wb_lbits",
        X,
        mul(n("wb_lanes"), mux(n("wb_i8"), kx(8), kx(32))),
    );
    if gear {
        // a word leaves for the gearbox's queue
        o.wire("w_word_end", 1, n("og_app"));
    } else {
        let bl = p.axi_bits.trailing_zeros();
        o.wire("wb_wpb", X, zx(sl("wb_lbits", X - 1, bl), X - bl));
        o.wire(
            "w_word_end",
            1,
            and(n("w_fire"), eq(add(n("wb_bt"), kx(1)), n("wb_wpb"))),
        );
    }
    o.wire("w_last", 1, eq(n("wb_bl"), kx(1)));
    o.wire(
        "wb_grow_end",
        1,
        le(n("vw_n"), add(n("wb_gn"), kx(p.lanes()))),
    );
    o.wire(
        "ob_re_wb",
        1,
        and(
            and(n("in_wb"), not(n("wq_v"))),
            and(not(n("wq_pend")), ne(n("wb_mr"), n("vw_m"))),
        ),
    );
    // the layer's rows are written: the next layer's, or the end
    o.wire(
        "wb_rows_sent",
        1,
        and(
            and(n("in_wb"), eq(n("wb_row"), n("vw_m"))),
            and(not(n("wsub")), not(n("aw_valid"))),
        ),
    );
    o.wire("wb_final", 1, not(table::in_chain(table::next("wb_l"))));
    let run = vec![when_else(
        n("start_run_wb"),
        vec![
            set("wb_row", kx(0)),
            set("wb_rb", n("t0_obase")),
            set("wb_addr", n("t0_obase")),
            set("wb_left", n("wb0_orow")),
            set("wb_ra", kx(0)),
            set("wb_l", k(table::LB, 0)),
            set("wb_ob", kx(0)),
            set("wb_mr", kx(0)),
            set("wb_gn", kx(0)),
            set("wb_bt", kx(0)),
            set("aw_cnt", kx(0)),
            set("b_cnt", kx(0)),
            set("wsub", b(false)),
            set("wq_v", b(false)),
            set("wq_pend", b(false)),
        ],
        vec![
            when(
                n("aw_go"),
                vec![
                    set("aw_valid", b(true)),
                    set("aw_addr", n("wb_addr")),
                    set("aw_len", sl("wbb_bm1", 7, 0)),
                    set("aw_user", n("wb_row_end")),
                    set("wsub", b(true)),
                    set("wb_bl", n("wbb_bm")),
                    set("aw_cnt", add(n("aw_cnt"), kx(1))),
                    when_else(
                        n("wb_row_end"),
                        vec![
                            set("wb_row", add(n("wb_row"), kx(1))),
                            set("wb_rb", add(n("wb_rb"), n("vw_ostride"))),
                            set("wb_addr", add(n("wb_rb"), n("vw_ostride"))),
                            set("wb_left", n("vw_orow")),
                        ],
                        vec![
                            set("wb_addr", add(n("wb_addr"), mul(n("wbb_bm"), kx(bb)))),
                            set("wb_left", sub(n("wb_left"), n("wbb_bm"))),
                        ],
                    ),
                ],
            ),
            when(
                and(n("aw_valid"), n("m_axi_awready")),
                vec![set("aw_valid", b(false))],
            ),
            when(n("ob_re_wb"), vec![set("wq_pend", b(true))]),
            when(
                n("wq_pend"),
                vec![set("wq_pend", b(false)), set("wq_v", b(true))],
            ),
            when(
                n("w_fire"),
                vec![
                    set("wb_bl", sub(n("wb_bl"), kx(1))),
                    when(n("w_last"), vec![set("wsub", b(false))]),
                    set("wb_bt", mux(n("w_word_end"), kx(0), add(n("wb_bt"), kx(1)))),
                ],
            ),
            when(
                n("w_word_end"),
                vec![
                    set("wq_v", b(false)),
                    when_else(
                        n("wb_grow_end"),
                        vec![
                            set("wb_gn", kx(0)),
                            set("wb_mr", add(n("wb_mr"), kx(1))),
                            set("wb_ra", add(n("wb_ob"), add(n("wb_mr"), kx(1)))),
                            // the layer's last word: the next layer's words follow
                            when(
                                eq(add(n("wb_mr"), kx(1)), n("vw_m")),
                                vec![set("wb_ob", add(n("wb_ra"), kx(1)))],
                            ),
                        ],
                        vec![
                            set("wb_gn", add(n("wb_gn"), kx(p.lanes()))),
                            set("wb_ra", add(n("wb_ra"), n("vw_m"))),
                        ],
                    ),
                ],
            ),
            when(
                n("m_axi_bvalid"),
                vec![set("b_cnt", add(n("b_cnt"), kx(1)))],
            ),
            when(
                and(n("wb_rows_sent"), not(n("wb_final"))),
                vec![
                    set("wb_l", table::next("wb_l")),
                    set("wb_row", kx(0)),
                    set("wb_rb", n("vwn_obase")),
                    set("wb_addr", n("vwn_obase")),
                    set("wb_left", n("vwn_orow")),
                    set("wb_mr", kx(0)),
                    set("wb_gn", kx(0)),
                    set("wb_ra", n("wb_ob")),
                    set("wb_bt", kx(0)),
                ],
            ),
        ],
    )];
    o.clocked(
        vec![
            set("aw_valid", b(false)),
            set("wsub", b(false)),
            set("wq_v", b(false)),
            set("wq_pend", b(false)),
        ],
        // (the gearbox keeps no beat count of a word)
        if gear { without(run, "wb_bt") } else { run },
    );
    if gear {
        let q = super::gearbox::out_queue(p, o, n("start_run_wb"));
        o.clocked(
            vec![
                set("og_q", k(p.oword_bits() + p.axi_bits, 0)),
                set("og_n", kx(0)),
            ],
            q,
        );
    }
    o.wire(
        "wb_done",
        1,
        or(
            and(
                and(n("wb_rows_sent"), n("wb_final")),
                eq(n("b_cnt"), n("aw_cnt")),
            ),
            crate::accel::store_out::is_store(p, "t0_flags"),
        ),
    );
    o.wire(
        "wr_err",
        1,
        and(n("m_axi_bvalid"), ne(n("m_axi_bresp"), k(2, 0))),
    );
    o.block("axi_master");
    // the stores of a layer (`store_out.rs`, ID 1) share the channel: they
    // run in the layers' phase, the write-back after it
    let st = crate::accel::store_out::built(p);
    // strobed stores: `AWUSER` wider (the store's end byte in its last
    // beat), the write-back's rows whole beats
    let strb = crate::accel::strobes::strobed(p);
    let ub = crate::accel::strobes::user_bits(p);
    for (port, sig, store) in [
        ("m_axi_awvalid", "aw_valid", "sa_valid"),
        ("m_axi_awaddr", "aw_addr", "sa_addr"),
        ("m_axi_awlen", "aw_len", "sa_len"),
        ("m_axi_awuser", "aw_user", "sa_user"),
        ("m_axi_wvalid", "w_valid", "s_wvalid"),
        ("m_axi_wlast", "w_last", "s_wlast"),
    ] {
        let own = if strb && sig == "aw_user" {
            cat(vec![k(ub - 1, 0), n(sig)])
        } else {
            n(sig)
        };
        o.assign(
            port,
            if st {
                mux(n("in_wb"), own, n(store))
            } else {
                own
            },
        );
    }
    o.assign(
        "m_axi_awid",
        if st {
            mux(n("in_wb"), k(2, 0), k(2, 1))
        } else {
            k(2, 0)
        },
    );
    o.assign("m_axi_awsize", k(3, u128::from(log2(bb))));
    o.assign("m_axi_awburst", k(2, 1));
    let all = k(bb as u32, (1u128 << bb) - 1);
    o.assign(
        "m_axi_wstrb",
        if strb {
            mux(n("in_wb"), all, n("s_wstrb"))
        } else {
            all
        },
    );
    o.assign("m_axi_bready", b(true));
    if gear {
        o.wire("wbo_wdata", p.axi_bits, n("og_data"));
    } else {
        o.wire("wb_off", X, mul(n("wb_bt"), kx(u64::from(p.axi_bits))));
        if i8_able {
            let q = crate::accel::forward::requant_word(
                o,
                "wq",
                "ob_q",
                p.arch.array.lanes,
                sl("vw_flags", 28, 24),
            );
            o.wire("wb_q8", p.arch.array.lanes * 8, q);
            o.wire(
                "wbo_wdata",
                p.axi_bits,
                mux(
                    n("wb_i8"),
                    part("wb_q8", n("wb_off"), p.axi_bits),
                    part("ob_q", n("wb_off"), p.axi_bits),
                ),
            );
        } else {
            o.wire(
                "wbo_wdata",
                p.axi_bits,
                part("ob_q", n("wb_off"), p.axi_bits),
            );
        }
    }
    o.assign(
        "m_axi_wdata",
        if st {
            mux(n("in_wb"), n("wbo_wdata"), n("s_wdata"))
        } else {
            n("wbo_wdata")
        },
    );
    let _ = le;
}

/// `stmts` without the assignments to `reg` (at any depth).
fn without(stmts: Vec<Stmt>, reg: &str) -> Vec<Stmt> {
    stmts
        .into_iter()
        .filter_map(|st| match st {
            Stmt::NonBlocking(Expr::Name(ref l), _) if l == reg => None,
            Stmt::If(c, a, e) => Some(Stmt::If(c, without(a, reg), without(e, reg))),
            other => Some(other),
        })
        .collect()
}
