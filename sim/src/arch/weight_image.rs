//! The stored weight image (`[dram.weight_image]`): how a design lays a
//! projection's weights out in DRAM when its image is padded, and the bytes
//! that layout takes.
//!
//! A design that stores each matrix in fixed tiles and packs each output's
//! chunk of weights whole into bus-wide words reads more bytes than the
//! packed weights hold. The rule, for a `K x N` matrix on an array of width
//! `w` whose stored code puts `b` bits in one output's chunk of `w` weights:
//!
//! - K is cut into tiles of `tile_k` (a multiple of `w`; absent: K rounded up
//!   to whole chunks, one tile) and N into tiles of `tile_n` (absent: N, one
//!   tile); the last tile of each is padded whole:
//!   `ceil(K / tile_k) x ceil(N / tile_n)` tiles;
//! - a tile holds `tile_k / w` chunks; in each chunk every output's `b` bits
//!   are packed whole into words of `word_bytes` (`floor(8 word_bytes / b)`
//!   outputs a word, never straddling two words), so a chunk of a tile takes
//!   `ceil(tile_n / per_word) x word_bytes` bytes; absent: the tile's outputs
//!   packed densely, `ceil(tile_n x b / 8)` bytes.
//!
//! The image is what DRAM holds and what the weight reads stream (DRAM
//! traffic and its energy, the capacity check); the weight buffer holds the
//! unpadded code, as the words are unpacked on the way in. Absent: the
//! packed weights' bytes, unchanged.

use super::{Accelerator, InvalidValue};
use serde::{Deserialize, Serialize};
use workloads::{Op, OpKind};

/// Largest `tile_n` accepted.
pub const MAX_TILE_N: u64 = 1 << 20;
/// Largest `word_bytes` accepted.
pub const MAX_WORD_BYTES: u32 = 4096;

/// `[dram.weight_image]`: the padding rule of the stored weight image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightImage {
    /// K of every stored tile, in weights (a multiple of `array.width`);
    /// absent: K rounded up to whole chunks, one tile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tile_k: Option<u64>,
    /// N (outputs) of every stored tile; absent: N, one tile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tile_n: Option<u64>,
    /// Bytes of an image word; each output's chunk of weights is packed
    /// whole into a word. Absent: the outputs of a chunk packed densely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_bytes: Option<u32>,
}

impl WeightImage {
    /// Outputs one word holds, for `chunk_bits` bits an output's chunk
    /// (`None` without `word_bytes`).
    pub fn per_word(&self, chunk_bits: u64) -> Option<u64> {
        self.word_bytes
            .map(|b| (u64::from(b) * 8 / chunk_bits.max(1)).max(1))
    }

    /// Bytes of the stored image of a `k x n` matrix on an array of
    /// `width`, whose stored code takes `chunk_bits` bits for one output's
    /// chunk of `width` weights.
    pub fn bytes(&self, k: u64, n: u64, width: u64, chunk_bits: u64) -> u64 {
        let width = width.max(1);
        let tile_k = self.tile_k.unwrap_or(k.div_ceil(width) * width).max(1);
        let tile_n = self.tile_n.unwrap_or(n).max(1);
        let tiles = k.div_ceil(tile_k) * n.div_ceil(tile_n);
        let chunks = tile_k.div_ceil(width);
        let chunk_bytes = match (self.per_word(chunk_bits), self.word_bytes) {
            (Some(per), Some(wb)) => tile_n.div_ceil(per) * u64::from(wb),
            _ => (tile_n * chunk_bits).div_ceil(8),
        };
        tiles * chunks * chunk_bytes
    }

    /// Refuses out-of-range keys, naming the key, the value and the range:
    /// `tile_k` a multiple of `array.width` up to `array.max_k`, `tile_n`
    /// 1 to 2^20, `word_bytes` from the bytes of one output's chunk to 4096.
    pub fn validate(&self, a: &Accelerator) -> Result<(), InvalidValue> {
        let width = u64::from(a.array.width);
        let bad = |key: &str, v: String, msg: String| InvalidValue {
            key: key.into(),
            value: v,
            message: msg,
        };
        if a.array.dataflow.is_systolic() {
            return Err(bad(
                "dram.weight_image",
                "a table".into(),
                format!(
                    "`dram.weight_image` is not accepted with `array.dataflow` = \"{}\": the rule \
                     lays out the lane array's chunks; expected no `[dram.weight_image]` or \
                     `array.dataflow` = \"lanes\"",
                    a.array.dataflow.name()
                ),
            ));
        }
        if a.array.zeros == super::ZeroHandling::Skip {
            return Err(bad(
                "dram.weight_image",
                "a table".into(),
                "`dram.weight_image` is not accepted with `array.zeros` = \"skip\": compacted \
                 weights have their own stored format; expected no `[dram.weight_image]` or \
                 `array.zeros` = \"none\" or \"gate\""
                    .into(),
            ));
        }
        if let Some(t) = self.tile_k {
            if t == 0 || t % width != 0 || t > a.array.max_k {
                return Err(bad(
                    "dram.weight_image.tile_k",
                    t.to_string(),
                    format!(
                        "`dram.weight_image.tile_k` = {t} is out of range: a tile holds whole \
                         chunks of `array.width` = {width} weights, expected a multiple of \
                         {width} from {width} to {} (`array.max_k`)",
                        a.array.max_k
                    ),
                ));
            }
        }
        if let Some(t) = self.tile_n {
            if !(1..=MAX_TILE_N).contains(&t) {
                return Err(bad(
                    "dram.weight_image.tile_n",
                    t.to_string(),
                    format!(
                        "`dram.weight_image.tile_n` = {t} is out of range: expected an integer \
                         from 1 to {MAX_TILE_N}"
                    ),
                ));
            }
        }
        if let Some(b) = self.word_bytes {
            let bits = chunk_bits(a, a.array.weights.storage_bits());
            let lo = bits.div_ceil(8);
            if u64::from(b) < lo || b > MAX_WORD_BYTES {
                return Err(bad(
                    "dram.weight_image.word_bytes",
                    b.to_string(),
                    format!(
                        "`dram.weight_image.word_bytes` = {b} is out of range: a word holds at \
                         least one output's chunk ({bits} bits), expected an integer from {lo} \
                         to {MAX_WORD_BYTES}"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Bits one output's chunk of `array.width` weights takes in the stored
/// code: the datapath's own format (the LUT's indices) or `storage_bits` a
/// weight.
pub fn chunk_bits(a: &Accelerator, storage_bits: f64) -> u64 {
    let width = u64::from(a.array.width);
    match a.array.reduction.module().weight_bits(&a.array) {
        Some((bits, per)) => (width * bits).div_ceil(per),
        None => (width as f64 * storage_bits).ceil() as u64,
    }
}

/// The stored image's bytes of `op`'s weights on `a` (all `g` instances),
/// when the design states `[dram.weight_image]` and `op` is a projection;
/// `None` otherwise (the packed weights' bytes apply).
pub fn op_image_bytes(a: &Accelerator, op: &Op) -> Option<u64> {
    let img = a.dram.weight_image.as_ref()?;
    if op.kind != OpKind::Linear {
        return None;
    }
    let w = op.w.unwrap_or(op.a);
    let bits = chunk_bits(a, w.storage_bits());
    Some(op.g * img.bytes(op.k, op.n, u64::from(a.array.width), bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TeLLMe v2 release's regions (config.hpp, load_weight.hpp): K
    /// tiles of 1596 (19 chunks of 84), N tiles of 1536, 768-bit words of
    /// five 140-bit index vectors.
    fn tellme() -> WeightImage {
        WeightImage {
            tile_k: Some(1596),
            tile_n: Some(1536),
            word_bytes: Some(96),
        }
    }

    #[test]
    fn a_region_is_19_chunks_of_308_words() {
        // 5 outputs a word (768 / 140 = 5.49); ceil(1536 / 5) = 308 words
        assert_eq!(tellme().per_word(140), Some(5));
        assert_eq!(tellme().bytes(1536, 1536, 84, 140), 19 * 308 * 96);
        // the FFN: 4096 outputs in 3 N tiles, 4096 inputs in 3 K tiles
        assert_eq!(tellme().bytes(1536, 4096, 84, 140), 3 * 561_792);
        assert_eq!(tellme().bytes(4096, 1536, 84, 140), 3 * 561_792);
        // a layer of bitnet_b1_58-large: q, k, v, o, gate, up, down = 13 regions
        let layer = 4 * tellme().bytes(1536, 1536, 84, 140)
            + 2 * tellme().bytes(1536, 4096, 84, 140)
            + tellme().bytes(4096, 1536, 84, 140);
        assert_eq!(layer, 13 * 561_792);
        assert_eq!(24 * layer, 175_279_104);
    }

    #[test]
    fn absent_keys_pad_only_to_whole_chunks() {
        let none = WeightImage::default();
        // K = 200 on width 84: 3 chunks; 16 outputs x 140 bits = 280 bytes a chunk
        assert_eq!(none.bytes(200, 16, 84, 140), 3 * 280);
        // words only: ceil(16 / 5) = 4 words of 96 bytes a chunk
        let words = WeightImage {
            word_bytes: Some(96),
            ..none
        };
        assert_eq!(words.bytes(200, 16, 84, 140), 3 * 4 * 96);
        // tiles in K and N: 2 x 2 tiles of 2 chunks, ceil(32 / 5) = 7 words
        let tiles = WeightImage {
            tile_k: Some(168),
            tile_n: Some(32),
            word_bytes: Some(96),
        };
        assert_eq!(tiles.bytes(200, 40, 84, 140), 2 * 2 * 2 * 7 * 96);
    }
}
