//! The designs the RTL tests build, and where their Verilator builds are
//! cached (`target/tmp/rtl-cache`, so a second run reuses them).

#![allow(dead_code)]

use sim::arch::{preset, Reduction, ZeroHandling};
use sim::datapath::lut::{IndexEncoding, LutConfig, TableKind, TableStorage};
use sim::Accelerator;
use std::path::PathBuf;
use workloads::Precision;

/// One design of the matrix.
pub struct Spec {
    pub name: &'static str,
    pub reduction: Reduction,
    pub lanes: u32,
    pub width: u32,
    pub acts: Precision,
    pub weights: Precision,
    pub stage_levels: u32,
    pub ppc: u32,
    pub max_k: u64,
    pub lut: Option<LutConfig>,
    /// `array.token_tile`: tokens the lanes hold their weights for.
    pub token_tile: u32,
}

const T: Precision = Precision::Ternary;
const B: Precision = Precision::Binary;
const B01: Precision = Precision::Binary01;
const fn int(b: u8) -> Precision {
    Precision::Int(b)
}

macro_rules! spec {
    ($name:expr, $r:ident, $lanes:expr, $width:expr, $acts:expr, $w:expr, $stage:expr, $ppc:expr, $k:expr) => {
        Spec {
            name: $name,
            reduction: Reduction::$r,
            lanes: $lanes,
            width: $width,
            acts: $acts,
            weights: $w,
            stage_levels: $stage,
            ppc: $ppc,
            max_k: $k,
            lut: None,
            token_tile: 1,
        }
    };
}

const SF: TableKind = TableKind::Signfold;
const BS: TableKind = TableKind::Bitserial;
const LANES: TableStorage = TableStorage::Lanes;
const RF: TableStorage = TableStorage::Regfile;

macro_rules! lut {
    ($name:expr, $lanes:expr, $width:expr, $acts:expr, $w:expr, $stage:expr, $k:expr,
     $g:expr, $kind:expr, $storage:expr, $ports:expr, $eb:expr, $index:ident) => {
        Spec {
            name: $name,
            reduction: Reduction::Lut,
            lanes: $lanes,
            width: $width,
            acts: $acts,
            weights: $w,
            stage_levels: $stage,
            ppc: 1,
            max_k: $k,
            lut: Some(LutConfig {
                group: $g,
                table: $kind,
                entry_bits: $eb,
                storage: $storage,
                read_ports: $ports,
                index: IndexEncoding::$index,
                load_elems: None,
            }),
            token_tile: 1,
        }
    };
}

/// The co-simulation matrix: lanes 1..16, width 1..64 (non-powers of two
/// included), stage_levels 1, 2, 3, 4, 16, every reduction, every weight
/// encoding the lanes take, activations of 1 (binary, binary01) to 8 bits,
/// planes per cycle 1..7, tight accumulators and a reduction beyond max_k.
pub const MATRIX: &[Spec] = &[
    // adder tree
    spec!("at_l1_w1", AdderTree, 1, 1, int(8), T, 1, 1, 4096),
    spec!("at_l2_w2_i2", AdderTree, 2, 2, int(2), T, 1, 1, 4096),
    spec!("at_l3_w3_bin", AdderTree, 3, 3, int(8), B, 1, 1, 4096),
    spec!("at_l4_w5_b01", AdderTree, 4, 5, int(4), B01, 2, 1, 4096),
    spec!("at_l16_w64", AdderTree, 16, 64, int(8), T, 2, 1, 32768),
    spec!("at_l8_w17_s3", AdderTree, 8, 17, int(8), T, 3, 1, 4096),
    spec!(
        "at_l5_w33_i3",
        AdderTree,
        5,
        33,
        int(3),
        Precision::TernaryPacked,
        4,
        1,
        4096
    ),
    spec!("at_l7_w7_s16", AdderTree, 7, 7, int(8), T, 16, 1, 4096),
    spec!("at_l16_w48_i6", AdderTree, 16, 48, int(6), B, 1, 1, 4096),
    spec!("at_l2_w64_k64", AdderTree, 2, 64, int(8), T, 2, 1, 64),
    spec!("at_l1_w9_k4", AdderTree, 1, 9, int(8), T, 2, 1, 4),
    spec!("at_l11_w24_i5", AdderTree, 11, 24, int(5), T, 2, 1, 1000),
    // popcount
    spec!("pc_l4_w16_p1", Popcount, 4, 16, int(8), T, 2, 1, 4096),
    spec!("pc_l3_w13_p3", Popcount, 3, 13, int(8), T, 1, 3, 4096),
    spec!("pc_l16_w64_p2", Popcount, 16, 64, int(8), T, 2, 2, 32768),
    spec!("pc_l2_w1_i4", Popcount, 2, 1, int(4), T, 2, 1, 4096),
    spec!("pc_l8_w32_xnor", Popcount, 8, 32, B, B, 2, 1, 4096),
    spec!("pc_l5_w11_and", Popcount, 5, 11, B01, B01, 1, 1, 4096),
    spec!("pc_l6_w20_bt", Popcount, 6, 20, B, T, 2, 1, 4096),
    spec!("pc_l4_w9_bb01", Popcount, 4, 9, B, B01, 3, 1, 4096),
    spec!("pc_l3_w24_b01t", Popcount, 3, 24, B01, T, 2, 1, 4096),
    spec!("pc_l2_w40_b01b", Popcount, 2, 40, B01, B, 2, 1, 4096),
    spec!("pc_l4_w7_i2b", Popcount, 4, 7, int(2), B, 2, 2, 4096),
    spec!("pc_l16_w3_i5", Popcount, 16, 3, int(5), B01, 1, 2, 4096),
    spec!("pc_l9_w64_i7", Popcount, 9, 64, int(7), T, 3, 7, 8192),
    spec!("pc_l1_w2_i6", Popcount, 1, 2, int(6), T, 2, 4, 4096),
    spec!("pc_l3_w10_i3k", Popcount, 3, 10, int(3), T, 2, 2, 20),
    // multiply-accumulate
    spec!("mac_l4_w8", Mac, 4, 8, int(8), int(8), 2, 1, 4096),
    spec!("mac_l3_w1_i4", Mac, 3, 1, int(4), int(4), 2, 1, 4096),
    spec!("mac_l16_w16_w4", Mac, 16, 16, int(8), int(4), 1, 1, 4096),
    spec!("mac_l2_w12_i5", Mac, 2, 12, int(5), int(8), 3, 1, 4096),
    spec!("mac_l10_w6_k12", Mac, 10, 6, int(6), int(8), 2, 1, 12),
    // table lookup: g 2..4, signfold and bitserial, ternary (plain and
    // packed) and binary weights, lane and register-file tables, entry
    // widths derived and wider, activations of 2..8 bits
    lut!(
        "lut_l4_w6_g3_sf",
        4,
        6,
        int(8),
        T,
        2,
        4096,
        3,
        SF,
        LANES,
        1,
        None,
        Packed
    ),
    lut!(
        "lut_l3_w4_g2_sf_rf",
        3,
        4,
        int(4),
        T,
        2,
        4096,
        2,
        SF,
        RF,
        3,
        None,
        Packed
    ),
    lut!(
        "lut_l5_w8_g4_sf_i2",
        5,
        8,
        int(2),
        T,
        1,
        4096,
        4,
        SF,
        LANES,
        1,
        None,
        Packed
    ),
    lut!(
        "lut_l2_w12_g4_bs",
        2,
        12,
        int(8),
        T,
        2,
        4096,
        4,
        BS,
        LANES,
        1,
        None,
        Packed
    ),
    lut!(
        "lut_l6_w9_g3_bs_bin",
        6,
        9,
        int(6),
        B,
        2,
        4096,
        3,
        BS,
        RF,
        6,
        None,
        Packed
    ),
    lut!(
        "lut_l1_w2_g2_bs",
        1,
        2,
        int(8),
        T,
        1,
        4096,
        2,
        BS,
        LANES,
        1,
        None,
        Packed
    ),
    lut!(
        "lut_l16_w63_g3_sf_rf",
        16,
        63,
        int(8),
        T,
        2,
        32768,
        3,
        SF,
        RF,
        16,
        None,
        Packed
    ),
    lut!(
        "lut_l4_w16_g4_bs_k12",
        4,
        16,
        int(8),
        T,
        2,
        12,
        4,
        BS,
        RF,
        8,
        None,
        Packed
    ),
    lut!(
        "lut_l3_w6_g2_sf_eb12",
        3,
        6,
        int(5),
        T,
        3,
        4096,
        2,
        SF,
        LANES,
        1,
        Some(12),
        Aligned
    ),
    lut!(
        "lut_l7_w15_g3_sf_s3",
        7,
        15,
        int(3),
        Precision::TernaryPacked,
        3,
        4096,
        3,
        SF,
        RF,
        7,
        None,
        Aligned
    ),
    // weight registers: token tiles of 2, 4 and 16 (one of each datapath,
    // the bit-serial popcount with II > 1, a pipeline without registers
    // after stage 0 and a tight accumulator that wraps)
    Spec {
        token_tile: 2,
        ..spec!("at_l4_w8_t2", AdderTree, 4, 8, int(8), T, 2, 1, 4096)
    },
    Spec {
        token_tile: 4,
        ..spec!("at_l3_w5_t4_s16", AdderTree, 3, 5, int(4), T, 16, 1, 4096)
    },
    Spec {
        token_tile: 16,
        ..spec!("at_l16_w32_t16", AdderTree, 16, 32, int(8), T, 2, 1, 32768)
    },
    Spec {
        token_tile: 4,
        ..spec!("at_l2_w9_k4_t4", AdderTree, 2, 9, int(8), T, 2, 1, 4)
    },
    Spec {
        token_tile: 4,
        ..spec!("pc_l4_w16_p2_t4", Popcount, 4, 16, int(8), T, 2, 2, 4096)
    },
    Spec {
        token_tile: 16,
        ..spec!("pc_l3_w10_xnor_t16", Popcount, 3, 10, B, B, 1, 1, 4096)
    },
    Spec {
        token_tile: 3,
        ..spec!("pc_l2_w7_p1_t3", Popcount, 2, 7, int(4), T, 1, 1, 4096)
    },
    Spec {
        token_tile: 16,
        ..spec!("mac_l3_w4_t16", Mac, 3, 4, int(8), int(4), 2, 1, 4096)
    },
    Spec {
        token_tile: 2,
        ..lut!(
            "lut_l3_w6_g3_sf_t2",
            3,
            6,
            int(8),
            T,
            2,
            4096,
            3,
            SF,
            RF,
            3,
            None,
            Packed
        )
    },
];

/// The designs also run under Icarus (small ones, one of each kind).
pub const ICARUS: &[&str] = &[
    "at_l1_w1",
    "at_l3_w3_bin",
    "at_l4_w5_b01",
    "at_l1_w9_k4",
    "pc_l3_w13_p3",
    "pc_l2_w1_i4",
    "pc_l8_w32_xnor",
    "pc_l5_w11_and",
    "pc_l4_w9_bb01",
    "mac_l3_w1_i4",
    "mac_l2_w12_i5",
    "lut_l3_w4_g2_sf_rf",
    "lut_l1_w2_g2_bs",
    "lut_l6_w9_g3_bs_bin",
    "at_l3_w5_t4_s16",
    "pc_l4_w16_p2_t4",
    "mac_l3_w4_t16",
];

/// The small designs whose Verilog is committed (tests/golden/).
pub fn golden() -> Vec<Spec> {
    let spec = |name, reduction, lanes, width, acts, weights, stage_levels, ppc| Spec {
        name,
        reduction,
        lanes,
        width,
        acts,
        weights,
        stage_levels,
        ppc,
        max_k: 64,
        lut: None,
        token_tile: 1,
    };
    vec![
        spec(
            "golden_tree",
            Reduction::AdderTree,
            2,
            5,
            Precision::Int(4),
            Precision::Ternary,
            2,
            1,
        ),
        spec(
            "golden_popcount",
            Reduction::Popcount,
            2,
            3,
            Precision::Int(4),
            Precision::Ternary,
            1,
            3,
        ),
        spec(
            "golden_xnor",
            Reduction::Popcount,
            2,
            4,
            Precision::Binary,
            Precision::Binary,
            2,
            1,
        ),
        spec(
            "golden_mac",
            Reduction::Mac,
            2,
            3,
            Precision::Int(4),
            Precision::Int(4),
            1,
            1,
        ),
        Spec {
            lut: Some(LutConfig {
                group: 3,
                table: TableKind::Signfold,
                storage: TableStorage::Regfile,
                read_ports: 2,
                ..LutConfig::default()
            }),
            ..spec(
                "golden_lut",
                Reduction::Lut,
                2,
                6,
                Precision::Int(4),
                Precision::Ternary,
                1,
                1,
            )
        },
        Spec {
            token_tile: 4,
            ..spec(
                "golden_tree_t4",
                Reduction::AdderTree,
                2,
                3,
                Precision::Int(4),
                Precision::Ternary,
                1,
                1,
            )
        },
    ]
}

/// The accelerator of `s` (the edge-ternary preset with its array replaced).
pub fn arch(s: &Spec) -> Accelerator {
    let mut a = preset("edge-ternary").expect("preset");
    a.name = s.name.to_string();
    let ar = &mut a.array;
    ar.reduction = s.reduction;
    ar.lanes = s.lanes;
    ar.width = s.width;
    ar.activations = s.acts;
    ar.weights = s.weights;
    ar.stage_levels = s.stage_levels;
    ar.planes_per_cycle = s.ppc;
    ar.max_k = s.max_k;
    ar.acc_bits = None;
    ar.lut = s.lut.clone();
    ar.token_tile = s.token_tile;
    if s.reduction == Reduction::Lut {
        ar.zeros = ZeroHandling::None;
    }
    a.validate()
        .unwrap_or_else(|e| panic!("matrix design {}: {}", s.name, e.message));
    a
}

/// Every matrix design.
pub fn matrix() -> Vec<Accelerator> {
    MATRIX.iter().map(arch).collect()
}

/// The Verilator build cache of the test suite.
pub fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rtl-cache")
}

/// A fresh work directory for one test.
pub fn work(test: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("rtl-work")
        .join(test);
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("work directory");
    p
}
