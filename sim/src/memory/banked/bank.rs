//! Bank state: which row each bank holds open, and the standby time of each
//! rank (any bank open: active standby; all closed: precharge standby).

use super::power::Counts;
use super::spec::DramSpec;
use super::timing::{Path, Shape};

/// The row buffers of one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banks {
    open: Vec<Option<u32>>,
    open_per_rank: Vec<u32>,
    banks_per_rank: usize,
}

impl Banks {
    /// Every bank closed.
    pub fn new(spec: &DramSpec) -> Banks {
        let per_rank = spec.org.banks_per_rank() as usize;
        Banks {
            open: vec![None; per_rank * spec.org.ranks as usize],
            open_per_rank: vec![0; spec.org.ranks as usize],
            banks_per_rank: per_rank,
        }
    }

    /// The row open in `p`'s bank.
    pub fn open_row(&self, s: &Shape, p: &Path) -> Option<u32> {
        self.open[s.bank_index(p)]
    }

    /// The row open in the bank with flat index `bank`.
    pub fn open_row_at(&self, bank: usize) -> Option<u32> {
        self.open[bank]
    }

    /// Whether any bank of `rank` is open.
    pub fn rank_open(&self, rank: u32) -> bool {
        self.open_per_rank[rank as usize] > 0
    }

    /// Opens `row` in `p`'s bank (ACT).
    pub fn open(&mut self, s: &Shape, p: &Path, row: u32) {
        let b = &mut self.open[s.bank_index(p)];
        if b.is_none() {
            self.open_per_rank[p.rank as usize] += 1;
        }
        *b = Some(row);
    }

    /// Closes `p`'s bank (PRE).
    pub fn close(&mut self, s: &Shape, p: &Path) {
        if self.open[s.bank_index(p)].take().is_some() {
            self.open_per_rank[p.rank as usize] -= 1;
        }
    }

    /// Closes every bank of `rank` (PREA); returns how many were open.
    pub fn close_rank(&mut self, rank: u32) -> u64 {
        let r = rank as usize;
        let mut n = 0;
        for b in &mut self.open[r * self.banks_per_rank..(r + 1) * self.banks_per_rank] {
            if b.take().is_some() {
                n += 1;
            }
        }
        self.open_per_rank[r] = 0;
        n
    }

    /// Charges one cycle of standby to each rank.
    pub fn account(&self, c: &mut Counts) {
        self.account_n(c, 1);
    }

    /// Charges `n` cycles of standby to each rank.
    pub fn account_n(&self, c: &mut Counts, n: u64) {
        for &o in &self.open_per_rank {
            if o > 0 {
                c.active_cycles += n;
            } else {
                c.precharged_cycles += n;
            }
        }
    }

    /// Sets the open rows from `rows` (one per bank, `None` for closed).
    pub fn set_open(&mut self, rows: impl Iterator<Item = Option<u32>>) {
        self.open_per_rank.iter_mut().for_each(|n| *n = 0);
        for (i, r) in rows.enumerate() {
            self.open[i] = r;
            if r.is_some() {
                self.open_per_rank[i / self.banks_per_rank] += 1;
            }
        }
    }

    /// The open row of every bank, in bank order.
    pub fn open_rows(&self) -> &[Option<u32>] {
        &self.open
    }

    /// The open rows, for steady-state detection (`u64::MAX` for closed).
    pub fn signature(&self, out: &mut Vec<u64>) {
        out.extend(self.open.iter().map(|r| r.map_or(u64::MAX, u64::from)));
    }
}
