//! The trace format: writing then parsing gives back the same trace; the
//! parser never panics on any text, and its errors point inside the text
//! (the examples of each error are in `trace_errors.rs`).

mod position;

use position::parse_checked;

use proptest::prelude::*;
use proptest::sample::Index;
use workloads::model::ActFn;
use workloads::op::{Op, OpKind};
use workloads::precision::Precision;
use workloads::trace::{parse, write, Phase, Trace, TraceMeta};
use workloads::Mask;

// ---------------------------------------------------------------- strategies

fn precision() -> impl Strategy<Value = Precision> {
    prop_oneof![
        Just(Precision::Ternary),
        Just(Precision::TernaryPacked),
        Just(Precision::Binary),
        Just(Precision::Binary01),
        (1u8..=32).prop_map(Precision::Int),
        Just(Precision::Fp16),
        Just(Precision::Bf16),
        Just(Precision::Fp32),
    ]
}

fn act_fn() -> impl Strategy<Value = ActFn> {
    prop_oneof![Just(ActFn::Silu), Just(ActFn::Relu2), Just(ActFn::Gelu)]
}

fn kind() -> impl Strategy<Value = OpKind> {
    prop_oneof![
        Just(OpKind::Embed),
        Just(OpKind::RmsNorm),
        Just(OpKind::Quant),
        Just(OpKind::Linear),
        Just(OpKind::Rope),
        Just(OpKind::KvAppend),
        Just(OpKind::Qk),
        Just(OpKind::Softmax),
        Just(OpKind::Pv),
        Just(OpKind::Attention),
        act_fn().prop_map(OpKind::Glu),
        act_fn().prop_map(OpKind::Act),
        Just(OpKind::Add),
    ]
}

/// A dimension: mostly small, sometimes huge.
fn dim() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => Just(1u64),
        8 => 1u64..=8192,
        2 => 1u64..=u64::MAX,
    ]
}

/// Any f64 in [0, 1], subnormals included (non-negative floats are ordered
/// like their bit patterns), plus the ends.
fn zeros() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u64..=1.0f64.to_bits()).prop_map(f64::from_bits),
        0.0f64..=1.0,
        Just(0.0),
        Just(1.0),
    ]
}

/// An operator whose inputs are still indices into the earlier operators.
fn op_parts() -> impl Strategy<Value = (Op, Vec<Index>)> {
    (
        (kind(), any::<Option<u32>>(), dim(), dim(), dim(), dim()),
        (precision(), proptest::option::of(precision()), precision()),
        (
            any::<u64>(),
            0u64..=100_000,
            proptest::option::of(zeros()),
            0u8..3,
        ),
        prop::collection::vec(any::<Index>(), 0..4),
    )
        .prop_map(
            |(
                (kind, layer, mut g, mut m, mut k, mut n),
                (a, w, out),
                (big_wbytes, wbytes, zeros, pick),
                inputs,
            )| {
                // Keep g*m*k*n within u64, as the parser requires.
                let fits = |g: u64, m: u64, k: u64| {
                    g.checked_mul(m)
                        .and_then(|p| p.checked_mul(k))
                        .and_then(|p| p.checked_mul(n))
                        .is_some()
                };
                if !fits(g, m, k) {
                    g = 1;
                    m = 1;
                }
                if !fits(g, m, k) {
                    k = 1;
                }
                let w = if kind.is_matmul() || kind == OpKind::Attention {
                    Some(w.unwrap_or(Precision::Ternary))
                } else {
                    w
                };
                let mut wbytes = match pick {
                    0 => 0,
                    1 => wbytes,
                    _ => big_wbytes,
                };
                // A linear's `wbytes` is the size of its weights.
                if kind == OpKind::Linear {
                    let w = w.unwrap_or(Precision::Ternary);
                    let size = |g: u64, k: u64, n: u64| {
                        k.checked_mul(n)
                            .and_then(|kn| w.checked_bytes_for(kn))
                            .and_then(|b| b.checked_mul(g))
                    };
                    if size(g, k, n).is_none() {
                        k = 1;
                        g = 1;
                    }
                    if size(g, k, n).is_none() {
                        n /= 8;
                    }
                    wbytes = size(g, k, n).unwrap_or(0);
                }
                let op = Op {
                    name: String::new(),
                    kind,
                    layer,
                    inputs: Vec::new(),
                    g,
                    m,
                    k,
                    n,
                    a,
                    w,
                    out,
                    wbytes,
                    zeros,
                    mask: if kind.is_attention() && layer.is_some_and(|l| l % 2 == 0) {
                        Mask::Causal
                    } else {
                        Mask::Full
                    },
                };
                (op, inputs)
            },
        )
}

fn model_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_.:/+-]{1,24}",
        // Any characters a meta value can hold.
        any::<String>()
            .prop_map(|s| {
                s.chars()
                    .filter(|c| !(c.is_whitespace() || c.is_control() || *c == '#'))
                    .collect::<String>()
            })
            .prop_filter("non-empty", |s| !s.is_empty()),
    ]
}

fn meta() -> impl Strategy<Value = TraceMeta> {
    (
        model_name(),
        prop_oneof![
            Just(Phase::Decode),
            Just(Phase::Prefill),
            Just(Phase::Verify)
        ],
        prop_oneof![1u64..=64, 1u64..=u64::MAX],
        prop_oneof![1u64..=8192, 1u64..=u64::MAX],
        any::<bool>(),
    )
        .prop_map(|(model, phase, batch, seq, tied)| TraceMeta {
            model,
            phase,
            batch,
            // a prefill step's tokens batch x seq are below 2^64
            seq: if phase == Phase::Prefill && batch.checked_mul(seq).is_none() {
                1
            } else {
                seq
            },
            draft: if phase == Phase::Verify {
                1 + seq % 8
            } else {
                0
            },
            tied_embeddings: tied,
        })
}

/// A valid trace: unique names, inputs referring to earlier operators.
fn trace() -> impl Strategy<Value = Trace> {
    (
        meta(),
        prop::collection::hash_set("[A-Za-z0-9_.:/-]{1,12}", 0..24),
        prop::collection::vec(op_parts(), 24),
    )
        .prop_map(|(meta, names, parts)| {
            let names: Vec<String> = names.into_iter().collect();
            let mut ops: Vec<Op> = Vec::new();
            for (i, (name, (mut op, inputs))) in names.into_iter().zip(parts).enumerate() {
                op.name = name;
                if i > 0 {
                    op.inputs = inputs
                        .iter()
                        .map(|ix| ops[ix.index(i)].name.clone())
                        .collect();
                }
                ops.push(op);
            }
            Trace { meta, ops }
        })
}

/// A token soup close to the grammar, to reach deep into the parser.
fn near_miss_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "onebit-trace",
        "1",
        "2",
        "0",
        "meta",
        "model=x",
        "phase=decode",
        "phase=train",
        "batch=0",
        "seq=99999999999999999999",
        "embed",
        "linear",
        "glu",
        "act",
        "add",
        "qk",
        "pv",
        "foo",
        "L0.q",
        "L0.k",
        "x",
        "in=L0.q",
        "in=L0.q,x",
        "in=,",
        "in=",
        "layer=4294967296",
        "layer=3",
        "g=2",
        "m=1",
        "m=0",
        "k=18446744073709551615",
        "k=2",
        "n=4",
        "n=-1",
        "a=int8",
        "a=int33",
        "w=ternary",
        "o=bf16",
        "o=",
        "fn=relu2",
        "fn=swish",
        "wbytes=7",
        "zeros=0.31",
        "zeros=1.5",
        "zeros=nan",
        "zeros=1e-400",
        "=",
        "==",
        "#",
        "# c",
        "\n",
        "\n",
        "\n",
        "\r\n",
        " ",
        "\t",
        "\u{0}",
        "é",
        "\u{feff}",
        "m=1 k=1 n=1 a=int8 w=ternary o=int32",
    ]);
    prop::collection::vec((words, prop_oneof![Just(" "), Just(""), Just("\n")]), 0..60).prop_map(
        |parts| {
            let mut s = String::from("onebit-trace 1\n");
            for (w, sep) in parts {
                s.push_str(w);
                s.push_str(sep);
            }
            s
        },
    )
}

// ---------------------------------------------------------------- properties

proptest! {
    // ChaCha, the default generator, dominates the run time of a debug build.
    #![proptest_config(ProptestConfig {
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    #[test]
    fn write_then_parse_round_trips(t in trace()) {
        let text = write(&t);
        prop_assert_eq!(parse(&text), Ok(t), "{}", text);
    }

    #[test]
    fn parse_never_panics_on_strings(s in any::<String>()) {
        parse_checked(&s);
        parse_checked(&format!("onebit-trace 1\n{s}"));
    }

    #[test]
    fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        parse_checked(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn parse_never_panics_on_near_misses(s in near_miss_text()) {
        parse_checked(&s);
    }

    #[test]
    fn parse_never_panics_on_mutated_traces(
        t in trace(),
        edits in prop::collection::vec((any::<Index>(), 0u8..4, any::<u8>()), 1..8),
    ) {
        let mut bytes = write(&t).into_bytes();
        for (at, what, byte) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at.index(bytes.len());
            match what {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                2 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
        }
        parse_checked(&String::from_utf8_lossy(&bytes));
    }
}
