//! Energy = Σ activity counter x per-event energy, per component, per
//! operator, in total and per token.
//!
//! The model, counter by counter (every price from [`crate::price`]):
//!
//! | counter | priced as | component |
//! |---|---|---|
//! | `terms` (adder-tree) | a_bits x `select_pj_per_bit` x (1 - gated share) | `array_select` |
//! | `terms` (popcount) | planes x masks x `select_pj_per_bit` x (1 - gated share) | `array_select` |
//! | `adds[b]` | b-bit integer add x (1 - gated share) | `array_add` |
//! | `fp_adds[p]` | add in p x (1 - gated share) | `array_add` |
//! | `popcounts[n]` | n x `popcount_pj_per_input` x (1 - gated share) | `array_popcount` |
//! | `mults[p]` | multiply in p x (1 - gated share) | `array_mult` |
//! | `acc_updates[b]` | b-bit add (FP32 add on a floating-point MAC array) | `array_accumulate` |
//! | `reg_bits` | `register_pj_per_bit` | `array_registers` |
//! | `mux_bits` | `select_pj_per_bit` per bit and 2:1 level (assumption: an AND-OR select bit) | `array_select` |
//! | `vector[op]` | muls x mul + adds x add in the vector precision ([`crate::price::vector_op_counts`]) | `vector` |
//! | `vector[op]` | 2 x bits x `register_pj_per_bit` | `unit_registers` |
//! | `attention_macs[p]` | mul + add in p | `attention` |
//! | `attention_macs[p]` | 2 x bits x `register_pj_per_bit` | `unit_registers` |
//! | SRAM bytes of a buffer | 8 x per-bit read / write energy of one of its banks | `sram_*` |
//! | lane-array SRAM bytes (activations read, weights read, results written) | 8 x floorplan wire length x pJ/bit/mm ([`crate::wires`]) | `wires` |
//! | DRAM bits | pJ/bit of the design's memory kind | `dram` |
//! | busy + SRAM-stall cycles of a unit | flip-flops x `clock_pj_per_flop_cycle` | `clock` |
//! | the run's latency | area x leakage power density | `leakage` |
//!
//! Zero gating: the share of an operator's terms that the simulator counts
//! as clock-gated zero terms (`zero_terms_gated / terms`) does not switch
//! the select stage or the reduction (adds, popcounts, multiplies): those
//! are scaled by `1 - gated/terms`. The accumulator update and the
//! pipeline registers still switch. Units are clock-gated while they wait
//! on DRAM or a producer or are idle; leakage is paid every cycle.

use crate::area::{self, AreaReport};
use crate::price::{unit_register_bits, vector_op_counts};
use crate::tech::{Key, Technology};
use serde::Serialize;
use sim::activity::{Activity, Buffer};
use sim::arch::Accelerator;
use sim::mapping::Unit;
use sim::SimResult;
use workloads::Precision;

/// The version of the energy report schema.
pub const ENERGY_SCHEMA: &str = "onebit.energy/1";

/// Energy by component, in pJ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Breakdown {
    /// Select/negate (or popcount masking) of the lane array's terms; the
    /// table lookups' multiplexers, negates and index decode.
    pub array_select: f64,
    /// Reduction-tree adds (integer and floating point).
    pub array_add: f64,
    /// Popcounts.
    pub array_popcount: f64,
    /// Multiplies of a MAC array.
    pub array_mult: f64,
    /// Accumulator updates.
    pub array_accumulate: f64,
    /// Pipeline registers of the lane array (and a table-lookup array's
    /// table storage: its register bits or local SRAM reads and writes).
    pub array_registers: f64,
    /// Arithmetic of the vector unit (norms, quantization, softmax, ...).
    pub vector: f64,
    /// Arithmetic of the attention unit.
    pub attention: f64,
    /// Operand and result registers of the vector and attention units.
    pub unit_registers: f64,
    /// Weight buffer reads and writes.
    pub sram_weights: f64,
    /// Activation buffer reads and writes.
    pub sram_activations: f64,
    /// Output buffer reads and writes.
    pub sram_outputs: f64,
    /// On-chip wires: activation broadcast, weight delivery and results
    /// between the buffers and the lanes ([`crate::wires`]).
    pub wires: f64,
    /// Off-chip memory.
    pub dram: f64,
    /// Clock network.
    pub clock: f64,
    /// Static (leakage) energy.
    pub leakage: f64,
}

impl Breakdown {
    /// Component names, in field order (also the CSV column names, with `_pj`).
    pub const NAMES: [&'static str; 16] = [
        "array_select",
        "array_add",
        "array_popcount",
        "array_mult",
        "array_accumulate",
        "array_registers",
        "vector",
        "attention",
        "unit_registers",
        "sram_weights",
        "sram_activations",
        "sram_outputs",
        "wires",
        "dram",
        "clock",
        "leakage",
    ];

    /// Values in [`Breakdown::NAMES`] order.
    pub fn values(&self) -> [f64; 16] {
        [
            self.array_select,
            self.array_add,
            self.array_popcount,
            self.array_mult,
            self.array_accumulate,
            self.array_registers,
            self.vector,
            self.attention,
            self.unit_registers,
            self.sram_weights,
            self.sram_activations,
            self.sram_outputs,
            self.wires,
            self.dram,
            self.clock,
            self.leakage,
        ]
    }

    fn from_values(v: [f64; 16]) -> Breakdown {
        Breakdown {
            array_select: v[0],
            array_add: v[1],
            array_popcount: v[2],
            array_mult: v[3],
            array_accumulate: v[4],
            array_registers: v[5],
            vector: v[6],
            attention: v[7],
            unit_registers: v[8],
            sram_weights: v[9],
            sram_activations: v[10],
            sram_outputs: v[11],
            wires: v[12],
            dram: v[13],
            clock: v[14],
            leakage: v[15],
        }
    }

    /// Sum of every component.
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }

    /// Arithmetic of the lane array (select, add, popcount, multiply,
    /// accumulate).
    pub fn array_arithmetic(&self) -> f64 {
        self.array_select
            + self.array_add
            + self.array_popcount
            + self.array_mult
            + self.array_accumulate
    }

    /// Every arithmetic operation: lane array, vector and attention units.
    pub fn arithmetic(&self) -> f64 {
        self.array_arithmetic() + self.vector + self.attention
    }

    /// All SRAM buffers.
    pub fn sram(&self) -> f64 {
        self.sram_weights + self.sram_activations + self.sram_outputs
    }

    /// `self + other`.
    pub fn plus(&self, other: &Breakdown) -> Breakdown {
        let (a, b) = (self.values(), other.values());
        Breakdown::from_values(std::array::from_fn(|i| a[i] + b[i]))
    }

    /// `self x k`.
    pub fn scaled(&self, k: f64) -> Breakdown {
        let a = self.values();
        Breakdown::from_values(std::array::from_fn(|i| a[i] * k))
    }
}

/// Per-event energies of one design in one technology.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// pJ per select/negate term (before zero gating).
    pub select_per_term: f64,
    /// Accumulators are floating point (a floating-point MAC array).
    pub float_acc: bool,
    /// pJ per bit read / written, per buffer.
    pub sram_read: [f64; 3],
    /// pJ per bit written, per buffer.
    pub sram_write: [f64; 3],
    /// pJ per DRAM bit.
    pub dram: f64,
    /// Vector unit precision.
    pub vector_precision: Precision,
    /// pJ per flip-flop per clocked cycle.
    pub clock: f64,
    /// pJ per bit read from the datapath's local SRAM (a shared LUT).
    pub local_sram_read: f64,
    /// pJ per bit written to it.
    pub local_sram_write: f64,
}

fn buffer_index(b: Buffer) -> usize {
    match b {
        Buffer::Weights => 0,
        Buffer::Activations => 1,
        Buffer::Outputs => 2,
    }
}

impl Prices {
    /// The prices of `arch` in `t`.
    pub fn of(arch: &Accelerator, t: &Technology) -> Prices {
        let arr = &arch.array;
        let select_bits = arr
            .reduction
            .module()
            .select(arr, &arch.timing())
            .bits_per_term;
        let logic = arr.reduction.module().logic(arr);
        let local_bank = logic.local_sram_bytes as f64 / f64::from(logic.local_sram_banks.max(1));
        let b = &arch.buffers;
        let bank = |s: &sim::arch::SramConfig| s.bytes() as f64 / f64::from(s.banks.max(1));
        let bufs = [&b.weights, &b.activations, &b.outputs];
        Prices {
            select_per_term: select_bits * t.get(Key::SelectPjPerBit),
            // floating-point products accumulate in fp32
            float_acc: arr.activations.is_float(),
            sram_read: bufs.map(|s| t.sram_read_pj_per_bit(bank(s))),
            sram_write: bufs.map(|s| t.sram_write_pj_per_bit(bank(s))),
            dram: t.dram_pj_per_bit(arch.dram.kind),
            vector_precision: arch.vector.precision,
            clock: t.get(Key::ClockPjPerFlopCycle),
            local_sram_read: t.sram_read_pj_per_bit(local_bank),
            local_sram_write: t.sram_write_pj_per_bit(local_bank),
        }
    }
}

fn precision_of(name: &str) -> Precision {
    name.parse().unwrap_or(Precision::Fp16)
}

/// The dynamic energy of `act` (everything but clock and leakage).
pub fn dynamic(t: &Technology, p: &Prices, act: &Activity) -> Breakdown {
    let mut e = Breakdown::default();
    let active = if act.terms > 0 {
        1.0 - (act.zero_terms_gated as f64 / act.terms as f64).min(1.0)
    } else {
        1.0
    };
    e.array_select = act.terms as f64 * p.select_per_term * active;
    e.array_add = active
        * (act
            .adds
            .iter()
            .map(|(&w, &n)| n as f64 * t.int_add_pj(w))
            .sum::<f64>()
            + act
                .fp_adds
                .iter()
                .map(|(q, &n)| n as f64 * t.add_pj(precision_of(q)))
                .sum::<f64>());
    e.array_popcount = active
        * act
            .popcounts
            .iter()
            .map(|(&w, &n)| n as f64 * f64::from(w) * t.get(Key::PopcountPjPerInput))
            .sum::<f64>();
    e.array_mult = active
        * act
            .mults
            .iter()
            .map(|(q, &n)| n as f64 * t.mul_pj(precision_of(q)))
            .sum::<f64>();
    e.array_accumulate = act
        .acc_updates
        .iter()
        .map(|(&w, &n)| {
            n as f64
                * if p.float_acc {
                    t.add_pj(Precision::Fp32)
                } else {
                    t.int_add_pj(w)
                }
        })
        .sum();
    // table lookups (LUT datapath): each bit through a 2:1 level of the
    // entry multiplexer, each conditionally negated bit and each decoded
    // index bit is priced as one select bit (assumption: a MUX2, an XOR and
    // a decoder gate switch like the select stage's XOR + AND, 2.33 vs 3.33
    // NAND2 equivalents in NanGate 45 nm); they are not zero-gated (a lane
    // reads its entry whatever the weights)
    e.array_select += (act.lut_mux_bits + act.lut_negate_bits + act.lut_decode_bits) as f64
        * t.get(Key::SelectPjPerBit);
    e.array_registers = act.reg_bits as f64 * t.get(Key::RegisterPjPerBit)
        + act.local_sram_read_bits as f64 * p.local_sram_read
        + act.local_sram_write_bits as f64 * p.local_sram_write;
    // operand and partial-sum multiplexers (weight registers, zero skip)
    e.array_select += crate::lane_extras::mux_pj(t, act.mux_bits);
    let reg = t.get(Key::RegisterPjPerBit);
    let vp = p.vector_precision;
    for (&op, &n) in &act.vector {
        let (muls, adds) = vector_op_counts(op);
        e.vector += n as f64 * (muls as f64 * t.mul_pj(vp) + adds as f64 * t.add_pj(vp));
        e.unit_registers += n as f64 * unit_register_bits(vp) as f64 * reg;
    }
    for (q, &n) in &act.attention_macs {
        let q = precision_of(q);
        e.attention += n as f64 * (t.mul_pj(q) + t.add_pj(q));
        e.unit_registers += n as f64 * unit_register_bits(q) as f64 * reg;
    }
    for (&b, tr) in &act.sram {
        let i = buffer_index(b);
        let pj = tr.read_bytes as f64 * 8.0 * p.sram_read[i]
            + tr.write_bytes as f64 * 8.0 * p.sram_write[i];
        match b {
            Buffer::Weights => e.sram_weights += pj,
            Buffer::Activations => e.sram_activations += pj,
            Buffer::Outputs => e.sram_outputs += pj,
        }
    }
    e.dram = (act.dram_read_bits + act.dram_write_bits) as f64 * p.dram;
    e
}

/// One operator's energy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpEnergy {
    /// Operator name.
    pub name: String,
    /// Operator kind.
    pub kind: String,
    /// The unit that ran it.
    pub unit: Unit,
    /// Useful multiply-accumulates.
    pub macs: u64,
    /// Energy by component, pJ (leakage is not attributed to operators).
    pub energy_pj: Breakdown,
    /// Sum of the components, pJ.
    pub total_pj: f64,
}

/// The energy of one simulated step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyReport {
    /// [`ENERGY_SCHEMA`].
    pub schema: String,
    /// Technology table.
    pub technology: String,
    /// Entries a user file overrode (`section.key`).
    pub tech_overrides: Vec<String>,
    /// Tokens of the step.
    pub tokens: u64,
    /// Useful multiply-accumulates of the step.
    pub macs: u64,
    /// Seconds of the step.
    pub latency_s: f64,
    /// Leakage power of the design, W.
    pub leakage_w: f64,
    /// Energy of the step by component, pJ.
    pub total_pj: Breakdown,
    /// Sum of the components, pJ.
    pub energy_pj: f64,
    /// Energy per token by component, pJ.
    pub per_token_pj: Breakdown,
    /// Joules per token.
    pub joules_per_token: f64,
    /// pJ per useful multiply-accumulate (all energy / MACs).
    pub pj_per_mac: f64,
    /// Effective TOPS/W: 2 operations per MAC over all energy.
    pub tops_per_watt: f64,
    /// Average power over the step, W.
    pub average_power_w: f64,
    /// Per operator, in trace order.
    pub ops: Vec<OpEnergy>,
    /// The banked DRAM model's energy of the step by part (background,
    /// activate/precharge, read/write, refresh), pJ; its sum is `dram`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dram_parts_pj: Option<sim::memory::banked::Energy>,
}

/// Clocked cycles of a unit: computing or holding data for an SRAM port.
fn clocked(c: &sim::engine::Cycles) -> u64 {
    c.busy + c.sram_stall
}

/// The energy of `r` (a run of `arch`), with the area (for leakage and
/// the clocked flip-flops) estimated from gate equivalents.
pub fn estimate(arch: &Accelerator, r: &SimResult, t: &Technology) -> EnergyReport {
    estimate_with_area(arch, r, t, &area::estimate(arch, t))
}

/// The energy of `r` with a given area (e.g. from Yosys cell counts).
pub fn estimate_with_area(
    arch: &Accelerator,
    r: &SimResult,
    t: &Technology,
    area: &AreaReport,
) -> EnergyReport {
    let mut p = Prices::of(arch, t);
    // The banked DRAM model prices its commands and standby time by the IDD
    // method; its energy is spread over the operators by their DRAM bits.
    if let Some(d) = &r.dram {
        let bits = (r.activity.dram_read_bits + r.activity.dram_write_bits) as f64;
        p.dram = if bits > 0.0 {
            d.energy.total_pj() / bits
        } else {
            0.0
        };
    }
    let mut total = Breakdown::default();
    let mut ops = Vec::with_capacity(r.ops.len());
    let floorplan = area
        .system
        .floorplan
        .unwrap_or_else(|| crate::wires::Floorplan::of(arch, t, area));
    for o in &r.ops {
        let mut e = dynamic(t, &p, &o.activity);
        if o.unit == Unit::Array {
            e.wires = floorplan.energy_pj(&o.activity);
        }
        e.clock = area.flops_of(o.unit) as f64 * p.clock * clocked(&o.timing.cycles) as f64;
        total = total.plus(&e);
        ops.push(OpEnergy {
            name: o.name.clone(),
            kind: o.kind.clone(),
            unit: o.unit,
            macs: o.macs,
            total_pj: e.total(),
            energy_pj: e,
        });
    }
    // cycles a unit was clocked but charged to no operator (none today)
    let unit_clock: f64 = r
        .units
        .iter()
        .map(|(u, c)| area.flops_of(*u) as f64 * p.clock * clocked(c) as f64)
        .sum();
    if unit_clock > total.clock {
        total.clock = unit_clock;
    }
    let leakage_w = (area.logic_mm2() * t.get(Key::LogicLeakMwPerMm2)
        + area.sram_mm2() * t.get(Key::SramLeakMwPerMm2))
        * 1e-3;
    total.leakage = leakage_w * r.latency_s * 1e12;
    let energy = total.total();
    let tokens = r.tokens.max(1);
    EnergyReport {
        schema: ENERGY_SCHEMA.to_string(),
        technology: t.name.clone(),
        tech_overrides: t.overridden.iter().map(|k| k.path()).collect(),
        tokens: r.tokens,
        macs: r.macs,
        latency_s: r.latency_s,
        leakage_w,
        total_pj: total,
        energy_pj: energy,
        per_token_pj: total.scaled(1.0 / tokens as f64),
        joules_per_token: energy * 1e-12 / tokens as f64,
        pj_per_mac: if r.macs > 0 {
            energy / r.macs as f64
        } else {
            0.0
        },
        tops_per_watt: if energy > 0.0 {
            2.0 * r.macs as f64 / energy
        } else {
            0.0
        },
        average_power_w: if r.latency_s > 0.0 {
            energy * 1e-12 / r.latency_s
        } else {
            0.0
        },
        ops,
        dram_parts_pj: r.dram.as_ref().map(|d| d.energy),
    }
}

impl EnergyReport {
    /// JSON text (pretty, stable key order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports are plain data") + "\n"
    }
}

#[derive(Serialize)]
struct SimWithEnergy<'a> {
    #[serde(flatten)]
    result: &'a SimResult,
    energy: &'a EnergyReport,
    area: &'a AreaReport,
}

/// The simulation result as JSON (its own schema and fields, in order)
/// with two more keys: `energy` ([`EnergyReport`]) and `area`
/// ([`AreaReport`]).
pub fn sim_json(r: &SimResult, e: &EnergyReport, a: &AreaReport) -> String {
    serde_json::to_string_pretty(&SimWithEnergy {
        result: r,
        energy: e,
        area: a,
    })
    .expect("results are plain data")
        + "\n"
}
