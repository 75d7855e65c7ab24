//! One priced simulation run as a report reads it: the simulator's result,
//! its energy and area, and the design it ran on, read back from the JSON
//! that `onebit sim --json` writes (schema `onebit.sim/1` with `energy` and
//! `area` keys; reports add an `arch` key with the full design).
//!
//! Also the quantities the report derives from a run: operators grouped
//! across layers, time and energy per layer, roofline points and the
//! units' peaks.

use crate::chart::{hex, RGBColor};
use energy_model::{AreaReport, Breakdown, EnergyReport};
use serde::{Deserialize, Serialize};
use sim::arch::{Accelerator, AttentionMapping};
use sim::mapping::Unit;
use sim::result::{OpResult, RESULT_SCHEMA};
use sim::SimResult;
use std::collections::BTreeMap;

/// Energy components: key (as in the JSON), label, colour.
pub const COMPONENTS: [(&str, &str, &str); 16] = [
    ("array_select", "array: select/negate", "#c6dbef"),
    ("array_add", "array: adder tree", "#6baed6"),
    ("array_popcount", "array: popcount", "#4292c6"),
    ("array_mult", "array: multipliers", "#2171b5"),
    ("array_accumulate", "array: accumulators", "#08519c"),
    ("array_registers", "array: pipeline registers", "#9ecae1"),
    ("vector", "vector unit", "#bcbddc"),
    ("attention", "attention unit", "#756bb1"),
    ("unit_registers", "vector/attention registers", "#dadaeb"),
    ("sram_weights", "weight SRAM", "#31a354"),
    ("sram_activations", "activation SRAM", "#74c476"),
    ("sram_outputs", "output SRAM", "#c7e9c0"),
    ("wires", "on-chip wires", "#fdae6b"),
    ("dram", "DRAM", "#e6550d"),
    ("clock", "clock network", "#bdbdbd"),
    ("leakage", "leakage", "#636363"),
];

/// The colour of an energy component.
pub fn component_color(key: &str) -> RGBColor {
    COMPONENTS
        .iter()
        .find(|c| c.0 == key)
        .map(|c| hex(c.2))
        .unwrap_or(hex("#999999"))
}

/// Colour of a unit's points and ceiling.
pub fn unit_color(u: Unit) -> RGBColor {
    match u {
        Unit::Array => hex("#1f77b4"),
        Unit::Vector => hex("#2ca02c"),
        Unit::Attention => hex("#9467bd"),
        Unit::Link => hex("#8c564b"),
    }
}

/// A report input that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// One operator's energy, as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpEnergyDoc {
    /// Operator name.
    pub name: String,
    /// Energy by component, pJ.
    pub energy_pj: BTreeMap<String, f64>,
    /// Sum of the components, pJ.
    pub total_pj: f64,
}

/// A run's energy, as read back (the fields of
/// [`energy_model::EnergyReport`] a report uses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnergyDoc {
    /// Technology table.
    pub technology: String,
    /// Tokens of the step.
    pub tokens: u64,
    /// Leakage power, W.
    pub leakage_w: f64,
    /// Energy of the step, pJ.
    pub energy_pj: f64,
    /// Energy per token by component, pJ.
    pub per_token_pj: BTreeMap<String, f64>,
    /// Joules per token.
    pub joules_per_token: f64,
    /// pJ per useful MAC.
    pub pj_per_mac: f64,
    /// Effective TOPS/W.
    pub tops_per_watt: f64,
    /// Average power, W.
    pub average_power_w: f64,
    /// Per operator, in trace order.
    pub ops: Vec<OpEnergyDoc>,
    /// The banked DRAM model's energy of the step by part, pJ (absent for
    /// the transaction model, whose DRAM is priced per bit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dram_parts_pj: Option<sim::memory::banked::Energy>,
}

/// One part of the banked DRAM's energy: label, colour, and how to read it
/// from a [`sim::memory::banked::Energy`].
pub type DramPart = (
    &'static str,
    &'static str,
    fn(&sim::memory::banked::Energy) -> f64,
);

/// The parts of the banked DRAM's energy.
pub const DRAM_PARTS: [DramPart; 4] = [
    ("DRAM: background", "#fdd0a2", |e| e.background_pj),
    ("DRAM: activate/precharge", "#fd8d3c", |e| e.act_pre_pj),
    ("DRAM: read/write and I/O", "#d94801", |e| e.rd_wr_pj),
    ("DRAM: refresh", "#8c2d04", |e| e.refresh_pj),
];

/// A design's area, as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaDoc {
    /// Technology table.
    pub technology: String,
    /// Where the lane array's logic area comes from.
    pub array_logic_source: String,
    /// Lane array, mm².
    pub array_mm2: f64,
    /// Vector unit, mm².
    pub vector_mm2: f64,
    /// Attention unit, mm².
    pub attention_mm2: f64,
    /// Control, mm².
    pub control_mm2: f64,
    /// Weight SRAM, mm².
    pub sram_weights_mm2: f64,
    /// Activation SRAM, mm².
    pub sram_activations_mm2: f64,
    /// Output SRAM, mm².
    pub sram_outputs_mm2: f64,
    /// Outside the core: DRAM and host interfaces, prefetch SRAM, bus
    /// routing (absent in results written before they were modelled).
    #[serde(default)]
    pub system: Option<energy_model::system_area::SystemArea>,
}

impl AreaDoc {
    /// The whole die with the system components, mm².
    pub fn die_mm2(&self) -> f64 {
        self.total_mm2() + self.system.as_ref().map_or(0.0, |s| s.mm2())
    }

    /// Components and their mm², in a fixed order.
    pub fn components(&self) -> [(&'static str, f64); 7] {
        [
            ("lane array", self.array_mm2),
            ("vector unit", self.vector_mm2),
            ("attention unit", self.attention_mm2),
            ("control", self.control_mm2),
            ("weight SRAM", self.sram_weights_mm2),
            ("activation SRAM", self.sram_activations_mm2),
            ("output SRAM", self.sram_outputs_mm2),
        ]
    }

    /// The whole design, mm².
    pub fn total_mm2(&self) -> f64 {
        self.components().iter().map(|c| c.1).sum()
    }

    /// All SRAM, mm².
    pub fn sram_mm2(&self) -> f64 {
        self.sram_weights_mm2 + self.sram_activations_mm2 + self.sram_outputs_mm2
    }
}

/// One priced run and its design.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The simulation.
    pub result: SimResult,
    /// Its energy.
    pub energy: EnergyDoc,
    /// The design's area.
    pub area: AreaDoc,
    /// The design.
    pub arch: Accelerator,
}

/// The JSON of a run: `energy_model::energy::sim_json` (what `onebit sim
/// --json` writes) with the design under a last key, `arch`.
pub fn run_json(r: &SimResult, e: &EnergyReport, a: &AreaReport, arch: &Accelerator) -> String {
    let base = energy_model::energy::sim_json(r, e, a);
    let body = base.trim_end().trim_end_matches('}').trim_end();
    let arch = serde_json::to_string_pretty(arch).expect("plain data");
    let arch: Vec<String> = arch
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("  {l}")
            }
        })
        .collect();
    format!("{body},\n  \"arch\": {}\n}}\n", arch.join("\n"))
}

impl Run {
    /// A run from its parts.
    pub fn new(r: &SimResult, e: &EnergyReport, a: &AreaReport, arch: &Accelerator) -> Run {
        Run::from_json(&run_json(r, e, a, arch), None).expect("a run's own JSON reads back")
    }

    /// Reads a run's JSON. The design is the JSON's `arch` key, else
    /// `arch` (the caller's `--arch`, or the preset the result names).
    pub fn from_json(text: &str, arch: Option<&Accelerator>) -> Result<Run, InputError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let (line, col, msg) = crate::json_error::position(&e);
            InputError(format!("{line}:{col}: invalid JSON: {msg}"))
        })?;
        let schema = v.get("schema").and_then(|s| s.as_str()).unwrap_or("");
        if schema != RESULT_SCHEMA {
            return Err(InputError(format!(
                "expected a simulation result (schema `{RESULT_SCHEMA}`, as `onebit sim --json` writes), found schema `{schema}`"
            )));
        }
        let field = |k: &str| {
            v.get(k).cloned().ok_or_else(|| {
                InputError(format!(
                    "has no `{k}` key: write it with `onebit sim --json` (which prices the run)"
                ))
            })
        };
        let result: SimResult = serde_json::from_value(v.clone())
            .map_err(|e| InputError(format!("not a simulation result: {e}")))?;
        let energy: EnergyDoc = serde_json::from_value(field("energy")?)
            .map_err(|e| InputError(format!("`energy`: {e}")))?;
        let area: AreaDoc = serde_json::from_value(field("area")?)
            .map_err(|e| InputError(format!("`area`: {e}")))?;
        let arch = match v.get("arch") {
            Some(a) => serde_json::from_value(a.clone())
                .map_err(|e| InputError(format!("`arch`: {e}")))?,
            None => match arch {
                Some(a) => a.clone(),
                None => sim::arch::preset(&result.design).ok_or_else(|| {
                    InputError(format!(
                        "the design `{}` is not a preset and the file has no `arch` key: pass its description with --arch FILE",
                        result.design
                    ))
                })?,
            },
        };
        if energy.ops.len() != result.ops.len() {
            return Err(InputError(format!(
                "`energy.ops` has {} operators, `ops` {}",
                energy.ops.len(),
                result.ops.len()
            )));
        }
        Ok(Run {
            result,
            energy,
            area,
            arch,
        })
    }

    /// "edge_ternary decode".
    pub fn label(&self) -> String {
        format!("{} {}", self.result.design, self.result.phase)
    }

    /// A file-name-safe identifier: "edge_ternary-decode".
    pub fn id(&self) -> String {
        let s = format!("{}-{}", self.result.design, self.result.phase);
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// The step in words: "decode, batch 1, KV length 2048".
    pub fn step(&self) -> String {
        let r = &self.result;
        match r.phase {
            workloads::Phase::Decode => {
                format!("decode, batch {}, KV length {}", r.batch, r.seq)
            }
            workloads::Phase::Prefill => {
                format!("prefill, batch {}, {}-token prompt", r.batch, r.seq)
            }
            workloads::Phase::Verify => format!(
                "verify, batch {}, {} drafted tokens, KV length {}",
                r.batch, r.draft, r.seq
            ),
        }
    }

    /// Seconds per cycle.
    pub fn cycle_s(&self) -> f64 {
        1e-9 / self.result.clock_ghz
    }

    /// Energy per token of a component, pJ.
    pub fn per_token(&self, key: &str) -> f64 {
        self.energy.per_token_pj.get(key).copied().unwrap_or(0.0)
    }

    /// Energy per token of part `i` of [`DRAM_PARTS`], pJ (None for the
    /// transaction model).
    pub fn dram_part_per_token(&self, i: usize) -> Option<f64> {
        let e = self.energy.dram_parts_pj.as_ref()?;
        Some((DRAM_PARTS[i].2)(e) / self.energy.tokens.max(1) as f64)
    }

    /// Energy per token, pJ.
    pub fn per_token_total(&self) -> f64 {
        COMPONENTS.iter().map(|c| self.per_token(c.0)).sum()
    }

    /// The component with the largest energy, and its share.
    pub fn top_component(&self) -> (&'static str, f64) {
        let total = self.per_token_total().max(f64::MIN_POSITIVE);
        COMPONENTS
            .iter()
            .map(|c| (c.1, self.per_token(c.0) / total))
            .fold(("", -1.0), |a, b| if b.1 > a.1 { b } else { a })
    }

    /// Peak operations per second of a unit (2 per MAC for the array and
    /// attention; 1 per element for the vector unit).
    pub fn peak_ops(&self, u: Unit) -> f64 {
        let a = &self.arch;
        let hz = a.clock_ghz * 1e9;
        let array = 2.0 * f64::from(a.array.lanes) * f64::from(a.array.width)
            / f64::from(a.timing().initiation_interval.max(1))
            * hz;
        match u {
            Unit::Array => array,
            Unit::Vector => f64::from(a.vector.elems_per_cycle) * hz,
            Unit::Attention => match a.attention.mapping {
                AttentionMapping::Unit => 2.0 * f64::from(a.attention.macs_per_cycle) * hz,
                AttentionMapping::Vector => 2.0 * f64::from(a.vector.elems_per_cycle) * hz,
                AttentionMapping::Array => array,
            },
            // links move bytes; they perform no operations
            Unit::Link => 0.0,
        }
    }

    /// DRAM bandwidth, bytes per second.
    pub fn bandwidth(&self) -> f64 {
        self.arch.dram.bandwidth_gbps * 1e9
    }
}

/// Operations an operator performs: 2 per MAC, or one per vector element.
pub fn op_count(o: &OpResult) -> f64 {
    if o.macs > 0 {
        2.0 * o.macs as f64
    } else {
        o.activity.vector.values().sum::<u64>() as f64
    }
}

/// Bytes an operator moves to and from DRAM.
pub fn op_dram_bytes(o: &OpResult) -> u64 {
    (o.activity.dram_read_bits + o.activity.dram_write_bits) / 8
}

/// The name of an operator without its layer prefix: `L3.q` -> `q`.
pub fn group_name(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix('L') {
        if let Some((num, tail)) = rest.split_once('.') {
            if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) {
                return tail;
            }
        }
    }
    name
}

/// Operators of the same name across layers, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct OpGroup {
    /// Name without the layer prefix.
    pub name: String,
    /// Operator kind.
    pub kind: String,
    /// Unit.
    pub unit: Unit,
    /// Operators in the group.
    pub count: usize,
    /// Cycles computing.
    pub busy: u64,
    /// Cycles waiting on an SRAM port.
    pub sram_stall: u64,
    /// Cycles waiting on DRAM.
    pub memory_stall: u64,
    /// Cycles waiting on producers.
    pub dependency_stall: u64,
    /// Energy, pJ.
    pub energy_pj: f64,
    /// DRAM bytes.
    pub dram_bytes: u64,
    /// MACs.
    pub macs: u64,
}

impl OpGroup {
    /// Cycles the unit worked on or waited for memory for the group.
    pub fn occupied(&self) -> u64 {
        self.busy + self.sram_stall + self.memory_stall
    }
}

/// Operators grouped across layers, in order of first appearance.
pub fn op_groups(run: &Run) -> Vec<OpGroup> {
    let mut out: Vec<OpGroup> = Vec::new();
    for (o, e) in run.result.ops.iter().zip(&run.energy.ops) {
        let name = group_name(&o.name);
        let i = match out.iter().position(|g| g.name == name) {
            Some(i) => i,
            None => {
                out.push(OpGroup {
                    name: name.to_string(),
                    kind: o.kind.clone(),
                    unit: o.unit,
                    count: 0,
                    busy: 0,
                    sram_stall: 0,
                    memory_stall: 0,
                    dependency_stall: 0,
                    energy_pj: 0.0,
                    dram_bytes: 0,
                    macs: 0,
                });
                out.len() - 1
            }
        };
        let g = &mut out[i];
        let c = &o.timing.cycles;
        g.count += 1;
        g.busy += c.busy;
        g.sram_stall += c.sram_stall;
        g.memory_stall += c.memory_stall;
        g.dependency_stall += c.dependency_stall;
        g.energy_pj += e.total_pj;
        g.dram_bytes += op_dram_bytes(o);
        g.macs += o.macs;
    }
    out
}

/// One layer (or the operators before the first or after the last).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerRow {
    /// "embed", "0".."N-1", "head".
    pub label: String,
    /// Operators in it.
    pub ops: usize,
    /// From its first operator's start to its last one's completion, s.
    pub time_s: f64,
    /// Energy of its operators (leakage not included), pJ.
    pub energy_pj: f64,
    /// DRAM bytes of its operators.
    pub dram_bytes: u64,
}

/// Time and energy per transformer block, with the operators before the
/// first block (`embed`) and after the last (`head`).
pub fn layers(run: &Run) -> Vec<LayerRow> {
    let ops = &run.result.ops;
    let first = ops.iter().position(|o| o.layer.is_some());
    let mut keys: Vec<String> = Vec::new();
    let mut acc: BTreeMap<String, (usize, u64, u64, f64, u64)> = BTreeMap::new();
    for (i, (o, e)) in ops.iter().zip(&run.energy.ops).enumerate() {
        let key = match o.layer {
            Some(l) => l.to_string(),
            None if !matches!(first, Some(f) if i >= f) => "embed".to_string(),
            None => "head".to_string(),
        };
        if !keys.contains(&key) {
            keys.push(key.clone());
        }
        let a = acc.entry(key).or_insert((0, u64::MAX, 0, 0.0, 0));
        a.0 += 1;
        a.1 = a.1.min(o.timing.start);
        a.2 = a.2.max(o.timing.done);
        a.3 += e.total_pj;
        a.4 += op_dram_bytes(o);
    }
    let cs = run.cycle_s();
    keys.into_iter()
        .map(|k| {
            let a = acc[&k];
            LayerRow {
                label: k,
                ops: a.0,
                time_s: a.2.saturating_sub(a.1) as f64 * cs,
                energy_pj: a.3,
                dram_bytes: a.4,
            }
        })
        .collect()
}

/// Roofline coordinates of an operator: (operations per DRAM byte,
/// operations per second over its time); infinite intensity without DRAM
/// traffic. Its time is the longer of the cycles its unit computed or
/// waited on memory for it and the interval from its first tile to its
/// result being complete, so stores that land after the unit moved on
/// (KV-cache appends) count.
pub fn roofline_point(run: &Run, o: &OpResult) -> Option<(f64, f64)> {
    let ops = op_count(o);
    let c = &o.timing.cycles;
    let span =
        (c.busy + c.sram_stall + c.memory_stall).max(o.timing.done.saturating_sub(o.timing.start));
    if ops <= 0.0 || span == 0 {
        return None;
    }
    let bytes = op_dram_bytes(o);
    let x = if bytes == 0 {
        f64::INFINITY
    } else {
        ops / bytes as f64
    };
    Some((x, ops / (span as f64 * run.cycle_s())))
}

/// Names of the [`Breakdown`] components (guards [`COMPONENTS`]).
pub fn component_keys() -> [&'static str; 16] {
    Breakdown::NAMES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_match_the_energy_model() {
        let ours: Vec<&str> = COMPONENTS.iter().map(|c| c.0).collect();
        assert_eq!(ours, component_keys().to_vec());
    }

    /// A KV-cache append moves its bytes after its one busy cycle per row:
    /// over the unit's cycles alone it would sit above the DRAM ceiling.
    #[test]
    fn roofline_time_counts_stores_that_land_later() {
        let arch = sim::arch::preset("edge-ternary").unwrap();
        let model = workloads::zoo::find("bitnet-b1.58-2B-4T").unwrap();
        let trace = workloads::trace::generate(
            &model,
            &workloads::TraceOptions {
                phase: workloads::Phase::Decode,
                seq: 1024,
                batch: 1,
                ..Default::default()
            },
        )
        .unwrap();
        let r = sim::simulate(&arch, &trace, sim::SimOptions::default()).unwrap();
        let tech = energy_model::Technology::default_7nm();
        let area = energy_model::area::estimate(&arch, &tech);
        let e = energy_model::energy::estimate_with_area(&arch, &r, &tech, &area);
        let run = Run::new(&r, &e, &area, &arch);
        let bw = run.bandwidth();
        let mut appends = 0;
        for o in &r.ops {
            let Some((x, y)) = roofline_point(&run, o) else {
                continue;
            };
            let c = &o.timing.cycles;
            let cycles =
                (c.busy + c.sram_stall + c.memory_stall).max(o.timing.done - o.timing.start);
            // the point is ops over (time in seconds), time as documented
            assert!((y - op_count(o) / (cycles as f64 * run.cycle_s())).abs() <= 1e-9 * y);
            if o.name.ends_with("k_cache") || o.name.ends_with("v_cache") {
                appends += 1;
                // 1280 B land 1570 cycles after the append starts
                assert!(
                    y <= bw * x,
                    "{}: {y} op/s above {} at {x} op/B",
                    o.name,
                    bw * x
                );
                assert!(o.timing.done - o.timing.start > c.busy);
            } else if x.is_finite() {
                // prefetch before the first tile can lift a point a little
                // above the ceiling, never far
                assert!(y <= 1.05 * bw * x, "{}: {y} op/s at {x} op/B", o.name);
            }
        }
        assert_eq!(appends as u64, 2 * model.layers);
    }

    #[test]
    fn group_names_drop_the_layer() {
        assert_eq!(group_name("L12.q"), "q");
        assert_eq!(group_name("L0.attn_norm"), "attn_norm");
        assert_eq!(group_name("lm_head"), "lm_head");
        assert_eq!(group_name("Lx.q"), "Lx.q");
    }
}
