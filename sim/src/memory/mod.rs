//! The memory system at transaction level: the DRAM channel with bandwidth,
//! latency and outstanding requests, and the on-chip SRAM buffers.

pub mod dram;
pub mod rate;
pub mod reach;
pub mod sram;

pub use dram::DramChannel;
pub use reach::{design_warnings, DesignWarning};
pub use sram::SramPort;
