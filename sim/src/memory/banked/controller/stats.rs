//! A controller's row-buffer and traffic statistics.

use crate::memory::banked::power::Counts;
use serde::{Deserialize, Serialize};

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
