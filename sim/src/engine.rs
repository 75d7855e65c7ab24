//! The cycle-level engine: a clock advances over the tiles of every
//! operator on the units that run them, the DRAM channel that feeds them,
//! and the data dependencies of the operator graph.
//!
//! Rules, applied at every cycle in this order until nothing changes:
//! 1. A unit whose tile finishes computing this cycle frees its buffer
//!    slot and issues the tile's DRAM store; when it was the operator's
//!    last tile, the operator is complete after the pipeline drains and
//!    its stores have landed.
//! 2. An idle unit starts its next tile when the tile's load has arrived
//!    and every producer of its operator is complete.
//! 3. Each unit prefetches its next tiles (in its operator order, across
//!    operator boundaries) while its buffer has room for the next one: an
//!    operator's tile takes `1 / depth` of the buffer, where the depth is
//!    the operator's own (the lane array's prefetch depth the mapping
//!    chose, [`crate::mapping::prefetch`]) or the unit's slots,
//!    `buffers.prefetch_slots`, by default two when the buffer it streams
//!    through is double-buffered, one otherwise. With one depth throughout
//!    this is "while fewer than `depth` tiles are held".
//!    Loads of spilled activations wait for the producers.
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

struct Computing {
    op: usize,
    /// The share of the unit's buffer the tile holds.
    share: u64,
    ideal_end: u64,
    end: u64,
    store: u64,
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
    /// Load arrival cycles of fetched tiles not yet started, in order.
    inflight: VecDeque<u64>,
    computing: Option<Computing>,
    /// The tile at `exec` and its operator (cached: read every event).
    exec_tile: Option<(usize, TileWork)>,
    /// The tile at `fetch` and its operator.
    fetch_tile: Option<(usize, TileWork)>,
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

/// The machine state at the start of a tile, relative to the clock, and the
/// counters at that moment.
/// Snapshots kept per unit: periods of up to this many tiles are found.
const HISTORY: usize = 4;

struct Snapshot {
    t: u64,
    sig: Vec<u64>,
    /// The DRAM bus terms of the state, relative to `t` (kept apart from
    /// `sig` so that a store backlog growing by the same amount each period
    /// can be recognised): each computing unit's last store, then the bus.
    bus_terms: Vec<u64>,
    /// The bus's first free cycle (absolute).
    bus_free: u64,
    units: [Cycles; Unit::COUNT],
    bound: Bound,
    ops: [Option<(usize, Cycles)>; Unit::COUNT],
    /// Each unit's position in its run.
    withins: [u64; Unit::COUNT],
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
                &plans.iter().map(|p| p.dram_bytes().0).collect::<Vec<_>>(),
                record,
            ),
            timing: vec![OpTiming::default(); n],
            started: vec![false; n],
            done,
            pending_done: Vec::new(),
            last_store: vec![0; n],
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
                        let end = self.dram.store(t, c.op, c.store);
                        self.last_store[c.op] = self.last_store[c.op].max(end);
                        self.wake.push(Reverse(end));
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
                // 2. start
                let u = &self.units[ui];
                if u.computing.is_none() {
                    if let (Some((op, tile)), Some(&arrived)) = (u.exec_tile, u.inflight.front()) {
                        if arrived <= t && self.ready(op, t) {
                            let u = &mut self.units[ui];
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
                    let arrive = if tile.load > 0 {
                        self.dram.load(t, op, tile.load)
                    } else {
                        t
                    };
                    self.wake.push(Reverse(arrive));
                    let u = &mut self.units[ui];
                    u.held += u.shares[op];
                    u.inflight.push_back(arrive);
                    let mut f = u.fetch;
                    u.advance(plans, &mut f);
                    u.fetch = f;
                    u.fetch_tile = u.tile_at(plans, &f);
                    self.events += 1;
                    // a load already here lets an idle unit start this cycle
                    changed |= arrive == t && self.units[ui].computing.is_none();
                }
            }
            if !changed {
                return started_tile;
            }
        }
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

    /// The machine state relative to `t`, for steady-state detection by
    /// unit `ui` over a run (`by_rep` false) or over repetitions of a
    /// pattern (`by_rep` true).
    fn signature(
        &mut self,
        ui: usize,
        t: u64,
        by_rep: bool,
        sig: &mut Vec<u64>,
        bus: &mut Vec<u64>,
    ) {
        let reached = self.pending_done.partition_point(|&(d, _)| d <= t);
        self.pending_done.drain(..reached);
        let rel = |x: u64| x.saturating_sub(t);
        sig.clear();
        bus.clear();
        sig.push(u64::from(by_rep));
        for (i, u) in self.units.iter().enumerate() {
            match &u.computing {
                Some(c) => {
                    sig.extend([
                        1,
                        c.op as u64,
                        rel(c.ideal_end),
                        rel(c.end),
                        c.store,
                        u64::from(c.last_of_op),
                    ]);
                    bus.push(rel(self.last_store[c.op]));
                }
                None => sig.push(0),
            }
            let (e, f) = (u.exec, u.fetch);
            let in_run = (e.op_pos, e.pat, e.rep, e.run) == (f.op_pos, f.pat, f.rep, f.run);
            if by_rep && i != ui || !by_rep && !in_run {
                // a unit outside a run must stand exactly where it stood
                sig.extend([e.op_pos as u64, e.pat as u64, e.rep, e.run as u64, e.within]);
                sig.extend([f.op_pos as u64, f.pat as u64, f.rep, f.run as u64, f.within]);
            } else if !by_rep {
                // a unit inside a run of identical tiles may move through it
                // (the jumping unit, and any other unit in the same regime)
                sig.extend([e.op_pos as u64, e.pat as u64, e.rep, e.run as u64]);
                sig.push(f.within - e.within);
            } else {
                // the jumping unit moves through repetitions of a pattern
                sig.extend([e.op_pos as u64, e.pat as u64, e.run as u64, e.within]);
                sig.extend([f.op_pos as u64, f.pat as u64, f.run as u64, f.within]);
                if (e.op_pos, e.pat) == (f.op_pos, f.pat) {
                    sig.push(f.rep - e.rep);
                } else {
                    sig.extend([e.rep, f.rep]);
                }
            }
            sig.push(u.held);
            sig.push(u.inflight.len() as u64);
            sig.extend(u.inflight.iter().map(|&a| rel(a)));
        }
        bus.push(rel(self.dram.bus_free().max(t + self.dram.latency())));
        self.dram.signature(sig);
        for &(d, op) in &self.pending_done {
            sig.extend([op as u64, rel(d)]);
        }
    }

    fn exec_ops(&self) -> [Option<(usize, Cycles)>; Unit::COUNT] {
        let mut ops = [None; Unit::COUNT];
        for (slot, u) in ops.iter_mut().zip(&self.units) {
            *slot = u.exec_op().map(|op| (op, self.timing[op].cycles));
        }
        ops
    }

    /// At the start of a tile on unit `ui` at cycle `t` (the tile was at
    /// `started` in the unit's sequence): records the machine state, and when
    /// it repeats an earlier tile start's state shifted in time, jumps over
    /// as many further periods as the run of identical tiles, or the
    /// repetitions of the pattern, allow. Returns the new clock.
    fn steady_state(&mut self, ui: usize, t: u64, started: Cursor) -> u64 {
        let plans = self.plans;
        let u = &self.units[ui];
        let op = u.ops[started.op_pos];
        let pattern = &plans[op].tiles.patterns[started.pat];
        let e = u.exec;
        let same_run = (e.op_pos, e.pat, e.rep, e.run)
            == (started.op_pos, started.pat, started.rep, started.run);
        let run_left = if same_run {
            pattern.runs[e.run].1 - e.within
        } else {
            0
        };
        let by_run = run_left >= 8;
        let by_rep =
            !by_run && started.run == 0 && started.within == 0 && pattern.reps - started.rep >= 3;
        if !by_run {
            recycle(&mut self.run_snaps[ui], &mut self.spare);
        }
        if !by_run && !by_rep {
            return t;
        }
        // a jump over repetitions needs every other unit standing still:
        // nothing computing, no load on its way (over a run, other units
        // may move through runs of their own)
        let others_busy =
            self.units.iter().enumerate().any(|(i, o)| {
                i != ui && (o.computing.is_some() || o.inflight.iter().any(|&a| a > t))
            });
        if by_rep && others_busy {
            recycle(&mut self.run_snaps[ui], &mut self.spare);
            recycle(&mut self.rep_snaps[ui], &mut self.spare);
            return t;
        }
        // reuse the buffer of the snapshot about to be dropped
        let full = if by_rep {
            self.rep_snaps[ui].len()
        } else {
            self.run_snaps[ui].len()
        } == HISTORY;
        let dropped = if !full {
            None
        } else if by_rep {
            self.rep_snaps[ui].pop_front()
        } else {
            self.run_snaps[ui].pop_front()
        };
        let (mut sig, mut bus_terms) = dropped
            .map(|d| (d.sig, d.bus_terms))
            .or_else(|| self.spare.pop())
            .unwrap_or_default();
        self.signature(ui, t, by_rep, &mut sig, &mut bus_terms);
        let snap = Snapshot {
            t,
            sig,
            bus_terms,
            bus_free: self.dram.bus_free(),
            units: self.unit_cycles,
            bound: self.bound,
            ops: self.exec_ops(),
            withins: std::array::from_fn(|i| self.units[i].exec.within),
        };
        let hist = if by_rep {
            &mut self.rep_snaps[ui]
        } else {
            &mut self.run_snaps[ui]
        };
        // a period of one to HISTORY tiles (or repetitions): the newest
        // earlier snapshot with the same relative state and the same
        // operators in progress
        let same_ops = |a: &[Option<(usize, Cycles)>; Unit::COUNT],
                        b: &[Option<(usize, Cycles)>; Unit::COUNT]| {
            a.iter()
                .zip(b)
                .all(|(x, y)| x.map(|o| o.0) == y.map(|o| o.0))
        };
        // a period either repeats the bus terms exactly, or (over a run)
        // only drifts them: a store backlog that grows by the same bytes
        // every period while no load waits on the bus
        let latency = self.dram.latency();
        let drifts = |p: &Snapshot| !by_rep && store_backlog_drifts(p, &snap, latency);
        let found = hist.iter().rev().position(|p| {
            p.sig == snap.sig
                && p.t < t
                && same_ops(&p.ops, &snap.ops)
                && (p.bus_terms == snap.bus_terms || drifts(p))
        });
        let Some(back) = found.filter(|&b| b < hist.len()) else {
            hist.push_back(snap);
            return t;
        };
        let steps_per_period = back as u64 + 1;
        let prev = &hist[hist.len() - 1 - back];
        let (prev_t, prev_units, prev_bound, prev_ops) = (prev.t, prev.units, prev.bound, prev.ops);
        // the bus moves by this much a period (0: it keeps its place
        // relative to the clock)
        let bus_drift = if prev.bus_terms == snap.bus_terms {
            None
        } else {
            Some(snap.bus_free - prev.bus_free)
        };
        // tiles each unit moved through its run in one period (0 for a unit
        // standing still; over repetitions only `ui` moves)
        let moved: [u64; Unit::COUNT] = if by_rep {
            [0; Unit::COUNT]
        } else {
            std::array::from_fn(|i| snap.withins[i] - prev.withins[i])
        };
        let (cur_units, cur_bound, cur_ops) = (snap.units, snap.bound, snap.ops);
        hist.push_back(snap);
        // how many periods every moving cursor can advance and stay inside
        // its run (or the pattern), leaving at least one step to run normally
        let mut k = u64::MAX;
        if by_rep {
            let (e, f) = (self.units[ui].exec, self.units[ui].fetch);
            let room = if (f.op_pos, f.pat) == (e.op_pos, e.pat) {
                pattern.reps - 1 - f.rep
            } else {
                0
            };
            k = room / steps_per_period;
        } else {
            for (i, o) in self.units.iter().enumerate() {
                if moved[i] == 0 {
                    continue;
                }
                let (e, f) = (o.exec, o.fetch);
                let Some(&oop) = o.ops.get(e.op_pos) else {
                    return t;
                };
                let run = plans[oop].tiles.patterns[e.pat].runs[e.run];
                if bus_drift.is_some() && run.0.load > 0 {
                    // a load would wait behind the growing backlog
                    return t;
                }
                let count = run.1;
                // exec and fetch share the run (the signature says so)
                let room = (count - f.within).min(count - e.within).saturating_sub(1);
                k = k.min(room / moved[i]);
            }
        }
        if k == 0 || k == u64::MAX {
            return t;
        }
        let period = t - prev_t;
        let shift = k * period;
        // counters: k more periods
        for i in 0..Unit::COUNT {
            let d = diff(&cur_units[i], &prev_units[i]);
            add_k(&mut self.unit_cycles[i], &d, k);
        }
        self.bound.compute += k * (cur_bound.compute - prev_bound.compute);
        self.bound.memory += k * (cur_bound.memory - prev_bound.memory);
        self.bound.other += k * (cur_bound.other - prev_bound.other);
        for (now, before) in cur_ops.iter().zip(&prev_ops) {
            if let (Some((op, now)), Some((_, before))) = (now, before) {
                let d = diff(now, before);
                add_k(&mut self.timing[*op].cycles, &d, k);
            }
        }
        // times: everything still ahead of t moves by k periods
        let later = |x: &mut u64| {
            if *x > t {
                *x += shift;
            }
        };
        let bus_now = self.dram.bus_free();
        for u in &mut self.units {
            if let Some(c) = &mut u.computing {
                later(&mut c.ideal_end);
                later(&mut c.end);
                match bus_drift {
                    // a last store at the end of the backlog moves with it
                    Some(d) if self.last_store[c.op] == bus_now => {
                        self.last_store[c.op] += k * d;
                    }
                    _ => later(&mut self.last_store[c.op]),
                }
            }
            for a in u.inflight.iter_mut() {
                later(a);
            }
        }
        match bus_drift {
            Some(d) => self.dram.shift_bus(t, k * d),
            None => self.dram.shift_bus(t, shift),
        }
        if by_rep {
            let u = &mut self.units[ui];
            u.exec.rep += k * steps_per_period;
            u.fetch.rep += k * steps_per_period;
        } else {
            for (u, m) in self.units.iter_mut().zip(moved) {
                u.exec.within += k * m;
                u.fetch.within += k * m;
            }
        }
        for u in &self.units {
            if let Some(c) = &u.computing {
                self.wake.push(Reverse(c.ideal_end));
                self.wake.push(Reverse(c.end));
            }
            for &a in &u.inflight {
                self.wake.push(Reverse(a));
            }
        }
        self.jumps += 1;
        // the histories restart from the state after the jump
        for h in self.run_snaps.iter_mut().chain(self.rep_snaps.iter_mut()) {
            recycle(h, &mut self.spare);
        }
        t + shift
    }
}

/// Empties a snapshot history, keeping its buffers in `spare`.
fn recycle(hist: &mut VecDeque<Snapshot>, spare: &mut Vec<(Vec<u64>, Vec<u64>)>) {
    spare.extend(hist.drain(..).map(|s| (s.sig, s.bus_terms)));
}

/// True when the machine state `s` repeats `p` except for a DRAM store
/// backlog that grew between them, and every store of the period (and of
/// as many further periods as follow) starts when the bus frees rather
/// than after the latency: the backlog at `p`, less one period, still
/// exceeds the latency, and it grows. Each computing unit's last store then
/// either keeps its place relative to the clock or ends with the backlog.
/// Repeating the period moves the bus by the same bytes each time.
fn store_backlog_drifts(p: &Snapshot, s: &Snapshot, latency: u64) -> bool {
    let period = s.t - p.t;
    if s.bus_free < p.bus_free || p.bus_terms.len() != s.bus_terms.len() {
        return false;
    }
    let drift = s.bus_free - p.bus_free;
    let backlog = p.bus_free.saturating_sub(p.t);
    if drift <= period || backlog <= latency + period {
        return false;
    }
    let (p_bus, s_bus) = (p.bus_free - p.t, s.bus_free - s.t);
    let n = p.bus_terms.len() - 1;
    p.bus_terms[..n]
        .iter()
        .zip(&s.bus_terms[..n])
        .all(|(&a, &b)| a == b || (a == p_bus && b == s_bus))
}

fn diff(a: &Cycles, b: &Cycles) -> Cycles {
    Cycles {
        busy: a.busy - b.busy,
        sram_stall: a.sram_stall - b.sram_stall,
        memory_stall: a.memory_stall - b.memory_stall,
        dependency_stall: a.dependency_stall - b.dependency_stall,
        idle: a.idle - b.idle,
    }
}

fn add_k(a: &mut Cycles, d: &Cycles, k: u64) {
    a.busy += k * d.busy;
    a.sram_stall += k * d.sram_stall;
    a.memory_stall += k * d.memory_stall;
    a.dependency_stall += k * d.dependency_stall;
    a.idle += k * d.idle;
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
