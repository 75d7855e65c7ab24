//! On-chip SRAM buffers as ports of a fixed width: how many cycles a
//! buffer needs to deliver the bytes a datapath asks for.

use crate::arch::SramConfig;

/// A buffer's read/write port: `banks * bank_bytes` bytes per cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SramPort {
    /// Bytes per cycle.
    pub bytes_per_cycle: u64,
}

impl SramPort {
    /// The port of `cfg`.
    pub fn new(cfg: &SramConfig) -> SramPort {
        SramPort {
            bytes_per_cycle: cfg.bytes_per_cycle().max(1),
        }
    }

    /// Cycles to move `bytes` through the port (at least 1 when bytes > 0).
    pub fn cycles_for(self, bytes: u64) -> u64 {
        bytes.div_ceil(self.bytes_per_cycle)
    }
}
