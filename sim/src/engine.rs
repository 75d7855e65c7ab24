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
//!    operator boundaries) while it has a free buffer slot: two slots when
//!    the buffer it streams through is double-buffered, one otherwise.
//!    Loads of spilled activations wait for the producers.
//!
//! Each cycle every unit is in one state: computing, waiting on an SRAM
//! port, waiting on DRAM, waiting on a producer, or idle. Stall cycles are
//! charged to the operator the unit is working on.
//!
//! Fast-forward: nothing changes between two events (a load arriving, a
//! tile finishing, an operator completing), so the engine may jump from one
//! event to the next and charge the cycles in between at once. With
//! fast-forward off it steps every cycle; both give identical results.

use crate::arch::Accelerator;
use crate::mapping::{OpPlan, TileWork, Unit};
use crate::memory::DramChannel;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// Total cycles.
    pub cycles: u64,
    /// Per operator, in trace order.
    pub ops: Vec<OpTiming>,
    /// Per unit, in [`Unit::ALL`] order.
    pub units: [Cycles; 3],
    /// Whole-run split.
    pub bound: Bound,
    /// Events processed (a measure of simulation work).
    pub events: u64,
}

/// A position in a unit's tile sequence.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    /// Index into the unit's operator list.
    op_pos: usize,
    /// Index into the operator's run-length tile list.
    group: usize,
    /// Tiles of the group already passed.
    within: u64,
}

struct Computing {
    op: usize,
    ideal_end: u64,
    end: u64,
    store: u64,
    last_of_op: bool,
}

struct UnitState {
    ops: Vec<usize>,
    slots: usize,
    fetch: Cursor,
    exec: Cursor,
    /// Load arrival cycles of fetched tiles not yet started, in order.
    inflight: VecDeque<u64>,
    computing: Option<Computing>,
}

impl UnitState {
    /// The tile at `c`, and the operator it belongs to.
    fn tile_at(&self, plans: &[OpPlan], c: &Cursor) -> Option<(usize, TileWork)> {
        let &op = self.ops.get(c.op_pos)?;
        Some((op, plans[op].tiles[c.group].0))
    }

    /// Moves `c` one tile forward; returns true when it left an operator.
    fn advance(&self, plans: &[OpPlan], c: &mut Cursor) -> bool {
        let op = self.ops[c.op_pos];
        c.within += 1;
        if c.within == plans[op].tiles[c.group].1 {
            c.within = 0;
            c.group += 1;
            if c.group == plans[op].tiles.len() {
                c.group = 0;
                c.op_pos += 1;
                self.skip_empty(plans, c);
                return true;
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

/// Runs `plans` (one per trace operator, dependencies from `graph`) on
/// `arch`. With `fast_forward` the clock jumps between events; without it,
/// it steps every cycle.
pub fn run(arch: &Accelerator, plans: &[OpPlan], graph: &OpGraph, fast_forward: bool) -> Timeline {
    let n = plans.len();
    let producers: Vec<Vec<usize>> = (0..n).map(|i| graph.predecessors(i)).collect();
    let slots_of = |u: Unit| {
        let b = &arch.buffers;
        let double = match u {
            Unit::Array => b.weights.double_buffered,
            Unit::Vector | Unit::Attention => b.activations.double_buffered,
        };
        if double {
            2
        } else {
            1
        }
    };
    let mut units: Vec<UnitState> = Unit::ALL
        .iter()
        .map(|&u| UnitState {
            ops: (0..n).filter(|&i| plans[i].unit == u).collect(),
            slots: slots_of(u),
            fetch: Cursor::default(),
            exec: Cursor::default(),
            inflight: VecDeque::new(),
            computing: None,
        })
        .collect();
    for u in &mut units {
        let mut c = Cursor::default();
        u.skip_empty(plans, &mut c);
        u.fetch = c;
        u.exec = c;
    }
    let mut dram = DramChannel::new(arch);
    let mut timing = vec![OpTiming::default(); n];
    let mut started = vec![false; n];
    // u64::MAX = not complete yet
    let mut done = vec![u64::MAX; n];
    // operators without tiles are complete at once
    for (i, p) in plans.iter().enumerate() {
        if p.tiles.is_empty() {
            done[i] = 0;
        }
    }
    let mut last_store = vec![0u64; n];
    let mut wake: BinaryHeap<Reverse<u64>> = BinaryHeap::new();
    let mut unit_cycles = [Cycles::default(); 3];
    let mut bound = Bound::default();
    let mut events = 0u64;
    let mut t = 0u64;
    let ready = |done: &[u64], op: usize, t: u64| producers[op].iter().all(|&p| done[p] <= t);

    loop {
        // Rules 1-3 until nothing changes this cycle.
        loop {
            let mut changed = false;
            for u in units.iter_mut() {
                // 1. finish
                if let Some(c) = &u.computing {
                    if c.end == t {
                        let c = u.computing.take().expect("checked above");
                        events += 1;
                        if c.store > 0 {
                            let end = dram.issue(t, c.store);
                            last_store[c.op] = last_store[c.op].max(end);
                            wake.push(Reverse(end));
                        }
                        if c.last_of_op {
                            timing[c.op].compute_end = t;
                            let d = (t + plans[c.op].drain).max(last_store[c.op]);
                            done[c.op] = d;
                            timing[c.op].done = d;
                            wake.push(Reverse(d));
                        }
                        changed = true;
                    }
                }
                // 2. start
                if u.computing.is_none() {
                    if let (Some((op, tile)), Some(&arrived)) =
                        (u.tile_at(plans, &u.exec), u.inflight.front())
                    {
                        if arrived <= t && ready(&done, op, t) {
                            u.inflight.pop_front();
                            if !started[op] {
                                started[op] = true;
                                timing[op].start = t;
                            }
                            let mut exec = u.exec;
                            let last_of_op = u.advance(plans, &mut exec);
                            u.exec = exec;
                            let ideal_end = t + tile.busy;
                            let end = ideal_end + tile.sram_stall;
                            u.computing = Some(Computing {
                                op,
                                ideal_end,
                                end,
                                store: tile.store,
                                last_of_op,
                            });
                            wake.push(Reverse(ideal_end));
                            wake.push(Reverse(end));
                            events += 1;
                            changed = true;
                        }
                    }
                }
                // 3. fetch
                while u.inflight.len() + usize::from(u.computing.is_some()) < u.slots {
                    let Some((op, tile)) = u.tile_at(plans, &u.fetch) else {
                        break;
                    };
                    if tile.load_after_producers && !ready(&done, op, t) {
                        break;
                    }
                    let arrive = if tile.load > 0 {
                        dram.issue(t, tile.load)
                    } else {
                        t
                    };
                    wake.push(Reverse(arrive));
                    u.inflight.push_back(arrive);
                    let mut f = u.fetch;
                    u.advance(plans, &mut f);
                    u.fetch = f;
                    events += 1;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        let finished = units
            .iter()
            .all(|u| u.computing.is_none() && u.exec.op_pos >= u.ops.len());
        if finished {
            break;
        }

        // The next cycle at which anything can change.
        let next = if fast_forward {
            let mut next = u64::MAX;
            while let Some(&Reverse(w)) = wake.peek() {
                if w > t {
                    next = w;
                    break;
                }
                wake.pop();
            }
            assert!(
                next != u64::MAX,
                "the engine has work left but no future event"
            );
            next
        } else {
            t + 1
        };
        let span = next - t;

        // Charge the cycles [t, next).
        let mut any_busy = false;
        let mut any_memory = false;
        for (ui, u) in units.iter().enumerate() {
            let state = match &u.computing {
                Some(c) if t < c.ideal_end => State::Busy,
                Some(_) => State::SramStall,
                None => match u.tile_at(plans, &u.exec) {
                    None => State::Idle,
                    Some((op, _)) if !ready(&done, op, t) => State::DependencyStall,
                    Some(_) => State::MemoryStall,
                },
            };
            any_busy |= state == State::Busy;
            any_memory |= state == State::MemoryStall;
            unit_cycles[ui].add(state, span);
            if state != State::Idle {
                if let Some(op) = u.exec_op() {
                    timing[op].cycles.add(state, span);
                }
            }
        }
        if any_busy {
            bound.compute += span;
        } else if any_memory {
            bound.memory += span;
        } else {
            bound.other += span;
        }
        t = next;
    }

    // The run ends when the last result is complete.
    let end = done
        .iter()
        .copied()
        .filter(|&d| d != u64::MAX)
        .max()
        .unwrap_or(0)
        .max(t)
        .max(dram.bus_free());
    let tail = end - t;
    for c in unit_cycles.iter_mut() {
        c.idle += tail;
    }
    bound.other += tail;
    Timeline {
        cycles: end,
        ops: timing,
        units: unit_cycles,
        bound,
        events,
    }
}
