//! Energy and area model: technology tables with a source for every entry
//! (7 nm default, 16, 28 and 45 nm), the energy of every event the simulator counts,
//! breakdowns per component, operator and token, area from gate
//! equivalents and SRAM macros, and the BitNet papers' figures recomputed.
//!
//! The model is described, with every source and assumption, in
//! docs/energy.md.

pub mod area;
pub mod area_fit;
pub mod baselines;
pub mod chips;
pub mod control_cells;
pub mod datapaths;
pub mod energy;
pub mod lane_extras;
pub mod mapper_prices;
pub mod node_curve;
pub mod paper;
pub mod paper_throughput;
pub mod price;
pub mod system;
pub mod system_area;
pub mod tech;
pub mod wires;

pub use area::{AreaReport, CellCounts};
pub use energy::{estimate, Breakdown, EnergyReport, OpEnergy, ENERGY_SCHEMA};
pub use mapper_prices::{default_mapper, default_options, mapper_prices};
pub use tech::{Key, TechError, Technology};
