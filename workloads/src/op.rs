//! One operator of a layer trace: its kind, shape, operand precisions,
//! weight bytes and weight statistics.
//!
//! Every operator has the same shape fields, read per kind:
//! - matrix kinds (`linear`, `qk`, `pv`): `g` independent products of
//!   an `m x k` activation matrix with a `k x n` second operand (weights for
//!   `linear`, the K or V cache for `qk`/`pv`);
//! - `embed`: `m` rows of width `n` looked up in a table of `k` rows;
//! - element-wise and row kinds: `g x m` rows of `n` elements;
//! - `attention` (QK^T, softmax and PV fused): `g` heads of `m` queries of
//!   `k` = head dim against `n` keys.
//!
//! The attention kinds (`qk`, `softmax`, `pv`, `attention`) carry a mask
//! ([`Mask`]): under the causal mask only the unmasked query-key pairs
//! count.

use crate::attention::{attended_pairs, Mask};
use crate::count::{Count, Overflow};
use crate::model::ActFn;
use crate::precision::Precision;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What an operator computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Token embedding lookup.
    Embed,
    /// RMSNorm over rows of `n`.
    RmsNorm,
    /// Absmax activation quantization per row (BitNet: scale = 127 / max|x|).
    Quant,
    /// A projection: `m x k` activations times `k x n` weights (BitLinear
    /// for low-bit weights, the LM head at its own precision).
    Linear,
    /// Rotary position embedding on `g x m` rows of `n` (one row per head).
    Rope,
    /// Appends `g x m` rows of `n` to the KV cache.
    KvAppend,
    /// Attention scores Q K^T: `g` = batch x query heads products of
    /// `m x k` (queries x head_dim) by `k x n` (head_dim x KV length).
    Qk,
    /// Row softmax over `g x m` rows of `n`.
    Softmax,
    /// Attention output P V: `g` products of `m x k` (queries x KV length)
    /// by `k x n` (KV length x head_dim).
    Pv,
    /// Fused attention: QK^T, an online softmax and PV in one streaming
    /// operator over KV tiles; `g` heads of `m` queries x `k` (head dim)
    /// against `n` keys, the scores never leaving the attention unit.
    Attention,
    /// Gated activation `f(gate) * up` element-wise.
    Glu(ActFn),
    /// Plain activation `f(x)` element-wise.
    Act(ActFn),
    /// Element-wise addition (residual connections).
    Add,
}

/// Operator kind names, for error messages.
pub const OP_KIND_NAMES: &str =
    "embed, rmsnorm, quant, linear, rope, kv_append, qk, softmax, pv, attention, glu, act, add";

impl OpKind {
    /// The keyword that starts the operator's trace line.
    pub fn keyword(self) -> &'static str {
        match self {
            OpKind::Embed => "embed",
            OpKind::RmsNorm => "rmsnorm",
            OpKind::Quant => "quant",
            OpKind::Linear => "linear",
            OpKind::Rope => "rope",
            OpKind::KvAppend => "kv_append",
            OpKind::Qk => "qk",
            OpKind::Softmax => "softmax",
            OpKind::Pv => "pv",
            OpKind::Attention => "attention",
            OpKind::Glu(_) => "glu",
            OpKind::Act(_) => "act",
            OpKind::Add => "add",
        }
    }

    /// True for the kinds that are matrix products (mapped on the array).
    pub fn is_matmul(self) -> bool {
        matches!(self, OpKind::Linear | OpKind::Qk | OpKind::Pv)
    }

    /// True for the kinds that carry an attention mask.
    pub fn is_attention(self) -> bool {
        matches!(
            self,
            OpKind::Qk | OpKind::Softmax | OpKind::Pv | OpKind::Attention
        )
    }

    /// The activation function of `glu`/`act`.
    pub fn act_fn(self) -> Option<ActFn> {
        match self {
            OpKind::Glu(f) | OpKind::Act(f) => Some(f),
            _ => None,
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// One operator of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// Unique name within the trace (e.g. `L3.q`).
    pub name: String,
    /// What it computes.
    pub kind: OpKind,
    /// Transformer block index, if the operator belongs to one.
    pub layer: Option<u32>,
    /// Names of the operators whose outputs this one reads (data dependencies).
    pub inputs: Vec<String>,
    /// Independent instances (batch x heads for attention); 1 otherwise.
    pub g: u64,
    /// Rows: tokens (times batch).
    pub m: u64,
    /// Reduction length of a matrix product; table rows of `embed`; 1 otherwise.
    pub k: u64,
    /// Columns: output features or elements per row.
    pub n: u64,
    /// Precision of the (first) input operand.
    pub a: Precision,
    /// Precision of the second operand of a matrix product (the weights of
    /// `linear`, the cache of `qk`/`pv`) or of an `embed` table.
    pub w: Option<Precision>,
    /// Precision of the output.
    pub out: Precision,
    /// Bytes of weights (or KV cache, or embedding rows) this operator reads
    /// from memory.
    pub wbytes: u64,
    /// Share of zero weights in [0, 1]; `None` means the encoding's default
    /// ([`Precision::default_zero_fraction`]).
    pub zeros: Option<f64>,
    /// Which query-key pairs count (attention kinds; [`Mask::Full`] for
    /// every other kind).
    #[serde(default)]
    pub mask: Mask,
}

impl Op {
    /// A linear operator of `m` tokens, `k` inputs and `n` outputs: INT8
    /// activations, weights of `w` with no zeros, INT32 accumulators, no
    /// producers (`inputs` empty) and no layer. The shape tests and small
    /// hand-computed cases start from it.
    pub fn linear(name: &str, m: u64, k: u64, n: u64, w: Precision) -> Op {
        Op {
            name: name.into(),
            kind: OpKind::Linear,
            layer: None,
            inputs: vec![],
            g: 1,
            m,
            k,
            n,
            a: Precision::INT8,
            w: Some(w),
            out: Precision::INT32,
            wbytes: w.bytes_for(k * n),
            zeros: Some(0.0),
            mask: Mask::Full,
        }
    }

    /// Useful multiply-accumulates: `g*m*k*n` for a matrix product under
    /// the full mask; for `qk` and `pv` under the causal mask only the
    /// unmasked query-key pairs (times the head dim); for `attention` both
    /// products; 0 for other kinds. Exact (a product of four u64 dimensions
    /// can exceed 2^64; saturates only beyond u128).
    pub fn macs(&self) -> u128 {
        let w = u128::from;
        match self.kind {
            OpKind::Linear => (w(self.g) * w(self.m)).saturating_mul(w(self.k) * w(self.n)),
            OpKind::Qk | OpKind::Pv => {
                let dim = if self.kind == OpKind::Qk {
                    self.k
                } else {
                    self.n
                };
                w(self.attended()).saturating_mul(w(dim))
            }
            OpKind::Attention => 2 * w(self.attended()).saturating_mul(w(self.k)),
            _ => 0,
        }
    }

    /// Query-key pairs of an attention operator under its mask (`g` times
    /// [`attended_pairs`], saturating); 0 for other kinds.
    pub fn attended(&self) -> u64 {
        let keys = match self.kind {
            OpKind::Qk | OpKind::Softmax | OpKind::Attention => self.n,
            OpKind::Pv => self.k,
            _ => return 0,
        };
        self.g
            .saturating_mul(attended_pairs(self.mask, self.m, keys))
    }

    /// Output elements (`g*m*n`), checked.
    pub fn out_elements(&self) -> Count {
        Count::new(self.g) * self.m * self.n
    }

    /// The operator's shape products that every consumer of the trace
    /// forms (`g*m*k*n`, `g*m*n`, `g*m*k`, `g*k*n`) fit in 64 bits; else an
    /// [`Overflow`] naming the operator and the product.
    pub fn check_sizes(&self) -> Result<(), Overflow> {
        let (g, m, k, n) = (Count::new(self.g), self.m, self.k, self.n);
        (g * m * k * n).get(&self.name, "its shape product g*m*k*n")?;
        Ok(())
    }

    /// The share of zero weights that applies: the attribute, or the default
    /// of the weight encoding.
    pub fn zero_fraction(&self) -> f64 {
        match (self.zeros, self.w) {
            (Some(z), _) => z,
            (None, Some(w)) if self.kind == OpKind::Linear => w.default_zero_fraction(),
            _ => 0.0,
        }
    }
}
