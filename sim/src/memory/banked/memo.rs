//! Memoized transfers: the exact steady-state path of the banked model.
//!
//! A transfer's effect on the DRAM (the cycles the controllers move through,
//! the statistics they gather, the cycle its last burst completes) is a
//! function of the controllers' state expressed relative to the current
//! cycle, the next request id and an address and row anchor
//! ([`super::controller::canon`]), and of the transfer seen from that
//! anchor: its distance in bytes and rows, where its bursts start within a
//! round of channels and banks, where (if anywhere) it crosses into the next
//! row, its burst count, load or store, and how long after the current cycle
//! it enters. A long stream of tiles drives the controllers through the same
//! relative states again and again; the first time a (state, transfer) pair
//! is met the transfer is simulated cycle by cycle and the outcome recorded,
//! every later time the outcome is applied at once.
//!
//! The refresh schedule is kept outside the state: an outcome recorded when
//! no refresh fell due within the cycles the transfer simulated (its
//! horizon) applies whenever none falls due within that horizon again; one
//! recorded with a refresh inside is keyed by the refresh phase too. So
//! stepping and memoizing give identical results; the memo only decides
//! what is simulated twice. Its size is bounded up front
//! ([`MAX_WORDS`]): near the bound it is emptied and starts over (a
//! stream whose states keep changing, e.g. while a request waits long in a
//! queue and its age grows from every state to the next, gains little from
//! it).

use super::controller::Stats;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::sync::Arc;

/// The most state words the memo holds (8 bytes each: 64 MiB).
pub const MAX_WORDS: usize = 8 << 20;

/// The recorded outcome of one transfer from one state.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The state after it.
    pub next: u32,
    /// DRAM cycles the controllers moved.
    pub dclk: u64,
    /// The cycle its last burst completed, relative to the start.
    pub last: u64,
    /// The cycle its first completion of the transfer's bursts came,
    /// relative to the start (`u64::MAX` for none; kept for a tail, whose
    /// completions are not listed in `done`).
    pub head: u64,
    /// Cycles simulated beyond the start (the feed and the drain to the
    /// last completion): no refresh may fall due within them for an
    /// outcome recorded without one.
    pub horizon: u64,
    /// Bursts it fed into the controllers.
    pub fed: u64,
    /// Requests completed in it: (id relative to the anchor's, wrapping;
    /// cycle relative to the start).
    pub done: Arc<[(u64, u64)]>,
    /// Statistics gathered by each controller.
    pub stats: Arc<[Stats]>,
    /// The lowest and highest queued write address after it, each as
    /// (0, offset below the highest one before it) or (1, offset above the
    /// step's first burst address); None when no write is queued.
    pub wnext: Option<[(u8, u64); 2]>,
    /// The far rows of the state after it ([`super::controller::canon`]),
    /// each as (0, its place among the far rows before it) or (1, its
    /// distance in rows above the anchor's row before it).
    pub far: Arc<[(u8, u32)]>,
    /// With a refresh inside the horizon: each controller's next refresh
    /// relative to the new cycle, and its per-bank cursor.
    pub refresh: Option<Arc<[(u64, u32)]>>,
}

/// States and outcomes met so far.
#[derive(Debug, Clone, Default)]
pub struct Memo {
    ids: HashMap<Arc<[u64]>, u32, FixedState>,
    states: Vec<(Arc<[u64]>, u64)>,
    outcomes: HashMap<Vec<u64>, Outcome, FixedState>,
    words: usize,
    /// Transfers applied from the memo.
    pub hits: u64,
    /// Transfers simulated.
    pub misses: u64,
}

impl Memo {
    /// The id of state `w` (whose oldest request lies `back` ids before its
    /// anchor), interning it while within the size bound.
    pub fn intern(&mut self, w: &[u64], back: u64) -> Option<u32> {
        if let Some(&id) = self.ids.get(w) {
            return Some(id);
        }
        if self.words + w.len() > MAX_WORDS {
            return None;
        }
        let id = u32::try_from(self.states.len()).ok()?;
        let a: Arc<[u64]> = Arc::from(w);
        self.words += w.len();
        self.states.push((a.clone(), back));
        self.ids.insert(a, id);
        Some(id)
    }

    /// State and outcome words held.
    pub fn size(&self) -> usize {
        self.words
    }

    /// Whether the memo has reached its size bound.
    pub fn full(&self) -> bool {
        self.words >= MAX_WORDS - MAX_WORDS / 8
    }

    /// Forgets every state and outcome (the counts stay).
    pub fn clear(&mut self) {
        self.ids.clear();
        self.states.clear();
        self.outcomes.clear();
        self.words = 0;
    }

    /// The words of state `id`.
    pub fn state(&self, id: u32) -> Arc<[u64]> {
        self.states[id as usize].0.clone()
    }

    /// How far back from its anchor's id the oldest request of state `id` lies.
    pub fn back(&self, id: u32) -> u64 {
        self.states[id as usize].1
    }

    /// The outcome recorded under `key`.
    pub fn outcome(&self, key: &[u64]) -> Option<&Outcome> {
        self.outcomes.get(key)
    }

    /// Records an outcome (while within the size bound).
    pub fn record(&mut self, key: Vec<u64>, o: Outcome) {
        let w = key.len() + 10 + 20 * o.stats.len() + 2 * o.done.len() + o.far.len();
        if self.words + w > MAX_WORDS {
            return;
        }
        self.words += w;
        self.outcomes.insert(key, o);
    }
}
