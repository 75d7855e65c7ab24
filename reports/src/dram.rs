//! The summary of a DRAM replay (`onebit dram`): time, bandwidth and
//! efficiency, row-buffer outcome, refresh share and energy by part.

use crate::table::{Align, Table};
use sim::memory::banked::ReplayResult;
use sim::memory::Transfer;
use sim::SimResult;

/// The replay as a two-column text table.
pub fn summary(r: &ReplayResult, mapping: &str, page: &str, refresh: &str) -> String {
    let mut t = Table::new(&[("quantity", Align::Left), ("value", Align::Right)]);
    let mut row = |k: &str, v: String| t.row(vec![k.to_string(), v]);
    row(
        "preset",
        format!("{} x {} channel(s)", r.preset, r.channels),
    );
    row(
        "mapping / page / refresh",
        format!("{mapping} / {page} / {refresh}"),
    );
    row("requests", r.requests.to_string());
    row("DRAM cycles (CK)", r.cycles.to_string());
    row("time", format!("{:.1} ns", r.time_ns));
    row("bytes moved", r.bytes.to_string());
    row("achieved bandwidth", format!("{:.2} GB/s", r.achieved_gbps));
    row("peak bandwidth", format!("{:.2} GB/s", r.peak_gbps));
    row("efficiency", format!("{:.2} %", 100.0 * r.efficiency));
    row(
        "row-buffer hit rate",
        format!("{:.2} %", 100.0 * r.row_hit_rate),
    );
    row(
        "row hits / misses / conflicts",
        format!(
            "{} / {} / {}",
            r.stats.row_hits, r.stats.row_misses, r.stats.row_conflicts
        ),
    );
    row("refresh share", format!("{:.2} %", 100.0 * r.refresh_share));
    row(
        "mean read latency",
        format!("{:.1} cycles", r.avg_read_latency),
    );
    let c = &r.stats.counts;
    row(
        "ACT / PRE / RD / WR / REF",
        format!(
            "{} / {} / {} / {} / {}",
            c.act,
            c.pre,
            c.rd,
            c.wr,
            c.ref_ab + c.ref_pb
        ),
    );
    let e = &r.energy;
    let nj = |pj: f64| format!("{:.3} nJ", pj / 1000.0);
    row("energy: background", nj(e.background_pj));
    row("energy: activate/precharge", nj(e.act_pre_pj));
    row("energy: read/write", nj(e.rd_wr_pj));
    row("energy: refresh", nj(e.refresh_pj));
    row("energy: total", nj(e.total_pj()));
    if r.bytes > 0 {
        row(
            "energy per bit",
            format!("{:.2} pJ/bit", e.total_pj() / (r.bytes as f64 * 8.0)),
        );
    }
    t.to_text()
}

/// One line on the DRAM of a simulated run: efficiency (achieved over peak
/// bandwidth), and for the banked model the row-buffer hit rate and the
/// refresh share.
pub fn sim_line(r: &SimResult, peak_gbps: f64) -> String {
    match &r.dram {
        Some(d) => format!(
            "banked {} x {}: efficiency {:.1}%, row hits {:.1}%, refresh {:.1}%",
            d.preset,
            d.channels,
            100.0 * r.dram_efficiency(peak_gbps),
            100.0 * d.row_hit_rate,
            100.0 * d.refresh_share
        ),
        None => format!(
            "transaction: efficiency {:.1}% of {:.1} GB/s",
            100.0 * r.dram_efficiency(peak_gbps),
            peak_gbps
        ),
    }
}

/// The request stream of a run: a header, then one `CYCLE LD|ST 0xADDR`
/// line per `burst` bytes of every transfer, in issue order.
pub fn request_stream(transfers: &[Transfer], burst: u64, clock_ghz: f64) -> String {
    use std::fmt::Write;
    let burst = burst.max(1);
    let lines: u64 = transfers.iter().map(|t| t.bytes.div_ceil(burst)).sum();
    let mut s = String::with_capacity(usize::try_from(lines).unwrap_or(0).saturating_mul(24));
    let _ = writeln!(
        s,
        "# onebit DRAM request stream: accelerator cycle at {clock_ghz} GHz, LD|ST, byte address; {burst}-byte requests"
    );
    for t in transfers {
        let op = if t.write { "ST" } else { "LD" };
        let first = t.addr / burst * burst;
        for i in 0..t.bytes.div_ceil(burst) {
            let _ = writeln!(s, "{} {op} 0x{:x}", t.at, first + i * burst);
        }
    }
    s
}
