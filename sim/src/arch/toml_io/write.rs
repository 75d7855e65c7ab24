//! Writing a description: a commented TOML file, one comment with unit and
//! range above every key, that reads back to the same description.

use super::*;

/// A float as TOML: always with a decimal point or exponent, shortest form
/// that reads back to the same value.
pub(super) fn fmt_float(v: f64) -> String {
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
            crate::arch::ZeroHandling::None => "none",
            crate::arch::ZeroHandling::Gate => "gate",
            crate::arch::ZeroHandling::Skip => "skip",
        }),
    );
    for (comment, key, value) in crate::arch::onchip::array_keys(ar) {
        w.key(&comment, key, value);
    }

    let b = &a.buffers;
    let extra = crate::arch::onchip::buffer_keys(b);
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
            crate::arch::DramKind::Ddr4 => "ddr4",
            crate::arch::DramKind::Lpddr5 => "lpddr5",
            crate::arch::DramKind::Hbm2e => "hbm2e",
            crate::arch::DramKind::Hbm3 => "hbm3",
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
    if let Some(b) = d.bus_bits {
        w.key(
            "Data bus to the DRAM controller in bits, a power of two from 8 to 4096: a\n\
             beat a cycle on the read and on the write channel.",
            "bus_bits",
            b.to_string(),
        );
    }
    write_banked(&mut w, d);
    if let Some(c) = d.capacity_gib {
        w.key(
            "Capacity in GiB, greater than 0 and at most 1000000; steps that need more\n\
             (weights + KV cache + spilled activations) are refused.",
            "capacity_gib",
            fmt_float(c),
        );
    }
    if let Some(img) = &d.weight_image {
        write_weight_image(&mut w, img);
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

/// `[dram.weight_image]`: the padding rule of the stored weight image.
fn write_weight_image(w: &mut Writer, img: &crate::arch::weight_image::WeightImage) {
    w.table(
        "Stored weight image: matrices in padded tiles, chunks packed whole into words\n\
         (DRAM traffic and capacity; the weight buffer holds the unpadded code).",
        "dram.weight_image",
    );
    if let Some(t) = img.tile_k {
        w.key(
            "K of a stored tile in weights, a multiple of array.width up to array.max_k.",
            "tile_k",
            t.to_string(),
        );
    }
    if let Some(t) = img.tile_n {
        w.key(
            "N (outputs) of a stored tile, 1 to 1048576.",
            "tile_n",
            t.to_string(),
        );
    }
    if let Some(b) = img.word_bytes {
        w.key(
            "Bytes of an image word; each output's chunk is packed whole into one, from\n\
             the bytes of one output's chunk to 4096.",
            "word_bytes",
            b.to_string(),
        );
    }
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

/// Writes the banked model's keys when the model or a preset is set (files
/// of the transaction model stay as they were).
fn write_banked(w: &mut Writer, d: &crate::arch::DramConfig) {
    if d.model == crate::arch::DramModelKind::Transaction && d.preset.is_none() {
        return;
    }
    w.key(
        "DRAM model: \"transaction\" (bandwidth, latency, outstanding window) or\n\
         \"banked\" (banks, rows, refresh and a controller per channel; bandwidth_gbps\n\
         is then derived from the preset and the channels).",
        "model",
        quoted(match d.model {
            crate::arch::DramModelKind::Transaction => "transaction",
            crate::arch::DramModelKind::Banked => "banked",
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
