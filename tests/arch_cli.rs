//! End-to-end tests of the accelerator descriptions on the command line:
//! `onebit presets` (table, `--names`, `--toml NAME`) and `onebit check`
//! of accelerator TOML files, good and bad.

mod common;

use common::{onebit, stderr, stdout};

use std::path::Path;
use std::process::Output;

const NAMES: [&str; 17] = [
    "edge-ternary",
    "edge-fp16",
    "edge-int8",
    "edge-w8a8",
    "edge-w4a8",
    "edge-xnor",
    "edge-popcount",
    "edge-lut",
    "datacenter-ternary",
    "datacenter-fp16",
    "datacenter-int8",
    "datacenter-w8a8",
    "datacenter-w4a8",
    "systolic-ws-32x32",
    "vitallm",
    "tellme-v2",
    "slim-llama",
];

#[test]
fn help_lists_presets() {
    let o = onebit(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(
        s.lines()
            .any(|l| l.trim_start().starts_with("presets") && l.contains("accelerator presets")),
        "{s}"
    );
}

#[test]
fn presets_table() {
    let o = onebit(&["presets"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    for n in NAMES {
        assert!(s.lines().any(|l| l.starts_with(n)), "{n} missing from\n{s}");
    }
    let row = |n: &str| {
        s.lines()
            .find(|l| l.starts_with(&format!("{n} ")))
            .unwrap()
            .to_string()
    };
    let r = row("edge-ternary");
    for x in [
        "*",
        "adder-tree",
        "64x64",
        "ternary/int8",
        "4096",
        "LPDDR5 51.2",
        "256/128/32",
    ] {
        assert!(r.contains(x), "`{x}` missing from {r}");
    }
    let r = row("datacenter-ternary");
    for x in ["256x256", "65536", "1.5", "HBM3 3276.8", "8192/4096/1024"] {
        assert!(r.contains(x), "`{x}` missing from {r}");
    }
    // iso-throughput baselines: same MACs a cycle, same memory
    let r = row("edge-fp16");
    for x in [
        "mac",
        "64x64",
        "fp16/fp16",
        "4096",
        "LPDDR5 51.2",
        "256/128/32",
    ] {
        assert!(r.contains(x), "`{x}` missing from {r}");
    }
    // the bit-serial design walks 8 planes 2 at a time: 64 x 256 / 4
    let r = row("edge-popcount");
    assert!(r.contains("popcount") && r.contains(" 4096 "), "{r}");
    let r = row("edge-xnor");
    assert!(r.contains("binary/binary") && r.contains("16384"), "{r}");
    // the table-lookup design at edge-ternary's area: 51 x 63, one chunk a cycle
    let r = row("edge-lut");
    assert!(
        r.contains("lut") && r.contains("51x63") && r.contains(" 3213 "),
        "{r}"
    );
}

#[test]
fn presets_names() {
    let o = onebit(&["presets", "--names"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), NAMES);
}

#[test]
fn every_preset_as_toml_checks() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for n in NAMES {
        let o = onebit(&["presets", "--toml", n]);
        assert_eq!(o.status.code(), Some(0), "{n}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.starts_with(&format!("# {n}: ")), "{n}");
        let f = dir.path().join(format!("{n}.toml"));
        std::fs::write(&f, text).unwrap();
        files.push(f.to_string_lossy().into_owned());
    }
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let o = onebit(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert_eq!(
        s.lines().filter(|l| l.starts_with("ok  ")).count(),
        NAMES.len()
    );
    let line = s.lines().find(|l| l.contains("edge-ternary.toml")).unwrap();
    for x in [
        "accelerator edge_ternary",
        "adder-tree 64x64",
        "ternary weights / int8 activations",
        "24-bit accumulators",
        "LPDDR5 51.2 GB/s",
    ] {
        assert!(line.contains(x), "`{x}` missing from {line}");
    }
    let line = s.lines().find(|l| l.contains("edge-fp16.toml")).unwrap();
    assert!(line.contains("fp32 accumulators"), "{line}");
}

#[test]
fn preset_names_are_case_insensitive_and_unknown_names_fail() {
    let o = onebit(&["presets", "--toml", "EDGE-TERNARY"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("name = \"edge_ternary\""));

    let o = onebit(&["presets", "--toml", "edge-ternery"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("unknown preset `edge-ternery`"), "{e}");
    for n in NAMES {
        assert!(e.contains(n), "{n} missing from {e}");
    }
    assert!(stdout(&o).is_empty());
}

/// Writes the default design with `from` replaced by `to` and checks it.
fn check_edited(dir: &Path, file: &str, from: &str, to: &str) -> (Output, String, usize) {
    let text = stdout(&onebit(&["presets", "--toml", "edge-ternary"]));
    assert!(text.contains(from), "{from}");
    let edited = text.replacen(from, to, 1);
    let line = edited
        .lines()
        .position(|l| l.contains(to.trim()))
        .map_or(0, |i| i + 1);
    let path = dir.join(file);
    std::fs::write(&path, &edited).unwrap();
    let p = path.to_string_lossy().into_owned();
    (onebit(&["check", &p]), p, line)
}

#[test]
fn bad_files_exit_2_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // out of range: names the key, the value and the range
    let (o, p, line) = check_edited(d, "lanes.toml", "\nlanes = 64\n", "\nlanes = 0\n");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        format!(
            "error: {p}:{line}:1: `array.lanes` = 0 is out of range: expected an integer from 1 to 4096"
        )
    );

    // accumulators too narrow
    let (o, p, line) = check_edited(d, "acc.toml", "# acc_bits = 24", "acc_bits = 16");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with(&format!(
            "error: {p}:{line}:1: `array.acc_bits` = 16 is too small: K up to max_k=32768"
        )),
        "{e}"
    );
    assert!(e.contains("needs at least 24 bits"), "{e}");

    // wrong type: the column of the value
    let (o, p, line) = check_edited(d, "type.toml", "\nwidth = 64\n", "\nwidth = \"wide\"\n");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with(&format!(
            "error: {p}:{line}:9: `array.width` = \"wide\" is not an integer: expected an integer from 1 to 4096"
        )),
        "{e}"
    );

    // unknown key
    let (o, p, line) = check_edited(d, "key.toml", "\nzeros = ", "\nzero = ");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with(&format!("error: {p}:{line}:1: unknown key `array.zero`")),
        "{e}"
    );

    // syntax
    let (o, p, line) = check_edited(d, "syntax.toml", "\nlanes = 64\n", "\nlanes = = 64\n");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with(&format!(
            "error: {p}:{line}:9: TOML syntax error in `array.lanes`"
        )),
        "{e}"
    );

    // the design name must be a Verilog identifier
    let (o, p, line) = check_edited(
        d,
        "name.toml",
        "name = \"edge_ternary\"",
        "name = \"edge-ternary\"",
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with(&format!(
            "error: {p}:{line}:1: `name` = \"edge-ternary\" is not a legal design name"
        )),
        "{e}"
    );

    // every bad file is reported, good ones still print
    let good = d.join("good.toml");
    std::fs::write(&good, stdout(&onebit(&["presets", "--toml", "edge-xnor"]))).unwrap();
    let bad1 = d.join("lanes.toml");
    let bad2 = d.join("syntax.toml");
    let o = onebit(&[
        "check",
        &bad1.to_string_lossy(),
        &good.to_string_lossy(),
        &bad2.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("accelerator edge_xnor, popcount 64x256"));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 2, "{e}");
    assert!(e.lines().next().unwrap().contains("lanes.toml:"), "{e}");
    assert!(e.lines().nth(1).unwrap().contains("syntax.toml:"), "{e}");
}

#[test]
fn committed_preset_files_check() {
    let mut args = vec!["check".to_string()];
    for n in NAMES {
        args.push(format!("presets/{n}.toml"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = onebit(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
