//! The memory system: the transaction-level DRAM channel (bandwidth,
//! latency, outstanding requests), the banked command-level DRAM model, the
//! data bus to the DRAM controller, and the on-chip SRAM buffers.

pub mod banked;
pub mod bus;
pub mod dram;
pub mod model;
pub mod rate;
pub mod reach;
pub mod sram;

pub use bus::Bus;
pub use dram::DramChannel;
pub use model::{Dram, Transfer};
pub use reach::{design_warnings, DesignWarning};
pub use sram::SramPort;
