//! The summary of a multi-chip system's step (`onebit sim --arch
//! SYSTEM.toml`): the system's figures, then one row per pipeline stage
//! (each standing for its tensor-parallel chips), and the result as JSON.

use crate::table::{Align, Table};
use energy_model::system::SystemEnergy;
use serde::Serialize;
use sim::system::{SystemDesign, SystemResult};

/// The schema of a system result's JSON.
pub const SYSTEM_SCHEMA: &str = "onebit.system/1";

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn gib(b: u64) -> String {
    format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64)
}

/// The text summary.
pub fn summary(d: &SystemDesign, r: &SystemResult, e: &SystemEnergy) -> String {
    let s = &d.system;
    let mut out = format!(
        "{} on {} x {} (tp {}, pp {}, {} micro-batch(es), {} links: {} x {} GB/s per direction, {} µs, {} pJ/bit)\n\n",
        r.model,
        s.chips,
        r.chip,
        s.tp,
        s.pp,
        s.micro_batches,
        s.topology.name(),
        s.link.links_per_chip,
        s.link.bandwidth_gbps,
        s.link.latency_us,
        s.link.energy_pj_per_bit
    );
    let mut t = Table::new(&[("system", Align::Left), ("", Align::Right)]);
    t.row(vec!["latency".into(), format!("{:.6} s", r.latency_s)]);
    t.row(vec!["tokens/s".into(), format!("{:.2}", r.tokens_per_s)]);
    t.row(vec![
        "energy/token (links included)".into(),
        format!("{:.6} J", e.joules_per_token),
    ]);
    t.row(vec![
        "links' share of the energy".into(),
        format!("{:.3}%", 100.0 * e.link_share),
    ]);
    t.row(vec![
        "average power".into(),
        format!("{:.3} W", e.average_power_w),
    ]);
    t.row(vec!["link utilization".into(), pct(r.link_utilization)]);
    t.row(vec!["bubble share".into(), pct(r.bubble_share)]);
    t.row(vec![
        "bytes on the links".into(),
        format!("{:.3} MB", r.link_wire_bytes / 1e6),
    ]);
    out += &t.to_text();
    out += "\n";
    let mut c = Table::new(&[
        ("stage", Align::Right),
        ("layers", Align::Left),
        ("chips", Align::Right),
        ("compute s", Align::Right),
        ("send s", Align::Right),
        ("tokens/s (chip)", Align::Right),
        ("J/token (chip)", Align::Right),
        ("link util.", Align::Right),
        ("bubble", Align::Right),
        ("DRAM need", Align::Right),
    ]);
    for (st, en) in r.stages.iter().zip(&e.stages) {
        let per_chip_tokens = if st.compute_s + st.send_s > 0.0 {
            st.result.tokens as f64 / (st.compute_s + st.send_s)
        } else {
            0.0
        };
        c.row(vec![
            st.stage.to_string(),
            format!("{}..={}", st.layers.0, st.layers.1),
            s.tp.to_string(),
            format!("{:.6}", st.compute_s),
            format!("{:.6}", st.send_s),
            format!("{per_chip_tokens:.2}"),
            format!("{:.6}", (en.step_j + en.link_j) / r.tokens.max(1) as f64),
            pct(st.link_utilization),
            pct(st.bubble_share),
            gib(st.footprint.total()),
        ]);
    }
    out += &c.to_text();
    for st in &r.stages {
        for w in &st.result.warnings {
            out += &format!("warning: stage {}: {w}\n", st.stage);
        }
    }
    out
}

#[derive(Serialize)]
struct Json<'a> {
    schema: &'static str,
    result: &'a SystemResult,
    energy: &'a SystemEnergy,
}

/// The result and its energy as JSON.
pub fn json(r: &SystemResult, e: &SystemEnergy) -> String {
    let mut s = serde_json::to_string_pretty(&Json {
        schema: SYSTEM_SCHEMA,
        result: r,
        energy: e,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}
