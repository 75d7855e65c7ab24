//! End-to-end tests of `onebit rtl emit|check --top accel`: the files and
//! the manifest (ports, register map, descriptor), a layer checked exact
//! against the simulator (exit 0), refused shapes and options (exit 2).
//! Verilator is required; the DRAM model's library is built when missing.

mod common;

use common::{onebit, stderr, stdout};
use sim::arch::{preset, to_toml};
use std::path::PathBuf;

fn dir(test: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("rtl-accel")
        .join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("test directory");
    d
}

/// An 8 x 16 ternary design with a 32-chunk double-buffered weight tile,
/// 4 KiB activation and output buffers, 8 GB/s 40 ns DRAM.
fn design(d: &std::path::Path) -> PathBuf {
    lanes_x16(d, "cli_accel", 8, 2)
}

/// A ternary design of `lanes` x 16 with a `weight_kib` double-buffered
/// weight buffer, 4 KiB activation and output buffers, 8 GB/s 40 ns DRAM,
/// written to `d/name.toml`.
fn lanes_x16(d: &std::path::Path, name: &str, lanes: u32, weight_kib: u32) -> PathBuf {
    let mut a = preset("edge-ternary").expect("preset");
    a.name = name.into();
    a.array.lanes = lanes;
    a.array.width = 16;
    a.array.token_tile = 1;
    a.buffers.weights.kib = weight_kib;
    a.buffers.activations.kib = 4;
    a.buffers.outputs.kib = 4;
    a.dram.bandwidth_gbps = 8.0;
    a.dram.latency_ns = 40.0;
    let p = d.join(format!("{name}.toml"));
    std::fs::write(&p, to_toml(&a)).expect("write design");
    p
}

/// Builds the DRAM model's C library the CLI links into its testbenches
/// where it is missing or older than its sources (once a test binary).
fn dram_lib() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    static LIB: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    if let Err(why) = LIB.get_or_init(|| rtl_gen::accel::dram_lib::ensure(env!("CARGO"), &root)) {
        panic!("{why}");
    }
}

/// `d/layers.trace`: one int8 x ternary linear operator `shapeI` of each
/// `(M, K, N)` of `shapes`, which `rtl check --top accel --trace` runs as
/// its own layer each, all from one Verilator build of the design.
fn layers_trace(d: &std::path::Path, shapes: &[(u64, u64, u64)]) -> PathBuf {
    let mut csv = String::from("Layer, M, N, K\n");
    for (i, (m, k, n)) in shapes.iter().enumerate() {
        csv += &format!("shape{i}, {m}, {n}, {k}\n");
    }
    let t = workloads::gemm::parse_topology(
        "layers",
        &csv,
        workloads::Precision::Int(8),
        workloads::Precision::Ternary,
    )
    .expect("trace");
    let tp = d.join("layers.trace");
    std::fs::write(&tp, workloads::trace::write(&t)).expect("write trace");
    tp
}

/// Runs `onebit` with `args`, which must be refused: exit 2, `reason` on
/// stderr.
fn refused(args: &[&str], reason: &str) {
    let o = onebit(args);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains(reason), "{}", stderr(&o));
}

/// The arguments of `onebit rtl check --top accel --arch ARCH --trace TRACE
/// --ops OPS`, for the trace checks to add their flags to.
fn trace_check<'a>(arch: &'a str, trace: &'a str, ops: &'a str) -> Vec<&'a str> {
    vec![
        "rtl", "check", "--top", "accel", "--arch", arch, "--trace", trace, "--ops", ops,
    ]
}

/// The summary of each layer `shapeI` in the output of a `--trace` check
/// of `n` layers, in order.
fn layer_sections(s: &str, n: usize) -> Vec<&str> {
    let at: Vec<usize> = (0..n)
        .map(|i| {
            s.find(&format!("shape{i}: "))
                .unwrap_or_else(|| panic!("no layer shape{i} in {s}"))
        })
        .collect();
    (0..n)
        .map(|i| &s[at[i]..at.get(i + 1).copied().unwrap_or(s.len())])
        .collect()
}

#[test]
fn emit_writes_the_top_its_buffers_and_manifest() {
    let d = dir("emit");
    let arch = design(&d);
    let out = d.join("rtl");
    let o = onebit(&[
        "rtl",
        "emit",
        "--top",
        "accel",
        "--arch",
        arch.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "cli_accel_lane.v",
        "cli_accel_tile.v",
        "cli_accel_sram_w.v",
        "cli_accel_sram_a.v",
        "cli_accel_sram_o.v",
        "cli_accel_accel.v",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cli_accel_accel.json")).unwrap())
            .unwrap();
    assert_eq!(m["axi_data_bits"], 64);
    assert_eq!(m["weight_slots"], 2);
    assert_eq!(m["registers"].as_array().unwrap().len(), 9);
    assert_eq!(m["registers"][2][1], "DESC_BASE");
    assert!(m["ports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p[0] == "m_axi_araddr" && p[2] == 32));
    // 32 chunks a tile, two tiles: 64 weight words of 8 x 16 x 2 bits
    assert_eq!(m["buffers"][0][1], 64);
    assert_eq!(m["buffers"][0][2], 256);
    assert!(stdout(&o).contains("64-bit AXI4 master"));
}

#[test]
fn check_is_exact_and_refusals_exit_2() {
    dram_lib();
    let d = dir("check");
    let arch = design(&d);
    let a = arch.to_str().unwrap();
    // 4 x 128 x 24, and N = 20 not a multiple of the lanes: both layers
    // exact from one build
    let tp = layers_trace(&d, &[(4, 128, 24), (2, 128, 20)]);
    let o = onebit(
        &[
            &trace_check(a, tp.to_str().unwrap(), "2")[..],
            &["--seed", "3"],
        ]
        .concat(),
    );
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    let l = layer_sections(&s, 2);
    assert!(l[0].contains("engine : start 72 done 212 total 212"), "{s}");
    assert!(l[0].contains("difference +0 / +0 / +0"), "{s}");
    assert!(l[0].contains("96 of 96 bit-exact"), "{s}");
    assert!(l[1].contains("difference +0 / +0 / +0"), "{s}");
    assert!(l[1].contains("40 of 40 bit-exact"), "{s}");
    // a broken sequencer: exit 1
    let o = onebit(&[
        "rtl",
        "check",
        "--top",
        "accel",
        "--arch",
        a,
        "--gemm",
        "1,256,32",
        "--inject-fault",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("FAIL"));
    // a row of K bytes that is not whole bus beats
    refused(
        &[
            "rtl", "check", "--top", "accel", "--arch", a, "--gemm", "4,100,24",
        ],
        "K = 100 bytes a row must be whole 8-byte beats",
    );
    // a short last chunk and a partial last group together
    refused(
        &[
            "rtl", "check", "--top", "accel", "--arch", a, "--gemm", "4,136,20",
        ],
        "the top takes one or the other",
    );
    // a last group of one lane: its 32-bit chunk is not whole 64-bit beats
    refused(
        &[
            "rtl", "check", "--top", "accel", "--arch", a, "--gemm", "2,128,25",
        ],
        "last group of 1 of the 8 lanes",
    );
    let o = onebit(&[
        "rtl", "check", "--top", "nope", "--arch", a, "--gemm", "4,128,24",
    ]);
    assert_eq!(o.status.code(), Some(2));
    refused(
        &["rtl", "check", "--arch", a, "--gemm", "4,128,24"],
        "--top accel",
    );
    let o = onebit(&[
        "rtl",
        "emit",
        "--top",
        "accel",
        "--arch",
        a,
        "--axi-bits",
        "96",
        "--out",
        d.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// `--mapper edp`: the layer runs the K tile `onebit sim`'s mapper chose
/// (16 chunks against the fixed mapping's 32: 1084 cycles against 1100,
/// the cycles `onebit sim` prints for the same design and layer), exact;
/// `--mapper` without `--top accel`, or with `--chain`, exits 2.
#[test]
fn check_with_the_mappers_choice_is_exact() {
    dram_lib();
    let d = dir("mapper");
    let arch = design(&d);
    let a = arch.to_str().unwrap();
    let o = onebit(&[
        "rtl", "check", "--top", "accel", "--arch", a, "--gemm", "1,512,64", "--mapper", "edp",
    ]);
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    assert!(
        s.contains("engine : start 104 done 1084 total 1084 (mapping: by DRAM bytes, token tile 1, K tile 16 chunks"),
        "{s}"
    );
    assert!(s.contains("difference +0 / +0 / +0"), "{s}");
    assert!(s.contains("64 of 64 bit-exact"), "{s}");
    let csv = d.join("g.csv");
    std::fs::write(&csv, "Layer, M, N, K,\ng, 1, 64, 512,\n").expect("write");
    let o = onebit(&["sim", "--arch", a, "--gemm", csv.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("cycles             1084"),
        "{}",
        stdout(&o)
    );
    refused(
        &["rtl", "check", "--arch", a, "--mapper", "edp"],
        "--mapper",
    );
    refused(
        &[
            "rtl", "check", "--top", "accel", "--arch", a, "--gemm", "1,512,64", "--chain",
            "--mapper", "cycles",
        ],
        "--mapper with --chain",
    );
}

/// The first number after `label` on the line of `text` that holds it.
fn cells_after(text: &str, label: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no `{label}` in {text}"));
    let rest = &line[line.find(label).unwrap() + label.len()..];
    rest.split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no count in {line}"))
}

#[test]
fn synth_counts_the_blocks_as_the_tiles_synthesis_does() {
    let d = dir("synth");
    let arch = design(&d);
    let a = arch.to_str().unwrap();
    let cj = d.join("accel-synth.json");
    let o = onebit(&[
        "rtl",
        "synth",
        "--top",
        "accel",
        "--arch",
        a,
        "--json",
        cj.to_str().unwrap(),
    ]);
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    assert_eq!(s.matches("blackbox: ").count(), 3, "{s}");
    // the tile inside the top synthesizes to the same cells as on its own
    let json = d.join("tile.json");
    let o = onebit(&[
        "rtl",
        "synth",
        "--arch",
        a,
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let module = |m: &str| -> u64 {
        j["modules"][m]
            .as_object()
            .unwrap_or_else(|| panic!("no module {m}"))
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        cells_after(&s, "lanes (8 x cli_accel_lane)"),
        8 * module("cli_accel_lane"),
        "{s}"
    );
    assert_eq!(
        cells_after(&s, "tile control (cli_accel_tile)"),
        module("cli_accel_tile"),
        "{s}"
    );
    // every block of the top is its own module, and the control is their sum
    let mut sum = cells_after(&s, "tile control (cli_accel_tile)");
    for (label, module) in [
        ("AXI4-Lite slave", "axil_slave"),
        ("descriptor table", "table"),
        ("sequencer", "sequencer"),
        ("buffers' control", "buffers"),
        ("AXI4 master", "axi_master"),
        ("DMA", "dma"),
    ] {
        let n = cells_after(&s, &format!("{label} (cli_accel_accel_{module})"));
        assert!(n > 100, "{label}: {s}");
        sum += n;
    }
    assert_eq!(cells_after(&s, "top, instances only"), 0, "{s}");
    assert_eq!(
        cells_after(&s, "control (every block but the lanes)"),
        sum,
        "{s}"
    );
    // the energy model prices the control with these cells when asked
    let sim = |extra: &[&str]| {
        let j = d.join(format!("sim{}.json", extra.len()));
        let mut args = vec![
            "sim",
            "--arch",
            a,
            "--model",
            "bitnet-b1.58-700M",
            "--json",
            j.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = onebit(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&j).unwrap()).unwrap();
        (stdout(&o), v["area"].clone())
    };
    let (text, est) = sim(&[]);
    assert!(text.contains("control from estimate"), "{text}");
    let (text, syn) = sim(&["--control-cells", cj.to_str().unwrap()]);
    assert!(
        text.contains("control from yosys cell counts of `cli_accel`"),
        "{text}"
    );
    let synth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cj).unwrap()).unwrap();
    let ge: f64 = synth["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["control"].as_bool().unwrap())
        .map(|b| b["ge"].as_f64().unwrap())
        .sum();
    // rtl-gen's GE weights are the energy model's (7 nm: DffGe 5.67)
    assert!(
        (syn["control_ge"].as_f64().unwrap() - ge).abs() < 1e-6 * ge,
        "{syn} vs {ge}"
    );
    assert_ne!(est["control_ge"], syn["control_ge"]);
    assert_eq!(est["array_mm2"], syn["array_mm2"]);
    // a report of another design is refused (exit 2)
    let other = std::fs::read_to_string(&cj)
        .unwrap()
        .replace("\"design\": \"cli_accel\"", "\"design\": \"other\"");
    let oj = d.join("other.json");
    std::fs::write(&oj, other).unwrap();
    let o = onebit(&[
        "sim",
        "--arch",
        a,
        "--model",
        "bitnet-b1.58-700M",
        "--control-cells",
        oj.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not `cli_accel`"), "{}", stderr(&o));
}

/// `--trace FILE --ops 4 --chain`: a q, k, v, o trace run as one descriptor
/// chain, every layer exact (exit 0); a sequencer without the prefetch
/// across layer boundaries exits 1.
#[test]
fn trace_runs_as_one_chain() {
    dram_lib();
    let d = dir("chain");
    let arch = design(&d);
    let a = arch.to_str().unwrap();
    let t = workloads::gemm::parse_topology(
        "qkvo",
        "Layer, M, N, K\nq, 8, 32, 64\nk, 8, 16, 64\nv, 8, 16, 64\no, 8, 64, 16\n",
        workloads::Precision::Int(8),
        workloads::Precision::Ternary,
    )
    .expect("trace");
    let tp = d.join("qkvo.trace");
    std::fs::write(&tp, workloads::trace::write(&t)).expect("write trace");
    let args = [&trace_check(a, tp.to_str().unwrap(), "4")[..], &["--chain"]].concat();
    let o = onebit(&args);
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    assert!(s.contains("a chain of 4 layers as one run"), "{s}");
    assert_eq!(s.matches("(+0 / +0)").count(), 4, "{s}");
    let mut bad = args.to_vec();
    bad.push("--inject-fault");
    let o = onebit(&bad);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

/// A 16 x 16 ternary design (lanes = width: the top forwards a producer's
/// outputs into the activation buffer), a double-buffered weight tile of 32
/// chunks, 4 KiB activation and output buffers, 8 GB/s 40 ns DRAM.
fn design16(d: &std::path::Path) -> PathBuf {
    lanes_x16(d, "cli_accel16", 16, 4)
}

/// k, v (16 x 64 x 16) and o (16 x 16 x 32) whose input is v's output (the
/// trace's producer edge o <- v).
fn kvo_trace(d: &std::path::Path) -> PathBuf {
    let mut t = workloads::gemm::parse_topology(
        "kvo",
        "Layer, M, N, K\nk, 16, 16, 64\nv, 16, 16, 64\no, 16, 32, 16\n",
        workloads::Precision::Int(8),
        workloads::Precision::Ternary,
    )
    .expect("trace");
    t.ops[2].inputs = vec!["v".into()];
    let tp = d.join("kvo.trace");
    std::fs::write(&tp, workloads::trace::write(&t)).expect("write trace");
    tp
}

/// `--chain` honours the trace's producer edge: o runs as a dependent
/// descriptor reading v's output requantized on chip (the default shift
/// ceil(log2 64) = 6), held until v is complete — start / done 72 / 140,
/// 136 / 204, 204 / 268, engine = RTL (the figures of `engine_chain`
/// pinned in docs/rtl.md; run with o's input of its own, o would start at
/// v's compute end, 200).
#[test]
fn trace_dependency_runs_as_a_dependent_descriptor() {
    dram_lib();
    let d = dir("chain-dep");
    let arch = design16(&d);
    let tp = kvo_trace(&d);
    let o = onebit(
        &[
            &trace_check(arch.to_str().unwrap(), tp.to_str().unwrap(), "3")[..],
            &["--chain"],
        ]
        .concat(),
    );
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}{}", stderr(&o));
    assert!(
        s.contains("o reads v's output, requantized on chip with shift 6"),
        "{s}"
    );
    for line in [
        "layer 0 (M=16 K=64 N=16): engine start / done 72 / 140, rtl 72 / 140 (+0 / +0); 256 of 256 results bit-exact",
        "layer 1 (M=16 K=64 N=16): engine start / done 136 / 204, rtl 136 / 204 (+0 / +0); 256 of 256 results bit-exact",
        "layer 2 (M=16 K=16 N=32) reading layer 1 (shift 6): engine start / done 204 / 268, rtl 204 / 268 (+0 / +0); 512 of 512 results bit-exact",
        "total: engine 268, rtl 268",
    ] {
        assert!(s.contains(line), "missing {line:?} in\n{s}");
    }
}

/// The same trace on a 32 x 16 design (lanes > width: an output word
/// spans two input chunks, which the top does not forward) is refused
/// with the reason (exit 2), before any build; so is a shift out of range,
/// and `--requant-shift` without `--chain`.
#[test]
fn trace_dependency_without_forwarding_is_refused() {
    let d = dir("chain-dep-refused");
    let arch = lanes_x16(&d, "cli_accel32", 32, 8);
    let tp = kvo_trace(&d);
    let base = trace_check(arch.to_str().unwrap(), tp.to_str().unwrap(), "3");
    let mut args = base.to_vec();
    args.push("--chain");
    let o = onebit(&args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{}{e}", stdout(&o));
    assert!(e.contains("chain layer 2 reads layer 1's output"), "{e}");
    assert!(e.contains("lanes <= width"), "{e}");
    assert!(e.contains("32 lanes of width 16"), "{e}");
    args.extend(["--requant-shift", "32"]);
    refused(&args, "--requant-shift 32: expected 0..=31");
    let mut args = base.to_vec();
    args.extend(["--requant-shift", "4"]);
    refused(&args, "add --chain");
}

/// An input that does not fit the activation buffer, through the command
/// line: the engine's tokens-outer order, one descriptor a token block,
/// exact (exit 0); one whose outputs the engine also stores per tile,
/// exact (exit 0); the weights-outer order of one group of one K tile and
/// of two K tiles exact (exit 0), of two groups with the outputs on chip
/// refused naming the engine's moves (exit 2).
#[test]
fn a_streamed_input_and_stored_outputs_check_exact_weights_outer_exits_2() {
    dram_lib();
    let d = dir("stream");
    let mut a = preset("edge-ternary").expect("preset");
    a.name = "cli_stream".into();
    a.array.lanes = 8;
    a.array.width = 16;
    a.array.token_tile = 1;
    a.buffers.weights.kib = 2;
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    a.dram.bandwidth_gbps = 8.0;
    a.dram.latency_ns = 40.0;
    let arch = d.join("cli_stream.toml");
    std::fs::write(&arch, to_toml(&a)).expect("write design");
    let a = arch.to_str().unwrap();
    // four layers, each its own run, from one build: 40 x 512 x 64, the
    // input over the activation buffer (tokens outer); 64 x 128 x 4 B of
    // outputs over the 16 KiB activation buffer: stored per tile, 16
    // groups x 4 blocks of 16 tokens; one group (N = 8): weights outer
    // (1 KiB + 32 KiB of input against 4 x 1 KiB + 32 KiB), 4 blocks of
    // 16, the weights loaded once: the first transfer 1 KiB + 8 KiB (40 +
    // 1152 cycles), each later block's 8 KiB (1024 cycles) behind it, 512
    // cycles a block: the last lands at 4264 and computes to 4776, drain
    // 4; K = 1024 over the 1 KiB weight slot: one group of 2 K tiles,
    // weights outer in 8 blocks of 8 (each block's K range of rows with
    // every tile): the first transfer 1 KiB of weights and 8 x 512 B of
    // rows
    let tp = layers_trace(
        &d,
        &[(40, 512, 64), (64, 512, 128), (64, 512, 8), (64, 1024, 8)],
    );
    let o = onebit(&trace_check(a, tp.to_str().unwrap(), "4"));
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    let l = layer_sections(&s, 4);
    for (l, (engine, results)) in l.iter().zip([
        ("start 1192 done 12284 total 12284", 2560),
        ("start 1192 done 36296 total 36296", 8192),
        ("start 1192 done 4780 total 4780", 512),
        ("start 680 done 8748 total 8748", 512),
    ]) {
        assert!(l.contains(&format!("engine : {engine}")), "{s}");
        assert!(l.contains("difference +0 / +0 / +0"), "{s}");
        assert!(
            l.contains(&format!("{results} of {results} bit-exact")),
            "{s}"
        );
    }
    assert!(
        l[1].contains("output stores per tile: engine 64, rtl 64"),
        "{s}"
    );
    // 4 x 8192 x 16: 2 groups x 16 K tiles x 4 blocks of one row weights
    // outer, the outputs on chip, which the top does not run
    let o = onebit(&[
        "rtl",
        "check",
        "--top",
        "accel",
        "--arch",
        a,
        "--gemm",
        "4,8192,16",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("weights outer: 128 tiles (2 groups x 16 K tiles x 4 token blocks of 1)")
            && e.contains("only with the outputs stored per tile"),
        "{e}"
    );
}

/// With weight registers (`array.token_tile = 4`): a layer of 6 tokens
/// (sub-tiles of 4 and 2) checked exact from the command line, its weight
/// buffer read once a chunk and sub-tile as the mapping counts it
/// (3 groups x 8 chunks x 2 sub-tiles).
#[test]
fn check_with_weight_registers_is_exact() {
    dram_lib();
    let d = dir("check-tokens");
    let path = lanes_x16(&d, "cli_accel_t4", 8, 2);
    let mut a = sim::arch::from_toml(&std::fs::read_to_string(&path).unwrap()).expect("design");
    a.array.token_tile = 4;
    std::fs::write(&path, to_toml(&a)).expect("write design");
    let o = onebit(&[
        "rtl",
        "check",
        "--top",
        "accel",
        "--arch",
        path.to_str().unwrap(),
        "--gemm",
        "6,128,24",
    ]);
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    assert!(s.contains("difference +0 / +0 / +0"), "{s}");
    assert!(s.contains("144 of 144 bit-exact"), "{s}");
    assert!(s.contains("weight-buffer reads: engine 48, rtl 48"), "{s}");
}

/// `--sim icarus`: the Icarus testbench, exact on the layer; without
/// Icarus on `PATH`, exit 2 naming the tool and the install hint (never a
/// silent skip).
#[test]
fn check_under_icarus_is_exact_and_a_missing_icarus_exits_2() {
    dram_lib();
    let d = dir("icarus");
    let arch = design(&d);
    let a = arch.to_str().unwrap();
    let args = [
        "rtl", "check", "--top", "accel", "--sim", "icarus", "--arch", a, "--gemm", "1,256,32",
    ];
    let o = onebit(&args);
    let s = stdout(&o);
    assert!(o.status.success(), "{s}{}", stderr(&o));
    assert!(s.contains("engine : start 104 done 316 total 316"), "{s}");
    assert!(s.contains("rtl    : start 104 done 316 total 316"), "{s}");
    assert!(s.contains("32 of 32 bit-exact"), "{s}");
    let empty = d.join("no-tools");
    std::fs::create_dir_all(&empty).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_onebit"))
        .args(args)
        .env("PATH", &empty)
        .output()
        .expect("run onebit");
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(e.contains("`iverilog` is not installed"), "{e}");
}

/// `--chain --int8-out 4`: the k, v, o trace on the 16 x 16 design with
/// every output written to memory as INT8 (shift 4): every byte equal to
/// the model's requantized accumulators, the timing that of the
/// accumulator chain (72 / 140, 136 / 204, 204 / 268). `--int8-out`
/// without `--chain`, or with a shift out of range, exits 2.
#[test]
fn chain_writes_int8_outputs() {
    dram_lib();
    let d = dir("chain-int8");
    let arch = design16(&d);
    let tp = kvo_trace(&d);
    let base = trace_check(arch.to_str().unwrap(), tp.to_str().unwrap(), "3");
    let mut args = base.to_vec();
    args.extend(["--int8-out", "4"]);
    refused(&args, "add --chain");
    args.push("--chain");
    let o = onebit(&args);
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}{}", stderr(&o));
    for line in [
        "layer 0 (M=16 K=64 N=16), INT8 outputs (shift 4): engine start / done 72 / 140, rtl 72 / 140 (+0 / +0); 256 of 256 results bit-exact",
        "layer 2 (M=16 K=16 N=32) reading layer 1 (shift 6), INT8 outputs (shift 4): engine start / done 204 / 268, rtl 204 / 268 (+0 / +0); 512 of 512 results bit-exact",
        "total: engine 268, rtl 268",
    ] {
        assert!(s.contains(line), "missing {line:?} in\n{s}");
    }
    let mut args = base.to_vec();
    args.extend(["--chain", "--int8-out", "32"]);
    refused(&args, "--int8-out 32: expected 0..=31");
}
