//! Memos shared by the runs of one process.
//!
//! A memo's outcomes are functions of a canonical controller state and a
//! transfer seen from its anchor, in DRAM cycles ([`super::memo`]): they
//! depend on the DRAM spec and the system configuration (channels,
//! mapping, controller), and on nothing else of the run that recorded them
//! (not the accelerator clock, the workload or the position in it). So the
//! engine runs of one process with the same spec and configuration (the
//! decode step and its repeats, the points of a sweep that differ elsewhere)
//! can take over one memo: a run borrows the memo its predecessors filled
//! and hands it back when it finishes. Results stay the ones stepping gives,
//! whatever the order in which runs borrow and return (only the speed
//! changes); two runs at once on different threads each hold their own.

use super::memo::Memo;
use std::sync::Mutex;

/// Memos held between runs, at most this many (each is bounded by
/// [`super::memo::MAX_WORDS`]): an assumption that keeps a sweep over many
/// DRAM configurations from holding a memo for each.
const KEPT: usize = 2;

/// Memos waiting for a run, with the configuration they belong to; the
/// most recently returned last.
static POOL: Mutex<Vec<(String, Box<Memo>)>> = Mutex::new(Vec::new());

/// A memo for configuration `key`: the one held for it, or a new one.
pub fn borrow(key: &str) -> Box<Memo> {
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    match pool.iter().position(|(k, _)| k == key) {
        Some(i) => pool.remove(i).1,
        None => Box::default(),
    }
}

/// Returns memo `m` of configuration `key`; of two for the same key the
/// larger stays.
pub fn give_back(key: String, m: Box<Memo>) {
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = pool.iter().position(|(k, _)| *k == key) {
        if pool[i].1.size() >= m.size() {
            return;
        }
        pool.remove(i);
    }
    pool.push((key, m));
    if pool.len() > KEPT {
        pool.remove(0);
    }
}
