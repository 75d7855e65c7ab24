//! The shape of a transformer language model: what a preset, a Hugging Face
//! `config.json` or a user describes, and what the trace generator expands
//! into operators. Parameter counts and weight footprints are derived here.

use crate::precision::Precision;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The model family a shape comes from; it decides the block layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// BitNet b1.58 (arXiv 2402.17764): LLaMA-alike blocks, BitLinear with
    /// ternary weights and INT8 absmax activations.
    BitnetB158,
    /// BitNet (arXiv 2310.11453): Transformer blocks, BitLinear with binary
    /// ±1 weights and INT8 absmax activations.
    Bitnet,
    /// A full-precision (or weight-quantized) LLaMA-style model: the
    /// baseline the BitNet papers compare against.
    Llama,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::BitnetB158 => "bitnet-b1.58",
            Family::Bitnet => "bitnet",
            Family::Llama => "llama",
        })
    }
}

/// The non-linearity of the feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActFn {
    /// SiLU (swish); gated, this is SwiGLU (LLaMA, BitNet b1.58).
    Silu,
    /// Squared ReLU; gated in bitnet-b1.58-2B-4T.
    Relu2,
    /// GELU (the original Transformer FFN).
    Gelu,
}

impl ActFn {
    /// The name used in traces and configs.
    pub fn name(self) -> &'static str {
        match self {
            ActFn::Silu => "silu",
            ActFn::Relu2 => "relu2",
            ActFn::Gelu => "gelu",
        }
    }

    /// Parses a trace or `hidden_act` name.
    pub fn from_name(s: &str) -> Option<ActFn> {
        match s {
            "silu" | "swish" => Some(ActFn::Silu),
            "relu2" => Some(ActFn::Relu2),
            "gelu" | "gelu_new" | "gelu_pytorch_tanh" => Some(ActFn::Gelu),
            _ => None,
        }
    }
}

impl fmt::Display for ActFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A transformer language model's shape and number formats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Preset or file name.
    pub name: String,
    /// Block layout family.
    pub family: Family,
    /// Where the numbers come from (paper, model card, config file).
    pub source: String,
    /// Number of transformer blocks.
    pub layers: u64,
    /// Model (residual stream) width.
    pub hidden: u64,
    /// Feed-forward inner width.
    pub ffn: u64,
    /// Query heads.
    pub heads: u64,
    /// Key/value heads (equal to `heads` without grouped-query attention).
    pub kv_heads: u64,
    /// Width of one head.
    pub head_dim: u64,
    /// Vocabulary size.
    pub vocab: u64,
    /// Feed-forward non-linearity.
    pub act: ActFn,
    /// Gated feed-forward (gate and up projections) or plain (up only).
    pub gated_ffn: bool,
    /// LM head shares the embedding matrix.
    pub tied_embeddings: bool,
    /// Extra RMSNorm before the output and down projections (SubLN, as in
    /// bitnet-b1.58-2B-4T).
    pub sub_norm: bool,
    /// Encoding of the projection (BitLinear) weights.
    pub weights: Precision,
    /// Precision of the activations entering a projection.
    pub activations: Precision,
    /// Precision of the embedding table, LM head and the non-linear layers
    /// (norms, attention, softmax, KV cache).
    pub high_precision: Precision,
}

/// Parameter counts of a model, split by where they live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamCount {
    /// Weights of the projections in all blocks (q, k, v, o, gate, up, down).
    pub projections: u64,
    /// Embedding table.
    pub embedding: u64,
    /// LM head (0 when tied to the embedding).
    pub lm_head: u64,
    /// RMSNorm gains.
    pub norms: u64,
}

impl ParamCount {
    /// Every parameter.
    pub fn total(&self) -> u64 {
        self.projections + self.embedding + self.lm_head + self.norms
    }
}

impl ModelConfig {
    /// Width of the query projection output (`heads * head_dim`).
    pub fn q_dim(&self) -> u64 {
        self.heads * self.head_dim
    }

    /// Width of each of the key and value projection outputs.
    pub fn kv_dim(&self) -> u64 {
        self.kv_heads * self.head_dim
    }

    /// Projection weights in one block.
    pub fn block_projection_params(&self) -> u64 {
        let attn = self.hidden * self.q_dim() * 2 + self.hidden * self.kv_dim() * 2;
        let ffn_mats = if self.gated_ffn { 3 } else { 2 };
        attn + ffn_mats * self.hidden * self.ffn
    }

    /// Parameter counts, derived from the shape.
    pub fn params(&self) -> ParamCount {
        let per_block_norms = 2 * self.hidden
            + if self.sub_norm {
                self.q_dim() + self.ffn
            } else {
                0
            };
        ParamCount {
            projections: self.layers * self.block_projection_params(),
            embedding: self.vocab * self.hidden,
            lm_head: if self.tied_embeddings {
                0
            } else {
                self.vocab * self.hidden
            },
            norms: self.layers * per_block_norms + self.hidden,
        }
    }

    /// Bytes of every parameter stored in one format (the `onebit models`
    /// memory columns).
    pub fn uniform_bytes(&self, p: Precision) -> u64 {
        p.bytes_for(self.params().total())
    }

    /// Bytes as deployed: projections in the model's weight encoding,
    /// embedding, LM head and norms in its high precision.
    pub fn deployed_bytes(&self) -> u64 {
        let c = self.params();
        self.weights.bytes_for(c.projections)
            + self
                .high_precision
                .bytes_for(c.embedding + c.lm_head + c.norms)
    }

    /// The same model with its projections in another encoding. Activations
    /// follow: floating-point weights get floating-point activations, every
    /// other encoding INT8 absmax activations (W8A8, W4A8, BitNet's A8).
    pub fn with_encoding(&self, weights: Precision) -> ModelConfig {
        let mut m = self.clone();
        m.weights = weights;
        m.activations = if weights.is_float() {
            weights
        } else {
            Precision::INT8
        };
        m
    }

    /// Checks the shape for consistency.
    pub fn validate(&self) -> Result<(), String> {
        for (key, v) in [
            ("layers", self.layers),
            ("hidden", self.hidden),
            ("ffn", self.ffn),
            ("heads", self.heads),
            ("kv_heads", self.kv_heads),
            ("head_dim", self.head_dim),
            ("vocab", self.vocab),
        ] {
            if v == 0 {
                return Err(format!("{key} must be at least 1"));
            }
        }
        // Every count below must fit comfortably in u64 (1e18 parameters).
        let wide = |v: u64| u128::from(v);
        let per_block = wide(self.hidden)
            * (2 * wide(self.heads) + 2 * wide(self.kv_heads))
            * wide(self.head_dim)
            + 3 * wide(self.hidden) * wide(self.ffn);
        let total = wide(self.layers) * per_block + 2 * wide(self.vocab) * wide(self.hidden);
        if total > 1u128 << 60 {
            return Err("the model is too large (more than 2^60 parameters)".into());
        }
        if !self.heads.is_multiple_of(self.kv_heads) {
            return Err(format!(
                "heads ({}) must be a multiple of kv_heads ({})",
                self.heads, self.kv_heads
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::zoo;

    #[test]
    fn llama2_7b_has_6_74b_parameters() {
        // LLaMA-2 7B: 6,738,415,616 parameters (32 x 202,383,360 + 2 x 131,072,000 + 266,240).
        let m = zoo::find("llama-7B").unwrap();
        assert_eq!(m.params().total(), 6_738_415_616);
    }
}

#[cfg(test)]
mod memory_tests {
    use crate::precision::Precision;

    #[test]
    fn seven_billion_weights() {
        let gib = |p: Precision| p.bytes_for(7_000_000_000) as f64 / (1u64 << 30) as f64;
        assert_eq!(format!("{:.3}", gib(Precision::Binary)), "0.815");
        assert_eq!(format!("{:.2}", gib(Precision::Fp32)), "26.08");
        assert_eq!(format!("{:.3}", gib(Precision::Fp16)), "13.039");
        assert_eq!(format!("{:.3}", gib(Precision::Ternary)), "1.630");
        assert_eq!(format!("{:.3}", gib(Precision::TernaryPacked)), "1.304");
    }
}
