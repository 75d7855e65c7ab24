//! The memory controller of one channel: read and write queues, a priority
//! queue for refresh, FR-FCFS scheduling, open- or closed-page policy, and
//! write draining between high and low watermarks.
//!
//! Every cycle of the DRAM clock it:
//! 1. returns the reads whose data has arrived (`CL + BL` after their RD);
//! 2. queues the refreshes that fall due;
//! 3. picks one command per command bus (HBM3 has a row and a column bus;
//!    the others one): first a column command of a request whose row it has
//!    already opened (the active set), then the oldest refresh, then, when no
//!    refresh waits, a request from the read queue — or from the write queue
//!    while writes drain. Within a queue FR-FCFS applies: the oldest request
//!    whose next command meets every timing constraint wins; when none is
//!    ready, nothing issues. A precharge never closes a row that an active
//!    request still needs.
//!
//! Writes drain when the write queue passes the high watermark (or no read
//! waits) and stop when it falls below the low one while reads wait.
//! LPDDR5 adds its two-part activation (ACT-1, then ACT-2 within tAAD, in a
//! free command slot or at the deadline) and the CAS command that starts the
//! data clock before an access when WCK has stopped.

pub mod canon;
mod config;
mod pick;
mod stats;

pub use config::{ControllerConfig, PagePolicy};
pub use stats::Stats;

use super::bank::Banks;
use super::refresh::{Due, Refresher};
use super::spec::{DramSpec, Standard};
use super::timing::{constraints, Cmd, Path, Shape, TimingState};
use std::collections::{HashSet, VecDeque};

/// A request in a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Req {
    id: u64,
    addr: u64,
    write: bool,
    path: Path,
    /// Flat index of `path`'s bank in the channel (derived from `path`).
    bank: usize,
    row: u32,
    arrive: u64,
    /// Next command to issue.
    cmd: Cmd,
    /// The command that completes it.
    last: Cmd,
    /// Row hit/miss already counted.
    counted: bool,
}

/// Where a candidate request lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Buf {
    Read,
    Write,
    Prio,
    Active,
}

/// The controller of one channel.
#[derive(Debug, Clone)]
pub struct Controller {
    standard: Standard,
    cfg: ControllerConfig,
    shape: Shape,
    timing: TimingState,
    banks: Banks,
    read_latency: u64,
    aad: u64,
    wck_tail: [u64; 2],
    rfc: u64,
    rfc_pb_share: u64,
    reads: Vec<Req>,
    writes: Vec<Req>,
    prio: Vec<Req>,
    active: Vec<Req>,
    /// LPDDR5: requests between ACT-1 and ACT-2, with the ACT-2 deadline.
    activating: Vec<(Req, u64)>,
    active_per_bank: Vec<u32>,
    act2_pending: Vec<bool>,
    n_act2_pending: usize,
    write_addrs: HashSet<u64>,
    /// Reads whose data is on its way: (arrival cycle, id).
    returning: VecDeque<(u64, u64)>,
    /// Reads queued, activating or active (no RD issued yet).
    reads_waiting: u64,
    write_mode: bool,
    clk: u64,
    refresher: Refresher,
    due: Vec<Due>,
    wck_expiry: u64,
    /// LPDDR5: a CAS was issued for this request; its access comes next.
    cas_for: Option<(Buf, usize)>,
    /// Command bus free from this cycle (single bus; HBM3 row bus).
    bus_free: u64,
    /// No command can issue before this cycle unless the state changes
    /// (a request arrives, a command issues, a refresh falls due): the
    /// earliest cycle any candidate of the last full scheduling pass may
    /// issue. 0 when unknown. Derived, never part of the canonical state.
    quiet_until: u64,
    /// During a scheduling pass: the least earliest-issue cycle over the
    /// eligible candidates that were not ready.
    scan_min: u64,
    /// The read and write queue lengths at the end of the last idle pass:
    /// requests behind them arrived since and were not scanned.
    scanned: [usize; 2],
    stats: Stats,
}

impl Controller {
    /// A controller for one channel of `spec`.
    pub fn new(spec: &DramSpec, cfg: ControllerConfig) -> Controller {
        let shape = Shape::of(spec);
        let t = &spec.timing;
        let nbanks = spec.org.banks_per_channel() as usize;
        Controller {
            standard: spec.standard,
            shape,
            timing: TimingState::new(shape, constraints(spec)),
            banks: Banks::new(spec),
            read_latency: u64::from(t.read_latency()),
            aad: u64::from(t.aad),
            wck_tail: [
                u64::from(t.cl + t.bl + t.wckpst),
                u64::from(t.cwl + t.bl + t.wckpst),
            ],
            rfc: u64::from(t.rfc),
            rfc_pb_share: u64::from(t.rfc_pb) / u64::from(spec.org.banks_per_rank()).max(1),
            reads: Vec::with_capacity(cfg.read_queue),
            writes: Vec::with_capacity(cfg.write_queue),
            prio: Vec::new(),
            active: Vec::new(),
            activating: Vec::new(),
            active_per_bank: vec![0; nbanks],
            act2_pending: vec![false; nbanks],
            n_act2_pending: 0,
            write_addrs: HashSet::new(),
            returning: VecDeque::new(),
            reads_waiting: 0,
            write_mode: false,
            clk: 0,
            refresher: Refresher::new(cfg.refresh, t.refi, t.refi_pb, &spec.org),
            due: Vec::new(),
            wck_expiry: 0,
            cas_for: None,
            bus_free: 0,
            quiet_until: 0,
            scan_min: u64::MAX,
            scanned: [0; 2],
            stats: Stats::default(),
            cfg,
        }
    }

    /// The current cycle.
    pub fn clk(&self) -> u64 {
        self.clk
    }

    /// Statistics so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Whether a request of this kind would find room now.
    pub fn has_room(&self, write: bool) -> bool {
        if write {
            self.writes.len() < self.cfg.write_queue
        } else {
            self.reads.len() < self.cfg.read_queue
        }
    }

    /// Addresses of the writes in the write queue (the ones a later request
    /// to the same address meets).
    pub fn queued_writes(&self) -> impl Iterator<Item = u64> + '_ {
        self.writes.iter().map(|r| r.addr)
    }

    /// Nothing queued, in flight or returning.
    pub fn is_idle(&self) -> bool {
        self.reads.is_empty()
            && self.writes.is_empty()
            && self.active.is_empty()
            && self.activating.is_empty()
            && self.returning.is_empty()
            && self.cas_for.is_none()
    }

    /// Offers request `id` (byte address `addr`, decoded to `path` and `row`)
    /// at the current cycle; false when its queue is full. A read of an
    /// address with a queued write is served from the write queue; a write to
    /// such an address merges with it (both complete at once, `done` gets them).
    pub fn send(
        &mut self,
        id: u64,
        addr: u64,
        write: bool,
        path: Path,
        row: u32,
        done: &mut Vec<(u64, u64)>,
    ) -> bool {
        // a request appended to a queue leaves `quiet_until` valid for the
        // requests already scanned; `quiet` scans the new ones
        if self.write_addrs.contains(&addr) {
            if write {
                self.stats.writes += 1;
                done.push((id, self.clk));
            } else {
                self.returning.push_back((self.clk + 1, id));
            }
            return true;
        }
        if !self.has_room(write) {
            return false;
        }
        let last = if write { Cmd::Wr } else { Cmd::Rd };
        let r = Req {
            id,
            addr,
            write,
            path,
            bank: self.shape.bank_index(&path),
            row,
            arrive: self.clk,
            cmd: last,
            last,
            counted: false,
        };
        if write {
            self.write_addrs.insert(addr);
            self.writes.push(r);
        } else {
            self.reads_waiting += 1;
            self.reads.push(r);
        }
        true
    }

    fn buffer(&mut self, b: Buf) -> &mut Vec<Req> {
        match b {
            Buf::Read => &mut self.reads,
            Buf::Write => &mut self.writes,
            Buf::Prio => &mut self.prio,
            Buf::Active => &mut self.active,
        }
    }

    fn buffer_ref(&self, b: Buf) -> &Vec<Req> {
        match b {
            Buf::Read => &self.reads,
            Buf::Write => &self.writes,
            Buf::Prio => &self.prio,
            Buf::Active => &self.active,
        }
    }

    /// Advances one cycle; completed requests are appended to `done` as
    /// (id, cycle).
    pub fn tick(&mut self, done: &mut Vec<(u64, u64)>) {
        self.clk += 1;
        let clk = self.clk;
        // the read-latency sum grows by the reads in flight this cycle:
        // each read adds one per cycle from the cycle after it arrived to
        // the cycle its data arrives, its latency in all
        let on_way = self.returning.iter().filter(|&&(at, _)| at >= clk).count();
        self.stats.read_latency_sum += self.reads_waiting + on_way as u64;
        while let Some(&(at, id)) = self.returning.front() {
            if at > clk {
                break;
            }
            self.returning.pop_front();
            self.stats.reads += 1;
            done.push((id, at));
        }
        self.refresher.tick(clk, &mut self.due);
        if !self.due.is_empty() {
            self.quiet_until = 0;
        }
        for d in self.due.drain(..) {
            let last = if d.all_bank { Cmd::RefAb } else { Cmd::RefPb };
            self.prio.push(Req {
                id: u64::MAX,
                addr: u64::MAX,
                write: false,
                path: d.path,
                bank: self.shape.bank_index(&d.path),
                row: 0,
                arrive: clk,
                cmd: last,
                last,
                counted: true,
            });
        }
        match self.standard {
            Standard::Hbm3 => self.schedule_dual(done),
            Standard::Lpddr5 => self.schedule_lpddr5(done),
            Standard::Ddr4 | Standard::Ddr5 => self.schedule_single(done),
        }
        self.banks.account(&mut self.stats.counts);
    }

    /// One command bus: active set, then refresh, then reads or writes.
    fn schedule_single(&mut self, done: &mut Vec<(u64, u64)>) {
        if self.clk < self.bus_free || self.quiet() {
            return;
        }
        self.begin_pass();
        let any = |_: &Self, _: Cmd, _: &Path| true;
        let cand = self
            .pick(Buf::Active, any)
            .map(|i| (Buf::Active, i))
            .or_else(|| self.pick_prio(any).map(|i| (Buf::Prio, i)))
            .or_else(|| {
                if self.prio.is_empty() {
                    self.pick_rw(any)
                } else {
                    None
                }
            });
        match cand {
            Some((b, i)) => self.issue(b, i, done),
            None => self.end_idle_pass(),
        }
    }

    /// HBM3: a column command and a row command per cycle.
    fn schedule_dual(&mut self, done: &mut Vec<(u64, u64)>) {
        let col = |_: &Self, c: Cmd, _: &Path| c.is_column();
        let row = |_: &Self, c: Cmd, _: &Path| !c.is_column();
        let cand = self
            .pick(Buf::Active, col)
            .map(|i| (Buf::Active, i))
            .or_else(|| self.pick_prio(col).map(|i| (Buf::Prio, i)))
            .or_else(|| {
                if self.prio.is_empty() {
                    self.pick_rw(col)
                } else {
                    None
                }
            });
        if let Some((b, i)) = cand {
            self.issue(b, i, done);
        }
        if self.clk < self.bus_free {
            return;
        }
        let cand = self.pick_prio(row).map(|i| (Buf::Prio, i)).or_else(|| {
            if self.prio.is_empty() {
                self.pick_rw(row)
            } else {
                None
            }
        });
        if let Some((b, i)) = cand {
            self.issue(b, i, done);
        }
    }

    /// LPDDR5: one command bus shared by ACT-1/ACT-2, CAS and the rest.
    fn schedule_lpddr5(&mut self, done: &mut Vec<(u64, u64)>) {
        let clk = self.clk;
        if let Some((b, i)) = self.cas_for {
            let r = &self.buffer_ref(b)[i];
            if self.timing.ready(r.cmd, &r.path, clk) {
                self.cas_for = None;
                self.issue(b, i, done);
            }
            return;
        }
        if self.quiet() {
            return;
        }
        self.begin_pass();
        // an ACT-2 at its deadline goes first
        if let Some(k) = self.act2_at(|d| d <= clk) {
            self.issue_act2(k);
            return;
        }
        let allowed = |s: &Self, c: Cmd, p: &Path| s.allowed_during_act2(c, p);
        let cand = self
            .pick(Buf::Active, allowed)
            .map(|i| (Buf::Active, i))
            .or_else(|| self.pick_prio(allowed).map(|i| (Buf::Prio, i)))
            .or_else(|| {
                if self.prio.is_empty() {
                    self.pick_rw(allowed)
                } else {
                    None
                }
            });
        let Some((b, i)) = cand else {
            match self.act2_at(|_| true) {
                Some(k) => self.issue_act2(k),
                None => self.end_idle_pass(),
            }
            return;
        };
        let (cmd, path) = {
            let r = &self.buffer_ref(b)[i];
            (r.cmd, r.path)
        };
        if cmd.is_access() && clk >= self.wck_expiry {
            // WCK must be synchronized first; an ACT-2 due next cycle cannot wait
            if let Some(k) = self.act2_at(|d| d <= clk + 1) {
                self.issue_act2(k);
                return;
            }
            let cas = if cmd.is_read() {
                Cmd::CasRd
            } else {
                Cmd::CasWr
            };
            if self.timing.ready(cas, &path, clk) {
                self.timing.issue(cas, &path, clk);
                self.cas_for = Some((b, i));
                self.quiet_until = 0;
            }
            return;
        }
        self.issue(b, i, done);
    }

    /// The pending ACT-2 with the earliest deadline that passes `f`.
    fn act2_at(&self, f: impl Fn(u64) -> bool) -> Option<usize> {
        let mut best: Option<(usize, u64, u64)> = None;
        for (k, (r, d)) in self.activating.iter().enumerate() {
            if !f(*d) {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, bd, ba)) => *d < bd || (*d == bd && r.arrive < ba),
            };
            if better {
                best = Some((k, *d, r.arrive));
            }
        }
        best.map(|b| b.0)
    }

    fn issue_act2(&mut self, k: usize) {
        self.quiet_until = 0;
        let (r, _) = self.activating.remove(k);
        let bank = r.bank;
        self.timing.issue(Cmd::Act2, &r.path, self.clk);
        self.act2_pending[bank] = false;
        self.n_act2_pending -= 1;
        self.active_per_bank[bank] += 1;
        self.active.push(r);
    }

    /// Whether another queued request wants the row `r` is about to access.
    fn row_wanted(&self, b: Buf, i: usize) -> bool {
        let r = &self.buffer_ref(b)[i];
        let same = |o: &Req| o.path == r.path && o.row == r.row;
        let others = |v: &Vec<Req>, skip: Option<usize>| {
            v.iter()
                .enumerate()
                .any(|(j, o)| Some(j) != skip && same(o))
        };
        others(&self.reads, (b == Buf::Read).then_some(i))
            || others(&self.writes, (b == Buf::Write).then_some(i))
            || others(&self.active, (b == Buf::Active).then_some(i))
    }

    /// Issues the next command of request `i` of `b`.
    fn issue(&mut self, b: Buf, i: usize, done: &mut Vec<(u64, u64)>) {
        self.quiet_until = 0;
        let clk = self.clk;
        let mut cmd = self.buffer_ref(b)[i].cmd;
        let path = self.buffer_ref(b)[i].path;
        if self.cfg.page == PagePolicy::Closed && cmd.is_access() && !self.row_wanted(b, i) {
            let auto = if cmd.is_read() { Cmd::Rda } else { Cmd::Wra };
            if self.timing.ready(auto, &path, clk) {
                cmd = auto;
            }
        }
        // row-buffer outcome, counted at a request's first command
        if !self.buffer_ref(b)[i].counted {
            let r = &self.buffer_ref(b)[i];
            match self.banks.open_row(&self.shape, &r.path) {
                Some(row) if row == r.row => self.stats.row_hits += 1,
                Some(_) => self.stats.row_conflicts += 1,
                None => self.stats.row_misses += 1,
            }
            self.buffer(b)[i].counted = true;
        }
        self.timing.issue(cmd, &path, clk);
        let row = self.buffer_ref(b)[i].row;
        let c = &mut self.stats.counts;
        match cmd {
            Cmd::Act => {
                c.act += 1;
                self.banks.open(&self.shape, &path, row);
            }
            Cmd::Pre => {
                c.pre += 1;
                self.banks.close(&self.shape, &path);
            }
            Cmd::PreA => c.pre += self.banks.close_rank(path.rank),
            Cmd::Rd => c.rd += 1,
            Cmd::Wr => c.wr += 1,
            Cmd::Rda => {
                c.rd += 1;
                c.pre += 1;
                self.banks.close(&self.shape, &path);
            }
            Cmd::Wra => {
                c.wr += 1;
                c.pre += 1;
                self.banks.close(&self.shape, &path);
            }
            Cmd::RefAb => {
                c.ref_ab += 1;
                self.stats.refresh_cycles += self.rfc;
            }
            Cmd::RefPb => {
                c.ref_pb += 1;
                self.stats.refresh_cycles += self.rfc_pb_share;
            }
            Cmd::Act2 | Cmd::CasRd | Cmd::CasWr => {}
        }
        if self.standard != Standard::Hbm3 || !cmd.is_column() {
            self.bus_free = clk + 1 + u64::from(self.standard == Standard::Hbm3 && cmd == Cmd::Act);
        }
        if cmd.is_access() && self.standard == Standard::Lpddr5 {
            let tail = self.wck_tail[usize::from(!cmd.is_read())];
            self.wck_expiry = self.wck_expiry.max(clk + tail);
        }
        let last = self.buffer_ref(b)[i].last;
        let finishes = cmd == last || (cmd.is_access() && last.is_access());
        if finishes {
            let r = self.buffer(b).remove(i);
            self.retire(b, r, done);
        } else if cmd == Cmd::Act {
            let r = self.buffer(b).remove(i);
            if b == Buf::Write {
                self.write_addrs.remove(&r.addr);
            }
            let bank = r.bank;
            if self.standard == Standard::Lpddr5 {
                self.act2_pending[bank] = true;
                self.n_act2_pending += 1;
                self.activating.push((r, clk + self.aad));
            } else {
                self.active_per_bank[bank] += 1;
                self.active.push(r);
            }
        }
    }

    fn retire(&mut self, b: Buf, r: Req, done: &mut Vec<(u64, u64)>) {
        if b == Buf::Active {
            self.active_per_bank[r.bank] -= 1;
        }
        if b == Buf::Write {
            self.write_addrs.remove(&r.addr);
        }
        if b == Buf::Prio {
            return;
        }
        if r.write {
            self.stats.writes += 1;
            done.push((r.id, self.clk));
        } else {
            self.reads_waiting -= 1;
            self.returning
                .push_back((self.clk + self.read_latency, r.id));
        }
    }

    /// The next cycle after the current one at which this controller could
    /// change state on its own when it holds no request: a refresh falling
    /// due, or a read returning.
    pub fn next_wake(&self) -> u64 {
        let mut t = self.refresher.next_due();
        if let Some(&(at, _)) = self.returning.front() {
            t = t.min(at);
        }
        if !self.prio.is_empty() || !self.is_idle() {
            t = self.clk + 1;
        }
        t
    }

    /// Skips idle cycles up to `to - 1` (nothing is queued; the next tick is
    /// cycle `to`), charging the standby cycles.
    pub fn skip_to(&mut self, to: u64) {
        if to <= self.clk + 1 {
            return;
        }
        let n = to - 1 - self.clk;
        self.banks.account_n(&mut self.stats.counts, n);
        self.clk = to - 1;
        self.quiet_until = 0;
    }
}
