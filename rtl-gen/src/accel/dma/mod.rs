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
//!
//! Files: `requests.rs` (the read-request engine), `router.rs` (the
//! read-data router), `assemble.rs` (its beat-to-word assemblers),
//! `gearbox.rs` (the gearboxes of words that are not whole beats),
//! `midbeat.rs` (weight tiles read from inside a beat: their bytes and
//! beats), `narrow.rs` (weight words narrower than a beat, a beat a buffer row),
//! `short_rows.rs` (the respacing of a partial group's short chunk),
//! `input_gear.rs` (the input gearbox of words neither whole beats nor a
//! beat's divisor),
//! `write_back.rs` (the write-back of the output buffer).

mod assemble;
mod gearbox;
mod input_gear;
pub(super) mod midbeat;
pub(super) mod narrow;
mod requests;
mod router;
mod short_rows;
mod write_back;

pub(super) use assemble::gearbox;
pub(super) use gearbox::{store_queue, tile_beats};
pub use requests::read_requests;
pub use router::read_data;
pub(super) use short_rows::lanes_of;
pub use write_back::{int8_out_able, write_back};

use super::build::{b, cat, k, kx, lt, mux, n, sl, sub, zx, Body, X};
use super::params::AccelParams;

pub(super) fn log2(v: u64) -> u32 {
    63 - v.leading_zeros()
}

/// Bits of ARUSER: bit 0 a transfer's last burst, and with weight tiles
/// from any byte (the weight gearbox, `gearbox.rs`) above it the byte in
/// the last beat at which the transfer ends.
pub(in crate::accel) fn aruser_bits(p: &AccelParams) -> u32 {
    if p.wgear() {
        1 + log2(p.beat_bytes())
    } else {
        1
    }
}

/// The burst a transfer at `addr` with `beats` left starts with:
/// `<p>_bm` beats (32 bits), `<p>_len` (`bm - 1`, 8 bits).
pub(in crate::accel) fn burst(p: &AccelParams, o: &mut Body, pre: &str, addr: &str, beats: &str) {
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
