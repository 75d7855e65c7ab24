//! Matrix products on the lane array: tiling over lanes (output features)
//! and width (the reduction), the loop order that moves the fewest DRAM
//! bytes for the buffer sizes, and the events it causes.
//!
//! A tile is one N tile (one or more groups of `lanes` output features,
//! run one after the other) over one K range (as many chunks as fit a
//! weight tile: half of the weight buffer, or the weight storage divided
//! by the mapping's prefetch depth, [`super::prefetch`]) for one block of
//! tokens. Weights
//! of a tile stay in the weight buffer while every token of the block is
//! reduced against them (weight reuse across batch and prefill tokens).
//! Activations stay on chip when the whole input fits the activation
//! buffer; otherwise they are streamed in token blocks, and the loop order
//! is chosen between weights-outer (weights read once, activations once per
//! feature group) and tokens-outer (activations read once, weights once per
//! token block) by the DRAM bytes each moves.
//!
//! [`plan_with`] takes the mapping as parameters ([`LinearMapping`]: loop
//! order, token tile of the lanes' weight registers, K tile, N tile, token
//! block, head packing, prefetch depth);
//! [`LinearMapping::fixed`] is the fixed mapping described above, which
//! the mapper ([`super::mapper`]) searches around. With a K split, the
//! partial sums live in the output buffer when they fit half of it, and
//! spill to DRAM (written, then read back by the next K tile) when they do
//! not: tokens outer, a block's N tile's partial sums (its K tiles run
//! back to back); weights outer, those of every token of the N tile (every
//! block computes one K tile before any computes the next).

use super::prefetch;
use super::reuse::{self, LinearMapping, LoopOrder};
use super::skip::Compaction;
use super::{push_run, ChunkCost, MapError, OpPlan, TileWork, Tiles, Unit};
use crate::activity::{Activity, Buffer};
use crate::arch::{acc_bits_for, Accelerator, ZeroHandling};
use crate::measured::MeasuredWeights;
use crate::memory::SramPort;
use workloads::Op;

/// Sizes of the pieces a length is cut into: `(piece, count)` pairs.
fn pieces(total: u64, piece: u64) -> Vec<(u64, u64)> {
    let full = total / piece;
    let rest = total % piece;
    let mut v = Vec::with_capacity(2);
    if full > 0 {
        v.push((piece, full));
    }
    if rest > 0 {
        v.push((rest, 1));
    }
    v
}

/// The room a mapping of `op` has: chunks of K per tile and tokens per
/// block at most, and whether the activations stay on chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Room {
    /// Chunks (after compaction) of the whole reduction.
    pub chunks_total: u64,
    /// Most chunks a K tile of one feature group may hold (a weight tile).
    pub max_k_chunks: u64,
    /// Most feature groups an N tile may hold (one chunk of each fits a
    /// weight tile), at most the groups there are.
    pub max_n_tile: u64,
    /// Most tokens a block may hold (half of the activation buffer), or
    /// all tokens when the input stays on chip.
    pub max_block: u64,
    /// The whole input fits the activation buffer.
    pub on_chip: bool,
}

/// Today's fixed mapping: the full K tile, the full token block, the loop
/// order by DRAM bytes, the design's whole token tile.
pub(super) fn plan(
    arch: &Accelerator,
    chunk: &ChunkCost,
    op: &Op,
    measured: Option<&MeasuredWeights>,
) -> Result<OpPlan, MapError> {
    plan_with(arch, chunk, op, measured, &LinearMapping::fixed(arch))
}

/// The lane-array plan of `op` under the mapping `map` (zero fields of
/// `map` take the largest value that fits).
pub(super) fn plan_with(
    arch: &Accelerator,
    chunk: &ChunkCost,
    op: &Op,
    measured: Option<&MeasuredWeights>,
    map: &LinearMapping,
) -> Result<OpPlan, MapError> {
    let arr = &arch.array;
    let lanes = u64::from(arr.lanes);
    let width = u64::from(arr.width);
    let w = op.w.unwrap_or(op.a);
    // the stored image's bytes when the design pads it (`dram.weight_image`)
    let image = crate::arch::weight_image::op_image_bytes(arch, op);
    // head packing: `pack` instances side by side on the lanes, each with
    // its own activations (the activation port delivers `pack` chunks)
    let pack = map.pack.clamp(1, op.g.max(1));
    let real_terms = op.g * op.m * op.n * op.k;
    let packed;
    let op = if pack > 1 {
        packed = Op {
            g: op.g.div_ceil(pack),
            n: op.n * pack,
            ..op.clone()
        };
        &packed
    } else {
        op
    };
    let ii = u64::from(chunk.timing.initiation_interval);
    // weights in SRAM and DRAM: the precision's bytes, or the datapath's own
    // format (the LUT's group indices)
    let stored = arr.reduction.module().weight_bits(arr);
    let w_storage_bits = stored.map_or(w.storage_bits(), |(b, per)| b as f64 / per as f64);

    if let Some(needed) = acc_bits_for(op.k, op.a, w) {
        let have = arch.acc_bits();
        if needed > have {
            return Err(MapError::Accumulator {
                op: op.name.clone(),
                k: op.k,
                needed,
                have,
            });
        }
    }

    // Zero weights compacted away shorten the reduction: to the densest
    // lane's slots per window (skip.rs), or to the measured densest lane.
    let comp = Compaction::of(arch, op, measured);
    let measured = measured.filter(|m| m.lanes == arr.lanes && m.width == arr.width);
    let z = comp.zeros;
    let k_eff = comp.k_eff;
    let chunks_total = k_eff.div_ceil(width);

    // K tiles: as many chunks as fit a weight tile (half of the weight
    // buffer, or the storage divided by the mapping's prefetch depth).
    let depth = prefetch::depth_of(arch, map);
    let cap_w = prefetch::tile_room(arch, depth);
    // stored weight bytes: the compacted slots of zero skip, or the
    // datapath's own format (or the precision's) for dense rows; in the
    // datapath's format every lane's row of `len` weights is whole groups
    // of `per` (a partial last group still takes a whole index)
    let wb = |n_lanes: u64, len: u64| {
        if comp.model.is_some() {
            comp.weight_bytes(n_lanes, len)
        } else {
            match stored {
                Some((bits, per)) => {
                    (u128::from(n_lanes) * u128::from(len.div_ceil(per)) * u128::from(bits))
                        .div_ceil(8) as u64
                }
                None => w.bytes_for(n_lanes * len),
            }
        }
    };
    let wbytes = |n_lanes: u64, k_len: u64| wb(n_lanes, k_len);
    if wbytes(lanes, width) > cap_w {
        return Err(MapError::WeightBuffer {
            op: op.name.clone(),
            bytes: wbytes(lanes, width),
            capacity: cap_w,
        });
    }
    // N tile: feature groups whose weights a tile holds (at least one
    // chunk of each must fit the tile)
    let groups = op.n.div_ceil(lanes).max(1);
    let mut nt = map.n_tile.clamp(1, groups);
    nt = nt.min((cap_w / wbytes(lanes, width).max(1)).max(1));
    while nt > 1 && wbytes(nt * lanes, width) > cap_w {
        nt -= 1;
    }
    let nl = nt * lanes;
    let mut kt_chunks = ((cap_w * 8) as f64 / (nl * width) as f64 / w_storage_bits).floor() as u64;
    kt_chunks = kt_chunks.clamp(1, chunks_total);
    while kt_chunks > 1 && wbytes(nl, kt_chunks * width) > cap_w {
        kt_chunks -= 1;
    }
    if map.k_chunks > 0 {
        kt_chunks = kt_chunks.min(map.k_chunks);
    }
    // (chunks in the tile, number of such tiles), and the K length each covers
    let k_tiles = pieces(chunks_total, kt_chunks);
    let k_len = |chunks: u64, last: bool| {
        if last {
            k_eff - (chunks_total - chunks) * width
        } else {
            chunks * width
        }
    };
    // N tiles of `nl` outputs (the last one shorter); `groups` feature
    // groups of `lanes` outputs in all
    let n_tiles = pieces(op.n, nl);
    let n_tile_count: u64 = n_tiles.iter().map(|p| p.1).sum();
    // the feature groups of an N tile of `n_out` outputs: (full groups, the
    // outputs of a last partial one)
    let split = |n_out: u64| (n_out / lanes, n_out % lanes);
    let groups_in = |n_out: u64| n_out.div_ceil(lanes);
    let k_tile_count: u64 = k_tiles.iter().map(|p| p.1).sum();

    // Activations: on chip, or streamed in token blocks.
    let row_bytes = op.a.bytes_for(op.k) * pack;
    let in_bytes = op.g * op.m * row_bytes;
    let act_cap = arch.buffers.activations.bytes();
    let on_chip = in_bytes <= act_cap;
    let mb = if on_chip {
        op.m
    } else {
        let t = arch.buffers.activations.tile_bytes() / row_bytes.max(1);
        if t == 0 {
            return Err(MapError::ActivationBuffer {
                op: op.name.clone(),
                bytes: row_bytes,
                capacity: arch.buffers.activations.tile_bytes(),
            });
        }
        let t = t.min(op.m);
        if map.block > 0 {
            t.min(map.block)
        } else {
            t
        }
    };
    let blocks = pieces(op.m, mb);
    let block_count: u64 = blocks.iter().map(|p| p.1).sum();
    let out_elem_bytes = |count: u64| op.out.bytes_for(count);
    let out_spill = out_elem_bytes(op.g * op.m * op.n) > act_cap;
    let weight_bytes_all = op.g * n_tiles.iter().map(|&(l, c)| c * wb(l, k_eff)).sum::<u64>();
    // a padded image (`dram.weight_image`): every tile's weight read from
    // DRAM is the packed bytes scaled to the image's, rounded up (the
    // weight buffer still holds the packed code)
    let from_dram = |bytes: u64| match image {
        Some(img) if weight_bytes_all > 0 => {
            (u128::from(bytes) * u128::from(img)).div_ceil(u128::from(weight_bytes_all)) as u64
        }
        _ => bytes,
    };
    let acc_bytes = u64::from(arch.acc_bits().div_ceil(8));
    // partial sums of a K split: in half the output buffer, or spilled to
    // DRAM (written after every K tile but the last, read back by the
    // next). Tokens outer, a block's N tile runs its K tiles back to back,
    // so its own partial sums are what stays live; weights outer, every
    // block of the N tile computes K tile k before any computes k + 1, so
    // the partial sums of all of the layer's tokens stay live through the K
    // tiles: they fit together or every block's spill
    let spills = |live: u64, n_lanes: u64| {
        k_tile_count > 1 && live * n_lanes * acc_bytes > arch.buffers.outputs.tile_bytes()
    };
    // DRAM bytes (written and read back) of the spilled partial sums in
    // either order
    let spill_bytes = |weights_first: bool| -> u64 {
        let mut b = 0u64;
        for &(tokens, bc) in &blocks {
            for &(l, c) in &n_tiles {
                let live = if weights_first { op.m } else { tokens };
                if spills(live, l) {
                    b += bc * c * tokens * l * acc_bytes;
                }
            }
        }
        2 * b * op.g * k_tile_count.saturating_sub(1)
    };
    // DRAM bytes of the two loop orders when activations stream
    let weights_outer = weight_bytes_all
        + if on_chip {
            0
        } else {
            n_tile_count * in_bytes + spill_bytes(true)
        };
    let tokens_outer = weight_bytes_all * block_count
        + if on_chip {
            0
        } else {
            in_bytes + spill_bytes(false)
        };
    let tokens_first = !on_chip
        && match map.order {
            LoopOrder::ByDramBytes => tokens_outer < weights_outer,
            LoopOrder::WeightsOuter => false,
            LoopOrder::TokensOuter => true,
        };
    // weight registers in the lanes: a chunk of weights held for `tt` tokens
    let tt = reuse::token_tile(arch, map, op.m);
    let live_tokens = |tokens: u64| if tokens_first { tokens } else { op.m };
    let partial_spill = |tokens: u64, n_lanes: u64| spills(live_tokens(tokens), n_lanes);

    // SRAM port limits: per chunk and token, the weight port delivers every
    // lane's weights and the activation port one chunk of activations.
    let wport = SramPort::new(&arch.buffers.weights);
    let aport = SramPort::new(&arch.buffers.activations);
    let chunk_wbytes = |n_lanes: u64| comp.chunk_bytes(arch, n_lanes);
    // a compacted chunk carries the activations of its share of a window
    let chunk_abytes =
        (comp.positions(width) * op.a.storage_bits().ceil() as u64).div_ceil(8) * pack;
    // with weight registers the weight port delivers a chunk once per
    // token tile (a port narrower than a chunk fills a staging register
    // while the tile's tokens run), the activation port one chunk per token
    let group_cycles = |n_lanes: u64, tokens: u64, chunks: u64| {
        (tokens * chunks * ii)
            .max(reuse::loads(tokens, tt) * chunks * wport.cycles_for(chunk_wbytes(n_lanes)))
            .max(tokens * chunks * aport.cycles_for(chunk_abytes))
    };
    // an N tile runs its feature groups one after the other
    let tile_cycles = |n_out: u64, tokens: u64, chunks: u64| {
        let (full, rest) = split(n_out);
        full * group_cycles(lanes, tokens, chunks)
            + if rest > 0 {
                group_cycles(rest, tokens, chunks)
            } else {
                0
            }
    };
    // weight-port bytes of one chunk of every group of an N tile
    let tile_chunk_wbytes = |n_out: u64| {
        let (full, rest) = split(n_out);
        full * chunk_wbytes(lanes) + if rest > 0 { chunk_wbytes(rest) } else { 0 }
    };

    // a serial input load (`array.lut.load_elems`): every chunk of a K
    // range enters the precompute unit before its lookups, once per token
    // for all feature groups; charged on the first feature group's tiles
    let lut_cfg = arr.lut.clone().unwrap_or_default();
    let is_lut = arr.reduction == crate::arch::Reduction::Lut;
    let serial_load = |klen: u64| {
        let full = klen / width;
        (full * lut_cfg.load_cycles(width) + lut_cfg.load_cycles(klen % width)) * pack
    };
    let tile = |n_lanes: u64,
                chunks: u64,
                klen: u64,
                tokens: u64,
                (weights, serial): (bool, bool),
                acts: u64,
                (first_k, last_k): (bool, bool)| {
        let busy = groups_in(n_lanes) * tokens * chunks * ii;
        let serial = if serial && is_lut {
            tokens * serial_load(klen)
        } else {
            0
        };
        let partial = if partial_spill(tokens, n_lanes) {
            tokens * n_lanes * acc_bytes
        } else {
            0
        };
        TileWork {
            load: if weights {
                from_dram(wb(n_lanes, klen))
            } else {
                0
            } + acts
                + if first_k { 0 } else { partial },
            load_after_producers: acts > 0,
            busy,
            sram_stall: tile_cycles(n_lanes, tokens, chunks) - busy + serial,
            store: if out_spill && last_k {
                out_elem_bytes(tokens * n_lanes)
            } else {
                0
            } + if last_k { 0 } else { partial },
            partial_in: if first_k { 0 } else { partial },
            partial_out: if last_k { 0 } else { partial },
        }
    };
    // (chunks, K length, (first, last)) for every K tile in order
    let mut k_list: Vec<(u64, u64, (bool, bool))> = Vec::new();
    for &(c, count) in &k_tiles {
        for _ in 0..count {
            let first = k_list.is_empty();
            let last = k_list.len() as u64 + 1 == k_tile_count;
            k_list.push((c, k_len(c, last), (first, last)));
        }
    }
    let mut tiles = Tiles::new();
    if tokens_first {
        // block -> instance -> feature group -> K tile; the block's
        // activations arrive with its first tile; identical blocks repeat
        for &(tokens, bcount) in &blocks {
            let mut block = Vec::new();
            let mut first = true;
            for _ in 0..op.g {
                let mut first_group = true;
                for &(n_lanes, ncount) in &n_tiles {
                    for _ in 0..ncount {
                        for &(c, klen, last) in &k_list {
                            let acts = if first { op.g * tokens * row_bytes } else { 0 };
                            first = false;
                            push_run(
                                &mut block,
                                tile(n_lanes, c, klen, tokens, (true, first_group), acts, last),
                                1,
                            );
                        }
                        first_group = false;
                    }
                }
            }
            tiles.push_pattern(&block, bcount);
        }
    } else {
        // instance -> feature group -> K tile -> block: weights arrive with
        // the first block and stay; streamed activations come with every
        // block; identical feature groups repeat the same sequence
        let mut instance = Tiles::new();
        let serial_any = lut_cfg.load_elems.is_some() && is_lut;
        let mut first_group = true;
        for &(n_lanes, ncount) in &n_tiles {
            // the first feature group carries the serial input load (when
            // the design has one) and so differs from the groups after it
            let split = first_group && serial_any;
            let group = |serial: bool| {
                let mut group = Vec::new();
                for &(c, klen, last) in &k_list {
                    let acts = |tokens: u64| {
                        if on_chip {
                            0
                        } else {
                            tokens * op.a.bytes_for(comp.positions(klen)) * pack
                        }
                    };
                    let mut first = true;
                    for &(tokens, bcount) in &blocks {
                        push_run(
                            &mut group,
                            tile(
                                n_lanes,
                                c,
                                klen,
                                tokens,
                                (first, serial),
                                acts(tokens),
                                last,
                            ),
                            1,
                        );
                        first = false;
                        if bcount > 1 {
                            push_run(
                                &mut group,
                                tile(
                                    n_lanes,
                                    c,
                                    klen,
                                    tokens,
                                    (false, serial),
                                    acts(tokens),
                                    last,
                                ),
                                bcount - 1,
                            );
                        }
                    }
                }
                group
            };
            if split {
                instance.push_pattern(&group(true), 1);
                if ncount > 1 {
                    instance.push_pattern(&group(false), ncount - 1);
                }
            } else {
                instance.push_pattern(&group(false), ncount);
            }
            first_group = false;
        }
        for _ in 0..op.g {
            tiles.append(&instance);
        }
    }
    let weight_dram = weight_bytes_all * if tokens_first { block_count } else { 1 };
    let partial_dram: u64 = blocks
        .iter()
        .map(|&(tokens, bc)| {
            bc * n_tiles
                .iter()
                .filter(|&&(l, _)| partial_spill(tokens, l))
                .map(|&(l, c)| c * tokens * l * acc_bytes)
                .sum::<u64>()
        })
        .sum::<u64>()
        * op.g
        * k_tile_count.saturating_sub(1);

    // Events.
    let lane_chunks = op.g * op.m * op.n * chunks_total;
    let chunks = op.g * op.m * groups * chunks_total;
    let mut act = Activity::default();
    act.add_scaled(&chunk.per_lane, lane_chunks);
    act.add_scaled(&chunk.per_chunk, chunks);
    if let Some(m) = measured.filter(|_| w.is_low_bit_weight() && stored.is_none()) {
        // the weight input registers switch with the measured toggles
        let wreg = lane_chunks * width * w.storage_bits().ceil() as u64;
        let scaled = (wreg as f64 * m.register_factor(w.default_zero_fraction())).round() as u64;
        act.reg_bits = act.reg_bits - wreg + scaled;
    }
    if w.is_low_bit_weight() {
        match arr.zeros {
            ZeroHandling::Gate => act.zero_terms_gated = (real_terms as f64 * z).round() as u64,
            ZeroHandling::Skip => {
                act.zero_terms_skipped = op.g * op.m * op.n * op.k.saturating_sub(k_eff);
                if let Some(s) = comp.model {
                    // every tree input selects its activation from the window
                    act.mux_bits += lane_chunks
                        * width
                        * u64::from(op.a.storage_bits().ceil() as u32)
                        * s.mux_levels;
                }
            }
            ZeroHandling::None => {}
        }
    }
    let (dram_r, dram_w) = (tiles.sum(|t| t.load), tiles.sum(|t| t.store));
    act.dram_read_bits = dram_r * 8;
    act.dram_write_bits = dram_w * 8;
    // the weight reads as the tiles carry them (the image's when padded)
    let weight_reads = if image.is_some() {
        op.g * n_tiles
            .iter()
            .map(|&(l, c)| {
                c * k_list
                    .iter()
                    .map(|&(_, klen, _)| from_dram(wb(l, klen)))
                    .sum::<u64>()
            })
            .sum::<u64>()
            * if tokens_first { block_count } else { 1 }
    } else {
        weight_dram
    };
    let act_dram = dram_r - weight_reads - partial_dram;
    // weight buffer: filled from DRAM, read once per chunk and token tile
    act.sram_write(Buffer::Weights, weight_dram);
    let loads: u64 = blocks
        .iter()
        .map(|&(tokens, bc)| bc * reuse::loads(tokens, tt))
        .sum();
    let w_reads: u64 = n_tiles
        .iter()
        .map(|&(l, c)| c * tile_chunk_wbytes(l))
        .sum::<u64>()
        * op.g
        * loads
        * chunks_total;
    act.sram_read(Buffer::Weights, w_reads);
    reuse::count_registers(&mut act, arch, op.g * op.n * chunks_total, op.m, loads, tt);
    act.sram_read(Buffer::Activations, chunks * chunk_abytes);
    act.sram_write(Buffer::Activations, act_dram);
    act.sram_write(Buffer::Outputs, out_elem_bytes(op.g * op.m * op.n));
    if k_tile_count > 1 && op.m > 1 {
        let partial = op.g * op.m * op.n * acc_bytes * (k_tile_count - 1);
        act.sram_write(Buffer::Outputs, partial);
        act.sram_read(Buffer::Outputs, partial);
    }
    if out_spill {
        act.sram_read(Buffer::Outputs, out_elem_bytes(op.g * op.m * op.n));
    }

    let order = if on_chip {
        "activations on chip"
    } else if tokens_first {
        "tokens outer"
    } else {
        "weights outer"
    };
    Ok(OpPlan {
        unit: Unit::Array,
        tiles,
        // a token's result leaves the latency after its last chunk is
        // accepted, the tile's tokens one every II cycles as their chunks
        // arrived (sim::tile); the tile's busy time already holds the last
        // chunk's II cycles, so the drain after it is `latency - (II - 1)`
        // (= the latency when II = 1; the accelerator top's RTL confirms it)
        drain: u64::from(chunk.timing.latency - (chunk.timing.initiation_interval - 1)),
        activity: act,
        macs: real_terms,
        note: format!(
            "array: {} feature groups x {} K tiles ({} chunks each) x {} token blocks of {}; {order}{}",
            groups * op.g,
            k_tile_count,
            kt_chunks,
            block_count,
            mb,
            if tt > 1 {
                format!("; weights held for {tt} tokens")
            } else {
                String::new()
            } + &if pack > 1 {
                format!("; {pack} instances packed across the lanes")
            } else {
                String::new()
            } + &if nt > 1 {
                format!("; N tiles of {nt} feature groups")
            } else {
                String::new()
            } + &if depth != prefetch::design_depth(arch) {
                format!("; {depth} weight tiles in flight")
            } else {
                String::new()
            }
        ),
        choice: None,
        depth: Some(depth),
    })
}

/// The room of `op` on `arch` at `depth` weight tiles in flight: the
/// largest K tile and N tile, and the largest token block.
pub(super) fn room(
    arch: &Accelerator,
    op: &Op,
    measured: Option<&MeasuredWeights>,
    depth: u32,
) -> Room {
    let arr = &arch.array;
    let (lanes, width) = (u64::from(arr.lanes), u64::from(arr.width));
    let w = op.w.unwrap_or(op.a);
    let comp = Compaction::of(arch, op, measured);
    let k_eff = comp.k_eff;
    let chunks_total = k_eff.div_ceil(width).max(1);
    let cap_w = prefetch::tile_room(arch, depth);
    let mut max_k_chunks =
        (((cap_w * 8) as f64 / (lanes * width) as f64 / w.storage_bits()).floor() as u64)
            .clamp(1, chunks_total);
    while max_k_chunks > 1 && comp.weight_bytes(lanes, max_k_chunks * width) > cap_w {
        max_k_chunks -= 1;
    }
    let groups = op.n.div_ceil(lanes).max(1);
    let max_n_tile = (cap_w / comp.weight_bytes(lanes, width).max(1)).clamp(1, groups);
    let row_bytes = op.a.bytes_for(op.k).max(1);
    let on_chip = op.g * op.m * row_bytes <= arch.buffers.activations.bytes();
    let max_block = if on_chip {
        op.m
    } else {
        (arch.buffers.activations.tile_bytes() / row_bytes).clamp(1, op.m.max(1))
    };
    Room {
        chunks_total,
        max_k_chunks,
        max_n_tile,
        max_block,
        on_chip,
    }
}
