//! A chain of linear layers as one run (a descriptor list): the engine's
//! timing of every layer when the layers run one after another on the
//! lane array, and the bit-exact results when a layer's input is an
//! earlier layer's output requantized to INT8.
//!
//! What the engine does at an operator boundary (`sim::engine`, rules 1-3
//! with the input on chip):
//!
//! - **prefetch across the boundary**: the array's fetch cursor walks the
//!   tiles of every operator in trace order, so the first weight tiles of
//!   layer `i + 1` are requested as soon as a slot frees during layer `i`
//!   (the loads of a linear layer with its input on chip never wait for
//!   producers: `load_after_producers` is false);
//! - **no gap for an independent layer**: its first tile starts in the
//!   cycle the array frees (the cycle layer `i`'s last tile ends,
//!   `compute_end`), if its weights have arrived;
//! - **dependency stall**: a layer that reads an earlier layer's output
//!   starts no tile before that producer is complete (`done =
//!   compute_end + drain`), even with its weights on chip.
//!
//! Requantization rule (a dependent layer's input): the producer's 32-bit
//! accumulator `a`, shifted right arithmetically by `s` (a per-layer
//! field, the descriptor's `flags[12:8]`, `accel/forward.rs`) with round
//! half up, saturated to INT8:
//! `q = clamp((a + 2^(s-1)) >> s, -128, 127)` for `s >= 1`, and
//! `q = clamp(a, -128, 127)` for `s = 0` ([`requant`]). A power-of-two
//! scale, so the RTL needs one adder and a comparator a lane; it is not
//! BitNet's floating-point `absmax` scale (`sim::bitexact::quantize`).

use super::image::{engine_run, Layer, LayerTiming};
use super::params::AccelParams;
use crate::error::RtlError;
use sim::engine;
use sim::mapping::map_trace;
use workloads::{OpGraph, Precision};

/// One layer of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLayer {
    /// Tokens.
    pub m: u64,
    /// Reduction length.
    pub k: u64,
    /// Output features.
    pub n: u64,
    /// The earlier layer whose output (requantized by `shift`) is this
    /// layer's input; `None`: an input of its own from memory.
    pub after: Option<usize>,
    /// The requantization shift of the producer's output (0..=31).
    pub shift: u32,
    /// `Some(s)`: the layer's outputs are written to memory as INT8,
    /// [`requant`]`(a, s)`, one byte an output (descriptor flags bit 2,
    /// the shift in bits 28:24); `None`: 32-bit accumulators.
    pub out_shift: Option<u32>,
}

/// The engine's timing of one layer in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTiming {
    /// Cycle its first tile starts.
    pub start: u64,
    /// Cycle its last tile finishes computing.
    pub compute_end: u64,
    /// Cycle its result is complete.
    pub done: u64,
    /// The same layer run alone (its own isolated run, as `check --trace` runs each layer).
    pub alone: LayerTiming,
}

/// Requantizes a 32-bit accumulator to INT8 by the chain's rule.
pub fn requant(a: i32, shift: u32) -> i8 {
    let v = i64::from(a);
    let r = if shift == 0 {
        v
    } else {
        (v + (1i64 << (shift - 1))) >> shift
    };
    r.clamp(-128, 127) as i8
}

/// Checks the chain's shape: producers earlier, the input width equal to
/// the producer's output width, the same tokens, shifts in range, every
/// layer one the top runs.
pub fn validate(p: &AccelParams, layers: &[ChainLayer]) -> Result<(), RtlError> {
    if layers.is_empty() {
        return Err(RtlError::Unsupported(
            "a chain needs at least one layer".into(),
        ));
    }
    for (i, l) in layers.iter().enumerate() {
        if let Some(why) = p.refuses_layer(l.m, l.k, l.n) {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i} (M={} K={} N={}): {why}",
                l.m, l.k, l.n
            )));
        }
        if super::stream::StreamPlan::new(p, l.m, l.k, l.n).out_spill {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i} (M={} K={} N={}): the engine stores its outputs per tile; a \
                 chain keeps its layers' outputs on chip (outputs stored per tile run as one \
                 layer, `--gemm`)",
                l.m, l.k, l.n
            )));
        }
        if l.shift > 31 {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i}: shift {} out of range 0..=31",
                l.shift
            )));
        }
        if let Some(s) = l.out_shift.filter(|&s| s > 31) {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i}: INT8-output shift {s} out of range 0..=31"
            )));
        }
        if let Some(j) = l.after {
            let Some(src) = layers.get(j).filter(|_| j < i) else {
                return Err(RtlError::Unsupported(format!(
                    "chain layer {i}: producer {j} must be an earlier layer (0..{i})"
                )));
            };
            if src.n != l.k || src.m != l.m {
                return Err(RtlError::Unsupported(format!(
                    "chain layer {i}: its input ({} x {}) is not layer {j}'s output ({} x {})",
                    l.m, l.k, src.m, src.n
                )));
            }
        }
    }
    Ok(())
}

/// The engine's timing of every layer of the chain run as one operator
/// sequence on the design (one engine run: weights prefetched across the
/// boundaries, dependent layers held until their producer is complete),
/// the total, and each layer run alone for comparison.
pub fn engine_chain(
    p: &AccelParams,
    layers: &[ChainLayer],
) -> Result<(Vec<ChainTiming>, u64), RtlError> {
    validate(p, layers)?;
    let rows: String = layers
        .iter()
        .enumerate()
        .map(|(i, l)| format!("l{i}, {}, {}, {}\n", l.m, l.n, l.k))
        .collect();
    let mut trace = workloads::gemm::parse_topology(
        "accel-chain",
        &format!("Layer, M, N, K\n{rows}"),
        p.arch.array.activations,
        p.arch.array.weights,
    )
    .map_err(|e| RtlError::Unsupported(format!("the chain's layers: {e}")))?;
    for (i, l) in layers.iter().enumerate() {
        if let Some(j) = l.after {
            let name = trace.ops[j].name.clone();
            trace.ops[i].inputs = vec![name];
        }
        // an INT8-output layer's output is one byte an element (what the
        // engine charges if it leaves the chip; on chip it changes nothing)
        if l.out_shift.is_some() {
            trace.ops[i].out = Precision::Int(8);
        }
    }
    let plans = map_trace(&p.arch, &trace)
        .map_err(|e| RtlError::Unsupported(format!("the simulator refuses the chain: {e}")))?;
    let graph = OpGraph::new(&trace)
        .map_err(|e| RtlError::Unsupported(format!("the chain's graph: {e}")))?;
    let tl = engine::run(&p.arch, &plans, &graph, false);
    let mut out = Vec::with_capacity(layers.len());
    for (i, l) in layers.iter().enumerate() {
        // each layer must map as the top runs it (Layer::new checks the
        // plan tile by tile against the sequencer's order)
        let alone = Layer::new(p, l.m, l.k, l.n, 0)?.timing;
        let (solo, _) = engine_run(p, l.m, l.k, l.n)?;
        if solo[0].tiles != plans[i].tiles {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i}: the engine maps it differently in the chain ({}) than alone ({})",
                plans[i].note, solo[0].note
            )));
        }
        let t = &tl.ops[i];
        out.push(ChainTiming {
            start: t.start,
            compute_end: t.compute_end,
            done: t.done,
            alone,
        });
    }
    Ok((out, tl.cycles))
}

/// The bit-exact results of every layer of the chain: layer `i`'s `m x n`
/// accumulators (wrapped to the tile's `acc_bits` per K tile, summed in 32
/// bits, as [`Layer`] computes them) from its own seeded input, or from
/// its producer's output requantized by [`requant`].
pub fn chain_results(
    p: &AccelParams,
    layers: &[ChainLayer],
    seed: u64,
) -> Result<Vec<Layer>, RtlError> {
    validate(p, layers)?;
    let mut done: Vec<Layer> = Vec::with_capacity(layers.len());
    for (i, l) in layers.iter().enumerate() {
        let mut layer = Layer::new(p, l.m, l.k, l.n, seed.wrapping_add(i as u64))?;
        if let Some(j) = l.after {
            let acts: Vec<i8> = done[j]
                .expected
                .iter()
                .map(|&a| requant(a, l.shift))
                .collect();
            layer.set_acts(p, acts);
        }
        done.push(layer);
    }
    Ok(done)
}
