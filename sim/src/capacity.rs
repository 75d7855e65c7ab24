//! DRAM capacity: what one step keeps in off-chip memory (the weights, the
//! KV cache, and the activations operators spill), against what the design
//! has (`dram.capacity_gib`).

use crate::arch::weight_image::op_image_bytes;
use crate::mapping::{OpPlan, Unit};
use crate::Accelerator;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use workloads::{OpKind, Trace};

/// Bytes one step keeps in DRAM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footprint {
    /// Every projection's weights, the LM head and the embedding table (once
    /// when the LM head shares it at the same precision).
    pub weights: u64,
    /// The KV cache the step attends to: K and V of every layer at the
    /// step's KV length, in the cache's format (scales included).
    pub kv_cache: u64,
    /// The largest set of spilled activations live at once: an operator's
    /// DRAM stores plus the spilled outputs of the operators it reads.
    pub activations: u64,
}

impl Footprint {
    /// All three.
    pub fn total(&self) -> u64 {
        self.weights + self.kv_cache + self.activations
    }
}

/// A step that needs more DRAM than the design has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", refusal(.need, *.have))]
pub struct CapacityError {
    /// What the step needs.
    pub need: Footprint,
    /// Bytes the design has (`dram.capacity_gib`).
    pub have: u64,
}

/// Bytes as GiB with two decimals.
pub fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// The breakdown of a step's DRAM needs against the capacity.
pub fn refusal(need: &Footprint, have: u64) -> String {
    format!(
        "the step needs {} of DRAM (weights {}, KV cache {}, spilled activations {}) but the design has {} (`dram.capacity_gib`); lower --batch or --seq, choose a smaller KV-cache precision (--kv), or run it anyway with --allow-oversubscribe",
        gib(need.total()),
        gib(need.weights),
        gib(need.kv_cache),
        gib(need.activations),
        gib(have)
    )
}

/// What `trace`, planned as `plans` on `arch`, keeps in DRAM (a projection
/// on the array in the stored image's bytes when `dram.weight_image`
/// pads it).
pub fn footprint(arch: &Accelerator, trace: &Trace, plans: &[OpPlan]) -> Footprint {
    let mut f = Footprint::default();
    let head = trace.op("lm_head");
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(trace.ops.len());
    for (i, op) in trace.ops.iter().enumerate() {
        index.insert(op.name.as_str(), i);
        match op.kind {
            OpKind::Linear => {
                f.weights += match op_image_bytes(arch, op) {
                    Some(b) if plans[i].unit == Unit::Array => b,
                    _ => op.wbytes,
                }
            }
            OpKind::Embed => {
                let p = op.w.unwrap_or(op.out);
                let shared = trace.meta.tied_embeddings
                    && head.is_some_and(|h| h.w == op.w && h.k * h.n == op.k * op.n);
                if !shared {
                    f.weights += p.bytes_for(op.k * op.n);
                }
            }
            OpKind::Qk | OpKind::Pv | OpKind::Attention => f.kv_cache += op.wbytes,
            _ => {}
        }
    }
    let spilled = |i: usize| -> u64 {
        if trace.ops[i].kind == OpKind::KvAppend {
            0
        } else {
            plans[i].dram_bytes().1
        }
    };
    for (i, op) in trace.ops.iter().enumerate() {
        let inputs: u64 = op
            .inputs
            .iter()
            .filter_map(|n| index.get(n.as_str()))
            .map(|&p| spilled(p))
            .sum();
        f.activations = f.activations.max(spilled(i) + inputs);
    }
    f
}
