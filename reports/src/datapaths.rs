//! The equal-area comparison of the lane array's datapaths
//! (`onebit paper datapaths`) as a text table, Markdown and CSV.

use crate::table::{Align, Table};
use energy_model::datapaths::DatapathComparison;

fn table(c: &DatapathComparison) -> Table {
    let mut t = Table::new(&[
        ("design", Align::Left),
        ("reduction", Align::Left),
        ("lanes x width", Align::Right),
        ("II", Align::Right),
        ("weight bits", Align::Right),
        ("area mm²", Align::Right),
        ("array mm²", Align::Right),
        ("decode tok/s", Align::Right),
        ("decode mJ/tok", Align::Right),
        ("prefill tok/s", Align::Right),
        ("prefill mJ/tok", Align::Right),
    ]);
    for r in &c.rows {
        t.row(vec![
            r.preset.clone(),
            r.reduction.clone(),
            format!("{} x {}", r.lanes, r.width),
            r.initiation_interval.to_string(),
            format!("{:.2}", r.weight_bits),
            format!("{:.4}", r.area_mm2),
            format!("{:.4}", r.array_mm2),
            format!("{:.2}", r.decode_tokens_per_s),
            format!("{:.3}", r.decode_mj_per_token),
            format!("{:.1}", r.prefill_tokens_per_s),
            format!("{:.4}", r.prefill_mj_per_token),
        ]);
    }
    t
}

fn intro(c: &DatapathComparison) -> String {
    format!(
        "The datapaths at equal area: each design has the most lanes whose estimated area ({}) \
         does not exceed {}'s {:.4} mm²; {} decode at KV length {} and a {}-token prefill, batch 1.",
        c.technology, c.budget_design, c.budget_mm2, c.model, c.decode_seq, c.prefill_tokens
    )
}

/// The comparison as text.
pub fn datapaths_text(c: &DatapathComparison) -> String {
    format!("{}\n\n{}", intro(c), table(c).to_text())
}

/// The comparison as Markdown.
pub fn datapaths_markdown(c: &DatapathComparison) -> String {
    format!(
        "# Datapaths at equal area\n\n{}\n\n{}",
        intro(c),
        table(c).to_markdown()
    )
}

/// The comparison as CSV (header first).
pub fn datapaths_csv(c: &DatapathComparison) -> String {
    table(c).to_csv()
}
