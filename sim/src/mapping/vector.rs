//! Operators of the vector unit: norms, quantization, RoPE, softmax,
//! activation functions, residual adds, KV-cache appends and embedding
//! lookups.
//!
//! Each element passes through the unit a number of times set by the
//! operator (its passes over the data): RMSNorm 2 (sum of squares, then
//! scale), absmax quantization 2 (max, then scale and round), softmax 3
//! (max, exponent and sum, normalize), every other operator 1.

use super::streamed::even_tiles;
use super::{MapError, OpPlan, Unit};
use crate::activity::{Activity, Buffer, VectorOp};
use crate::arch::Accelerator;
use workloads::{Op, OpKind};

/// The vector operation and passes of an operator kind.
pub fn vector_op(kind: OpKind) -> (VectorOp, u64) {
    match kind {
        OpKind::Embed => (VectorOp::Embed, 1),
        OpKind::RmsNorm => (VectorOp::Norm, 2),
        OpKind::Quant => (VectorOp::Quant, 2),
        OpKind::Rope => (VectorOp::Rope, 1),
        OpKind::Softmax => (VectorOp::Softmax, 3),
        OpKind::Glu(_) | OpKind::Act(_) => (VectorOp::Activation, 1),
        OpKind::Add => (VectorOp::Add, 1),
        OpKind::KvAppend => (VectorOp::KvAppend, 1),
        OpKind::Linear | OpKind::Qk | OpKind::Pv | OpKind::Attention => (VectorOp::Mac, 1),
    }
}

pub(super) fn plan(arch: &Accelerator, op: &Op) -> Result<OpPlan, MapError> {
    let (vop, mut passes) = vector_op(op.kind);
    // a causal softmax normalizes only the computed (unmasked) tiles
    let elems = match op.kind {
        OpKind::Softmax => super::attention::score_pairs(arch, op),
        _ => op.g * op.m * op.n,
    };
    // appending to an integer KV cache quantizes each group: max, then scale
    if op.kind == OpKind::KvAppend && matches!(op.out, workloads::Precision::Int(_)) {
        passes = 2;
    }
    let rate = u64::from(arch.vector.elems_per_cycle.max(1));
    let busy = passes * elems.div_ceil(rate);
    let inputs = match op.kind {
        OpKind::Glu(_) | OpKind::Add => 2,
        OpKind::Embed => 0,
        _ => 1,
    };
    let act_cap = arch.buffers.activations.bytes();
    let in_bytes = inputs * op.a.bytes_for(elems);
    // a KV append writes the cache's bytes (elements and scales) when the
    // trace states them
    let out_bytes = if op.kind == OpKind::KvAppend && op.wbytes > 0 {
        op.wbytes
    } else {
        op.out.bytes_for(elems)
    };
    let in_spill = in_bytes > act_cap;
    let out_spill = out_bytes > act_cap || op.kind == OpKind::KvAppend;
    let mut load = if in_spill { in_bytes } else { 0 };
    let after = in_spill;
    if op.kind == OpKind::Embed {
        load += op.wbytes;
    }
    let store = if out_spill { out_bytes } else { 0 };
    let cap = arch.buffers.activations.tile_bytes().max(1);
    let parts = load.max(store).div_ceil(cap).max(1);
    let tiles = even_tiles(parts, load, after, busy, store);

    let mut act = Activity::default();
    *act.vector.entry(vop).or_insert(0) += elems;
    act.dram_read_bits = load * 8;
    act.dram_write_bits = store * 8;
    act.sram_read(Buffer::Activations, in_bytes);
    if in_spill || op.kind == OpKind::Embed {
        act.sram_write(Buffer::Activations, load);
    }
    act.sram_write(Buffer::Activations, out_bytes);
    if out_spill {
        act.sram_read(Buffer::Activations, out_bytes);
    }
    Ok(OpPlan {
        choice: None,
        depth: None,
        unit: Unit::Vector,
        tiles,
        drain: 0,
        activity: act,
        macs: 0,
        note: format!("vector: {elems} elements x {passes} passes at {rate}/cycle, {parts} tiles"),
    })
}
