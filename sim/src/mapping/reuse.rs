//! Weight reuse in the lanes, and the parameters of a lane-array mapping.
//!
//! With `array.token_tile = T` every lane holds one chunk of its weights in
//! its weight register and keeps one partial sum per token of a tile of up
//! to `T` tokens (output-stationary partial sums). The loop inside a
//! feature group runs chunk-outer, token-inner: the weight buffer delivers
//! a chunk once per token tile instead of once per token (the tile loads it
//! with the tile's first token, `in_wload`), the activation buffer still
//! one chunk per token. The cycle behaviour is the tile model's
//! ([`crate::tile`], generated and co-simulated by rtl-gen): one chunk
//! every II cycles whatever its token, each token's result leaving the
//! pipeline latency after its last chunk, so the drain is the latency.
//! Costs counted here: the weight register writes (once per load) and the
//! `T:1` multiplexer that selects a token's partial sum (`ceil(log2 T)`
//! levels of 2:1 multiplexers per accumulator bit, in
//! [`Activity::mux_bits`]). The tile takes a whole chunk of weights in the
//! cycle that loads it; a weight buffer whose port is narrower than a chunk
//! may take the tile's `T` token cycles to deliver the next one
//! ([`super::linear`]), and only then a staging register in front of the
//! tile's weight input collects it. Its area (when needed), the
//! partial-sum bank's and the multiplexers' are in the energy model
//! (`energy_model::lane_extras`).

use crate::activity::Activity;
use crate::arch::Accelerator;
use serde::{Deserialize, Serialize};

/// The loop order of a lane-array mapping when activations stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoopOrder {
    /// The order that moves fewer DRAM bytes (the fixed mapping's rule).
    ByDramBytes,
    /// Feature group -> K tile -> token block: weights read once.
    WeightsOuter,
    /// Token block -> feature group -> K tile: activations read once.
    TokensOuter,
}

impl LoopOrder {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            LoopOrder::ByDramBytes => "by DRAM bytes",
            LoopOrder::WeightsOuter => "weights outer",
            LoopOrder::TokensOuter => "tokens outer",
        }
    }
}

/// The free parameters of a lane-array mapping. Zero sizes mean "the
/// largest that fits" (the fixed mapping's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LinearMapping {
    /// Loop order.
    pub order: LoopOrder,
    /// Tokens a lane holds a chunk of weights for (at most `array.token_tile`).
    pub token_tile: u64,
    /// Chunks of K per weight tile (a K split below the whole reduction
    /// spills partial sums).
    pub k_chunks: u64,
    /// Tokens per activation block (the share of the activation buffer a
    /// block takes).
    pub block: u64,
    /// Instances (attention heads) run side by side on the lanes when one
    /// instance's outputs fill only part of them; each has its own
    /// activations, so the activation port delivers `pack` chunks a cycle.
    pub pack: u64,
    /// N tile: feature groups (`array.lanes` outputs each) whose weights
    /// one weight tile holds, 1 in the fixed mapping. The groups of a tile
    /// run one after the other on the lanes; the tile is one DRAM load, and
    /// in the weights-outer order the streamed activations of a token block
    /// are loaded once per N tile instead of once per feature group.
    #[serde(default = "one")]
    pub n_tile: u64,
    /// Prefetch depth: weight tiles in flight, each a `1 / depth` share of
    /// the weight storage ([`super::prefetch`]); the design's
    /// `buffers.prefetch_slots` in the fixed mapping.
    #[serde(default)]
    pub depth: u32,
}

fn one() -> u64 {
    1
}

impl LinearMapping {
    /// The fixed mapping: the largest K tile and token block, the loop
    /// order by DRAM bytes, the design's whole token tile, one feature
    /// group a weight tile and the design's prefetch depth.
    pub fn fixed(arch: &Accelerator) -> LinearMapping {
        LinearMapping {
            order: LoopOrder::ByDramBytes,
            token_tile: u64::from(arch.array.token_tile),
            k_chunks: 0,
            block: 0,
            pack: 1,
            n_tile: 1,
            depth: super::prefetch::design_depth(arch),
        }
    }

    /// One line for reports.
    pub fn describe(&self) -> String {
        let size = |v: u64| {
            if v == 0 {
                "max".to_string()
            } else {
                v.to_string()
            }
        };
        format!(
            "{}, token tile {}, K tile {} chunks, token block {}{}{}, {} tiles in flight",
            self.order.name(),
            self.token_tile,
            size(self.k_chunks),
            size(self.block),
            if self.n_tile > 1 {
                format!(", N tile {} groups", self.n_tile)
            } else {
                String::new()
            },
            if self.pack > 1 {
                format!(", {} heads packed", self.pack)
            } else {
                String::new()
            },
            self.depth
        )
    }
}

/// The token tile a mapping uses for an operator of `m` tokens: at most
/// the design's registers and the tokens there are, at least 1.
pub fn token_tile(arch: &Accelerator, map: &LinearMapping, m: u64) -> u64 {
    map.token_tile
        .min(u64::from(arch.array.token_tile))
        .min(m)
        .max(1)
}

/// Weight-register loads of one lane and chunk over `tokens` tokens.
pub fn loads(tokens: u64, tile: u64) -> u64 {
    tokens.div_ceil(tile.max(1))
}

/// `ceil(log2 n)`: 2:1 multiplexer levels of an `n`:1 multiplexer.
pub fn mux_levels(n: u64) -> u64 {
    if n <= 1 {
        0
    } else {
        u64::from(64 - (n - 1).leading_zeros())
    }
}

/// Replaces the per-token weight-register writes the chunk cost counts
/// (`groups` lane-chunks of `m` tokens each) by one write per load
/// (`loads` per lane-chunk), and counts the partial-sum multiplexer.
pub fn count_registers(
    act: &mut Activity,
    arch: &Accelerator,
    groups: u64,
    m: u64,
    loads: u64,
    tile: u64,
) {
    if tile <= 1 {
        return;
    }
    let arr = &arch.array;
    let wbits = u64::from(arr.width) * arr.weights.storage_bits().ceil() as u64;
    act.reg_bits = act
        .reg_bits
        .saturating_sub(groups * m.saturating_sub(loads) * wbits);
    act.mux_bits += groups * m * mux_levels(tile) * u64::from(arch.acc_bits());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_loads() {
        assert_eq!(
            [1, 2, 3, 4, 5, 16, 17].map(mux_levels),
            [0, 1, 2, 2, 3, 4, 5]
        );
        assert_eq!(loads(4, 4), 1);
        assert_eq!(loads(5, 4), 2);
        assert_eq!(loads(7, 1), 7);
    }
}
