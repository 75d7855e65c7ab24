//! The report of one or more priced simulation runs (`onebit sim --report`,
//! `onebit report RESULT.json...`, `onebit demo`).
//!
//! The page opens with what a reader needs first: the cost of the design
//! in large type (energy per token, tokens/s, power, area) and a few
//! sentences on where the energy and the time go; with several runs, a
//! comparison table and the ratios between designs. Then the plots: energy
//! per token by component (stacked bars), area by component, and for every
//! run the operators' time split into computing and waiting on memory, a
//! roofline, and time and energy per layer. Every plot is also written as
//! SVG and PNG, every table as CSV, and every run's JSON (with its design)
//! under `runs/`, so `onebit report runs/*.json` renders the page again.

use crate::chart::{self, hex, BarPanel, BarPanels, HBars, RoofGroup, Roofline, Series};
use crate::format::{self, energy, pct, sig3, time, times};
use crate::page::{Block, Card, Figure, Page};
use crate::run::{self, op_groups, Run, COMPONENTS};
use crate::{Align, Output, Table};
use serde::Serialize;
use sim::mapping::Unit;

mod compare;
mod figures;
mod summary;
mod tables;

pub use compare::comparisons;
use compare::*;
use figures::*;
use summary::*;
use tables::*;

/// `v` with an SI prefix and a unit: "8.19 Top/s".
pub fn si(v: f64, unit: &str) -> String {
    let a = v.abs();
    let (x, p) = if a >= 1e15 {
        (v / 1e15, "P")
    } else if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    format!("{} {p}{unit}", sig3(x))
}

#[derive(Serialize)]
pub(super) struct RunOut<'a> {
    #[serde(flatten)]
    result: &'a sim::SimResult,
    energy: &'a run::EnergyDoc,
    area: &'a run::AreaDoc,
    arch: &'a sim::Accelerator,
}

/// A run's JSON as reports store it (`runs/<id>.json`): the simulation
/// result with `energy`, `area` and `arch` keys; [`Run::from_json`] reads
/// it back.
pub fn stored_json(r: &Run) -> String {
    serde_json::to_string_pretty(&RunOut {
        result: &r.result,
        energy: &r.energy,
        area: &r.area,
        arch: &r.arch,
    })
    .expect("plain data")
        + "\n"
}

/// Unique identifiers for the runs (design-phase, numbered on repeats).
fn run_ids(runs: &[Run]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for r in runs {
        let base = r.id();
        let mut id = base.clone();
        let mut k = 2;
        while ids.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        ids.push(id);
    }
    ids
}

/// The title of a report of `runs`.
pub fn title(runs: &[Run]) -> String {
    let mut models: Vec<&str> = Vec::new();
    let mut designs: Vec<&str> = Vec::new();
    let mut phases: Vec<String> = Vec::new();
    for r in runs {
        let m = r.result.model.split('@').next().unwrap_or("");
        if !models.contains(&m) {
            models.push(m);
        }
        if !designs.contains(&r.result.design.as_str()) {
            designs.push(&r.result.design);
        }
        let p = r.result.phase.to_string();
        if !phases.contains(&p) {
            phases.push(p);
        }
    }
    format!(
        "{} {} on {}",
        models.join(", "),
        phases.join(" and "),
        designs.join(" vs ")
    )
}

/// The report of `runs` (at least one): the page, its plots, tables and
/// the runs' JSON.
pub fn report(runs: &[Run]) -> Result<Output, String> {
    let (page, mut out) = build(runs)?;
    out.add_page(&page);
    Ok(out)
}

/// The page of [`report`] before it is rendered, with the report's other
/// files (tables and runs), so a caller can add sections.
pub fn build(runs: &[Run]) -> Result<(Page, Output), String> {
    if runs.is_empty() {
        return Err("no runs to report".into());
    }
    let ids = run_ids(runs);
    let mut steps: Vec<String> = Vec::new();
    for r in runs {
        if !steps.contains(&r.step()) {
            steps.push(r.step());
        }
    }
    let mut techs: Vec<String> = Vec::new();
    for r in runs {
        if !techs.contains(&r.energy.technology) {
            techs.push(r.energy.technology.clone());
        }
    }
    let mut page = Page::new(
        title(runs),
        format!(
            "{} · {} technology · every number computed by onebit from cycle-level simulation (docs/simulator.md, docs/energy.md)",
            steps.join(" · "),
            techs.join(", ")
        ),
    );
    let mut out = Output::new();
    let mut designs: Vec<&Run> = Vec::new();
    for r in runs {
        if !designs.iter().any(|d| d.result.design == r.result.design) {
            designs.push(r);
        }
    }

    page.h2("Summary", "summary");
    for r in runs {
        for w in &r.result.warnings {
            page.para(format!(
                "**Warning** ({}, {}): {w}",
                r.result.design,
                r.step()
            ));
        }
    }
    if runs.len() == 1 {
        page.push(Block::Cards(cards(&runs[0])));
        page.push(Block::Takeaways(takeaways(&runs[0])));
    } else {
        page.para(format!(
            "**{}**, {}:",
            runs[0].result.design,
            runs[0].step()
        ));
        page.push(Block::Cards(cards(&runs[0])));
        page.push(Block::Takeaways(comparisons(runs)));
        page.table(
            "Every run: energy per token, throughput, power, area.",
            comparison_table(runs),
            Some("tables/runs.csv".into()),
        );
    }
    out.add("tables/runs.csv", runs_csv(runs));

    page.h2("Energy", "energy");
    let groups = step_groups(runs);
    for (k, g) in groups.iter().enumerate() {
        let id = if groups.len() == 1 {
            "energy".to_string()
        } else {
            format!("energy-{}", runs[g[0]].result.phase)
        };
        let id = if page.figures().any(|f| f.id == id) {
            format!("energy-{}", k + 1)
        } else {
            id
        };
        page.figure(energy_figure(runs, g, &id)?);
    }
    page.table(
        "Energy per token by component.",
        energy_table(runs),
        Some("tables/energy.csv".into()),
    );
    out.add("tables/energy.csv", energy_csv(runs));

    page.h2("Area", "area");
    page.figure(area_figure(&designs)?);
    page.table(
        "Area by component.",
        area_table(&designs),
        Some("tables/area.csv".into()),
    );
    out.add("tables/area.csv", area_csv(&designs));

    if let Some((t, sources)) = crate::chips::cpu_reference_table(runs) {
        page.h2("Published CPU reference points", "cpu-reference");
        page.para(crate::chips::CPU_REFERENCE_NOTE);
        page.table("", t, None);
        for s in sources {
            page.para(format!("Source: {s}."));
        }
    }

    for (r, id) in runs.iter().zip(&ids) {
        page.h2(
            format!("{}: {}", r.result.design, r.step()),
            format!("run-{id}"),
        );
        if runs.len() > 1 {
            page.push(Block::Cards(cards(r)));
        }
        page.para(format!(
            "{} on `{}` ({}): {} operators, {} cycles at {} GHz, {} GMAC.",
            r.result.model,
            r.result.design,
            if r.arch.description.is_empty() {
                "no description".to_string()
            } else {
                r.arch.description.clone()
            },
            r.result.ops.len(),
            r.result.cycles,
            r.result.clock_ghz,
            sig3(r.result.macs as f64 / 1e9)
        ));
        page.figure(time_figure(r, &format!("{id}-time"))?);
        page.figure(roofline_figure(r, &format!("{id}-roofline"))?);
        page.figure(layers_figure(r, &format!("{id}-layers"))?);
        page.table(
            "The busiest operators, summed over the layers.",
            groups_table(r),
            Some(format!("tables/{id}-operators.csv")),
        );
        page.push(Block::Files(vec![
            (
                "every operator (timing, roofline coordinates, energy)".into(),
                format!("tables/{id}-ops.csv"),
            ),
            ("per layer".into(), format!("tables/{id}-layers.csv")),
            (
                "the run as JSON (re-render with `onebit report`)".into(),
                format!("runs/{id}.json"),
            ),
        ]));
        out.add(format!("tables/{id}-ops.csv"), ops_csv(r));
        out.add(format!("tables/{id}-operators.csv"), groups_csv(r));
        out.add(format!("tables/{id}-layers.csv"), layers_csv(r));
        out.add(format!("runs/{id}.json"), stored_json(r));
    }
    Ok((page, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_prefixes() {
        assert_eq!(si(8.192e12, "op/s"), "8.19 Top/s");
        assert_eq!(si(51.2e9, "B/s"), "51.2 GB/s");
        assert_eq!(si(12.0, "B"), "12.0 B");
    }
}
