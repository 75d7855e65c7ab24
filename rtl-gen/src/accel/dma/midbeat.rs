//! Weight tiles read from inside a beat (the weight gearbox, unpacked
//! codes): the engine lays a layer's tiles one after the other in DRAM, so
//! a tile after one that is not whole beats starts inside a beat. Its read
//! starts at its first byte (`requests.rs`; the beat holding it is
//! returned whole), the gearbox drops the bits below it and cuts the last
//! word to its bits (`gearbox.rs`), and ARUSER carries the byte at which it
//! ends in its last beat (`aruser_bits`) so that the DRAM model times its
//! bytes. Here: the tile's bytes, its first byte's bits in its beat and
//! its beats, every beat it touches.

use crate::accel::build::{add, cat, k, kx, mux, n, sl, zx, Body, X};
use crate::accel::params::AccelParams;
use crate::ir::Expr;

/// With the weight gearbox a tile is its bytes from any byte (the engine's
/// tiles one after the other in DRAM, `gearbox.rs`): `i_wbytes` its
/// bytes (none for a held block's tile), `i_lead` the bits of its first
/// beat below its first byte, `i_eo` the byte in its last beat at which
/// it ends (0: the beat's end); returns its beats, from the beat holding
/// its first byte to the one holding its last.
pub fn tile_beats(p: &AccelParams, o: &mut Body) -> Expr {
    let bl = super::log2(p.beat_bytes());
    o.wire("i_wbits", X, mux(n("i_short"), n("i_tbits"), n("i_cbits")));
    o.waive(
        "UNUSEDSIGNAL",
        "the bits rounded up to bytes: the low bits are dropped",
        vec![crate::ir::wire("i_wbits_r", X, add(n("i_wbits"), kx(7)))],
    );
    o.wire("i_tbytes", X, zx(sl("i_wbits_r", X - 1, 3), X - 3));
    o.wire(
        "i_wbytes",
        X,
        mux(
            crate::accel::stream_in::is_held(p, "vi_flags"),
            kx(0),
            n("i_tbytes"),
        ),
    );
    o.wire("i_lb", X, zx(sl("f_addr", bl - 1, 0), bl));
    o.wire("i_lead", X, cat(vec![sl("i_lb", X - 4, 0), k(3, 0)]));
    o.wire("i_wend", X, add(n("i_lb"), n("i_tbytes")));
    o.wire("i_eo", X, zx(sl("i_wend", bl - 1, 0), bl));
    o.waive(
        "UNUSEDSIGNAL",
        "the end byte rounded up to beats: the low bits are dropped",
        vec![crate::ir::wire(
            "i_wend_r",
            X,
            add(n("i_wend"), kx(p.beat_bytes() - 1)),
        )],
    );
    zx(sl("i_wend_r", X - 1, bl), X - bl)
}
