//! The report of a sweep: how many points, which met the budgets, the
//! Pareto front over (J/token, tokens/s, mm²) plotted and tabulated, the
//! designs at its ends, and why points were refused.

use super::store::Meta;
use super::{PointResult, Status};
use crate::chart::{self, hex, PointLayer, Rendered, Scatter, ScatterPanel};
use crate::format::{self, pct, sig3};
use crate::page::{Block, Card, Figure, Page};
use crate::{Align, Output, Table};

/// The Pareto plot: every point within budget, the front highlighted;
/// points over budget hollow.
pub fn pareto_chart(meta: &Meta, points: &[PointResult]) -> Result<Rendered, String> {
    let pick = |f: &dyn Fn(&PointResult) -> bool, x: &dyn Fn(&PointResult) -> Option<f64>| {
        points
            .iter()
            .filter(|p| f(p))
            .filter_map(|p| {
                let j = p.figures.as_ref()?.j_per_token * 1e3;
                Some((x(p)?, j))
            })
            .collect::<Vec<_>>()
    };
    let speed = |p: &PointResult| p.figures.as_ref().map(|f| f.tokens_per_s);
    let area = |p: &PointResult| p.area_mm2;
    let over = |p: &PointResult| p.status == Status::OverBudget;
    let ok = |p: &PointResult| p.status == Status::Ok && !p.pareto;
    let front = |p: &PointResult| p.pareto;
    let n_over = points
        .iter()
        .filter(|p| over(p) && p.figures.is_some())
        .count();
    let n_ok = points.iter().filter(|p| ok(p)).count();
    let n_front = points.iter().filter(|p| front(p)).count();
    let layers = |x: &dyn Fn(&PointResult) -> Option<f64>| {
        vec![
            PointLayer {
                name: format!("over a budget ({n_over})"),
                color: hex("#e6550d"),
                radius: 3.0,
                hollow: true,
                points: pick(&over, x),
            },
            PointLayer {
                name: format!("within budget ({n_ok})"),
                color: hex("#9aa3ae"),
                radius: 3.0,
                hollow: false,
                points: pick(&ok, x),
            },
            PointLayer {
                name: format!("Pareto front over J/token, tokens/s, mm² ({n_front})"),
                color: hex("#1f6feb"),
                radius: 5.0,
                hollow: false,
                points: pick(&front, x),
            },
        ]
    };
    let chart = Scatter {
        title: format!(
            "Pareto front of {} design points: {} {}",
            meta.points, meta.workload.model, meta.workload.phase
        ),
        panels: vec![
            ScatterPanel {
                x_desc: "Throughput (tokens/s, log)".into(),
                y_desc: "Energy per token (mJ, log)".into(),
                log_x: true,
                log_y: true,
                layers: layers(&speed),
            },
            ScatterPanel {
                x_desc: "Area (mm², log)".into(),
                y_desc: "Energy per token (mJ, log)".into(),
                log_x: true,
                log_y: true,
                layers: layers(&area),
            },
        ],
    };
    chart::render(&chart)
}

fn design_words(meta: &Meta, p: &PointResult) -> String {
    meta.axis_keys()
        .iter()
        .filter_map(|k| {
            p.point.get(k).map(|v| match v {
                serde_json::Value::String(s) => format!("`{k}` = {s}"),
                v => format!("`{k}` = {v}"),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn figures_words(p: &PointResult) -> String {
    match (&p.figures, p.area_mm2) {
        (Some(f), Some(a)) => format!(
            "{} per token, {} tokens/s, {}, {} W",
            format::energy(f.j_per_token * 1e12),
            sig3(f.tokens_per_s),
            format::mm2(a),
            sig3(f.power_w)
        ),
        _ => String::new(),
    }
}

/// The sweep's report: page, plot, tables, and the sweep's own files.
pub fn report(meta: &Meta, points: &[PointResult]) -> Result<Output, String> {
    let base = &meta.base.name;
    let w = &meta.workload;
    let step = if w.phase == "decode" {
        format!("decode, batch {}, KV length {}", w.batch, w.seq)
    } else {
        format!("prefill, batch {}, {}-token prompt", w.batch, w.seq)
    };
    let mut page = Page::new(
        format!("Design-space sweep around {base}: {}", w.model),
        format!(
            "{step} · {} technology · {} of {} grid points{}",
            meta.technology,
            meta.points,
            meta.grid_points,
            meta.sample
                .map(|s| format!(" (random sample of {}, seed {})", s.points, s.seed))
                .unwrap_or_default()
        ),
    );
    let c = meta.counts;
    page.h2("Summary", "summary");
    page.push(Block::Cards(vec![
        Card::new(
            "Design points",
            meta.points.to_string(),
            format!("of {} in the grid", meta.grid_points),
        ),
        Card::new(
            "Within budget",
            c.ok.to_string(),
            pct(c.ok as f64 / meta.points.max(1) as f64),
        ),
        Card::new(
            "Over a budget",
            c.over_budget.to_string(),
            "area, power or throughput",
        ),
        Card::new(
            "Invalid",
            c.invalid.to_string(),
            "refused descriptions or mappings",
        ),
        Card::new(
            "Infeasible",
            c.infeasible.to_string(),
            "the step does not fit the DRAM",
        ),
        Card::new(
            "Pareto front",
            c.pareto.to_string(),
            "J/token, tokens/s, mm²",
        ),
    ]));
    let ok: Vec<&PointResult> = points
        .iter()
        .filter(|p| p.status == super::Status::Ok)
        .collect();
    let mut take = Vec::new();
    let best = |f: &dyn Fn(&PointResult) -> f64| {
        ok.iter()
            .copied()
            .min_by(|a, b| f(a).total_cmp(&f(b)).then(a.index.cmp(&b.index)))
    };
    if let Some(p) = best(&|p| p.figures.as_ref().map_or(f64::INFINITY, |f| f.j_per_token)) {
        take.push(format!(
            "**Least energy**: point {} ({}): {}.",
            p.index,
            design_words(meta, p),
            figures_words(p)
        ));
    }
    if let Some(p) = best(&|p| -p.figures.as_ref().map_or(0.0, |f| f.tokens_per_s)) {
        take.push(format!(
            "**Fastest**: point {} ({}): {}.",
            p.index,
            design_words(meta, p),
            figures_words(p)
        ));
    }
    if let Some(p) = best(&|p| p.area_mm2.unwrap_or(f64::INFINITY)) {
        take.push(format!(
            "**Smallest**: point {} ({}): {}.",
            p.index,
            design_words(meta, p),
            figures_words(p)
        ));
    }
    if take.is_empty() {
        take.push("No point meets every budget: relax the constraints or widen the grid.".into());
    }
    page.push(Block::Takeaways(take));
    let keys = meta.axis_keys();
    page.para(format!(
        "Varied: {}. Constraints: {}.",
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", "),
        {
            let cs = &meta.space["constraints"];
            let mut v = Vec::new();
            if let Some(x) = cs["max_area_mm2"].as_f64() {
                v.push(format!("area at most {x} mm²"));
            }
            if let Some(x) = cs["max_power_w"].as_f64() {
                v.push(format!("average power at most {x} W"));
            }
            if let Some(x) = cs["min_tokens_per_s"].as_f64() {
                v.push(format!("at least {x} tokens/s"));
            }
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        }
    ));

    page.h2("Pareto front", "pareto");
    page.figure(Figure {
        id: "pareto".into(),
        title: "Pareto front".into(),
        caption: "Every simulated design point: energy per token against throughput (left) and against area (right). Blue points are on the Pareto front over (J/token, tokens/s, mm²): no other point is at least as good on all three and better on one. Hollow orange points exceed a budget.".into(),
        rendered: pareto_chart(meta, points)?,
    });
    let mut cols: Vec<(String, Align)> = vec![("point".into(), Align::Right)];
    cols.extend(keys.iter().map(|k| (k.clone(), Align::Right)));
    for h in ["energy/token", "tokens/s", "area", "power"] {
        cols.push((h.into(), Align::Right));
    }
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|(s, a)| (s.as_str(), *a)).collect();
    let mut t = Table::new(&cols_ref);
    let mut front: Vec<&PointResult> = points.iter().filter(|p| p.pareto).collect();
    front.sort_by(|a, b| {
        let j = |p: &PointResult| p.figures.as_ref().map_or(0.0, |f| f.j_per_token);
        j(a).total_cmp(&j(b)).then(a.index.cmp(&b.index))
    });
    let shown = front.len().min(40);
    for p in &front[..shown] {
        let f = p.figures.as_ref();
        let mut row = vec![p.index.to_string()];
        for k in &keys {
            row.push(match p.point.get(k) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            });
        }
        row.push(
            f.map(|f| format::energy(f.j_per_token * 1e12))
                .unwrap_or_default(),
        );
        row.push(f.map(|f| sig3(f.tokens_per_s)).unwrap_or_default());
        row.push(p.area_mm2.map(format::mm2).unwrap_or_default());
        row.push(
            f.map(|f| format!("{} W", sig3(f.power_w)))
                .unwrap_or_default(),
        );
        t.row(row);
    }
    page.table(
        if front.len() > shown {
            format!("The Pareto front by energy per token (the first {shown} of {}; all of them are marked in points.csv).", front.len())
        } else {
            "The Pareto front by energy per token.".to_string()
        },
        t,
        None,
    );

    let mut reasons: Vec<(String, u64)> = Vec::new();
    for p in points.iter().filter(|p| p.status != Status::Ok) {
        // group by the reason's wording without its numbers
        let key: String = p
            .reason
            .split(' ')
            .map(|w| {
                if w.chars().any(|c| c.is_ascii_digit()) {
                    "N"
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let key = format!("{}: {key}", p.status.name());
        match reasons.iter_mut().find(|r| r.0 == key) {
            Some(r) => r.1 += 1,
            None => reasons.push((key, 1)),
        }
    }
    if !reasons.is_empty() {
        page.h2("Refused points", "refused");
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut t = Table::new(&[
            ("points", Align::Right),
            ("why (numbers as N)", Align::Left),
        ]);
        for (k, n) in reasons.iter().take(15) {
            t.row(vec![n.to_string(), k.clone()]);
        }
        page.table("Why points were refused or are over a budget.", t, None);
    }
    page.h2("Files", "files");
    page.push(Block::Files(vec![
        (
            "every point as CSV (values, status, figures)".into(),
            "points.csv".into(),
        ),
        (
            "every point as JSON lines (with its full design)".into(),
            "points.jsonl".into(),
        ),
        (
            "the sweep (space, workload, counts, front)".into(),
            "sweep.json".into(),
        ),
    ]));
    let mut out = Output::new();
    out.add_page(&page);
    let fig = page.figures().next().map(|f| f.rendered.clone());
    if let Some(r) = fig {
        for (p, c) in super::store::files(meta, points, &r).files {
            out.add(p, c);
        }
    }
    Ok(out)
}
