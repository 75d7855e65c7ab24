//! The published chips: what each paper reports, where each number comes
//! from, and — printed only when onebit's prediction falls outside its
//! bound — what onebit models differently and why.
//!
//! The presets (presets/vitallm.toml, tellme-v2.toml, slim-llama.toml) hold
//! the chips' inputs with their sources and assumptions; this file holds the
//! outputs the papers measured, which no preset input is fitted to.

/// What a published figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Decode throughput at batch 1, tokens/s.
    DecodeTokensPerS,
    /// Decode latency of one token at batch 1, s.
    DecodeLatencyS,
    /// Latency of a prefill of this many prompt tokens (time to first
    /// token), s.
    PrefillLatencyS(u64),
    /// Chip power while decoding (DRAM device excluded), mW.
    ChipPowerMw,
    /// Chip power with the datapath busy: during a prefill of this many
    /// tokens, long enough to be compute-bound (DRAM device excluded), mW.
    ChipPowerBusyMw(u64),
    /// Chip energy per decoded token (DRAM device excluded), mJ.
    EnergyPerTokenMj,
    /// Silicon area, mm2.
    AreaMm2,
}

impl Metric {
    /// The quantity with its unit.
    pub fn label(self) -> String {
        match self {
            Metric::DecodeTokensPerS => "decode, tokens/s".into(),
            Metric::DecodeLatencyS => "decode latency, s/token".into(),
            Metric::PrefillLatencyS(n) => format!("prefill of {n} tokens, s"),
            Metric::ChipPowerMw => "chip power, decode average, mW".into(),
            Metric::ChipPowerBusyMw(n) => format!("chip power, busy (prefill of {n} tokens), mW"),
            Metric::EnergyPerTokenMj => "chip energy, mJ/token".into(),
            Metric::AreaMm2 => "area, mm2".into(),
        }
    }

    /// Throughput and latency (bound: 20%); power, energy and area are
    /// held to a factor of 2.
    pub fn is_throughput(self) -> bool {
        matches!(
            self,
            Metric::DecodeTokensPerS | Metric::DecodeLatencyS | Metric::PrefillLatencyS(_)
        )
    }
}

/// One published figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// What it measures.
    pub metric: Metric,
    /// The published value, in the metric's unit.
    pub value: f64,
    /// Where it is published (or how it is derived from published values).
    pub source: &'static str,
    /// False where onebit does not predict it (an FPGA's power).
    pub compared: bool,
    /// What onebit models differently and why; printed when the figure is
    /// outside its bound or not compared.
    pub why: &'static str,
}

/// A published chip and the workload its figures were measured on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChipSpec {
    /// Chip name.
    pub chip: &'static str,
    /// The onebit preset re-creating it.
    pub preset: &'static str,
    /// The model its figures were measured with (a zoo name).
    pub model: &'static str,
    /// KV length of the decode step compared.
    pub decode_seq: u64,
    /// The sources.
    pub citation: &'static str,
    /// What the preset's datapath stands in for, when it is not the chip's.
    pub stand_in: Option<&'static str>,
    /// The published figures.
    pub figures: &'static [Figure],
}

/// VitaLLM: arXiv 2605.00320 (the figures) and 2604.27396 (the FOM the
/// array size comes from).
pub const VITALLM: ChipSpec = ChipSpec {
    chip: "VitaLLM",
    preset: "vitallm",
    // [V1] abstract: "practical BitNet b1.58 (3B) inference"
    model: "bitnet-b1.58-3B",
    // assumption: the abstracts give no KV length for the decode figure;
    // 128 = the 64-token prompt of the prefill figure and 64 generated tokens
    decode_seq: 128,
    citation: "[V1] Lin & Chang, VitaLLM, arXiv 2605.00320 v1 (abstract); [V2] Lin & Chang, VitaLLM with Dependency-Aware Scheduling, arXiv 2604.27396 v1 (abstract)",
    stand_in: None,
    figures: &[
        Figure {
            metric: Metric::DecodeTokensPerS,
            value: 72.46,
            source: "[V1] abstract: 72.46 tokens/s in decode, BitNet b1.58 3B, 1 GHz / 0.8 V",
            compared: true,
            why: "the preset's array is 128 ternary MACs a cycle, from [V2]'s FOM (17.4 TOPS/mm2/W x 0.223 mm2 x 65.97 mW = 0.256 TOPS) at the usual 2 operations per MAC; a 3B decode step is 3.2 G projection MACs, so 128 GMAC/s caps the projections near 39 tokens/s (the FP16 LM head on the 64-MAC attention unit adds 13% of the step), while 72.46 tokens/s needs ~232 GMAC/s. The paper's TOPS presumably counts one operation per ternary MAC (an add or subtract), or its dual cores both run projections; with the abstracts only, onebit keeps the standard count rather than the one that matches",
        },
        Figure {
            metric: Metric::PrefillLatencyS(64),
            value: 0.88,
            source: "[V1] abstract: 0.88 s prefill (64 tokens)",
            compared: true,
            why: "compute-bound: 64 tokens x 3.2 G weight MACs over the preset's 128 MACs a cycle at 1 GHz; the measured 0.88 s implies ~240 GMAC/s, twice the array derived from the FOM at 2 operations per MAC (see the decode row)",
        },
        Figure {
            metric: Metric::ChipPowerMw,
            value: 65.97,
            source: "[V1, V2] abstracts: 65.97 mW (chip, 16 nm, 1 GHz / 0.8 V)",
            compared: true,
            why: "onebit's 16 nm table places energies between BitNet Table 2's 45 and 7 nm values on the Stillmaker & Baas curve at nominal voltage; VitaLLM runs at 0.8 V, and onebit has no per-design supply voltage",
        },
        Figure {
            metric: Metric::EnergyPerTokenMj,
            value: 65.97 / 72.46,
            source: "derived: [V1] 65.97 mW / 72.46 tokens/s",
            compared: true,
            why: "power over throughput: the decode row is 55% slow (the array size, above) and the power row 39% high, so the energy per token compounds both; most of onebit's chip energy is weight-buffer SRAM traffic (Horowitz's 45 nm SRAM points scaled to 16 nm on the node curve), where VitaLLM's measured 0.8 V silicon has its own macros",
        },
        Figure {
            metric: Metric::AreaMm2,
            value: 0.214,
            source: "[V1] abstract: 0.214 mm2 (the companion [V2] reports 0.223 mm2)",
            compared: true,
            why: "onebit's area is its gate-equivalent and SRAM-macro model at 16 nm (NAND2 from NanGate 45 nm scaled by Stillmaker & Baas, TSMC's 0.07 um2 bit cell, 70% array efficiency and a fixed periphery per bank), not a layout",
        },
    ],
};

/// TeLLMe v2 on an AMD KV260: arXiv 2510.15926. Throughput only.
pub const TELLME_V2: ChipSpec = ChipSpec {
    chip: "TeLLMe v2 (KV260 FPGA)",
    preset: "tellme-v2",
    // assumption: the abstract does not name the model; TeLLMe's BitNet
    // b1.58 model for the 4 GB KV260 is the 0.7B (1bitLLM bitnet_b1_58-large)
    model: "bitnet-b1.58-700M",
    // assumption: the prompt lengths of the TTFT figures (64-128 tokens)
    decode_seq: 128,
    citation: "[T1] Qiao, Chen, Zhang, Wang, Huang, TeLLMe v2, arXiv 2510.15926 v1 (abstract); [T2] UCI-CORSA/TeLLMe_FPGA_2026 (README); [K] AMD Kria K26 SOM data sheet DS987",
    stand_in: Some("adder tree for TeLLMe's table-lookup matmul (TLMM); decode is DRAM-bound, so the datapath does not set the decode throughput"),
    figures: &[
        Figure {
            metric: Metric::DecodeTokensPerS,
            value: 25.0,
            source: "[T1] abstract: up to 25 tokens/s decoding throughput, under a 5 W budget",
            compared: true,
            why: "onebit streams the weights at the K26's full 19.2 GB/s DDR4 peak; on the board the fabric reaches DDR through the Zynq PS ports shared with the ARM cores, the LM head runs on the ARM cores in NEON [T2], and HLS dataflow stages stall; none of these are in the abstract, so the preset does not model them",
        },
        Figure {
            metric: Metric::PrefillLatencyS(64),
            value: 0.45,
            source: "[T1] abstract: 0.45-0.96 s time to first token for 64-128 token prompts (0.45 s: 64 tokens)",
            compared: true,
            why: "compute-bound, so it follows the assumed TLMM engine (32 x 32 MACs a cycle at 250 MHz): the abstract gives neither the engine size nor the clock",
        },
        Figure {
            metric: Metric::PrefillLatencyS(128),
            value: 0.96,
            source: "[T1] abstract: 0.45-0.96 s time to first token for 64-128 token prompts (0.96 s: 128 tokens)",
            compared: true,
            why: "compute-bound, so it follows the assumed TLMM engine (32 x 32 MACs a cycle at 250 MHz): the abstract gives neither the engine size nor the clock",
        },
        Figure {
            metric: Metric::ChipPowerMw,
            value: 5000.0,
            source: "[T1] abstract: a 5 W power budget (the board)",
            compared: false,
            why: "an FPGA board's power (programmable fabric, PS, DDR, regulators) is not what onebit's ASIC energy model prices",
        },
    ],
};

/// Slim-Llama, ISSCC 2025 paper 23.9: press coverage and the KAIST page.
pub const SLIM_LLAMA: ChipSpec = ChipSpec {
    chip: "Slim-Llama (ISSCC 2025 23.9)",
    preset: "slim-llama",
    // [S2]: up to 3B parameters, 489 ms latency; assumption: the 1.58-bit
    // (ternary) 3B, the 1bitLLM BitNet b1.58 3B reproduction
    model: "bitnet-b1.58-3B",
    // assumption: the press gives no sequence length for the latency
    decode_seq: 128,
    citation: "[S1] KAIST SSL project page, Slim-Llama; [S2] press coverage of ISSCC 2025 paper 23.9 (as read at nybreaking.com and pakgazette.com, one article, and postolink.com)",
    stand_in: Some("adder tree for Slim-Llama's S-LUT (the LUT datapath is not in this version): justified for the latency, which the 1.6 GB/s external bandwidth sets; the power and energy rows are the stand-in's"),
    figures: &[
        Figure {
            metric: Metric::DecodeLatencyS,
            value: 0.489,
            source: "[S2]: 489 ms latency on the 3B model (assumption: one decoded token at 200 MHz)",
            compared: true,
            why: "a decode step streams every weight and the FP16 LM head (3.2 G ternary weights at 2 bits = 0.81 GB, plus 32002 x 3200 x 2 B = 0.20 GB) over 1.6 GB/s; the press figures do not say whether Slim-Llama's 489 ms includes the LM head or packs ternary weights tighter than 2 bits, and either would close the gap",
        },
        Figure {
            metric: Metric::ChipPowerMw,
            value: 82.07,
            source: "[S2]: 82.07 mW at 200 MHz (4.69 mW at 25 MHz)",
            compared: true,
            why: "a decode step over 1.6 GB/s leaves the preset's 12288-MAC array idle almost all of the step; onebit charges switching energy only for work done and clock energy only for clocked cycles, so the decode average is mostly leakage and SRAM traffic. The published power scales with the clock (4.69 mW at 25 MHz, 82.07 mW at 200 MHz), the signature of a busy chip: the next row compares that",
        },
        Figure {
            metric: Metric::ChipPowerBusyMw(1024),
            value: 82.07,
            source: "[S2]: 82.07 mW at 200 MHz; assumption: measured with the datapath busy (the power scales with the clock, 4.69 mW at 25 MHz)",
            compared: true,
            why: "the preset's datapath is the adder-tree stand-in: its 12288 select/negate terms and adder-tree levels a cycle are not the S-LUT's table lookups with output reuse, and the 28 nm energies sit on the node curve at nominal voltage",
        },
        Figure {
            metric: Metric::EnergyPerTokenMj,
            value: 82.07 * 0.489,
            source: "derived: [S2] 82.07 mW x 489 ms",
            compared: true,
            why: "the decode average power x the latency: the decode step is DRAM-bound and onebit's chip energy per token is mostly leakage and SRAM traffic (see the decode-average power row); the published figure is derived from the busy power",
        },
        Figure {
            metric: Metric::AreaMm2,
            value: 20.25,
            source: "[S2]: 20.25 mm2 total die area, Samsung 28 nm",
            compared: true,
            why: "the published figure is the whole die (pads and I/O ring, PLL, test and control logic, the S-LUT tables and their dual-mode buffers), onebit's the modelled core only: the lane array, vector and attention units and the 500 KiB of SRAM macros at TSMC's 0.127 um2 cell",
        },
    ],
};

/// Every chip compared, in table order.
pub const CHIPS: [ChipSpec; 3] = [VITALLM, TELLME_V2, SLIM_LLAMA];
