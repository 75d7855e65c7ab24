//! The banked DRAM model against hand-computed cases: single-read latency,
//! row hit / miss / conflict, the four-activate window, refresh blocking, and
//! the streaming efficiency of each preset against its refresh bound.

use sim::memory::banked::mapping::{decode, Mapping};
use sim::memory::banked::presets;
use sim::memory::banked::replay::{replay, sequential, SystemConfig};
use sim::memory::banked::spec::DramSpec;
use sim::memory::banked::timing::Path;
use sim::memory::banked::{Controller, ControllerConfig, TraceReq};

/// Sends `reqs` (path, row, write) one per cycle from cycle `start`, runs
/// until all complete; returns each request's completion cycle.
fn run(spec: &DramSpec, start: u64, reqs: &[(Path, u32, bool)]) -> Vec<u64> {
    let mut c = Controller::new(spec, ControllerConfig::default());
    let mut done = Vec::new();
    let mut out = vec![0; reqs.len()];
    let mut n = 0;
    while c.clk() < start {
        c.tick(&mut done);
    }
    let mut left = reqs.len();
    let mut guard = 0;
    while left > 0 {
        if let Some(&(p, row, w)) = reqs.get(n) {
            if c.send(n as u64, n as u64 * 64, w, p, row, &mut done) {
                n += 1;
            }
        }
        c.tick(&mut done);
        for (id, at) in done.drain(..) {
            out[id as usize] = at;
            left -= 1;
        }
        guard += 1;
        assert!(guard < 1_000_000, "no progress");
    }
    out
}

fn bank(bg: u32, bank: u32) -> Path {
    Path {
        rank: 0,
        sid: 0,
        bg,
        bank,
    }
}

#[test]
fn single_read_latency_is_rcd_plus_cl_plus_burst() {
    // sent in cycle 0, the ACT issues in cycle 1
    let d = presets::ddr4_3200();
    let t = &d.timing;
    let got = run(&d, 0, &[(bank(0, 0), 5, false)]);
    assert_eq!(got[0], 1 + u64::from(t.rcd_rd + t.cl + t.bl)); // 1 + 22 + 22 + 4 = 49
    assert_eq!(got[0], 49);

    let h = presets::hbm3_6400();
    let t = &h.timing;
    let got = run(&h, 0, &[(bank(0, 0), 5, false)]);
    assert_eq!(got[0], 1 + u64::from(t.rcd_rd + t.cl + t.bl)); // 1 + 31 + 20 + 2 = 54

    // LPDDR5: the first access after idle needs a CAS (WCK sync) slot first
    let l = presets::lpddr5_6400();
    let t = &l.timing;
    let got = run(&l, 0, &[(bank(0, 0), 5, false)]);
    assert_eq!(got[0], 1 + u64::from(t.rcd_rd) + 1 + u64::from(t.cl + t.bl)); // 36
}

#[test]
fn row_hit_miss_and_conflict_by_hand() {
    let d = presets::ddr4_3200();
    // a first read opens row 5 of bank (0,0); the second arrives at cycle 100
    let first = (bank(0, 0), 5, false);
    let cases = [
        // hit: RD at 101
        ((bank(0, 0), 5, false), 101 + 22 + 4),
        // miss (another, closed bank): ACT 101, RD 123
        ((bank(1, 0), 9, false), 101 + 22 + 22 + 4),
        // conflict: PRE 101, ACT 101 + tRP = 123, RD 145
        ((bank(0, 0), 6, false), 101 + 22 + 22 + 22 + 4),
    ];
    for (second, expect) in cases {
        let mut c = Controller::new(&d, ControllerConfig::default());
        let mut done = Vec::new();
        assert!(c.send(0, 0, first.2, first.0, first.1, &mut done));
        while c.clk() < 100 {
            c.tick(&mut done);
        }
        assert!(c.send(1, 64, second.2, second.0, second.1, &mut done));
        while done.len() < 2 {
            c.tick(&mut done);
        }
        assert_eq!(done[1], (1, expect), "second request {second:?}");
        let s = c.stats();
        assert_eq!(s.row_hits + s.row_misses + s.row_conflicts, 2);
    }
}

#[test]
fn four_activate_window_delays_the_fifth_act() {
    // DDR4-3200: tRRD_S 4, tFAW 34. ACTs at 1, 5, 9, 13 (four bank groups),
    // their RDs tRCD = 22 later at 23, 27, 31, 35. The fifth ACT (bank group
    // 0 again) may issue at 1 + tFAW = 35, but the command bus carries the
    // fourth RD then (active requests go first), so it issues at 36.
    let d = presets::ddr4_3200();
    let reqs: Vec<_> = [(0, 0), (1, 0), (2, 0), (3, 0), (0, 1)]
        .iter()
        .map(|&(g, b)| (bank(g, b), 3, false))
        .collect();
    let got = run(&d, 0, &reqs);
    let t = &d.timing;
    assert_eq!(
        got[4],
        1 + u64::from(t.faw) + 1 + u64::from(t.rcd_rd + t.cl + t.bl)
    ); // 84
       // without the window it would have been ACT 17 (tRRD_S), done 17 + 48
    assert!(got[4] > 17 + 48);
}

#[test]
fn refresh_blocks_for_trfc_every_trefi() {
    let d = presets::ddr4_3200();
    let t = &d.timing;
    let refi = u64::from(t.refi);
    // a read arriving the cycle before the refresh falls due waits tRFC
    let got = run(&d, refi - 1, &[(bank(0, 0), 1, false)]);
    assert_eq!(got[0], refi + u64::from(t.rfc + t.rcd_rd + t.cl + t.bl));
    // an idle controller refreshes once per tREFI
    let mut c = Controller::new(&d, ControllerConfig::default());
    let mut done = Vec::new();
    for _ in 0..(10 * refi + 5) {
        c.tick(&mut done);
    }
    assert_eq!(c.stats().counts.ref_ab, 10);
    assert_eq!(c.stats().refresh_cycles, 10 * u64::from(t.rfc));
}

#[test]
fn fast_idle_skip_matches_stepping() {
    // replay skips idle cycles; the refreshes it passes are still counted
    let d = presets::lpddr5_6400();
    let reqs = vec![
        TraceReq {
            write: false,
            addr: 0,
            at: Some(0),
        },
        TraceReq {
            write: false,
            addr: 1 << 20,
            at: Some(40_000),
        },
    ];
    let r = replay(&d, &SystemConfig::default(), &reqs, Some(d.ck_ghz()));
    let refi = u64::from(d.timing.refi);
    assert_eq!(r.stats.counts.ref_ab, r.cycles / refi);
    assert_eq!(
        r.stats.counts.active_cycles + r.stats.counts.precharged_cycles,
        r.cycles
    );
}

/// Streaming reads of every preset: efficiency is below the refresh bound
/// `1 - tRFC / tREFI`; with the bank-interleaved mapping it stays within
/// 8 points of it (row switches under tFAW and the drain around each refresh
/// cost the rest; figures in docs/validation.md).
#[test]
fn streaming_efficiency_of_each_preset() {
    for (name, mapping) in presets::NAMES
        .iter()
        .flat_map(|n| [(n, Mapping::RoCoBaRaCh), (n, Mapping::RoBaRaCoCh)])
    {
        let d = presets::preset(name).unwrap();
        let t = &d.timing;
        let n = 200_000;
        let r = replay(
            &d,
            &SystemConfig {
                mapping,
                ..SystemConfig::default()
            },
            &sequential(&d, n),
            None,
        );
        let refresh = f64::from(t.rfc) / f64::from(t.refi);
        let upper = 1.0 - refresh;
        let lower = upper - 0.08;
        eprintln!(
            "{name} {mapping:?}: efficiency {:.4} (refresh bound {:.4}), row hits {:.4}, refresh share {:.4}",
            r.efficiency, upper, r.row_hit_rate, r.refresh_share
        );
        assert!(r.efficiency <= upper + 1e-9, "{name}: {}", r.efficiency);
        if mapping == Mapping::RoCoBaRaCh {
            assert!(r.efficiency >= lower, "{name}: {} < {lower}", r.efficiency);
        }
        // every request of a row after its first hits
        let rows = n as f64 / f64::from(d.org.bursts_per_row);
        assert!(r.stats.row_misses + r.stats.row_conflicts >= rows as u64);
    }
}

#[test]
fn mapping_decodes_every_field_once() {
    let d = presets::hbm3_6400();
    let mut seen = std::collections::HashSet::new();
    for i in 0..(d.org.banks_per_channel() * d.org.bursts_per_row) {
        let l = decode(Mapping::RoCoBaRaCh, &d.org, 1, u64::from(i) * 32);
        assert!(seen.insert((l.path, l.col, l.row)));
    }
}

/// The read-latency sum (counted as reads in flight per cycle, so that a
/// read's age is not part of the controller's state) equals the sum over
/// reads of completion minus arrival, on a mix that makes reads wait behind
/// row hits, refreshes and write drains and serves some from queued writes.
#[test]
fn read_latency_sum_is_completion_minus_arrival() {
    for spec in [
        presets::lpddr5_6400(),
        presets::hbm3_6400(),
        presets::ddr4_3200(),
    ] {
        let mut c = Controller::new(&spec, ControllerConfig::default());
        let mut done = Vec::new();
        let mut sent: Vec<(u64, bool)> = Vec::new();
        let mut want = 0u64;
        let mut served = 0u64;
        // a linear congruential stream (Knuth's MMIX constants): stores and
        // loads over a few rows of a few banks, with repeats of recent
        // addresses so that some loads meet a queued store
        let mut x = 12345u64;
        let total = 6000u64;
        let mut pending: Option<(u64, bool)> = None;
        while served < total {
            if sent.len() < total as usize {
                let (a, w) = *pending.get_or_insert_with(|| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = x >> 33;
                    let w = r.is_multiple_of(5);
                    let line = if r.is_multiple_of(7) {
                        (r >> 8) % 4
                    } else {
                        (r >> 8) % 4096
                    };
                    (line * 64, w)
                });
                let loc = decode(Mapping::RoBaRaCoCh, &spec.org, 1, a * 97);
                if c.send(sent.len() as u64, a * 97, w, loc.path, loc.row, &mut done) {
                    sent.push((c.clk(), w));
                    pending = None;
                }
            }
            c.tick(&mut done);
            for (id, at) in done.drain(..) {
                let (arrive, w) = sent[id as usize];
                if !w {
                    want += at - arrive;
                }
                served += 1;
            }
        }
        let s = c.stats();
        assert_eq!(s.reads + s.writes, total);
        assert!(s.reads > 4000, "{} reads", s.reads);
        assert_eq!(s.read_latency_sum, want, "{}", spec.name);
    }
}
