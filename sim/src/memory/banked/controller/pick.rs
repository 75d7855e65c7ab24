//! Choosing a controller's next command: each request's next command
//! (ACT, PRE or its access), FR-FCFS over a queue, the write mode between
//! the watermarks, and the bound that lets cycles in which no command can
//! issue go unscheduled (`quiet`): an idle pass keeps the least
//! earliest-issue cycle over its candidates, valid until a command issues
//! or a refresh falls due; requests that arrive meanwhile are scanned alone.

use super::{Buf, Controller, Req};
use crate::memory::banked::timing::{Cmd, Path};

impl Controller {
    /// The command `r` needs next, or `None` while its bank is between ACT-1
    /// and ACT-2 for another request.
    pub(super) fn prereq(&self, r: &Req) -> Option<Cmd> {
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
    pub(super) fn closes_active(&self, cmd: Cmd, p: &Path, bank: usize) -> bool {
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
    pub(super) fn allowed_during_act2(&self, cmd: Cmd, p: &Path) -> bool {
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

    /// FR-FCFS over `b`: the oldest request whose next command passes
    /// `filter` and is ready; `None` when the oldest eligible ones are not.
    /// Lowers `scan_min` to the earliest-issue cycle `e` of a candidate
    /// that was not ready.
    pub(super) fn note_not_ready(&mut self, e: u64) {
        self.scan_min = self.scan_min.min(e);
    }

    pub(super) fn pick(
        &mut self,
        b: Buf,
        filter: impl Fn(&Self, Cmd, &Path) -> bool,
    ) -> Option<usize> {
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
    pub(super) fn pick_prio(
        &mut self,
        filter: impl Fn(&Self, Cmd, &Path) -> bool,
    ) -> Option<usize> {
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
    pub(super) fn next_write_mode(&self) -> bool {
        let n = self.writes.len() as f64;
        let cap = self.cfg.write_queue as f64;
        if !self.write_mode {
            n > self.cfg.write_high * cap || self.reads.is_empty()
        } else {
            n >= self.cfg.write_low * cap || self.reads.is_empty()
        }
    }

    pub(super) fn set_write_mode(&mut self) {
        self.write_mode = self.next_write_mode();
    }

    /// Whether this cycle can be left unscheduled: an earlier full pass
    /// found nothing ready and said no command can issue before
    /// `quiet_until`, nothing but arrivals has changed since, the write mode
    /// the pass would set (read and written only while no refresh waits) is
    /// the one it ran with, and no request that arrived since in the queue
    /// it would scan is ready (those get their next command, as the pass
    /// would give them, and lower `quiet_until` to their earliest cycle).
    pub(super) fn quiet(&mut self) -> bool {
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
    pub(super) fn begin_pass(&mut self) {
        self.quiet_until = 0;
        self.scan_min = u64::MAX;
    }

    /// Ends a full scheduling pass in which no command could issue (the
    /// state is unchanged): no cycle before the least earliest-issue cycle
    /// met can issue one either, until the state changes.
    pub(super) fn end_idle_pass(&mut self) {
        self.quiet_until = self.scan_min;
        self.scanned = [self.reads.len(), self.writes.len()];
    }

    pub(super) fn pick_rw(
        &mut self,
        filter: impl Fn(&Self, Cmd, &Path) -> bool,
    ) -> Option<(Buf, usize)> {
        self.set_write_mode();
        let b = if self.write_mode {
            Buf::Write
        } else {
            Buf::Read
        };
        self.pick(b, filter).map(|i| (b, i))
    }
}
