//! Property tests on hostile input: valid traces, accelerator TOMLs,
//! config.json files and GEMM CSVs mutated by byte flips, insertions,
//! truncation and huge numbers in numeric fields go through parsing,
//! validation and (when the result is small) simulation in-process:
//! every outcome is `Ok` or a typed error, never a panic.

use proptest::prelude::*;
use sim::arch::{from_toml, preset, preset_text};
use sim::{simulate, SimOptions};
use workloads::{gemm, hf_config, trace, OpGraph, Precision, Trace};

const TRACE: &str = "onebit-trace 1\n\
meta model=m phase=decode batch=1 seq=16\n\
embed embed m=1 k=1000 n=64 a=int32 w=fp16 o=fp16 wbytes=128\n\
rmsnorm n0 in=embed m=1 n=64 a=fp16 o=fp16\n\
quant q0 in=n0 m=1 n=64 a=fp16 o=int8\n\
linear L0.q in=q0 m=1 k=64 n=64 a=int8 w=ternary o=int32 wbytes=1024 zeros=0.31\n\
qk L0.qk in=L0.q g=4 m=1 k=16 n=16 a=fp16 w=fp16 o=fp16 wbytes=512\n\
softmax L0.sm in=L0.qk g=4 m=1 n=16 a=fp16 o=fp16\n\
pv L0.pv in=L0.sm g=4 m=1 k=16 n=16 a=fp16 w=fp16 o=fp16 wbytes=512\n\
glu L0.ffn in=L0.pv fn=silu m=1 n=64 a=fp16 o=fp16\n\
add L0.res in=embed,L0.ffn m=1 n=64 a=fp16 o=fp16\n";

const GEMM: &str = "Layer, M, N, K,\nfc1, 4, 33, 65,\nfc2, 1, 64, 64,\n";

const CONFIG: &str = r#"{
  "hidden_size": 64,
  "intermediate_size": 128,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "num_key_value_heads": 2,
  "vocab_size": 100,
  "hidden_act": "silu",
  "model_type": "bitnet"
}"#;

/// One way to damage a text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at (position modulo length) with a byte.
    Flip(usize, u8),
    /// Insert a string at a position.
    Insert(usize, String),
    /// Keep the first (position modulo length) bytes.
    Truncate(usize),
    /// Replace the (index modulo count)-th run of digits with a number.
    Number(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let huge = prop_oneof![
        Just("18446744073709551615".to_string()),
        Just("18446744073709551616".to_string()),
        Just("99999999999999999999999999".to_string()),
        Just("4294967296".to_string()),
        Just("16777216".to_string()),
        Just("0".to_string()),
        Just("1e300".to_string()),
        Just("-1".to_string()),
        Just("0.000001".to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (
            any::<usize>(),
            prop_oneof![
                Just("\u{feff}".to_string()),
                Just(",".to_string()),
                Just("\n".to_string()),
                Just(" x".repeat(3)),
                Just("\"a\": 1,".to_string()),
                "[ -~]{0,8}",
            ]
        )
            .prop_map(|(p, s)| Mutation::Insert(p, s)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), huge).prop_map(|(i, s)| Mutation::Number(i, s)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in muts {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(p, b) => {
                if !bytes.is_empty() {
                    bytes[p % len] = *b;
                }
            }
            Mutation::Insert(p, s) => {
                let at = p % (bytes.len() + 1);
                bytes.splice(at..at, s.bytes());
            }
            Mutation::Truncate(p) => bytes.truncate(p % len),
            Mutation::Number(i, s) => {
                let runs: Vec<(usize, usize)> = {
                    let mut v = Vec::new();
                    let mut start = None;
                    for (j, b) in bytes.iter().enumerate() {
                        match (b.is_ascii_digit(), start) {
                            (true, None) => start = Some(j),
                            (false, Some(st)) => {
                                v.push((st, j));
                                start = None;
                            }
                            _ => {}
                        }
                    }
                    if let Some(st) = start {
                        v.push((st, bytes.len()));
                    }
                    v
                };
                if !runs.is_empty() {
                    let (a, b) = runs[i % runs.len()];
                    bytes.splice(a..b, s.bytes());
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Small enough to simulate in a test: every operator's products below 2^24.
fn small(t: &Trace) -> bool {
    t.ops.len() <= 64
        && t.ops.iter().all(|o| {
            let w = u128::from;
            w(o.g) * w(o.m) * w(o.k) * w(o.n) <= 1 << 24
                && w(o.g) * w(o.m) * w(o.n) <= 1 << 24
                && o.wbytes <= 1 << 24
        })
}

fn run_small(t: &Trace) {
    if small(t) && OpGraph::new(t).is_ok() {
        for name in ["edge-ternary", "systolic-ws-32x32"] {
            // Ok or a typed error
            let _ = simulate(&preset(name).unwrap(), t, SimOptions::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_traces_parse_or_fail_cleanly(muts in prop::collection::vec(mutation(), 1..4)) {
        let text = apply(TRACE, &muts);
        if let Ok(t) = trace::parse(&text) {
            run_small(&t);
        }
    }

    #[test]
    fn mutated_gemm_csvs_parse_or_fail_cleanly(muts in prop::collection::vec(mutation(), 1..4)) {
        let text = apply(GEMM, &muts);
        if let Ok(t) = gemm::parse_topology("g", &text, Precision::INT8, Precision::Ternary) {
            run_small(&t);
        }
    }

    #[test]
    fn mutated_configs_import_or_fail_cleanly(muts in prop::collection::vec(mutation(), 1..4)) {
        let text = apply(CONFIG, &muts);
        if let Ok(m) = hf_config::import("m", &text) {
            if m.validate().is_ok() {
                let opts = workloads::TraceOptions {
                    phase: workloads::Phase::Decode,
                    seq: 16,
                    batch: 1,
                    ..Default::default()
                };
                if let Ok(t) = trace::generate(&m, &opts) {
                    run_small(&t);
                }
            }
        }
    }

    #[test]
    fn mutated_accelerator_tomls_read_or_fail_cleanly(muts in prop::collection::vec(mutation(), 1..4)) {
        let text = apply(preset_text("edge-ternary").unwrap(), &muts);
        if let Ok(a) = from_toml(&text) {
            let _ = sim::memory::design_warnings(&a);
            let t = trace::parse(TRACE).unwrap();
            let _ = simulate(&a, &t, SimOptions::default());
        }
    }
}
