//! The report's tables and their CSV files: operators, operator groups,
//! layers, energy and area.

use super::*;

pub(super) fn ops_csv(r: &Run) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "name",
        "kind",
        "layer",
        "unit",
        "macs",
        "start",
        "done",
        "busy",
        "sram_stall",
        "memory_stall",
        "dependency_stall",
        "dram_bytes",
        "ops_per_dram_byte",
        "ops_per_s",
        "energy_pj",
    ]);
    for (o, e) in r.result.ops.iter().zip(&r.energy.ops) {
        let c = &o.timing.cycles;
        let rp = run::roofline_point(r, o);
        let _ = w.write_record([
            o.name.clone(),
            o.kind.clone(),
            o.layer.map(|l| l.to_string()).unwrap_or_default(),
            o.unit.name().to_string(),
            o.macs.to_string(),
            o.timing.start.to_string(),
            o.timing.done.to_string(),
            c.busy.to_string(),
            c.sram_stall.to_string(),
            c.memory_stall.to_string(),
            c.dependency_stall.to_string(),
            run::op_dram_bytes(o).to_string(),
            rp.map(|p| {
                if p.0.is_finite() {
                    format!("{}", p.0)
                } else {
                    "inf".into()
                }
            })
            .unwrap_or_default(),
            rp.map(|p| format!("{}", p.1)).unwrap_or_default(),
            format!("{}", e.total_pj),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub(super) fn groups_table(r: &Run) -> Table {
    let cs = r.cycle_s();
    let mut t = Table::new(&[
        ("operator", Align::Left),
        ("unit", Align::Left),
        ("count", Align::Right),
        ("computing", Align::Right),
        ("SRAM wait", Align::Right),
        ("DRAM wait", Align::Right),
        ("energy/token", Align::Right),
        ("DRAM bytes", Align::Right),
    ]);
    let tokens = r.result.tokens.max(1) as f64;
    for g in busiest_groups(r, 12) {
        t.row(vec![
            g.name.clone(),
            if g.kind.is_empty() {
                String::new()
            } else {
                g.unit.name().to_string()
            },
            g.count.to_string(),
            time(g.busy as f64 * cs),
            time(g.sram_stall as f64 * cs),
            time(g.memory_stall as f64 * cs),
            energy(g.energy_pj / tokens),
            si(g.dram_bytes as f64, "B"),
        ]);
    }
    t
}

pub(super) fn groups_csv(r: &Run) -> String {
    let mut t = Table::new(&[
        ("operator", Align::Left),
        ("kind", Align::Left),
        ("unit", Align::Left),
        ("count", Align::Right),
        ("busy_cycles", Align::Right),
        ("sram_stall_cycles", Align::Right),
        ("memory_stall_cycles", Align::Right),
        ("dependency_stall_cycles", Align::Right),
        ("macs", Align::Right),
        ("dram_bytes", Align::Right),
        ("energy_pj", Align::Right),
    ]);
    for g in op_groups(r) {
        t.row(vec![
            g.name,
            g.kind,
            g.unit.name().to_string(),
            g.count.to_string(),
            g.busy.to_string(),
            g.sram_stall.to_string(),
            g.memory_stall.to_string(),
            g.dependency_stall.to_string(),
            g.macs.to_string(),
            g.dram_bytes.to_string(),
            format!("{}", g.energy_pj),
        ]);
    }
    t.to_csv()
}

pub(super) fn layers_csv(r: &Run) -> String {
    let mut t = Table::new(&[
        ("layer", Align::Left),
        ("ops", Align::Right),
        ("time_s", Align::Right),
        ("energy_pj", Align::Right),
        ("dram_bytes", Align::Right),
    ]);
    for l in run::layers(r) {
        t.row(vec![
            l.label,
            l.ops.to_string(),
            format!("{}", l.time_s),
            format!("{}", l.energy_pj),
            l.dram_bytes.to_string(),
        ]);
    }
    t.to_csv()
}

pub(super) fn energy_table(runs: &[Run]) -> Table {
    let mut cols: Vec<(String, Align)> = vec![("component".into(), Align::Left)];
    for r in runs {
        cols.push((r.label(), Align::Right));
        cols.push(("share".into(), Align::Right));
    }
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|(s, a)| (s.as_str(), *a)).collect();
    let mut t = Table::new(&cols_ref);
    for c in COMPONENTS {
        if runs.iter().all(|r| r.per_token(c.0) == 0.0) {
            continue;
        }
        let mut row = vec![c.1.to_string()];
        for r in runs {
            row.push(energy(r.per_token(c.0)));
            row.push(pct(
                r.per_token(c.0) / r.per_token_total().max(f64::MIN_POSITIVE)
            ));
        }
        t.row(row);
        // the banked model's DRAM by part, under the DRAM row ("-" for a
        // run of the transaction model)
        if c.0 == "dram" && runs.iter().any(|r| r.energy.dram_parts_pj.is_some()) {
            for (i, p) in run::DRAM_PARTS.iter().enumerate() {
                let mut row = vec![format!("· {}", p.0)];
                for r in runs {
                    match r.dram_part_per_token(i) {
                        Some(v) => {
                            row.push(energy(v));
                            row.push(pct(v / r.per_token_total().max(f64::MIN_POSITIVE)));
                        }
                        None => row.extend(["-".to_string(), "-".to_string()]),
                    }
                }
                t.row(row);
            }
        }
    }
    let mut row = vec!["total".to_string()];
    for r in runs {
        row.push(energy(r.per_token_total()));
        row.push(pct(1.0));
    }
    t.row(row);
    t
}

pub(super) fn energy_csv(runs: &[Run]) -> String {
    let mut cols: Vec<String> = vec!["component".into()];
    cols.extend(runs.iter().map(|r| format!("{}_pj_per_token", r.id())));
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|s| (s.as_str(), Align::Right)).collect();
    let mut t = Table::new(&cols_ref);
    for c in COMPONENTS {
        let mut row = vec![c.0.to_string()];
        row.extend(runs.iter().map(|r| format!("{}", r.per_token(c.0))));
        t.row(row);
    }
    if runs.iter().any(|r| r.energy.dram_parts_pj.is_some()) {
        for (i, key) in [
            "dram_background",
            "dram_act_pre",
            "dram_rd_wr",
            "dram_refresh",
        ]
        .iter()
        .enumerate()
        {
            let mut row = vec![key.to_string()];
            row.extend(runs.iter().map(|r| {
                r.dram_part_per_token(i)
                    .map_or(String::new(), |v| format!("{v}"))
            }));
            t.row(row);
        }
    }
    t.to_csv()
}

pub(super) fn area_table(designs: &[&Run]) -> Table {
    let mut cols: Vec<(String, Align)> = vec![("component".into(), Align::Left)];
    for d in designs {
        cols.push((d.result.design.clone(), Align::Right));
    }
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|(s, a)| (s.as_str(), *a)).collect();
    let mut t = Table::new(&cols_ref);
    for (i, (name, _)) in designs[0].area.components().iter().enumerate() {
        let mut row = vec![name.to_string()];
        row.extend(
            designs
                .iter()
                .map(|d| format!("{:.4} mm²", d.area.components()[i].1)),
        );
        t.row(row);
    }
    let mut row = vec!["total".to_string()];
    row.extend(
        designs
            .iter()
            .map(|d| format!("{:.4} mm²", d.area.total_mm2())),
    );
    t.row(row);
    // outside the core: DRAM PHYs and controllers, host I/O, prefetch SRAM,
    // bus routing (docs/energy.md), when the results carry them
    if designs.iter().all(|d| d.area.system.is_some()) {
        let sys = |d: &Run| d.area.system.clone().unwrap_or_default();
        for i in 0..sys(designs[0]).components().len() {
            let name = sys(designs[0]).components()[i].0;
            let mut row = vec![name.to_string()];
            row.extend(
                designs
                    .iter()
                    .map(|d| format!("{:.4} mm²", sys(d).components()[i].1)),
            );
            t.row(row);
        }
        let mut row = vec!["die".to_string()];
        row.extend(
            designs
                .iter()
                .map(|d| format!("{:.4} mm²", d.area.die_mm2())),
        );
        t.row(row);
    }
    t
}

pub(super) fn area_csv(designs: &[&Run]) -> String {
    let mut cols: Vec<String> = vec!["component".into()];
    cols.extend(designs.iter().map(|d| format!("{}_mm2", d.result.design)));
    let cols_ref: Vec<(&str, Align)> = cols.iter().map(|s| (s.as_str(), Align::Right)).collect();
    let mut t = Table::new(&cols_ref);
    for (i, (name, _)) in designs[0].area.components().iter().enumerate() {
        let mut row = vec![name.replace(' ', "_")];
        row.extend(
            designs
                .iter()
                .map(|d| format!("{}", d.area.components()[i].1)),
        );
        t.row(row);
    }
    t.to_csv()
}
