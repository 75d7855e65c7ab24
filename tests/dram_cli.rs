//! End-to-end tests of `onebit dram` and `onebit sim --dram-trace`: a hand
//! computed replay, JSON output, the request stream round trip, and bad input.

mod common;

use common::{onebit, stderr, stdout};

#[test]
fn one_read_replays_with_hand_computed_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("one.trace");
    std::fs::write(&t, "LD 0x0\n").unwrap();
    let o = onebit(&[
        "dram",
        "--trace",
        t.to_str().unwrap(),
        "--preset",
        "ddr4-3200",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // ACT in cycle 1, RD after tRCD 22, data after CL 22 + BL 4
    assert_eq!(v["cycles"], 49);
    assert_eq!(v["stats"]["row_misses"], 1);
    assert_eq!(v["bytes"], 64);
    let o = onebit(&["dram", "--trace", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for k in [
        "efficiency",
        "row-buffer hit rate",
        "refresh share",
        "energy: refresh",
    ] {
        assert!(stdout(&o).contains(k), "{k}: {}", stdout(&o));
    }
}

#[test]
fn sim_request_stream_replays() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("step.trace");
    let o = onebit(&[
        "sim",
        "--arch",
        "edge-ternary",
        "--model",
        "bitnet-125M",
        "--seq",
        "16",
        "--dram-trace",
        t.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&t).unwrap();
    let lines = text.lines().filter(|l| !l.starts_with('#')).count() as u64;
    // one 64-byte request per 64 bytes the step moves
    let o = onebit(&[
        "sim",
        "--arch",
        "edge-ternary",
        "--model",
        "bitnet-125M",
        "--seq",
        "16",
        "--json",
        dir.path().join("r.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let read = r["result"]["traffic"]["dram_read_bytes"]
        .as_u64()
        .or_else(|| r["traffic"]["dram_read_bytes"].as_u64())
        .unwrap();
    assert!(lines >= read / 64, "{lines} lines for {read} bytes");
    let o = onebit(&[
        "dram",
        "--trace",
        t.to_str().unwrap(),
        "--preset",
        "lpddr5-6400",
        "--channels",
        "4",
        "--clock-ghz",
        "1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["requests"].as_u64().unwrap(), lines);
}

#[test]
fn bad_input_is_refused_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("bad.trace");
    std::fs::write(&t, "LD 0x40\nLD zz\n").unwrap();
    let o = onebit(&["dram", "--trace", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.trace:2:4:"), "{}", stderr(&o));
    let o = onebit(&["dram", "--trace", t.to_str().unwrap(), "--preset", "gddr9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("lpddr5-6400"), "{}", stderr(&o));
    let o = onebit(&["dram", "--trace", t.to_str().unwrap(), "--channels", "3"]);
    assert_eq!(o.status.code(), Some(2));
}
