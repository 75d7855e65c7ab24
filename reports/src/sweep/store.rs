//! A sweep's files: `sweep.json` (what was swept, counts, the Pareto
//! front), `points.jsonl` (one line per point: its values, status, figures
//! and full design description), `points.csv` (the same as columns) and
//! the Pareto plot `pareto.svg` / `pareto.png`. [`load`] reads the first
//! two back, so shards can be merged and reports rendered again.

use super::{mark_pareto, PointResult, Space, Status, SWEEP_SCHEMA};
use crate::chart::Rendered;
use crate::run::COMPONENTS;
use crate::Output;
use serde::{Deserialize, Serialize};
use sim::Accelerator;

/// The workload of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadDoc {
    /// Model name.
    pub model: String,
    /// `decode` or `prefill`.
    pub phase: String,
    /// Sequences per step.
    pub batch: u64,
    /// KV length or prompt length.
    pub seq: u64,
    /// Tokens per step.
    pub tokens: u64,
    /// Operators of the trace.
    pub ops: u64,
}

/// A random sample of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleDoc {
    /// Points drawn.
    pub points: u64,
    /// The seed.
    pub seed: u64,
}

/// One shard of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardDoc {
    /// This shard, 0-based.
    pub index: u64,
    /// Shards in all.
    pub count: u64,
}

/// Points by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Within every budget.
    pub ok: u64,
    /// Over a budget.
    pub over_budget: u64,
    /// Refused.
    pub invalid: u64,
    /// Valid but too big for the design's DRAM.
    #[serde(default)]
    pub infeasible: u64,
    /// On the Pareto front.
    pub pareto: u64,
}

/// `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// [`SWEEP_SCHEMA`].
    pub schema: String,
    /// The space as parsed (base, fixed keys, axes, constraints).
    pub space: serde_json::Value,
    /// The base design.
    pub base: Accelerator,
    /// The workload.
    pub workload: WorkloadDoc,
    /// Technology table.
    pub technology: String,
    /// Points of the full grid.
    pub grid_points: u64,
    /// The random sample, if any.
    pub sample: Option<SampleDoc>,
    /// Points of the whole run (all shards).
    pub selected: u64,
    /// This output's shard, if it is one.
    pub shard: Option<ShardDoc>,
    /// Points in this output.
    pub points: u64,
    /// Points by outcome.
    pub counts: Counts,
    /// Indices of the Pareto front.
    pub pareto: Vec<u64>,
}

impl Meta {
    /// The metadata of a run before its points are known.
    pub fn new(
        space: &Space,
        base: &Accelerator,
        workload: WorkloadDoc,
        technology: &str,
        sample: Option<SampleDoc>,
        selected: u64,
        shard: Option<ShardDoc>,
    ) -> Meta {
        Meta {
            schema: SWEEP_SCHEMA.to_string(),
            space: serde_json::to_value(space).expect("plain data"),
            base: base.clone(),
            workload,
            technology: technology.to_string(),
            grid_points: space.grid_size().unwrap_or(u64::MAX),
            sample,
            selected,
            shard,
            points: 0,
            counts: Counts::default(),
            pareto: Vec::new(),
        }
    }

    /// Updates the counts and the front from `points`.
    pub fn count(&mut self, points: &[PointResult]) {
        let mut c = Counts::default();
        for p in points {
            match p.status {
                Status::Ok => c.ok += 1,
                Status::OverBudget => c.over_budget += 1,
                Status::Invalid => c.invalid += 1,
                Status::Infeasible => c.infeasible += 1,
            }
            if p.pareto {
                c.pareto += 1;
            }
        }
        self.points = points.len() as u64;
        self.counts = c;
        self.pareto = points
            .iter()
            .filter(|p| p.pareto)
            .map(|p| p.index)
            .collect();
    }

    /// The keys varied, in grid order.
    pub fn axis_keys(&self) -> Vec<String> {
        self.space["axes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["key"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The same run, shard aside: what shards must share to be merged.
    fn run_identity(&self) -> Meta {
        Meta {
            shard: None,
            points: 0,
            counts: Counts::default(),
            pareto: Vec::new(),
            ..self.clone()
        }
    }
}

/// `sweep.json` text.
pub fn meta_json(m: &Meta) -> String {
    serde_json::to_string_pretty(m).expect("plain data") + "\n"
}

/// `points.jsonl` text.
pub fn points_jsonl(points: &[PointResult]) -> String {
    let mut s = String::new();
    for p in points {
        s += &serde_json::to_string(p).expect("plain data");
        s.push('\n');
    }
    s
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

/// `points.csv` text.
pub fn points_csv(meta: &Meta, points: &[PointResult]) -> String {
    let keys = meta.axis_keys();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["index".into(), "status".into(), "pareto".into()];
    header.extend(keys.iter().cloned());
    header.extend(
        [
            "area_mm2",
            "j_per_token",
            "tokens_per_s",
            "power_w",
            "latency_s",
            "cycles",
            "tops_per_watt",
            "pj_per_mac",
            "array_utilization",
            "memory_bound_share",
            "dram_bytes",
        ]
        .map(String::from),
    );
    header.extend(COMPONENTS.iter().map(|c| format!("{}_pj_per_token", c.0)));
    header.push("reason".into());
    header.push("warnings".into());
    let _ = w.write_record(&header);
    for p in points {
        let mut row = vec![
            p.index.to_string(),
            p.status.name().to_string(),
            p.pareto.to_string(),
        ];
        for k in &keys {
            row.push(match p.point.get(k) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            });
        }
        let f = p.figures.as_ref();
        row.push(num(p.area_mm2));
        row.push(num(f.map(|f| f.j_per_token)));
        row.push(num(f.map(|f| f.tokens_per_s)));
        row.push(num(f.map(|f| f.power_w)));
        row.push(num(f.map(|f| f.latency_s)));
        row.push(f.map(|f| f.cycles.to_string()).unwrap_or_default());
        row.push(num(f.map(|f| f.tops_per_watt)));
        row.push(num(f.map(|f| f.pj_per_mac)));
        row.push(num(f.map(|f| f.array_utilization)));
        row.push(num(f.map(|f| f.memory_bound_share)));
        row.push(f.map(|f| f.dram_bytes.to_string()).unwrap_or_default());
        for c in COMPONENTS {
            row.push(num(f.and_then(|f| f.energy_per_token_pj.get(c.0).copied())));
        }
        row.push(p.reason.clone());
        row.push(p.warnings.join("; "));
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Every file of a sweep's output directory.
pub fn files(meta: &Meta, points: &[PointResult], pareto: &Rendered) -> Output {
    let mut out = Output::new();
    out.add("sweep.json", meta_json(meta));
    out.add("points.jsonl", points_jsonl(points));
    out.add("points.csv", points_csv(meta, points));
    out.add("pareto.svg", pareto.svg_file());
    out.add("pareto.png", pareto.png.clone());
    out
}

/// Reads `sweep.json` and `points.jsonl` back (errors name the line).
pub fn load(meta: &str, jsonl: &str) -> Result<(Meta, Vec<PointResult>), String> {
    let m: Meta = serde_json::from_str(meta)
        .map_err(|e| format!("sweep.json:{}", crate::json_error::located(&e)))?;
    if m.schema != SWEEP_SCHEMA {
        return Err(format!(
            "sweep.json: expected schema `{SWEEP_SCHEMA}`, found `{}`",
            m.schema
        ));
    }
    let mut points = Vec::new();
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: PointResult = serde_json::from_str(line).map_err(|e| {
            let (_, col, msg) = crate::json_error::position(&e);
            format!("points.jsonl:{}:{col}: {msg}", i + 1)
        })?;
        points.push(p);
    }
    if points.len() as u64 != m.points {
        return Err(format!(
            "points.jsonl has {} points, sweep.json says {}: the output is incomplete",
            points.len(),
            m.points
        ));
    }
    Ok((m, points))
}

/// Joins shard outputs into the result of the whole run: checks they are
/// shards of one run and that every shard is present once.
pub fn merge(parts: Vec<(Meta, Vec<PointResult>)>) -> Result<(Meta, Vec<PointResult>), String> {
    let Some(first) = parts.first().map(|p| p.0.clone()) else {
        return Err("nothing to merge".into());
    };
    let id = first.run_identity();
    let count = first.shard.map_or(1, |s| s.count);
    // the shards present, by index: bounded by the inputs, whatever count
    // a (hand-edited) sweep.json states
    let mut seen = std::collections::BTreeSet::new();
    for (k, (m, _)) in parts.iter().enumerate() {
        if m.run_identity() != id {
            return Err(format!(
                "input {} is not a shard of the same sweep as input 1 (space, base design, workload, technology or sample differ)",
                k + 1
            ));
        }
        let s = m.shard.unwrap_or(ShardDoc { index: 0, count: 1 });
        if s.count != count {
            return Err(format!(
                "input {} is shard {}/{}, input 1 is one of {count}",
                k + 1,
                s.index,
                s.count
            ));
        }
        if s.index >= count {
            return Err(format!(
                "input {} says it is shard {}/{count}, which does not exist",
                k + 1,
                s.index
            ));
        }
        if !seen.insert(s.index) {
            return Err(format!("shard {}/{count} is given twice", s.index));
        }
    }
    let absent = count - seen.len() as u64;
    if absent > 0 {
        const SHOWN: usize = 10;
        let mut missing: Vec<String> = (0..count)
            .filter(|i| !seen.contains(i))
            .take(SHOWN)
            .map(|i| format!("{i}/{count}"))
            .collect();
        if absent > SHOWN as u64 {
            missing.push(format!("and {} more", absent - SHOWN as u64));
        }
        return Err(format!("missing shard(s): {}", missing.join(", ")));
    }
    let mut points = super::merge(parts.into_iter().map(|p| p.1).collect())?;
    mark_pareto(&mut points);
    let mut meta = id;
    meta.count(&points);
    if meta.points != meta.selected {
        return Err(format!(
            "the shards hold {} points, the sweep has {}",
            meta.points, meta.selected
        ));
    }
    Ok((meta, points))
}
