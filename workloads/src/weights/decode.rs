//! Tensor types and their decoding: ternary rows (`-1`, `0`, `+1`) from
//! every ternary layout, and floats from the high-precision ones.
//!
//! Ternary layouts (docs/weights.md gives each with its source):
//! * `TQ2_0` (llama.cpp `block_tq2_0`): blocks of 256 weights along a row,
//!   64 bytes of 2-bit codes then an f16 scale `d`. Weight
//!   `h*128 + l*32 + j` of a block (`h` < 2, `l` < 4, `j` < 32) is bits
//!   `2l..2l+2` of byte `h*32 + j`; the code minus 1 is the trit.
//! * `TQ1_0` (llama.cpp `block_tq1_0`): blocks of 256, 48 bytes `qs`, 4
//!   bytes `qh`, f16 `d`; each byte holds 5 (or, in `qh`, 4) trits as a
//!   fixed-point fraction: digit `n` of byte `q` is `((q * 3^n mod 256) * 3)
//!   >> 8`. Bytes `qs[0..32]` give weights `n*32 + j` (n < 5), `qs[32..48]`
//!   weights `160 + n*16 + j`, `qh[0..4]` weights `240 + n*4 + j` (n < 4).
//! * `I2_S` (bitnet.cpp `quantize_i2_s`, x86 layout): the tensor's weights
//!   in row-major order in blocks of 128; weight `j` of a block is bits
//!   `6 - 2*(j/32)` of byte `j % 32` of the block's 32 bytes; code 0 = −1,
//!   1 = 0, 2 = +1; after the `n/4` bytes one f32 scale (then padding to 32).
//! * Hugging Face packed (transformers `integrations/bitnet.py`): a
//!   `[N/4, K]` uint8 tensor; output row `i*N/4 + r` is bits `2i..2i+2` of
//!   row `r`, value + 1; the per-tensor `weight_scale` beside it is the
//!   reciprocal of the dequantization scale.

use super::error::WeightsErrorKind as K;
use super::TensorInfo;

/// How a tensor's bytes encode its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TensorType {
    /// IEEE binary32.
    F32,
    /// IEEE binary16.
    F16,
    /// bfloat16.
    BF16,
    /// GGML Q8_0: blocks of 32 int8 with an f16 scale.
    Q8_0,
    /// llama.cpp TQ1_0 ternary (1.6875 bits per weight).
    Tq1_0,
    /// llama.cpp TQ2_0 ternary (2.0625 bits per weight).
    Tq2_0,
    /// bitnet.cpp I2_S ternary (2 bits per weight and one f32 scale).
    I2S,
    /// Hugging Face BitNet packed uint8 (four 2-bit weights a byte).
    PackedU8,
}

impl TensorType {
    /// The GGML type id (`ggml.h`; I2_S is bitnet.cpp's 36).
    pub fn from_ggml(id: u32) -> Option<TensorType> {
        Some(match id {
            0 => TensorType::F32,
            1 => TensorType::F16,
            8 => TensorType::Q8_0,
            30 => TensorType::BF16,
            34 => TensorType::Tq1_0,
            35 => TensorType::Tq2_0,
            36 => TensorType::I2S,
            _ => return None,
        })
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            TensorType::F32 => "F32",
            TensorType::F16 => "F16",
            TensorType::BF16 => "BF16",
            TensorType::Q8_0 => "Q8_0",
            TensorType::Tq1_0 => "TQ1_0",
            TensorType::Tq2_0 => "TQ2_0",
            TensorType::I2S => "I2_S",
            TensorType::PackedU8 => "U8 (packed ternary)",
        }
    }

    /// True for the ternary layouts.
    pub fn is_ternary(self) -> bool {
        matches!(
            self,
            TensorType::Tq1_0 | TensorType::Tq2_0 | TensorType::I2S | TensorType::PackedU8
        )
    }

    /// True for floats (and Q8_0), which BitLinear quantizes by absmean.
    pub fn is_float(self) -> bool {
        !self.is_ternary()
    }

    /// Bytes of a GGUF tensor of `n` values whose innermost dimension is
    /// `ne0`, or why the shape does not fit the type.
    pub fn gguf_bytes(self, ne0: u64, n: u64) -> Result<u64, String> {
        let blocks = |bs: u64, bytes: u64| {
            if !ne0.is_multiple_of(bs) {
                Err(format!(
                    "{} needs rows that are a multiple of {bs} values, got {ne0}",
                    self.name()
                ))
            } else {
                (n / bs)
                    .checked_mul(bytes)
                    .ok_or_else(|| "size overflows".to_string())
            }
        };
        match self {
            TensorType::F32 => n.checked_mul(4).ok_or_else(|| "size overflows".into()),
            TensorType::F16 | TensorType::BF16 => {
                n.checked_mul(2).ok_or_else(|| "size overflows".into())
            }
            TensorType::Q8_0 => blocks(32, 34),
            TensorType::Tq1_0 => blocks(256, 54),
            TensorType::Tq2_0 => blocks(256, 66),
            TensorType::I2S => {
                if !n.is_multiple_of(128) {
                    Err(format!("I2_S needs a multiple of 128 values, got {n}"))
                } else {
                    Ok(n / 4 + 32)
                }
            }
            TensorType::PackedU8 => Ok(n / 4),
        }
    }
}

/// Where a tensor's ternary values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Stored ternary.
    Stored,
    /// Float master weights quantized on load by absmean.
    Absmean,
}

/// IEEE binary16 to f32.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // subnormal: normalize
            let mut e: i32 = -14;
            let mut m = m;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | (((e + 127) as u32) << 23) | ((m & 0x3ff) << 13)
        }
        (31, 0) => sign | 0x7f80_0000,
        (31, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// bfloat16 to f32.
pub fn bf16_to_f32(h: u16) -> f32 {
    f32::from_bits(u32::from(h) << 16)
}

fn le16(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

/// The tile code of a trit: `+1` = `0b01`, `−1` = `0b11`, `0` = `0b00`
/// (docs/rtl.md), indexed by `trit + 1`.
pub const TILE_CODE: [u8; 3] = [0b11, 0b00, 0b01];

/// A ternary view of one tensor: stored trits, or float weights with
/// their absmean scale.
#[derive(Debug, Clone)]
pub struct TernaryTensor<'a> {
    /// The tensor.
    pub info: &'a TensorInfo,
    /// Its bytes.
    pub data: &'a [u8],
    /// Rows (output features, `N`).
    pub rows: usize,
    /// Columns (inputs, `K`).
    pub cols: usize,
    /// Stored or quantized on load.
    pub encoding: Encoding,
    /// `1/γ` of absmean for float tensors.
    inv_gamma: f64,
    /// `γ` for float tensors, the stored scale of I2_S and packed tensors.
    tensor_scale: Option<f64>,
}

impl<'a> TernaryTensor<'a> {
    /// The ternary view of `info` (bytes `data`); for floats this reads the
    /// whole tensor once to compute `γ = max(mean|W|, 1e-5)`.
    pub fn new(info: &'a TensorInfo, data: &'a [u8]) -> Result<TernaryTensor<'a>, (u64, K)> {
        let (rows, cols) = info.rows_cols();
        let (rows, cols) = (rows as usize, cols as usize);
        let mut t = TernaryTensor {
            info,
            data,
            rows,
            cols,
            encoding: if info.ttype.is_ternary() {
                Encoding::Stored
            } else {
                Encoding::Absmean
            },
            inv_gamma: 1.0,
            tensor_scale: info.scale,
        };
        match info.ttype {
            TensorType::I2S => {
                let n = rows * cols;
                let at = n / 4;
                let s = f32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
                if !s.is_finite() {
                    return Err((
                        info.offset + at as u64,
                        K::Invalid(format!("I2_S scale {s}")),
                    ));
                }
                t.tensor_scale = Some(f64::from(s));
            }
            TensorType::PackedU8 if !rows.is_multiple_of(4) => {
                return Err((
                    info.offset,
                    K::Shape("packed rows not a multiple of 4".into()),
                ));
            }
            ty if ty.is_float() => {
                let mut buf = vec![0f32; cols];
                let mut sum = 0f64;
                for r in 0..rows {
                    t.float_row(r, &mut buf);
                    sum += buf.iter().map(|v| f64::from(v.abs())).sum::<f64>();
                }
                let n = (rows * cols).max(1) as f64;
                let gamma = (sum / n).max(1e-5);
                t.inv_gamma = 1.0 / gamma;
                t.tensor_scale = Some(gamma);
            }
            _ => {}
        }
        Ok(t)
    }

    /// The per-tensor dequantization scale when the layout has one (I2_S,
    /// packed with `weight_scale`, absmean of floats); `None` for the block
    /// scales of TQ1_0/TQ2_0 ([`TernaryTensor::block_scales`]).
    pub fn tensor_scale(&self) -> Option<f64> {
        self.tensor_scale
    }

    /// The f16 scale of every 256-weight block of row `r` (TQ1_0/TQ2_0);
    /// empty for the other layouts.
    pub fn block_scales(&self, r: usize) -> Vec<f32> {
        let (bs, at) = match self.info.ttype {
            TensorType::Tq1_0 => (54, 52),
            TensorType::Tq2_0 => (66, 64),
            _ => return Vec::new(),
        };
        let nb = self.cols / 256;
        (0..nb)
            .map(|b| f16_to_f32(le16(self.data, (r * nb + b) * bs + at)))
            .collect()
    }

    /// The dequantized weight row `r` as the file means it (trit x block or
    /// tensor scale; floats as stored).
    pub fn dequantized_row(&self, r: usize, out: &mut [f32]) -> Result<(), (u64, K)> {
        if self.encoding == Encoding::Absmean {
            self.float_row(r, out);
            return Ok(());
        }
        let mut codes = vec![0i8; self.cols];
        self.row(r, &mut codes)?;
        let blocks = self.block_scales(r);
        let s = self.tensor_scale.unwrap_or(1.0) as f32;
        for (j, (o, &q)) in out.iter_mut().zip(&codes).enumerate() {
            let scale = if blocks.is_empty() {
                s
            } else {
                blocks[j / 256]
            };
            *o = f32::from(q) * scale;
        }
        Ok(())
    }

    fn float_row(&self, r: usize, out: &mut [f32]) {
        let c = self.cols;
        let d = self.data;
        match self.info.ttype {
            TensorType::F32 => {
                for (j, o) in out.iter_mut().enumerate() {
                    let i = (r * c + j) * 4;
                    *o = f32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
                }
            }
            TensorType::F16 => {
                for (j, o) in out.iter_mut().enumerate() {
                    *o = f16_to_f32(le16(d, (r * c + j) * 2));
                }
            }
            TensorType::BF16 => {
                for (j, o) in out.iter_mut().enumerate() {
                    *o = bf16_to_f32(le16(d, (r * c + j) * 2));
                }
            }
            TensorType::Q8_0 => {
                let nb = c / 32;
                for b in 0..nb {
                    let at = (r * nb + b) * 34;
                    let scale = f16_to_f32(le16(d, at));
                    for j in 0..32 {
                        out[b * 32 + j] = scale * f32::from(d[at + 2 + j] as i8);
                    }
                }
            }
            _ => out.fill(0.0),
        }
    }

    /// The tile codes (`+1` = `0b01`, `−1` = `0b11`, `0` = `0b00`) of row
    /// `r` into `out` (`cols` long): the fast path the statistics take,
    /// one table lookup per stored byte for I2_S, TQ2_0 and packed tensors.
    pub fn codes_row(&self, r: usize, out: &mut [u8]) -> Result<(), (u64, K)> {
        // stored 2-bit code (trit + 1) -> tile code; 3 (no trit) -> 0b10
        const MAP: [u8; 4] = [0b11, 0b00, 0b01, 0b10];
        let c = self.cols;
        let d = self.data;
        let fast = match self.info.ttype {
            TensorType::I2S if (r * c).is_multiple_of(128) && c.is_multiple_of(128) => {
                let start = r * c / 4;
                for (blk, o) in d[start..start + c / 4]
                    .chunks_exact(32)
                    .zip(out.chunks_exact_mut(128))
                {
                    for (b, &byte) in blk.iter().enumerate() {
                        o[b] = MAP[usize::from(byte >> 6)];
                        o[b + 32] = MAP[usize::from((byte >> 4) & 3)];
                        o[b + 64] = MAP[usize::from((byte >> 2) & 3)];
                        o[b + 96] = MAP[usize::from(byte & 3)];
                    }
                }
                true
            }
            TensorType::Tq2_0 => {
                let nb = c / 256;
                for (b, o) in out.chunks_exact_mut(256).enumerate() {
                    let at = (r * nb + b) * 66;
                    for (i, &byte) in d[at..at + 64].iter().enumerate() {
                        let (h, j) = (i / 32, i % 32);
                        for l in 0..4 {
                            o[h * 128 + l * 32 + j] = MAP[usize::from((byte >> (2 * l)) & 3)];
                        }
                    }
                }
                true
            }
            TensorType::PackedU8 => {
                let per = self.rows / 4;
                let (pr, i) = (r % per, r / per);
                for (o, &byte) in out.iter_mut().zip(&d[pr * c..(pr + 1) * c]) {
                    *o = MAP[usize::from((byte >> (2 * i)) & 3)];
                }
                true
            }
            _ => false,
        };
        if !fast || out.contains(&0b10) {
            // the general path (and the exact offset of a bad code)
            let mut trits = vec![0i8; c];
            self.row(r, &mut trits)?;
            for (o, &q) in out.iter_mut().zip(&trits) {
                *o = TILE_CODE[(q + 1) as usize];
            }
        }
        Ok(())
    }

    /// Trits of row `r` into `out` (`cols` long). A code that is no trit
    /// (the 2-bit code 3) is refused with its byte offset.
    pub fn row(&self, r: usize, out: &mut [i8]) -> Result<(), (u64, K)> {
        let c = self.cols;
        let d = self.data;
        let bad = |at: usize| {
            Err((
                self.info.offset + at as u64,
                K::Invalid("2-bit code 3 is not a ternary value".into()),
            ))
        };
        match self.info.ttype {
            TensorType::Tq2_0 => {
                let nb = c / 256;
                for b in 0..nb {
                    let at = (r * nb + b) * 66;
                    let blk = &d[at..at + 64];
                    let o = &mut out[b * 256..(b + 1) * 256];
                    for h in 0..2 {
                        for j in 0..32 {
                            let byte = blk[h * 32 + j];
                            for l in 0..4 {
                                let q = (byte >> (2 * l)) & 3;
                                if q == 3 {
                                    return bad(at + h * 32 + j);
                                }
                                o[h * 128 + l * 32 + j] = q as i8 - 1;
                            }
                        }
                    }
                }
            }
            TensorType::Tq1_0 => {
                const POW3: [u8; 5] = [1, 3, 9, 27, 81];
                let digit = |q: u8, n: usize| -> i8 {
                    let v = q.wrapping_mul(POW3[n]);
                    ((u16::from(v) * 3) >> 8) as i8 - 1
                };
                let nb = c / 256;
                for b in 0..nb {
                    let at = (r * nb + b) * 54;
                    let qs = &d[at..at + 48];
                    let qh = &d[at + 48..at + 52];
                    let o = &mut out[b * 256..(b + 1) * 256];
                    for n in 0..5 {
                        for j in 0..32 {
                            o[n * 32 + j] = digit(qs[j], n);
                        }
                        for j in 0..16 {
                            o[160 + n * 16 + j] = digit(qs[32 + j], n);
                        }
                    }
                    for n in 0..4 {
                        for j in 0..4 {
                            o[240 + n * 4 + j] = digit(qh[j], n);
                        }
                    }
                }
            }
            TensorType::I2S => {
                let start = r * c;
                for (j, o) in out.iter_mut().enumerate() {
                    let i = start + j;
                    let (blk, w) = (i / 128, i % 128);
                    let at = blk * 32 + w % 32;
                    let q = (d[at] >> (6 - 2 * (w / 32))) & 3;
                    if q == 3 {
                        return bad(at);
                    }
                    *o = q as i8 - 1;
                }
            }
            TensorType::PackedU8 => {
                let per = self.rows / 4;
                let (pr, i) = (r % per, r / per);
                let row = &d[pr * c..(pr + 1) * c];
                for (j, o) in out.iter_mut().enumerate() {
                    let q = (row[j] >> (2 * i)) & 3;
                    if q == 3 {
                        return bad(pr * c + j);
                    }
                    *o = q as i8 - 1;
                }
            }
            _ => {
                let mut buf = vec![0f32; c];
                self.float_row(r, &mut buf);
                for (o, &w) in out.iter_mut().zip(&buf) {
                    *o = (f64::from(w) * self.inv_gamma)
                        .round_ties_even()
                        .clamp(-1.0, 1.0) as i8;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert_eq!(bf16_to_f32(0x3f80), 1.0);
    }
}
