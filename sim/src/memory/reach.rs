//! What a design can reach of what it states: the DRAM channel's peak
//! bandwidth (`dram.bandwidth_gbps`) is only sustained when enough
//! requests are in flight to cover the latency (Little's law:
//! `max_outstanding x request_bytes / latency`). A design whose window is
//! smaller runs at the window's rate; [`design_warnings`] says so, naming
//! the limiting keys and the reachable figure, for `onebit check`,
//! `onebit sim` and sweeps.

use super::DramChannel;
use crate::arch::Accelerator;
use std::fmt;

/// A stated figure of a design that the simulated design cannot reach.
#[derive(Debug, Clone, PartialEq)]
pub enum DesignWarning {
    /// The outstanding-request window caps the DRAM channel below
    /// `dram.bandwidth_gbps`.
    DramWindow {
        /// The stated peak, GB/s.
        stated_gbps: f64,
        /// What the window sustains, GB/s.
        reachable_gbps: f64,
        /// `dram.max_outstanding`.
        outstanding: u32,
        /// `dram.request_bytes`.
        request_bytes: u32,
        /// `dram.latency_ns`.
        latency_ns: f64,
        /// The latency in cycles (ceil of ns x GHz), which the window covers.
        latency_cycles: u64,
        /// Requests in flight needed to reach the stated peak.
        needed_outstanding: u64,
    },
}

impl DesignWarning {
    /// The keys whose values set the limit.
    pub fn keys(&self) -> &'static [&'static str] {
        match self {
            DesignWarning::DramWindow { .. } => &[
                "dram.bandwidth_gbps",
                "dram.max_outstanding",
                "dram.request_bytes",
                "dram.latency_ns",
            ],
        }
    }

    /// The reachable figure, in the stated unit.
    pub fn reachable(&self) -> f64 {
        match self {
            DesignWarning::DramWindow { reachable_gbps, .. } => *reachable_gbps,
        }
    }
}

impl fmt::Display for DesignWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DesignWarning::DramWindow {
                stated_gbps,
                reachable_gbps,
                outstanding,
                request_bytes,
                latency_ns,
                latency_cycles,
                needed_outstanding,
            } => write!(
                f,
                "`dram.bandwidth_gbps` = {stated_gbps} GB/s is unreachable: `dram.max_outstanding` = \
                 {outstanding} requests x `dram.request_bytes` = {request_bytes} B in flight over \
                 `dram.latency_ns` = {latency_ns} ns ({latency_cycles} cycles) sustain at most \
                 {reachable_gbps:.2} GB/s (Little's law); the simulation runs at that rate. Raise \
                 `dram.max_outstanding` to {needed_outstanding} to reach the stated bandwidth"
            ),
        }
    }
}

/// Every stated figure of `arch` that its simulated design cannot reach.
pub fn design_warnings(arch: &Accelerator) -> Vec<DesignWarning> {
    let ch = DramChannel::new(arch);
    let d = &arch.dram;
    let mut v = Vec::new();
    if ch.rate != ch.peak && ch.rate.less_than(ch.peak) {
        let reachable_gbps = ch.rate.bytes_per_cycle() * arch.clock_ghz;
        // requests needed: peak bytes/cycle x latency cycles / request bytes
        let bytes_in_flight = ch.peak.num * u128::from(ch.latency.max(1));
        let needed = bytes_in_flight
            .div_ceil(ch.peak.den * u128::from(d.request_bytes))
            .max(1);
        v.push(DesignWarning::DramWindow {
            stated_gbps: d.bandwidth_gbps,
            reachable_gbps,
            outstanding: d.max_outstanding,
            request_bytes: d.request_bytes,
            latency_ns: d.latency_ns,
            latency_cycles: ch.latency,
            needed_outstanding: u64::try_from(needed).unwrap_or(u64::MAX),
        });
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::preset;

    #[test]
    fn edge_ternary_at_204_8_is_capped_at_81_92() {
        let mut a = preset("edge-ternary").unwrap();
        assert!(design_warnings(&a).is_empty(), "51.2 GB/s is reachable");
        a.dram.bandwidth_gbps = 102.4;
        // 128 x 64 B / 100 ns = 81.92 GB/s
        a.dram.bandwidth_gbps = 204.8;
        let w = design_warnings(&a);
        assert_eq!(w.len(), 1);
        assert!((w[0].reachable() - 81.92).abs() < 1e-9, "{}", w[0]);
        let text = w[0].to_string();
        assert!(
            text.contains("`dram.bandwidth_gbps` = 204.8 GB/s is unreachable"),
            "{text}"
        );
        assert!(text.contains("at most 81.92 GB/s"), "{text}");
        // 204.8 GB/s x 100 ns = 20480 B = 320 requests of 64 B
        assert!(text.contains("to 320 to reach"), "{text}");
        a.dram.max_outstanding = 320;
        assert!(design_warnings(&a).is_empty());
        a.dram.max_outstanding = 319;
        assert_eq!(design_warnings(&a).len(), 1);
    }
}
