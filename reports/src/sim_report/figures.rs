//! The report's plots: energy and area by component, time per operator,
//! the roofline, and time and energy per layer.

use super::*;

pub(super) fn energy_figure(runs: &[Run], idx: &[usize], id: &str) -> Result<Figure, String> {
    let group: Vec<&Run> = idx.iter().map(|&i| &runs[i]).collect();
    let max = group
        .iter()
        .map(|r| r.per_token_total())
        .fold(0.0, f64::max);
    let scale = format::energy_scale(max);
    // the banked model's DRAM energy is drawn by part (background,
    // activate/precharge, read/write, refresh); the transaction model's as one
    let mut series: Vec<Series> = Vec::new();
    for c in COMPONENTS {
        if c.0 == "dram" {
            let whole = |r: &Run| {
                if r.energy.dram_parts_pj.is_some() {
                    0.0
                } else {
                    r.per_token(c.0)
                }
            };
            series.push(Series {
                name: c.1.to_string(),
                color: run::component_color(c.0),
                values: group.iter().map(|r| scale.of(whole(r))).collect(),
            });
            for (i, p) in run::DRAM_PARTS.iter().enumerate() {
                series.push(Series {
                    name: p.0.to_string(),
                    color: hex(p.1),
                    values: group
                        .iter()
                        .map(|r| scale.of(r.dram_part_per_token(i).unwrap_or(0.0)))
                        .collect(),
                });
            }
        } else {
            series.push(Series {
                name: c.1.to_string(),
                color: run::component_color(c.0),
                values: group.iter().map(|r| scale.of(r.per_token(c.0))).collect(),
            });
        }
    }
    series.retain(|s| s.values.iter().any(|&v| v > 0.0));
    let first = group[0];
    let chart = HBars {
        title: format!(
            "Energy per token by component: {}, {}",
            first.result.model.split('@').next().unwrap_or(""),
            first.step()
        ),
        x_desc: format!("Energy per token ({})", scale.unit),
        categories: group
            .iter()
            .map(|r| match r.result.model.split_once('@') {
                Some((_, enc)) => format!("{} ({enc} weights)", r.result.design),
                None => r.result.design.clone(),
            })
            .collect(),
        series,
        totals: group.iter().map(|r| energy(r.per_token_total())).collect(),
        shares: true,
    };
    Ok(Figure {
        id: id.to_string(),
        title: chart.title.clone(),
        caption: format!(
            "Each bar is one design's energy for one token of the step, split by the component that spends it (docs/energy.md); labels give each component's share. Leakage is the static power over the step's {}.",
            if group.len() == 1 { "latency" } else { "latencies" }
        ),
        rendered: chart::render(&chart)?,
    })
}

pub(super) fn area_figure(designs: &[&Run]) -> Result<Figure, String> {
    let names: Vec<&str> = designs[0].area.components().iter().map(|c| c.0).collect();
    let colors = [
        "#1f77b4", "#2ca02c", "#9467bd", "#bdbdbd", "#31a354", "#74c476", "#c7e9c0",
    ];
    let series: Vec<Series> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| designs.iter().any(|d| d.area.components()[*i].1 > 0.0))
        .map(|(i, n)| Series {
            name: n.to_string(),
            color: hex(colors[i]),
            values: designs.iter().map(|d| d.area.components()[i].1).collect(),
        })
        .collect();
    let chart = HBars {
        title: format!("Area by component at {}", designs[0].area.technology),
        x_desc: "Area (mm²)".into(),
        categories: designs.iter().map(|d| d.result.design.clone()).collect(),
        series,
        totals: designs
            .iter()
            .map(|d| format::mm2(d.area.total_mm2()))
            .collect(),
        shares: true,
    };
    Ok(Figure {
        id: "area".into(),
        title: chart.title.clone(),
        caption: "Logic from gate-equivalent counts, SRAM from bit cells plus bank periphery (docs/energy.md, Area).".into(),
        rendered: chart::render(&chart)?,
    })
}

pub(super) fn time_figure(r: &Run, id: &str) -> Result<Figure, String> {
    let groups = busiest_groups(r, 16);
    let max = groups
        .iter()
        .map(|g| g.occupied() as f64 * r.cycle_s())
        .fold(0.0, f64::max);
    let scale = format::time_scale(max);
    let cs = r.cycle_s();
    let pick = |f: &dyn Fn(&run::OpGroup) -> u64| -> Vec<f64> {
        groups.iter().map(|g| scale.of(f(g) as f64 * cs)).collect()
    };
    let layers = r
        .result
        .ops
        .iter()
        .filter_map(|o| o.layer)
        .max()
        .map(|l| l + 1);
    let chart = HBars {
        title: format!(
            "Where the time goes: operators of {} {}{}",
            r.result.design,
            r.result.phase,
            layers
                .map(|l| format!(", summed over {l} layers"))
                .unwrap_or_default()
        ),
        x_desc: format!("Time ({})", scale.unit),
        categories: groups
            .iter()
            .map(|g| {
                if g.kind.is_empty() {
                    g.name.clone()
                } else {
                    format!("{} ({})", g.name, g.unit.name())
                }
            })
            .collect(),
        series: vec![
            Series {
                name: "computing".into(),
                color: hex("#1f77b4"),
                values: pick(&|g| g.busy),
            },
            Series {
                name: "waiting on an SRAM port".into(),
                color: hex("#f2b134"),
                values: pick(&|g| g.sram_stall),
            },
            Series {
                name: "waiting on DRAM".into(),
                color: hex("#e6550d"),
                values: pick(&|g| g.memory_stall),
            },
        ],
        totals: groups
            .iter()
            .map(|g| time(g.occupied() as f64 * cs))
            .collect(),
        shares: false,
    };
    Ok(Figure {
        id: id.to_string(),
        title: chart.title.clone(),
        caption: "Time each operator kept its unit computing or waiting on memory, summed over the layers (the units run in parallel, so the bars add up to more than the step). Waits for a producer operator are not shown: they are the producer's time.".into(),
        rendered: chart::render(&chart)?,
    })
}

pub(super) fn roofline_figure(r: &Run, id: &str) -> Result<Figure, String> {
    let mut groups = Vec::new();
    for u in Unit::ALL {
        let pts: Vec<(f64, f64)> = r
            .result
            .ops
            .iter()
            .filter(|o| o.unit == u)
            .filter_map(|o| run::roofline_point(r, o))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let what = match u {
            Unit::Vector => " elements/s",
            _ => "op/s",
        };
        groups.push(RoofGroup {
            name: format!("{} operators", u.name()),
            color: run::unit_color(u),
            points: pts,
            peak: Some((
                r.peak_ops(u),
                format!("{} peak {}", u.name(), si(r.peak_ops(u), what)),
            )),
        });
    }
    let chart = Roofline {
        title: format!(
            "Roofline of {} {}: every operator against the design's ceilings",
            r.result.design, r.result.phase
        ),
        groups,
        bandwidth: (r.bandwidth(), format!("DRAM {}", si(r.bandwidth(), "B/s"))),
    };
    Ok(Figure {
        id: id.to_string(),
        title: chart.title.clone(),
        caption: "One point per operator: operations (2 per MAC; one per element on the vector unit) per byte it moves to or from DRAM, and operations per second over the cycles its unit computed or waited on memory for it. An operator's time runs from its first tile until its result is complete (stores landed), or is the cycles its unit computed or waited on memory for it if longer. Solid lines: each unit's peak; dashed: what the DRAM bandwidth allows. Points near the dashed line are memory-bound; one whose inputs were prefetched while an earlier operator ran can sit slightly above it. Hollow points at the right edge move no DRAM bytes.".into(),
        rendered: chart::render(&chart)?,
    })
}

pub(super) fn layers_figure(r: &Run, id: &str) -> Result<Figure, String> {
    let rows = run::layers(r);
    let ts = format::time_scale(rows.iter().map(|l| l.time_s).fold(0.0, f64::max));
    let es = format::energy_scale(rows.iter().map(|l| l.energy_pj).fold(0.0, f64::max));
    let chart = BarPanels {
        title: format!(
            "Time and energy per layer: {} {}",
            r.result.design, r.result.phase
        ),
        x_desc: "Layer (transformer block; embed before the first, head after the last)".into(),
        categories: rows.iter().map(|l| l.label.clone()).collect(),
        panels: vec![
            BarPanel {
                y_desc: format!("Time ({})", ts.unit),
                log: false,
                series: vec![Series {
                    name: "time (first start to last completion)".into(),
                    color: hex("#1f77b4"),
                    values: rows.iter().map(|l| ts.of(l.time_s)).collect(),
                }],
            },
            BarPanel {
                y_desc: format!("Energy ({})", es.unit),
                log: false,
                series: vec![Series {
                    name: "energy (leakage not included)".into(),
                    color: hex("#e6550d"),
                    values: rows.iter().map(|l| es.of(l.energy_pj)).collect(),
                }],
            },
        ],
        panel_height: 200.0,
    };
    Ok(Figure {
        id: id.to_string(),
        title: chart.title.clone(),
        caption: "Time of a layer: from its first operator's start to its last one's completion. Energy: its operators' dynamic energy and clock.".into(),
        rendered: chart::render(&chart)?,
    })
}
