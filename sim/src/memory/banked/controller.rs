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

use super::bank::Banks;
use super::power::Counts;
use super::refresh::{Due, RefreshPolicy, Refresher};
use super::spec::{DramSpec, Standard};
use super::timing::{constraints, Cmd, Path, Shape, TimingState};
use serde::{Deserialize, Serialize};
use std::collections::{HashSet, VecDeque};

/// Row-buffer policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PagePolicy {
    /// Rows stay open until a conflicting request or a refresh closes them.
    #[default]
    Open,
    /// An access with no other queued request to its row auto-precharges.
    Closed,
}

impl PagePolicy {
    /// Parses a policy name.
    pub fn parse(s: &str) -> Option<PagePolicy> {
        match s {
            "open" => Some(PagePolicy::Open),
            "closed" => Some(PagePolicy::Closed),
            _ => None,
        }
    }

    /// The policy's name.
    pub fn name(self) -> &'static str {
        match self {
            PagePolicy::Open => "open",
            PagePolicy::Closed => "closed",
        }
    }
}

/// Controller parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControllerConfig {
    /// Read queue entries.
    pub read_queue: usize,
    /// Write queue entries.
    pub write_queue: usize,
    /// Writes drain above this share of the write queue...
    pub write_high: f64,
    /// ...until they fall below this share (while reads wait).
    pub write_low: f64,
    /// Row-buffer policy.
    pub page: PagePolicy,
    /// Refresh policy.
    pub refresh: RefreshPolicy,
}

impl Default for ControllerConfig {
    /// 32-entry queues and 0.8 / 0.2 watermarks (the defaults of Ramulator 2's
    /// controllers, an assumption for a generic accelerator controller),
    /// open page, all-bank refresh.
    fn default() -> Self {
        ControllerConfig {
            read_queue: 32,
            write_queue: 32,
            write_high: 0.8,
            write_low: 0.2,
            page: PagePolicy::Open,
            refresh: RefreshPolicy::AllBank,
        }
    }
}

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

/// Row-buffer and traffic statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Commands and standby cycles (the power model's inputs).
    pub counts: Counts,
    /// Requests whose row was open.
    pub row_hits: u64,
    /// Requests to a closed bank.
    pub row_misses: u64,
    /// Requests to a bank open to another row.
    pub row_conflicts: u64,
    /// Reads served.
    pub reads: u64,
    /// Writes served.
    pub writes: u64,
    /// Rank-cycles blocked by refresh (tRFC per REFab, tRFCpb / banks per REFpb).
    pub refresh_cycles: u64,
    /// Sum of read latencies (arrival to data), cycles.
    pub read_latency_sum: u64,
}

impl Stats {
    /// `self - b`.
    pub fn minus(&self, b: &Stats) -> Stats {
        Stats {
            counts: self.counts.minus(&b.counts),
            row_hits: self.row_hits - b.row_hits,
            row_misses: self.row_misses - b.row_misses,
            row_conflicts: self.row_conflicts - b.row_conflicts,
            reads: self.reads - b.reads,
            writes: self.writes - b.writes,
            refresh_cycles: self.refresh_cycles - b.refresh_cycles,
            read_latency_sum: self.read_latency_sum - b.read_latency_sum,
        }
    }

    /// Adds `k` times `d`.
    pub fn add_k(&mut self, d: &Stats, k: u64) {
        self.counts.add_k(&d.counts, k);
        self.row_hits += k * d.row_hits;
        self.row_misses += k * d.row_misses;
        self.row_conflicts += k * d.row_conflicts;
        self.reads += k * d.reads;
        self.writes += k * d.writes;
        self.refresh_cycles += k * d.refresh_cycles;
        self.read_latency_sum += k * d.read_latency_sum;
    }
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

    /// The command `r` needs next, or `None` while its bank is between ACT-1
    /// and ACT-2 for another request.
    fn prereq(&self, r: &Req) -> Option<Cmd> {
        match r.last {
            Cmd::RefAb => Some(if self.banks.rank_open(r.path.rank) {
                Cmd::PreA
            } else {
                Cmd::RefAb
            }),
            Cmd::RefPb => Some(match self.banks.open_row_at(r.bank) {
                Some(_) => Cmd::Pre,
                None => Cmd::RefPb,
            }),
            last => {
                if self.act2_pending[r.bank] {
                    return None;
                }
                Some(match self.banks.open_row_at(r.bank) {
                    Some(row) if row == r.row => last,
                    Some(_) => Cmd::Pre,
                    None => Cmd::Act,
                })
            }
        }
    }

    /// Whether `cmd` to `p` (flat bank index `bank`) would close a row an
    /// active request needs.
    fn closes_active(&self, cmd: Cmd, p: &Path, bank: usize) -> bool {
        if !cmd.is_closing() || self.active.is_empty() {
            return false;
        }
        if cmd.rank_scope() {
            self.active.iter().any(|a| a.path.rank == p.rank)
        } else {
            self.active_per_bank[bank] > 0
        }
    }

    /// LPDDR5: whether `cmd` may issue while some ACT-2 is pending.
    fn allowed_during_act2(&self, cmd: Cmd, p: &Path) -> bool {
        if self.n_act2_pending == 0 {
            return true;
        }
        match cmd {
            Cmd::Act => false,
            Cmd::CasRd | Cmd::CasWr | Cmd::Rd | Cmd::Wr | Cmd::Rda | Cmd::Wra => true,
            Cmd::PreA | Cmd::RefAb => !self.activating.iter().any(|(a, _)| a.path.rank == p.rank),
            Cmd::Pre | Cmd::RefPb => !self.act2_pending[self.shape.bank_index(p)],
            Cmd::Act2 => false,
        }
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

    /// FR-FCFS over `b`: the oldest request whose next command passes
    /// `filter` and is ready; `None` when the oldest eligible ones are not.
    /// Lowers `scan_min` to the earliest-issue cycle `e` of a candidate
    /// that was not ready.
    fn note_not_ready(&mut self, e: u64) {
        self.scan_min = self.scan_min.min(e);
    }

    fn pick(&mut self, b: Buf, filter: impl Fn(&Self, Cmd, &Path) -> bool) -> Option<usize> {
        let clk = self.clk;
        let mut best: Option<(usize, bool, u64)> = None;
        let sorted = matches!(b, Buf::Read | Buf::Write);
        let n = self.buffer_ref(b).len();
        for i in 0..n {
            let r = &self.buffer_ref(b)[i];
            let Some(cmd) = self.prereq(r) else {
                continue;
            };
            let path = r.path;
            let bank = r.bank;
            let arrive = r.arrive;
            self.buffer(b)[i].cmd = cmd;
            if !filter(self, cmd, &path) || self.closes_active(cmd, &path, bank) {
                continue;
            }
            let e = self.timing.earliest_at(cmd, &path, bank);
            let ok = e <= clk;
            if !ok {
                self.note_not_ready(e);
            }
            // the read and write queues are in arrival order: the first
            // ready request is the oldest ready one
            if ok && sorted {
                return Some(i);
            }
            best = match best {
                None => Some((i, ok, arrive)),
                Some((j, bok, barr)) => {
                    if ok != bok {
                        if ok {
                            Some((i, ok, arrive))
                        } else {
                            Some((j, bok, barr))
                        }
                    } else if arrive < barr {
                        Some((i, ok, arrive))
                    } else {
                        Some((j, bok, barr))
                    }
                }
            };
        }
        best.filter(|b| b.1).map(|b| b.0)
    }

    /// The oldest refresh, when its next command is ready.
    fn pick_prio(&mut self, filter: impl Fn(&Self, Cmd, &Path) -> bool) -> Option<usize> {
        let r = self.prio.first()?;
        let cmd = self.prereq(r)?;
        let path = r.path;
        let bank = r.bank;
        self.prio[0].cmd = cmd;
        if self.closes_active(cmd, &path, bank) || !filter(self, cmd, &path) {
            return None;
        }
        let e = self.timing.earliest_at(cmd, &path, bank);
        if e > self.clk {
            self.note_not_ready(e);
            return None;
        }
        Some(0)
    }

    /// The write mode [`Controller::set_write_mode`] would set.
    fn next_write_mode(&self) -> bool {
        let n = self.writes.len() as f64;
        let cap = self.cfg.write_queue as f64;
        if !self.write_mode {
            n > self.cfg.write_high * cap || self.reads.is_empty()
        } else {
            !(n < self.cfg.write_low * cap && !self.reads.is_empty())
        }
    }

    fn set_write_mode(&mut self) {
        self.write_mode = self.next_write_mode();
    }

    /// Whether this cycle can be left unscheduled: an earlier full pass
    /// found nothing ready and said no command can issue before
    /// `quiet_until`, nothing but arrivals has changed since, the write mode
    /// the pass would set (read and written only while no refresh waits) is
    /// the one it ran with, and no request that arrived since in the queue
    /// it would scan is ready (those get their next command, as the pass
    /// would give them, and lower `quiet_until` to their earliest cycle).
    fn quiet(&mut self) -> bool {
        if self.clk >= self.quiet_until {
            return false;
        }
        if !self.prio.is_empty() {
            // the read and write queues are not scanned while a refresh waits
            return true;
        }
        if self.next_write_mode() != self.write_mode {
            return false;
        }
        let (b, q) = if self.write_mode {
            (Buf::Write, 1)
        } else {
            (Buf::Read, 0)
        };
        let n = self.buffer_ref(b).len();
        for i in self.scanned[q]..n {
            let r = &self.buffer_ref(b)[i];
            let Some(cmd) = self.prereq(r) else {
                continue;
            };
            let (path, bank) = (r.path, r.bank);
            self.buffer(b)[i].cmd = cmd;
            if !self.allowed_during_act2(cmd, &path) || self.closes_active(cmd, &path, bank) {
                continue;
            }
            let e = self.timing.earliest_at(cmd, &path, bank);
            if e <= self.clk {
                return false;
            }
            self.quiet_until = self.quiet_until.min(e);
        }
        self.scanned[q] = n;
        true
    }

    /// Starts a full scheduling pass.
    fn begin_pass(&mut self) {
        self.quiet_until = 0;
        self.scan_min = u64::MAX;
    }

    /// Ends a full scheduling pass in which no command could issue (the
    /// state is unchanged): no cycle before the least earliest-issue cycle
    /// met can issue one either, until the state changes.
    fn end_idle_pass(&mut self) {
        self.quiet_until = self.scan_min;
        self.scanned = [self.reads.len(), self.writes.len()];
    }

    fn pick_rw(&mut self, filter: impl Fn(&Self, Cmd, &Path) -> bool) -> Option<(Buf, usize)> {
        self.set_write_mode();
        let b = if self.write_mode {
            Buf::Write
        } else {
            Buf::Read
        };
        self.pick(b, filter).map(|i| (b, i))
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
