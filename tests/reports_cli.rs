//! End-to-end tests of the reports: `onebit sim --report`, `onebit report`,
//! `onebit sweep`, `onebit merge`, `onebit demo`. The report page is
//! rendered by headless Chromium and every plot checked on screen; sweeps
//! are checked for determinism across threads and shards, and for their
//! constraints; the Markdown summary of a fixed run is a golden file
//! (`UPDATE_GOLDEN=1 cargo test --test reports_cli` rewrites it).

mod common;

use common::onebit;
use std::process::Command;

use std::path::{Path, PathBuf};

fn ok(args: &[&str]) -> String {
    let o = onebit(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "onebit {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

// ------------------------------------------------------------ chromium

/// The Chromium binary; a missing browser fails the test with the way to
/// install it (the report test is never skipped).
fn chromium() -> PathBuf {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Some(path) = std::env::var_os("PATH").and_then(|ps| {
            std::env::split_paths(&ps)
                .map(|d| d.join(name))
                .find(|c| c.is_file())
        }) {
            return path;
        }
    }
    panic!(
        "headless Chromium is needed to check the report page: run `scripts/setup` (as root it installs Debian's `chromium`), or `apt-get install chromium`"
    );
}

/// Screenshots `url` at `w` x `h` CSS pixels into a decoded RGB image.
fn screenshot(url: &str, w: u32, h: u32, work: &Path) -> (u32, u32, Vec<u8>) {
    let profile = tempfile::tempdir_in(work).unwrap();
    let shot = profile.path().join("shot.png");
    let o = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--screenshot={}", shot.display()),
            &format!("--window-size={w},{h}"),
            url,
        ])
        .output()
        .expect("start chromium");
    assert!(
        shot.is_file(),
        "chromium wrote no screenshot of {url}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let rgb: Vec<u8> = buf[..info.buffer_size()]
        .chunks(ch)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    (info.width, info.height, rgb)
}

/// Share of pixels in a region that are not (near) white, and the number
/// of distinct colours there.
fn ink(img: &(u32, u32, Vec<u8>), x0: f64, y0: f64, x1: f64, y1: f64) -> (f64, usize) {
    let (w, h, rgb) = img;
    let (xa, xb) = ((x0 * *w as f64) as u32, (x1 * *w as f64) as u32);
    let (ya, yb) = ((y0 * *h as f64) as u32, (y1 * *h as f64) as u32);
    let mut inked = 0u64;
    let mut colors = std::collections::BTreeSet::new();
    for y in ya..yb {
        for x in xa..xb {
            let i = ((y * w + x) * 3) as usize;
            let px = (rgb[i], rgb[i + 1], rgb[i + 2]);
            if px.0 < 235 || px.1 < 235 || px.2 < 235 {
                inked += 1;
            }
            colors.insert(px);
        }
    }
    let n = u64::from((xb - xa) * (yb - ya)).max(1);
    (inked as f64 / n as f64, colors.len())
}

/// Every plot of the page: (id, width, height) from its figure and viewBox.
fn figures(html: &str) -> Vec<(String, u32, u32)> {
    let mut out = Vec::new();
    for part in html.split("<figure class=\"plot\" id=\"").skip(1) {
        let id = part.split('"').next().unwrap().to_string();
        let vb = part.split("viewBox=\"0 0 ").nth(1).unwrap();
        let mut nums = vb.split('"').next().unwrap().split(' ');
        let w: u32 = nums.next().unwrap().parse().unwrap();
        let h: u32 = nums.next().unwrap().parse().unwrap();
        out.push((id, w, h));
    }
    out
}

#[test]
fn report_page_renders_in_chromium_with_every_plot_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let rep = dir.path().join("rep");
    let s = ok(&["sim", "--model", "bitnet-b1.58-2B-4T", "--report", p(&rep)]);
    assert!(s.contains("report.html"), "{s}");
    let html = std::fs::read_to_string(rep.join("report.html")).unwrap();
    // self-contained: no scripts, nothing fetched
    assert!(!html.contains("<script"));
    for bad in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(bad), "{bad}");
    }
    let figs = figures(&html);
    let ids: Vec<&str> = figs.iter().map(|f| f.0.as_str()).collect();
    for want in [
        "fig-energy",
        "fig-area",
        "fig-edge_ternary-decode-time",
        "fig-edge_ternary-decode-roofline",
        "fig-edge_ternary-decode-layers",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    for (id, _, _) in &figs {
        let stem = id.strip_prefix("fig-").unwrap();
        for ext in ["svg", "png"] {
            let f = rep.join("figures").join(format!("{stem}.{ext}"));
            assert!(f.is_file(), "{}", f.display());
        }
    }
    let url = format!("file://{}", rep.join("report.html").display());
    // the whole page renders, with text and plots
    let page = screenshot(&url, 1100, 2400, dir.path());
    let (share, colors) = ink(&page, 0.0, 0.0, 1.0, 1.0);
    assert!(
        share > 0.05 && colors > 50,
        "page looks blank: {share} {colors}"
    );
    // each plot, shown alone at its natural size by `#fig-...`, is drawn:
    // ink in its plotting area, and several colours
    for (id, w, h) in &figs {
        let img = screenshot(&format!("{url}#{id}"), *w, *h, dir.path());
        let (all, colors) = ink(&img, 0.0, 0.0, 1.0, 1.0);
        let (inner, _) = ink(&img, 0.12, 0.35, 0.9, 0.8);
        assert!(
            all > 0.03 && inner > 0.01 && colors >= 8,
            "{id}: the plot looks blank on screen (ink {all:.3}, inner {inner:.3}, {colors} colours)"
        );
    }
    // a blank region reads as blank: the check can fail
    let blank = screenshot("about:blank", 400, 300, dir.path());
    assert!(ink(&blank, 0.0, 0.0, 1.0, 1.0).0 < 0.001);
}

#[test]
fn report_renders_again_from_the_stored_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let json = dir.path().join("r.json");
    ok(&[
        "sim",
        "--model",
        "bitnet-b1.58-700M",
        "--seq",
        "256",
        "--report",
        p(&a),
        "--json",
        p(&json),
    ]);
    let stored = a.join("runs/edge_ternary-decode.json");
    ok(&["report", p(&stored), "--out", p(&b)]);
    for f in [
        "report.html",
        "summary.md",
        "tables/energy.csv",
        "figures/energy.svg",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // `sim --json` output (no design inside) reports too: the preset it names
    let c = dir.path().join("c");
    ok(&["report", p(&json), "--out", p(&c)]);
    assert_eq!(
        std::fs::read(a.join("summary.md")).unwrap(),
        std::fs::read(c.join("summary.md")).unwrap()
    );
    // two runs: one page comparing them
    let fp16 = dir.path().join("fp16.json");
    ok(&[
        "sim",
        "--arch",
        "edge-fp16",
        "--model",
        "bitnet-b1.58-700M",
        "--encoding",
        "fp16",
        "--seq",
        "256",
        "--json",
        p(&fp16),
    ]);
    let d = dir.path().join("d");
    ok(&["report", p(&json), p(&fp16), "--out", p(&d)]);
    let md = std::fs::read_to_string(d.join("summary.md")).unwrap();
    assert!(
        md.contains("less energy per token** than edge_fp16"),
        "{md}"
    );
    // not a result: exit 2 naming the file
    let o = onebit(&["report", "Cargo.toml", "--out", p(&d)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Cargo.toml"));
}

#[test]
fn golden_markdown_summary() {
    let dir = tempfile::tempdir().unwrap();
    let rep = dir.path().join("rep");
    ok(&[
        "sim",
        "--model",
        "bitnet-125M",
        "--seq",
        "16",
        "--report",
        p(&rep),
    ]);
    let got = std::fs::read_to_string(rep.join("summary.md")).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/report-bitnet-125M-decode-seq16.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        got == want,
        "summary.md differs from {} (UPDATE_GOLDEN=1 rewrites it):\n{got}",
        golden.display()
    );
}

/// A run of the banked DRAM model: the report splits its DRAM energy into
/// background, activate/precharge, read/write (with I/O) and refresh, in the
/// energy table, its CSV and the energy plot, with the values the
/// simulation's JSON holds (divided by the step's tokens), summing to the
/// DRAM row.
#[test]
fn report_splits_banked_dram_energy_by_part() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read_to_string(root.join("presets/edge-ternary.toml")).unwrap();
    let toml = base.replacen(
        "kind = \"lpddr5\"",
        "kind = \"lpddr5\"\nmodel = \"banked\"\npreset = \"lpddr5-6400\"\nchannels = 4",
        1,
    );
    assert_ne!(toml, base, "the preset names its DRAM kind");
    let arch = dir.path().join("banked.toml");
    std::fs::write(&arch, toml).unwrap();
    let (rep, json) = (dir.path().join("rep"), dir.path().join("r.json"));
    ok(&[
        "sim",
        "--arch",
        p(&arch),
        "--model",
        "bitnet-125M",
        "--seq",
        "16",
        "--report",
        p(&rep),
        "--json",
        p(&json),
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let e = &v["energy"];
    let tokens = e["tokens"].as_f64().unwrap();
    let parts = &e["dram_parts_pj"];
    let keys = ["background_pj", "act_pre_pj", "rd_wr_pj", "refresh_pj"];
    let want: Vec<f64> = keys
        .iter()
        .map(|k| parts[k].as_f64().unwrap() / tokens)
        .collect();
    // every part is spent in a decode step of a few ms (refresh every tREFI)
    assert!(want.iter().all(|&x| x > 0.0), "{want:?}");
    let dram = e["per_token_pj"]["dram"].as_f64().unwrap();
    let sum: f64 = want.iter().sum();
    assert!(
        (sum - dram).abs() <= 1e-9 * dram,
        "parts {sum} vs DRAM {dram}"
    );
    let csv = std::fs::read_to_string(rep.join("tables/energy.csv")).unwrap();
    for (key, w) in [
        "dram_background",
        "dram_act_pre",
        "dram_rd_wr",
        "dram_refresh",
    ]
    .iter()
    .zip(&want)
    {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{key},")))
            .unwrap_or_else(|| panic!("{key} in {csv}"));
        let got: f64 = line.split(',').nth(1).unwrap().parse().unwrap();
        assert!((got - w).abs() <= 1e-9 * w, "{key}: {got} vs {w}");
    }
    let md = std::fs::read_to_string(rep.join("summary.md")).unwrap();
    for label in [
        "· DRAM: background",
        "· DRAM: activate/precharge",
        "· DRAM: read/write and I/O",
        "· DRAM: refresh",
    ] {
        assert!(md.contains(label), "{label} in\n{md}");
    }
    let svg = std::fs::read_to_string(rep.join("figures/energy.svg")).unwrap();
    assert!(
        svg.contains("DRAM: refresh"),
        "the plot's legend names the parts"
    );
    // the transaction model keeps one DRAM row
    let plain = dir.path().join("plain");
    ok(&[
        "sim",
        "--model",
        "bitnet-125M",
        "--seq",
        "16",
        "--report",
        p(&plain),
    ]);
    let md = std::fs::read_to_string(plain.join("summary.md")).unwrap();
    assert!(!md.contains("DRAM: refresh"), "{md}");
}

// --------------------------------------------------------------- sweeps

const SPACE: &str = r#"
base = "edge-ternary"

[constraints]
max_area_mm2 = 0.3

[grid]
array.lanes = [0, 16, 64, 256]
array.width = [32, 64]
dram.bandwidth_gbps = { from = 25.6, to = 76.8, step = 25.6 }
"#;

fn sweep_args<'a>(space: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "sweep",
        "--space",
        space,
        "--model",
        "bitnet-b1.58-700M",
        "--seq",
        "128",
        "--out",
        out,
    ]
}

const SWEEP_FILES: [&str; 5] = [
    "sweep.json",
    "points.csv",
    "points.jsonl",
    "pareto.svg",
    "pareto.png",
];

#[test]
fn sweeps_are_identical_across_jobs_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let space = dir.path().join("space.toml");
    std::fs::write(&space, SPACE).unwrap();
    let sp = p(&space).to_string();
    let out = |n: &str| dir.path().join(n);
    let one = out("one");
    let mut a = sweep_args(&sp, p(&one));
    a.extend(["--jobs", "1"]);
    let s = ok(&a);
    assert!(s.contains("swept 24 design points"), "{s}");
    let two = out("two");
    let mut a = sweep_args(&sp, p(&two));
    a.extend(["--jobs", "2"]);
    ok(&a);
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = out(&format!("shard{i}"));
        let shard = format!("{i}/3");
        let mut a = sweep_args(&sp, p(&d));
        a.extend(["--shard", &shard, "--jobs", "2"]);
        ok(&a);
        shards.push(d);
    }
    // a shard holds every third point
    let csv = std::fs::read_to_string(shards[1].join("points.csv")).unwrap();
    let idx: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(idx, ["1", "4", "7", "10", "13", "16", "19", "22"]);
    let merged = out("merged");
    let report = out("report");
    let s = ok(&[
        "merge",
        p(&shards[2]),
        p(&shards[0]),
        p(&shards[1]),
        "--out",
        p(&merged),
        "--report",
        p(&report),
    ]);
    assert!(s.contains("merged 3 shards"), "{s}");
    for f in SWEEP_FILES {
        let want = std::fs::read(one.join(f)).unwrap();
        assert_eq!(want, std::fs::read(two.join(f)).unwrap(), "--jobs: {f}");
        assert_eq!(want, std::fs::read(merged.join(f)).unwrap(), "merge: {f}");
    }
    assert!(report.join("report.html").is_file());
    assert!(report.join("figures/pareto.svg").is_file());
    // a missing or repeated shard is refused
    let o = onebit(&["merge", p(&shards[0]), p(&shards[1]), "--out", p(&out("x"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing shard(s): 2/3"));
    let o = onebit(&[
        "merge",
        p(&shards[0]),
        p(&shards[0]),
        p(&shards[1]),
        "--out",
        p(&out("x")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    // a seeded sample is reproducible, and shards of it merge to it
    let s1 = out("s1");
    let mut a = sweep_args(&sp, p(&s1));
    a.extend(["--sample", "7", "--seed", "42"]);
    ok(&a);
    let mut parts = Vec::new();
    for i in 0..2 {
        let d = out(&format!("ss{i}"));
        let shard = format!("{i}/2");
        let mut a = sweep_args(&sp, p(&d));
        a.extend([
            "--sample", "7", "--seed", "42", "--shard", &shard, "--jobs", "1",
        ]);
        ok(&a);
        parts.push(d);
    }
    let sm = out("sm");
    ok(&["merge", p(&parts[0]), p(&parts[1]), "--out", p(&sm)]);
    for f in SWEEP_FILES {
        assert_eq!(
            std::fs::read(s1.join(f)).unwrap(),
            std::fs::read(sm.join(f)).unwrap(),
            "sample merge: {f}"
        );
    }
    let lines = std::fs::read_to_string(s1.join("points.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 7);
}

#[test]
fn sweep_constraints_and_invalid_points() {
    let dir = tempfile::tempdir().unwrap();
    let space = dir.path().join("space.toml");
    std::fs::write(&space, SPACE).unwrap();
    let out = dir.path().join("out");
    let s = ok(&sweep_args(p(&space), p(&out)));
    assert!(s.contains("24 points:"), "{s}");
    let mut rdr = csv_rows(&out.join("points.csv"));
    let header = rdr.remove(0);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (status, lanes, area, reason, pareto) = (
        col("status"),
        col("array.lanes"),
        col("area_mm2"),
        col("reason"),
        col("pareto"),
    );
    let mut seen = std::collections::BTreeSet::new();
    for r in &rdr {
        seen.insert(r[status].clone());
        match r[lanes].as_str() {
            // refused by validation: reported with the key, not a crash
            "0" => {
                assert_eq!(r[status], "invalid");
                assert!(r[reason].contains("`array.lanes`"), "{}", r[reason]);
                assert_eq!(r[area], "");
            }
            _ => {
                let a: f64 = r[area].parse().unwrap();
                if a > 0.3 {
                    assert_eq!(r[status], "over-budget", "{r:?}");
                    assert!(r[reason].contains("area"), "{}", r[reason]);
                } else {
                    assert_eq!(r[status], "ok", "{r:?}");
                }
            }
        }
        if r[pareto] == "true" {
            assert_eq!(r[status], "ok");
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(meta["counts"]["invalid"], 6);
    assert!(meta["counts"]["pareto"].as_u64().unwrap() >= 1);
    // a key the description does not have is bad input, named
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "base = \"edge-ternary\"\n[grid]\narray.lane = [1, 2]\n",
    )
    .unwrap();
    let o = onebit(&sweep_args(p(&bad), p(&out)));
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("`array.lane` is not a key"), "{e}");
    let bad2 = dir.path().join("bad2.toml");
    std::fs::write(
        &bad2,
        "base = \"edge-ternary\"\n[grid]\narray.lanes = { from = 1, to = 4 }\n",
    )
    .unwrap();
    let o = onebit(&sweep_args(p(&bad2), p(&out)));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad2.toml:3:"));
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn demo_writes_the_report_and_says_where_to_look() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let s = ok(&["demo", "--out", p(&out), "--no-rtl"]);
    for want in [
        "bitnet-b1.58-2B-4T",
        "edge_ternary",
        "edge_fp16",
        "less energy per token",
        "report.html",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let ids: Vec<String> = figures(&html).into_iter().map(|f| f.0).collect();
    for want in [
        "fig-energy-decode",
        "fig-energy-prefill",
        "fig-sizes",
        "fig-edge_ternary-prefill-roofline",
        "fig-edge_fp16-decode-layers",
    ] {
        assert!(ids.iter().any(|i| i == want), "{want} missing from {ids:?}");
    }
    assert!(out.join("tables/sizes.csv").is_file());
}
