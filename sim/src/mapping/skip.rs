//! Zero skipping as it can be built (`array.zeros = "skip"`).
//!
//! Offline, each lane's weights are compacted per window of `W =
//! array.skip_window` activations: the lane stores a bitmap of the window
//! (1 bit per position) and a sign bit per nonzero (none for `binary01`,
//! whose nonzeros are all +1). At run time the window's `W` activations
//! are broadcast and every tree input of a lane selects the activation of
//! its next nonzero through a `W:1` multiplexer. A lane reduces `width`
//! nonzeros a cycle, so a window takes `ceil(nnz / width)` cycles for a
//! lane with `nnz` nonzeros, and the lanes wait for the densest one: the
//! window takes `ceil(max over lanes of nnz / width)` cycles.
//!
//! Statistics: without measured weights, every weight is zero
//! independently with the operator's zero share `z` (i.i.d.), so a lane's
//! nonzeros in a window are Binomial(W, 1 - z) and the window's expected
//! cycles are `sum_{c >= 0} P(max > c x width)` with `P(max <= x) =
//! F(x)^lanes`. Measured per-lane statistics of a checkpoint replace the
//! densest-lane share where a workload provides them ([`crate::measured`]).

use crate::arch::{Accelerator, ZeroHandling};
use workloads::Precision;

/// What compaction does to one operator on a design.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkipModel {
    /// Activations per window.
    pub window: u64,
    /// Expected cycles (chunks) per window, the densest lane's.
    pub chunks_per_window: f64,
    /// Stored bits per weight position (bitmap + sign bits of the nonzeros).
    pub bits_per_weight: f64,
    /// 2:1 multiplexer levels of the activation select.
    pub mux_levels: u64,
}

impl SkipModel {
    /// The skip model of a product with zero share `z` on `arch`, or
    /// `None` when the design does not skip these weights.
    pub fn of(arch: &Accelerator, w: Precision, z: f64) -> Option<SkipModel> {
        let ar = &arch.array;
        if ar.zeros != ZeroHandling::Skip || !w.is_low_bit_weight() {
            return None;
        }
        let window = u64::from(ar.window()).max(1);
        let width = u64::from(ar.width).max(1);
        let p_nz = (1.0 - z).clamp(0.0, 1.0);
        let sign_bits = if matches!(w, Precision::Binary01) {
            0.0
        } else {
            1.0
        };
        Some(SkipModel {
            window,
            chunks_per_window: expected_window_cycles(window, width, u64::from(ar.lanes), p_nz),
            bits_per_weight: 1.0 + p_nz * sign_bits,
            mux_levels: super::reuse::mux_levels(window),
        })
    }

    /// Speed-up in cycles over the dense datapath (`window / width`
    /// chunks a window without skipping).
    pub fn speedup(&self, width: u64) -> f64 {
        (self.window as f64 / width as f64) / self.chunks_per_window
    }
}

/// P(X <= x) for every x in 0..=n, X ~ Binomial(n, p).
fn binomial_cdf(n: u64, p: f64) -> Vec<f64> {
    let mut cdf = Vec::with_capacity(n as usize + 1);
    if p <= 0.0 {
        return vec![1.0; n as usize + 1];
    }
    if p >= 1.0 {
        let mut v = vec![0.0; n as usize + 1];
        v[n as usize] = 1.0;
        return v;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut ln_choose = 0.0f64;
    let mut acc = 0.0;
    for x in 0..=n {
        if x > 0 {
            ln_choose += ((n - x + 1) as f64).ln() - (x as f64).ln();
        }
        acc += (ln_choose + x as f64 * lp + (n - x) as f64 * lq).exp();
        cdf.push(acc.min(1.0));
    }
    cdf
}

/// Expected cycles of a window of `window` positions on `lanes` lanes of
/// `width` tree inputs when each position is nonzero with probability `p`
/// independently: `sum_{c >= 0} (1 - F(c x width)^lanes)`, plus
/// `F(0)^lanes` (a window whose lanes are all zero still takes its
/// broadcast cycle).
pub fn expected_window_cycles(window: u64, width: u64, lanes: u64, p: f64) -> f64 {
    let cdf = binomial_cdf(window, p);
    let mut e = 0.0;
    let mut c = 0;
    while c * width < window {
        let f = cdf[(c * width) as usize];
        e += 1.0 - f.powf(lanes as f64);
        c += 1;
    }
    e + cdf[0].powf(lanes as f64)
}

/// The reduction a lane streams for one operator: `k_eff` weight slots
/// (the densest lane's, padded to whole chunks per window), the zero
/// share, and the skip model when the design compacts these weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compaction {
    /// Slots of the reduction after compaction (`op.k` without skipping).
    pub k_eff: u64,
    /// Zero share of the weights.
    pub zeros: f64,
    /// The i.i.d. skip model, when it applies.
    pub model: Option<SkipModel>,
    /// The weight precision.
    pub w: Precision,
    /// The logical reduction length.
    pub k: u64,
}

impl Compaction {
    /// The compaction of `op` on `arch` (measured statistics, when given
    /// for this geometry, set the densest lane's share directly).
    pub fn of(
        arch: &Accelerator,
        op: &workloads::Op,
        measured: Option<&crate::measured::MeasuredWeights>,
    ) -> Compaction {
        let ar = &arch.array;
        let measured = measured.filter(|m| m.lanes == ar.lanes && m.width == ar.width);
        let z = measured.map_or(op.zero_fraction(), |m| m.zero_share);
        Compaction::with(
            arch,
            op.w.unwrap_or(op.a),
            z,
            op.k,
            measured.map(|m| m.densest_lane_share),
        )
    }

    /// The compaction of a reduction of `array.max_k` terms in the
    /// design's own weights at their default zero share (what the design
    /// is sized for, before any operator is known).
    pub fn nominal(arch: &Accelerator) -> Compaction {
        let w = arch.array.weights;
        Compaction::with(arch, w, w.default_zero_fraction(), arch.array.max_k, None)
    }

    /// The compaction of `k` terms of `w` weights with zero share `z`
    /// (`densest`: a measured densest lane's share of nonzero slots).
    fn with(arch: &Accelerator, w: Precision, z: f64, k: u64, densest: Option<f64>) -> Compaction {
        let ar = &arch.array;
        let skip = ar.zeros == ZeroHandling::Skip && w.is_low_bit_weight();
        let width = u64::from(ar.width).max(1);
        let model = SkipModel::of(arch, w, z);
        let k_eff = match (skip, densest, model) {
            (false, _, _) => k,
            (true, Some(share), _) => ((k as f64 * share).ceil() as u64).clamp(1, k),
            (true, None, Some(s)) => {
                let windows = k.div_ceil(s.window);
                ((windows as f64 * s.chunks_per_window).ceil() as u64).max(1) * width
            }
            (true, None, None) => k,
        };
        Compaction {
            k_eff,
            zeros: z,
            model: if densest.is_some() { None } else { model },
            w,
            k,
        }
    }

    /// Stored bytes of one chunk (`array.width` weight slots) of `lanes`
    /// lanes, as the weight buffer delivers it to the tile: the compacted
    /// slots' bitmap and sign bits under zero skip, else the datapath's own
    /// format (the LUT's group indices), else the weights' storage bits
    /// rounded up to whole bits (the lane's weight register). The mapping's
    /// port cycles and the energy model's staging register both use it.
    pub fn chunk_bytes(&self, arch: &Accelerator, lanes: u64) -> u64 {
        let ar = &arch.array;
        let width = u64::from(ar.width);
        match (self.model, ar.reduction.module().weight_bits(ar)) {
            (Some(_), _) => self.weight_bytes(lanes, width),
            (None, Some((bits, per))) => {
                (u128::from(lanes * width) * u128::from(bits)).div_ceil(u128::from(per) * 8) as u64
            }
            (None, None) => (lanes * width * self.w.storage_bits().ceil() as u64).div_ceil(8),
        }
    }

    /// Stored bytes of `lanes x len` weight slots: the dense encoding, or
    /// the bitmap and sign bits of the compacted weights the slots carry.
    pub fn weight_bytes(&self, lanes: u64, len: u64) -> u64 {
        match self.model {
            None => self.w.bytes_for(lanes * len),
            Some(s) => {
                let bits = lanes as f64 * len as f64 * s.bits_per_weight * self.k as f64
                    / self.k_eff.max(1) as f64;
                (bits / 8.0).ceil() as u64
            }
        }
    }

    /// Activation positions behind `len` slots of the compacted reduction.
    pub fn positions(&self, len: u64) -> u64 {
        if self.model.is_some() {
            ((len as u128 * self.k as u128).div_ceil(self.k_eff.max(1) as u128)) as u64
        } else {
            len
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_windows() {
        // 2 lanes, 2 tree inputs, a window of 4 positions, each nonzero with
        // p = 1/2: nnz ~ Bin(4, 1/2), F(0) = 1/16, F(2) = 11/16.
        // E = (1 - F(0)^2) + (1 - F(2)^2) + F(0)^2
        //   = (1 - 1/256) + (1 - 121/256) + 1/256 = 391/256
        let e = expected_window_cycles(4, 2, 2, 0.5);
        assert!((e - 391.0 / 256.0).abs() < 1e-12, "{e}");
        // one lane: E = (1 - 1/16) + (1 - 11/16) + 1/16 = 21/16
        let e1 = expected_window_cycles(4, 2, 1, 0.5);
        assert!((e1 - 21.0 / 16.0).abs() < 1e-12, "{e1}");
        // a window of one chunk always takes its one cycle
        assert!((expected_window_cycles(64, 64, 64, 0.69) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn lanes_of_different_density() {
        // Two lanes over one window of 4 positions and 2 tree inputs: lane 0
        // has 1 nonzero (1 cycle), lane 1 has 3 (2 cycles): the window takes
        // the densest lane's 2 cycles, 4 / 2 = 2 chunks without skipping, so
        // skipping gains nothing; with both lanes at 1 nonzero it takes 1.
        let cycles =
            |nnz: &[u64], width: u64| nnz.iter().map(|&n| n.div_ceil(width).max(1)).max().unwrap();
        assert_eq!(cycles(&[1, 3], 2), 2);
        assert_eq!(cycles(&[1, 1], 2), 1);
        // and the expectation agrees with enumerating all 2^8 weight
        // patterns of two lanes at p = 1/2
        let mut total = 0u64;
        for pat in 0u32..256 {
            let a = u64::from((pat & 0xf).count_ones());
            let b = u64::from((pat >> 4).count_ones());
            total += cycles(&[a, b], 2);
        }
        let e = expected_window_cycles(4, 2, 2, 0.5);
        assert!((total as f64 / 256.0 - e).abs() < 1e-12, "{total} {e}");
    }

    #[test]
    fn honest_gain_at_31_percent_iid_zeros() {
        // 64 lanes, 64 tree inputs, 31% zeros i.i.d. (the old model's
        // 1 / 0.69 = 1.45x assumed all lanes share their zero positions)
        let gain = |w: u64| (w as f64 / 64.0) / expected_window_cycles(w, 64, 64, 0.69);
        assert!((gain(64) - 1.0).abs() < 1e-12);
        // a 74-position window: 51 nonzeros a lane on average, the densest
        // of 64 lanes rarely passes 64
        assert!((gain(74) - 1.146).abs() < 1e-3, "{}", gain(74));
        // a 96-position window nearly always needs 2 cycles: a loss
        assert!((gain(96) - 0.75).abs() < 1e-3, "{}", gain(96));
        let (best, at) = (64..=256)
            .map(|w| (gain(w), w))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap();
        assert_eq!(at, 246);
        assert!((best - 1.265).abs() < 1e-3, "{best}");
    }
}
