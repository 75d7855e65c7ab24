//! `rtl check --top accel` of a layer whose input or output does not fit
//! on chip, in the fixed mapping or the mapper's choice (its K tile, token
//! block and loop order, one feature group a weight tile: `mapping.rs`,
//! [`StreamPlan::mapped`]): the engine's tokens-outer order (`stream.rs`)
//! run on the top as the layer's token blocks, each with the
//! streamed-input flag (`stream_in.rs`): the block's rows come with its
//! first weight transfer, the fetch runs ahead across the block boundaries
//! as across a chain's layers, so the top makes the engine's moves at its
//! cycles; the weights-outer order the same way, with the weights-outer
//! flag and every block after the first held (its transfers its rows
//! alone, the weights its group's first block loaded; the top walks
//! `(group, K tile, block)`), over several groups only with the outputs
//! stored per tile; and outputs stored per tile (the store flag,
//! `store_out.rs`), with the input streamed or on chip (one descriptor).
//! Several blocks are a loop of one descriptor in either order
//! (`block_loop.rs`). The engine's layer starts with the first block and
//! is complete with the last; both and the total are compared exactly,
//! every result bit for bit (stored outputs where the engine's DRAM model
//! places the stores: one after the other in issue order from
//! [`store_base`]).
//!
//! Memory image: the engine's placement of the layer's loads, one after
//! the other from 0 (`sim::memory::model`): for each block its tiles'
//! weights in order (weights outer: the first block's only), the block's
//! rows right after its first tile's weights; weights outer, every tile's
//! load (its weights, the first block's tiles only, then its block's rows)
//! in the order of the tiles. Outputs from `OUT_ADDR`, row-major.

use super::block_loop;
use super::check::{simulate, AccelOptions, AccelReport, RunImage};
use super::image::{act_image, reference_kt, Layer, LayerTiming, ACT_ADDR, DESC_ADDR, OUT_ADDR};
use super::mapping::{engine_mapped, TopMapping};
use super::params::{AccelParams, DESC_BYTES};
use super::store_out::STORE_FLAG;
use super::stream::{Order, StreamPlan};
use super::stream_in::{self, HELD_FLAG, STREAM_FLAG, WO_FLAG};
use crate::error::RtlError;

/// The streamed plan of `m x k x n` in the fixed mapping when the top runs
/// it this way, or why not (`Ok(None)`: the layer is on chip, the ordinary
/// check runs it).
pub fn streamed_plan(
    p: &AccelParams,
    m: u64,
    k: u64,
    n: u64,
) -> Result<Option<StreamPlan>, String> {
    streamed_plan_mapped(p, (m, k, n), &TopMapping::fixed(p))
}

/// [`streamed_plan`] in the mapping `tm` (the mapper's K tile, token block
/// and loop order).
pub fn streamed_plan_mapped(
    p: &AccelParams,
    (m, k, n): (u64, u64, u64),
    tm: &TopMapping,
) -> Result<Option<StreamPlan>, String> {
    if m == 0 || k == 0 || n == 0 {
        return Err("M, K and N must be at least 1".into());
    }
    let s = StreamPlan::mapped(p, (m, k, n), tm);
    if s.on_chip() {
        return Ok(None);
    }
    takes_plan(p, &s, (m, k, n))?;
    Ok(Some(s))
}

/// Why the top does not run the layer `m x k x n` with the moves `s`
/// (`Ok`: it does).
pub fn takes_plan(
    p: &AccelParams,
    s: &StreamPlan,
    (m, k, n): (u64, u64, u64),
) -> Result<(), String> {
    let why = |w: String| {
        Err(format!(
            "the engine moves the layer's data through DRAM ({}); {w}",
            s.describe()
        ))
    };
    if let Some(w) = p.refuses_gear(n, s.streams_input()) {
        return why(w);
    }
    if let Some(w) = s
        .tiles
        .iter()
        .find_map(|t| p.refuses_tile(t.weight_bytes, s.streams_input()))
    {
        return why(w);
    }
    if s.order == Order::WeightsOuter && s.groups > 1 && !s.out_spill {
        return why(format!(
            "the top runs the weights-outer order over {} feature groups only with the outputs \
             stored per tile (the output buffer keeps a layer's outputs block by block)",
            s.groups
        ));
    }
    if s.order == Order::WeightsOuter && s.out_spill && m > super::store_out::half(p) {
        return why(format!(
            "weights outer a feature group's outputs of all {m} tokens are staged in one half of \
             the output buffer ({} words)",
            super::store_out::half(p)
        ));
    }
    if let Some(w) = super::partial_spill::refusal(s) {
        return why(w);
    }
    if s.streams_input() {
        if let Some(w) = stream_in::refuses_fill(p) {
            return why(w);
        }
        if !stream_in::built(p) {
            return why(format!(
                "a streamed input needs a double-buffered activation buffer and input words of \
                 whole beats (this design's are {} bits on a {}-bit bus)",
                p.aword_bits(),
                p.axi_bits
            ));
        }
        if p.act_bits() != 8 {
            return why(format!(
                "a streamed input is laid out as INT8 rows (this design's activations are {})",
                p.arch.array.activations
            ));
        }
        if !k.is_multiple_of(p.width()) || !k.is_multiple_of(p.beat_bytes()) {
            return why(format!(
                "a streamed row must be whole words of the width {} and whole bus beats",
                p.width()
            ));
        }
        if s.blocks > super::block_loop::MAX_BLOCKS {
            return why(format!(
                "{} token blocks: the top's loop of one descriptor runs at most {}",
                s.blocks,
                super::block_loop::MAX_BLOCKS
            ));
        }
        if s.block * k.div_ceil(p.width()) > p.act_words / 2 {
            return why("a token block does not fit a half of the activation buffer".into());
        }
    }
    // (stored outputs: a group's staging half waits for the store two
    // groups before it as the engine's does, `store_out::start_hold`)
    if s.out_spill && !p.arch.buffers.outputs.double_buffered {
        return why(
            "the top stages the stores in two halves of the output buffer; this design's is \
             single-buffered (the engine gives its groups one)"
                .into(),
        );
    }
    if !s.out_spill && m * n.div_ceil(p.lanes()) > p.out_words {
        return why(format!(
            "the output ({m} x {n} accumulators) does not fit the output buffer"
        ));
    }
    // each block is an on-chip layer of its tokens: the rest of the limits
    if let Some(w) = p.refuses_block(s.block, k, n, s.out_spill) {
        return why(w);
    }
    if let Some(w) = super::ntile_store::refuses(p, s, (m, k, n)) {
        return why(w);
    }
    Ok(())
}

/// Where the engine's DRAM model places the stores of a run loading
/// `load` bytes: after the loads' region (4 KiB aligned) at the next 1 MiB
/// (`sim::memory::model`).
pub fn store_base(load: u64) -> u64 {
    (load.div_ceil(4096) * 4096).div_ceil(1 << 20) * (1 << 20)
}

/// Checks the streamed layer `m x k x n` (planned as `s`) on `p`.
pub fn check_streamed(
    p: &AccelParams,
    s: &StreamPlan,
    (m, k, n): (u64, u64, u64),
    opts: &AccelOptions,
) -> Result<AccelReport, RtlError> {
    // the engine's plan in the same mapping (the mapper's choice or the
    // fixed one)
    let (plans, tl, tm) = engine_mapped(p, (m, k, n), opts.mapper, true)?;
    if StreamPlan::mapped(p, (m, k, n), &tm) != *s {
        return Err(RtlError::Unsupported(format!(
            "the layer's moves are planned for another mapping than the engine's `{}`",
            tm.describe
        )));
    }
    let (load, store) = plans[0].dram_bytes();
    if (load, store) != s.dram_bytes() {
        return Err(RtlError::Unsupported(format!(
            "the engine loads and stores {load} and {store} bytes for the layer, the streamed \
             plan {:?}",
            s.dram_bytes()
        )));
    }
    // operands: the weights of the first block's layer, every block's rows
    // from its own seed; the reference of the whole layer
    // (the first tile of each block: weights outer the first group's)
    let first: Vec<usize> = (0..s.blocks)
        .filter_map(|b| s.tiles.iter().position(|t| t.block == b))
        .collect();
    let mut acts = Vec::with_capacity((m * k) as usize);
    let mut wimg = Vec::new();
    let mut weights = Vec::new();
    for (b, &i) in first.iter().enumerate() {
        let l = Layer::new_block(
            p,
            (s.tiles[i].tokens, k, n),
            opts.seed.wrapping_add(b as u64),
            s.out_spill,
        )?;
        if b == 0 {
            weights = l.weights.clone();
            wimg = l
                .segments
                .iter()
                .find(|x| x.0 == 0)
                .map(|x| x.1.clone())
                .unwrap_or_default();
        }
        acts.extend(l.acts);
    }
    let expected = reference_kt(p, (m, k, n), &acts, &weights, tm.kt);
    if tm.searched {
        // the mapper's K tile and N tile: the tiles' loads in its order
        // (`ntile_store.rs`), checked against the engine's tiles
        if let Some(w) = super::ntile_store::differs(s, &plans[0]) {
            return Err(RtlError::Unsupported(w));
        }
        wimg = super::ntile_store::weight_image(p, s, k, &wimg);
    }
    let mut segments = Vec::new();
    let mut descs = Vec::new();
    let streamed = s.streams_input();
    // weights outer: every block after the first computes with the
    // weights its group's first block loaded, its transfers rows only
    let held = s.order == Order::WeightsOuter;
    // several blocks: one descriptor, its blocks a loop (weights outer the
    // blocks after the first held, `block_loop.rs`)
    let looped = streamed && s.blocks > 1;
    let flags = if streamed { STREAM_FLAG } else { 0 }
        | if s.out_spill { STORE_FLAG } else { 0 }
        | if held { WO_FLAG } else { 0 };
    if held {
        // every tile's load at the engine's placement: its weights (the
        // first block's tiles: the group's, in the weight stream's order)
        // then its block's rows
        let mut w_at = 0usize;
        for (i, t) in s.tiles.iter().enumerate() {
            let w = t.weight_bytes as usize;
            let mut seg = wimg[w_at..w_at + w].to_vec();
            w_at += w;
            // the K tile's range of each of the block's rows
            let k0 = t.kb * p.width();
            for r in t.m0..t.m0 + t.tokens {
                let row = &acts[(r * k + k0) as usize..(r * k + k0 + t.klen) as usize];
                seg.extend(row.iter().map(|&a| a as u8));
            }
            segments.push((s.load_addr(i), seg));
        }
    }
    // the stores: the engine's placement, one after the other in issue order
    let sbase = store_base(load);
    let stored_before = |i: usize| -> u64 { s.tiles[..i].iter().map(|t| t.out_bytes).sum() };
    for (b, &i) in first.iter().enumerate() {
        let t = s.tiles[i];
        // the block's first store (its first group's last K tile)
        let st = (i..s.tiles.len())
            .find(|&j| s.tiles[j].block == b as u64 && s.tiles[j].out_bytes > 0)
            .unwrap_or(i);
        let obase = if s.out_spill {
            sbase + stored_before(st)
        } else {
            OUT_ADDR + t.m0 * n * 4
        };
        let (abase, wbase) = if held {
            // (the segments above; the transfers follow one another)
            let at = s.load_addr(i);
            (at + t.weight_bytes, at)
        } else if streamed {
            let at = s.load_addr(i);
            let w0 = t.weight_bytes as usize;
            let rows = &acts[(t.m0 * k) as usize..((t.m0 + t.tokens) * k) as usize];
            let mut seg = wimg[..w0].to_vec();
            seg.extend(rows.iter().map(|&a| a as u8));
            seg.extend(&wimg[w0..]);
            segments.push((at, seg));
            (at + t.weight_bytes, at)
        } else {
            // the input on chip: loaded before the run, as an ordinary
            // layer's (its rows at the activations' bits, `act_image`)
            segments.push((0, wimg.clone()));
            segments.push((ACT_ADDR, act_image(p, &acts, k)));
            (ACT_ADDR, 0)
        };
        if looped && b > 0 {
            // (the loop's descriptor gives the block's fields)
            continue;
        }
        let f = flags | if held && t.block > 0 { HELD_FLAG } else { 0 };
        // (word 9: the mapping's K tile)
        let kt = if tm.searched { tm.kt } else { 0 };
        // (a row's bytes: `K` for the streamed INT8 rows)
        let words = [
            t.tokens,
            k,
            n,
            f,
            abase,
            wbase,
            obase,
            p.row_bytes(k),
            n * 4,
            super::table::kt_word(p, kt, tm.tt),
            if tm.nt > 1 { tm.nt } else { 0 },
        ];
        let mut d = vec![0u8; DESC_BYTES as usize];
        for (j, v) in words.iter().enumerate() {
            d[j * 4..j * 4 + 4].copy_from_slice(&(*v as u32).to_le_bytes());
        }
        if looped {
            // tokens outer: the first block's descriptor with the loop's
            // words, every later block its own fields from it
            // (`block_loop.rs`)
            let next = s.tiles[first[1]];
            let last = s.tiles[first[first.len() - 1]];
            let next_obase = if s.out_spill {
                let st = (first[1]..s.tiles.len())
                    .find(|&j| s.tiles[j].block == 1 && s.tiles[j].out_bytes > 0)
                    .unwrap_or(first[1]);
                sbase + stored_before(st)
            } else {
                OUT_ADDR + next.m0 * n * 4
            };
            let lw = [
                (block_loop::BLOCKS_WORD, s.blocks),
                (block_loop::LAST_WORD, last.tokens),
                // (weights outer not read: every tile's load follows the
                // one before)
                (
                    block_loop::DSTRIDE_WORD,
                    if held {
                        0
                    } else {
                        s.load_addr(first[1]) - s.load_addr(i)
                    },
                ),
                (block_loop::OSTRIDE_WORD, next_obase - obase),
            ];
            for (j, v) in lw {
                let j = j as usize;
                d[j * 4..j * 4 + 4].copy_from_slice(&(v as u32).to_le_bytes());
            }
        }
        descs.extend(d);
    }
    segments.push((DESC_ADDR, descs));
    // the results where they land: row-major at OUT_ADDR, or each group's
    // `tokens x lanes` accumulators in the order of the stores
    // (an N tile's store: its groups one after the other)
    let (outs, expected) = if s.out_spill {
        let e = super::ntile_store::stored_order(p, s, n, &expected);
        ((sbase, stored_before(s.tiles.len())), e)
    } else {
        ((OUT_ADDR, m * n * 4), expected)
    };
    let img = RunImage {
        segments,
        loads: vec![load],
        wbases: vec![0],
        desc_count: if looped { 1 } else { first.len() as u64 },
        outs: vec![outs],
    };
    let r = simulate(p, &img, opts)?;
    let num = |k: &str| r.num(k);
    let (starts, dones) = (r.list("starts"), r.list("dones"));
    let total = num("layer_cycles");
    let blocks = first.len();
    let rtl = match (starts.first(), dones.last()) {
        (Some(&start), Some(&done))
            if num("t0") >= 0 && total >= 0 && starts.len() == blocks && dones.len() == blocks =>
        {
            Some(LayerTiming {
                start,
                done,
                total: total as u64,
            })
        }
        _ => None,
    };
    let got = &r.outs[0];
    let wrong = expected
        .iter()
        .enumerate()
        .filter(|&(i, e)| got.get(i) != Some(e))
        .count();
    Ok(AccelReport {
        top: p.top(),
        shape: (m, k, n),
        engine: LayerTiming {
            start: tl.ops[0].start,
            done: tl.ops[0].done,
            total: tl.cycles,
        },
        mapping: tm.describe.clone(),
        rtl,
        prologue: num("t0").max(0) as u64,
        sim_cycles: num("cycles").max(0) as u64,
        wrong_results: wrong,
        results: expected.len(),
        error_reg: num("error").max(0) as u64,
        finished: num("finished") == 1,
        transfers: num("transfers").max(0) as u64,
        addr_mismatch: num("addr_mismatch").max(0) as u64,
        stores: (
            s.tiles.iter().filter(|t| t.out_bytes > 0).count() as u64,
            num("stores"),
        ),
        problems: num("problems").max(0) as u64,
        wreads: (
            super::tokens::engine_weight_reads(p, &plans[0], n),
            num("wreads"),
        ),
        random: opts.random,
        bus: (p.beat_bytes(), p.dram_bytes_per_cycle()),
        build_s: r.build_s,
        run_s: r.run_s,
    })
}
