//! The events of one chunk on the lane array: what one lane does with
//! `width` activations and its `width` weights, and what the broadcast
//! activation path does once per chunk for all lanes. The input registers
//! and the accumulator are common to every datapath; the rest is the
//! datapath's ([`crate::datapath::ReductionModule::chunk_events`]).

use crate::activity::Activity;
use crate::arch::{Accelerator, ArrayTiming};

/// Per-chunk event counts of a design.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkCost {
    /// Timing of the array.
    pub timing: ArrayTiming,
    /// Events of one lane reducing one chunk.
    pub per_lane: Activity,
    /// Events shared by all lanes for one chunk (the activation input register).
    pub per_chunk: Activity,
}

impl ChunkCost {
    /// The chunk cost of `arch`.
    pub fn of(arch: &Accelerator) -> ChunkCost {
        let arr = &arch.array;
        let timing = arch.timing();
        let width = u64::from(arr.width);
        let acc = arch.acc_bits();
        let a = arr.activations;
        let w = arr.weights;
        let a_bits = a.storage_bits().ceil() as u32;
        let w_bits = w.storage_bits().ceil() as u32;
        let mut lane = Activity {
            terms: width,
            ..Activity::default()
        };
        let mut shared = Activity::default();
        // input registers: broadcast activations once, each lane's weights
        shared.reg_bits += width * u64::from(a_bits);
        lane.reg_bits += width * u64::from(w_bits);
        arr.reduction
            .module()
            .chunk_events(arch, &timing, &mut lane, &mut shared);
        *lane.acc_updates.entry(acc).or_insert(0) += 1;
        lane.reg_bits += u64::from(acc);
        ChunkCost {
            timing,
            per_lane: lane,
            per_chunk: shared,
        }
    }
}
