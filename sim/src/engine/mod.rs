//! The cycle-level engine: a clock advances over the tiles of every
//! operator on the units that run them, the DRAM channel that feeds them,
//! and the data dependencies of the operator graph.
//!
//! Rules, applied at every cycle in this order until nothing changes:
//! 1. A unit whose tile finishes computing this cycle frees its buffer
//!    slot and issues the tile's DRAM store (the output buffer's half its
//!    group held frees when the store's last byte is written); when it was the operator's
//!    last tile, the operator is complete after the pipeline drains and
//!    its stores have landed.
//! 2. An idle unit starts its next tile when the tile's load has arrived
//!    and every producer of its operator is complete, and, for an
//!    operator that stores its outputs per tile, the tile's group holds a
//!    half of the output buffer or one is free ([`out_halves`]: a group
//!    holds its half from its first tile's start until its store has
//!    left; two halves when the output buffer is double-buffered, one
//!    otherwise). A unit waiting for a half waits on DRAM.
//! 3. Each unit prefetches its next tiles (in its operator order, across
//!    operator boundaries) while its buffer has room for the next one: an
//!    operator's tile takes `1 / depth` of the buffer, where the depth is
//!    the operator's own (the lane array's prefetch depth the mapping
//!    chose, [`crate::mapping::prefetch`]) or the unit's slots,
//!    `buffers.prefetch_slots`, by default two when the buffer it streams
//!    through is double-buffered, one otherwise. With one depth throughout
//!    this is "while fewer than `depth` tiles are held".
//!    Loads of spilled activations wait for the producers.
//!    A K tile that reads back partial sums its operator spilled (a K
//!    split's, [`crate::mapping::linear`]) reads them in a transfer of
//!    their own, from the address its spill's store wrote them to
//!    (spills are read back in the order they were written), issued with
//!    the tile's load when that store has landed, otherwise in the cycle it
//!    lands (never before: no read of DRAM bytes before their write); the
//!    tile's load has arrived when both transfers have.
//!
//! Each cycle every unit is in one state: computing, waiting on an SRAM
//! port, waiting on DRAM, waiting on a producer, or idle. Stall cycles are
//! charged to the operator the unit is working on.
//!
//! Fast-forward: nothing changes between two events (a load arriving, a
//! tile finishing, an operator completing), so the engine may jump from one
//! event to the next and charge the cycles in between at once. Over long
//! runs of identical tiles it also detects steady state: when the whole
//! machine's state at the start of a tile equals its state at the start of
//! the previous tile shifted by `P` cycles, the next `k` tiles repeat it,
//! and the engine jumps `k * P` cycles, adding `k` times the counters of one
//! period. With fast-forward off it steps every cycle; both give identical
//! results (a property test checks this).

use crate::arch::Accelerator;
use crate::mapping::{prefetch, OpPlan, TileWork, Unit};
use crate::memory::banked::ReplayResult;
use crate::memory::{Dram, Transfer};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use workloads::OpGraph;

mod out_halves;
#[cfg(test)]
mod read_back_tests;
mod steady;
use out_halves::OutHalves;
use steady::Snapshot;

/// What a unit does in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Busy,
    SramStall,
    MemoryStall,
    DependencyStall,
    Idle,
}

/// Cycles of one unit (or one operator) by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycles {
    /// Computing at full rate.
    pub busy: u64,
    /// Waiting on an SRAM port (the datapath needs more bytes per cycle than the buffer delivers).
    pub sram_stall: u64,
    /// Waiting for a DRAM load.
    pub memory_stall: u64,
    /// Waiting for a producer operator to complete (including its pipeline drain and stores).
    pub dependency_stall: u64,
    /// Nothing left to do.
    pub idle: u64,
}

impl Cycles {
    fn add(&mut self, s: State, n: u64) {
        match s {
            State::Busy => self.busy += n,
            State::SramStall => self.sram_stall += n,
            State::MemoryStall => self.memory_stall += n,
            State::DependencyStall => self.dependency_stall += n,
            State::Idle => self.idle += n,
        }
    }

    /// Every stall (not idle, not busy).
    pub fn stalls(&self) -> u64 {
        self.sram_stall + self.memory_stall + self.dependency_stall
    }
}

/// Timing of one operator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpTiming {
    /// Cycle its first tile started computing.
    pub start: u64,
    /// Cycle its last tile finished computing.
    pub compute_end: u64,
    /// Cycle its result was complete (pipeline drained, stores landed).
    pub done: u64,
    /// Cycles its unit spent on it, by state.
    pub cycles: Cycles,
}

/// How the whole run's cycles divide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bound {
    /// Cycles in which some unit computed.
    pub compute: u64,
    /// Cycles in which no unit computed and some unit waited on DRAM.
    pub memory: u64,
    /// The other cycles: SRAM ports, dependencies, pipeline drain, stores.
    pub other: u64,
}

/// The engine's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Total cycles.
    pub cycles: u64,
    /// Per operator, in trace order.
    pub ops: Vec<OpTiming>,
    /// Per unit, in [`Unit::ALL`] order.
    pub units: [Cycles; Unit::COUNT],
    /// Whole-run split.
    pub bound: Bound,
    /// Events processed (a measure of simulation work).
    pub events: u64,
    /// Steady-state jumps taken by fast-forward.
    pub jumps: u64,
    /// The banked DRAM model's account of the run (None for the transaction model).
    pub dram: Option<ReplayResult>,
    /// Every DRAM transfer, when recorded.
    pub transfers: Option<Vec<Transfer>>,
}

/// A position in a unit's tile sequence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cursor {
    /// Index into the unit's operator list.
    op_pos: usize,
    /// Index into the operator's patterns.
    pat: usize,
    /// Repetitions of the pattern already passed.
    rep: u64,
    /// Index into the pattern's runs.
    run: usize,
    /// Tiles of the run already passed.
    within: u64,
}

/// A spill of partial sums: where its store wrote them and when they landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spill {
    addr: u64,
    bytes: u64,
    landed: u64,
}

/// A tile fetched and not yet started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fetched {
    op: usize,
    /// Cycle its transfers issued so far have arrived.
    arrive: u64,
    /// Bytes of partial sums it reads back whose transfer is not issued yet
    /// (its spill has not landed); 0 when none wait.
    pending: u64,
}

struct Computing {
    op: usize,
    /// The share of the unit's buffer the tile holds.
    share: u64,
    ideal_end: u64,
    end: u64,
    store: u64,
    /// The store's last bytes that are spilled partial sums.
    partial_out: u64,
    last_of_op: bool,
}

struct UnitState {
    ops: Vec<usize>,
    /// Share of the buffer of one tile of each operator (by plan index;
    /// [`prefetch::SHARE_UNITS`] is the whole buffer).
    shares: Vec<u64>,
    /// Shares held by the tiles fetched and not yet finished.
    held: u64,
    fetch: Cursor,
    exec: Cursor,
    /// Fetched tiles not yet started, in order.
    inflight: VecDeque<Fetched>,
    computing: Option<Computing>,
    /// The tile at `exec` and its operator (cached: read every event).
    exec_tile: Option<(usize, TileWork)>,
    /// The tile at `fetch` and its operator.
    fetch_tile: Option<(usize, TileWork)>,
    /// The output buffer's halves its storing groups hold.
    out: OutHalves,
}

impl UnitState {
    /// The tile at `c`, and the operator it belongs to.
    fn tile_at(&self, plans: &[OpPlan], c: &Cursor) -> Option<(usize, TileWork)> {
        let &op = self.ops.get(c.op_pos)?;
        Some((op, plans[op].tiles.patterns[c.pat].runs[c.run].0))
    }

    /// Moves `c` one tile forward; returns true when it left an operator.
    fn advance(&self, plans: &[OpPlan], c: &mut Cursor) -> bool {
        let op = self.ops[c.op_pos];
        let pats = &plans[op].tiles.patterns;
        let p = &pats[c.pat];
        c.within += 1;
        if c.within == p.runs[c.run].1 {
            c.within = 0;
            c.run += 1;
            if c.run == p.runs.len() {
                c.run = 0;
                c.rep += 1;
                if c.rep == p.reps {
                    c.rep = 0;
                    c.pat += 1;
                    if c.pat == pats.len() {
                        c.pat = 0;
                        c.op_pos += 1;
                        self.skip_empty(plans, c);
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Skips operators without tiles.
    fn skip_empty(&self, plans: &[OpPlan], c: &mut Cursor) {
        while c.op_pos < self.ops.len() && plans[self.ops[c.op_pos]].tiles.is_empty() {
            c.op_pos += 1;
        }
    }

    fn exec_op(&self) -> Option<usize> {
        match &self.computing {
            Some(c) => Some(c.op),
            None => self.ops.get(self.exec.op_pos).copied(),
        }
    }
}

struct Engine<'a> {
    plans: &'a [OpPlan],
    producers: Vec<Vec<usize>>,
    units: Vec<UnitState>,
    dram: Dram,
    timing: Vec<OpTiming>,
    started: Vec<bool>,
    /// Completion cycle of each operator; `u64::MAX` until known.
    done: Vec<u64>,
    /// Completions not yet reached: (cycle, operator).
    pending_done: Vec<(u64, usize)>,
    last_store: Vec<u64>,
    /// Per operator, its spilled partial sums not yet read back, in the
    /// order they were written.
    spills: Vec<VecDeque<Spill>>,
    /// Operators that store outputs per tile (their groups hold halves of
    /// the output buffer).
    stores: Vec<bool>,
    wake: BinaryHeap<Reverse<u64>>,
    unit_cycles: [Cycles; Unit::COUNT],
    bound: Bound,
    events: u64,
    jumps: u64,
    /// Recent tile-start snapshots per unit inside a run, newest last.
    run_snaps: [VecDeque<Snapshot>; Unit::COUNT],
    /// Recent snapshots per unit at the starts of a pattern's repetitions.
    rep_snaps: [VecDeque<Snapshot>; Unit::COUNT],
    /// Buffers of dropped snapshots (`sig`, `bus_terms`), reused by the
    /// next ones instead of allocating.
    spare: Vec<(Vec<u64>, Vec<u64>)>,
}

impl<'a> Engine<'a> {
    fn new(arch: &Accelerator, plans: &'a [OpPlan], graph: &OpGraph, record: bool) -> Engine<'a> {
        let n = plans.len();
        let slots_of = |u: Unit| {
            let b = &arch.buffers;
            let double = match u {
                Unit::Array => b.weights.double_buffered,
                Unit::Vector | Unit::Attention => b.activations.double_buffered,
                // the link engine holds two messages (one sending, one
                // queued); its tiles load nothing, so this only bounds
                // how far it runs ahead
                Unit::Link => true,
            };
            arch.prefetch_slots(double)
        };
        let mut units: Vec<UnitState> = Unit::ALL
            .iter()
            .map(|&u| UnitState {
                ops: (0..n).filter(|&i| plans[i].unit == u).collect(),
                shares: plans
                    .iter()
                    .map(|p| prefetch::share(p.depth.unwrap_or(slots_of(u))))
                    .collect(),
                held: 0,
                fetch: Cursor::default(),
                exec: Cursor::default(),
                inflight: VecDeque::new(),
                computing: None,
                exec_tile: None,
                fetch_tile: None,
                out: OutHalves::new(if arch.buffers.outputs.double_buffered {
                    2
                } else {
                    1
                }),
            })
            .collect();
        for u in &mut units {
            let mut c = Cursor::default();
            u.skip_empty(plans, &mut c);
            u.fetch = c;
            u.exec = c;
            u.exec_tile = u.tile_at(plans, &c);
            u.fetch_tile = u.exec_tile;
        }
        // operators without tiles are complete at once
        let done = plans
            .iter()
            .map(|p| if p.tiles.is_empty() { 0 } else { u64::MAX })
            .collect();
        Engine {
            plans,
            producers: (0..n).map(|i| graph.predecessors(i)).collect(),
            units,
            dram: Dram::new(
                arch,
                &plans
                    .iter()
                    .map(|p| p.tiles.sum(|t| t.load - t.partial_in))
                    .collect::<Vec<_>>(),
                record,
            ),
            timing: vec![OpTiming::default(); n],
            started: vec![false; n],
            done,
            pending_done: Vec::new(),
            last_store: vec![0; n],
            spills: vec![VecDeque::new(); n],
            stores: plans.iter().map(|p| p.dram_bytes().1 > 0).collect(),
            wake: BinaryHeap::new(),
            unit_cycles: [Cycles::default(); Unit::COUNT],
            bound: Bound::default(),
            events: 0,
            jumps: 0,
            run_snaps: Default::default(),
            rep_snaps: Default::default(),
            spare: Vec::new(),
        }
    }

    fn ready(&self, op: usize, t: u64) -> bool {
        self.producers[op].iter().all(|&p| self.done[p] <= t)
    }

    /// Applies rules 1-3 at cycle `t` until nothing changes; returns, for
    /// each unit that started a tile, where in its sequence that tile was.
    // the body indexes the units because it borrows `self` mutably per unit
    #[allow(clippy::needless_range_loop)]
    fn process(&mut self, t: u64) -> [Option<Cursor>; Unit::COUNT] {
        let plans = self.plans;
        let mut started_tile = [None; Unit::COUNT];
        loop {
            // another pass is needed only when something this pass did lets
            // a unit act again in this same cycle
            let mut changed = false;
            for ui in 0..self.units.len() {
                // 1. finish
                if self.units[ui]
                    .computing
                    .as_ref()
                    .is_some_and(|c| c.end == t)
                {
                    let c = self.units[ui].computing.take().expect("checked above");
                    self.units[ui].held -= c.share;
                    self.events += 1;
                    if c.store > 0 {
                        let addr = self.dram.next_store_addr();
                        let end = self.dram.store(t, c.op, c.store);
                        if c.partial_out > 0 {
                            self.spills[c.op].push_back(Spill {
                                addr: addr + (c.store - c.partial_out),
                                bytes: c.partial_out,
                                landed: end,
                            });
                        }
                        self.last_store[c.op] = self.last_store[c.op].max(end);
                        self.wake.push(Reverse(end));
                        self.units[ui].out.release_at(end);
                    } else if c.last_of_op {
                        // (a group left on chip by the operator's last tile)
                        self.units[ui].out.release_at(t);
                    }
                    if c.last_of_op {
                        self.timing[c.op].compute_end = t;
                        let d = (t + plans[c.op].drain).max(self.last_store[c.op]);
                        self.done[c.op] = d;
                        self.timing[c.op].done = d;
                        if d > t {
                            let at = self.pending_done.partition_point(|&x| x < (d, c.op));
                            self.pending_done.insert(at, (d, c.op));
                        }
                        self.wake.push(Reverse(d));
                    }
                    // a completion this cycle may let an earlier unit start
                    changed |= self.done[c.op] == t;
                }
                // read-backs whose spills have landed
                changed |= self.read_back(ui, t);
                // 2. start
                let u = &self.units[ui];
                if u.computing.is_none() {
                    if let (Some((op, tile)), Some(&f)) = (u.exec_tile, u.inflight.front()) {
                        if f.pending == 0
                            && f.arrive <= t
                            && self.ready(op, t)
                            && (!self.stores[op] || self.units[ui].out.may_start(t))
                        {
                            let u = &mut self.units[ui];
                            if self.stores[op] {
                                u.out.claim();
                            }
                            u.inflight.pop_front();
                            let mut exec = u.exec;
                            started_tile[ui] = Some(exec);
                            let last_of_op = u.advance(plans, &mut exec);
                            u.exec = exec;
                            u.exec_tile = u.tile_at(plans, &exec);
                            let ideal_end = t + tile.busy;
                            let end = ideal_end + tile.sram_stall;
                            let share = u.shares[op];
                            u.computing = Some(Computing {
                                op,
                                share,
                                ideal_end,
                                end,
                                store: tile.store,
                                partial_out: tile.partial_out,
                                last_of_op,
                            });
                            if !self.started[op] {
                                self.started[op] = true;
                                self.timing[op].start = t;
                            }
                            self.wake.push(Reverse(ideal_end));
                            self.wake.push(Reverse(end));
                            self.events += 1;
                            // a tile with nothing to compute finishes this cycle
                            changed |= end == t;
                        }
                    }
                }
                // 3. fetch
                loop {
                    let u = &self.units[ui];
                    let Some((op, tile)) = u.fetch_tile else {
                        break;
                    };
                    if u.held + u.shares[op] > prefetch::SHARE_UNITS {
                        break;
                    }
                    if tile.load_after_producers && !self.ready(op, t) {
                        break;
                    }
                    // the tile's weights and rows; its read-back after them
                    let own = tile.load - tile.partial_in;
                    let arrive = if own > 0 {
                        self.dram.load(t, op, own)
                    } else {
                        t
                    };
                    self.wake.push(Reverse(arrive));
                    let u = &mut self.units[ui];
                    u.held += u.shares[op];
                    u.inflight.push_back(Fetched {
                        op,
                        arrive,
                        pending: tile.partial_in,
                    });
                    let mut f = u.fetch;
                    u.advance(plans, &mut f);
                    u.fetch = f;
                    u.fetch_tile = u.tile_at(plans, &f);
                    self.read_back(ui, t);
                    self.events += 1;
                    // a load already here lets an idle unit start this cycle
                    let u = &self.units[ui];
                    changed |= u
                        .inflight
                        .back()
                        .is_some_and(|f| f.pending == 0 && f.arrive == t)
                        && u.computing.is_none();
                }
            }
            if !changed {
                return started_tile;
            }
        }
    }

    /// Issues at cycle `t` the read-backs of unit `ui`'s fetched tiles, in
    /// order, whose spills have landed; returns true when one arrives at
    /// `t` (an idle unit may start this cycle).
    fn read_back(&mut self, ui: usize, t: u64) -> bool {
        let mut now = false;
        let u = &mut self.units[ui];
        for f in u.inflight.iter_mut().filter(|f| f.pending > 0) {
            let Some(s) = self.spills[f.op].front().copied() else {
                break;
            };
            if s.landed > t {
                // (the store's end is a wake-up already)
                break;
            }
            debug_assert_eq!(s.bytes, f.pending, "a read-back reads its spill whole");
            self.spills[f.op].pop_front();
            let arrive = self.dram.load_at(t, s.addr, s.bytes);
            f.arrive = f.arrive.max(arrive);
            f.pending = 0;
            self.wake.push(Reverse(f.arrive));
            now |= f.arrive == t;
        }
        now && u.computing.is_none()
    }

    fn finished(&self) -> bool {
        self.units
            .iter()
            .all(|u| u.computing.is_none() && u.exec.op_pos >= u.ops.len())
    }

    /// The state of unit `ui` in cycle `t`.
    fn state(&self, ui: usize, t: u64) -> State {
        let u = &self.units[ui];
        match &u.computing {
            Some(c) if t < c.ideal_end => State::Busy,
            Some(_) => State::SramStall,
            None => match u.exec_tile {
                None => State::Idle,
                Some((op, _)) if !self.ready(op, t) => State::DependencyStall,
                Some(_) => State::MemoryStall,
            },
        }
    }

    /// Charges the cycles `[t, t + span)`.
    fn account(&mut self, t: u64, span: u64) {
        let mut any_busy = false;
        let mut any_memory = false;
        for ui in 0..self.units.len() {
            let state = self.state(ui, t);
            any_busy |= state == State::Busy;
            any_memory |= state == State::MemoryStall;
            self.unit_cycles[ui].add(state, span);
            if state != State::Idle {
                if let Some(op) = self.units[ui].exec_op() {
                    self.timing[op].cycles.add(state, span);
                }
            }
        }
        if any_busy {
            self.bound.compute += span;
        } else if any_memory {
            self.bound.memory += span;
        } else {
            self.bound.other += span;
        }
    }

    /// The next cycle after `t` at which anything can change.
    fn next_event(&mut self, t: u64) -> u64 {
        while let Some(&Reverse(w)) = self.wake.peek() {
            if w > t {
                return w;
            }
            self.wake.pop();
        }
        unreachable!("the engine has work left but no future event")
    }
}

/// Runs `plans` (one per trace operator, dependencies from `graph`) on
/// `arch`. With `fast_forward` the clock jumps between events and over
/// steady state; without it, it steps every cycle.
pub fn run(arch: &Accelerator, plans: &[OpPlan], graph: &OpGraph, fast_forward: bool) -> Timeline {
    run_recording(arch, plans, graph, fast_forward, false)
}

/// [`run`], also recording every DRAM transfer when `record` is set.
pub fn run_recording(
    arch: &Accelerator,
    plans: &[OpPlan],
    graph: &OpGraph,
    fast_forward: bool,
    record: bool,
) -> Timeline {
    let mut e = Engine::new(arch, plans, graph, record);
    let mut t = 0u64;
    loop {
        let started = e.process(t);
        if e.finished() {
            break;
        }
        if fast_forward {
            for (ui, s) in started.iter().enumerate() {
                if let Some(at) = *s {
                    let nt = e.steady_state(ui, t, at);
                    if nt != t {
                        t = nt;
                        break;
                    }
                }
            }
        }
        let next = if fast_forward { e.next_event(t) } else { t + 1 };
        e.account(t, next - t);
        t = next;
    }
    // The run ends when the last result is complete.
    let end = e
        .done
        .iter()
        .copied()
        .filter(|&d| d != u64::MAX)
        .max()
        .unwrap_or(0)
        .max(t)
        .max(e.dram.busy_until());
    let tail = end - t;
    for c in e.unit_cycles.iter_mut() {
        c.idle += tail;
    }
    e.bound.other += tail;
    Timeline {
        cycles: end,
        ops: e.timing,
        units: e.unit_cycles,
        bound: e.bound,
        events: e.events,
        jumps: e.jumps,
        dram: e.dram.finish(end),
        transfers: e.dram.take_record(),
    }
}
