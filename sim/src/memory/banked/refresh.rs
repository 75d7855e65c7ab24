//! Refresh: which REF commands the controller must issue, and when.
//!
//! - All-bank: every tREFI cycles one REFab per rank (pseudo-channel) enters
//!   the controller's priority queue; it waits until its open banks are
//!   precharged (PREA) and blocks the rank for tRFC.
//! - Per-bank: every tREFIpb cycles one REFpb per rank, to the banks in
//!   turn; only that bank is blocked (for tRFCpb) while the others serve
//!   requests.

use super::timing::Path;
use serde::{Deserialize, Serialize};

/// A refresh policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RefreshPolicy {
    /// REFab every tREFI.
    #[default]
    AllBank,
    /// REFpb every tREFIpb, round robin over the banks.
    PerBank,
    /// No refresh (for experiments; not a real device).
    None,
}

impl RefreshPolicy {
    /// Parses a policy name.
    pub fn parse(s: &str) -> Option<RefreshPolicy> {
        match s {
            "all-bank" => Some(RefreshPolicy::AllBank),
            "per-bank" => Some(RefreshPolicy::PerBank),
            "none" => Some(RefreshPolicy::None),
            _ => None,
        }
    }

    /// The policy's name.
    pub fn name(self) -> &'static str {
        match self {
            RefreshPolicy::AllBank => "all-bank",
            RefreshPolicy::PerBank => "per-bank",
            RefreshPolicy::None => "none",
        }
    }
}

/// The refresh schedule of one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresher {
    policy: RefreshPolicy,
    interval: u64,
    next: u64,
    ranks: u32,
    sids: u32,
    groups: u32,
    banks: u32,
    /// Next bank to refresh per rank (per-bank policy), flat within the rank.
    cursor: u32,
}

/// A refresh due now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// All-bank (else per-bank).
    pub all_bank: bool,
    /// Target (bank fields ignored for all-bank).
    pub path: Path,
}

impl Refresher {
    /// The schedule for `policy` with intervals `refi` and `refi_pb`.
    pub fn new(
        policy: RefreshPolicy,
        refi: u32,
        refi_pb: u32,
        org: &super::spec::Organization,
    ) -> Refresher {
        let interval = match policy {
            RefreshPolicy::AllBank => u64::from(refi),
            RefreshPolicy::PerBank => u64::from(refi_pb),
            RefreshPolicy::None => u64::MAX,
        };
        Refresher {
            policy,
            interval,
            next: interval,
            ranks: org.ranks,
            sids: org.sids,
            groups: org.bank_groups,
            banks: org.banks,
            cursor: 0,
        }
    }

    /// The next cycle at which a refresh falls due.
    pub fn next_due(&self) -> u64 {
        self.next
    }

    /// The refreshes due at `clk` (empty unless `clk` is a due cycle).
    pub fn tick(&mut self, clk: u64, out: &mut Vec<Due>) {
        if clk != self.next {
            return;
        }
        self.next = self.next.saturating_add(self.interval);
        match self.policy {
            RefreshPolicy::AllBank => {
                for rank in 0..self.ranks {
                    out.push(Due {
                        all_bank: true,
                        path: Path {
                            rank,
                            ..Path::default()
                        },
                    });
                }
            }
            RefreshPolicy::PerBank => {
                let b = self.cursor;
                let per_sid = self.groups * self.banks;
                for rank in 0..self.ranks {
                    out.push(Due {
                        all_bank: false,
                        path: Path {
                            rank,
                            sid: b / per_sid,
                            bg: b % per_sid / self.banks,
                            bank: b % self.banks,
                        },
                    });
                }
                self.cursor = (b + 1) % (self.sids * per_sid);
            }
            RefreshPolicy::None => {}
        }
    }

    /// The bank the next per-bank refresh goes to.
    pub fn cursor(&self) -> u32 {
        self.cursor
    }

    /// Sets the schedule: the next refresh falls due at `next`, to bank
    /// `cursor` (per-bank refresh).
    pub fn set(&mut self, next: u64, cursor: u32) {
        self.next = next;
        self.cursor = cursor;
    }

    /// Moves the schedule later by `shift` cycles.
    pub fn shift(&mut self, shift: u64) {
        self.next = self.next.saturating_add(shift);
    }

    /// The schedule's state apart from its timer, for steady-state
    /// detection (a jump never crosses a due cycle, so the timer only bounds
    /// how far it goes).
    pub fn signature(&self, out: &mut Vec<u64>) {
        out.push(u64::from(self.cursor));
    }
}
