//! Multi-chip system speed (figures in docs/performance.md): 70B decode on
//! the 8-chip tensor-parallel edge system (target: at most 0.2 s), and
//! system design points per second over a grid of 10,000 systems across
//! all cores (the simulation of each point; `onebit sweep` adds pricing and
//! output).
//!
//! Run: `cargo bench -p sim --bench system`

use rayon::prelude::*;
use sim::system::{simulate_system, system_preset, Topology};
use sim::SimOptions;
use std::time::Instant;
use workloads::trace::{generate, TraceOptions};
use workloads::zoo;

fn main() {
    let d = system_preset("edge-ternary-x8").expect("preset");
    let m = zoo::find("bitnet-b1.58-70B").expect("model");
    let t = generate(
        &m,
        &TraceOptions {
            seq: 2048,
            kv: Some(d.chip.attention.kv_format()),
            ..TraceOptions::default()
        },
    )
    .expect("trace");
    let runs = 5;
    let mut best = f64::MAX;
    let mut tps = 0.0;
    for _ in 0..runs {
        let start = Instant::now();
        let r = simulate_system(&d, &t, SimOptions::default()).expect("simulate");
        best = best.min(start.elapsed().as_secs_f64());
        tps = r.tokens_per_s;
    }
    println!(
        "bitnet-b1.58-70B decode seq 2048 on edge-ternary-x8 (tp 8): best of {runs} {best:.4} s ({tps:.2} tokens/s simulated)"
    );

    // 10,000 systems: tp x pp x topology x link bandwidth x latency x micro-batches
    let small = zoo::find("bitnet-b1.58-700M").expect("model");
    let base = system_preset("edge-ternary-x4").expect("preset");
    let mut points = Vec::new();
    for tp in [1u32, 2, 4, 8, 16] {
        for pp in [1u32, 2, 4, 6] {
            for topo in [Topology::Ring, Topology::Switch] {
                for bw in 1..=10 {
                    for lat in [0.1, 0.5, 1.0, 2.0, 5.0] {
                        for mb in [1u32, 2, 4, 8, 16] {
                            let mut d = base.clone();
                            d.system.tp = tp;
                            d.system.pp = pp;
                            d.system.chips = tp * pp;
                            d.system.topology = topo;
                            d.system.link.bandwidth_gbps = 2.5 * f64::from(bw);
                            d.system.link.latency_us = lat;
                            d.system.micro_batches = mb;
                            points.push(d);
                        }
                    }
                }
            }
        }
    }
    let traces: Vec<_> = [1u64, 2, 4, 8, 16]
        .iter()
        .map(|&b| {
            generate(
                &small,
                &TraceOptions {
                    batch: 16 / b,
                    seq: 1024,
                    kv: Some(base.chip.attention.kv_format()),
                    ..TraceOptions::default()
                },
            )
            .expect("trace")
        })
        .collect();
    let start = Instant::now();
    let ok: usize = points
        .par_iter()
        .map(|d| {
            let i = d.system.micro_batches.trailing_zeros() as usize;
            usize::from(simulate_system(d, &traces[i], SimOptions::default()).is_ok())
        })
        .sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} system design points (bitnet-b1.58-700M decode, batch 16, seq 1024) on {} threads: {secs:.2} s, {:.0} points/s ({ok} simulated)",
        points.len(),
        rayon::current_num_threads(),
        points.len() as f64 / secs
    );
}
