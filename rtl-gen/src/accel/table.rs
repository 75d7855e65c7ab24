//! The descriptor table: the chain's descriptors (up to [`MAX_LAYERS`],
//! `DESC_COUNT` of them, contiguous from `DESC_BASE`) held in registers
//! once fetched, and the views through which each of the sequencer's
//! cursors reads the fields of the layer it is in (`<view>_<field>`, a
//! multiplexer over the table by the cursor's layer index), so that the
//! fetch cursor can walk into the next layer while the array computes the
//! current one.
//!
//! Fields of entry `i` (`t<i>_<field>`): the descriptor's words (`m`, `k`,
//! `n`, `flags`, `abase`, `wbase`, `obase`, `astride`, `ostride`), the
//! chunks a row `c = ceil(K / width)`, `kt`, the chunks of a K tile (the
//! descriptor's word 9, [`KT_WORD`]: the mapping's K tile; 0 for the
//! largest, a weight slot's words), with weight registers `tt`, the
//! tokens of a sub-tile (word 9's high half, `tokens.rs`), where the
//! design builds N tiles
//! (`ntile.rs`) `nw`, the outputs of a weight tile (`nt x lanes`, `nt`
//! its feature groups, word 10, [`NT_WORD`], at least 1) and `ntb` (`nt x
//! kt` over a slot's words), and `ab`, where the layer's input
//! starts in the activation buffer (set while the inputs are loaded).

use super::build::{add, eq, kx, mux, n, sl, when, zx, Body, X};
use super::params::AccelParams;
use crate::ir::{Expr, Stmt};

/// Descriptors a chain holds at most. An assumption of this version: a
/// whole BitNet block's linear layers (q, k, v, o, gate, up, down: 7) fit
/// one chain. The table is registers, 11 words an entry; what an entry
/// costs is measured in docs/rtl.md ("Descriptor chains").
pub const MAX_LAYERS: u32 = 8;

/// Bits of a layer index (it counts to the chain's length inclusive: a
/// cursor past the last layer must not wrap to layer 0; a loop of token
/// blocks, `block_loop.rs`, counts its blocks as layers).
pub const LB: u32 = 12;

/// The producer field of a flags word (`flags[18:16]`, 3 bits: a producer
/// is an earlier layer, so at most `MAX_LAYERS - 2`) widened to a layer
/// index.
pub fn producer(flags: &str) -> Expr {
    if LB > 3 {
        super::build::cat(vec![super::build::k(LB - 3, 0), sl(flags, 18, 16)])
    } else {
        sl(flags, 18, 16)
    }
}

/// The descriptor's words by field, in memory order.
pub const WORDS: [&str; 9] = [
    "m", "k", "n", "flags", "abase", "wbase", "obase", "astride", "ostride",
];

/// The descriptor's word (32-bit index) holding the K tile's chunks (with
/// weight registers, `tokens.rs`: bits 15:0, and bits 31:16 the token
/// tile, [`kt_word`]).
pub const KT_WORD: u32 = 9;

/// The first bit of [`KT_WORD`] holding the token tile on a design with
/// weight registers.
pub const TT_SHIFT: u32 = 16;

/// The value of [`KT_WORD`] for a K tile of `kt` chunks (0: a slot's
/// words) and weight-register sub-tiles of `tt` tokens (0: the design's
/// token tile; written only below it, on a design with weight registers,
/// so that a descriptor of the design's token tile is unchanged).
pub fn kt_word(p: &AccelParams, kt: u64, tt: u64) -> u64 {
    let below = super::tokens::built(p) && tt > 0 && tt < u64::from(p.tile.token_tile());
    kt | if below { tt << TT_SHIFT } else { 0 }
}

/// The descriptor's word holding the N tile: the feature groups one
/// weight tile holds (0 or 1: one group; [`AccelParams::ntiles`]).
pub const NT_WORD: u32 = 10;

/// The table's registers and their load from the descriptor on the bus:
/// `d_new` is the descriptor completed by the beat on the bus (`d_last`),
/// entry `d_idx` takes it. `ab` entries are written by the input loader.
pub fn table(p: &AccelParams, o: &mut Body) {
    o.note("the descriptor table: entry d_idx takes the descriptor whose last beat is on the bus");
    o.reg("d_idx", LB);
    // chunks a row: K / width rounded up (a short last chunk when K % width != 0)
    o.wire("d_kp", X, add(sl("d_new", 63, 32), kx(p.width() - 1)));
    let d_c = chunks_of(o, p.width(), "d_kp", "d_c");
    // the K tile: the descriptor's, or a slot's words when it gives 0
    let kw = KT_WORD * 32;
    let tokens = super::tokens::built(p);
    if tokens {
        // (with weight registers: the K tile in the low half, the token
        // tile in the high half, `tokens.rs`)
        o.wire("d_ktw", X, zx(sl("d_new", kw + TT_SHIFT - 1, kw), TT_SHIFT));
        super::tokens::table_field(p, o, sl("d_new", kw + 31, kw + TT_SHIFT));
    } else {
        o.wire("d_ktw", X, sl("d_new", kw + 31, kw));
    }
    let kt = if p.mutation == super::params::Mutation::SlotKTile {
        kx(p.slot_words)
    } else {
        mux(eq(n("d_ktw"), kx(0)), kx(p.slot_words), n("d_ktw"))
    };
    o.wire("d_kt", X, kt);
    if p.ntiles() {
        super::ntile::table_fields(p, o);
    }
    let mut load = Vec::new();
    for i in 0..MAX_LAYERS {
        let mut fill: Vec<Stmt> = Vec::new();
        for (w, f) in WORDS.iter().enumerate() {
            let r = format!("t{i}_{f}");
            o.reg(&r, X);
            fill.push(super::build::set(
                &r,
                sl("d_new", w as u32 * 32 + 31, w as u32 * 32),
            ));
        }
        let c = format!("t{i}_c");
        o.reg(&c, X);
        o.reg(&format!("t{i}_ab"), X);
        fill.push(super::build::set(&c, d_c.clone()));
        let kt = format!("t{i}_kt");
        o.reg(&kt, X);
        fill.push(super::build::set(&kt, n("d_kt")));
        if tokens {
            let tt = format!("t{i}_tt");
            o.reg(&tt, X);
            fill.push(super::build::set(&tt, n("d_tt")));
        }
        if p.ntiles() {
            for (f, wd) in [("nw", X), ("ntb", 1)] {
                let r = format!("t{i}_{f}");
                o.reg(&r, wd);
                fill.push(super::build::set(&r, n(&format!("d_{f}"))));
            }
        }
        load.push(when(
            super::build::and(
                n("d_last"),
                eq(n("d_idx"), super::build::k(LB, u128::from(i))),
            ),
            fill,
        ));
    }
    o.clocked_data(load);
    super::block_loop::fields(p, o);
}

/// `floor(x / width)` of the 32-bit wire `x`: a shift for a power-of-two
/// width, else the wire `out`, the product with the constant
/// `m = ceil(2^s / width)`, `s = 32 + ceil(log2 width)`, shifted right by
/// `s` (exact for every `x < 2^32`: `e = m x width - 2^s < width`, so
/// `x m / 2^s = x / width + x e / (width 2^s)` exceeds `x / width` by less
/// than `1 / width`).
pub fn chunks_of(o: &mut Body, width: u64, x: &str, out: &str) -> Expr {
    if width.is_power_of_two() {
        let wl = width.trailing_zeros();
        return zx(sl(x, 31, wl), X - wl);
    }
    let (m, s) = div_constant(width);
    let pw = s + 32;
    let pn = format!("{out}_m");
    o.waive(
        "UNUSEDSIGNAL",
        "the product's low bits (below the shift) are the remainder's fraction",
        vec![crate::ir::wire(
            &pn,
            pw,
            super::build::mul(
                super::build::cat(vec![super::build::k(pw - 32, 0), n(x)]),
                super::build::k(pw, m),
            ),
        )],
    );
    o.wire(out, X, sl(&pn, s + 31, s));
    n(out)
}

/// The multiplier and shift of [`chunks_of`] for a width that is not a
/// power of two.
pub fn div_constant(width: u64) -> (u128, u32) {
    let s = 32 + (64 - (width - 1).leading_zeros());
    ((1u128 << s).div_ceil(u128::from(width)), s)
}

/// `<pre>_<field>` for each of `fields`: entry `idx` of the table (the
/// last entry for an index past it); in a loop of token blocks entry 0
/// with block `idx`'s own fields (`block_loop.rs`).
pub fn view(o: &mut Body, pre: &str, idx: Expr, fields: &[&str]) {
    let l = format!("{pre}_l");
    if !matches!(&idx, Expr::Name(s) if *s == l) {
        o.wire(&l, LB, idx);
    }
    let ent = format!("{pre}_ent");
    o.wire(&ent, LB, super::block_loop::entry(&l));
    for f in fields {
        let mut e = n(&format!("t{}_{f}", MAX_LAYERS - 1));
        for i in (0..MAX_LAYERS - 1).rev() {
            e = mux(
                eq(n(&ent), super::build::k(LB, u128::from(i))),
                n(&format!("t{i}_{f}")),
                e,
            );
        }
        o.wire(&format!("{pre}_{f}"), X, super::block_loop::field(&l, f, e));
    }
}

/// `idx < ` the chain's length (a layer index against the 32-bit count:
/// `DESC_COUNT`, or a loop's blocks).
pub fn in_chain(idx: Expr) -> Expr {
    super::build::lt(zx(idx, LB), n("chain_n"))
}

/// `idx < DESC_COUNT`: a table entry the chain loaded.
pub fn in_table(idx: Expr) -> Expr {
    super::build::lt(zx(idx, LB), n("desc_count"))
}

/// `idx + 1` as a layer index.
pub fn next(idx: &str) -> Expr {
    add(n(idx), super::build::k(LB, 1))
}

#[cfg(test)]
mod tests {
    use super::div_constant;

    /// `floor(x m / 2^s) = floor(x / width)` at the ends of the 32-bit
    /// range and around every multiple near them, for the widths of the
    /// LUT designs (multiples of 3) and others.
    #[test]
    fn constant_division_is_exact() {
        for w in [3u64, 6, 12, 24, 48, 63, 96, 100, 4095] {
            let (m, s) = div_constant(w);
            let q = |x: u64| ((u128::from(x) * m) >> s) as u64;
            let top = u64::from(u32::MAX);
            let near = (0..3).flat_map(|d| [d * w, top / w * w - d * w]);
            for base in near {
                for x in base.saturating_sub(2)..=(base + 2).min(top) {
                    assert_eq!(q(x), x / w, "width {w}, x {x}");
                }
            }
            for x in (0..top).step_by(99_991) {
                assert_eq!(q(x), x / w, "width {w}, x {x}");
            }
            assert_eq!(q(top), top / w);
        }
    }
}
