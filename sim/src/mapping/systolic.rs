//! Matrix products on a systolic multiply-accumulate array, the baseline
//! that SCALE-Sim v3 models: weight-stationary (`systolic-ws`),
//! output-stationary (`systolic-os`) and input-stationary (`systolic-is`).
//!
//! The array has R = `array.width` rows (SCALE-Sim's `ArrayHeight`) and
//! C = `array.lanes` columns (`ArrayWidth`). A product (M x K)·(K x N) is
//! laid out on a spatial-row dimension Sr, a spatial-column dimension Sc and
//! a streamed (temporal) dimension T:
//!
//! | dataflow | Sr (rows) | Sc (cols) | T  | stationary in the cells |
//! |----------|-----------|-----------|----|-------------------------|
//! | ws       | K         | N         | M  | weights                 |
//! | os       | M         | N         | K  | outputs                 |
//! | is       | K         | M         | N  | activations             |
//!
//! and cut into `cdiv(Sr, R) x cdiv(Sc, C)` folds, column fold outer, row
//! fold inner. Every fold costs the same P cycles, whatever part of the
//! array it uses (ws and is: R cycles to load the stationary operand, T
//! streamed rows, C - 1 cycles for the last partial sums to leave, R - 1 of
//! skew: 2R + C + T - 2; os: T + (C - 1) + (R - 1)), and folds do not
//! overlap: each pays its own fill and drain. This is SCALE-Sim's model; its
//! "Total Cycles" is F·P - 1 (the index of the last cycle). One tile of the
//! plan is one fold, busy for P cycles; the plan has no extra drain.
//!
//! DRAM traffic per fold (the engine prefetches the next folds while one
//! computes, so with enough bandwidth the loads are hidden):
//! - ws: the fold's R x C weight tile (every weight is read once);
//!   activations, when they spill, M x rows-used per fold.
//! - os: the K x cols-used weight slice with the first row fold of each
//!   column fold (reused by the other row folds) when it fits half of the
//!   weight buffer, else with every fold; spilled activations rows-used x K
//!   per fold.
//! - is: the rows-used x N weight slice with every fold of the first column
//!   fold when all K x N weights fit half of the weight buffer (reused by the
//!   other column folds), else with every fold; spilled activations, the
//!   stationary rows-used x cols-used tile, per fold.
//!
//! Activations stay on chip (no DRAM traffic) when the operator's whole
//! input fits the activation buffer, and outputs are written to DRAM when
//! they do not fit it, both as on the lane array (`linear.rs`); outputs are
//! stored when complete: after every fold for os, after the last row (K)
//! fold of a column fold for ws and is.
//!
//! SRAM ports: a fold needs, per cycle, one operand element per used row
//! (and per used column) from the buffers, and writes partial sums of
//! `acc_bits` per used column; a port narrower than that stretches the
//! phase it feeds (counted as SRAM stall cycles). With ports at least as wide
//! as the array, a fold takes exactly P cycles, as in SCALE-Sim.

use super::{push_run, Tiles};
use super::{MapError, OpPlan, TileWork, Unit};
use crate::activity::{Activity, Buffer};
use crate::arch::{acc_bits_for, Accelerator, Dataflow, ZeroHandling};
use crate::memory::SramPort;
use serde::{Deserialize, Serialize};
use workloads::Op;

/// The three systolic dataflows of SCALE-Sim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Systolic {
    /// Weight-stationary: K on the rows, N on the columns, M streams.
    Ws,
    /// Output-stationary: M on the rows, N on the columns, K streams.
    Os,
    /// Input-stationary: K on the rows, M on the columns, N streams.
    Is,
}

impl Systolic {
    /// All three, in SCALE-Sim's order.
    pub const ALL: [Systolic; 3] = [Systolic::Ws, Systolic::Os, Systolic::Is];

    /// The systolic dataflow of a design, `None` for the lane template.
    pub fn of(df: Dataflow) -> Option<Systolic> {
        match df {
            Dataflow::Lanes => None,
            Dataflow::SystolicWs => Some(Systolic::Ws),
            Dataflow::SystolicOs => Some(Systolic::Os),
            Dataflow::SystolicIs => Some(Systolic::Is),
        }
    }

    /// SCALE-Sim's name: `ws`, `os` or `is`.
    pub fn name(self) -> &'static str {
        match self {
            Systolic::Ws => "ws",
            Systolic::Os => "os",
            Systolic::Is => "is",
        }
    }

    /// The dataflow called `name` in SCALE-Sim (`ws`, `os`, `is`).
    pub fn from_name(name: &str) -> Option<Systolic> {
        Systolic::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The design's dataflow.
    pub fn dataflow(self) -> Dataflow {
        match self {
            Systolic::Ws => Dataflow::SystolicWs,
            Systolic::Os => Dataflow::SystolicOs,
            Systolic::Is => Dataflow::SystolicIs,
        }
    }

    /// (Sr, Sc, T): the GEMM dimensions laid on the rows, on the columns and
    /// streamed, for (M x K)·(K x N).
    pub fn layout(self, m: u64, n: u64, k: u64) -> (u64, u64, u64) {
        match self {
            Systolic::Ws => (k, n, m),
            Systolic::Os => (m, n, k),
            Systolic::Is => (k, m, n),
        }
    }

    /// P: cycles of one fold on an R x C array streaming `t` rows.
    pub fn fold_cycles(self, rows: u64, cols: u64, t: u64) -> u64 {
        match self {
            Systolic::Ws | Systolic::Is => 2 * rows + cols + t - 2,
            Systolic::Os => rows + cols + t - 2,
        }
    }

    /// U: the fold length SCALE-Sim divides by in "Compute Util" (for ws and
    /// is it is taken from the unskewed demand, C - 1 cycles longer than P).
    pub fn util_cycles(self, rows: u64, cols: u64, t: u64) -> u64 {
        match self {
            Systolic::Ws | Systolic::Is => 2 * rows + 2 * cols + t - 3,
            Systolic::Os => rows + cols + t - 2,
        }
    }
}

/// What SCALE-Sim v3 reports for one GEMM layer (InterfaceBandwidth CALC,
/// no sparsity): cycles, utilisations and access counts, from the closed
/// forms of `sim/tests/data/scalesim/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaleSimCycles {
    /// Folds along the array rows: cdiv(Sr, R).
    pub row_folds: u64,
    /// Folds along the array columns: cdiv(Sc, C).
    pub col_folds: u64,
    /// All folds: row_folds x col_folds.
    pub folds: u64,
    /// P: cycles of one fold.
    pub fold_cycles: u64,
    /// U: the per-fold length behind "Compute Util".
    pub util_cycles: u64,
    /// L = folds x P: the cycles simulated (rows of SCALE-Sim's demand matrices).
    pub cycles: u64,
    /// "Total Cycles" = L - 1: the index of the last cycle.
    pub total_cycles: u64,
    /// "Stall Cycles": always 0 with stall-free (CALC) memory.
    pub stall_cycles: u64,
    /// "Overall Util %" = 100·MNK / (total_cycles·R·C).
    pub overall_util: f64,
    /// "Mapping Efficiency %": mean over folds of the fraction of cells mapped.
    pub mapping_eff: f64,
    /// "Compute Util %": mean over folds of useful MACs / (R·C·U).
    pub compute_util: f64,
    /// SRAM ifmap (activation) reads, words.
    pub ifmap_sram_reads: u64,
    /// SRAM filter (weight) reads, words.
    pub filter_sram_reads: u64,
    /// SRAM ofmap writes, words (os includes SCALE-Sim's extra R + C a fold).
    pub ofmap_sram_writes: u64,
    /// DRAM ifmap reads, words (distinct addresses).
    pub ifmap_dram_reads: u64,
    /// DRAM filter reads, words (distinct addresses).
    pub filter_dram_reads: u64,
    /// DRAM ofmap writes, words.
    pub ofmap_dram_writes: u64,
}

/// SCALE-Sim v3's report for the GEMM (M x K)·(K x N) on an R = `rows` x
/// C = `cols` array with dataflow `df`, computed in closed form. The
/// utilisations are summed fold by fold (column fold outer, row fold inner,
/// left to right) exactly as SCALE-Sim does in Python 3.11, so the floats are
/// the same bits as its reports.
///
/// Every argument must be at least 1. With `total_cycles` = 0 (only an os
/// 1 x 1 array on K = 1) `overall_util` is infinite, where SCALE-Sim divides
/// by zero.
pub fn scalesim_cycles(
    df: Systolic,
    rows: u64,
    cols: u64,
    m: u64,
    n: u64,
    k: u64,
) -> ScaleSimCycles {
    assert!(
        rows >= 1 && cols >= 1 && m >= 1 && n >= 1 && k >= 1,
        "scalesim_cycles: every dimension must be at least 1"
    );
    let (sr, sc, t) = df.layout(m, n, k);
    let row_folds = sr.div_ceil(rows);
    let col_folds = sc.div_ceil(cols);
    let folds = row_folds * col_folds;
    let p = df.fold_cycles(rows, cols, t);
    let u = df.util_cycles(rows, cols, t);
    let cycles = folds * p;
    let total_cycles = cycles - 1;

    // Python: int / int is the correctly rounded quotient, which is what
    // IEEE division of the two (exactly representable) values gives.
    let rc = (rows * cols) as f64;
    let rcu = (rows * cols * u) as f64;
    let mut map_sum = 0.0f64;
    let mut util_sum = 0.0f64;
    for fc in 0..col_folds {
        let cols_used = cols.min(sc - fc * cols);
        for fr in 0..row_folds {
            let rows_used = rows.min(sr - fr * rows);
            let used = rows_used * cols_used;
            map_sum += used as f64 / rc;
            util_sum += (used * t) as f64 / rcu;
        }
    }
    let f = folds as f64;
    let mapping_eff = map_sum / f * 100.0;
    let compute_util = util_sum / f * 100.0;
    let overall_util = (m * n * k * 100) as f64 / (total_cycles * rows * cols) as f64;

    let (ifmap_sram_reads, filter_sram_reads, ofmap_sram_writes, ofmap_dram_writes) = match df {
        Systolic::Ws => (
            m * k * col_folds,
            k * n,
            m * n * row_folds,
            m * n * row_folds,
        ),
        Systolic::Os => (
            m * k * col_folds,
            k * n * row_folds,
            m * n + folds * (rows + cols),
            m * n,
        ),
        Systolic::Is => (
            m * k,
            k * n * col_folds,
            m * n * row_folds,
            m * n * row_folds,
        ),
    };
    ScaleSimCycles {
        row_folds,
        col_folds,
        folds,
        fold_cycles: p,
        util_cycles: u,
        cycles,
        total_cycles,
        stall_cycles: 0,
        overall_util,
        mapping_eff,
        compute_util,
        ifmap_sram_reads,
        filter_sram_reads,
        ofmap_sram_writes,
        ifmap_dram_reads: m * k,
        filter_dram_reads: k * n,
        ofmap_dram_writes,
    }
}

/// Sizes of the pieces a length is cut into: `(piece, count)` pairs.
fn pieces(total: u64, piece: u64) -> Vec<(u64, u64)> {
    let (full, rest) = (total / piece, total % piece);
    let mut v = Vec::with_capacity(2);
    if full > 0 {
        v.push((piece, full));
    }
    if rest > 0 {
        v.push((rest, 1));
    }
    v
}

/// Cycles a port needs for one cycle's worth of `bytes` (at least 1).
fn port_cycles(port: SramPort, bytes: u64) -> u64 {
    port.cycles_for(bytes).max(1)
}

/// Plans `op` on the systolic array of `arch` with dataflow `df`.
pub(super) fn plan(arch: &Accelerator, op: &Op, df: Systolic) -> Result<OpPlan, MapError> {
    let arr = &arch.array;
    let rows = u64::from(arr.width);
    let cols = u64::from(arr.lanes);
    let w = op.w.unwrap_or(op.a);
    let a = op.a;

    if let Some(needed) = acc_bits_for(op.k, a, w) {
        let have = arch.acc_bits();
        if needed > have {
            return Err(MapError::Accumulator {
                op: op.name.clone(),
                k: op.k,
                needed,
                have,
            });
        }
    }
    let acc = arch.acc_bits();
    let acc_bytes = u64::from(acc.div_ceil(8));

    let cap_w = arch.buffers.weights.tile_bytes();
    if df == Systolic::Ws && w.bytes_for(rows * cols) > cap_w {
        return Err(MapError::WeightBuffer {
            op: op.name.clone(),
            bytes: w.bytes_for(rows * cols),
            capacity: cap_w,
        });
    }

    let (sr, sc, t) = df.layout(op.m, op.n, op.k);
    let p = df.fold_cycles(rows, cols, t);
    let row_pieces = pieces(sr, rows);
    let col_pieces = pieces(sc, cols);
    let row_folds = sr.div_ceil(rows);
    let col_folds = sc.div_ceil(cols);

    // Activations on chip, outputs spilled: as on the lane array.
    let act_cap = arch.buffers.activations.bytes();
    let acts_on_chip = a.bytes_for(op.g * op.m * op.k) <= act_cap;
    let out_spill = op.out.bytes_for(op.g * op.m * op.n) > act_cap;
    // Weight reuse across folds when the reused part fits half the buffer.
    let os_slice_reused = w.bytes_for(op.k * cols) <= cap_w;
    let is_all_reused = w.bytes_for(op.k * op.n) <= cap_w;

    let wport = SramPort::new(&arch.buffers.weights);
    let aport = SramPort::new(&arch.buffers.activations);
    let oport = SramPort::new(&arch.buffers.outputs);
    let wcyc = |count: u64| port_cycles(wport, w.bytes_for(count));
    let acyc = |count: u64| port_cycles(aport, a.bytes_for(count));
    let ocyc = |count: u64| port_cycles(oport, count * acc_bytes);

    // The tile of one fold: `r` rows and `c` columns used, whether it is the
    // first/last row fold of its column fold and in the first column fold.
    let tile = |r: u64, c: u64, first_row: bool, last_row: bool, first_col: bool| {
        let (weights, acts, store, stall) = match df {
            Systolic::Ws => (
                w.bytes_for(r * c),
                a.bytes_for(op.m * r),
                if last_row {
                    op.out.bytes_for(op.m * c)
                } else {
                    0
                },
                rows * (wcyc(c) - 1) + op.m * (acyc(r).max(ocyc(c)) - 1),
            ),
            Systolic::Os => (
                if first_row || !os_slice_reused {
                    w.bytes_for(op.k * c)
                } else {
                    0
                },
                a.bytes_for(r * op.k),
                op.out.bytes_for(r * c),
                op.k * (acyc(r).max(wcyc(c)) - 1)
                    + oport
                        .cycles_for(r * c * acc_bytes)
                        .saturating_sub(rows + cols - 2),
            ),
            Systolic::Is => (
                if first_col || !is_all_reused {
                    w.bytes_for(r * op.n)
                } else {
                    0
                },
                a.bytes_for(r * c),
                if last_row {
                    op.out.bytes_for(c * op.n)
                } else {
                    0
                },
                rows * (acyc(c) - 1) + op.n * (wcyc(r).max(ocyc(c)) - 1),
            ),
        };
        let acts = if acts_on_chip { 0 } else { acts };
        TileWork {
            load: weights + acts,
            load_after_producers: acts > 0,
            busy: p,
            sram_stall: stall,
            store: if out_spill { store } else { 0 },
            ..TileWork::default()
        }
    };

    // One instance: column folds outer, row folds inner; identical column
    // folds repeat the same row-fold sequence.
    let row_group = |c: u64, first_col: bool| {
        let mut g = Vec::new();
        for fr in 0..row_folds {
            let r = rows.min(sr - fr * rows);
            let t = tile(r, c, fr == 0, fr + 1 == row_folds, first_col);
            push_run(&mut g, t, 1);
        }
        g
    };
    let mut instance = Tiles::new();
    let mut first_col = true;
    for &(c, count) in &col_pieces {
        // the first column fold alone (it loads the weights others reuse)
        let mut left = count;
        if first_col {
            instance.push_pattern(&row_group(c, true), 1);
            first_col = false;
            left -= 1;
        }
        if left > 0 {
            instance.push_pattern(&row_group(c, false), left);
        }
    }
    let mut tiles = Tiles::new();
    for _ in 0..op.g {
        tiles.append(&instance);
    }

    // Events.
    let g = op.g;
    let macs = g * op.m * op.n * op.k;
    let outputs = g * op.m * op.n;
    let a_bits = arr.activations.storage_bits().ceil() as u64;
    let w_bits = arr.weights.storage_bits().ceil() as u64;
    let float = arr.activations.is_float();
    let name = if float {
        arr.activations.name()
    } else {
        format!("int{}", a_bits.max(w_bits))
    };
    let mut act = Activity {
        terms: macs,
        ..Activity::default()
    };
    *act.mults.entry(name.clone()).or_insert(0) += macs;
    // partial sums of earlier K folds merged in the output buffer (ws, is)
    let merges = if df == Systolic::Os {
        0
    } else {
        outputs * (row_folds - 1)
    };
    match df {
        Systolic::Os => {
            // each cell accumulates its own output
            *act.acc_updates.entry(acc).or_insert(0) += macs;
            act.reg_bits += macs * (a_bits + w_bits + u64::from(acc));
        }
        Systolic::Ws | Systolic::Is => {
            // each cell adds its product to the partial sum passing through
            if float {
                *act.fp_adds.entry(name).or_insert(0) += macs;
            } else {
                *act.adds.entry(acc).or_insert(0) += macs;
            }
            if merges > 0 {
                *act.acc_updates.entry(acc).or_insert(0) += merges;
            }
            let (moving, stationary) = if df == Systolic::Ws {
                (a_bits, g * op.k * op.n * w_bits)
            } else {
                (w_bits, g * op.m * op.k * a_bits)
            };
            act.reg_bits += macs * (moving + u64::from(acc)) + stationary;
        }
    }
    if w.is_low_bit_weight() && arr.zeros == ZeroHandling::Gate {
        act.zero_terms_gated = (macs as f64 * op.zero_fraction()).round() as u64;
    }
    let (dram_r, dram_w) = (tiles.sum(|t| t.load), tiles.sum(|t| t.store));
    // weight bytes of the loads in closed form; the rest are activations
    let w_dram = op.g
        * match df {
            Systolic::Ws => row_pieces
                .iter()
                .map(|&(r, rn)| {
                    rn * col_pieces
                        .iter()
                        .map(|&(c, cn)| cn * w.bytes_for(r * c))
                        .sum::<u64>()
                })
                .sum::<u64>(),
            Systolic::Os => {
                let per = col_pieces
                    .iter()
                    .map(|&(c, cn)| cn * w.bytes_for(op.k * c))
                    .sum::<u64>();
                per * if os_slice_reused { 1 } else { row_folds }
            }
            Systolic::Is => {
                let per = row_pieces
                    .iter()
                    .map(|&(r, rn)| rn * w.bytes_for(r * op.n))
                    .sum::<u64>();
                per * if is_all_reused { 1 } else { col_folds }
            }
        };
    let a_dram = dram_r - w_dram;
    act.dram_read_bits = dram_r * 8;
    act.dram_write_bits = dram_w * 8;
    // SRAM: SCALE-Sim's access counts, in bytes.
    let (a_reads, w_reads) = match df {
        Systolic::Ws => (op.m * op.k * col_folds, op.k * op.n),
        Systolic::Os => (op.m * op.k * col_folds, op.k * op.n * row_folds),
        Systolic::Is => (op.m * op.k, op.k * op.n * col_folds),
    };
    act.sram_read(Buffer::Activations, a.bytes_for(g * a_reads));
    act.sram_read(Buffer::Weights, w.bytes_for(g * w_reads));
    act.sram_write(Buffer::Weights, w_dram);
    act.sram_write(Buffer::Activations, a_dram);
    act.sram_write(
        Buffer::Outputs,
        op.out.bytes_for(outputs) + merges * acc_bytes,
    );
    act.sram_read(Buffer::Outputs, merges * acc_bytes);
    if out_spill {
        act.sram_read(Buffer::Outputs, op.out.bytes_for(outputs));
    }

    Ok(OpPlan {
        choice: None,
        depth: None,
        unit: Unit::Array,
        tiles,
        drain: 0,
        activity: act,
        macs,
        note: format!(
            "systolic-{} {rows}x{cols}: {} folds ({col_folds} col x {row_folds} row) of {p} cycles{}{}",
            df.name(),
            g * row_folds * col_folds,
            if g > 1 {
                format!(" ({g} instances)")
            } else {
                String::new()
            },
            if acts_on_chip {
                "; activations on chip"
            } else {
                "; activations streamed"
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_of_the_readme() {
        // sim/tests/data/scalesim/README.md, 32x32
        let c = |df, m, n, k| scalesim_cycles(df, 32, 32, m, n, k).total_cycles;
        assert_eq!(c(Systolic::Ws, 1, 64, 64), 379);
        assert_eq!(c(Systolic::Os, 1, 64, 64), 251);
        assert_eq!(c(Systolic::Is, 1, 64, 64), 315);
        assert_eq!(c(Systolic::Ws, 64, 64, 64), 631);
        assert_eq!(c(Systolic::Os, 64, 64, 64), 503);
        assert_eq!(c(Systolic::Is, 64, 64, 64), 631);
        assert_eq!(c(Systolic::Ws, 1, 1, 1), 94);
        assert_eq!(c(Systolic::Os, 1, 1, 1), 62);
        assert_eq!(c(Systolic::Is, 1, 1, 1), 94);
        assert_eq!(c(Systolic::Ws, 1, 512, 128), 6079);
        assert_eq!(c(Systolic::Os, 1, 512, 128), 3039);
        assert_eq!(c(Systolic::Is, 1, 512, 128), 2423);
    }

    #[test]
    fn names_round_trip() {
        for d in Systolic::ALL {
            assert_eq!(Systolic::from_name(d.name()), Some(d));
            assert_eq!(Systolic::of(d.dataflow()), Some(d));
        }
        assert_eq!(Systolic::of(Dataflow::Lanes), None);
        assert_eq!(Systolic::from_name("lanes"), None);
    }

    #[test]
    fn pieces_cover_the_length() {
        assert_eq!(pieces(65, 32), vec![(32, 2), (1, 1)]);
        assert_eq!(pieces(64, 32), vec![(32, 2)]);
        assert_eq!(pieces(3, 32), vec![(3, 1)]);
    }
}
