//! Speed of the systolic baseline: `simulate()` (mapping + engine) on the 30
//! GEMM layers SCALE-Sim v3 was run on, for each of the 27 recorded
//! configurations (sim/tests/data/scalesim), in process, and of the closed
//! form `scalesim_cycles` on the same layers. docs/performance.md compares
//! these with SCALE-Sim's own run times.
//!
//!     cargo bench -p sim --bench systolic            # all 27 configurations
//!     cargo bench -p sim --bench systolic -- ws_32x32 os_8x8
//!
//! A plain benchmark (no harness): each measurement repeats the work until
//! 0.2 s have passed and reports the mean and the fastest of 5 such batches.

use sim::arch::{preset, SramConfig};
use sim::mapping::{scalesim_cycles, Systolic};
use sim::{simulate, Accelerator, SimOptions};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use workloads::{gemm, Precision};

/// The systolic design of the agreement test (sim/tests/scalesim.rs):
/// memory that never stalls, SRAM ports wider than the array needs.
fn design(df: Systolic, rows: u32, cols: u32) -> Accelerator {
    let mut a = preset("systolic-ws-32x32").expect("preset");
    a.array.dataflow = df.dataflow();
    a.array.width = rows;
    a.array.lanes = cols;
    a.clock_ghz = 0.01;
    a.dram.bandwidth_gbps = 100_000.0;
    a.dram.latency_ns = 0.0;
    let wide = |kib| SramConfig {
        kib,
        banks: 64,
        bank_bytes: 64,
        double_buffered: true,
    };
    a.buffers.weights = wide(1024);
    a.buffers.activations = wide(1024);
    a.buffers.outputs = wide(256);
    a
}

/// Seconds per call of `f`: (mean over all batches, fastest batch mean).
fn time<T>(mut f: impl FnMut() -> T) -> (f64, f64) {
    for _ in 0..3 {
        black_box(f());
    }
    let mut best = f64::INFINITY;
    let (mut total, mut calls) = (0.0, 0u64);
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_millis(200) {
            black_box(f());
            n += 1;
        }
        let s = start.elapsed().as_secs_f64();
        best = best.min(s / n as f64);
        total += s;
        calls += n;
    }
    (total / calls as f64, best)
}

fn main() {
    let want: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scalesim");
    println!("| config | layers | folds | simulated cycles | simulate() mean µs | best µs | scalesim_cycles µs |");
    println!("|---|---|---|---|---|---|---|");
    for df in Systolic::ALL {
        for (rows, cols) in [
            (4, 4),
            (8, 8),
            (16, 16),
            (32, 32),
            (64, 64),
            (8, 16),
            (16, 8),
            (4, 32),
            (32, 4),
        ] {
            let config = format!("{}_{rows}x{cols}", df.name());
            if !want.is_empty() && !want.contains(&config) {
                continue;
            }
            let text = std::fs::read_to_string(data.join(&config).join("topology.csv"))
                .expect("topology.csv");
            let trace = gemm::parse_topology("topology", &text, Precision::INT8, Precision::INT8)
                .expect("topology parses");
            let a = design(df, rows, cols);
            let r = simulate(&a, &trace, SimOptions::default()).expect("simulates");
            let folds: u64 = r.ops.iter().map(|o| o.tiles).sum();
            let (mean, best) = time(|| simulate(&a, &trace, SimOptions::default()));
            let (closed, _) = time(|| {
                trace
                    .ops
                    .iter()
                    .map(|o| {
                        scalesim_cycles(df, rows.into(), cols.into(), o.m, o.n, o.k).total_cycles
                    })
                    .sum::<u64>()
            });
            println!(
                "| {config} | {} | {folds} | {} | {:.1} | {:.1} | {:.2} |",
                trace.ops.len(),
                r.cycles,
                mean * 1e6,
                best * 1e6,
                closed * 1e6
            );
        }
    }
}
