//! `rtl check --top accel` of a layer whose input does not fit the
//! activation buffer: the engine's tokens-outer order (`stream.rs`) run on
//! the top as one descriptor a token block, each with the streamed-input
//! flag (`stream_in.rs`): the block's rows come with its first weight
//! transfer, the fetch runs ahead across the block boundaries as across a
//! chain's layers, so the top makes the engine's moves at its cycles. The
//! engine's layer starts with the first block and is complete with the
//! last; both and the total are compared exactly, every result bit for
//! bit.
//!
//! Memory image: the engine's placement of the layer's loads, one after
//! the other from 0 (`sim::memory::model`): for each block its tiles'
//! weights in order, the block's rows right after its first tile's
//! weights. Outputs from `OUT_ADDR`, row-major.

use super::check::{simulate, AccelOptions, AccelReport, RunImage};
use super::image::{engine_run, reference, Layer, LayerTiming, DESC_ADDR, OUT_ADDR};
use super::params::{AccelParams, DESC_BYTES};
use super::stream::{Order, StreamPlan};
use super::stream_in::{self, STREAM_FLAG};
use crate::error::RtlError;

/// The streamed plan of `m x k x n` when the top runs it this way, or why
/// not (`Ok(None)`: the layer is on chip, the ordinary check runs it).
pub fn streamed_plan(
    p: &AccelParams,
    m: u64,
    k: u64,
    n: u64,
) -> Result<Option<StreamPlan>, String> {
    if m == 0 || k == 0 || n == 0 {
        return Err("M, K and N must be at least 1".into());
    }
    let s = StreamPlan::new(p, m, k, n);
    if !s.streams_input() {
        return Ok(None);
    }
    let why = |w: String| {
        Err(format!(
            "the engine moves the layer's data through DRAM ({}); {w}",
            s.describe()
        ))
    };
    if s.order != Order::TokensOuter {
        return why("the top streams an input only in the tokens-outer order".into());
    }
    if s.out_spill || s.partial_spill {
        return why(
            "the top does not store outputs or partial sums to DRAM during the layer".into(),
        );
    }
    if !stream_in::built(p) {
        return why("a streamed input needs a double-buffered activation buffer".into());
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
    let max = u64::from(super::table::MAX_LAYERS);
    if s.blocks > max {
        return why(format!(
            "{} token blocks: the top runs one descriptor a block, at most {max}",
            s.blocks
        ));
    }
    if s.block * k.div_ceil(p.width()) > p.act_words / 2 {
        return why("a token block does not fit a half of the activation buffer".into());
    }
    if m * n.div_ceil(p.lanes()) > p.out_words {
        return why(format!(
            "the output ({m} x {n} accumulators) does not fit the output buffer"
        ));
    }
    // each block is an on-chip layer of its tokens: the rest of the limits
    if let Some(w) = p.refuses_layer(s.block, k, n) {
        return why(w);
    }
    Ok(Some(s))
}

/// Checks the streamed layer `m x k x n` (planned as `s`) on `p`.
pub fn check_streamed(
    p: &AccelParams,
    s: &StreamPlan,
    (m, k, n): (u64, u64, u64),
    opts: &AccelOptions,
) -> Result<AccelReport, RtlError> {
    let (plans, tl) = engine_run(p, m, k, n)?;
    let load = plans[0].dram_bytes().0;
    if load != s.dram_bytes().0 {
        return Err(RtlError::Unsupported(format!(
            "the engine loads {load} bytes for the layer, the streamed plan {}",
            s.dram_bytes().0
        )));
    }
    // operands: the weights of the first block's layer, every block's rows
    // from its own seed; the reference of the whole layer
    let first: Vec<usize> = (0..s.tiles.len())
        .filter(|&i| i == 0 || s.tiles[i].block != s.tiles[i - 1].block)
        .collect();
    let mut acts = Vec::with_capacity((m * k) as usize);
    let mut wimg = Vec::new();
    let mut weights = Vec::new();
    for (b, &i) in first.iter().enumerate() {
        let l = Layer::new(p, s.tiles[i].tokens, k, n, opts.seed.wrapping_add(b as u64))?;
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
    let expected = reference(p, m, k, n, &acts, &weights);
    let mut segments = Vec::new();
    let mut descs = Vec::new();
    for &i in &first {
        let t = s.tiles[i];
        let at = s.load_addr(i);
        let w0 = t.weight_bytes as usize;
        let rows = &acts[(t.m0 * k) as usize..((t.m0 + t.tokens) * k) as usize];
        let mut seg = wimg[..w0].to_vec();
        seg.extend(rows.iter().map(|&a| a as u8));
        seg.extend(&wimg[w0..]);
        segments.push((at, seg));
        let words = [
            t.tokens,
            k,
            n,
            STREAM_FLAG,
            at + t.weight_bytes,
            at,
            OUT_ADDR + t.m0 * n * 4,
            k,
            n * 4,
        ];
        let mut d = vec![0u8; DESC_BYTES as usize];
        for (j, v) in words.iter().enumerate() {
            d[j * 4..j * 4 + 4].copy_from_slice(&(*v as u32).to_le_bytes());
        }
        descs.extend(d);
    }
    segments.push((DESC_ADDR, descs));
    let img = RunImage {
        segments,
        loads: vec![load],
        wbases: vec![0],
        desc_count: first.len() as u64,
        outs: vec![(OUT_ADDR, m * n * 4)],
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
        rtl,
        prologue: num("t0").max(0) as u64,
        sim_cycles: num("cycles").max(0) as u64,
        wrong_results: wrong,
        results: expected.len(),
        error_reg: num("error").max(0) as u64,
        finished: num("finished") == 1,
        transfers: num("transfers").max(0) as u64,
        addr_mismatch: num("addr_mismatch").max(0) as u64,
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
