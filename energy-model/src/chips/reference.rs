//! CPU reference points: published measurements of BitNet b1.58 models on
//! CPUs (not simulated), beside what onebit simulates for the same models on
//! its edge design, so a reader sees accelerator predictions next to what
//! software on real processors achieves.

use crate::{baselines, Technology};
use serde::Serialize;
use workloads::zoo;

/// One published CPU measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Processor and threads.
    pub system: &'static str,
    /// Software stack.
    pub software: &'static str,
    /// The model (a zoo name).
    pub model: &'static str,
    /// Published decode tokens/s.
    pub tokens_per_s: f64,
    /// Published energy per token, J (where published).
    pub joules_per_token: Option<f64>,
    /// Where it is published.
    pub source: &'static str,
}

/// bitnet.cpp, arXiv 2410.16144.
pub const CITE_BITNET_CPP: &str = "Wang et al., '1-bit AI Infra: Part 1.1, Fast and Lossless BitNet b1.58 Inference on CPUs' (bitnet.cpp), arXiv 2410.16144";
/// T-MAC, arXiv 2407.00088.
pub const CITE_TMAC: &str = "Wei et al., 'T-MAC: CPU Renaissance via Table Lookup for Low-Bit LLM Deployment on Edge', arXiv 2407.00088 (EuroSys 2025), abstract";
/// BitNet b1.58 2B4T, arXiv 2504.12285.
pub const CITE_2B4T: &str =
    "Ma et al., 'BitNet b1.58 2B4T Technical Report', arXiv 2504.12285 v2, Table 1";

/// The published measurements.
pub const MEASUREMENTS: [Measurement; 6] = [
    Measurement {
        system: "Apple M2 Ultra (ARM CPU)",
        software: "bitnet.cpp",
        model: "bitnet-b1.58-700M",
        tokens_per_s: 194.38,
        joules_per_token: Some(0.140),
        source: CITE_BITNET_CPP,
    },
    Measurement {
        system: "Apple M2 Ultra (ARM CPU)",
        software: "bitnet.cpp",
        model: "bitnet-b1.58-7B",
        tokens_per_s: 52.36,
        joules_per_token: None,
        source: CITE_BITNET_CPP,
    },
    Measurement {
        system: "Apple M2 Ultra, 8 cores",
        software: "T-MAC",
        model: "bitnet-b1.58-3B",
        tokens_per_s: 71.0,
        joules_per_token: None,
        source: CITE_TMAC,
    },
    Measurement {
        system: "Apple M2 Ultra, 1 core",
        software: "T-MAC",
        model: "bitnet-b1.58-3B",
        tokens_per_s: 30.0,
        joules_per_token: None,
        source: CITE_TMAC,
    },
    Measurement {
        system: "Raspberry Pi 5",
        software: "T-MAC",
        model: "bitnet-b1.58-3B",
        tokens_per_s: 11.0,
        joules_per_token: None,
        source: CITE_TMAC,
    },
    Measurement {
        system: "CPU (the report's bitnet.cpp setup)",
        software: "bitnet.cpp",
        model: "bitnet-b1.58-2B-4T",
        // Table 1: CPU decoding latency 29 ms per token
        tokens_per_s: 1000.0 / 29.0,
        // Table 1: energy (estimated) 0.028 J
        joules_per_token: Some(0.028),
        source: CITE_2B4T,
    },
];

/// The onebit design simulated beside the measurements.
pub const REFERENCE_DESIGN: &str = "edge-ternary";
/// KV length of its decode step.
pub const REFERENCE_SEQ: u64 = 128;

/// One measurement with onebit's simulation of the same model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceRow {
    /// Processor and threads.
    pub system: String,
    /// Software stack.
    pub software: String,
    /// The model.
    pub model: String,
    /// Published tokens/s.
    pub published_tokens_per_s: f64,
    /// Published J/token (where published).
    pub published_joules_per_token: Option<f64>,
    /// Where it is published.
    pub source: String,
    /// onebit's simulated tokens/s on [`REFERENCE_DESIGN`].
    pub onebit_tokens_per_s: f64,
    /// onebit's simulated J/token on [`REFERENCE_DESIGN`] (DRAM included).
    pub onebit_joules_per_token: f64,
}

/// The reference table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    /// The onebit design simulated.
    pub design: String,
    /// Its technology table.
    pub technology: String,
    /// KV length of the decode step.
    pub seq: u64,
    /// The rows.
    pub rows: Vec<ReferenceRow>,
}

/// Runs [`REFERENCE_DESIGN`] on every measured model.
pub fn reference() -> Result<Reference, String> {
    let arch = sim::arch::preset(REFERENCE_DESIGN)
        .ok_or_else(|| format!("no preset {REFERENCE_DESIGN}"))?;
    let t = super::technology_of(&arch).unwrap_or_else(|_| Technology::default_7nm());
    let mut rows = Vec::new();
    for m in MEASUREMENTS {
        let model = zoo::find(m.model).ok_or_else(|| format!("no model {}", m.model))?;
        let (r, e) = baselines::decode(&t, &arch, &model, REFERENCE_SEQ, 1)?;
        rows.push(ReferenceRow {
            system: m.system.to_string(),
            software: m.software.to_string(),
            model: m.model.to_string(),
            published_tokens_per_s: m.tokens_per_s,
            published_joules_per_token: m.joules_per_token,
            source: m.source.to_string(),
            onebit_tokens_per_s: r.tokens_per_s,
            onebit_joules_per_token: e.joules_per_token,
        });
    }
    Ok(Reference {
        design: REFERENCE_DESIGN.to_string(),
        technology: t.name,
        seq: REFERENCE_SEQ,
        rows,
    })
}
