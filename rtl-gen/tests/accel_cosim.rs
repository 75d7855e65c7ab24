//! The accelerator top under Verilator with the simulator's DRAM model in
//! the loop: results bit-exact, layer start, completion and total equal to
//! the engine's prediction.

mod accel_common;

use accel_common::{opts, small};
use rtl_gen::accel::check::check_gemm;
use rtl_gen::accel::AccelParams;

#[test]
fn single_layer_exact_transaction_model() {
    let p = AccelParams::new(&small(8, 16, true), 64).expect("builds");
    let r = check_gemm(&p, 1, 256, 32, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
}
