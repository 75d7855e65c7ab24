//! Statistics of a ternary tensor as a design's lanes see it.
//!
//! A weight matrix of `N` output features by `K` inputs runs on `lanes`
//! lanes, `width` inputs a chunk: lane `l` of lane group `g` holds row
//! `g*lanes + l` and takes its `K` weights `width` at a time, chunk after
//! chunk. Measured per tensor:
//! * the counts of `0`, `+1` and `−1` (zero share, balance);
//! * the distribution of nonzeros per chunk (`width + 1` bins), what zero
//!   gating switches off chunk by chunk;
//! * per lane group, the nonzeros of its densest lane: with zero skipping a
//!   group's lanes run in lockstep, so the group takes as many chunks as its
//!   densest lane's compacted weights need;
//! * toggle activity: the bits of the 2-bit tile code (`+1` = `01`, `−1` =
//!   `11`, `0` = `00`) that flip in a lane's weight register between
//!   consecutive chunks of its row.
//!
//! Rows are processed in parallel by lane groups and the integer counts
//! summed in group order, so results do not depend on the thread count.

use super::decode::{TernaryTensor, TILE_CODE};
use super::error::WeightsErrorKind as K;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The lane geometry statistics are taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneGeometry {
    /// Lanes (rows at once).
    pub lanes: u32,
    /// Inputs per chunk.
    pub width: u32,
}

/// The measured statistics of one ternary tensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorStats {
    /// Rows (`N`).
    pub rows: u64,
    /// Columns (`K`).
    pub cols: u64,
    /// The geometry.
    pub geometry: LaneGeometry,
    /// Zero weights.
    pub zeros: u64,
    /// `+1` weights.
    pub plus: u64,
    /// `−1` weights.
    pub minus: u64,
    /// Chunks (lane x K chunk) by their number of nonzeros, `0..=width`.
    pub chunk_nonzeros: Vec<u64>,
    /// Σ over lane groups of the nonzeros of the group's densest row.
    pub densest_lane_nonzeros: u64,
    /// Lane groups (`ceil(N / lanes)`).
    pub lane_groups: u64,
    /// Bits of the 2-bit code that flip between consecutive chunks of a row.
    pub toggles: u64,
    /// Bits compared for toggles.
    pub toggle_bits: u64,
    /// Σ of the TQ1_0/TQ2_0 block scales (for their mean), and their count.
    pub block_scale_sum: f64,
    /// Number of block scales.
    pub block_scales: u64,
}

impl TensorStats {
    /// All weights.
    pub fn count(&self) -> u64 {
        self.zeros + self.plus + self.minus
    }

    /// Share of zero weights.
    pub fn zero_share(&self) -> f64 {
        ratio(self.zeros, self.count())
    }

    /// `(plus − minus) / (plus + minus)`: 0 when balanced.
    pub fn balance(&self) -> f64 {
        let nz = self.plus + self.minus;
        if nz == 0 {
            0.0
        } else {
            (self.plus as f64 - self.minus as f64) / nz as f64
        }
    }

    /// The compacted reduction length zero skipping runs, as a share of
    /// `K`: the mean over lane groups of the densest lane's nonzeros / `K`.
    pub fn densest_lane_share(&self) -> f64 {
        ratio(self.densest_lane_nonzeros, self.lane_groups * self.cols)
    }

    /// Share of the weight register's bits that flip from chunk to chunk.
    pub fn toggle_rate(&self) -> f64 {
        ratio(self.toggles, self.toggle_bits)
    }

    /// Share of chunks without a single nonzero weight.
    pub fn empty_chunk_share(&self) -> f64 {
        let total: u64 = self.chunk_nonzeros.iter().sum();
        ratio(self.chunk_nonzeros.first().copied().unwrap_or(0), total)
    }

    /// Mean of the block scales, when the layout has them.
    pub fn mean_block_scale(&self) -> Option<f64> {
        (self.block_scales > 0).then(|| self.block_scale_sum / self.block_scales as f64)
    }

    fn empty(rows: u64, cols: u64, g: LaneGeometry) -> TensorStats {
        TensorStats {
            rows,
            cols,
            geometry: g,
            zeros: 0,
            plus: 0,
            minus: 0,
            chunk_nonzeros: vec![0; g.width as usize + 1],
            densest_lane_nonzeros: 0,
            lane_groups: 0,
            toggles: 0,
            toggle_bits: 0,
            block_scale_sum: 0.0,
            block_scales: 0,
        }
    }

    fn merge(&mut self, o: &TensorStats) {
        self.zeros += o.zeros;
        self.plus += o.plus;
        self.minus += o.minus;
        for (a, b) in self.chunk_nonzeros.iter_mut().zip(&o.chunk_nonzeros) {
            *a += b;
        }
        self.densest_lane_nonzeros += o.densest_lane_nonzeros;
        self.lane_groups += o.lane_groups;
        self.toggles += o.toggles;
        self.toggle_bits += o.toggle_bits;
        self.block_scale_sum += o.block_scale_sum;
        self.block_scales += o.block_scales;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The statistics of one row's trits (`row`), added to `s`; returns the
/// row's nonzeros.
pub fn add_row(s: &mut TensorStats, row: &[i8]) -> u64 {
    let width = s.geometry.width.max(1) as usize;
    let mut nnz_row = 0u64;
    for (c, chunk) in row.chunks(width).enumerate() {
        let mut nnz = 0usize;
        for (j, &q) in chunk.iter().enumerate() {
            match q {
                0 => s.zeros += 1,
                1 => s.plus += 1,
                _ => s.minus += 1,
            }
            nnz += usize::from(q != 0);
            if c > 0 {
                let prev = row[(c - 1) * width + j];
                let a = TILE_CODE[(q + 1) as usize];
                let b = TILE_CODE[(prev + 1) as usize];
                s.toggles += u64::from((a ^ b).count_ones());
                s.toggle_bits += 2;
            }
        }
        s.chunk_nonzeros[nnz] += 1;
        nnz_row += nnz as u64;
    }
    nnz_row
}

/// The statistics of one row's tile codes (`codes`), added to `s`; the
/// same counts as [`add_row`], in loops the compiler vectorizes. Returns
/// the row's nonzeros.
pub fn add_codes(s: &mut TensorStats, codes: &[u8]) -> u64 {
    let width = s.geometry.width.max(1) as usize;
    let mut nnz_row = 0u64;
    for chunk in codes.chunks(width) {
        let nnz: u32 = chunk.iter().map(|&c| u32::from(c & 1)).sum();
        s.chunk_nonzeros[nnz as usize] += 1;
        nnz_row += u64::from(nnz);
    }
    let minus: u64 = codes
        .chunks(1 << 16)
        .map(|p| u64::from(p.iter().map(|&c| u32::from(c >> 1)).sum::<u32>()))
        .sum();
    let n = codes.len() as u64;
    s.zeros += n - nnz_row;
    s.minus += minus;
    s.plus += nnz_row - minus;
    if codes.len() > width {
        let (now, before) = (&codes[width..], &codes[..codes.len() - width]);
        let flips: u64 = now
            .chunks(1 << 16)
            .zip(before.chunks(1 << 16))
            .map(|(a, b)| {
                u64::from(
                    a.iter()
                        .zip(b)
                        .map(|(&x, &y)| {
                            let v = x ^ y;
                            u32::from((v & 1) + (v >> 1))
                        })
                        .sum::<u32>(),
                )
            })
            .sum();
        s.toggles += flips;
        s.toggle_bits += 2 * (n - width as u64);
    }
    nnz_row
}

/// Measures `t` for geometry `g`. Errors carry the byte offset of a bad code.
pub fn measure(t: &TernaryTensor<'_>, g: LaneGeometry) -> Result<TensorStats, (u64, K)> {
    let lanes = g.lanes.max(1) as usize;
    let (rows, cols) = (t.rows, t.cols);
    let groups: Vec<usize> = (0..rows.div_ceil(lanes)).collect();
    let parts: Vec<Result<TensorStats, (u64, K)>> = groups
        .par_iter()
        .map(|&gi| {
            let mut s = TensorStats::empty(0, 0, g);
            let mut buf = vec![0u8; cols];
            let mut densest = 0u64;
            for r in gi * lanes..((gi + 1) * lanes).min(rows) {
                t.codes_row(r, &mut buf)?;
                densest = densest.max(add_codes(&mut s, &buf));
                for d in t.block_scales(r) {
                    s.block_scale_sum += f64::from(d);
                    s.block_scales += 1;
                }
            }
            s.densest_lane_nonzeros = densest;
            s.lane_groups = 1;
            Ok(s)
        })
        .collect();
    let mut total = TensorStats::empty(rows as u64, cols as u64, g);
    for p in parts {
        total.merge(&p?);
    }
    Ok(total)
}

/// The toggle rate of i.i.d. ternary weights with zero share `z` and
/// balanced signs under the tile code: bit 0 (nonzero) flips with
/// probability `2z(1−z)`, bit 1 (negative, probability `p = (1−z)/2`) with
/// `2p(1−p)`; the mean of the two. The unmeasured model's reference.
pub fn iid_toggle_rate(z: f64) -> f64 {
    let p = (1.0 - z) / 2.0;
    (2.0 * z * (1.0 - z) + 2.0 * p * (1.0 - p)) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_by_hand() {
        let g = LaneGeometry { lanes: 1, width: 2 };
        let mut s = TensorStats::empty(1, 4, g);
        // chunks [+1, 0] and [-1, -1]: codes 01 00 | 11 11
        let nnz = add_row(&mut s, &[1, 0, -1, -1]);
        assert_eq!(nnz, 3);
        assert_eq!((s.zeros, s.plus, s.minus), (1, 1, 2));
        assert_eq!(s.chunk_nonzeros, vec![0, 1, 1]);
        // 01^11 = 10 (1 bit), 00^11 = 11 (2 bits)
        assert_eq!((s.toggles, s.toggle_bits), (3, 4));
        let mut c = TensorStats::empty(1, 4, g);
        assert_eq!(add_codes(&mut c, &[0b01, 0b00, 0b11, 0b11]), 3);
        assert_eq!(c, s);
    }

    #[test]
    fn iid_reference() {
        assert!((iid_toggle_rate(0.3101) - 0.43990).abs() < 1e-4);
        assert_eq!(iid_toggle_rate(1.0), 0.0);
    }
}
