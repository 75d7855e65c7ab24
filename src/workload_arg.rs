//! The workload a simulation runs: a model (preset or config.json) expanded
//! into a trace, a trace file, or a SCALE-Sim GEMM topology.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::model_arg::ModelArgs;
use clap::Args;
use std::path::PathBuf;
use workloads::trace::{self, TraceOptions};
use workloads::{gemm, KvFormat, Mask, Phase, Precision, Trace};

/// Flags that choose a workload.
#[derive(Debug, Clone, Args)]
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
    /// Decode (one new token per sequence), prefill (the whole prompt) or
    /// verify (--draft drafted tokens checked in one step)
    /// [default: decode]. A model's only: a trace states its own.
    #[arg(long, value_parser = parse_phase)]
    pub phase: Option<Phase>,
    /// KV-cache length for decode, prompt length for prefill (tokens)
    /// [default: 2048]. A model's only.
    #[arg(long, value_name = "N")]
    pub seq: Option<u64>,
    /// Sequences per step [default: 1]. A model's only.
    #[arg(long, value_name = "B")]
    pub batch: Option<u64>,
    /// Drafted tokens per sequence verified in one step (--phase verify) [default: 4].
    #[arg(long, value_name = "N")]
    pub draft: Option<u64>,
    /// Attention mask of prefill and verify: causal (each token attends to
    /// the positions before it) or full (a kernel that computes the masked
    /// scores too).
    #[arg(long, default_value = "causal", value_parser = parse_mask, value_name = "MASK")]
    pub attention_mask: Mask,
}

/// `--phase` when not given.
pub const DEFAULT_PHASE: Phase = Phase::Decode;
/// `--seq` when not given.
pub const DEFAULT_SEQ: u64 = 2048;
/// `--batch` when not given.
pub const DEFAULT_BATCH: u64 = 1;

/// Parses `decode`, `prefill` or `verify`.
pub fn parse_phase(s: &str) -> Result<Phase, String> {
    Phase::from_name(s)
        .ok_or_else(|| format!("expected `decode`, `prefill` or `verify`, found `{s}`"))
}

/// Parses `causal` or `full`.
pub fn parse_mask(s: &str) -> Result<Mask, String> {
    Mask::from_name(s).ok_or_else(|| format!("expected `causal` or `full`, found `{s}`"))
}

/// The drafted tokens of a step: `--draft` with `--phase verify` (4 when
/// absent), refused with any other phase.
pub fn draft_for(phase: Phase, draft: Option<u64>) -> CliResult<u64> {
    match (phase, draft) {
        (Phase::Verify, Some(0)) => Err(CliError::Usage(
            "--draft 0: expected at least 1 drafted token".into(),
        )),
        (Phase::Verify, d) => Ok(d.unwrap_or(4)),
        (_, Some(_)) => Err(CliError::Usage(
            "--draft applies to --phase verify only".into(),
        )),
        (_, None) => Ok(TraceOptions::default().draft),
    }
}

impl WorkloadArgs {
    /// Refuses flags that the chosen workload would ignore: a trace states
    /// its phase, batch, sequence length and every operand's precision; a
    /// GEMM topology its shapes (it does take --encoding and --activations).
    fn refuse_ignored(&self) -> CliResult {
        let (input, why) = if self.trace.is_some() {
            ("--trace", "a trace states its own phase, batch, sequence length and precisions in its operators")
        } else if self.gemm.is_some() {
            ("--gemm", "a GEMM topology states the shape of every layer")
        } else {
            return Ok(());
        };
        let mut given = Vec::new();
        if self.phase.is_some() {
            given.push("--phase");
        }
        if self.seq.is_some() {
            given.push("--seq");
        }
        if self.batch.is_some() {
            given.push("--batch");
        }
        if self.trace.is_some() {
            if self.model.encoding.is_some() {
                given.push("--encoding");
            }
            if self.model.activations.is_some() {
                given.push("--activations");
            }
        }
        match given.first() {
            None => Ok(()),
            Some(flag) => Err(CliError::Usage(format!(
                "{flag} does not apply to {input}: {why}; leave it out (or give a model with --model or --hf-config)"
            ))),
        }
    }

    /// Loads or generates the trace; `design_weights` is the encoding GEMM
    /// topologies default to, `design_kv` the KV-cache format a generated
    /// trace stores its cache in (unless --kv overrides it).
    pub fn load(&self, design_weights: Precision, design_kv: Option<KvFormat>) -> CliResult<Trace> {
        self.refuse_ignored()?;
        let draft = draft_for(self.phase.unwrap_or(DEFAULT_PHASE), self.draft)?;
        if (self.trace.is_some() || self.gemm.is_some()) && self.model.has_tensor_flags() {
            return Err(CliError::Usage(
                "--kv, --lm-head and --embedding apply to a --model or --hf-config workload; a trace file states its own precisions".into(),
            ));
        }
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
        let mut opts = TraceOptions {
            phase: self.phase.unwrap_or(DEFAULT_PHASE),
            seq: self.seq.unwrap_or(DEFAULT_SEQ),
            batch: self.batch.unwrap_or(DEFAULT_BATCH),
            zeros: None,
            mask: self.attention_mask,
            draft,
            ..TraceOptions::default()
        };
        self.model.apply(&mut opts, design_kv)?;
        trace::generate(&model, &opts).map_err(|e| CliError::Usage(e.to_string()))
    }
}
