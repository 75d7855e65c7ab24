//! The mapper on whole runs: with the mapper's per-operator choices a run
//! is never worse on the objective than with the fixed mapping, although
//! operators interact in the engine (prefetch across their boundaries).
//! Property test over designs (lanes, widths, buffers, DRAM latency and
//! bandwidth, prefetch slots) and traces of dependent and independent
//! products up to 2048 x 4096 x 1024. With the whole-run check in
//! `simulate` removed the test fails (the case in
//! `whole_run.proptest-regressions`, rerun first every time: two
//! independent products 256 x 2881 x 155 and 45 x 145 x 541 on 57 lanes
//! of 48, 2,060 ns DRAM latency at 4 GB/s, objective EDP; the mapped
//! run 1,513,124 cycles and 112.2 uJ against the fixed run's 1,097,533
//! cycles and 154.7 uJ, worse on EDP); `tests/sim_cli.rs` has the 70B
//! prefill where it acts.

use proptest::prelude::*;
use sim::arch::preset;
use sim::mapping::{Cost, MapPrices, Mapper, Objective};
use sim::simulate::run_cost;
use sim::{simulate, SimOptions};
use workloads::{Op, Precision, Trace, TraceMeta};

fn linear(name: &str, inputs: Vec<String>, m: u64, k: u64, n: u64) -> Op {
    Op {
        inputs,
        ..Op::linear(name, m, k, n, Precision::Ternary)
    }
}

/// Prices of the right order for a 7 nm design (as in tests/onchip.rs).
fn prices() -> MapPrices {
    MapPrices {
        sram_read_pj_per_byte: [1.0, 1.0, 1.0],
        sram_write_pj_per_byte: [1.2, 1.2, 1.2],
        dram_pj_per_bit: 4.0,
        reg_pj_per_bit: 0.01,
        mux_pj_per_bit: 0.005,
        term_pj: 0.01,
        static_pj_per_cycle: 5.0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(250))]

    #[test]
    fn mapped_whole_run_never_worse_than_fixed(
        ops in prop::collection::vec((1u64..2048, 1u64..4096, 1u64..1024, any::<bool>()), 2..10),
        lanes in 1u32..64,
        width in 1u32..64,
        tt in 1u32..32,
        wkib in 1u32..64,
        akib in 1u32..64,
        okib in 1u32..4,
        obj in 0usize..3,
        lat in 10u32..3000,
        bw in 1u32..64,
        slots in 0u32..5,
    ) {
        let mut a = preset("edge-ternary").unwrap();
        a.array.lanes = lanes;
        a.array.width = width;
        a.array.token_tile = tt;
        a.buffers.weights.kib = wkib;
        a.buffers.activations.kib = akib;
        a.buffers.outputs.kib = okib;
        a.dram.latency_ns = f64::from(lat);
        a.dram.bandwidth_gbps = f64::from(bw);
        a.buffers.prefetch_slots = if slots == 0 { None } else { Some(slots) };
        let objective = Objective::ALL[obj];
        // each product depends on the one before it, or starts a branch
        let trace = Trace {
            meta: TraceMeta::default(),
            ops: ops
                .iter()
                .enumerate()
                .map(|(i, &(m, k, n, dep))| {
                    let inputs = if dep && i > 0 { vec![format!("p{}", i - 1)] } else { vec![] };
                    linear(&format!("p{i}"), inputs, m, k, n)
                })
                .collect(),
        };
        let p = prices();
        let run = |mapper| {
            simulate(&a, &trace, SimOptions { mapper, allow_oversubscribe: true, ..SimOptions::default() })
        };
        let Ok(fixed) = run(Mapper::Fixed) else { return Ok(()) };
        let mapped = run(Mapper::Search { objective, prices: Some(p) }).unwrap();
        let score = |c: Cost| objective.score(&c);
        let f = run_cost(&fixed.activity, fixed.cycles, Some(&p));
        let m = run_cost(&mapped.activity, mapped.cycles, Some(&p));
        prop_assert!(
            score(m) <= score(f),
            "mapped {} cycles {} pJ, fixed {} cycles {} pJ", m.cycles, m.energy_pj, f.cycles, f.energy_pj
        );
    }
}
