//! The banked DRAM's memoized transfers give the same first data, the same
//! completions and the same account as simulating every transfer cycle by
//! cycle: random small
//! systems (every preset, 1 to 4 channels, both mappings, all-bank,
//! per-bank or no refresh, open or closed page, small queues) under random
//! request streams (loads and stores, repeated tile patterns so that states
//! recur, gaps, jumps between regions, loads of what was just stored, which
//! meet the queued writes, transfers long enough to be split in chunks),
//! runs long enough that refreshes fall inside them; a memo taken over
//! from an earlier run (another stream, another accelerator clock) is
//! checked as well.

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
            let x = a.issue_span(now, bytes, addr, write);
            let y = b.issue_span(now, bytes, addr, write);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A memo filled by an earlier run of the same system (another stream
    /// at another accelerator clock) gives the results of stepping.
    #[test]
    fn a_memo_taken_over_changes_nothing(
        (which, cfg, ghz) in system(),
        first in prop::collection::vec(tile(), 1..5),
        second in prop::collection::vec(tile(), 1..5),
        reps in 1u32..30,
        clock in 1u32..5,
    ) {
        let (mut a, mut b) = pair(which, cfg.clone(), ghz);
        run(&mut a, &mut b, &first, reps);
        let memo = a.take_memo().expect("the memo is on");
        let ghz2 = f64::from(clock) * 0.5;
        let (a2, mut b2) = pair(which, cfg, ghz2);
        let mut a2 = a2.with_memo(memo);
        // the first stream again (its states are all known), then the second
        run(&mut a2, &mut b2, &first, reps);
        run(&mut a2, &mut b2, &second, reps);
    }
}

/// A second run of a stream on a memo its first run filled simulates
/// fewer steps than the first (not none: refreshes fall at other phases of
/// the stream's steps).
#[test]
fn a_second_run_on_a_taken_over_memo_only_hits() {
    let cfg = SystemConfig {
        channels: 4,
        mapping: Mapping::RoCoBaRaCh,
        controller: ControllerConfig::default(),
    };
    let pattern = [
        (120, 6144, false, false, false),
        (30, 512, true, false, false),
    ];
    let (mut a, mut b) = pair(0, cfg.clone(), 1.0);
    let (_, first) = run(&mut a, &mut b, &pattern, 400);
    let (a2, mut b2) = pair(0, cfg, 1.0);
    let mut a2 = a2.with_memo(a.take_memo().expect("the memo is on"));
    let (hits, misses) = run(&mut a2, &mut b2, &pattern, 400);
    assert!(
        misses < first,
        "hits {hits} misses {misses}, first run {first}"
    );
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

/// A stream whose chunks meet rows other transfers left open or queued
/// ahead of it: after each tile of a main load stream a short load (or
/// store) lands `ahead` bytes past the stream's position, in rows the
/// stream reaches a few tiles later. Those rows are far from the stream's
/// while it is away (kept outside the memo's key by value) and turn near
/// and equal to its own as it arrives; the memo must then not apply an
/// outcome recorded with other far rows.
fn run_ahead(
    a: &mut BankedChannel,
    b: &mut BankedChannel,
    tile: u64,
    probe: u64,
    ahead: &[u64],
    store: bool,
    reps: u32,
) -> (u64, u64) {
    let mut now = 0u64;
    let mut load = 0u64;
    for r in 0..reps {
        let x = a.issue_span(now, tile, load, false);
        let y = b.issue_span(now, tile, load, false);
        assert_eq!(x, y, "repetition {r}, stream");
        load += tile;
        let off = ahead[r as usize % ahead.len()];
        let write = store && r % 3 == 1;
        now += 40;
        let x = a.issue_span(now, probe, load + off, write);
        let y = b.issue_span(now, probe, load + off, write);
        assert_eq!(x, y, "repetition {r}, probe");
        assert_eq!(a.busy_until(), b.busy_until());
        now += 60;
    }
    let counts = a.memo_counts();
    assert_eq!(a.finish(now), b.finish(now));
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn far_rows_the_stream_meets_change_nothing(
        (which, cfg, ghz) in system(),
        tile in prop_oneof![Just(16384u64), 4096u64..65536],
        probe in 1u64..2048,
        ahead in prop::collection::vec(0u64..1 << 21, 1..4),
        store in any::<bool>(),
        reps in 20u32..120,
    ) {
        let (mut a, mut b) = pair(which, cfg, ghz);
        run_ahead(&mut a, &mut b, tile, probe, &ahead, store, reps);
    }
}

/// The same on LPDDR5-6400 x 4 with probes two to six row blocks (128 KiB
/// each) ahead: the memo still hits between the meetings.
#[test]
fn probes_ahead_of_a_stream_match_stepping() {
    let cfg = SystemConfig {
        channels: 4,
        mapping: Mapping::RoCoBaRaCh,
        controller: ControllerConfig::default(),
    };
    let (mut a, mut b) = pair(0, cfg, 1.0);
    let ahead = [2 << 17, 5 << 17, (3 << 17) + 4096, 6 << 17];
    let (hits, misses) = run_ahead(&mut a, &mut b, 32768, 512, &ahead, true, 600);
    assert!(2 * hits > misses, "hits {hits} misses {misses}");
}
