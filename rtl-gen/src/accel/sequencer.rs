//! The sequencer: the phases of a run (descriptor, its check, the input
//! rows, the layer, the write-back) and, in the layer, the engine's own
//! rules (`sim::engine`) for the lane array's tiles, so that the RTL makes
//! the same moves at the same cycles as the simulator:
//!
//! 1. a tile whose last chunk went in frees its weight slot;
//! 2. the idle array starts the next tile when its weights have arrived;
//! 3. the next tiles are fetched while `inflight + computing < slots`.
//!
//! The layer's cycle 0 is the cycle of its first weight request. Every
//! decision for cycle `t + 1` is taken in cycle `t` from the state and the
//! read data on the bus (a weight slot whose last beat is on the bus in
//! cycle `t` has arrived at `t + 1`, the engine's arrival), so that the
//! synchronous buffers are read in cycle `t` for the chunk the tile takes
//! in cycle `t + 1`; a tile starts when its first chunk is offered to the
//! tile, and the layer is complete in the cycle after its last output left
//! the tile (the engine's `compute_end + drain`).
//!
//! Tile order (the engine's fixed mapping with the input on chip and one K
//! tile): feature groups of `lanes` in order; in a tile, token by token,
//! the K chunks in order. Outputs go to the output buffer in the order the
//! tile produces them: word `g * M + m` holds token `m`, group `g`.

use super::build::{
    add, and, b, cat, eq, k, kx, le, mul, mux, n, ne, not, or, set, sl, sub, when, when_else, zx,
    Body, X,
};
use super::params::{AccelParams, Mutation};
use crate::ir::{repeat, vbit, Stmt};

fn log2(v: u64) -> u32 {
    63 - v.leading_zeros()
}

/// Descriptor fields, phase register and transitions, status and counters.
pub fn phases(p: &AccelParams, o: &mut Body) {
    let lb = log2(p.beat_bytes());
    o.note("descriptor fields (16 words, little-endian): M, K, N, flags, bases, strides");
    for (name, word) in [
        ("d_m", 0u32),
        ("d_k", 1),
        ("d_n", 2),
        ("d_flags", 3),
        ("d_abase", 4),
        ("d_wbase", 5),
        ("d_obase", 6),
        ("d_astride", 7),
        ("d_ostride", 8),
    ] {
        o.wire(name, X, sl("desc", word * 32 + 31, word * 32));
    }
    o.wire("kl", X, mul(n("d_k"), kx(p.lanes())));
    o.wire("tile_beats_w", X, zx(sl("kl", 31, 2 + lb), 30 - lb));
    o.wire("row_beats_w", X, zx(sl("d_k", 31, lb), 32 - lb));
    o.wire("orow_beats_w", X, zx(sl("d_n", 31, lb - 2), 34 - lb));
    o.reg("tile_beats", X);
    o.reg("row_beats", X);
    o.reg("act_beats", X);
    o.reg("out_row_beats", X);
    o.note("phases: 0 idle, 1 descriptor, 5 check, 2 input rows, 3 layer, 4 write-back");
    o.reg("ph", 3);
    o.wire(
        "start_ok",
        1,
        and(n("start_pulse"), eq(n("desc_count"), kx(1))),
    );
    o.wire(
        "start_bad",
        1,
        and(n("start_pulse"), ne(n("desc_count"), kx(1))),
    );
    o.wire(
        "desc_bad",
        1,
        or(
            or(eq(n("d_m"), kx(0)), eq(n("d_k"), kx(0))),
            or(eq(n("d_n"), kx(0)), ne(n("d_flags"), kx(0))),
        ),
    );
    let is = |v: u128| eq(n("ph"), k(3, v));
    let ph_n = mux(
        is(0),
        mux(n("start_ok"), k(3, 1), k(3, 0)),
        mux(
            is(1),
            mux(n("d_last"), k(3, 5), k(3, 1)),
            mux(
                is(5),
                mux(n("desc_bad"), k(3, 0), k(3, 2)),
                mux(
                    is(2),
                    mux(n("a_last"), k(3, 3), k(3, 2)),
                    mux(
                        is(3),
                        mux(n("l_done"), k(3, 4), k(3, 3)),
                        mux(n("wb_done"), k(3, 0), k(3, 4)),
                    ),
                ),
            ),
        ),
    );
    o.wire("ph_n", 3, ph_n);
    o.wire("run_n", 1, eq(n("ph_n"), k(3, 3)));
    o.wire("parse_ok", 1, and(is(5), not(n("desc_bad"))));
    o.wire("start_run_wb", 1, and(is(3), n("l_done")));
    o.assign("dbg_window", is(3));
    o.reg("st_busy", 1);
    o.reg("st_done", 1);
    o.reg("err", 4);
    o.reg("cyc_lo", X);
    o.reg("cyc_hi", X);
    o.reg("win", X);
    o.reg("d_iss", 1);
    o.clocked(
        vec![
            set("ph", k(3, 0)),
            set("st_busy", b(false)),
            set("st_done", b(false)),
            set("err", k(4, 0)),
            set("cyc_lo", kx(0)),
            set("cyc_hi", kx(0)),
            set("win", kx(0)),
            set("d_iss", b(false)),
        ],
        vec![
            set("ph", n("ph_n")),
            when(
                n("start_pulse"),
                vec![
                    set("cyc_lo", kx(0)),
                    set("cyc_hi", kx(0)),
                    set("err", mux(n("start_bad"), k(4, 4), k(4, 0))),
                    set("st_busy", n("start_ok")),
                    set("st_done", n("start_bad")),
                    set("d_iss", b(false)),
                ],
            ),
            when(
                and(n("st_busy"), not(n("start_pulse"))),
                vec![
                    set("cyc_lo", add(n("cyc_lo"), kx(1))),
                    when(
                        eq(n("cyc_lo"), kx(u64::from(u32::MAX))),
                        vec![set("cyc_hi", add(n("cyc_hi"), kx(1)))],
                    ),
                ],
            ),
            when(n("clear_done"), vec![set("st_done", b(false))]),
            when(
                and(is(5), n("desc_bad")),
                vec![
                    set("st_busy", b(false)),
                    set("st_done", b(true)),
                    set("err", cat(vec![sl("err", 3, 3), b(true), sl("err", 1, 0)])),
                ],
            ),
            when(
                and(is(4), n("wb_done")),
                vec![set("st_busy", b(false)), set("st_done", b(true))],
            ),
            when(
                or(n("rd_err"), n("wr_err")),
                vec![set(
                    "err",
                    cat(vec![
                        sl("err", 3, 2),
                        or(sl("err", 1, 1), n("wr_err")),
                        or(sl("err", 0, 0), n("rd_err")),
                    ]),
                )],
            ),
            when(
                and(n("comp"), not(n("t_in_ready"))),
                vec![set("err", cat(vec![b(true), sl("err", 2, 0)]))],
            ),
            when(
                and(n("take_src"), n("sel_desc")),
                vec![set("d_iss", b(true))],
            ),
            when_else(
                and(is(2), n("run_n")),
                vec![set("win", kx(0))],
                vec![when(
                    and(is(3), not(n("l_done"))),
                    vec![set("win", add(n("win"), kx(1)))],
                )],
            ),
        ],
    );
    o.clocked_data(vec![when(
        n("parse_ok"),
        vec![
            set("tile_beats", n("tile_beats_w")),
            set("row_beats", n("row_beats_w")),
            set("act_beats", mul(n("d_m"), n("row_beats_w"))),
            set("out_row_beats", n("orow_beats_w")),
        ],
    )]);
}

/// The layer: input-row requests, weight fetches, tile starts and the
/// chunk feeder, the output collector.
pub fn layer(p: &AccelParams, o: &mut Body) {
    let (l, w, cw) = (p.lanes(), p.width(), p.slot_words);
    let two = p.slots == 2;
    o.note("input rows: one transfer each, at the activation base plus the row stride");
    o.reg("a_iss", X);
    o.reg("a_addr", X);
    o.wire("sel_desc", 1, and(eq(n("ph"), k(3, 1)), not(n("d_iss"))));
    o.wire(
        "sel_act",
        1,
        and(
            and(eq(n("ph"), k(3, 2)), not(n("run_n"))),
            ne(n("a_iss"), n("d_m")),
        ),
    );
    o.note("engine rule 1: the tile whose last chunk is offered now frees the array at t + 1");
    for (r, wd) in [
        ("comp", 1),
        ("fd_last", 1),
        ("fd_k", X),
        ("fd_c", X),
        ("fd_row", X),
        ("fd_aa", X),
        ("fd_slot", 1),
        ("e_cnt", X),
        ("e_n", X),
        ("e_slot", 1),
        ("f_cnt", X),
        ("f_n", X),
        ("f_iss", X),
        ("f_addr", X),
        ("f_slot", 1),
        ("arr0", 1),
        ("arr1", 1),
    ] {
        o.reg(r, wd);
    }
    o.wire(
        "tile_end",
        1,
        and(
            and(n("comp"), n("fd_last")),
            eq(add(n("fd_row"), kx(1)), n("d_m")),
        ),
    );
    o.wire("idle_n", 1, or(not(n("comp")), n("tile_end")));
    o.note(
        "engine rule 2: the next tile starts when the array is free and its weights have arrived",
    );
    o.wire("arr_now0", 1, or(n("arr0"), n("rl0")));
    if two {
        o.wire("arr_now1", 1, or(n("arr1"), n("rl1")));
        o.wire("arr_e", 1, mux(n("e_slot"), n("arr_now1"), n("arr_now0")));
    } else {
        o.wire("arr_e", 1, n("arr_now0"));
    }
    let arrived = if p.mutation == Mutation::EarlyStart {
        b(true)
    } else {
        n("arr_e")
    };
    o.wire(
        "start_n",
        1,
        and(
            and(n("run_n"), n("idle_n")),
            and(ne(n("e_n"), n("d_n")), arrived),
        ),
    );
    o.wire(
        "comp_n",
        1,
        or(n("start_n"), and(n("comp"), not(n("tile_end")))),
    );
    o.wire("restart", 1, or(n("start_n"), n("fd_last")));
    o.wire("kw_last", 1, eq(n("d_k"), kx(w)));
    o.wire(
        "fd_last_n",
        1,
        mux(
            n("restart"),
            n("kw_last"),
            eq(add(n("fd_k"), kx(2 * w)), n("d_k")),
        ),
    );
    o.wire("fd_k_n", X, mux(n("restart"), kx(0), add(n("fd_k"), kx(w))));
    o.wire("fd_c_n", X, mux(n("restart"), kx(0), add(n("fd_c"), kx(1))));
    o.wire(
        "fd_row_n",
        X,
        mux(
            n("start_n"),
            kx(0),
            mux(n("fd_last"), add(n("fd_row"), kx(1)), n("fd_row")),
        ),
    );
    o.wire(
        "fd_aa_n",
        X,
        mux(n("start_n"), kx(0), add(n("fd_aa"), kx(1))),
    );
    if two {
        o.wire("fd_slot_n", 1, mux(n("start_n"), n("e_slot"), n("fd_slot")));
        o.wire(
            "w_raddr_n",
            X,
            mux(n("fd_slot_n"), add(n("fd_c_n"), kx(cw)), n("fd_c_n")),
        );
    } else {
        o.wire("w_raddr_n", X, n("fd_c_n"));
    }
    o.note("engine rule 3: fetch the next tiles while inflight + computing < slots");
    o.wire("e_cnt_n", X, add(n("e_cnt"), zx(n("start_n"), 1)));
    o.wire(
        "occ_n",
        X,
        add(sub(n("f_cnt"), n("e_cnt_n")), zx(n("comp_n"), 1)),
    );
    o.wire("f_more", 1, ne(n("f_n"), n("d_n")));
    if two && p.mutation != Mutation::OneSlot {
        o.wire(
            "f_more2",
            1,
            and(n("f_more"), ne(add(n("f_n"), kx(l)), n("d_n"))),
        );
        o.wire(
            "fetch2",
            1,
            and(and(n("run_n"), eq(n("occ_n"), kx(0))), n("f_more2")),
        );
        o.wire(
            "fetch1",
            1,
            and(and(n("run_n"), le(n("occ_n"), kx(1))), n("f_more")),
        );
        o.wire(
            "f_take",
            X,
            mux(n("fetch2"), kx(2), mux(n("fetch1"), kx(1), kx(0))),
        );
    } else {
        o.wire(
            "fetch1",
            1,
            and(and(n("run_n"), eq(n("occ_n"), kx(0))), n("f_more")),
        );
        o.wire("f_take", X, zx(n("fetch1"), 1));
    }
    o.wire("f_cnt_n", X, add(n("f_cnt"), n("f_take")));
    o.wire("sel_run", 1, and(n("run_n"), ne(n("f_iss"), n("f_cnt_n"))));
    let arr_upd = |s: u32| -> Stmt {
        let mine = if two {
            eq(n("e_slot"), b(s == 1))
        } else {
            b(true)
        };
        set(
            &format!("arr{s}"),
            and(n(&format!("arr_now{s}")), not(and(n("start_n"), mine))),
        )
    };
    let mut run = vec![
        set("comp", n("comp_n")),
        set("fd_last", n("fd_last_n")),
        set("fd_k", n("fd_k_n")),
        set("fd_c", n("fd_c_n")),
        set("fd_row", n("fd_row_n")),
        set("fd_aa", n("fd_aa_n")),
        set("e_cnt", n("e_cnt_n")),
        set("e_n", mux(n("start_n"), add(n("e_n"), kx(l)), n("e_n"))),
        set("f_cnt", n("f_cnt_n")),
        set("f_n", add(n("f_n"), mul(n("f_take"), kx(l)))),
        arr_upd(0),
    ];
    if two {
        run.push(set("fd_slot", n("fd_slot_n")));
        run.push(set(
            "e_slot",
            mux(n("start_n"), not(n("e_slot")), n("e_slot")),
        ));
        run.push(arr_upd(1));
    } else {
        run.push(set("fd_slot", b(false)));
        run.push(set("e_slot", b(false)));
        run.push(set("arr1", b(false)));
    }
    let mut init: Vec<Stmt> = [
        "a_iss", "f_cnt", "f_n", "f_iss", "e_cnt", "e_n", "fd_k", "fd_c", "fd_row", "fd_aa",
    ]
    .iter()
    .map(|r| set(r, kx(0)))
    .collect();
    for r in [
        "comp", "fd_last", "fd_slot", "e_slot", "f_slot", "arr0", "arr1",
    ] {
        init.push(set(r, b(false)));
    }
    init.push(set("a_addr", n("d_abase")));
    init.push(set("f_addr", n("d_wbase")));
    o.clocked(
        vec![set("comp", b(false))],
        vec![
            when_else(
                n("parse_ok"),
                init,
                vec![when(or(n("run_n"), eq(n("ph"), k(3, 3))), run)],
            ),
            when(
                and(n("take_src"), n("sel_act")),
                vec![
                    set("a_iss", add(n("a_iss"), kx(1))),
                    set("a_addr", add(n("a_addr"), n("d_astride"))),
                ],
            ),
            when(
                and(n("take_src"), n("sel_run")),
                vec![
                    set("f_iss", add(n("f_iss"), kx(1))),
                    set(
                        "f_addr",
                        add(n("f_addr"), mul(n("tile_beats"), kx(p.beat_bytes()))),
                    ),
                    set("f_slot", if two { not(n("f_slot")) } else { b(false) }),
                ],
            ),
        ],
    );
    o.assign("t_in_valid", n("comp"));
    o.assign("t_in_last", n("fd_last"));

    o.note("outputs: into the output buffer in the order the tile produces them");
    o.reg("o_m", X);
    o.reg("o_n", X);
    o.reg("o_wa", X);
    o.reg("l_done", 1);
    o.reg("dbg_start_r", 1);
    o.reg("dbg_done_r", 1);
    o.wire("o_row_end", 1, eq(add(n("o_m"), kx(1)), n("d_m")));
    o.wire(
        "o_last",
        1,
        and(
            and(n("t_out_valid"), n("o_row_end")),
            eq(add(n("o_n"), kx(l)), n("d_n")),
        ),
    );
    o.clocked(
        vec![
            set("l_done", b(false)),
            set("dbg_start_r", b(false)),
            set("dbg_done_r", b(false)),
        ],
        vec![
            set("dbg_start_r", and(n("start_n"), eq(n("e_cnt"), kx(0)))),
            set("dbg_done_r", n("o_last")),
            when_else(
                n("parse_ok"),
                vec![
                    set("o_m", kx(0)),
                    set("o_n", kx(0)),
                    set("o_wa", kx(0)),
                    set("l_done", b(false)),
                ],
                vec![
                    when(n("o_last"), vec![set("l_done", b(true))]),
                    when(
                        n("t_out_valid"),
                        vec![
                            set("o_wa", add(n("o_wa"), kx(1))),
                            when_else(
                                n("o_row_end"),
                                vec![set("o_m", kx(0)), set("o_n", add(n("o_n"), kx(l)))],
                                vec![set("o_m", add(n("o_m"), kx(1)))],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    );
    o.assign("dbg_layer_start", n("dbg_start_r"));
    o.assign("dbg_layer_done", n("dbg_done_r"));
    // the output word: every lane's accumulator sign-extended to 32 bits
    let acc = p.tile.acc_bits;
    let lanes = p.arch.array.lanes;
    let mut parts = Vec::new();
    for lane in (0..lanes).rev() {
        let lo = lane * acc;
        let msb = vbit("t_out_acc", lanes * acc, lo + acc - 1);
        if acc < 32 {
            parts.push(repeat(32 - acc, msb));
        }
        parts.push(sl("t_out_acc", lo + acc - 1, lo));
    }
    o.wire("o_word", p.oword_bits(), cat(parts));
}
