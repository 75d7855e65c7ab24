//! Replaying a request stream against a DRAM preset: a front end offers the
//! requests in order, one per DRAM cycle (none before its issue cycle when
//! the trace states one), to the controller of the channel its address maps
//! to, retrying while that queue is full; the run ends when every request
//! has completed (reads returned their data, writes issued).

use super::controller::{Controller, ControllerConfig, Stats};
use super::mapping::{decode, Mapping};
use super::power::{Energy, EventEnergy};
use super::spec::DramSpec;
use super::trace::TraceReq;
use serde::{Deserialize, Serialize};

/// How the memory system is set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemConfig {
    /// Channels (each with its own controller).
    pub channels: u32,
    /// Address mapping.
    pub mapping: Mapping,
    /// Controller parameters.
    pub controller: ControllerConfig,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            channels: 1,
            mapping: Mapping::RoBaRaCoCh,
            controller: ControllerConfig::default(),
        }
    }
}

/// The outcome of a replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayResult {
    /// DRAM preset.
    pub preset: String,
    /// Channels.
    pub channels: u32,
    /// Requests replayed.
    pub requests: u64,
    /// DRAM clock cycles (CK of the standard) until the last completion.
    pub cycles: u64,
    /// The same in ns.
    pub time_ns: f64,
    /// Bytes moved.
    pub bytes: u64,
    /// Achieved bandwidth, GB/s.
    pub achieved_gbps: f64,
    /// Peak bandwidth of the channels, GB/s.
    pub peak_gbps: f64,
    /// achieved / peak.
    pub efficiency: f64,
    /// Row-buffer hits / requests reaching the banks.
    pub row_hit_rate: f64,
    /// Share of rank time blocked by refresh.
    pub refresh_share: f64,
    /// Mean read latency, DRAM cycles.
    pub avg_read_latency: f64,
    /// Counters summed over channels.
    pub stats: Stats,
    /// Energy by part.
    pub energy: Energy,
}

/// Replays `reqs` on `channels` channels of `spec`. `accel_ghz` converts the
/// requests' issue cycles, if any, to DRAM cycles. Work is bounded by the
/// caller's request limit: each request completes within a bounded number of
/// cycles (refresh and timing delays are finite).
pub fn replay(
    spec: &DramSpec,
    cfg: &SystemConfig,
    reqs: &[TraceReq],
    accel_ghz: Option<f64>,
) -> ReplayResult {
    let ch = cfg.channels.max(1);
    let mut ctrls: Vec<Controller> = (0..ch)
        .map(|_| Controller::new(spec, cfg.controller.clone()))
        .collect();
    let ratio = accel_ghz.map(|g| spec.ck_ghz() / g);
    let issue_at = |r: &TraceReq| -> u64 {
        match (r.at, ratio) {
            (Some(a), Some(q)) => (a as f64 * q).floor() as u64,
            _ => 0,
        }
    };
    let mut next = 0usize;
    let mut outstanding = 0u64;
    let mut last = 0u64;
    let mut done = Vec::new();
    let mut clk = 0u64;
    loop {
        if let Some(r) = reqs.get(next) {
            if issue_at(r) <= clk {
                let loc = decode(cfg.mapping, &spec.org, ch, r.addr);
                let c = &mut ctrls[loc.channel as usize];
                if c.send(next as u64, r.addr, r.write, loc.path, loc.row, &mut done) {
                    next += 1;
                    outstanding += 1;
                }
            }
        }
        for c in ctrls.iter_mut() {
            c.tick(&mut done);
        }
        clk += 1;
        for &(_, at) in &done {
            last = last.max(at);
        }
        outstanding -= done.len() as u64;
        done.clear();
        if next == reqs.len() && outstanding == 0 {
            break;
        }
        // jump over cycles in which nothing can happen
        if ctrls.iter().all(|c| c.is_idle()) {
            let wake = ctrls
                .iter()
                .map(|c| c.next_wake())
                .min()
                .unwrap_or(u64::MAX);
            let arrival = reqs.get(next).map_or(u64::MAX, issue_at);
            let to = wake.min(arrival.max(clk + 1));
            if to > clk + 1 && to != u64::MAX {
                for c in ctrls.iter_mut() {
                    c.skip_to(to);
                }
                clk = to - 1;
            }
        }
    }
    summarize(spec, cfg, &ctrls, reqs.len() as u64, last)
}

/// The result of a run that ended at `cycles`.
pub fn summarize(
    spec: &DramSpec,
    cfg: &SystemConfig,
    ctrls: &[Controller],
    requests: u64,
    cycles: u64,
) -> ReplayResult {
    let mut stats = Stats::default();
    for c in ctrls {
        stats.add_k(c.stats(), 1);
    }
    let ch = cfg.channels.max(1);
    let bytes = (stats.reads + stats.writes) * u64::from(spec.org.burst_bytes());
    let time_ns = cycles as f64 * f64::from(spec.timing.tck_ps) / 1000.0;
    let peak = spec.peak_gbps_per_channel() * f64::from(ch);
    let achieved = if time_ns > 0.0 {
        bytes as f64 / time_ns
    } else {
        0.0
    };
    let accesses = stats.row_hits + stats.row_misses + stats.row_conflicts;
    let rank_cycles = cycles * u64::from(spec.org.ranks) * u64::from(ch);
    let ev = EventEnergy::of(spec);
    ReplayResult {
        preset: spec.name.clone(),
        channels: ch,
        requests,
        cycles,
        time_ns,
        bytes,
        achieved_gbps: achieved,
        peak_gbps: peak,
        efficiency: if peak > 0.0 { achieved / peak } else { 0.0 },
        row_hit_rate: if accesses > 0 {
            stats.row_hits as f64 / accesses as f64
        } else {
            0.0
        },
        refresh_share: if rank_cycles > 0 {
            stats.refresh_cycles as f64 / rank_cycles as f64
        } else {
            0.0
        },
        avg_read_latency: if stats.reads > 0 {
            stats.read_latency_sum as f64 / stats.reads as f64
        } else {
            0.0
        },
        energy: ev.energy(&stats.counts),
        stats,
    }
}

/// A stream of `n` loads of consecutive bursts from address 0.
pub fn sequential(spec: &DramSpec, n: u64) -> Vec<TraceReq> {
    let b = u64::from(spec.org.burst_bytes());
    (0..n)
        .map(|i| TraceReq {
            write: false,
            addr: i * b,
            at: None,
        })
        .collect()
}
