//! `onebit paper chips`: the published figures as the papers state them,
//! onebit's predictions for the re-created presets (golden values), the
//! error and bound arithmetic, and a hand-computed floor under the
//! DRAM-bound decode of Slim-Llama.

use energy_model::chips::{self, published, ChipsReport};

fn report() -> ChipsReport {
    chips::chips().unwrap()
}

fn sig4(v: f64) -> String {
    format!("{v:.3e}")
}

/// (chip preset, quantity, published, predicted) with four significant
/// digits; the predictions are onebit's at this version (a change to the
/// model that moves them must update this table and docs/validation.md).
const GOLDEN: [(&str, &str, &str, Option<&str>); 14] = [
    ("vitallm", "decode, tokens/s", "7.246e1", Some("3.357e1")),
    (
        "vitallm",
        "prefill of 64 tokens, s",
        "8.800e-1",
        Some("1.637e0"),
    ),
    (
        "vitallm",
        "chip power, decode average, mW",
        "6.597e1",
        Some("1.013e2"),
    ),
    (
        "vitallm",
        "chip energy, mJ/token",
        "9.104e-1",
        Some("3.016e0"),
    ),
    ("vitallm", "area, mm2", "2.140e-1", Some("1.604e-1")),
    ("tellme-v2", "decode, tokens/s", "2.500e1", Some("4.173e1")),
    (
        "tellme-v2",
        "prefill of 64 tokens, s",
        "4.500e-1",
        Some("2.560e-1"),
    ),
    (
        "tellme-v2",
        "prefill of 128 tokens, s",
        "9.600e-1",
        Some("5.118e-1"),
    ),
    (
        "tellme-v2",
        "chip power, decode average, mW",
        "5.000e3",
        None,
    ),
    (
        "slim-llama",
        "decode latency, s/token",
        "4.890e-1",
        Some("5.616e-1"),
    ),
    (
        "slim-llama",
        "chip power, decode average, mW",
        "8.207e1",
        Some("2.520e1"),
    ),
    (
        "slim-llama",
        "chip power, prefill of 1024 tokens, mW",
        "8.207e1",
        Some("1.214e2"),
    ),
    (
        "slim-llama",
        "chip energy, mJ/token",
        "4.013e1",
        Some("1.415e1"),
    ),
    ("slim-llama", "die area, mm2", "2.025e1", Some("1.300e1")),
];

#[test]
fn golden_table() {
    let r = report();
    let got: Vec<(String, String, String, Option<String>)> = r
        .chips
        .iter()
        .flat_map(|c| {
            c.rows.iter().map(|row| {
                (
                    c.preset.clone(),
                    row.quantity.clone(),
                    sig4(row.published),
                    row.predicted.map(sig4),
                )
            })
        })
        .collect();
    let want: Vec<(String, String, String, Option<String>)> = GOLDEN
        .iter()
        .map(|(a, b, c, d)| {
            (
                a.to_string(),
                b.to_string(),
                c.to_string(),
                d.map(str::to_string),
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn published_figures_as_stated() {
    let v = &published::VITALLM;
    let f = |m: published::Metric| v.figures.iter().find(|x| x.metric == m).unwrap().value;
    assert_eq!(f(published::Metric::DecodeTokensPerS), 72.46);
    assert_eq!(f(published::Metric::PrefillLatencyS(64)), 0.88);
    assert_eq!(f(published::Metric::ChipPowerMw), 65.97);
    assert_eq!(f(published::Metric::AreaMm2), 0.214);
    // derived, not published: 65.97 mW / 72.46 tokens/s
    assert!((f(published::Metric::EnergyPerTokenMj) - 0.910433).abs() < 1e-6);
    let s = &published::SLIM_LLAMA;
    let values: Vec<f64> = s.figures.iter().map(|x| x.value).collect();
    assert_eq!(values[..2], [0.489, 82.07]);
    assert_eq!(*values.last().unwrap(), 20.25);
    let t = &published::TELLME_V2;
    assert_eq!(t.figures[0].value, 25.0);
    assert_eq!((t.figures[1].value, t.figures[2].value), (0.45, 0.96));
    // an FPGA's power is not compared
    assert!(!t.figures[3].compared);
}

#[test]
fn errors_bounds_and_explanations() {
    for c in report().chips {
        for r in &c.rows {
            let Some(p) = r.predicted else {
                assert_eq!((r.error_pct, r.within), (None, None));
                assert!(r.why.is_some(), "{} {}", c.chip, r.quantity);
                continue;
            };
            let e = r.error_pct.unwrap();
            assert!((e - 100.0 * (p / r.published - 1.0)).abs() < 1e-9);
            let within = if r.bound == "20%" {
                e.abs() <= 20.0
            } else {
                assert_eq!(r.bound, "2x");
                (0.5..=2.0).contains(&(p / r.published))
            };
            assert_eq!(r.within, Some(within), "{} {}", c.chip, r.quantity);
            // outside the bound: the report says why; inside: nothing to explain
            assert_eq!(r.why.is_some(), !within, "{} {}", c.chip, r.quantity);
        }
    }
}

#[test]
fn slim_llama_decode_is_held_up_by_its_1_6_gb_s() {
    // bitnet-b1.58-3B (1bitLLM): 26 layers, hidden 3200, FFN 8640, vocab
    // 32002, untied FP16 LM head. Weights read per decoded token, the
    // ternary ones as the lut datapath's packed indices (5 bits a group of
    // 3 weights):
    let per_layer: u64 = 4 * 3200 * 3200 + 3 * 3200 * 8640;
    let index_bytes = (26 * per_layer) as f64 * 5.0 / 3.0 / 8.0;
    let lm_head_bytes = (32002 * 3200 * 2) as f64;
    let floor_s = (index_bytes + lm_head_bytes) / 1.6e9;
    assert_eq!(format!("{floor_s:.4}"), "0.5475");
    let r = report();
    let s = r.chips.iter().find(|c| c.preset == "slim-llama").unwrap();
    let lat = s.rows[0].predicted.unwrap();
    // at least the transfer time, and within 5% of it (the array is idle)
    assert!(lat >= floor_s && lat < floor_s * 1.05, "{lat} vs {floor_s}");
}

#[test]
fn tellme_loads_a_matrix_before_computing_it() {
    // The release loads each matrix into its single URAM buffer and then
    // computes it: a decode step takes at least its weight transfer (the
    // release's padded image of 24 x 13 regions of 19 x 308 words of 96
    // bytes, [dram.weight_image], and the INT8 LM head, 32002 x 1536) over
    // the 12 GB/s of the fabric's ports plus the lookups of 24 x (4 x 1536^2
    // + 3 x 1536 x 4096) weights (1344 a cycle at 250 MHz), since the two
    // do not overlap.
    let weights: u64 = 24 * (4 * 1536 * 1536 + 3 * 1536 * 4096);
    let image: u64 = 24 * 13 * 19 * 308 * 96;
    let transfer_s = (image as f64 + (32002 * 1536) as f64) / 12e9;
    let lookups_s = weights as f64 / 1344.0 / 250e6;
    let r = report();
    let t = r.chips.iter().find(|c| c.preset == "tellme-v2").unwrap();
    let tokens_per_s = t.rows[0].predicted.unwrap();
    assert!(
        1.0 / tokens_per_s > transfer_s + lookups_s,
        "{} s vs {transfer_s} + {lookups_s}",
        1.0 / tokens_per_s
    );
    assert!(t.lm_head.as_deref().unwrap().starts_with("int8"));
}

#[test]
fn reference_points_are_the_published_measurements() {
    let r = report();
    let rows = &r.reference.rows;
    assert_eq!(r.reference.design, "edge-ternary");
    let find = |sys: &str, model: &str| {
        rows.iter()
            .find(|x| x.system.starts_with(sys) && x.model == model)
            .unwrap()
    };
    let a = find("Apple M2 Ultra (ARM", "bitnet-b1.58-700M");
    assert_eq!(
        (a.published_tokens_per_s, a.published_joules_per_token),
        (194.38, Some(0.140))
    );
    assert_eq!(
        find("Apple M2 Ultra (ARM", "bitnet-b1.58-7B").published_tokens_per_s,
        52.36
    );
    assert_eq!(
        find("Apple M2 Ultra, 8", "bitnet-b1.58-3B").published_tokens_per_s,
        71.0
    );
    assert_eq!(
        find("Raspberry Pi 5", "bitnet-b1.58-3B").published_tokens_per_s,
        11.0
    );
    let b = find("CPU", "bitnet-b1.58-2B-4T");
    assert_eq!(format!("{:.2}", b.published_tokens_per_s), "34.48");
    assert_eq!(b.published_joules_per_token, Some(0.028));
    // onebit's columns are its own runs of the same model on edge-ternary
    for x in rows {
        assert!(x.onebit_tokens_per_s > 0.0 && x.onebit_joules_per_token > 0.0);
    }
}

#[test]
fn deterministic() {
    let a = serde_json::to_string(&report()).unwrap();
    let b = serde_json::to_string(&report()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn slim_llama_is_compared_as_a_die_and_vitallm_as_a_core() {
    let r = report();
    let row = |preset: &str, q: &str| {
        r.chips
            .iter()
            .find(|c| c.preset == preset)
            .unwrap()
            .rows
            .iter()
            .find(|x| x.quantity == q)
            .unwrap()
            .predicted
            .unwrap()
    };
    let area_of = |preset: &str| {
        let a = sim::arch::preset(preset).unwrap();
        let t = chips::technology_of(&a).unwrap();
        energy_model::area::estimate(&a, &t)
    };
    let s = area_of("slim-llama");
    assert_eq!(row("slim-llama", "die area, mm2"), s.die_mm2());
    // 1.6 GB/s needs one LPDDR5 x16 interface (12.8 GB/s): its PHY is
    // 0.725 mm2 at every node
    let dram = s.system.dram.as_ref().unwrap();
    assert_eq!((dram.interface.as_str(), dram.count), ("lpddr5-x16", 1));
    assert_eq!(dram.phy_mm2, 0.725);
    assert!(s.die_mm2() > s.total_mm2() + 0.725);
    let v = area_of("vitallm");
    assert_eq!(row("vitallm", "area, mm2"), v.total_mm2());
}
