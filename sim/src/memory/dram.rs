//! The DRAM (or HBM) channel: transfers are served in issue order; each
//! starts `latency` cycles after it is issued or when the data bus frees,
//! whichever is later, and then occupies the bus for its bytes divided by
//! the sustained rate.
//!
//! The sustained rate is the lesser of the peak bandwidth and what the
//! outstanding-request window sustains over the latency (Little's law):
//! `min(GB/s / GHz, max_outstanding * request_bytes / latency)` bytes per
//! cycle, kept as an exact fraction of the decimal values the design
//! states (see [`super::rate`]), so that cycle counts are integers computed
//! without rounding. The latency in cycles is `ceil(latency_ns x GHz)`,
//! exactly.

use crate::arch::Accelerator;

use super::rate::product_ceil;
pub use super::rate::Rate;

/// The state of the DRAM channel.
#[derive(Debug, Clone)]
pub struct DramChannel {
    /// Cycles from issue to the first data.
    pub latency: u64,
    /// Sustained transfer rate.
    pub rate: Rate,
    /// Peak rate of the data bus (for reports).
    pub peak: Rate,
    /// First cycle at which the data bus is free.
    bus_free: u64,
}

impl DramChannel {
    /// The channel of `arch`.
    pub fn new(arch: &Accelerator) -> DramChannel {
        let d = &arch.dram;
        // bytes per cycle = (GB/s) / (GHz), exactly (validated designs have
        // both in range, so the fraction exists; 1 byte a cycle otherwise)
        let one = Rate { num: 1, den: 1 };
        let peak = Rate::ratio(d.bandwidth_gbps, arch.clock_ghz).unwrap_or(one);
        let latency = product_ceil(d.latency_ns, arch.clock_ghz).unwrap_or(0);
        let window = Rate::new(
            u128::from(d.max_outstanding) * u128::from(d.request_bytes),
            u128::from(latency.max(1)),
        )
        .unwrap_or(one);
        DramChannel {
            latency,
            rate: peak.min(window),
            peak,
            bus_free: 0,
        }
    }

    /// Issues a transfer of `bytes` at cycle `now`; returns the cycle at
    /// which its last byte has arrived.
    pub fn issue(&mut self, now: u64, bytes: u64) -> u64 {
        // runs are bounded before the engine starts (simulate::MAX_RUN_CYCLES)
        let start = (now + self.latency).max(self.bus_free);
        let end = start + self.rate.cycles_for(bytes);
        self.bus_free = end;
        end
    }

    /// The cycle a transfer issued at `now` would start (its first data):
    /// after the latency, once the data bus frees.
    pub fn first_data(&self, now: u64) -> u64 {
        (now + self.latency).max(self.bus_free)
    }

    /// Moves a bus reservation that ends after `now` later by `shift`
    /// cycles (fast-forward over steady state).
    pub fn shift_bus(&mut self, now: u64, shift: u64) {
        if self.bus_free > now {
            self.bus_free += shift;
        }
    }

    /// First cycle at which the bus is free.
    pub fn bus_free(&self) -> u64 {
        self.bus_free
    }
}
