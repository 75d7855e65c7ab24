//! The JSON manifest written beside the Verilog: everything another tool
//! needs to drive the tile without reading the RTL (docs/rtl.md).

use crate::design::Design;
use serde::{Deserialize, Serialize};
use workloads::Precision;

/// Version of the manifest's layout.
pub const MANIFEST_SCHEMA: &str = "onebit-rtl-manifest/1";

/// The generator that wrote a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    /// `onebit rtl-gen`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// The design's parameters, from the accelerator description and derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameters {
    /// Dot-product lanes.
    pub lanes: u32,
    /// Elements per chunk.
    pub width: u32,
    /// `adder-tree`, `popcount` or `mac`.
    pub reduction: String,
    /// Activation format.
    pub activations: String,
    /// Weight encoding.
    pub weights: String,
    /// Tree levels between pipeline registers.
    pub stage_levels: u32,
    /// Activation bit-planes a cycle (popcount; 1 otherwise).
    pub planes_per_cycle: u32,
    /// Activation bit-planes per chunk (popcount; 1 otherwise).
    pub planes: u32,
    /// Longest reduction the accumulators hold without overflow.
    pub max_k: u64,
    /// Accumulator bits per lane.
    pub acc_bits: u32,
    /// Zero-weight handling of the description (no effect on the RTL's
    /// values or cycles: gating is an energy measure, skipping happens
    /// offline).
    pub zeros: String,
    /// Adder levels of the `width`-input tree.
    pub tree_levels: u32,
}

/// One port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortInfo {
    /// Name.
    pub name: String,
    /// `input` or `output`.
    pub direction: String,
    /// Bits.
    pub width: u32,
    /// What it carries and its bit order.
    pub description: String,
}

/// One code of an encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// The bits, as a Verilog literal.
    pub code: String,
    /// The value it stands for.
    pub value: i64,
}

/// How values of one port are encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    /// The format's name (`int8`, `ternary`, ...).
    pub format: String,
    /// Bits per value.
    pub bits: u32,
    /// `two's complement`, or `codes` (then `codes` lists them).
    pub kind: String,
    /// Code -> value, when `kind` is `codes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
    /// A remark (e.g. on unused codes).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The three data ports' encodings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encodings {
    /// `in_act` elements.
    pub activations: Encoding,
    /// `in_wgt` elements.
    pub weights: Encoding,
    /// `out_acc` lanes.
    pub accumulators: Encoding,
}

/// Cycle behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    /// Cycles from the cycle that accepts a reduction's last chunk to the
    /// cycle `out_valid` rises, when nothing blocks.
    pub latency: u32,
    /// Cycles between accepted chunks (1, or the popcount's plane groups).
    pub initiation_interval: u32,
    /// Pipeline registers from the input to the accumulator (the input
    /// register included).
    pub pipeline_regs: u32,
    /// Clock edge.
    pub clock: String,
    /// Reset.
    pub reset: String,
    /// The handshake rules.
    pub handshake: String,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// Who wrote it.
    pub generator: Generator,
    /// The design name.
    pub design: String,
    /// The top module (`<design>_tile`).
    pub top: String,
    /// Every module, the top last.
    pub modules: Vec<String>,
    /// The Verilog files, one module each, in compile order.
    pub files: Vec<String>,
    /// Parameters.
    pub parameters: Parameters,
    /// The top's ports.
    pub ports: Vec<PortInfo>,
    /// Encodings of the data ports.
    pub encodings: Encodings,
    /// Accumulator bits per lane (also in `parameters`).
    pub acc_bits: u32,
    /// Timing.
    pub timing: Timing,
    /// The lanes' weight registers (`array.token_tile > 1`; absent when
    /// every chunk carries its weights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_registers: Option<WeightRegisters>,
    /// Keys of the design the generated tile does not implement (they are
    /// simulated and priced; docs/rtl.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_generated: Vec<String>,
}

/// The weight registers of `array.token_tile > 1` and their protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightRegisters {
    /// Tokens a weight load serves at most (`array.token_tile`).
    pub token_tile: u32,
    /// Partial sums per lane (one per token).
    pub partial_sums: u32,
    /// How a producer drives `in_wload`, `in_wgt` and the tokens.
    pub protocol: String,
}

/// The crate version, written into every file and manifest.
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");

fn act_encoding(p: Precision, bits: u32) -> Encoding {
    match p {
        Precision::Binary => Encoding {
            format: p.name(),
            bits,
            kind: "codes".into(),
            codes: vec![
                Code {
                    code: "1'b1".into(),
                    value: 1,
                },
                Code {
                    code: "1'b0".into(),
                    value: -1,
                },
            ],
            note: String::new(),
        },
        Precision::Binary01 => Encoding {
            format: p.name(),
            bits,
            kind: "codes".into(),
            codes: vec![
                Code {
                    code: "1'b1".into(),
                    value: 1,
                },
                Code {
                    code: "1'b0".into(),
                    value: 0,
                },
            ],
            note: String::new(),
        },
        _ => Encoding {
            format: p.name(),
            bits,
            kind: "two's complement".into(),
            codes: Vec::new(),
            note: String::new(),
        },
    }
}

fn weight_encoding(p: Precision, bits: u32) -> Encoding {
    match p {
        Precision::Ternary | Precision::TernaryPacked => Encoding {
            format: p.name(),
            bits,
            kind: "codes".into(),
            codes: vec![
                Code {
                    code: "2'b01".into(),
                    value: 1,
                },
                Code {
                    code: "2'b11".into(),
                    value: -1,
                },
                Code {
                    code: "2'b00".into(),
                    value: 0,
                },
            ],
            note: "2'b10 is never produced and reads as 0 (bit 0 = nonzero, bit 1 = negative); \
                   packed ternary (5 trits a byte) is unpacked to these codes before the tile"
                .into(),
        },
        other => act_encoding(other, bits),
    }
}

/// The manifest of `d`.
pub fn manifest(d: &Design) -> Manifest {
    let t = &d.timing;
    let (lanes, width) = (d.lanes(), d.width());
    let port = |name: &str, dir: &str, w: u32, desc: String| PortInfo {
        name: name.into(),
        direction: dir.into(),
        width: w,
        description: desc,
    };
    let (ab, wb, cb) = (d.act_bits, d.wgt_bits, d.acc_bits);
    Manifest {
        schema: MANIFEST_SCHEMA.into(),
        generator: Generator {
            name: "onebit rtl-gen".into(),
            version: GENERATOR_VERSION.into(),
        },
        design: d.name.clone(),
        top: d.top(),
        modules: vec![d.lane_module(), d.top()],
        files: vec![format!("{}.v", d.lane_module()), format!("{}.v", d.top())],
        parameters: Parameters {
            lanes,
            width,
            reduction: d.reduction().name().into(),
            activations: d.acts().name(),
            weights: d.weights().name(),
            stage_levels: d.array.stage_levels,
            planes_per_cycle: d.planes_per_cycle(),
            planes: t.planes,
            max_k: d.array.max_k,
            acc_bits: cb,
            zeros: format!("{:?}", d.array.zeros).to_lowercase(),
            tree_levels: t.tree_levels,
        },
        ports: vec![
            port("clk", "input", 1, "clock, rising edge".into()),
            port("rst_n", "input", 1, "synchronous reset, active low".into()),
            port("in_valid", "input", 1, "a chunk is offered".into()),
            port(
                "in_ready",
                "output",
                1,
                "the tile accepts the offered chunk at this edge; a function of the state only".into(),
            ),
            port(
                "in_act",
                "input",
                d.in_act_bits(),
                format!("{width} activations of {ab} bits: element e at bits [e*{ab}, (e+1)*{ab})"),
            ),
            port(
                "in_wgt",
                "input",
                d.in_wgt_bits(),
                format!(
                    "{lanes} x {width} weights of {wb} bits: lane l, element e at bits [(l*{width}+e)*{wb}, (l*{width}+e+1)*{wb})"
                ),
            ),
            port("in_last", "input", 1, "the offered chunk ends a reduction".into()),
        ]
        .into_iter()
        .chain((d.token_tile() > 1).then(|| {
            port(
                "in_wload",
                "input",
                1,
                format!(
                    "the lanes load in_wgt with the offered chunk (token slot 0); when low they reuse their weights for the next of up to {} tokens and in_wgt is not looked at",
                    d.token_tile()
                ),
            )
        }))
        .chain([
            port(
                "out_valid",
                "output",
                1,
                "out_acc holds a finished reduction, held until out_ready".into(),
            ),
            port("out_ready", "input", 1, "the consumer takes out_acc at this edge".into()),
            port(
                "out_acc",
                "output",
                d.out_acc_bits(),
                format!("{lanes} accumulators of {cb} bits: lane l at bits [l*{cb}, (l+1)*{cb})"),
            ),
        ])
        .collect(),
        encodings: Encodings {
            activations: act_encoding(d.acts(), ab),
            weights: weight_encoding(d.weights(), wb),
            accumulators: Encoding {
                format: format!("int{cb}"),
                bits: cb,
                kind: "two's complement".into(),
                codes: Vec::new(),
                note: format!(
                    "holds every reduction of up to max_k = {} terms exactly; longer ones wrap modulo 2^{cb}",
                    d.array.max_k
                ),
            },
        },
        acc_bits: cb,
        timing: Timing {
            latency: t.latency,
            initiation_interval: t.initiation_interval,
            pipeline_regs: t.pipeline_regs,
            clock: "clk, rising edge".into(),
            reset: "rst_n low at a rising edge: the tile is empty, out_valid = 0, accumulators 0; in_ready = 1 after".into(),
            handshake: format!(
                "a chunk is accepted at an edge with in_valid && in_ready, one every {} cycle(s); \
                 in_act/in_wgt/in_last are read only then. The result of a reduction appears on \
                 out_acc with out_valid {} cycles after its last chunk is accepted when nothing \
                 blocks, and is held until an edge with out_ready. in_ready drops only while a \
                 finished result waits behind an unaccepted output. Reductions follow each other \
                 without bubbles.",
                t.initiation_interval, t.latency
            ),
        },
        weight_registers: (d.token_tile() > 1).then(|| WeightRegisters {
            token_tile: d.token_tile(),
            partial_sums: d.token_tile(),
            protocol: format!(
                "chunk-outer, token-inner: for each chunk of a tile of n <= {tt} tokens, offer the n                  tokens' chunks in token order, the first with in_wload = 1 and the chunk's weights                  on in_wgt, the others with in_wload = 0; in_last on every token's chunk of the last                  K chunk. The first chunk after reset loads weights; a load serves at most {tt}                  chunks. Each token keeps its own partial sum; results leave in the order their last                  chunks were accepted, {} cycles after each, one every {} cycle(s), as without                  weight registers.",
                t.latency,
                t.initiation_interval,
                tt = d.token_tile()
            ),
        }),
        not_generated: not_generated(&d.array),
    }
}

/// The keys of `array` the generated tile does not implement (none of
/// the lane template's today: `array.token_tile > 1` is generated since
/// the weight registers; the list stays for keys to come).
pub fn not_generated(_array: &sim::arch::ArrayConfig) -> Vec<String> {
    Vec::new()
}
