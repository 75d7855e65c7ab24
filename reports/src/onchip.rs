//! On-chip data movement in a run's summary: the mapper's choices (with
//! the runner-up and the fixed mapping's cost), SRAM against lane-register
//! traffic, area by component including the DRAM PHYs, controllers, host
//! I/O and bus routing, and the power-density check.

use crate::table::{Align, Table};
use energy_model::system_area::{data, power_density};
use energy_model::{AreaReport, EnergyReport};
use sim::activity::Buffer;
use sim::SimResult;

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// The mapper's choices, one row per distinct choice (operators of the
/// same shape share one), at most `top` rows.
pub fn mapping_table(r: &SimResult, top: usize) -> String {
    let mut rows: Vec<(String, u64, String)> = Vec::new();
    for o in &r.ops {
        let Some(c) = &o.choice else { continue };
        let line = c.describe();
        let fixed = format!(
            "{} cycles, {:.4e} pJ",
            c.fixed_cost.cycles, c.fixed_cost.energy_pj
        );
        match rows.iter_mut().find(|x| x.2 == line) {
            Some(x) => x.1 += 1,
            None => rows.push((format!("{} | fixed: {fixed}", o.name), 1, line)),
        }
    }
    if rows.is_empty() {
        return String::from(
            "\nmapping: fixed (full K tile, full token block, loop order by DRAM bytes)\n",
        );
    }
    let mut s = format!(
        "\nmapping (searched per operator shape; {} distinct choices):\n",
        rows.len()
    );
    let mut t = Table::new(&[
        ("first operator | fixed mapping's cost", Align::Left),
        ("ops", Align::Right),
        ("choice (cost) and runner-up", Align::Left),
    ]);
    for (name, n, line) in rows.into_iter().take(top) {
        t.row(vec![name, n.to_string(), line]);
    }
    s += &t.to_text();
    s
}

/// SRAM against lane-register traffic of the whole run.
pub fn traffic_table(r: &SimResult) -> String {
    let a = &r.activity;
    let sram = |b: Buffer| a.sram.get(&b).copied().unwrap_or_default();
    let w = sram(Buffer::Weights);
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    t.row(vec![
        "weight SRAM".into(),
        format!(
            "{} read, {} written ({:.1} reads per byte fetched)",
            mib(w.read_bytes),
            mib(w.write_bytes),
            w.read_bytes as f64 / w.write_bytes.max(1) as f64
        ),
    ]);
    for (name, b) in [
        ("activation SRAM", Buffer::Activations),
        ("output SRAM", Buffer::Outputs),
    ] {
        let x = sram(b);
        t.row(vec![
            name.into(),
            format!("{} read, {} written", mib(x.read_bytes), mib(x.write_bytes)),
        ]);
    }
    t.row(vec![
        "lane registers".into(),
        format!(
            "{} written, {} through multiplexers",
            mib(a.reg_bits / 8),
            mib(a.mux_bits / 8)
        ),
    ]);
    format!("\non-chip traffic:\n{}", t.to_text())
}

/// Area by component, the core and the system around it, and the power
/// density against the limit.
pub fn area_table(e: &EnergyReport, a: &AreaReport) -> String {
    let mut t = Table::new(&[("component", Align::Left), ("mm²", Align::Right)]);
    for (name, v) in a.components() {
        t.row(vec![name.into(), format!("{v:.4}")]);
    }
    t.row(vec!["core".into(), format!("{:.4}", a.total_mm2())]);
    let sys = &a.system;
    if let Some(d) = &sys.dram {
        t.row(vec![
            format!("DRAM PHY ({} x {})", d.count, d.interface),
            format!("{:.4}", d.phy_mm2),
        ]);
        t.row(vec![
            "DRAM controller".into(),
            format!("{:.4}", d.controller_mm2),
        ]);
    }
    if let Some(h) = &sys.host_io {
        t.row(vec![
            format!("host I/O ({})", h.interface),
            format!("{:.4}", h.mm2()),
        ]);
    }
    if sys.prefetch_sram_mm2 > 0.0 {
        t.row(vec![
            "prefetch slots SRAM".into(),
            format!("{:.4}", sys.prefetch_sram_mm2),
        ]);
    }
    if let Some(f) = &sys.floorplan {
        t.row(vec![
            "bus routing (upper bound)".into(),
            format!("{:.4}", f.routing_mm2),
        ]);
    }
    t.row(vec!["die".into(), format!("{:.4}", a.die_mm2())]);
    let limit = data().power.limit_w_per_mm2;
    // the DRAM access energy is spent in the devices and the PHYs, not in
    // the core; over the die it counts in full (an upper bound)
    let dram_share = if e.energy_pj > 0.0 {
        e.total_pj.dram / e.energy_pj
    } else {
        0.0
    };
    let core_w = e.average_power_w * (1.0 - dram_share);
    let (core_d, core_over) = power_density(core_w, a.total_mm2());
    let (die_d, die_over) = power_density(e.average_power_w, a.die_mm2());
    let flag = |over: bool| if over { "  ABOVE THE LIMIT" } else { "" };
    let mut s = format!("\narea by component ({}):\n{}", a.technology, t.to_text());
    if let Some(f) = &sys.floorplan {
        s += &format!(
            "floorplan: lane array {:.3} mm on a side; per bit {:.3} mm of activation broadcast, {:.3} mm of weight delivery, {:.3} mm to the output buffer\n",
            f.edge_mm, f.broadcast_mm, f.weight_mm, f.output_mm
        );
    }
    s += &format!(
        "power density: {core_d:.3} W/mm² over the core ({core_w:.3} W without DRAM access){}, {die_d:.3} W/mm² over the die (all power){} (limit {limit} W/mm²: {})\n",
        flag(core_over),
        flag(die_over),
        data().power.limit_source
    );
    s
}

/// The three sections.
pub fn summary(r: &SimResult, e: &EnergyReport, a: &AreaReport, top: usize) -> String {
    mapping_table(r, top) + &traffic_table(r) + &area_table(e, a)
}
