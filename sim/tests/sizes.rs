//! Sizes past 64 bits are refused naming the operator and the quantity (or
//! totals are exact), the DRAM channel honours tiny bandwidths exactly, and
//! a store-bound operator costs the engine no more than a load-bound one.

use sim::arch::preset;
use sim::mapping::MapError;
use sim::{simulate, simulate_with_stats, Accelerator, SimError, SimOptions};
use workloads::{Op, OpKind, Precision, Trace, TraceMeta};

/// edge-ternary without its DRAM capacity: these tests are about counting
/// huge operators exactly, not about whether their data fits.
fn design() -> Accelerator {
    let mut a = preset("edge-ternary").unwrap();
    a.dram.capacity_gib = None;
    a
}

fn op(name: &str, kind: OpKind, m: u64, k: u64, n: u64) -> Op {
    Op {
        name: name.into(),
        kind,
        layer: None,
        inputs: vec![],
        g: 1,
        m,
        k,
        n,
        a: Precision::Fp16,
        w: None,
        out: Precision::Fp16,
        wbytes: 0,
        zeros: None,
        mask: workloads::Mask::Full,
    }
}

fn trace_of(ops: Vec<Op>) -> Trace {
    Trace {
        meta: TraceMeta::default(),
        ops,
    }
}

fn overflow(e: SimError) -> workloads::Overflow {
    match e {
        SimError::Overflow(o) | SimError::Map(MapError::Overflow(o)) => o,
        other => panic!("expected an overflow, got {other}"),
    }
}

#[test]
fn two_products_summing_past_2_64_macs_are_refused_naming_the_second() {
    // fp16 x fp16 products run streamed on the attention unit of a ternary
    // design: 2^63 MACs each fit; their sum 2^64 does not
    let mut a = op("a", OpKind::Linear, 1 << 21, 1 << 21, 1 << 21);
    a.w = Some(Precision::Fp16);
    let mut b = a.clone();
    b.name = "b".into();
    let t = trace_of(vec![a.clone(), b]);
    assert_eq!(t.macs(), 1u128 << 64, "the trace's total is exact");
    let e = overflow(simulate(&design(), &t, SimOptions::default()).unwrap_err());
    assert_eq!(e.op, "b");
    assert!(e.quantity.contains("multiply-accumulates"), "{e}");
    assert!(e.to_string().contains("exceed 2^64 - 1"), "{e}");
}

#[test]
fn a_gemm_of_2_24_cubed_is_refused_naming_the_operator() {
    // on the lane array: 2^72 MACs
    let mut g = op("fc", OpKind::Linear, 1 << 24, 1 << 24, 1 << 24);
    g.a = Precision::INT8;
    g.w = Some(Precision::Ternary);
    let e = overflow(simulate(&design(), &trace_of(vec![g]), SimOptions::default()).unwrap_err());
    assert_eq!(e.op, "fc");
    assert!(e.quantity.contains("multiply-accumulates"), "{e}");
}

#[test]
fn huge_weight_bytes_are_refused_not_wrapped() {
    let mut a = op("table", OpKind::Embed, 1, 8, 8);
    a.wbytes = u64::MAX - 10;
    let mut b = a.clone();
    b.name = "table2".into();
    let t = trace_of(vec![a, b]);
    assert_eq!(t.wbytes(), 2 * u128::from(u64::MAX - 10));
    let e = overflow(simulate(&design(), &t, SimOptions::default()).unwrap_err());
    assert_eq!(e.op, "table");
    assert!(e.quantity.contains("bits moved"), "{e}");
}

#[test]
fn rmsnorm_of_2_62_and_2_63_elements_is_refused() {
    for n in [1u64 << 62, 1 << 63] {
        let e = overflow(
            simulate(
                &design(),
                &trace_of(vec![op("norm", OpKind::RmsNorm, 1, 1, n)]),
                SimOptions::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(e.op, "norm");
    }
    // 2^40 elements: exact bytes (fp16 in and out spill to DRAM)
    let r = simulate(
        &design(),
        &trace_of(vec![op("norm", OpKind::RmsNorm, 1, 1, 1 << 40)]),
        SimOptions::default(),
    )
    .unwrap();
    assert_eq!(r.traffic.dram_read_bytes, 2 << 40);
    assert_eq!(r.traffic.dram_write_bytes, 2 << 40);
    // 2 passes over 2^40 elements at 64 a cycle
    assert!(r.cycles >= 2 * (1u64 << 40) / 64);
}

#[test]
fn tiny_bandwidths_give_different_cycles() {
    // 1000 bytes of an embedding table at 1e-6, 1e-4 and 1e-3 GB/s (1 GHz):
    // 10^9, 10^7 and 10^6 cycles of transfer
    let mut e = op("e", OpKind::Embed, 1, 10, 512);
    e.a = Precision::INT8;
    e.wbytes = 1000;
    let t = trace_of(vec![e]);
    let cycles: Vec<u64> = [1e-6, 1e-4, 1e-3]
        .iter()
        .map(|&bw| {
            let mut a = design();
            a.dram.bandwidth_gbps = bw;
            a.validate().unwrap();
            simulate(&a, &t, SimOptions::default()).unwrap().cycles
        })
        .collect();
    let base = simulate(&design(), &t, SimOptions::default())
        .unwrap()
        .cycles;
    // at 51.2 GB/s the 1000 bytes take ceil(1000 / 51.2) = 20 cycles
    let overhead = base - 20;
    assert_eq!(
        cycles,
        vec![
            1_000_000_000 + overhead,
            10_000_000 + overhead,
            1_000_000 + overhead
        ]
    );
}

#[test]
fn embed_costs_the_engine_what_add_of_the_same_shape_does() {
    // m = 4,194,304 rows of 2560: the embed's stores outrun the vector unit,
    // so the DRAM backlog grows every tile; fast-forward jumps over it
    let mut e = op("e", OpKind::Embed, 4_194_304, 128_256, 2560);
    e.a = Precision::INT8;
    e.wbytes = 1000;
    let add = op("x", OpKind::Add, 4_194_304, 1, 2560);
    let (_, se) =
        simulate_with_stats(&design(), &trace_of(vec![e]), SimOptions::default()).unwrap();
    let (_, sa) =
        simulate_with_stats(&design(), &trace_of(vec![add]), SimOptions::default()).unwrap();
    assert!(
        se.events <= 4 * sa.events.max(10),
        "embed {se:?} vs add {sa:?}"
    );
    assert!(se.events < 100, "{se:?}");
}

#[test]
fn jumping_over_a_store_backlog_changes_no_result() {
    for m in [64u64, 1000, 4096] {
        let mut e = op("e", OpKind::Embed, m, 128_256, 2560);
        e.a = Precision::INT8;
        e.wbytes = 777;
        let mut add = op("x", OpKind::Add, m, 1, 2560);
        add.inputs = vec!["e".into()];
        let t = trace_of(vec![e, add]);
        let on = simulate(
            &design(),
            &t,
            SimOptions {
                fast_forward: true,
                ..SimOptions::default()
            },
        )
        .unwrap();
        let off = simulate(
            &design(),
            &t,
            SimOptions {
                fast_forward: false,
                ..SimOptions::default()
            },
        )
        .unwrap();
        assert_eq!(on, off, "m = {m}");
    }
}
