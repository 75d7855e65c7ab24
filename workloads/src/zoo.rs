//! The built-in model presets ("model zoo"), each with the source of its shape.
//!
//! Names are matched case-insensitively. Any preset can be re-encoded
//! (`ModelConfig::with_encoding`), e.g. to the {0,1} `binary01` encoding or
//! to an INT8/INT4 weight baseline.

use crate::model::{ActFn, Family, ModelConfig};
use crate::precision::Precision;

const SRC_1BITLLM: &str = "1bitLLM reproductions of BitNet b1.58 (Hugging Face 1bitLLM/bitnet_b1_58-{large,xl,3B} config.json)";
const SRC_LLAMA2: &str =
    "LLaMA-2 shapes (Touvron et al. 2023, arXiv 2307.09288, Table 1; HF meta-llama/Llama-2-*-hf config.json), the 'LLaMA-alike' sizes of BitNet b1.58 (arXiv 2402.17764)";
const SRC_3_9B: &str = "BitNet b1.58 3.9B (arXiv 2402.17764, Table 1-2): shape not published; assumed the 3B shape with 30 blocks, which gives 3.9B parameters";
const SRC_2B4T: &str = "microsoft/bitnet-b1.58-2B-4T model card and config.json (arXiv 2504.12285)";
const SRC_BITNET: &str = "BitNet (Wang et al. 2023, arXiv 2310.11453) hidden/layers/heads; these equal the GPT-3 shapes (Brown et al. 2020, Table 2.1), whose FFN 4x hidden, GELU, vocab 50257 and tied embeddings are assumed";

struct Shape {
    size: &'static str,
    layers: u64,
    hidden: u64,
    ffn: u64,
    heads: u64,
    kv_heads: u64,
    vocab: u64,
    source: &'static str,
}

/// The LLaMA-alike shapes of BitNet b1.58 (and of its FP16 LLaMA baselines).
const B158_SHAPES: &[Shape] = &[
    Shape {
        size: "700M",
        layers: 24,
        hidden: 1536,
        ffn: 4096,
        heads: 16,
        kv_heads: 16,
        vocab: 32002,
        source: SRC_1BITLLM,
    },
    Shape {
        size: "1.3B",
        layers: 24,
        hidden: 2048,
        ffn: 5460,
        heads: 32,
        kv_heads: 32,
        vocab: 32002,
        source: SRC_1BITLLM,
    },
    Shape {
        size: "3B",
        layers: 26,
        hidden: 3200,
        ffn: 8640,
        heads: 32,
        kv_heads: 32,
        vocab: 32002,
        source: SRC_1BITLLM,
    },
    Shape {
        size: "3.9B",
        layers: 30,
        hidden: 3200,
        ffn: 8640,
        heads: 32,
        kv_heads: 32,
        vocab: 32002,
        source: SRC_3_9B,
    },
    Shape {
        size: "7B",
        layers: 32,
        hidden: 4096,
        ffn: 11008,
        heads: 32,
        kv_heads: 32,
        vocab: 32000,
        source: SRC_LLAMA2,
    },
    Shape {
        size: "13B",
        layers: 40,
        hidden: 5120,
        ffn: 13824,
        heads: 40,
        kv_heads: 40,
        vocab: 32000,
        source: SRC_LLAMA2,
    },
    Shape {
        size: "70B",
        layers: 80,
        hidden: 8192,
        ffn: 28672,
        heads: 64,
        kv_heads: 8,
        vocab: 32000,
        source: SRC_LLAMA2,
    },
];

/// BitNet (2023) sizes: (size, hidden, layers, heads).
const BITNET_SHAPES: &[(&str, u64, u64, u64)] = &[
    ("125M", 768, 12, 12),
    ("350M", 1024, 24, 16),
    ("760M", 1536, 24, 16),
    ("1.3B", 2048, 24, 32),
    ("2.7B", 2560, 32, 32),
    ("6.7B", 4096, 32, 32),
    ("13B", 5120, 40, 40),
    ("30B", 7168, 48, 56),
];

fn llama_alike(s: &Shape, name: String, family: Family, weights: Precision) -> ModelConfig {
    ModelConfig {
        name,
        family,
        source: s.source.to_string(),
        layers: s.layers,
        hidden: s.hidden,
        ffn: s.ffn,
        heads: s.heads,
        kv_heads: s.kv_heads,
        head_dim: s.hidden / s.heads,
        vocab: s.vocab,
        act: ActFn::Silu,
        gated_ffn: true,
        tied_embeddings: false,
        sub_norm: false,
        weights,
        activations: if weights.is_float() {
            weights
        } else {
            Precision::INT8
        },
        high_precision: Precision::Fp16,
    }
}

/// microsoft/bitnet-b1.58-2B-4T.
fn bitnet_2b4t() -> ModelConfig {
    ModelConfig {
        name: "bitnet-b1.58-2B-4T".into(),
        family: Family::BitnetB158,
        source: SRC_2B4T.into(),
        layers: 30,
        hidden: 2560,
        ffn: 6912,
        heads: 20,
        kv_heads: 5,
        head_dim: 128,
        vocab: 128256,
        act: ActFn::Relu2,
        gated_ffn: true,
        tied_embeddings: true,
        sub_norm: true,
        weights: Precision::Ternary,
        activations: Precision::INT8,
        high_precision: Precision::Bf16,
    }
}

/// Every preset, in display order.
pub fn all() -> Vec<ModelConfig> {
    let mut v = Vec::new();
    v.push(bitnet_2b4t());
    for s in B158_SHAPES {
        v.push(llama_alike(
            s,
            format!("bitnet-b1.58-{}", s.size),
            Family::BitnetB158,
            Precision::Ternary,
        ));
    }
    for &(size, hidden, layers, heads) in BITNET_SHAPES {
        v.push(ModelConfig {
            name: format!("bitnet-{size}"),
            family: Family::Bitnet,
            source: SRC_BITNET.into(),
            layers,
            hidden,
            ffn: 4 * hidden,
            heads,
            kv_heads: heads,
            head_dim: hidden / heads,
            vocab: 50257,
            act: ActFn::Gelu,
            gated_ffn: false,
            tied_embeddings: true,
            sub_norm: false,
            weights: Precision::Binary,
            activations: Precision::INT8,
            high_precision: Precision::Fp16,
        });
    }
    for s in B158_SHAPES {
        v.push(llama_alike(
            s,
            format!("llama-{}", s.size),
            Family::Llama,
            Precision::Fp16,
        ));
    }
    v
}

/// The preset called `name` (case-insensitive).
pub fn find(name: &str) -> Option<ModelConfig> {
    all()
        .into_iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The names of every preset, for error messages and `--help`.
pub fn names() -> Vec<String> {
    all().into_iter().map(|m| m.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(name: &str) -> u64 {
        find(name).unwrap().params().total()
    }

    #[test]
    fn published_totals() {
        // bitnet-b1.58-2B-4T: "~2B" without embeddings, 2.41B with them.
        // 30 x (2*2560*2560 + 2*2560*640 + 3*2560*6912) = 2,084,044,800 projections;
        // + 128256*2560 embedding (tied) + norms.
        let m = find("bitnet-b1.58-2b-4t").unwrap();
        let p = m.params();
        assert_eq!(p.projections, 2_084_044_800);
        assert_eq!(p.embedding, 328_335_360);
        assert_eq!(p.lm_head, 0);
        assert_eq!(p.norms, 30 * (2 * 2560 + 2560 + 6912) + 2560);
        assert_eq!(p.total(), 2_412_820_480);
        // LLaMA-2 7B: 6,738,415,616 (Touvron et al. 2023).
        assert_eq!(total("llama-7B"), 6_738_415_616);
        assert_eq!(total("bitnet-b1.58-7B"), 6_738_415_616);
        // LLaMA-2 13B: 13,015,864,320.
        assert_eq!(total("llama-13B"), 13_015_864_320);
        // LLaMA-2 70B: 68,976,648,192.
        assert_eq!(total("llama-70B"), 68_976_648_192);
        // GPT-3 125M and 13B shapes (BitNet 2023 sizes): within the name's rounding.
        let t125 = total("bitnet-125M") as f64;
        assert!((120e6..130e6).contains(&t125), "{t125}");
        let t13 = total("bitnet-13B") as f64;
        assert!((12.5e9..13.5e9).contains(&t13), "{t13}");
    }

    #[test]
    fn names_are_unique_and_shapes_valid() {
        let names = names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for m in all() {
            m.validate().unwrap();
            assert_eq!(m.q_dim(), m.hidden, "{}", m.name);
        }
    }

    #[test]
    fn sizes_match_their_names() {
        for m in all() {
            let size = m
                .name
                .rsplit('-')
                .find(|s| s.ends_with('M') || s.ends_with('B'));
            let Some(size) = size else { continue };
            let (num, unit) = size.split_at(size.len() - 1);
            let Ok(num) = num.parse::<f64>() else {
                continue;
            };
            let named = num * if unit == "B" { 1e9 } else { 1e6 };
            let t = m.params().total() as f64;
            // every preset is within 25% of its name (names round, and
            // "2B" counts no embeddings).
            assert!((t / named - 1.0).abs() < 0.25, "{}: {t}", m.name);
        }
    }
}
