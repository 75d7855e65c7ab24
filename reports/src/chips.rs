//! The report of `onebit paper chips`: published BitNet chips beside what
//! onebit predicts for their re-created presets, with the error and, where
//! it passes its bound, what onebit models differently; then published CPU
//! measurements beside onebit's simulated edge design. Terminal text,
//! Markdown, HTML, CSV.

use crate::{Align, Block, Output, Page, Table};
use energy_model::chips::{ChipResult, ChipsReport, Row};

/// A value with four significant digits (two decimals at least for
/// values of 1 and more).
pub fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = 3 - v.abs().log10().floor() as i64;
    let d = digits.clamp(2, 12) as usize;
    format!("{v:.d$}")
}

fn error_cell(r: &Row) -> String {
    r.error_pct
        .map(|e| format!("{e:+.1}%"))
        .unwrap_or_else(|| "-".into())
}

fn within_cell(r: &Row) -> &'static str {
    match r.within {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "not compared",
    }
}

/// The comparison: one row per published figure of every chip.
pub fn table(rep: &ChipsReport) -> Table {
    let mut t = Table::new(&[
        ("chip", Align::Left),
        ("quantity", Align::Left),
        ("published", Align::Right),
        ("onebit", Align::Right),
        ("error", Align::Right),
        ("bound", Align::Right),
        ("within", Align::Left),
    ]);
    for c in &rep.chips {
        for r in &c.rows {
            t.row(vec![
                c.chip.clone(),
                r.quantity.clone(),
                num(r.published),
                r.predicted.map(num).unwrap_or_else(|| "-".into()),
                error_cell(r),
                r.bound.clone(),
                within_cell(r).into(),
            ]);
        }
    }
    t
}

/// The CPU reference points beside onebit's simulated edge design.
pub fn reference_table(rep: &ChipsReport) -> Table {
    let d = &rep.reference.design;
    let h_tok = format!("onebit {d} tokens/s");
    let h_j = format!("onebit {d} J/token");
    let mut t = Table::new(&[
        ("system (published)", Align::Left),
        ("software", Align::Left),
        ("model", Align::Left),
        ("tokens/s", Align::Right),
        ("J/token", Align::Right),
        (h_tok.as_str(), Align::Right),
        (h_j.as_str(), Align::Right),
    ]);
    for r in &rep.reference.rows {
        t.row(vec![
            r.system.clone(),
            r.software.clone(),
            r.model.clone(),
            num(r.published_tokens_per_s),
            r.published_joules_per_token
                .map(num)
                .unwrap_or_else(|| "-".into()),
            num(r.onebit_tokens_per_s),
            num(r.onebit_joules_per_token),
        ]);
    }
    t
}

/// The lines under a chip's rows: its model, sources, stand-in datapath and,
/// for every figure outside its bound or not compared, why.
pub fn chip_notes(c: &ChipResult) -> Vec<String> {
    let mut v = vec![format!(
        "{}: preset `{}` ({} table), model {}, decode at KV length {}, batch 1. Sources: {}.",
        c.chip, c.preset, c.technology, c.model, c.decode_seq, c.citation
    )];
    if let Some(s) = &c.stand_in {
        v.push(format!("Datapath stand-in: {s}."));
    }
    if let Some(h) = &c.lm_head {
        v.push(format!("LM head weights: {h}."));
    }
    for r in &c.rows {
        v.push(format!("{} — published: {}.", r.quantity, r.source));
        if let Some(w) = &r.why {
            let head = match r.within {
                None => "not compared",
                _ => "outside the bound; onebit differs",
            };
            v.push(format!("{} — {head}: {w}.", r.quantity));
        }
    }
    v
}

/// What the preset took from its sources and what it assumed: the
/// rationale comment at the head of its file.
pub fn rationale(preset: &str) -> Vec<String> {
    let Some(text) = sim::arch::preset_text(preset) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for l in text.lines() {
        let Some(rest) = l.strip_prefix('#') else {
            break;
        };
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        if rest.starts_with("onebit accelerator description") {
            break;
        }
        out.push(rest.to_string());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// [`rationale`] as list items: a line starting with `- ` or following an
/// empty line starts an item, other lines continue it.
pub fn rationale_items(preset: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    let mut open = false;
    for l in rationale(preset) {
        let t = l.trim();
        if t.is_empty() || t == "Rationale" {
            open = false;
            continue;
        }
        let starts = t.starts_with("- ") || t.ends_with(':') || !open;
        match items.last_mut() {
            Some(last) if !starts => {
                last.push(' ');
                last.push_str(t);
            }
            _ => items.push(t.trim_start_matches("- ").to_string()),
        }
        open = !t.ends_with(':');
    }
    items
}

const TITLE: &str = "Published BitNet chips reproduced by onebit";

fn intro() -> Vec<String> {
    vec![
        format!(
            "Each chip is a preset built from what its paper states (every number cited in the preset, everything else marked as an assumption); onebit runs the workload the paper measured and prices it in the technology table the preset names. Error = onebit / published - 1. Bounds: {}% for throughput and latency, a factor of {} for power, energy and area. Chip power and energy exclude the DRAM device. No preset input is fitted to the figure it is compared with.",
            energy_model::chips::THROUGHPUT_BOUND_PCT,
            energy_model::chips::POWER_BOUND_FACTOR
        ),
    ]
}

fn reference_intro(rep: &ChipsReport) -> String {
    format!(
        "Published measurements of BitNet b1.58 models on CPUs (not simulated), beside what onebit simulates for the same model on its `{}` design ({} table, decode at KV length {}, batch 1; J/token includes its LPDDR5 DRAM). The CPU rows are the software's measurements on real processors; the onebit columns are a simulated accelerator, not a prediction of those processors.",
        rep.reference.design, rep.reference.technology, rep.reference.seq
    )
}

fn reference_sources(rep: &ChipsReport) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for r in &rep.reference.rows {
        if !v.contains(&r.source) {
            v.push(r.source.clone());
        }
    }
    v
}

/// The report as terminal text.
pub fn text(rep: &ChipsReport) -> String {
    let mut s = format!("{TITLE}\n\n");
    for l in intro() {
        s += &format!("{l}\n");
    }
    s += "\n";
    s += &table(rep).to_text();
    for c in &rep.chips {
        s += "\n";
        for l in chip_notes(c) {
            s += &format!("{l}\n");
        }
    }
    s += "\nCPU reference points\n\n";
    s += &format!("{}\n\n", reference_intro(rep));
    s += &reference_table(rep).to_text();
    s += "\n";
    for l in reference_sources(rep) {
        s += &format!("Source: {l}.\n");
    }
    s
}

/// The report as a page (HTML and Markdown).
pub fn page(rep: &ChipsReport) -> Page {
    let mut p = Page::new(
        TITLE,
        "Generated by `onebit paper chips`: published figures beside onebit's predictions for presets re-created from the papers.",
    );
    p.h2("Published vs predicted", "chips");
    for l in intro() {
        p.para(l);
    }
    p.table("", table(rep), Some("chips.csv".into()));
    for c in &rep.chips {
        p.h3(c.chip.clone(), c.preset.clone());
        p.push(Block::Bullets(chip_notes(c)));
        p.para(format!(
            "What the preset `{}` took from its sources and what it assumed (the head of presets/{}.toml):",
            c.preset, c.preset
        ));
        p.push(Block::Bullets(rationale_items(&c.preset)));
    }
    p.h2("CPU reference points", "reference");
    p.para(reference_intro(rep));
    p.table("", reference_table(rep), Some("reference.csv".into()));
    for l in reference_sources(rep) {
        p.para(format!("Source: {l}."));
    }
    p
}

/// Every file of `--report DIR`: chips.md, report.html, chips.json and the
/// two tables as CSV.
pub fn output(rep: &ChipsReport) -> Output {
    let p = page(rep);
    let mut out = Output::new();
    out.add("chips.md", p.to_markdown());
    out.add("report.html", p.to_html());
    out.add(
        "chips.json",
        serde_json::to_string_pretty(rep).expect("plain data") + "\n",
    );
    out.add("chips.csv", csv(rep));
    out.add("reference.csv", reference_table(rep).to_csv());
    out
}

/// The comparison as CSV, unrounded.
pub fn csv(rep: &ChipsReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "chip",
        "preset",
        "technology",
        "model",
        "quantity",
        "published",
        "predicted",
        "error_pct",
        "bound",
        "within",
        "source",
    ]);
    for c in &rep.chips {
        for r in &c.rows {
            let _ = w.write_record([
                c.chip.clone(),
                c.preset.clone(),
                c.technology.clone(),
                c.model.clone(),
                r.quantity.clone(),
                format!("{}", r.published),
                r.predicted.map(|v| format!("{v}")).unwrap_or_default(),
                r.error_pct.map(|v| format!("{v}")).unwrap_or_default(),
                r.bound.clone(),
                within_cell(r).to_string(),
                r.source.clone(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// What the CPU reference table of a simulation report is.
pub const CPU_REFERENCE_NOTE: &str = "Published measurements of the same model decoding on CPUs (bitnet.cpp, T-MAC, the BitNet b1.58 2B4T report; not simulated), beside this report's simulated runs at batch 1. The CPU rows are measurements of software on real processors, not predictions of them.";

/// For a simulation report: the published CPU measurements
/// ([`energy_model::chips::reference::MEASUREMENTS`]) of the models that
/// `runs` decode at batch 1, beside those runs' tokens/s and J/token, and
/// the sources of the rows; `None` when no run matches a measured model.
pub fn cpu_reference_table(runs: &[crate::Run]) -> Option<(Table, Vec<String>)> {
    use energy_model::chips::reference::MEASUREMENTS;
    let mut t = Table::new(&[
        ("model", Align::Left),
        ("system (published)", Align::Left),
        ("software", Align::Left),
        ("tokens/s", Align::Right),
        ("J/token", Align::Right),
        ("onebit design", Align::Left),
        ("onebit tokens/s", Align::Right),
        ("onebit J/token", Align::Right),
    ]);
    let mut sources: Vec<String> = Vec::new();
    for r in runs {
        let s = &r.result;
        if s.phase != workloads::Phase::Decode || s.batch != 1 {
            continue;
        }
        for m in MEASUREMENTS
            .iter()
            .filter(|m| m.model.eq_ignore_ascii_case(&s.model))
        {
            if !sources.iter().any(|x| x == m.source) {
                sources.push(m.source.to_string());
            }
            t.row(vec![
                m.model.to_string(),
                m.system.to_string(),
                m.software.to_string(),
                num(m.tokens_per_s),
                m.joules_per_token.map(num).unwrap_or_else(|| "-".into()),
                s.design.clone(),
                num(s.tokens_per_s),
                num(r.energy.joules_per_token),
            ]);
        }
    }
    (!sources.is_empty()).then_some((t, sources))
}
