//! The report's opening: the cards (cost in large type) and the sentences on
//! where the energy and the time go.

use super::*;

/// What bounds a run: a short value ("memory 88.1%") and a sentence.
pub(super) fn bound_words(r: &Run) -> (String, String) {
    let m = r.result.memory_bound_share;
    let c = r.result.compute_bound_share;
    if m > 0.5 {
        (
            format!("memory {}", pct(m)),
            format!(
                "memory: in {} of the cycles no unit computes while DRAM transfers (some unit computes in {})",
                pct(m),
                pct(c)
            ),
        )
    } else {
        (
            format!("compute {}", pct(c)),
            format!(
                "compute: some unit computes in {} of the cycles (DRAM alone in {})",
                pct(c),
                pct(m)
            ),
        )
    }
}

pub(super) fn cards(r: &Run) -> Vec<Card> {
    let (top, share) = r.top_component();
    let res = &r.result;
    let (bv, _) = bound_words(r);
    vec![
        Card::new(
            "Energy per token",
            energy(r.per_token_total()),
            format!("{} of it {top}", pct(share)),
        ),
        Card::new(
            "Throughput",
            format!("{} tokens/s", sig3(res.tokens_per_s)),
            format!(
                "{} per step of {} token{}",
                time(res.latency_s),
                res.tokens,
                if res.tokens == 1 { "" } else { "s" }
            ),
        ),
        Card::new(
            "Average power",
            format!("{} W", sig3(r.energy.average_power_w)),
            format!("leakage {} mW", sig3(r.energy.leakage_w * 1e3)),
        ),
        Card::new(
            "Area",
            format::mm2(r.area.total_mm2()),
            format!(
                "{} SRAM, at {}",
                pct(r.area.sram_mm2() / r.area.total_mm2().max(f64::MIN_POSITIVE)),
                r.area.technology
            ),
        ),
        Card::new(
            "Efficiency",
            format!("{} TOPS/W", sig3(r.energy.tops_per_watt)),
            format!("{} pJ per MAC, all energy", sig3(r.energy.pj_per_mac)),
        ),
        Card::new(
            "Bound by",
            bv.split(' ').next().unwrap_or(""),
            format!(
                "{} of the cycles; array utilization {}",
                bv.split(' ').nth(1).unwrap_or(""),
                pct(r.result.array_utilization)
            ),
        ),
        dram_card(r),
    ]
}

/// DRAM efficiency (achieved over peak bandwidth) and, for the banked
/// model, the row-buffer hit rate and the refresh share.
pub(super) fn dram_card(r: &Run) -> Card {
    let res = &r.result;
    let peak = r.arch.dram.bandwidth_gbps;
    let sub = match &res.dram {
        Some(d) => format!(
            "banked {} x {}: row hits {}, refresh {}",
            d.preset,
            d.channels,
            pct(d.row_hit_rate),
            pct(d.refresh_share)
        ),
        None => format!("transaction model, of {} GB/s peak", sig3(peak)),
    };
    Card::new("DRAM efficiency", pct(res.dram_efficiency(peak)), sub)
}

/// The top operator groups by occupied time, and "other" for the rest.
pub(super) fn busiest_groups(r: &Run, n: usize) -> Vec<run::OpGroup> {
    let mut g = op_groups(r);
    g.sort_by(|a, b| b.occupied().cmp(&a.occupied()).then(a.name.cmp(&b.name)));
    if g.len() > n {
        let rest = g.split_off(n - 1);
        let mut other = run::OpGroup {
            name: format!(
                "{} other operators",
                rest.iter().map(|x| x.count).sum::<usize>()
            ),
            kind: String::new(),
            unit: Unit::Vector,
            count: 0,
            busy: 0,
            sram_stall: 0,
            memory_stall: 0,
            dependency_stall: 0,
            energy_pj: 0.0,
            dram_bytes: 0,
            macs: 0,
        };
        for x in rest {
            other.count += x.count;
            other.busy += x.busy;
            other.sram_stall += x.sram_stall;
            other.memory_stall += x.memory_stall;
            other.dependency_stall += x.dependency_stall;
            other.energy_pj += x.energy_pj;
            other.dram_bytes += x.dram_bytes;
            other.macs += x.macs;
        }
        g.push(other);
    }
    g
}

pub(super) fn takeaways(r: &Run) -> Vec<String> {
    let res = &r.result;
    let (top, share) = r.top_component();
    let mut v = vec![format!(
        "**{}** per token; the largest share, {}, is **{top}**.",
        energy(r.per_token_total()),
        pct(share)
    )];
    let (_, bn) = bound_words(r);
    v.push(format!(
        "**{} tokens/s** ({} per step); the run is bound by {bn}.",
        sig3(res.tokens_per_s),
        time(res.latency_s)
    ));
    let groups = busiest_groups(r, 100);
    let total: u64 = groups.iter().map(|g| g.occupied()).sum();
    if total > 0 {
        let names: Vec<String> = groups
            .iter()
            .take(3)
            .map(|g| format!("`{}` {}", g.name, pct(g.occupied() as f64 / total as f64)))
            .collect();
        v.push(format!(
            "The busiest operators (summed over the layers, share of all units' computing and memory-wait time): {}.",
            names.join(", ")
        ));
    }
    v.push(format!(
        "**{}** of silicon at {}, {} of it SRAM buffers.",
        format::mm2(r.area.total_mm2()),
        r.area.technology,
        pct(r.area.sram_mm2() / r.area.total_mm2().max(f64::MIN_POSITIVE))
    ));
    let searched: Vec<&sim::mapping::MappingChoice> = r
        .result
        .ops
        .iter()
        .filter_map(|o| o.choice.as_ref())
        .collect();
    if let Some(first) = searched.first() {
        let moved = searched
            .iter()
            .filter(|c| c.chosen != sim::mapping::LinearMapping::fixed(&r.arch))
            .count();
        v.push(format!(
            "The mapper searched {} lane-array products on {} (up to {} candidates each): {} took a mapping other than the fixed one (the summary lists each choice with its runner-up).",
            searched.len(),
            first.objective.name(),
            searched.iter().map(|c| c.candidates).max().unwrap_or(0),
            moved
        ));
    }
    if let Some(sys) = &r.area.system {
        let limit = energy_model::system_area::data().power.limit_w_per_mm2;
        let dram_share = r.energy.per_token_pj.get("dram").map_or(0.0, |d| {
            d / (r.energy.joules_per_token * 1e12).max(f64::MIN_POSITIVE)
        });
        let core_w = r.energy.average_power_w * (1.0 - dram_share);
        let density = core_w / r.area.total_mm2().max(f64::MIN_POSITIVE);
        v.push(format!(
            "With {} the die is **{}**; the core draws {:.3} W/mm² without the DRAM accesses ({} the {limit} W/mm² limit of docs/energy.md).",
            sys.dram
                .as_ref()
                .map_or("no DRAM interface".to_string(), |d| format!(
                    "{} {} PHY{} and controller{}{}{}",
                    d.count,
                    d.interface,
                    if d.count == 1 { "" } else { "s" },
                    if d.count == 1 { "" } else { "s" },
                    if sys.host_io.is_some() { ", a host link" } else { "" },
                    if sys.floorplan.is_some() { " and the bus routing" } else { "" }
                )),
            format::mm2(r.area.die_mm2()),
            density,
            if density > limit { "**above**" } else { "within" }
        ));
    }
    v
}
