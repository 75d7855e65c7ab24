//! What a testbench replays: a pool of chunks, one record per cycle (what
//! to drive and what to expect, from the simulator's tile model) and the
//! expected outputs, plus their `$readmemh` files.
//!
//! A record is one hex digit: bit 0 `in_valid` (the producer offers the
//! oldest chunk not yet accepted), bit 1 `out_ready`, bit 2 the expected
//! `in_ready`, bit 3 the expected `out_valid`. Chunk and output indices
//! advance on the expected acceptances and takes and wrap around their
//! pools, so a long run can reuse a short pool whose reductions repeat.

use crate::design::Design;
use crate::error::RtlError;
use sim::bitexact::encoding::{pack_accs, pack_acts, pack_weights, BitVec};
use sim::tile::{predict, Chunk, Prediction, Stimulus, Tile, TileInputs};
use std::fmt::Write;

/// Record bit: `in_valid` driven.
pub const IN_VALID: u8 = 1;
/// Record bit: `out_ready` driven.
pub const OUT_READY: u8 = 2;
/// Record bit: `in_ready` expected.
pub const IN_READY: u8 = 4;
/// Record bit: `out_valid` expected.
pub const OUT_VALID: u8 = 8;

/// A testbench's vectors and expectations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The chunk pool (the `n`-th accepted chunk is `pool[n % len]`).
    pub pool: Vec<Chunk>,
    /// One record per cycle.
    pub records: Vec<u8>,
    /// The expected outputs (the `n`-th taken is `outputs[n % len]`).
    pub outputs: Vec<Vec<i64>>,
    /// Chunks accepted over the run.
    pub accepted: u64,
    /// Outputs taken over the run.
    pub taken: u64,
    /// An accumulator wrapped (a reduction longer than `max_k`).
    pub wrapped: bool,
}

fn record(in_valid: bool, out_ready: bool, in_ready: bool, out_valid: bool) -> u8 {
    u8::from(in_valid) * IN_VALID
        + u8::from(out_ready) * OUT_READY
        + u8::from(in_ready) * IN_READY
        + u8::from(out_valid) * OUT_VALID
}

impl Replay {
    /// The replay of `stim` as [`predict`] runs it.
    pub fn predicted(d: &Design, stim: &Stimulus) -> Result<Replay, RtlError> {
        let p: Prediction = predict(&d.array, stim)?;
        let outputs: Vec<Vec<i64>> = p.outputs.iter().map(|o| o.acc.clone()).collect();
        let mut taken = 0usize;
        let records = p
            .trace
            .iter()
            .map(|r| {
                if let Some(acc) = &r.out_acc {
                    debug_assert_eq!(Some(acc), outputs.get(taken), "shown = next taken");
                }
                if r.out_valid && r.out_ready {
                    taken += 1;
                }
                record(r.in_valid, r.out_ready, r.in_ready, r.out_valid)
            })
            .collect();
        Ok(Replay {
            pool: stim.chunks.clone(),
            records,
            accepted: p.accepted.len() as u64,
            taken: p.outputs.len() as u64,
            outputs,
            wrapped: p.wrapped,
        })
    }

    /// A long run for benchmarks: `pool` (whose last chunk ends a
    /// reduction) offered over and over for `cycles` cycles, `in_valid` and
    /// `out_ready` each high with probability `busy`, stepped through the
    /// tile model ([`Tile`], the model behind [`predict`]).
    pub fn streamed(
        d: &Design,
        pool: Vec<Chunk>,
        cycles: u64,
        busy: f64,
        seed: u64,
    ) -> Result<Replay, RtlError> {
        assert!(
            pool.last().is_some_and(|c| c.last),
            "the pool ends a reduction"
        );
        let once = predict(
            &d.array,
            &Stimulus {
                chunks: pool.clone(),
                in_valid: Vec::new(),
                out_ready: Vec::new(),
            },
        )?;
        let outputs: Vec<Vec<i64>> = once.outputs.iter().map(|o| o.acc.clone()).collect();
        let mut rng = crate::vectors::Rng::new(seed);
        let mut tile = Tile::new(&d.array)?;
        let (mut next, mut accepted, mut taken) = (0usize, 0u64, 0u64);
        let mut records = Vec::with_capacity(cycles as usize);
        for _ in 0..cycles {
            let offer = rng.chance(busy);
            let ready = rng.chance(busy);
            let c = &pool[next];
            let inputs = if offer {
                TileInputs {
                    in_valid: true,
                    in_act: &c.act,
                    in_wgt: &c.wgt,
                    in_last: c.last,
                    out_ready: ready,
                }
            } else {
                TileInputs::idle(ready)
            };
            let o = tile.step(&inputs);
            if o.out_valid {
                let want = &outputs[(taken % outputs.len() as u64) as usize];
                if o.out_acc != want.as_slice() {
                    return Err(RtlError::Unsupported(format!(
                        "the streamed model disagrees with its pool at output {taken}"
                    )));
                }
                if ready {
                    taken += 1;
                }
            }
            if offer && o.in_ready {
                accepted += 1;
                next = (next + 1) % pool.len();
            }
            records.push(record(offer, ready, o.in_ready, o.out_valid));
        }
        Ok(Replay {
            pool,
            records,
            outputs,
            accepted,
            taken,
            wrapped: tile.wrapped(),
        })
    }

    /// Cycles the replay runs.
    pub fn cycles(&self) -> u64 {
        self.records.len() as u64
    }

    /// Cycles in which `mask` (record bits) are all set and `clear` all clear.
    pub fn count(&self, mask: u8, clear: u8) -> u64 {
        self.records
            .iter()
            .filter(|&&r| r & mask == mask && r & clear == 0)
            .count() as u64
    }

    /// `$readmemh` text of the records, one hex digit a line.
    pub fn records_hex(&self) -> String {
        let mut s = String::with_capacity(self.records.len() * 2);
        for r in &self.records {
            let _ = writeln!(s, "{r:x}");
        }
        s
    }

    /// `$readmemh` text of the chunk pool: one word of
    /// [`chunk_bits`] bits a line, `{in_last, in_wgt, in_act}`, and
    /// `{in_wload, in_last, in_wgt, in_act}` with `array.token_tile > 1`
    /// (a chunk that reuses the lanes' weights drives `in_wgt` all ones:
    /// the tile must not look at it).
    pub fn chunks_hex(&self, d: &Design) -> Result<String, RtlError> {
        let mut s = String::new();
        let tiled = d.token_tile() > 1;
        for c in &self.pool {
            let mut w = BitVec::zeros(chunk_bits(d) as usize);
            let act = pack_acts(d.acts(), &c.act)?;
            place(&mut w, 0, &act);
            if c.loads_weights() || !tiled {
                let wgt =
                    pack_weights(d.weights(), &c.wgt, d.lanes() as usize, d.width() as usize)?;
                place(&mut w, act.len(), &wgt);
            } else {
                for b in act.len()..act.len() + d.in_wgt_bits() as usize {
                    w.set(b, true);
                }
            }
            let last_bit = (d.in_act_bits() + d.in_wgt_bits()) as usize;
            w.set(last_bit, c.last);
            if tiled {
                w.set(last_bit + 1, c.loads_weights());
            }
            s.push_str(&w.to_hex());
            s.push('\n');
        }
        Ok(s)
    }

    /// `$readmemh` text of the expected outputs, `out_acc` words.
    pub fn outputs_hex(&self, d: &Design) -> String {
        let mut s = String::new();
        for o in &self.outputs {
            s.push_str(&pack_accs(d.acc_bits, o).to_hex());
            s.push('\n');
        }
        s
    }
}

/// Bits of a chunk word: `in_act`, `in_wgt` and `in_last` (and
/// `in_wload` with `array.token_tile > 1`).
pub fn chunk_bits(d: &Design) -> u32 {
    d.in_act_bits() + d.in_wgt_bits() + 1 + u32::from(d.token_tile() > 1)
}

/// Copies `src` into `dst` at bit `offset`.
fn place(dst: &mut BitVec, offset: usize, src: &BitVec) {
    let mut i = 0;
    while i < src.len() {
        let w = (src.len() - i).min(64) as u32;
        dst.set_field(offset + i, w, src.field(i, w));
        i += w as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::stimulus;
    use sim::arch::preset;

    #[test]
    fn streamed_matches_predicted_when_always_busy() {
        let d = Design::new(&preset("edge-popcount").unwrap()).unwrap();
        let stim = stimulus(&d, 3, 20);
        let pool = stim.chunks.clone();
        let p = Replay::predicted(
            &d,
            &Stimulus {
                chunks: pool.clone(),
                in_valid: Vec::new(),
                out_ready: Vec::new(),
            },
        )
        .unwrap();
        let s = Replay::streamed(&d, pool, p.cycles(), 1.0, 0).unwrap();
        // equal until the pool's last chunk is accepted (then the stream
        // offers the pool again)
        let k = p.records.iter().rposition(|r| r & IN_VALID != 0).unwrap();
        assert_eq!(s.records[..=k], p.records[..=k]);
        assert_eq!(s.outputs, p.outputs);
        let words = p.chunks_hex(&d).unwrap();
        let first = words.lines().next().unwrap();
        assert_eq!(first.len(), (chunk_bits(&d) as usize).div_ceil(4));
    }
}
