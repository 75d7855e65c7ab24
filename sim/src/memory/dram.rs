//! The DRAM (or HBM) channel: transfers are served in issue order; each
//! starts `latency` cycles after it is issued or when the data bus frees,
//! whichever is later, and then occupies the bus for its bytes divided by
//! the sustained rate.
//!
//! The sustained rate is the lesser of the peak bandwidth and what the
//! outstanding-request window sustains over the latency (Little's law):
//! `min(GB/s / GHz, max_outstanding * request_bytes / latency)` bytes per
//! cycle, kept as an exact fraction so that cycle counts are integers
//! computed without rounding drift.

use crate::arch::Accelerator;

/// An exact rate in bytes per cycle, `num / den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Numerator (bytes).
    pub num: u64,
    /// Denominator (cycles).
    pub den: u64,
}

impl Rate {
    /// Cycles to move `bytes` at this rate, rounded up.
    pub fn cycles_for(self, bytes: u64) -> u64 {
        let c = (u128::from(bytes) * u128::from(self.den)).div_ceil(u128::from(self.num));
        u64::try_from(c).unwrap_or(u64::MAX)
    }

    /// The rate as a float, for reports.
    pub fn bytes_per_cycle(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    fn min(self, other: Rate) -> Rate {
        // a/b < c/d  <=>  a*d < c*b
        if u128::from(self.num) * u128::from(other.den)
            <= u128::from(other.num) * u128::from(self.den)
        {
            self
        } else {
            other
        }
    }
}

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
        // bytes per cycle = (GB/s) / (GHz), both kept to 1/1000.
        let peak = Rate {
            num: ((d.bandwidth_gbps * 1000.0).round() as u64).max(1),
            den: ((arch.clock_ghz * 1000.0).round() as u64).max(1),
        };
        let latency = (d.latency_ns * arch.clock_ghz).ceil() as u64;
        let window = Rate {
            num: (u64::from(d.max_outstanding) * u64::from(d.request_bytes)).max(1),
            den: latency.max(1),
        };
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
        let start = (now + self.latency).max(self.bus_free);
        let end = start + self.rate.cycles_for(bytes);
        self.bus_free = end;
        end
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_exact() {
        let r = Rate {
            num: 51200,
            den: 1000,
        }; // 51.2 B/cycle
        assert_eq!(r.cycles_for(512), 10);
        assert_eq!(r.cycles_for(513), 11);
        assert_eq!(r.cycles_for(0), 0);
        assert_eq!(r.min(Rate { num: 50, den: 1 }), Rate { num: 50, den: 1 });
    }
}
