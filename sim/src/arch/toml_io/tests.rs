//! Tests of reading, validating and writing descriptions.

use super::*;
use crate::arch::{preset, AttentionMapping, ZeroHandling, PRESETS};

fn base() -> Accelerator {
    preset("edge-ternary").unwrap()
}

/// Applies `edit` to the default design and returns the refusal.
fn refused(edit: impl FnOnce(&mut Accelerator)) -> InvalidValue {
    let mut a = base();
    edit(&mut a);
    a.validate().expect_err("should be refused")
}

/// The refusal names the key, the value and every `expect`ed piece of the range.
fn check(e: &InvalidValue, key: &str, value: &str, expect: &[&str]) {
    assert_eq!(e.key, key, "{e}");
    assert_eq!(e.value, value, "{e}");
    assert!(e.message.contains(&format!("`{key}` = {value}")), "{e}");
    for x in expect {
        assert!(e.message.contains(x), "`{x}` missing from: {e}");
    }
}

/// Line (1-based) of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap() + 1
}

#[test]
fn every_preset_round_trips() {
    for (name, text) in PRESETS {
        let a = from_toml(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = to_toml(&a);
        let back = from_toml(&written).unwrap_or_else(|e| panic!("{name}: {e}\n{written}"));
        assert_eq!(a, back, "{name}");
        assert_eq!(written, to_toml(&back), "{name}: to_toml is not stable");
        // every key has a comment above it
        let lines: Vec<&str> = written.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.contains(" = ") && !l.starts_with('#') {
                assert!(
                    lines[i - 1].starts_with('#'),
                    "{name}: no comment above `{l}`"
                );
            }
        }
    }
}

#[test]
fn unusual_values_round_trip() {
    let mut a = base();
    a.description = "quotes \" and \\ backslash, unicode ±1, tab\t".into();
    a.array.acc_bits = Some(30);
    a.array.zeros = ZeroHandling::Skip;
    a.buffers.outputs.double_buffered = false;
    a.clock_ghz = 0.8125;
    a.dram.bandwidth_gbps = 1.0 / 3.0;
    a.dram.latency_ns = 0.0;
    a.attention.mapping = AttentionMapping::Vector;
    a.attention.macs_per_cycle = 0;
    a.validate().unwrap();
    let t = to_toml(&a);
    assert!(!t.contains("macs_per_cycle"), "{t}");
    assert!(!t.contains("planes_per_cycle"), "{t}");
    assert_eq!(from_toml(&t).unwrap(), a);

    let mut m = preset("edge-fp16").unwrap();
    m.attention.mapping = AttentionMapping::Array;
    m.attention.fused = false;
    m.array.activations = Precision::Fp16;
    m.array.weights = Precision::INT4; // weight-only quantization, W4A16
    m.validate().unwrap();
    let t = to_toml(&m);
    assert!(
        t.contains("fp32"),
        "float products accumulate in fp32:\n{t}"
    );
    assert_eq!(from_toml(&t).unwrap(), m);
}

#[test]
fn defaults_fill_optional_keys() {
    let t = r#"
name = "tiny"
clock_ghz = 1
[array]
reduction = "adder-tree"
lanes = 4
width = 8
activations = "int8"
weights = "ternary"
[buffers]
weights = { kib = 1, banks = 1, bank_bytes = 4 }
activations = { kib = 1, banks = 1, bank_bytes = 8 }
outputs = { kib = 1, banks = 1, bank_bytes = 16 }
[dram]
kind = "ddr4"
bandwidth_gbps = 25.6
latency_ns = 80
[vector]
elems_per_cycle = 8
precision = "fp16"
[attention]
mapping = "vector"
precision = "fp16"
"#;
    let a = from_toml(t).unwrap();
    assert_eq!(a.clock_ghz, 1.0);
    assert_eq!(a.array.stage_levels, 2);
    assert_eq!(a.array.planes_per_cycle, 1);
    assert_eq!(a.array.max_k, 32768);
    assert_eq!(a.array.acc_bits, None);
    assert_eq!(a.array.zeros, ZeroHandling::Gate);
    assert!(a.buffers.weights.double_buffered);
    assert_eq!(a.dram.request_bytes, 64);
    assert_eq!(a.dram.max_outstanding, 64);
    assert_eq!(a.description, "");
    assert_eq!(from_toml(&to_toml(&a)).unwrap(), a);
}

#[test]
fn name_must_be_a_verilog_identifier() {
    let rule = "[A-Za-z_][A-Za-z0-9_]*, 1 to 64 characters, not a keyword";
    for (name, why) in [
        ("", "empty"),
        ("edge-ternary", "contains `-`"),
        ("9lives", "starts with `9`"),
        ("module", "keyword"),
        ("always_ff", "keyword"),
        ("logic", "keyword"),
        ("a b", "contains ` `"),
    ] {
        let e = refused(|a| a.name = name.into());
        check(&e, "name", &format!("\"{name}\""), &[why, rule]);
    }
    let long = "a".repeat(65);
    let e = refused(|a| a.name = long.clone());
    check(&e, "name", &format!("\"{long}\""), &["65 characters"]);
    let mut a = base();
    for ok in ["_x", "Module", "a".repeat(64).as_str(), "edge_ternary_v2"] {
        a.name = ok.into();
        a.validate().unwrap();
    }
    assert!(VERILOG_KEYWORDS.len() > 240);
}

#[test]
fn numeric_ranges() {
    let int = |lo: u64, hi: u64| format!("expected an integer from {lo} to {hi}");
    type Edit = fn(&mut Accelerator);
    let cases: &[(&str, &str, Edit, String)] = &[
        ("array.lanes", "0", |a| a.array.lanes = 0, int(1, 4096)),
        (
            "array.lanes",
            "4097",
            |a| a.array.lanes = 4097,
            int(1, 4096),
        ),
        ("array.width", "0", |a| a.array.width = 0, int(1, 4096)),
        (
            "array.width",
            "5000",
            |a| a.array.width = 5000,
            int(1, 4096),
        ),
        (
            "array.stage_levels",
            "0",
            |a| a.array.stage_levels = 0,
            int(1, 16),
        ),
        (
            "array.stage_levels",
            "17",
            |a| a.array.stage_levels = 17,
            int(1, 16),
        ),
        (
            "array.planes_per_cycle",
            "0",
            |a| a.array.planes_per_cycle = 0,
            int(1, 8),
        ),
        (
            "array.planes_per_cycle",
            "9",
            |a| a.array.planes_per_cycle = 9,
            int(1, 8),
        ),
        ("array.max_k", "0", |a| a.array.max_k = 0, int(1, 16777216)),
        (
            "array.max_k",
            "16777217",
            |a| a.array.max_k = (1 << 24) + 1,
            int(1, 16777216),
        ),
        (
            "array.acc_bits",
            "1",
            |a| a.array.acc_bits = Some(1),
            int(2, 64),
        ),
        (
            "array.acc_bits",
            "65",
            |a| a.array.acc_bits = Some(65),
            int(2, 64),
        ),
        (
            "buffers.weights.kib",
            "0",
            |a| a.buffers.weights.kib = 0,
            int(1, 1048576),
        ),
        (
            "buffers.activations.kib",
            "1048577",
            |a| a.buffers.activations.kib = 1048577,
            int(1, 1048576),
        ),
        (
            "buffers.outputs.banks",
            "0",
            |a| a.buffers.outputs.banks = 0,
            int(1, 1024),
        ),
        (
            "buffers.weights.banks",
            "1025",
            |a| a.buffers.weights.banks = 1025,
            int(1, 1024),
        ),
        (
            "buffers.activations.bank_bytes",
            "0",
            |a| a.buffers.activations.bank_bytes = 0,
            int(1, 4096),
        ),
        (
            "buffers.outputs.bank_bytes",
            "4097",
            |a| a.buffers.outputs.bank_bytes = 4097,
            int(1, 4096),
        ),
        (
            "dram.max_outstanding",
            "0",
            |a| a.dram.max_outstanding = 0,
            int(1, 65536),
        ),
        (
            "dram.max_outstanding",
            "65537",
            |a| a.dram.max_outstanding = 65537,
            int(1, 65536),
        ),
        (
            "vector.elems_per_cycle",
            "0",
            |a| a.vector.elems_per_cycle = 0,
            int(1, 65536),
        ),
        (
            "vector.elems_per_cycle",
            "65537",
            |a| a.vector.elems_per_cycle = 65537,
            int(1, 65536),
        ),
        (
            "attention.macs_per_cycle",
            "0",
            |a| a.attention.macs_per_cycle = 0,
            "\"unit\" mapping expects an integer from 1 to 1048576".into(),
        ),
        (
            "attention.macs_per_cycle",
            "1048577",
            |a| a.attention.macs_per_cycle = 1048577,
            "from 1 to 1048576".into(),
        ),
        (
            "clock_ghz",
            "0.0",
            |a| a.clock_ghz = 0.0,
            "expected a number from 0.01 to 10".into(),
        ),
        (
            "clock_ghz",
            "10.5",
            |a| a.clock_ghz = 10.5,
            "expected a number from 0.01 to 10".into(),
        ),
        (
            "clock_ghz",
            "nan",
            |a| a.clock_ghz = f64::NAN,
            "from 0.01 to 10".into(),
        ),
        (
            "dram.bandwidth_gbps",
            "0.0",
            |a| a.dram.bandwidth_gbps = 0.0,
            "0.000001 to 100000".into(),
        ),
        (
            "dram.bandwidth_gbps",
            "100001.0",
            |a| a.dram.bandwidth_gbps = 100001.0,
            "0.000001 to 100000".into(),
        ),
        (
            "dram.latency_ns",
            "-1.0",
            |a| a.dram.latency_ns = -1.0,
            "from 0 to 10000".into(),
        ),
        (
            "dram.latency_ns",
            "10000.5",
            |a| a.dram.latency_ns = 10000.5,
            "from 0 to 10000".into(),
        ),
        (
            "dram.request_bytes",
            "48",
            |a| a.dram.request_bytes = 48,
            "power of two from 8 to 4096".into(),
        ),
        (
            "dram.request_bytes",
            "4",
            |a| a.dram.request_bytes = 4,
            "power of two from 8 to 4096".into(),
        ),
        (
            "dram.request_bytes",
            "8192",
            |a| a.dram.request_bytes = 8192,
            "power of two from 8 to 4096".into(),
        ),
    ];
    for (key, value, edit, range) in cases {
        let e = refused(edit);
        check(&e, key, value, &["out of range", range]);
    }
    // the other mappings ignore macs_per_cycle but still bound it
    let e = refused(|a| {
        a.attention.mapping = AttentionMapping::Vector;
        a.attention.macs_per_cycle = 1 << 21;
    });
    check(
        &e,
        "attention.macs_per_cycle",
        "2097152",
        &["from 0 to 1048576"],
    );
}

#[test]
fn precisions_per_reduction() {
    /// The key a case sets.
    #[derive(Clone, Copy)]
    enum Key {
        Acts,
        Weights,
        Vector,
        Attention,
    }
    use Key::*;
    use Precision as P;
    use Reduction::{AdderTree as Tree, Mac, Popcount as Pop};
    let adder_acts = "int2..int8";
    let pop_acts = "int2..int8, binary, binary01";
    let mac_acts = "int4..int8, fp16, bf16";
    let low_w = "ternary, ternary-packed, binary, binary01";
    let mac_w = "int4, int8, fp16, bf16";
    let vector = "fp16, bf16, fp32, int8..int32";
    let attention = "fp16, bf16, fp32, int8";
    let cases: &[(Reduction, Key, Precision, &str)] = &[
        (Tree, Acts, P::Fp16, adder_acts),
        (Tree, Acts, P::Binary, adder_acts),
        (Tree, Acts, P::Int(1), adder_acts),
        (Tree, Acts, P::Int(16), adder_acts),
        (Tree, Weights, P::INT8, low_w),
        (Tree, Weights, P::Fp16, low_w),
        (Pop, Acts, P::Fp16, pop_acts),
        (Pop, Weights, P::INT4, low_w),
        (Mac, Acts, P::Int(2), mac_acts),
        (Mac, Acts, P::Binary, mac_acts),
        (Mac, Weights, P::Ternary, mac_w),
        (Mac, Weights, P::Int(6), mac_w),
        (Tree, Vector, P::INT4, vector),
        (Tree, Vector, P::Ternary, vector),
        (Tree, Attention, P::INT4, attention),
        (Tree, Attention, P::Int(16), attention),
    ];
    for &(reduction, key, precision, allowed) in cases {
        let e = refused(|a| {
            a.array.reduction = reduction;
            match key {
                Acts => a.array.activations = precision,
                Weights => a.array.weights = precision,
                Vector => a.vector.precision = precision,
                Attention => a.attention.precision = precision,
            }
        });
        let name = match key {
            Acts => "array.activations",
            Weights => "array.weights",
            Vector => "vector.precision",
            Attention => "attention.precision",
        };
        check(
            &e,
            name,
            &format!("\"{precision}\""),
            &["is not accepted", allowed],
        );
    }
    // accepted combinations
    let mut a = base();
    a.array.reduction = Reduction::Popcount;
    for (acts, w) in [
        (Precision::Binary, Precision::Binary),
        (Precision::Binary01, Precision::Binary01),
        (Precision::Int(2), Precision::TernaryPacked),
        (Precision::INT8, Precision::Ternary),
    ] {
        a.array.activations = acts;
        a.array.weights = w;
        a.validate().unwrap();
    }
    a.array.reduction = Reduction::Mac;
    for (acts, w) in [
        (Precision::INT8, Precision::INT8),
        (Precision::INT4, Precision::INT4),
        (Precision::Bf16, Precision::Bf16),
        (Precision::Fp16, Precision::INT4),
    ] {
        a.array.activations = acts;
        a.array.weights = w;
        a.validate().unwrap();
    }
}

#[test]
fn combinations() {
    // popcount planes cannot exceed the activation's bit-planes
    let e = refused(|a| {
        a.array.reduction = Reduction::Popcount;
        a.array.activations = Precision::INT4;
        a.array.planes_per_cycle = 5;
    });
    check(
        &e,
        "array.planes_per_cycle",
        "5",
        &["int4 activations have 4 bit-planes", "from 1 to 4"],
    );
    let e = refused(|a| {
        a.array.reduction = Reduction::Popcount;
        a.array.activations = Precision::Binary01;
        a.array.planes_per_cycle = 2;
    });
    check(
        &e,
        "array.planes_per_cycle",
        "2",
        &["1 bit-plane", "from 1 to 1"],
    );

    // accumulators too narrow for max_k
    let e = refused(|a| a.array.acc_bits = Some(16));
    check(
        &e,
        "array.acc_bits",
        "16",
        &[
            "is too small: K up to max_k=32768",
            "needs at least 24 bits",
            "from 24 to 64",
        ],
    );
    let mut a = base();
    a.array.acc_bits = Some(24);
    a.validate().unwrap();
    a.array.max_k = 2560;
    a.array.acc_bits = Some(20);
    a.validate().unwrap();
    a.array.acc_bits = Some(19);
    assert!(a.validate().is_err());

    // floating-point arrays have no integer accumulator width
    let e = refused(|a| {
        a.array.reduction = Reduction::Mac;
        a.array.activations = Precision::Fp16;
        a.array.weights = Precision::Fp16;
        a.array.acc_bits = Some(32);
    });
    check(&e, "array.acc_bits", "32", &["does not apply", "fp32"]);

    // only a mac array can run attention
    let e = refused(|a| a.attention.mapping = AttentionMapping::Array);
    check(
        &e,
        "attention.mapping",
        "\"array\"",
        &["adder-tree", "\"vector\", \"unit\""],
    );
    let mut m = preset("edge-int8").unwrap();
    m.attention.mapping = AttentionMapping::Array;
    // fused attention needs the attention or the vector unit
    let e = m.validate().unwrap_err();
    assert_eq!(e.key, "attention.fused");
    m.attention.fused = false;
    m.validate().unwrap();
    // a score buffer too small for one fused tile is refused by name
    let mut s = preset("edge-ternary").unwrap();
    s.attention.score_buffer_kib = 4;
    let e = s.validate().unwrap_err();
    assert_eq!(e.key, "attention.score_buffer_kib");
    assert!(
        e.message.contains("64 x 64 scores at fp16 need 8192 bytes"),
        "{e}"
    );
    s.attention.q_block = 32;
    s.validate().unwrap();
    s.attention.kv_cache = Some(Precision::Int(2));
    assert_eq!(s.validate().unwrap_err().key, "attention.kv_cache");
    s.attention.kv_cache = Some(Precision::Fp8);
    s.dram.capacity_gib = Some(0.0);
    assert_eq!(s.validate().unwrap_err().key, "dram.capacity_gib");
}

#[test]
fn validation_errors_point_at_the_key() {
    let text = crate::arch::preset_text("edge-ternary").unwrap();
    let t = text.replace("\nlanes = 64\n", "\nlanes = 0\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!((e.line, e.col), (line_of(&t, "lanes = "), 1), "{e}");
    assert_eq!(e.key, "array.lanes");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:1: `array.lanes` = 0 is out of range: expected an integer from 1 to 4096",
            e.line
        )
    );

    let t = text.replace("bank_bytes = 32", "bank_bytes = 0");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(e.key, "buffers.outputs.bank_bytes");
    assert_eq!((e.line, e.col), (line_of(&t, "bank_bytes = 0"), 1), "{e}");

    // inline tables: the column of the key
    let t = "name = \"x\"\nclock_ghz = 1.0\n\
             array = { reduction = \"mac\", lanes = 4, width = 0, activations = \"int8\", weights = \"int8\" }\n";
    let rest = "buffers.weights = { kib = 1, banks = 1, bank_bytes = 1 }\n\
                buffers.activations = { kib = 1, banks = 1, bank_bytes = 1 }\n\
                buffers.outputs = { kib = 1, banks = 1, bank_bytes = 1 }\n\
                dram = { kind = \"ddr4\", bandwidth_gbps = 1.0, latency_ns = 1.0 }\n\
                vector = { elems_per_cycle = 1, precision = \"fp16\" }\n\
                attention = { mapping = \"vector\", precision = \"fp16\" }\n";
    let e = from_toml(&format!("{t}{rest}")).unwrap_err();
    assert_eq!(
        (e.line, e.col, e.key.as_str()),
        (3, 41, "array.width"),
        "{e}"
    );

    // a defaulted key is reported at its table's header
    let t = text.replace("\nmacs_per_cycle = 256\n", "\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(e.key, "attention.macs_per_cycle");
    assert_eq!((e.line, e.col), (line_of(&t, "[attention]"), 1), "{e}");

    // the design name
    let t = text.replace("name = \"edge_ternary\"", "name = \"edge-ternary\"");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(
        (e.line, e.col, e.key.as_str()),
        (line_of(&t, "name = "), 1, "name")
    );
}

#[test]
fn parse_errors_have_position_and_key() {
    let text = crate::arch::preset_text("edge-ternary").unwrap();

    // syntax
    let t = text.replace("\nlanes = 64\n", "\nlanes = 64 64\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!((e.line, e.col), (line_of(&t, "lanes = "), 12), "{e}");
    assert_eq!(e.key, "array.lanes");
    assert!(
        e.message.starts_with("TOML syntax error in `array.lanes`"),
        "{e}"
    );

    // duplicate key
    let t = text.replace("\nwidth = 64\n", "\nwidth = 64\nwidth = 32\n");
    let e = from_toml(&t).unwrap_err();
    assert!(e.message.contains("duplicate key `width`"), "{e}");
    assert_eq!(e.line, line_of(&t, "width = 32"), "{e}");

    // unknown key
    let t = text.replace("\nlanes = 64\n", "\nlane = 64\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!((e.line, e.col), (line_of(&t, "lane = "), 1), "{e}");
    assert_eq!(e.key, "array.lane");
    assert!(
        e.message
            .starts_with("unknown key `array.lane`, expected one of `lanes`"),
        "{e}"
    );

    // unknown table
    let t = text.replace("[vector]", "[vectors]");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(
        (e.line, e.col, e.key.as_str()),
        (line_of(&t, "[vectors]"), 1, "vectors"),
        "{e}"
    );

    // wrong type: the column of the value
    let t = text.replace("\nlanes = 64\n", "\nlanes = \"64\"\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!((e.line, e.col), (line_of(&t, "lanes = "), 9), "{e}");
    assert_eq!(e.key, "array.lanes");
    assert_eq!(
        e.message,
        "`array.lanes` = \"64\" is not an integer: expected an integer from 1 to 4096"
    );
    // too large for TOML, too large for the key, a float, a number for a name
    for (value, message) in [
        ("99999999999999999999", "`array.lanes` = 99999999999999999999 is out of range: expected an integer from 1 to 4096"),
        ("5000000000", "`array.lanes` = 5000000000 is out of range: expected an integer from 1 to 4096"),
        ("1e300", "`array.lanes` = 1e300 is not an integer: expected an integer from 1 to 4096"),
    ] {
        let t = text.replace("\nlanes = 64\n", &format!("\nlanes = {value}\n"));
        let e = from_toml(&t).unwrap_err();
        assert_eq!(e.message, message);
        assert_eq!((e.line, e.col), (line_of(&t, "lanes = "), 9), "{e}");
    }
    let t = text.replace("reduction = \"adder-tree\"", "reduction = 3");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(
        e.message,
        "`array.reduction` = 3 is not accepted: expected one of \"adder-tree\", \"popcount\", \"mac\", \"lut\""
    );

    // unknown name of an enum or precision
    let t = text.replace("kind = \"lpddr5\"", "kind = \"lpddr6\"");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(
        (e.line, e.col, e.key.as_str()),
        (line_of(&t, "kind = "), 8, "dram.kind"),
        "{e}"
    );
    assert!(
        e.message.contains("lpddr6") && e.message.contains("hbm3"),
        "{e}"
    );
    let t = text.replace("activations = \"int8\"", "activations = \"int64\"");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(e.key, "array.activations", "{e}");
    assert!(e.message.contains("unknown precision `int64`"), "{e}");

    // missing key: at the header of its table
    let t = text.replace("\nwidth = 64\n", "\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!((e.line, e.col), (line_of(&t, "[array]"), 1), "{e}");
    assert_eq!(
        (e.key.as_str(), e.message.as_str()),
        ("array.width", "missing key `array.width`")
    );

    // missing table
    let start = text.find("[buffers.outputs]").unwrap();
    let end = text[start..].find("\n\n").unwrap() + start;
    let t = format!("{}{}", &text[..start], &text[end..]);
    let e = from_toml(&t).unwrap_err();
    assert_eq!(e.key, "buffers.outputs", "{e}");
    assert_eq!(e.line, line_of(&t, "[buffers."), "{e}");

    // CRLF line ends count lines the same way
    let t = text
        .replace('\n', "\r\n")
        .replace("\r\nlanes = 64\r\n", "\r\nlanes = 0\r\n");
    let e = from_toml(&t).unwrap_err();
    assert_eq!((e.line, e.col), (line_of(&t, "lanes = "), 1), "{e}");
}

#[test]
fn docs_examples_are_valid() {
    let doc = include_str!("../../../../docs/accelerator.md");
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2);
    let tiny = from_toml(blocks[0]).unwrap();
    assert_eq!(tiny.name, "tiny");
    assert_eq!(from_toml(blocks[1]).unwrap(), base());
    // and the error examples are what the reader prints
    let e = crate::arch::preset_text("edge-ternary")
        .unwrap()
        .replace("\nlanes = 64\n", "\nlanes = 64 64\n");
    let msg = from_toml(&e).unwrap_err().message;
    assert!(doc.contains(&msg), "{msg}");
}

#[test]
fn systolic_dataflow() {
    use crate::arch::Dataflow;
    // the lane template is the default and is not written
    let a = base();
    assert_eq!(a.array.dataflow, Dataflow::Lanes);
    assert!(!to_toml(&a).contains("dataflow"));
    // every systolic dataflow round-trips on a mac array
    let mut m = preset("edge-int8").unwrap();
    for df in Dataflow::ALL {
        m.array.dataflow = df;
        m.validate().unwrap();
        let t = to_toml(&m);
        assert_eq!(t.contains("dataflow = "), df.is_systolic(), "{t}");
        assert_eq!(from_toml(&t).unwrap(), m);
    }
    let s = preset("systolic-ws-32x32").unwrap();
    assert_eq!(s.array.dataflow, Dataflow::SystolicWs);
    assert_eq!((s.array.width, s.array.lanes), (32, 32));

    // only mac cells make a systolic array
    for r in [Reduction::AdderTree, Reduction::Popcount] {
        let e = refused(|a| {
            a.array.reduction = r;
            a.array.dataflow = Dataflow::SystolicOs;
        });
        check(
            &e,
            "array.dataflow",
            "\"systolic-os\"",
            &[r.name(), "expected \"lanes\"", "\"mac\""],
        );
    }
    // a systolic array does not compact zeros away
    let mut m = preset("edge-int8").unwrap();
    m.array.dataflow = Dataflow::SystolicWs;
    m.array.zeros = ZeroHandling::Skip;
    let e = m.validate().unwrap_err();
    check(&e, "array.zeros", "\"skip\"", &["\"none\", \"gate\""]);

    // the refusal points at the key; an unknown name lists the four
    let text = crate::arch::preset_text("systolic-ws-32x32").unwrap();
    let t = text.replace("reduction = \"mac\"", "reduction = \"adder-tree\"");
    let t = t.replace("weights = \"int8\"", "weights = \"ternary\"");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(e.key, "array.dataflow", "{e}");
    assert_eq!((e.line, e.col), (line_of(&t, "dataflow = "), 1), "{e}");
    let t = text.replace("\"systolic-ws\"", "\"systolic-xs\"");
    let e = from_toml(&t).unwrap_err();
    assert_eq!(e.key, "array.dataflow", "{e}");
    for n in ["lanes", "systolic-ws", "systolic-os", "systolic-is"] {
        assert!(e.message.contains(n), "{e}");
    }
}

#[test]
fn line_col_counts_characters() {
    let t = "a\n±b = 1\n";
    assert_eq!(line_col(t, 0), (1, 1));
    assert_eq!(line_col(t, 2), (2, 1));
    assert_eq!(line_col(t, 4), (2, 2)); // after the two-byte `±`
    assert_eq!(line_col(t, 3), (2, 1)); // inside `±`: its start
    assert_eq!(line_col(t, 99), (3, 1));
}
