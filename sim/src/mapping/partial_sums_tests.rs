//! Partial sums of a K split, hand-computed on an 8 x 16 ternary design:
//! weights outer, every token block computes a K tile before any computes
//! the next, so the partial sums of all the layer's tokens stay live
//! through the K tiles and spill to DRAM when they exceed half the output
//! buffer, though one block's would fit; tokens outer, only a block's.

use super::linear::plan_with;
use super::{ChunkCost, LinearMapping, LoopOrder, OpPlan};
use crate::arch::preset;
use crate::Accelerator;
use workloads::{Op, OpGraph, Precision, Trace, TraceMeta};

/// 8 lanes x 16 wide, token tile 1: a 1 KiB weight tile (32 chunks of 8 x
/// 16 ternary weights), 2 KiB activation halves (two 1024-byte rows), 512
/// B output halves.
fn design() -> Accelerator {
    let mut a = preset("edge-ternary").unwrap();
    a.array.lanes = 8;
    a.array.width = 16;
    a.array.token_tile = 1;
    a.buffers.weights.kib = 2;
    a.buffers.weights.double_buffered = true;
    a.buffers.activations.kib = 4;
    a.buffers.outputs.kib = 1;
    a
}

fn plan(a: &Accelerator, op: &Op, order: LoopOrder) -> OpPlan {
    let m = LinearMapping {
        order,
        ..LinearMapping::fixed(a)
    };
    plan_with(a, &ChunkCost::of(a), op, None, &m).expect("maps")
}

#[test]
fn weights_outer_spills_the_partial_sums_of_every_block() {
    let a = design();
    assert_eq!(a.acc_bits().div_ceil(8), 3, "3-byte partial sums");
    // 32 tokens x K = 1024 (64 chunks: 2 K tiles of 32) x N = 8 (one
    // group): 16 blocks of 2 tokens. A block's partial sums are 2 x 8 x 3
    // = 48 B, the layer's 32 x 8 x 3 = 768 B: over the 512 B half.
    let op = Op::linear("p", 32, 1024, 8, Precision::Ternary);
    // weights 8 x 1024 x 2 bits = 2048 B once, the input 32 x 1024 B once,
    // the 768 B of partial sums written after K tile 0 and read back by
    // K tile 1; the outputs stay on chip
    let wo = plan(&a, &op, LoopOrder::WeightsOuter);
    assert_eq!(wo.dram_bytes(), (2048 + 32 * 1024 + 768, 768));
    // tokens outer: a block's 48 B fit, none spill; the weights once per
    // block (16 x 2048 B)
    let to = plan(&a, &op, LoopOrder::TokensOuter);
    assert_eq!(to.dram_bytes(), (16 * 2048 + 32 * 1024, 0));
    // by DRAM bytes the fixed mapping takes weights outer, the spill
    // counted: 36 352 B (written and read) against 65 536 B
    let fixed = plan(&a, &op, LoopOrder::ByDramBytes);
    assert_eq!(fixed.dram_bytes(), wo.dram_bytes());
}

#[test]
fn partial_sums_that_fit_together_do_not_spill() {
    let a = design();
    // 16 tokens: 16 x 8 x 3 = 384 B, within a half: no spill; 22 tokens
    // (528 B) spill
    let op = Op::linear("p", 16, 1024, 8, Precision::Ternary);
    let wo = plan(&a, &op, LoopOrder::WeightsOuter);
    assert_eq!(wo.dram_bytes(), (2048 + 16 * 1024, 0));
    let op = Op::linear("p", 22, 1024, 8, Precision::Ternary);
    let wo = plan(&a, &op, LoopOrder::WeightsOuter);
    assert_eq!(wo.dram_bytes(), (2048 + 22 * 1024 + 528, 528));
}

#[test]
fn the_engine_reads_each_spill_back_from_where_it_wrote_it() {
    let a = design();
    let op = Op::linear("p", 32, 1024, 8, Precision::Ternary);
    let wo = plan(&a, &op, LoopOrder::WeightsOuter);
    // 16 blocks: K tile 0 of each spills its 48 B, K tile 1 reads them back
    assert_eq!(wo.tiles.sum(|t| t.partial_out), 16 * 48);
    assert_eq!(wo.tiles.sum(|t| t.partial_in), 16 * 48);
    let trace = Trace {
        meta: TraceMeta::default(),
        ops: vec![op],
    };
    let graph = OpGraph::new(&trace).unwrap();
    let plans = [wo];
    let tl = crate::engine::run_recording(&a, &plans, &graph, true, true);
    let tr = tl.transfers.expect("recorded");
    // the loads of the region: the 2,048 B of weights and the 32 rows of
    // 1,024 B (34,816 B, 36,864 rounded to 4 KiB), so the stores start at
    // 1 MiB: block b's spill at 1 MiB + 48 b, and its read-back there
    let spills: Vec<_> = tr.iter().filter(|t| t.write).collect();
    let reads: Vec<_> = tr.iter().filter(|t| !t.write && t.bytes == 48).collect();
    assert_eq!(spills.len(), 16);
    assert_eq!(reads.len(), 16);
    for (b, (w, r)) in spills.iter().zip(&reads).enumerate() {
        assert_eq!((w.addr, w.bytes), ((1 << 20) + 48 * b as u64, 48));
        assert_eq!(r.addr, w.addr, "block {b}'s read-back");
        assert!(r.at > w.at, "block {b}: read back before written");
    }
    // the other loads fill the region from 0, one after the other
    let own: Vec<_> = tr.iter().filter(|t| !t.write && t.bytes != 48).collect();
    assert_eq!(own.iter().map(|t| t.bytes).sum::<u64>(), 2048 + 32 * 1024);
    assert!(own.windows(2).all(|p| p[1].addr == p[0].addr + p[0].bytes));
    // stepping gives the same run
    let slow = crate::engine::run(&a, &plans, &graph, false);
    assert_eq!((slow.cycles, slow.ops), (tl.cycles, tl.ops));
}

#[test]
fn a_read_back_waits_for_its_spill_to_land() {
    // 64 lanes x 16, 16 KiB of double-buffered weights (8 KiB tiles of 32
    // chunks), 1 KiB outputs, DRAM of 8 GB/s at 40 ns: 5 x 1024 x 64
    // runs weights outer over blocks of 2, 2 and 1 tokens and 2 K tiles,
    // the 5 x 64 x 3 = 960 B of partial sums over the 512 B half: each
    // block's K tile 0 spills 384, 384 and 192 B. Block 1's K tile 1 is
    // fetched at 1,464, when block 0's K tile 1 ends and frees a weight
    // slot, before block 1's spill (stored at 1,384) lands at 1,480: its
    // read-back waits for it, issued at 1,480, not with the load at 1,464
    let mut a = design();
    a.array.lanes = 64;
    a.buffers.weights.kib = 16;
    a.dram.bandwidth_gbps = 8.0;
    a.dram.latency_ns = 40.0;
    let op = Op::linear("p", 5, 1024, 64, Precision::Ternary);
    let p = plan(&a, &op, LoopOrder::ByDramBytes);
    assert_eq!(p.tiles.sum(|t| t.partial_out), 384 + 384 + 192);
    let trace = Trace {
        meta: TraceMeta::default(),
        ops: vec![op],
    };
    let graph = OpGraph::new(&trace).unwrap();
    let plans = [p];
    let tl = crate::engine::run_recording(&a, &plans, &graph, false, true);
    let tr = tl.transfers.expect("recorded");
    // each transfer's end: the same calls on a fresh DRAM
    let own = plans[0].tiles.sum(|t| t.load - t.partial_in);
    let mut dram = crate::memory::Dram::new(&a, &[own], false);
    let ends: Vec<u64> = tr
        .iter()
        .map(|t| {
            if t.write {
                dram.store(t.at, 0, t.bytes)
            } else {
                dram.load_at(t.at, t.addr, t.bytes)
            }
        })
        .collect();
    // (spill issued, landed, read-back issued), read-backs at the spills'
    // addresses
    let mut timing = Vec::new();
    for (i, w) in tr.iter().enumerate().filter(|(_, t)| t.write) {
        let r = tr
            .iter()
            .find(|r| !r.write && r.addr == w.addr && r.bytes == w.bytes)
            .expect("read back from the spill's address");
        timing.push((w.at, ends[i], r.at));
    }
    assert_eq!(
        timing,
        [(1256, 1368, 1384), (1384, 1480, 1480), (1464, 2704, 2744)]
    );
    assert!(timing.iter().all(|&(_, landed, read)| read >= landed));
    let slow = crate::engine::run(&a, &plans, &graph, true);
    assert_eq!((slow.cycles, slow.ops), (tl.cycles, tl.ops));
}
