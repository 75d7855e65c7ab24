//! The streamed input in RTL: a layer whose descriptor sets
//! [`STREAM_FLAG`] takes its input rows with its first weight transfer, as
//! the engine's tokens-outer order loads a token block's activations with
//! the block's first tile (`stream.rs`): the transfer is the tile's weight
//! beats followed by the block's rows (`M x K` bytes, contiguous at the
//! engine's placement, right after the tile's weights), and the tile has
//! arrived with the last row beat, so the timing is the engine's load of
//! weights and activations together.
//!
//! Such a layer loads nothing before the run (the input loader skips it)
//! and its rows go to one half of the activation buffer: words `0..` for
//! an even layer index, `act_words / 2..` for an odd one, so that a block
//! fills one half while the array reads the block before it from the
//! other (the engine bounds a block by a half of the buffer). Rows are
//! whole words (`K % width == 0`, checked by the host, `stream_check.rs`).
//!
//! The engine's weights-outer order ([`WO_FLAG`] on every block,
//! [`HELD_FLAG`] on the blocks after the first): the tiles are walked
//! `(group, K tile, block)`, every tile's transfer carries its block's rows
//! (and, the first block's, its group's weights before them), the rows go
//! to the half of the tile's transfer slot (consecutive tiles alternate, so
//! a tile's rows never land in the half the tile before it reads, whatever
//! the count of blocks), and the weights to a weight slot that alternates
//! per weight tile (`swh<s>`, `layer.rs`: a group's first block loads its
//! weights into the slot the previous group's blocks do not read).
//!
//! Per transfer slot `s`: `sbw<s>` the transfer's weight beats (the rest are
//! rows), `sab<s>` the half its rows go to; the rows are assembled into
//! activation words per slot (`sg<s>`) and written at `sab<s> + swc<s>`.

use super::build::{
    add, and, eq, kx, le, lt, mul, mux, n, ne, not, or, set, sl, when, zx, Body, X,
};
use super::params::AccelParams;
use crate::ir::{Expr, Stmt};
use sim::memory::rate::Rate;

/// The descriptor's flags bit of a streamed input (bit 1).
pub const STREAM_FLAG: u64 = 0x2;

/// The descriptor's flags bit of a weights-outer block (bit 4, with
/// [`STREAM_FLAG`]): its tile's transfer is the block's rows only, and the
/// tile computes with the weights the previous descriptor's tile loaded
/// (the engine's weights-outer order of one feature group of one K tile:
/// the weights once, every block's rows with its own tile).
pub const HELD_FLAG: u64 = 0x10;

/// The descriptor's flags bit of a weights-outer layer's token block (bit
/// 5, with [`STREAM_FLAG`], on every descriptor of the chain, [`HELD_FLAG`]
/// on all but the first): the chain is one layer in the engine's
/// weights-outer order, its tiles walked `(group, K tile, block)` (the
/// cursors step from a block's tile to the next block's same tile, from the
/// last block back to the first with the next tile), every tile's transfer
/// carries its block's rows into the half of the activation buffer of its
/// transfer slot (consecutive tiles alternate), and the weights go to a
/// weight slot chosen per weight tile (consecutive weight tiles alternate:
/// a group's weights stay while the next group's load).
pub const WO_FLAG: u64 = 0x20;

/// The streamed input is built on `p`: the activation buffer has two
/// halves (a block fills one while the array reads the other) and an input
/// word is whole beats (the streamed rows' word gatherer, `dma::gearbox`,
/// takes a word from whole beats; a word narrower than a beat, split or
/// not, or not whole beats, is not built: the weight gearbox and narrow weight words end with the
/// transfer's weight beats, the rows after them).
pub fn built(p: &AccelParams) -> bool {
    p.arch.buffers.activations.double_buffered
        && p.act_words >= 2
        && p.aword_bits().is_multiple_of(p.axi_bits)
}

/// The engine's rate of a streamed input's rows into the activation
/// buffer, in bytes a cycle: they arrive with the tile's transfer at the
/// DRAM's sustained rate, or a beat a cycle where the bus is the narrower
/// (the engine bounds a buffer's reads by its banks, `SramPort`, not its
/// fills).
pub fn fill_rate(p: &AccelParams) -> Rate {
    let dram = sim::memory::DramChannel::new(&p.arch).rate;
    Rate::new(u128::from(p.beat_bytes()), 1).map_or(dram, |bus| dram.min(bus))
}

/// Why no write port of the design's activation buffer keeps the engine's
/// timing of a streamed input not built for its input word (`None`:
/// built, not built for another reason, or the buffer's banks take the
/// engine's rate): the buffer's banks move
/// `banks x bank_bytes` bytes a cycle ("each bank reads or writes"), and
/// the engine writes the rows at [`fill_rate`]; where that is more, the
/// rows cannot enter the buffer the design describes at the engine's
/// timing, whatever the word gatherer (the engine is not fitted to it,
/// nor the top to the engine).
pub fn refuses_fill(p: &AccelParams) -> Option<String> {
    let a = &p.arch.buffers.activations;
    // (only the input word keeps it from being built)
    if built(p) || !a.double_buffered || p.act_words < 2 {
        return None;
    }
    let port = Rate::new(u128::from(a.bytes_per_cycle()), 1)?;
    let fill = fill_rate(p);
    if !port.less_than(fill) {
        return None;
    }
    Some(format!(
        "the engine writes a streamed input's rows into the activation buffer at {} B a cycle \
         (the lesser of the DRAM's sustained {} B a cycle and the bus's {}-byte beat a cycle), \
         more than the {} banks \
         x {} B = {} B a cycle this design's activation buffer moves: no write port of that \
         buffer keeps the engine's timing ({} {}-bit input words a cycle, {} a beat)",
        fill.bytes_per_cycle(),
        sim::memory::DramChannel::new(&p.arch)
            .rate
            .bytes_per_cycle(),
        p.beat_bytes(),
        a.banks,
        a.bank_bytes,
        a.bytes_per_cycle(),
        fill.bytes_per_cycle() * 8.0 / f64::from(p.aword_bits()),
        p.aword_bits(),
        f64::from(p.axi_bits) / f64::from(p.aword_bits()),
    ))
}

/// Flags bits the top takes for the streamed input (none when not built).
pub fn flags_mask(p: &AccelParams) -> u64 {
    if built(p) {
        STREAM_FLAG | HELD_FLAG | WO_FLAG
    } else {
        0
    }
}

/// `flags` marks a streamed input (false when not built).
pub fn is_streamed(p: &AccelParams, flags: &str) -> Expr {
    if built(p) {
        sl(flags, 1, 1)
    } else {
        crate::ir::konst(1, 0)
    }
}

/// `flags` marks a weights-outer block whose weights are held (false
/// when the streamed input is not built).
pub fn is_held(p: &AccelParams, flags: &str) -> Expr {
    if built(p) {
        and(sl(flags, 1, 1), sl(flags, 4, 4))
    } else {
        crate::ir::konst(1, 0)
    }
}

/// `flags` marks a weights-outer layer's block (false when the streamed
/// input is not built).
pub fn is_wo(p: &AccelParams, flags: &str) -> Expr {
    if built(p) {
        and(sl(flags, 1, 1), sl(flags, 5, 5))
    } else {
        crate::ir::konst(1, 0)
    }
}

/// Descriptor `i`'s weights-outer flag is not taken: unlike the first
/// descriptor's (the chain is the one layer's blocks or none), without the
/// streamed input, or the held flag not on exactly the blocks after the
/// first.
pub fn desc_bad(p: &AccelParams, i: u32) -> Expr {
    if !built(p) {
        return crate::ir::konst(1, 0);
    }
    let fl = format!("t{i}_flags");
    let wo = sl(&fl, 5, 5);
    let mut bad = and(
        wo.clone(),
        or(
            not(sl(&fl, 1, 1)),
            ne(sl(&fl, 4, 4), crate::ir::konst(1, u128::from(i > 0))),
        ),
    );
    if i > 0 {
        bad = or(bad, ne(wo, sl("t0_flags", 5, 5)));
    }
    bad
}

/// The half of the activation buffer of transfer slot `slot` (a 1-bit
/// name): a weights-outer tile's rows, alternating with the slots.
pub fn slot_half(p: &AccelParams, slot: &str) -> Expr {
    if p.slots == 2 {
        mux(n(slot), kx(p.act_words / 2), kx(0))
    } else {
        kx(0)
    }
}

/// Where layer `i`'s streamed rows start in the activation buffer.
pub fn half_of(p: &AccelParams, i: u32) -> Expr {
    kx(if i % 2 == 1 { p.act_words / 2 } else { 0 })
}

/// The read requests' side: `i_all`, the beats of the transfer the read
/// cursor issues next (the tile's weights, and the block's rows when it is
/// a streamed layer's first tile); needs the view `vi` with `flags`, `m`
/// and `k`, and `i_beats` (the weight beats).
pub fn requests(p: &AccelParams, o: &mut Body) {
    // (weights outer: every tile carries its block's rows)
    o.wire(
        "i_first",
        1,
        and(
            is_streamed(p, "vi_flags"),
            or(n("wo"), and(eq(n("i_n"), kx(0)), eq(n("i_kb"), kx(0)))),
        ),
    );
    // the half the rows go to: the layer's, or weights outer the slot's
    o.wire("i_ab", X, mux(n("wo"), slot_half(p, "f_slot"), n("vi_ab")));
    // (weights outer: the K tile's range of the row, its chunks' words)
    let aper = u64::from(p.aword_bits() / p.axi_bits);
    o.wire(
        "i_rowb",
        X,
        mux(
            n("wo"),
            mul(n("ic_ch"), kx(aper)),
            super::sequencer::row_beats(p, "vi_k"),
        ),
    );
    // a streamed block's rows fit a half of the activation buffer (the
    // host's rule, `stream_check.rs`): its tokens and a row's beats are
    // narrow, so is the product (no 32 x 32 multiplier)
    let mb = super::params::addr_bits(p.act_words + 1);
    let rb = super::params::addr_bits(p.act_words * aper + 1);
    o.wire(
        "i_abeats",
        X,
        mux(
            n("i_first"),
            mul(
                zx(sl("vi_m", mb - 1, 0), mb),
                zx(sl("i_rowb", rb - 1, 0), rb),
            ),
            kx(0),
        ),
    );
    o.wire("i_all", X, add(n("i_beats"), n("i_abeats")));
    for s in 0..p.slots {
        o.reg(&format!("sbw{s}"), X);
        o.reg(&format!("sab{s}"), X);
    }
}

/// What a transfer entering slot `s` records.
pub fn slot_set(s: u32) -> Vec<Stmt> {
    vec![
        set(&format!("sbw{s}"), n("i_beats")),
        set(&format!("sab{s}"), n("i_ab")),
    ]
}

/// The read data's side: per slot the weight part's hit and last beat
/// (`wh<s>`, `rlw<s>`, from the beat count `ws<s>_rc`), the rows' words,
/// and the activation buffer's load port (`ld_full`, `ld_wa`, `ld_word`:
/// the input loader's, or a streamed row's word).
pub fn read_data(p: &AccelParams, o: &mut Body) -> Vec<Stmt> {
    let mut data = Vec::new();
    let (mut full, mut wa, mut word) = (n("ag_full"), n("a_wa"), n("ag_word"));
    let mut resets = Vec::new();
    let mut body = Vec::new();
    for s in 0..p.slots {
        let hit = n(&format!("ws{s}_hit"));
        let rc = n(&format!("ws{s}_rc"));
        let sbw = n(&format!("sbw{s}"));
        o.wire(
            &format!("wh{s}"),
            1,
            and(hit.clone(), lt(rc.clone(), sbw.clone())),
        );
        o.wire(
            &format!("rlw{s}"),
            1,
            and(hit.clone(), eq(add(rc.clone(), kx(1)), sbw.clone())),
        );
        if !built(p) {
            continue;
        }
        let sh = format!("sh{s}");
        o.wire(&sh, 1, and(hit, le(sbw, rc)));
        let pre = format!("sg{s}");
        data.extend(super::dma::gearbox(p, o, &pre, p.aword_bits(), n(&sh)));
        let swc = format!("swc{s}");
        o.reg(&swc, X);
        resets.push(set(&swc, kx(0)));
        body.push(when(n(&format!("rl{s}")), vec![set(&swc, kx(0))]));
        body.push(when(
            and(n(&format!("{pre}_full")), not(n(&format!("rl{s}")))),
            vec![set(&swc, add(n(&swc), kx(1)))],
        ));
        let at = add(n(&format!("sab{s}")), n(&swc));
        wa = mux(n(&format!("{pre}_full")), at, wa);
        word = mux(n(&format!("{pre}_full")), n(&format!("{pre}_word")), word);
        full = or(full, n(&format!("{pre}_full")));
    }
    o.wire("ld_full", 1, full);
    o.wire("ld_wa", X, wa);
    o.wire("ld_word", p.aword_bits(), word);
    if !resets.is_empty() {
        o.clocked(resets, body);
    }
    data
}

/// Layer `i`'s input start in the activation buffer when the loader
/// reaches it: its half when streamed (flags of the view `van`), else
/// `a_next` (after the layers before it).
pub fn next_ab(p: &AccelParams, i: u32) -> Expr {
    mux(is_streamed(p, "van_flags"), half_of(p, i), n("a_next"))
}

/// The input loader skips a streamed layer (`va` has `flags`).
pub fn skips(p: &AccelParams) -> Expr {
    is_streamed(p, "va_flags")
}
