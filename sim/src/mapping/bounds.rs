//! Size checks made before an operator is mapped: every count, size and
//! cycle figure the mapping derives from the operator's dimensions (MACs,
//! events, bytes and bits moved, cycles) is bounded from above here, in
//! 128-bit arithmetic, and an operator whose bound passes 2^64 - 1 is
//! refused with a [`MapError::Overflow`] naming it and the quantity. The
//! mapping's own 64-bit arithmetic, whose every result is at most one of
//! these bounds, then cannot wrap. The loops a mapping runs (one step per
//! instance, feature group or K tile, or fold) are bounded the same way.

use super::{ChunkCost, MapError, Systolic};
use crate::activity::Activity;
use crate::arch::Accelerator;
use workloads::{Op, Overflow};

/// Most steps (instances x feature groups x K tiles, or folds) one
/// operator's mapping may take. The tiles themselves are compressed; these
/// are the loops that build them.
pub const MAX_MAPPING_STEPS: u128 = 1 << 26;

/// Largest bytes of one element in any precision (fp32, int32).
const ELEM_BYTES: u128 = 4;

type Bound = (&'static str, u128);

fn refuse(op: &Op, bounds: &[Bound]) -> Result<(), MapError> {
    for &(quantity, value) in bounds {
        if value > u128::from(u64::MAX) {
            return Err(MapError::Overflow(Overflow {
                op: op.name.clone(),
                quantity: quantity.to_string(),
            }));
        }
    }
    Ok(())
}

fn steps(op: &Op, steps: u128) -> Result<(), MapError> {
    if steps > MAX_MAPPING_STEPS {
        return Err(MapError::TooManySteps {
            op: op.name.clone(),
            steps,
            limit: MAX_MAPPING_STEPS,
        });
    }
    Ok(())
}

/// The largest single counter of an activity (every counter of a sum of
/// `x` copies is at most `x` times it).
fn max_counter(a: &Activity) -> u128 {
    let maps = a
        .adds
        .values()
        .chain(a.popcounts.values())
        .chain(a.acc_updates.values())
        .chain(a.fp_adds.values())
        .chain(a.mults.values())
        .copied();
    [a.terms, a.reg_bits, a.zero_terms_gated]
        .into_iter()
        .chain(maps)
        .map(u128::from)
        .max()
        .unwrap_or(0)
}

fn dims(op: &Op) -> (u128, u128, u128, u128, u128) {
    let w = u128::from;
    (w(op.g), w(op.m), w(op.k), w(op.n), w(op.wbytes))
}

/// An operator on the lane array.
pub(super) fn lane_array(arch: &Accelerator, chunk: &ChunkCost, op: &Op) -> Result<(), MapError> {
    let (g, m, k, n, _) = dims(op);
    let lanes = u128::from(arch.array.lanes);
    let width = u128::from(arch.array.width);
    let ii = u128::from(chunk.timing.initiation_interval);
    let ct = k.div_ceil(width);
    let nt = n.div_ceil(lanes);
    let events =
        g * m * (n * ct * max_counter(&chunk.per_lane) + nt * ct * max_counter(&chunk.per_chunk));
    // weights re-read once per token block, activations once per feature
    // group, outputs and partial sums (8-byte accumulators) per K tile
    let bytes = ELEM_BYTES * g * nt * lanes * ct * width * m
        + ELEM_BYTES * g * m * ct * width * nt
        + 8 * g * m * n * (ct + 2);
    let cycles = g * m * nt * ct * (ii + lanes * width * ELEM_BYTES);
    refuse(
        op,
        &[
            ("multiply-accumulates", g * m * k * n),
            ("lane-array events (terms, adds, register bits)", events),
            ("bits moved to and from DRAM and SRAM", bytes * 8),
            ("cycles", cycles),
        ],
    )?;
    steps(op, g * nt * ct + g + ct)
}

/// An operator on a systolic array.
pub(super) fn systolic(arch: &Accelerator, op: &Op, df: Systolic) -> Result<(), MapError> {
    let (g, m, k, n, _) = dims(op);
    let rows = u128::from(arch.array.width);
    let cols = u128::from(arch.array.lanes);
    let (sr, sc, t) = df.layout(op.m, op.n, op.k);
    let (sr, sc, t) = (u128::from(sr), u128::from(sc), u128::from(t));
    let (rf, cf) = (sr.div_ceil(rows), sc.div_ceil(cols));
    let folds = rf * cf;
    let macs = g * m * k * n;
    // operand bits (32 + 32) and a 64-bit accumulator per cell and MAC
    let events = macs * 128 + 32 * g * (k * n + m * k) + g * m * n * rf;
    let bytes = ELEM_BYTES * g * (m * k * cf + k * n * rf + m * n * (rf + 1))
        + folds * (rows + cols)
        + 8 * g * m * n * rf;
    let per_fold = 2 * rows + 2 * cols + t + (rows + t) * (rows + cols) * ELEM_BYTES * 8;
    refuse(
        op,
        &[
            ("multiply-accumulates", macs),
            ("systolic-array events (MACs, register bits)", events),
            ("bits moved to and from DRAM and SRAM", bytes * 8),
            ("cycles", g * folds * per_fold),
        ],
    )?;
    steps(op, folds + g)
}

/// A product streamed through the attention or vector unit.
pub(super) fn streamed(op: &Op) -> Result<(), MapError> {
    let (g, m, k, n, wb) = dims(op);
    let macs = g * m * k * n;
    let bytes = 2 * (wb + ELEM_BYTES * g * m * k + ELEM_BYTES * g * m * n);
    refuse(
        op,
        &[
            ("multiply-accumulates", macs),
            ("bits moved to and from DRAM and SRAM", bytes * 8),
        ],
    )
}

/// An operator of the vector unit.
pub(super) fn vector(op: &Op) -> Result<(), MapError> {
    let (g, m, _, n, wb) = dims(op);
    let elems = g * m * n;
    let bytes = 2 * (wb + 3 * ELEM_BYTES * elems);
    refuse(
        op,
        &[
            ("elements", elems),
            ("cycles (elements x passes)", 3 * elems),
            ("bits moved to and from DRAM and SRAM", bytes * 8),
        ],
    )
}
