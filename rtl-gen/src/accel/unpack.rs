//! The base-3 unpacker of `ternary-packed` weights: between the weight
//! buffer's word (`lanes x width / 5` bytes, five trits a byte, as the
//! engine counts them: 1.6 bits a weight in DRAM and in the buffer) and the
//! tile's `in_wgt` (2-bit codes).
//!
//! Byte `i` holds weights `5i .. 5i + 4` of the chunk's stream (code
//! `(lane, element)` at `lane x width + element`), weight `5i + j` as the
//! digit `d_j = w + 1` of `Σ d_j·3^j`. Each byte is split by four steps of
//! `q = floor(x / 3)`, computed as `(x·171) >> 9` (exact for `x <= 242`:
//! `171/512 = 1/3 + 1/1536`, and `x/1536 < 1/3`), `d = x - 3q` in two bits
//! (`x[1:0] - q[1:0] - {q[0], 0}`, the digit being 0, 1 or 2), the fifth
//! digit the last quotient. A digit becomes the tile's code
//! `{d == 0, d != 1}` (−1 = 11, 0 = 00, +1 = 01).

use super::build::{cat, k, mul, n, sl, sub, Body};
use super::params::AccelParams;
use crate::ir::{self, Expr};

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
    }
    // codes from the highest (bit 2 x codes - 1) down
    let mut codes = Vec::new();
    let flip = p.mutation == super::params::Mutation::TritOrder;
    for i in (0..bytes * 5).rev() {
        let j = if flip { 4 - i % 5 } else { i % 5 };
        let d = n(&format!("pk{}_d{j}", i / 5));
        codes.push(super::build::eq(d.clone(), k(2, 0)));
        codes.push(super::build::ne(d, k(2, 1)));
    }
    o.wire("w_un", p.tile.in_wgt_bits(), cat(codes));
}

/// The names the unpacker leaves partly unused (the products' low bits,
/// the last quotient's high bits) and the group's lane count, constant
/// with whole groups: for the top's `UNUSEDSIGNAL` waiver.
pub fn waived(p: &AccelParams) -> Vec<Expr> {
    let bytes = p.wword_bits() / 8;
    let mut v = vec![n("i_lanes")];
    for b in 0..bytes {
        for t in 0..4 {
            v.push(n(&format!("pk{b}_m{t}")));
        }
        v.push(n(&format!("pk{b}_x4")));
    }
    v
}
