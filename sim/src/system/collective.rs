//! Collectives as message steps on the link unit.
//!
//! A collective among `n` chips of `m` bytes (each chip's full tensor) is a
//! sequence of steps; in each step every chip sends one message to a peer
//! and receives one, so the step takes one message's time over an edge
//! (`SystemConfig::edge_bytes_per_s`). The engine runs each step as one
//! tile of the chip's link unit (the chips being symmetric, one chip's
//! engine times them all).
//!
//! - **all-reduce, ring**: reduce-scatter then all-gather, `2(n-1)` steps
//!   of `m/n` bytes (Patarasuk & Yuan, JPDC 2009; the form LLMCompass and
//!   GenZ use);
//! - **all-reduce, switch**: the direct (two-shot) algorithm a switch
//!   allows: a reduce-scatter step in which every chip sends each of its
//!   `n-1` peers that peer's `m/n` slice at once, then an all-gather step
//!   likewise; each step puts `(n-1)` messages of `m/n` bytes on the
//!   chip's links behind one latency;
//! - **all-reduce, fully connected**: `n-1` reduction steps of `m/n` bytes in
//!   which each pair of chips exchanges chunks over the edge between them,
//!   both directions carrying data (2x the edge's one-way rate), then one
//!   broadcast of the reduced `m/n` over every edge at once at the one-way
//!   rate, its latency hidden behind the last reduction step (LLMCompass's
//!   fully connected model);
//! - **all-gather**: `n-1` ring steps of `m/n` bytes (one direct step
//!   through a switch);
//! - **send** (pipeline stage to stage): one message of `m` bytes.
//!
//! A system's `collective_startup_us` (launch and synchronization time, GenZ's
//! 5 µs) is a first step of its own; it sends nothing.

use super::link::{message_seconds, wire_bytes};
use super::{SystemConfig, Topology};
use serde::{Deserialize, Serialize};

/// A collective operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Collective {
    /// Every chip ends with the sum of every chip's tensor.
    AllReduce,
    /// Every chip ends with every chip's slice.
    AllGather,
    /// A point-to-point transfer to the next pipeline stage.
    Send,
}

impl Collective {
    /// The name used in operator names and reports.
    pub fn name(self) -> &'static str {
        match self {
            Collective::AllReduce => "all-reduce",
            Collective::AllGather => "all-gather",
            Collective::Send => "send",
        }
    }
}

/// One step of a collective: what each chip sends and how long it takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Payload bytes each chip sends in the step.
    pub payload_bytes: f64,
    /// Bytes each chip puts on the wire (payload and headers).
    pub wire_bytes: f64,
    /// Seconds the step takes.
    pub seconds: f64,
}

/// The steps of collective `kind` of `m` bytes among `n` chips of `sys`.
/// No steps when `n < 2` (or `m` is 0) for the reductions; a send always
/// has its one message.
pub fn collective_steps(sys: &SystemConfig, kind: Collective, m: f64, n: u32) -> Vec<Step> {
    let link = &sys.link;
    let edge = sys.edge_bytes_per_s();
    let mut steps = Vec::new();
    if (kind != Collective::Send && n < 2) || m <= 0.0 {
        return steps;
    }
    if sys.collective_startup_us > 0.0 {
        steps.push(Step {
            payload_bytes: 0.0,
            wire_bytes: 0.0,
            seconds: sys.collective_startup_us * 1e-6,
        });
    }
    let msg = |bytes: f64, rate: f64, lat: bool| Step {
        payload_bytes: bytes,
        wire_bytes: wire_bytes(link, bytes),
        seconds: message_seconds(link, bytes, rate, lat),
    };
    let chunk = m / f64::from(n.max(1));
    match kind {
        Collective::AllReduce => match sys.topology {
            Topology::Ring => {
                for _ in 0..2 * (n - 1) {
                    steps.push(msg(chunk, edge, true));
                }
            }
            Topology::Switch => {
                let peers = f64::from(n - 1);
                for _ in 0..2 {
                    let one = wire_bytes(link, chunk);
                    steps.push(Step {
                        payload_bytes: peers * chunk,
                        wire_bytes: peers * one,
                        seconds: link.latency_us * 1e-6 + peers * one / edge,
                    });
                }
            }
            Topology::FullyConnected => {
                for _ in 0..n - 1 {
                    steps.push(msg(chunk, 2.0 * edge, true));
                }
                steps.push(msg(chunk, edge, false));
            }
        },
        Collective::AllGather if sys.topology == Topology::Switch => {
            let one = wire_bytes(link, chunk);
            let peers = f64::from(n - 1);
            steps.push(Step {
                payload_bytes: peers * chunk,
                wire_bytes: peers * one,
                seconds: link.latency_us * 1e-6 + peers * one / edge,
            });
        }
        Collective::AllGather => {
            for _ in 0..n - 1 {
                steps.push(msg(chunk, edge, true));
            }
        }
        Collective::Send => steps.push(msg(m, edge, true)),
    }
    steps
}
