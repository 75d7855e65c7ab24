//! The data bus to the DRAM controller (`[dram] bus_bits`) against
//! hand-computed transfers: on edge-w8a8's LPDDR5 (51.2 B a cycle at 1 GHz,
//! 100 cycles of latency) a 64-bit bus moves 8 B a cycle, so it times every
//! transfer by the beats it touches; reads and writes on their own channels.

use sim::arch::preset;
use sim::memory::Dram;

fn edge(bus_bits: Option<u32>) -> Dram {
    let mut a = preset("edge-w8a8").expect("the preset");
    a.dram.bus_bits = bus_bits;
    // two operators' loads: regions at 0 and 65,536; stores from 1 MiB
    Dram::new(&a, &[65536, 4096], false)
}

#[test]
fn without_a_bus_the_dram_rate_times_the_transfers() {
    let mut d = edge(None);
    // 40,960 B at 256/5 B a cycle: 800 cycles after the 100 of latency
    assert_eq!(d.load(0, 0, 40960), 900);
    // the DRAM is busy until 900: 4,096 B in 80 more
    assert_eq!(d.load(10, 0, 4096), 980);
    assert_eq!(d.store(20, 1, 3), 981);
    assert_eq!(d.store(30, 1, 16), 982);
    assert_eq!(d.busy_until(), 982);
}

#[test]
fn a_64_bit_bus_times_the_beats_on_each_channel() {
    let mut d = edge(Some(64));
    // first data at 100, 5,120 beats of 8 B: the last in cycle 5,219
    assert_eq!(d.load(0, 0, 40960), 5220);
    // its DRAM data is there from 900, the R channel busy until 5,220:
    // 512 beats more
    assert_eq!(d.load(10, 0, 4096), 5732);
    // the W channel is free: a 3-byte store at 1 MiB (one strobed beat)
    // from its first data at 980 (the DRAM after both loads), done at 981
    assert_eq!(d.next_store_addr(), 1 << 20);
    assert_eq!(d.store(20, 1, 3), 981);
    // 16 bytes from 1 MiB + 3 touch three beats (5 + 8 + 3 bytes), from
    // 981 (the DRAM's start and the W channel's free cycle): done at 984,
    // where the DRAM alone finishes them at 982
    assert_eq!(d.next_store_addr(), (1 << 20) + 3);
    assert_eq!(d.store(30, 1, 16), 984);
    assert_eq!(d.busy_until(), 5732);
}

#[test]
fn a_512_bit_bus_is_faster_than_the_dram_and_changes_nothing() {
    let mut wide = edge(Some(512));
    let mut none = edge(None);
    for (now, bytes) in [(0, 40960), (10, 4096), (900, 1300), (950, 64)] {
        assert_eq!(wide.load(now, 0, bytes), none.load(now, 0, bytes));
    }
    for (now, bytes) in [(20, 1300), (30, 1300), (2000, 163840)] {
        assert_eq!(wide.store(now, 1, bytes), none.store(now, 1, bytes));
    }
}

#[test]
fn the_bus_is_a_design_key() {
    let mut a = preset("edge-w8a8").expect("the preset");
    a.dram.bus_bits = Some(64);
    let text = sim::arch::to_toml(&a);
    assert!(text.contains("bus_bits = 64"), "{text}");
    let back = sim::arch::from_toml(&text).expect("the design reads back");
    assert_eq!(back.dram.bus_bits, Some(64));
    a.dram.bus_bits = Some(48);
    let bad = sim::arch::to_toml(&a);
    let e = sim::arch::from_toml(&bad).expect_err("48 bits is refused");
    assert!(e.to_string().contains("dram.bus_bits"), "{e}");
    // absent, the key is not written: existing designs are unchanged
    a.dram.bus_bits = None;
    assert!(!sim::arch::to_toml(&a).contains("bus_bits"));
}

/// With a bus the engine's fast-forward stays on (the bus state is in its
/// steady-state signature) and agrees with stepping every cycle: a
/// one-block BitNet 7B-shaped prefill of 256 tokens on edge-ternary, at a
/// bus slower than the DRAM (64 bits), about its rate (512: 64 B against
/// 51.2) and between.
#[test]
fn fast_forward_with_a_bus_agrees_with_stepping() {
    use sim::{simulate_with_stats, SimOptions};
    use workloads::trace::{generate, TraceOptions};
    let mut m = workloads::zoo::find("bitnet-b1.58-7B").expect("the model");
    m.layers = 1;
    let t = generate(
        &m,
        &TraceOptions {
            phase: workloads::Phase::Prefill,
            seq: 256,
            batch: 1,
            zeros: None,
            ..TraceOptions::default()
        },
    )
    .expect("the trace");
    let mut cycles = Vec::new();
    for bits in [64, 128, 512] {
        let mut a = preset("edge-ternary").expect("the preset");
        a.dram.bus_bits = Some(bits);
        let run = |fast_forward| {
            let o = SimOptions {
                fast_forward,
                ..SimOptions::default()
            };
            simulate_with_stats(&a, &t, o).expect("runs")
        };
        let ((fast, stats), (slow, _)) = (run(true), run(false));
        assert_eq!(fast, slow, "bus_bits = {bits}");
        if bits == 512 {
            assert!(stats.jumps > 10, "{stats:?}");
        }
        cycles.push(fast.cycles);
    }
    // the narrower the bus, the longer the step
    assert!(
        cycles[0] > cycles[1] && cycles[1] >= cycles[2],
        "{cycles:?}"
    );
}
