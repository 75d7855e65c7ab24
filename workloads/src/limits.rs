//! Documented limits on the size of inputs, checked before any work
//! starts (docs/trace-format.md, docs/models.md): the length of names, the
//! shape of a model, and the tokens of one simulated step.
//!
//! Each limit is a constant here; a refusal names the limit and the value.

use crate::model::ModelConfig;
use crate::trace::Phase;

/// Longest operator, layer or model name, in bytes. Names are shown in
/// tables, reports and file names; longer ones are refused at parse.
pub const MAX_NAME_BYTES: usize = 256;

/// Largest `num_hidden_layers` of a model (the largest published dense
/// models have 126).
pub const MAX_LAYERS: u64 = 4096;
/// Largest `hidden_size`, `intermediate_size` and `head_dim`.
pub const MAX_WIDTH: u64 = 1 << 20;
/// Largest `num_attention_heads` / `num_key_value_heads`.
pub const MAX_HEADS: u64 = 4096;
/// Largest `vocab_size` (2^24; the largest published vocabularies have 2^18).
pub const MAX_VOCAB: u64 = 1 << 24;

/// Most tokens one simulated step may process: `batch x seq` for prefill,
/// `batch` for decode. The simulator's work grows with the token blocks of
/// the projections, so a step is bounded up front.
pub const MAX_STEP_TOKENS: u64 = 1 << 18;
/// Longest KV cache (decode `seq`) or prompt (prefill `seq`).
pub const MAX_SEQ: u64 = 1 << 24;

/// A value above one of these limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} = {value} is above the limit of {limit}; {hint}")]
pub struct LimitError {
    /// What is limited (a key or flag).
    pub what: String,
    /// The value given.
    pub value: u64,
    /// The limit.
    pub limit: u64,
    /// How to stay inside it.
    pub hint: String,
}

/// Checks a model's shape against [`MAX_LAYERS`], [`MAX_WIDTH`],
/// [`MAX_HEADS`] and [`MAX_VOCAB`].
pub fn check_model(m: &ModelConfig) -> Result<(), LimitError> {
    let hint = "onebit models transformers up to these sizes (workloads::limits)";
    for (what, value, limit) in [
        ("num_hidden_layers", m.layers, MAX_LAYERS),
        ("hidden_size", m.hidden, MAX_WIDTH),
        ("intermediate_size", m.ffn, MAX_WIDTH),
        ("head_dim", m.head_dim, MAX_WIDTH),
        ("num_attention_heads", m.heads, MAX_HEADS),
        ("num_key_value_heads", m.kv_heads, MAX_HEADS),
        ("vocab_size", m.vocab, MAX_VOCAB),
    ] {
        if value > limit {
            return Err(LimitError {
                what: what.into(),
                value,
                limit,
                hint: hint.into(),
            });
        }
    }
    Ok(())
}

/// Checks the tokens of one step against [`MAX_STEP_TOKENS`] and
/// [`MAX_SEQ`].
pub fn check_step(phase: Phase, batch: u64, seq: u64) -> Result<(), LimitError> {
    if seq > MAX_SEQ {
        return Err(LimitError {
            what: "seq".into(),
            value: seq,
            limit: MAX_SEQ,
            hint: "simulate a shorter sequence".into(),
        });
    }
    let tokens = match phase {
        Phase::Decode | Phase::Verify => u128::from(batch),
        Phase::Prefill => u128::from(batch) * u128::from(seq),
    };
    if tokens > u128::from(MAX_STEP_TOKENS) {
        let (what, hint) = match phase {
            Phase::Decode | Phase::Verify => (
                "batch (tokens of the decode step)".to_string(),
                format!("simulate at most {MAX_STEP_TOKENS} sequences per step"),
            ),
            Phase::Prefill => (
                format!("batch x seq (tokens of the prefill step: {batch} x {seq})"),
                format!(
                    "simulate the prompt in parts of at most {MAX_STEP_TOKENS} tokens \
                     (workloads::limits::MAX_STEP_TOKENS)"
                ),
            ),
        };
        return Err(LimitError {
            what,
            value: u64::try_from(tokens).unwrap_or(u64::MAX),
            limit: MAX_STEP_TOKENS,
            hint,
        });
    }
    Ok(())
}

/// `Some(message)` when `name` is longer than [`MAX_NAME_BYTES`].
pub fn name_too_long(name: &str) -> Option<String> {
    (name.len() > MAX_NAME_BYTES).then(|| {
        format!(
            "a name of {} bytes, above the limit of {MAX_NAME_BYTES} bytes",
            name.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_tokens_are_bounded() {
        assert!(check_step(Phase::Prefill, 1, MAX_STEP_TOKENS).is_ok());
        let e = check_step(Phase::Prefill, 1, 4_000_000).unwrap_err();
        assert_eq!((e.value, e.limit), (4_000_000, 1 << 18));
        assert!(e.to_string().contains("above the limit of 262144"));
        let e = check_step(Phase::Decode, 4_000_000, 2048).unwrap_err();
        assert_eq!(e.value, 4_000_000);
        assert!(check_step(Phase::Decode, 1, 1 << 20).is_ok());
        assert!(check_step(Phase::Decode, 1, (1 << 24) + 1).is_err());
        assert!(check_step(Phase::Prefill, u64::MAX, u64::MAX >> 40).is_err());
    }

    #[test]
    fn names_are_capped() {
        assert_eq!(name_too_long(&"a".repeat(256)), None);
        assert!(name_too_long(&"a".repeat(257))
            .unwrap()
            .contains("257 bytes"));
    }
}
