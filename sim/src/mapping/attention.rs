//! Attention on the design: how many query-key pairs each mapping computes
//! under the operator's mask, and the fused operator (QK^T, an online
//! softmax and PV streaming over KV tiles, the scores never leaving the
//! attention unit's score buffer).
//!
//! Masking, per mapping:
//! - `unit` and `vector`: the score matrix of each head is cut into tiles
//!   of `attention.q_block` queries by `attention.kv_block` keys; tiles that
//!   are fully masked are skipped, partly masked tiles are computed whole
//!   and their masked scores discarded ([`computed_pairs`]).
//! - `array` (a MAC lane array or systolic array): the array's own tiling
//!   (lanes x width chunks over token blocks) does not follow the mask;
//!   every tile is computed and the masked scores are discarded, so the
//!   cycles and energy are those of the full product. Only the useful
//!   MACs follow the mask.

use super::streamed::{count_macs, even_tiles};
use super::{high_precision_unit, OpPlan};
use crate::activity::{Activity, Buffer, VectorOp};
use crate::arch::{Accelerator, AttentionMapping};
use workloads::attention::computed_pairs;
use workloads::{Op, OpKind};

/// Query-key pairs the design computes for an attention operator (all
/// heads): the tiled count of [`computed_pairs`] on the `unit` and
/// `vector` mappings, every pair on the `array` mapping.
pub fn score_pairs(arch: &Accelerator, op: &Op) -> u64 {
    let keys = match op.kind {
        OpKind::Pv => op.k,
        _ => op.n,
    };
    let t = &arch.attention;
    if t.mapping == AttentionMapping::Array && !t.fused {
        return op.g * op.m * keys;
    }
    op.g * computed_pairs(
        op.mask,
        op.m,
        keys,
        u64::from(t.q_block),
        u64::from(t.kv_block),
    )
}

/// Plans a fused `attention` operator on the high-precision unit.
///
/// Per tile of `q_block` queries by `kv_block` keys the unit computes the
/// tile's scores (QK^T), updates the rows' running maximum and sum, rescales
/// their output accumulators and adds the tile's P V. K and V are each read
/// once per step (as the unfused `qk` and `pv` read them); the queries
/// and the output move through DRAM only when they exceed the activation
/// buffer, as for every operator. The softmax work (3 passes over each
/// score: maximum, exponent and sum, and the scaling into the tile's P, plus
/// one rescale of the `head_dim` accumulators per row and tile and the final
/// normalization) runs at the vector unit's rate (`vector.elems_per_cycle`):
/// the unit's exponent pipeline is the same datapath. It overlaps with the
/// products of the next tile, so the busy cycles are the larger of the two
/// and one tile's softmax drains at the end. The scores are written and read once in the score buffer,
/// priced as output-buffer accesses (a small SRAM of the same size class).
pub(super) fn plan_fused(arch: &Accelerator, op: &Op) -> OpPlan {
    let (unit, rate) = high_precision_unit(arch);
    let t = &arch.attention;
    let hd = op.k;
    let pairs = score_pairs(arch, op);
    let computed_macs = 2 * pairs * hd;
    let rows = op.g * op.m;
    let tiles_per_row_sum = pairs.div_ceil(u64::from(t.kv_block).max(1));
    let rescale = tiles_per_row_sum * hd + rows * hd;
    let vrate = u64::from(arch.vector.elems_per_cycle.max(1));
    // the exponent pipeline works on one tile while the multipliers work on
    // the next (software pipelining, as FlashAttention-3 overlaps them):
    // the slower of the two sets the pace, and the last tile's softmax
    // drains after the last products
    let mac_cycles = computed_macs.div_ceil(rate);
    let softmax_cycles = (3 * pairs + rescale).div_ceil(vrate);
    let busy = mac_cycles.max(softmax_cycles);
    let tile_count = tiles_per_row_sum
        .div_ceil(u64::from(t.q_block).max(1))
        .max(1);
    let drain = softmax_cycles.div_ceil(tile_count);

    let act_cap = arch.buffers.activations.bytes();
    let in_bytes = op.a.bytes_for(op.g * op.m * hd);
    let in_spill = in_bytes > act_cap;
    let out_bytes = op.out.bytes_for(op.g * op.m * hd);
    let out_spill = out_bytes > act_cap;
    let load = op.wbytes + if in_spill { in_bytes } else { 0 };
    let store = if out_spill { out_bytes } else { 0 };
    let cap = arch.buffers.activations.tile_bytes().max(1);
    let parts = load.max(store).div_ceil(cap).max(1);
    let tiles = even_tiles(parts, load, in_spill, busy, store);

    let mut act = Activity::default();
    count_macs(&mut act, unit, op, computed_macs);
    *act.vector.entry(VectorOp::Softmax).or_insert(0) += pairs + rescale;
    act.dram_read_bits = load * 8;
    act.dram_write_bits = store * 8;
    act.sram_write(Buffer::Activations, op.wbytes);
    act.sram_read(Buffer::Activations, op.wbytes);
    act.sram_read(Buffer::Activations, in_bytes);
    if in_spill {
        act.sram_write(Buffer::Activations, in_bytes);
    }
    let score_bytes = t.precision.bytes_for(pairs);
    act.sram_write(Buffer::Outputs, score_bytes + out_bytes);
    act.sram_read(Buffer::Outputs, score_bytes);
    if out_spill {
        act.sram_read(Buffer::Outputs, out_bytes);
    }
    OpPlan {
        choice: None,
        depth: None,
        unit,
        tiles,
        drain,
        activity: act,
        macs: u64::try_from(op.macs()).unwrap_or(u64::MAX),
        note: format!(
            "fused attention on the {}: {} x {} tiles, {rate} MACs/cycle, {parts} streamed tiles",
            unit.name(),
            t.q_block,
            t.kv_block
        ),
    }
}
