//! Ternary designs against the strongest conventional quantized baselines
//! of the same area and memory system: W4A8 (INT4 weights, INT8
//! activations) and W8A8 (INT8 weights and activations) MAC arrays, the
//! `*-w4a8` and `*-w8a8` presets sized to the ternary preset's area.
//!
//! For every model size of the energy trend, the LLaMA shape runs at INT4
//! and INT8 weights with INT8 activations on the two baselines and BitNet
//! b1.58 runs on the ternary design; the strongest baseline of a size is
//! the one with the lower energy per token.

use crate::energy;
use crate::paper::TREND_SIZES;
use crate::tech::Technology;
use serde::Serialize;
use sim::arch::{preset, Accelerator};
use sim::{simulate, SimOptions, SimResult};
use workloads::trace::{generate, TraceOptions};
use workloads::{zoo, ModelConfig, Phase, Precision};

/// The quantized baseline presets of a ternary preset (`edge-ternary` ->
/// `edge-w4a8`, `edge-w8a8`), W4A8 first.
pub fn baseline_presets(ternary: &str) -> Vec<String> {
    ["w4a8", "w8a8"]
        .iter()
        .map(|q| ternary.replace("ternary", q))
        .filter(|n| preset(n).is_some())
        .collect()
}

/// `model` re-encoded to the weights and activations of the MAC design
/// `arch` (its name gains `@int4`, `@int8`).
pub fn model_for(model: &ModelConfig, arch: &Accelerator) -> ModelConfig {
    let w = arch.array.weights;
    let mut m = model.clone();
    if w != m.weights {
        m = m.with_encoding(w);
        m.name = format!("{}@{w}", model.name);
    }
    if matches!(arch.array.activations, Precision::Int(_)) {
        m.activations = arch.array.activations;
    }
    m
}

/// One decode step of `model` on `arch`, run even when it oversubscribes
/// the design's DRAM (the result then carries the warning): the result and
/// its energy.
pub fn decode(
    t: &Technology,
    arch: &Accelerator,
    model: &ModelConfig,
    seq: u64,
    batch: u64,
) -> Result<(SimResult, energy::EnergyReport), String> {
    step(t, arch, model, Phase::Decode, seq, batch)
}

/// One `phase` step of `model` on `arch` at batch `batch` (`seq`: the KV
/// length of a decode step, the tokens of a prefill), run even when it
/// oversubscribes the design's DRAM: the result and its energy.
pub fn step(
    t: &Technology,
    arch: &Accelerator,
    model: &ModelConfig,
    phase: Phase,
    seq: u64,
    batch: u64,
) -> Result<(SimResult, energy::EnergyReport), String> {
    step_with(
        t,
        arch,
        model,
        &TraceOptions {
            phase,
            seq,
            batch,
            ..TraceOptions::default()
        },
    )
}

/// One step of `model` on `arch` generated with `opts` (its KV format
/// replaced by the design's), run even when it oversubscribes the design's
/// DRAM: the result and its energy.
pub fn step_with(
    t: &Technology,
    arch: &Accelerator,
    model: &ModelConfig,
    opts: &TraceOptions,
) -> Result<(SimResult, energy::EnergyReport), String> {
    let trace = generate(
        model,
        &TraceOptions {
            kv: Some(arch.attention.kv_format()),
            ..opts.clone()
        },
    )
    .map_err(|e| e.to_string())?;
    let opts = SimOptions {
        allow_oversubscribe: true,
        ..crate::default_options(arch, t)
    };
    let r = simulate(arch, &trace, opts).map_err(|e| format!("{}: {e}", model.name))?;
    let e = energy::estimate(arch, &r, t);
    Ok((r, e))
}

/// One model size against every baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineRow {
    /// Model size.
    pub size: String,
    /// Energy per token (pJ) of each baseline, in [`Baselines::designs`] order.
    pub baseline_pj: Vec<f64>,
    /// Tokens/s of each baseline.
    pub baseline_tokens_per_s: Vec<f64>,
    /// Energy per token (pJ) of BitNet b1.58 on the ternary design.
    pub ternary_pj: f64,
    /// Tokens/s of the ternary design.
    pub ternary_tokens_per_s: f64,
    /// Index of the strongest baseline (lowest energy per token).
    pub strongest: usize,
    /// Strongest baseline energy / ternary energy.
    pub ratio: f64,
    /// Runs that need more DRAM than their design has (run anyway).
    pub oversubscribed: Vec<String>,
}

/// (e) The ternary design against its quantized baselines across sizes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Baselines {
    /// The ternary design.
    pub ternary_design: String,
    /// The baseline designs (W4A8 first).
    pub designs: Vec<String>,
    /// The step simulated.
    pub step: String,
    /// Per size.
    pub rows: Vec<BaselineRow>,
}

/// Runs every trend size on `ternary` and its quantized baselines
/// (decode, KV length `seq`, batch `batch`).
pub fn against(t: &Technology, ternary: &str, seq: u64, batch: u64) -> Result<Baselines, String> {
    let ta = preset(ternary).ok_or_else(|| format!("no preset {ternary}"))?;
    let names = baseline_presets(ternary);
    let archs: Vec<Accelerator> = names.iter().filter_map(|n| preset(n)).collect();
    let mut rows = Vec::new();
    for size in TREND_SIZES {
        let llama = zoo::find(&format!("llama-{size}")).ok_or(format!("no llama-{size}"))?;
        let bitnet =
            zoo::find(&format!("bitnet-b1.58-{size}")).ok_or(format!("no bitnet-b1.58-{size}"))?;
        let (tr, te) = decode(t, &ta, &bitnet, seq, batch)?;
        let tpj = te.per_token_pj.total();
        let mut over = Vec::new();
        if !tr.warnings.is_empty() {
            over.push(format!("{}: {}", tr.design, tr.model));
        }
        let (mut pj, mut tps) = (Vec::new(), Vec::new());
        for a in &archs {
            let (r, e) = decode(t, a, &model_for(&llama, a), seq, batch)?;
            if !r.warnings.is_empty() {
                over.push(format!("{}: {}", r.design, r.model));
            }
            pj.push(e.per_token_pj.total());
            tps.push(r.tokens_per_s);
        }
        let strongest = (0..pj.len())
            .min_by(|&i, &j| pj[i].total_cmp(&pj[j]))
            .unwrap_or(0);
        rows.push(BaselineRow {
            size: size.to_string(),
            ratio: pj.get(strongest).map_or(0.0, |b| b / tpj),
            baseline_pj: pj,
            baseline_tokens_per_s: tps,
            ternary_pj: tpj,
            ternary_tokens_per_s: tr.tokens_per_s,
            strongest,
            oversubscribed: over,
        });
    }
    Ok(Baselines {
        ternary_design: ta.name.clone(),
        designs: archs.iter().map(|a| a.name.clone()).collect(),
        step: format!("decode, batch {batch}, KV length {seq}"),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quantized presets are sized as their rationale says: the largest
    /// lane count whose area fits the ternary counterpart's.
    #[test]
    fn baselines_are_iso_area() {
        let t = Technology::default_7nm();
        for ternary in ["edge-ternary", "datacenter-ternary"] {
            let ta = preset(ternary).unwrap();
            let budget = crate::area::estimate(&ta, &t).total_mm2();
            let names = baseline_presets(ternary);
            assert_eq!(names.len(), 2, "{ternary}");
            for n in names {
                let a = preset(&n).unwrap();
                assert_eq!(a.dram, ta.dram, "{n}: the same memory system");
                assert_eq!(a.buffers, ta.buffers, "{n}");
                assert_eq!(a.array.width, ta.array.width, "{n}");
                let area = crate::area::estimate(&a, &t).total_mm2();
                assert!(area <= budget, "{n}: {area} > {budget}");
                let mut bigger = a.clone();
                bigger.array.lanes += 1;
                let more = crate::area::estimate(&bigger, &t).total_mm2();
                assert!(
                    more > budget,
                    "{n}: one more lane still fits ({more} <= {budget})"
                );
            }
        }
    }
}
