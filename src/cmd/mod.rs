//! One module per subcommand.

pub mod check;
pub mod demo;
pub mod dram;
pub mod merge;
pub mod models;
pub mod paper;
pub mod paper_chips;
pub mod presets;
pub mod report;
pub mod rtl;
pub mod rtl_accel;
pub mod run_layer;
pub mod sim;
pub mod sim_system;
pub mod sweep;
pub mod sweep_slurm;
pub mod trace;
pub mod weights;
