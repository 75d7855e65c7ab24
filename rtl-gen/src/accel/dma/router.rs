//! The read-data router: read beats by ID and phase into the descriptor
//! register, the activation buffer and the weight slots.

use crate::accel::build::{
    add, and, cat, eq, k, kx, mux, n, ne, or, set, sl, when, when_else, Body, X,
};
use crate::accel::params::{AccelParams, DESC_BYTES};
use crate::ir::Expr;

use super::assemble::{gearbox, posbox};

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
    let split = p.asplit();
    // (words narrower than a beat: a beat is accepted when its words are
    // written, `gearbox.rs`; the row counts words)
    let a_hit = and(n("rhit0"), eq(n("ph"), k(3, 2)));
    let agear = p.agear();
    o.wire(
        "a_hit",
        1,
        if split || agear {
            and(a_hit, n("rd_ready"))
        } else {
            a_hit
        },
    );
    // a row of `K` bytes: its last word is short when `K % width != 0`
    o.reg("a_rb", X);
    let (a_ev, a_rowl) = if split {
        let r = p.words_a_beat().trailing_zeros();
        o.wire("a_rw", X, cat(vec![sl("row_beats", X - 1 - r, 0), k(r, 0)]));
        (n("ag_full"), n("a_rw"))
    } else {
        (n("a_hit"), n("row_beats"))
    };
    // (the input gearbox: `a_rb` counts a row's beats, its last word
    // leaves the queue after them, `input_gear.rs`)
    let a_beat_end = if agear { n("ig_lb") } else { n("a_row_end") };
    let gear_data = if agear {
        let d = super::input_gear::input(p, o);
        o.wire("a_row_end", 1, n("ag_end"));
        d
    } else {
        o.wire(
            "a_row_end",
            1,
            and(a_ev.clone(), eq(add(n("a_rb"), kx(1)), a_rowl)),
        );
        vec![]
    };
    let aper = u64::from(p.aword_bits() / p.axi_bits);
    let mut data = if agear {
        gear_data
    } else if split {
        super::gearbox::split_input(p, o)
    } else if aper == 1 {
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
            a_ev,
            vec![set("a_rb", mux(a_beat_end, kx(0), add(n("a_rb"), kx(1))))],
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
        data.extend(if p.wnarrow() {
            // several words a beat: the beat is a row of the weight buffer
            // (`narrow.rs` selects the tile's word as it is read)
            gearbox(p, o, &format!("wg{s}"), p.axi_bits, n(&wh))
        } else if p.wgear() {
            // words across beats: `sw` the word's bits (fewer lanes in a
            // partial last group), the tile's last beat ends its last word
            super::gearbox::weights(
                p,
                o,
                &format!("wg{s}"),
                n(&wh),
                n(&sw),
                n(&rlw),
                n(&format!("sl{s}")),
            )
        } else if wper == 1 {
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
    data.extend(crate::accel::stream_in::read_data(p, o));
    o.clocked_data(data);
    o.clocked(resets, body);
    // the weight buffer's write port (a slot's words, or rows of narrow
    // words: a beat a row)
    let cw = p.wslot_rows();
    // the short last chunk of a tile (`sp<s>`) is stored element-major
    for s in 0..p.slots {
        let word = format!("wg{s}_word");
        let e = if p.wword_bits() <= p.axi_bits || !p.short_chunk {
            n(&word)
        } else {
            // (a partial group's short chunk: its rows respaced first)
            let src = if p.short_rows() {
                let rs = format!("wg{s}_rs");
                super::short_rows::respace(p, o, &word, &format!("sn{s}"), &rs);
                rs
            } else {
                word.clone()
            };
            element_major_to_tile(p, o, &src, &format!("wg{s}_em"));
            mux(
                and(n(&format!("sp{s}")), n(&format!("rlw{s}"))),
                n(&format!("wg{s}_em")),
                n(&word),
            )
        };
        o.wire(&format!("wg{s}_tw"), p.wrow_bits(), e);
    }
    let (we, wa, wdat) = if p.slots == 2 {
        (
            or(n("wg0_full"), n("wg1_full")),
            // each transfer's weight slot (`swh<s>`, `layer.rs`)
            mux(
                n("wg1_full"),
                add(n("ws1_wd"), mux(n("swh1"), kx(cw), kx(0))),
                add(n("ws0_wd"), mux(n("swh0"), kx(cw), kx(0))),
            ),
            mux(n("wg1_full"), n("wg1_tw"), n("wg0_tw")),
        )
    } else {
        (n("wg0_full"), n("ws0_wd"), n("wg0_tw"))
    };
    o.wire("wb_we", 1, we);
    o.wire("wb_waddr", X, wa);
    o.wire("wb_wdata", p.wrow_bits(), wdat);
    o.wire(
        "rd_err",
        1,
        and(n("m_axi_rvalid"), ne(n("m_axi_rresp"), k(2, 0))),
    );
}
