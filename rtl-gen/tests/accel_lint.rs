//! The accelerator top is generated for small designs and linted clean by
//! `verilator --lint-only -Wall`.

mod accel_common;

use accel_common::{lint_top, small};
use rtl_gen::accel::AccelParams;

#[test]
fn accel_top_lints_clean() {
    for (axi, lanes, width, double) in [
        (64, 8, 16, true),
        (128, 8, 16, false),
        (512, 16, 64, true),
        (64, 16, 16, true),
    ] {
        let arch = small(lanes, width, double);
        let p = AccelParams::new(&arch, axi).expect("builds");
        let r = lint_top(&p);
        assert!(r.clean, "axi {axi}: {}", r.output);
    }
}
