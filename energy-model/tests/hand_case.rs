//! One GEMM on a tiny design, every event counted by hand, and its energy
//! computed by hand from the 7 nm table: the model must agree to the last
//! pJ (here to 1e-9 pJ).
//!
//! Design `tiny`: 2 lanes x 4-wide ternary adder tree, INT8 activations,
//! zeros clock-gated, stage_levels 2, max_k 8 (12-bit accumulators);
//! buffers of 16 KiB / 2 banks (8 KiB banks), 8 KiB / 1 bank, 32 KiB /
//! 1 bank, so every bank sits exactly on one of Horowitz's points; LPDDR5;
//! a 1-element FP16 vector unit; attention on the vector unit.
//!
//! Workload: one token through an 8 -> 2 projection (M=1, K=8, N=2),
//! ternary weights with 25% zeros.

use energy_model::area;
use energy_model::energy;
use energy_model::Technology;
use sim::mapping::Unit;
use sim::{simulate, SimOptions};
use workloads::{Op, OpKind, Phase, Precision, Trace, TraceMeta};

const TINY: &str = r#"
name = "tiny"
clock_ghz = 1.0
[array]
reduction = "adder-tree"
lanes = 2
width = 4
activations = "int8"
weights = "ternary"
stage_levels = 2
max_k = 8
zeros = "gate"
[buffers.weights]
kib = 16
banks = 2
bank_bytes = 8
[buffers.activations]
kib = 8
banks = 1
bank_bytes = 8
[buffers.outputs]
kib = 32
banks = 1
bank_bytes = 8
[dram]
kind = "lpddr5"
bandwidth_gbps = 51.2
latency_ns = 100.0
[vector]
elems_per_cycle = 1
precision = "fp16"
[attention]
mapping = "vector"
precision = "fp16"
"#;

fn trace() -> Trace {
    Trace {
        meta: TraceMeta {
            model: "one-gemm".into(),
            phase: Phase::Decode,
            batch: 1,
            seq: 1,
            ..TraceMeta::default()
        },
        ops: vec![Op {
            name: "gemm".into(),
            kind: OpKind::Linear,
            layer: Some(0),
            inputs: vec![],
            g: 1,
            m: 1,
            k: 8,
            n: 2,
            a: Precision::INT8,
            w: Some(Precision::Ternary),
            out: Precision::Fp16,
            wbytes: 4,
            zeros: Some(0.25),
            mask: workloads::Mask::Full,
        }],
    }
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() < 1e-9,
        "{what}: model {got} pJ, by hand {want} pJ"
    );
}

#[test]
fn one_gemm_by_hand() {
    let arch = sim::arch::from_toml(TINY).unwrap();
    assert_eq!(arch.acc_bits(), 12); // 8 terms x 128 = 1024 needs 12 bits
    let r = simulate(&arch, &trace(), SimOptions::default()).unwrap();
    let a = &r.activity;

    // ---- the events, by hand -------------------------------------------
    // K = 8 in chunks of 4: 2 chunks; each of the 2 lanes reduces both:
    // 4 lane-chunks, 2 broadcast chunks.
    assert_eq!(r.macs, 16);
    assert_eq!(a.terms, 16); // 4 lane-chunks x 4 terms
    assert_eq!(a.zero_terms_gated, 4); // 25% of 16
                                       // a 4-input tree of 9-bit terms: 2 adds of 10 bits, 1 add of 11 bits per lane-chunk
    assert_eq!(a.adds.get(&10), Some(&8));
    assert_eq!(a.adds.get(&11), Some(&4));
    assert_eq!(a.adds.len(), 2);
    assert_eq!(a.acc_updates.get(&12), Some(&4)); // one per lane-chunk
                                                  // per lane-chunk: 4 x 2-bit weight register + the 11-bit tree output
                                                  // register (level 2 of 2, stage_levels 2) + the 12-bit accumulator = 31;
                                                  // per broadcast chunk: 4 x 8-bit activation register = 32
    assert_eq!(a.reg_bits, 4 * 31 + 2 * 32);
    let sram = |b: sim::activity::Buffer| a.sram.get(&b).copied().unwrap_or_default();
    use sim::activity::Buffer;
    assert_eq!(sram(Buffer::Weights).write_bytes, 4); // 16 ternary weights from DRAM
    assert_eq!(sram(Buffer::Weights).read_bytes, 4); // 2 bytes (2 lanes x 4 x 2 bits) a chunk
    assert_eq!(sram(Buffer::Activations).read_bytes, 8); // 4 INT8 a chunk
    assert_eq!(sram(Buffer::Activations).write_bytes, 0); // activations already on chip
    assert_eq!(sram(Buffer::Outputs).write_bytes, 4); // 2 FP16 outputs
    assert_eq!(sram(Buffer::Outputs).read_bytes, 0);
    assert_eq!(a.dram_read_bits, 32); // the 4 weight bytes
    assert_eq!(a.dram_write_bits, 0);
    assert!(a.vector.is_empty() && a.attention_macs.is_empty());
    assert!(a.fp_adds.is_empty() && a.mults.is_empty() && a.popcounts.is_empty());
    let c = r.ops[0].timing.cycles;
    assert_eq!((c.busy, c.sram_stall), (2, 0)); // 2 chunks, ports wide enough

    // ---- the energy, by hand, 7 nm --------------------------------------
    let t = Technology::default_7nm();
    let active = 1.0 - 4.0 / 16.0; // zero gating: 4 of 16 terms
    let select = 16.0 * 8.0 * 0.0004375 * active; // 16 terms x 8 bits
    close(select, 0.042, "select by hand");
    let add = (8.0 * (0.007 * 10.0 / 8.0) + 4.0 * (0.007 * 11.0 / 8.0)) * active;
    let accumulate = 4.0 * (0.007 * 12.0 / 8.0);
    let registers = 188.0 * 0.000875;
    let bit_8k = 10.0 * 0.339 / 64.0; // Horowitz 8 KB point, x 0.339, per bit
    let bit_32k = 20.0 * 0.339 / 64.0; // 32 KB point
    let sram_w = (4.0 + 4.0) * 8.0 * bit_8k; // 8 KiB banks
    let sram_a = 8.0 * 8.0 * bit_8k; // one 8 KiB bank
    let sram_o = 4.0 * 8.0 * bit_32k; // one 32 KiB bank
    let dram = 32.0 * 5.0; // LPDDR5 5 pJ/bit
                           // clock: 94 flops (2 lanes x 31 + 32) x 2 clocked cycles
    let clock = 94.0 * 0.00021875 * 2.0;

    // area, by hand (GE), for leakage
    let lane_ge = 4.0 * 8.0 * (2.0 + 1.33) // select: 4 terms x 8 bits x (XOR + AND)
        + (2.0 * 10.0 + 11.0) * 5.33 // tree adders, one full adder a bit
        + 12.0 * 5.33 // accumulator
        + 31.0 * 5.67; // flip-flops
                       // the adder-tree estimate is calibrated to the committed Yosys counts
    let k = energy_model::area_fit::fit().factors["adder-tree"];
    let array_ge = k * (2.0 * lane_ge + 32.0 * 5.67);
    let vector_ge = 950.0 + 450.0 + 800.0 + 48.0 * 5.67; // FP16 mul, add, overhead, 3 x 16 flops
    let control_ge = (array_ge + vector_ge) * 0.1;
    let logic_mm2 = (array_ge + vector_ge + control_ge) * 0.041 / 0.7 / 1e6;
    let sram_mm2 = ((16.0 + 8.0 + 32.0) * 8192.0 * 0.027 / 0.7 + 4.0 * 2000.0) / 1e6;
    let ar = area::estimate(&arch, &t);
    assert!(
        (ar.array_ge - array_ge).abs() < 1e-9,
        "{} {}",
        ar.array_ge,
        array_ge
    );
    assert!((ar.vector_ge - vector_ge).abs() < 1e-9);
    assert_eq!(ar.attention_ge, 0.0);
    assert!((ar.logic_mm2() - logic_mm2).abs() < 1e-15);
    assert!((ar.sram_mm2() - sram_mm2).abs() < 1e-15);
    assert_eq!(ar.flops_of(Unit::Array), 94);
    let leak_w = (logic_mm2 * 20.0 + sram_mm2 * 2.0) * 1e-3;
    let leakage = leak_w * (r.cycles as f64 * 1e-9) * 1e12;

    // wires (docs/energy.md): the lane array a square of its logic area,
    // square SRAM macros beside it; 0.15 pJ a transition and mm, half the
    // bits toggle. Activations: 8 bytes broadcast over half the activation
    // macro's edge + e (1 + sqrt 2); weights: 4 bytes over half the weight
    // macro's edge + e / 2; results: 4 bytes over half the output macro's + e / 2
    let e_mm = (array_ge * 0.041 / 0.7 / 1e6).sqrt();
    let macro_mm =
        |kib: f64, banks: f64| ((kib * 8192.0 * 0.027 / 0.7 + banks * 2000.0) / 1e6).sqrt() / 2.0;
    let wires = 8.0
        * 0.075
        * (8.0 * (macro_mm(8.0, 1.0) + e_mm * (1.0 + 2f64.sqrt()))
            + 4.0 * (macro_mm(16.0, 2.0) + e_mm / 2.0)
            + 4.0 * (macro_mm(32.0, 1.0) + e_mm / 2.0));
    let e = energy::estimate(&arch, &r, &t);
    let b = e.total_pj;
    close(b.array_select, select, "select");
    close(b.array_add, add, "adds");
    close(b.array_popcount, 0.0, "popcount");
    close(b.array_mult, 0.0, "mult");
    close(b.array_accumulate, accumulate, "accumulate");
    close(b.array_registers, registers, "registers");
    close(b.sram_weights, sram_w, "weight SRAM");
    close(b.sram_activations, sram_a, "activation SRAM");
    close(b.sram_outputs, sram_o, "output SRAM");
    close(b.dram, dram, "DRAM");
    close(b.wires, wires, "wires");
    close(
        b.vector + b.attention + b.unit_registers,
        0.0,
        "vector/attention",
    );
    close(b.clock, clock, "clock");
    close(b.leakage, leakage, "leakage");
    let total = select
        + add
        + accumulate
        + registers
        + sram_w
        + sram_a
        + sram_o
        + wires
        + dram
        + clock
        + leakage;
    close(e.energy_pj, total, "total");
    assert_eq!(e.energy_pj.round(), total.round());
    // 0.042 + 0.081375 + 0.042 + 0.1645 + 3.39 x 3 + 160 + 0.041125 + leakage
    close(
        total - leakage - wires,
        0.042 + 0.081375 + 0.042 + 0.1645 + 3.39 + 3.39 + 3.39 + 160.0 + 0.041125,
        "dynamic + clock",
    );
    // the operator carries all but the leakage
    close(e.ops[0].total_pj, total - leakage, "operator");
    assert_eq!(e.pj_per_mac, e.energy_pj / 16.0);
    assert_eq!(e.tops_per_watt, 32.0 / e.energy_pj);
}
