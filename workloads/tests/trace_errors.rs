//! The trace format's errors on hand-written examples: each names the line,
//! the column, what was expected and what was found; the spec's and the
//! format doc's examples parse as written; version 1 traces still parse.

mod position;

use position::{check_position, parse_checked};
use workloads::model::ActFn;
use workloads::op::{Op, OpKind};
use workloads::precision::Precision;
use workloads::trace::{parse, write, Phase, Trace, TraceMeta, TraceParseError};
use workloads::Mask;

// ---------------------------------------------------------------- examples

const EXAMPLE: &str = "onebit-trace 1
# comment lines, and trailing comments after attributes, start with '#'
meta model=bitnet-b1.58-2B-4T phase=decode batch=1 seq=2048
embed embed m=1 k=128256 n=2560 a=int32 w=bf16 o=bf16 wbytes=5120
rmsnorm L0.attn_norm layer=0 in=embed m=1 n=2560 a=bf16 o=bf16
linear L0.q layer=0 in=L0.attn_quant m=1 k=2560 n=2560 a=int8 w=ternary o=int32 wbytes=1638400 zeros=0.31
glu L0.glu layer=0 in=L0.gate,L0.up fn=relu2 m=1 n=6912 a=int32 o=bf16
";

/// The example, with the operators it refers to defined.
fn example() -> String {
    EXAMPLE
        .replace(
            "linear L0.q",
            "quant L0.attn_quant layer=0 in=L0.attn_norm m=1 n=2560 a=bf16 o=int8 # absmax\n\
             linear L0.q",
        )
        .replace(
            "glu L0.glu",
            "linear L0.gate layer=0 in=L0.attn_quant m=1 k=2560 n=6912 a=int8 w=ternary o=int32\r\n\
             linear L0.up\tlayer=0  in=L0.attn_quant m=1 k=2560 n=6912 a=int8 w=ternary o=int32\n\n\
             glu L0.glu",
        )
}

fn err(text: &str) -> TraceParseError {
    match parse(text) {
        Ok(t) => panic!("parsed but should not have: {t:?}"),
        Err(e) => {
            check_position(text, &e);
            e
        }
    }
}

fn assert_err(text: &str, line: usize, col: usize, expected: &str, found: &str) {
    let e = err(text);
    assert_eq!((e.line, e.col), (line, col), "{e}");
    assert!(
        e.expected.contains(expected),
        "expected {expected:?} in {e}"
    );
    assert!(e.found.contains(found), "found {found:?} in {e}");
}

#[test]
fn the_example_parses_as_written_in_the_spec() {
    // The spec example refers to operators it does not define.
    assert_err(
        EXAMPLE,
        6,
        24,
        "input name",
        "unknown input `L0.attn_quant` (inputs must be defined on an earlier line)",
    );

    let t = parse(&example()).unwrap();
    assert_eq!(
        t.meta,
        TraceMeta {
            model: "bitnet-b1.58-2B-4T".into(),
            phase: Phase::Decode,
            batch: 1,
            seq: 2048,
            ..TraceMeta::default()
        }
    );
    let names: Vec<&str> = t.ops.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "embed",
            "L0.attn_norm",
            "L0.attn_quant",
            "L0.q",
            "L0.gate",
            "L0.up",
            "L0.glu"
        ]
    );
    assert_eq!(
        t.ops[0],
        Op {
            name: "embed".into(),
            kind: OpKind::Embed,
            layer: None,
            inputs: vec![],
            g: 1,
            m: 1,
            k: 128256,
            n: 2560,
            a: Precision::INT32,
            w: Some(Precision::Bf16),
            out: Precision::Bf16,
            wbytes: 5120,
            zeros: None,
            mask: Mask::Full,
        }
    );
    assert_eq!(
        t.ops[1],
        Op {
            name: "L0.attn_norm".into(),
            kind: OpKind::RmsNorm,
            layer: Some(0),
            inputs: vec!["embed".into()],
            g: 1,
            m: 1,
            k: 1,
            n: 2560,
            a: Precision::Bf16,
            w: None,
            out: Precision::Bf16,
            wbytes: 0,
            zeros: None,
            mask: Mask::Full,
        }
    );
    assert_eq!(
        t.ops[3],
        Op {
            name: "L0.q".into(),
            kind: OpKind::Linear,
            layer: Some(0),
            inputs: vec!["L0.attn_quant".into()],
            g: 1,
            m: 1,
            k: 2560,
            n: 2560,
            a: Precision::INT8,
            w: Some(Precision::Ternary),
            out: Precision::INT32,
            wbytes: 1_638_400,
            zeros: Some(0.31),
            mask: Mask::Full,
        }
    );
    assert_eq!(t.ops[5].n, 6912);
    assert_eq!(
        t.ops[6],
        Op {
            name: "L0.glu".into(),
            kind: OpKind::Glu(ActFn::Relu2),
            layer: Some(0),
            inputs: vec!["L0.gate".into(), "L0.up".into()],
            g: 1,
            m: 1,
            k: 1,
            n: 6912,
            a: Precision::INT32,
            w: None,
            out: Precision::Bf16,
            wbytes: 0,
            zeros: None,
            mask: Mask::Full,
        }
    );
    assert_eq!(parse(&write(&t)), Ok(t));
}

#[test]
fn the_example_of_the_format_doc_parses() {
    let doc = include_str!("../../docs/trace-format.md");
    let example = doc
        .split("## Example\n\n```\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/trace-format.md has an example");
    let t = parse(example).unwrap();
    assert_eq!(t.meta.model, "bitnet-b1.58-2B-4T");
    assert_eq!(t.ops.len(), 7);
    assert_eq!(t.op("L0.glu").unwrap().kind, OpKind::Glu(ActFn::Relu2));
    assert_eq!(t.op("L0.q").unwrap().zeros, Some(0.31));
}

#[test]
fn header_and_meta_are_optional_where_documented() {
    let t = parse("\n# leading comment\n  \t\nonebit-trace 1 # v1\n").unwrap();
    assert_eq!(
        t,
        Trace {
            meta: TraceMeta::default(),
            ops: vec![]
        }
    );
    let t = parse("\u{feff}onebit-trace 1\r\nmeta seq=7\r\nadd x m=1 n=2 a=fp16 o=fp16").unwrap();
    assert_eq!(t.meta.seq, 7);
    assert_eq!(t.meta.model, TraceMeta::default().model);
    assert_eq!(t.ops.len(), 1);
    // Trailing comment directly after a value.
    let t = parse("onebit-trace 1\nadd x m=1 n=2 a=fp16 o=fp16#c\n").unwrap();
    assert_eq!(t.ops[0].out, Precision::Fp16);
}

#[test]
fn missing_or_wrong_header() {
    assert_err("", 1, 1, "`onebit-trace 2`", "end of file");
    assert_err(
        "# only a comment\n",
        2,
        1,
        "`onebit-trace 2`",
        "end of file",
    );
    assert_err("meta batch=1\n", 1, 1, "`onebit-trace 2`", "`meta`");
    assert_err("onebit-trace\n", 1, 13, "version", "end of line");
    assert_err("onebit-trace v1\n", 1, 14, "version", "`v1`");
    assert_err("onebit-trace 1 extra\n", 1, 16, "end of line", "`extra`");
}

#[test]
fn unknown_version() {
    let e = err("# x\n  onebit-trace 3\n");
    assert_eq!((e.line, e.col), (2, 16));
    assert_eq!(
        e.to_string(),
        "2:16: expected trace version 1 to 2, found unsupported trace version 3 (this build reads 1 to 2)"
    );
    assert_err(
        "onebit-trace 99999999999999999999999\n",
        1,
        14,
        "trace version 1 to 2",
        "unsupported trace version 99999999999999999999999 (this build reads 1 to 2)",
    );
    assert_err(
        "onebit-trace 0\n",
        1,
        14,
        "trace version 1 to 2",
        "version 0",
    );
}

#[test]
fn unknown_op_kind() {
    let e = err("onebit-trace 1\n\nconv x m=1 n=1 a=int8 o=int8\n");
    assert_eq!((e.line, e.col), (3, 1));
    assert_eq!(e.found, "`conv`");
    assert!(e.expected.contains(workloads::op::OP_KIND_NAMES), "{e}");
}

#[test]
fn missing_required_keys() {
    let h = "onebit-trace 1\n";
    assert_err(
        &format!("{h}add x n=1 a=int8 o=int8 # c\n"),
        2,
        24,
        "`m=`",
        "end of line",
    );
    assert_err(
        &format!("{h}add x m=1 a=int8 o=int8\n"),
        2,
        24,
        "`n=`",
        "end of line",
    );
    assert_err(
        &format!("{h}add x m=1 n=1 o=int8\n"),
        2,
        21,
        "`a=`",
        "end of line",
    );
    assert_err(
        &format!("{h}add x m=1 n=1 a=int8\n"),
        2,
        21,
        "`o=`",
        "end of line",
    );
    assert_err(
        &format!("{h}linear x m=1 n=1 a=int8 w=ternary o=int8\n"),
        2,
        41,
        "`k=` (required for linear)",
        "end of line",
    );
    assert_err(
        &format!("{h}embed x m=1 n=1 a=int8 w=ternary o=int8\n"),
        2,
        40,
        "`k=` (required for embed)",
        "end of line",
    );
    assert_err(
        &format!("{h}qk x m=1 k=1 n=1 a=int8 o=int8\n"),
        2,
        31,
        "`w=` (required for qk)",
        "end of line",
    );
    assert_err(
        &format!("{h}glu x m=1 n=1 a=int8 o=int8\n"),
        2,
        28,
        "`fn=` (required for glu)",
        "end of line",
    );
    assert_err(&format!("{h}act\n"), 2, 4, "name", "end of line");
    let e = err(&format!("{h}add x n=1 a=int8 o=int8\n"));
    assert_eq!(
        e.to_string(),
        "2:24: expected `m=` (required for every operator), found end of line"
    );
}

#[test]
fn bad_keys_and_values() {
    let h = "onebit-trace 1\n";
    assert_err(
        &format!("{h}add x m=1 n=1 a=int64 o=int8\n"),
        2,
        17,
        "a precision (ternary",
        "`int64`",
    );
    assert_err(
        &format!("{h}add x m=1 n=1 a= o=int8\n"),
        2,
        17,
        "a precision",
        "an empty value",
    );
    assert_err(
        &format!("{h}add x m=1 n=1 a=int8 o=int8 foo=3\n"),
        2,
        29,
        "layer, in, fn, g, m, k, n, a, w, o, wbytes, zeros",
        "`foo`",
    );
    assert_err(
        &format!("{h}add x m=1 m=2 n=1 a=int8 o=int8\n"),
        2,
        11,
        "at most once",
        "a second `m=`",
    );
    assert_err(
        &format!("{h}add x m=1 n=1 a=int8 o=int8 fn=silu\n"),
        2,
        29,
        "`fn` is only for glu and act",
        "`fn`",
    );
    assert_err(
        &format!("{h}act x fn=tanh m=1 n=1 a=int8 o=int8\n"),
        2,
        10,
        "silu, relu2, gelu",
        "`tanh`",
    );
    assert_err(&format!("{h}add x m 1 n=1\n"), 2, 7, "`key=value`", "`m`");
    assert_err(&format!("{h}add x =1\n"), 2, 7, "`key=value`", "`=1`");
    assert_err(
        &format!("{h}add x m=0 n=1 a=int8 o=int8\n"),
        2,
        9,
        "an integer from 1",
        "`0`",
    );
    assert_err(
        &format!("{h}add x m=+1 n=1 a=int8 o=int8\n"),
        2,
        9,
        "an integer",
        "`+1`",
    );
    assert_err(
        &format!("{h}add x layer=-1 m=1 n=1 a=int8 o=int8\n"),
        2,
        13,
        "an integer from 0 to 4294967295",
        "`-1`",
    );
    assert_err(
        &format!("{h}add x:é m=1\n"),
        2,
        5,
        "an operator name",
        "`x:é`",
    );
}

#[test]
fn number_overflow() {
    let h = "onebit-trace 1\n";
    assert_err(
        &format!("{h}add x m=18446744073709551616 n=1 a=int8 o=int8\n"),
        2,
        9,
        "an integer from 1 to 18446744073709551615",
        "`18446744073709551616` (too large)",
    );
    assert_err(
        &format!("{h}add x layer=4294967296 m=1 n=1 a=int8 o=int8\n"),
        2,
        13,
        "to 4294967295",
        "`4294967296`",
    );
    assert_err(
        &format!("{h}meta batch=99999999999999999999999999\n"),
        2,
        12,
        "an integer",
        "(too large)",
    );
    // The largest values fit ...
    let t = parse(&format!("{h}qk x m=1 k=1 n=18446744073709551615 a=int8 w=ternary o=int8 wbytes=18446744073709551615\n")).unwrap();
    assert_eq!(t.ops[0].n, u64::MAX);
    // ... but not a shape whose MAC count overflows.
    assert_err(
        &format!("{h}linear x g=4294967296 m=4294967296 k=1 n=1 a=int8 w=ternary o=int8\n"),
        2,
        8,
        "g*m*k*n",
        "g=4294967296 m=4294967296 k=1 n=1",
    );
}

#[test]
fn inputs_must_be_defined_earlier() {
    let h = "onebit-trace 1\nadd a m=1 n=1 a=int8 o=int8\n";
    let e = err(&format!("{h}add b in=a,c m=1 n=1 a=int8 o=int8\n"));
    assert_eq!((e.line, e.col), (3, 12));
    assert_eq!(
        e.found,
        "unknown input `c` (inputs must be defined on an earlier line)"
    );
    // Not even itself.
    assert_err(
        &format!("{h}add b in=b m=1 n=1 a=int8 o=int8\n"),
        3,
        10,
        "input",
        "unknown input `b`",
    );
    // A later definition does not count.
    assert_err(
        &format!("{h}add b in=c m=1 n=1 a=int8 o=int8\nadd c m=1 n=1 a=int8 o=int8\n"),
        3,
        10,
        "input",
        "unknown input `c`",
    );
    assert_err(
        &format!("{h}add b in=a, m=1 n=1 a=int8 o=int8\n"),
        3,
        12,
        "input operator name",
        "an empty name",
    );
    assert_err(
        &format!("{h}add b in= m=1 n=1 a=int8 o=int8\n"),
        3,
        10,
        "input operator name",
        "an empty name",
    );
    let t = parse(&format!("{h}add b in=a,a m=1 n=1 a=int8 o=int8\n")).unwrap();
    assert_eq!(t.ops[1].inputs, ["a", "a"]);
}

#[test]
fn duplicate_name() {
    let text =
        "onebit-trace 1\nadd a m=1 n=1 a=int8 o=int8\n# again:\n\tadd  a m=1 n=1 a=int8 o=int8\n";
    let e = err(text);
    assert_eq!((e.line, e.col), (4, 7));
    assert_eq!(e.found, "`a` (already defined on line 2)");
}

#[test]
fn zeros_must_be_a_share() {
    let h = "onebit-trace 1\n";
    for bad in ["1.5", "-0.1", "nan", "inf", "0x1", "0.5.", "1e400"] {
        assert_err(
            &format!("{h}linear x m=1 k=1 n=1 a=int8 w=ternary o=int8 zeros={bad}\n"),
            2,
            52,
            "a number from 0 to 1",
            &format!("`{bad}`"),
        );
    }
    for (good, z) in [
        ("0", 0.0),
        ("1", 1.0),
        ("1e-3", 1e-3),
        (".5", 0.5),
        ("0.25", 0.25),
    ] {
        let t = parse(&format!(
            "{h}linear x m=1 k=1 n=1 a=int8 w=ternary o=int8 zeros={good}\n"
        ))
        .unwrap();
        assert_eq!(t.ops[0].zeros, Some(z));
    }
}

#[test]
fn meta_line_rules() {
    let h = "onebit-trace 1\n";
    let op = "add a m=1 n=1 a=int8 o=int8\n";
    let e = err(&format!("{h}{op}meta batch=2\n"));
    assert_eq!((e.line, e.col), (3, 1));
    assert!(e.expected.contains("before the first operator"), "{e}");
    assert_err(
        &format!("{h}meta batch=2\nmeta seq=2\n"),
        3,
        1,
        "at most once",
        "`meta`",
    );
    assert_err(
        &format!("{h}meta phase=train\n"),
        2,
        12,
        "decode, prefill",
        "`train`",
    );
    assert_err(
        &format!("{h}meta seq=0\n"),
        2,
        10,
        "an integer from 1",
        "`0`",
    );
    assert_err(
        &format!("{h}meta layers=3\n"),
        2,
        6,
        "model, phase, batch, seq",
        "`layers`",
    );
    assert_err(
        &format!("{h}meta seq=1 seq=2\n"),
        2,
        12,
        "at most once",
        "`seq=`",
    );
    assert_err(
        &format!("{h}meta model=\n"),
        2,
        12,
        "a model name",
        "an empty value",
    );
    // Model names can hold any visible character but `#`.
    let t = parse(&format!(
        "{h}meta model=Llama-2_7b+ternary/é=x phase=prefill\n"
    ))
    .unwrap();
    assert_eq!(t.meta.model, "Llama-2_7b+ternary/é=x");
    assert_eq!(t.meta.phase, Phase::Prefill);
}

#[test]
fn writer_output_and_model_names() {
    let t = parse(&example()).unwrap();
    let text = write(&t);
    assert!(text.starts_with("onebit-trace 2\n"));
    assert!(text.contains("\nmeta model=bitnet-b1.58-2B-4T phase=decode batch=1 seq=2048\n"));
    assert!(text.contains(
        "\nlinear L0.q layer=0 in=L0.attn_quant m=1 k=2560 n=2560 a=int8 w=ternary o=int32 wbytes=1638400 zeros=0.31\n"
    ));
    assert!(
        text.contains("\nglu L0.glu layer=0 in=L0.gate,L0.up fn=relu2 m=1 n=6912 a=int32 o=bf16\n")
    );

    // Characters a meta value cannot hold become `_`.
    let mut t2 = t.clone();
    t2.meta.model = "my model #1\r\n".into();
    let back = parse(&write(&t2)).unwrap();
    assert_eq!(back.meta.model, "my_model__1__");
    assert_eq!(back.ops, t.ops);
    t2.meta.model = String::new();
    assert_eq!(parse(&write(&t2)).unwrap().meta.model, "unnamed");
}

#[test]
fn errors_on_odd_input_do_not_panic() {
    let h = "onebit-trace 1\n";
    parse_checked(&format!(
        "{h}add {} m=1 n=1 a=int8 o=int8\n",
        "x".repeat(100_000)
    ));
    let e = err(&format!(
        "{h}add x m={} n=1 a=int8 o=int8\n",
        "9".repeat(100_000)
    ));
    assert!(e.found.len() < 100, "{e}");
    let e = err(&format!("{h}add x\0 m=1\n"));
    assert_eq!(e.found, "`x\\0`");
    // invisible format characters are shown escaped
    let e = err(&format!("{h}add x\u{200b} m=1\n"));
    assert_eq!(e.found, "`x\\u{200b}`");
    let e = err(&format!("{h}ädd x m=1\n"));
    assert_eq!((e.line, e.col), (2, 1));
    let e = err(&format!("{h}add é m=1\n"));
    assert_eq!((e.line, e.col), (2, 5));
    let e = err(&format!("{h}add x é=1\n"));
    assert_eq!((e.line, e.col, e.found.as_str()), (2, 7, "`é`"));
    let e = err(&format!("{h}add x m=1 n=1 a=int8 o=int8 ü=1\n"));
    assert_eq!(e.col, 29);
    let e = err(&format!("{h}add xé m=1\n"));
    assert_eq!(e.col, 5);
}

#[test]
fn version_1_traces_parse_with_the_full_mask() {
    let v1 = "onebit-trace 1\nmeta phase=prefill seq=4\n\
              qk L0.qk g=2 m=4 k=8 n=4 a=fp16 w=fp16 o=fp16 wbytes=64\n";
    let t = parse(v1).unwrap();
    assert_eq!(t.ops[0].mask, Mask::Full);
    assert_eq!(t.ops[0].macs(), 2 * 4 * 8 * 4);
    // written back as version 2, stating the mask
    let text = write(&t);
    assert!(text.starts_with("onebit-trace 2\n"), "{text}");
    assert!(text.contains(" mask=full\n"), "{text}");
    let causal = text.replace("mask=full", "mask=causal");
    // 2 heads x 8 x (1 + 2 + 3 + 4)
    assert_eq!(parse(&causal).unwrap().ops[0].macs(), 2 * 8 * 10);
    assert_err(
        "onebit-trace 2\nadd x m=1 n=1 a=fp16 o=fp16 mask=causal\n",
        2,
        29,
        "`mask` is only for qk, softmax, pv and attention",
        "`mask`",
    );
    assert_err(
        "onebit-trace 2\nsoftmax x m=1 n=1 a=fp16 o=fp16 mask=upper\n",
        2,
        38,
        "a mask (full, causal)",
        "`upper`",
    );
    let v = parse("onebit-trace 2\nmeta phase=verify seq=100 draft=4 tied=true\n").unwrap();
    assert_eq!(
        (v.meta.phase, v.meta.draft, v.meta.tied_embeddings),
        (Phase::Verify, 4, true)
    );
    assert_eq!(v.meta.tokens(), 4);
}
