//! Weight words narrower than a bus beat (`lanes x width x W` bits a
//! divisor of the AXI data width: vitallm's 256-bit word on a 512-bit bus).
//!
//! A tile's words are one bit stream in memory (word `c` at bit `c x
//! word`), so a beat carries `r = bus / word` whole words. The weight
//! buffer is built of rows of one beat (`r` words): the router writes each
//! beat of a tile as one row as it arrives (`router.rs`, a one-beat
//! assembler), so the tile is in the buffer with its last beat, the
//! engine's arrival (its DRAM model's transfer end; the engine times no
//! write port). The feeder's word address `c` reads row `c / r`, and the
//! word `c mod r` of the row, registered with the read, is the tile's
//! `in_wgt` (`w_q`). A slot is whole rows and a tile whole beats
//! (`params.rs`, `refusals.rs`); a short last chunk or a partial last group
//! is less than a word, so not whole beats, and is refused.

use crate::accel::build::{kx, mul, n, set, sl, when, zx, Body, X};
use crate::accel::params::{AccelParams, Mutation};
use crate::ir::{part, Expr, UnOp};

/// Bits of a word's index within a row (`log2 r`).
pub fn sel_bits(p: &AccelParams) -> u32 {
    p.wwords_a_row().trailing_zeros()
}

/// The read side: `w_qr` (the row the weight buffer reads, declared by the
/// caller as its `q`), `w_qs` (the word's index in it, taken from the read
/// address `w_raddr_n` when `w_re` reads) and `w_q` (the word).
pub fn read_select(p: &AccelParams, o: &mut Body) {
    let (wb, sb) = (p.wword_bits(), sel_bits(p));
    o.note("narrow weight words: the word of the row read, its index taken with the read");
    o.reg("w_qs", sb);
    o.clocked_data(vec![when(
        n("w_re"),
        vec![set("w_qs", sl("w_raddr_n", sb - 1, 0))],
    )]);
    // (broken: the row's words taken in the reverse order)
    let idx = if p.mutation == Mutation::NarrowWordOrder {
        Expr::Unary(UnOp::Not, Box::new(n("w_qs")))
    } else {
        n("w_qs")
    };
    o.wire("w_qi", X, zx(idx, sb));
    o.wire(
        "w_q",
        wb,
        part("w_qr", mul(n("w_qi"), kx(u64::from(wb))), wb),
    );
}
