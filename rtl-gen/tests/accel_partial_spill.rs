//! Partial sums of a K split spilled to DRAM (`partial_spill.rs`): the
//! engine's moves, taken from its own recorded transfers, against the
//! top's plan of them, on the 8 x 16 design of `sim`'s hand-computed
//! `partial_sums_tests.rs` (512 B output halves): every spill's bytes
//! (tokens x lanes x 3 B), its store in the store region, its read-back a
//! transfer of its own from the same bytes, issued with the next K tile's
//! load but not before the spill has landed (the engine's DRAM model
//! replayed). The top refuses the layer with those figures; no Verilator
//! build.

mod accel_common;

use accel_common::{assert_spill_refused, opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::mapping::{engine_mapped, gemm_trace};
use rtl_gen::accel::partial_spill::{refusal, spills, Spill};
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::stream_check::store_base;
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::memory::{Dram, Transfer};
use sim::Accelerator;
use workloads::OpGraph;

/// 8 lanes x 16 wide, 2 KiB double-buffered weights (1 KiB tiles of 32
/// chunks), 4 KiB activations (two 1024-byte rows a half), 1 KiB outputs
/// (512 B halves): `partial_sums_tests.rs`'s design on the suite's DRAM.
fn design(lanes: u32) -> Accelerator {
    let mut a = small(lanes, 16, true);
    a.buffers.outputs.kib = 1;
    a
}

/// The engine's recorded transfers of `m x k x n` (fixed mapping), each
/// with the cycle the DRAM model completes it (the run's calls replayed
/// on a fresh model: the same calls in the same order give the same
/// ends).
fn engine_transfers(p: &AccelParams, (m, k, n): (u64, u64, u64)) -> Vec<(Transfer, u64)> {
    let (plans, _, _) = engine_mapped(p, (m, k, n), sim::mapping::Mapper::Fixed, true)
        .expect("the engine maps the layer");
    let graph = OpGraph::new(&gemm_trace(p, m, k, n).expect("trace")).expect("graph");
    let tl = sim::engine::run_recording(&p.arch, &plans, &graph, false, true);
    let rec = tl.transfers.expect("recorded");
    let mut dram = Dram::new(&p.arch, &[plans[0].dram_bytes().0], false);
    rec.into_iter()
        .map(|t| {
            let end = if t.write {
                dram.store(t.at, 0, t.bytes)
            } else {
                dram.load(t.at, 0, t.bytes)
            };
            (t, end)
        })
        .collect()
}

/// The engine's store of spill `x` and its read-back: the write and the
/// read at the spill's address.
fn pair(tr: &[(Transfer, u64)], x: &Spill) -> ((Transfer, u64), (Transfer, u64)) {
    let at = |write: bool| -> (Transfer, u64) {
        *tr.iter()
            .find(|(t, _)| t.write == write && t.addr == x.at)
            .expect("the engine's transfer")
    };
    (at(true), at(false))
}

/// 32 x 1024 x 8, weights outer over 16 blocks of 2 tokens and 2 K tiles:
/// the 768 B of all the layer's partial sums spill (one block's 48 B would
/// fit); each block's 48 B are its K tile 0's whole store and its K tile
/// 1's read-back from the same address; the loads of weights and rows fill
/// the load region alone; the engine issues each read-back after its spill
/// landed (the prefetch 2 tiles ahead of 16 blocks).
#[test]
fn weights_outer_spills_every_blocks_partial_sums() {
    let p = AccelParams::new(&design(8), 64).expect("builds");
    let shape = (32, 1024, 8);
    let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
    assert_eq!(
        (
            s.order,
            s.k_tiles,
            s.blocks,
            s.block,
            s.out_spill,
            s.partial_spill
        ),
        (Order::WeightsOuter, 2, 16, 2, false, true)
    );
    // the engine's bytes (`partial_sums_tests.rs`): 2048 B of weights, the
    // input once, 768 B of partial sums each way
    let (plans, _, _) = engine_mapped(&p, shape, sim::mapping::Mapper::Fixed, true).unwrap();
    assert_eq!(plans[0].dram_bytes(), (2048 + 32 * 1024 + 768, 768));
    assert_eq!(s.dram_bytes(), plans[0].dram_bytes());
    assert_eq!(s.placed_loads(), 2048 + 32 * 1024);
    let v = spills(&s);
    assert_eq!(v.len(), 16);
    let base = store_base(s.placed_loads());
    assert_eq!(base, 1 << 20);
    for (b, x) in v.iter().enumerate() {
        let b = b as u64;
        // block b: K tile 0 is tile b, K tile 1 tile 16 + b; written one
        // after the other from the store base
        assert_eq!(
            (x.writer as u64, x.reader as u64, x.bytes, x.at),
            (b, 16 + b, 48, base + 48 * b)
        );
    }
    let tr = engine_transfers(&p, shape);
    assert_eq!(tr.len(), 32 + 16 + 16, "32 loads, 16 spills, 16 read-backs");
    // the loads of weights and rows at the plan's places, one after the other
    let loads: Vec<u64> = tr
        .iter()
        .filter(|(t, _)| !t.write && t.addr < base)
        .map(|(t, _)| t.addr)
        .collect();
    let want: Vec<u64> = (0..s.tiles.len()).map(|i| s.load_addr(i)).collect();
    assert_eq!(loads, want);
    let mut gaps = Vec::new();
    for x in &v {
        let ((st, landed), (rb, _)) = pair(&tr, x);
        assert_eq!((st.bytes, rb.bytes), (x.bytes, x.bytes));
        assert!(rb.at >= landed, "a read-back before its spill landed");
        gaps.push(rb.at - landed);
    }
    // cycles from each spill's landing to its read-back's issue
    let mut want = vec![1800, 1800, 1934];
    want.extend([1940; 12]);
    want.push(1806);
    assert_eq!(gaps, want);
}

/// 5 x 1024 x 64 on 64 lanes: weights outer over 3 blocks (2, 2, 1) and 2
/// K tiles, 5 x 64 x 3 = 960 B live (over the 512 B half): tile 4's load
/// goes out when tile 2 ends and frees a weight slot (1,464), before block
/// 1's spill (tile 1's store) has landed (1,480); its read-back waits for
/// the spill and goes out at 1,480.
#[test]
fn a_read_back_waits_for_its_spill() {
    let p = AccelParams::new(&design(64), 64).expect("builds");
    let shape = (5, 1024, 64);
    let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
    assert_eq!(
        (s.order, s.k_tiles, s.blocks, s.block, s.partial_spill),
        (Order::WeightsOuter, 2, 3, 2, true)
    );
    let v = spills(&s);
    let bytes: Vec<u64> = v.iter().map(|x| x.bytes).collect();
    assert_eq!(bytes, [2 * 64 * 3, 2 * 64 * 3, 64 * 3]);
    let tr = engine_transfers(&p, shape);
    let (plans, _, _) = engine_mapped(&p, shape, sim::mapping::Mapper::Fixed, true).unwrap();
    assert_eq!(s.dram_bytes(), plans[0].dram_bytes());
    let timing: Vec<(u64, u64, u64)> = v
        .iter()
        .map(|x| {
            let ((st, landed), (rb, _)) = pair(&tr, x);
            (st.at, landed, rb.at)
        })
        .collect();
    // (spill issued, landed, read-back issued): block 0's read-back goes
    // out with tile 3's load, 16 cycles after its spill landed; block 1's
    // with tile 4's load (1,464) would be 16 cycles early and waits
    assert_eq!(
        timing,
        [(1256, 1368, 1384), (1384, 1480, 1480), (1464, 2704, 2744)]
    );
    let tile4 = tr
        .iter()
        .find(|(t, _)| !t.write && t.addr == s.load_addr(4))
        .expect("tile 4's load");
    assert_eq!(tile4.0.at, 1464);
}

/// The check refuses the spilled layer with the engine's spill bytes and
/// the first spill's address.
#[test]
fn the_top_refuses_with_the_engines_placement() {
    let p = AccelParams::new(&design(8), 64).expect("builds");
    let s = StreamPlan::new(&p, 32, 1024, 8);
    let why = refusal(&s).expect("spills");
    assert!(why.contains("the engine writes 16 spills (768 B)"), "{why}");
    assert!(why.contains("tile 0's 48 B, at byte 1048576"), "{why}");
    assert!(why.contains("(the first by tile 16)"), "{why}");
    let err = check_gemm(&p, 32, 1024, 8, &opts()).expect_err("refused");
    let RtlError::Unsupported(msg) = err else {
        panic!("not a refusal: {err:?}");
    };
    assert_spill_refused(&msg, 768);
    assert!(msg.contains(&why), "{msg}");
}
