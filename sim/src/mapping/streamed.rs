//! Products that stream their second operand through a buffer into a
//! high-precision multiply-accumulate unit: attention's QK^T and PV against
//! the KV cache, and projections the lane array cannot run (the FP16 LM
//! head of a low-bit design).

use super::attention::score_pairs;
use super::{high_precision_unit, OpPlan, TileWork, Tiles, Unit};
use crate::activity::{Activity, Buffer, VectorOp};
use crate::arch::Accelerator;
use workloads::{Op, OpKind};

/// Cuts `total` into `parts` near-equal integers: `rem` parts get one more.
fn split(total: u64, parts: u64) -> (u64, u64) {
    (total / parts, total % parts)
}

/// `parts` tiles whose fields are near-equal shares of the totals, run-length
/// encoded (at most four distinct tiles).
pub(super) fn even_tiles(parts: u64, load: u64, after: bool, busy: u64, store: u64) -> Tiles {
    let parts = parts.max(1);
    let (lb, lr) = split(load, parts);
    let (bb, br) = split(busy, parts);
    let (sb, sr) = split(store, parts);
    let mut cuts = vec![0, lr, br, sr, parts];
    cuts.sort_unstable();
    cuts.dedup();
    let mut v = Tiles::new();
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let t = TileWork {
            load: lb + u64::from(from < lr),
            load_after_producers: after,
            busy: bb + u64::from(from < br),
            sram_stall: 0,
            store: sb + u64::from(from < sr),
            ..TileWork::default()
        };
        v.push(t, to - from);
    }
    v
}

/// Counts `macs` high-precision multiply-accumulates of `op` on `unit`: on
/// the attention unit at the wider of the operands' precisions, elsewhere
/// as vector-unit MACs.
pub(super) fn count_macs(act: &mut Activity, unit: Unit, op: &Op, macs: u64) {
    match unit {
        Unit::Attention => {
            let prec = op.w.unwrap_or(op.a).max(op.a);
            *act.attention_macs.entry(prec.name()).or_insert(0) += macs;
        }
        _ => {
            *act.vector.entry(VectorOp::Mac).or_insert(0) += macs;
        }
    }
}

pub(super) fn plan_product(arch: &Accelerator, op: &Op) -> OpPlan {
    let (unit, rate) = high_precision_unit(arch);
    // the products the unit computes: for attention under a causal mask the
    // unmasked tiles (partly masked ones whole)
    let macs = match op.kind {
        OpKind::Qk => score_pairs(arch, op) * op.k,
        OpKind::Pv => score_pairs(arch, op) * op.n,
        _ => op.g * op.m * op.k * op.n,
    };
    let busy = macs.div_ceil(rate);
    // the second operand streams through the weight buffer (projections) or
    // the activation buffer (KV cache)
    let (buffer, cap) = match op.kind {
        OpKind::Linear => (Buffer::Weights, arch.buffers.weights.tile_bytes()),
        _ => (Buffer::Activations, arch.buffers.activations.tile_bytes()),
    };
    let act_cap = arch.buffers.activations.bytes();
    let in_bytes = match op.kind {
        OpKind::Pv => op.a.bytes_for(score_pairs(arch, op)),
        _ => op.a.bytes_for(op.g * op.m * op.k),
    };
    let in_spill = in_bytes > act_cap;
    let out_bytes = match op.kind {
        OpKind::Qk => op.out.bytes_for(score_pairs(arch, op)),
        _ => op.out.bytes_for(op.g * op.m * op.n),
    };
    let out_spill = out_bytes > act_cap;
    let load = op.wbytes + if in_spill { in_bytes } else { 0 };
    let store = if out_spill { out_bytes } else { 0 };
    let parts = load.max(store).div_ceil(cap.max(1)).max(1);
    let tiles = even_tiles(parts, load, in_spill, busy, store);

    let mut act = Activity::default();
    count_macs(&mut act, unit, op, macs);
    act.dram_read_bits = load * 8;
    act.dram_write_bits = store * 8;
    act.sram_write(buffer, op.wbytes);
    act.sram_read(buffer, op.wbytes);
    act.sram_read(Buffer::Activations, in_bytes);
    if in_spill {
        act.sram_write(Buffer::Activations, in_bytes);
    }
    act.sram_write(Buffer::Outputs, out_bytes);
    if out_spill {
        act.sram_read(Buffer::Outputs, out_bytes);
    }
    OpPlan {
        choice: None,
        depth: None,
        unit,
        tiles,
        drain: 0,
        activity: act,
        macs: u64::try_from(op.macs()).unwrap_or(u64::MAX),
        note: format!("{}: {rate} MACs/cycle, {parts} streamed tiles", unit.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_tiles_sum_to_totals() {
        let v = even_tiles(7, 100, false, 33, 5);
        assert_eq!(v.count(), 7);
        assert_eq!(v.sum(|t| t.load), 100);
        assert_eq!(v.sum(|t| t.busy), 33);
        assert_eq!(v.sum(|t| t.store), 5);
        assert!(v.patterns[0].runs.len() <= 4);
    }
}
