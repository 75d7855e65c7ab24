//! Area at the table's node (7 nm by default), in mm².
//!
//! Logic is estimated in NAND2 gate equivalents (GE) per component and
//! converted with the node's NAND2 area and a placement utilization:
//!
//! - lane array: the hardware one chunk uses, from the simulator's own
//!   per-chunk event counts ([`sim::mapping::ChunkCost`]) divided by the
//!   initiation interval (events per cycle = hardware instances): every
//!   b-bit adder is b full adders, an n-input popcount n full adders, a
//!   multiplier or floating-point adder its table entry, every select/negate
//!   bit an XOR and an AND, every pipeline register bit a flip-flop;
//! - vector unit: per element lane a multiplier, an adder, three pipeline
//!   registers of its precision and the special-function overhead;
//! - attention unit (`unit` mapping): per MAC a multiplier, an adder and
//!   three registers (two operands, the accumulator);
//! - control: a share of the three.
//!
//! SRAM macros: bits x bit-cell area / array efficiency + a fixed
//! periphery per bank.
//!
//! Yosys cell counts of the generated lane array replace its estimate with
//! [`with_cell_counts`]; those of the generated accelerator's control
//! replace the control share with [`crate::control_cells`].

use crate::price::datapath_bits;
use crate::tech::{Key, Technology};
use serde::Serialize;
use sim::arch::{Accelerator, AttentionMapping};
use sim::datapath::{DatapathLogic, SelectGate};
use sim::mapping::{ChunkCost, Unit};
use std::collections::BTreeMap;
use workloads::Precision;

/// Area of a design, per component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaReport {
    /// Technology table used.
    pub technology: String,
    /// `estimate` or `yosys cell counts` for the lane array.
    pub array_logic_source: String,
    /// Gate equivalents of the lane array.
    pub array_ge: f64,
    /// Gate equivalents of the vector unit.
    pub vector_ge: f64,
    /// Gate equivalents of the attention unit.
    pub attention_ge: f64,
    /// Gate equivalents of control and interconnect.
    pub control_ge: f64,
    /// Where the control's area comes from: `estimate (...)`, the
    /// `control_overhead` share, or the synthesized accelerator's cells
    /// ([`crate::control_cells`]).
    pub control_source: String,
    /// Lane array, mm².
    pub array_mm2: f64,
    /// Vector unit, mm².
    pub vector_mm2: f64,
    /// Attention unit, mm².
    pub attention_mm2: f64,
    /// Control and interconnect, mm².
    pub control_mm2: f64,
    /// Weight buffer, mm².
    pub sram_weights_mm2: f64,
    /// Activation buffer, mm².
    pub sram_activations_mm2: f64,
    /// Output buffer, mm².
    pub sram_outputs_mm2: f64,
    /// Flip-flops of each unit (for the clock network energy).
    pub flops: BTreeMap<Unit, u64>,
    /// Outside the core: DRAM and host interfaces, bus routing, floorplan
    /// ([`crate::system_area`], [`crate::wires`]).
    pub system: crate::system_area::SystemArea,
}

impl AreaReport {
    /// All logic, mm².
    pub fn logic_mm2(&self) -> f64 {
        self.array_mm2 + self.vector_mm2 + self.attention_mm2 + self.control_mm2
    }

    /// All SRAM, mm².
    pub fn sram_mm2(&self) -> f64 {
        self.sram_weights_mm2 + self.sram_activations_mm2 + self.sram_outputs_mm2
    }

    /// The whole design, mm².
    pub fn total_mm2(&self) -> f64 {
        self.logic_mm2() + self.sram_mm2()
    }

    /// Flip-flops of `unit`.
    pub fn flops_of(&self, unit: Unit) -> u64 {
        self.flops.get(&unit).copied().unwrap_or(0)
    }

    /// The whole die: the core and the system components (PHYs,
    /// controllers, host I/O, bus routing), mm².
    pub fn die_mm2(&self) -> f64 {
        self.total_mm2() + self.system.mm2()
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
}

/// Gate equivalents of a multiplier in `p`.
pub fn mul_ge(t: &Technology, p: Precision) -> f64 {
    match p {
        Precision::Fp16 => t.get(Key::Fp16MulGe),
        Precision::Bf16 => t.get(Key::Bf16MulGe),
        Precision::Fp32 => t.get(Key::Fp32MulGe),
        other => {
            let b = f64::from(datapath_bits(other)) / 8.0;
            t.get(Key::Int8MulGe) * b * b
        }
    }
}

/// Gate equivalents of an adder in `p`.
pub fn add_ge(t: &Technology, p: Precision) -> f64 {
    match p {
        Precision::Fp16 => t.get(Key::Fp16AddGe),
        Precision::Bf16 => t.get(Key::Bf16AddGe),
        Precision::Fp32 => t.get(Key::Fp32AddGe),
        other => f64::from(datapath_bits(other)) * t.get(Key::FullAdderGe),
    }
}

fn precision_of(name: &str) -> Precision {
    name.parse().unwrap_or(Precision::Fp16)
}

/// The estimated gate equivalents of the lane array and its flip-flops.
pub(crate) fn array_estimate(arch: &Accelerator, t: &Technology) -> (f64, u64) {
    let chunk = ChunkCost::of(arch);
    let lanes = f64::from(arch.array.lanes);
    let ii = f64::from(chunk.timing.initiation_interval.max(1));
    let l = &chunk.per_lane;
    let fa = t.get(Key::FullAdderGe);
    // floating-point products accumulate in fp32
    let float_acc = arch.array.activations.is_float();
    let module = arch.array.reduction.module();
    let select = module.select(&arch.array, &chunk.timing);
    let mut ge = 0.0;
    ge += f64::from(arch.array.width)
        * select.gates_per_term
        * match select.gate {
            SelectGate::XorAnd => t.get(Key::XorGe) + t.get(Key::AndGe),
            SelectGate::And => t.get(Key::AndGe),
        };
    ge += l
        .adds
        .iter()
        .map(|(&w, &n)| n as f64 * f64::from(w) * fa)
        .sum::<f64>()
        / ii;
    ge += l
        .popcounts
        .iter()
        .map(|(&w, &n)| n as f64 * f64::from(w) * fa)
        .sum::<f64>()
        / ii;
    ge += l
        .mults
        .iter()
        .map(|(p, &n)| n as f64 * mul_ge(t, precision_of(p)))
        .sum::<f64>();
    ge += l
        .fp_adds
        .iter()
        .map(|(p, &n)| n as f64 * add_ge(t, precision_of(p)))
        .sum::<f64>();
    ge += l
        .acc_updates
        .iter()
        .map(|(&w, &n)| {
            n as f64
                * if float_acc {
                    t.get(Key::Fp32AddGe)
                } else {
                    f64::from(w) * fa
                }
        })
        .sum::<f64>();
    let (lane_flops, shared_flops) = (
        module.lane_flops(&arch.array, &chunk),
        chunk.per_chunk.reg_bits,
    );
    ge += lane_flops as f64 * t.get(Key::DffGe);
    let extra = module.logic(&arch.array);
    let mux2 = yosys_cell_ge(t, "$_MUX_").map_or(0.0, |c| c.0);
    if extra != DatapathLogic::default() {
        ge += extra.lane_mux2 * mux2
            + extra.lane_xor * t.get(Key::XorGe)
            + extra.lane_and * t.get(Key::AndGe);
    }
    // partial-sum bank, staging register and zero-skip multiplexers
    // (lane_extras.rs)
    let (extra_ge, extra_flops) = crate::lane_extras::per_lane(arch, t);
    ge += extra_ge;
    let lane_flops = lane_flops + extra_flops;
    let mut total = ge * lanes + shared_flops as f64 * t.get(Key::DffGe);
    if extra != DatapathLogic::default() {
        total += extra.shared_mux2 * mux2 + extra.shared_full_adders * fa;
    }
    (
        total,
        lane_flops * u64::from(arch.array.lanes) + shared_flops,
    )
}

/// Yosys cell counts of the generated lane array (`stat` of a generic
/// synthesis: `$_AND_`, `$_XOR_`, `$_DFF_P_`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellCounts {
    /// Cells by Yosys type name.
    pub cells: BTreeMap<String, u64>,
}

/// A cell type the area model does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Yosys cell type `{0}` (known: {KNOWN_CELLS})")]
pub struct UnknownCell(pub String);

const KNOWN_CELLS: &str = "$_NOT_, $_BUF_, $_AND_, $_NAND_, $_OR_, $_NOR_, $_XOR_, $_XNOR_, $_ANDNOT_, $_ORNOT_, $_MUX_, $_AOI3_, $_OAI3_, $_AOI4_, $_OAI4_, $_DFF_*, $_DFFE_*, $_SDFF_*, $_SDFFE_*, $_SDFFCE_*";

/// Gate equivalents of a Yosys internal cell, from the NanGate FreePDK45
/// cell of the same function divided by NAND2_X1 (0.798 um²); flip-flops
/// with enable or synchronous reset add a 2:1 mux. The second value is
/// true for flip-flops.
pub fn yosys_cell_ge(t: &Technology, cell: &str) -> Option<(f64, bool)> {
    let dff = t.get(Key::DffGe);
    let ge = match cell {
        "$_NOT_" => 0.67,
        "$_BUF_" => 1.0,
        "$_AND_" | "$_OR_" | "$_ANDNOT_" | "$_ORNOT_" => 1.33,
        "$_NAND_" | "$_NOR_" => 1.0,
        "$_XOR_" | "$_XNOR_" => 2.0,
        "$_MUX_" => 2.33,
        "$_AOI3_" | "$_OAI3_" => 1.33,
        "$_AOI4_" | "$_OAI4_" => 1.67,
        c if c.starts_with("$_DFF_") => return Some((dff, true)),
        c if c.starts_with("$_DFFE_")
            || c.starts_with("$_SDFF_")
            || c.starts_with("$_SDFFE_")
            || c.starts_with("$_SDFFCE_") =>
        {
            return Some((dff + 2.33, true))
        }
        _ => return None,
    };
    Some((ge, false))
}

pub(crate) fn mm2(t: &Technology, ge: f64) -> f64 {
    ge * t.get(Key::Nand2Um2) / t.get(Key::LogicUtilization) / 1e6
}

fn sram_mm2(t: &Technology, s: &sim::arch::SramConfig) -> f64 {
    let bits = s.bytes() as f64 * 8.0;
    (bits * t.get(Key::SramBitcellUm2) / t.get(Key::SramArrayEfficiency)
        + f64::from(s.banks) * t.get(Key::SramBankPeripheryUm2))
        / 1e6
}

/// The datapath's local SRAM (a shared LUT's tables), mm²: bit cells and
/// bank periphery as for the buffers.
fn local_sram_mm2(arch: &Accelerator, t: &Technology) -> f64 {
    let l = arch.array.reduction.module().logic(&arch.array);
    if l.local_sram_bytes == 0 {
        return 0.0;
    }
    (l.local_sram_bytes as f64 * 8.0 * t.get(Key::SramBitcellUm2) / t.get(Key::SramArrayEfficiency)
        + f64::from(l.local_sram_banks) * t.get(Key::SramBankPeripheryUm2))
        / 1e6
}

fn build(
    arch: &Accelerator,
    t: &Technology,
    array_ge: f64,
    array_flops: u64,
    source: &str,
) -> AreaReport {
    let vp = arch.vector.precision;
    let vbits = u64::from(datapath_bits(vp));
    let elems = f64::from(arch.vector.elems_per_cycle);
    let vector_flops = u64::from(arch.vector.elems_per_cycle) * 3 * vbits;
    let vector_ge = elems * (mul_ge(t, vp) + add_ge(t, vp) + t.get(Key::VectorLaneOverheadGe))
        + vector_flops as f64 * t.get(Key::DffGe);
    let (attention_ge, attention_flops) = if arch.attention.mapping == AttentionMapping::Unit {
        let ap = arch.attention.precision;
        let macs = u64::from(arch.attention.macs_per_cycle);
        let flops = macs * 3 * u64::from(datapath_bits(ap));
        (
            macs as f64 * (mul_ge(t, ap) + add_ge(t, ap)) + flops as f64 * t.get(Key::DffGe),
            flops,
        )
    } else {
        (0.0, 0)
    };
    let control_ge = (array_ge + vector_ge + attention_ge) * t.get(Key::ControlOverhead);
    let b = &arch.buffers;
    let mut r = AreaReport {
        technology: t.name.clone(),
        array_logic_source: source.to_string(),
        array_ge,
        vector_ge,
        attention_ge,
        control_ge,
        control_source: "estimate (control_overhead x the datapaths' GE)".into(),
        array_mm2: mm2(t, array_ge) + local_sram_mm2(arch, t),
        vector_mm2: mm2(t, vector_ge),
        attention_mm2: mm2(t, attention_ge),
        control_mm2: mm2(t, control_ge),
        sram_weights_mm2: sram_mm2(t, &b.weights),
        sram_activations_mm2: sram_mm2(t, &b.activations),
        sram_outputs_mm2: sram_mm2(t, &b.outputs),
        flops: [
            (Unit::Array, array_flops),
            (Unit::Vector, vector_flops),
            (Unit::Attention, attention_flops),
        ]
        .into_iter()
        .collect(),
        system: Default::default(),
    };
    r.system = crate::system_area::SystemArea::of(arch, t, &r);
    r
}

/// The area of `arch` from gate-equivalent estimates, the lane array's
/// scaled by its datapath's fit to Yosys cell counts ([`crate::area_fit`]).
pub fn estimate(arch: &Accelerator, t: &Technology) -> AreaReport {
    let (ge, flops) = array_estimate(arch, t);
    // the generated datapath is calibrated per datapath to the project's
    // own Yosys cell counts; the partial-sum bank, staging register and
    // skip multiplexers keep their estimate
    let (factor, source) = crate::area_fit::calibration(arch);
    let extra = crate::lane_extras::per_lane(arch, t).0 * f64::from(arch.array.lanes);
    build(arch, t, (ge - extra) * factor + extra, flops, &source)
}

/// The area of `arch` with the lane array's logic taken from Yosys cell
/// counts of its generated RTL (the whole array, all lanes) instead of the
/// estimate; its flip-flops (for the clock energy) are the counted ones.
pub fn with_cell_counts(
    arch: &Accelerator,
    t: &Technology,
    counts: &CellCounts,
) -> Result<AreaReport, UnknownCell> {
    let mut ge = 0.0;
    let mut flops = 0;
    for (cell, &n) in &counts.cells {
        let (g, is_ff) = yosys_cell_ge(t, cell).ok_or_else(|| UnknownCell(cell.clone()))?;
        ge += g * n as f64;
        if is_ff {
            flops += n;
        }
    }
    Ok(build(arch, t, ge, flops, "yosys cell counts"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn presets_have_plausible_areas() {
        let t = Technology::default_7nm();
        for name in [
            "edge-ternary",
            "edge-fp16",
            "datacenter-ternary",
            "edge-popcount",
        ] {
            let a = estimate(&preset(name).unwrap(), &t);
            assert!(
                a.total_mm2() > 0.01 && a.total_mm2() < 1000.0,
                "{name}: {a:?}"
            );
            assert!(a.flops_of(Unit::Array) > 0);
        }
        // the FP16 MAC array is much larger than the ternary adder trees
        let tern = estimate(&preset("edge-ternary").unwrap(), &t);
        let fp16 = estimate(&preset("edge-fp16").unwrap(), &t);
        assert!(fp16.array_mm2 > 5.0 * tern.array_mm2, "{tern:?} {fp16:?}");
    }

    #[test]
    fn cell_counts_replace_the_array_estimate() {
        let t = Technology::default_7nm();
        let arch = preset("edge-ternary").unwrap();
        let mut c = CellCounts::default();
        c.cells.insert("$_XOR_".into(), 1000);
        c.cells.insert("$_DFF_P_".into(), 100);
        let a = with_cell_counts(&arch, &t, &c).unwrap();
        assert_eq!(a.array_ge, 1000.0 * 2.0 + 100.0 * 5.67);
        assert_eq!(a.flops_of(Unit::Array), 100);
        assert_eq!(a.array_logic_source, "yosys cell counts");
        let est = estimate(&arch, &t);
        assert_eq!(a.vector_mm2, est.vector_mm2);
        c.cells.insert("$_FOO_".into(), 1);
        assert_eq!(
            with_cell_counts(&arch, &t, &c).unwrap_err(),
            UnknownCell("$_FOO_".into())
        );
    }
}
