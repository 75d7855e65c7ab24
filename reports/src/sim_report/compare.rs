//! Several runs side by side: which runs compare, the comparison sentences,
//! the comparison table and its CSV.

use super::*;

/// Runs of the same step share an energy plot.
pub(super) fn step_groups(runs: &[Run]) -> Vec<Vec<usize>> {
    let mut keys: Vec<String> = Vec::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let k = r.step();
        match keys.iter().position(|x| *x == k) {
            Some(j) => out[j].push(i),
            None => {
                keys.push(k);
                out.push(vec![i]);
            }
        }
    }
    out
}

/// A run's design, with its model when it is not the model's own encoding
/// ("edge_fp16 running bitnet-b1.58-2B-4T@fp16").
pub(super) fn who(r: &Run) -> String {
    if r.result.model.contains('@') {
        format!("{} (running {})", r.result.design, r.result.model)
    } else {
        r.result.design.clone()
    }
}

/// One sentence per pair of runs of the same step (the first run against
/// each other), on area, and on where each run's energy goes.
pub fn comparisons(runs: &[Run]) -> Vec<String> {
    let mut v = Vec::new();
    for g in step_groups(runs) {
        let a = &runs[g[0]];
        for &j in &g[1..] {
            let b = &runs[j];
            let (ea, eb) = (a.per_token_total(), b.per_token_total());
            let (ta, tb) = (a.result.tokens_per_s, b.result.tokens_per_s);
            let e = if ea <= eb {
                format!("spends **{} less energy per token**", times(eb / ea))
            } else {
                format!("spends **{} more energy per token**", times(ea / eb))
            };
            let t = if ta >= tb {
                format!("runs **{} faster**", times(ta / tb))
            } else {
                format!("runs **{} slower**", times(tb / ta))
            };
            v.push(format!(
                "{}: {} {e} than {} ({} vs {}) and {t} ({} vs {} tokens/s).",
                a.result.phase,
                who(a),
                who(b),
                energy(ea),
                energy(eb),
                sig3(ta),
                sig3(tb)
            ));
        }
    }
    let mut designs: Vec<&Run> = Vec::new();
    for r in runs {
        if !designs.iter().any(|d| d.result.design == r.result.design) {
            designs.push(r);
        }
    }
    if designs.len() >= 2 {
        let a = designs[0];
        let parts: Vec<String> = designs[1..]
            .iter()
            .map(|b| {
                format!(
                    "{} {} ({} of {})",
                    b.result.design,
                    format::mm2(b.area.total_mm2()),
                    times(b.area.total_mm2() / a.area.total_mm2().max(f64::MIN_POSITIVE)),
                    a.result.design
                )
            })
            .collect();
        v.push(format!(
            "Area: {} {}; {}.",
            a.result.design,
            format::mm2(a.area.total_mm2()),
            parts.join(", ")
        ));
    }
    for r in runs {
        let (top, share) = r.top_component();
        let (m, c) = (r.result.memory_bound_share, r.result.compute_bound_share);
        let bound = if m > 0.5 {
            format!("memory-bound ({} of the cycles only DRAM works)", pct(m))
        } else {
            format!(
                "compute-bound (some unit computes in {} of the cycles)",
                pct(c)
            )
        };
        v.push(format!(
            "{}: {} of the energy is {top}; {bound}.",
            r.label(),
            pct(share)
        ));
    }
    v
}

pub(super) fn comparison_table(runs: &[Run]) -> Table {
    let mut t = Table::new(&[
        ("design", Align::Left),
        ("step", Align::Left),
        ("energy/token", Align::Right),
        ("tokens/s", Align::Right),
        ("latency", Align::Right),
        ("power", Align::Right),
        ("area", Align::Right),
        ("TOPS/W", Align::Right),
        ("bound", Align::Left),
    ]);
    for r in runs {
        t.row(vec![
            r.result.design.clone(),
            r.step(),
            energy(r.per_token_total()),
            sig3(r.result.tokens_per_s),
            time(r.result.latency_s),
            format!("{} W", sig3(r.energy.average_power_w)),
            format::mm2(r.area.total_mm2()),
            sig3(r.energy.tops_per_watt),
            bound_words(r).0,
        ]);
    }
    t
}

pub(super) fn runs_csv(runs: &[Run]) -> String {
    let mut t = Table::new(&[
        ("design", Align::Left),
        ("model", Align::Left),
        ("phase", Align::Left),
        ("batch", Align::Right),
        ("seq", Align::Right),
        ("tokens", Align::Right),
        ("cycles", Align::Right),
        ("latency_s", Align::Right),
        ("tokens_per_s", Align::Right),
        ("j_per_token", Align::Right),
        ("average_power_w", Align::Right),
        ("area_mm2", Align::Right),
        ("tops_per_watt", Align::Right),
        ("pj_per_mac", Align::Right),
        ("array_utilization", Align::Right),
        ("compute_bound_share", Align::Right),
        ("memory_bound_share", Align::Right),
        ("dram_read_bytes", Align::Right),
        ("dram_write_bytes", Align::Right),
        ("technology", Align::Left),
    ]);
    for r in runs {
        let s = &r.result;
        t.row(vec![
            s.design.clone(),
            s.model.clone(),
            s.phase.to_string(),
            s.batch.to_string(),
            s.seq.to_string(),
            s.tokens.to_string(),
            s.cycles.to_string(),
            format!("{}", s.latency_s),
            format!("{}", s.tokens_per_s),
            format!("{}", r.energy.joules_per_token),
            format!("{}", r.energy.average_power_w),
            format!("{}", r.area.total_mm2()),
            format!("{}", r.energy.tops_per_watt),
            format!("{}", r.energy.pj_per_mac),
            format!("{}", s.array_utilization),
            format!("{}", s.compute_bound_share),
            format!("{}", s.memory_bound_share),
            s.traffic.dram_read_bytes.to_string(),
            s.traffic.dram_write_bytes.to_string(),
            r.energy.technology.clone(),
        ]);
    }
    t.to_csv()
}
