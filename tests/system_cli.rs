//! `onebit sim --arch SYSTEM` and sweeps over system keys, end to end.

mod common;
use common::{onebit, stderr, stdout};

#[test]
fn seventy_b_on_the_system_presets() {
    for (preset, chips) in [
        ("edge-ternary-x4", "4 x edge_ternary"),
        ("edge-ternary-x8", "8 x edge_ternary"),
        ("datacenter-ternary-x2", "2 x datacenter_ternary"),
    ] {
        let o = onebit(&["sim", "--arch", preset, "--model", "bitnet-b1.58-70B"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s = stdout(&o);
        assert!(s.contains(chips), "{s}");
        for k in [
            "tokens/s",
            "energy/token (links included)",
            "link utilization",
            "bubble share",
        ] {
            assert!(s.contains(k), "{preset}: {k} missing in\n{s}");
        }
    }
    // one edge chip cannot hold it
    let o = onebit(&[
        "sim",
        "--arch",
        "edge-ternary",
        "--model",
        "bitnet-b1.58-70B",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("capacity_gib"), "{}", stderr(&o));
}

#[test]
fn system_files_are_checked_with_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sys.toml");
    std::fs::write(
        &p,
        "[system]\nchip = \"edge-ternary\"\nchips = 3\ntp = 2\ntopology = \"ring\"\n[system.link]\nbandwidth_gbps = 1.0\nlatency_us = 1.0\nlinks_per_chip = 1\nenergy_pj_per_bit = 1.0\nenergy_source = \"x\"\n",
    )
    .unwrap();
    let o = onebit(&[
        "sim",
        "--arch",
        p.to_str().unwrap(),
        "--model",
        "bitnet-b1.58-700M",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(":3:") && e.contains("system.chips"), "{e}");
    // micro-batches must divide the batch
    let text = std::fs::read_to_string("presets/systems/edge-ternary-x4.toml")
        .unwrap()
        .replace("micro_batches = 1", "micro_batches = 2");
    std::fs::write(&p, text).unwrap();
    let o = onebit(&[
        "sim",
        "--arch",
        p.to_str().unwrap(),
        "--model",
        "bitnet-b1.58-700M",
        "--batch",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("micro_batches"), "{}", stderr(&o));
    let o = onebit(&[
        "sim",
        "--arch",
        p.to_str().unwrap(),
        "--model",
        "bitnet-b1.58-700M",
        "--batch",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn sweeps_vary_system_keys() {
    let dir = tempfile::tempdir().unwrap();
    let space = dir.path().join("space.toml");
    std::fs::write(
        &space,
        "base = \"edge-ternary-x4\"\n[grid]\nsystem.tp = [1, 2, 4]\nsystem.link.bandwidth_gbps = [6.25, 25.0]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = onebit(&[
        "sweep",
        "--space",
        space.to_str().unwrap(),
        "--model",
        "bitnet-b1.58-700M",
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("6 points: 6 within budget"),
        "{}",
        stdout(&o)
    );
    let csv = std::fs::read_to_string(out.join("points.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("system.tp"));
    // an unknown system key is refused before anything runs
    std::fs::write(
        &space,
        "base = \"edge-ternary-x4\"\n[grid]\nsystem.nope = [1, 2]\n",
    )
    .unwrap();
    let o = onebit(&[
        "sweep",
        "--space",
        space.to_str().unwrap(),
        "--model",
        "bitnet-b1.58-700M",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("system.nope"), "{}", stderr(&o));
}
