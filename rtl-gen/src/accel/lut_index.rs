//! The LUT datapath's stored group indices on the accelerator top: the
//! engine counts a signfold LUT's weights as one table index a group of `g`
//! (`sim::datapath::lut::LutShape::index_bits`: a negate bit and
//! `ceil(log2((3^g + 1) / 2))` entry bits, 5 bits for `g = 3`, 7 for
//! `g = 4`; `index = "aligned"` rounds it up to a power of two), in DRAM and
//! in the weight buffer. Where that is not the tile's codes' bits (`2g`),
//! the top stores the indices and an index decoder between the weight
//! buffer's word and the tile's `in_wgt` turns each group's index back
//! into its `g` 2-bit codes, which the tile's lane encodes into its lookup
//! index again (the tile keeps its common codes contract).
//!
//! The index of a group (`sim::datapath::lut::signfold_index`): the
//! pattern number `v = Σ (w_j + 1)·3^j`, `mid = (3^g − 1) / 2`; entry
//! `e = |v − mid|`, negate bit `v < mid`. Stored as the tile's lookup
//! index, the negate bit above the entry bits (`{neg, e}`, the entry in the
//! low bits), zero-padded to the stored width. In the word (one chunk of
//! every lane) group `k` of lane `l` is field `l x (width / g) + k`, field
//! `f` at bits `f x index_bits ..` (least significant first, as the
//! engine's bytes: `ceil(lanes x ceil(K / g) x index_bits / 8)` a tile).
//! A short last chunk's partial last group (`K % width` not a multiple of
//! `g`) is a whole index of the group with its missing weights 0, as the
//! bit-exact model pads the chunk.
//!
//! The decoder of a field: the entry selects its stored pattern, a
//! constant (`signfold_pattern`: the patterns whose highest nonzero weight
//! is +1), and the negate bit flips the sign of every nonzero code
//! (`{s ^ neg, z}` for the code `{s, z}` = −1 `11`, 0 `00`, +1 `01`).

use super::build::{cat, eq, k, mux, n, sl, Body};
use super::params::{AccelParams, Mutation};
use crate::ir::{self, Expr};
use sim::arch::{ArrayConfig, Reduction};
use sim::datapath::lut::{signfold_pattern, LutShape, TableKind};
use workloads::Precision;

/// The stored index format of a LUT top that keeps indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LutIndex {
    /// Weights a group.
    pub g: u32,
    /// Groups of a chunk (`width / g`).
    pub groups: u32,
    /// Stored bits of a group's index (the engine's `index_bits`).
    pub bits: u32,
    /// Bits of the lookup index (`{neg, e}`), the low bits of a field.
    pub lookup_bits: u32,
    /// Stored entries of a table.
    pub entries: u32,
}

impl LutIndex {
    /// The stored index format of `a` when the top keeps indices: a
    /// signfold LUT whose group index is not as many bits as its codes
    /// (`None` otherwise: the top stores the tile's codes).
    pub fn of(a: &ArrayConfig) -> Option<LutIndex> {
        if a.reduction != Reduction::Lut || a.weights != Precision::Ternary {
            return None;
        }
        let s = LutShape::of(a);
        (s.kind == TableKind::Signfold && s.index_bits != 2 * s.g).then_some(LutIndex {
            g: s.g,
            groups: s.groups,
            bits: s.index_bits,
            lookup_bits: s.lookup_index_bits,
            entries: s.entries,
        })
    }

    /// Bits of one lane's chunk in the word.
    pub fn lane_bits(&self) -> u64 {
        u64::from(self.groups) * u64::from(self.bits)
    }
}

impl AccelParams {
    /// The stored index format when the top keeps the LUT's group indices
    /// (decoded in front of the tile, [`LutIndex`]).
    pub fn lut_index(&self) -> Option<LutIndex> {
        LutIndex::of(&self.arch.array)
    }
}

/// The stored value of a group's index: `{neg, e}` (the tile's lookup
/// index, zero-padded to the stored bits).
pub fn field(ix: &LutIndex, (neg, e): (bool, u32)) -> u64 {
    (u64::from(neg) << (ix.lookup_bits - 1)) | u64::from(e)
}

/// The decoder's wires: `w_dx` (the tile's `in_wgt`, 2-bit codes) from the
/// weight buffer's word `w_q`. One wire a lane (`lx<l>`), the decoded
/// codes of each field `lx<l>_<k>`.
pub fn decoder(p: &AccelParams, ix: &LutIndex, o: &mut Body) {
    o.note(&format!(
        "LUT group indices: {} bits a group of {} ternary weights decoded to the tile's 2-bit codes",
        ix.bits, ix.g
    ));
    let (g, eb) = (ix.g, ix.lookup_bits - 1);
    // ignoring the negate bit decodes every group as its stored pattern
    let fold = p.mutation != Mutation::IndexSign;
    let mut lanes = Vec::new();
    for lane in (0..p.lanes() as u32).rev() {
        let mut fields = Vec::new();
        for kk in (0..ix.groups).rev() {
            let f = lane * ix.groups + kk;
            let lo = f * ix.bits;
            let (e, ng, pat, c) = (
                format!("lx{lane}_{kk}_e"),
                format!("lx{lane}_{kk}_n"),
                format!("lx{lane}_{kk}_p"),
                format!("lx{lane}_{kk}"),
            );
            o.wire(&e, eb, sl("w_q", lo + eb - 1, lo));
            o.wire(&ng, 1, ir::bit("w_q".to_string(), lo + eb));
            // the entry's stored pattern: a constant a entry (the last for
            // an entry past the table, as the tile's lookup reads it)
            let mut acc = k(2 * g, pattern_codes(ix.entries - 1, g));
            for en in (0..ix.entries - 1).rev() {
                acc = mux(
                    eq(n(&e), k(eb, u128::from(en))),
                    k(2 * g, pattern_codes(en, g)),
                    acc,
                );
            }
            o.wire(&pat, 2 * g, acc);
            // the negate: the sign bit of every nonzero code flipped
            let codes: Vec<Expr> = (0..g)
                .rev()
                .flat_map(|j| {
                    let (s, z) = (2 * j + 1, 2 * j);
                    let sign = if fold {
                        ir::bin(
                            ir::BinOp::Xor,
                            ir::bit(pat.clone(), s),
                            super::build::and(n(&ng), ir::bit(pat.clone(), z)),
                        )
                    } else {
                        ir::bit(pat.clone(), s)
                    };
                    [sign, ir::bit(pat.clone(), z)]
                })
                .collect();
            o.wire(&c, 2 * g, cat(codes));
            fields.push(n(&c));
        }
        let ln = format!("lx{lane}");
        o.wire(&ln, ix.groups * 2 * g, cat(fields));
        lanes.push(n(&ln));
    }
    o.wire("w_dx", p.tile.in_wgt_bits(), cat(lanes));
}

/// The 2-bit codes of signfold entry `e` of a `g`-group, weight `j` at
/// bits `2j + 1 .. 2j` (`{s, z}`).
fn pattern_codes(e: u32, g: u32) -> u128 {
    signfold_pattern(e, g)
        .iter()
        .enumerate()
        .map(|(j, &w)| {
            let c: u128 = match w {
                1 => 0b01,
                -1 => 0b11,
                _ => 0b00,
            };
            c << (2 * j)
        })
        .sum()
}

/// The names the decoder leaves partly unused (the negate bit under
/// [`Mutation::IndexSign`]; an aligned field's padding bits are never
/// named): for the top's `UNUSEDSIGNAL` waiver.
pub fn waived(p: &AccelParams, ix: &LutIndex) -> Vec<Expr> {
    let mut v = Vec::new();
    if p.mutation == Mutation::IndexSign {
        for lane in 0..p.lanes() as u32 {
            for kk in 0..ix.groups {
                v.push(n(&format!("lx{lane}_{kk}_n")));
            }
        }
    }
    if ix.bits > ix.lookup_bits {
        v.push(n("w_q"));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::datapath::lut::signfold_index;

    /// Every ternary group of 3 and 4: the stored entry's pattern,
    /// negated under the negate bit, is the group (the decoder inverts
    /// the engine's index).
    #[test]
    fn patterns_invert_the_index() {
        for g in [2u32, 3, 4] {
            for v in 0..3u32.pow(g) {
                let ws: Vec<i64> = (0..g)
                    .map(|j| i64::from((v / 3u32.pow(j)) % 3) - 1)
                    .collect();
                let (neg, e) = signfold_index(&ws);
                let codes = pattern_codes(e, g);
                for (j, &w) in ws.iter().enumerate() {
                    let c = (codes >> (2 * j)) & 3;
                    let (s, z) = (c >> 1, c & 1);
                    let s = s ^ (u128::from(neg) & z);
                    let got = if z == 0 {
                        0
                    } else if s == 1 {
                        -1
                    } else {
                        1
                    };
                    assert_eq!(got, w, "g {g} pattern {v} weight {j}");
                }
            }
        }
    }
}
