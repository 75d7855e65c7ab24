//! Partial sums read back (engine rule 3), hand-computed on edge-xnor's
//! DRAM (51.2 bytes a cycle, 100 cycles' latency, the transaction model):
//! a read-back is its own transfer at the address its spill's store wrote,
//! issued with its tile's load once that store has landed, and in the cycle
//! it lands when the tile is fetched earlier.

use crate::arch::preset;
use crate::engine::{run, run_recording, Timeline};
use crate::mapping::{OpPlan, TileWork, Tiles, Unit};
use crate::memory::Transfer;
use crate::Accelerator;
use workloads::{Op, OpGraph, Precision, Trace, TraceMeta};

/// A tile computing `busy` cycles that loads `load` bytes of its own and
/// reads back `partial_in`, and stores `partial_out` bytes of partial sums.
fn tile(load: u64, partial_in: u64, busy: u64, partial_out: u64) -> TileWork {
    TileWork {
        load: load + partial_in,
        busy,
        store: partial_out,
        partial_in,
        partial_out,
        ..TileWork::default()
    }
}

/// Edge-xnor with double-buffered outputs (two halves: no tile here waits
/// for one).
fn design() -> Accelerator {
    let mut a = preset("edge-xnor").unwrap();
    a.buffers.outputs.double_buffered = true;
    a
}

/// One operator on the array of `tiles` in order, `depth` tiles in flight.
fn plan(tiles: &[TileWork], depth: u32) -> ([OpPlan; 1], OpGraph) {
    let mut t = Tiles::new();
    for &x in tiles {
        t.push(x, 1);
    }
    let plan = OpPlan {
        choice: None,
        depth: Some(depth),
        unit: Unit::Array,
        tiles: t,
        drain: 0,
        activity: Default::default(),
        macs: 0,
        note: String::new(),
    };
    let trace = Trace {
        meta: TraceMeta::default(),
        ops: vec![Op::linear("x", 1, 8, 1, Precision::Binary)],
    };
    ([plan], OpGraph::new(&trace).unwrap())
}

/// `tiles` run with the DRAM's transfers recorded.
fn recorded(tiles: &[TileWork], depth: u32) -> (Timeline, Vec<Transfer>) {
    let (plans, graph) = plan(tiles, depth);
    let mut tl = run_recording(&design(), &plans, &graph, true, true);
    let tr = tl.transfers.take().expect("recorded");
    (tl, tr)
}

fn transfer(at: u64, write: bool, addr: u64, bytes: u64) -> Transfer {
    Transfer {
        at,
        write,
        addr,
        bytes,
    }
}

/// The store region's base: the loads (1,024 B) rounded to 4 KiB, then to
/// 1 MiB.
const STORES: u64 = 1 << 20;

#[test]
fn a_read_back_fetched_before_its_spill_lands_waits_for_it() {
    // two tiles in flight, both fetched at 0: tile 0's 512 B arrive at
    // 0 + 100 + 512 / 51.2 = 110, tile 1's own 512 B behind them at 120;
    // tile 0 computes [110, 120) and spills 512 B: issued at 120, they land
    // at 120 + 100 + 10 = 230. Tile 1's read-back waits for them: issued at
    // 230, it arrives at 230 + 100 + 10 = 340, and tile 1 computes
    // [340, 350). (Read back with tile 1's load at 0, as one transfer, the
    // 1,024 B would arrive at 130, 100 cycles before the spill lands.)
    let (tl, tr) = recorded(&[tile(512, 0, 10, 512), tile(512, 512, 10, 0)], 2);
    assert_eq!(
        tr,
        vec![
            transfer(0, false, 0, 512),
            transfer(0, false, 512, 512),
            transfer(120, true, STORES, 512),
            transfer(230, false, STORES, 512),
        ]
    );
    assert_eq!(tl.cycles, 350);
    assert_eq!((tl.ops[0].start, tl.ops[0].compute_end), (110, 350));
    // 110 cycles for tile 0's load, 220 for the read-back after tile 0
    assert_eq!(tl.ops[0].cycles.busy, 20);
    assert_eq!(tl.ops[0].cycles.memory_stall, 330);
}

#[test]
fn a_read_back_after_its_spill_landed_goes_with_the_load_and_times_as_one() {
    // one tile in flight: tile 0's 512 B arrive at 110, it computes
    // [110, 120) and spills 512 B, landed at 230; tile 1 (fetched at 120,
    // nothing to load) computes [120, 320); tile 2 is fetched at 320, after
    // the spill landed: its own 512 B and the read-back are both issued at
    // 320, arriving at 320 + 100 + 10 = 430 and 440 (behind them on the
    // bus), and it computes [440, 450)
    let tiles = [
        tile(512, 0, 10, 512),
        tile(0, 0, 200, 0),
        tile(512, 512, 10, 0),
    ];
    let (tl, tr) = recorded(&tiles, 1);
    assert_eq!(
        tr,
        vec![
            transfer(0, false, 0, 512),
            transfer(120, true, STORES, 512),
            transfer(320, false, 512, 512),
            transfer(320, false, STORES, 512),
        ]
    );
    assert_eq!(tl.cycles, 450);
    // the transaction model times the two transfers as the one 1,024 B
    // load the same tiles make without a spill (whole cycles of the rate
    // each): every figure of the run equal
    let merged = tiles.map(|t| TileWork {
        partial_in: 0,
        partial_out: 0,
        ..t
    });
    let (plans, graph) = plan(&merged, 1);
    let one = run(&design(), &plans, &graph, true);
    assert_eq!(
        (one.cycles, one.ops, one.units, one.bound),
        (tl.cycles, tl.ops, tl.units, tl.bound)
    );
}

#[test]
fn stepping_and_jumping_agree_over_spills_read_back() {
    // 40 pairs of (spill, read-back) tiles, the read-back fetched while
    // its spill is on its way: fast-forward gives the cycle-by-cycle result
    let mut tiles = Vec::new();
    for _ in 0..40 {
        tiles.extend([tile(512, 0, 10, 512), tile(512, 512, 10, 0)]);
    }
    let (plans, graph) = plan(&tiles, 2);
    let fast = run(&design(), &plans, &graph, true);
    let slow = run(&design(), &plans, &graph, false);
    assert_eq!(
        (fast.cycles, fast.ops, fast.units, fast.bound),
        (slow.cycles, slow.ops, slow.units, slow.bound)
    );
}
