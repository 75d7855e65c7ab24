//! Published BitNet chips re-created with onebit: each chip's preset (built
//! only from what its paper states, the rest marked as assumptions) is run
//! on the workload the paper measured, and every published figure is set
//! beside onebit's prediction with the error.
//!
//! [`published`] holds the chips, their published figures and sources, and
//! what onebit models differently where the error passes its bound;
//! [`reference`] holds CPU measurements of the same models (published, not
//! simulated) beside onebit's simulated edge design. `onebit paper chips`
//! prints and writes the comparison (reports::chips).

pub mod published;
pub mod reference;

use crate::{area, baselines, Technology};
use published::{ChipSpec, Metric};
use serde::Serialize;
use workloads::trace::TraceOptions;
use workloads::{zoo, Phase};

/// Largest |error| of a throughput or latency figure inside the bound, %.
pub const THROUGHPUT_BOUND_PCT: f64 = 20.0;
/// Largest factor between predicted and published power, energy or area
/// inside the bound.
pub const POWER_BOUND_FACTOR: f64 = 2.0;

/// One published figure beside onebit's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// What is compared, with its unit ("decode, tokens/s").
    pub quantity: String,
    /// The published value.
    pub published: f64,
    /// Where the published value comes from.
    pub source: String,
    /// onebit's prediction; `None` where it is not compared (an FPGA's
    /// power).
    pub predicted: Option<f64>,
    /// `100 (predicted / published - 1)`.
    pub error_pct: Option<f64>,
    /// The bound this figure is held to ("20%", "2x").
    pub bound: String,
    /// Inside the bound (`None`: not compared).
    pub within: Option<bool>,
    /// What onebit models differently, and why: stated when the figure is
    /// outside its bound, or not compared.
    pub why: Option<String>,
}

/// One chip: its rows and what its preset took from the paper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChipResult {
    /// Chip name ("VitaLLM").
    pub chip: String,
    /// The onebit preset that re-creates it.
    pub preset: String,
    /// The model run (a zoo name).
    pub model: String,
    /// The technology table the preset names.
    pub technology: String,
    /// KV length of the decode step.
    pub decode_seq: u64,
    /// The sources.
    pub citation: String,
    /// What the preset's datapath stands in for, when it is not the chip's.
    pub stand_in: Option<String>,
    /// The LM head's precision and its source, where the chip's differs
    /// from the model's FP16.
    pub lm_head: Option<String>,
    /// The comparison.
    pub rows: Vec<Row>,
}

/// Every chip and the CPU reference points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChipsReport {
    /// Schema of this JSON.
    pub schema: String,
    /// The chips.
    pub chips: Vec<ChipResult>,
    /// Published CPU measurements beside onebit's simulated edge design.
    pub reference: reference::Reference,
}

/// Schema of [`ChipsReport`]'s JSON.
pub const CHIPS_SCHEMA: &str = "onebit-chips-1";

/// What onebit predicts for one chip, before it meets the published figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Decode tokens per second (batch 1).
    pub decode_tokens_per_s: f64,
    /// Decode latency of one token, s.
    pub decode_latency_s: f64,
    /// Chip power during decode (everything but the DRAM device), W.
    pub chip_power_w: f64,
    /// Chip energy per decoded token (everything but the DRAM device), J.
    pub chip_joules_per_token: f64,
    /// Modelled core area (logic and SRAM), mm2.
    pub area_mm2: f64,
    /// Modelled die area: the core and the system components outside it
    /// (DRAM PHY and controller, bus routing), mm2.
    pub die_area_mm2: f64,
}

/// The technology table a design names (7 nm when it names none).
pub fn technology_of(arch: &sim::Accelerator) -> Result<Technology, String> {
    let name = arch
        .technology
        .as_deref()
        .unwrap_or(crate::tech::DEFAULT_TECH);
    Technology::builtin(name).ok_or_else(|| format!("no technology table {name}"))
}

/// One `phase` step of `spec`'s model on its preset at batch 1 (`seq`: the
/// KV length of a decode step, the tokens of a prefill), with the LM head in
/// the precision the chip runs it in.
fn run(
    spec: &ChipSpec,
    phase: Phase,
    seq: u64,
) -> Result<(sim::SimResult, crate::energy::EnergyReport), String> {
    let arch =
        sim::arch::preset(spec.preset).ok_or_else(|| format!("no preset {}", spec.preset))?;
    let t = technology_of(&arch)?;
    let m = zoo::find(spec.model).ok_or_else(|| format!("no model {}", spec.model))?;
    let opts = TraceOptions {
        phase,
        seq,
        batch: 1,
        lm_head: spec.lm_head.map(|(p, _)| p),
        ..TraceOptions::default()
    };
    baselines::step_with(&t, &arch, &m, &opts)
}

/// Runs the decode step of `spec` on its preset.
pub fn predict(spec: &ChipSpec) -> Result<Prediction, String> {
    let arch =
        sim::arch::preset(spec.preset).ok_or_else(|| format!("no preset {}", spec.preset))?;
    let t = technology_of(&arch)?;
    let (r, e) = run(spec, Phase::Decode, spec.decode_seq)?;
    let chip_pj = e.energy_pj - e.total_pj.dram;
    let area = area::estimate(&arch, &t);
    Ok(Prediction {
        decode_tokens_per_s: r.tokens_per_s,
        decode_latency_s: r.latency_s,
        chip_power_w: chip_pj * 1e-12 / r.latency_s,
        chip_joules_per_token: chip_pj * 1e-12 / r.tokens.max(1) as f64,
        area_mm2: area.total_mm2(),
        die_area_mm2: area.die_mm2(),
    })
}

/// A `tokens`-token prefill of `spec`'s model on its preset: its latency,
/// s, and the chip's power (everything but the DRAM device), W.
pub fn prefill(spec: &ChipSpec, tokens: u64) -> Result<(f64, f64), String> {
    let (r, e) = run(spec, Phase::Prefill, tokens)?;
    let chip_pj = e.energy_pj - e.total_pj.dram;
    Ok((r.latency_s, chip_pj * 1e-12 / r.latency_s))
}

/// Sets each published figure of `spec` beside onebit's prediction.
pub fn compare(spec: &ChipSpec) -> Result<ChipResult, String> {
    let p = predict(spec)?;
    let arch =
        sim::arch::preset(spec.preset).ok_or_else(|| format!("no preset {}", spec.preset))?;
    let mut rows = Vec::new();
    for f in spec.figures {
        let predicted = if f.compared {
            Some(match f.metric {
                Metric::DecodeTokensPerS => p.decode_tokens_per_s,
                Metric::DecodeLatencyS => p.decode_latency_s,
                Metric::PrefillLatencyS(n) => prefill(spec, n)?.0,
                Metric::ChipPowerBusyMw(n) => prefill(spec, n)?.1 * 1e3,
                Metric::ChipPowerMw => p.chip_power_w * 1e3,
                Metric::EnergyPerTokenMj => p.chip_joules_per_token * 1e3,
                Metric::AreaMm2 => p.area_mm2,
                Metric::DieAreaMm2 => p.die_area_mm2,
            })
        } else {
            None
        };
        let error_pct = predicted.map(|v| 100.0 * (v / f.value - 1.0));
        let throughput = f.metric.is_throughput();
        let within = predicted.map(|v| {
            if throughput {
                (100.0 * (v / f.value - 1.0)).abs() <= THROUGHPUT_BOUND_PCT
            } else {
                let r = v / f.value;
                (1.0 / POWER_BOUND_FACTOR..=POWER_BOUND_FACTOR).contains(&r)
            }
        });
        let why = match within {
            Some(true) => None,
            _ => Some(f.why.to_string()),
        };
        rows.push(Row {
            quantity: f.metric.label(),
            published: f.value,
            source: f.source.to_string(),
            predicted,
            error_pct,
            bound: if throughput {
                format!("{THROUGHPUT_BOUND_PCT}%")
            } else {
                format!("{POWER_BOUND_FACTOR}x")
            },
            within,
            why,
        });
    }
    Ok(ChipResult {
        chip: spec.chip.to_string(),
        preset: spec.preset.to_string(),
        model: spec.model.to_string(),
        technology: arch
            .technology
            .clone()
            .unwrap_or_else(|| crate::tech::DEFAULT_TECH.to_string()),
        decode_seq: spec.decode_seq,
        citation: spec.citation.to_string(),
        stand_in: spec.stand_in.map(str::to_string),
        lm_head: spec.lm_head.map(|(p, src)| format!("{p} ({src})")),
        rows,
    })
}

/// Every chip of [`published::CHIPS`] and the CPU reference points.
pub fn chips() -> Result<ChipsReport, String> {
    let chips = published::CHIPS
        .iter()
        .map(compare)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ChipsReport {
        schema: CHIPS_SCHEMA.to_string(),
        chips,
        reference: reference::reference()?,
    })
}
