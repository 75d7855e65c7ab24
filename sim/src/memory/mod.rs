//! The memory system at transaction level: the DRAM channel with bandwidth,
//! latency and outstanding requests, and the on-chip SRAM buffers.

pub mod dram;
pub mod sram;

pub use dram::DramChannel;
pub use sram::SramPort;
