//! The canonical form of a controller's state: everything that decides its
//! future, written as words relative to an [`Anchor`] (the current cycle,
//! the next request id, the first id of the transfer being fed, a byte
//! address and a row), so that two states that differ only by a shift in
//! time, in request ids and in addresses by whole rows have the same words.
//! Statistics and the refresh schedule are left out (the caller keeps them).
//!
//! Values that can no longer matter are written capped: a timing constraint
//! already met as 0 ([`super::super::timing::TimingState::canon`]), a data
//! clock (WCK) or command bus already free as 0. Three more are written by
//! what they decide rather than by value, so that a request passed over for
//! long (FR-FCFS serving the row hits of a stream before it) does not make
//! every state new:
//! - a request's arrival only orders it against the other requests the
//!   controller holds (FR-FCFS among active requests, ACT-2 ties) and against
//!   later ones, which all arrive after the current cycle: it is written as
//!   its rank among the distinct arrivals held (the read-latency sum does
//!   not need it, it grows by the reads in flight each cycle);
//! - a request id only tells the channel which transfer completed: ids of
//!   earlier transfers (below the anchor's first id) are written as one mark;
//! - a read's address decides nothing (only queued writes are merged with):
//!   it is not written.
//!
//! Restoring the words with another anchor gives a controller that behaves,
//! cycle for cycle, like the one that wrote them, shifted by the difference
//! of the anchors, with the same completions of the current transfer.

use super::{Buf, Controller, Req, Stats};
use crate::memory::banked::timing::{Cmd, Path};

/// What a canonical state is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    /// The current cycle.
    pub clk: u64,
    /// The next request id.
    pub id: u64,
    /// The first request id of the transfer being fed (ids below it are
    /// written as [`OLD`]).
    pub base: u64,
    /// A byte address (request addresses are written relative to it).
    pub addr: u64,
    /// The highest address in a write queue (queued writes' addresses are
    /// written relative to it; 0 when none is queued).
    pub waddr: u64,
    /// A row (rows are written relative to it, modulo the row count).
    pub row: u32,
    /// Row count minus one (a power of two minus one).
    pub row_mask: u32,
}

const NONE: u64 = u64::MAX;
/// The mark of a request id of an earlier transfer.
pub const OLD: u64 = u64::MAX - 1;
/// The mark of a far row: `FAR | k` is the `k`-th distinct far row met.
const FAR: u64 = 1 << 40;
/// Rows within this distance of the anchor's (modulo the row count) are
/// near: written relative to it. Every other row is far.
pub const NEAR: u32 = 2;

fn cmd_of(i: u64) -> Cmd {
    Cmd::ALL[i as usize]
}

fn buf_code(b: Buf) -> u64 {
    match b {
        Buf::Read => 0,
        Buf::Write => 1,
        Buf::Prio => 2,
        Buf::Active => 3,
    }
}

fn buf_of(c: u64) -> Buf {
    match c {
        0 => Buf::Read,
        1 => Buf::Write,
        2 => Buf::Prio,
        _ => Buf::Active,
    }
}

impl Anchor {
    fn rel_row(&self, row: u32) -> u64 {
        u64::from(row.wrapping_sub(self.row) & self.row_mask)
    }

    fn abs_row(&self, rel: u64) -> u32 {
        (rel as u32).wrapping_add(self.row) & self.row_mask
    }

    /// Whether `row` lies within [`NEAR`] rows of the anchor's.
    pub fn near(&self, row: u32) -> bool {
        let d = row.wrapping_sub(self.row) & self.row_mask;
        d <= NEAR || d >= self.row_mask.saturating_sub(NEAR - 1)
    }

    /// A row's word: near rows relative to the anchor's, far ones by their
    /// place among the distinct far rows met so far (`far`, extended).
    fn put_row(&self, row: u32, far: &mut Vec<u32>) -> u64 {
        if self.near(row) {
            return self.rel_row(row);
        }
        let k = far.iter().position(|&r| r == row).unwrap_or_else(|| {
            far.push(row);
            far.len() - 1
        });
        FAR | k as u64
    }

    fn get_row(&self, w: u64, far: &[u32]) -> u32 {
        if w & FAR != 0 {
            far[(w & !FAR) as usize]
        } else {
            self.abs_row(w)
        }
    }

    fn put_id(&self, id: u64) -> u64 {
        // every queued id lies below the anchor's: written as its distance
        // back from it, 0 for a refresh (id u64::MAX), OLD below the base
        if id == NONE {
            0
        } else if id < self.base {
            OLD
        } else {
            self.id - id
        }
    }

    fn get_id(&self, w: u64) -> u64 {
        match w {
            0 => NONE,
            OLD => self.base - 1,
            d => self.id - d,
        }
    }

    /// `rank`: the request's arrival among the distinct arrivals held
    /// (0 the earliest; refreshes, whose arrival decides nothing, 0).
    /// `queued`: `r` is in the write queue.
    fn put_req(&self, r: &Req, rank: u64, queued: bool, out: &mut Vec<u64>, far: &mut Vec<u32>) {
        out.push(self.put_id(r.id));
        // a refresh's address is u64::MAX; only a queued write's address is
        // written (reads and activated writes merge with nothing), relative
        // to the highest queued one: whole bursts, so never u64::MAX
        out.push(if r.addr == NONE {
            NONE
        } else if !queued {
            0
        } else {
            self.waddr.wrapping_sub(r.addr)
        });
        out.push(
            u64::from(r.path.rank) << 48
                | u64::from(r.path.sid) << 32
                | u64::from(r.path.bg) << 16
                | u64::from(r.path.bank),
        );
        // a refresh's row is unused
        out.push(if r.id == NONE {
            0
        } else {
            self.put_row(r.row, far)
        });
        out.push(rank);
        out.push(
            (r.cmd.idx() as u64) << 16
                | (r.last.idx() as u64) << 8
                | u64::from(r.write) << 1
                | u64::from(r.counted),
        );
    }

    /// `ranks`: the distinct arrivals held (restored as the `ranks` cycles
    /// before the current one, in order).
    fn get_req(&self, w: &[u64], ranks: u64, far: &[u32]) -> Req {
        let p = w[2];
        let f = w[5];
        Req {
            id: self.get_id(w[0]),
            addr: if w[1] == NONE {
                NONE
            } else {
                self.waddr.wrapping_sub(w[1])
            },
            path: Path {
                rank: (p >> 48) as u32,
                sid: (p >> 32 & 0xffff) as u32,
                bg: (p >> 16 & 0xffff) as u32,
                bank: (p & 0xffff) as u32,
            },
            // set by the caller, which knows the shape
            bank: 0,
            row: if w[0] == 0 {
                0
            } else {
                self.get_row(w[3], far)
            },
            arrive: self.clk - (ranks - w[4]),
            cmd: cmd_of(f >> 16 & 0xff),
            last: cmd_of(f >> 8 & 0xff),
            write: f & 2 != 0,
            counted: f & 1 != 0,
        }
    }
}

const REQ_WORDS: usize = 6;

impl Controller {
    /// The distinct arrivals of the requests this controller holds
    /// (refreshes aside), earliest first.
    fn arrivals(&self) -> Vec<u64> {
        let queued = [&self.reads, &self.writes, &self.active];
        let mut v: Vec<u64> = queued
            .iter()
            .flat_map(|q| q.iter())
            .chain(self.activating.iter().map(|(r, _)| r))
            .map(|r| r.arrive)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Appends the canonical words of this controller's state relative to
    /// `a` (whose `clk` must be the controller's current cycle); returns the
    /// largest distance back from the anchor's id of any request of the
    /// current transfer it holds (0 when it holds none). Far rows (beyond
    /// [`NEAR`] of the anchor's) are written by their place in `far`, which
    /// gains the ones not met before: the words say only which far rows
    /// equal each other, `far` holds their values.
    pub fn canon(&self, a: &Anchor, out: &mut Vec<u64>, far: &mut Vec<u32>) -> u64 {
        let clk = self.clk;
        debug_assert_eq!(clk, a.clk);
        self.timing.canon(clk, out);
        out.extend(
            self.banks
                .open_rows()
                .iter()
                .map(|r| r.map_or(NONE, |r| a.put_row(r, far))),
        );
        let arrivals = self.arrivals();
        let rank = |r: &Req| {
            if r.id == NONE {
                0
            } else {
                arrivals.partition_point(|&x| x < r.arrive) as u64
            }
        };
        out.push(arrivals.len() as u64);
        for (k, v) in [&self.reads, &self.writes, &self.prio, &self.active]
            .into_iter()
            .enumerate()
        {
            out.push(v.len() as u64);
            for r in v {
                a.put_req(r, rank(r), k == 1, out, far);
            }
        }
        out.push(self.activating.len() as u64);
        for (r, d) in &self.activating {
            a.put_req(r, rank(r), false, out, far);
            // a deadline may lie in the past: kept exactly, two's complement
            out.push(d.wrapping_sub(clk));
        }
        out.push(self.returning.len() as u64);
        for &(at, id) in &self.returning {
            // a read merged behind a later one may wait past its arrival:
            // kept exactly, two's complement
            out.extend([at.wrapping_sub(clk), a.put_id(id)]);
        }
        out.push(u64::from(self.write_mode));
        out.push(self.wck_expiry.saturating_sub(clk));
        out.push(self.bus_free.saturating_sub(clk));
        out.push(match self.cas_for {
            Some((b, i)) => buf_code(b) << 32 | i as u64,
            None => NONE,
        });
        let reqs = [&self.reads, &self.writes, &self.active];
        let queued = reqs.iter().flat_map(|v| v.iter()).map(|r| r.id);
        let arming = self.activating.iter().map(|(r, _)| r.id);
        let back = self.returning.iter().map(|&(_, id)| id);
        queued
            .chain(arming)
            .chain(back)
            .filter(|&id| id != NONE && id >= a.base)
            .map(|id| a.id - id)
            .max()
            .unwrap_or(0)
    }

    /// Sets the state from words written by [`Controller::canon`], read
    /// relative to `a` with the far rows `far`; the statistics and the
    /// refresh schedule are kept. Returns the words read.
    pub fn restore(&mut self, a: &Anchor, w: &[u64], far: &[u32]) -> usize {
        self.clk = a.clk;
        let clk = a.clk;
        let mut k = self.timing.restore(clk, w);
        let nb = self.active_per_bank.len();
        self.banks.set_open(
            w[k..k + nb]
                .iter()
                .map(|&r| (r != NONE).then(|| a.get_row(r, far))),
        );
        k += nb;
        let ranks = w[k];
        k += 1;
        let read_vec = |k: &mut usize| -> Vec<Req> {
            let n = w[*k] as usize;
            *k += 1;
            let v = (0..n)
                .map(|i| a.get_req(&w[*k + i * REQ_WORDS..], ranks, far))
                .collect();
            *k += n * REQ_WORDS;
            v
        };
        self.reads = read_vec(&mut k);
        self.writes = read_vec(&mut k);
        self.prio = read_vec(&mut k);
        self.active = read_vec(&mut k);
        let n = w[k] as usize;
        k += 1;
        self.activating.clear();
        for _ in 0..n {
            let r = a.get_req(&w[k..], ranks, far);
            k += REQ_WORDS;
            self.activating.push((r, w[k].wrapping_add(clk)));
            k += 1;
        }
        let n = w[k] as usize;
        k += 1;
        self.returning.clear();
        for _ in 0..n {
            self.returning
                .push_back((w[k].wrapping_add(clk), a.get_id(w[k + 1])));
            k += 2;
        }
        self.write_mode = w[k] != 0;
        self.wck_expiry = clk + w[k + 1];
        self.bus_free = clk + w[k + 2];
        self.quiet_until = 0;
        self.cas_for =
            (w[k + 3] != NONE).then(|| (buf_of(w[k + 3] >> 32), (w[k + 3] & 0xffff_ffff) as usize));
        k += 4;
        // derived: flat bank indices, requests per bank past their
        // activation, banks between ACT-1 and ACT-2, addresses of queued
        // writes
        let shape = self.shape;
        for r in [
            &mut self.reads,
            &mut self.writes,
            &mut self.prio,
            &mut self.active,
        ]
        .into_iter()
        .flat_map(|v| v.iter_mut())
        .chain(self.activating.iter_mut().map(|(r, _)| r))
        {
            r.bank = shape.bank_index(&r.path);
        }
        self.active_per_bank.iter_mut().for_each(|n| *n = 0);
        for r in &self.active {
            self.active_per_bank[self.shape.bank_index(&r.path)] += 1;
        }
        self.act2_pending.iter_mut().for_each(|p| *p = false);
        for (r, _) in &self.activating {
            self.act2_pending[self.shape.bank_index(&r.path)] = true;
        }
        self.n_act2_pending = self.activating.len();
        self.write_addrs.clear();
        self.write_addrs.extend(self.writes.iter().map(|r| r.addr));
        let reads_held = [&self.reads, &self.active]
            .into_iter()
            .flat_map(|v| v.iter())
            .chain(self.activating.iter().map(|(r, _)| r))
            .filter(|r| !r.write)
            .count();
        self.reads_waiting = reads_held as u64;
        self.due.clear();
        k
    }

    /// The refresh schedule: the cycle the next refresh falls due and the
    /// bank it goes to (per-bank refresh).
    pub fn refresh_state(&self) -> (u64, u32) {
        (self.refresher.next_due(), self.refresher.cursor())
    }

    /// Sets the refresh schedule.
    pub fn set_refresh_state(&mut self, next: u64, cursor: u32) {
        self.refresher.set(next, cursor);
    }

    /// Adds `d` to the statistics (the counters of a memoized stretch).
    pub fn add_stats(&mut self, d: &Stats) {
        self.stats.add_k(d, 1);
    }
}
