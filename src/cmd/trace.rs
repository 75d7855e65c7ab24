//! `onebit trace`: the layer trace of one forward step of a model, as text
//! (docs/trace-format.md) and optionally as a Graphviz operator graph.

use crate::error::{CliError, CliResult};
use crate::model_arg::ModelArgs;
use crate::output::{check_file, write_file};
use crate::workload_arg::{draft_for, parse_mask, parse_phase};
use clap::Args;
use std::path::PathBuf;
use workloads::trace::{self, TraceOptions};
use workloads::{Mask, OpGraph, Phase};

/// `onebit trace (--model NAME | --hf-config FILE) [...]`
#[derive(Debug, Args)]
pub struct TraceCmd {
    #[command(flatten)]
    model: ModelArgs,
    /// Decode (one new token per sequence), prefill (the whole prompt) or
    /// verify (check --draft drafted tokens against the KV cache in one step).
    #[arg(long, default_value = "decode", value_parser = parse_phase)]
    phase: Phase,
    /// Drafted tokens per sequence verified in one step (--phase verify) [default: 4].
    #[arg(long, value_name = "N")]
    draft: Option<u64>,
    /// Attention mask of prefill and verify: causal or full.
    #[arg(long, default_value = "causal", value_parser = parse_mask, value_name = "MASK")]
    attention_mask: Mask,
    /// KV-cache length for decode and verify, prompt length for prefill (tokens).
    #[arg(long, default_value_t = 2048, value_name = "N")]
    seq: u64,
    /// Sequences per step.
    #[arg(long, default_value_t = 1, value_name = "B")]
    batch: u64,
    /// Share of zero weights to state on every low-bit projection (0..1);
    /// without it the encoding's default applies (ternary: 0.3101).
    #[arg(long, value_name = "F", value_parser = parse_share)]
    zeros: Option<f64>,
    /// Write the trace here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the operator graph as Graphviz DOT.
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a number from 0 to 1, found `{s}`")),
    }
}

impl TraceCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        for p in [&self.output, &self.dot].into_iter().flatten() {
            check_file(p)?;
        }
        let model = self.model.load()?;
        if let Some(z) = self.zeros {
            if !model.weights.is_low_bit_weight() {
                return Err(CliError::Usage(format!(
                    "--zeros {z} does not apply to {}: its projections have {} weights, and a share of \
                     zero weights is stated for low-bit (ternary, binary) weights only",
                    model.name, model.weights
                )));
            }
        }
        let mut opts = TraceOptions {
            phase: self.phase,
            seq: self.seq,
            batch: self.batch,
            zeros: self.zeros,
            mask: self.attention_mask,
            draft: draft_for(self.phase, self.draft)?,
            ..TraceOptions::default()
        };
        // without a design, the KV cache stays at the model's high precision
        // unless --kv says otherwise
        self.model.apply(&mut opts, None)?;
        let t = trace::generate(&model, &opts).map_err(|e| CliError::Usage(e.to_string()))?;
        let text = trace::write(&t);
        if let Some(dot) = &self.dot {
            let graph = OpGraph::new(&t).map_err(|e| CliError::Usage(e.to_string()))?;
            write_file(dot, graph.to_dot(&t).as_bytes())?;
        }
        match &self.output {
            Some(path) => {
                write_file(path, text.as_bytes())?;
                crate::stdio::errln(format!(
                    "wrote {} operators of {} {} (batch {}, seq {}) to {}: {:.3} GMAC, {:.1} MiB of weights and cache read",
                    t.ops.len(),
                    t.meta.model,
                    t.meta.phase,
                    t.meta.batch,
                    t.meta.seq,
                    path.display(),
                    t.macs() as f64 / 1e9,
                    t.wbytes() as f64 / (1u64 << 20) as f64
                ))
            }
            None => crate::stdio::out(text),
        }
    }
}
