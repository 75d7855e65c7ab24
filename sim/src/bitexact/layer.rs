//! One real layer through the bit-exact datapath: a checkpoint's ternary
//! weight matrix times absmax-quantized activations, checked against the
//! plain reference matmul (integers) and an f32 matmul of the file's
//! dequantized weights (floats).

use super::quantize::{absmax_quantize_rows, dequantize};
use super::reference::matmul_ref;
use super::{tiled_matmul, BitExactError};
use crate::arch::ArrayConfig;
use crate::tile::Chunk;
use serde::Serialize;

/// A layer's operands: `W` is `n x k` (one output feature a row, as stored).
#[derive(Debug, Clone)]
pub struct LayerInput {
    /// Trits, `n x k` row-major.
    pub w: Vec<i64>,
    /// The file's dequantized weights, `n x k` row-major.
    pub w_f32: Vec<f32>,
    /// The one scale the integer outputs are dequantized with.
    pub w_scale: f64,
    /// Activations, `tokens x k` row-major.
    pub x: Vec<f64>,
    /// Output features.
    pub n: usize,
    /// Inputs.
    pub k: usize,
    /// Tokens.
    pub tokens: usize,
}

/// What running a layer gave.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRun {
    /// The INT8 activations, `tokens x k`.
    pub x_q: Vec<i64>,
    /// Per-token activation scales (`127 / max|x|`).
    pub act_scales: Vec<f64>,
    /// The bit-exact datapath's integer outputs, `tokens x n`.
    pub acc: Vec<i64>,
    /// Outputs where the datapath and the reference matmul differ.
    pub mismatches: usize,
    /// `acc x w_scale / act_scale`.
    pub dequantized: Vec<f64>,
    /// `x · W_f32ᵀ` in f32.
    pub f32_ref: Vec<f64>,
    /// Largest |dequantized − f32|.
    pub max_abs_err: f64,
    /// ‖dequantized − f32‖ / ‖f32‖.
    pub rel_rms_err: f64,
}

/// Runs `input` through `arch`'s datapath (activations quantized to the
/// design's integer width by absmax, per token).
pub fn run_layer(arch: &ArrayConfig, input: &LayerInput) -> Result<LayerRun, BitExactError> {
    let (n, k, t) = (input.n, input.k, input.tokens);
    let bits = match arch.activations {
        workloads::Precision::Int(b) => u32::from(b),
        other => return Err(BitExactError::Unsupported(format!("{other} activations"))),
    };
    let (x_q, act_scales) = absmax_quantize_rows(&input.x, t, k, bits);
    // the datapath takes W as k x n
    let mut wkn = vec![0i64; k * n];
    for r in 0..n {
        for c in 0..k {
            wkn[c * n + r] = input.w[r * k + c];
        }
    }
    let acc = tiled_matmul(arch, &x_q, &wkn, t, k, n)?;
    let reference = matmul_ref(&x_q, &wkn, t, k, n);
    let mismatches = acc.iter().zip(&reference).filter(|(a, b)| a != b).count();
    let dequantized: Vec<f64> = acc
        .iter()
        .enumerate()
        .map(|(i, &a)| dequantize(a, input.w_scale, act_scales[i / n.max(1)]))
        .collect();
    let mut f32_ref = vec![0f64; t * n];
    for i in 0..t {
        for r in 0..n {
            let mut s = 0f32;
            for c in 0..k {
                s += input.x[i * k + c] as f32 * input.w_f32[r * k + c];
            }
            f32_ref[i * n + r] = f64::from(s);
        }
    }
    let (mut max_abs, mut num, mut den) = (0f64, 0f64, 0f64);
    for (d, f) in dequantized.iter().zip(&f32_ref) {
        max_abs = max_abs.max((d - f).abs());
        num += (d - f) * (d - f);
        den += f * f;
    }
    Ok(LayerRun {
        x_q,
        act_scales,
        acc,
        mismatches,
        dequantized,
        f32_ref,
        max_abs_err: max_abs,
        rel_rms_err: if den > 0.0 { (num / den).sqrt() } else { 0.0 },
    })
}

/// The layer as tile chunks, in the order the array runs it: for every
/// token and lane group, `ceil(k / width)` chunks, the last ending the
/// reduction (padding as [`tiled_matmul`] pads; `n` must fill whole lane
/// groups or the tail lanes get padding weights).
pub fn layer_chunks(arch: &ArrayConfig, input: &LayerInput, x_q: &[i64]) -> Vec<Chunk> {
    let (lanes, width) = (arch.lanes as usize, arch.width as usize);
    let (n, k) = (input.n, input.k);
    let (pad_a, pad_w) = super::padding(arch.activations, arch.weights);
    let chunks = k.div_ceil(width).max(1);
    let mut out = Vec::new();
    for i in 0..input.tokens {
        for j0 in (0..n).step_by(lanes) {
            for ch in 0..chunks {
                let act = (0..width)
                    .map(|e| {
                        let p = ch * width + e;
                        if p < k {
                            x_q[i * k + p]
                        } else {
                            pad_a
                        }
                    })
                    .collect();
                let mut wgt = Vec::with_capacity(lanes * width);
                for l in 0..lanes {
                    for e in 0..width {
                        let (p, j) = (ch * width + e, j0 + l);
                        wgt.push(if p < k && j < n {
                            input.w[j * k + p]
                        } else {
                            pad_w
                        });
                    }
                }
                out.push(Chunk {
                    act,
                    wgt,
                    last: ch + 1 == chunks,
                });
            }
        }
    }
    out
}

/// Deterministic standard-normal activations (splitmix64 and Box–Muller),
/// `tokens x k`.
pub fn random_activations(seed: u64, tokens: usize, k: usize) -> Vec<f64> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..tokens * k)
        .map(|_| {
            let u1 = ((next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            let u2 = (next() >> 11) as f64 / (1u64 << 53) as f64;
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect()
}
