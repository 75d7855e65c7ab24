//! What [`Accelerator::validate`] accepts: every key's documented range
//! (docs/accelerator.md) and the refusals that name the key, the value and
//! what is accepted.

use super::*;

pub(in crate::arch) fn invalid(
    key: &str,
    value: impl Into<String>,
    message: String,
) -> InvalidValue {
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
        "array.token_tile" => (1, u64::from(crate::arch::onchip::MAX_TOKEN_TILE)),
        "array.skip_window" => (1, 4 * u64::from(MAX_LANES)),
        "dram.request_bytes" => (8, 4096),
        "dram.max_outstanding" => (1, 65536),
        "vector.elems_per_cycle" => (1, 65536),
        "attention.macs_per_cycle" => (0, 1 << 20),
        _ if key.starts_with("buffers.") => match leaf {
            "kib" => (1, 1 << 20),
            "banks" => (1, 1024),
            "bank_bytes" => (1, 4096),
            "prefetch_slots" => (1, u64::from(crate::arch::onchip::MAX_PREFETCH_SLOTS)),
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
pub(in crate::arch) fn int_key(key: &str, v: u64) -> Result<(), InvalidValue> {
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

pub(super) fn quoted(s: &str) -> String {
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
            if !crate::arch::TECHNOLOGY_NAMES.contains(&t.as_str()) {
                let v = quoted(t);
                let names: Vec<String> = crate::arch::TECHNOLOGY_NAMES
                    .iter()
                    .map(|n| quoted(n))
                    .collect();
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
        if let Some(b) = d.bus_bits {
            if !(b.is_power_of_two() && (8..=4096).contains(&b)) {
                return Err(invalid(
                    "dram.bus_bits",
                    b.to_string(),
                    format!(
                        "`dram.bus_bits` = {b} is out of range: expected a power of two from 8 to 4096"
                    ),
                ));
            }
        }
        check_banked(d)?;
        if let Some(img) = &d.weight_image {
            img.validate(self)?;
        }

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
        crate::arch::onchip::validate(self)?;
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

/// The banked model's keys: a known preset and a power-of-two channel count
/// when `model = "banked"`.
fn check_banked(b: &crate::arch::DramConfig) -> Result<(), InvalidValue> {
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
    if b.model == crate::arch::DramModelKind::Banked && b.preset.is_none() {
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
