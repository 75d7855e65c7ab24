//! The base-3 unpacker of `ternary-packed` weights: between the weight
//! buffer's word (five trits a byte, as the engine counts them: 1.6 bits a
//! weight in DRAM and in the buffer) and the tile's `in_wgt` (2-bit codes).
//!
//! A word holds `pack_period` chunks of every lane (`params.rs`): one when
//! `lanes x width` is a multiple of 5 (`lanes x width / 5` bytes), five
//! otherwise (`lanes x width` bytes, whole bytes for any array). The
//! tile's weights are a stream in the engine's order, chunk by chunk, lane
//! by lane (`image.rs`): byte `i` holds weights `5i .. 5i + 4`, weight `5i
//! + j` as the digit `d_j = w + 1` of `Σ d_j·3^j`. Each byte is split by
//! four steps of `q = floor(x / 3)`, computed as `(x·171) >> 9` (exact for
//! `x <= 242`: `171/512 = 1/3 + 1/1536`, and `x/1536 < 1/3`), `d = x - 3q`
//! in two bits (`x[1:0] - q[1:0] - {q[0], 0}`, the digit being 0, 1 or 2),
//! the fifth digit the last quotient. A digit becomes the tile's code
//! `{d == 0, d != 1}` (−1 = 11, 0 = 00, +1 = 01).
//!
//! With five chunks a word, the word's weights are `5 x lanes` rows of
//! `width` (row `s x g + l`: chunk `s` of the word, lane `l` of a group of
//! `g` lanes); the chunk offered (`fd_c mod 5`) selects lanes' rows `s x g
//! ..`: a five-way choice for whole groups, or, where a partial last group
//! is built (`pack_rewire`), a row shifter by `s x g`. A short last chunk
//! (`K % width` elements) is element-major in its chunk (weight `(l, e)`
//! at `e x lanes + l`, so that its bytes are the engine's `lanes x (K %
//! width) / 5`), rewired to the tile's order here.

use super::build::{add, and, cat, eq, k, kx, min, mul, mux, n, ne, sl, sub, zx, Body, X};
use super::params::{addr_bits, AccelParams, Mutation};
use crate::ir::{self, Expr};

/// Bytes whose partly used wires one `pk_u<g>` gathers (so that no line of
/// the waiver grows with the word: edge-ternary's is 4,096 bytes).
const UNUSED_GROUP: u32 = 64;

/// The unpacker shifts the rows by the group's lanes (a partial last
/// group built): five-chunk words with the rewiring.
pub fn shifts(p: &AccelParams) -> bool {
    p.pack_period == 5 && p.pack_rewire && p.mutation != Mutation::PackLaneOrder
}

/// `out` (32 bits) = `floor(src / 5)` for `src` below a slot's chunks:
/// `(src·m) >> s` with `s = b + 3` and `m = ceil(2^s / 5)` on the `b` low
/// bits of `src` (exact: the error `src·(5m - 2^s) / (5·2^s) < 1/5`).
pub fn div5(p: &AccelParams, o: &mut Body, out: &str, src: &str) {
    let cb = addr_bits(p.slot_words + 1);
    let s = cb + 3;
    let m = (1u128 << s).div_ceil(5);
    let w2 = cb + s;
    let prod = format!("{out}_p");
    o.wire(
        &prod,
        w2,
        mul(cat(vec![k(w2 - cb, 0), sl(src, cb - 1, 0)]), k(w2, m)),
    );
    o.wire(out, X, zx(sl(&prod, w2 - 1, s), w2 - s));
}

/// `fd_gl_n`, `fd_gl`'s next value: the lanes of the tile starting
/// (`min(N - e_n, lanes)`, for the row shift), in the layer's feeder.
pub fn group_lanes(p: &AccelParams, o: &mut Body) {
    o.reg("fd_gl", X);
    o.wire("ec_gleft", X, sub(n("ve_n"), n("e_n")));
    o.wire("ec_gl", X, min(n("ec_gleft"), kx(p.lanes())));
    o.wire("fd_gl_n", X, mux(n("start_n"), n("ec_gl"), n("fd_gl")));
}

/// The beats of a tile's packed weights (`i_lanes` lanes, `i_krem` or
/// `i_kel` elements, five a byte, in whole beats as `params.rs` requires):
/// their count over the beat's bytes (exact: a multiple), times the
/// inverse of 5 modulo 2^32 (exact for a multiple of 5).
pub fn tile_beats(p: &AccelParams, o: &mut Body) -> Expr {
    let kb = addr_bits(p.slot_words * p.width() + 1);
    let lnb = addr_bits(p.lanes() + 1);
    o.wire("i_klen", X, mux(n("i_short"), n("i_krem"), n("i_kel")));
    o.wire(
        "i_trits",
        X,
        mul(
            zx(sl("i_klen", kb - 1, 0), kb),
            zx(sl("i_lanes", lnb - 1, 0), lnb),
        ),
    );
    let bl = p.beat_bytes().trailing_zeros();
    o.wire("i_tb", X, zx(sl("i_trits", X - 1, bl), X - bl));
    mul(n("i_tb"), kx(0xCCCC_CCCD))
}

/// The 2-bit code of the word's weight `t` (digit `t mod 5` of byte `t / 5`).
fn code(p: &AccelParams, t: u32) -> Expr {
    let j = if p.mutation == Mutation::TritOrder {
        4 - t % 5
    } else {
        t % 5
    };
    let d = n(&format!("pk{}_d{j}", t / 5));
    cat(vec![eq(d.clone(), k(2, 0)), ne(d, k(2, 1))])
}

/// The unpacker's wires: `w_un` (the tile's `in_wgt`) from `w_q`.
pub fn unpacker(p: &AccelParams, o: &mut Body) {
    o.note("ternary-packed weights: five trits a byte unpacked to the tile's 2-bit codes");
    let bytes = p.wword_bits() / 8;
    for b in 0..bytes {
        let x = |t: u32| format!("pk{b}_x{t}");
        o.wire(&x(0), 8, sl("w_q", 8 * b + 7, 8 * b));
        for t in 0..4 {
            let (m, q, d) = (
                format!("pk{b}_m{t}"),
                format!("pk{b}_q{t}"),
                format!("pk{b}_d{t}"),
            );
            o.wire(&m, 16, mul(cat(vec![k(8, 0), n(&x(t))]), k(16, 171)));
            o.wire(&q, 7, sl(&m, 15, 9));
            o.wire(
                &d,
                2,
                sub(
                    sub(sl(&x(t), 1, 0), sl(&q, 1, 0)),
                    cat(vec![ir::bit(q.clone(), 0), k(1, 0)]),
                ),
            );
            o.wire(&x(t + 1), 8, cat(vec![k(1, 0), n(&q)]));
        }
        o.wire(&format!("pk{b}_d4"), 2, sl(&x(4), 1, 0));
        // the byte's partly used wires, gathered (a short line a byte)
        let mut u: Vec<Expr> = (0..4).map(|t| n(&format!("pk{b}_m{t}"))).collect();
        u.push(n(&x(4)));
        o.wire(
            &format!("pk{b}_u"),
            1,
            ir::Expr::Unary(ir::UnOp::ReduceOr, Box::new(cat(u))),
        );
    }
    for g in 0..bytes.div_ceil(UNUSED_GROUP) {
        let v: Vec<Expr> = (g * UNUSED_GROUP..((g + 1) * UNUSED_GROUP).min(bytes))
            .map(|b| n(&format!("pk{b}_u")))
            .collect();
        o.wire(
            &format!("pk_u{g}"),
            1,
            ir::Expr::Unary(ir::UnOp::ReduceOr, Box::new(cat(v))),
        );
    }
    let (l, w) = (p.lanes() as u32, p.width() as u32);
    let rb = 2 * w;
    // rows of `width` codes: row r holds the word's weights rW .. rW + W - 1
    let rows = bytes * 5 / w;
    for r in 0..rows {
        let parts: Vec<Expr> = (0..w).rev().map(|e| code(p, r * w + e)).collect();
        o.wire(&format!("pk_r{r}"), rb, cat(parts));
    }
    let lane_rows = |o: &mut Body, f: &dyn Fn(u32) -> String| {
        let v: Vec<Expr> = (0..l).rev().map(|lane| n(&f(lane))).collect();
        o.wire("w_blk", l * rb, cat(v));
    };
    if p.pack_period == 1 {
        lane_rows(o, &|lane| format!("pk_r{lane}"));
    } else {
        // the offered chunk within its word
        div5(p, o, "pk_cq", "fd_c");
        o.wire("pk_phx", X, sub(n("fd_c"), mul(n("pk_cq"), kx(5))));
        o.wire("pk_ph", 3, sl("pk_phx", 2, 0));
        if shifts(p) {
            // rows shifted down by s x g (g: the group's lanes)
            o.wire("pk_off", X, mul(zx(n("pk_ph"), 3), n("fd_gl")));
            let sb = addr_bits(u64::from(rows));
            // the rows each stage must produce: the lanes at the last, and
            // what those read (a row and the one 2^j on) before
            let mut need = vec![vec![false; rows as usize]; sb as usize + 1];
            for lane in 0..l {
                need[sb as usize][lane as usize] = true;
            }
            for j in (0..sb).rev() {
                for i in 0..rows {
                    if need[j as usize + 1][i as usize] {
                        need[j as usize][i as usize] = true;
                        let from = i + (1 << j);
                        if from < rows {
                            need[j as usize][from as usize] = true;
                        }
                    }
                }
            }
            let mut prev: Vec<String> = (0..rows).map(|r| format!("pk_r{r}")).collect();
            for j in 0..sb {
                let mut cur = Vec::with_capacity(rows as usize);
                for i in 0..rows {
                    let nm = format!("pk_s{j}_{i}");
                    if !need[j as usize + 1][i as usize] {
                        cur.push(nm);
                        continue;
                    }
                    let from = i + (1 << j);
                    let moved = if from < rows {
                        n(&prev[from as usize])
                    } else {
                        k(rb, 0)
                    };
                    o.wire(
                        &nm,
                        rb,
                        mux(ir::bit("pk_off", j), moved, n(&prev[i as usize])),
                    );
                    cur.push(nm);
                }
                prev = cur;
            }
            let last = prev;
            lane_rows(o, &|lane| last[lane as usize].clone());
        } else {
            // a whole group: lane l of chunk s is row s x lanes + l (broken:
            // row 5l + s)
            let wrong = p.mutation == Mutation::PackLaneOrder;
            for lane in 0..l {
                let row = |s: u32| {
                    if wrong {
                        5 * lane + s
                    } else {
                        s * l + lane
                    }
                };
                let mut e = n(&format!("pk_r{}", row(4)));
                for s in (0..4).rev() {
                    e = mux(
                        eq(n("pk_ph"), k(3, u128::from(s))),
                        n(&format!("pk_r{}", row(s))),
                        e,
                    );
                }
                o.wire(&format!("pk_l{lane}"), rb, e);
            }
            lane_rows(o, &|lane| format!("pk_l{lane}"));
        }
    }
    if p.pack_rewire && w > 1 {
        // the short last chunk of the layer: element-major in its chunk
        let wl = w.trailing_zeros();
        o.wire(
            "pk_short",
            1,
            and(
                eq(add(add(n("fd_kb"), n("fd_c")), kx(1)), n("vd_c")),
                ne(sl("vd_k", wl - 1, 0), k(wl, 0)),
            ),
        );
        let mut lanes = Vec::with_capacity(l as usize);
        for lane in (0..l).rev() {
            let parts: Vec<Expr> = (0..w)
                .rev()
                .map(|e| {
                    let src = (e * l + lane) * 2;
                    sl("w_blk", src + 1, src)
                })
                .collect();
            let nm = format!("pk_em{lane}");
            o.wire(&nm, rb, cat(parts));
            lanes.push(n(&nm));
        }
        o.wire("pk_em", l * rb, cat(lanes));
        o.wire(
            "w_un",
            p.tile.in_wgt_bits(),
            mux(n("pk_short"), n("pk_em"), n("w_blk")),
        );
    } else {
        o.wire("w_un", p.tile.in_wgt_bits(), n("w_blk"));
    }
}

/// The names the unpacker leaves partly unused (the products' low bits
/// and the last quotient's high bits, gathered in `pk_u<g>`; a five-chunk
/// word's arithmetic) and the
/// group's lane count, constant with whole groups: for the top's
/// `UNUSEDSIGNAL` waiver.
pub fn waived(p: &AccelParams) -> Vec<Expr> {
    let bytes = p.wword_bits() / 8;
    let mut v = vec![n("i_lanes"), n("i_cbeats"), n("i_trits"), n("i_klen")];
    for g in 0..bytes.div_ceil(UNUSED_GROUP) {
        v.push(n(&format!("pk_u{g}")));
    }
    if p.pack_period == 5 {
        v.extend([n("fd_word_n_p"), n("pk_cq_p"), n("pk_cq"), n("pk_phx")]);
    }
    if shifts(p) {
        v.push(n("pk_off"));
    }
    if p.pack_rewire {
        v.push(n("vd_k"));
    }
    v
}
