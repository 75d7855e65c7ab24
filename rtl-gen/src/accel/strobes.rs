//! Stores per tile that are not whole bus beats: where output words are
//! not whole beats (the output gearbox), a store of outputs per tile
//! (`store_out.rs`) is its bytes from the byte after the store before it,
//! as the engine's DRAM model places and times it (`memory::Dram::store`:
//! `store_next += bytes`, the bytes timed). On AXI4 it is INCR bursts of
//! full-width beats (`AWSIZE` the bus) counted from the beat of its first
//! byte: the first burst's `AWADDR` is that byte (unaligned), the later
//! ones whole beats; its first beat strobes (`WSTRB`) the bytes from its
//! start on, its last beat those before its end, and the bytes of the
//! stores beside it in those beats are left alone. `AWUSER` is then
//! `1 + log2(beat bytes)` bits: above the last-burst bit, on a store's
//! last burst, the byte at which the store ends in its last beat (0: a
//! whole beat), so that the memory slave knows the store's bytes when it
//! takes that burst's address (`beats x B - addr mod B - (B - end) mod
//! B`), as it times the store then, before its data has come.

use super::build::{add, and, cat, k, kx, lt, mul, mux, n, not, sl, zx, Body, X};
use super::params::{addr_bits, AccelParams, Mutation};
use crate::ir::{Expr, UnOp};

/// The stores are strobed: the store path is built (`store_out::built`)
/// with output words that are not whole beats (`p.ogear()`).
pub fn strobed(p: &AccelParams) -> bool {
    super::store_out::built(p) && p.ogear()
}

/// Bits of `AWUSER`: the last-burst bit, and with strobed stores the end
/// byte in the last beat above it.
pub fn user_bits(p: &AccelParams) -> u32 {
    if strobed(p) {
        1 + p.beat_bytes().trailing_zeros()
    } else {
        1
    }
}

/// A requested store's bytes and beats: `st_sb` (`words x gl x 4` bytes,
/// `mb` bits of words: the group's tokens `vd_m`, or an N tile's groups'
/// words `st_gm`), `st_beats` (the beats it touches from its address
/// `st_addr`'s beat) and `st_end` (the byte after it, the next store's
/// address). Needs `words`, `st_gl`, `st_addr`.
pub fn store_beats(p: &AccelParams, o: &mut Body, words: &str, mb: u32) {
    let gb = addr_bits(p.lanes() + 1);
    let lb = p.beat_bytes().trailing_zeros();
    o.wire(
        "st_sb",
        X,
        mul(
            zx(sl(words, mb - 1, 0), mb),
            zx(cat(vec![sl("st_gl", gb - 1, 0), k(2, 0)]), gb + 2),
        ),
    );
    // its start's byte in the beat and its bytes, rounded up to beats (a
    // part of a beat is a beat on the bus)
    o.wire(
        "st_nb",
        X,
        add(n("st_sb"), zx(sl("st_addr", lb - 1, 0), lb)),
    );
    let part_beat = Expr::Unary(UnOp::ReduceOr, Box::new(sl("st_nb", lb - 1, 0)));
    o.wire(
        "st_beats",
        X,
        add(zx(sl("st_nb", X - 1, lb), X - lb), zx(part_beat, 1)),
    );
    o.wire("st_end", X, add(n("st_addr"), n("st_sb")));
}

/// The address side's end byte of the store it issues (`sh_eo`, for
/// `AWUSER`): the running store's (`sx_eo`), the queued one's (`sq_eo`)
/// or the one requested now (`st_end`'s low bits).
pub fn end_byte(p: &AccelParams, o: &mut Body) {
    let lb = p.beat_bytes().trailing_zeros();
    o.reg("sx_eo", lb);
    o.reg("sq_eo", lb);
    o.wire(
        "sh_eo",
        lb,
        mux(
            n("sx_act"),
            n("sx_eo"),
            mux(n("sq_v"), n("sq_eo"), sl("st_end", lb - 1, 0)),
        ),
    );
}

/// The data side's strobes (`s_wstrb`): a byte is strobed when the
/// store's queue holds it (`sgq_n` bits, the start's byte counted as held)
/// and, on the store's first beat (`sw_f`), it is at or above the start
/// (`sw_o`). `Mutation::StoreStrobeFull` strobes the first beat whole.
pub fn wstrb(p: &AccelParams, o: &mut Body) {
    let bb = p.beat_bytes();
    let lb = bb.trailing_zeros();
    let full = p.mutation == Mutation::StoreStrobeFull;
    let bits: Vec<Expr> = (0..bb)
        .rev()
        .map(|j| {
            let held = lt(kx(8 * j), n("sgq_n"));
            // (the top byte is never below a start)
            if full || j == bb - 1 {
                held
            } else {
                and(
                    held,
                    not(and(n("sw_f"), lt(k(lb, u128::from(j)), n("sw_o")))),
                )
            }
        })
        .collect();
    o.wire("s_wstrb", bb as u32, cat(bits));
}
