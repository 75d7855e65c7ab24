//! Each chip's share of a step: the tensor-parallel split of the
//! operators and the pipeline-parallel split of the layers.
//!
//! Tensor parallelism follows Megatron-LM (Shoeybi et al., arXiv 1909.08053,
//! section 3) per operator, recognized by the names the trace generator
//! gives them (`L<i>.q`, ...):
//!
//! | operators | split |
//! |---|---|
//! | `q`, `k`, `v`, `gate`, `up` | by columns: each chip `n / tp` output features |
//! | `o`, `down` | by rows: each chip `k / tp` of the reduction, then an all-reduce of the `m x hidden` partial sums |
//! | `q_rope`, `qk`, `softmax`, `pv`, `attention` | attention heads split: `heads / tp` per chip |
//! | `k_rope`, `k_cache`, `v_cache`, the KV cache | KV heads split: `kv_heads / tp` per chip, one whole KV head per chip (replicated) when `tp > kv_heads` |
//! | `attn_sub_norm`, `o_quant`, `glu`, `act`, `ffn_sub_norm`, `down_quant` | on the chip's `1 / tp` of the features |
//! | `lm_head` | by columns (vocabulary), then an all-gather of the logits |
//! | `embed`, norms and quantizers of the hidden state, residual adds | replicated |
//!
//! A dimension that `tp` does not divide is rounded up (the busiest chip's
//! share). The per-row reductions of a split operator (the sub-norm's sum
//! of squares, absmax of `o_quant` and `down_quant`) would need a scalar
//! all-reduce per row; it is not modeled (a few bytes per token).
//!
//! Pipeline parallelism puts `layers / pp` consecutive layers on each stage
//! (the first `layers % pp` stages one more), the embedding on the first,
//! the final norm and the LM head on the last, and ends every stage but the
//! last with a send of the `m x hidden` hidden state to the next.

use super::Collective;
use std::collections::BTreeMap;
use std::ops::Range;
use workloads::{Mask, Op, OpKind, Trace};

/// Names of the operators a system adds for collectives end with this
/// (`L3.o` is followed by `L3.o@all-reduce`).
pub const COLLECTIVE_PREFIX: &str = "@";

/// A collective the split added to a chip's trace.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectiveOp {
    /// What it does.
    pub kind: Collective,
    /// Bytes of each chip's full tensor.
    pub bytes: f64,
    /// Chips taking part (the tensor-parallel group; 1 for a send).
    pub chips: u32,
}

/// The layers of each of `pp` stages of a model of `layers` layers.
pub fn stage_layers(layers: u32, pp: u32) -> Vec<Range<u32>> {
    let pp = pp.max(1);
    let (base, extra) = (layers / pp, layers % pp);
    let mut start = 0;
    (0..pp)
        .map(|s| {
            let len = base + u32::from(s < extra);
            let r = start..start + len;
            start += len;
            r
        })
        .collect()
}

fn split(x: u64, tp: u64) -> u64 {
    x.div_ceil(tp).max(1)
}

fn scale(bytes: u64, new: u64, old: u64) -> u64 {
    if old == 0 {
        return bytes;
    }
    (u128::from(bytes) * u128::from(new)).div_ceil(u128::from(old)) as u64
}

fn collective_op(at: &Op, kind: Collective) -> Op {
    Op {
        name: format!("{}{COLLECTIVE_PREFIX}{}", at.name, kind.name()),
        kind: OpKind::Add,
        layer: at.layer,
        inputs: vec![at.name.clone()],
        g: 1,
        m: at.m,
        k: 1,
        n: at.n,
        a: at.out,
        w: None,
        out: at.out,
        wbytes: 0,
        zeros: None,
        mask: Mask::Full,
    }
}

/// Stage `stage` of `pp` (layers `layers`) of `trace`, split `tp` ways:
/// the trace one chip of the stage runs, and the collectives it holds (by
/// operator name). The collectives are placeholder operators on the
/// trace's dependency graph; the system puts them on the link unit.
pub fn shard_trace(
    trace: &Trace,
    tp: u32,
    stage: usize,
    stages: &[Range<u32>],
) -> (Trace, BTreeMap<String, CollectiveOp>) {
    let tp64 = u64::from(tp.max(1));
    let last = stage + 1 == stages.len();
    let range = stages[stage].clone();
    // heads and KV heads of each layer, from its rope operators
    let mut heads: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
    for op in &trace.ops {
        if let (Some(l), Some(short)) = (op.layer, short_name(op)) {
            let e = heads.entry(l).or_insert((0, 0));
            match short {
                "q_rope" => e.0 = op.g,
                "k_rope" => e.1 = op.g,
                _ => {}
            }
        }
    }
    let mut ops: Vec<Op> = Vec::new();
    let mut collectives = BTreeMap::new();
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for op in &trace.ops {
        let mine = match op.layer {
            Some(l) => range.contains(&l),
            None if op.kind == OpKind::Embed => stage == 0,
            None => last,
        };
        if !mine {
            continue;
        }
        let mut o = op.clone();
        let short = short_name(op).unwrap_or(op.name.as_str());
        let (h, kvh) = op
            .layer
            .and_then(|l| heads.get(&l).copied())
            .unwrap_or((0, 0));
        let mut after = None;
        if tp64 > 1 {
            match short {
                "q" | "k" | "v" | "gate" | "up" | "lm_head" => {
                    let n = split(o.n, tp64);
                    o.wbytes = scale(o.wbytes, n, o.n);
                    o.n = n;
                    if short == "lm_head" {
                        after = Some(Collective::AllGather);
                    }
                }
                "o" | "down" => {
                    let k = split(o.k, tp64);
                    o.wbytes = scale(o.wbytes, k, o.k);
                    o.k = k;
                    after = Some(Collective::AllReduce);
                }
                "q_rope" => o.g = split(o.g, tp64),
                "k_rope" | "k_cache" | "v_cache" => {
                    let g = split(o.g, tp64);
                    o.wbytes = scale(o.wbytes, g, o.g);
                    o.g = g;
                }
                "qk" | "softmax" | "pv" | "attention" if h > 0 => {
                    let per = split(h, tp64);
                    o.g = scale(o.g, per, h);
                    if kvh > 0 {
                        o.wbytes = scale(o.wbytes, split(kvh, tp64), kvh);
                    }
                }
                "attn_sub_norm" | "o_quant" | "glu" | "act" | "ffn_sub_norm" | "down_quant" => {
                    o.n = split(o.n, tp64)
                }
                _ => {}
            }
        }
        o.inputs = o
            .inputs
            .iter()
            .filter_map(|i| {
                renamed
                    .get(i)
                    .cloned()
                    .or_else(|| ops.iter().any(|p| &p.name == i).then(|| i.clone()))
            })
            .collect();
        ops.push(o.clone());
        if let Some(kind) = after {
            let c = collective_op(&o, kind);
            let bytes = o.out.bytes_for(o.m.saturating_mul(o.n)) as f64
                * if kind == Collective::AllGather {
                    tp64 as f64
                } else {
                    1.0
                };
            renamed.insert(o.name.clone(), c.name.clone());
            collectives.insert(
                c.name.clone(),
                CollectiveOp {
                    kind,
                    bytes,
                    chips: tp,
                },
            );
            ops.push(c);
        }
    }
    if !last {
        if let Some(end) = ops.last() {
            let mut c = collective_op(end, Collective::Send);
            c.inputs = vec![end.name.clone()];
            collectives.insert(
                c.name.clone(),
                CollectiveOp {
                    kind: Collective::Send,
                    bytes: end.out.bytes_for(end.m.saturating_mul(end.n)) as f64,
                    chips: 1,
                },
            );
            ops.push(c);
        }
    }
    (
        Trace {
            meta: trace.meta.clone(),
            ops,
        },
        collectives,
    )
}

/// `q` of `L3.q`; `None` for operators outside the blocks.
fn short_name(op: &Op) -> Option<&str> {
    match op.layer {
        Some(_) => op.name.split_once('.').map(|(_, s)| s),
        None => Some(op.name.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workloads::trace::{generate, TraceOptions};

    #[test]
    fn stages_split_layers_evenly() {
        assert_eq!(stage_layers(80, 2), vec![0..40, 40..80]);
        assert_eq!(stage_layers(10, 4), vec![0..3, 3..6, 6..8, 8..10]);
        assert_eq!(stage_layers(5, 1), vec![0..5]);
    }

    #[test]
    fn megatron_split_of_a_llama_layer() {
        let model = workloads::zoo::find("bitnet-b1.58-70B").unwrap();
        let t = generate(&model, &TraceOptions::default()).unwrap();
        let stages = stage_layers(model.layers as u32, 1);
        let (s, coll) = shard_trace(&t, 8, 0, &stages);
        let get = |n: &str| s.ops.iter().find(|o| o.name == n).unwrap();
        let orig = |n: &str| t.ops.iter().find(|o| o.name == n).unwrap();
        assert_eq!(get("L0.q").n, 8192 / 8);
        assert_eq!(get("L0.k").n, 1024 / 8);
        assert_eq!(get("L0.gate").n, 28672 / 8);
        assert_eq!(get("L0.o").k, 8192 / 8);
        assert_eq!(get("L0.down").k, 28672 / 8);
        assert_eq!(get("L0.o").wbytes, orig("L0.o").wbytes / 8);
        // heads 64 -> 8, KV heads 8 -> 1
        assert_eq!(get("L0.qk").g, orig("L0.qk").g / 8);
        assert_eq!(get("L0.qk").wbytes, orig("L0.qk").wbytes / 8);
        assert_eq!(get("L0.attn_norm").n, 8192);
        // two all-reduces per layer and the logits' all-gather
        assert_eq!(coll.len(), 2 * 80 + 1);
        let ar = &coll["L0.o@all-reduce"];
        assert_eq!(ar.kind, Collective::AllReduce);
        // batch 1 decode: 8192 FP16 partial sums
        assert_eq!(ar.bytes, 8192.0 * 2.0);
        // the residual add reads the all-reduce, not the partial sums
        assert_eq!(get("L0.attn_res").inputs[0], "L0.o@all-reduce".to_string());
    }
}
