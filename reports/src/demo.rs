//! The demo's page and terminal summary (`onebit demo`): the simulation
//! report of its runs with the baselines named first among the takeaways,
//! FP16 vs ternary vs binary across model sizes, and a table of the runs.

use crate::format::{energy, mm2, sig3};
use crate::{Align, Output, Page, Run, Table};
use energy_model::paper::Trend;
use energy_model::Technology;
use sim::Accelerator;

/// The sentence naming the demo's baselines: the FP16 design, the stronger
/// quantized baseline, and the weaker one with its energy per decode token
/// (pJ) when there is one.
pub fn baselines(
    fp16: &Accelerator,
    strong: &Accelerator,
    ternary: &Accelerator,
    weaker: Option<(String, f64)>,
) -> String {
    format!(
        "Baselines: {} (FP16 weights and activations, the same array shape and memory) and {} ({} weights, INT8 activations on a MAC array of {}'s area and memory), the stronger of the quantized baselines{}.",
        fp16.name,
        strong.name,
        strong.array.weights.name().to_uppercase(),
        ternary.name,
        weaker
            .map(|(name, pj)| format!(" (the other: {name} ({} per decode token))", energy(pj)))
            .unwrap_or_default()
    )
}

/// The report of `runs` with `baselines` first among its takeaways and the
/// sizes section of `trend`; the page is not yet added to the output.
pub fn page(
    runs: &[Run],
    baselines: &str,
    tech: &Technology,
    trend: &Trend,
) -> Result<(Page, Output), String> {
    let (mut page, mut out) = crate::sim_report::build(runs)?;
    for b in &mut page.blocks {
        if let crate::page::Block::Takeaways(lines) = b {
            lines.insert(0, baselines.to_string());
            break;
        }
    }
    let rows = crate::paper::sizes(tech, trend)?;
    page.h2("Across model sizes", "sizes");
    page.figure(crate::paper::figure(trend, &rows)?);
    page.table(
        "Energy per token of one decode step (KV length 512) and the FP16 baseline's ratios (`onebit paper bitnet-b1.58` reproduces the papers' figures).",
        crate::paper::table(&rows),
        Some("tables/sizes.csv".into()),
    );
    out.add("tables/sizes.csv", crate::paper::csv(&rows));
    Ok((page, out))
}

/// The terminal table of the runs, the baselines and the comparisons.
pub fn text(runs: &[Run], baselines: &str) -> String {
    let mut t = Table::new(&[
        ("step", Align::Left),
        ("design", Align::Left),
        ("energy/token", Align::Right),
        ("tokens/s", Align::Right),
        ("power", Align::Right),
        ("area", Align::Right),
    ]);
    for r in runs {
        t.row(vec![
            r.step(),
            r.result.design.clone(),
            energy(r.per_token_total()),
            sig3(r.result.tokens_per_s),
            format!("{} W", sig3(r.energy.average_power_w)),
            mm2(r.area.total_mm2()),
        ]);
    }
    let mut s = format!("\n{}\n", t.to_text());
    s += &format!("- {baselines}\n");
    for line in crate::sim_report::comparisons(runs) {
        s += &format!("- {}\n", line.replace("**", "").replace('`', ""));
    }
    s
}
