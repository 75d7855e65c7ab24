//! The cycle-level simulator: accelerator description, datapaths, memory
//! system, mapping, engine and bit-exact model.

pub mod arch;

pub use arch::Accelerator;
pub mod activity;
pub mod capacity;
pub mod datapath;
pub mod engine;
pub mod mapping;
pub mod measured;
pub mod memory;
pub mod result;
pub mod simulate;
pub mod system;

pub use result::SimResult;
pub use simulate::{
    simulate, simulate_measured, simulate_patched, simulate_with_stats, EngineStats, SimError,
    SimOptions,
};
pub mod bitexact;
pub mod tile;
