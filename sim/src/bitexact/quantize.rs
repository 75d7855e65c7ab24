//! Quantization as BitNet does it, and the dequantized BitLinear output.
//!
//! # Rounding
//!
//! Every `round` here is **round half to even** ([`round_half_even`]),
//! because the BitNet reference code (the b1.58 "training tips" code and the
//! Hugging Face `BitLinear`) calls `torch.Tensor.round()`, which rounds half
//! to even. So `round(0.5) = 0`, `round(1.5) = 2`, `round(-2.5) = -2`.
//!
//! # Epsilon
//!
//! The reference code guards the divisions with `clamp(min=1e-5)` on the
//! scale's denominator (`mean|W|`, `max|x|`) rather than adding ε as the
//! paper's equations write (`W / (γ + ε)`); we follow the code ([`EPS`]). The
//! two differ only when `mean|W|` or `max|x|` is within ~1e-5 of zero.
//!
//! # Scale conventions
//!
//! Weights: `W ≈ weight_scale · W_q` (`weight_scale = mean|W|` for ternary
//! and ±1). Activations: `x ≈ x_q / act_scale` (`act_scale = Q_b / max|x|`,
//! `Q_b = 2^(b−1) − 1`, 127 for INT8). The BitLinear output is therefore
//! `y = (W_q · x_q) · weight_scale / act_scale` ([`dequantize`]).
//!
//! Arithmetic is f64; the reference code runs in f32/bf16, so at exact
//! rounding ties of the *input format* results can differ from PyTorch's by
//! one quantization step. The quantizers reproduce the code's operation
//! order (multiply by the reciprocal scale, round, clip).

use super::reference::matmul_ref;

/// The guard on scale denominators (`clamp(min=1e-5)` in the reference code).
pub const EPS: f64 = 1e-5;

/// Rounds half to even, like `torch.round`.
pub fn round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

/// Quantized weights: `W ≈ scale · q`.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightQuant {
    /// The integer weights.
    pub q: Vec<i64>,
    /// The per-tensor scale.
    pub scale: f64,
}

/// Quantized activations of one token: `x ≈ q / scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActQuant {
    /// The integer activations.
    pub q: Vec<i64>,
    /// `Q_b / max|x|`.
    pub scale: f64,
}

fn mean_abs(w: &[f64]) -> f64 {
    if w.is_empty() {
        0.0
    } else {
        w.iter().map(|x| x.abs()).sum::<f64>() / w.len() as f64
    }
}

/// BitNet b1.58 absmean quantization (per tensor): `γ = max(mean|W|, EPS)`,
/// `W_q = clip(round(W · (1/γ)), −1, 1)`, scale `γ`.
pub fn absmean_ternary(w: &[f64]) -> WeightQuant {
    let gamma = mean_abs(w).max(EPS);
    let inv = 1.0 / gamma;
    let q = w
        .iter()
        .map(|&x| round_half_even(x * inv).clamp(-1.0, 1.0) as i64)
        .collect();
    WeightQuant { q, scale: gamma }
}

/// BitNet (2023) binarization (per tensor): `α = mean(W)`,
/// `W_q = Sign(W − α)` with `Sign(z) = +1 for z > 0, −1 for z ≤ 0` (the
/// paper's eq. 2), scale `β = mean|W|` (of the original weights, `‖W‖₁/nm`).
pub fn sign_binarize(w: &[f64]) -> WeightQuant {
    let alpha = if w.is_empty() {
        0.0
    } else {
        w.iter().sum::<f64>() / w.len() as f64
    };
    let q = w
        .iter()
        .map(|&x| if x - alpha > 0.0 { 1 } else { -1 })
        .collect();
    WeightQuant {
        q,
        scale: mean_abs(w),
    }
}

/// {0,1} weights (our rule; no paper defines one seriously): `W_q = 1` where
/// `W > 0`, else 0, and the scale is the mean of the positive weights (the
/// least-squares scale `s` of `W ≈ s · W_q` for that mask; 0 when no weight
/// is positive). The datapath is then the AND-popcount `W_q · x`.
pub fn binary01_quantize(w: &[f64]) -> WeightQuant {
    let q: Vec<i64> = w.iter().map(|&x| i64::from(x > 0.0)).collect();
    let n = q.iter().sum::<i64>();
    let scale = if n == 0 {
        0.0
    } else {
        w.iter().filter(|&&x| x > 0.0).sum::<f64>() / n as f64
    };
    WeightQuant { q, scale }
}

/// `Q_b = 2^(b−1) − 1`, the largest quantized magnitude of `b`-bit absmax.
pub fn q_max(bits: u32) -> i64 {
    assert!(
        (2..=32).contains(&bits),
        "absmax needs 2..=32 bits, got {bits}"
    );
    (1i64 << (bits - 1)) - 1
}

/// Absmax quantization of one token to `bits` bits: `scale = Q_b /
/// max(max|x|, EPS)`, `x_q = clip(round(x · scale), −Q_b − 1, Q_b)`.
pub fn absmax_quantize(x: &[f64], bits: u32) -> ActQuant {
    let qb = q_max(bits);
    let m = x.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(EPS);
    let scale = qb as f64 / m;
    let q = x
        .iter()
        .map(|&v| round_half_even(v * scale).clamp(-(qb as f64) - 1.0, qb as f64) as i64)
        .collect();
    ActQuant { q, scale }
}

/// Per-token absmax of an `rows x cols` row-major matrix: the quantized
/// matrix and one scale per row.
pub fn absmax_quantize_rows(
    x: &[f64],
    rows: usize,
    cols: usize,
    bits: u32,
) -> (Vec<i64>, Vec<f64>) {
    assert_eq!(x.len(), rows * cols, "x is not {rows}x{cols}");
    let mut q = Vec::with_capacity(x.len());
    let mut scales = Vec::with_capacity(rows);
    for r in 0..rows {
        let t = absmax_quantize(&x[r * cols..(r + 1) * cols], bits);
        q.extend(t.q);
        scales.push(t.scale);
    }
    (q, scales)
}

/// The BitLinear output of one integer accumulator:
/// `acc · weight_scale / act_scale`.
pub fn dequantize(acc: i64, weight_scale: f64, act_scale: f64) -> f64 {
    acc as f64 * weight_scale / act_scale
}

/// How BitLinear quantizes its weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightScheme {
    /// BitNet b1.58 absmean ternary ([`absmean_ternary`]).
    Absmean,
    /// BitNet (2023) mean-centred sign ([`sign_binarize`]).
    Sign,
    /// {0,1} ([`binary01_quantize`]).
    Binary01,
}

/// Quantizes weights by `scheme`.
pub fn quantize_weights(w: &[f64], scheme: WeightScheme) -> WeightQuant {
    match scheme {
        WeightScheme::Absmean => absmean_ternary(w),
        WeightScheme::Sign => sign_binarize(w),
        WeightScheme::Binary01 => binary01_quantize(w),
    }
}

/// A quantized BitLinear: `x` (`m x k`, one token a row) absmax-quantized
/// to `act_bits` per token, `w` (`k x n`) quantized per tensor by
/// `scheme`, the integer matmul (exact), then dequantized. Returns `m x n`.
pub fn bitlinear(
    x: &[f64],
    w: &[f64],
    m: usize,
    k: usize,
    n: usize,
    scheme: WeightScheme,
    act_bits: u32,
) -> Vec<f64> {
    let wq = quantize_weights(w, scheme);
    let (xq, scales) = absmax_quantize_rows(x, m, k, act_bits);
    let acc = matmul_ref(&xq, &wq.q, m, k, n);
    acc.iter()
        .enumerate()
        .map(|(i, &a)| dequantize(a, wq.scale, scales[i / n.max(1)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_to_even() {
        assert_eq!(round_half_even(0.5), 0.0);
        assert_eq!(round_half_even(1.5), 2.0);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(-0.5), 0.0);
        assert_eq!(round_half_even(-1.5), -2.0);
    }
}
