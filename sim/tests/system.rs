//! Multi-chip systems: the collectives the engine's link unit times
//! against the published closed forms of LLMCompass and GenZ on their own
//! parameters, stepping against jumping, the Megatron split's capacity and
//! the pipeline's bubbles.

use sim::arch::preset;
use sim::system::{
    simulate_collective, simulate_system, system_from_toml, system_preset, Collective, LinkConfig,
    SystemConfig, SystemDesign, Topology,
};
use sim::SimOptions;
use workloads::trace::generate;
use workloads::TraceOptions;

fn design(topology: Topology, chips: u32, link: LinkConfig, startup_us: f64) -> SystemDesign {
    SystemDesign {
        chip: preset("edge-ternary").unwrap(),
        system: SystemConfig {
            chip: None,
            description: String::new(),
            chips,
            tp: chips,
            pp: 1,
            micro_batches: 1,
            topology,
            collective_startup_us: startup_us,
            link,
        },
    }
}

/// LLMCompass's NVLinkV3 link module: 25 GB/s per direction (50 both),
/// 8.92 µs, 16 B flits, 256 B payload, 16 B header; 12 links per device
/// (its `NVLinkV3_FC_4` interconnect).
fn nvlink3() -> LinkConfig {
    LinkConfig {
        bandwidth_gbps: 25.0,
        latency_us: 8.92,
        links_per_chip: 12,
        energy_pj_per_bit: 1.3,
        energy_source: "test".into(),
        flit_bytes: 16,
        payload_bytes: 256,
        header_bytes: 16,
    }
}

/// LLMCompass (software_model/communication_primitives.py,
/// AllReduceMultiPCB.simulate), written out here as plain reference code.
fn llmcompass(topology: Topology, n: u32, m: f64) -> f64 {
    let (bw_dir, bw_both, lat, links) = (25e9, 50e9, 8.92e-6, 12.0);
    let header = 16.0;
    let per = m / f64::from(n);
    let eff = header + (per / 256.0).ceil() * header + per;
    let nf = f64::from(n);
    match topology {
        Topology::FullyConnected => {
            let e_dir = bw_dir * links / (nf - 1.0);
            let e_both = bw_both * links / (nf - 1.0);
            (lat + eff / e_both) * (nf - 1.0) + eff / e_dir
        }
        Topology::Ring => (lat + eff / (bw_dir * links)) * (2.0 * (nf - 1.0)),
        Topology::Switch => unreachable!(),
    }
}

/// GenZ's ring all-reduce (GenZ/collective_times.py, get_AR_time):
/// 5 µs + 2(N-1) link latency + 2(N-1) (M/N) / bandwidth.
fn genz(n: u32, m: f64, bw: f64, lat_s: f64) -> f64 {
    let nf = f64::from(n);
    5e-6 + 2.0 * (nf - 1.0) * lat_s + 2.0 * (nf - 1.0) * (m / nf) / bw
}

fn within(got: f64, want: f64, tol: f64) -> bool {
    ((got - want) / want).abs() <= tol
}

#[test]
fn llmcompass_ring_and_fully_connected_within_1_percent() {
    for topology in [Topology::Ring, Topology::FullyConnected] {
        for n in [2u32, 4, 8] {
            for m in [65536.0, 1048576.0, 16.0 * 1048576.0, 256.0 * 1048576.0] {
                let d = design(topology, n, nvlink3(), 0.0);
                let (_, s) = simulate_collective(&d, Collective::AllReduce, m, n, true).unwrap();
                let want = llmcompass(topology, n, m);
                eprintln!(
                    "llmcompass {topology:?} n={n} m={m}: engine {:.3} us, closed form {:.3} us, {:+.3}%",
                    s * 1e6,
                    want * 1e6,
                    100.0 * (s - want) / want
                );
                assert!(
                    within(s, want, 0.01),
                    "{topology:?} n={n} m={m}: engine {s} s, LLMCompass {want} s"
                );
            }
        }
    }
}

#[test]
fn genz_ring_within_1_percent() {
    // GenZ's own parameters: its default link (25 GB/s, 1.9 µs) and the
    // tensor-parallel test's (50 GB/s, 1 µs; 6 KiB and 6 MiB messages)
    for (bw, lat_us) in [(25e9, 1.9), (50e9, 1.0)] {
        let link = LinkConfig {
            bandwidth_gbps: bw / 1e9,
            latency_us: lat_us,
            links_per_chip: 1,
            energy_pj_per_bit: 1.0,
            energy_source: "test".into(),
            flit_bytes: 16,
            payload_bytes: 0,
            header_bytes: 0,
        };
        for n in [2u32, 4, 8] {
            for m in [6.0 * 1024.0, 6.0 * 1048576.0, 16.0 * 1048576.0] {
                let d = design(Topology::Ring, n, link.clone(), 5.0);
                let (_, s) = simulate_collective(&d, Collective::AllReduce, m, n, true).unwrap();
                let want = genz(n, m, bw, lat_us * 1e-6);
                eprintln!(
                    "genz bw={bw} lat={lat_us} n={n} m={m}: engine {:.3} us, closed form {:.3} us, {:+.3}%",
                    s * 1e6,
                    want * 1e6,
                    100.0 * (s - want) / want
                );
                assert!(
                    within(s, want, 0.01),
                    "n={n} m={m}: engine {s}, GenZ {want}"
                );
            }
        }
    }
}

/// H100 SXM in a DGX H100: 18 NVLink4 links of 25 GB/s per direction (NVIDIA
/// H100 datasheet: 900 GB/s bidirectional), through the NVSwitches; 8.92
/// µs message latency (LLMCompass's measured NVLink figure); NVLink
/// packetization as LLMCompass models it.
fn h100() -> LinkConfig {
    LinkConfig {
        links_per_chip: 18,
        ..nvlink3()
    }
}

/// Vidur's profiled all-reduce on a DGX H100, FP16, 16 MiB
/// (microsoft/vidur data/profiling/network/h100_dgx/all_reduce.csv): 0.073,
/// 0.093, 0.115 ms at 2, 4, 8 GPUs.
pub const VIDUR_H100_16MIB_MS: [(u32, f64); 3] = [(2, 0.073), (4, 0.093), (8, 0.115)];

#[test]
fn vidur_h100_allreduce_within_30_percent() {
    for (n, ms) in VIDUR_H100_16MIB_MS {
        let d = design(Topology::Switch, n, h100(), 0.0);
        let (_, s) =
            simulate_collective(&d, Collective::AllReduce, 16.0 * 1048576.0, n, true).unwrap();
        eprintln!(
            "vidur TP{n}: engine {:.4} ms, measured {ms} ms, {:+.1}%",
            s * 1e3,
            100.0 * (s * 1e3 - ms) / ms
        );
        assert!(
            within(s * 1e3, ms, 0.30),
            "TP{n}: {} ms vs Vidur {ms} ms",
            s * 1e3
        );
    }
}

#[test]
fn collectives_step_equals_jump() {
    for topology in [Topology::Ring, Topology::FullyConnected, Topology::Switch] {
        let d = design(topology, 4, nvlink3(), 5.0);
        let a = simulate_collective(&d, Collective::AllReduce, 1e6, 4, true).unwrap();
        let b = simulate_collective(&d, Collective::AllReduce, 1e6, 4, false).unwrap();
        assert_eq!(a, b);
    }
}

fn decode(model: &str, batch: u64, seq: u64) -> workloads::Trace {
    let m = workloads::zoo::find(model).unwrap();
    generate(
        &m,
        &TraceOptions {
            batch,
            seq,
            ..TraceOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn system_step_equals_jump_and_collectives_are_on_the_links() {
    let mut d = system_preset("edge-ternary-x4").unwrap();
    d.system.tp = 2;
    d.system.pp = 2;
    d.system.micro_batches = 2;
    let t = decode("bitnet-b1.58-700M", 1, 256);
    let ff = simulate_system(&d, &t, SimOptions::default()).unwrap();
    let step = simulate_system(
        &d,
        &t,
        SimOptions {
            fast_forward: false,
            ..SimOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ff, step);
    let ar = ff.stages[0]
        .result
        .ops
        .iter()
        .filter(|o| o.kind == "all-reduce")
        .count();
    // layers 0..12 of 24 on stage 0, two all-reduces each
    assert_eq!(ar, 24);
    assert!(ff.stages[0].send_s > 0.0 && ff.stages[1].send_s == 0.0);
    assert!(ff.link_utilization > 0.0 && ff.link_utilization < 1.0);
}

#[test]
fn pipeline_bubbles_follow_gpipe() {
    // equal stages, no send cost to speak of: bubble share (S-1)/(B+S-1)
    let text = r#"
[system]
chip = "edge-ternary"
chips = 4
tp = 1
pp = 4
micro_batches = 4
topology = "ring"
[system.link]
bandwidth_gbps = 1000.0
latency_us = 0.0
links_per_chip = 1
energy_pj_per_bit = 1.0
energy_source = "test"
"#;
    let d = system_from_toml(text).unwrap();
    let t = decode("bitnet-b1.58-700M", 1, 256);
    let r = simulate_system(&d, &t, SimOptions::default()).unwrap();
    // identical micro-batches through a flow shop: the last leaves after
    // the sum of the stage times plus (B - 1) times the slowest stage
    let times: Vec<f64> = r.stages.iter().map(|s| s.compute_s + s.send_s).collect();
    let slowest = times.iter().cloned().fold(0.0, f64::max);
    let want = times.iter().sum::<f64>() + 3.0 * slowest;
    assert!(within(r.latency_s, want, 1e-9), "{} vs {want}", r.latency_s);
    for s in &r.stages {
        let b = 1.0 - 4.0 * s.compute_s / r.latency_s;
        assert!((s.bubble_share - b).abs() < 1e-12);
    }
    // equal stages would idle (S-1)/(B+S-1) = 3/7; the slowest stage less
    let least = r.stages.iter().map(|s| s.bubble_share).fold(1.0, f64::min);
    assert!(least < 3.0 / 7.0 + 1e-9, "{least}");
    assert_eq!(r.tokens, 4);
}

#[test]
fn seventy_b_needs_more_than_one_edge_chip() {
    let t = decode("bitnet-b1.58-70B", 1, 2048);
    let one = sim::simulate(&preset("edge-ternary").unwrap(), &t, SimOptions::default());
    assert!(matches!(one, Err(sim::SimError::Capacity(_))));
    let d = system_preset("edge-ternary-x4").unwrap();
    let r = simulate_system(&d, &t, SimOptions::default()).unwrap();
    let f = r.stages[0].footprint;
    // a quarter of the projections' weights, the embedding and LM head in part
    assert!(f.weights < 6 * (1 << 30), "{f:?}");
    assert!(r.tokens_per_s > 0.0);
}

#[test]
fn collectives_overlap_the_next_operators_weight_loads() {
    // the same tensor-parallel step with links of (nearly) no cost, and
    // with slow links: the step grows by less than the links' busy time,
    // because the array prefetches the next projection's weights while
    // the link unit runs the all-reduce
    let t = decode("bitnet-b1.58-700M", 1, 256);
    let mut fast = system_preset("edge-ternary-x4").unwrap();
    fast.system.link.bandwidth_gbps = 1e6;
    fast.system.link.latency_us = 0.0;
    let mut slow = fast.clone();
    slow.system.link.bandwidth_gbps = 1.0;
    slow.system.link.latency_us = 2.0;
    let a = simulate_system(&fast, &t, SimOptions::default()).unwrap();
    let b = simulate_system(&slow, &t, SimOptions::default()).unwrap();
    let link = |r: &sim::system::SystemResult| r.stages[0].link_busy_s;
    assert!(link(&b) > 10.0 * link(&a));
    let grown = b.latency_s - a.latency_s;
    let added = link(&b) - link(&a);
    assert!(
        grown > 0.0 && grown < added,
        "grew {grown} s, links added {added} s"
    );
}
