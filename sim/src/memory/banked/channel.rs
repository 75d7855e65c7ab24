//! The banked model behind the simulator's engine: the engine issues a
//! transfer (bytes at an address, load or store) at an accelerator cycle and
//! needs the cycle at which its last byte has arrived.
//!
//! A transfer becomes one request per burst at consecutive addresses. The
//! requests enter the controllers in issue order, not before the transfer's
//! issue cycle, at most one per channel per DRAM cycle, behind every request
//! of earlier transfers. The device state moves forward only to the cycle at
//! which the transfer's last request has entered its queue; its completion is
//! found by running a copy of the controllers on from there. So a transfer's
//! completion accounts for all earlier traffic and none issued after it.
//!
//! Clocks: an accelerator clock of `f` MHz (the design's `clock_ghz`
//! rounded to whole MHz) and a DRAM clock of period `tCK` ps convert exactly:
//! `dram = ceil(accel * 10^6 / (f * tCK))`, `accel = ceil(dram * f * tCK / 10^6)`.

use super::controller::Controller;
use super::mapping::decode;
use super::replay::{summarize, ReplayResult, SystemConfig};
use super::spec::DramSpec;

/// The banked DRAM of a design.
#[derive(Debug, Clone)]
pub struct BankedChannel {
    spec: DramSpec,
    cfg: SystemConfig,
    ctrls: Vec<Controller>,
    accel_mhz: u64,
    tck_ps: u64,
    /// DRAM cycles simulated on the real controllers.
    clk: u64,
    next_id: u64,
    burst: u64,
    /// Latest completion reported, DRAM cycles.
    busy_until: u64,
    used: Vec<bool>,
    done: Vec<(u64, u64)>,
    requests: u64,
}

impl BankedChannel {
    /// `channels` channels of `spec` behind an accelerator clocked at `clock_ghz`.
    pub fn new(spec: DramSpec, cfg: SystemConfig, clock_ghz: f64) -> BankedChannel {
        let n = cfg.channels.max(1) as usize;
        let ctrls = (0..n)
            .map(|_| Controller::new(&spec, cfg.controller.clone()))
            .collect();
        BankedChannel {
            burst: u64::from(spec.org.burst_bytes()),
            tck_ps: u64::from(spec.timing.tck_ps),
            accel_mhz: ((clock_ghz * 1000.0).round() as u64).max(1),
            spec,
            cfg,
            ctrls,
            clk: 0,
            next_id: 0,
            busy_until: 0,
            used: vec![false; n],
            done: Vec::new(),
            requests: 0,
        }
    }

    fn to_dram(&self, accel: u64) -> u64 {
        let num = u128::from(accel) * 1_000_000;
        let den = u128::from(self.accel_mhz) * u128::from(self.tck_ps);
        u64::try_from(num.div_ceil(den)).unwrap_or(u64::MAX)
    }

    fn to_accel(&self, dram: u64) -> u64 {
        let num = u128::from(dram) * u128::from(self.accel_mhz) * u128::from(self.tck_ps);
        u64::try_from(num.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    /// Bytes per request.
    pub fn burst_bytes(&self) -> u64 {
        self.burst
    }

    fn tick_all(ctrls: &mut [Controller], done: &mut Vec<(u64, u64)>) {
        for c in ctrls.iter_mut() {
            c.tick(done);
        }
    }

    /// Runs the real controllers up to DRAM cycle `to`, skipping cycles in
    /// which nothing is queued.
    fn advance_to(&mut self, to: u64) {
        while self.clk < to {
            if self.ctrls.iter().all(|c| c.is_idle()) {
                let wake = self
                    .ctrls
                    .iter()
                    .map(|c| c.next_wake())
                    .min()
                    .unwrap_or(u64::MAX)
                    .min(to);
                if wake > self.clk + 1 {
                    for c in self.ctrls.iter_mut() {
                        c.skip_to(wake);
                    }
                    self.clk = wake - 1;
                    if self.clk >= to {
                        break;
                    }
                }
            }
            Self::tick_all(&mut self.ctrls, &mut self.done);
            self.done.clear();
            self.clk += 1;
        }
    }

    /// Issues a transfer of `bytes` at `addr` at accelerator cycle `now`;
    /// returns the accelerator cycle at which it has completed.
    pub fn issue(&mut self, now: u64, bytes: u64, addr: u64, write: bool) -> u64 {
        let n = bytes.div_ceil(self.burst);
        if n == 0 {
            return now;
        }
        let start = self.to_dram(now);
        self.advance_to(start);
        let ch = self.cfg.channels.max(1);
        let base = self.next_id;
        self.next_id += n;
        self.requests += n;
        let mut i = 0;
        let mut left = n;
        let mut last = 0;
        let first = addr / self.burst * self.burst;
        while i < n {
            self.used.iter_mut().for_each(|u| *u = false);
            while i < n {
                let a = first + i * self.burst;
                let loc = decode(self.cfg.mapping, &self.spec.org, ch, a);
                let c = loc.channel as usize;
                if self.used[c] {
                    break;
                }
                if !self.ctrls[c].send(base + i, a, write, loc.path, loc.row, &mut self.done) {
                    break;
                }
                self.used[c] = true;
                i += 1;
            }
            Self::tick_all(&mut self.ctrls, &mut self.done);
            self.clk += 1;
            for &(id, at) in &self.done {
                if id >= base {
                    left -= 1;
                    last = last.max(at);
                }
            }
            self.done.clear();
        }
        if left > 0 {
            let mut sim = self.ctrls.clone();
            let mut done = Vec::new();
            while left > 0 {
                Self::tick_all(&mut sim, &mut done);
                for &(id, at) in &done {
                    if id >= base {
                        left -= 1;
                        last = last.max(at);
                    }
                }
                done.clear();
            }
        }
        self.busy_until = self.busy_until.max(last);
        self.to_accel(last).max(now)
    }

    /// The accelerator cycle by which every transfer issued so far completes.
    pub fn busy_until(&self) -> u64 {
        self.to_accel(self.busy_until)
    }

    /// Runs the device to the end of the run (accelerator cycle `end`,
    /// every request complete) and summarizes it over that time.
    pub fn finish(&mut self, end: u64) -> ReplayResult {
        let end_dram = self.to_dram(end);
        self.advance_to(end_dram);
        while !self.ctrls.iter().all(|c| c.is_idle()) {
            Self::tick_all(&mut self.ctrls, &mut self.done);
            self.done.clear();
            self.clk += 1;
        }
        summarize(
            &self.spec,
            &self.cfg,
            &self.ctrls,
            self.requests,
            self.clk.max(end_dram),
        )
    }
}
