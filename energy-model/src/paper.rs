//! The BitNet papers' energy and memory figures, recomputed from the
//! tool's own counts (`onebit paper bitnet-b1.58`).
//!
//! Published numbers live only in the `published` fields below, each with
//! its citation; every other number is computed from the model zoo, the
//! trace generator, the simulator's activity counters and the technology
//! tables.

use crate::energy::{self, Breakdown};
use crate::tech::Technology;
use serde::Serialize;
use sim::activity::{Activity, VectorOp};
use sim::arch::{preset, Accelerator};
use sim::{simulate, SimResult};
use workloads::trace::{generate, TraceOptions};
use workloads::{zoo, Op, OpKind, Phase, Precision, Trace, TraceMeta};

/// BitNet b1.58 (Ma et al. 2024, arXiv 2402.17764).
pub const CITE_B158: &str = "Ma et al., The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits, arXiv 2402.17764 (2024)";
/// BitNet (Wang et al. 2023, arXiv 2310.11453).
pub const CITE_BITNET: &str = "Wang et al., BitNet: Scaling 1-bit Transformers for Large Language Models, arXiv 2310.11453 (2023)";

/// BitNet b1.58 §3 "Energy": "BitNet b1.58 saves 71.4 times arithmetic
/// operations energy consumption for matrix multiplication on 7nm chips".
pub const PUBLISHED_HEADLINE: f64 = 71.4;

/// BitNet b1.58 Figure 3 (right), end-to-end energy ratio at 512 tokens, as
/// read off the figure for the sizes the issue quotes.
pub const PUBLISHED_FIG3: [(&str, f64); 2] = [("1.3B", 18.6), ("70B", 41.2)];

/// BitNet Table 1: (size, weight bits, [7 nm MUL, 7 nm ADD, 45 nm MUL,
/// 45 nm ADD]) in J, 512-token input.
pub const PUBLISHED_TABLE1: [(&str, u32, [f64; 4]); 9] = [
    ("6.7B", 32, [4.41, 1.28, 12.46, 3.03]),
    ("6.7B", 16, [1.14, 0.54, 3.70, 1.35]),
    ("6.7B", 1, [0.02, 0.04, 0.08, 0.13]),
    ("13B", 32, [8.58, 2.49, 24.23, 5.89]),
    ("13B", 16, [2.23, 1.05, 7.20, 2.62]),
    ("13B", 1, [0.04, 0.06, 0.12, 0.24]),
    ("30B", 32, [20.09, 5.83, 56.73, 13.80]),
    ("30B", 16, [5.21, 2.45, 16.87, 6.13]),
    ("30B", 1, [0.06, 0.14, 0.20, 0.53]),
];

/// BitNet b1.58 Table 1, memory (GB): (size, LLaMA FP16, BitNet b1.58);
/// the 3.9B BitNet row is compared with LLaMA 3B in the paper.
pub const PUBLISHED_MEMORY: [(&str, Option<f64>, f64); 4] = [
    ("700M", Some(2.08), 0.80),
    ("1.3B", Some(3.34), 1.14),
    ("3B", Some(7.89), 2.22),
    ("3.9B", None, 2.38),
];

/// Published memory ratios of BitNet b1.58 Table 1 (LLaMA / BitNet).
pub const PUBLISHED_MEMORY_RATIO: [(&str, f64); 4] =
    [("700M", 2.60), ("1.3B", 2.93), ("3B", 3.55), ("3.9B", 3.32)];

/// The sizes of the energy trend (BitNet b1.58 Figure 3 covers 1.3B-70B).
pub const TREND_SIZES: [&str; 7] = ["700M", "1.3B", "3B", "3.9B", "7B", "13B", "70B"];

/// Multiply and add energy, pJ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MulAdd {
    /// Multiplies, pJ.
    pub mul: f64,
    /// Adds, pJ.
    pub add: f64,
}

impl MulAdd {
    /// Both, pJ.
    pub fn total(&self) -> f64 {
        self.mul + self.add
    }

    fn plus(self, o: MulAdd) -> MulAdd {
        MulAdd {
            mul: self.mul + o.mul,
            add: self.add + o.add,
        }
    }
}

fn precision_of(name: &str) -> Precision {
    name.parse().unwrap_or(Precision::Fp16)
}

/// The papers' arithmetic energy rule applied to the simulator's counters
/// of one operator: every multiply and add of a matrix product priced at
/// the Table 2 energy of its operand precision. On a low-bit lane array
/// each reduction add (tree adds and the accumulate; for the popcount
/// reduction, each term) is one INT8 add, as the papers count a BitNet
/// matmul; on a MAC array every multiply and add (the accumulate too) is
/// one operation of the operand precision. Products on the attention unit
/// or as vector MACs are one multiply and one add of their precision.
/// Vector element operations (norms, softmax, ...) are not matrix products
/// and cost nothing under this rule.
pub fn paper_rule(t: &Technology, arch: &Accelerator, act: &Activity) -> MulAdd {
    let arr = &arch.array;
    let mut e = MulAdd::default();
    let module = arr.reduction.module();
    let adds = module.paper_adds(act);
    if module.multiplies() {
        for (q, &n) in &act.mults {
            e.mul += n as f64 * t.mul_pj(precision_of(q));
        }
        e.add += adds as f64 * t.add_pj(arr.activations);
    } else {
        e.add += adds as f64 * t.add_pj(Precision::INT8);
    }
    for (q, &n) in &act.attention_macs {
        let q = precision_of(q);
        e.mul += n as f64 * t.mul_pj(q);
        e.add += n as f64 * t.add_pj(q);
    }
    if let Some(&n) = act.vector.get(&VectorOp::Mac) {
        let v = arch.vector.precision;
        e.mul += n as f64 * t.mul_pj(v);
        e.add += n as f64 * t.add_pj(v);
    }
    e
}

// ------------------------------------------------------------------ (a)

/// One design's side of the headline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadlineSide {
    /// Design preset.
    pub design: String,
    /// What one MAC is on it.
    pub datapath: String,
    /// Useful MACs of the GEMM.
    pub macs: u64,
    /// Multiplies the simulator counted, per MAC.
    pub mults_per_mac: f64,
    /// Adds the simulator counted (tree adds, FP adds and accumulates), per MAC.
    pub adds_per_mac: f64,
    /// The papers' rule on those counts, pJ per MAC.
    pub paper_rule_pj_per_mac: f64,
    /// The detailed model's arithmetic (select, adds, multiplies,
    /// accumulates, after zero gating), pJ per MAC.
    pub model_arithmetic_pj_per_mac: f64,
    /// The detailed model's lane array with its pipeline registers, pJ per MAC.
    pub model_array_pj_per_mac: f64,
    /// Share of the terms clock-gated as zero weights.
    pub gated_share: f64,
    /// The widest integer add of the reduction tree, bits (0 if none).
    pub widest_add_bits: u32,
}

/// (a) FP16 multiply-add vs ternary INT8 accumulate at 7 nm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    /// The GEMM both designs ran.
    pub gemm: String,
    /// The FP16 MAC baseline.
    pub fp16: HeadlineSide,
    /// The ternary adder-tree design.
    pub ternary: HeadlineSide,
    /// Ratio of the papers' rule energies.
    pub ratio_paper_rule: f64,
    /// Ratio of the detailed arithmetic energies.
    pub ratio_model_arithmetic: f64,
    /// Ratio of the detailed lane-array energies (with registers).
    pub ratio_model_array: f64,
    /// Published value.
    pub published: f64,
    /// Where it is published.
    pub citation: String,
}

fn gemm_trace(name: &str, m: u64, k: u64, n: u64, a: Precision, w: Precision) -> Trace {
    Trace {
        meta: TraceMeta {
            model: name.to_string(),
            phase: Phase::Decode,
            batch: m,
            seq: 1,
            ..TraceMeta::default()
        },
        ops: vec![Op {
            name: "gemm".into(),
            kind: OpKind::Linear,
            layer: Some(0),
            inputs: vec![],
            g: 1,
            m,
            k,
            n,
            a,
            w: Some(w),
            out: Precision::Fp16,
            wbytes: w.bytes_for(k * n),
            zeros: None,
            mask: workloads::Mask::Full,
        }],
    }
}

fn headline_side(
    t: &Technology,
    design: &str,
    datapath: &str,
    a: Precision,
    w: Precision,
) -> HeadlineSide {
    let arch = preset(design).expect("preset exists");
    let trace = gemm_trace("gemm-4096", 1, 4096, 4096, a, w);
    let r = simulate(&arch, &trace, crate::default_options(&arch, t)).expect("the GEMM maps");
    let act = &r.ops[0].activity;
    let macs = r.ops[0].macs as f64;
    let p = energy::Prices::of(&arch, t);
    let e = energy::dynamic(t, &p, act);
    let adds = act.adds.values().sum::<u64>()
        + act.fp_adds.values().sum::<u64>()
        + act.acc_updates.values().sum::<u64>();
    HeadlineSide {
        design: design.to_string(),
        datapath: datapath.to_string(),
        macs: r.ops[0].macs,
        mults_per_mac: act.mults.values().sum::<u64>() as f64 / macs,
        adds_per_mac: adds as f64 / macs,
        paper_rule_pj_per_mac: paper_rule(t, &arch, act).total() / macs,
        model_arithmetic_pj_per_mac: e.array_arithmetic() / macs,
        model_array_pj_per_mac: (e.array_arithmetic() + e.array_registers) / macs,
        gated_share: if act.terms > 0 {
            act.zero_terms_gated as f64 / act.terms as f64
        } else {
            0.0
        },
        widest_add_bits: act.adds.keys().copied().max().unwrap_or(0),
    }
}

/// (a): one 4096 x 4096 projection of one token on edge-fp16 and
/// edge-ternary, priced at `t` (7 nm for the paper's figure).
pub fn headline(t: &Technology) -> Headline {
    let fp16 = headline_side(
        t,
        "edge-fp16",
        "FP16 multiply + FP16 add",
        Precision::Fp16,
        Precision::Fp16,
    );
    let ternary = headline_side(
        t,
        "edge-ternary",
        "select/negate + INT8 add (ternary weights)",
        Precision::INT8,
        Precision::Ternary,
    );
    Headline {
        gemm: "one token through a 4096 x 4096 projection (1 x 4096 by 4096 x 4096)".into(),
        ratio_paper_rule: fp16.paper_rule_pj_per_mac / ternary.paper_rule_pj_per_mac,
        ratio_model_arithmetic: fp16.model_arithmetic_pj_per_mac
            / ternary.model_arithmetic_pj_per_mac,
        ratio_model_array: fp16.model_array_pj_per_mac / ternary.model_array_pj_per_mac,
        fp16,
        ternary,
        published: PUBLISHED_HEADLINE,
        citation: format!("{CITE_B158}, section 3 (Energy)"),
    }
}

// ------------------------------------------------------------------ (b)

/// One row of BitNet Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1Row {
    /// Model size.
    pub size: String,
    /// Weight bits (32, 16: Transformer; 1: BitNet).
    pub wbits: u32,
    /// The zoo model whose shape was used.
    pub model: String,
    /// Multiplies counted.
    pub muls: u64,
    /// Adds counted.
    pub adds: u64,
    /// Reproduced [7 nm MUL, 7 nm ADD, 45 nm MUL, 45 nm ADD], J.
    pub joules: [f64; 4],
    /// Published values, J.
    pub published: [f64; 4],
    /// Per column: the reproduced value rounds (to 2 decimals) to the published one.
    pub matches: [bool; 4],
}

/// (b) BitNet Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1 {
    /// Input length.
    pub tokens: u64,
    /// The counting rule.
    pub rule: String,
    /// Rows in the paper's order.
    pub rows: Vec<Table1Row>,
    /// Where it is published.
    pub citation: String,
}

/// Counted (muls, adds) of a BitNet Table 1 row, each split by the
/// precision it is priced at: `(muls, adds)` per precision.
struct Counts {
    by_precision: Vec<(Precision, u64, u64)>,
}

impl Counts {
    fn add(&mut self, p: Precision, muls: u64, adds: u64) {
        match self.by_precision.iter_mut().find(|(q, _, _)| *q == p) {
            Some(e) => {
                e.1 += muls;
                e.2 += adds;
            }
            None => self.by_precision.push((p, muls, adds)),
        }
    }

    fn joules(&self, t: &Technology) -> (f64, f64) {
        self.by_precision
            .iter()
            .fold((0.0, 0.0), |(m, a), &(p, muls, adds)| {
                (
                    m + muls as f64 * t.mul_pj(p) * 1e-12,
                    a + adds as f64 * t.add_pj(p) * 1e-12,
                )
            })
    }
}

/// The matrix products of a BitNet Table 1 row, from the trace of a
/// 512-token input: the blocks' projections and the attention products
/// QK^T and PV (the LM head is not counted).
fn table1_counts(trace: &Trace, wbits: u32) -> Counts {
    let mut c = Counts {
        by_precision: Vec::new(),
    };
    let float = match wbits {
        32 => Precision::Fp32,
        _ => Precision::Fp16,
    };
    for op in &trace.ops {
        let projection = op.kind == OpKind::Linear && op.layer.is_some();
        let attention = matches!(op.kind, OpKind::Qk | OpKind::Pv);
        if !projection && !attention {
            continue;
        }
        // an (M x N) by (N x P) product, `g` times
        let (m, n, p) = (op.g * op.m, op.k, op.n);
        if projection && wbits == 1 {
            // BitNet: INT8 adds; multiplies only to scale the output by
            // beta and gamma / Q_b (eq. 18), priced at FP16
            c.add(Precision::INT8, 0, m * (n - 1) * p);
            c.add(Precision::Fp16, m * p + m * n, 0);
        } else {
            c.add(float, m * n * p, m * (n - 1) * p);
        }
    }
    c
}

/// (b): BitNet Table 1 from the zoo's BitNet (2023) shapes.
pub fn table1() -> Table1 {
    let t7 = Technology::builtin("7nm").expect("built in");
    let t45 = Technology::builtin("45nm").expect("built in");
    let tokens = 512;
    let mut rows = Vec::new();
    for &(size, wbits, published) in &PUBLISHED_TABLE1 {
        let name = format!("bitnet-{size}");
        let model = zoo::find(&name).expect("zoo has the BitNet sizes");
        let trace = generate(
            &model,
            &TraceOptions {
                phase: Phase::Prefill,
                seq: tokens,
                batch: 1,
                ..TraceOptions::default()
            },
        )
        .expect("trace");
        let c = table1_counts(&trace, wbits);
        let (m7, a7) = c.joules(&t7);
        let (m45, a45) = c.joules(&t45);
        let joules = [m7, a7, m45, a45];
        let round2 = |x: f64| (x * 100.0).round() / 100.0;
        rows.push(Table1Row {
            size: size.to_string(),
            wbits,
            model: name,
            muls: c.by_precision.iter().map(|e| e.1).sum(),
            adds: c.by_precision.iter().map(|e| e.2).sum(),
            matches: std::array::from_fn(|i| (round2(joules[i]) - published[i]).abs() < 1e-9),
            joules,
            published,
        });
    }
    Table1 {
        tokens,
        rule: "an (m x n) by (n x p) product costs m(n-1)p adds and mnp multiplies (BitNet eq. 16-17); \
               BitNet's projections cost m(n-1)p INT8 adds and m(p+n) FP16 multiplies (eq. 18); \
               attention QK^T and PV in FP16 (FP32 in the 32-bit rows); projections of every block and \
               attention over the full 512 x 512 scores; no LM head"
            .into(),
        rows,
        citation: format!("{CITE_BITNET}, Table 1 (energies) and Table 2 (per-operation energies)"),
    }
}

// ------------------------------------------------------------------ (c)

/// One model size of the energy trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// Model size.
    pub size: String,
    /// FP16 LLaMA model simulated.
    pub fp16_model: String,
    /// BitNet b1.58 model simulated.
    pub ternary_model: String,
    /// The papers' rule on the blocks' matrix products (no LM head), per
    /// token, pJ: FP16 LLaMA.
    pub fp16_matmul_pj: MulAdd,
    /// The same for BitNet b1.58.
    pub ternary_matmul_pj: MulAdd,
    /// Ratio of the two (the paper's Figure 3 quantity).
    pub ratio_matmul_paper_rule: f64,
    /// The detailed model's arithmetic (every operator, LM head included), per token, pJ: FP16.
    pub fp16_arithmetic_pj: f64,
    /// The same for BitNet b1.58.
    pub ternary_arithmetic_pj: f64,
    /// Their ratio.
    pub ratio_arithmetic: f64,
    /// Everything (arithmetic, registers, SRAM, DRAM, clock, leakage) per token, pJ: FP16.
    pub fp16_total_pj: f64,
    /// The same for BitNet b1.58.
    pub ternary_total_pj: f64,
    /// Their ratio (end to end).
    pub ratio_end_to_end: f64,
    /// DRAM share of the FP16 total.
    pub fp16_dram_share: f64,
    /// DRAM share of the BitNet b1.58 total.
    pub ternary_dram_share: f64,
    /// Tokens/s of the FP16 and the BitNet b1.58 runs.
    pub tokens_per_s: [f64; 2],
    /// The paper's Figure 3 ratio, where known.
    pub published: Option<f64>,
    /// The runs that need more DRAM than their design has (run anyway):
    /// "design: model" for each.
    pub oversubscribed: Vec<String>,
}

/// (c) The energy trend across model sizes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// FP16 MAC baseline design.
    pub fp16_design: String,
    /// Ternary design.
    pub ternary_design: String,
    /// KV length of the decode step.
    pub seq: u64,
    /// Sequences per step.
    pub batch: u64,
    /// The step simulated.
    pub step: String,
    /// Why that step.
    pub why: String,
    /// Technology table.
    pub technology: String,
    /// Per size.
    pub rows: Vec<TrendRow>,
    /// Where the published values are.
    pub citation: String,
}

/// One simulation and its energy.
pub struct Run {
    /// The simulation.
    pub result: SimResult,
    /// Its energy.
    pub energy: energy::EnergyReport,
    /// Paper-rule energy of the blocks' matrix products (no LM head).
    pub matmul: MulAdd,
}

/// Simulates `model` on `arch` (decode, KV length `seq`, batch `batch`).
pub fn run(
    t: &Technology,
    arch: &Accelerator,
    model: &str,
    seq: u64,
    batch: u64,
) -> Result<Run, String> {
    let m = zoo::find(model).ok_or_else(|| format!("no model {model}"))?;
    // the trend runs every size on both designs; a model too big for the
    // design's DRAM is run anyway and flagged ([`TrendRow::oversubscribed`])
    let (result, energy) = crate::baselines::decode(t, arch, &m, seq, batch)?;
    let matmul = result
        .ops
        .iter()
        .filter(|o| {
            o.layer.is_some() && matches!(o.kind.as_str(), "linear" | "qk" | "pv" | "attention")
        })
        .map(|o| paper_rule(t, arch, &o.activity))
        .fold(MulAdd::default(), MulAdd::plus);
    Ok(Run {
        result,
        energy,
        matmul,
    })
}

/// (c): FP16 LLaMA on `fp16_design` vs BitNet b1.58 on `ternary_design`
/// (same memory system), decode of one token per sequence at KV length
/// `seq`, `batch` sequences.
pub fn trend(
    t: &Technology,
    fp16_design: &str,
    ternary_design: &str,
    seq: u64,
    batch: u64,
) -> Result<Trend, String> {
    let fa = preset(fp16_design).ok_or_else(|| format!("no preset {fp16_design}"))?;
    let ta = preset(ternary_design).ok_or_else(|| format!("no preset {ternary_design}"))?;
    let mut rows = Vec::new();
    for size in TREND_SIZES {
        let (fm, tm) = (format!("llama-{size}"), format!("bitnet-b1.58-{size}"));
        let f = run(t, &fa, &fm, seq, batch)?;
        let b = run(t, &ta, &tm, seq, batch)?;
        let per_tok = |r: &Run| 1.0 / r.result.tokens.max(1) as f64;
        let (fk, bk) = (per_tok(&f), per_tok(&b));
        let fpt: Breakdown = f.energy.per_token_pj;
        let bpt: Breakdown = b.energy.per_token_pj;
        let fmat = MulAdd {
            mul: f.matmul.mul * fk,
            add: f.matmul.add * fk,
        };
        let bmat = MulAdd {
            mul: b.matmul.mul * bk,
            add: b.matmul.add * bk,
        };
        rows.push(TrendRow {
            size: size.to_string(),
            fp16_model: fm,
            ternary_model: tm,
            ratio_matmul_paper_rule: fmat.total() / bmat.total(),
            fp16_matmul_pj: fmat,
            ternary_matmul_pj: bmat,
            fp16_arithmetic_pj: fpt.arithmetic(),
            ternary_arithmetic_pj: bpt.arithmetic(),
            ratio_arithmetic: fpt.arithmetic() / bpt.arithmetic(),
            fp16_total_pj: fpt.total(),
            ternary_total_pj: bpt.total(),
            ratio_end_to_end: fpt.total() / bpt.total(),
            fp16_dram_share: fpt.dram / fpt.total(),
            ternary_dram_share: bpt.dram / bpt.total(),
            tokens_per_s: [f.result.tokens_per_s, b.result.tokens_per_s],
            published: PUBLISHED_FIG3
                .iter()
                .find(|(s, _)| *s == size)
                .map(|(_, v)| *v),
            oversubscribed: [&f, &b]
                .iter()
                .filter(|r| !r.result.warnings.is_empty())
                .map(|r| format!("{}: {}", r.result.design, r.result.model))
                .collect(),
        });
    }
    Ok(Trend {
        fp16_design: fp16_design.to_string(),
        ternary_design: ternary_design.to_string(),
        seq,
        batch,
        step: format!("decode, batch {batch}, KV length {seq}"),
        why: format!(
            "the paper reports energy 'for models with 512 tokens'; one decode step at KV length {seq} \
             does, per token, the same projections and the same QK^T/PV work as a {seq}-token input \
             with full attention, and decode is the step a deployed accelerator spends its energy on; \
             batch {batch} is the single-user case (the arithmetic ratio does not depend on the batch, \
             the DRAM energy per token does)"
        ),
        technology: t.name.clone(),
        rows,
        citation: format!("{CITE_B158}, Figure 3 (right: end-to-end energy at 512 tokens, 7 nm)"),
    })
}

// ------------------------------------------------------------------ (d)

/// One row of the memory comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryRow {
    /// Model size.
    pub size: String,
    /// The FP16 LLaMA the ratio is taken against.
    pub baseline: String,
    /// Its weights as deployed (FP16), GB (10^9 bytes).
    pub fp16_gb: f64,
    /// BitNet b1.58 weights as deployed (2-bit ternary projections,
    /// FP16 embedding, LM head and norms), GB.
    pub ternary_gb: f64,
    /// The same with 1.6-bit packed ternary projections, GB.
    pub ternary_packed_gb: f64,
    /// fp16_gb / ternary_gb.
    pub ratio: f64,
    /// Published LLaMA memory, GB (None where the paper has no LLaMA row).
    pub published_fp16_gb: Option<f64>,
    /// Published BitNet b1.58 memory, GB.
    pub published_ternary_gb: f64,
    /// Published ratio.
    pub published_ratio: f64,
}

/// (d) The memory column of BitNet b1.58 Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memory {
    /// Rows in the paper's order.
    pub rows: Vec<MemoryRow>,
    /// Why the numbers differ.
    pub note: String,
    /// Where the published values are.
    pub citation: String,
}

/// (d): deployed weight footprints from the zoo.
pub fn memory() -> Memory {
    let gb = |b: u64| b as f64 / 1e9;
    let rows = PUBLISHED_MEMORY
        .iter()
        .zip(PUBLISHED_MEMORY_RATIO)
        .map(|(&(size, pf, pt), (_, pr))| {
            // the paper compares BitNet b1.58 3.9B with LLaMA 3B
            let base = if size == "3.9B" { "3B" } else { size };
            let llama = zoo::find(&format!("llama-{base}")).expect("zoo");
            let b = zoo::find(&format!("bitnet-b1.58-{size}")).expect("zoo");
            let packed = b.with_encoding(Precision::TernaryPacked);
            let (f, t) = (gb(llama.deployed_bytes()), gb(b.deployed_bytes()));
            MemoryRow {
                size: size.to_string(),
                baseline: llama.name.clone(),
                fp16_gb: f,
                ternary_gb: t,
                ternary_packed_gb: gb(packed.deployed_bytes()),
                ratio: f / t,
                published_fp16_gb: pf,
                published_ternary_gb: pt,
                published_ratio: pr,
            }
        })
        .collect();
    Memory {
        rows,
        note: "computed: the weights alone as the accelerator stores them (projections at 2 bits, \
               embedding, LM head and norms in FP16); published: GPU memory measured while running \
               the models with a 2-bit kernel, which adds the runtime's own memory (CUDA context, \
               allocator pools, activations, KV cache) to both columns. A constant overhead of \
               about 0.4-1 GB on both sides raises both numbers and pulls the ratio down, more so for \
               small models; the computed ratio is what the paper's ratio tends to as the model \
               grows and the overhead becomes negligible"
            .into(),
        citation: format!("{CITE_B158}, Table 1 (memory column)"),
    }
}

// ------------------------------------------------------------------ all

/// Everything `onebit paper bitnet-b1.58` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperReport {
    /// Report schema.
    pub schema: String,
    /// (a) The 71.4x headline.
    pub headline: Headline,
    /// (b) BitNet Table 1.
    pub table1: Table1,
    /// (c) The end-to-end energy trend.
    pub trend: Trend,
    /// (d) Memory.
    pub memory: Memory,
    /// (e) Against the quantized baselines of the same area.
    pub baselines: crate::baselines::Baselines,
}

/// Computes (a)-(d); the trend on `fp16_design` vs `ternary_design`.
pub fn bitnet_b158(
    t: &Technology,
    fp16_design: &str,
    ternary_design: &str,
    seq: u64,
    batch: u64,
) -> Result<PaperReport, String> {
    Ok(PaperReport {
        schema: "onebit.paper/1".into(),
        headline: headline(t),
        table1: table1(),
        trend: trend(t, fp16_design, ternary_design, seq, batch)?,
        memory: memory(),
        baselines: crate::baselines::against(t, ternary_design, seq, batch)?,
    })
}
