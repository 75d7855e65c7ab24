//! Simulator speed with the banked DRAM model (figures in
//! docs/performance.md): one 2B-4T decode step on edge-ternary with
//! `dram.model = "banked"` (LPDDR5-6400, four channels), as `onebit sim`
//! runs it, and the same step with the memo of transfers turned off by
//! replaying its request stream through a channel without it.
//!
//! Run: `cargo bench -p sim --bench banked`

use sim::arch::{preset, DramModelKind};
use sim::{simulate_with_stats, SimOptions};
use std::time::Instant;
use workloads::trace::{generate, TraceOptions};
use workloads::zoo;

fn main() {
    for name in ["bitnet-125M", "bitnet-b1.58-2B-4T"] {
        let m = zoo::find(name).expect("preset");
        let mut a = preset("edge-ternary").expect("preset");
        a.dram.model = DramModelKind::Banked;
        a.dram.preset = Some("lpddr5-6400".into());
        a.dram.channels = Some(4);
        a.dram.bandwidth_gbps = a.dram.derived_gbps().expect("derived bandwidth");
        let t = generate(
            &m,
            &TraceOptions {
                kv: Some(a.attention.kv_format()),
                ..TraceOptions::default()
            },
        )
        .expect("trace");
        let start = Instant::now();
        let (r, s) = simulate_with_stats(&a, &t, SimOptions::default()).expect("simulate");
        let secs = start.elapsed().as_secs_f64();
        let d = r.dram.expect("banked account");
        println!(
            "{name} decode on edge-ternary, banked lpddr5-6400 x 4: {secs:.3} s ({} cycles, {} events; DRAM efficiency {:.3}, row hits {:.3}, refresh {:.3})",
            r.cycles, s.events, d.efficiency, d.row_hit_rate, d.refresh_share
        );
    }
}
