//! The published chips: what each paper reports, where each number comes
//! from, and — printed only when onebit's prediction falls outside its
//! bound — what onebit models differently and why.
//!
//! The presets (presets/vitallm.toml, tellme-v2.toml, slim-llama.toml) hold
//! the chips' inputs with their sources and assumptions; this file holds the
//! outputs the papers measured, which no preset input is fitted to.

use workloads::Precision;

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
    /// Chip power during a prefill of this many tokens, the step with the
    /// most work per weight byte (DRAM device excluded), mW.
    ChipPowerBusyMw(u64),
    /// Chip energy per decoded token (DRAM device excluded), mJ.
    EnergyPerTokenMj,
    /// Core area (logic and SRAM), mm2.
    AreaMm2,
    /// Die area: the core and what surrounds it (DRAM PHY and controller,
    /// bus routing), mm2.
    DieAreaMm2,
}

impl Metric {
    /// The quantity with its unit.
    pub fn label(self) -> String {
        match self {
            Metric::DecodeTokensPerS => "decode, tokens/s".into(),
            Metric::DecodeLatencyS => "decode latency, s/token".into(),
            Metric::PrefillLatencyS(n) => format!("prefill of {n} tokens, s"),
            Metric::ChipPowerMw => "chip power, decode average, mW".into(),
            Metric::ChipPowerBusyMw(n) => format!("chip power, prefill of {n} tokens, mW"),
            Metric::EnergyPerTokenMj => "chip energy, mJ/token".into(),
            Metric::AreaMm2 => "area, mm2".into(),
            Metric::DieAreaMm2 => "die area, mm2".into(),
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
    /// The LM head's weight precision where the chip's is stated and is not
    /// the model's FP16, with its source.
    pub lm_head: Option<(Precision, &'static str)>,
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
    // the abstracts do not say how the LM head is stored: the model's FP16
    lm_head: None,
    figures: &[
        Figure {
            metric: Metric::DecodeTokensPerS,
            value: 72.46,
            source: "[V1] abstract: 72.46 tokens/s in decode, BitNet b1.58 3B, 1 GHz / 0.8 V",
            compared: true,
            why: "the preset's array is 128 ternary MACs a cycle, from [V2]'s FOM (17.4 TOPS/mm2/W x 0.223 mm2 x 65.97 mW = 0.256 TOPS) at the usual 2 operations per MAC. A 3B decode step is 26 x (4 x 3200^2 + 3 x 3200 x 8640) = 3.22 G projection MACs, so 128 GMAC/s caps it near 40 tokens/s, and 72.46 tokens/s needs 233 GMAC/s: more than the chip's own peak at 2 operations per MAC. Both published throughputs (this and the 0.88 s prefill, 234 GMAC/s) fit 256 MACs a cycle at 91% use, i.e. a TOPS that counts one operation per ternary MAC (an add or subtract) or both cores running projections ([V1]: the BoothFlex core also runs ternary-INT); onebit keeps the standard count, since choosing the convention from the figures compared would fit them. The memory is a second limit: 72.46 tokens/s streams 0.805 GB of 2-bit weights a token at 58.4 GB/s (73.2 GB/s with the FP16 LM head), more than the preset's assumed LPDDR5-6400 x64 (51.2 GB/s) gives; the abstracts state no memory, so the paper's board must use a faster interface, a denser weight code or an LM head off the accelerator",
        },
        Figure {
            metric: Metric::PrefillLatencyS(64),
            value: 0.88,
            source: "[V1] abstract: 0.88 s prefill (64 tokens)",
            compared: true,
            why: "compute-bound: 64 tokens x 3.22 G projection MACs = 206 G MACs over the preset's 128 MACs a cycle at 1 GHz; the measured 0.88 s is 234 GMAC/s, the same rate as the decode figure, twice the array derived from the FOM at 2 operations per MAC (see the decode row)",
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
            why: "power over throughput, so the energy per token compounds the decode row's error (the array size, above) with the power row's; most of onebit's chip energy is weight-buffer SRAM traffic (Horowitz's 45 nm SRAM points scaled to 16 nm on the node curve), where VitaLLM's measured 0.8 V silicon has its own macros",
        },
        Figure {
            metric: Metric::AreaMm2,
            value: 0.214,
            source: "[V1] abstract: 0.214 mm2 (the companion [V2] reports 0.223 mm2); assumption: the core (a die with pads and an LPDDR PHY does not fit 0.214 mm2), compared with onebit's core area",
            compared: true,
            why: "onebit's area is its gate-equivalent and SRAM-macro model at 16 nm (NAND2 from NanGate 45 nm scaled by Stillmaker & Baas, TSMC's 0.07 um2 bit cell, 70% array efficiency and a fixed periphery per bank), not a layout",
        },
    ],
};

/// TeLLMe v2 on an AMD KV260: arXiv 2510.15926 and its release. Throughput
/// only.
pub const TELLME_V2: ChipSpec = ChipSpec {
    chip: "TeLLMe v2 (KV260 FPGA)",
    preset: "tellme-v2",
    // [T2]: the README's model is 1bitLLM/bitnet_b1_58-large and the HLS
    // configuration (src/config/config.hpp) is its shape: 24 layers, hidden
    // 1536, FFN 4096, 16 heads, vocabulary 32002
    model: "bitnet-b1.58-700M",
    // assumption: the prompt lengths of the TTFT figures (64-128 tokens)
    decode_seq: 128,
    citation: "[T1] Qiao, Chen, Zhang, Wang, Huang, TeLLMe v2, arXiv 2510.15926 v1 (abstract); [T2] UCI-CORSA/TeLLMe_FPGA_2026 (README, src/config/config.hpp, src/top_bitnet.hpp, src/linear.hpp, src/load_weight.hpp, on_board_test/src/chatbot.py); [K] AMD Kria K26 SOM data sheet DS987; [Z] AMD Zynq UltraScale+ Device TRM UG1085",
    stand_in: Some("onebit's lut datapath (signfold tables of g = 3 and a negate) for TeLLMe's TLMM (g = 3, all 27 signed sums in LUTRAM, 5-bit indices, [T2] linear.hpp): the same lookups and index bits a cycle, a different table"),
    // [T2] chatbot.py: weights_lm_head_quant_int8.bin, per-row scales
    lm_head: Some((Precision::Int(8), "[T2] chatbot.py loads weights_lm_head_quant_int8.bin; on the board the ARM cores run it in NEON, onebit runs it on the accelerator")),
    figures: &[
        Figure {
            metric: Metric::DecodeTokensPerS,
            value: 25.0,
            source: "[T1] abstract: up to 25 tokens/s decoding throughput, under a 5 W budget",
            compared: true,
            why: "onebit streams the release's padded DRAM image (`[dram.weight_image]` tile_k = 1596, tile_n = 1536, word_bytes = 96 from [T2] config.hpp, top_bitnet.hpp and load_weight.hpp: 13 regions a layer of 19 x 308 words of 768 bits, 175.3 MB a token against 141.6 MB of packed 5/3-bit indices, +2.8 ms) over the fabric's 12 GB/s, runs the INT8 LM head on the accelerator and models the release's serial activation load (`array.lut.load_elems = 1`: each 84-activation block read one value a cycle before its lookups, not overlapped, [T2] linear.hpp READ_A; in a decode step it partly hides under the weight stream, +1.1 ms). The release's step is longer by what onebit does not model: the measured step ([T2] chatbot.py: 'Sum per step') includes the LM head on the ARM cores (49.2 MB of INT8 weights through the A53s' NEON) and the host's RoPE, buffer syncs, kernel launch and sampling, which the release times but the paper does not break down; that host and ARM work is what remains of the published 40 ms a token",
        },
        Figure {
            metric: Metric::PrefillLatencyS(64),
            value: 0.45,
            source: "[T1] abstract: 0.45-0.96 s time to first token for 64-128 token prompts (0.45 s: 64 tokens)",
            compared: true,
            why: "compute-bound on the TLMM engine of [T2] (16 outputs x 28 tables of 3 = 1344 ternary MACs a cycle at 250 MHz) with the release's serial activation load modelled (`array.lut.load_elems = 1`, [T2] linear.hpp READ_A: each 84-activation block read one value a cycle before its lookups, once for all outputs of the matrix): +0.082 s over a chunk looked up every cycle (the hand count, 64 x 24 x ~35.4k cycles against 64 x 679.5 M / 1344, is +0.088 s with the padded K of 1596); the padded DRAM image (`[dram.weight_image]`, read once for the 64 tokens) adds 2.8 ms. The rest of the measured TTFT is the host's embedding lookup, padding and flip of the prompt, RoPE, buffer syncs, the KV-cache copy back and the LM head on the ARM cores ([T2] chatbot.py, 'Prefill Breakdown'), which onebit does not model and the paper does not break down",
        },
        Figure {
            metric: Metric::PrefillLatencyS(128),
            value: 0.96,
            source: "[T1] abstract: 0.45-0.96 s time to first token for 64-128 token prompts (0.96 s: 128 tokens)",
            compared: true,
            why: "as for 64 tokens: the serial activation load is modelled (+0.161 s over a chunk looked up every cycle); the host-side steps of the measured TTFT are not",
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
    stand_in: Some("onebit's lut datapath with edge-lut's table (bitnet.cpp TL2: groups of 3, signfold tables in a shared register file, 5-bit indices) for the S-LUT; the S-LUT's output reuse, its LUT/buffer dual mode, sparsity-aware allocation and index reordering ([S1]) are not modelled"),
    // the press does not say how the LM head is stored: the model's FP16
    lm_head: None,
    figures: &[
        Figure {
            metric: Metric::DecodeLatencyS,
            value: 0.489,
            source: "[S2]: 489 ms latency on the 3B model (assumption: one decoded token of the 1.58-bit model at 200 MHz; [S2] names 1-bit and 1.5-bit Llama models)",
            compared: true,
            why: "a decode step streams every weight and the FP16 LM head (3.22 G ternary weights in 5/3-bit indices = 0.671 GB, plus 32002 x 3200 x 2 B = 0.205 GB) over 1.6 GB/s: 0.547 s; the press does not say whether the 489 ms includes the LM head or which model it is (1-bit weights would be 0.403 GB)",
        },
        Figure {
            metric: Metric::ChipPowerMw,
            value: 82.07,
            source: "[S2]: 82.07 mW at 200 MHz (4.69 mW at 25 MHz)",
            compared: true,
            why: "a decode step over 1.6 GB/s keeps the array busy 0.2% of the step (1.3 ms of lookups in a step of over 0.54 s); onebit charges switching only for work done and clock energy only for clocked cycles, so the decode average is leakage, SRAM fills and wires. The published power rises 17.5x for 8x the clock (4.69 mW at 25 MHz, 82.07 mW at 200 MHz): dynamic power with the supply raised with the clock (sqrt(17.5 / 8) = 1.48x the voltage), measured on a workload the paper does not state. The press figures are not one operating point either: 4.92 TOPS at 1.31 TOPS/W would be 3.76 W, 46x the 82.07 mW, so the 4.92 TOPS the array size comes from and the power are not measured together",
        },
        Figure {
            metric: Metric::ChipPowerBusyMw(1024),
            value: 82.07,
            source: "[S2]: 82.07 mW at 200 MHz; assumption: measured with the datapath working (the power scales with the clock, 4.69 mW at 25 MHz), compared with a 1024-token prefill, the step with the most work per weight byte",
            compared: true,
            why: "onebit is above: the prefill's projections are DRAM-bound on their spilled activations and, on the mapper's N tiles, on the partial sums of the K split that every token block keeps through the K tiles (docs/simulator.md); the array works far more of the step than of the decode, and onebit prices that work with 28 nm energies on the node curve at nominal voltage plus the die-level activation broadcast wires of the floorplan estimate. The paper's 82.07 mW at 200 MHz is not tied to a stated workload or voltage, and its own figures do not come from one operating point (4.92 TOPS at 1.31 TOPS/W would be 3.76 W)",
        },
        Figure {
            metric: Metric::EnergyPerTokenMj,
            value: 82.07 * 0.489,
            source: "derived: [S2] 82.07 mW x 489 ms",
            compared: true,
            why: "the decode average power x the latency: the decode step is DRAM-bound and onebit's chip energy per token is mostly leakage, weight-buffer fills and wires (see the decode-average power row); the published figure multiplies the 200 MHz power, whatever it was measured on, by the latency",
        },
        Figure {
            metric: Metric::DieAreaMm2,
            value: 20.25,
            source: "[S2]: 20.25 mm2 total die area, Samsung 28 nm; compared with onebit's die (core, LPDDR PHY and controller, bus routing)",
            compared: true,
            why: "onebit's die is the modelled core (the lane array, vector and attention units, 500 KiB of SRAM macros at TSMC's 0.127 um2 cell) plus one x16 LPDDR5 PHY and controller for the 1.6 GB/s and the bus routing; it has no pad ring, PLL, test or control logic, and not the S-LUT's dual-mode table buffers. A 20.25 mm2 test chip is 4.5 mm a side, 18 mm of pad frame; the paper's floorplan is not available, so the pad-limited share is not known",
        },
    ],
};

/// Every chip compared, in table order.
pub const CHIPS: [ChipSpec; 3] = [VITALLM, TELLME_V2, SLIM_LLAMA];
