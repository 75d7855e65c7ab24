//! The beat-to-word assemblers of the read-data router: a shifting one
//! (`gearbox`) and a positional one (`posbox`) for words cut short at the
//! end of a row or tile.

use crate::accel::build::{
    add, and, cat, eq, k, kx, mux, n, not, set, sl, when, when_else, Body, X,
};
use crate::accel::params::AccelParams;
use crate::ir::{Expr, Stmt};

/// A beat-to-word assembler: `<pre>_word` is the word the beat completes
/// (`<pre>_full`), from earlier beats kept in `<pre>_st`; `hit` says a beat
/// for it is on the bus. Returns the statements that advance it.
pub(in crate::accel) fn gearbox(
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
pub(super) fn posbox(
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
