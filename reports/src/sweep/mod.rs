//! Design-space sweeps: every point of a grid (or a seeded random sample
//! of it) over any keys of the accelerator description, each one checked,
//! sized, simulated and priced, in parallel; budgets (area, power,
//! throughput) filter the points; the Pareto front over (J/token,
//! tokens/s, mm²) is marked. A sweep splits into deterministic shards
//! (`--shard I/N`: every N-th point) that [`merge`] joins into exactly the
//! result of the unsharded run.
//!
//! Results are sorted by point index and carry no timestamps, so the same
//! space, workload and technology give byte-identical files whatever the
//! number of threads or shards.

pub mod report;
pub mod space;
pub mod store;
pub mod system;

pub use space::{Axis, Constraints, Scalar, Space, SpaceError};

use energy_model::Technology;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sim::Accelerator;
use std::collections::BTreeMap;
use workloads::Trace;

/// The schema of `sweep.json`.
pub const SWEEP_SCHEMA: &str = "onebit.sweep/1";

/// What became of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Valid, simulated, within every budget.
    Ok,
    /// Valid but over a budget (the reason says which).
    OverBudget,
    /// The description is refused, or the simulator cannot map the
    /// workload onto it (the reason says why).
    Invalid,
    /// Valid, but the step does not fit the design's DRAM capacity
    /// (`dram.capacity_gib`; the reason gives the breakdown).
    Infeasible,
}

impl Status {
    /// The word used in CSV files and tables.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::OverBudget => "over-budget",
            Status::Invalid => "invalid",
            Status::Infeasible => "infeasible",
        }
    }
}

/// The breakdown of a capacity refusal, without the advice to the user of
/// `onebit sim`.
fn capacity_reason(e: &sim::capacity::CapacityError) -> String {
    let n = &e.need;
    let g = sim::capacity::gib;
    format!(
        "needs {} (weights {}, KV cache {}, spilled activations {}), has {}",
        g(n.total()),
        g(n.weights),
        g(n.kv_cache),
        g(n.activations),
        g(e.have)
    )
}

/// The figures of a simulated point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Joules per token.
    pub j_per_token: f64,
    /// Tokens per second.
    pub tokens_per_s: f64,
    /// Average power over the step, W.
    pub power_w: f64,
    /// Seconds of the step.
    pub latency_s: f64,
    /// Cycles of the step.
    pub cycles: u64,
    /// Effective TOPS/W.
    pub tops_per_watt: f64,
    /// pJ per useful MAC.
    pub pj_per_mac: f64,
    /// Array utilization.
    pub array_utilization: f64,
    /// Share of cycles bound by memory.
    pub memory_bound_share: f64,
    /// DRAM bytes read and written.
    pub dram_bytes: u64,
    /// Energy per token by component, pJ.
    pub energy_per_token_pj: BTreeMap<String, f64>,
}

/// One design point and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// Index in the grid.
    pub index: u64,
    /// Outcome.
    pub status: Status,
    /// Why it is invalid or over budget (empty when ok).
    pub reason: String,
    /// On the Pareto front of the points of this output.
    pub pareto: bool,
    /// The varied keys' values.
    pub point: BTreeMap<String, serde_json::Value>,
    /// Area, mm² (absent when the description is refused).
    pub area_mm2: Option<f64>,
    /// Simulated figures (absent when not simulated).
    pub figures: Option<Figures>,
    /// The full description of the design (absent when refused).
    pub design: Option<Accelerator>,
    /// Stated figures of the design it cannot reach (e.g. a DRAM bandwidth
    /// above what its request window sustains): such a point is simulated
    /// at what it reaches, and may duplicate another point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The point's `[system]` table, in a sweep of multi-chip systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<sim::system::SystemConfig>,
}

impl PointResult {
    /// The objectives of the Pareto front, all minimized: (J/token,
    /// -tokens/s, mm²); `None` unless ok.
    pub fn objectives(&self) -> Option<Vec<f64>> {
        match (&self.figures, self.area_mm2, self.status) {
            (Some(f), Some(a), Status::Ok) => Some(vec![f.j_per_token, -f.tokens_per_s, a]),
            _ => None,
        }
    }
}

/// What the sweep runs: the design space, the base design, the workload
/// and the technology.
pub struct Sweep<'a> {
    /// The space.
    pub space: &'a Space,
    /// The base design every point modifies.
    pub base: &'a Accelerator,
    /// The workload of every point.
    pub trace: &'a Trace,
    /// The technology of the energy and area model.
    pub tech: &'a Technology,
    /// The system every point's chips form, in a sweep of multi-chip
    /// systems (`system.*` keys vary it).
    pub system: Option<system::SystemBase<'a>>,
}

/// `out` with its figures `f`, over budget when they break the power or
/// throughput constraints of `c` (a single design's point and a system's).
fn with_figures(mut out: PointResult, f: Figures, c: &Constraints) -> PointResult {
    let mut reasons = Vec::new();
    if let Some(max) = c.max_power_w {
        if f.power_w > max {
            reasons.push(format!("power {:.4} W > {max} W", f.power_w));
        }
    }
    if let Some(min) = c.min_tokens_per_s {
        if f.tokens_per_s < min {
            reasons.push(format!("{:.4} tokens/s < {min} tokens/s", f.tokens_per_s));
        }
    }
    out.figures = Some(f);
    if reasons.is_empty() {
        out.status = Status::Ok;
    } else {
        out.status = Status::OverBudget;
        out.reason = reasons.join("; ");
    }
    out
}

/// A dotted key applied to a TOML tree: creates missing tables.
fn set_key(root: &mut toml::Value, key: &str, v: toml::Value) -> Result<(), String> {
    let mut cur = root;
    let parts: Vec<&str> = key.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        let t = cur
            .as_table_mut()
            .ok_or_else(|| format!("`{key}`: `{}` is not a table", parts[..i].join(".")))?;
        if i + 1 == parts.len() {
            t.insert((*p).to_string(), v);
            return Ok(());
        }
        cur = t
            .entry((*p).to_string())
            .or_insert_with(|| toml::Value::Table(Default::default()));
    }
    Ok(())
}

/// Keys of the description the base leaves out but a point may set.
const OPTIONAL_KEYS: [&str; 1] = ["array.acc_bits"];

fn has_key(root: &toml::Value, key: &str) -> bool {
    let mut cur = root;
    for p in key.split('.') {
        match cur.get(p) {
            Some(v) => cur = v,
            None => return false,
        }
    }
    !cur.is_table()
}

impl Sweep<'_> {
    /// Checks that every key of the space names a value of the
    /// description; the error names the first that does not.
    pub fn check_keys(&self) -> Result<(), String> {
        let base = toml::Value::try_from(self.base).map_err(|e| e.to_string())?;
        let sys = match &self.system {
            Some(sb) => Some(system::system_value(sb.config)?),
            None => None,
        };
        for a in self.space.fixed.iter().chain(&self.space.axes) {
            if system::is_system_key(&a.key) {
                let known = sys.as_ref().is_some_and(|v| {
                    has_key(v, &a.key)
                        || ["system.link.payload_bytes", "system.link.header_bytes"]
                            .contains(&a.key.as_str())
                });
                if !known {
                    return Err(match sys {
                        Some(_) => format!(
                            "`{}` is not a key of the `[system]` table (docs/system.md lists them, e.g. `system.tp`, `system.link.bandwidth_gbps`)",
                            a.key
                        ),
                        None => format!(
                            "`{}` is a system key but the base is a single design: make `base` a system (docs/system.md)",
                            a.key
                        ),
                    });
                }
                continue;
            }
            if !has_key(&base, &a.key) && !OPTIONAL_KEYS.contains(&a.key.as_str()) {
                return Err(format!(
                    "`{}` is not a key of the accelerator description (docs/accelerator.md lists them, e.g. `array.lanes`, `buffers.weights.kib`, `dram.bandwidth_gbps`)",
                    a.key
                ));
            }
        }
        Ok(())
    }

    /// The design of grid point `index`, validated.
    pub fn design(&self, index: u64) -> Result<Accelerator, String> {
        let mut v = toml::Value::try_from(self.base).map_err(|e| e.to_string())?;
        for a in &self.space.fixed {
            if !system::is_system_key(&a.key) {
                set_key(&mut v, &a.key, a.values[0].to_toml())?;
            }
        }
        for (k, s) in self.space.point(index) {
            if !system::is_system_key(k) {
                set_key(&mut v, k, s.to_toml())?;
            }
        }
        set_key(
            &mut v,
            "name",
            toml::Value::String(format!("{}_p{index}", self.base.name)),
        )?;
        let arch: Accelerator = v
            .try_into()
            .map_err(|e: toml::de::Error| e.message().trim().to_string())?;
        arch.validate().map_err(|e| e.message)?;
        Ok(arch)
    }

    /// Evaluates grid point `index`.
    pub fn evaluate(&self, index: u64) -> PointResult {
        let point: BTreeMap<String, serde_json::Value> = self
            .space
            .point(index)
            .into_iter()
            .map(|(k, s)| (k.to_string(), s.to_json()))
            .collect();
        let mut out = PointResult {
            index,
            status: Status::Invalid,
            reason: String::new(),
            pareto: false,
            point,
            area_mm2: None,
            figures: None,
            design: None,
            warnings: Vec::new(),
            system: None,
        };
        let arch = match self.design(index) {
            Ok(a) => a,
            Err(e) => {
                out.reason = e;
                return out;
            }
        };
        out.warnings = sim::memory::design_warnings(&arch)
            .iter()
            .map(ToString::to_string)
            .collect();
        if let Some(sb) = &self.system {
            return self.evaluate_system(sb, out, arch);
        }
        let area = energy_model::area::estimate(&arch, self.tech);
        let mm2 = area.total_mm2();
        out.area_mm2 = Some(mm2);
        out.design = Some(arch.clone());
        let c = &self.space.constraints;
        if let Some(max) = c.max_area_mm2 {
            if mm2 > max {
                out.status = Status::OverBudget;
                out.reason = format!("area {mm2:.4} mm² > {max} mm²");
                return out;
            }
        }
        let sim = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sim::simulate(
                &arch,
                self.trace,
                energy_model::default_options(&arch, self.tech),
            )
        }));
        let r = match sim {
            Ok(Ok(r)) => r,
            Ok(Err(sim::SimError::Capacity(e))) => {
                out.status = Status::Infeasible;
                out.reason = format!("does not fit the DRAM: {}", capacity_reason(&e));
                return out;
            }
            Ok(Err(e)) => {
                out.reason = format!("the simulator refuses it: {e}");
                return out;
            }
            Err(_) => {
                out.reason = "the simulator failed on this design (a bug: please report it)".into();
                return out;
            }
        };
        let e = energy_model::energy::estimate_with_area(&arch, &r, self.tech, &area);
        let f = Figures {
            j_per_token: e.joules_per_token,
            tokens_per_s: r.tokens_per_s,
            power_w: e.average_power_w,
            latency_s: r.latency_s,
            cycles: r.cycles,
            tops_per_watt: e.tops_per_watt,
            pj_per_mac: e.pj_per_mac,
            array_utilization: r.array_utilization,
            memory_bound_share: r.memory_bound_share,
            dram_bytes: r.traffic.dram_read_bytes + r.traffic.dram_write_bytes,
            energy_per_token_pj: energy_model::Breakdown::NAMES
                .iter()
                .zip(e.per_token_pj.values())
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        };
        with_figures(out, f, c)
    }

    /// Evaluates `indices` on `jobs` threads (0: one per core), calling
    /// `tick` after each point; results in the order of `indices`.
    pub fn run(
        &self,
        indices: &[u64],
        jobs: usize,
        tick: &(dyn Fn() + Sync),
    ) -> Result<Vec<PointResult>, String> {
        let mut out = self.run_each(indices, jobs, &|_| tick())?;
        mark_pareto(&mut out);
        Ok(out)
    }

    /// Evaluates `indices` on `jobs` threads, handing each finished point
    /// to `each` (a progress journal); results in the order of `indices`,
    /// the Pareto front not yet marked.
    pub fn run_each(
        &self,
        indices: &[u64],
        jobs: usize,
        each: &(dyn Fn(&PointResult) + Sync),
    ) -> Result<Vec<PointResult>, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(pool.install(|| {
            indices
                .par_iter()
                .map(|&i| {
                    let r = self.evaluate(i);
                    each(&r);
                    r
                })
                .collect()
        }))
    }
}

/// Sorts points by index and marks the Pareto front among the ok ones.
pub fn mark_pareto(points: &mut [PointResult]) {
    points.sort_by_key(|p| p.index);
    let ok: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].objectives().is_some())
        .collect();
    let obj: Vec<Vec<f64>> = ok
        .iter()
        .map(|&i| points[i].objectives().unwrap_or_default())
        .collect();
    for p in points.iter_mut() {
        p.pareto = false;
    }
    for k in crate::pareto::front(&obj) {
        points[ok[k]].pareto = true;
    }
}

/// The most points one run evaluates unless told otherwise
/// (`--max-points`): at a few kilobytes of results per point held until
/// the Pareto front is marked, about a gigabyte or two of memory.
pub const DEFAULT_MAX_POINTS: u64 = 1_000_000;

/// How many points a run covers, counted before anything is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// Points of the full grid.
    pub grid: u64,
    /// Points of the whole run (the sample, or the grid), over all shards.
    pub selected: u64,
    /// Points this run evaluates (its shard of them).
    pub here: u64,
}

/// Counts the points of a run: every point of the grid or a seeded sample
/// of `sample.0` of them; then every `count`-th from position `shard`. A
/// run of no point is refused: `--sample 0`, a shard past the end.
pub fn selection(
    space: &Space,
    sample: Option<(u64, u64)>,
    shard: Option<(u64, u64)>,
) -> Result<Selection, String> {
    let grid = space
        .grid_size()
        .ok_or("the grid has 2^63 points or more: give its keys fewer values")?;
    if grid == 0 {
        return Err("the grid has no point: every varied key needs a value".into());
    }
    let selected = match sample {
        Some((0, _)) => return Err("--sample 0 selects no point: give K of at least 1".into()),
        Some((k, _)) => k.min(grid),
        None => grid,
    };
    let here = match shard {
        Some((i, n)) if i >= selected => {
            return Err(format!(
                "shard {i}/{n} holds no point: the sweep has {selected} point{}, so shards \
                 {selected}/{n} and above are empty; use at most {selected} shards",
                if selected == 1 { "" } else { "s" }
            ))
        }
        Some((i, n)) => (selected - 1 - i) / n + 1,
        None => selected,
    };
    Ok(Selection {
        grid,
        selected,
        here,
    })
}

/// The grid indices a run evaluates, in order (see [`selection`]; check
/// its counts against a limit before calling this, which allocates them).
pub fn indices(
    space: &Space,
    sample: Option<(u64, u64)>,
    shard: Option<(u64, u64)>,
) -> Result<Vec<u64>, String> {
    let sel = selection(space, sample, shard)?;
    let (first, step) = shard.unwrap_or((0, 1));
    let step = usize::try_from(step).unwrap_or(usize::MAX);
    Ok(match sample {
        Some((k, seed)) => space::sample(sel.grid, k, seed)
            .into_iter()
            .skip(usize::try_from(first).unwrap_or(usize::MAX))
            .step_by(step)
            .collect(),
        None => (first..sel.grid).step_by(step).collect(),
    })
}

/// Joins the points of shards (each sorted by index) and marks the front.
pub fn merge(shards: Vec<Vec<PointResult>>) -> Result<Vec<PointResult>, String> {
    let mut all: Vec<PointResult> = shards.into_iter().flatten().collect();
    all.sort_by_key(|p| p.index);
    if let Some(w) = all.windows(2).find(|w| w[0].index == w[1].index) {
        return Err(format!(
            "point {} appears in more than one shard",
            w[0].index
        ));
    }
    mark_pareto(&mut all);
    Ok(all)
}
