//! The report of a checkpoint's weights: the per-tensor table (type, shape,
//! bits per weight as stored, zero share, ±1 balance, scale, and the lane
//! statistics), its JSON and CSV, and the per-layer zero share plot.

use crate::chart::{self, hex, HBars, Rendered, Series};
use crate::table::{Align, Table};
use serde::Serialize;
use workloads::weights::survey::TensorSummary;
use workloads::weights::LaneGeometry;

/// The version of the weights report schema.
pub const WEIGHTS_SCHEMA: &str = "onebit.weights/1";

/// A checkpoint's weights as reported.
#[derive(Debug, Clone, Serialize)]
pub struct WeightsReport {
    /// [`WEIGHTS_SCHEMA`].
    pub schema: String,
    /// The file.
    pub file: String,
    /// GGUF vN or safetensors.
    pub format: String,
    /// The model shape the file states, if any (`layers x hidden`, ...).
    pub model: Option<String>,
    /// The lane geometry of the statistics.
    pub geometry: LaneGeometry,
    /// Every tensor.
    pub tensors: Vec<TensorSummary>,
}

fn f(x: f64, d: usize) -> String {
    format!("{x:.d$}")
}

fn shape(s: &[u64]) -> String {
    s.iter().map(u64::to_string).collect::<Vec<_>>().join("x")
}

impl WeightsReport {
    /// The per-tensor table.
    pub fn table(&self) -> Table {
        let mut t = Table::new(&[
            ("tensor", Align::Left),
            ("type", Align::Left),
            ("shape", Align::Right),
            ("bits/w", Align::Right),
            ("zeros", Align::Right),
            ("+1/-1 balance", Align::Right),
            ("scale", Align::Right),
            ("densest lane", Align::Right),
            ("empty chunks", Align::Right),
            ("toggle rate", Align::Right),
        ]);
        for s in &self.tensors {
            let mut row = vec![
                s.name.clone(),
                s.ttype.clone(),
                shape(&s.shape),
                f(s.bits_per_weight, 4),
            ];
            match &s.stats {
                Some(st) => row.extend([
                    format!("{:.2}%", 100.0 * st.zero_share()),
                    format!("{:+.4}", st.balance()),
                    s.scale.map(|v| format!("{v:.6}")).unwrap_or_default(),
                    format!("{:.2}%", 100.0 * st.densest_lane_share()),
                    format!("{:.2}%", 100.0 * st.empty_chunk_share()),
                    if st.toggle_bits > 0 {
                        f(st.toggle_rate(), 4)
                    } else {
                        "n/a".into()
                    },
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 6)),
            }
            t.row(row);
        }
        t
    }

    /// The text report: a header and the table.
    pub fn text(&self) -> String {
        let ternary = self.tensors.iter().filter(|t| t.stats.is_some()).count();
        let mut s = format!(
            "{} ({}), {} tensors, {} ternary{}\nlane statistics for {} lanes x {} weights a chunk\n\n",
            self.file,
            self.format,
            self.tensors.len(),
            ternary,
            self.model
                .as_ref()
                .map(|m| format!("; model {m}"))
                .unwrap_or_default(),
            self.geometry.lanes,
            self.geometry.width
        );
        s += &self.table().to_text();
        s
    }

    /// JSON (pretty, stable key order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports are plain data") + "\n"
    }

    /// CSV: one row per tensor, the table's columns as plain numbers.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "tensor",
            "op",
            "type",
            "shape",
            "bits_per_weight",
            "zeros",
            "plus",
            "minus",
            "zero_share",
            "balance",
            "scale",
            "densest_lane_share",
            "empty_chunk_share",
            "toggle_rate",
        ]);
        for s in &self.tensors {
            let mut rec = vec![
                s.name.clone(),
                s.op.clone().unwrap_or_default(),
                s.ttype.clone(),
                shape(&s.shape),
                format!("{}", s.bits_per_weight),
            ];
            match &s.stats {
                Some(st) => rec.extend([
                    st.zeros.to_string(),
                    st.plus.to_string(),
                    st.minus.to_string(),
                    format!("{}", st.zero_share()),
                    format!("{}", st.balance()),
                    s.scale.map(|v| format!("{v}")).unwrap_or_default(),
                    format!("{}", st.densest_lane_share()),
                    format!("{}", st.empty_chunk_share()),
                    if st.toggle_bits > 0 {
                        format!("{}", st.toggle_rate())
                    } else {
                        String::new()
                    },
                ]),
                None => rec.extend(std::iter::repeat_n(String::new(), 9)),
            }
            let _ = w.write_record(rec);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Zero share per layer (all its ternary tensors together), in layer
    /// order; tensors outside layers are one row `other`.
    pub fn layer_zero_shares(&self) -> Vec<(String, f64)> {
        let mut rows: Vec<(Option<u32>, u64, u64)> = Vec::new();
        for s in &self.tensors {
            let Some(st) = &s.stats else { continue };
            let layer = workloads::weights::names::projection(&s.name).map(|p| p.0);
            match rows.iter_mut().find(|r| r.0 == layer) {
                Some(r) => {
                    r.1 += st.zeros;
                    r.2 += st.count();
                }
                None => rows.push((layer, st.zeros, st.count())),
            }
        }
        rows.sort_by_key(|r| r.0.map_or(u64::MAX, u64::from));
        rows.into_iter()
            .map(|(l, z, n)| {
                (
                    l.map_or("other".into(), |l| format!("layer {l}")),
                    if n == 0 { 0.0 } else { z as f64 / n as f64 },
                )
            })
            .collect()
    }

    /// The per-layer zero share plot.
    pub fn zero_share_chart(&self) -> Result<Rendered, String> {
        let rows = self.layer_zero_shares();
        let chart = HBars {
            title: format!("Zero share of the ternary weights per layer: {}", self.file),
            x_desc: "Zero weights (%)".into(),
            categories: rows.iter().map(|r| r.0.clone()).collect(),
            series: vec![Series {
                name: "zero share".into(),
                color: hex("#4c78a8"),
                values: rows.iter().map(|r| 100.0 * r.1).collect(),
            }],
            totals: rows
                .iter()
                .map(|r| format!("{:.2}%", 100.0 * r.1))
                .collect(),
            shares: false,
        };
        chart::render(&chart)
    }
}
