//! The workload a simulation runs: a model (preset or config.json) expanded
//! into a trace, a trace file, or a SCALE-Sim GEMM topology.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::model_arg::ModelArgs;
use clap::Args;
use std::path::PathBuf;
use workloads::trace::{self, TraceOptions};
use workloads::{gemm, Phase, Precision, Trace};

/// Flags that choose a workload.
#[derive(Debug, Args)]
pub struct WorkloadArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// A trace file (docs/trace-format.md).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "hf_config", "gemm"])]
    pub trace: Option<PathBuf>,
    /// A SCALE-Sim GEMM topology CSV (`Layer, M, N, K,` rows), run as INT8
    /// activations times weights in the design's encoding (or --encoding).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "hf_config"])]
    pub gemm: Option<PathBuf>,
    /// Decode (one new token per sequence) or prefill (the whole prompt).
    #[arg(long, default_value = "decode", value_parser = parse_phase)]
    pub phase: Phase,
    /// KV-cache length for decode, prompt length for prefill (tokens).
    #[arg(long, default_value_t = 2048, value_name = "N")]
    pub seq: u64,
    /// Sequences per step.
    #[arg(long, default_value_t = 1, value_name = "B")]
    pub batch: u64,
}

/// Parses `decode` or `prefill`.
pub fn parse_phase(s: &str) -> Result<Phase, String> {
    Phase::from_name(s).ok_or_else(|| format!("expected `decode` or `prefill`, found `{s}`"))
}

impl WorkloadArgs {
    /// Loads or generates the trace; `design_weights` is the encoding GEMM
    /// topologies default to.
    pub fn load(&self, design_weights: Precision) -> CliResult<Trace> {
        if let Some(path) = &self.trace {
            let text = read_text(path)?;
            return trace::parse(&text).map_err(|e| {
                CliError::at(
                    path,
                    e.line,
                    e.col,
                    format!("expected {}, found {}", e.expected, e.found),
                )
            });
        }
        if let Some(path) = &self.gemm {
            let text = read_text(path)?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "gemm".into());
            let w = self.model.encoding.unwrap_or(design_weights);
            let a = self.model.activations.unwrap_or(Precision::INT8);
            return gemm::parse_topology(&name, &text, a, w)
                .map_err(|e| CliError::at(path, e.line, e.col, e.message));
        }
        let model = self.model.load()?;
        let opts = TraceOptions {
            phase: self.phase,
            seq: self.seq,
            batch: self.batch,
            zeros: None,
        };
        trace::generate(&model, &opts).map_err(|e| CliError::Usage(e.to_string()))
    }
}
