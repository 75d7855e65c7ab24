//! End-to-end tests of the checkpoint commands on the committed test
//! checkpoints (tests/data/weights, written by scripts/make-test-checkpoints.py
//! with gguf-py and safetensors): `onebit weights`, `onebit run-layer`
//! (bit-exact against the generator's reference, and under Verilator) and
//! `onebit sim --weights`.

mod common;

use common::{onebit, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

const DATA: &str = "tests/data/weights";

fn dir(test: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("weights-cli")
        .join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("test directory");
    d
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")
}

fn expected() -> Value {
    json(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(DATA)
            .join("expected.json"),
    )
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn weights_prints_the_table_and_writes_json_csv_and_plot() {
    let d = dir("table");
    let (j, c, p) = (d.join("w.json"), d.join("w.csv"), d.join("zeros.svg"));
    let f = format!("{DATA}/tiny-tq2_0.gguf");
    let o = onebit(&[
        "weights",
        &f,
        "--json",
        &s(&j),
        "--csv",
        &s(&c),
        "--plot",
        &s(&p),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("GGUF v3"), "{out}");
    let q = out
        .lines()
        .find(|l| l.starts_with("blk.0.attn_q.weight"))
        .expect("q row");
    assert!(
        q.contains("TQ2_0") && q.contains("2.0625") && q.contains("31.01%"),
        "{q}"
    );
    let v = json(&j);
    assert_eq!(v["schema"], "onebit.weights/1");
    let k = v["tensors"]
        .as_array()
        .expect("tensors")
        .iter()
        .find(|t| t["name"] == "blk.0.attn_k.weight")
        .expect("k");
    assert_eq!(k["stats"]["zeros"], 8192);
    assert_eq!(k["op"], "L0.k");
    let csv = std::fs::read_to_string(&c).expect("csv");
    assert_eq!(csv.lines().count(), 13, "{csv}");
    assert!(std::fs::read_to_string(&p).expect("svg").contains("<svg"));
    assert!(d.join("zeros.png").is_file());
}

#[test]
fn a_truncated_checkpoint_exits_2_naming_file_byte_and_tensor() {
    let d = dir("truncated");
    let good = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(DATA)
            .join("tiny-i2_s.gguf"),
    )
    .expect("read");
    let bad = d.join("cut.gguf");
    std::fs::write(&bad, &good[..good.len() - 4000]).expect("write");
    let o = onebit(&["weights", &s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("cut.gguf") && e.contains("byte ") && e.contains("tensor `"),
        "{e}"
    );
    assert!(e.contains("past the end of the file"), "{e}");
    assert!(stdout(&o).is_empty());
    let o = onebit(&["weights", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a GGUF file"), "{}", stderr(&o));
}

/// The generator's reference outputs for tensor `short` equal the
/// bit-exact datapath's on every file.
#[test]
fn run_layer_reproduces_the_generator_reference() {
    let e = expected();
    let d = dir("run_layer");
    for short in ["q", "k"] {
        let r = &e["layers"][short];
        let acts = d.join(format!("{short}.json"));
        std::fs::write(&acts, r["x"].to_string()).expect("acts");
        for (file, info) in e["files"].as_object().expect("files") {
            if file.contains("master") {
                continue;
            }
            let name = info["names"][short].as_str().expect("name");
            let tensor = if file.ends_with(".gguf") {
                format!("blk.0.{name}.weight")
            } else {
                format!("model.layers.0.{name}.weight")
            };
            let out = d.join(format!("{short}-{}.json", file.replace('/', "_")));
            let o = onebit(&[
                "run-layer",
                "--weights",
                &format!("{DATA}/{file}"),
                "--tensor",
                &tensor,
                "--acts",
                &s(&acts),
                "--json",
                &s(&out),
            ]);
            assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
            assert!(
                stdout(&o).contains("integer outputs equal"),
                "{}",
                stdout(&o)
            );
            let v = json(&out);
            let flat = |x: &Value| -> Vec<f64> {
                x.as_array()
                    .expect("rows")
                    .iter()
                    .flat_map(|r| {
                        r.as_array()
                            .expect("row")
                            .iter()
                            .map(|v| v.as_f64().expect("n"))
                    })
                    .collect()
            };
            let ints = |x: &Value| -> Vec<i64> {
                x.as_array()
                    .expect("a")
                    .iter()
                    .map(|v| v.as_i64().expect("i"))
                    .collect()
            };
            assert_eq!(
                ints(&v["x_q"]),
                flat(&r["x_q"])
                    .iter()
                    .map(|&x| x as i64)
                    .collect::<Vec<_>>(),
                "{file}"
            );
            assert_eq!(
                ints(&v["acc"]),
                flat(&r["acc"])
                    .iter()
                    .map(|&x| x as i64)
                    .collect::<Vec<_>>(),
                "{file}"
            );
            assert_eq!(v["mismatches"], 0);
            // the packed file stores 1/scale in bf16: its scale differs by < 0.4%
            let tol = if file.ends_with(".gguf") { 1e-5 } else { 5e-3 };
            for key in ["dequantized", "f32"] {
                let want = flat(&r[key]);
                let got: Vec<f64> = v[if key == "f32" { "f32_ref" } else { key }]
                    .as_array()
                    .expect("a")
                    .iter()
                    .map(|x| x.as_f64().expect("f"))
                    .collect();
                let scale = want.iter().fold(0f64, |m, x| m.max(x.abs()));
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g - w).abs() <= tol * scale,
                        "{file} {short} {key}: {g} vs {w}"
                    );
                }
            }
            let err = v["rel_rms_err"].as_f64().expect("err");
            assert!(err > 1e-4 && err < 0.02, "{file}: {err}");
        }
    }
}

#[test]
fn run_layer_replays_through_the_generated_tile_under_verilator() {
    assert!(
        std::process::Command::new("verilator")
            .arg("--version")
            .output()
            .is_ok(),
        "verilator is not installed: run scripts/setup (apt-get install verilator)"
    );
    let o = onebit(&[
        "run-layer",
        "--weights",
        &format!("{DATA}/tiny-packed/model.safetensors"),
        "--tensor",
        "model.layers.0.self_attn.k_proj.weight",
        "--tokens",
        "1",
        "--rtl",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.contains("RTL replay") && out.contains("passed") && out.contains(" 0 mismatches"),
        "{out}"
    );
    assert!(
        out.contains("tile model equals the bit-exact outputs"),
        "{out}"
    );
}

#[test]
fn sim_with_weights_uses_the_measured_zero_share() {
    let d = dir("sim");
    let j = d.join("r.json");
    let o = onebit(&[
        "sim",
        "--weights",
        &format!("{DATA}/tiny-i2_s.gguf"),
        "--json",
        &s(&j),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&j);
    let op = |name: &str| {
        v["ops"]
            .as_array()
            .expect("ops")
            .iter()
            .find(|o| o["name"] == name)
            .cloned()
            .expect("op")
    };
    // k: 64 x 256 with exactly 50% zeros, one token: 8192 gated terms
    assert_eq!(op("L0.k")["activity"]["zero_terms_gated"], 8192);
    // up: 20128 zeros of 65536
    assert_eq!(op("L0.up")["activity"]["zero_terms_gated"], 20128);
    assert_eq!(v["model"], "onebit-tiny");
    // a model that disagrees with the file is refused
    let o = onebit(&[
        "sim",
        "--weights",
        &format!("{DATA}/tiny-i2_s.gguf"),
        "--model",
        "bitnet-b1.58-700M",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not agree"), "{}", stderr(&o));
    // an agreeing config.json is taken
    let o = onebit(&[
        "sim",
        "--weights",
        &format!("{DATA}/tiny-i2_s.gguf"),
        "--hf-config",
        &format!("{DATA}/tiny-packed/config.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
