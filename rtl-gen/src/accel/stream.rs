//! The engine's moves for a layer whose data does not fit on chip, derived
//! from the accelerator top's own geometry the way its sequencer has to
//! make them: the input streamed from DRAM in token blocks, the outputs
//! stored per tile, the partial sums of a K split spilled and read back.
//!
//! The rules are the engine's (`sim::mapping::linear`), for the fixed
//! mapping ([`StreamPlan::new`]) or the mapper's K tile, token block and
//! loop order ([`StreamPlan::mapped`], one feature group a weight tile),
//! for the lane array the top builds
//! (adder tree, 2-bit ternary weights, INT8 activations, no compaction,
//! no padded weight image; any token tile: weight registers change the
//! order inside a tile, not the moves):
//!
//! - K tiles of at most a weight slot's chunks (the mapper's, at most
//!   that), N in feature groups of `lanes` (the last one partial);
//! - the input stays on chip when it fits the activation buffer; otherwise
//!   it is cut into token blocks of at most a half of that buffer (the
//!   whole buffer when it is single; the mapper's block, at most that),
//!   and the loop order is the one that moves fewer DRAM bytes (or the
//!   mapper's): weights outer (group, K tile, block: weights
//!   once, each block's K range of the input with every tile) or tokens
//!   outer (block, group, K tile: the block's whole input with its first
//!   tile, the weights again for every block);
//! - the outputs are stored to DRAM as each group's last K tile finishes
//!   when the whole output (32-bit) does not fit the activation buffer;
//! - with a K split, the partial sums of a tile are stored as it finishes
//!   and read back with the next K tile's load when they exceed half the
//!   output buffer.
//!
//! A tile's load is one DRAM transfer of the engine's model (weights, then
//! the input rows, then the partial sums it reads back), its store one
//! transfer issued when the tile's last chunk has gone in. The transfers
//! are placed as the engine's DRAM model places them: the layer's loads
//! one after the other from its region's start ([`StreamPlan::load_addr`]).
//!
//! The schedule is checked tile for tile against the engine's plan
//! (`tests/accel_stream.rs`, with token tiles of 1 and 16). The top makes
//! the tokens-outer moves (the token blocks, `stream_in.rs`,
//! `stream_check.rs`) and the outputs stored per tile (`store_out.rs`);
//! the weights-outer order (the later blocks hold their group's weights,
//! the cursors step `(group, K tile, block)`, every tile loads its block's
//! K range, `stream_in.rs`; several groups with the outputs stored per
//! tile); both orders' blocks a loop of one descriptor (`block_loop.rs`);
//! spilled partial sums are not built (`partial_spill.rs`: the engine reads
//! them back from bytes no store wrote).

use super::mapping::TopMapping;
use super::params::AccelParams;
use sim::mapping::reuse::LoopOrder;

/// The loop order of a streamed layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The whole input is on chip (one token block of every token).
    OnChip,
    /// Group, K tile, token block: the weights once, the input once a group.
    WeightsOuter,
    /// Token block, group, K tile: the input once, the weights once a block.
    TokensOuter,
}

impl Order {
    /// The engine's words for it (as its plan's note says).
    pub fn name(self) -> &'static str {
        match self {
            Order::OnChip => "activations on chip",
            Order::WeightsOuter => "weights outer",
            Order::TokensOuter => "tokens outer",
        }
    }
}

/// One tile's moves, in the order the sequencer makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileMove {
    /// Token block index.
    pub block: u64,
    /// First token of the block.
    pub m0: u64,
    /// Tokens of the block.
    pub tokens: u64,
    /// First output feature of the tile (its first group's).
    pub n0: u64,
    /// Output features of the tile: its groups' (a group's `lanes`, or
    /// fewer in the last one; an N tile's groups, `ntile.rs`).
    pub lanes: u64,
    /// Feature groups of the tile, computed one after the other (1, or the
    /// mapper's N tile).
    pub groups: u64,
    /// First chunk of the K tile.
    pub kb: u64,
    /// Chunks of the K tile.
    pub chunks: u64,
    /// K elements of the K tile.
    pub klen: u64,
    /// Weight bytes the tile loads (0 when the weights are still held).
    pub weight_bytes: u64,
    /// Input bytes the tile loads (its block's rows, or their K range).
    pub act_bytes: u64,
    /// Partial-sum bytes the tile reads back (a spilled K split).
    pub partial_in: u64,
    /// Output bytes the tile stores when it finishes (its group's last K
    /// tile, outputs spilled).
    pub out_bytes: u64,
    /// Partial-sum bytes the tile stores when it finishes.
    pub partial_out: u64,
}

impl TileMove {
    /// Bytes the tile reads from DRAM: its load of weights and rows, and the
    /// read-back of its spilled partial sums (a transfer of its own).
    pub fn load(&self) -> u64 {
        self.weight_bytes + self.act_bytes + self.partial_in
    }

    /// Bytes of the tile's load in the layer's region: its weights and rows
    /// (the read-back of its partial sums is a transfer of its own).
    pub fn placed_load(&self) -> u64 {
        self.weight_bytes + self.act_bytes
    }

    /// Bytes of the tile's store (one DRAM transfer, 0: none).
    pub fn store(&self) -> u64 {
        self.out_bytes + self.partial_out
    }

    /// Cycles the tile computes (one chunk a token a cycle, its groups
    /// one after the other).
    pub fn busy(&self) -> u64 {
        self.groups * self.tokens * self.chunks
    }
}

/// The moves of one `m x k x n` layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPlan {
    /// The loop order.
    pub order: Order,
    /// Tokens of a full token block.
    pub block: u64,
    /// Token blocks.
    pub blocks: u64,
    /// K tiles of a group.
    pub k_tiles: u64,
    /// Feature groups (with the mapper's N tile: N tiles).
    pub groups: u64,
    /// The outputs are stored to DRAM tile by tile.
    pub out_spill: bool,
    /// The partial sums of the K split go through DRAM.
    pub partial_spill: bool,
    /// Every tile, in order.
    pub tiles: Vec<TileMove>,
}

/// `(piece, count)`: `total` cut into pieces of `piece`, the last shorter.
fn pieces(total: u64, piece: u64) -> Vec<(u64, u64)> {
    let mut v = Vec::with_capacity(2);
    if total / piece > 0 {
        v.push((piece, total / piece));
    }
    if !total.is_multiple_of(piece) {
        v.push((total % piece, 1));
    }
    v
}

/// Expands `(piece, count)` into `(start, piece)` in order.
fn starts(parts: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut at = 0;
    let mut v = Vec::new();
    for &(len, count) in parts {
        for _ in 0..count {
            v.push((at, len));
            at += len;
        }
    }
    v
}

impl StreamPlan {
    /// The moves of the layer `m x k x n` (each at least 1) on `p` in the
    /// fixed mapping.
    pub fn new(p: &AccelParams, m: u64, k: u64, n: u64) -> StreamPlan {
        StreamPlan::mapped(p, (m, k, n), &TopMapping::fixed(p))
    }

    /// The moves of the layer `m x k x n` on `p` in the mapping `tm` (its
    /// K tile of `kt` chunks, its N tile of `nt` feature groups, a tile's
    /// weights one load and its outputs one store, `ntile_store.rs`; its
    /// token block and loop order), as `sim::mapping::linear::plan_with` makes
    /// them: the block the mapper's tokens when it gives some, at most a
    /// half of the activation buffer's rows (the input on chip: every
    /// token), the order the mapper's unless it leaves it to the DRAM
    /// bytes.
    pub fn mapped(p: &AccelParams, (m, k, n): (u64, u64, u64), tm: &TopMapping) -> StreamPlan {
        let (l, w) = (p.lanes(), p.width());
        let bufs = &p.arch.buffers;
        let c_total = k.div_ceil(w);
        // W-bit weight codes packed (2-bit ternary: four a byte)
        let wb = |lanes: u64, klen: u64| p.weight_bytes(lanes, klen);
        let kt = tm.kt.clamp(1, p.slot_words.max(1));
        let k_tiles: Vec<(u64, u64)> = starts(&pieces(c_total, kt));
        let klen = |kb: u64, ch: u64| (ch * w).min(k - kb * w);
        // (an N tile's outputs: `nt` groups of `lanes`)
        let groups: Vec<(u64, u64)> = starts(&pieces(n, l * tm.nt.max(1)));
        // the input: on chip, or in token blocks of a buffer tile's rows
        // an input row: `k` activations packed (INT8: `k` bytes)
        let row = p.row_bytes(k);
        let in_bytes = m * row;
        let act_cap = bufs.activations.bytes();
        let on_chip = in_bytes <= act_cap;
        let block = if on_chip {
            m
        } else {
            let most = (bufs.activations.tile_bytes() / row).clamp(1, m);
            if tm.block > 0 {
                most.min(tm.block)
            } else {
                most
            }
        };
        let blocks: Vec<(u64, u64)> = starts(&pieces(m, block));
        let out_spill = m * n * 4 > act_cap;
        let w_all: u64 = groups.iter().map(|&(_, gl)| wb(gl, k)).sum();
        let (ng, nb) = (groups.len() as u64, blocks.len() as u64);
        let acc_bytes = u64::from(p.tile.acc_bits.div_ceil(8));
        let nk = k_tiles.len() as u64;
        // the partial sums live through the K tiles: a block's tokens
        // outer, all the layer's weights outer (every block computes a K
        // tile before any computes the next); they spill past a half
        let spills =
            |live: u64, gl: u64| nk > 1 && live * gl * acc_bytes > bufs.outputs.tile_bytes();
        let spill_bytes = |weights_first: bool| -> u64 {
            let mut b = 0;
            for &(_, tokens) in &blocks {
                for &(_, gl) in &groups {
                    if spills(if weights_first { m } else { tokens }, gl) {
                        b += tokens * gl * acc_bytes;
                    }
                }
            }
            2 * b * nk.saturating_sub(1)
        };
        let weights_outer = w_all
            + if on_chip {
                0
            } else {
                ng * in_bytes + spill_bytes(true)
            };
        let tokens_outer = w_all * nb
            + if on_chip {
                0
            } else {
                in_bytes + spill_bytes(false)
            };
        let order = if on_chip {
            Order::OnChip
        } else {
            let tokens_first = match tm.order {
                LoopOrder::ByDramBytes => tokens_outer < weights_outer,
                LoopOrder::WeightsOuter => false,
                LoopOrder::TokensOuter => true,
            };
            if tokens_first {
                Order::TokensOuter
            } else {
                Order::WeightsOuter
            }
        };
        let live = |tokens: u64| {
            if order == Order::TokensOuter {
                tokens
            } else {
                m
            }
        };
        let spill_of = |tokens: u64, gl: u64| spills(live(tokens), gl);
        let tile = |bi: usize, (n0, gl): (u64, u64), ki: usize, weights: bool, acts: u64| {
            let (m0, tokens) = blocks[bi];
            let (kb, ch) = k_tiles[ki];
            let (first_k, last_k) = (ki == 0, ki + 1 == k_tiles.len());
            let partial = if spill_of(tokens, gl) {
                tokens * gl * acc_bytes
            } else {
                0
            };
            TileMove {
                block: bi as u64,
                m0,
                tokens,
                n0,
                lanes: gl,
                groups: gl.div_ceil(l),
                kb,
                chunks: ch,
                klen: klen(kb, ch),
                weight_bytes: if weights { wb(gl, klen(kb, ch)) } else { 0 },
                act_bytes: acts,
                partial_in: if first_k { 0 } else { partial },
                out_bytes: if out_spill && last_k {
                    tokens * gl * 4
                } else {
                    0
                },
                partial_out: if last_k { 0 } else { partial },
            }
        };
        let mut tiles = Vec::new();
        if order == Order::TokensOuter {
            for (bi, &(_, tokens)) in blocks.iter().enumerate() {
                for (gi, &g) in groups.iter().enumerate() {
                    for ki in 0..k_tiles.len() {
                        let first = gi == 0 && ki == 0;
                        tiles.push(tile(bi, g, ki, true, if first { tokens * row } else { 0 }));
                    }
                }
            }
        } else {
            for &g in &groups {
                for (ki, &(kb, ch)) in k_tiles.iter().enumerate() {
                    for (bi, &(_, tokens)) in blocks.iter().enumerate() {
                        let acts = if on_chip {
                            0
                        } else {
                            tokens * p.row_bytes(klen(kb, ch))
                        };
                        tiles.push(tile(bi, g, ki, bi == 0, acts));
                    }
                }
            }
        }
        StreamPlan {
            order,
            block,
            blocks: nb,
            k_tiles: nk,
            groups: ng,
            out_spill,
            partial_spill: (0..blocks.len())
                .any(|bi| groups.iter().any(|&(_, gl)| spill_of(blocks[bi].1, gl))),
            tiles,
        }
    }

    /// The input is streamed from DRAM.
    pub fn streams_input(&self) -> bool {
        self.order != Order::OnChip
    }

    /// Nothing goes through DRAM but the weights (what the top builds).
    pub fn on_chip(&self) -> bool {
        !self.streams_input() && !self.out_spill && !self.partial_spill
    }

    /// Where tile `i`'s load starts in the layer's DRAM region (the engine's
    /// placement: the layer's loads one after the other; a read-back of
    /// spilled partial sums is a transfer of its own from where its spill
    /// was written, so it takes no room here).
    pub fn load_addr(&self, i: usize) -> u64 {
        self.tiles[..i].iter().map(TileMove::placed_load).sum()
    }

    /// The bytes the layer's loads take in its DRAM region (the loads
    /// without their read-backs): the store region starts after them.
    pub fn placed_loads(&self) -> u64 {
        self.tiles.iter().map(TileMove::placed_load).sum()
    }

    /// DRAM bytes read and written.
    pub fn dram_bytes(&self) -> (u64, u64) {
        (
            self.tiles.iter().map(TileMove::load).sum(),
            self.tiles.iter().map(TileMove::store).sum(),
        )
    }

    /// One line on the moves, for messages.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!(
            "{}: {} tiles ({} groups x {} K tiles x {} token blocks of {})",
            self.order.name(),
            self.tiles.len(),
            self.groups,
            self.k_tiles,
            self.blocks,
            self.block
        )];
        let sum = |f: fn(&TileMove) -> u64| self.tiles.iter().map(f).sum::<u64>();
        if self.streams_input() {
            parts.push(format!("the input streamed ({} B)", sum(|t| t.act_bytes)));
        }
        if self.out_spill {
            parts.push(format!(
                "the outputs stored per tile ({} B)",
                sum(|t| t.out_bytes)
            ));
        }
        if self.partial_spill {
            parts.push(format!(
                "the partial sums spilled ({} B written and read back)",
                sum(|t| t.partial_out)
            ));
        }
        parts.join("; ")
    }
}
