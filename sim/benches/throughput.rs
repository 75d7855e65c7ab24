//! Simulator speed on full models (figures in docs/performance.md):
//! 70B decode and prefill on the edge design, and design points per second
//! for 3B decode across all cores (what sweeps need).
//!
//! Run: `cargo bench -p sim --bench throughput`
//!
//! Every run has the mapper on (a search on cycles: the energy objectives
//! search the same space with prices from the energy model, which this
//! crate does not depend on).

use rayon::prelude::*;
use sim::arch::preset;
use sim::mapping::{Mapper, Objective};
use sim::{simulate_with_stats, SimOptions};

/// The mapper every benchmark runs with.
const MAPPER: Mapper = Mapper::Search {
    objective: Objective::Cycles,
    prices: None,
};
use std::time::Instant;
use workloads::trace::{generate, TraceOptions};
use workloads::{zoo, Phase};

fn time_model(name: &str, arch: &str, phase: Phase, seq: u64) {
    let m = zoo::find(name).expect("preset");
    let a = preset(arch).expect("preset");
    let t = generate(
        &m,
        &TraceOptions {
            phase,
            seq,
            batch: 1,
            zeros: None,
            kv: Some(a.attention.kv_format()),
            ..TraceOptions::default()
        },
    )
    .expect("trace");
    let runs = 5;
    let mut best = f64::MAX;
    let mut stats = None;
    for _ in 0..runs {
        let start = Instant::now();
        let opts = SimOptions {
            allow_oversubscribe: true,
            mapper: MAPPER,
            ..SimOptions::default()
        };
        let (r, s) = simulate_with_stats(&a, &t, opts).expect("simulate");
        best = best.min(start.elapsed().as_secs_f64());
        stats = Some((r.cycles, s));
    }
    let (cycles, s) = stats.expect("ran");
    println!(
        "{name} {phase} seq {seq} on {arch}: best of {runs} {:.4} s ({cycles} cycles, {} events, {} steady-state jumps)",
        best, s.events, s.jumps
    );
}

fn main() {
    time_model("bitnet-b1.58-70B", "edge-ternary", Phase::Decode, 2048);
    time_model("bitnet-b1.58-70B", "edge-ternary", Phase::Prefill, 2048);
    time_model(
        "bitnet-b1.58-70B",
        "datacenter-ternary",
        Phase::Decode,
        2048,
    );
    time_model(
        "bitnet-b1.58-70B",
        "datacenter-ternary",
        Phase::Prefill,
        2048,
    );

    // 3B decode over a grid of design points, as a sweep runs it.
    let m = zoo::find("bitnet-b1.58-3B").expect("preset");
    let t = generate(&m, &TraceOptions::default()).expect("trace");
    let base = preset("edge-ternary").expect("preset");
    let mut designs = Vec::new();
    for lanes in [16, 32, 64, 128, 256] {
        for width in [16, 32, 64, 128] {
            for wkib in [64, 128, 256, 512] {
                for bw in [25.6, 51.2, 102.4, 204.8, 409.6] {
                    for db in [true, false] {
                        let mut a = base.clone();
                        a.array.lanes = lanes;
                        a.array.width = width;
                        a.buffers.weights.kib = wkib;
                        a.buffers.weights.double_buffered = db;
                        a.dram.bandwidth_gbps = bw;
                        designs.push(a);
                    }
                }
            }
        }
    }
    // the mapper on (with the whole-run check), then the fixed mapping on
    // the same designs back to back: the mapper's cost apart from the load
    for (label, mapper) in [("mapper on", MAPPER), ("fixed mapping", Mapper::Fixed)] {
        let start = Instant::now();
        let cycles: u64 = designs
            .par_iter()
            .map(|a| {
                simulate_with_stats(
                    a,
                    &t,
                    SimOptions {
                        mapper,
                        ..SimOptions::default()
                    },
                )
                .map(|(r, _)| r.cycles)
                .unwrap_or(0)
            })
            .sum();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "bitnet-b1.58-3B decode seq 2048, {label}: {} design points in {:.3} s on {} threads = {:.0} points/s (checksum {cycles})",
            designs.len(),
            secs,
            rayon::current_num_threads(),
            designs.len() as f64 / secs
        );
    }
}
