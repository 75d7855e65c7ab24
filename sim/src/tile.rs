//! The cycle-accurate model of the RTL compute tile: the specification of
//! the generated tile's cycle behaviour (the RTL is generated from it and
//! checked against [`predict`] cycle for cycle).
//!
//! # Ports (DESIGN.md, "RTL tile interface")
//!
//! `clk`, `rst_n` (active low, synchronous); `in_valid`/`in_ready` with
//! `in_act` (`width` activations), `in_wgt` (`lanes x width` weights) and
//! `in_last`; `out_valid`/`out_ready` with `out_acc` (`lanes` accumulators of
//! `acc_bits` bits). Encodings and bit order: [`crate::bitexact::encoding`].
//!
//! All three outputs `in_ready`, `out_valid` and `out_acc` are functions of
//! the registered state only (no combinational path from any input to any
//! output). A chunk is *accepted* at a rising edge where
//! `in_valid && in_ready`; an output is *taken* at an edge where
//! `out_valid && out_ready`. `in_act`, `in_wgt` and `in_last` are only
//! looked at in a cycle that accepts; `in_valid` may drop at any time.
//!
//! # Micro-architecture
//!
//! Let `P = pipeline_regs`, `II = initiation_interval` ([`ArrayTiming`]) and
//! `D = P − 1`. The tile's state is:
//!
//! * **stage 0, the input register** (`act`, `wgt`, `last`) with a counter
//!   `hold` (0..=II) of the plane groups it still has to issue; `hold = 0`
//!   means empty. On acceptance it is loaded and `hold := II`.
//! * **issue**: in every cycle with `hold > 0` stage 0 issues group
//!   `g = II − hold` (for the adder tree and `mac`, II = 1 and the group is
//!   the whole chunk; for popcount, planes `g·ppc .. min((g+1)·ppc, B)`,
//!   least significant first) and `hold` decrements. The issued entry
//!   carries a `valid` bit, a `last` bit (`= last && hold == 1`, i.e. the
//!   chunk's final group of a reduction's final chunk) and the per-lane
//!   values.
//! * **`D` pipeline registers** after stage 0 (each a `valid`, `last` and
//!   `lanes` values): the multiplier register (`mac` only) and the tree
//!   registers, one after every `stage_levels` levels of the
//!   `ceil(log2(width))`-level tree, the last one at the tree's output
//!   (levels `stage_levels, 2·stage_levels, ..., tree_levels`). The logic
//!   between stage 0 and the first of these is the select/negate (or
//!   multipliers, or the plane AND/XNOR) and the first tree levels; the
//!   popcount's shift, sign and sum of the `ppc` planes sits after the
//!   tree's output register, before the accumulator. The entry leaving the
//!   last register (or, when `D = 0`, the entry stage 0 issues) is the
//!   **arriving** entry.
//! * **the accumulator** `acc` (`lanes` x `acc_bits`) and a flag `done`:
//!   the accumulator holds a finished reduction waiting for the output
//!   register (a one-entry skid buffer, used only under back-pressure).
//! * **the output register** `out` (`lanes` x `acc_bits`) and `out_valid`.
//!
//! Outputs in a cycle (from the state):
//!
//! ```text
//! in_ready  = (hold <= 1) && !(done && arriving.valid)
//! out_valid = out_valid register
//! out_acc   = out register
//! ```
//!
//! At each rising edge (not in reset), with `fire = out_valid && out_ready`:
//!
//! 1. `stall = done && arriving.valid && !out_ready`. When stalled, **no
//!    register changes** (and nothing is accepted: `in_ready` is low).
//! 2. Accumulate (registers `acc`, `done`, `out`, `out_valid`), values
//!    wrapping modulo `2^acc_bits`:
//!    * `done`: if `fire`: `out := acc`, `out_valid` stays 1, `done := 0`,
//!      then the arriving entry (if valid) starts the next reduction:
//!      `acc := arriving` and `done := arriving.last`; with nothing
//!      arriving `acc := 0`. If not `fire`, nothing arrives (else it
//!      stalled) and nothing changes.
//!    * not `done`, arriving valid, `s = acc + arriving`: if `arriving.last`:
//!      when `!out_valid || fire`, `out := s`, `out_valid := 1`,
//!      `acc := 0`; otherwise `acc := s`, `done := 1`. If not last,
//!      `acc := s`; `out_valid := out_valid && !fire`.
//!    * not `done`, nothing arriving: `out_valid := out_valid && !fire`.
//! 3. Shift: the entry stage 0 issues this cycle (valid iff `hold > 0`)
//!    enters the first pipeline register, every register takes its
//!    predecessor's entry; if `hold > 0`, `hold := hold − 1`.
//! 4. Accept: if `in_valid && in_ready`, stage 0 loads the chunk and
//!    `hold := II` (after step 3, so a chunk can be accepted in the cycle
//!    stage 0 issues its last group: chunks are accepted every II cycles).
//!
//! Reset (`rst_n` low at an edge): `hold = 0`, every pipeline `valid = 0`,
//! `acc = 0`, `done = 0`, `out = 0`, `out_valid = 0`. After reset
//! `in_ready = 1`.
//!
//! Consequences (the tests check them):
//!
//! * Latency: when nothing blocks, `out_valid` rises exactly
//!   [`tile_latency`] `= P + II` cycles after the cycle that accepted the
//!   last chunk of a reduction (`P + 1` for the adder tree and `mac`). With
//!   `out_ready` held high the tile never stalls and `done` never sets.
//! * Throughput: one chunk every II cycles, across reductions too (the next
//!   reduction's first chunk may be accepted right after an `in_last`
//!   chunk); the accumulator restarts at 0 for every reduction.
//! * Back-pressure: outputs are never lost, duplicated or reordered;
//!   `in_ready` drops only when a finished result waits in the accumulator
//!   and another entry has arrived behind it.
//!
//! # Weight registers (`array.token_tile = T > 1`)
//!
//! The lanes keep their weights in the stage-0 weight register across a
//! tile of up to `T` tokens and keep one partial sum per token (`T`
//! accumulators a lane): the loop runs chunk-outer, token-inner, as the
//! simulator's mapping counts it ([`crate::mapping::reuse`]). One more
//! input, `in_wload`, is read with an accepted chunk:
//!
//! * `in_wload = 1`: the lanes load `in_wgt` (the chunk of the tile's first
//!   token) and the chunk takes token slot 0;
//! * `in_wload = 0`: `in_wgt` is not looked at; the lanes reuse the weights
//!   they hold and the chunk takes the next slot (`slot + 1`).
//!
//! A producer offers, for every chunk `c` of a tile of `n <= T` tokens, the
//! `n` tokens' activations in token order, the first with `in_wload` and
//! that chunk's weights; `in_last` marks every token's chunk of the last
//! K chunk. The first chunk after reset must load weights and a weight
//! load serves at most `T` chunks ([`predict`] refuses other stimuli;
//! the RTL's slot counter would wrap). In the model a chunk without
//! weights is one whose `wgt` is empty.
//!
//! The slot travels with the entry through the pipeline; the arriving
//! entry adds to its slot's accumulator (`sum = acc[slot] + arriving`,
//! through the one `T:1` multiplexer per accumulator bit that the mapping
//! and the area count). The rules above hold with `acc` read as
//! `acc[slot]`, plus a register `dslot`, the slot of the finished
//! reduction that `done` holds (an arriving last entry that sets `done`
//! sets `dslot := slot`), and one more case: the multiplexer reads
//! `acc[dslot]` while `done`, so when `done`, `fire` and an entry of
//! another slot arrive together (`wait`), the output register takes
//! `acc[dslot]`, `acc[dslot] := 0` and `done := 0` as if nothing had
//! arrived, and the arriving entry, stage 0 and the pipeline stay where
//! they are for that cycle (it arrives again, with `done` clear, in the
//! next). `in_ready` is low in that cycle anyway (`done && arriving`).
//! With `T = 1` every slot is 0, `wait` never holds, and this is the tile
//! above, port for port (`in_wload` does not exist; every chunk carries
//! its weights).
//!
//! Timing does not change when the output is taken (`wait` needs a result
//! waiting in the accumulators, i.e. back-pressure): one chunk every II
//! cycles whatever its slot, and a token's result leaves [`tile_latency`]
//! after its last chunk, so the
//! `n` results of a tile leave one every II cycles as their last chunks
//! arrived and [`cycles_for_reductions`] holds for any `T` (the mapping's
//! drain is the latency, with no extra cycles for the partial-sum bank).
//!
//! The model computes a chunk's per-group values when it is accepted (the
//! RTL computes them as the groups pass); what crosses the ports is the same.

use crate::arch::{ArrayConfig, ArrayTiming};
use crate::bitexact::encoding::wrap;
use crate::bitexact::{BitExactError, Datapath};

/// Why [`predict`] gave up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The array or a chunk is not one the datapath takes.
    #[error(transparent)]
    Datapath(#[from] BitExactError),
    /// The stimulus breaks the weight-register protocol (see the module
    /// documentation): a chunk reuses weights before any were loaded, or a
    /// weight load serves more than `array.token_tile` chunks.
    #[error("chunk {chunk}: {why}")]
    Protocol {
        /// The chunk's index in the stimulus.
        chunk: usize,
        /// What is wrong.
        why: String,
    },
    /// The tile stopped making progress: with input always offered and the
    /// output always taken it must finish; this reports a model bug.
    #[error("the tile made no progress: {outputs} of {expected} outputs after {cycles} cycles")]
    Hung {
        /// Cycles run.
        cycles: u64,
        /// Outputs taken.
        outputs: usize,
        /// Outputs expected.
        expected: usize,
    },
}

/// Cycles from the cycle that accepts a reduction's last chunk to the cycle
/// `out_valid` rises, when nothing blocks: `pipeline_regs +
/// initiation_interval` (the bit-serial popcount issues the chunk's last
/// plane group `II − 1` cycles after accepting it). Equals
/// [`ArrayTiming::latency`] whenever `II = 1`.
pub fn tile_latency(t: &ArrayTiming) -> u32 {
    t.pipeline_regs + t.initiation_interval
}

/// Closed form for `n_reductions` reductions of `chunks_per_reduction`
/// chunks each, the input always valid and the output always ready, the
/// first chunk accepted at cycle 0: the cycle in which the last output is
/// valid (and taken), `N·II + pipeline_regs` for `N = n_reductions ·
/// chunks_per_reduction` chunks (chunks are accepted at cycles
/// `0, II, ..., (N−1)·II`, the last output follows [`tile_latency`] later).
/// The tile is busy for that many cycles plus one. 0 when `N = 0`.
pub fn cycles_for_reductions(t: &ArrayTiming, n_reductions: u64, chunks_per_reduction: u64) -> u64 {
    let n = n_reductions * chunks_per_reduction;
    if n == 0 {
        0
    } else {
        n * u64::from(t.initiation_interval) + u64::from(t.pipeline_regs)
    }
}

/// The tile's inputs in one cycle. `in_act` (`width` values) and `in_wgt`
/// (`lanes x width`, lane-major: lane `l`, element `e` at `l*width + e`)
/// are only read when the chunk is accepted; they may be empty otherwise.
/// With `array.token_tile > 1` an accepted chunk with an empty `in_wgt`
/// is offered with `in_wload = 0` (the lanes reuse their weights).
#[derive(Debug, Clone, Copy)]
pub struct TileInputs<'a> {
    /// A chunk is offered.
    pub in_valid: bool,
    /// Its activations.
    pub in_act: &'a [i64],
    /// Its weights.
    pub in_wgt: &'a [i64],
    /// It ends a reduction.
    pub in_last: bool,
    /// The consumer takes `out_acc` at this edge if `out_valid`.
    pub out_ready: bool,
}

impl TileInputs<'static> {
    /// No chunk offered; the consumer's `out_ready` as given.
    pub fn idle(out_ready: bool) -> TileInputs<'static> {
        TileInputs {
            in_valid: false,
            in_act: &[],
            in_wgt: &[],
            in_last: false,
            out_ready,
        }
    }
}

/// The tile's outputs in one cycle (before that cycle's edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileOutputs<'a> {
    /// A chunk offered in this cycle is accepted.
    pub in_ready: bool,
    /// `out_acc` holds a finished reduction.
    pub out_valid: bool,
    /// One accumulator per lane, sign-extended from `acc_bits` bits.
    pub out_acc: &'a [i64],
}

/// The compute tile, stepped one clock at a time.
#[derive(Debug, Clone)]
pub struct Tile {
    dp: Datapath,
    lanes: usize,
    ii: u32,
    depth: usize,
    acc_bits: u32,
    latency: u32,
    token_tile: usize,
    wreg: Vec<i64>,
    slot: usize,
    pipe_slot: Vec<usize>,
    dslot: usize,
    hold: u32,
    hold_last: bool,
    hold_vals: Vec<i64>,
    pipe_valid: Vec<bool>,
    pipe_last: Vec<bool>,
    pipe_vals: Vec<i64>,
    head: usize,
    acc: Vec<i64>,
    done: bool,
    out: [Vec<i64>; 2],
    out_sel: usize,
    out_valid: bool,
    cycle: u64,
    wrapped: bool,
}

impl Tile {
    /// The tile of `arch`, in its reset state.
    pub fn new(arch: &ArrayConfig) -> Result<Tile, BitExactError> {
        let dp = Datapath::new(arch)?;
        let t = ArrayTiming::of(arch);
        let lanes = dp.lanes;
        let ii = dp.cycles_per_chunk;
        let depth = (t.pipeline_regs.max(1) - 1) as usize;
        let token_tile = arch.token_tile.max(1) as usize;
        Ok(Tile {
            lanes,
            ii,
            depth,
            acc_bits: dp.acc_bits,
            latency: tile_latency(&t),
            token_tile,
            wreg: vec![0; lanes * dp.width],
            slot: 0,
            pipe_slot: vec![0; depth],
            dslot: 0,
            hold: 0,
            hold_last: false,
            hold_vals: vec![0; ii as usize * lanes],
            pipe_valid: vec![false; depth],
            pipe_last: vec![false; depth],
            pipe_vals: vec![0; depth * lanes],
            head: 0,
            acc: vec![0; lanes * token_tile],
            done: false,
            out: [vec![0; lanes], vec![0; lanes]],
            out_sel: 0,
            out_valid: false,
            cycle: 0,
            wrapped: false,
            dp,
        })
    }

    /// The synchronous reset (`rst_n` low at an edge).
    pub fn reset(&mut self) {
        self.hold = 0;
        self.hold_last = false;
        self.pipe_valid.fill(false);
        self.pipe_last.fill(false);
        self.head = 0;
        self.acc.fill(0);
        self.slot = 0;
        self.pipe_slot.fill(0);
        self.dslot = 0;
        self.done = false;
        self.out[0].fill(0);
        self.out[1].fill(0);
        self.out_sel = 0;
        self.out_valid = false;
        self.cycle = 0;
        self.wrapped = false;
    }

    /// The datapath (lanes, width, formats, accumulator width).
    pub fn datapath(&self) -> &Datapath {
        &self.dp
    }

    /// [`tile_latency`] of this tile.
    pub fn latency(&self) -> u32 {
        self.latency
    }

    /// Tokens the lanes hold their weights for (`array.token_tile`).
    pub fn token_tile(&self) -> usize {
        self.token_tile
    }

    /// The initiation interval.
    pub fn initiation_interval(&self) -> u32 {
        self.ii
    }

    /// Cycles stepped since construction or reset.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// True once an accumulator wrapped around (a reduction longer than the
    /// `max_k` the accumulator was sized for); the RTL wraps the same way.
    pub fn wrapped(&self) -> bool {
        self.wrapped
    }

    /// True when no chunk, partial sum or result is anywhere in the tile
    /// (an unfinished reduction's accumulator aside).
    pub fn is_drained(&self) -> bool {
        self.hold == 0 && !self.pipe_valid.contains(&true) && !self.done && !self.out_valid
    }

    /// `(valid, last)` of the arriving entry, the offset of its values in
    /// `hold_vals` (D = 0) or `pipe_vals`, and its token slot.
    fn arriving(&self) -> (bool, bool, usize, usize) {
        if self.depth == 0 {
            let v = self.hold > 0;
            let g = (self.ii - self.hold.max(1)) as usize;
            (
                v,
                v && self.hold_last && self.hold == 1,
                g * self.lanes,
                self.slot,
            )
        } else {
            (
                self.pipe_valid[self.head],
                self.pipe_last[self.head],
                self.head * self.lanes,
                self.pipe_slot[self.head],
            )
        }
    }

    fn in_ready_now(&self) -> bool {
        let (arr_valid, _, _, _) = self.arriving();
        self.hold <= 1 && !(self.done && arr_valid)
    }

    /// This cycle's outputs (a function of the state only).
    pub fn outputs(&self) -> TileOutputs<'_> {
        TileOutputs {
            in_ready: self.in_ready_now(),
            out_valid: self.out_valid,
            out_acc: &self.out[self.out_sel],
        }
    }

    /// One clock cycle: returns the outputs seen during the cycle (before
    /// the edge) and applies the edge with `inputs`. Inputs of an accepted
    /// chunk must be in range (checked in debug builds; [`predict`] checks
    /// them).
    pub fn step(&mut self, inputs: &TileInputs<'_>) -> TileOutputs<'_> {
        let (arr_valid, arr_last, arr_off, arr_slot) = self.arriving();
        let in_ready = self.hold <= 1 && !(self.done && arr_valid);
        let out_valid = self.out_valid;
        let shown = self.out_sel;
        let stall = self.done && arr_valid && !inputs.out_ready;
        // a finished reduction of another token leaves first (one
        // multiplexer per accumulator: it reads acc[dslot] while done)
        let wait = self.done && arr_valid && arr_slot != self.dslot;
        if !stall && wait {
            let lanes = self.lanes;
            let nsel = 1 - self.out_sel;
            let ds = self.dslot * lanes;
            self.out[nsel].copy_from_slice(&self.acc[ds..ds + lanes]);
            self.out_sel = nsel;
            self.acc[ds..ds + lanes].fill(0);
            self.done = false;
            self.out_valid = true;
        } else if !stall {
            let fire = out_valid && inputs.out_ready;
            let lanes = self.lanes;
            let bits = self.acc_bits;
            let arr: &[i64] = if self.depth == 0 {
                &self.hold_vals[arr_off..arr_off + lanes]
            } else {
                &self.pipe_vals[arr_off..arr_off + lanes]
            };
            // 2. accumulate (into the arriving entry's token slot)
            let mut load = false;
            let at = arr_slot * lanes;
            if self.done {
                if fire {
                    let nsel = 1 - self.out_sel;
                    let ds = self.dslot * lanes;
                    self.out[nsel].copy_from_slice(&self.acc[ds..ds + lanes]);
                    self.out_sel = nsel;
                    load = true;
                    self.done = false;
                    self.acc[ds..ds + lanes].fill(0);
                    if arr_valid {
                        for (a, &v) in self.acc[at..at + lanes].iter_mut().zip(arr) {
                            let exact = a.wrapping_add(v);
                            let w = wrap(exact, bits);
                            self.wrapped |= w != exact;
                            *a = w;
                        }
                        self.done = arr_last;
                        if arr_last {
                            self.dslot = arr_slot;
                        }
                    }
                }
            } else if arr_valid {
                let to_out = arr_last && (!out_valid || fire);
                let nsel = 1 - self.out_sel;
                for (l, (a, &v)) in self.acc[at..at + lanes].iter_mut().zip(arr).enumerate() {
                    let exact = a.wrapping_add(v);
                    let s = wrap(exact, bits);
                    self.wrapped |= s != exact;
                    if to_out {
                        self.out[nsel][l] = s;
                        *a = 0;
                    } else {
                        *a = s;
                    }
                }
                if to_out {
                    self.out_sel = nsel;
                    load = true;
                } else if arr_last {
                    self.done = true;
                    self.dslot = arr_slot;
                }
            }
            self.out_valid = load || (out_valid && !fire);
            // 3. shift
            if self.hold > 0 {
                if self.depth > 0 {
                    let g = (self.ii - self.hold) as usize;
                    let slot = self.head;
                    self.pipe_valid[slot] = true;
                    self.pipe_last[slot] = self.hold_last && self.hold == 1;
                    self.pipe_slot[slot] = self.slot;
                    self.pipe_vals[slot * lanes..(slot + 1) * lanes]
                        .copy_from_slice(&self.hold_vals[g * lanes..(g + 1) * lanes]);
                }
                self.hold -= 1;
            } else if self.depth > 0 {
                self.pipe_valid[self.head] = false;
                self.pipe_last[self.head] = false;
            }
            if self.depth > 0 {
                self.head = (self.head + 1) % self.depth;
            }
            // 4. accept (a chunk without weights reuses the held ones and
            // takes the next token slot)
            if inputs.in_valid && in_ready {
                let reuse = self.token_tile > 1 && inputs.in_wgt.is_empty();
                if reuse {
                    self.slot += 1;
                } else {
                    self.slot = 0;
                    self.wreg.clear();
                    self.wreg.extend_from_slice(inputs.in_wgt);
                }
                debug_assert!(
                    self.dp.check_chunk(inputs.in_act, &self.wreg).is_ok()
                        && self.slot < self.token_tile,
                    "{:?} slot {}",
                    self.dp.check_chunk(inputs.in_act, &self.wreg),
                    self.slot
                );
                self.dp
                    .partials_into(inputs.in_act, &self.wreg, &mut self.hold_vals);
                self.hold_last = inputs.in_last;
                self.hold = self.ii;
            }
        }
        self.cycle += 1;
        TileOutputs {
            in_ready,
            out_valid,
            out_acc: &self.out[shown],
        }
    }
}

/// One chunk of a stimulus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// `width` activations.
    pub act: Vec<i64>,
    /// `lanes x width` weights, lane-major; empty when the chunk reuses the
    /// weights the lanes hold (`in_wload = 0`, only with
    /// `array.token_tile > 1`).
    pub wgt: Vec<i64>,
    /// It ends a reduction.
    pub last: bool,
}

impl Chunk {
    /// A chunk of the next token of a tile: its activations only, the
    /// lanes' held weights.
    pub fn reusing(act: Vec<i64>, last: bool) -> Chunk {
        Chunk {
            act,
            wgt: Vec::new(),
            last,
        }
    }

    /// True when the chunk loads weights (`in_wload`).
    pub fn loads_weights(&self) -> bool {
        !self.wgt.is_empty()
    }
}

/// A test: the chunks in order, and the producer's and consumer's
/// willingness per cycle.
///
/// In cycle `t` the producer offers the oldest chunk not yet accepted when
/// `in_valid[t]` (true past the end of the vector) and chunks remain; the
/// consumer's `out_ready` is `out_ready[t]` (true past the end). The run ends
/// in the first cycle after every chunk has been accepted and every finished
/// reduction taken (a trailing reduction without `last` never finishes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stimulus {
    /// The chunks.
    pub chunks: Vec<Chunk>,
    /// The producer's `in_valid` per cycle.
    pub in_valid: Vec<bool>,
    /// The consumer's `out_ready` per cycle.
    pub out_ready: Vec<bool>,
}

/// What crossed the ports in one cycle: the vectors a testbench drives and
/// the outputs it must see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    /// The cycle (0 = the first cycle after reset).
    pub cycle: u64,
    /// Driven `in_valid`.
    pub in_valid: bool,
    /// The chunk driven on `in_act`/`in_wgt`/`in_last` (an index into
    /// [`Stimulus::chunks`]) when `in_valid`; zeros otherwise.
    pub chunk: Option<usize>,
    /// Driven `out_ready`.
    pub out_ready: bool,
    /// Expected `in_ready`.
    pub in_ready: bool,
    /// Expected `out_valid`.
    pub out_valid: bool,
    /// Expected `out_acc` when `out_valid` (don't care otherwise).
    pub out_acc: Option<Vec<i64>>,
}

/// An output taken by the consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputEvent {
    /// The cycle of the edge at which `out_valid && out_ready`.
    pub cycle: u64,
    /// One accumulator per lane.
    pub acc: Vec<i64>,
}

/// What the tile does with a [`Stimulus`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// Outputs taken, in order.
    pub outputs: Vec<OutputEvent>,
    /// The cycle each chunk was accepted.
    pub accepted: Vec<u64>,
    /// Every cycle's ports.
    pub trace: Vec<CycleRecord>,
    /// Cycles run (the length of `trace`).
    pub cycles: u64,
    /// An accumulator wrapped (see [`Tile::wrapped`]).
    pub wrapped: bool,
}

/// Checks every chunk's values against the datapath and the weight-register
/// protocol (a chunk without weights needs a load at most `T - 1` chunks
/// before it).
fn check_protocol(tile: &Tile, stim: &Stimulus) -> Result<(), TileError> {
    let mut held: Option<(usize, usize)> = None; // (loading chunk, uses)
    for (i, c) in stim.chunks.iter().enumerate() {
        if c.loads_weights() || tile.token_tile() == 1 {
            tile.datapath().check_chunk(&c.act, &c.wgt)?;
            held = Some((i, 1));
            continue;
        }
        let Some((from, uses)) = held.as_mut() else {
            return Err(TileError::Protocol {
                chunk: i,
                why: "reuses weights before any chunk loaded them".into(),
            });
        };
        *uses += 1;
        if *uses > tile.token_tile() {
            return Err(TileError::Protocol {
                chunk: i,
                why: format!(
                    "the weights loaded with chunk {from} would serve {uses} chunks, more than array.token_tile = {}",
                    tile.token_tile()
                ),
            });
        }
        tile.datapath()
            .check_chunk(&c.act, &stim.chunks[*from].wgt)?;
    }
    Ok(())
}

/// Runs the tile of `arch` on `stim` from reset: the outputs taken (cycle
/// and value), the acceptance cycles and the per-cycle port trace the RTL
/// testbench replays and compares against. Refuses chunks of the wrong
/// shape or with values outside their formats.
pub fn predict(arch: &ArrayConfig, stim: &Stimulus) -> Result<Prediction, TileError> {
    let mut tile = Tile::new(arch)?;
    check_protocol(&tile, stim)?;
    let finishing = stim.chunks.iter().filter(|c| c.last).count();
    let mut next = 0usize;
    let mut out = Prediction {
        outputs: Vec::with_capacity(finishing),
        accepted: Vec::with_capacity(stim.chunks.len()),
        trace: Vec::new(),
        cycles: 0,
        wrapped: false,
    };
    // past the patterns everything is valid and ready: the tile needs at
    // most II cycles a chunk plus one latency
    let per = u64::from(tile.initiation_interval() + tile.latency());
    let limit =
        stim.in_valid.len().max(stim.out_ready.len()) as u64 + (stim.chunks.len() as u64 + 2) * per;
    let mut t = 0u64;
    while next < stim.chunks.len() || out.outputs.len() < finishing {
        if t > limit {
            return Err(TileError::Hung {
                cycles: t,
                outputs: out.outputs.len(),
                expected: finishing,
            });
        }
        let offer =
            next < stim.chunks.len() && stim.in_valid.get(t as usize).copied().unwrap_or(true);
        let ready = stim.out_ready.get(t as usize).copied().unwrap_or(true);
        let inputs = match offer {
            true => {
                let c = &stim.chunks[next];
                TileInputs {
                    in_valid: true,
                    in_act: &c.act,
                    in_wgt: &c.wgt,
                    in_last: c.last,
                    out_ready: ready,
                }
            }
            false => TileInputs::idle(ready),
        };
        let o = tile.step(&inputs);
        let rec = CycleRecord {
            cycle: t,
            in_valid: offer,
            chunk: offer.then_some(next),
            out_ready: ready,
            in_ready: o.in_ready,
            out_valid: o.out_valid,
            out_acc: o.out_valid.then(|| o.out_acc.to_vec()),
        };
        if o.out_valid && ready {
            out.outputs.push(OutputEvent {
                cycle: t,
                acc: o.out_acc.to_vec(),
            });
        }
        if offer && o.in_ready {
            out.accepted.push(t);
            next += 1;
        }
        out.trace.push(rec);
        t += 1;
    }
    out.cycles = t;
    out.wrapped = tile.wrapped();
    Ok(out)
}
