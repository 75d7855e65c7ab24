//! Expands a model into the layer trace of one forward step (decode or
//! prefill): embedding, every block's norms, quantization, projections,
//! RoPE, attention against the KV cache, feed-forward, residuals, the final
//! norm and the LM head.

use super::{Phase, Trace, TraceMeta};
use crate::attention::Mask;
use crate::kv::{KvFormat, KV_SCALE_BYTES};
use crate::model::ModelConfig;
use crate::op::{Op, OpKind};
use crate::precision::Precision;

/// A trace that cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceGenError {
    /// The model shape is inconsistent.
    #[error("invalid model `{model}`: {reason}")]
    Model {
        /// Model name.
        model: String,
        /// What is wrong.
        reason: String,
    },
    /// A step option is out of range.
    #[error("`{key}` must be at least 1, found {value}")]
    Option {
        /// The option.
        key: &'static str,
        /// Its value.
        value: u64,
    },
    /// Some operator would exceed 2^62 multiply-accumulates or bytes.
    #[error("the step is too large to count: batch {batch} x seq {seq} on `{model}` exceeds 2^62 operations in one operator")]
    TooLarge {
        /// Model name.
        model: String,
        /// Batch.
        batch: u64,
        /// Sequence length.
        seq: u64,
    },
    /// The model or the step is above a documented limit.
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
}

/// What step to trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceOptions {
    /// Decode (one token per sequence) or prefill (`seq` tokens per sequence).
    pub phase: Phase,
    /// KV-cache length (decode) or prompt length (prefill).
    pub seq: u64,
    /// Sequences processed together.
    pub batch: u64,
    /// Share of zero weights written on every low-bit projection; `None`
    /// leaves the encoding's default (stated in docs/trace-format.md).
    pub zeros: Option<f64>,
    /// The attention mask of prefill and verify (decode is the same under
    /// both): causal, or full for a kernel that computes masked scores.
    pub mask: Mask,
    /// How the KV cache is stored; `None` keeps the model's high precision
    /// without scales.
    pub kv: Option<KvFormat>,
    /// Precision of the LM head weights; `None` keeps the model's high
    /// precision.
    pub lm_head: Option<Precision>,
    /// Precision of the embedding table; `None` keeps the model's high
    /// precision.
    pub embedding: Option<Precision>,
    /// Drafted tokens verified per sequence (the verify phase).
    pub draft: u64,
}

impl Default for TraceOptions {
    fn default() -> Self {
        TraceOptions {
            phase: Phase::Decode,
            seq: 2048,
            batch: 1,
            zeros: None,
            mask: Mask::Causal,
            kv: None,
            lm_head: None,
            embedding: None,
            draft: 4,
        }
    }
}

/// Bytes of `count` weights of a high-precision tensor stored in `p`, with
/// one FP16 scale per row of `row` weights for integer formats (per output
/// channel for the LM head, per token row for the embedding).
fn tensor_bytes(p: Precision, count: u64, row: u64) -> u64 {
    p.bytes_for(count)
        + if matches!(p, Precision::Int(_)) {
            count.div_ceil(row.max(1)) * KV_SCALE_BYTES
        } else {
            0
        }
}

/// Accumulates operators with consistent naming and shape defaults.
struct Builder<'m> {
    model: &'m ModelConfig,
    ops: Vec<Op>,
    layer: Option<u32>,
    zeros: Option<f64>,
}

impl Builder<'_> {
    fn name(&self, short: &str) -> String {
        match self.layer {
            Some(l) => format!("L{l}.{short}"),
            None => short.to_string(),
        }
    }

    /// An element-wise or row operator over `g x m` rows of `n`.
    fn vector(
        &mut self,
        kind: OpKind,
        short: &str,
        inputs: &[&str],
        [g, m, n]: [u64; 3],
        (a, out): (Precision, Precision),
    ) -> String {
        self.push(Op {
            name: self.name(short),
            kind,
            layer: self.layer,
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            g,
            m,
            k: 1,
            n,
            a,
            w: None,
            out,
            wbytes: 0,
            zeros: None,
            mask: Mask::Full,
        })
    }

    /// A projection of `m` tokens from `k` to `n` features with the model's
    /// projection weights.
    fn linear(&mut self, short: &str, input: &str, m: u64, k: u64, n: u64) -> String {
        let md = self.model;
        let zeros = if md.weights.is_low_bit_weight() {
            self.zeros
        } else {
            None
        };
        self.push(Op {
            name: self.name(short),
            kind: OpKind::Linear,
            layer: self.layer,
            inputs: vec![input.to_string()],
            g: 1,
            m,
            k,
            n,
            a: md.activations,
            w: Some(md.weights),
            out: md.high_precision,
            wbytes: md.weights.bytes_for(k * n),
            zeros,
            mask: Mask::Full,
        })
    }

    /// Absmax quantization of the input of a projection, when activations
    /// are integers; returns the name the projection reads.
    fn quant(&mut self, short: &str, input: &str, m: u64, n: u64) -> String {
        let md = self.model;
        if md.activations.is_float() {
            return input.to_string();
        }
        self.vector(
            OpKind::Quant,
            short,
            &[input],
            [1, m, n],
            (md.high_precision, md.activations),
        )
    }

    fn push(&mut self, op: Op) -> String {
        let name = op.name.clone();
        self.ops.push(op);
        name
    }
}

/// The trace of one forward step of `model`.
///
/// Shapes: with `T` tokens per sequence (1 for decode, `seq` for prefill)
/// and `M = batch * T`, projections are `M x K x N`; attention has
/// `g = batch * heads` products against a KV length of `seq`, reading the
/// cache of `kv_heads` heads (grouped-query attention shares one cached head
/// among `heads / kv_heads` query heads). Only the last position of each
/// sequence goes through the final norm and the LM head.
pub fn generate(model: &ModelConfig, opts: &TraceOptions) -> Result<Trace, TraceGenError> {
    model.validate().map_err(|reason| TraceGenError::Model {
        model: model.name.clone(),
        reason,
    })?;
    let draft = if opts.phase == Phase::Verify {
        opts.draft
    } else {
        1
    };
    for (key, value) in [("batch", opts.batch), ("seq", opts.seq), ("draft", draft)] {
        if value == 0 {
            return Err(TraceGenError::Option { key, value });
        }
    }
    if let Some(kv) = opts.kv {
        if !KvFormat::supports(kv.precision) || kv.group == 0 {
            return Err(TraceGenError::Model {
                model: model.name.clone(),
                reason: format!(
                    "KV-cache precision {} with groups of {} is not supported (expected one of {} and a group of at least 1)",
                    kv.precision,
                    kv.group,
                    crate::kv::KV_PRECISION_NAMES
                ),
            });
        }
    }
    // The largest operator volumes, in u128, before any u64 arithmetic.
    let w = u128::from;
    let tok = match opts.phase {
        Phase::Prefill => w(opts.seq),
        Phase::Verify => w(draft),
        Phase::Decode => 1,
    };
    let kv_total = match opts.phase {
        Phase::Verify => w(opts.seq) + w(draft),
        _ => w(opts.seq),
    };
    let dim = [
        model.hidden,
        model.ffn,
        model.vocab,
        model.heads * model.head_dim,
    ]
    .into_iter()
    .max()
    .unwrap_or(1);
    let biggest = (w(opts.batch) * tok * w(dim) * w(dim))
        .max(w(opts.batch) * w(model.heads) * tok * w(model.head_dim) * kv_total * 4);
    if biggest > 1u128 << 62 {
        return Err(TraceGenError::TooLarge {
            model: model.name.clone(),
            batch: opts.batch,
            seq: opts.seq,
        });
    }
    crate::limits::check_model(model)?;
    crate::limits::check_step(opts.phase, opts.batch, opts.seq)?;
    let tokens = match opts.phase {
        Phase::Decode => 1,
        Phase::Prefill => opts.seq,
        Phase::Verify => draft,
    };
    let kv_len = match opts.phase {
        Phase::Verify => opts.seq + draft,
        _ => opts.seq,
    };
    let batch = opts.batch;
    let mask = opts.mask;
    let kv = opts.kv.unwrap_or(KvFormat::new(model.high_precision, 1));
    let kvp = kv.precision;
    let head_p = opts.lm_head.unwrap_or(model.high_precision);
    let emb_p = opts.embedding.unwrap_or(model.high_precision);
    let m = batch * tokens;
    let md = model;
    let hp = md.high_precision;
    let (h, hd) = (md.hidden, md.head_dim);
    let mut b = Builder {
        model,
        ops: Vec::new(),
        layer: None,
        zeros: opts.zeros,
    };

    let mut residual = b.push(Op {
        name: "embed".into(),
        kind: OpKind::Embed,
        layer: None,
        inputs: vec![],
        g: 1,
        m,
        k: md.vocab,
        n: h,
        a: Precision::INT32,
        w: Some(emb_p),
        out: hp,
        wbytes: tensor_bytes(emb_p, m * h, h),
        zeros: None,
        mask: Mask::Full,
    });

    for layer in 0..md.layers {
        b.layer = Some(layer as u32);
        // Attention.
        let norm = b.vector(
            OpKind::RmsNorm,
            "attn_norm",
            &[&residual],
            [1, m, h],
            (hp, hp),
        );
        let x = b.quant("attn_quant", &norm, m, h);
        let q = b.linear("q", &x, m, h, md.q_dim());
        let k = b.linear("k", &x, m, h, md.kv_dim());
        let v = b.linear("v", &x, m, h, md.kv_dim());
        let q_rope = b.vector(OpKind::Rope, "q_rope", &[&q], [md.heads, m, hd], (hp, hp));
        let k_rope = b.vector(
            OpKind::Rope,
            "k_rope",
            &[&k],
            [md.kv_heads, m, hd],
            (hp, hp),
        );
        let appended = kv.bytes(md.kv_heads * m, hd);
        let k_cache = b.vector(
            OpKind::KvAppend,
            "k_cache",
            &[&k_rope],
            [md.kv_heads, m, hd],
            (hp, kvp),
        );
        b.ops.last_mut().expect("just pushed").wbytes = appended;
        let v_cache = b.vector(
            OpKind::KvAppend,
            "v_cache",
            &[&v],
            [md.kv_heads, m, hd],
            (hp, kvp),
        );
        b.ops.last_mut().expect("just pushed").wbytes = appended;
        let cache_bytes = kv.bytes(batch * md.kv_heads * kv_len, hd);
        let g = batch * md.heads;
        let qk = b.push(Op {
            name: b.name("qk"),
            kind: OpKind::Qk,
            layer: b.layer,
            inputs: vec![q_rope, k_cache],
            g,
            m: tokens,
            k: hd,
            n: kv_len,
            a: hp,
            w: Some(kvp),
            out: hp,
            wbytes: cache_bytes,
            zeros: None,
            mask,
        });
        let probs = b.vector(
            OpKind::Softmax,
            "softmax",
            &[&qk],
            [g, tokens, kv_len],
            (hp, hp),
        );
        b.ops.last_mut().expect("just pushed").mask = mask;
        let pv = b.push(Op {
            name: b.name("pv"),
            kind: OpKind::Pv,
            layer: b.layer,
            inputs: vec![probs, v_cache],
            g,
            m: tokens,
            k: kv_len,
            n: hd,
            a: hp,
            w: Some(kvp),
            out: hp,
            wbytes: cache_bytes,
            zeros: None,
            mask,
        });
        let attn_out = if md.sub_norm {
            b.vector(
                OpKind::RmsNorm,
                "attn_sub_norm",
                &[&pv],
                [1, m, md.q_dim()],
                (hp, hp),
            )
        } else {
            pv
        };
        let x = b.quant("o_quant", &attn_out, m, md.q_dim());
        let o = b.linear("o", &x, m, md.q_dim(), h);
        residual = b.vector(
            OpKind::Add,
            "attn_res",
            &[&o, &residual],
            [1, m, h],
            (hp, hp),
        );

        // Feed-forward.
        let norm = b.vector(
            OpKind::RmsNorm,
            "ffn_norm",
            &[&residual],
            [1, m, h],
            (hp, hp),
        );
        let x = b.quant("ffn_quant", &norm, m, h);
        let act = if md.gated_ffn {
            let gate = b.linear("gate", &x, m, h, md.ffn);
            let up = b.linear("up", &x, m, h, md.ffn);
            b.vector(
                OpKind::Glu(md.act),
                "glu",
                &[&gate, &up],
                [1, m, md.ffn],
                (hp, hp),
            )
        } else {
            let up = b.linear("up", &x, m, h, md.ffn);
            b.vector(OpKind::Act(md.act), "act", &[&up], [1, m, md.ffn], (hp, hp))
        };
        let act = if md.sub_norm {
            b.vector(
                OpKind::RmsNorm,
                "ffn_sub_norm",
                &[&act],
                [1, m, md.ffn],
                (hp, hp),
            )
        } else {
            act
        };
        let x = b.quant("down_quant", &act, m, md.ffn);
        let down = b.linear("down", &x, m, md.ffn, h);
        residual = b.vector(
            OpKind::Add,
            "ffn_res",
            &[&down, &residual],
            [1, m, h],
            (hp, hp),
        );
    }

    b.layer = None;
    // Verification scores every drafted position; the other steps the last.
    let head_rows = if opts.phase == Phase::Verify {
        m
    } else {
        batch
    };
    let norm = b.vector(
        OpKind::RmsNorm,
        "final_norm",
        &[&residual],
        [1, head_rows, h],
        (hp, hp),
    );
    // An integer LM head takes the model's integer activations (a W8A8
    // head); a floating-point one the high-precision hidden state.
    let (head_in, head_a) = if matches!(head_p, Precision::Int(_)) && !md.activations.is_float() {
        (b.quant("head_quant", &norm, head_rows, h), md.activations)
    } else {
        (norm, hp)
    };
    b.push(Op {
        name: "lm_head".into(),
        kind: OpKind::Linear,
        layer: None,
        inputs: vec![head_in],
        g: 1,
        m: head_rows,
        k: h,
        n: md.vocab,
        a: head_a,
        w: Some(head_p),
        out: hp,
        wbytes: tensor_bytes(head_p, h * md.vocab, h),
        zeros: None,
        mask: Mask::Full,
    });

    Ok(Trace {
        meta: TraceMeta {
            model: md.name.clone(),
            phase: opts.phase,
            batch,
            seq: opts.seq,
            draft: if opts.phase == Phase::Verify {
                draft
            } else {
                0
            },
            tied_embeddings: md.tied_embeddings,
        },
        ops: b.ops,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zoo;

    #[test]
    fn decode_2b4t_shapes() {
        let m = zoo::find("bitnet-b1.58-2B-4T").unwrap();
        let t = generate(
            &m,
            &TraceOptions {
                seq: 1024,
                ..Default::default()
            },
        )
        .unwrap();
        // embed + 30 blocks x 25 ops (incl. 4 quant and 2 sub-norms) + final norm + head
        assert_eq!(t.ops.len(), 1 + 30 * 25 + 2);
        let k = t.op("L0.k").unwrap();
        assert_eq!((k.m, k.k, k.n), (1, 2560, 640));
        assert_eq!(k.wbytes, 2560 * 640 / 4);
        let qk = t.op("L7.qk").unwrap();
        assert_eq!((qk.g, qk.m, qk.k, qk.n), (20, 1, 128, 1024));
        // GQA: the K cache of 5 heads is read, not 20.
        assert_eq!(qk.wbytes, 5 * 1024 * 128 * 2);
        let head = t.op("lm_head").unwrap();
        assert_eq!(
            (head.m, head.k, head.n, head.w),
            (1, 2560, 128256, Some(Precision::Bf16))
        );
        // Projection MACs equal the projection parameter count for one token.
        let proj: u128 = t
            .ops
            .iter()
            .filter(|o| o.kind == OpKind::Linear && o.name != "lm_head")
            .map(|o| o.macs())
            .sum();
        assert_eq!(proj, u128::from(m.params().projections));
    }

    #[test]
    fn prefill_fp16_has_no_quantization() {
        let m = zoo::find("llama-7B").unwrap();
        let t = generate(
            &m,
            &TraceOptions {
                phase: Phase::Prefill,
                seq: 16,
                batch: 2,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(t.ops.iter().all(|o| o.kind != OpKind::Quant));
        let q = t.op("L0.q").unwrap();
        assert_eq!(
            (q.m, q.a, q.w),
            (32, Precision::Fp16, Some(Precision::Fp16))
        );
        let qk = t.op("L0.qk").unwrap();
        assert_eq!((qk.g, qk.m, qk.n), (64, 16, 16));
        assert_eq!(t.op("lm_head").unwrap().m, 2);
        assert_eq!(t.meta.tokens(), 32);
    }
}

#[cfg(test)]
mod limits {
    use super::*;
    use crate::zoo;

    #[test]
    fn refuses_zero_and_huge_steps() {
        let m = zoo::find("bitnet-b1.58-70B").unwrap();
        let o = |phase, seq, batch| TraceOptions {
            phase,
            seq,
            batch,
            ..Default::default()
        };
        assert_eq!(
            generate(&m, &o(Phase::Decode, 0, 1)).unwrap_err(),
            TraceGenError::Option {
                key: "seq",
                value: 0
            }
        );
        assert!(matches!(
            generate(&m, &o(Phase::Prefill, 1 << 30, 1 << 20)),
            Err(TraceGenError::TooLarge { .. })
        ));
        assert!(generate(&m, &o(Phase::Prefill, 4096, 8)).is_ok());
    }
}
