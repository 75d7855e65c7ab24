//! The prices the mapper weighs candidate mappings with
//! ([`sim::mapping::MapPrices`]), from the same technology table and the
//! same per-event energies the energy report uses: an SRAM byte also pays
//! the wires between its buffer and the lanes ([`crate::wires`]).

use crate::area;
use crate::energy::{dynamic, Prices};
use crate::tech::{Key, Technology};
use sim::activity::Activity;
use sim::mapping::{ChunkCost, MapPrices, Mapper, Objective};
use sim::{Accelerator, SimOptions};

/// The mapper every command runs with by default: the search on `edp`,
/// priced for `arch` in `t` (docs/simulator.md, "The mapper"). Commands
/// that must stay comparable pass `--fixed-mapping` (or keep
/// [`sim::mapping::Mapper::Fixed`], the library's default).
pub fn default_mapper(arch: &Accelerator, t: &Technology) -> Mapper {
    Mapper::Search {
        objective: Objective::Edp,
        prices: Some(mapper_prices(arch, t)),
    }
}

/// [`SimOptions::default`] with [`default_mapper`]: what `onebit sim`,
/// `demo`, `paper`, the chip comparison and sweeps simulate with.
pub fn default_options(arch: &Accelerator, t: &Technology) -> SimOptions {
    SimOptions {
        mapper: default_mapper(arch, t),
        ..SimOptions::default()
    }
}

/// The mapper's prices for `arch` in `t`.
pub fn mapper_prices(arch: &Accelerator, t: &Technology) -> MapPrices {
    let p = Prices::of(arch, t);
    let chunk = ChunkCost::of(arch);
    // the arithmetic of one lane-chunk (no registers), per term
    let lane = Activity {
        reg_bits: 0,
        ..chunk.per_lane.clone()
    };
    let e = dynamic(t, &p, &lane);
    let terms = chunk.per_lane.terms.max(1) as f64;
    let a = area::estimate(arch, t);
    // static power and the array's clock while the operator runs, per cycle
    let leak_w = (a.logic_mm2() * t.get(Key::LogicLeakMwPerMm2)
        + a.sram_mm2() * t.get(Key::SramLeakMwPerMm2))
        * 1e-3;
    let clock = a.flops_of(sim::mapping::Unit::Array) as f64 * p.clock;
    // the wires a byte crosses between its buffer and the lanes
    let fp = crate::wires::Floorplan::of(arch, t, &a);
    let wire = 8.0 * fp.pj_per_bit_mm;
    let mut read = p.sram_read.map(|x| 8.0 * x);
    read[0] += wire * fp.weight_mm;
    read[1] += wire * fp.broadcast_mm;
    let mut write = p.sram_write.map(|x| 8.0 * x);
    write[2] += wire * fp.output_mm;
    MapPrices {
        sram_read_pj_per_byte: read,
        sram_write_pj_per_byte: write,
        dram_pj_per_bit: p.dram,
        reg_pj_per_bit: t.get(Key::RegisterPjPerBit),
        mux_pj_per_bit: t.get(Key::SelectPjPerBit),
        term_pj: (e.array_select
            + e.array_add
            + e.array_popcount
            + e.array_mult
            + e.array_accumulate)
            / terms,
        static_pj_per_cycle: leak_w / (arch.clock_ghz * 1e9) * 1e12 + clock,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn prices_follow_the_table() {
        let t = Technology::default_7nm();
        let arch = preset("edge-ternary").unwrap();
        let m = mapper_prices(&arch, &t);
        let p = Prices::of(&arch, &t);
        assert!(m.sram_read_pj_per_byte[0] > 8.0 * p.sram_read[0]);
        assert_eq!(m.sram_read_pj_per_byte[2], 8.0 * p.sram_read[2]);
        assert_eq!(m.dram_pj_per_bit, t.dram_pj_per_bit(arch.dram.kind));
        assert!(m.term_pj > 0.0 && m.static_pj_per_cycle > 0.0, "{m:?}");
    }
}
