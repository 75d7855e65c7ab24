//! End-to-end tests of the energy model on the command line: energy in
//! `onebit sim` (summary, JSON, CSV), `--tech` override files good and bad,
//! `onebit check` of technology tables, and `onebit paper bitnet-b1.58`.

mod common;

use common::{onebit, stderr, stdout};

use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sim_json(dir: &Path, name: &str, extra: &[&str]) -> serde_json::Value {
    let out = dir.join(name);
    let mut args = vec![
        "sim",
        "--arch",
        "edge-ternary",
        "--model",
        "bitnet-b1.58-700M",
        "--seq",
        "128",
        "--json",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = onebit(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&out)
}

#[test]
fn sim_reports_energy_in_summary_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("r.json");
    let c = dir.path().join("r.csv");
    let o = onebit(&[
        "sim",
        "--arch",
        "edge-ternary",
        "--model",
        "bitnet-b1.58-700M",
        "--seq",
        "128",
        "--json",
        j.to_str().unwrap(),
        "--csv",
        c.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    for want in [
        "energy and area at 7nm",
        "energy/token",
        "TOPS/W",
        "pJ/MAC",
        "mm²",
        "energy per token by component",
        "dram",
        "leakage",
    ] {
        assert!(s.contains(want), "missing `{want}` in\n{s}");
    }
    let v = json(&j);
    assert_eq!(v["schema"], "onebit.sim/1");
    let e = &v["energy"];
    assert_eq!(e["schema"], "onebit.energy/1");
    assert_eq!(e["technology"], "7nm");
    let jpt = e["joules_per_token"].as_f64().unwrap();
    assert!(jpt > 1e-4 && jpt < 1.0, "{jpt}");
    let total = e["energy_pj"].as_f64().unwrap();
    let parts: f64 = e["total_pj"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_f64().unwrap())
        .sum();
    assert!((parts - total).abs() <= 1e-9 * total);
    assert!(v["area"]["sram_weights_mm2"].as_f64().unwrap() > 0.0);
    assert_eq!(
        e["ops"].as_array().unwrap().len(),
        v["ops"].as_array().unwrap().len()
    );

    // the CSV: energy columns; the operators carry everything but leakage
    let text = std::fs::read_to_string(&c).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let hdr = rd.headers().unwrap().clone();
    let col = |n: &str| {
        hdr.iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let (ei, di) = (col("energy_pj"), col("dram_pj"));
    col("array_select_pj");
    col("sram_weights_pj");
    let mut sum = 0.0;
    let mut dram = 0.0;
    for r in rd.records() {
        let r = r.unwrap();
        sum += r[ei].parse::<f64>().unwrap();
        dram += r[di].parse::<f64>().unwrap();
    }
    let leak = e["total_pj"]["leakage"].as_f64().unwrap();
    assert!(
        (sum + leak - total).abs() <= 1e-6 * total,
        "{sum} + {leak} vs {total}"
    );
    let jd = e["total_pj"]["dram"].as_f64().unwrap();
    assert!((dram - jd).abs() <= 1e-9 * jd);
}

#[test]
fn sim_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = sim_json(dir.path(), "a.json", &[]);
    let b = sim_json(dir.path(), "b.json", &[]);
    assert_eq!(a, b);
    let (ta, tb) = (
        std::fs::read(dir.path().join("a.json")).unwrap(),
        std::fs::read(dir.path().join("b.json")).unwrap(),
    );
    assert_eq!(ta, tb);
}

#[test]
fn tech_override_file_reprices() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mine.toml");
    std::fs::write(
        &f,
        "[technology]\nbase = \"7nm\"\n\n[dram]\nlpddr5_pj_per_bit = { value = 10.0, source = \"2x the default\" }\n",
    )
    .unwrap();
    let base = sim_json(dir.path(), "base.json", &[]);
    let over = sim_json(dir.path(), "over.json", &["--tech", f.to_str().unwrap()]);
    let d = |v: &serde_json::Value| v["energy"]["total_pj"]["dram"].as_f64().unwrap();
    assert!((d(&over) / d(&base) - 2.0).abs() < 1e-12);
    let sel = |v: &serde_json::Value| v["energy"]["total_pj"]["array_add"].as_f64().unwrap();
    assert_eq!(sel(&over), sel(&base));
    assert_eq!(
        over["energy"]["tech_overrides"],
        serde_json::json!(["dram.lpddr5_pj_per_bit"])
    );
    assert!(over["energy"]["technology"]
        .as_str()
        .unwrap()
        .contains("overridden by"));

    // a built-in table by name
    let t45 = sim_json(dir.path(), "45.json", &["--tech", "45nm"]);
    assert_eq!(t45["energy"]["technology"], "45nm");
    assert!(sel(&t45) > 4.0 * sel(&base));
}

#[test]
fn bad_tech_file_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[technology]\n[dram]\nhbm3_pj_per_bit = -2.0\n").unwrap();
    let o = onebit(&[
        "sim",
        "--model",
        "bitnet-b1.58-700M",
        "--tech",
        f.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad.toml:3:19:"), "{e}");
    assert!(
        e.contains("`dram.hbm3_pj_per_bit` = -2 is out of range"),
        "{e}"
    );

    std::fs::write(&f, "[technology]\n\n[arithmetic]\nfp8_mul_pj = 0.1\n").unwrap();
    let o = onebit(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad.toml:4:1:"), "{e}");
    assert!(e.contains("unknown key `arithmetic.fp8_mul_pj`"), "{e}");

    let o = onebit(&["sim", "--model", "bitnet-b1.58-700M", "--tech", "5nm"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("7nm, 16nm, 28nm, 45nm"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_accepts_the_builtin_tables() {
    let o = onebit(&[
        "check",
        "energy-model/tech/7nm.toml",
        "energy-model/tech/16nm.toml",
        "energy-model/tech/28nm.toml",
        "energy-model/tech/45nm.toml",
        "presets/edge-ternary.toml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("7nm.toml: technology 7nm"), "{s}");
    assert!(s.contains("45nm.toml: technology 45nm"), "{s}");
    assert!(s.contains("16nm.toml: technology 16nm"), "{s}");
    assert!(s.contains("28nm.toml: technology 28nm"), "{s}");
    assert!(s.contains("edge-ternary.toml: accelerator"), "{s}");
}

const REPORT_FILES: [&str; 12] = [
    "bitnet-b1.58.md",
    "bitnet-b1.58-throughput.md",
    "bitnet-b1.58.json",
    "a-headline.csv",
    "b-bitnet-table1.csv",
    "c-energy-trend.csv",
    "d-memory.csv",
    "e-baselines.csv",
    "e-size-trend.csv",
    "report.html",
    "figures/sizes.svg",
    "figures/sizes.png",
];

#[test]
fn paper_bitnet_b158_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2) = (dir.path().join("one"), dir.path().join("two"));
    let o1 = onebit(&["paper", "bitnet-b1.58", "--report", d1.to_str().unwrap()]);
    assert_eq!(o1.status.code(), Some(0), "{}", stderr(&o1));
    let s = stdout(&o1);
    for want in [
        "(a) FP16 multiply-add vs ternary INT8 accumulate",
        "71.43x",
        "71.4x [1]",
        "(b) BitNet Table 1",
        "34 of 36 reproduced values",
        "(c) BitNet b1.58 vs FP16 LLaMA",
        "18.6x [1]",
        "41.2x [1]",
        "(d) BitNet b1.58 Table 1, memory",
        "3.55x [1]",
        "arXiv 2402.17764",
        "arXiv 2310.11453",
    ] {
        assert!(s.contains(want), "missing `{want}` in\n{s}");
    }
    for size in ["700M", "1.3B", "3B", "3.9B", "7B", "13B", "70B"] {
        assert!(
            s.lines().any(|l| l.starts_with(&format!("{size} "))),
            "{size}"
        );
    }
    for f in REPORT_FILES {
        assert!(d1.join(f).is_file(), "{f}");
    }
    let v = json(&d1.join("bitnet-b1.58.json"));
    let r = v["headline"]["ratio_paper_rule"].as_f64().unwrap();
    assert!((r - 0.5 / 0.007).abs() < 1e-9);
    assert_eq!(v["trend"]["rows"].as_array().unwrap().len(), 7);
    let md = std::fs::read_to_string(d1.join("bitnet-b1.58.md")).unwrap();
    assert!(md.starts_with("# BitNet b1.58 reproduced by onebit"));
    assert!(md.contains("| size |"));
    let trend = std::fs::read_to_string(d1.join("c-energy-trend.csv")).unwrap();
    assert_eq!(trend.lines().count(), 8);
    assert!(trend
        .lines()
        .next()
        .unwrap()
        .contains("ratio_matmul_paper_rule"));

    // deterministic: the same files and output again
    let o2 = onebit(&["paper", "bitnet-b1.58", "--report", d2.to_str().unwrap()]);
    assert_eq!(o2.status.code(), Some(0));
    assert_eq!(stdout(&o1), stdout(&o2));
    for f in REPORT_FILES {
        assert_eq!(
            std::fs::read(d1.join(f)).unwrap(),
            std::fs::read(d2.join(f)).unwrap(),
            "{f}"
        );
    }
    // no temporary files left behind (the figures are in one directory,
    // beside the completion marker)
    assert!(d1.join(".onebit-output").is_file());
    let top = REPORT_FILES.iter().filter(|f| !f.contains('/')).count() + 2;
    assert_eq!(std::fs::read_dir(&d1).unwrap().count(), top);
    assert_eq!(std::fs::read_dir(d1.join("figures")).unwrap().count(), 2);
}

#[test]
fn paper_on_the_datacenter_pair() {
    let o = onebit(&["paper", "bitnet-b1.58", "--designs", "datacenter"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("datacenter-ternary vs datacenter-fp16"));
    let o = onebit(&["paper", "bitnet"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn paper_prints_table3_and_the_latency_ratios() {
    let o = onebit(&["paper", "bitnet-b1.58"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    for want in [
        "(e) Table 3",
        "LLaMA LLM 70B",
        "BitNet b1.58 70B",
        "11.0x",
        "8.9x",
        "(f) Decoding latency",
        "2.71x",
        "4.10x",
        "Why they differ",
    ] {
        assert!(s.contains(want), "{want} missing in\n{s}");
    }
}

#[test]
fn paper_datapaths_compares_three_datapaths_at_equal_area() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onebit"))
        .args([
            "paper",
            "datapaths",
            "--model",
            "bitnet-b1.58-2b-4t",
            "--prefill",
            "64",
        ])
        .output()
        .expect("run onebit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    for want in [
        "edge-ternary",
        "edge-popcount",
        "edge-lut",
        "51 x 63",
        "1.67",
    ] {
        assert!(s.contains(want), "{want}: {s}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_onebit"))
        .args(["paper", "datapaths", "--model", "no-such-model"])
        .output()
        .expect("run onebit");
    assert_eq!(bad.status.code(), Some(2));
}
