//! DRAM energy by the IDD method (Micron TN-41-01, "Calculating Memory
//! System Power for DDR"; the same method for LPDDR5 and HBM3 rails):
//!
//! - background: precharge standby `IDD2N * V` while every bank of a rank is
//!   closed, active standby `IDD3N * V` while any is open, per cycle;
//! - activation: per ACT (with its PRE) `(IDD0 * tRC - (IDD3N * tRAS +
//!   IDD2N * (tRC - tRAS))) * V`;
//! - read / write: per burst `(IDD4R - IDD3N) * V * tBL` (`IDD4W` for
//!   writes), plus the I/O energy of the burst's bits;
//! - refresh: per REFab `(IDD5B - IDD3N) * V * tRFC`; a REFpb refreshes one
//!   bank of the rank's `banks` and is charged that share at tRFCpb.
//!
//! Currents are in mA, so mA * V * ns = pJ.

use super::spec::DramSpec;
use serde::{Deserialize, Serialize};

/// Command and state counts of a run, the inputs of the power model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Activations.
    pub act: u64,
    /// Precharges (explicit, per bank or all-bank; auto-precharges included).
    pub pre: u64,
    /// Read bursts.
    pub rd: u64,
    /// Write bursts.
    pub wr: u64,
    /// All-bank refreshes.
    pub ref_ab: u64,
    /// Per-bank refreshes.
    pub ref_pb: u64,
    /// Rank-cycles with at least one bank open.
    pub active_cycles: u64,
    /// Rank-cycles with every bank closed.
    pub precharged_cycles: u64,
}

impl Counts {
    /// Adds `k` times `d`.
    pub fn add_k(&mut self, d: &Counts, k: u64) {
        self.act += k * d.act;
        self.pre += k * d.pre;
        self.rd += k * d.rd;
        self.wr += k * d.wr;
        self.ref_ab += k * d.ref_ab;
        self.ref_pb += k * d.ref_pb;
        self.active_cycles += k * d.active_cycles;
        self.precharged_cycles += k * d.precharged_cycles;
    }

    /// `self - b`, field by field.
    pub fn minus(&self, b: &Counts) -> Counts {
        Counts {
            act: self.act - b.act,
            pre: self.pre - b.pre,
            rd: self.rd - b.rd,
            wr: self.wr - b.wr,
            ref_ab: self.ref_ab - b.ref_ab,
            ref_pb: self.ref_pb - b.ref_pb,
            active_cycles: self.active_cycles - b.active_cycles,
            precharged_cycles: self.precharged_cycles - b.precharged_cycles,
        }
    }
}

/// Energy by part, in pJ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Energy {
    /// Standby (active and precharge) background.
    pub background_pj: f64,
    /// Activations and precharges.
    pub act_pre_pj: f64,
    /// Read and write bursts, array and I/O.
    pub rd_wr_pj: f64,
    /// Refresh.
    pub refresh_pj: f64,
}

impl Energy {
    /// The sum of the parts.
    pub fn total_pj(&self) -> f64 {
        self.background_pj + self.act_pre_pj + self.rd_wr_pj + self.refresh_pj
    }

    /// Adds `o`.
    pub fn add(&mut self, o: &Energy) {
        self.background_pj += o.background_pj;
        self.act_pre_pj += o.act_pre_pj;
        self.rd_wr_pj += o.rd_wr_pj;
        self.refresh_pj += o.refresh_pj;
    }
}

/// Energy per event of `spec`, in pJ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventEnergy {
    /// One rank-cycle of active standby.
    pub active_cycle: f64,
    /// One rank-cycle of precharge standby.
    pub precharged_cycle: f64,
    /// One ACT with its PRE.
    pub act: f64,
    /// One read burst (array and I/O).
    pub rd: f64,
    /// One write burst.
    pub wr: f64,
    /// One REFab.
    pub ref_ab: f64,
    /// One REFpb.
    pub ref_pb: f64,
}

impl EventEnergy {
    /// The per-event energies of `spec`.
    pub fn of(spec: &DramSpec) -> EventEnergy {
        let t = &spec.timing;
        let tck = f64::from(t.tck_ps) / 1000.0;
        let ns = |c: u32| f64::from(c) * tck;
        let n = spec.power.devices;
        let mut e = EventEnergy {
            active_cycle: 0.0,
            precharged_cycle: 0.0,
            act: 0.0,
            rd: 0.0,
            wr: 0.0,
            ref_ab: 0.0,
            ref_pb: 0.0,
        };
        let banks = f64::from(spec.org.banks_per_rank());
        for r in &spec.power.rails {
            let v = r.volts * n;
            e.active_cycle += r.idd3n * v * tck;
            e.precharged_cycle += r.idd2n * v * tck;
            let act = r.idd0 * ns(t.rc) - (r.idd3n * ns(t.ras) + r.idd2n * ns(t.rc - t.ras));
            e.act += act.max(0.0) * v;
            e.rd += (r.idd4r - r.idd3n).max(0.0) * v * ns(t.bl);
            e.wr += (r.idd4w - r.idd3n).max(0.0) * v * ns(t.bl);
            let refresh = (r.idd5b - r.idd3n).max(0.0) * v;
            e.ref_ab += refresh * ns(t.rfc);
            e.ref_pb += refresh * ns(t.rfc_pb) / banks;
        }
        let io = spec.power.io_pj_per_bit * f64::from(spec.org.burst_bytes()) * 8.0;
        e.rd += io;
        e.wr += io;
        e
    }

    /// The energy of `c`, by part.
    pub fn energy(&self, c: &Counts) -> Energy {
        Energy {
            background_pj: self.active_cycle * c.active_cycles as f64
                + self.precharged_cycle * c.precharged_cycles as f64,
            act_pre_pj: self.act * c.act as f64,
            rd_wr_pj: self.rd * c.rd as f64 + self.wr * c.wr as f64,
            refresh_pj: self.ref_ab * c.ref_ab as f64 + self.ref_pb * c.ref_pb as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::banked::presets;

    #[test]
    fn idd_method_by_hand() {
        // DDR4-3200, VDD rail: ACT energy per device =
        // (114 * 74 - (84 * 52 + 74 * 22)) * 0.625 ns * 1.2 V = 2440 * 0.75 = 1830 pJ
        // VPP: (6 * 74 - (3 * 52 + 3 * 22)) * 0.625 * 2.5 = 222 * 1.5625 = 346.875 pJ
        let s = presets::ddr4_3200();
        let e = EventEnergy::of(&s);
        let expect = 8.0 * (1830.0 + 346.875);
        assert!((e.act - expect).abs() < 1e-6, "{} vs {expect}", e.act);
        // read burst: VDD (280 - 84) * 1.2 * 2.5 ns = 588; VPP 0; x8 devices;
        // I/O 4 pJ/bit * 512 bits = 2048
        let expect_rd = 8.0 * 588.0 + 2048.0;
        assert!((e.rd - expect_rd).abs() < 1e-6, "{} vs {expect_rd}", e.rd);
        let c = Counts {
            act: 2,
            rd: 3,
            ..Counts::default()
        };
        let en = e.energy(&c);
        assert!((en.total_pj() - (2.0 * expect + 3.0 * expect_rd)).abs() < 1e-6);
    }
}
