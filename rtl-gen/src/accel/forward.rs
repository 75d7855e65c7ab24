//! A chain's dependent layer in RTL: its input is an earlier layer's output
//! requantized to INT8 on chip (`chain::requant`: `clamp((a + 2^(s-1)) >>
//! s, -128, 127)`, `s = 0`: `clamp(a)`), written into the activation
//! buffer as the producer's final outputs leave the tile (no cycles
//! added), and its first tile is held until the producer is complete (the
//! engine's dependency stall).
//!
//! Flags word of a descriptor: bit 0 the input is layer `flags[18:16]`'s
//! output (an earlier layer), bits 12:8 the shift `s`; bit 1 and bits
//! 28:24 ask for INT8 outputs in memory (the write-back, `dma.rs`, with
//! [`requant_word`]). With `lanes == width` one output word (`lanes`
//! accumulators) is one input chunk of the consumer, a whole word of the
//! activation buffer; with `lanes < width` the word lands inside one or two
//! activation words, written through the column SRAMs of
//! [`super::fw_columns`]. Either needs INT8 activations (the requantized
//! bytes are the consumer's input) and a power-of-two width.

use super::build::{add, and, cat, eq, k, kx, mul, mux, n, or, sl, Body, X};
use super::params::AccelParams;
use super::table::{self, MAX_LAYERS};
use crate::ir::Expr;

/// Flags bits the top takes: the dependency bit, the input shift, the
/// producer, the INT8-output bit (2) and its shift (bits 28:24); the streamed-input
/// bit (1) is `stream_in`'s.
pub const FLAGS_MASK: u64 = 0x1F07_1F05;

/// The consumer of the layer `o_l` writes, its requantized output word, the
/// activation buffer's write port (`a_we`, `a_waddr`, `a_wdata`) and the
/// dependency hold (`dep_ok`: the start cursor's layer may start).
pub fn forward(p: &AccelParams, o: &mut Body) {
    o.note(
        "dependent layers: the producer's final outputs, requantized, into the consumer's input",
    );
    let lanes = p.arch.array.lanes;
    if !p.forwards() {
        // no forwarding: the check refuses a dependent layer (`fw_able`)
        o.wire("fw_able", 1, crate::ir::konst(1, 0));
        o.wire("a_we", 1, n("ld_full"));
        o.wire("a_waddr", X, n("ld_wa"));
        o.wire("a_wdata", p.aword_bits(), n("ld_word"));
        return;
    }
    o.wire("fw_able", 1, crate::ir::konst(1, 1));
    // the consumer of the layer the output collector is in (the first one)
    let mut hit = crate::ir::konst(1, 0);
    let mut ab = kx(0);
    let mut c = kx(0);
    let mut sh = k(5, 0);
    for j in (0..MAX_LAYERS).rev() {
        let f = format!("t{j}_flags");
        let this = and(
            and(table::in_table(k(table::LB, u128::from(j))), sl(&f, 0, 0)),
            eq(table::producer(&f), n("o_l")),
        );
        ab = mux(this.clone(), n(&format!("t{j}_ab")), ab);
        c = mux(this.clone(), n(&format!("t{j}_c")), c);
        sh = mux(this.clone(), sl(&f, 12, 8), sh);
        hit = or(this, hit);
    }
    o.wire("fw_hit", 1, hit);
    o.wire("fw_ab", X, ab);
    o.wire("fw_c", X, c);
    o.wire("fw_sh", 5, sh);
    // a final output (the group's last K tile): word (row o_m, chunk o_n / lanes)
    o.wire(
        "fw_we",
        1,
        and(and(n("t_out_valid"), n("oc_wrap")), n("fw_hit")),
    );
    if let Some(b) = super::fw_columns::column_bytes(p) {
        // lanes < width: the word's bytes into the column SRAMs
        let word = requant_word(o, "fw", "o_word", lanes, n("fw_sh"));
        o.wire("fw_wd", lanes * 8, word);
        o.wire("a_waddr", X, n("ld_wa"));
        super::fw_columns::columns(p, o, b);
        return;
    }
    let lb = lanes.trailing_zeros();
    o.wire(
        "fw_addr",
        X,
        add(
            add(n("fw_ab"), mul(n("o_m"), n("fw_c"))),
            super::build::zx(sl("o_n", X - 1, lb), X - lb),
        ),
    );
    let word = requant_word(o, "fw", "o_word", lanes, n("fw_sh"));
    o.wire("fw_word", p.aword_bits(), word);
    o.wire("a_we", 1, or(n("ld_full"), n("fw_we")));
    o.wire("a_waddr", X, mux(n("fw_we"), n("fw_addr"), n("ld_wa")));
    o.wire(
        "a_wdata",
        p.aword_bits(),
        mux(n("fw_we"), n("fw_word"), n("ld_word")),
    );
}

/// Where layer `i`'s input starts in the activation buffer: `otherwise`
/// (the loader's), or, when an earlier layer `j` reads the same producer
/// with the same shift (its input the same bytes), `t<j>_ab` (the first
/// such `j`): the forwarded words are written once, into the first
/// consumer's rows, and every later consumer of the producer reads them
/// there.
pub fn shared_ab(p: &AccelParams, i: u32, otherwise: Expr) -> Expr {
    if !p.forwards() || p.mutation == super::params::Mutation::NoSharedInput {
        return otherwise;
    }
    let fi = format!("t{i}_flags");
    let mut e = otherwise;
    for j in (0..i).rev() {
        let fj = format!("t{j}_flags");
        let same = and(
            and(sl(&fi, 0, 0), sl(&fj, 0, 0)),
            and(
                eq(table::producer(&fi), table::producer(&fj)),
                eq(sl(&fi, 12, 8), sl(&fj, 12, 8)),
            ),
        );
        e = mux(same, n(&format!("t{j}_ab")), e);
    }
    e
}

/// The `lanes` 32-bit accumulators of `word` requantized to INT8 by the
/// chain's rule with the 5-bit shift `shift` (wires `<pre>_rc`,
/// `<pre>_x<lane>`, `<pre>_q<lane>`): the bytes, lane 0 lowest.
pub fn requant_word(o: &mut Body, pre: &str, word: &str, lanes: u32, shift: Expr) -> Expr {
    let sh = format!("{pre}_s");
    o.wire(&sh, 5, shift);
    // the rounding constant 2^(s-1) (0 for s = 0)
    let mut rc = k(33, 0);
    for s in (1..32u32).rev() {
        rc = mux(eq(n(&sh), k(5, u128::from(s))), k(33, 1u128 << (s - 1)), rc);
    }
    let rcn = format!("{pre}_rc");
    o.wire(&rcn, 33, rc);
    let mut bytes = Vec::new();
    for lane in (0..lanes).rev() {
        let x = format!("{pre}_x{lane}");
        let a = sl(word, lane * 32 + 31, lane * 32);
        let msb = crate::ir::vbit(word, lanes * 32, lane * 32 + 31);
        o.wire(&x, 33, add(cat(vec![msb, a]), n(&rcn)));
        // x >>> s, saturated to INT8: in range when bits 32..s+7 all equal
        let sign = crate::ir::vbit(&x, 33, 32);
        let mut q: Expr = k(8, 0);
        for s in (0..32u32).rev() {
            let lo8 = if s + 7 <= 32 {
                sl(&x, s + 7, s)
            } else {
                cat(vec![
                    crate::ir::repeat(s + 7 - 32, sign.clone()),
                    sl(&x, 32, s),
                ])
            };
            let sat = if s + 7 >= 32 {
                lo8.clone()
            } else {
                let w = 33 - (s + 7);
                let hi = sl(&x, 32, s + 7);
                let in_range = or(eq(hi.clone(), k(w, 0)), eq(hi, k(w, (1u128 << w) - 1)));
                mux(in_range, lo8, mux(sign.clone(), k(8, 0x80), k(8, 0x7f)))
            };
            q = if s == 31 {
                sat
            } else {
                mux(eq(n(&sh), k(5, u128::from(s))), sat, q)
            };
        }
        let b = format!("{pre}_q{lane}");
        o.wire(&b, 8, q);
        bytes.push(n(&b));
    }
    cat(bytes)
}
