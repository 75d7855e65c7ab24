//! Reading and writing accelerator descriptions as TOML, with validation.
//!
//! [`from_toml`] parses, deserializes and validates a description; every
//! error carries the 1-based line and column of the offending key (or
//! value) and its dotted key path, e.g. `12:1: `array.lanes` = 0 is out of
//! range: expected an integer from 1 to 4096`. [`to_toml`] writes a
//! commented file, one comment with unit and range above every key, that
//! [`from_toml`] reads back to the same description.
//!
//! The accepted ranges are [`Accelerator::validate`]'s and are documented
//! key by key in docs/accelerator.md.

use super::{
    acc_bits_for, Accelerator, AttentionMapping, Dataflow, Reduction, SramConfig, ZeroHandling,
};
use std::ops::Range;
use toml_edit::{ImDocument, TableLike};
use workloads::Precision;

/// An accelerator description that does not parse, deserialize or
/// validate, with the position of the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct ArchError {
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// 1-based column (in characters) of the offending key or value.
    pub col: usize,
    /// Dotted path of the offending key (`array.lanes`); empty when the
    /// error is not about one key (e.g. a syntax error before any key).
    pub key: String,
    /// What is wrong; names the key, its value and what is accepted.
    pub message: String,
}

/// A value [`Accelerator::validate`] refuses: the key, the value as written
/// in TOML, and a message naming both and the accepted range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    /// Dotted key path, e.g. `array.lanes`.
    pub key: String,
    /// The refused value as TOML would write it (strings quoted).
    pub value: String,
    /// E.g. "`array.lanes` = 0 is out of range: expected an integer from 1 to 4096".
    pub message: String,
}

// ---------------------------------------------------------------- limits

/// Largest `array.lanes` and `array.width`.
pub const MAX_LANES: u32 = 4096;
/// Largest `array.max_k`: 2^24.
pub const MAX_K: u64 = 1 << 24;
/// Lowest `dram.bandwidth_gbps`: 10^-6 GB/s (1 kB/s). Every value from
/// it to the highest is simulated exactly, without rounding.
pub const MIN_BANDWIDTH_GBPS: f64 = 1e-6;
/// Longest design name (a Verilog identifier).
pub const MAX_NAME_LEN: usize = 64;

/// Verilog (IEEE 1364-2005, Annex B) and SystemVerilog (IEEE 1800-2017,
/// Annex B) reserved words; none may be a design name.
#[rustfmt::skip]
pub const VERILOG_KEYWORDS: &[&str] = &[
    // IEEE 1364-2005
    "always", "and", "assign", "automatic", "begin", "buf", "bufif0", "bufif1", "case", "casex",
    "casez", "cell", "cmos", "config", "deassign", "default", "defparam", "design", "disable",
    "edge", "else", "end", "endcase", "endconfig", "endfunction", "endgenerate", "endmodule",
    "endprimitive", "endspecify", "endtable", "endtask", "event", "for", "force", "forever", "fork",
    "function", "generate", "genvar", "highz0", "highz1", "if", "ifnone", "incdir", "include",
    "initial", "inout", "input", "instance", "integer", "join", "large", "liblist", "library",
    "localparam", "macromodule", "medium", "module", "nand", "negedge", "nmos", "nor",
    "noshowcancelled", "not", "notif0", "notif1", "or", "output", "parameter", "pmos", "posedge",
    "primitive", "pull0", "pull1", "pulldown", "pullup", "pulsestyle_ondetect",
    "pulsestyle_onevent", "rcmos", "real", "realtime", "reg", "release", "repeat", "rnmos", "rpmos",
    "rtran", "rtranif0", "rtranif1", "scalared", "showcancelled", "signed", "small", "specify",
    "specparam", "strong0", "strong1", "supply0", "supply1", "table", "task", "time", "tran",
    "tranif0", "tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "unsigned", "use",
    "uwire", "vectored", "wait", "wand", "weak0", "weak1", "while", "wire", "wor", "xnor", "xor",
    // IEEE 1800-2017 additions
    "accept_on", "alias", "always_comb", "always_ff", "always_latch", "assert", "assume", "before",
    "bind", "bins", "binsof", "bit", "break", "byte", "chandle", "checker", "class", "clocking",
    "const", "constraint", "context", "continue", "cover", "covergroup", "coverpoint", "cross",
    "dist", "do", "endchecker", "endclass", "endclocking", "endgroup", "endinterface", "endpackage",
    "endprogram", "endproperty", "endsequence", "enum", "eventually", "expect", "export", "extends",
    "extern", "final", "first_match", "foreach", "forkjoin", "global", "iff", "ignore_bins",
    "illegal_bins", "implements", "implies", "import", "inside", "int", "interconnect", "interface",
    "intersect", "join_any", "join_none", "let", "local", "logic", "longint", "matches", "modport",
    "nettype", "new", "nexttime", "null", "package", "packed", "priority", "program", "property",
    "protected", "pure", "rand", "randc", "randcase", "randsequence", "ref", "reject_on",
    "restrict", "return", "s_always", "s_eventually", "s_nexttime", "s_until", "s_until_with",
    "sequence", "shortint", "shortreal", "soft", "solve", "static", "string", "strong", "struct",
    "super", "sync_accept_on", "sync_reject_on", "tagged", "this", "throughout", "timeprecision",
    "timeunit", "type", "typedef", "union", "unique", "unique0", "until", "until_with", "untyped",
    "var", "virtual", "void", "wait_order", "weak", "wildcard", "with", "within",
];

// ------------------------------------------------------------ validation

pub(super) fn invalid(key: &str, value: impl Into<String>, message: String) -> InvalidValue {
    InvalidValue {
        key: key.to_string(),
        value: value.into(),
        message,
    }
}

/// The documented range of an integer key (docs/accelerator.md); the one
/// table [`Accelerator::validate`] and the type-error messages read.
pub fn int_range(key: &str) -> Option<(u64, u64)> {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    Some(match key {
        "array.lanes" | "array.width" => (1, u64::from(MAX_LANES)),
        "array.stage_levels" => (1, 16),
        "array.planes_per_cycle" => (1, 8),
        "array.max_k" => (1, MAX_K),
        "array.acc_bits" => (2, 64),
        "array.token_tile" => (1, u64::from(super::onchip::MAX_TOKEN_TILE)),
        "array.skip_window" => (1, 4 * u64::from(MAX_LANES)),
        "dram.request_bytes" => (8, 4096),
        "dram.max_outstanding" => (1, 65536),
        "vector.elems_per_cycle" => (1, 65536),
        "attention.macs_per_cycle" => (0, 1 << 20),
        _ if key.starts_with("buffers.") => match leaf {
            "kib" => (1, 1 << 20),
            "banks" => (1, 1024),
            "bank_bytes" => (1, 4096),
            "prefetch_slots" => (1, u64::from(super::onchip::MAX_PREFETCH_SLOTS)),
            _ => return None,
        },
        _ => return None,
    })
}

/// What a key whose value is one of a set of names accepts ("one of ...").
pub fn allowed_names(key: &str) -> Option<String> {
    let list = |names: &[&str]| {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        format!("one of {}", quoted.join(", "))
    };
    Some(match key {
        "array.reduction" => list(&Reduction::ALL.map(Reduction::name)),
        "array.zeros" => list(&["none", "gate", "skip"]),
        "array.dataflow" => list(&Dataflow::ALL.map(Dataflow::name)),
        "attention.mapping" => list(&["vector", "unit", "array"]),
        "dram.kind" => list(&["ddr4", "lpddr5", "hbm2e", "hbm3"]),
        "array.activations" | "array.weights" | "vector.precision" | "attention.precision" => {
            format!(
                "a precision name ({})",
                workloads::precision::PRECISION_NAMES
            )
        }
        _ => return None,
    })
}

/// `int_in` with the key's documented range.
pub(super) fn int_key(key: &str, v: u64) -> Result<(), InvalidValue> {
    let (lo, hi) = int_range(key).unwrap_or((0, u64::MAX));
    int_in(key, v, lo, hi)
}

fn int_in(key: &str, v: u64, lo: u64, hi: u64) -> Result<(), InvalidValue> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(invalid(
            key,
            v.to_string(),
            format!("`{key}` = {v} is out of range: expected an integer from {lo} to {hi}"),
        ))
    }
}

/// `lo < v <= hi` when `lo_open`, else `lo <= v <= hi`; NaN is refused.
fn float_in(key: &str, v: f64, lo: f64, lo_open: bool, hi: f64) -> Result<(), InvalidValue> {
    let above = if lo_open { v > lo } else { v >= lo };
    if above && v <= hi {
        return Ok(());
    }
    let lo_text = if lo_open {
        format!("greater than {lo}")
    } else {
        format!("from {lo}")
    };
    let joiner = if lo_open { "and at most" } else { "to" };
    Err(invalid(
        key,
        fmt_float(v),
        format!(
            "`{key}` = {} is out of range: expected a number {lo_text} {joiner} {hi}",
            fmt_float(v),
        ),
    ))
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn precision_in(
    key: &str,
    p: Precision,
    ok: bool,
    context: &str,
    allowed: &str,
) -> Result<(), InvalidValue> {
    if ok {
        Ok(())
    } else {
        let v = quoted(&p.name());
        Err(invalid(
            key,
            v.clone(),
            format!("`{key}` = {v} is not accepted {context}: expected one of {allowed}"),
        ))
    }
}

fn is_int_between(p: Precision, lo: u8, hi: u8) -> bool {
    matches!(p, Precision::Int(b) if (lo..=hi).contains(&b))
}

/// Checks that `name` is a legal Verilog identifier (the RTL module prefix).
pub fn check_name(name: &str) -> Result<(), InvalidValue> {
    let key = "name";
    let v = quoted(name);
    let bad = |why: &str| {
        Err(invalid(
            key,
            v.clone(),
            format!(
                "`{key}` = {v} is not a legal design name: {why}; expected a Verilog identifier \
                 ([A-Za-z_][A-Za-z0-9_]*, 1 to {MAX_NAME_LEN} characters, not a keyword)"
            ),
        ))
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return bad("it is empty"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            return bad(&format!("it starts with `{c}`"))
        }
        _ => {}
    }
    if let Some(c) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return bad(&format!("it contains `{c}`"));
    }
    if name.len() > MAX_NAME_LEN {
        return bad(&format!("it has {} characters", name.len()));
    }
    if VERILOG_KEYWORDS.contains(&name) {
        return bad("it is a Verilog/SystemVerilog keyword");
    }
    Ok(())
}

fn check_sram(table: &str, s: &SramConfig) -> Result<(), InvalidValue> {
    int_key(&format!("{table}.kib"), s.kib.into())?;
    int_key(&format!("{table}.banks"), s.banks.into())?;
    int_key(&format!("{table}.bank_bytes"), s.bank_bytes.into())?;
    Ok(())
}

impl Accelerator {
    /// Checks every value against its documented range (docs/accelerator.md)
    /// and the combinations the datapaths support; the error names the key,
    /// the value and what is accepted. [`from_toml`] calls it and adds the
    /// key's line and column.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        check_name(&self.name)?;
        float_in("clock_ghz", self.clock_ghz, 0.01, false, 10.0)?;
        if let Some(t) = &self.technology {
            if !super::TECHNOLOGY_NAMES.contains(&t.as_str()) {
                let v = quoted(t);
                let names: Vec<String> =
                    super::TECHNOLOGY_NAMES.iter().map(|n| quoted(n)).collect();
                return Err(invalid(
                    "technology",
                    v.clone(),
                    format!(
                        "`technology` = {v} is not a built-in technology table: expected one of {}",
                        names.join(", ")
                    ),
                ));
            }
        }

        let a = &self.array;
        let r = a.reduction;
        let ctx = format!("by the {} reduction", r.name());
        int_key("array.lanes", a.lanes.into())?;
        int_key("array.width", a.width.into())?;
        int_key("array.stage_levels", a.stage_levels.into())?;
        int_key("array.planes_per_cycle", a.planes_per_cycle.into())?;
        let m = r.module();
        precision_in(
            "array.activations",
            a.activations,
            m.accepts_activations(a.activations),
            &ctx,
            m.allowed_activations(),
        )?;
        precision_in(
            "array.weights",
            a.weights,
            m.accepts_weights(a.weights),
            &ctx,
            m.allowed_weights(),
        )?;
        crate::datapath::check_foreign_keys(a)?;
        m.validate(a)?;
        if a.dataflow.is_systolic() {
            let df = quoted(a.dataflow.name());
            if !m.multiplies() {
                return Err(invalid(
                    "array.dataflow",
                    df.clone(),
                    format!(
                        "`array.dataflow` = {df} is not accepted with `array.reduction` = \"{}\" \
                         (a systolic array is made of multiply-accumulate cells): expected \
                         \"lanes\", or set `array.reduction` = \"mac\"",
                        r.name()
                    ),
                ));
            }
            if a.zeros == ZeroHandling::Skip {
                return Err(invalid(
                    "array.zeros",
                    quoted("skip"),
                    format!(
                        "`array.zeros` = \"skip\" is not accepted with `array.dataflow` = {df} \
                         (a systolic array cannot compact zero weights away): expected one of \
                         \"none\", \"gate\""
                    ),
                ));
            }
        }
        int_key("array.max_k", a.max_k)?;
        if let Some(bits) = a.acc_bits {
            int_key("array.acc_bits", bits.into())?;
            match acc_bits_for(a.max_k, a.activations, a.weights) {
                Some(need) if bits < need => {
                    return Err(invalid(
                        "array.acc_bits",
                        bits.to_string(),
                        format!(
                            "`array.acc_bits` = {bits} is too small: K up to max_k={} of {} x {} \
                             products needs at least {need} bits (expected an integer from {need} to 64)",
                            a.max_k, a.activations, a.weights
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(invalid(
                        "array.acc_bits",
                        bits.to_string(),
                        format!(
                            "`array.acc_bits` = {bits} does not apply: {} x {} products are \
                             accumulated in fp32; remove the key",
                            a.activations, a.weights
                        ),
                    ));
                }
            }
        }

        check_sram("buffers.weights", &self.buffers.weights)?;
        check_sram("buffers.activations", &self.buffers.activations)?;
        check_sram("buffers.outputs", &self.buffers.outputs)?;

        let d = &self.dram;
        // the lower end keeps the exact bytes-per-cycle fraction within 127 bits
        float_in(
            "dram.bandwidth_gbps",
            d.bandwidth_gbps,
            MIN_BANDWIDTH_GBPS,
            false,
            100_000.0,
        )?;
        float_in("dram.latency_ns", d.latency_ns, 0.0, false, 10_000.0)?;
        if !(d.request_bytes.is_power_of_two() && (8..=4096).contains(&d.request_bytes)) {
            return Err(invalid(
                "dram.request_bytes",
                d.request_bytes.to_string(),
                format!(
                    "`dram.request_bytes` = {} is out of range: expected a power of two from 8 to 4096",
                    d.request_bytes
                ),
            ));
        }
        int_key("dram.max_outstanding", d.max_outstanding.into())?;
        check_banked(d)?;

        let v = &self.vector;
        int_key("vector.elems_per_cycle", v.elems_per_cycle.into())?;
        precision_in(
            "vector.precision",
            v.precision,
            matches!(
                v.precision,
                Precision::Fp16 | Precision::Bf16 | Precision::Fp32
            ) || is_int_between(v.precision, 8, 32),
            "for the vector unit",
            "fp16, bf16, fp32, int8..int32",
        )?;

        let t = &self.attention;
        match t.mapping {
            AttentionMapping::Unit => {
                if !(1..=1 << 20).contains(&t.macs_per_cycle) {
                    return Err(invalid(
                        "attention.macs_per_cycle",
                        t.macs_per_cycle.to_string(),
                        format!(
                            "`attention.macs_per_cycle` = {} is out of range: the \"unit\" mapping \
                             expects an integer from 1 to 1048576",
                            t.macs_per_cycle
                        ),
                    ));
                }
            }
            AttentionMapping::Array if !m.multiplies() => {
                return Err(invalid(
                    "attention.mapping",
                    quoted("array"),
                    format!(
                        "`attention.mapping` = \"array\" is not accepted with `array.reduction` = \
                         \"{}\" (only a mac array multiplies activations by activations): expected \
                         one of \"vector\", \"unit\"",
                        r.name()
                    ),
                ));
            }
            _ => int_in(
                "attention.macs_per_cycle",
                t.macs_per_cycle.into(),
                0,
                1 << 20,
            )?,
        }
        precision_in(
            "attention.precision",
            t.precision,
            matches!(
                t.precision,
                Precision::Fp16 | Precision::Bf16 | Precision::Fp32 | Precision::Int(8)
            ),
            "for attention",
            "fp16, bf16, fp32, int8",
        )?;
        self.validate_kv_and_capacity()?;
        super::onchip::validate(self)?;
        Ok(())
    }

    /// The KV-cache, fused-attention and DRAM-capacity keys.
    fn validate_kv_and_capacity(&self) -> Result<(), InvalidValue> {
        let t = &self.attention;
        if let Some(p) = t.kv_cache {
            precision_in(
                "attention.kv_cache",
                p,
                workloads::KvFormat::supports(p),
                "for the KV cache",
                workloads::kv::KV_PRECISION_NAMES,
            )?;
        } else if !workloads::KvFormat::supports(t.precision) {
            return Err(invalid(
                "attention.kv_cache",
                "(absent)".to_string(),
                format!(
                    "`attention.kv_cache` is absent and `attention.precision` = \"{}\" cannot store the KV cache: set `attention.kv_cache` to one of {}",
                    t.precision,
                    workloads::kv::KV_PRECISION_NAMES
                ),
            ));
        }
        int_in("attention.kv_group", t.kv_group, 1, 4096)?;
        int_in("attention.q_block", t.q_block.into(), 1, 65536)?;
        int_in("attention.kv_block", t.kv_block.into(), 1, 65536)?;
        int_in(
            "attention.score_buffer_kib",
            t.score_buffer_kib.into(),
            1,
            1 << 20,
        )?;
        if t.fused && t.mapping == AttentionMapping::Array {
            return Err(invalid(
                "attention.fused",
                "true".to_string(),
                "`attention.fused` = true is not accepted with `attention.mapping` = \"array\": \
                 fused attention runs on the attention unit (\"unit\") or the vector unit (\"vector\")"
                    .to_string(),
            ));
        }
        let need = t.score_tile_bytes();
        let have = u64::from(t.score_buffer_kib) * 1024;
        if t.fused && need > have {
            return Err(invalid(
                "attention.score_buffer_kib",
                t.score_buffer_kib.to_string(),
                format!(
                    "`attention.score_buffer_kib` = {} ({have} bytes) does not hold one fused attention tile: \
                     {} x {} scores at {} need {need} bytes; raise it to at least {} or shrink \
                     `attention.q_block` / `attention.kv_block`",
                    t.score_buffer_kib,
                    t.q_block,
                    t.kv_block,
                    t.precision,
                    need.div_ceil(1024)
                ),
            ));
        }
        if let Some(c) = self.dram.capacity_gib {
            float_in("dram.capacity_gib", c, 0.0, true, 1e6)?;
        }
        Ok(())
    }
}

// --------------------------------------------------------------- reading

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Writes the banked model's keys when the model or a preset is set (files
/// of the transaction model stay as they were).
fn write_banked(w: &mut Writer, d: &super::DramConfig) {
    if d.model == super::DramModelKind::Transaction && d.preset.is_none() {
        return;
    }
    w.key(
        "DRAM model: \"transaction\" (bandwidth, latency, outstanding window) or\n\
         \"banked\" (banks, rows, refresh and a controller per channel; bandwidth_gbps\n\
         is then derived from the preset and the channels).",
        "model",
        quoted(match d.model {
            super::DramModelKind::Transaction => "transaction",
            super::DramModelKind::Banked => "banked",
        }),
    );
    if let Some(p) = &d.preset {
        w.key(
            "Banked model device: \"lpddr5-6400\", \"hbm3-6400\", \"ddr5-4800\", \"ddr4-3200\".",
            "preset",
            quoted(p),
        );
    }
    if let Some(c) = d.channels {
        w.key(
            "Banked model channels (HBM3: 64-bit channels of two pseudo-channels), a power of two.",
            "channels",
            c.to_string(),
        );
    }
    if let Some(m) = d.mapping {
        w.key(
            "Banked model address mapping: \"RoCoBaRaCh\" (bank-interleaved) or \"RoBaRaCoCh\".",
            "mapping",
            quoted(m.name()),
        );
    }
}

/// The banked model's keys: a known preset and a power-of-two channel count
/// when `model = "banked"`.
fn check_banked(b: &super::DramConfig) -> Result<(), InvalidValue> {
    use crate::memory::banked::presets;
    if let Some(p) = &b.preset {
        if presets::preset(p).is_none() {
            return Err(invalid(
                "dram.preset",
                quoted(p),
                format!(
                    "`dram.preset` = \"{p}\" is not a DRAM preset: expected one of {}",
                    presets::NAMES.join(", ")
                ),
            ));
        }
    }
    if let Some(c) = b.channels {
        if !(c.is_power_of_two() && c <= 1024) {
            return Err(invalid(
                "dram.channels",
                c.to_string(),
                format!(
                    "`dram.channels` = {c} is out of range: expected a power of two from 1 to 1024"
                ),
            ));
        }
    }
    if b.model == super::DramModelKind::Banked && b.preset.is_none() {
        return Err(invalid(
            "dram.model",
            quoted("banked"),
            format!(
                "`dram.model` = \"banked\" needs `dram.preset`: one of {}",
                presets::NAMES.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Reads an accelerator description: TOML syntax, then the keys and their
/// types, then [`Accelerator::validate`]. Every error has the line and
/// column of the offending key and its dotted path.
pub fn from_toml(text: &str) -> Result<Accelerator, ArchError> {
    let doc = ImDocument::parse(text).map_err(|e| syntax_error(text, &e))?;
    let mut acc: Accelerator = toml::from_str(text).map_err(|e| serde_error(text, &doc, &e))?;
    if acc.dram.model == super::DramModelKind::Banked {
        if let Some(g) = acc.dram.derived_gbps() {
            acc.dram.bandwidth_gbps = g;
        }
    }
    acc.validate().map_err(|e| {
        let offset = locate(text, &doc, &e.key);
        let (line, col) = line_col(text, offset);
        ArchError {
            line,
            col,
            key: e.key,
            message: e.message,
        }
    })?;
    Ok(acc)
}

/// A TOML syntax error: position from the parser; key path from the
/// nearest table header above it and the key on its line.
fn syntax_error(text: &str, e: &toml_edit::TomlError) -> ArchError {
    let offset = e.span().map_or(0, |s| s.start);
    let (line, col) = line_col(text, offset);
    let mut table = String::new();
    let mut key = String::new();
    for (i, l) in text.split('\n').enumerate().take(line) {
        let t = l.trim();
        if t.starts_with('[') {
            table = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        }
        if i + 1 == line {
            if let Some((k, _)) = t.split_once('=') {
                let k = k.trim();
                if !k.is_empty() && !k.starts_with('[') && !k.starts_with('#') {
                    key = k.trim_matches('"').to_string();
                }
            }
        }
    }
    let path = join(&table, &key);
    let what = e.message().trim().replace('\n', "; ");
    if what.contains("number too large to fit in target type") && !path.is_empty() {
        let raw = text
            .split('\n')
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map_or("", |(_, v)| v.split('#').next().unwrap_or("").trim());
        let raw = shorten(raw);
        let message = match int_range(&path) {
            Some((lo, hi)) => {
                format!("`{path}` = {raw} is out of range: expected an integer from {lo} to {hi}")
            }
            None => format!(
                "`{path}` = {raw} is too large: TOML integers are at most 9223372036854775807"
            ),
        };
        return ArchError {
            line,
            col,
            key: path,
            message,
        };
    }
    let message = if path.is_empty() {
        format!("TOML syntax error: {what}")
    } else {
        format!("TOML syntax error in `{path}`: {what}")
    };
    ArchError {
        line,
        col,
        key: path,
        message,
    }
}

fn join(table: &str, key: &str) -> String {
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (false, true) => table.to_string(),
        (false, false) => format!("{table}.{key}"),
    }
}

/// A deserialization error (unknown or missing key, wrong type, unknown
/// name): position from the span toml reports, key path from the document.
fn serde_error(text: &str, doc: &ImDocument<&str>, e: &toml::de::Error) -> ArchError {
    let span = e.span();
    let msg = e.message().trim().replace('\n', "; ");
    let mut path = Vec::new();
    let mut offset = span.as_ref().map_or(0, |s| s.start);
    if let Some(s) = &span {
        deepest(doc.as_table(), s, &mut path);
    }
    let table_path = path.join(".");
    let (key, message) = if let Some(field) = backticked(&msg, "missing field `") {
        // The span is the table lacking the key; point at its header.
        let key = join(&table_path, &field);
        if table_path.is_empty() {
            offset = 0;
        } else {
            offset = locate(text, doc, &table_path);
        }
        let message = format!("missing key `{key}`");
        (key, message)
    } else if let Some(field) = backticked(&msg, "unknown field `") {
        let key = if path.last().map(String::as_str) == Some(field.as_str()) {
            table_path.clone()
        } else {
            join(&table_path, &field)
        };
        let rest = msg
            .split_once(", ")
            .map_or(String::new(), |(_, r)| format!(", {r}"));
        let message = format!("unknown key `{key}`{rest}");
        (key, message)
    } else if table_path.is_empty() {
        (String::new(), msg)
    } else if let Some(message) = clearer_type_error(text, span.as_ref(), &table_path, &msg) {
        (table_path.clone(), message)
    } else {
        (table_path.clone(), format!("`{table_path}`: {msg}"))
    };
    let (line, col) = line_col(text, header_start(text, offset));
    ArchError {
        line,
        col,
        key,
        message,
    }
}

/// At most 40 characters of a value as written, for a message.
fn shorten(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if s.len() < raw.len() {
        s.push_str("...");
    }
    s
}

/// A type error on a key with a documented range or set of names, said
/// with the value as written and what is accepted (instead of serde's
/// "invalid type: floating point `1000...0`, expected u32" or "wanted
/// string or table").
fn clearer_type_error(
    text: &str,
    span: Option<&Range<usize>>,
    key: &str,
    msg: &str,
) -> Option<String> {
    let raw = span
        .and_then(|s| text.get(s.clone()))
        .map(str::trim)
        .filter(|r| !r.is_empty() && !r.contains('\n'))?;
    let raw = shorten(raw);
    let type_error = msg.starts_with("invalid type")
        || msg.starts_with("invalid value")
        || msg.contains("wanted string or table");
    if !type_error {
        return None;
    }
    if let Some((lo, hi)) = int_range(key) {
        let integer = raw
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'+');
        return Some(if integer {
            format!("`{key}` = {raw} is out of range: expected an integer from {lo} to {hi}")
        } else {
            format!("`{key}` = {raw} is not an integer: expected an integer from {lo} to {hi}")
        });
    }
    allowed_names(key).map(|names| format!("`{key}` = {raw} is not accepted: expected {names}"))
}

/// The text between `prefix` and the next backtick, when `msg` starts with `prefix`.
fn backticked(msg: &str, prefix: &str) -> Option<String> {
    msg.strip_prefix(prefix)
        .and_then(|r| r.split('`').next())
        .map(str::to_string)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end.max(outer.start + 1)
}

/// Pushes onto `path` the keys leading to the innermost key or value whose
/// span contains `span`. A key's own span wins over its children: a table
/// header such as `[buffers.weights]` holds the span of `buffers` inside
/// the span of the `weights` table.
fn deepest(table: &dyn TableLike, span: &Range<usize>, path: &mut Vec<String>) -> bool {
    for (name, item) in table.iter() {
        let key_span = table.get_key_value(name).and_then(|(k, _)| k.span());
        path.push(name.to_string());
        if key_span.as_ref().is_some_and(|k| contains(k, span)) {
            return true;
        }
        if let Some(child) = item.as_table_like() {
            if deepest(child, span, path) {
                return true;
            }
        }
        if item.span().as_ref().is_some_and(|s| contains(s, span)) {
            return true;
        }
        path.pop();
    }
    false
}

/// Byte offset of the key at dotted `path`, or of the nearest enclosing
/// table that is written in the file, or 0. A table header is reported at
/// its `[`.
fn locate(text: &str, doc: &ImDocument<&str>, path: &str) -> usize {
    let mut table: &dyn TableLike = doc.as_table();
    let mut best = 0;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let Some((key, item)) = table.get_key_value(part) else {
            break;
        };
        if let Some(s) = key.span().or_else(|| item.span()) {
            best = s.start;
        }
        match item.as_table_like() {
            Some(t) => table = t,
            None => break,
        }
    }
    header_start(text, best)
}

/// `offset` moved to the `[` of its line when that line is a table header.
fn header_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let indent = line.len() - line.trim_start().len();
    if line.trim_start().starts_with('[') {
        line_start + indent
    } else {
        offset
    }
}

// --------------------------------------------------------------- writing

/// A float as TOML: always with a decimal point or exponent, shortest form
/// that reads back to the same value.
fn fmt_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v:?}")
    }
}

struct Writer(String);

impl Writer {
    fn line(&mut self, s: &str) {
        self.0.push_str(s);
        self.0.push('\n');
    }
    fn key(&mut self, comment: &str, key: &str, value: String) {
        for l in comment.lines() {
            self.line(&format!("# {l}"));
        }
        self.line(&format!("{key} = {value}"));
    }
    fn table(&mut self, comment: &str, header: &str) {
        self.0.push('\n');
        for l in comment.lines() {
            self.line(&format!("# {l}"));
        }
        self.line(&format!("[{header}]"));
    }
}

fn write_sram(w: &mut Writer, header: &str, what: &str, s: &SramConfig) {
    w.table(
        &format!("{what}: {} KiB, {} B/cycle.", s.kib, s.bytes_per_cycle()),
        header,
    );
    w.key("Capacity in KiB, 1 to 1048576.", "kib", s.kib.to_string());
    w.key(
        "Independent banks, 1 to 1024.",
        "banks",
        s.banks.to_string(),
    );
    w.key(
        "Bytes each bank reads or writes per cycle, 1 to 4096.",
        "bank_bytes",
        s.bank_bytes.to_string(),
    );
    w.key(
        "Two halves: one fills from DRAM while the other is used (true | false).",
        "double_buffered",
        s.double_buffered.to_string(),
    );
}

/// Writes `a` as a commented TOML description (a comment with unit and
/// range above every key) that [`from_toml`] reads back to `a`.
pub fn to_toml(a: &Accelerator) -> String {
    let mut w = Writer(String::new());
    w.line("# onebit accelerator description. Every key, its unit and its range:");
    w.line("# docs/accelerator.md. Check an edited file with `onebit check FILE.toml`.");
    w.line("");
    w.key(
        "Design name and RTL module prefix: a Verilog identifier\n\
         ([A-Za-z_][A-Za-z0-9_]*, at most 64 characters, not a keyword).",
        "name",
        quoted(&a.name),
    );
    w.key(
        "One line on what the design is for (free text).",
        "description",
        quoted(&a.description),
    );
    w.key(
        "Clock frequency in GHz, 0.01 to 10.",
        "clock_ghz",
        fmt_float(a.clock_ghz),
    );
    if let Some(t) = &a.technology {
        w.key(
            "Technology table the design is priced in: \"7nm\", \"16nm\", \"28nm\", \"45nm\".",
            "technology",
            quoted(t),
        );
    }

    let ar = &a.array;
    w.table(
        if ar.dataflow.is_systolic() {
            "The array: a systolic array of `width` rows x `lanes` columns of\n\
             multiply-accumulate cells (SCALE-Sim's ArrayHeight x ArrayWidth)."
        } else {
            "The lane array: `lanes` dot-product lanes, each reducing `width`\n\
             activation x weight products a cycle (`width` activations are broadcast)."
        },
        "array",
    );
    w.key(
        crate::datapath::REDUCTION_DOC,
        "reduction",
        quoted(ar.reduction.name()),
    );
    if ar.dataflow != Dataflow::Lanes {
        w.key(
            "How operands move: \"lanes\" (the lane template, the default), or a systolic\n\
             MAC array of `width` rows x `lanes` columns: \"systolic-ws\" (weight-stationary),\n\
             \"systolic-os\" (output-stationary), \"systolic-is\" (input-stationary); mac only.",
            "dataflow",
            quoted(ar.dataflow.name()),
        );
    }
    let (lanes_doc, width_doc) = if ar.dataflow.is_systolic() {
        (
            "Systolic array columns (SCALE-Sim's ArrayWidth), 1 to 4096.",
            "Systolic array rows (SCALE-Sim's ArrayHeight), 1 to 4096.",
        )
    } else {
        (
            "Dot-product lanes (output features computed at once), 1 to 4096.",
            "Activations (and weights per lane) taken per cycle, 1 to 4096.",
        )
    };
    w.key(lanes_doc, "lanes", ar.lanes.to_string());
    w.key(width_doc, "width", ar.width.to_string());
    w.key(
        &format!(
            "Activation precision; {}: {}.",
            ar.reduction.name(),
            ar.reduction.module().allowed_activations()
        ),
        "activations",
        quoted(&ar.activations.name()),
    );
    w.key(
        &format!(
            "Weight encoding; {}: {}.",
            ar.reduction.name(),
            ar.reduction.module().allowed_weights()
        ),
        "weights",
        quoted(&ar.weights.name()),
    );
    w.key(
        "Reduction-tree levels between pipeline registers, 1 to 16.",
        "stage_levels",
        ar.stage_levels.to_string(),
    );
    let own = ar.reduction.module().toml_keys(ar);
    if ar.planes_per_cycle != 1 && !own.iter().any(|k| k.key == "planes_per_cycle") {
        w.key(
            "Activation bit-planes per cycle (popcount only), 1 to 8 and at most\n\
             the activation bits; the initiation interval is ceil(bits / planes_per_cycle).",
            "planes_per_cycle",
            ar.planes_per_cycle.to_string(),
        );
    }
    for k in own {
        w.key(&k.doc, &k.key, k.value);
    }
    w.key(
        "The longest reduction K the accumulators hold without overflow, 1 to 16777216.",
        "max_k",
        ar.max_k.to_string(),
    );
    let derived = acc_bits_for(ar.max_k, ar.activations, ar.weights);
    match (ar.acc_bits, derived) {
        (Some(bits), _) => w.key(
            &format!(
                "Accumulator bits, 2 to 64 and at least {} for max_k (omit to derive it).",
                derived.map_or("the derived width".into(), |d| d.to_string())
            ),
            "acc_bits",
            bits.to_string(),
        ),
        (None, Some(d)) => {
            w.line("# Accumulator bits, 2 to 64; derived from max_k when absent:");
            w.line(&format!("# acc_bits = {d}"));
        }
        (None, None) => {
            w.line("# Accumulator bits: floating-point products accumulate in fp32 (no acc_bits).");
        }
    }
    w.key(
        "Zero weights: \"none\" (computed), \"gate\" (clock-gated: same cycles,\n\
         less energy), \"skip\" (compacted offline: fewer cycles).",
        "zeros",
        quoted(match ar.zeros {
            super::ZeroHandling::None => "none",
            super::ZeroHandling::Gate => "gate",
            super::ZeroHandling::Skip => "skip",
        }),
    );
    for (comment, key, value) in super::onchip::array_keys(ar) {
        w.key(&comment, key, value);
    }

    let b = &a.buffers;
    let extra = super::onchip::buffer_keys(b);
    if !extra.is_empty() {
        w.table("Buffer slots of the units.", "buffers");
        for (comment, key, value) in extra {
            w.key(&comment, key, value);
        }
    }
    write_sram(
        &mut w,
        "buffers.weights",
        "Weight buffer (feeds the lanes)",
        &b.weights,
    );
    write_sram(
        &mut w,
        "buffers.activations",
        "Activation buffer (broadcast to the lanes; holds inter-operator activations)",
        &b.activations,
    );
    write_sram(
        &mut w,
        "buffers.outputs",
        "Output buffer (accumulator results)",
        &b.outputs,
    );

    let d = &a.dram;
    w.table("Off-chip memory.", "dram");
    w.key(
        "Technology (priced per bit by the energy model): \"ddr4\", \"lpddr5\", \"hbm2e\", \"hbm3\".",
        "kind",
        quoted(match d.kind {
            super::DramKind::Ddr4 => "ddr4",
            super::DramKind::Lpddr5 => "lpddr5",
            super::DramKind::Hbm2e => "hbm2e",
            super::DramKind::Hbm3 => "hbm3",
        }),
    );
    w.key(
        "Peak bandwidth in GB/s (10^9 bytes/s), 0.000001 to 100000.",
        "bandwidth_gbps",
        fmt_float(d.bandwidth_gbps),
    );
    w.key(
        "Latency from request to first data in ns, 0 to 10000.",
        "latency_ns",
        fmt_float(d.latency_ns),
    );
    w.key(
        "Bytes per request (burst), a power of two from 8 to 4096.",
        "request_bytes",
        d.request_bytes.to_string(),
    );
    w.key(
        "Requests in flight at once, 1 to 65536 (bandwidth x latency / request_bytes\n\
         are needed to reach the peak bandwidth).",
        "max_outstanding",
        d.max_outstanding.to_string(),
    );
    write_banked(&mut w, d);
    if let Some(c) = d.capacity_gib {
        w.key(
            "Capacity in GiB, greater than 0 and at most 1000000; steps that need more\n\
             (weights + KV cache + spilled activations) are refused.",
            "capacity_gib",
            fmt_float(c),
        );
    }

    let v = &a.vector;
    w.table(
        "Vector unit: norms, quantization, activation functions, softmax, RoPE, residuals.",
        "vector",
    );
    w.key(
        "Elements processed per cycle, 1 to 65536.",
        "elems_per_cycle",
        v.elems_per_cycle.to_string(),
    );
    w.key(
        "Arithmetic precision: fp16, bf16, fp32, int8..int32.",
        "precision",
        quoted(&v.precision.name()),
    );

    let t = &a.attention;
    w.table(
        "Attention: where the activation x activation products QK^T and PV run.",
        "attention",
    );
    w.key(
        "\"vector\" (on the vector unit), \"unit\" (a dedicated MAC unit),\n\
         \"array\" (on the lane array; mac arrays only).",
        "mapping",
        quoted(match t.mapping {
            AttentionMapping::Vector => "vector",
            AttentionMapping::Unit => "unit",
            AttentionMapping::Array => "array",
        }),
    );
    if t.mapping == AttentionMapping::Unit || t.macs_per_cycle != 0 {
        w.key(
            "Multiply-accumulates per cycle of the unit, 1 to 1048576 (\"unit\" mapping).",
            "macs_per_cycle",
            t.macs_per_cycle.to_string(),
        );
    }
    w.key(
        "Precision of the attention products (and of the KV cache when kv_cache is\n\
         absent): fp16, bf16, fp32, int8.",
        "precision",
        quoted(&t.precision.name()),
    );
    write_kv_and_fused(&mut w, t);
    w.0
}

/// The KV-cache and fused-attention keys of `[attention]`.
fn write_kv_and_fused(w: &mut Writer, t: &crate::arch::AttentionConfig) {
    if let Some(p) = t.kv_cache {
        w.key(
            "KV-cache storage precision: fp16, bf16, fp8, int8, int4 (int8/int4 with one\n\
             FP16 scale per kv_group elements of a head).",
            "kv_cache",
            quoted(&p.name()),
        );
    }
    w.key(
        "Head-dimension elements per KV-cache scale (int8/int4), 1 to 4096.",
        "kv_group",
        t.kv_group.to_string(),
    );
    w.key(
        "QK^T, online softmax and PV as one streaming operator; scores stay in the\n\
         score buffer (true | false).",
        "fused",
        t.fused.to_string(),
    );
    w.key(
        "Queries per attention tile, 1 to 65536.",
        "q_block",
        t.q_block.to_string(),
    );
    w.key(
        "Keys per attention tile (one KV tile), 1 to 65536.",
        "kv_block",
        t.kv_block.to_string(),
    );
    w.key(
        "Score buffer of the attention unit in KiB, 1 to 1048576; holds one tile's\n\
         q_block x kv_block scores when fused.",
        "score_buffer_kib",
        t.score_buffer_kib.to_string(),
    );
}

#[cfg(test)]
mod tests {
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
        type Edit = fn(&mut Accelerator);
        let adder_acts = "int2..int8";
        let pop_acts = "int2..int8, binary, binary01";
        let mac_acts = "int4..int8, fp16, bf16";
        let low_w = "ternary, ternary-packed, binary, binary01";
        let mac_w = "int4, int8, fp16, bf16";
        let cases: &[(&str, &str, Edit, &str)] = &[
            (
                "array.activations",
                "\"fp16\"",
                |a| a.array.activations = Precision::Fp16,
                adder_acts,
            ),
            (
                "array.activations",
                "\"binary\"",
                |a| a.array.activations = Precision::Binary,
                adder_acts,
            ),
            (
                "array.activations",
                "\"int1\"",
                |a| a.array.activations = Precision::Int(1),
                adder_acts,
            ),
            (
                "array.activations",
                "\"int16\"",
                |a| a.array.activations = Precision::Int(16),
                adder_acts,
            ),
            (
                "array.weights",
                "\"int8\"",
                |a| a.array.weights = Precision::INT8,
                low_w,
            ),
            (
                "array.weights",
                "\"fp16\"",
                |a| a.array.weights = Precision::Fp16,
                low_w,
            ),
            (
                "array.activations",
                "\"fp16\"",
                |a| {
                    a.array.reduction = Reduction::Popcount;
                    a.array.activations = Precision::Fp16;
                },
                pop_acts,
            ),
            (
                "array.weights",
                "\"int4\"",
                |a| {
                    a.array.reduction = Reduction::Popcount;
                    a.array.weights = Precision::INT4;
                },
                low_w,
            ),
            (
                "array.activations",
                "\"int2\"",
                |a| {
                    a.array.reduction = Reduction::Mac;
                    a.array.activations = Precision::Int(2);
                },
                mac_acts,
            ),
            (
                "array.activations",
                "\"binary\"",
                |a| {
                    a.array.reduction = Reduction::Mac;
                    a.array.activations = Precision::Binary;
                },
                mac_acts,
            ),
            (
                "array.weights",
                "\"ternary\"",
                |a| {
                    a.array.reduction = Reduction::Mac;
                    a.array.weights = Precision::Ternary;
                },
                mac_w,
            ),
            (
                "array.weights",
                "\"int6\"",
                |a| {
                    a.array.reduction = Reduction::Mac;
                    a.array.weights = Precision::Int(6);
                },
                mac_w,
            ),
            (
                "vector.precision",
                "\"int4\"",
                |a| a.vector.precision = Precision::INT4,
                "fp16, bf16, fp32, int8..int32",
            ),
            (
                "vector.precision",
                "\"ternary\"",
                |a| a.vector.precision = Precision::Ternary,
                "fp16, bf16, fp32, int8..int32",
            ),
            (
                "attention.precision",
                "\"int4\"",
                |a| a.attention.precision = Precision::INT4,
                "fp16, bf16, fp32, int8",
            ),
            (
                "attention.precision",
                "\"int16\"",
                |a| a.attention.precision = Precision::Int(16),
                "fp16, bf16, fp32, int8",
            ),
        ];
        for (key, value, edit, allowed) in cases {
            let e = refused(edit);
            check(&e, key, value, &["is not accepted", allowed]);
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
        let doc = include_str!("../../../docs/accelerator.md");
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
}
