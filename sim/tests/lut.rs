//! The table-lookup datapath (`sim::datapath::lut`): entries and index
//! bits against bitnet.cpp's TL1/TL2 and T-MAC, hand-computed tables and
//! lookups, the `[array.lut]` keys' refusals, and the read-port conflicts.

use sim::datapath::lut::*;
use workloads::Precision;
#[test]
fn entries_and_index_bits_match_the_published_kernels() {
    // TL2: 14 entries for g = 3, 5 bits per 3 weights
    let s = |g: u32, kind: TableKind, w: Precision| {
        let mut a = sim::arch::preset("edge-ternary").unwrap().array;
        a.reduction = sim::arch::Reduction::Lut;
        a.weights = w;
        a.width = 12;
        a.lut = Some(LutConfig {
            group: g,
            table: kind,
            ..LutConfig::default()
        });
        LutShape::of(&a)
    };
    let tl2 = s(3, TableKind::Signfold, Precision::Ternary);
    assert_eq!((tl2.entries, tl2.index_bits, tl2.build_adds), (14, 5, 10));
    assert!((tl2.bits_per_weight() - 5.0 / 3.0).abs() < 1e-12);
    let g2 = s(2, TableKind::Signfold, Precision::Ternary);
    assert_eq!((g2.entries, g2.index_bits), (5, 4));
    assert_eq!(g2.bits_per_weight(), 2.0);
    let g4 = s(4, TableKind::Signfold, Precision::Ternary);
    assert_eq!((g4.entries, g4.index_bits), (41, 7));
    // T-MAC g = 4: 8 of 16 entries stored, 4 bits a plane
    let tm = s(4, TableKind::Bitserial, Precision::Binary);
    assert_eq!(
        (tm.entries, tm.index_bits, tm.planes, tm.build_adds),
        (8, 4, 1, 14)
    );
    let tt = s(4, TableKind::Bitserial, Precision::Ternary);
    assert_eq!((tt.index_bits, tt.planes), (8, 2));
    // int8: sums of three values in [-128, 127] lie in [-384, 384]: 10 bits
    assert_eq!(entry_bits_for(Precision::INT8, 3), 10);
    // g = 4: +512 needs 11 bits; g = 2: [-256, 256], 10 bits
    assert_eq!(entry_bits_for(Precision::INT8, 4), 11);
    assert_eq!(entry_bits_for(Precision::INT8, 2), 10);
    // int2, g = 2: [-4, 4], 4 bits
    assert_eq!(entry_bits_for(Precision::Int(2), 2), 4);
}

fn refused(text: &str) -> sim::arch::ArchError {
    sim::arch::from_toml(text).unwrap_err()
}

#[test]
fn keys_are_checked_by_name_value_and_range() {
    let base = sim::arch::preset_text("edge-lut").unwrap();
    let e = refused(&base.replace("group = 3", "group = 5"));
    assert_eq!(e.key, "array.lut.group");
    assert!(e.message.contains("from 2 to 4"), "{}", e.message);
    assert!(e.line > 1 && e.col == 1, "{e:?}");
    let e = refused(&base.replace("group = 3", "group = 2"));
    assert_eq!(e.key, "array.width");
    assert!(
        e.message.contains("multiple of `array.lut.group` = 2"),
        "{e}"
    );
    let e = refused(&base.replace("index = \"packed\"", "entry_bits = 9"));
    assert_eq!(e.key, "array.lut.entry_bits");
    assert!(e.message.contains("need 10 bits"), "{e}");
    let e = refused(&base.replace("read_ports = 51", "read_ports = 0"));
    assert_eq!(e.key, "array.lut.read_ports");
    let e = refused(&base.replace("zeros = \"none\"", "zeros = \"gate\""));
    assert_eq!(e.key, "array.zeros");
    let e = refused(&base.replace("weights = \"ternary\"", "weights = \"binary\""));
    assert_eq!(e.key, "array.weights");
    assert!(e.message.contains("bitserial"), "{e}");
    let e = refused(&base.replace("table = \"signfold\"", "table = \"dense\""));
    assert_eq!(e.key, "array.lut.table");
    let e = refused(&base.replace("reduction = \"lut\"", "reduction = \"adder-tree\""));
    assert_eq!(e.key, "array.lut");
    // the preset: TL2's 5 bits per 3 weights, one chunk a cycle
    let a = sim::arch::preset("edge-lut").unwrap();
    let s = LutShape::of(&a.array);
    assert_eq!((s.index_bits, s.entries, s.groups), (5, 14, 21));
    assert_eq!(a.timing().initiation_interval, 1);
}

#[test]
fn read_port_conflicts_set_the_initiation_interval() {
    let mut a = sim::arch::preset("edge-lut").unwrap().array;
    for (ports, ii) in [(51, 1), (50, 2), (26, 2), (18, 3), (1, 51)] {
        a.lut.as_mut().unwrap().read_ports = ports;
        assert_eq!(
            a.reduction.module().timing(&a).initiation_interval,
            ii,
            "{ports}"
        );
    }
    // lane storage needs no ports; bitserial ternary doubles the lookups
    let c = a.lut.as_mut().unwrap();
    c.storage = TableStorage::Lanes;
    assert_eq!(LutShape::of(&a).initiation_interval(48), 1);
    let c = a.lut.as_mut().unwrap();
    c.storage = TableStorage::Sram;
    c.table = TableKind::Bitserial;
    c.read_ports = 48;
    assert_eq!(LutShape::of(&a).initiation_interval(48), 2);
}

#[test]
fn hand_computed_signfold_and_bitserial() {
    // weights (+1, -1, 0), acts (5, 7, -3): 5 - 7 = -2
    // v = 2 + 0*3 + 1*9 = 11 < mid = 13: the negation of entry 2
    let (neg, e) = signfold_index(&[1, -1, 0]);
    assert_eq!((neg, e), (true, 2));
    // entry 2 is pattern 15 = digits (0, 2, 1): weights (-1, +1, 0)
    assert_eq!(signfold_pattern(2, 3), vec![-1, 1, 0]);
    let t = build_table(TableKind::Signfold, &[5, 7, -3]);
    assert_eq!(t.len(), 14);
    assert_eq!(t[2], 2);
    assert_eq!(t[0], 0);
    assert_eq!(signfold_index(&[-1, 1, 0]), (false, 2));
    // every stored pattern's highest nonzero weight is +1
    for e in 1..14 {
        let p = signfold_pattern(e, 3);
        assert_eq!(p.iter().rev().find(|&&w| w != 0), Some(&1), "{e}");
    }
    // bitserial, binary planes (+1, -1, +1, +1) . (1, 2, 3, 4) = 6
    let (neg, e) = bitserial_index(&[1, -1, 1, 1]);
    let t = build_table(TableKind::Bitserial, &[1, 2, 3, 4]);
    let v = t[e as usize];
    assert_eq!(if neg { -v } else { v }, 6);
}

/// One INT8 x ternary linear operator of `m` tokens.
fn lut_linear(m: u64, k: u64, n: u64) -> workloads::Op {
    workloads::Op::linear("proj", m, k, n, Precision::Ternary)
}

/// Cycles the lane array is occupied by `op` on `arch`.
fn occupancy(arch: &sim::Accelerator, op: workloads::Op) -> u64 {
    let t = workloads::Trace {
        meta: workloads::TraceMeta::default(),
        ops: vec![op],
    };
    let plans = sim::mapping::map_trace(arch, &t).unwrap();
    plans.iter().map(|p| p.tiles.sum(|w| w.occupancy())).sum()
}

#[test]
fn serial_input_load_adds_its_cycles_once_per_chunk_and_token() {
    // tellme-v2: 16 lanes x 84 activations; K = 200 is two chunks of 84
    // and one of 32. At 5 activations a cycle a token's load is
    // ceil(84/5) + ceil(84/5) + ceil(32/5) = 17 + 17 + 7 = 41 cycles, at 1
    // a cycle 200; for 3 tokens 123 and 600, whatever the feature groups
    // (N = 16: one, N = 48: three; the tables serve every group).
    let mut a = sim::arch::preset("tellme-v2").unwrap();
    let with = |a: &mut sim::Accelerator, e: Option<u32>| {
        a.array.lut.as_mut().unwrap().load_elems = e;
        a.clone()
    };
    for n in [16, 48] {
        let base = occupancy(&with(&mut a, None), lut_linear(3, 200, n));
        let e5 = occupancy(&with(&mut a, Some(5)), lut_linear(3, 200, n));
        let e1 = occupancy(&with(&mut a, Some(1)), lut_linear(3, 200, n));
        assert_eq!(e5 - base, 123, "N = {n}");
        assert_eq!(e1 - base, 600, "N = {n}");
    }
    // the whole chunk in one cycle: one cycle a chunk and token, 3 x 3
    let base = occupancy(&with(&mut a, None), lut_linear(3, 200, 48));
    let e84 = occupancy(&with(&mut a, Some(84)), lut_linear(3, 200, 48));
    assert_eq!(e84 - base, 9);
}

#[test]
fn serial_input_load_is_checked_by_name_value_and_range() {
    let base = sim::arch::preset_text("tellme-v2").unwrap();
    for bad in ["load_elems = 0", "load_elems = 85"] {
        let e = refused(&base.replace("load_elems = 1", bad));
        assert_eq!(e.key, "array.lut.load_elems", "{bad}");
        assert!(e.message.contains("from 1 to 84"), "{}", e.message);
        assert!(e.line > 1, "{e:?}");
    }
    // it round-trips through the written TOML
    let a = sim::arch::preset("tellme-v2").unwrap();
    assert_eq!(a.array.lut.as_ref().unwrap().load_elems, Some(1));
    let back = sim::arch::from_toml(&sim::arch::to_toml(&a)).unwrap();
    assert_eq!(back, a);
}
