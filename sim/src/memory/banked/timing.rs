//! DRAM commands and the timing constraints between them.
//!
//! A constraint says: after command `prev` is issued to a node of the
//! hierarchy (channel, rank, stack ID, bank group, bank), command `next` may
//! not be issued to the same node (or, for a sibling constraint, to another
//! node under the same parent) for `lat` cycles; a window constraint counts
//! the last `window` `prev` commands (tFAW: a fifth ACT waits until four
//! activation windows have passed). The tables below transcribe the JEDEC
//! relations of each standard; [`TimingState`] keeps, per node, the earliest
//! cycle at which each command may issue.

use super::spec::{DramSpec, Standard, Timing};
use std::collections::VecDeque;

/// A DRAM command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Cmd {
    /// Activate a row (LPDDR5: ACT-1).
    Act = 0,
    /// LPDDR5 ACT-2 (second half of an activation).
    Act2,
    /// Precharge one bank.
    Pre,
    /// Precharge all banks of a rank.
    PreA,
    /// Read burst.
    Rd,
    /// Write burst.
    Wr,
    /// Read with auto-precharge.
    Rda,
    /// Write with auto-precharge.
    Wra,
    /// All-bank refresh.
    RefAb,
    /// Per-bank refresh.
    RefPb,
    /// LPDDR5 CAS (WCK2CK synchronization) before a read.
    CasRd,
    /// LPDDR5 CAS before a write.
    CasWr,
}

/// Number of commands.
pub const NCMD: usize = 12;

impl Cmd {
    /// Every command, by index.
    pub const ALL: [Cmd; NCMD] = [
        Cmd::Act,
        Cmd::Act2,
        Cmd::Pre,
        Cmd::PreA,
        Cmd::Rd,
        Cmd::Wr,
        Cmd::Rda,
        Cmd::Wra,
        Cmd::RefAb,
        Cmd::RefPb,
        Cmd::CasRd,
        Cmd::CasWr,
    ];

    /// The command's bit in a command mask.
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// Index into per-command tables.
    pub const fn idx(self) -> usize {
        self as usize
    }

    /// Whether the command addresses a whole rank (else one bank).
    pub fn rank_scope(self) -> bool {
        matches!(self, Cmd::PreA | Cmd::RefAb)
    }

    /// Whether it moves data (RD, WR and their auto-precharge forms).
    pub fn is_access(self) -> bool {
        matches!(self, Cmd::Rd | Cmd::Wr | Cmd::Rda | Cmd::Wra)
    }

    /// Whether it is a read access.
    pub fn is_read(self) -> bool {
        matches!(self, Cmd::Rd | Cmd::Rda)
    }

    /// Whether it closes a row.
    pub fn is_closing(self) -> bool {
        matches!(self, Cmd::Pre | Cmd::PreA | Cmd::Rda | Cmd::Wra)
    }

    /// Whether it travels on the column command bus (HBM's dual command bus).
    pub fn is_column(self) -> bool {
        self.is_access()
    }
}

/// Levels of the hierarchy, top to bottom.
pub const LEVELS: usize = 5;
/// Level index of the channel.
pub const CHANNEL: usize = 0;
/// Level index of the rank (pseudo-channel for HBM3).
pub const RANK: usize = 1;
/// Level index of the stack ID.
pub const SID: usize = 2;
/// Level index of the bank group.
pub const BANK_GROUP: usize = 3;
/// Level index of the bank.
pub const BANK: usize = 4;

/// One timing constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constraint {
    /// Level of the node it is kept at.
    pub level: usize,
    /// Commands that start it (mask).
    pub prev: u16,
    /// Commands it delays (mask).
    pub next: u16,
    /// Delay in cycles.
    pub lat: u32,
    /// Commands counted (1, or 4 for tFAW).
    pub window: u32,
    /// Applies to the other nodes under the same parent instead of the node.
    pub sibling: bool,
}

fn mask(cmds: &[Cmd]) -> u16 {
    cmds.iter().fold(0, |m, c| m | c.bit())
}

struct Table(Vec<Constraint>);

impl Table {
    fn add(&mut self, level: usize, prev: &[Cmd], next: &[Cmd], lat: u32) {
        self.0.push(Constraint {
            level,
            prev: mask(prev),
            next: mask(next),
            lat,
            window: 1,
            sibling: false,
        });
    }
    fn window(&mut self, level: usize, prev: &[Cmd], next: &[Cmd], lat: u32, window: u32) {
        self.0.push(Constraint {
            level,
            prev: mask(prev),
            next: mask(next),
            lat,
            window,
            sibling: false,
        });
    }
    fn sibling(&mut self, level: usize, prev: &[Cmd], next: &[Cmd], lat: u32) {
        self.0.push(Constraint {
            level,
            prev: mask(prev),
            next: mask(next),
            lat,
            window: 1,
            sibling: true,
        });
    }
}

use Cmd::*;
const RDS: &[Cmd] = &[Rd, Rda];
const WRS: &[Cmd] = &[Wr, Wra];
const ACCESS: &[Cmd] = &[Rd, Rda, Wr, Wra];

/// The constraints of `spec`'s standard with its timings.
pub fn constraints(spec: &DramSpec) -> Vec<Constraint> {
    let t = &spec.timing;
    let mut c = Table(Vec::new());
    match spec.standard {
        Standard::Lpddr5 => lpddr5(&mut c, t),
        Standard::Hbm3 => hbm3(&mut c, t),
        Standard::Ddr5 | Standard::Ddr4 => ddr(&mut c, t),
    }
    c.0
}

/// Relations shared by every standard at the bank: row cycle, activation to
/// column access, precharge, read-to-precharge, write recovery.
fn bank_core(c: &mut Table, t: &Timing) {
    let wr_to_pre = t.cwl + t.bl + t.wr;
    c.add(BANK, &[Act], &[Act], t.rc);
    c.add(BANK, &[Act], &[Rd, Rda], t.rcd_rd);
    c.add(BANK, &[Act], &[Wr, Wra], t.rcd_wr);
    c.add(BANK, &[Act], &[Pre], t.ras);
    c.add(BANK, &[Pre], &[Act], t.rp);
    c.add(BANK, &[Rd], &[Pre], t.rtp);
    c.add(BANK, &[Wr], &[Pre], wr_to_pre);
    c.add(BANK, &[Rda], &[Act], t.rtp + t.rp);
    c.add(BANK, &[Wra], &[Act], wr_to_pre + t.rp);
    // per-bank refresh
    c.add(BANK, &[RefPb], &[Act], t.rfc_pb);
    c.add(BANK, &[Act], &[RefPb], t.rc);
    c.add(BANK, &[Pre], &[RefPb], t.rp);
}

/// Relations at the rank (all-bank commands and refresh).
fn rank_core(c: &mut Table, level: usize, t: &Timing) {
    let wr_to_pre = t.cwl + t.bl + t.wr;
    c.add(level, &[Rd], &[PreA], t.rtp);
    c.add(level, &[Wr], &[PreA], wr_to_pre);
    c.add(level, &[Act], &[PreA], t.ras);
    c.add(level, &[PreA], &[Act], t.rp_ab);
    c.add(level, &[Act], &[RefAb], t.rc);
    c.add(level, &[Pre, PreA], &[RefAb], t.rp);
    c.add(level, &[Rda], &[RefAb], t.rp + t.rtp);
    c.add(level, &[Wra], &[RefAb], wr_to_pre + t.rp);
    c.add(level, &[RefAb], &[Act, PreA, RefAb, RefPb], t.rfc);
    c.add(level, &[Act], &[Act], t.rrd_s);
    c.window(level, &[Act], &[Act], t.faw, 4);
}

/// LPDDR5, JESD209-5B: bank-group mode, BL16, single command bus, ACT in two
/// halves (ACT-1, ACT-2), CAS before a column access when WCK is not running.
fn lpddr5(c: &mut Table, t: &Timing) {
    // data bus
    c.add(CHANNEL, RDS, RDS, t.bl);
    c.add(CHANNEL, WRS, WRS, t.bl);
    // CAS immediately precedes its access
    c.add(BANK, &[CasRd], RDS, 1);
    c.add(BANK, &[CasWr], WRS, 1);
    // different bank groups
    c.add(RANK, RDS, RDS, t.ccd_s);
    c.add(RANK, WRS, WRS, t.ccd_s_wr);
    c.add(RANK, RDS, WRS, t.read_to_write());
    c.add(RANK, WRS, RDS, t.cwl + t.bl + t.wtr_s);
    // rank switches on the shared data bus
    c.sibling(RANK, RDS, ACCESS, t.bl + t.cs);
    c.sibling(RANK, WRS, RDS, (t.cl + t.bl + t.cs).saturating_sub(t.cwl));
    rank_core(c, RANK, t);
    c.add(RANK, &[Pre, PreA], &[Pre, PreA], t.ppd);
    c.add(RANK, &[RefPb], &[RefPb], t.pbr2pbr);
    c.add(RANK, &[RefPb], &[RefAb], t.rfc_pb);
    c.add(RANK, &[RefPb], &[Act], t.pbr2act);
    // same bank group
    c.add(BANK_GROUP, RDS, RDS, t.ccd_l);
    c.add(BANK_GROUP, WRS, WRS, t.ccd_l_wr);
    c.add(BANK_GROUP, WRS, RDS, t.cwl + t.bl_max + t.wtr_l);
    c.add(BANK_GROUP, &[Act], &[Act], t.rrd_l);
    bank_core(c, t);
}

/// HBM3, JESD238: two pseudo-channels per channel with their own data buses
/// and banks, separate row and column command buses, two stack IDs.
fn hbm3(c: &mut Table, t: &Timing) {
    let pc = RANK;
    c.add(pc, RDS, RDS, t.bl);
    c.add(pc, WRS, WRS, t.bl);
    c.add(pc, RDS, WRS, t.read_to_write());
    c.add(pc, WRS, RDS, t.cwl + t.bl + t.wtr_s);
    rank_core(c, pc, t);
    c.add(pc, &[Pre, PreA], &[Pre, PreA], t.ppd);
    c.add(pc, &[RefPb], &[RefPb], t.pbr2pbr);
    c.add(pc, &[RefPb], &[Act], t.pbr2pbr);
    c.add(pc, &[Act], &[RefPb], t.rrd_s);
    // stack IDs
    c.add(SID, RDS, RDS, t.ccd_s);
    c.add(SID, WRS, WRS, t.ccd_s);
    c.sibling(SID, RDS, RDS, t.ccd_r);
    // same bank group
    c.add(BANK_GROUP, RDS, RDS, t.ccd_l);
    c.add(BANK_GROUP, WRS, WRS, t.ccd_l);
    c.add(BANK_GROUP, WRS, RDS, t.cwl + t.bl + t.wtr_l);
    c.add(BANK_GROUP, &[Act], &[Act], t.rrd_l);
    bank_core(c, t);
}

/// DDR4 (JESD79-4) and DDR5 (JESD79-5): one data bus, bank groups.
fn ddr(c: &mut Table, t: &Timing) {
    c.add(CHANNEL, RDS, RDS, t.bl);
    c.add(CHANNEL, WRS, WRS, t.bl);
    c.add(RANK, RDS, RDS, t.ccd_s);
    c.add(RANK, WRS, WRS, t.ccd_s_wr);
    c.add(RANK, RDS, WRS, t.read_to_write());
    c.add(RANK, WRS, RDS, t.cwl + t.bl + t.wtr_s);
    c.sibling(RANK, RDS, ACCESS, t.bl + t.cs);
    c.sibling(RANK, WRS, RDS, (t.cl + t.bl + t.cs).saturating_sub(t.cwl));
    rank_core(c, RANK, t);
    if t.ppd > 0 {
        c.add(RANK, &[Pre, PreA], &[Pre, PreA], t.ppd);
    }
    c.add(BANK_GROUP, RDS, RDS, t.ccd_l);
    c.add(BANK_GROUP, WRS, WRS, t.ccd_l_wr);
    c.add(BANK_GROUP, WRS, RDS, t.cwl + t.bl + t.wtr_l);
    c.add(BANK_GROUP, &[Act], &[Act], t.rrd_l);
    bank_core(c, t);
}

/// A bank's place in the hierarchy of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Path {
    /// Rank (pseudo-channel).
    pub rank: u32,
    /// Stack ID.
    pub sid: u32,
    /// Bank group.
    pub bg: u32,
    /// Bank within its group.
    pub bank: u32,
}

/// Node counts per level below one channel, to index nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Children per node, per level (`[1, ranks, sids, groups, banks]`).
    pub fanout: [u32; LEVELS],
}

impl Shape {
    /// The shape of `spec`'s organization.
    pub fn of(spec: &DramSpec) -> Shape {
        let o = &spec.org;
        Shape {
            fanout: [1, o.ranks, o.sids, o.bank_groups, o.banks],
        }
    }

    /// Nodes at `level`.
    pub fn nodes(&self, level: usize) -> usize {
        self.fanout[..=level].iter().map(|&f| f as usize).product()
    }

    /// The index of `p`'s node at `level`.
    pub fn node(&self, p: &Path, level: usize) -> usize {
        let ids = [0, p.rank, p.sid, p.bg, p.bank];
        let mut n = 0usize;
        for (id, fan) in ids.iter().zip(self.fanout).take(level + 1) {
            n = n * fan as usize + *id as usize;
        }
        n
    }

    /// Flat bank index of `p` in the channel.
    pub fn bank_index(&self, p: &Path) -> usize {
        self.node(p, BANK)
    }
}

/// Earliest issue cycle of each command at each node, and the activation
/// windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimingState {
    shape: Shape,
    constraints: Vec<Constraint>,
    /// Per level, per node: earliest cycle per command.
    next_ok: [Vec<[u64; NCMD]>; LEVELS],
    /// Per constraint with a window: per node, the last issue cycles.
    history: Vec<Vec<VecDeque<u64>>>,
    /// Constraint indices started by each command.
    by_prev: [Vec<usize>; NCMD],
    /// Per flat bank index: the bank's node index at each level (derived
    /// from `shape`, so that a bank-scope command's earliest cycle needs no
    /// index arithmetic).
    bank_nodes: Vec<[u32; LEVELS]>,
}

impl TimingState {
    /// No command issued yet.
    pub fn new(shape: Shape, constraints: Vec<Constraint>) -> TimingState {
        let next_ok = std::array::from_fn(|l| vec![[0u64; NCMD]; shape.nodes(l)]);
        let history = constraints
            .iter()
            .map(|c| {
                if c.window > 1 {
                    vec![VecDeque::new(); shape.nodes(c.level)]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let by_prev = std::array::from_fn(|ci| {
            constraints
                .iter()
                .enumerate()
                .filter(|(_, c)| c.prev & (1 << ci) != 0)
                .map(|(i, _)| i)
                .collect()
        });
        TimingState {
            shape,
            constraints,
            next_ok,
            history,
            by_prev,
            bank_nodes: (0..shape.nodes(BANK))
                .map(|b| {
                    let mut nodes = [0u32; LEVELS];
                    let mut n = b;
                    for l in (0..LEVELS).rev() {
                        nodes[l] = n as u32;
                        n /= shape.fanout[l] as usize;
                    }
                    nodes
                })
                .collect(),
        }
    }

    /// The earliest cycle at which bank-scope `cmd` to the bank with flat
    /// index `bank` satisfies every constraint (the same as
    /// [`TimingState::earliest`] for a command that is not rank-scope).
    pub fn earliest_bank(&self, cmd: Cmd, bank: usize) -> u64 {
        debug_assert!(!cmd.rank_scope());
        let nodes = &self.bank_nodes[bank];
        let c = cmd.idx();
        let mut t = 0;
        for (level, &n) in self.next_ok.iter().zip(nodes) {
            t = t.max(level[n as usize][c]);
        }
        t
    }

    /// [`TimingState::earliest`] with `p`'s flat bank index known.
    pub fn earliest_at(&self, cmd: Cmd, p: &Path, bank: usize) -> u64 {
        if cmd.rank_scope() {
            self.earliest(cmd, p)
        } else {
            self.earliest_bank(cmd, bank)
        }
    }

    /// The deepest level `cmd` addresses.
    fn scope(cmd: Cmd) -> usize {
        if cmd.rank_scope() {
            RANK
        } else {
            BANK
        }
    }

    /// The earliest cycle at which `cmd` to `p` satisfies every constraint.
    pub fn earliest(&self, cmd: Cmd, p: &Path) -> u64 {
        let ids = [0, p.rank, p.sid, p.bg, p.bank];
        let mut t = 0;
        let mut node = 0usize;
        for (l, (id, fan)) in ids
            .iter()
            .zip(self.shape.fanout)
            .enumerate()
            .take(Self::scope(cmd) + 1)
        {
            node = node * fan as usize + *id as usize;
            t = t.max(self.next_ok[l][node][cmd.idx()]);
        }
        t
    }

    /// Whether `cmd` to `p` may issue at `clk`.
    pub fn ready(&self, cmd: Cmd, p: &Path, clk: u64) -> bool {
        self.earliest(cmd, p) <= clk
    }

    /// Records `cmd` to `p` issued at `clk`.
    pub fn issue(&mut self, cmd: Cmd, p: &Path, clk: u64) {
        let scope = Self::scope(cmd);
        for &ci in &self.by_prev[cmd.idx()] {
            let c = self.constraints[ci];
            if c.level > scope {
                continue;
            }
            let node = self.shape.node(p, c.level);
            let until = if c.window > 1 {
                let h = &mut self.history[ci][node];
                h.push_back(clk);
                if h.len() > c.window as usize {
                    h.pop_front();
                }
                if h.len() < c.window as usize {
                    continue;
                }
                h[0] + u64::from(c.lat)
            } else {
                clk + u64::from(c.lat)
            };
            let fan = self.shape.fanout[c.level] as usize;
            let range = if c.sibling {
                let first = node / fan * fan;
                first..first + fan
            } else {
                node..node + 1
            };
            for n in range {
                if c.sibling && n == node {
                    continue;
                }
                let slots = &mut self.next_ok[c.level][n];
                for (i, s) in slots.iter_mut().enumerate() {
                    if c.next & (1 << i) != 0 && *s < until {
                        *s = until;
                    }
                }
            }
        }
    }

    /// Moves every pending constraint later by `shift` cycles (used when a
    /// steady state is jumped over: the whole device state moves in time).
    pub fn shift(&mut self, now: u64, shift: u64) {
        for level in self.next_ok.iter_mut() {
            for node in level.iter_mut() {
                for s in node.iter_mut() {
                    if *s > now {
                        *s += shift;
                    }
                }
            }
        }
        for h in self.history.iter_mut().flatten() {
            for x in h.iter_mut() {
                *x += shift;
            }
        }
    }

    /// The state relative to `now`, exactly as far as it can still matter,
    /// appended to `out` (see [`super::controller::canon`]): the pending
    /// earliest-issue cycles minus `now` as (slot, cycles) pairs for those
    /// still ahead, and for each activation window its length and the age of
    /// each entry, capped at the window's latency (an older entry can no
    /// longer delay a command).
    pub fn canon(&self, now: u64, out: &mut Vec<u64>) {
        let mut slot = 0u64;
        let at = out.len();
        out.push(0);
        let mut count = 0u64;
        for level in &self.next_ok {
            for node in level {
                for &s in node {
                    if s > now {
                        out.push(slot << 32 | (s - now));
                        count += 1;
                    }
                    slot += 1;
                }
            }
        }
        out[at] = count;
        for (ci, h) in self.history.iter().enumerate() {
            let lat = u64::from(self.constraints[ci].lat);
            for q in h {
                out.push(q.len() as u64);
                out.extend(q.iter().map(|&x| (now - x).min(lat)));
            }
        }
    }

    /// Sets the state from words written by [`TimingState::canon`] at
    /// cycle `now`; returns the words read.
    pub fn restore(&mut self, now: u64, w: &[u64]) -> usize {
        let mut k = 0;
        let count = w[k] as usize;
        k += 1;
        for level in self.next_ok.iter_mut() {
            for node in level.iter_mut() {
                *node = [0; NCMD];
            }
        }
        for &e in &w[k..k + count] {
            let slot = (e >> 32) as usize;
            let mut s = slot;
            for level in self.next_ok.iter_mut() {
                let n = level.len() * NCMD;
                if s < n {
                    level[s / NCMD][s % NCMD] = now + (e & 0xffff_ffff);
                    break;
                }
                s -= n;
            }
        }
        k += count;
        for h in self.history.iter_mut() {
            for q in h.iter_mut() {
                let len = w[k] as usize;
                k += 1;
                q.clear();
                q.extend(w[k..k + len].iter().map(|&a| now.saturating_sub(a)));
                k += len;
            }
        }
        k
    }

    /// The state relative to `now`, for steady-state detection: every
    /// pending earliest-issue cycle minus `now` (0 when already past), and
    /// the activation windows likewise.
    pub fn signature(&self, now: u64, out: &mut Vec<u64>) {
        for level in &self.next_ok {
            for node in level {
                out.extend(node.iter().map(|&s| s.saturating_sub(now)));
            }
        }
        for (ci, h) in self.history.iter().enumerate() {
            let lat = u64::from(self.constraints[ci].lat);
            for q in h {
                // only windows that can still delay a command matter
                out.extend(q.iter().map(|&x| (x + lat).saturating_sub(now)));
                out.push(q.len() as u64);
            }
        }
    }
}
