//! The report of `onebit paper bitnet-b1.58`: the BitNet papers' energy
//! and memory figures recomputed from onebit's own counts, as five titled
//! sections (a: the arithmetic headline, b: BitNet Table 1, c: the energy
//! trend across sizes, d: memory, e: the quantized baselines) with the
//! published values in their own columns, as terminal text, Markdown, CSV
//! and an HTML page with the plot across model sizes.

use super::trend;
use crate::{Align, Output, Page, Table};
use energy_model::paper::{self, PaperReport};
use energy_model::paper_throughput::Table3;
use energy_model::Technology;

/// A titled table with text before and after it.
struct Section {
    /// File stem of its CSV.
    id: &'static str,
    title: String,
    intro: Vec<String>,
    table: Table,
    csv: Vec<Vec<String>>,
    notes: Vec<String>,
}

fn f(v: f64, d: usize) -> String {
    format!("{v:.d$}")
}

fn x(v: f64) -> String {
    format!("{v:.1}x")
}

pub(crate) fn csv_text(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn section_a(p: &PaperReport) -> Section {
    let h = &p.headline;
    let mut t = Table::new(&[
        ("", Align::Left),
        (h.fp16.design.as_str(), Align::Right),
        (h.ternary.design.as_str(), Align::Right),
        ("ratio", Align::Right),
        ("published", Align::Right),
    ]);
    let mut csv = vec![vec![
        "quantity".to_string(),
        h.fp16.design.clone(),
        h.ternary.design.clone(),
        "ratio".into(),
        "published".into(),
    ]];
    let mut add = |name: &str, a: String, b: String, r: String, pubd: String| {
        t.row(vec![
            name.into(),
            a.clone(),
            b.clone(),
            r.clone(),
            pubd.clone(),
        ]);
        csv.push(vec![name.into(), a, b, r, pubd]);
    };
    add(
        "datapath",
        h.fp16.datapath.clone(),
        h.ternary.datapath.clone(),
        String::new(),
        String::new(),
    );
    add(
        "multiplies per MAC (counted)",
        f(h.fp16.mults_per_mac, 4),
        f(h.ternary.mults_per_mac, 4),
        String::new(),
        String::new(),
    );
    add(
        "adds per MAC (counted)",
        f(h.fp16.adds_per_mac, 4),
        f(h.ternary.adds_per_mac, 4),
        String::new(),
        String::new(),
    );
    add(
        "papers' rule, pJ per MAC",
        f(h.fp16.paper_rule_pj_per_mac, 4),
        f(h.ternary.paper_rule_pj_per_mac, 4),
        format!("{:.2}x", h.ratio_paper_rule),
        format!("{}x [1]", h.published),
    );
    add(
        "model: arithmetic, pJ per MAC",
        f(h.fp16.model_arithmetic_pj_per_mac, 4),
        f(h.ternary.model_arithmetic_pj_per_mac, 4),
        format!("{:.2}x", h.ratio_model_arithmetic),
        String::new(),
    );
    add(
        "model: lane array with registers, pJ per MAC",
        f(h.fp16.model_array_pj_per_mac, 4),
        f(h.ternary.model_array_pj_per_mac, 4),
        format!("{:.2}x", h.ratio_model_array),
        String::new(),
    );
    Section {
        id: "a-headline",
        title: format!("(a) FP16 multiply-add vs ternary INT8 accumulate at {}", p.trend.technology),
        intro: vec![
            format!("The simulator ran {} on both designs and counted every multiply and add.", h.gemm),
            "Papers' rule: each counted operation at its Table 2 energy (FP16 MAC array: one FP16 multiply and one FP16 add a MAC; ternary adder tree: one INT8 add a MAC).".into(),
        ],
        table: t,
        csv,
        notes: vec![
            format!(
                "The headline: {:.4} pJ / {:.4} pJ = {:.2}x (published: {}x).",
                h.fp16.paper_rule_pj_per_mac, h.ternary.paper_rule_pj_per_mac, h.ratio_paper_rule, h.published
            ),
            format!(
                "The model rows price the same counts with the detailed model: the ternary adder tree's adds widen up to {} bits and are priced by width, each term pays a select/negate, {:.1}% of the terms (absmean zeros) are clock-gated, the FP16 array accumulates in FP32; the registers row adds the pipeline registers the simulator counts.",
                h.ternary.widest_add_bits,
                100.0 * h.ternary.gated_share
            ),
        ],
    }
}

fn section_b(p: &PaperReport) -> Section {
    let b = &p.table1;
    let cols = ["MUL 7nm", "ADD 7nm", "MUL 45nm", "ADD 45nm"];
    let mut hdr: Vec<(String, Align)> = vec![
        ("size".into(), Align::Left),
        ("W bits".into(), Align::Right),
    ];
    for c in cols {
        hdr.push((format!("{c} (J)"), Align::Right));
        hdr.push(("published".into(), Align::Right));
    }
    let hdr_ref: Vec<(&str, Align)> = hdr.iter().map(|(s, a)| (s.as_str(), *a)).collect();
    let mut t = Table::new(&hdr_ref);
    let mut csv = vec![{
        let mut h = vec![
            "size".to_string(),
            "wbits".into(),
            "model".into(),
            "muls".into(),
            "adds".into(),
        ];
        for c in ["mul_7nm_j", "add_7nm_j", "mul_45nm_j", "add_45nm_j"] {
            h.push(c.into());
            h.push(format!("published_{c}"));
        }
        h
    }];
    let mut mismatches = Vec::new();
    for r in &b.rows {
        let mut row = vec![r.size.clone(), r.wbits.to_string()];
        let mut c = vec![
            r.size.clone(),
            r.wbits.to_string(),
            r.model.clone(),
            r.muls.to_string(),
            r.adds.to_string(),
        ];
        for (i, col) in cols.iter().enumerate() {
            let (j, p, ok) = (r.joules[i], r.published[i], r.matches[i]);
            row.push(f(j, 4));
            row.push(format!("{}{}", f(p, 2), if ok { "" } else { " *" }));
            c.push(format!("{j}"));
            c.push(f(p, 2));
            if !ok {
                mismatches.push(format!(
                    "{} {}-bit {col}: {} J rounds to {} J, published {} J",
                    r.size,
                    r.wbits,
                    f(j, 4),
                    f(j, 2),
                    f(p, 2)
                ));
            }
        }
        t.row(row);
        csv.push(c);
    }
    let total = b.rows.len() * 4;
    let mut notes = vec![format!(
        "{} of {} reproduced values round (to two decimals) to the published ones.",
        total - mismatches.len(),
        total
    )];
    for m in &mismatches {
        notes.push(format!("* {m}."));
    }
    if !mismatches.is_empty() {
        notes.push("The other entries of the same rows, built from the same counts, do match, so a mismatch is not a different counting rule; it is within one unit of the paper's last digit (see docs/energy.md).".into());
    }
    Section {
        id: "b-bitnet-table1",
        title: format!("(b) BitNet Table 1: arithmetic energy of a {}-token input", b.tokens),
        intro: vec![
            "Counts from the trace generator's operators of the zoo's BitNet (2023) shapes (bitnet-6.7B, -13B, -30B: GPT-3 shapes), priced with Table 2 at 7 nm and 45 nm.".into(),
            format!("Rule: {}.", b.rule),
        ],
        table: t,
        csv,
        notes,
    }
}

fn section_c(p: &PaperReport) -> Section {
    let c = &p.trend;
    let mut t = Table::new(&[
        ("size", Align::Left),
        ("matmul, papers' rule", Align::Right),
        ("published (Fig. 3)", Align::Right),
        ("arithmetic, model", Align::Right),
        ("end to end", Align::Right),
        ("FP16 J/token", Align::Right),
        ("b1.58 J/token", Align::Right),
        ("DRAM share FP16 / b1.58", Align::Right),
    ]);
    let mut csv = vec![[
        "size",
        "fp16_model",
        "ternary_model",
        "fp16_matmul_mul_pj",
        "fp16_matmul_add_pj",
        "ternary_matmul_mul_pj",
        "ternary_matmul_add_pj",
        "ratio_matmul_paper_rule",
        "published_ratio",
        "fp16_arithmetic_pj",
        "ternary_arithmetic_pj",
        "ratio_arithmetic",
        "fp16_total_pj",
        "ternary_total_pj",
        "ratio_end_to_end",
        "fp16_dram_share",
        "ternary_dram_share",
        "fp16_tokens_per_s",
        "ternary_tokens_per_s",
    ]
    .map(String::from)
    .to_vec()];
    for r in &c.rows {
        t.row(vec![
            r.size.clone(),
            x(r.ratio_matmul_paper_rule),
            r.published.map(|v| format!("{v}x [1]")).unwrap_or_default(),
            x(r.ratio_arithmetic),
            x(r.ratio_end_to_end),
            f(r.fp16_total_pj * 1e-12, 4),
            f(r.ternary_total_pj * 1e-12, 4),
            format!(
                "{:.0}% / {:.0}%",
                100.0 * r.fp16_dram_share,
                100.0 * r.ternary_dram_share
            ),
        ]);
        csv.push(vec![
            r.size.clone(),
            r.fp16_model.clone(),
            r.ternary_model.clone(),
            format!("{}", r.fp16_matmul_pj.mul),
            format!("{}", r.fp16_matmul_pj.add),
            format!("{}", r.ternary_matmul_pj.mul),
            format!("{}", r.ternary_matmul_pj.add),
            format!("{}", r.ratio_matmul_paper_rule),
            r.published.map(|v| format!("{v}")).unwrap_or_default(),
            format!("{}", r.fp16_arithmetic_pj),
            format!("{}", r.ternary_arithmetic_pj),
            format!("{}", r.ratio_arithmetic),
            format!("{}", r.fp16_total_pj),
            format!("{}", r.ternary_total_pj),
            format!("{}", r.ratio_end_to_end),
            format!("{}", r.fp16_dram_share),
            format!("{}", r.ternary_dram_share),
            format!("{}", r.tokens_per_s[0]),
            format!("{}", r.tokens_per_s[1]),
        ]);
    }
    let first = c.rows.first();
    let last = c.rows.last();
    let mut notes = Vec::new();
    if let (Some(a), Some(z)) = (first, last) {
        notes.push(format!(
            "Matmul, papers' rule: the blocks' projections (one INT8 add a MAC on the ternary design, one FP16 multiply and add on the FP16 one) and attention's QK^T and PV (FP16 on both), from the simulator's counters, LM head excluded as in the paper. It rises from {} at {} to {} at {} because attention stays FP16 on both designs and its share of the matrix products falls as the model widens: this is the paper's Figure 3 quantity and explanation ('the percentage of nn.Linear grows with the model size').",
            x(a.ratio_matmul_paper_rule), a.size, x(z.ratio_matmul_paper_rule), z.size
        ));
        let vs: Vec<String> = c
            .rows
            .iter()
            .filter_map(|r| {
                r.published.map(|p| {
                    format!(
                        "{} {} vs {p}x ({:+.1}%)",
                        r.size,
                        x(r.ratio_matmul_paper_rule),
                        100.0 * (r.ratio_matmul_paper_rule / p - 1.0)
                    )
                })
            })
            .collect();
        if !vs.is_empty() {
            notes.push(format!(
                "Against the published bars: {}. The bars are read off a figure, and the paper does not state its exact shapes or what it counts besides the matrix products; the trend, not the last digit, is what is reproduced.",
                vs.join(", ")
            ));
        }
        notes.push(format!(
            "Arithmetic, model: every arithmetic event of the run with the detailed model, including the FP16 LM head (run on the attention unit of both designs), the vector unit (norms, softmax, SwiGLU, quantization) and the ternary tree's width-priced adds; the FP16 work both designs share caps the ratio ({} at {}, {} at {}).",
            x(a.ratio_arithmetic), a.size, x(z.ratio_arithmetic), z.size
        ));
        notes.push(format!(
            "End to end: everything, with the memory system. At batch {} decode every weight is read from DRAM once a token, so DRAM dominates ({:.0}% of the FP16 energy and {:.0}% of the b1.58 energy at {}). The weights shrink 8x (16 to 2 bits), while the FP16 embedding row, LM head and KV cache do not, so the ratio stays near {}-{} instead of following the arithmetic trend. The paper's Figure 3 counts arithmetic only; it does not price memory.",
            c.batch,
            100.0 * z.fp16_dram_share, 100.0 * z.ternary_dram_share, z.size,
            x(c.rows.iter().map(|r| r.ratio_end_to_end).fold(f64::INFINITY, f64::min)),
            x(c.rows.iter().map(|r| r.ratio_end_to_end).fold(0.0, f64::max)),
        ));
    }
    Section {
        id: "c-energy-trend",
        title: format!(
            "(c) BitNet b1.58 vs FP16 LLaMA energy across sizes: {} vs {}",
            c.ternary_design, c.fp16_design
        ),
        intro: vec![
            format!(
                "Full simulations: llama-SIZE on {} and bitnet-b1.58-SIZE on {} (same DRAM, buffers, vector and attention units), {}, {} technology. Ratios are FP16 energy / b1.58 energy per token.",
                c.fp16_design, c.ternary_design, c.step, c.technology
            ),
            format!("Why this step: {}.", c.why),
        ],
        table: t,
        csv,
        notes,
    }
}

fn section_d(p: &PaperReport) -> Section {
    let d = &p.memory;
    let mut t = Table::new(&[
        ("size", Align::Left),
        ("baseline", Align::Left),
        ("LLaMA FP16 GB", Align::Right),
        ("b1.58 GB (2-bit)", Align::Right),
        ("b1.58 GB (1.6-bit packed)", Align::Right),
        ("ratio", Align::Right),
        ("published LLaMA GB", Align::Right),
        ("published b1.58 GB", Align::Right),
        ("published ratio", Align::Right),
    ]);
    let mut csv = vec![[
        "size",
        "baseline",
        "fp16_gb",
        "ternary_gb",
        "ternary_packed_gb",
        "ratio",
        "published_fp16_gb",
        "published_ternary_gb",
        "published_ratio",
    ]
    .map(String::from)
    .to_vec()];
    for r in &d.rows {
        t.row(vec![
            r.size.clone(),
            r.baseline.clone(),
            f(r.fp16_gb, 2),
            f(r.ternary_gb, 2),
            f(r.ternary_packed_gb, 2),
            format!("{:.2}x", r.ratio),
            r.published_fp16_gb
                .map(|v| f(v, 2))
                .unwrap_or_else(|| "-".into()),
            f(r.published_ternary_gb, 2),
            format!("{:.2}x [1]", r.published_ratio),
        ]);
        csv.push(vec![
            r.size.clone(),
            r.baseline.clone(),
            format!("{}", r.fp16_gb),
            format!("{}", r.ternary_gb),
            format!("{}", r.ternary_packed_gb),
            format!("{}", r.ratio),
            r.published_fp16_gb
                .map(|v| format!("{v}"))
                .unwrap_or_default(),
            format!("{}", r.published_ternary_gb),
            format!("{}", r.published_ratio),
        ]);
    }
    Section {
        id: "d-memory",
        title: "(d) BitNet b1.58 Table 1, memory: weight footprints from the model zoo".into(),
        intro: vec![
            "GB = 10^9 bytes. The 3.9B row is compared with LLaMA 3B, as in the paper.".into(),
        ],
        table: t,
        csv,
        notes: vec![format!("Why they differ: {}.", d.note)],
    }
}

fn section_e(p: &PaperReport) -> Section {
    let b = &p.baselines;
    let mut cols: Vec<(String, Align)> = vec![("size".into(), Align::Left)];
    for d in &b.designs {
        cols.push((format!("{d} J/token"), Align::Right));
    }
    cols.push((format!("{} J/token", b.ternary_design), Align::Right));
    cols.push(("strongest baseline".into(), Align::Left));
    cols.push(("strongest / b1.58".into(), Align::Right));
    let fp16_ratio = |size: &str| {
        p.trend
            .rows
            .iter()
            .find(|r| r.size == size)
            .map(|r| r.ratio_end_to_end)
    };
    cols.push(("FP16 / b1.58".into(), Align::Right));
    let colrefs: Vec<(&str, Align)> = cols.iter().map(|(n, a)| (n.as_str(), *a)).collect();
    let mut t = Table::new(&colrefs);
    let mut csv = vec![{
        let mut h = vec!["size".to_string()];
        h.extend(b.designs.iter().map(|d| format!("{d}_pj")));
        h.extend(
            [
                "ternary_pj",
                "strongest",
                "ratio_strongest",
                "ratio_fp16",
                "oversubscribed",
            ]
            .map(String::from),
        );
        h
    }];
    let mut over = Vec::new();
    for r in &b.rows {
        let strongest = b.designs.get(r.strongest).cloned().unwrap_or_default();
        let f16 = fp16_ratio(&r.size);
        let mut row = vec![r.size.clone()];
        row.extend(r.baseline_pj.iter().map(|v| f(v * 1e-12, 4)));
        row.push(f(r.ternary_pj * 1e-12, 4));
        row.push(strongest.clone());
        row.push(x(r.ratio));
        row.push(f16.map(x).unwrap_or_default());
        t.row(row);
        let mut c = vec![r.size.clone()];
        c.extend(r.baseline_pj.iter().map(|v| format!("{v}")));
        c.push(format!("{}", r.ternary_pj));
        c.push(strongest);
        c.push(format!("{}", r.ratio));
        c.push(f16.map(|v| format!("{v}")).unwrap_or_default());
        c.push(r.oversubscribed.join("; "));
        csv.push(c);
        over.extend(r.oversubscribed.iter().cloned());
    }
    let mut notes = vec![format!(
        "The strongest baseline of a size is the one with the lower energy per token. The FP16 ratio is (c)'s end to end; against the quantized baselines the advantage of ternary weights is what is left once the baseline also stores 4- or 8-bit weights."
    )];
    if !over.is_empty() {
        notes.push(format!(
            "Run although they need more DRAM than the design has (`dram.capacity_gib`): {}.",
            over.join(", ")
        ));
    }
    Section {
        id: "e-baselines",
        title: format!(
            "(e) BitNet b1.58 vs the quantized baselines of the same area: {} vs {}",
            b.ternary_design,
            b.designs.join(", ")
        ),
        intro: vec![format!(
            "LLaMA shapes with INT4 (W4A8) and INT8 (W8A8) weights and INT8 activations on MAC arrays sized to {}'s area, with its DRAM and buffers; {}; J per token.",
            b.ternary_design, b.step
        )],
        table: t,
        csv,
        notes,
    }
}

fn sections(p: &PaperReport) -> Vec<Section> {
    vec![
        section_a(p),
        section_b(p),
        section_c(p),
        section_d(p),
        section_e(p),
    ]
}

fn references() -> Vec<String> {
    vec![
        format!("[1] {}", paper::CITE_B158),
        format!("[2] {}", paper::CITE_BITNET),
        "Published values appear only in the `published` columns; every other number is computed by onebit (docs/energy.md).".into(),
    ]
}

/// The report as terminal text.
pub fn text(p: &PaperReport) -> String {
    let mut s = String::new();
    for sec in sections(p) {
        s += &format!("{}\n\n", sec.title);
        for l in &sec.intro {
            s += &format!("{l}\n");
        }
        s += "\n";
        s += &sec.table.to_text();
        s += "\n";
        for l in &sec.notes {
            s += &format!("{l}\n");
        }
        s += "\n";
    }
    s += "References\n";
    for l in references() {
        s += &format!("{l}\n");
    }
    s
}

/// The report as an HTML page with the plot across model sizes (which adds
/// binary ±1 weights to the FP16 vs ternary trend).
fn html_report(p: &PaperReport, tech: &Technology) -> Result<Output, String> {
    let rows = trend::sizes(tech, &p.trend)?;
    let mut page = Page::new(
        "BitNet b1.58 reproduced by onebit",
        "Generated by `onebit paper bitnet-b1.58`: the papers' energy and memory figures recomputed from the tool's own counts; published values only in the `published` columns.",
    );
    page.h2("Across model sizes", "sizes");
    page.figure(trend::figure(&p.trend, &rows)?);
    page.table(
        "Energy per token and the FP16 baseline's ratios to ternary and binary weights.",
        trend::table(&rows),
        Some("e-size-trend.csv".into()),
    );
    for sec in sections(p) {
        page.h2(sec.title.clone(), sec.id);
        for l in &sec.intro {
            page.para(l.clone());
        }
        page.table("", sec.table, Some(format!("{}.csv", sec.id)));
        for l in &sec.notes {
            page.para(l.clone());
        }
    }
    page.h2("References", "references");
    for l in references() {
        page.para(l);
    }
    let mut out = Output::new();
    for f in page.figures() {
        out.add(format!("figures/{}.svg", f.id), f.rendered.svg_file());
        out.add(format!("figures/{}.png", f.id), f.rendered.png.clone());
    }
    out.add("report.html", page.to_html());
    out.add("e-size-trend.csv", trend::csv(&rows));
    Ok(out)
}

/// The report as Markdown.
pub fn markdown(p: &PaperReport) -> String {
    let mut s = String::from(
        "# BitNet b1.58 reproduced by onebit\n\nGenerated by `onebit paper bitnet-b1.58`.\n\n",
    );
    for sec in sections(p) {
        s += &format!("## {}\n\n", sec.title);
        for l in &sec.intro {
            s += &format!("{l}\n\n");
        }
        s += &sec.table.to_markdown();
        s += "\n";
        for l in &sec.notes {
            s += &format!("{l}\n\n");
        }
    }
    s += "## References\n\n";
    for l in references() {
        s += &format!("{l}\n\n");
    }
    s.trim_end().to_string() + "\n"
}

/// Every file of `--report DIR`: bitnet-b1.58.md, bitnet-b1.58.json, one
/// CSV per section, the Table 3 throughput Markdown, report.html with its
/// figures, and e-size-trend.csv.
pub fn output(p: &PaperReport, table3: &Table3, tech: &Technology) -> Result<Output, String> {
    let mut out = Output::new();
    out.add("bitnet-b1.58.md", markdown(p));
    let json = serde_json::to_string_pretty(p).expect("plain data") + "\n";
    out.add("bitnet-b1.58.json", json);
    for sec in sections(p) {
        out.add(format!("{}.csv", sec.id), csv_text(&sec.csv));
    }
    out.add(
        "bitnet-b1.58-throughput.md",
        crate::paper_throughput::markdown(table3),
    );
    for (path, contents) in html_report(p, tech)?.files {
        out.add(path, contents);
    }
    Ok(out)
}
