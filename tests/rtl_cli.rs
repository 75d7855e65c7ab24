//! End-to-end tests of `onebit rtl emit|check|synth`: files and manifest,
//! refusals (exit 2), a passing co-simulation under Icarus and Verilator
//! (exit 0), a broken tile (exit 1), Yosys cell counts with their gate
//! equivalents. The tools are required: a missing one fails with the hint.

mod common;

use common::{onebit, stderr, stdout};

use sim::arch::{preset, to_toml, Reduction};
use std::path::{Path, PathBuf};
use workloads::Precision;

fn dir(test: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("rtl-cli")
        .join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("test directory");
    d
}

/// A small design as a TOML file: `lanes` x `width`, the given reduction
/// and formats, the rest from edge-ternary.
fn design(
    dir: &Path,
    name: &str,
    lanes: u32,
    width: u32,
    reduction: Reduction,
    acts: Precision,
    weights: Precision,
) -> String {
    let mut a = preset("edge-ternary").expect("preset");
    a.name = name.into();
    a.array.lanes = lanes;
    a.array.width = width;
    a.array.reduction = reduction;
    a.array.activations = acts;
    a.array.weights = weights;
    a.array.planes_per_cycle = sim::arch::activation_planes(acts).min(2);
    a.array.max_k = 1024;
    a.validate().expect("valid");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, to_toml(&a)).expect("write design");
    path.display().to_string()
}

fn ternary(dir: &Path, name: &str) -> String {
    design(
        dir,
        name,
        3,
        6,
        Reduction::AdderTree,
        Precision::INT8,
        Precision::Ternary,
    )
}

#[test]
fn emit_writes_the_verilog_and_the_manifest() {
    let d = dir("emit");
    let arch = design(
        &d,
        "pop",
        2,
        5,
        Reduction::Popcount,
        Precision::INT8,
        Precision::Ternary,
    );
    let out = d.join("rtl");
    let o = onebit(&[
        "rtl",
        "emit",
        "--arch",
        &arch,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["pop_lane.v", "pop_tile.v", "pop_tile.json"] {
        assert!(out.join(f).exists(), "{f} missing: {}", stdout(&o));
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pop_tile.json")).unwrap()).unwrap();
    assert_eq!(m["schema"], "onebit-rtl-manifest/1");
    assert_eq!(m["top"], "pop_tile");
    assert_eq!(m["timing"]["initiation_interval"], 4);
    assert_eq!(
        m["timing"]["latency"],
        m["timing"]["pipeline_regs"].as_u64().unwrap() + 4
    );
    // 1024 terms of int8 x ternary: [-131072, 131072] -> 19 bits
    assert_eq!(m["acc_bits"], 19);
    let ports = m["ports"].as_array().unwrap();
    let width = |n: &str| {
        ports
            .iter()
            .find(|p| p["name"] == n)
            .unwrap_or_else(|| panic!("port {n}"))["width"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(width("in_act"), 5 * 8);
    assert_eq!(width("in_wgt"), 2 * 5 * 2);
    assert_eq!(width("out_acc"), 2 * 19);
    assert_eq!(m["encodings"]["weights"]["codes"][1]["code"], "2'b11");
    assert_eq!(m["encodings"]["weights"]["codes"][1]["value"], -1);
    let tile = std::fs::read_to_string(out.join("pop_tile.v")).unwrap();
    assert!(tile.contains("module pop_tile ("), "{tile}");
}

#[test]
fn refused_designs_exit_2_with_the_reason() {
    let d = dir("refused");
    let out = d.join("rtl");
    let o = onebit(&[
        "rtl",
        "emit",
        "--arch",
        "edge-fp16",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("integer datapaths only"),
        "{}",
        stderr(&o)
    );
    let o = onebit(&[
        "rtl",
        "emit",
        "--arch",
        "systolic-ws-32x32",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("lane template"), "{}", stderr(&o));
    // a design name that is a Verilog keyword
    let arch = ternary(&d, "ok_name");
    let text = std::fs::read_to_string(&arch)
        .unwrap()
        .replace("name = \"ok_name\"", "name = \"module\"");
    let bad = d.join("bad.toml");
    std::fs::write(&bad, text).unwrap();
    let o = onebit(&[
        "rtl",
        "emit",
        "--arch",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("keyword"), "{}", stderr(&o));
    let o = onebit(&["rtl", "check", "--arch", &arch, "--sim", "modelsim"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("verilator or icarus"), "{}", stderr(&o));
}

#[test]
fn check_passes_under_icarus_with_a_waveform() {
    let d = dir("check_icarus");
    let arch = design(
        &d,
        "xn",
        3,
        10,
        Reduction::Popcount,
        Precision::Binary,
        Precision::Binary,
    );
    let vcd = d.join("run.vcd");
    let o = onebit(&[
        "rtl",
        "check",
        "--arch",
        &arch,
        "--sim",
        "icarus",
        "--vectors",
        "120",
        "--seed",
        "5",
        "--vcd",
        vcd.to_str().unwrap(),
    ]);
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}{}", stderr(&o));
    assert!(s.contains("lint clean"), "{s}");
    assert!(s.contains(", 0 mismatches"), "{s}");
    assert!(s.trim_end().ends_with("PASS"), "{s}");
    let wave = std::fs::read_to_string(&vcd).expect("the VCD");
    assert!(wave.contains("$enddefinitions"), "not a VCD");
}

#[test]
fn check_passes_under_verilator() {
    let d = dir("check_verilator");
    let arch = ternary(&d, "tern");
    let o = onebit(&["rtl", "check", "--arch", &arch, "--vectors", "200"]);
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}{}", stderr(&o));
    assert!(s.contains("tern: lint clean, 2"), "{s}");
    assert!(s.contains(", 0 mismatches"), "{s}");
    assert!(s.contains("verilator (Verilator 5"), "{s}");
}

#[test]
fn a_broken_tile_fails_the_check_with_exit_1() {
    let d = dir("check_broken");
    let arch = ternary(&d, "broken");
    let o = onebit(&[
        "rtl",
        "check",
        "--arch",
        &arch,
        "--sim",
        "icarus",
        "--vectors",
        "40",
        "--inject-fault",
    ]);
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{s}{}", stderr(&o));
    assert!(s.contains("MISMATCH cycle="), "{s}");
    assert!(s.trim_end().ends_with("FAIL"), "{s}");
    assert!(stderr(&o).contains("does not match"), "{}", stderr(&o));
}

#[test]
fn synth_counts_cells_and_gate_equivalents() {
    let d = dir("synth");
    let arch = ternary(&d, "syn");
    let json = d.join("synth.json");
    let o = onebit(&[
        "rtl",
        "synth",
        "--arch",
        &arch,
        "--json",
        json.to_str().unwrap(),
    ]);
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}{}", stderr(&o));
    assert!(s.contains("$_XOR_"), "{s}");
    assert!(s.contains("lane array at 7nm"), "{s}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["schema"], "onebit-rtl-synth/1");
    let total = r["total_cells"].as_u64().unwrap();
    let cells = |m: &serde_json::Value| -> u64 {
        m.as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    // hierarchy: 3 lanes and the top
    let lane = cells(&r["modules"]["syn_lane"]);
    let top = cells(&r["modules"]["syn_tile"]);
    assert_eq!(total, 3 * lane + top, "{r}");
    let ge = r["gate_equivalents"].as_f64().unwrap();
    assert!(
        ge > total as f64 * 0.67 && ge < total as f64 * 8.0,
        "{ge} GE for {total} cells"
    );
    // the weights are the energy model's
    let t = energy_model::Technology::default_7nm();
    for (cell, _) in r["cells"].as_object().unwrap() {
        assert_eq!(
            rtl_gen::synth::cell_ge(cell),
            energy_model::area::yosys_cell_ge(&t, cell),
            "{cell}"
        );
    }
}

/// Yosys's flip-flops and 2:1 multiplexers of one lane of a small ternary
/// design with `array.token_tile = tt`: (flip-flops, `$_MUX_`).
fn lane_flops_and_muxes(d: &Path, tt: u32) -> (u64, u64) {
    let mut a = preset("edge-ternary").expect("preset");
    a.name = format!("reg{tt}");
    a.array.lanes = 4;
    a.array.width = 16;
    a.array.max_k = 1024;
    a.array.token_tile = tt;
    a.validate().expect("valid");
    let arch = d.join(format!("reg{tt}.toml"));
    std::fs::write(&arch, to_toml(&a)).expect("write design");
    let json = d.join(format!("reg{tt}.json"));
    let o = onebit(&[
        "rtl",
        "synth",
        "--arch",
        arch.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let t = energy_model::Technology::default_7nm();
    let lane = r["modules"][format!("reg{tt}_lane")].as_object().unwrap();
    let flops = lane
        .iter()
        .filter(|(c, _)| energy_model::area::yosys_cell_ge(&t, c).is_some_and(|g| g.1))
        .map(|(_, n)| n.as_u64().unwrap())
        .sum();
    (flops, lane.get("$_MUX_").map_or(0, |n| n.as_u64().unwrap()))
}

/// What the area model prices for a token tile is what the tile builds: the
/// flip-flops and multiplexers a lane gains from `T = 1` to `T = 4` are the
/// `T - 1` more accumulators and the `T:1` multiplexer per accumulator bit
/// of `energy_model::lane_extras`, and no staging weight register (the
/// weight buffer delivers a chunk a cycle, the tile takes it on `in_wgt`).
#[test]
fn synth_counts_the_weight_registers_the_area_model_prices() {
    let d = dir("synth-registers");
    let (f1, m1) = lane_flops_and_muxes(&d, 1);
    let (f4, m4) = lane_flops_and_muxes(&d, 4);
    let mut a = preset("edge-ternary").expect("preset");
    a.array.lanes = 4;
    a.array.width = 16;
    a.array.max_k = 1024;
    a.array.token_tile = 4;
    assert!(!energy_model::lane_extras::needs_staging(&a));
    let acc = u64::from(a.acc_bits());
    let (_, extra) =
        energy_model::lane_extras::per_lane(&a, &energy_model::Technology::default_7nm());
    assert_eq!(extra, 3 * acc);
    assert_eq!(f4 - f1, extra, "lane flip-flops {f1} -> {f4}");
    assert_eq!(m4 - m1, 3 * acc, "lane multiplexers {m1} -> {m4}");
    // the weight register (16 x 2 bits) is in both, stage 0 of the lane
    assert!(f1 >= 32 + acc, "{f1}");
}
