//! The accelerator top on the table-lookup (LUT) datapath: signfold
//! (g = 2, the tile's codes stored; g = 3 and 4, the engine's group
//! indices stored and decoded in front of the tile) and bitserial tables
//! (ternary g = 4, binary g = 2), lane tables and a shared register file
//! with a read port a lookup (II = 1), weight registers. Under Verilator with the simulator's DRAM model: every result
//! bit-exact with the bit-exact model's LUT datapath, the layer's start,
//! completion and total equal to the engine's (pinned here), the weight
//! buffer's reads equal to the mapping's; the variants the top does not
//! build refused with the reason.

mod accel_common;

use accel_common::{exact, lint_top, small};
use rtl_gen::accel::AccelParams;
use rtl_gen::error::RtlError;
use sim::arch::Reduction;
use sim::datapath::lut::{IndexEncoding, LutConfig, TableKind, TableStorage};
use sim::Accelerator;
use workloads::Precision;

/// `small(lanes, width, true)` (8 B/cycle, 40 ns DRAM, 4 KiB activation and
/// output buffers) on the LUT datapath `lut` with `weights`, zeros not
/// skipped, a weight tile of 32 chunks (double-buffered).
fn design(
    tag: &str,
    (lanes, width): (u32, u32),
    weights: Precision,
    lut: LutConfig,
) -> Accelerator {
    let mut a = small(lanes, width, true);
    a.name = format!("lut_{tag}");
    a.array.reduction = Reduction::Lut;
    a.array.weights = weights;
    a.array.lut = Some(lut);
    a.array.zeros = sim::arch::ZeroHandling::None;
    let bits = u64::from(sim::bitexact::encoding::weight_bits(weights).expect("integer"));
    let tile_bytes = u64::from(lanes * width) * bits * 32 / 8;
    a.buffers.weights.kib = (tile_bytes * 2).div_ceil(1024) as u32;
    a
}

/// `[array.lut]` with these keys, packed indices, no serial load.
fn lut(group: u32, table: TableKind, storage: TableStorage, read_ports: u32) -> LutConfig {
    LutConfig {
        group,
        table,
        storage,
        read_ports,
        ..LutConfig::default()
    }
}

/// Signfold at g = 2 (4 bits a group: the engine's index is the tile's
/// two 2-bit codes) with lane tables: one layer, a partial last group of 4
/// lanes with a K split, a short last chunk of 8 elements; a shared
/// register file of 8 read ports behind weight registers (token_tile 2: 64
/// weight-buffer reads for 3 tokens instead of 96).
#[test]
fn signfold_is_exact() {
    let mut got = Vec::new();
    let sf = design(
        "sf",
        (8, 16),
        Precision::Ternary,
        lut(2, TableKind::Signfold, TableStorage::Lanes, 1),
    );
    got.push(exact(&sf, 64, (2, 256, 16)));
    // a partial last group of 4 lanes and 2 K tiles
    got.push(exact(&sf, 64, (2, 768, 20)));
    // a short last chunk of 8 elements (4 groups of 2)
    got.push(exact(&sf, 64, (2, 264, 16)));
    // the register file of 8 ports behind weight registers: one build
    // proves both (the register file at token_tile 1 is g3's and bt's
    // below)
    let mut tt = design(
        "rf",
        (8, 16),
        Precision::Ternary,
        lut(2, TableKind::Signfold, TableStorage::Regfile, 8),
    );
    tt.name = "lut_tt".into();
    tt.array.token_tile = 2;
    got.push(exact(&tt, 64, (3, 256, 16)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 205), (168, 669), (106, 211), (104, 221)]);
}

/// Bitserial tables: ternary at g = 4 (two planes of 4 bits: 8 bits a
/// group, the codes' 8) from a shared register file of 16 ports, binary at
/// g = 2 (1 bit a weight) with lane tables.
#[test]
fn bitserial_is_exact() {
    let mut got = Vec::new();
    let bt = design(
        "bt",
        (8, 16),
        Precision::Ternary,
        lut(4, TableKind::Bitserial, TableStorage::Regfile, 16),
    );
    got.push(exact(&bt, 64, (2, 256, 16)));
    let bb = design(
        "bb",
        (8, 16),
        Precision::Binary,
        lut(2, TableKind::Bitserial, TableStorage::Lanes, 1),
    );
    got.push(exact(&bb, 64, (2, 256, 32)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(got, vec![(104, 205), (72, 245)]);
}

/// Signfold groups of 3 and 4 with the engine's group indices in the
/// weight buffer (5 and 7 bits a group, 1.67 and 1.75 bits a weight),
/// decoded in front of the tile: g = 4 on 8 x 64 (a 896-bit word of 128
/// indices) with lane tables, one layer and a partial last group of 4
/// lanes; g = 3 on 8 x 48 (a width that is not a power of two: the
/// sequencer divides K by 48 with a constant multiply) from a register file
/// of 8 ports, one layer, a K split of 40 chunks into 38 + 2 with a partial
/// group, a short last chunk (its groups' indices group-major), and aligned
/// 8-bit indices.
#[test]
fn signfold_indices_are_exact() {
    let mut got = Vec::new();
    let g4 = design(
        "g4",
        (8, 64),
        Precision::Ternary,
        lut(4, TableKind::Signfold, TableStorage::Lanes, 1),
    );
    got.push(exact(&g4, 64, (2, 256, 16)));
    got.push(exact(&g4, 64, (2, 512, 20)));
    let g3 = design(
        "g3",
        (8, 48),
        Precision::Ternary,
        lut(3, TableKind::Signfold, TableStorage::Regfile, 8),
    );
    got.push(exact(&g3, 64, (2, 192, 16)));
    got.push(exact(&g3, 64, (2, 1920, 20)));
    // a short last chunk of 24 elements: 8 groups of every lane, group-major
    got.push(exact(&g3, 64, (2, 216, 16)));
    let mut al = g3.clone();
    al.name = "lut_g3a".into();
    al.array.lut.as_mut().expect("lut").index = IndexEncoding::Aligned;
    got.push(exact(&al, 64, (2, 192, 16)));
    // the engine's start / done of each case (= the RTL's, checked above)
    assert_eq!(
        got,
        vec![
            (96, 165),
            (152, 341),
            (80, 133),
            (420, 1307),
            (85, 145),
            (104, 181)
        ]
    );
}

/// An index decoder that ignores the negate bit (`Mutation::IndexSign`:
/// every group decoded as its table entry's stored pattern, the sign fold
/// undone) is caught: the timing is the engine's, but the results are not
/// the bit-exact model's.
#[test]
fn decoder_without_the_sign_fold_is_caught() {
    let a = design(
        "g3",
        (8, 48),
        Precision::Ternary,
        lut(3, TableKind::Signfold, TableStorage::Regfile, 8),
    );
    let mut p = AccelParams::new(&a, 64).expect("builds");
    p.mutation = rtl_gen::accel::params::Mutation::IndexSign;
    assert_eq!(accel_common::wrong_results(&p, (2, 192, 16)), 32);
}

/// A short last chunk that ends in a partial group of 3 (`g = 3` on 32 x
/// 24 from a register file of a port a lane, AXI 64): K = 40 is a chunk of
/// 24 and a short one of 16 = 5 x 3 + 1, whose 6th group holds one weight
/// and two missing ones, stored as a whole index with them 0 (as the
/// bit-exact model pads them): 32 x 6 x 5 = 960 bits, 15 beats, and a tile
/// of 32 x 14 indices = 280 bytes, the engine's count. (32 lanes: at 64
/// bits and whole 8-byte rows, `lanes x ceil(K / 3) x 5` bits are whole
/// beats only with a multiple of 32 lanes, `ceil(K / 3)` having at most
/// one factor of 2.) Exact with the engine's start / done pinned; the same
/// top counting the short chunk's groups rounded down
/// (`Mutation::PartialGroupDropped`) leaves the partial group unloaded and
/// is caught (the RTL 3 cycles early, 46 of 64 results wrong).
#[test]
fn partial_last_group_is_exact() {
    let a = design(
        "pg",
        (32, 24),
        Precision::Ternary,
        lut(3, TableKind::Signfold, TableStorage::Regfile, 32),
    );
    assert_eq!(exact(&a, 64, (2, 40, 32)), (75, 84));
    let mut p = AccelParams::new(&a, 64).expect("builds");
    p.mutation = rtl_gen::accel::params::Mutation::PartialGroupDropped;
    let r = rtl_gen::accel::check::check_gemm(&p, 2, 40, 32, &accel_common::opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    let rtl = r.rtl.expect("the layer ran");
    // the short chunk's 6 x 32 indices counted as 5 x 32: 800 bits, 12
    // beats instead of 15, the RTL 3 cycles ahead of the engine's 75 / 84,
    // 46 of 64 results wrong
    assert_eq!((r.engine.start, r.engine.done), (75, 84));
    assert_eq!((rtl.start, rtl.done, r.wrong_results), (72, 81, 46));
}

/// The LUT variants the top does not build are refused with the reason: a
/// bitserial index that is not its codes' bits (aligned at g = 3: 8 bits
/// against 6), a short last chunk whose indices (a partial group a whole
/// one) are not whole beats, the edge-lut preset's 2B-4T k decode (K =
/// 2560: a last chunk of 40 elements, 14 groups of 3 the last of one
/// weight, taken; but its weight tile of 51 x 854 indices, 27,222 bytes,
/// is not whole 64-byte beats), a serial input load with weight registers
/// (their feeder offers a chunk a cycle; `tests/accel_lut_serial.rs` has
/// the built ones), and a shared table with fewer read ports than
/// lookups (II > 1, refused by the tile generator).
#[test]
fn lut_refusals_name_the_reason() {
    let why = |a: &Accelerator| match AccelParams::new(a, 64) {
        Err(RtlError::Unsupported(w)) => w,
        other => panic!("{}: expected a refusal, got {other:?}", a.name),
    };
    let mut bs = design(
        "bs",
        (8, 48),
        Precision::Ternary,
        lut(3, TableKind::Bitserial, TableStorage::Lanes, 1),
    );
    bs.array.lut.as_mut().expect("lut").index = IndexEncoding::Aligned;
    let w = why(&bs);
    assert!(
        w.contains("8-bit table index") && w.contains("signfold tables only"),
        "{w}"
    );
    let g3 = design(
        "g3",
        (8, 48),
        Precision::Ternary,
        lut(3, TableKind::Signfold, TableStorage::Lanes, 1),
    );
    let p = AccelParams::new(&g3, 64).expect("builds");
    // K = 200: a short chunk of 8 elements, 3 groups (the last of 2
    // weights) of 8 lanes x 5 bits = 120 bits, not whole 64-bit beats
    let w = p.refuses_layer(2, 200, 16).expect("refused");
    assert!(
        w.contains("last chunk of 8 of the width 48, whose 120 bits"),
        "{w}"
    );
    // edge-lut builds (its 5,355-bit words through the weight gearbox, its
    // 504-bit input words through the input gearbox); the 2B-4T k decode's
    // K = 2560 leaves a last chunk of 40 elements, 14 groups a lane (the
    // last of one weight): the layer is taken, its weight tile is not
    // whole beats
    let edge = sim::arch::preset("edge-lut").expect("preset");
    let p = AccelParams::new(&edge, 512).expect("builds");
    assert!(p.wgear() && p.agear());
    assert_eq!(p.refuses_layer(1, 2560, 640), None);
    assert_eq!(p.weight_bytes(51, 2560), 27_222);
    let w = p.refuses_tile(p.weight_bytes(51, 2560)).expect("refused");
    assert!(
        w.contains("weight tile of 27222 bytes is not whole 64-byte beats"),
        "{w}"
    );
    let mut serial = design(
        "se",
        (8, 16),
        Precision::Ternary,
        lut(2, TableKind::Signfold, TableStorage::Lanes, 1),
    );
    serial.array.lut.as_mut().expect("lut").load_elems = Some(4);
    serial.array.token_tile = 2;
    let w = why(&serial);
    assert!(
        w.contains("load_elems` = 4") && w.contains("= 4 cycles") && w.contains("token_tile` = 2"),
        "{w}"
    );
    let shared = design(
        "sh",
        (8, 16),
        Precision::Ternary,
        lut(2, TableKind::Signfold, TableStorage::Regfile, 4),
    );
    let w = why(&shared);
    assert!(w.contains("over 2 cycles"), "{w}");
}

/// The top of every LUT variant above lints clean (`verilator --lint-only
/// -Wall`, the top's documented waivers only).
#[test]
fn lut_tops_lint_clean() {
    let designs = [
        design(
            "sf",
            (8, 16),
            Precision::Ternary,
            lut(2, TableKind::Signfold, TableStorage::Lanes, 1),
        ),
        design(
            "rf",
            (8, 16),
            Precision::Ternary,
            lut(2, TableKind::Signfold, TableStorage::Regfile, 8),
        ),
        design(
            "bt",
            (8, 16),
            Precision::Ternary,
            lut(4, TableKind::Bitserial, TableStorage::Regfile, 16),
        ),
        design(
            "bb",
            (8, 16),
            Precision::Binary,
            lut(2, TableKind::Bitserial, TableStorage::Lanes, 1),
        ),
        design(
            "g4",
            (8, 64),
            Precision::Ternary,
            lut(4, TableKind::Signfold, TableStorage::Lanes, 1),
        ),
        design(
            "g3",
            (8, 48),
            Precision::Ternary,
            lut(3, TableKind::Signfold, TableStorage::Regfile, 8),
        ),
        design(
            "g3a",
            (8, 48),
            Precision::Ternary,
            LutConfig {
                index: IndexEncoding::Aligned,
                ..lut(3, TableKind::Signfold, TableStorage::Regfile, 8)
            },
        ),
    ];
    for a in &designs {
        let p = AccelParams::new(a, 64).expect("builds");
        let l = lint_top(&p);
        assert!(l.clean, "{}: {}", a.name, l.output);
    }
}
