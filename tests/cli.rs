//! End-to-end tests of the `onebit` command: exit codes, messages naming
//! the file, line and column, golden traces, and config.json import.

mod common;

use common::{onebit, stderr, stdout};

use std::path::{Path, PathBuf};

fn data(name: &str) -> String {
    format!("tests/data/{name}")
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` with a committed golden file; `ONEBIT_BLESS=1`
/// rewrites the file instead.
fn assert_golden(name: &str, actual: &str) {
    let path = golden(name);
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
fn help_lists_every_subcommand() {
    let o = onebit(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    for cmd in ["models", "trace", "check"] {
        assert!(
            s.lines().any(|l| l.trim_start().starts_with(cmd)),
            "{cmd} missing from\n{s}"
        );
    }
}

#[test]
fn models_table_and_json() {
    let o = onebit(&["models"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    let row = s
        .lines()
        .find(|l| l.starts_with("bitnet-b1.58-2B-4T "))
        .unwrap();
    assert!(
        row.contains("2.413B") && row.contains("128256") && row.contains("relu2-glu"),
        "{row}"
    );
    // llama-7B: 6,738,415,616 parameters: FP32 25.103 GiB, 1 bit 0.784 GiB.
    let row = s.lines().find(|l| l.starts_with("llama-7B ")).unwrap();
    assert!(
        row.contains("6.738B") && row.contains("25.103") && row.ends_with("0.784"),
        "{row}"
    );

    let o = onebit(&["models", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let m = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"]["name"] == "llama-70B")
        .unwrap();
    assert_eq!(m["params"]["total"], 68_976_648_192u64);
    assert_eq!(m["model"]["kv_heads"], 8);
    assert_eq!(m["weight_bytes"]["binary"], 68_976_648_192u64 / 8);
}

#[test]
fn models_detail_and_unknown_name() {
    let o = onebit(&["models", "BITNET-B1.58-3B"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("source: 1bitLLM"));
    let o = onebit(&["models", "gpt-5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown model `gpt-5`; the presets are: bitnet-b1.58-2B-4T"));
}

#[test]
fn golden_trace_of_a_small_preset() {
    let o = onebit(&["trace", "--model", "bitnet-125M", "--seq", "16"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_golden("bitnet-125M-decode-seq16.trace", &stdout(&o));
}

#[test]
fn trace_file_round_trips_through_check() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.trace");
    let dot = dir.path().join("g.dot");
    let args = [
        "trace",
        "--model",
        "bitnet-b1.58-2B-4T",
        "--phase",
        "prefill",
        "--seq",
        "64",
        "--batch",
        "2",
    ];
    let o = onebit(
        &[
            &args[..],
            &["-o", t.to_str().unwrap(), "--dot", dot.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote 753 operators"), "{}", stderr(&o));
    let o = onebit(&["check", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("model bitnet-b1.58-2B-4T, prefill batch 2 seq 64, 753 operators"));
    let dot = std::fs::read_to_string(dot).unwrap();
    assert!(dot.starts_with("digraph \"bitnet-b1.58-2B-4T\" {") && dot.contains("cluster_L29"));
}

#[test]
fn hf_config_gives_the_preset_trace() {
    let from_file = onebit(&[
        "trace",
        "--hf-config",
        &data("bitnet-b1.58-2B-4T/config.json"),
        "--seq",
        "8",
    ]);
    let from_preset = onebit(&["trace", "--model", "bitnet-b1.58-2B-4T", "--seq", "8"]);
    assert_eq!(from_file.status.code(), Some(0), "{}", stderr(&from_file));
    // The model is named after the config's folder, so the traces are identical.
    assert_eq!(stdout(&from_file), stdout(&from_preset));
}

#[test]
fn encodings_apply_to_any_preset() {
    let o = onebit(&[
        "trace",
        "--model",
        "bitnet-b1.58-700M",
        "--encoding",
        "binary01",
        "--seq",
        "4",
    ]);
    let s = stdout(&o);
    assert!(s.contains("meta model=bitnet-b1.58-700M@binary01"));
    let q = s.lines().find(|l| l.starts_with("linear L0.q ")).unwrap();
    // 1536 x 1536 weights at 1 bit
    assert!(
        q.contains("w=binary01") && q.contains("a=int8") && q.contains("wbytes=294912"),
        "{q}"
    );
    let o = onebit(&[
        "trace",
        "--model",
        "llama-7B",
        "--encoding",
        "int4",
        "--seq",
        "4",
    ]);
    let q = stdout(&o)
        .lines()
        .find(|l| l.starts_with("linear L0.q "))
        .map(str::to_owned)
        .unwrap();
    assert!(
        q.contains("w=int4") && q.contains("a=int8") && q.contains("wbytes=8388608"),
        "{q}"
    );
}

#[test]
fn bad_files_name_file_line_and_column() {
    let cases: &[(&str, &str)] = &[
        (
            "bad-kind.trace",
            "tests/data/bad-kind.trace:4:1: expected an operator kind",
        ),
        ("bad-version.trace", "tests/data/bad-version.trace:2:14: "),
        (
            "bad-precision.trace",
            "tests/data/bad-precision.trace:2:34: expected a precision",
        ),
        (
            "missing-hidden.json",
            "tests/data/missing-hidden.json: missing key `hidden_size`",
        ),
        (
            "bad-layers.json",
            "tests/data/bad-layers.json: key `num_hidden_layers`: expected an integer",
        ),
        ("broken.json", "tests/data/broken.json:3:23: invalid JSON"),
        (
            "no-such-file.trace",
            "tests/data/no-such-file.trace: No such file",
        ),
        ("", "tests/data/: is a directory"),
    ];
    for (file, msg) in cases {
        let o = onebit(&["check", &data(file)]);
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert!(
            stderr(&o).starts_with(&format!("error: {msg}")),
            "{file}: {}",
            stderr(&o)
        );
    }
    // Several files: good ones summarised, every bad one reported, exit 2.
    let o = onebit(&[
        "check",
        &data("bitnet-b1.58-2B-4T/config.json"),
        &data("bad-kind.trace"),
        &data("broken.json"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o).lines().count(), 1);
    assert_eq!(stderr(&o).lines().count(), 2);
}

#[test]
fn bad_usage_exits_2_without_panicking() {
    for args in [
        &["trace"][..],
        &["trace", "--model", "nope"],
        &["trace", "--model", "llama-7B", "--hf-config", "x.json"],
        &["trace", "--model", "llama-7B", "--seq", "0"],
        &["trace", "--model", "llama-7B", "--seq", "-1"],
        &[
            "trace",
            "--model",
            "llama-70B",
            "--phase",
            "prefill",
            "--seq",
            "1000000000",
            "--batch",
            "100000",
        ],
        &["trace", "--model", "llama-7B", "--phase", "sideways"],
        &["trace", "--model", "llama-7B", "--encoding", "int32"],
        &["trace", "--model", "llama-7B", "--zeros", "1.5"],
        &["trace", "--hf-config", "tests/data/missing-hidden.json"],
        &["check"],
        &["frobnicate"],
    ] {
        let o = onebit(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
}

#[test]
fn output_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir/t.trace");
    let o = onebit(&[
        "trace",
        "--model",
        "bitnet-125M",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // A failed generation leaves an existing file untouched.
    let out = dir.path().join("t.trace");
    std::fs::write(&out, "keep").unwrap();
    let o = onebit(&[
        "trace",
        "--model",
        "bitnet-125M",
        "--seq",
        "0",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn docs_models_table_is_the_command_output() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/models.md"))
        .unwrap();
    let table = doc.split("<!-- models-table").nth(1).unwrap();
    let table = table.split("```\n").nth(1).unwrap();
    let o = onebit(&["models"]);
    let out = stdout(&o);
    let out_table = out.split("\n\n").next().unwrap();
    assert_eq!(
        table.trim_end(),
        out_table.trim_end(),
        "docs/models.md is stale: paste `onebit models`"
    );
}
