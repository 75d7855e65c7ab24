//! The model a command works on: `--model NAME` or `--hf-config FILE`,
//! optionally re-encoded with `--encoding`.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use clap::Args;
use std::path::PathBuf;
use workloads::hf_config::{self, HfConfigError};
use workloads::kv::KV_PRECISION_NAMES;
use workloads::{zoo, KvFormat, ModelConfig, Precision, TraceOptions};

/// Flags that choose a model.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// A built-in model preset (see `onebit models`).
    #[arg(long, value_name = "NAME", conflicts_with = "hf_config")]
    pub model: Option<String>,
    /// A Hugging Face config.json (LLaMA- or BitNet-style keys).
    #[arg(long, value_name = "FILE")]
    pub hf_config: Option<PathBuf>,
    /// Re-encode the projection weights: ternary, ternary-packed, binary,
    /// binary01, int8, int4, fp16, ...
    #[arg(long, value_name = "E")]
    pub encoding: Option<Precision>,
    /// Precision of the activations entering the projections (e.g. int8, or
    /// int1 for binarized activations).
    #[arg(long, value_name = "P")]
    pub activations: Option<Precision>,
    /// Precision of the LM head weights (e.g. int8 for a W8A8 head, with
    /// per-channel FP16 scales); default: the model's high precision.
    #[arg(long, value_name = "P")]
    pub lm_head: Option<Precision>,
    /// Precision of the embedding table (e.g. int8, with per-row FP16
    /// scales); default: the model's high precision.
    #[arg(long, value_name = "P")]
    pub embedding: Option<Precision>,
    /// KV-cache precision: fp16, bf16, fp8, int8, int4 (int8/int4 with
    /// per-group FP16 scales); overrides the design's `attention.kv_cache`.
    #[arg(long, value_name = "P")]
    pub kv: Option<Precision>,
}

/// A high-precision tensor format: int2..int16 or floating point.
fn tensor_precision(flag: &str, p: Precision) -> CliResult<Precision> {
    if matches!(p, Precision::Int(2..=16)) || p.is_float() {
        Ok(p)
    } else {
        Err(CliError::Usage(format!(
            "{flag} {p}: expected int2..int16, fp8, fp16, bf16 or fp32"
        )))
    }
}

impl ModelArgs {
    /// Loads the chosen model.
    pub fn load(&self) -> CliResult<ModelConfig> {
        let mut model = match (&self.model, &self.hf_config) {
            (Some(name), None) => zoo::find(name).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown model `{name}`; the presets are: {}",
                    zoo::names().join(", ")
                ))
            })?,
            (None, Some(path)) => load_hf_config(path)?,
            _ => {
                return Err(CliError::Usage(
                    "choose a model with --model NAME or --hf-config FILE".into(),
                ))
            }
        };
        if let Some(e) = self.encoding {
            if !e.is_low_bit_weight() && !matches!(e, Precision::Int(2..=16)) && !e.is_float() {
                return Err(CliError::Usage(format!(
                    "--encoding {e}: expected a weight encoding (ternary, ternary-packed, binary, binary01, int2..int16, fp16, bf16, fp32)"
                )));
            }
            if e != model.weights {
                model = model.with_encoding(e);
                model.name = format!("{}@{e}", model.name);
            }
        }
        if let Some(a) = self.activations {
            model.activations = a;
        }
        Ok(model)
    }
}

impl ModelArgs {
    /// True when a per-tensor precision flag was given (they apply to
    /// generated traces only).
    pub fn has_tensor_flags(&self) -> bool {
        self.lm_head.is_some() || self.embedding.is_some() || self.kv.is_some()
    }

    /// Sets the per-tensor precisions of `opts`: the LM head and embedding
    /// from their flags, the KV cache from `--kv` or else the design's
    /// format (`design_kv`; its group size applies to `--kv` too).
    pub fn apply(&self, opts: &mut TraceOptions, design_kv: Option<KvFormat>) -> CliResult<()> {
        opts.lm_head = self
            .lm_head
            .map(|p| tensor_precision("--lm-head", p))
            .transpose()?;
        opts.embedding = self
            .embedding
            .map(|p| tensor_precision("--embedding", p))
            .transpose()?;
        if let Some(p) = self.kv {
            if !KvFormat::supports(p) {
                return Err(CliError::Usage(format!(
                    "--kv {p}: expected one of {KV_PRECISION_NAMES}"
                )));
            }
        }
        let group = design_kv.map_or(64, |k| k.group);
        opts.kv = match (self.kv, design_kv) {
            (Some(p), _) => Some(KvFormat::new(p, group)),
            (None, d) => d,
        };
        Ok(())
    }
}

/// Imports a config.json, naming the file in every error.
pub fn load_hf_config(path: &std::path::Path) -> CliResult<ModelConfig> {
    let text = read_text(path)?;
    let name = path
        .parent()
        .and_then(|p| p.file_name())
        .filter(|_| path.file_name().is_some_and(|f| f == "config.json"))
        .or_else(|| path.file_stem())
        .map(|s| s.to_string_lossy().replace(char::is_whitespace, "_"))
        .unwrap_or_else(|| "hf-config".into());
    let model = hf_config::import(&name, &text).map_err(|e| match e {
        HfConfigError::Json { line, col, msg } => CliError::at(
            path,
            line.max(1),
            col.max(1),
            format!("invalid JSON: {msg}"),
        ),
        other => CliError::file(path, other),
    })?;
    model.validate().map_err(|e| CliError::file(path, e))?;
    Ok(model)
}
