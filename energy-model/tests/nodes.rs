//! The 28 nm and 16 nm technology tables: every entry sourced, the energies
//! recomputed from the 45 nm and 7 nm tables on the Stillmaker & Baas node
//! curve, the published cell sizes exact, and the four tables in node order.

use energy_model::node_curve::{between, position};
use energy_model::{Key, Technology};

fn t(name: &str) -> Technology {
    Technology::builtin(name).unwrap()
}

/// `x` rounded to four significant digits, as the tables write them.
fn sig4(x: f64) -> f64 {
    format!("{x:.3e}").parse().unwrap()
}

const CURVE_KEYS: [Key; 6] = [
    Key::Fp32AddPj,
    Key::Fp32MulPj,
    Key::Fp16AddPj,
    Key::Fp16MulPj,
    Key::Int8AddPj,
    Key::Int8MulPj,
];

#[test]
fn the_tables_a_design_can_name_are_the_built_in_ones() {
    assert_eq!(
        Technology::builtin_names(),
        sim::arch::TECHNOLOGY_NAMES.to_vec()
    );
    for (name, nm) in [("16nm", 16.0), ("28nm", 28.0)] {
        let x = t(name);
        assert_eq!((x.name.as_str(), x.node_nm), (name, nm));
        for (k, e) in x.entries() {
            assert!(!e.source.trim().is_empty(), "{name}: {}", k.path());
        }
    }
}

#[test]
fn arithmetic_lies_on_the_node_curve() {
    let (t45, t7) = (t("45nm"), t("7nm"));
    for (name, nm) in [("16nm", 16.0), ("28nm", 28.0)] {
        let x = t(name);
        let w = position(nm).unwrap();
        for k in CURVE_KEYS {
            let want = sig4(between(t45.get(k), t7.get(k), nm).unwrap());
            assert_eq!(x.get(k), want, "{name} {}", k.path());
            assert!(
                x.entry(k).source.contains(&format!("^{w:.4}")),
                "{name} {}",
                k.path()
            );
            assert!(
                x.entry(k).source.contains("Stillmaker & Baas"),
                "{name} {}",
                k.path()
            );
        }
        // bf16 priced as FP16, as in the published tables
        assert_eq!(x.get(Key::Bf16AddPj), x.get(Key::Fp16AddPj));
        assert_eq!(x.get(Key::Bf16MulPj), x.get(Key::Fp16MulPj));
        // the logic rules of the 7 nm table over this table's INT8 add
        let fa = x.get(Key::Int8AddPj) / 8.0;
        assert_eq!(x.get(Key::PopcountPjPerInput), sig4(fa));
        assert_eq!(x.get(Key::SelectPjPerBit), sig4(fa / 2.0));
        assert_eq!(x.get(Key::RegisterPjPerBit), sig4(fa));
        assert_eq!(
            x.get(Key::ClockPjPerFlopCycle),
            sig4(x.get(Key::RegisterPjPerBit) / 4.0)
        );
        // SRAM: Horowitz's 45 nm points, the node factor on the same curve
        assert_eq!(x.sram_read_64b_45nm_pj(8.0 * 1024.0), 10.0);
        assert_eq!(x.sram_read_64b_45nm_pj(1024.0 * 1024.0), 100.0);
        assert_eq!(x.get(Key::SramNodeScale), sig4(0.339f64.powf(w)));
    }
    // hand-computed: 28 nm INT8 add = 0.03 x (0.007 / 0.03)^0.28248 = 0.01989 pJ
    assert_eq!(t("28nm").get(Key::Int8AddPj), 0.01989);
    assert_eq!(t("16nm").get(Key::Int8AddPj), 0.01019);
}

#[test]
fn published_cell_sizes_and_scaled_gates() {
    // TSMC 16 nm FinFET (IEDM 2013) and 28 nm (VLSI 2009) high-density cells
    assert_eq!(t("16nm").get(Key::SramBitcellUm2), 0.07);
    assert_eq!(t("28nm").get(Key::SramBitcellUm2), 0.127);
    // NanGate 45 nm NAND2 x Stillmaker & Baas area factors 0.19 and 0.3767
    assert_eq!(t("16nm").get(Key::Nand2Um2), 0.1516);
    assert_eq!(t("28nm").get(Key::Nand2Um2), 0.3006);
}

#[test]
fn the_four_tables_are_in_node_order() {
    let order = ["45nm", "28nm", "16nm", "7nm"];
    let keys = [
        Key::Fp32AddPj,
        Key::Fp16MulPj,
        Key::Int8AddPj,
        Key::Int8MulPj,
        Key::SramNodeScale,
        Key::Nand2Um2,
        Key::SramBitcellUm2,
    ];
    for k in keys {
        let v: Vec<f64> = order.iter().map(|n| t(n).get(k)).collect();
        assert!(v.windows(2).all(|w| w[0] > w[1]), "{}: {v:?}", k.path());
    }
    // SRAM energy per bit of a 32 KiB macro falls with the node
    let e: Vec<f64> = order
        .iter()
        .map(|n| t(n).sram_read_pj_per_bit(32768.0))
        .collect();
    assert!(e.windows(2).all(|w| w[0] > w[1]), "{e:?}");
    // leakage assumptions rise from 45 to 7 nm
    let l: Vec<f64> = order
        .iter()
        .map(|n| t(n).get(Key::LogicLeakMwPerMm2))
        .collect();
    assert!(l.windows(2).all(|w| w[0] < w[1]), "{l:?}");
}

#[test]
fn an_override_file_can_start_from_the_new_tables() {
    let x = Technology::from_override_toml(
        "[technology]\nbase = \"28nm\"\n[dram]\nlpddr5_pj_per_bit = 4.0\n",
        "mine.toml",
    )
    .unwrap();
    assert_eq!(x.get(Key::Int8AddPj), 0.01989);
    assert_eq!(x.get(Key::Lpddr5PjPerBit), 4.0);
}
