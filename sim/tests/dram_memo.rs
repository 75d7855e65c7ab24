//! The banked DRAM's memoized transfers give the same completions and the
//! same account as simulating every transfer cycle by cycle: random small
//! systems (every preset, 1 to 4 channels, both mappings, all-bank,
//! per-bank or no refresh, open or closed page, small queues) under random
//! request streams (loads and stores, repeated tile patterns so that states
//! recur, gaps, jumps between regions, loads of what was just stored, which
//! meet the queued writes, transfers long enough to be split in chunks),
//! runs long enough that refreshes fall inside them.

use proptest::prelude::*;
use sim::memory::banked::{
    presets, BankedChannel, ControllerConfig, Mapping, PagePolicy, RefreshPolicy, SystemConfig,
};

fn spec(which: u8) -> sim::memory::banked::DramSpec {
    match which % 4 {
        0 => presets::lpddr5_6400(),
        1 => presets::hbm3_6400(),
        2 => presets::ddr5_4800(),
        _ => presets::ddr4_3200(),
    }
}

fn pair(which: u8, cfg: SystemConfig, ghz: f64) -> (BankedChannel, BankedChannel) {
    let a = BankedChannel::new(spec(which), cfg.clone(), ghz);
    let b = BankedChannel::new(spec(which), cfg, ghz).without_memo();
    (a, b)
}

/// One transfer of a tile pattern: gap before it (accelerator cycles),
/// bytes, store, whether it starts a new region, and (a load) whether it
/// reads back the bytes stored last.
type Tile = (u64, u64, bool, bool, bool);

/// Runs `reps` repetitions of `pattern` on both channels, comparing every
/// completion; returns the memo's (hits, misses).
fn run(a: &mut BankedChannel, b: &mut BankedChannel, pattern: &[Tile], reps: u32) -> (u64, u64) {
    let mut now = 0u64;
    let mut load = 0u64;
    let mut store = 1u64 << 32;
    for r in 0..reps {
        for (k, &(gap, bytes, write, jump, back)) in pattern.iter().enumerate() {
            now += gap;
            let addr = if write {
                store += bytes;
                store - bytes
            } else if back {
                store - bytes.min(store - (1 << 32))
            } else {
                if jump {
                    load = load.div_ceil(4096) * 4096 + 4096;
                }
                load += bytes;
                load - bytes
            };
            let x = a.issue(now, bytes, addr, write);
            let y = b.issue(now, bytes, addr, write);
            assert_eq!(x, y, "repetition {r}, transfer {k}");
            assert_eq!(a.busy_until(), b.busy_until());
        }
    }
    let counts = a.memo_counts();
    assert_eq!(a.finish(now), b.finish(now));
    counts
}

prop_compose! {
    fn system()(
        which in 0u8..4,
        channels in 0u32..3,
        interleaved in any::<bool>(),
        refresh in 0u8..3,
        closed in any::<bool>(),
        queue in 4usize..33,
        clock in 1u32..5,
    ) -> (u8, SystemConfig, f64) {
        let cfg = SystemConfig {
            channels: 1 << channels,
            mapping: if interleaved { Mapping::RoCoBaRaCh } else { Mapping::RoBaRaCoCh },
            controller: ControllerConfig {
                read_queue: queue,
                write_queue: queue,
                page: if closed { PagePolicy::Closed } else { PagePolicy::Open },
                refresh: match refresh {
                    0 => RefreshPolicy::AllBank,
                    1 => RefreshPolicy::PerBank,
                    _ => RefreshPolicy::None,
                },
                ..ControllerConfig::default()
            },
        };
        (which, cfg, f64::from(clock) * 0.5)
    }
}

fn tile() -> impl Strategy<Value = Tile> {
    (
        prop_oneof![Just(0u64), 0u64..200, 0u64..5000],
        prop_oneof![1u64..300, 1u64..8192, Just(6144u64), 1u64..40000],
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.15),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn memo_changes_nothing(
        (which, cfg, ghz) in system(),
        pattern in prop::collection::vec(tile(), 1..5),
        reps in 1u32..40,
    ) {
        let (mut a, mut b) = pair(which, cfg, ghz);
        run(&mut a, &mut b, &pattern, reps);
    }
}

#[test]
fn streaming_tiles_hit_the_memo_and_match_stepping() {
    let cfg = SystemConfig {
        channels: 4,
        mapping: Mapping::RoCoBaRaCh,
        controller: ControllerConfig::default(),
    };
    let (mut a, mut b) = pair(0, cfg, 1.0);
    let (hits, misses) = run(&mut a, &mut b, &[(120, 6144, false, false, false)], 3000);
    assert!(hits > 9 * misses, "hits {hits} misses {misses}");
}

#[test]
fn long_transfers_on_hbm3_hit_the_memo() {
    let cfg = SystemConfig {
        channels: 2,
        mapping: Mapping::RoCoBaRaCh,
        controller: ControllerConfig::default(),
    };
    let (mut a, mut b) = pair(1, cfg, 1.5);
    let pattern = [
        (0, 65536, false, false, false),
        (400, 2048, false, true, false),
    ];
    let (hits, misses) = run(&mut a, &mut b, &pattern, 200);
    assert!(hits > misses, "hits {hits} misses {misses}");
}

/// A decode-like stream: long weight tiles with a small store of
/// activations after each, read back after the next tile; the stores wait
/// in the write queue while the stream passes, and the chunks of the stream
/// still hit the memo (with the queued writes written relative to each
/// other, the state repeats from chunk to chunk within a row block).
#[test]
fn stores_waiting_behind_a_stream_hit_the_memo_and_match_stepping() {
    let cfg = SystemConfig {
        channels: 4,
        mapping: Mapping::RoCoBaRaCh,
        controller: ControllerConfig::default(),
    };
    let (mut a, mut b) = pair(0, cfg, 1.0);
    let pattern = [
        (0, 262144, false, false, false),
        (10, 256, true, false, false),
        (5, 512, false, false, true),
    ];
    let (hits, misses) = run(&mut a, &mut b, &pattern, 60);
    assert!(hits > 2 * misses, "hits {hits} misses {misses}");
}
