//! The BitNet b1.58 paper's throughput experiment (Table 3) and decoding
//! latency ratios, as the text and Markdown `onebit paper bitnet-b1.58`
//! prints: published, predicted, error and why they differ.

use crate::table::{Align, Table};
use energy_model::paper_throughput::Table3;

fn err(pred: f64, publ: f64) -> String {
    if publ == 0.0 {
        return "-".into();
    }
    format!("{:+.1}%", 100.0 * (pred - publ) / publ)
}

/// The tables.
pub fn tables(t: &Table3) -> Vec<(String, Table)> {
    let mut a = Table::new(&[
        ("model", Align::Left),
        ("max batch (published)", Align::Right),
        ("max batch (predicted)", Align::Right),
        ("error", Align::Right),
        ("tokens/s (published)", Align::Right),
        ("tokens/s (predicted)", Align::Right),
        ("error", Align::Right),
        ("DRAM/device at max batch", Align::Right),
    ]);
    for r in &t.rows {
        a.row(vec![
            r.model.clone(),
            r.published_batch.to_string(),
            r.predicted_batch.to_string(),
            err(r.predicted_batch as f64, r.published_batch as f64),
            format!("{:.0}", r.published_tokens_per_s),
            format!("{:.0}", r.predicted_tokens_per_s),
            err(r.predicted_tokens_per_s, r.published_tokens_per_s),
            format!("{:.2} GiB", r.need_gib),
        ]);
    }
    let (pb, pt) = t.published_ratios;
    let (qb, qt) = t.predicted_ratios;
    a.row(vec![
        "BitNet / LLaMA".into(),
        format!("{pb:.1}x"),
        format!("{qb:.1}x"),
        err(qb, pb),
        format!("{pt:.1}x"),
        format!("{qt:.1}x"),
        err(qt, pt),
        String::new(),
    ]);
    let mut l = Table::new(&[
        ("size", Align::Left),
        ("LLaMA latency", Align::Right),
        ("BitNet b1.58 latency", Align::Right),
        ("ratio (published)", Align::Right),
        ("ratio (predicted)", Align::Right),
        ("error", Align::Right),
    ]);
    for r in &t.latency {
        l.row(vec![
            r.size.clone(),
            format!("{:.3} ms", r.llama_s * 1e3),
            format!("{:.3} ms", r.bitnet_s * 1e3),
            format!("{:.2}x", r.published),
            format!("{:.2}x", r.predicted),
            err(r.predicted, r.published),
        ]);
    }
    vec![
        (
            "(e) Table 3: 70B on two A100-class 80 GB devices, pipeline-parallel, sequence length 512, batch raised to the DRAM capacity".into(),
            a,
        ),
        (
            "(f) Decoding latency, batch 1 (3B on one device, 70B on the pair)".into(),
            l,
        ),
    ]
}

/// The text `onebit paper bitnet-b1.58` prints.
pub fn text(t: &Table3) -> String {
    let mut s = String::new();
    for (title, table) in tables(t) {
        s += &format!("\n{title}\n{}", table.to_text());
    }
    s += "Why they differ:\n";
    for w in &t.why {
        s += &format!("- {w}\n");
    }
    s += &format!("Published: {}\n", t.citation);
    s
}

/// The same as Markdown.
pub fn markdown(t: &Table3) -> String {
    let mut s = String::new();
    for (title, table) in tables(t) {
        s += &format!("## {title}\n\n{}\n", table.to_markdown());
    }
    s += "Why they differ:\n\n";
    for w in &t.why {
        s += &format!("- {w}\n");
    }
    s += &format!("\nPublished: {}\n", t.citation);
    s
}
