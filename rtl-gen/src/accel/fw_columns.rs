//! Forwarding when `lanes < width`: the activation buffer as column SRAMs.
//!
//! A producer's output word is `lanes` INT8 values (requantized
//! accumulators), features `o_n .. o_n + lanes` of a row; in the
//! consumer's input row they are elements `o_n ..`, which start at byte
//! `o_n % width` of activation word `o_n / width` and, when `lanes` does
//! not divide `width`, run on into the next word. One write of the
//! one-port SRAM cannot place that, so on these designs the activation
//! buffer is `width / b` column SRAMs of `b = gcd(lanes, width)` bytes
//! each (the one SRAM wrapper, `sram.rs`, `b x 8` bits a word), every
//! column with its own write port and all read at the feeder's address
//! (their words side by side are the activation word). An output word
//! covers `lanes / b` consecutive columns from column `(o_n % width) / b`,
//! those past the last column wrapping to the next word's first columns
//! at the next address; every column is written in the same cycle, so
//! the forwarding adds no cycles, as with `lanes = width`. The row's last
//! output word also writes zeros into the rest of its words (the padding
//! of a short last chunk, multiplied by zero weights: defined, not stale
//! or unknown data).
//!
//! Taken: `width` a power of two and `lanes < width` (so `b` and the
//! column count are powers of two too); `lanes > width` (a word over more
//! than two activation words, several bytes a column) is not built.

use super::build::{add, and, cat, eq, k, kx, le, lt, mux, n, or, sl, zx, Body, X};
use super::params::{addr_bits, AccelParams, Mutation};
use crate::ir::{Expr, Item};

/// Bytes of a column SRAM's word: `gcd(lanes, width)` when the top
/// forwards on a design with `lanes < width`; `None`: one SRAM of whole
/// activation words.
pub fn column_bytes(p: &AccelParams) -> Option<u64> {
    let (l, w) = (p.lanes(), p.width());
    (p.forwards() && l < w).then(|| gcd(l, w))
}

/// Bits of the activation buffer's SRAM wrapper's word (a column's, or
/// the activation word's).
pub fn sram_bits(p: &AccelParams) -> u32 {
    column_bytes(p).map_or(p.aword_bits(), |b| b as u32 * 8)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The columns' write ports (`ac<j>_we`, `ac<j>_waddr`, `ac<j>_wdata`):
/// the forwarded word (`fw_we`, `fw_ab`, `fw_c`, the requantized bytes
/// `fw_wd`) or the input loader's whole words (`ld_full`, `ld_wa`,
/// `ld_word`).
pub fn columns(p: &AccelParams, o: &mut Body, b: u64) {
    let (lanes, width) = (p.lanes(), p.width());
    let ncol = width / b;
    let lc = lanes / b;
    let cb = ncol.trailing_zeros();
    let wl = width.trailing_zeros();
    let bl = b.trailing_zeros();
    let cw = b as u32 * 8;
    // the word and column the output word starts at
    o.wire(
        "fw_w0",
        X,
        add(
            add(n("fw_ab"), super::build::mul(n("o_m"), n("fw_c"))),
            zx(sl("o_n", X - 1, wl), X - wl),
        ),
    );
    let off = if p.mutation == Mutation::ForwardOffset {
        k(cb, 0)
    } else {
        sl("o_n", wl - 1, bl)
    };
    o.wire("fw_off", cb, off);
    // it runs on into the next word; it is the row's last
    o.wire("fw_str", 1, lt(kx(ncol), add(zx(n("fw_off"), cb), kx(lc))));
    o.wire("fw_last", 1, eq(add(n("o_n"), kx(lanes)), n("vo_n")));
    // the bytes rotated to the columns: column j takes the word's bytes
    // from ((j - off) mod ncol) x b, zeros past the word
    let rot_of = |r: u64| {
        let mut parts = Vec::new();
        for j in (0..ncol).rev() {
            let rel = (j + ncol - r) % ncol;
            parts.push(if rel < lc {
                let lo = (rel * b * 8) as u32;
                sl("fw_wd", lo + cw - 1, lo)
            } else {
                k(cw, 0)
            });
        }
        cat(parts)
    };
    let mut rot = rot_of(ncol - 1);
    for r in (0..ncol - 1).rev() {
        rot = mux(eq(n("fw_off"), k(cb, u128::from(r))), rot_of(r), rot);
    }
    o.wire("fw_rot", p.aword_bits(), rot);
    let mut addrs = Vec::new();
    for j in 0..ncol {
        let jk = k(cb, u128::from(j));
        // the column is at or past the word's first (in the word w0)
        let here = if j + 1 == ncol {
            crate::ir::konst(1, 1)
        } else {
            le(n("fw_off"), jk.clone())
        };
        // the column holds one of the word's bytes: (j - off) mod ncol < lc
        // (in cb bits; lc < ncol as lanes < width)
        let cov = lt(super::build::sub(jk, n("fw_off")), k(cb, u128::from(lc)));
        let fill = and(n("fw_last"), or(here.clone(), n("fw_str")));
        let we = format!("acf{j}_we");
        o.wire(&we, 1, and(n("fw_we"), or(cov, fill)));
        let fa = mux(here, n("fw_w0"), add(n("fw_w0"), kx(1)));
        let lo = j as u32 * cw;
        o.wire(&format!("ac{j}_we"), 1, or(n("ld_full"), n(&we)));
        o.wire(&format!("ac{j}_waddr"), X, mux(n(&we), fa, n("ld_wa")));
        o.wire(
            &format!("ac{j}_wdata"),
            cw,
            mux(
                n(&we),
                sl("fw_rot", lo + cw - 1, lo),
                sl("ld_word", lo + cw - 1, lo),
            ),
        );
        addrs.push(n(&format!("ac{j}_waddr")));
    }
    // the buffer takes the addresses' low bits
    o.waive(
        "UNUSEDSIGNAL",
        "the columns take the write addresses' low bits",
        vec![crate::ir::wire(
            "unused_acw",
            1,
            crate::ir::reduce_or(Expr::Concat(addrs)),
        )],
    );
}

/// The activation buffer's instances: `u_abuf` (one SRAM of activation
/// words) or the columns `u_abuf<j>` ([`column_bytes`]), read with `re`
/// at `raddr` into `a_q`.
pub fn act_buffer(p: &AccelParams, o: &mut Body, re: Expr, raddr: Expr) {
    let inst = |nm: String, q: Expr, we: &str, wa: Expr, wd: &str| Item::Instance {
        module: p.sram("a"),
        name: nm,
        conns: vec![
            ("clk".to_string(), n("clk")),
            ("re".to_string(), re.clone()),
            ("raddr".to_string(), raddr.clone()),
            ("q".to_string(), q),
            ("we".to_string(), n(we)),
            ("waddr".to_string(), wa),
            ("wdata".to_string(), n(wd)),
        ],
    };
    let aab = addr_bits(p.act_words);
    let Some(b) = column_bytes(p) else {
        o.items.push(inst(
            "u_abuf".into(),
            n("a_q"),
            "a_we",
            sl("a_waddr", aab - 1, 0),
            "a_wdata",
        ));
        return;
    };
    let ncol = p.width() / b;
    let cw = b as u32 * 8;
    let mut qs = Vec::new();
    for j in 0..ncol {
        let q = format!("ac{j}_q");
        o.items.push(crate::ir::wire_decl(&q, cw));
        o.items.push(inst(
            format!("u_abuf{j}"),
            n(&q),
            &format!("ac{j}_we"),
            sl(&format!("ac{j}_waddr"), aab - 1, 0),
            &format!("ac{j}_wdata"),
        ));
        qs.push(n(&q));
    }
    qs.reverse();
    o.assign("a_q", cat(qs));
}
