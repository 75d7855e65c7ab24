//! The output buffer's halves: a unit whose operator stores its outputs
//! per tile stages each feature group's outputs (and the partial sums of
//! its K tiles) in one half of the output buffer (two when the buffer is
//! double-buffered, one otherwise). A group holds its half from its first
//! tile's start (the tile's accumulators go to the half from then on; the
//! array does not pause inside a tile) until the store that empties it has
//! left the buffer: the DRAM model's end of that store, its last byte
//! written. A group's first tile starts only when a half is free, so a
//! store longer than the next group's compute stalls the unit, as a real
//! accelerator with a two-deep output buffer stalls.

use std::collections::VecDeque;

/// A half held by the group still computing (its store not yet issued).
const OPEN: u64 = u64::MAX;

/// The halves one unit's storing groups hold.
#[derive(Debug, Clone)]
pub(super) struct OutHalves {
    /// Halves of the buffer: 2 double-buffered, 1 otherwise.
    halves: usize,
    /// Cycles at which the held halves free, in store order ([`OPEN`]
    /// last, for the group computing).
    held: VecDeque<u64>,
}

impl OutHalves {
    /// `halves` empty halves.
    pub(super) fn new(halves: usize) -> OutHalves {
        OutHalves {
            halves: halves.max(1),
            held: VecDeque::new(),
        }
    }

    /// Drops the halves free by cycle `t`.
    fn prune(&mut self, t: u64) {
        while self.held.front().is_some_and(|&r| r != OPEN && r <= t) {
            self.held.pop_front();
        }
    }

    /// A group has claimed a half and not yet issued its store.
    fn open(&self) -> bool {
        self.held.back() == Some(&OPEN)
    }

    /// A tile may start at cycle `t`: its group holds a half already, or
    /// one is free.
    pub(super) fn may_start(&mut self, t: u64) -> bool {
        if self.open() {
            return true;
        }
        self.prune(t);
        self.held.len() < self.halves
    }

    /// A tile starts: its group claims a half unless it holds one.
    pub(super) fn claim(&mut self) {
        if !self.open() {
            self.held.push_back(OPEN);
        }
    }

    /// The group's store leaves the buffer by cycle `end`: its half frees
    /// then.
    pub(super) fn release_at(&mut self, end: u64) {
        if let Some(r) = self.held.back_mut().filter(|r| **r == OPEN) {
            *r = end;
        }
    }

    /// The state relative to cycle `t`, for steady-state detection.
    pub(super) fn signature(&mut self, t: u64, sig: &mut Vec<u64>) {
        self.prune(t);
        sig.push(self.held.len() as u64);
        sig.extend(
            self.held
                .iter()
                .map(|&r| if r == OPEN { OPEN } else { r - t }),
        );
    }

    /// A half frees after cycle `t`.
    pub(super) fn frees_after(&self, t: u64) -> bool {
        self.held.iter().any(|&r| r != OPEN && r > t)
    }

    /// Moves the releases after `t` later by `shift` cycles (fast-forward
    /// over steady state).
    pub(super) fn shift(&mut self, t: u64, shift: u64) {
        for r in self.held.iter_mut().filter(|r| **r != OPEN && **r > t) {
            *r += shift;
        }
    }

    /// The cycles at which held halves free.
    pub(super) fn releases(&self) -> impl Iterator<Item = u64> + '_ {
        self.held.iter().copied().filter(|&r| r != OPEN)
    }
}

#[cfg(test)]
mod tests {
    use crate::arch::preset;
    use crate::mapping::{OpPlan, TileWork, Tiles, Unit};
    use workloads::{Op, OpGraph, Precision, Trace, TraceMeta};

    /// One operator of `count` tiles on the array, each computing 10 cycles
    /// and storing 512 bytes, on a DRAM of 51.2 bytes a cycle and 100
    /// cycles' latency (edge-xnor's): a store takes 110 cycles from its
    /// issue, longer than the next two tiles' compute. Returns the design,
    /// the plan and its graph.
    fn stored_tiles(count: u64, double: bool) -> (crate::Accelerator, [OpPlan; 1], OpGraph) {
        let mut arch = preset("edge-xnor").unwrap();
        arch.buffers.outputs.double_buffered = double;
        let mut tiles = Tiles::new();
        let t = TileWork {
            load: 0,
            load_after_producers: false,
            busy: 10,
            sram_stall: 0,
            store: 512,
            ..TileWork::default()
        };
        tiles.push(t, count);
        let plan = OpPlan {
            choice: None,
            depth: None,
            unit: Unit::Array,
            tiles,
            drain: 0,
            activity: Default::default(),
            macs: 0,
            note: String::new(),
        };
        let trace = Trace {
            meta: TraceMeta::default(),
            ops: vec![Op::linear("x", 1, 8, 1, Precision::Binary)],
        };
        let graph = OpGraph::new(&trace).unwrap();
        (arch, [plan], graph)
    }

    /// [`stored_tiles`] run with fast-forward.
    fn run(count: u64, double: bool) -> crate::engine::Timeline {
        let (arch, plans, graph) = stored_tiles(count, double);
        crate::engine::run(&arch, &plans, &graph, true)
    }

    #[test]
    fn a_store_longer_than_two_tiles_stalls_the_third() {
        // tile 0 computes [0, 10), its store issued at 10 lands at
        // 10 + 100 + 512 / 51.2 = 120; tile 1 takes the second half and
        // computes [10, 20), its store waits for the bus: [120, 130);
        // tile 2 needs a free half: tile 0's at 120, so it computes
        // [120, 130) and its store ends at 130 + 100 + 10 = 240 (without
        // the halves it would compute [20, 30), the run ending at 140)
        let tl = run(3, true);
        assert_eq!(tl.cycles, 240);
        assert_eq!(
            (tl.ops[0].start, tl.ops[0].compute_end, tl.ops[0].done),
            (0, 130, 240)
        );
        assert_eq!(tl.ops[0].cycles.busy, 30);
        assert_eq!(tl.ops[0].cycles.memory_stall, 100);
        // two tiles never wait: [0, 10) and [10, 20), stores to 120 and 130
        assert_eq!(run(2, true).cycles, 130);
        // one half: every tile waits for the store before it; tile 1
        // computes [120, 130), tile 2 [240, 250), its store to 360
        assert_eq!(run(3, false).cycles, 360);
    }

    #[test]
    fn stepping_and_jumping_agree_over_a_long_run() {
        // a long run of identical stalled tiles: fast-forward's jumps give
        // the cycle-by-cycle result (every other tile waits for the store
        // two before it)
        let (arch, plans, graph) = stored_tiles(200, true);
        let fast = crate::engine::run(&arch, &plans, &graph, true);
        let slow = crate::engine::run(&arch, &plans, &graph, false);
        assert_eq!(fast.cycles, slow.cycles);
        assert_eq!(fast.ops, slow.ops);
        assert_eq!(fast.units, slow.units);
        assert!(fast.jumps > 0, "no steady state found");
        // tile 2j computes [120 j, 120 j + 10) once tile 2j - 2's store has
        // left, tile 2j + 1 the next 10 cycles; their stores end 100 + 10
        // cycles after tile 2j + 1's end (the latency) and 10 after that
        // (behind it on the bus): at 120 j + 120 and 120 j + 130, a pair
        // every 120 cycles; the last pair's (j = 99) at 11,880 + 130
        assert_eq!(fast.cycles, 12_010);
    }
}
