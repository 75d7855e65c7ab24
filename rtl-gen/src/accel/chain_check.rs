//! `rtl check --top accel --chain`: a descriptor chain run as ONE run of the
//! accelerator top under Verilator (the DRAM model timing its weight
//! transfers, as in [`super::check`]), every layer's start and completion
//! and the total compared exactly with [`engine_chain`], every layer's
//! results bit for bit with [`chain_results`].
//!
//! Memory image: layer `i`'s weights at the engine's placement of operator
//! `i`'s loads (the regions of `sim::memory::Dram`: one after the other,
//! each aligned to 4 KiB), its descriptor at `DESC_ADDR + 64 i`, its input
//! and output in 4 KiB-aligned regions from `ACT_ADDR` and `OUT_ADDR`.

use super::chain::{chain_results, engine_chain, requant, ChainLayer};
use super::check::{simulate, AccelOptions, RunImage};
use super::image::{ACT_ADDR, DESC_ADDR, OUT_ADDR};
use super::params::{AccelParams, DESC_BYTES};
use crate::error::RtlError;
use std::fmt::Write as _;

/// The alignment of the DRAM model's regions (`sim::memory::model`).
const REGION_ALIGN: u64 = 4096;

/// One layer's timing: the engine's and the RTL's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLayerReport {
    /// Shape.
    pub shape: (u64, u64, u64),
    /// The layer whose output (requantized by the shift) is its input.
    pub after: Option<(usize, u32)>,
    /// INT8 outputs in memory with this shift (`None`: accumulators).
    pub out_shift: Option<u32>,
    /// The engine's start and done.
    pub engine: (u64, u64),
    /// The RTL's (`None`: not seen).
    pub rtl: Option<(u64, u64)>,
    /// Results that differ from the bit-exact model.
    pub wrong: usize,
    /// Results compared.
    pub results: usize,
}

/// What the chain check found.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// Top module.
    pub top: String,
    /// Every layer.
    pub layers: Vec<ChainLayerReport>,
    /// The engine's total and the RTL's LAYER_CYC (`None`: not read).
    pub total: (u64, Option<u64>),
    /// Layer starts and completions the RTL reported (more or fewer than
    /// the layers is a failure).
    pub events: (usize, usize),
    /// The ERROR register.
    pub error_reg: u64,
    /// The run finished within the cycle limit.
    pub finished: bool,
    /// Weight transfers off the engine's placement.
    pub addr_mismatch: u64,
    /// Protocol problems.
    pub problems: u64,
    /// Randomized mode.
    pub random: bool,
    /// Build and simulation seconds.
    pub seconds: (f64, f64),
}

impl ChainReport {
    /// Everything agrees.
    pub fn passed(&self) -> bool {
        let n = self.layers.len();
        let timing = self.random
            || (self.layers.iter().all(|l| l.rtl == Some(l.engine))
                && self.total.1 == Some(self.total.0)
                && self.events == (n, n));
        self.finished
            && timing
            && self.layers.iter().all(|l| l.wrong == 0)
            && self.error_reg == 0
            && self.addr_mismatch == 0
            && self.problems == 0
    }

    /// A plain-text summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}: a chain of {} layers as one run{}",
            self.top,
            self.layers.len(),
            if self.random {
                " (randomized AXI timing)"
            } else {
                ""
            }
        );
        for (i, l) in self.layers.iter().enumerate() {
            let (m, k, n) = l.shape;
            let rtl = match l.rtl {
                Some((a, b)) => format!(
                    "rtl {a} / {b} ({:+} / {:+})",
                    a as i64 - l.engine.0 as i64,
                    b as i64 - l.engine.1 as i64
                ),
                None => "rtl: not seen".into(),
            };
            let reads = match l.after {
                Some((j, sh)) => format!(" reading layer {j} (shift {sh})"),
                None => String::new(),
            };
            let reads = match l.out_shift {
                Some(s) => format!("{reads}, INT8 outputs (shift {s})"),
                None => reads,
            };
            let _ = writeln!(
                s,
                "  layer {i} (M={m} K={k} N={n}){reads}: engine start / done {} / {}, {rtl}; {} of {} results bit-exact",
                l.engine.0,
                l.engine.1,
                l.results - l.wrong,
                l.results
            );
        }
        let _ = writeln!(
            s,
            "  total: engine {}, rtl {}; {} starts and {} completions seen; ERROR {:#x}; {} transfers off the placement; {} protocol problems",
            self.total.0,
            self.total.1.map_or("-".into(), |t| t.to_string()),
            self.events.0,
            self.events.1,
            self.error_reg,
            self.addr_mismatch,
            self.problems
        );
        let _ = writeln!(
            s,
            "  simulated in {:.2} s (build {:.1} s)",
            self.seconds.1, self.seconds.0
        );
        let _ = writeln!(s, "  {}", if self.passed() { "PASS" } else { "FAIL" });
        s
    }
}

fn align(v: u64) -> u64 {
    v.div_ceil(REGION_ALIGN) * REGION_ALIGN
}

/// Runs `layers` as one chain on `p` and compares it with the engine.
pub fn check_chain(
    p: &AccelParams,
    layers: &[ChainLayer],
    opts: &AccelOptions,
) -> Result<ChainReport, RtlError> {
    let max = super::table::MAX_LAYERS as usize;
    if layers.len() > max {
        return Err(RtlError::Unsupported(format!(
            "a chain of {} layers: the top's descriptor table holds at most {max}",
            layers.len()
        )));
    }
    for (i, l) in layers.iter().enumerate() {
        if l.out_shift.is_some() {
            if !super::dma::int8_out_able(p) {
                return Err(RtlError::Unsupported(format!(
                    "chain layer {i}: INT8 outputs need an output word's {} bytes to be whole \
                     {}-bit AXI beats",
                    p.lanes(),
                    p.axi_bits
                )));
            }
            if l.n % p.lanes() != 0 {
                return Err(RtlError::Unsupported(format!(
                    "chain layer {i}: INT8 outputs need N ({}) in whole groups of {} lanes",
                    l.n,
                    p.lanes()
                )));
            }
        }
        let Some(j) = l.after else { continue };
        if !p.forwards() {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i} reads layer {j}'s output: the top forwards a producer's \
                 outputs into the activation buffer only with INT8 inputs, a power-of-two width \
                 and lanes <= width (this design has {} lanes of width {}, {} activations)",
                p.lanes(),
                p.width(),
                p.arch.array.activations
            )));
        }
        if let Some(first) = layers[..i]
            .iter()
            .position(|x| x.after == Some(j) && x.shift != l.shift)
        {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i} reads layer {j}'s output with shift {}, layer {first} with \
                 shift {}: the top writes each forwarded word once (the activation buffer has \
                 one write port), into the first consumer's rows, which later consumers of the \
                 layer read, so they must take the same shift",
                l.shift, layers[first].shift
            )));
        }
        if l.n % p.lanes() != 0 || layers.get(j).is_some_and(|x| x.n % p.lanes() != 0) {
            return Err(RtlError::Unsupported(format!(
                "chain layer {i}: a forwarded input must be whole groups of {} lanes",
                p.lanes()
            )));
        }
    }
    // every layer's input is loaded before the chain and every output
    // written back after it: they share the buffers
    let (l, w) = (p.lanes(), p.width());
    let acts: u64 = layers.iter().map(|x| x.m * x.k.div_ceil(w)).sum();
    let outs: u64 = layers.iter().map(|x| x.m * x.n.div_ceil(l)).sum();
    if acts > p.act_words || outs > p.out_words {
        return Err(RtlError::Unsupported(format!(
            "the chain's inputs ({acts} words) and outputs ({outs} words) must fit the \
             activation ({} words) and output ({} words) buffers together: the top loads every \
             input before the chain and writes every output back after it",
            p.act_words, p.out_words
        )));
    }
    let (engine, total) = engine_chain(p, layers)?;
    let model = chain_results(p, layers, opts.seed)?;
    let mut img = RunImage {
        segments: Vec::new(),
        loads: Vec::new(),
        wbases: Vec::new(),
        desc_count: layers.len() as u64,
        outs: Vec::new(),
    };
    let (mut wat, mut aat, mut oat) = (0u64, ACT_ADDR, OUT_ADDR);
    let mut descs = Vec::new();
    for (l, cl) in model.iter().zip(layers) {
        let load = l.loads[0];
        // the layer's weight image is the segment at 0 of its own image
        let wimg = l
            .segments
            .iter()
            .find(|s| s.0 == 0)
            .map(|s| s.1.clone())
            .unwrap_or_default();
        let acts = super::image::act_image(p, &l.acts, l.k);
        // flags: bit 0 the input is layer `after`'s output, bits 12:8 the
        // shift, bits 18:16 the producer; bit 2 INT8 outputs, bits 28:24
        // their shift
        let flags = cl
            .after
            .map_or(0, |j| 1 | u64::from(cl.shift) << 8 | (j as u64) << 16)
            | cl.out_shift.map_or(0, |s| 4 | u64::from(s) << 24);
        let obytes = if cl.out_shift.is_some() { 1 } else { 4 };
        let words = [
            l.m,
            l.k,
            l.n,
            flags,
            aat,
            wat,
            oat,
            p.row_bytes(l.k),
            l.n * obytes,
        ];
        let mut d = vec![0u8; DESC_BYTES as usize];
        for (i, v) in words.iter().enumerate() {
            d[i * 4..i * 4 + 4].copy_from_slice(&(*v as u32).to_le_bytes());
        }
        descs.extend(d);
        img.segments.push((wat, wimg));
        if cl.after.is_none() {
            img.segments.push((aat, acts));
        }
        img.loads.push(load);
        img.wbases.push(wat);
        img.outs.push((oat, l.m * l.n * obytes));
        wat = align(wat + load);
        aat = align(aat + l.m * p.row_bytes(l.k));
        oat = align(oat + l.m * l.n * obytes);
    }
    img.segments.push((DESC_ADDR, descs));
    let r = simulate(p, &img, opts)?;
    let (starts, dones) = (r.list("starts"), r.list("dones"));
    let reports = layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            // an INT8-output layer: its bytes against the requantized model
            let (got, exp): (Vec<i32>, Vec<i32>) = match l.out_shift {
                Some(s) => (
                    r.outs[i]
                        .iter()
                        .flat_map(|w| w.to_le_bytes())
                        .map(|b| i32::from(b as i8))
                        .collect(),
                    model[i]
                        .expected
                        .iter()
                        .map(|&a| i32::from(requant(a, s)))
                        .collect(),
                ),
                None => (r.outs[i].clone(), model[i].expected.clone()),
            };
            ChainLayerReport {
                shape: (l.m, l.k, l.n),
                after: l.after.map(|j| (j, l.shift)),
                out_shift: l.out_shift,
                engine: (engine[i].start, engine[i].done),
                rtl: starts.get(i).copied().zip(dones.get(i).copied()),
                wrong: exp
                    .iter()
                    .enumerate()
                    .filter(|&(j, e)| got.get(j) != Some(e))
                    .count(),
                results: exp.len(),
            }
        })
        .collect();
    let lc = r.num("layer_cycles");
    Ok(ChainReport {
        top: p.top(),
        layers: reports,
        total: (total, (lc >= 0).then_some(lc as u64)),
        events: (starts.len(), dones.len()),
        error_reg: r.num("error").max(0) as u64,
        finished: r.num("finished") == 1,
        addr_mismatch: r.num("addr_mismatch").max(0) as u64,
        problems: r.num("problems").max(0) as u64,
        random: opts.random,
        seconds: (r.build_s, r.run_s),
    })
}
