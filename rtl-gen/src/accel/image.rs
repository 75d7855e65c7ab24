//! A layer for the accelerator top: random operands from a seed, the
//! memory image the testbench's slave starts from (descriptor, input rows,
//! weight tiles at the engine's DRAM placement), the reference result, and
//! the engine's prediction of the layer's timing for the same design,
//! workload and DRAM model.
//!
//! Addresses: weights at the engine's placement of the layer's loads
//! (operator 0's region starts at 0, `sim::memory::model`); the descriptor
//! at [`DESC_ADDR`], the input at [`ACT_ADDR`], the output at [`OUT_ADDR`]
//! (control traffic outside the engine's model, see `check`).

use super::mapping::{engine_mapped, TopMapping};
use super::params::{AccelParams, DESC_BYTES};
use crate::error::RtlError;
use sim::bitexact::encoding::{decode_act, decode_weight, encode_act, encode_weight, sign_extend};
use sim::bitexact::Datapath;
use sim::engine::Timeline;
use sim::mapping::{Mapper, OpPlan};
use workloads::Precision;

/// The memory image of input rows: each row's `k` activations packed at the
/// design's `A` bits (element 0 at the least significant bits of the first
/// byte), [`AccelParams::row_bytes`] bytes a row, rows one after the other
/// (INT8: one byte an activation).
pub fn act_image(p: &AccelParams, acts: &[i8], k: u64) -> Vec<u8> {
    let (ab, rb) = (p.act_bits(), p.row_bytes(k));
    let a = p.arch.array.activations;
    let rows = acts.len() as u64 / k.max(1);
    let mut img = vec![0u8; (rows * rb) as usize];
    for r in 0..rows {
        for i in 0..k {
            let v = acts[(r * k + i) as usize];
            let code = encode_act(a, i64::from(v)).unwrap_or(0);
            for b in 0..ab {
                if code >> b & 1 != 0 {
                    let bit = r * rb * 8 + i * ab + b;
                    img[(bit / 8) as usize] |= 1 << (bit % 8);
                }
            }
        }
    }
    img
}

/// A random value of format `p` from `r` (`binary`: +-1; `intB`: the low B
/// bits, two's complement; ternary: -1, 0, 1).
fn random_value(p: Precision, r: u64) -> i8 {
    match p {
        Precision::Ternary | Precision::TernaryPacked => (r % 3) as i8 - 1,
        Precision::Binary => {
            if r & 1 != 0 {
                1
            } else {
                -1
            }
        }
        Precision::Binary01 => (r & 1) as i8,
        Precision::Int(b) => sign_extend(r, u32::from(b.min(8))) as i8,
        _ => 0,
    }
}

/// Where the descriptor goes.
pub const DESC_ADDR: u64 = 0x4000_0000;
/// Where the input rows go.
pub const ACT_ADDR: u64 = 0x4000_1000;
/// Where the output rows go.
pub const OUT_ADDR: u64 = 0x6000_0000;

/// The engine's timing of one layer, as the RTL reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerTiming {
    /// Cycle the first tile starts.
    pub start: u64,
    /// Cycle the result is complete.
    pub done: u64,
    /// Total cycles of the run.
    pub total: u64,
}

/// One layer's operands, image, reference and prediction.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Tokens, reduction, features.
    pub m: u64,
    /// Reduction length.
    pub k: u64,
    /// Output features.
    pub n: u64,
    /// `m x k` activations of the design's format, row-major.
    pub acts: Vec<i8>,
    /// `n x k` weights of the design's encoding (ternary: -1, 0, 1), row
    /// `n` is output feature `n`.
    pub weights: Vec<i8>,
    /// `m x n` results as the tile's accumulators give them (wrapped to
    /// `acc_bits`, sign-extended to 32 bits).
    pub expected: Vec<i32>,
    /// Memory segments `(address, bytes)`.
    pub segments: Vec<(u64, Vec<u8>)>,
    /// DRAM load bytes of each operator (the engine's placement).
    pub loads: Vec<u64>,
    /// The engine's prediction.
    pub timing: LayerTiming,
    /// The plan the engine ran.
    pub plan: OpPlan,
    /// The mapping it ran with (the K tile the descriptor gives).
    pub mapping: TopMapping,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn wrap(v: i64, bits: u32) -> i32 {
    let shift = 64 - bits;
    ((v << shift) >> shift) as i32
}

/// The engine's plan and timeline of an `m x k x n` linear layer on the design.
pub fn engine_run(
    p: &AccelParams,
    m: u64,
    k: u64,
    n: u64,
) -> Result<(Vec<OpPlan>, Timeline), RtlError> {
    let (plans, tl, _) = engine_mapped(p, (m, k, n), Mapper::Fixed, false)?;
    Ok((plans, tl))
}

/// The tile's results of `acts` (`m x k`) times `weights` (`n x k`), from
/// the bit-exact model's datapath ([`Datapath`], chunk by chunk, a short
/// last chunk padded as the DMA pads it, with zero codes): each K tile's
/// reduction wraps in the tile's `acc_bits` accumulators, the output
/// buffer adds them in 32 bits.
pub fn reference(p: &AccelParams, m: u64, k: u64, n: u64, acts: &[i8], weights: &[i8]) -> Vec<i32> {
    reference_kt(p, (m, k, n), acts, weights, p.slot_words)
}

/// [`reference`] with K tiles of `kt` chunks (the mapping's K tile).
pub fn reference_kt(
    p: &AccelParams,
    (m, k, n): (u64, u64, u64),
    acts: &[i8],
    weights: &[i8],
    kt: u64,
) -> Vec<i32> {
    let w = p.width();
    let c_total = k.div_ceil(w);
    let ktiles: Vec<(u64, u64)> = (0..c_total.div_ceil(kt))
        .map(|i| (i * kt, kt.min(c_total - i * kt)))
        .collect();
    let acc = p.tile.acc_bits;
    let a = &p.arch.array;
    let mut dp = Datapath::new(a).expect("the tile's datapath is the bit-exact model's");
    let (l, wu) = (p.lanes() as usize, w as usize);
    let pad_a = decode_act(a.activations, 0).unwrap_or(0);
    let pad_w = decode_weight(a.weights, 0).unwrap_or(0);
    let cycles = dp.cycles_per_chunk as usize;
    let mut part = vec![0i64; cycles * l];
    let (mut xa, mut xw) = (vec![0i64; wu], vec![0i64; l * wu]);
    // each K tile's reduction wraps in the tile's accumulators; the
    // output buffer adds them in 32 bits
    let mut expected = vec![0i32; (m * n) as usize];
    for g in 0..n.div_ceil(p.lanes()) {
        let gl = p.lanes().min(n - g * p.lanes());
        for r in 0..m {
            for &(c0, ch) in &ktiles {
                let mut sums = vec![0i64; l];
                for c in c0..c0 + ch {
                    for e in 0..w {
                        let i = c * w + e;
                        xa[e as usize] = if i < k {
                            i64::from(acts[(r * k + i) as usize])
                        } else {
                            pad_a
                        };
                        for lane in 0..p.lanes() {
                            xw[(lane * w + e) as usize] = if i < k && lane < gl {
                                i64::from(weights[((g * p.lanes() + lane) * k + i) as usize])
                            } else {
                                pad_w
                            };
                        }
                    }
                    dp.partials_into(&xa, &xw, &mut part);
                    for cy in 0..cycles {
                        for lane in 0..l {
                            sums[lane] += part[cy * l + lane];
                        }
                    }
                }
                for lane in 0..gl {
                    let at = (r * n + g * p.lanes() + lane) as usize;
                    expected[at] = expected[at].wrapping_add(wrap(sums[lane as usize], acc));
                }
            }
        }
    }
    expected
}

impl Layer {
    /// The layer `m x k x n` on `p` with operands from `seed`.
    pub fn new(p: &AccelParams, m: u64, k: u64, n: u64, seed: u64) -> Result<Layer, RtlError> {
        Layer::new_block(p, (m, k, n), seed, false)
    }

    /// The layer `m x k x n` on `p` with operands from `seed`, its outputs
    /// stored per tile when `stored` (a token block of a larger layer
    /// whose outputs the engine stores, [`AccelParams::refuses_block`]).
    pub fn new_block(
        p: &AccelParams,
        (m, k, n): (u64, u64, u64),
        seed: u64,
        stored: bool,
    ) -> Result<Layer, RtlError> {
        Layer::build(p, (m, k, n), seed, stored, Mapper::Fixed)
    }

    /// The layer `m x k x n` on `p` with operands from `seed`, in the
    /// mapping `mapper` gives it ([`engine_mapped`]: the fixed mapping, or
    /// the mapper's choice where the top runs it).
    pub fn new_mapped(
        p: &AccelParams,
        (m, k, n): (u64, u64, u64),
        seed: u64,
        mapper: Mapper,
    ) -> Result<Layer, RtlError> {
        Layer::build(p, (m, k, n), seed, false, mapper)
    }

    fn build(
        p: &AccelParams,
        (m, k, n): (u64, u64, u64),
        seed: u64,
        stored: bool,
        mapper: Mapper,
    ) -> Result<Layer, RtlError> {
        if let Some(why) = p.refuses_block(m, k, n, stored) {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}`: {why}",
                p.tile.name
            )));
        }
        let (plans, tl, mapping) = engine_mapped(p, (m, k, n), mapper, false)?;
        // (the mapper's K tile: its packed tiles in whole beats too)
        if let Some(why) = p
            .packed()
            .then(|| p.refuses_packed(k, n, mapping.kt))
            .flatten()
        {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}` in K tiles of {} chunks: {why}",
                p.tile.name, mapping.kt
            )));
        }
        if let Some(why) = p.refuses_serial(k, mapping.nt, stored) {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}`: {why}",
                p.tile.name
            )));
        }
        let plan = plans[0].clone();
        // W-bit weight codes packed in memory (the engine's bytes: four
        // ternary weights a byte, eight binary, two INT4), a chunk every II
        // cycles
        let (wb, ii) = (p.wgt_bits(), u64::from(p.tile.ii()));
        let (l, w) = (p.lanes(), p.width());
        let (c_total, kt) = (k.div_ceil(w), mapping.kt);
        // K elements of the K tile starting at chunk c0 with ch chunks
        let klen = |c0: u64, ch: u64| (ch * w).min(k - c0 * w);
        // the K tiles of a feature group: (first chunk, chunks)
        let ktiles: Vec<(u64, u64)> = (0..c_total.div_ceil(kt))
            .map(|i| (i * kt, kt.min(c_total - i * kt)))
            .collect();
        // the engine must plan what the sequencer runs: ceil(N / lanes)
        // groups of these K tiles, weights only, nothing stored
        // (the last group has `N % lanes` lanes when N is not a multiple)
        let group_lanes = |g: u64| l.min(n - g * l);
        // N tiles of `nt` groups (the mapper's, `ntile.rs`): the tile
        // `(N tile, K tile)` loads its groups' weights, one after the other
        let groups = n.div_ceil(l);
        let nt = mapping.nt.max(1);
        let ntiles: Vec<std::ops::Range<u64>> = (0..groups.div_ceil(nt))
            .map(|t| t * nt..((t + 1) * nt).min(groups))
            .collect();
        // (the LUT's serial input load: `L` cycles a chunk and token of the
        // first feature group's tiles, the SRAM stall of the engine's tile)
        let mut want = Vec::new();
        for gs in &ntiles {
            for &(c0, ch) in &ktiles {
                let bytes: u64 = gs
                    .clone()
                    .map(|g| p.weight_bytes(group_lanes(g), klen(c0, ch)))
                    .sum();
                let stall = if gs.start == 0 {
                    m * ch * p.serial_load()
                } else {
                    0
                };
                want.push((bytes, gs.end.saturating_sub(gs.start) * m * ch * ii, stall));
            }
        }
        if let Some(why) = want
            .iter()
            .find_map(|&(bytes, _, _)| p.refuses_tile(bytes, false))
        {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}`: {why}",
                p.tile.name
            )));
        }
        // the engine's tiles in execution order
        let mut got = Vec::new();
        let mut foreign = false;
        for pat in &plan.tiles.patterns {
            for _ in 0..pat.reps {
                for &(t, count) in &pat.runs {
                    // (stores per tile are the stream plan's, `stream_check.rs`)
                    foreign |= t.load_after_producers;
                    for _ in 0..count {
                        got.push((t.load, t.busy, t.sram_stall));
                    }
                }
            }
        }
        if foreign {
            got.clear();
        }
        if got != want {
            return Err(RtlError::Unsupported(format!(
                "the engine maps the layer as `{}`, not as the accelerator top runs it \
                 (tiles as (load bytes, busy cycles, SRAM stall cycles): {:?}, the top's: {:?})",
                plan.note,
                &got[..got.len().min(8)],
                &want[..want.len().min(8)]
            )));
        }
        if let Some(why) = p.refuses_reads(want.iter().map(|&(bytes, _, _)| bytes)) {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}`: {why}",
                p.tile.name
            )));
        }
        let mut rng = Rng(seed ^ 0x6f6e_6562_6974);
        let (ap, wp) = (p.arch.array.activations, p.arch.array.weights);
        let acts: Vec<i8> = (0..m * k).map(|_| random_value(ap, rng.next())).collect();
        let weights: Vec<i8> = (0..n * k).map(|_| random_value(wp, rng.next())).collect();
        let expected = reference_kt(p, (m, k, n), &acts, &weights, kt);
        // weight tiles in the engine's order: N tile, K tile, group g of
        // the N tile, chunk, lane, element
        let mut wimg = Vec::new();
        let order = ntiles.iter().flat_map(|gs| {
            ktiles
                .iter()
                .flat_map(move |&kt| gs.clone().map(move |g| (g, kt)))
        });
        for (g, (c0, ch)) in order {
            let gl = group_lanes(g);
            {
                let mut tile = vec![0u8; p.weight_bytes(gl, klen(c0, ch)) as usize];
                for c in 0..ch {
                    if let Some(ix) = p.lut_index() {
                        // the LUT's group indices: field `lane x groups + kk`
                        // of the chunk, a short last chunk's group-major
                        // (`kk x lanes + lane`), its partial last group's
                        // missing weights 0 (as the bit-exact model pads)
                        let (gs, gw) = (u64::from(ix.groups), u64::from(ix.g));
                        let elems = w.min(k - (c0 + c) * w);
                        let gc = elems.div_ceil(gw);
                        for lane in 0..gl {
                            for kk in 0..gc {
                                let at = (g * l + lane) * k + (c0 + c) * w + kk * gw;
                                let ws: Vec<i64> = (0..gw)
                                    .map(|j| {
                                        if kk * gw + j < elems {
                                            i64::from(weights[(at + j) as usize])
                                        } else {
                                            0
                                        }
                                    })
                                    .collect();
                                let f = super::lut_index::field(
                                    &ix,
                                    sim::datapath::lut::signfold_index(&ws),
                                );
                                let pos = c * gl * gs
                                    + if gc < gs {
                                        kk * gl + lane
                                    } else {
                                        lane * gs + kk
                                    };
                                for b in 0..u64::from(ix.bits) {
                                    if f >> b & 1 != 0 {
                                        let bit = pos * u64::from(ix.bits) + b;
                                        tile[(bit / 8) as usize] |= 1 << (bit % 8);
                                    }
                                }
                            }
                        }
                        continue;
                    }
                    // a short last chunk (K % width elements) is element-major
                    let elems = w.min(k - (c0 + c) * w);
                    for lane in 0..gl {
                        for e in 0..elems {
                            let v = weights[((g * l + lane) * k + (c0 + c) * w + e) as usize];
                            if p.packed() {
                                // five trits a byte: digit j of byte i / 5 is
                                // weight i's (w + 1) x 3^j, i in the stream
                                // order (a short chunk element-major)
                                let at = if elems < w {
                                    e * gl + lane
                                } else {
                                    lane * w + e
                                };
                                let i = c * gl * w + at;
                                tile[(i / 5) as usize] += ((v + 1) as u8) * 3u8.pow((i % 5) as u32);
                                continue;
                            }
                            let code = encode_weight(wp, i64::from(v)).unwrap_or(0);
                            let at = if elems < w {
                                e * gl + lane
                            } else {
                                lane * w + e
                            };
                            for b in 0..wb {
                                if code >> b & 1 != 0 {
                                    let bit = (c * gl * w + at) * wb + b;
                                    tile[(bit / 8) as usize] |= 1 << (bit % 8);
                                }
                            }
                        }
                    }
                }
                wimg.extend(tile);
            }
        }
        let mut desc = vec![0u8; DESC_BYTES as usize];
        let words = [
            m,
            k,
            n,
            0,
            ACT_ADDR,
            0,
            OUT_ADDR,
            p.row_bytes(k),
            n * 4,
            super::table::kt_word(p, kt, mapping.tt),
            if nt > 1 { nt } else { 0 },
        ];
        for (i, v) in words.iter().enumerate() {
            desc[i * 4..i * 4 + 4].copy_from_slice(&(*v as u32).to_le_bytes());
        }
        let aimg = act_image(p, &acts, k);
        Ok(Layer {
            m,
            k,
            n,
            acts,
            weights,
            expected,
            segments: vec![(0, wimg), (DESC_ADDR, desc), (ACT_ADDR, aimg)],
            loads: plans.iter().map(|p| p.dram_bytes().0).collect(),
            timing: LayerTiming {
                start: tl.ops[0].start,
                done: tl.ops[0].done,
                total: tl.cycles,
            },
            plan,
            mapping,
        })
    }

    /// Replaces the input rows (a chain's dependent layer: its producer's
    /// output requantized), recomputing the reference and the image.
    pub fn set_acts(&mut self, p: &AccelParams, acts: Vec<i8>) {
        self.expected = reference_kt(
            p,
            (self.m, self.k, self.n),
            &acts,
            &self.weights,
            self.mapping.kt,
        );
        let aimg = act_image(p, &acts, self.k);
        for seg in &mut self.segments {
            if seg.0 == ACT_ADDR {
                seg.1 = aimg.clone();
            }
        }
        self.acts = acts;
    }

    /// Bytes of the output.
    pub fn out_bytes(&self) -> u64 {
        self.m * self.n * 4
    }
}
