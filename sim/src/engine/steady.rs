//! Steady-state detection: the machine state at the start of each tile,
//! relative to the clock, is kept in a short history per unit; when it
//! repeats an earlier state shifted in time, the engine jumps over as many
//! further periods as the run of identical tiles (or the repetitions of
//! its pattern) allows, adding that many times one period's counters.

use super::{Bound, Cursor, Cycles, Engine};
use crate::mapping::Unit;
use std::cmp::Reverse;
use std::collections::VecDeque;

/// Snapshots kept per unit: periods of up to this many tiles are found.
const HISTORY: usize = 4;

/// The machine state at the start of a tile, relative to the clock, and the
/// counters at that moment.
pub(super) struct Snapshot {
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

impl Engine<'_> {
    /// The machine state relative to `t`, for steady-state detection by
    /// unit `ui` over a run (`by_rep` false) or over repetitions of a
    /// pattern (`by_rep` true).
    pub(super) fn signature(
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
            for f in &u.inflight {
                sig.extend([f.op as u64, rel(f.arrive), f.pending]);
            }
        }
        for u in &mut self.units {
            u.out.signature(t, sig);
        }
        // spills not yet read back: every one (a run that writes or reads
        // more than it does the other changes their count, and so never
        // repeats: the jump would skip their stores or read-backs)
        for (op, q) in self
            .spills
            .iter()
            .enumerate()
            .filter(|(_, q)| !q.is_empty())
        {
            sig.extend([op as u64, q.len() as u64]);
            for s in q {
                sig.extend([rel(s.landed), s.bytes, self.dram.beat_phase(s.addr)]);
            }
        }
        bus.push(rel(self.dram.bus_free().max(t + self.dram.latency())));
        self.dram.signature(t, sig);
        for &(d, op) in &self.pending_done {
            sig.extend([op as u64, rel(d)]);
        }
    }

    pub(super) fn exec_ops(&self) -> [Option<(usize, Cycles)>; Unit::COUNT] {
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
    pub(super) fn steady_state(&mut self, ui: usize, t: u64, started: Cursor) -> u64 {
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
        let others_busy = self.units.iter().enumerate().any(|(i, o)| {
            i != ui
                && (o.computing.is_some()
                    || o.inflight.iter().any(|f| f.arrive > t || f.pending > 0))
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
        // (a half freeing behind a growing store backlog would free later
        // each period)
        if bus_drift.is_some() && self.units.iter().any(|u| u.out.frees_after(t)) {
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
            for f in u.inflight.iter_mut() {
                later(&mut f.arrive);
            }
            u.out.shift(t, shift);
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
            for f in &u.inflight {
                self.wake.push(Reverse(f.arrive));
            }
            for r in u.out.releases() {
                self.wake.push(Reverse(r));
            }
        }
        for q in &mut self.spills {
            for s in q.iter_mut() {
                later(&mut s.landed);
                self.wake.push(Reverse(s.landed));
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
