//! The respacing of a short last chunk in a partial last group (with the
//! weight gearbox). A tile's short last chunk (`K % width` elements) is
//! stored element-major, so that its codes are the engine's bytes: row `e`
//! (element `e`, or with LUT group indices group `e`, of each of the
//! group's lanes) after row `e - 1`. In a partial last group of `rest`
//! lanes a row is `rest` codes, so row `e` starts at bit `e x rest x cb` of
//! the word (`cb` the code's, or the index's, bits); the element-major
//! rewiring (`router.rs`) takes rows of every lane's codes. The respacer
//! moves row `e` to bit `e x lanes x cb` (a shift a row by a multiple of
//! the slot's lanes, `sn<s>`), the lanes past `rest` of each row being the
//! next row's codes (their outputs are not kept, as in any word of a
//! partial group). For a whole group (`rest = lanes`) it is the identity.

use crate::accel::build::{cat, kx, mul, n, sl, zx, Body, X};
use crate::accel::params::{addr_bits, AccelParams, Mutation};
use crate::ir::{part, Expr};

impl AccelParams {
    /// The respacer of a partial group's short chunk is built: with the
    /// weight gearbox and the short chunk's rewiring (a short chunk and a
    /// partial group in one layer).
    pub fn short_rows(&self) -> bool {
        self.wgear() && self.short_chunk
    }

    /// Rows of a short chunk's word and the bits of one lane's code in a
    /// row: the width's elements of `W`-bit codes, or the LUT's groups of
    /// stored indices.
    pub fn short_row_shape(&self) -> (u32, u32) {
        self.lut_index()
            .map_or((self.width() as u32, self.tile.wgt_bits), |ix| {
                (ix.groups, ix.bits)
            })
    }

    /// Bits of a slot's lanes register (`sn<s>`: up to `lanes`).
    pub fn lanes_bits(&self) -> u32 {
        addr_bits(self.lanes() + 1)
    }
}

/// The respaced word `<out>` of the word `word` whose rows are `sn` lanes
/// apart (`sn` the slot's lanes register): row `e` of the result at bit
/// `e x lanes x cb`, read from bit `e x sn x cb` of the word.
pub fn respace(p: &AccelParams, o: &mut Body, word: &str, sn: &str, out: &str) {
    let (rows, cb) = p.short_row_shape();
    let l = p.lanes() as u32;
    let (wb, rb) = (p.wword_bits(), l * cb);
    // the word with a row of zeros above it (the last rows' reads)
    let ext = format!("{out}_x");
    o.wire(
        &ext,
        wb + rb,
        cat(vec![crate::accel::build::k(rb, 0), n(word)]),
    );
    // (broken: the rows read at every lane's stride)
    let stride: Expr = if p.mutation == Mutation::ShortRowsStride {
        kx(u64::from(l))
    } else {
        zx(sl(sn, p.lanes_bits() - 1, 0), p.lanes_bits())
    };
    o.wire(&format!("{out}_n"), X, stride);
    let mut parts = Vec::with_capacity(rows as usize);
    for e in (0..rows).rev() {
        let row = format!("{out}_r{e}");
        let at = if e == 0 {
            kx(0)
        } else {
            mul(n(&format!("{out}_n")), kx(u64::from(e * cb)))
        };
        o.wire(&row, rb, part(ext.clone(), at, rb));
        parts.push(n(&row));
    }
    o.wire(out, rows * rb, cat(parts));
}

/// The value of a slot's lanes register `sn<s>` (the `p.lanes_bits()`
/// bits of `i_lanes`, the transfer's group's lanes), set with the slot.
pub fn lanes_of(p: &AccelParams) -> Expr {
    sl("i_lanes", p.lanes_bits() - 1, 0)
}
