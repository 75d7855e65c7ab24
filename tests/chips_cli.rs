//! `onebit paper chips`: the printed table against its golden file, the
//! report files, determinism, and bad usage; and `onebit sim` pricing a
//! design in the technology table it names.

mod common;

use common::{onebit, stderr, stdout};
use std::path::Path;

/// Compares `actual` with tests/golden/`name`; `ONEBIT_BLESS=1` rewrites it.
fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("ONEBIT_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with ONEBIT_BLESS=1 to create it)",
            path.display()
        )
    });
    assert!(expected == actual, "output differs from {}", path.display());
}

#[test]
fn paper_chips_prints_the_golden_table() {
    let o = onebit(&["paper", "chips"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert_golden("paper-chips.txt", &s);
    // every figure outside its bound carries its explanation
    let outside = s.lines().filter(|l| l.ends_with("  NO")).count();
    let why = s.matches("outside the bound; onebit differs:").count();
    assert_eq!(outside, why);
    assert!(outside > 0);
}

#[test]
fn paper_chips_report_is_whole_and_deterministic() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    for dir in [&a, &b] {
        let o = onebit(&["paper", "chips", "--report", dir.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for f in [
        "chips.md",
        "report.html",
        "chips.json",
        "chips.csv",
        "reference.csv",
    ] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty(), "{f}");
        assert_eq!(x, std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    let md = std::fs::read_to_string(a.join("chips.md")).unwrap();
    for x in [
        "| VitaLLM | decode, tokens/s | 72.46 |",
        "Slim-Llama",
        "TeLLMe v2",
        "CPU reference points",
        "bitnet.cpp",
        "T-MAC",
        // what each preset took from its sources
        "From the papers:",
        "Assumptions (not in the abstracts):",
        "reduction = \"lut\"",
    ] {
        assert!(md.contains(x), "`{x}` missing from chips.md");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("chips.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "onebit-chips-1");
    assert_eq!(v["chips"].as_array().unwrap().len(), 3);
    let csv = std::fs::read_to_string(a.join("chips.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 14);
    // docs/validation.md carries both tables as the tool prints them
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md"))
            .unwrap();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 2 + 14 + 6);
    for r in rows {
        assert!(doc.contains(r), "docs/validation.md lacks `{r}`");
    }
}

#[test]
fn paper_chips_refuses_tech() {
    let o = onebit(&["paper", "chips", "--tech", "7nm"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--tech does not apply"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sim_prices_a_design_in_the_table_it_names() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "sim",
            "--arch",
            "vitallm",
            "--model",
            "bitnet-b1.58-700M",
            "--seq",
            "16",
        ];
        args.extend_from_slice(extra);
        let o = onebit(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    assert!(run(&[]).contains("energy and area at 16nm"));
    // --tech on the command line wins
    assert!(run(&["--tech", "45nm"]).contains("energy and area at 45nm"));
}

#[test]
fn sim_report_shows_published_cpu_measurements_of_the_same_model() {
    let d = tempfile::tempdir().unwrap();
    let run = |model: &str, dir: &str| {
        let out = d.path().join(dir);
        let o = onebit(&[
            "sim",
            "--model",
            model,
            "--seq",
            "16",
            "--report",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read_to_string(out.join("summary.md")).unwrap()
    };
    let md = run("bitnet-b1.58-700M", "a");
    assert!(md.contains("## Published CPU reference points"), "{md}");
    assert!(
        md.contains("| bitnet-b1.58-700M | Apple M2 Ultra (ARM CPU) | bitnet.cpp | 194.38 | 0.1400 | edge_ternary |"),
        "{md}"
    );
    assert!(md.contains("arXiv 2410.16144"));
    // a model nobody measured on a CPU gets no such section
    assert!(!run("bitnet-125M", "b").contains("CPU reference"));
}
