//! The terminal summary of one `onebit sim` run (time, traffic, DRAM
//! efficiency, the slowest operators; energy and area by component) and its
//! per-operator CSV.

use crate::{Align, Table};
use energy_model::{AreaReport, Breakdown, EnergyReport};
use sim::SimResult;

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1u64 << 20) as f64)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The per-operator CSV: timing, traffic and energy (pJ, in total and by
/// component; leakage is not attributed to operators).
pub fn ops_csv(r: &SimResult, e: &EnergyReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(
        [
            "name",
            "kind",
            "layer",
            "unit",
            "macs",
            "tiles",
            "start",
            "compute_end",
            "done",
            "busy",
            "sram_stall",
            "memory_stall",
            "dependency_stall",
            "dram_read_bytes",
            "dram_write_bytes",
            "mapping",
            "energy_pj",
        ]
        .into_iter()
        .map(String::from)
        .chain(Breakdown::NAMES.iter().map(|n| format!("{n}_pj")))
        .collect::<Vec<_>>(),
    );
    for (o, oe) in r.ops.iter().zip(&e.ops) {
        let t = &o.timing;
        let mut rec = vec![
            o.name.clone(),
            o.kind.clone(),
            o.layer.map(|l| l.to_string()).unwrap_or_default(),
            o.unit.name().to_string(),
            o.macs.to_string(),
            o.tiles.to_string(),
            t.start.to_string(),
            t.compute_end.to_string(),
            t.done.to_string(),
            t.cycles.busy.to_string(),
            t.cycles.sram_stall.to_string(),
            t.cycles.memory_stall.to_string(),
            t.cycles.dependency_stall.to_string(),
            o.activity.dram_read_bytes().to_string(),
            o.activity.dram_write_bytes().to_string(),
            o.mapping.clone(),
            format!("{}", oe.total_pj),
        ];
        rec.extend(oe.energy_pj.values().iter().map(|v| format!("{v}")));
        let _ = w.write_record(rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The human summary of a result (`dram_peak_gbps`: the design's peak DRAM
/// bandwidth).
pub fn summary(r: &SimResult, top: usize, dram_peak_gbps: f64) -> String {
    let draft = if r.draft > 0 {
        format!(", {} drafted", r.draft)
    } else {
        String::new()
    };
    let mut s = format!(
        "{} {} (batch {}, seq {}{draft}) on {}\n\n",
        r.model, r.phase, r.batch, r.seq, r.design
    );
    for w in &r.warnings {
        s += &format!("warning: {w}\n\n");
    }
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    t.row(vec!["cycles".into(), r.cycles.to_string()]);
    t.row(vec![
        "latency".into(),
        format!("{:.6} ms at {} GHz", r.latency_s * 1e3, r.clock_ghz),
    ]);
    t.row(vec!["tokens/s".into(), format!("{:.2}", r.tokens_per_s)]);
    t.row(vec!["array utilization".into(), pct(r.array_utilization)]);
    t.row(vec![
        "bound".into(),
        format!(
            "compute {} | memory {} | other {} of cycles",
            pct(r.compute_bound_share),
            pct(r.memory_bound_share),
            pct(1.0 - r.compute_bound_share - r.memory_bound_share)
        ),
    ]);
    t.row(vec![
        "DRAM".into(),
        format!(
            "{} read, {} written",
            mib(r.traffic.dram_read_bytes),
            mib(r.traffic.dram_write_bytes)
        ),
    ]);
    t.row(vec![
        "DRAM model".into(),
        crate::dram::sim_line(r, dram_peak_gbps),
    ]);
    t.row(vec!["GMAC".into(), format!("{:.3}", r.macs as f64 / 1e9)]);
    t.row(vec![
        "DRAM footprint".into(),
        format!(
            "{} (weights {}, KV cache {}, spilled activations {})",
            sim::capacity::gib(r.footprint.total()),
            sim::capacity::gib(r.footprint.weights),
            sim::capacity::gib(r.footprint.kv_cache),
            sim::capacity::gib(r.footprint.activations)
        ),
    ]);
    s += &t
        .to_text()
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    s += &format!("\ntop {} operators by time:\n", top.min(r.ops.len()));
    let mut t = Table::new(&[
        ("operator", Align::Left),
        ("kind", Align::Left),
        ("unit", Align::Left),
        ("cycles", Align::Right),
        ("share", Align::Right),
        ("busy", Align::Right),
        ("DRAM wait", Align::Right),
        ("SRAM wait", Align::Right),
        ("dep wait", Align::Right),
    ]);
    for i in r.top_ops(top) {
        let o = &r.ops[i];
        let c = &o.timing.cycles;
        t.row(vec![
            o.name.clone(),
            o.kind.clone(),
            o.unit.name().into(),
            o.span().to_string(),
            pct(o.span() as f64 / r.cycles.max(1) as f64),
            c.busy.to_string(),
            c.memory_stall.to_string(),
            c.sram_stall.to_string(),
            c.dependency_stall.to_string(),
        ]);
    }
    s += &t.to_text();
    s
}

/// An energy in the unit that suits it.
fn energy(pj: f64) -> String {
    if pj == 0.0 {
        return "0".into();
    }
    let a = pj.abs();
    let (v, u) = if a >= 1e12 {
        (pj / 1e12, "J")
    } else if a >= 1e9 {
        (pj / 1e9, "mJ")
    } else if a >= 1e6 {
        (pj / 1e6, "µJ")
    } else if a >= 1e3 {
        (pj / 1e3, "nJ")
    } else {
        (pj, "pJ")
    };
    format!("{v:.3} {u}")
}

/// The energy and area summary.
pub fn energy_summary(e: &EnergyReport, a: &AreaReport) -> String {
    let mut s = format!("\nenergy and area at {} (docs/energy.md):\n", e.technology);
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    t.row(vec![
        "energy/token".into(),
        format!(
            "{} ({:.6} J; the step: {} for {} token{})",
            energy(e.joules_per_token * 1e12),
            e.joules_per_token,
            energy(e.energy_pj),
            e.tokens,
            if e.tokens == 1 { "" } else { "s" }
        ),
    ]);
    t.row(vec![
        "power".into(),
        format!(
            "{:.3} W average ({:.3} mW leakage)",
            e.average_power_w,
            e.leakage_w * 1e3
        ),
    ]);
    t.row(vec![
        "efficiency".into(),
        format!(
            "{:.4} pJ/MAC = {:.4} pJ/op, {:.3} TOPS/W (2 ops per MAC, all energy)",
            e.pj_per_mac,
            e.pj_per_mac / 2.0,
            e.tops_per_watt
        ),
    ]);
    t.row(vec![
        "area".into(),
        format!(
            "{:.4} mm² (logic {:.4}, SRAM {:.4}; logic from {}; control from {})",
            a.total_mm2(),
            a.logic_mm2(),
            a.sram_mm2(),
            a.array_logic_source,
            a.control_source
        ),
    ]);
    s += &t
        .to_text()
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    s += "\nenergy per token by component:\n";
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("energy", Align::Right),
        ("share", Align::Right),
    ]);
    let total = e.per_token_pj.total();
    for (name, v) in Breakdown::NAMES.iter().zip(e.per_token_pj.values()) {
        t.row(vec![
            name.replace('_', " "),
            energy(v),
            pct(if total > 0.0 { v / total } else { 0.0 }),
        ]);
    }
    t.row(vec!["total".into(), energy(total), pct(1.0)]);
    if let Some(d) = &e.dram_parts_pj {
        let per = 1.0 / e.tokens.max(1) as f64;
        for (name, v) in [
            ("  dram background", d.background_pj),
            ("  dram act/pre", d.act_pre_pj),
            ("  dram rd/wr", d.rd_wr_pj),
            ("  dram refresh", d.refresh_pj),
        ] {
            let v = v * per;
            t.row(vec![
                name.into(),
                energy(v),
                pct(if total > 0.0 { v / total } else { 0.0 }),
            ]);
        }
    }
    s += &t.to_text();
    s
}
