//! `onebit models`: the model zoo with shapes, parameter counts and weight
//! memory for every encoding.

use crate::error::{CliError, CliResult};
use clap::Args;
use reports::{Align, Table};
use workloads::{zoo, ModelConfig, Precision};

/// The encodings of the memory columns, with their titles.
const MEMORY_COLUMNS: [(&str, Precision); 7] = [
    ("FP32", Precision::Fp32),
    ("FP16", Precision::Fp16),
    ("INT8", Precision::INT8),
    ("INT4", Precision::INT4),
    ("T2", Precision::Ternary),
    ("T1.6", Precision::TernaryPacked),
    ("B1", Precision::Binary),
];

/// `onebit models [NAME] [--json]`
#[derive(Debug, Args)]
pub struct ModelsCmd {
    /// Show one model in full (shape, source, footprint) instead of the table.
    name: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

fn gib(bytes: u64) -> String {
    format!("{:.3}", bytes as f64 / (1u64 << 30) as f64)
}

fn billions(n: u64) -> String {
    format!("{:.3}B", n as f64 / 1e9)
}

fn json_of(m: &ModelConfig) -> serde_json::Value {
    let p = m.params();
    let memory: serde_json::Map<String, serde_json::Value> = MEMORY_COLUMNS
        .iter()
        .map(|(_, e)| (e.name(), m.uniform_bytes(*e).into()))
        .collect();
    serde_json::json!({
        "model": m,
        "params": { "total": p.total(), "projections": p.projections, "embedding": p.embedding,
                    "lm_head": p.lm_head, "norms": p.norms },
        "weight_bytes": memory,
        "deployed_bytes": m.deployed_bytes(),
    })
}

impl ModelsCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let models = match &self.name {
            Some(n) => vec![zoo::find(n).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown model `{n}`; the presets are: {}",
                    zoo::names().join(", ")
                ))
            })?],
            None => zoo::all(),
        };
        if self.json {
            let v: Vec<_> = models.iter().map(json_of).collect();
            return crate::stdio::outln(
                serde_json::to_string_pretty(&v).expect("JSON of plain data"),
            );
        }
        if let [m] = models.as_slice() {
            return crate::stdio::out(detail(m));
        }
        let mut cols = vec![
            ("model", Align::Left),
            ("params", Align::Right),
            ("layers", Align::Right),
            ("hidden", Align::Right),
            ("ffn", Align::Right),
            ("heads", Align::Right),
            ("kv", Align::Right),
            ("vocab", Align::Right),
            ("act", Align::Left),
            ("weights", Align::Left),
        ];
        cols.extend(MEMORY_COLUMNS.iter().map(|(t, _)| (*t, Align::Right)));
        let mut t = Table::new(&cols);
        for m in &models {
            let mut row = vec![
                m.name.clone(),
                billions(m.params().total()),
                m.layers.to_string(),
                m.hidden.to_string(),
                m.ffn.to_string(),
                m.heads.to_string(),
                m.kv_heads.to_string(),
                m.vocab.to_string(),
                format!("{}{}", m.act, if m.gated_ffn { "-glu" } else { "" }),
                m.weights.to_string(),
            ];
            row.extend(MEMORY_COLUMNS.iter().map(|(_, e)| gib(m.uniform_bytes(*e))));
            t.row(row);
        }
        crate::stdio::out(t.to_text())?;
        crate::stdio::outln(
            "\nWeight memory in GiB with every parameter in one format: T2 = ternary at 2 bits, \
             T1.6 = ternary packed 5 per byte, B1 = 1 bit.\nAny model takes --encoding E \
             (e.g. binary01, int8, int4, fp16) in `onebit trace`; `onebit models NAME` shows the source of a shape.",
        )
    }
}

fn detail(m: &ModelConfig) -> String {
    let p = m.params();
    let mut s = format!(
        "{}  ({} family)\nsource: {}\n\n",
        m.name, m.family, m.source
    );
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    let mut kv = |k: &str, v: String| t.row(vec![k.into(), v]);
    kv("layers", m.layers.to_string());
    kv("hidden", m.hidden.to_string());
    kv(
        "ffn",
        format!(
            "{} ({})",
            m.ffn,
            if m.gated_ffn { "gated" } else { "plain" }
        ),
    );
    kv("heads / kv heads", format!("{} / {}", m.heads, m.kv_heads));
    kv("head dim", m.head_dim.to_string());
    kv("vocab", m.vocab.to_string());
    kv("activation", m.act.to_string());
    kv("tied embeddings", m.tied_embeddings.to_string());
    kv("sub-norms (SubLN)", m.sub_norm.to_string());
    kv(
        "weights / activations",
        format!("{} / {}", m.weights, m.activations),
    );
    kv("embedding, head, attention", m.high_precision.to_string());
    kv(
        "parameters",
        format!("{} ({})", p.total(), billions(p.total())),
    );
    kv("  projections", p.projections.to_string());
    kv("  embedding + head", (p.embedding + p.lm_head).to_string());
    kv("  norms", p.norms.to_string());
    kv(
        "deployed footprint",
        format!("{} GiB", gib(m.deployed_bytes())),
    );
    for (title, e) in MEMORY_COLUMNS {
        kv(
            &format!("all weights {title}"),
            format!("{} GiB", gib(m.uniform_bytes(e))),
        );
    }
    let text = t.to_text();
    // drop the empty header and rule lines of the key/value table
    s += &text
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    s
}
