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

/// edge-w8a8 on one DDR4-3200 channel (the banked model; tCK 625 ps,
/// 64-byte bursts, 25.6 GB/s against the 1 GHz accelerator).
fn ddr4(bus_bits: Option<u32>) -> Dram {
    let mut a = preset("edge-w8a8").expect("the preset");
    a.dram.model = sim::arch::DramModelKind::Banked;
    a.dram.preset = Some("ddr4-3200".into());
    a.dram.channels = Some(1);
    a.dram.mapping = Some(sim::memory::banked::Mapping::RoCoBaRaCh);
    a.dram.bandwidth_gbps = a.dram.derived_gbps().expect("the device's rate");
    a.dram.bus_bits = bus_bits;
    Dram::new(&a, &[65536, 4096], false)
}

/// With the banked model the bus starts a transfer's beats at the DRAM's
/// first data, the cycle its first burst has completed, not at its issue.
/// A load of 4,096 bytes to closed rows: the ACT at DRAM cycle 1 (the
/// controller's cycle after the request enters its queue), the RD tRCD = 22
/// later, the data back tCL = 22 plus BL8's 4 cycles after it: DRAM cycle
/// 49, 30.625 ns, accelerator cycle 31; the 512 beats of 8 bytes then take
/// cycles 31..=542. A store's first data is its first burst's WR (the
/// banked model's completion of a write burst): a 36-byte store at 1 MiB
/// touches 5 beats, from there.
#[test]
fn the_banked_model_starts_the_beats_at_its_first_data() {
    let mut d = ddr4(Some(64));
    let mut plain = ddr4(None);
    assert_eq!(d.load(0, 0, 4096), 543);
    assert_eq!(d.last_first_data(), 31);
    assert_eq!(plain.load(0, 0, 4096), 189);
    assert_eq!(plain.last_first_data(), 31);
    assert_eq!(d.next_store_addr(), 1 << 20);
    let s = d.store(600, 1, 36);
    let first = d.last_first_data();
    assert!(first > 600, "{first}");
    let dram = plain.store(600, 1, 36);
    assert_eq!(plain.last_first_data(), first);
    assert!(dram < first + 5, "{dram}");
    assert_eq!(s, first + 5, "first data {first}");
}

/// Over a stream of loads and stores of every alignment the bus times each
/// transfer from the banked model's own first data and completion (the
/// same model without the bus): beats on its direction's channel from the
/// later of its first data and the channel's free cycle, done no earlier
/// than the DRAM; no first data is before the issue (a store's first burst
/// that merges with a queued write is done as it enters).
#[test]
fn the_bus_follows_the_banked_first_data_on_a_stream() {
    let mut d = ddr4(Some(64));
    let mut plain = ddr4(None);
    let (mut read_free, mut write_free) = (0u64, 0u64);
    let mut now = 0;
    let mut later = 0;
    for k in 0..60u64 {
        let bytes = 64 + 37 * k;
        let write = k % 3 == 2;
        let addr = if write {
            d.next_store_addr()
        } else {
            d.next_load_addr(0)
        };
        let (got, dram) = if write {
            (d.store(now, 1, bytes), plain.store(now, 1, bytes))
        } else {
            (d.load(now, 0, bytes), plain.load(now, 0, bytes))
        };
        let first = d.last_first_data();
        assert_eq!(first, plain.last_first_data(), "transfer {k}");
        assert!(
            first >= now && first <= dram,
            "transfer {k}: {now} {first} {dram}"
        );
        later += u64::from(first > now);
        let beats = (addr + bytes - 1) / 8 - addr / 8 + 1;
        let free = if write {
            &mut write_free
        } else {
            &mut read_free
        };
        let want = dram.max(first.max(*free) + beats);
        *free = want;
        assert_eq!(got, want, "transfer {k}");
        now += 150;
    }
    assert!(later > 50, "{later} of 60 first data after the issue");
}
