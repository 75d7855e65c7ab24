//! Small designs for the accelerator tests.
#![allow(dead_code)]

use sim::arch::preset;
use sim::Accelerator;

/// An adder-tree ternary design of `lanes x width`, weight buffer of 32
/// chunks a tile (double-buffered or not), small activation and output
/// buffers, a transaction-level DRAM of 8 B/cycle and 40 ns.
pub fn small(lanes: u32, width: u32, double: bool) -> Accelerator {
    let mut a = preset("edge-ternary").expect("preset");
    a.name = format!("acc_l{lanes}_w{width}");
    a.array.lanes = lanes;
    a.array.width = width;
    a.array.token_tile = 1;
    let tile_bytes = u64::from(lanes * width * 2) * 32 / 8;
    let kib = |b: u64| b.div_ceil(1024) as u32;
    a.buffers.weights.kib = kib(tile_bytes * if double { 2 } else { 1 }).max(1);
    a.buffers.weights.double_buffered = double;
    a.buffers.activations.kib = 4;
    a.buffers.outputs.kib = 4;
    a.dram.bandwidth_gbps = 8.0;
    a.dram.latency_ns = 40.0;
    a
}
