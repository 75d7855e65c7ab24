//! The plot of `onebit paper bitnet-b1.58 --report`: energy per token of
//! FP16 LLaMA, BitNet b1.58 (ternary) and BitNet-style binary (±1) weights
//! across model sizes, end to end and arithmetic only.
//!
//! The FP16 and ternary runs are the paper trend's own
//! ([`energy_model::paper::Trend`]); the binary runs are computed here: the
//! same b1.58 shapes with ±1 weights (BitNet, arXiv 2310.11453: binary
//! weights, INT8 activations) on the ternary design with 1-bit weights and
//! no zero gating (±1 weights have no zeros), the same decode step.

use crate::chart::{self, hex, BarPanel, BarPanels, Series};
use crate::format::{energy, times};
use crate::page::Figure;
use crate::{Align, Table};
use energy_model::paper::Trend;
use energy_model::Technology;
use sim::arch::{preset, ZeroHandling};
use sim::SimOptions;
use workloads::trace::{generate, TraceOptions};
use workloads::{zoo, Phase, Precision};

/// One model size with all three encodings, per token.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeRow {
    /// Model size ("700M").
    pub size: String,
    /// End-to-end pJ per token: FP16, ternary, binary.
    pub total_pj: [f64; 3],
    /// Arithmetic pJ per token: FP16, ternary, binary.
    pub arithmetic_pj: [f64; 3],
    /// Tokens per second: FP16, ternary, binary.
    pub tokens_per_s: [f64; 3],
}

/// The encodings of [`SizeRow`], in order.
pub const ENCODINGS: [&str; 3] = [
    "FP16 (LLaMA)",
    "ternary (BitNet b1.58)",
    "binary ±1 (BitNet)",
];

/// The binary variant of a ternary design: 1-bit weights, no zero gating.
pub fn binary_design(ternary: &str) -> Result<sim::Accelerator, String> {
    let mut a = preset(ternary).ok_or_else(|| format!("no preset {ternary}"))?;
    a.array.weights = Precision::Binary;
    a.array.zeros = ZeroHandling::None;
    a.name = format!("{}_binary", a.name);
    a.description = format!("{} with binary ±1 weights", a.description);
    a.validate().map_err(|e| e.message)?;
    Ok(a)
}

/// Adds the binary runs to the paper's FP16 vs ternary trend.
pub fn sizes(t: &Technology, trend: &Trend) -> Result<Vec<SizeRow>, String> {
    let arch = binary_design(&trend.ternary_design)?;
    let mut rows = Vec::new();
    for r in &trend.rows {
        let m =
            zoo::find(&r.ternary_model).ok_or_else(|| format!("no model {}", r.ternary_model))?;
        let m = m.with_encoding(Precision::Binary);
        let trace = generate(
            &m,
            &TraceOptions {
                phase: Phase::Decode,
                seq: trend.seq,
                batch: trend.batch,
                kv: Some(arch.attention.kv_format()),
                ..TraceOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
        // every size runs, as in the trend; too big for the DRAM is flagged there
        let opts = SimOptions {
            allow_oversubscribe: true,
            ..energy_model::default_options(&arch, t)
        };
        let res =
            sim::simulate(&arch, &trace, opts).map_err(|e| format!("{} binary: {e}", r.size))?;
        let e = energy_model::energy::estimate(&arch, &res, t);
        let pt = e.per_token_pj;
        rows.push(SizeRow {
            size: r.size.clone(),
            total_pj: [r.fp16_total_pj, r.ternary_total_pj, pt.total()],
            arithmetic_pj: [
                r.fp16_arithmetic_pj,
                r.ternary_arithmetic_pj,
                pt.arithmetic(),
            ],
            tokens_per_s: [r.tokens_per_s[0], r.tokens_per_s[1], res.tokens_per_s],
        });
    }
    Ok(rows)
}

/// The plot: grouped bars per size, log axes, end to end and arithmetic.
pub fn figure(trend: &Trend, rows: &[SizeRow]) -> Result<Figure, String> {
    let colors = ["#e6550d", "#1f77b4", "#2ca02c"];
    let series = |f: &dyn Fn(&SizeRow) -> [f64; 3], scale: f64| -> Vec<Series> {
        (0..3)
            .map(|k| Series {
                name: ENCODINGS[k].to_string(),
                color: hex(colors[k]),
                values: rows.iter().map(|r| f(r)[k] / scale).collect(),
            })
            .collect()
    };
    let chart = BarPanels {
        title: format!(
            "FP16 vs ternary vs binary weights across model sizes ({}, {})",
            trend.step, trend.technology
        ),
        x_desc: "Model size (parameters)".into(),
        categories: rows.iter().map(|r| r.size.clone()).collect(),
        panels: vec![
            BarPanel {
                y_desc: "End to end (mJ/token, log)".into(),
                log: true,
                series: series(&|r| r.total_pj, 1e9),
            },
            BarPanel {
                y_desc: "Arithmetic (mJ/token, log)".into(),
                log: true,
                series: series(&|r| r.arithmetic_pj, 1e9),
            },
        ],
        panel_height: 230.0,
    };
    Ok(Figure {
        id: "sizes".into(),
        title: chart.title.clone(),
        caption: format!(
            "Energy per token of one decode step, simulated: FP16 LLaMA on {}, BitNet b1.58 on {}, and the same b1.58 shapes with ±1 weights on {} with 1-bit weights. Top: everything, DRAM included; bottom: arithmetic only (lane array, vector and attention units), the quantity of the paper's Figure 3.",
            trend.fp16_design, trend.ternary_design, trend.ternary_design
        ),
        rendered: chart::render(&chart)?,
    })
}

/// The table of the plot.
pub fn table(rows: &[SizeRow]) -> Table {
    let mut t = Table::new(&[
        ("size", Align::Left),
        ("FP16 J/token", Align::Right),
        ("ternary J/token", Align::Right),
        ("binary J/token", Align::Right),
        ("FP16 / ternary", Align::Right),
        ("FP16 / binary", Align::Right),
        ("arithmetic FP16 / ternary", Align::Right),
        ("arithmetic FP16 / binary", Align::Right),
    ]);
    for r in rows {
        t.row(vec![
            r.size.clone(),
            energy(r.total_pj[0]),
            energy(r.total_pj[1]),
            energy(r.total_pj[2]),
            times(r.total_pj[0] / r.total_pj[1]),
            times(r.total_pj[0] / r.total_pj[2]),
            times(r.arithmetic_pj[0] / r.arithmetic_pj[1]),
            times(r.arithmetic_pj[0] / r.arithmetic_pj[2]),
        ]);
    }
    t
}

/// The rows as CSV (pJ per token, tokens/s).
pub fn csv(rows: &[SizeRow]) -> String {
    let mut t = Table::new(&[
        ("size", Align::Left),
        ("fp16_total_pj", Align::Right),
        ("ternary_total_pj", Align::Right),
        ("binary_total_pj", Align::Right),
        ("fp16_arithmetic_pj", Align::Right),
        ("ternary_arithmetic_pj", Align::Right),
        ("binary_arithmetic_pj", Align::Right),
        ("fp16_tokens_per_s", Align::Right),
        ("ternary_tokens_per_s", Align::Right),
        ("binary_tokens_per_s", Align::Right),
    ]);
    for r in rows {
        let mut row = vec![r.size.clone()];
        row.extend(r.total_pj.iter().map(|v| format!("{v}")));
        row.extend(r.arithmetic_pj.iter().map(|v| format!("{v}")));
        row.extend(r.tokens_per_s.iter().map(|v| format!("{v}")));
        t.row(row);
    }
    t.to_csv()
}
