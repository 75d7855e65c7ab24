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
struct RunOut<'a> {
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

/// What bounds a run: a short value ("memory 88.1%") and a sentence.
fn bound_words(r: &Run) -> (String, String) {
    let m = r.result.memory_bound_share;
    let c = r.result.compute_bound_share;
    if m > 0.5 {
        (
            format!("memory {}", pct(m)),
            format!(
                "memory: in {} of the cycles no unit computes while DRAM transfers (some unit computes in {})",
                pct(m),
                pct(c)
            ),
        )
    } else {
        (
            format!("compute {}", pct(c)),
            format!(
                "compute: some unit computes in {} of the cycles (DRAM alone in {})",
                pct(c),
                pct(m)
            ),
        )
    }
}

fn cards(r: &Run) -> Vec<Card> {
    let (top, share) = r.top_component();
    let res = &r.result;
    let (bv, _) = bound_words(r);
    vec![
        Card::new(
            "Energy per token",
            energy(r.per_token_total()),
            format!("{} of it {top}", pct(share)),
        ),
        Card::new(
            "Throughput",
            format!("{} tokens/s", sig3(res.tokens_per_s)),
            format!(
                "{} per step of {} token{}",
                time(res.latency_s),
                res.tokens,
                if res.tokens == 1 { "" } else { "s" }
            ),
        ),
        Card::new(
            "Average power",
            format!("{} W", sig3(r.energy.average_power_w)),
            format!("leakage {} mW", sig3(r.energy.leakage_w * 1e3)),
        ),
        Card::new(
            "Area",
            format::mm2(r.area.total_mm2()),
            format!(
                "{} SRAM, at {}",
                pct(r.area.sram_mm2() / r.area.total_mm2().max(f64::MIN_POSITIVE)),
                r.area.technology
            ),
        ),
        Card::new(
            "Efficiency",
            format!("{} TOPS/W", sig3(r.energy.tops_per_watt)),
            format!("{} pJ per MAC, all energy", sig3(r.energy.pj_per_mac)),
        ),
        Card::new(
            "Bound by",
            bv.split(' ').next().unwrap_or(""),
            format!(
                "{} of the cycles; array utilization {}",
                bv.split(' ').nth(1).unwrap_or(""),
                pct(r.result.array_utilization)
            ),
        ),
        dram_card(r),
    ]
}

/// DRAM efficiency (achieved over peak bandwidth) and, for the banked
/// model, the row-buffer hit rate and the refresh share.
fn dram_card(r: &Run) -> Card {
    let res = &r.result;
    let peak = r.arch.dram.bandwidth_gbps;
    let sub = match &res.dram {
        Some(d) => format!(
            "banked {} x {}: row hits {}, refresh {}",
            d.preset,
            d.channels,
            pct(d.row_hit_rate),
            pct(d.refresh_share)
        ),
        None => format!("transaction model, of {} GB/s peak", sig3(peak)),
    };
    Card::new("DRAM efficiency", pct(res.dram_efficiency(peak)), sub)
}

/// The top operator groups by occupied time, and "other" for the rest.
fn busiest_groups(r: &Run, n: usize) -> Vec<run::OpGroup> {
    let mut g = op_groups(r);
    g.sort_by(|a, b| b.occupied().cmp(&a.occupied()).then(a.name.cmp(&b.name)));
    if g.len() > n {
        let rest = g.split_off(n - 1);
        let mut other = run::OpGroup {
            name: format!(
                "{} other operators",
                rest.iter().map(|x| x.count).sum::<usize>()
            ),
            kind: String::new(),
            unit: Unit::Vector,
            count: 0,
            busy: 0,
            sram_stall: 0,
            memory_stall: 0,
            dependency_stall: 0,
            energy_pj: 0.0,
            dram_bytes: 0,
            macs: 0,
        };
        for x in rest {
            other.count += x.count;
            other.busy += x.busy;
            other.sram_stall += x.sram_stall;
            other.memory_stall += x.memory_stall;
            other.dependency_stall += x.dependency_stall;
            other.energy_pj += x.energy_pj;
            other.dram_bytes += x.dram_bytes;
            other.macs += x.macs;
        }
        g.push(other);
    }
    g
}

fn takeaways(r: &Run) -> Vec<String> {
    let res = &r.result;
    let (top, share) = r.top_component();
    let mut v = vec![format!(
        "**{}** per token; the largest share, {}, is **{top}**.",
        energy(r.per_token_total()),
        pct(share)
    )];
    let (_, bn) = bound_words(r);
    v.push(format!(
        "**{} tokens/s** ({} per step); the run is bound by {bn}.",
        sig3(res.tokens_per_s),
        time(res.latency_s)
    ));
    let groups = busiest_groups(r, 100);
    let total: u64 = groups.iter().map(|g| g.occupied()).sum();
    if total > 0 {
        let names: Vec<String> = groups
            .iter()
            .take(3)
            .map(|g| format!("`{}` {}", g.name, pct(g.occupied() as f64 / total as f64)))
            .collect();
        v.push(format!(
            "The busiest operators (summed over the layers, share of all units' computing and memory-wait time): {}.",
            names.join(", ")
        ));
    }
    v.push(format!(
        "**{}** of silicon at {}, {} of it SRAM buffers.",
        format::mm2(r.area.total_mm2()),
        r.area.technology,
        pct(r.area.sram_mm2() / r.area.total_mm2().max(f64::MIN_POSITIVE))
    ));
    let searched: Vec<&sim::mapping::MappingChoice> = r
        .result
        .ops
        .iter()
        .filter_map(|o| o.choice.as_ref())
        .collect();
    if let Some(first) = searched.first() {
        let moved = searched
            .iter()
            .filter(|c| c.chosen != sim::mapping::LinearMapping::fixed(&r.arch))
            .count();
        v.push(format!(
            "The mapper searched {} lane-array products on {} (up to {} candidates each): {} took a mapping other than the fixed one (the summary lists each choice with its runner-up).",
            searched.len(),
            first.objective.name(),
            searched.iter().map(|c| c.candidates).max().unwrap_or(0),
            moved
        ));
    }
    if let Some(sys) = &r.area.system {
        let limit = energy_model::system_area::data().power.limit_w_per_mm2;
        let dram_share = r.energy.per_token_pj.get("dram").map_or(0.0, |d| {
            d / (r.energy.joules_per_token * 1e12).max(f64::MIN_POSITIVE)
        });
        let core_w = r.energy.average_power_w * (1.0 - dram_share);
        let density = core_w / r.area.total_mm2().max(f64::MIN_POSITIVE);
        v.push(format!(
            "With {} the die is **{}**; the core draws {:.3} W/mm² without the DRAM accesses ({} the {limit} W/mm² limit of docs/energy.md).",
            sys.dram
                .as_ref()
                .map_or("no DRAM interface".to_string(), |d| format!(
                    "{} {} PHY{} and controller{}{}{}",
                    d.count,
                    d.interface,
                    if d.count == 1 { "" } else { "s" },
                    if d.count == 1 { "" } else { "s" },
                    if sys.host_io.is_some() { ", a host link" } else { "" },
                    if sys.floorplan.is_some() { " and the bus routing" } else { "" }
                )),
            format::mm2(r.area.die_mm2()),
            density,
            if density > limit { "**above**" } else { "within" }
        ));
    }
    v
}

/// Runs of the same step share an energy plot.
fn step_groups(runs: &[Run]) -> Vec<Vec<usize>> {
    let mut keys: Vec<String> = Vec::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let k = r.step();
        match keys.iter().position(|x| *x == k) {
            Some(j) => out[j].push(i),
            None => {
                keys.push(k);
                out.push(vec![i]);
            }
        }
    }
    out
}

/// A run's design, with its model when it is not the model's own encoding
/// ("edge_fp16 running bitnet-b1.58-2B-4T@fp16").
fn who(r: &Run) -> String {
    if r.result.model.contains('@') {
        format!("{} (running {})", r.result.design, r.result.model)
    } else {
        r.result.design.clone()
    }
}

/// One sentence per pair of runs of the same step (the first run against
/// each other), on area, and on where each run's energy goes.
pub fn comparisons(runs: &[Run]) -> Vec<String> {
    let mut v = Vec::new();
    for g in step_groups(runs) {
        let a = &runs[g[0]];
        for &j in &g[1..] {
            let b = &runs[j];
            let (ea, eb) = (a.per_token_total(), b.per_token_total());
            let (ta, tb) = (a.result.tokens_per_s, b.result.tokens_per_s);
            let e = if ea <= eb {
                format!("spends **{} less energy per token**", times(eb / ea))
            } else {
                format!("spends **{} more energy per token**", times(ea / eb))
            };
            let t = if ta >= tb {
                format!("runs **{} faster**", times(ta / tb))
            } else {
                format!("runs **{} slower**", times(tb / ta))
            };
            v.push(format!(
                "{}: {} {e} than {} ({} vs {}) and {t} ({} vs {} tokens/s).",
                a.result.phase,
                who(a),
                who(b),
                energy(ea),
                energy(eb),
                sig3(ta),
                sig3(tb)
            ));
        }
    }
    let mut designs: Vec<&Run> = Vec::new();
    for r in runs {
        if !designs.iter().any(|d| d.result.design == r.result.design) {
            designs.push(r);
        }
    }
    if designs.len() >= 2 {
        let a = designs[0];
        let parts: Vec<String> = designs[1..]
            .iter()
            .map(|b| {
                format!(
                    "{} {} ({} of {})",
                    b.result.design,
                    format::mm2(b.area.total_mm2()),
                    times(b.area.total_mm2() / a.area.total_mm2().max(f64::MIN_POSITIVE)),
                    a.result.design
                )
            })
            .collect();
        v.push(format!(
            "Area: {} {}; {}.",
            a.result.design,
            format::mm2(a.area.total_mm2()),
            parts.join(", ")
        ));
    }
    for r in runs {
        let (top, share) = r.top_component();
        let (m, c) = (r.result.memory_bound_share, r.result.compute_bound_share);
        let bound = if m > 0.5 {
            format!("memory-bound ({} of the cycles only DRAM works)", pct(m))
        } else {
            format!(
                "compute-bound (some unit computes in {} of the cycles)",
                pct(c)
            )
        };
        v.push(format!(
            "{}: {} of the energy is {top}; {bound}.",
            r.label(),
            pct(share)
        ));
    }
    v
}

fn comparison_table(runs: &[Run]) -> Table {
    let mut t = Table::new(&[
        ("design", Align::Left),
        ("step", Align::Left),
        ("energy/token", Align::Right),
        ("tokens/s", Align::Right),
        ("latency", Align::Right),
        ("power", Align::Right),
        ("area", Align::Right),
        ("TOPS/W", Align::Right),
        ("bound", Align::Left),
    ]);
    for r in runs {
        t.row(vec![
            r.result.design.clone(),
            r.step(),
            energy(r.per_token_total()),
            sig3(r.result.tokens_per_s),
            time(r.result.latency_s),
            format!("{} W", sig3(r.energy.average_power_w)),
            format::mm2(r.area.total_mm2()),
            sig3(r.energy.tops_per_watt),
            bound_words(r).0,
        ]);
    }
    t
}

fn runs_csv(runs: &[Run]) -> String {
    let mut t = Table::new(&[
        ("design", Align::Left),
        ("model", Align::Left),
        ("phase", Align::Left),
        ("batch", Align::Right),
        ("seq", Align::Right),
        ("tokens", Align::Right),
        ("cycles", Align::Right),
        ("latency_s", Align::Right),
        ("tokens_per_s", Align::Right),
        ("j_per_token", Align::Right),
        ("average_power_w", Align::Right),
        ("area_mm2", Align::Right),
        ("tops_per_watt", Align::Right),
        ("pj_per_mac", Align::Right),
        ("array_utilization", Align::Right),
        ("compute_bound_share", Align::Right),
        ("memory_bound_share", Align::Right),
        ("dram_read_bytes", Align::Right),
        ("dram_write_bytes", Align::Right),
        ("technology", Align::Left),
    ]);
    for r in runs {
        let s = &r.result;
        t.row(vec![
            s.design.clone(),
            s.model.clone(),
            s.phase.to_string(),
            s.batch.to_string(),
            s.seq.to_string(),
            s.tokens.to_string(),
            s.cycles.to_string(),
            format!("{}", s.latency_s),
            format!("{}", s.tokens_per_s),
            format!("{}", r.energy.joules_per_token),
            format!("{}", r.energy.average_power_w),
            format!("{}", r.area.total_mm2()),
            format!("{}", r.energy.tops_per_watt),
            format!("{}", r.energy.pj_per_mac),
            format!("{}", s.array_utilization),
            format!("{}", s.compute_bound_share),
            format!("{}", s.memory_bound_share),
            s.traffic.dram_read_bytes.to_string(),
            s.traffic.dram_write_bytes.to_string(),
            r.energy.technology.clone(),
        ]);
    }
    t.to_csv()
}

fn energy_figure(runs: &[Run], idx: &[usize], id: &str) -> Result<Figure, String> {
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

fn area_figure(designs: &[&Run]) -> Result<Figure, String> {
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

fn time_figure(r: &Run, id: &str) -> Result<Figure, String> {
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

fn roofline_figure(r: &Run, id: &str) -> Result<Figure, String> {
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

fn layers_figure(r: &Run, id: &str) -> Result<Figure, String> {
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

fn ops_csv(r: &Run) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "name",
        "kind",
        "layer",
        "unit",
        "macs",
        "start",
        "done",
        "busy",
        "sram_stall",
        "memory_stall",
        "dependency_stall",
        "dram_bytes",
        "ops_per_dram_byte",
        "ops_per_s",
        "energy_pj",
    ]);
    for (o, e) in r.result.ops.iter().zip(&r.energy.ops) {
        let c = &o.timing.cycles;
        let rp = run::roofline_point(r, o);
        let _ = w.write_record([
            o.name.clone(),
            o.kind.clone(),
            o.layer.map(|l| l.to_string()).unwrap_or_default(),
            o.unit.name().to_string(),
            o.macs.to_string(),
            o.timing.start.to_string(),
            o.timing.done.to_string(),
            c.busy.to_string(),
            c.sram_stall.to_string(),
            c.memory_stall.to_string(),
            c.dependency_stall.to_string(),
            run::op_dram_bytes(o).to_string(),
            rp.map(|p| {
                if p.0.is_finite() {
                    format!("{}", p.0)
                } else {
                    "inf".into()
                }
            })
            .unwrap_or_default(),
            rp.map(|p| format!("{}", p.1)).unwrap_or_default(),
            format!("{}", e.total_pj),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn groups_table(r: &Run) -> Table {
    let cs = r.cycle_s();
    let mut t = Table::new(&[
        ("operator", Align::Left),
        ("unit", Align::Left),
        ("count", Align::Right),
        ("computing", Align::Right),
        ("SRAM wait", Align::Right),
        ("DRAM wait", Align::Right),
        ("energy/token", Align::Right),
        ("DRAM bytes", Align::Right),
    ]);
    let tokens = r.result.tokens.max(1) as f64;
    for g in busiest_groups(r, 12) {
        t.row(vec![
            g.name.clone(),
            if g.kind.is_empty() {
                String::new()
            } else {
                g.unit.name().to_string()
            },
            g.count.to_string(),
            time(g.busy as f64 * cs),
            time(g.sram_stall as f64 * cs),
            time(g.memory_stall as f64 * cs),
            energy(g.energy_pj / tokens),
            si(g.dram_bytes as f64, "B"),
        ]);
    }
    t
}

fn groups_csv(r: &Run) -> String {
    let mut t = Table::new(&[
        ("operator", Align::Left),
        ("kind", Align::Left),
        ("unit", Align::Left),
        ("count", Align::Right),
        ("busy_cycles", Align::Right),
        ("sram_stall_cycles", Align::Right),
        ("memory_stall_cycles", Align::Right),
        ("dependency_stall_cycles", Align::Right),
        ("macs", Align::Right),
        ("dram_bytes", Align::Right),
        ("energy_pj", Align::Right),
    ]);
    for g in op_groups(r) {
        t.row(vec![
            g.name,
            g.kind,
            g.unit.name().to_string(),
            g.count.to_string(),
            g.busy.to_string(),
            g.sram_stall.to_string(),
            g.memory_stall.to_string(),
            g.dependency_stall.to_string(),
            g.macs.to_string(),
            g.dram_bytes.to_string(),
            format!("{}", g.energy_pj),
        ]);
    }
    t.to_csv()
}

fn layers_csv(r: &Run) -> String {
    let mut t = Table::new(&[
        ("layer", Align::Left),
        ("ops", Align::Right),
        ("time_s", Align::Right),
        ("energy_pj", Align::Right),
        ("dram_bytes", Align::Right),
    ]);
    for l in run::layers(r) {
        t.row(vec![
            l.label,
            l.ops.to_string(),
            format!("{}", l.time_s),
            format!("{}", l.energy_pj),
            l.dram_bytes.to_string(),
        ]);
    }
    t.to_csv()
}

fn energy_table(runs: &[Run]) -> Table {
    let mut cols: Vec<(String, Align)> = vec![("component".into(), Align::Left)];
    for r in runs {
        cols.push((r.label(), Align::Right));
        cols.push(("share".into(), Align::Right));
    }
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|(s, a)| (s.as_str(), *a)).collect();
    let mut t = Table::new(&cols_ref);
    for c in COMPONENTS {
        if runs.iter().all(|r| r.per_token(c.0) == 0.0) {
            continue;
        }
        let mut row = vec![c.1.to_string()];
        for r in runs {
            row.push(energy(r.per_token(c.0)));
            row.push(pct(
                r.per_token(c.0) / r.per_token_total().max(f64::MIN_POSITIVE)
            ));
        }
        t.row(row);
        // the banked model's DRAM by part, under the DRAM row ("-" for a
        // run of the transaction model)
        if c.0 == "dram" && runs.iter().any(|r| r.energy.dram_parts_pj.is_some()) {
            for (i, p) in run::DRAM_PARTS.iter().enumerate() {
                let mut row = vec![format!("· {}", p.0)];
                for r in runs {
                    match r.dram_part_per_token(i) {
                        Some(v) => {
                            row.push(energy(v));
                            row.push(pct(v / r.per_token_total().max(f64::MIN_POSITIVE)));
                        }
                        None => row.extend(["-".to_string(), "-".to_string()]),
                    }
                }
                t.row(row);
            }
        }
    }
    let mut row = vec!["total".to_string()];
    for r in runs {
        row.push(energy(r.per_token_total()));
        row.push(pct(1.0));
    }
    t.row(row);
    t
}

fn energy_csv(runs: &[Run]) -> String {
    let mut cols: Vec<String> = vec!["component".into()];
    cols.extend(runs.iter().map(|r| format!("{}_pj_per_token", r.id())));
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|s| (s.as_str(), Align::Right)).collect();
    let mut t = Table::new(&cols_ref);
    for c in COMPONENTS {
        let mut row = vec![c.0.to_string()];
        row.extend(runs.iter().map(|r| format!("{}", r.per_token(c.0))));
        t.row(row);
    }
    if runs.iter().any(|r| r.energy.dram_parts_pj.is_some()) {
        for (i, key) in [
            "dram_background",
            "dram_act_pre",
            "dram_rd_wr",
            "dram_refresh",
        ]
        .iter()
        .enumerate()
        {
            let mut row = vec![key.to_string()];
            row.extend(runs.iter().map(|r| {
                r.dram_part_per_token(i)
                    .map_or(String::new(), |v| format!("{v}"))
            }));
            t.row(row);
        }
    }
    t.to_csv()
}

fn area_table(designs: &[&Run]) -> Table {
    let mut cols: Vec<(String, Align)> = vec![("component".into(), Align::Left)];
    for d in designs {
        cols.push((d.result.design.clone(), Align::Right));
    }
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|(s, a)| (s.as_str(), *a)).collect();
    let mut t = Table::new(&cols_ref);
    for (i, (name, _)) in designs[0].area.components().iter().enumerate() {
        let mut row = vec![name.to_string()];
        row.extend(
            designs
                .iter()
                .map(|d| format!("{:.4} mm²", d.area.components()[i].1)),
        );
        t.row(row);
    }
    let mut row = vec!["total".to_string()];
    row.extend(
        designs
            .iter()
            .map(|d| format!("{:.4} mm²", d.area.total_mm2())),
    );
    t.row(row);
    // outside the core: DRAM PHYs and controllers, host I/O, prefetch SRAM,
    // bus routing (docs/energy.md), when the results carry them
    if designs.iter().all(|d| d.area.system.is_some()) {
        let sys = |d: &Run| d.area.system.clone().unwrap_or_default();
        for i in 0..sys(designs[0]).components().len() {
            let name = sys(designs[0]).components()[i].0;
            let mut row = vec![name.to_string()];
            row.extend(
                designs
                    .iter()
                    .map(|d| format!("{:.4} mm²", sys(d).components()[i].1)),
            );
            t.row(row);
        }
        let mut row = vec!["die".to_string()];
        row.extend(
            designs
                .iter()
                .map(|d| format!("{:.4} mm²", d.area.die_mm2())),
        );
        t.row(row);
    }
    t
}

fn area_csv(designs: &[&Run]) -> String {
    let mut cols: Vec<String> = vec!["component".into()];
    cols.extend(designs.iter().map(|d| format!("{}_mm2", d.result.design)));
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|s| (s.as_str(), Align::Right)).collect();
    let mut t = Table::new(&cols_ref);
    for (i, (name, _)) in designs[0].area.components().iter().enumerate() {
        let mut row = vec![name.replace(' ', "_")];
        row.extend(
            designs
                .iter()
                .map(|d| format!("{}", d.area.components()[i].1)),
        );
        t.row(row);
    }
    t.to_csv()
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
