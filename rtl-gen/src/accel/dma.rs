//! The DMA engine on the AXI4 master: one read-request engine that cuts
//! every transfer into INCR bursts (at most 256 beats, never across a 4 KiB
//! boundary) and keeps issuing while earlier bursts are in flight; the
//! read-data router (descriptor, activation rows, and each weight slot by
//! its ID, assembling bus beats into buffer words); and the write-back of
//! the output buffer as INCR bursts with their responses counted.
//!
//! IDs: 0 for control traffic (descriptors, activations, outputs), `1 + s`
//! for weight slot `s`. `ARUSER[0]` / `AWUSER[0]` mark the last burst of a
//! transfer (one weight tile is one transfer of the engine's DRAM model;
//! the testbench's memory slave takes its timing per transfer).

use super::build::{
    add, and, b, cat, eq, k, kx, le, lt, mul, mux, n, ne, not, or, set, sl, sub, when, when_else,
    zx, Body, X,
};
use super::params::{AccelParams, DESC_BYTES};
use super::table;
use crate::ir::{part, Expr, Stmt};

fn log2(v: u64) -> u32 {
    63 - v.leading_zeros()
}

/// The burst a transfer at `addr` with `beats` left starts with:
/// `<p>_bm` beats (32 bits), `<p>_len` (`bm - 1`, 8 bits).
pub(super) fn burst(p: &AccelParams, o: &mut Body, pre: &str, addr: &str, beats: &str) {
    let lb = log2(p.beat_bytes());
    o.wire(
        &format!("{pre}_addr12"),
        13,
        cat(vec![b(false), sl(addr, 11, 0)]),
    );
    o.wire(
        &format!("{pre}_to4k"),
        13,
        sub(k(13, 4096), n(&format!("{pre}_addr12"))),
    );
    o.wire(
        &format!("{pre}_b4k"),
        X,
        zx(sl(&format!("{pre}_to4k"), 12, lb), 13 - lb),
    );
    o.wire(
        &format!("{pre}_m1"),
        X,
        mux(
            lt(n(beats), n(&format!("{pre}_b4k"))),
            n(beats),
            n(&format!("{pre}_b4k")),
        ),
    );
    o.wire(
        &format!("{pre}_bm"),
        X,
        mux(
            lt(n(&format!("{pre}_m1")), kx(256)),
            n(&format!("{pre}_m1")),
            kx(256),
        ),
    );
    o.wire(
        &format!("{pre}_bm1"),
        X,
        sub(n(&format!("{pre}_bm")), kx(1)),
    );
}

/// The read-request engine. Sources (from the sequencer): `sel_desc`,
/// `sel_act`, `sel_run` with their addresses and beat counts; it drives
/// `take_src` (the selected source's transfer entered the engine).
pub fn read_requests(p: &AccelParams, o: &mut Body) {
    let bb = p.beat_bytes();
    o.note("read requests: the open transfer, or a new one from the sequencer");
    for (r, w) in [
        ("ar_valid", 1),
        ("ar_addr", X),
        ("ar_len", 8),
        ("ar_id", 2),
        ("ar_user", 1),
        ("x_act", 1),
        ("x_addr", X),
        ("x_beats", X),
        ("x_id", 2),
    ] {
        o.reg(r, w);
    }
    o.wire(
        "src_v",
        1,
        or(or(n("sel_desc"), n("sel_act")), n("sel_run")),
    );
    o.wire(
        "src_addr",
        X,
        mux(
            n("sel_run"),
            n("f_addr"),
            mux(n("sel_act"), n("a_addr"), n("desc_base")),
        ),
    );
    o.wire(
        "src_beats",
        X,
        mux(
            n("sel_run"),
            n("i_all"),
            mux(
                n("sel_act"),
                n("row_beats"),
                mul(n("desc_count"), kx(DESC_BYTES / bb)),
            ),
        ),
    );
    o.wire(
        "src_id",
        2,
        mux(n("sel_run"), mux(n("f_slot"), k(2, 2), k(2, 1)), k(2, 0)),
    );
    o.wire("h_v", 1, or(n("x_act"), n("src_v")));
    o.wire("h_addr", X, mux(n("x_act"), n("x_addr"), n("src_addr")));
    o.wire("h_beats", X, mux(n("x_act"), n("x_beats"), n("src_beats")));
    o.wire("h_id", 2, mux(n("x_act"), n("x_id"), n("src_id")));
    burst(p, o, "rb", "h_addr", "h_beats");
    o.wire(
        "ar_go",
        1,
        and(n("h_v"), or(not(n("ar_valid")), n("m_axi_arready"))),
    );
    o.wire("take_src", 1, and(n("ar_go"), not(n("x_act"))));
    o.clocked(
        vec![set("ar_valid", b(false)), set("x_act", b(false))],
        vec![when_else(
            n("ar_go"),
            vec![
                set("ar_valid", b(true)),
                set("ar_addr", n("h_addr")),
                set("ar_len", sl("rb_bm1", 7, 0)),
                set("ar_id", n("h_id")),
                set("ar_user", eq(n("rb_bm"), n("h_beats"))),
                set("x_act", ne(n("rb_bm"), n("h_beats"))),
                set("x_addr", add(n("h_addr"), mul(n("rb_bm"), kx(bb)))),
                set("x_beats", sub(n("h_beats"), n("rb_bm"))),
                set("x_id", n("h_id")),
            ],
            vec![when(n("m_axi_arready"), vec![set("ar_valid", b(false))])],
        )],
    );
    for (port, sig) in [
        ("m_axi_arvalid", "ar_valid"),
        ("m_axi_araddr", "ar_addr"),
        ("m_axi_arlen", "ar_len"),
        ("m_axi_arid", "ar_id"),
        ("m_axi_aruser", "ar_user"),
    ] {
        o.assign(port, n(sig));
    }
    o.assign("m_axi_arsize", k(3, u128::from(log2(bb))));
    o.assign("m_axi_arburst", k(2, 1));
    o.assign("m_axi_rready", b(true));
}

/// A beat-to-word assembler: `<pre>_word` is the word the beat completes
/// (`<pre>_full`), from earlier beats kept in `<pre>_st`; `hit` says a beat
/// for it is on the bus. Returns the statements that advance it.
pub(super) fn gearbox(
    p: &AccelParams,
    o: &mut Body,
    pre: &str,
    word_bits: u32,
    hit: Expr,
) -> Vec<Stmt> {
    let db = p.axi_bits;
    let per = word_bits / db;
    let full = format!("{pre}_full");
    let word = format!("{pre}_word");
    if per == 1 {
        o.wire(&full, 1, hit);
        o.wire(&word, word_bits, n("m_axi_rdata"));
        return vec![];
    }
    let st = format!("{pre}_st");
    let bt = format!("{pre}_bt");
    o.reg(&st, word_bits - db);
    o.reg(&bt, X);
    o.wire(
        &full,
        1,
        and(hit.clone(), eq(n(&bt), kx(u64::from(per - 1)))),
    );
    o.wire(&word, word_bits, cat(vec![n("m_axi_rdata"), n(&st)]));
    let shifted = if word_bits - db == db {
        n("m_axi_rdata")
    } else {
        cat(vec![n("m_axi_rdata"), sl(&st, word_bits - db - 1, db)])
    };
    // the beat count is reset (4-state simulation: no word assembles from
    // an unknown count)
    vec![when_else(
        not(n("rst_n")),
        vec![set(&bt, kx(0))],
        vec![when(
            hit,
            vec![
                set(&st, shifted),
                set(
                    &bt,
                    mux(
                        eq(n(&bt), kx(u64::from(per - 1))),
                        kx(0),
                        add(n(&bt), kx(1)),
                    ),
                ),
            ],
        )],
    )]
}

/// A positional beat-to-word assembler: beat `bt` of a word goes to bits
/// `bt * bus ..`; the word is complete (`<pre>_full`) when a beat is on the
/// bus and `done(bt)` holds (the word's last beat: a full word's, or a
/// short word's at the end of its transfer or row); the kept beats are
/// cleared after each word, so a short word's missing beats are zeros.
fn posbox(
    p: &AccelParams,
    o: &mut Body,
    pre: &str,
    word_bits: u32,
    hit: Expr,
    done: impl Fn(Expr) -> Expr,
) -> Vec<Stmt> {
    let db = p.axi_bits;
    let beats = word_bits / db;
    let (full, word) = (format!("{pre}_full"), format!("{pre}_word"));
    let (st, bt) = (format!("{pre}_st"), format!("{pre}_bt"));
    o.reg(&st, word_bits);
    o.reg(&bt, X);
    o.wire(&full, 1, and(hit.clone(), done(n(&bt))));
    let parts: Vec<Expr> = (0..beats)
        .rev()
        .map(|j| {
            mux(
                eq(n(&bt), kx(u64::from(j))),
                n("m_axi_rdata"),
                sl(&st, j * db + db - 1, j * db),
            )
        })
        .collect();
    o.wire(&word, word_bits, cat(parts));
    // the beat count and the kept beats are reset: a short first word's
    // missing beats are zeros from reset too, not only after a full word
    vec![when_else(
        not(n("rst_n")),
        vec![set(&st, k(word_bits, 0)), set(&bt, kx(0))],
        vec![when(
            hit,
            vec![
                set(&st, mux(n(&full), k(word_bits, 0), n(&word))),
                set(&bt, mux(n(&full), kx(0), add(n(&bt), kx(1)))),
            ],
        )],
    )]
}

/// The tile's weight word of a short last chunk (`K % width` elements),
/// stored element-major so that its codes are a prefix of whole beats:
/// code `(e, lane)` at `e * lanes + lane` to the tile's `lane * width + e`
/// (`W`-bit codes; with LUT group indices, the fields of groups
/// `(k, lane)` the same way, `lut_index.rs`). One wire a lane
/// (`<out>_l<lane>`), so that no line grows with the array.
fn element_major_to_tile(p: &AccelParams, o: &mut Body, word: &str, out: &str) {
    let (l, (w, cb)) = (
        p.lanes() as u32,
        p.lut_index()
            .map_or((p.width() as u32, p.tile.wgt_bits), |ix| {
                (ix.groups, ix.bits)
            }),
    );
    let mut lanes = Vec::with_capacity(l as usize);
    for lane in (0..l).rev() {
        let parts: Vec<Expr> = (0..w)
            .rev()
            .map(|e| {
                let src = (e * l + lane) * cb;
                sl(word, src + cb - 1, src)
            })
            .collect();
        let nm = format!("{out}_l{lane}");
        o.wire(&nm, w * cb, cat(parts));
        lanes.push(n(&nm));
    }
    o.wire(out, l * w * cb, cat(lanes));
}

/// The read-data router: the descriptor register, the activation rows and
/// the weight slots (`ws<s>_*`: words written, beats of the tile
/// received; `rl<s>`: the tile's last beat is on the bus now).
pub fn read_data(p: &AccelParams, o: &mut Body) {
    o.note(
        "read data: by ID and phase into the descriptor, the activation buffer, the weight slots",
    );
    o.wire(
        "rhit0",
        1,
        and(n("m_axi_rvalid"), eq(n("m_axi_rid"), k(2, 0))),
    );
    // descriptor: 512 bits shifted in from the top
    o.reg("desc", 512);
    o.reg("d_bt", X);
    let db = p.axi_bits;
    o.wire("d_hit", 1, and(n("rhit0"), eq(n("ph"), k(3, 1))));
    o.wire(
        "d_last",
        1,
        and(
            n("d_hit"),
            eq(n("d_bt"), kx(DESC_BYTES * 8 / u64::from(db) - 1)),
        ),
    );
    let dshift = if db == 512 {
        n("m_axi_rdata")
    } else {
        cat(vec![n("m_axi_rdata"), sl("desc", 511, db)])
    };
    o.wire("d_new", 512, dshift);
    o.clocked_data(vec![when(n("d_hit"), vec![set("desc", n("d_new"))])]);
    // activations
    o.wire("a_hit", 1, and(n("rhit0"), eq(n("ph"), k(3, 2))));
    // a row of `K` bytes: its last word is short when `K % width != 0`
    o.reg("a_rb", X);
    o.wire(
        "a_row_end",
        1,
        and(n("a_hit"), eq(add(n("a_rb"), kx(1)), n("row_beats"))),
    );
    let aper = u64::from(p.aword_bits() / p.axi_bits);
    let mut data = if aper == 1 {
        gearbox(p, o, "ag", p.aword_bits(), n("a_hit"))
    } else {
        posbox(p, o, "ag", p.aword_bits(), n("a_hit"), |bt| {
            or(eq(bt, kx(aper - 1)), n("a_row_end"))
        })
    };
    o.reg("a_wa", X);
    // rows of the loader's layer received; `a_last`: its input is complete
    o.reg("a_rr", X);
    o.wire(
        "a_last",
        1,
        or(
            and(n("a_row_end"), eq(add(n("a_rr"), kx(1)), n("va_m"))),
            n("a_skip"),
        ),
    );
    // weight slots
    let mut resets = vec![
        set("d_bt", kx(0)),
        set("a_wa", kx(0)),
        set("a_rr", kx(0)),
        set("a_rb", kx(0)),
    ];
    let mut body = vec![
        when(
            n("d_hit"),
            vec![set("d_bt", mux(n("d_last"), kx(0), add(n("d_bt"), kx(1))))],
        ),
        when(
            n("a_row_end"),
            vec![set("a_rr", mux(n("a_last"), kx(0), add(n("a_rr"), kx(1))))],
        ),
        when(
            n("a_hit"),
            vec![set(
                "a_rb",
                mux(n("a_row_end"), kx(0), add(n("a_rb"), kx(1))),
            )],
        ),
        when_else(
            n("parse_ok"),
            vec![set("a_wa", kx(0))],
            vec![when_else(
                n("a_skip"),
                vec![set("a_wa", n("a_next"))],
                vec![when(n("ag_full"), vec![set("a_wa", add(n("a_wa"), kx(1)))])],
            )],
        ),
    ];
    for s in 0..p.slots {
        let hit = format!("ws{s}_hit");
        o.wire(
            &hit,
            1,
            and(
                n("m_axi_rvalid"),
                eq(n("m_axi_rid"), k(2, u128::from(s + 1))),
            ),
        );
        let rl = format!("rl{s}");
        let sw = format!("sw{s}");
        let wper = u64::from(p.wword_bits() / p.axi_bits);
        // the transfer's weight beats (`wh`, the last `rlw`; a streamed
        // input's rows follow them, `stream_in.rs`)
        let (wh, rlw) = (format!("wh{s}"), format!("rlw{s}"));
        data.extend(if wper == 1 {
            gearbox(p, o, &format!("wg{s}"), p.wword_bits(), n(&wh))
        } else {
            // a word is `sw` beats (fewer lanes in a partial last group); the
            // tile's last beat ends its last word (short: K % width elements)
            posbox(p, o, &format!("wg{s}"), p.wword_bits(), n(&wh), |bt| {
                or(eq(add(bt, kx(1)), n(&sw)), n(&rlw))
            })
        });
        let (wd, rc) = (format!("ws{s}_wd"), format!("ws{s}_rc"));
        o.reg(&wd, X);
        o.reg(&rc, X);
        o.wire(
            &rl,
            1,
            and(n(&hit), eq(add(n(&rc), kx(1)), n(&format!("sb{s}")))),
        );
        resets.push(set(&wd, kx(0)));
        resets.push(set(&rc, kx(0)));
        body.push(when(
            n(&hit),
            vec![set(&rc, mux(n(&rl), kx(0), add(n(&rc), kx(1))))],
        ));
        body.push(when(
            n(&format!("wg{s}_full")),
            vec![set(&wd, mux(n(&rlw), kx(0), add(n(&wd), kx(1))))],
        ));
    }
    data.extend(super::stream_in::read_data(p, o));
    o.clocked_data(data);
    o.clocked(resets, body);
    // the weight buffer's write port
    let cw = p.slot_words;
    // the short last chunk of a tile (`sp<s>`) is stored element-major
    let wper = p.wword_bits() / p.axi_bits;
    for s in 0..p.slots {
        let word = format!("wg{s}_word");
        let e = if wper == 1 || !p.short_chunk {
            n(&word)
        } else {
            element_major_to_tile(p, o, &word, &format!("wg{s}_em"));
            mux(
                and(n(&format!("sp{s}")), n(&format!("rlw{s}"))),
                n(&format!("wg{s}_em")),
                n(&word),
            )
        };
        o.wire(&format!("wg{s}_tw"), p.wword_bits(), e);
    }
    let (we, wa, wdat) = if p.slots == 2 {
        (
            or(n("wg0_full"), n("wg1_full")),
            mux(n("wg1_full"), add(n("ws1_wd"), kx(cw)), n("ws0_wd")),
            mux(n("wg1_full"), n("wg1_tw"), n("wg0_tw")),
        )
    } else {
        (n("wg0_full"), n("ws0_wd"), n("wg0_tw"))
    };
    o.wire("wb_we", 1, we);
    o.wire("wb_waddr", X, wa);
    o.wire("wb_wdata", p.wword_bits(), wdat);
    o.wire(
        "rd_err",
        1,
        and(n("m_axi_rvalid"), ne(n("m_axi_rresp"), k(2, 0))),
    );
}

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
        ("wb_bt", X),
        ("aw_cnt", X),
        ("b_cnt", X),
        ("wb_l", table::LB),
        ("wb_ob", X),
    ] {
        o.reg(r, w);
    }
    // (a chain whose outputs were stored per tile has nothing to write back)
    o.wire(
        "in_wb",
        1,
        and(
            eq(n("ph"), k(3, 4)),
            not(super::store_out::is_store(p, "t0_flags")),
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
    o.wire("w_valid", 1, and(and(n("wsub"), n("wq_v")), n("in_wb")));
    o.wire("w_fire", 1, and(n("w_valid"), n("m_axi_wready")));
    // beats of the word: every lane's, or the partial last group's
    o.wire("wb_left_n", X, sub(n("vw_n"), n("wb_gn")));
    o.wire(
        "wb_lanes",
        X,
        mux(
            lt(n("wb_left_n"), kx(p.lanes())),
            n("wb_left_n"),
            kx(p.lanes()),
        ),
    );
    o.wire(
        "wb_lbits",
        X,
        mul(n("wb_lanes"), mux(n("wb_i8"), kx(8), kx(32))),
    );
    let bl = p.axi_bits.trailing_zeros();
    o.wire("wb_wpb", X, zx(sl("wb_lbits", X - 1, bl), X - bl));
    o.wire(
        "w_word_end",
        1,
        and(n("w_fire"), eq(add(n("wb_bt"), kx(1)), n("wb_wpb"))),
    );
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
    o.clocked(
        vec![
            set("aw_valid", b(false)),
            set("wsub", b(false)),
            set("wq_v", b(false)),
            set("wq_pend", b(false)),
        ],
        vec![when_else(
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
        )],
    );
    o.wire(
        "wb_done",
        1,
        or(
            and(
                and(n("wb_rows_sent"), n("wb_final")),
                eq(n("b_cnt"), n("aw_cnt")),
            ),
            super::store_out::is_store(p, "t0_flags"),
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
    let st = super::store_out::built(p);
    for (port, sig, store) in [
        ("m_axi_awvalid", "aw_valid", "sa_valid"),
        ("m_axi_awaddr", "aw_addr", "sa_addr"),
        ("m_axi_awlen", "aw_len", "sa_len"),
        ("m_axi_awuser", "aw_user", "sa_user"),
        ("m_axi_wvalid", "w_valid", "s_wvalid"),
        ("m_axi_wlast", "w_last", "s_wlast"),
    ] {
        o.assign(
            port,
            if st {
                mux(n("in_wb"), n(sig), n(store))
            } else {
                n(sig)
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
    o.assign("m_axi_wstrb", k((bb) as u32, (1u128 << bb) - 1));
    o.assign("m_axi_bready", b(true));
    o.wire("wb_off", X, mul(n("wb_bt"), kx(u64::from(p.axi_bits))));
    if i8_able {
        let q = super::forward::requant_word(
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
