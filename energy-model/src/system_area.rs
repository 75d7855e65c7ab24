//! Area outside the core: the DRAM interfaces (PHY and controller per
//! interface), the host I/O of a discrete accelerator, and the routing of
//! the array's buses (wires.rs), from the cited figures of
//! `energy-model/data/system.toml`; and the power-density check.
//!
//! The number of DRAM interfaces is what the design's bandwidth needs:
//! `ceil(dram.bandwidth_gbps / peak of one interface)` of the interface its
//! `dram.kind` uses. PHYs keep their area at every node; controllers scale
//! with the node's logic density (its NAND2 area over 7 nm's), as
//! LLMCompass's area model does.

use crate::tech::{Key, Technology};
use serde::{Deserialize, Serialize};
use sim::arch::DramKind;
use sim::Accelerator;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One interface of the data file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InterfaceSpec {
    /// Data pins.
    pub data_bits: u32,
    /// Peak bandwidth of one interface, GB/s.
    pub peak_gbps: f64,
    /// Where the peak comes from.
    pub peak_source: String,
    /// PHY area, mm² (every node).
    pub phy_mm2: f64,
    /// Where it comes from.
    pub phy_source: String,
    /// Controller area at 7 nm, mm².
    pub controller_mm2_7nm: f64,
    /// Where it comes from.
    pub controller_source: String,
}

/// Which interface each DRAM kind uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kinds {
    /// LPDDR5.
    pub lpddr5: String,
    /// DDR4.
    pub ddr4: String,
    /// HBM2e.
    pub hbm2e: String,
    /// HBM3.
    pub hbm3: String,
    /// The kinds whose designs carry a host link.
    pub host_io_with: Vec<String>,
    /// The host link's interface.
    pub host_io: String,
    /// Why.
    pub host_io_source: String,
}

/// Wires of one node.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NodeWires {
    /// Energy of one transition on 1 mm of wire, pJ.
    pub pj_per_bit_mm: f64,
    /// Where it comes from.
    pub wire_source: String,
    /// Share of bits toggling per transfer.
    pub activity: f64,
    /// Where it comes from.
    pub activity_source: String,
    /// Routing pitch of the bus layers, nm.
    pub pitch_nm: f64,
    /// Where it comes from.
    pub pitch_source: String,
    /// Routing layers the buses use.
    pub layers: f64,
    /// Where it comes from.
    pub layers_source: String,
}

/// The power-density limit.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PowerLimit {
    /// W/mm².
    pub limit_w_per_mm2: f64,
    /// Where it comes from.
    pub limit_source: String,
}

/// The whole data file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SystemData {
    /// Interfaces by name.
    pub interface: BTreeMap<String, InterfaceSpec>,
    /// Interface of each DRAM kind.
    pub kinds: Kinds,
    /// Wires by node name (`7nm`, `45nm`).
    pub node: BTreeMap<String, NodeWires>,
    /// The power-density limit.
    pub power: PowerLimit,
}

/// The committed data (`energy-model/data/system.toml`).
pub fn data() -> &'static SystemData {
    static DATA: OnceLock<SystemData> = OnceLock::new();
    DATA.get_or_init(|| {
        toml::from_str(include_str!("../data/system.toml"))
            .expect("data/system.toml is checked by a test")
    })
}

impl SystemData {
    /// The wires of the node nearest to `t`'s feature size.
    pub fn wires_for(&self, t: &Technology) -> (&str, &NodeWires) {
        self.node
            .iter()
            .min_by(|a, b| {
                let d = |n: &str| {
                    (n.trim_end_matches("nm").parse::<f64>().unwrap_or(f64::MAX) - t.node_nm).abs()
                };
                d(a.0).total_cmp(&d(b.0))
            })
            .map(|(n, w)| (n.as_str(), w))
            .expect("the data file has nodes")
    }
}

/// Interfaces of one kind on a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterfaceArea {
    /// Interface name (`hbm3`, `lpddr5-x16`, ...).
    pub interface: String,
    /// How many.
    pub count: u32,
    /// PHY area of all of them, mm².
    pub phy_mm2: f64,
    /// Controller area of all of them at the design's node, mm².
    pub controller_mm2: f64,
}

impl InterfaceArea {
    /// PHY and controller, mm².
    pub fn mm2(&self) -> f64 {
        self.phy_mm2 + self.controller_mm2
    }
}

fn interface_area(t: &Technology, name: &str, count: u32) -> InterfaceArea {
    let d = data();
    let spec = &d.interface[name];
    let scale = t.get(Key::Nand2Um2) / Technology::default_7nm().get(Key::Nand2Um2);
    InterfaceArea {
        interface: name.to_string(),
        count,
        phy_mm2: spec.phy_mm2 * f64::from(count),
        controller_mm2: spec.controller_mm2_7nm * scale * f64::from(count),
    }
}

/// The DRAM interfaces of `arch` and its host link, if any.
pub fn interfaces(arch: &Accelerator, t: &Technology) -> (InterfaceArea, Option<InterfaceArea>) {
    let d = data();
    let (kind, name) = match arch.dram.kind {
        DramKind::Lpddr5 => ("lpddr5", &d.kinds.lpddr5),
        DramKind::Ddr4 => ("ddr4", &d.kinds.ddr4),
        DramKind::Hbm2e => ("hbm2e", &d.kinds.hbm2e),
        DramKind::Hbm3 => ("hbm3", &d.kinds.hbm3),
    };
    let peak = d.interface[name.as_str()].peak_gbps;
    let gbps = arch.dram.derived_gbps().unwrap_or(arch.dram.bandwidth_gbps);
    let count = ((gbps / peak) - 1e-9).ceil().max(1.0) as u32;
    let host = d
        .kinds
        .host_io_with
        .iter()
        .any(|k| k == kind)
        .then(|| interface_area(t, &d.kinds.host_io, 1));
    (interface_area(t, name, count), host)
}

/// Average power density of `watts` over `mm2`, and whether it passes the limit.
pub fn power_density(watts: f64, mm2: f64) -> (f64, bool) {
    let w = if mm2 > 0.0 { watts / mm2 } else { 0.0 };
    (w, w > data().power.limit_w_per_mm2)
}

/// The system components of a design's area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SystemArea {
    /// The DRAM interfaces.
    pub dram: Option<InterfaceArea>,
    /// The host link (discrete accelerators).
    pub host_io: Option<InterfaceArea>,
    /// Extra SRAM of prefetch slots beyond two per unit, mm².
    pub prefetch_sram_mm2: f64,
    /// Wire lengths and routing area of the array's buses.
    pub floorplan: Option<crate::wires::Floorplan>,
}

impl SystemArea {
    /// The system components of `arch` with its core area `core`.
    pub fn of(arch: &Accelerator, t: &Technology, core: &crate::area::AreaReport) -> SystemArea {
        let (dram, host_io) = interfaces(arch, t);
        // prefetch slots beyond the two halves: one tile (half a buffer) each,
        // of the weight buffer for the array, of the activation buffer for
        // the vector and attention units
        let extra = f64::from(arch.prefetch_slots(true).saturating_sub(2));
        let prefetch_sram_mm2 =
            extra * (core.sram_weights_mm2 / 2.0 + 2.0 * core.sram_activations_mm2 / 2.0);
        SystemArea {
            dram: Some(dram),
            host_io,
            prefetch_sram_mm2,
            floorplan: Some(crate::wires::Floorplan::of(arch, t, core)),
        }
    }

    /// Everything outside the core, mm².
    pub fn mm2(&self) -> f64 {
        self.dram.as_ref().map_or(0.0, InterfaceArea::mm2)
            + self.host_io.as_ref().map_or(0.0, InterfaceArea::mm2)
            + self.prefetch_sram_mm2
            + self.floorplan.map_or(0.0, |f| f.routing_mm2)
    }

    /// Components and their mm², in a fixed order.
    pub fn components(&self) -> [(&'static str, f64); 5] {
        [
            ("DRAM PHY", self.dram.as_ref().map_or(0.0, |d| d.phy_mm2)),
            (
                "DRAM controller",
                self.dram.as_ref().map_or(0.0, |d| d.controller_mm2),
            ),
            (
                "host I/O",
                self.host_io.as_ref().map_or(0.0, InterfaceArea::mm2),
            ),
            ("prefetch SRAM", self.prefetch_sram_mm2),
            ("bus routing", self.floorplan.map_or(0.0, |f| f.routing_mm2)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn the_data_file_parses_and_names_its_sources() {
        let d = data();
        for (n, i) in &d.interface {
            assert!(i.phy_mm2 > 0.0 && i.peak_gbps > 0.0, "{n}");
            assert!(
                !i.phy_source.is_empty() && !i.controller_source.is_empty(),
                "{n}"
            );
        }
        for n in [
            &d.kinds.lpddr5,
            &d.kinds.ddr4,
            &d.kinds.hbm2e,
            &d.kinds.hbm3,
            &d.kinds.host_io,
        ] {
            assert!(d.interface.contains_key(n.as_str()), "{n}");
        }
        assert!(d.node.contains_key("7nm") && d.node.contains_key("45nm"));
    }

    #[test]
    fn phy_area_of_the_presets() {
        let t = Technology::default_7nm();
        // edge-ternary: 51.2 GB/s of LPDDR5-6400 = 4 x16 channels:
        // PHY 4 x 0.725 = 2.9 mm², controllers 4 x 0.467 = 1.868 mm²
        let (dram, host) = interfaces(&preset("edge-ternary").unwrap(), &t);
        assert_eq!((dram.interface.as_str(), dram.count), ("lpddr5-x16", 4));
        assert!((dram.phy_mm2 - 2.9).abs() < 1e-9 && (dram.controller_mm2 - 1.868).abs() < 1e-9);
        assert!(host.is_none());
        // datacenter-ternary: 3276.8 GB/s of HBM3 = 4 stacks: PHY 41.8 mm²,
        // controllers 22.828 mm²; and a PCIe 5.0 x16 host link, 10.24 + 0.888
        let (dram, host) = interfaces(&preset("datacenter-ternary").unwrap(), &t);
        assert_eq!((dram.interface.as_str(), dram.count), ("hbm3", 4));
        assert!((dram.phy_mm2 - 41.8).abs() < 1e-9, "{dram:?}");
        assert!((dram.controller_mm2 - 22.828).abs() < 1e-9, "{dram:?}");
        let host = host.unwrap();
        assert!((host.mm2() - 11.128).abs() < 1e-9, "{host:?}");
        // an x32 LPDDR5 interface is two x16 ones
        let x16 = interface_area(&t, "lpddr5-x16", 2);
        let x32 = interface_area(&t, "lpddr5-x32", 1);
        assert!((x16.mm2() - x32.mm2()).abs() < 1e-9);
        // at 45 nm the controllers grow with the NAND2 area, the PHYs do not
        let t45 = Technology::builtin("45nm").unwrap();
        let (d45, _) = interfaces(&preset("edge-ternary").unwrap(), &t45);
        assert_eq!(d45.phy_mm2, 2.9);
        assert!((d45.controller_mm2 - 1.868 * 0.798 / 0.041).abs() < 1e-6);
    }

    #[test]
    fn density_limit_is_flagged() {
        assert_eq!(power_density(0.86, 1.0), (0.86, false));
        assert!(power_density(5.0, 1.0).1);
    }
}
