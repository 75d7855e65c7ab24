//! A layer whose transfers the AXI bus limits: an 8x16 design on a 64-bit
//! bus (8 B a cycle) with a DRAM of 32 B a cycle. The check's design carries
//! the bus (`dram.bus_bits` = the AXI width), so the engine and the
//! testbench's DRAM model both time each transfer by its beats, and the RTL
//! is exact; the same check with the bus taken out of the design (the
//! DRAM's rate alone) predicts too early and fails.

mod accel_common;

use accel_common::{exact, opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// The 8x16 double-buffered design with a DRAM four times the 64-bit bus.
fn fast_dram() -> Accelerator {
    let mut a = small(8, 16, true);
    a.name.push_str("_d32");
    a.dram.bandwidth_gbps = 32.0;
    a
}

/// Decode, 1 x 256 x 32: four weight tiles of 512 B. Each is 64 beats on the
/// R channel (16 cycles of the DRAM's rate): the first's data is there
/// after the 40 cycles of latency, its last beat in cycle 103, so the first
/// tile starts at 104 (the DRAM alone: 40 + 16 = 56); the others follow a
/// tile every 64 cycles of the bus.
#[test]
fn a_bus_limited_layer_is_exact() {
    let (start, done) = exact(&fast_dram(), 64, (1, 256, 32));
    assert_eq!(start, 104);
    assert_eq!(done, 316);
}

/// The bus taken out of the check's design: the engine and the testbench's
/// DRAM model time the transfers at the DRAM's 32 B a cycle, the RTL's
/// beats take 8 B a cycle: its start and done are later and the check fails.
#[test]
fn without_the_bus_the_check_fails() {
    let mut p = AccelParams::new(&fast_dram(), 64).expect("builds");
    assert_eq!(p.arch.dram.bus_bits, Some(64));
    p.arch.dram.bus_bits = None;
    let r = check_gemm(&p, 1, 256, 32, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert_eq!(r.wrong_results, 0);
    let rtl = r.rtl.expect("the layer ran");
    assert_eq!(r.engine.start, 56);
    assert!(rtl.start > r.engine.start && rtl.done > r.engine.done);
}

/// A `dram.bus_bits` other than the top's AXI width is refused.
#[test]
fn a_design_bus_other_than_the_axi_width_is_refused() {
    let mut a = fast_dram();
    a.dram.bus_bits = Some(128);
    let e = AccelParams::new(&a, 64).expect_err("refused");
    assert!(e.to_string().contains("dram.bus_bits"), "{e}");
    a.dram.bus_bits = Some(64);
    assert!(AccelParams::new(&a, 64).is_ok());
}
