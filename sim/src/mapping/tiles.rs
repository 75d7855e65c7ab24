//! The tile sequence of an operator, compressed: a list of patterns, each
//! a short list of runs of identical tiles, repeated. The engine walks it
//! tile by tile, and fast-forward jumps over whole runs or repetitions.

use super::TileWork;

/// A run of identical tiles: the tile and how many times it repeats.
pub type Run = (TileWork, u64);

/// Appends `count` copies of `tile` to a list of runs, merging with the
/// last run when equal.
pub fn push_run(runs: &mut Vec<Run>, tile: TileWork, count: u64) {
    if count == 0 {
        return;
    }
    match runs.last_mut() {
        Some((t, n)) if *t == tile => *n += count,
        _ => runs.push((tile, count)),
    }
}

/// A list of runs repeated `reps` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The runs of one repetition, in order.
    pub runs: Vec<Run>,
    /// Repetitions (at least 1).
    pub reps: u64,
}

impl Pattern {
    /// Tiles in one repetition.
    pub fn tiles_per_rep(&self) -> u64 {
        self.runs.iter().map(|r| r.1).sum()
    }
}

/// An operator's tiles in execution order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tiles {
    /// Patterns in order; none is empty.
    pub patterns: Vec<Pattern>,
}

impl Tiles {
    /// No tiles.
    pub fn new() -> Tiles {
        Tiles::default()
    }

    /// Appends `count` copies of `tile`.
    pub fn push(&mut self, tile: TileWork, count: u64) {
        if count == 0 {
            return;
        }
        match self.patterns.last_mut() {
            Some(p) if p.reps == 1 => push_run(&mut p.runs, tile, count),
            _ => self.patterns.push(Pattern {
                runs: vec![(tile, count)],
                reps: 1,
            }),
        }
    }

    /// Appends `runs` repeated `reps` times.
    pub fn push_pattern(&mut self, runs: &[Run], reps: u64) {
        let runs: Vec<Run> = runs.iter().copied().filter(|r| r.1 > 0).collect();
        if reps == 0 || runs.is_empty() {
            return;
        }
        if let [(t, n)] = runs[..] {
            self.push(t, n * reps);
        } else if reps == 1 {
            for (t, n) in runs {
                self.push(t, n);
            }
        } else {
            match self.patterns.last_mut() {
                Some(p) if p.runs == runs => p.reps += reps,
                _ => self.patterns.push(Pattern { runs, reps }),
            }
        }
    }

    /// Appends all of `other`.
    pub fn append(&mut self, other: &Tiles) {
        for p in &other.patterns {
            self.push_pattern(&p.runs, p.reps);
        }
    }

    /// True when there is no tile.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Number of tiles.
    pub fn count(&self) -> u64 {
        self.patterns
            .iter()
            .map(|p| p.reps * p.tiles_per_rep())
            .sum()
    }

    /// Every distinct run with the number of tiles it stands for in total.
    pub fn weighted_runs(&self) -> impl Iterator<Item = (TileWork, u64)> + '_ {
        self.patterns
            .iter()
            .flat_map(|p| p.runs.iter().map(move |&(t, n)| (t, n * p.reps)))
    }

    /// Sum of `f(tile)` over every tile.
    pub fn sum(&self, f: impl Fn(&TileWork) -> u64) -> u64 {
        self.weighted_runs().map(|(t, n)| f(&t) * n).sum()
    }

    /// Builds tiles from plain runs.
    pub fn from_runs(runs: &[Run]) -> Tiles {
        let mut t = Tiles::new();
        for &(tile, n) in runs {
            t.push(tile, n);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(load: u64) -> TileWork {
        TileWork {
            load,
            busy: 1,
            ..TileWork::default()
        }
    }

    #[test]
    fn patterns_merge_and_count() {
        let mut t = Tiles::new();
        t.push(tile(1), 2);
        t.push(tile(1), 3);
        assert_eq!(t.patterns.len(), 1);
        t.push_pattern(&[(tile(2), 1), (tile(3), 4)], 10);
        t.push_pattern(&[(tile(2), 1), (tile(3), 4)], 5);
        assert_eq!(t.patterns.len(), 2);
        assert_eq!(t.patterns[1].reps, 15);
        t.push_pattern(&[(tile(4), 2)], 3);
        assert_eq!(t.count(), 5 + 15 * 5 + 6);
        assert_eq!(t.sum(|x| x.load), 5 + 15 * (2 + 12) + 6 * 4);
    }
}
