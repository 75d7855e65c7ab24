//! The checkpoint a command reads: `--weights FILE` (GGUF or safetensors),
//! opened memory-mapped; its errors name the file, the byte and the tensor.

use crate::error::{CliError, CliResult};
use sim::measured::{MeasuredWeights, WeightProfile};
use sim::Accelerator;
use std::path::Path;
use workloads::weights::survey::{survey, TensorSummary};
use workloads::weights::{Checkpoint, LaneGeometry, WeightsError};
use workloads::ModelConfig;

/// A refused checkpoint as an input error (exit 2).
pub fn weights_error(e: WeightsError) -> CliError {
    let detail = e.to_string();
    let prefix = format!("{}: ", e.path.display());
    CliError::file(
        &e.path,
        detail.strip_prefix(&prefix).unwrap_or(&detail).to_string(),
    )
}

/// Opens a checkpoint.
pub fn open(path: &Path) -> CliResult<Checkpoint> {
    Checkpoint::open(path).map_err(weights_error)
}

/// The lane geometry of a design.
pub fn geometry(arch: &Accelerator) -> LaneGeometry {
    LaneGeometry {
        lanes: arch.array.lanes,
        width: arch.array.width,
    }
}

/// Every tensor with its statistics for `arch`'s lanes.
pub fn summarize(ck: &Checkpoint, arch: &Accelerator) -> CliResult<Vec<TensorSummary>> {
    survey(ck, geometry(arch)).map_err(weights_error)
}

/// The measured statistics of the projections, by trace operator.
pub fn profile(tensors: &[TensorSummary]) -> WeightProfile {
    tensors
        .iter()
        .filter_map(|t| Some((t.op.clone()?, MeasuredWeights::of(t.stats.as_ref()?))))
        .collect()
}

/// The model: the file's shape, or the one `--model`/`--hf-config` chose
/// when it agrees with the file.
pub fn model_of(ck: &Checkpoint, chosen: Option<ModelConfig>) -> CliResult<ModelConfig> {
    let file = ck.model.clone();
    match (file, chosen) {
        (None, None) => Err(CliError::file(
            &ck.path,
            "states no model shape (no GGUF architecture metadata, no config.json beside it); give --model or --hf-config",
        )),
        (Some(m), None) => Ok(m),
        (None, Some(c)) => Ok(c),
        (Some(m), Some(c)) => {
            let key = |x: &ModelConfig| (x.layers, x.hidden, x.ffn, x.heads, x.kv_heads, x.vocab);
            if key(&m) != key(&c) {
                return Err(CliError::Usage(format!(
                    "the model chosen ({}: {} layers, hidden {}, FFN {}, {} heads, {} KV heads, vocab {}) does not agree with {} ({} layers, hidden {}, FFN {}, {} heads, {} KV heads, vocab {})",
                    c.name, c.layers, c.hidden, c.ffn, c.heads, c.kv_heads, c.vocab,
                    ck.path.display(), m.layers, m.hidden, m.ffn, m.heads, m.kv_heads, m.vocab
                )));
            }
            Ok(c)
        }
    }
}

/// The trace of the checkpoint's model (or the agreeing `--model` /
/// `--hf-config`) for the workload's phase, sequence and batch, with each
/// measured projection's zero share written into its operator.
pub fn measured_trace(
    ck: &Checkpoint,
    workload: &crate::workload_arg::WorkloadArgs,
    profile: &WeightProfile,
    design_kv: Option<workloads::KvFormat>,
) -> CliResult<workloads::Trace> {
    if workload.trace.is_some() || workload.gemm.is_some() {
        return Err(CliError::Usage(
            "--weights takes its shape from the file (or --model/--hf-config), not from --trace or --gemm".into(),
        ));
    }
    let m = &workload.model;
    let chosen = if m.model.is_some() || m.hf_config.is_some() {
        Some(m.load()?)
    } else {
        None
    };
    let mut model = model_of(ck, chosen)?;
    if let Some(a) = m.activations {
        model.activations = a;
    }
    if m.encoding.is_some() {
        return Err(CliError::Usage(
            "--encoding does not apply with --weights: the file's weights are ternary".into(),
        ));
    }
    let phase = workload.phase.unwrap_or(crate::workload_arg::DEFAULT_PHASE);
    let mut opts = workloads::TraceOptions {
        phase,
        seq: workload.seq.unwrap_or(crate::workload_arg::DEFAULT_SEQ),
        batch: workload.batch.unwrap_or(crate::workload_arg::DEFAULT_BATCH),
        zeros: None,
        mask: workload.attention_mask,
        draft: crate::workload_arg::draft_for(phase, workload.draft)?,
        ..workloads::TraceOptions::default()
    };
    m.apply(&mut opts, design_kv)?;
    let mut trace =
        workloads::trace::generate(&model, &opts).map_err(|e| CliError::Usage(e.to_string()))?;
    for op in &mut trace.ops {
        if let Some(p) = profile.get(&op.name) {
            op.zeros = Some(p.zero_share);
        }
    }
    Ok(trace)
}

/// `--weights FILE` of `onebit sim`: the trace and the measured profile.
pub fn load_measured(
    path: &Path,
    arch: &Accelerator,
    workload: &crate::workload_arg::WorkloadArgs,
) -> CliResult<(workloads::Trace, WeightProfile)> {
    let ck = open(path)?;
    let tensors = summarize(&ck, arch)?;
    let profile = profile(&tensors);
    let trace = measured_trace(&ck, workload, &profile, Some(arch.attention.kv_format()))?;
    Ok((trace, profile))
}
