//! The read-request engine of the DMA: the open transfer or a new one from
//! the sequencer, cut into INCR bursts (`super::burst`) issued with IDs.

use crate::accel::build::{
    add, and, b, cat, eq, k, kx, mul, mux, n, ne, not, or, set, sl, sub, when, when_else, Body, X,
};
use crate::accel::params::{AccelParams, DESC_BYTES};

use super::{burst, log2};

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
        ("ar_user", super::aruser_bits(p)),
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
    // (weight tiles from any byte, `gearbox.rs`: a transfer's first
    // address is its first byte, ARUSER above bit 0 the byte in its last
    // beat at which it ends, 0 for the beat's end; its later bursts start
    // at beats)
    let mid = p.wgear();
    let ub = super::aruser_bits(p);
    if mid {
        o.reg("x_eo", ub - 1);
        o.wire(
            "src_eo",
            ub - 1,
            mux(n("sel_run"), sl("i_eo", ub - 2, 0), k(ub - 1, 0)),
        );
        o.wire("h_eo", ub - 1, mux(n("x_act"), n("x_eo"), n("src_eo")));
        o.wire(
            "h_beat",
            X,
            cat(vec![sl("h_addr", X - 1, ub - 1), k(ub - 1, 0)]),
        );
    }
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
                set(
                    "ar_user",
                    if mid {
                        cat(vec![n("h_eo"), eq(n("rb_bm"), n("h_beats"))])
                    } else {
                        eq(n("rb_bm"), n("h_beats"))
                    },
                ),
                set("x_act", ne(n("rb_bm"), n("h_beats"))),
                set(
                    "x_addr",
                    add(
                        n(if mid { "h_beat" } else { "h_addr" }),
                        mul(n("rb_bm"), kx(bb)),
                    ),
                ),
                set("x_beats", sub(n("h_beats"), n("rb_bm"))),
                set("x_id", n("h_id")),
            ]
            .into_iter()
            .chain(mid.then(|| set("x_eo", n("h_eo"))))
            .collect(),
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
    // (low while the input splitter writes a beat's words, `gearbox.rs`,
    // or the input gearbox holds a word, `input_gear.rs`)
    o.assign(
        "m_axi_rready",
        if p.asplit() || p.agear() {
            n("rd_ready")
        } else {
            b(true)
        },
    );
}
