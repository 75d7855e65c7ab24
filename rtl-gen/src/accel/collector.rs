//! The output collector: the tile's outputs into the output buffer as it
//! produces them, the later K tiles of a feature group added to the
//! partial sums read back one cycle before each output arrives, and the
//! layer's done (the rules are `sequencer.rs`'s).

use super::build::{
    add, and, b, cat, eq, kx, mux, n, ne, not, or, set, sl, when, when_else, Body, X,
};
use super::params::AccelParams;
use super::table;
use crate::ir::Expr;

/// The output collector and the partial sums' reads.
pub(super) fn outputs(p: &AccelParams, o: &mut Body) {
    o.note("outputs: into the output buffer as the tile produces them; later K tiles add");
    for r in [
        "o_m", "o_n", "o_kb", "o_base", "o_b0", "r_m", "r_n", "r_kb", "r_base", "r_b0",
    ] {
        o.reg(r, X);
    }
    o.reg("o_l", table::LB);
    o.reg("r_l", table::LB);
    // N tiles (`ntile.rs`): the group's tile `_tn` and its words' offset in
    // the tile's `_go` (the groups before it, `M` words each)
    let nt = p.ntiles();
    let fields: &[&str] = if nt {
        &["m", "n", "c", "kt", "nw"]
    } else {
        &["m", "n", "c", "kt"]
    };
    if nt {
        for r in ["o_tn", "o_go", "r_tn", "r_go"] {
            o.reg(r, X);
        }
    }
    table::view(o, "vo", n("o_l"), fields);
    table::view(o, "vr", n("r_l"), fields);
    o.reg("l_done", 1);
    o.reg("dbg_start_r", 1);
    o.reg("dbg_done_r", 1);
    super::cursor::group_cursor(p, o, "oc", n("o_kb"), (n("o_n"), n("o_tn")), "vo", "o_l");
    o.wire("o_row_end", 1, eq(add(n("o_m"), kx(1)), n("vo_m")));
    // the last output of the layer o_l (of the chain: `o_final`)
    o.wire(
        "o_last",
        1,
        and(and(n("t_out_valid"), n("o_row_end")), n("oc_lend")),
    );
    o.wire(
        "o_final",
        1,
        and(n("o_last"), not(table::in_chain(table::next("o_l")))),
    );
    let (o_wa, r_addr) = super::store_out::staging(p, o);
    o.wire("o_wa", X, o_wa);
    o.wire("o_first", 1, eq(n("o_kb"), kx(0)));
    // the partial sums: a read of word r_base + r_m one cycle before the output arrives
    let pregs = p.tile.timing.pipeline_regs;
    // (the chunk offered: with the LUT's serial input load, in the last of
    // its held cycles, `lut_serial.rs`)
    let fed = n(if p.serial() { "t_in_valid" } else { "comp" });
    o.wire(
        "red_end",
        1,
        and(and(fed.clone(), n("fd_last")), ne(n("fd_kb"), kx(0))),
    );
    o.wire("red_any", 1, and(fed, n("fd_last")));
    let (rv, ra) = if pregs == 0 {
        (n("red_any"), n("red_end"))
    } else {
        for i in 0..pregs {
            o.reg(&format!("dl_v{i}"), 1);
            o.reg(&format!("dl_a{i}"), 1);
        }
        let mut st = vec![set("dl_v0", n("red_any")), set("dl_a0", n("red_end"))];
        for i in 1..pregs {
            st.push(set(&format!("dl_v{i}"), n(&format!("dl_v{}", i - 1))));
            st.push(set(&format!("dl_a{i}"), n(&format!("dl_a{}", i - 1))));
        }
        let mut rst = Vec::new();
        for i in 0..pregs {
            rst.push(set(&format!("dl_v{i}"), b(false)));
            rst.push(set(&format!("dl_a{i}"), b(false)));
        }
        o.clocked(rst, st);
        (
            n(&format!("dl_v{}", pregs - 1)),
            n(&format!("dl_a{}", pregs - 1)),
        )
    };
    o.wire("rd_step", 1, rv);
    // (the words the tile's groups before the last took: `_b0`, or with N
    // tiles `_b0 + _go`)
    let tile_words = |c: &str| {
        if nt {
            add(n(&format!("{c}_b0")), n(&format!("{c}_go")))
        } else {
            n(&format!("{c}_b0"))
        }
    };
    // the N tile's next group: its tile and offset (`ntile.rs`)
    let group_step = |c: &str| -> Vec<crate::ir::Stmt> {
        if !nt {
            return Vec::new();
        }
        let v = if c == "o" { "vo" } else { "vr" };
        vec![
            set(&format!("{c}_tn"), n(&format!("{c}c_ntn"))),
            set(
                &format!("{c}_go"),
                mux(
                    n(&format!("{c}c_gin")),
                    add(n(&format!("{c}_go")), n(&format!("{v}_m"))),
                    kx(0),
                ),
            ),
        ]
    };
    o.wire("ob_re_acc", 1, ra);
    o.wire("r_addr", X, r_addr);
    super::cursor::group_cursor(p, o, "rc", n("r_kb"), (n("r_n"), n("r_tn")), "vr", "r_l");
    o.wire("r_row_end", 1, eq(add(n("r_m"), kx(1)), n("vr_m")));
    // the chain is complete when its stores are (`store_out.rs`)
    let fin = super::store_out::finish(p, o);
    let done_ev = if super::store_out::built(p) {
        or(and(n("o_last"), not(n("o_final"))), fin.clone())
    } else {
        n("o_last")
    };
    o.clocked(
        vec![
            set("l_done", b(false)),
            set("dbg_start_r", b(false)),
            set("dbg_done_r", b(false)),
        ],
        vec![
            // a layer's first tile starts
            set(
                "dbg_start_r",
                and(n("start_n"), and(eq(n("e_n"), kx(0)), eq(n("e_kb"), kx(0)))),
            ),
            set("dbg_done_r", done_ev),
            when_else(
                n("parse_ok"),
                [
                    "o_m", "o_n", "o_kb", "o_base", "o_b0", "r_m", "r_n", "r_kb", "r_base", "r_b0",
                ]
                .iter()
                .map(|r| set(r, kx(0)))
                .chain(if nt {
                    vec![
                        set("o_tn", kx(0)),
                        set("o_go", kx(0)),
                        set("r_tn", kx(0)),
                        set("r_go", kx(0)),
                    ]
                } else {
                    Vec::new()
                })
                .chain([
                    set("l_done", b(false)),
                    set("o_l", crate::ir::konst(table::LB, 0)),
                    set("r_l", crate::ir::konst(table::LB, 0)),
                ])
                .collect(),
                vec![
                    when(fin, vec![set("l_done", b(true))]),
                    when(
                        n("t_out_valid"),
                        vec![when_else(
                            n("o_row_end"),
                            vec![
                                set("o_m", kx(0)),
                                set("o_kb", n("oc_nkb")),
                                set("o_n", n("oc_nn")),
                                set("o_l", n("oc_nl")),
                                // weights outer: the next block's tokens
                                // follow in the group (`o_b0`; N tiles:
                                // after the tile's groups' words,
                                // `ntile_stream.rs`), the group ends with
                                // its last block
                                set("o_b0", super::ntile_stream::next_b0(p, "o", "vo")),
                                when(
                                    and(n("oc_wrap"), not(n("oc_blk"))),
                                    vec![set(
                                        "o_base",
                                        add(n("o_base"), add(n("vo_m"), tile_words("o"))),
                                    )],
                                ),
                            ]
                            .into_iter()
                            .chain(group_step("o"))
                            .collect(),
                            vec![set("o_m", add(n("o_m"), kx(1)))],
                        )],
                    ),
                    when(
                        n("rd_step"),
                        vec![when_else(
                            n("r_row_end"),
                            vec![
                                set("r_m", kx(0)),
                                set("r_kb", n("rc_nkb")),
                                set("r_n", n("rc_nn")),
                                set("r_l", n("rc_nl")),
                                set("r_b0", super::ntile_stream::next_b0(p, "r", "vr")),
                                when(
                                    and(n("rc_wrap"), not(n("rc_blk"))),
                                    vec![set(
                                        "r_base",
                                        add(n("r_base"), add(n("vr_m"), tile_words("r"))),
                                    )],
                                ),
                            ]
                            .into_iter()
                            .chain(group_step("r"))
                            .collect(),
                            vec![set("r_m", add(n("r_m"), kx(1)))],
                        )],
                    ),
                ],
            ),
        ],
    );
    o.assign("dbg_layer_start", n("dbg_start_r"));
    o.assign("dbg_layer_done", n("dbg_done_r"));
    // the output word: every lane's accumulator sign-extended to 32 bits,
    // plus the partial sum of the earlier K tiles
    let acc = p.tile.acc_bits;
    let lanes = p.arch.array.lanes;
    let mut parts = Vec::new();
    for lane in (0..lanes).rev() {
        let lo = lane * acc;
        let msb = crate::ir::vbit("t_out_acc", lanes * acc, lo + acc - 1);
        if acc < 32 {
            parts.push(crate::ir::repeat(32 - acc, msb));
        }
        parts.push(sl("t_out_acc", lo + acc - 1, lo));
    }
    o.wire("o_ext", p.oword_bits(), cat(parts));
    let sums: Vec<Expr> = (0..lanes)
        .rev()
        .map(|lane| {
            add(
                sl("o_ext", lane * 32 + 31, lane * 32),
                sl("ob_q", lane * 32 + 31, lane * 32),
            )
        })
        .collect();
    o.wire("o_sum", p.oword_bits(), cat(sums));
    o.wire(
        "o_word",
        p.oword_bits(),
        mux(n("o_first"), n("o_ext"), n("o_sum")),
    );
}
