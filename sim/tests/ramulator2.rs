//! The banked DRAM model against Ramulator 2.1 on the same traces and
//! configurations (LPDDR5-6400 and HBM3-6400, FR-FCFS, open page, all-bank
//! refresh, RoBaRaCoCh, 32-entry queues, one channel). Ramulator's outputs,
//! configs and the traces are in tests/data/ramulator2 (docs/validation.md
//! says how they were made); this test does not need Ramulator.
//!
//! Ramulator counts HBM3 time in half-CK ticks (its HBM3 model issues row
//! commands on both clock edges); its cycle counts are halved here to CK.

use flate2::read::GzDecoder;
use sim::memory::banked::replay::{replay, SystemConfig};
use sim::memory::banked::{presets, trace};
use std::io::Read;
use std::path::Path;

/// (trace, streaming); `decode_125m_prefix` is the first 100 000 requests
/// that `onebit sim --dram-trace` writes for a bitnet-125M decode step
/// (seq 256) on edge-ternary with 32-byte requests, cycle column removed.
const TRACES: [(&str, bool); 8] = [
    ("seq_read", true),
    ("seq_write", true),
    ("seq_mix_2r1w", true),
    ("stride_256", false),
    ("stride_2k", false),
    ("random_read", false),
    ("random_mix", false),
    ("decode_125m_prefix", true),
];

fn data() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ramulator2"
    ))
}

fn read_trace(path: &Path) -> Vec<trace::TraceReq> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = String::new();
    GzDecoder::new(f)
        .read_to_string(&mut s)
        .expect("gzip trace");
    trace::parse(&s, 1 << 22).expect("trace parses")
}

fn ramulator(std: &str, name: &str) -> serde_json::Value {
    let p = data().join(format!("outputs/{std}/{name}.json"));
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).expect("ramulator stats JSON")
}

fn compare(std: &str, preset: &str, ticks_per_ck: f64, extra: &[&str]) {
    let spec = presets::preset(preset).unwrap();
    let mut rows = Vec::new();
    let names: Vec<(String, bool)> = TRACES
        .iter()
        .map(|&(n, s)| (n.to_string(), s))
        .chain(extra.iter().map(|n| (n.to_string(), false)))
        .collect();
    for (name, streaming) in &names {
        let reqs = read_trace(&data().join(format!("traces/{name}.trace.gz")));
        let r = replay(&spec, &SystemConfig::default(), &reqs, None);
        let ram = ramulator(std, name);
        let ram_cycles = ram["cycles"].as_f64().unwrap() / ticks_per_ck;
        let diff = (r.cycles as f64 - ram_cycles) / ram_cycles;
        let hits = ram["row_hits"].as_f64().unwrap();
        let total =
            hits + ram["row_misses"].as_f64().unwrap() + ram["row_conflicts"].as_f64().unwrap();
        let hit_diff = (r.row_hit_rate - hits / total).abs();
        rows.push(format!(
            "{std} {name}: onebit {} ramulator {ram_cycles} ({:+.2} %), row hits {:.4} vs {:.4}",
            r.cycles,
            100.0 * diff,
            r.row_hit_rate,
            hits / total
        ));
        let tol = if *streaming { 0.02 } else { 0.05 };
        assert!(diff.abs() <= tol, "{}", rows.last().unwrap());
        assert!(hit_diff <= 0.01, "{}", rows.last().unwrap());
    }
    eprintln!("{}", rows.join("\n"));
}

#[test]
fn lpddr5_matches_ramulator() {
    compare("lpddr5", "lpddr5-6400", 1.0, &[]);
}

#[test]
fn hbm3_matches_ramulator() {
    compare("hbm3", "hbm3-6400", 2.0, &[]);
}
