//! The banked model behind the simulator's engine: the engine issues a
//! transfer (bytes at an address, load or store) at an accelerator cycle and
//! needs the cycle at which its last byte has arrived.
//!
//! A transfer becomes one request per burst at consecutive addresses. The
//! requests enter the controllers in issue order, not before the transfer's
//! issue cycle, at most one per channel per DRAM cycle, behind every request
//! of earlier transfers. The device state moves forward only to the cycle at
//! which the transfer's last request has entered its queue; its completion is
//! found by running a copy of the controllers on from there. So a transfer's
//! completion accounts for all earlier traffic and none issued after it.
//!
//! Clocks: an accelerator clock of `f` MHz (the design's `clock_ghz`
//! rounded to whole MHz) and a DRAM clock of period `tCK` ps convert exactly:
//! `dram = ceil(accel * 10^6 / (f * tCK))`, `accel = ceil(dram * f * tCK / 10^6)`.

use super::controller::canon::{Anchor, NEAR};
use super::controller::{Controller, Stats};
use super::mapping::{decode, Mapping};
use super::memo::{Memo, Outcome};
use super::memo_pool;
use super::replay::{summarize, ReplayResult, SystemConfig};
use super::spec::DramSpec;

/// Where a transfer's feed stands.
#[derive(Debug, Clone, Copy)]
struct Feed {
    /// Id of its first request.
    base: u64,
    /// Its bursts.
    n: u64,
    /// Address of its first burst.
    first: u64,
    write: bool,
    /// Bursts fed so far.
    i: u64,
    /// Its requests not yet complete.
    left: u64,
    /// Latest completion of its requests so far, DRAM cycles.
    last: u64,
    /// Earliest completion of its requests so far (its first data), DRAM
    /// cycles; `u64::MAX` before the first.
    head: u64,
}

/// A transfer's first data and completion, accelerator cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The cycle its first burst has completed (its first data).
    pub first: u64,
    /// The cycle its last burst has completed.
    pub done: u64,
}

/// A step about to be recorded: its key, each controller's refresh
/// schedule at its start, and the cycles until the first refresh falls due.
type Pending = (Vec<u64>, Vec<(u64, u32)>, u64);

/// A memoized state and what its words are relative to (the cycle is
/// always the current one).
#[derive(Debug, Clone, Copy)]
struct Cur {
    id: u32,
    addr: u64,
    row: u32,
    ident: u64,
    /// The first request id of the transfer it was met in (after a
    /// transfer's tail: the next one's).
    base: u64,
    /// The lowest and highest address of the queued writes.
    wspan: Option<(u64, u64)>,
}

/// The banked DRAM of a design.
#[derive(Debug, Clone)]
pub struct BankedChannel {
    spec: DramSpec,
    cfg: SystemConfig,
    ctrls: Vec<Controller>,
    accel_mhz: u64,
    tck_ps: u64,
    /// DRAM cycles simulated on the real controllers.
    clk: u64,
    next_id: u64,
    burst: u64,
    /// Latest completion reported, DRAM cycles.
    busy_until: u64,
    used: Vec<bool>,
    done: Vec<(u64, u64)>,
    requests: u64,
    /// Memoized transfers (None: every transfer is simulated).
    memo: Option<Box<Memo>>,
    /// The memo's id of the current state, with its anchor.
    cur: Option<Cur>,
    /// The controllers lag the current state (it was reached from the memo).
    stale: bool,
    /// Statistics of memoized transfers not yet added to the controllers.
    pending: Vec<Stats>,
    /// Bursts in a round of channels and banks (the low address fields that
    /// pick a request's channel and bank).
    round: u64,
    /// Bursts in a row block (every field below the row).
    block: u64,
    row_mask: u32,
    /// Bursts fed per memoized chunk of a long transfer.
    chunk: u64,
    /// Words of a canonical state (reused buffer).
    words: Vec<u64>,
    /// The memo's counts when this channel took it over.
    counts0: (u64, u64),
    /// The configuration the memo was borrowed for ([`memo_pool`]): it goes
    /// back when the run finishes.
    pooled: Option<String>,
    /// The far rows of the current state (kept outside its words).
    far: Vec<u32>,
}

impl BankedChannel {
    /// `channels` channels of `spec` behind an accelerator clocked at `clock_ghz`.
    pub fn new(spec: DramSpec, cfg: SystemConfig, clock_ghz: f64) -> BankedChannel {
        let n = cfg.channels.max(1) as usize;
        let ctrls = (0..n)
            .map(|_| Controller::new(&spec, cfg.controller.clone()))
            .collect();
        let o = &spec.org;
        let bits = |x: u32| x.max(1).trailing_zeros();
        let below_col = bits(cfg.channels.max(1))
            + bits(o.ranks)
            + bits(o.sids)
            + bits(o.bank_groups)
            + bits(o.banks);
        let below_row = below_col + bits(o.bursts_per_row);
        let round_bits = match cfg.mapping {
            Mapping::RoCoBaRaCh => below_col,
            // the bank fields lie above the column: every field matters
            Mapping::RoBaRaCoCh => below_row,
        };
        let round: u64 = 1 << round_bits;
        BankedChannel {
            // an assumption for speed only (any size is exact): whole rounds
            // of channels and banks, at least 128 bursts
            chunk: if cfg.mapping == Mapping::RoCoBaRaCh {
                round.max(128)
            } else {
                128
            },
            round,
            block: 1 << below_row,
            row_mask: (1u32 << bits(o.rows)).wrapping_sub(1),
            memo: Some(Box::default()),
            cur: None,
            stale: false,
            pending: vec![Stats::default(); n],
            words: Vec::new(),
            counts0: (0, 0),
            pooled: None,
            far: Vec::new(),
            burst: u64::from(spec.org.burst_bytes()),
            tck_ps: u64::from(spec.timing.tck_ps),
            accel_mhz: ((clock_ghz * 1000.0).round() as u64).max(1),
            spec,
            cfg,
            ctrls,
            clk: 0,
            next_id: 0,
            busy_until: 0,
            used: vec![false; n],
            done: Vec::new(),
            requests: 0,
        }
    }

    fn to_dram(&self, accel: u64) -> u64 {
        let num = u128::from(accel) * 1_000_000;
        let den = u128::from(self.accel_mhz) * u128::from(self.tck_ps);
        u64::try_from(num.div_ceil(den)).unwrap_or(u64::MAX)
    }

    fn to_accel(&self, dram: u64) -> u64 {
        let num = u128::from(dram) * u128::from(self.accel_mhz) * u128::from(self.tck_ps);
        u64::try_from(num.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    /// Bytes per request.
    pub fn burst_bytes(&self) -> u64 {
        self.burst
    }

    fn tick_all(ctrls: &mut [Controller], done: &mut Vec<(u64, u64)>) {
        for c in ctrls.iter_mut() {
            c.tick(done);
        }
    }

    /// Runs the real controllers up to DRAM cycle `to`, skipping cycles in
    /// which nothing is queued.
    fn advance_to(&mut self, to: u64) {
        while self.clk < to {
            if self.ctrls.iter().all(|c| c.is_idle()) {
                let wake = self
                    .ctrls
                    .iter()
                    .map(|c| c.next_wake())
                    .min()
                    .unwrap_or(u64::MAX)
                    .min(to);
                if wake > self.clk + 1 {
                    for c in self.ctrls.iter_mut() {
                        c.skip_to(wake);
                    }
                    self.clk = wake - 1;
                    if self.clk >= to {
                        break;
                    }
                }
            }
            Self::tick_all(&mut self.ctrls, &mut self.done);
            self.done.clear();
            self.clk += 1;
        }
    }

    /// Turns memoization of transfers off (every transfer is then simulated
    /// cycle by cycle; the results are the same).
    pub fn without_memo(mut self) -> BankedChannel {
        self.memo = None;
        self
    }

    /// Takes over memo `m` (filled by earlier channels of the same spec and
    /// configuration, at any accelerator clock; the results are the same).
    pub fn with_memo(mut self, m: Box<Memo>) -> BankedChannel {
        self.counts0 = (m.hits, m.misses);
        self.memo = Some(m);
        self.cur = None;
        self
    }

    /// Hands the memo over (the channel simulates every transfer from then on).
    pub fn take_memo(&mut self) -> Option<Box<Memo>> {
        self.materialize();
        self.cur = None;
        self.memo.take()
    }

    /// The key of this channel's spec and configuration in [`memo_pool`].
    fn pool_key(&self) -> String {
        format!("{:?} {:?}", self.spec, self.cfg)
    }

    /// Borrows the memo held for this spec and configuration by earlier
    /// runs of the process ([`memo_pool`]); [`BankedChannel::finish`]
    /// hands it back.
    pub fn sharing_memo(self) -> BankedChannel {
        let key = self.pool_key();
        let mut c = self.with_memo(memo_pool::borrow(&key));
        c.pooled = Some(key);
        c
    }

    /// Transfers applied from the memo and transfers simulated, since this
    /// channel took it over.
    pub fn memo_counts(&self) -> (u64, u64) {
        self.memo.as_ref().map_or((0, 0), |m| {
            (m.hits - self.counts0.0, m.misses - self.counts0.1)
        })
    }

    /// Issues a transfer of `bytes` at `addr` at accelerator cycle `now`;
    /// returns the accelerator cycle at which it has completed.
    pub fn issue(&mut self, now: u64, bytes: u64, addr: u64, write: bool) -> u64 {
        self.issue_span(now, bytes, addr, write).done
    }

    /// Issues a transfer as [`BankedChannel::issue`] does; returns both its
    /// first data (the accelerator cycle its first burst completes: a read
    /// burst's data returned, `tCL + BL` after its RD, a write burst's WR
    /// issued) and its completion (its last burst's).
    pub fn issue_span(&mut self, now: u64, bytes: u64, addr: u64, write: bool) -> Span {
        let n = bytes.div_ceil(self.burst);
        if n == 0 {
            return Span {
                first: now,
                done: now,
            };
        }
        let start = self.to_dram(now);
        let first = addr / self.burst * self.burst;
        if self.memo.is_none() {
            let (head, last, _) = self.simulate(start, n, first, write);
            return self.span(now, head, last);
        }
        if start > self.clk {
            self.materialize();
            self.advance_to(start);
            self.cur = None;
        }
        let mut f = Feed {
            base: self.next_id,
            n,
            first,
            write,
            i: 0,
            left: n,
            last: 0,
            head: u64::MAX,
        };
        self.next_id += n;
        self.requests += n;
        let ch = u64::from(self.cfg.channels.max(1));
        while f.n - f.i >= self.chunk + ch {
            self.step(&mut f, false);
        }
        self.step(&mut f, true);
        self.busy_until = self.busy_until.max(f.last);
        self.span(now, f.head, f.last)
    }

    /// The accelerator cycles of a transfer issued at `now` whose first and
    /// last bursts completed at DRAM cycles `head` and `last`.
    fn span(&self, now: u64, head: u64, last: u64) -> Span {
        let done = self.to_accel(last).max(now);
        Span {
            first: self.to_accel(head.min(last)).max(now).min(done),
            done,
        }
    }

    /// One memoized step of transfer `f`: a chunk (the feed from burst `i`
    /// to the first cycle at which `chunk` more bursts have entered the
    /// queues; `chunk + channels` bursts must be left), or the tail (the
    /// rest of the feed and the run to the transfer's last completion).
    fn step(&mut self, f: &mut Feed, tail: bool) {
        let ch = self.cfg.channels.max(1);
        let pos = f.first / self.burst + f.i;
        let addr = f.first + f.i * self.burst;
        let row = decode(self.cfg.mapping, &self.spec.org, ch, addr).row;
        let ident = f.base + f.i;
        if self.memo.as_ref().is_some_and(|m| m.full()) {
            self.materialize();
            if let Some(m) = self.memo.as_mut() {
                m.clear();
            }
            self.cur = None;
        }
        if self.cur.is_some_and(|c| c.base != f.base) {
            self.materialize();
            self.cur = None;
        }
        if self.cur.is_none() {
            self.materialize();
            self.cur = self.intern(addr, row, ident, f.base);
        }
        let Some(cur) = self.cur else {
            self.simulate_step(f, tail, None);
            return;
        };
        let window = if tail {
            f.n - f.i
        } else {
            self.chunk + u64::from(ch)
        };
        // the rows the step's bursts and the next anchor lie in run from
        // `row` to `end`: a far row within NEAR of them could meet them or
        // turn near, so the memo applies only when none does
        let end = decode(
            self.cfg.mapping,
            &self.spec.org,
            ch,
            addr.wrapping_add(window * self.burst),
        )
        .row;
        let lo = row.wrapping_sub(NEAR) & self.row_mask;
        let span = u64::from(end.wrapping_sub(lo) & self.row_mask) + u64::from(NEAR);
        let clear = self
            .far
            .iter()
            .all(|&v| u64::from(v.wrapping_sub(lo) & self.row_mask) > span);
        if !clear || span >= u64::from(self.row_mask) {
            self.simulate_step(f, tail, None);
            return;
        }
        let memo = self.memo.as_mut().expect("memo is on");
        let to_block = self.block - pos % self.block;
        // whether the step's bursts can meet a queued write (merge with it or
        // be served from it): if so the key holds their exact distance, if
        // not they behave the same at any distance
        let reach = window * self.burst;
        let meet = match cur.wspan {
            Some((lo, hi)) if addr <= hi && addr.saturating_add(reach) > lo => {
                addr.wrapping_sub(hi)
            }
            _ => u64::MAX,
        };
        let mut key = vec![
            meet,
            u64::from(tail),
            u64::from(cur.id),
            u64::from(row.wrapping_sub(cur.row) & self.row_mask),
            addr.wrapping_sub(cur.addr),
            ident.wrapping_sub(cur.ident),
            pos % self.round,
            // a crossing at the window's end moves the next anchor's row
            if to_block <= window {
                to_block
            } else {
                u64::MAX
            },
            u64::from(f.write),
            if tail { f.n - f.i } else { 0 },
            // which held requests belong to this transfer (the tail runs
            // until they complete)
            if tail {
                f.i.min(memo.back(cur.id) + 1 + ident.wrapping_sub(cur.ident))
            } else {
                0
            },
            0,
        ];
        let clk0 = self.clk;
        let refresh: Vec<(u64, u32)> = self.ctrls.iter().map(|c| c.refresh_state()).collect();
        let due_in = refresh
            .iter()
            .map(|r| r.0.saturating_sub(clk0))
            .min()
            .unwrap_or(u64::MAX);
        let flag = key.len() - 1;
        let mut found = memo.outcome(&key).filter(|o| due_in > o.horizon).cloned();
        if found.is_none() {
            key[flag] = 1;
            for &(next, cursor) in &refresh {
                key.extend([next.wrapping_sub(clk0), u64::from(cursor)]);
            }
            found = memo.outcome(&key).cloned();
        }
        let Some(o) = found else {
            key.truncate(flag + 1);
            key[flag] = 0;
            self.simulate_step(f, tail, Some((key, refresh, due_in)));
            return;
        };
        memo.hits += 1;
        self.clk = clk0 + o.dclk;
        for &(rel, at) in o.done.iter() {
            if ident.wrapping_add(rel) >= f.base {
                f.left -= 1;
                f.last = f.last.max(clk0 + at);
                f.head = f.head.min(clk0 + at);
            }
        }
        if tail {
            f.last = f.last.max(clk0 + o.last);
            if o.head != u64::MAX {
                f.head = f.head.min(clk0 + o.head);
            }
            f.left = 0;
        }
        f.i += o.fed;
        for (p, d) in self.pending.iter_mut().zip(o.stats.iter()) {
            p.add_k(d, 1);
        }
        if let Some(r) = &o.refresh {
            for (c, &(next, cursor)) in self.ctrls.iter_mut().zip(r.iter()) {
                c.set_refresh_state(self.clk + next, cursor);
            }
        }
        let at = |(src, off): (u8, u64)| {
            if src == 0 {
                cur.wspan.map_or(0, |s| s.1).wrapping_sub(off)
            } else {
                addr.wrapping_add(off)
            }
        };
        let mut next = self.cur_at(f, o.next);
        next.wspan = o.wnext.map(|[lo, hi]| (at(lo), at(hi)));
        let far: Vec<u32> = o
            .far
            .iter()
            .map(|&(src, x)| {
                if src == 0 {
                    self.far[x as usize]
                } else {
                    cur.row.wrapping_add(x) & self.row_mask
                }
            })
            .collect();
        self.far = far;
        self.cur = Some(next);
        self.stale = true;
    }

    /// The anchor of the state reached at transfer `f`'s feed position
    /// (after its tail: the next burst past it).
    fn cur_at(&self, f: &Feed, id: u32) -> Cur {
        let addr = f.first + f.i * self.burst;
        let ch = self.cfg.channels.max(1);
        Cur {
            id,
            addr,
            row: decode(self.cfg.mapping, &self.spec.org, ch, addr).row,
            ident: f.base + f.i,
            base: if f.i >= f.n { f.base + f.n } else { f.base },
            wspan: None,
        }
    }

    /// Simulates a step the memo does not hold, cycle by cycle, and records
    /// its outcome under `key`.
    fn simulate_step(&mut self, f: &mut Feed, tail: bool, key: Option<Pending>) {
        self.materialize();
        let clk0 = self.clk;
        let ident = f.base + f.i;
        let i0 = f.i;
        let addr0 = f.first + f.i * self.burst;
        let hi0 = self.cur.and_then(|c| c.wspan).map_or(0, |s| s.1);
        let row0 = self.cur.map_or(0, |c| c.row);
        let far0 = self.far.clone();
        let old: Vec<u64> = self.ctrls.iter().flat_map(|c| c.queued_writes()).collect();
        let before: Vec<Stats> = self.ctrls.iter().map(|c| *c.stats()).collect();
        let mut log = Vec::new();
        let last0 = f.last;
        f.last = 0;
        let head0 = f.head;
        f.head = u64::MAX;
        let end = if tail {
            while f.i < f.n {
                self.feed_cycle(f, &mut log);
            }
            self.drain(f)
        } else {
            while f.i < i0 + self.chunk {
                self.feed_cycle(f, &mut log);
            }
            self.clk
        };
        let step_last = f.last;
        f.last = f.last.max(last0);
        let step_head = f.head;
        f.head = f.head.min(head0);
        if let Some(m) = self.memo.as_mut() {
            m.misses += 1;
        }
        let next = {
            let c = self.cur_at(f, 0);
            self.intern(c.addr, c.row, c.ident, c.base)
        };
        self.cur = next;
        let (Some(next), Some((mut key, refresh, due_in))) = (next, key) else {
            return;
        };
        let horizon = end - clk0;
        let stats: Vec<Stats> = self
            .ctrls
            .iter()
            .zip(&before)
            .map(|(c, b)| c.stats().minus(b))
            .collect();
        let inside = due_in <= horizon;
        let after = inside.then(|| {
            self.ctrls
                .iter()
                .map(|c| {
                    let (next, cursor) = c.refresh_state();
                    (next - self.clk, cursor)
                })
                .collect()
        });
        if inside {
            let flag = key.len() - 1;
            key[flag] = 1;
            for &(next, cursor) in &refresh {
                key.extend([next.wrapping_sub(clk0), u64::from(cursor)]);
            }
        }
        // only the current transfer's completions: the ids of earlier ones
        // are not part of the state
        let done: Vec<(u64, u64)> = log
            .iter()
            .filter(|&&(id, _)| id >= f.base)
            .map(|&(id, at)| (id.wrapping_sub(ident), at - clk0))
            .collect();
        let src = |a: u64| {
            if old.contains(&a) {
                (0, hi0.wrapping_sub(a))
            } else {
                (1, a.wrapping_sub(addr0))
            }
        };
        let far = self
            .far
            .iter()
            .map(|&v| match far0.iter().position(|&r| r == v) {
                Some(k) => (0, k as u32),
                None => (1, v.wrapping_sub(row0) & self.row_mask),
            })
            .collect();
        let o = Outcome {
            far,
            wnext: next.wspan.map(|(lo, hi)| [src(lo), src(hi)]),
            next: next.id,
            dclk: self.clk - clk0,
            fed: f.i - i0,
            done: if tail { Vec::new().into() } else { done.into() },
            last: step_last.saturating_sub(clk0),
            head: if step_head == u64::MAX {
                u64::MAX
            } else {
                step_head - clk0
            },
            horizon,
            stats: stats.into(),
            refresh: after,
        };
        if let Some(m) = self.memo.as_mut() {
            m.record(key, o);
        }
    }

    /// One DRAM cycle of transfer `f`'s feed: at most one burst per channel
    /// enters its queue (in order, while there is room), then every
    /// controller ticks; completions of `f`'s requests count down `left`,
    /// and every completion is logged.
    fn feed_cycle(&mut self, f: &mut Feed, log: &mut Vec<(u64, u64)>) {
        let ch = self.cfg.channels.max(1);
        self.used.iter_mut().for_each(|u| *u = false);
        while f.i < f.n {
            let a = f.first + f.i * self.burst;
            let loc = decode(self.cfg.mapping, &self.spec.org, ch, a);
            let c = loc.channel as usize;
            if self.used[c] {
                break;
            }
            if !self.ctrls[c].send(f.base + f.i, a, f.write, loc.path, loc.row, &mut self.done) {
                break;
            }
            self.used[c] = true;
            f.i += 1;
        }
        Self::tick_all(&mut self.ctrls, &mut self.done);
        self.clk += 1;
        for &(id, at) in &self.done {
            log.push((id, at));
            if id >= f.base {
                f.left -= 1;
                f.last = f.last.max(at);
                f.head = f.head.min(at);
            }
        }
        self.done.clear();
    }

    /// Runs a copy of the controllers on until every request of `f` has
    /// completed; returns the last cycle it ran.
    fn drain(&mut self, f: &mut Feed) -> u64 {
        let mut end = self.clk;
        if f.left > 0 {
            let mut sim = self.ctrls.clone();
            let mut done = Vec::new();
            while f.left > 0 {
                Self::tick_all(&mut sim, &mut done);
                end += 1;
                for &(id, at) in &done {
                    if id >= f.base {
                        f.left -= 1;
                        f.last = f.last.max(at);
                        f.head = f.head.min(at);
                    }
                }
                done.clear();
            }
        }
        end
    }

    fn anchor(&self, addr: u64, row: u32, ident: u64, base: u64, waddr: u64) -> Anchor {
        Anchor {
            clk: self.clk,
            id: ident,
            base,
            waddr,
            addr,
            row,
            row_mask: self.row_mask,
        }
    }

    /// The memo's id of the controllers' current state anchored at `addr`,
    /// `row`, request id `ident` and the current transfer's first id `base`
    /// (None past the memo's size bound).
    fn intern(&mut self, addr: u64, row: u32, ident: u64, base: u64) -> Option<Cur> {
        let wspan = self
            .ctrls
            .iter()
            .flat_map(|c| c.queued_writes())
            .fold(None, |s: Option<(u64, u64)>, x| {
                Some(s.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x))))
            });
        let a = self.anchor(addr, row, ident, base, wspan.map_or(0, |s| s.1));
        let mut w = std::mem::take(&mut self.words);
        w.clear();
        let mut far = Vec::new();
        let mut back = 0;
        for c in &self.ctrls {
            back = back.max(c.canon(&a, &mut w, &mut far));
        }
        self.far = far;
        let id = self.memo.as_mut().and_then(|m| m.intern(&w, back));
        self.words = w;
        id.map(|id| Cur {
            id,
            addr,
            row,
            ident,
            base,
            wspan,
        })
    }

    /// Brings the controllers up to the current state when it was reached
    /// from the memo.
    fn materialize(&mut self) {
        if !self.stale {
            return;
        }
        self.stale = false;
        let (Some(cur), Some(memo)) = (self.cur, &self.memo) else {
            return;
        };
        let w = memo.state(cur.id);
        let a = self.anchor(
            cur.addr,
            cur.row,
            cur.ident,
            cur.base,
            cur.wspan.map_or(0, |s| s.1),
        );
        let mut k = 0;
        for (c, p) in self.ctrls.iter_mut().zip(self.pending.iter_mut()) {
            k += c.restore(&a, &w[k..], &self.far);
            c.add_stats(p);
            *p = Stats::default();
        }
        #[cfg(debug_assertions)]
        {
            let mut again = Vec::new();
            let mut far = Vec::new();
            for c in &self.ctrls {
                c.canon(&a, &mut again, &mut far);
            }
            debug_assert_eq!(
                far, self.far,
                "a restored state has the far rows it came from"
            );
            debug_assert_eq!(
                &again[..],
                &w[..],
                "a restored state writes the words it came from"
            );
            let span = self.ctrls.iter().flat_map(|c| c.queued_writes()).fold(
                None,
                |s: Option<(u64, u64)>, x| {
                    Some(s.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x))))
                },
            );
            debug_assert_eq!(span, cur.wspan, "the queued writes' span follows the memo");
        }
    }

    /// Feeds the `n` bursts from `first` into the controllers from DRAM
    /// cycle `start` on and finds the cycles the first and the last one
    /// complete; returns them and the last cycle simulated (the drain
    /// included).
    fn simulate(&mut self, start: u64, n: u64, first: u64, write: bool) -> (u64, u64, u64) {
        self.advance_to(start);
        let ch = self.cfg.channels.max(1);
        let base = self.next_id;
        self.next_id += n;
        self.requests += n;
        let mut i = 0;
        let mut left = n;
        let mut last = 0;
        let mut head = u64::MAX;
        while i < n {
            self.used.iter_mut().for_each(|u| *u = false);
            while i < n {
                let a = first + i * self.burst;
                let loc = decode(self.cfg.mapping, &self.spec.org, ch, a);
                let c = loc.channel as usize;
                if self.used[c] {
                    break;
                }
                if !self.ctrls[c].send(base + i, a, write, loc.path, loc.row, &mut self.done) {
                    break;
                }
                self.used[c] = true;
                i += 1;
            }
            Self::tick_all(&mut self.ctrls, &mut self.done);
            self.clk += 1;
            for &(id, at) in &self.done {
                if id >= base {
                    left -= 1;
                    last = last.max(at);
                    head = head.min(at);
                }
            }
            self.done.clear();
        }
        let mut end = self.clk;
        if left > 0 {
            let mut sim = self.ctrls.clone();
            let mut done = Vec::new();
            while left > 0 {
                Self::tick_all(&mut sim, &mut done);
                end += 1;
                for &(id, at) in &done {
                    if id >= base {
                        left -= 1;
                        last = last.max(at);
                        head = head.min(at);
                    }
                }
                done.clear();
            }
        }
        self.busy_until = self.busy_until.max(last);
        (head, last, end)
    }

    /// The accelerator cycle by which every transfer issued so far completes.
    pub fn busy_until(&self) -> u64 {
        self.to_accel(self.busy_until)
    }

    /// Runs the device to the end of the run (accelerator cycle `end`,
    /// every request complete) and summarizes it over that time.
    pub fn finish(&mut self, end: u64) -> ReplayResult {
        if std::env::var("ONEBIT_DRAM_MEMO").is_ok_and(|v| v == "stats") {
            eprintln!(
                "banked DRAM memo: {:?} transfers applied / simulated",
                self.memo_counts()
            );
        }
        self.materialize();
        if let Some(key) = self.pooled.take() {
            if let Some(m) = self.take_memo() {
                memo_pool::give_back(key, m);
            }
        }
        let end_dram = self.to_dram(end);
        self.advance_to(end_dram);
        while !self.ctrls.iter().all(|c| c.is_idle()) {
            Self::tick_all(&mut self.ctrls, &mut self.done);
            self.done.clear();
            self.clk += 1;
        }
        summarize(
            &self.spec,
            &self.cfg,
            &self.ctrls,
            self.requests,
            self.clk.max(end_dram),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::banked::presets;
    use crate::memory::banked::{ControllerConfig, Mapping};

    /// After every transfer of a stream that crosses refreshes and row
    /// blocks, the controllers reached through the memo hold the very state
    /// of the ones that simulated every cycle.
    #[test]
    fn memo_state_matches_stepping() {
        let cfg = SystemConfig {
            channels: 4,
            mapping: Mapping::RoCoBaRaCh,
            controller: ControllerConfig::default(),
        };
        let mut a = BankedChannel::new(presets::lpddr5_6400(), cfg.clone(), 1.0);
        let mut b = BankedChannel::new(presets::lpddr5_6400(), cfg, 1.0).without_memo();
        let mut now = 0;
        for i in 0..400u64 {
            let addr = i * 6144;
            let x = a.issue(now, 6144, addr, false);
            let y = b.issue(now, 6144, addr, false);
            a.materialize();
            let an = a.anchor(0, 0, a.next_id, a.next_id, 0);
            let (mut wa, mut wb) = (Vec::new(), Vec::new());
            let (mut fa, mut fb) = (Vec::new(), Vec::new());
            for c in &a.ctrls {
                c.canon(&an, &mut wa, &mut fa);
            }
            for c in &b.ctrls {
                c.canon(&an, &mut wb, &mut fb);
            }
            assert_eq!(fa, fb, "far rows at {i}");
            let ra: Vec<_> = a.ctrls.iter().map(|c| c.refresh_state()).collect();
            let rb: Vec<_> = b.ctrls.iter().map(|c| c.refresh_state()).collect();
            assert_eq!(
                (a.clk, &ra),
                (b.clk, &rb),
                "clock at {i} {:?}",
                a.memo_counts()
            );
            assert_eq!(wa, wb, "state at {i} {:?}", a.memo_counts());
            assert_eq!(x, y, "transfer {i}");
            now += 120;
        }
        let (hits, misses) = a.memo_counts();
        assert!(hits > misses, "hits {hits} misses {misses}");
    }
}
