//! The accelerator top is generated for small designs and linted clean by
//! `verilator --lint-only -Wall`.

mod accel_common;

use accel_common::small;
use rtl_gen::accel::{emit_accel, AccelParams};

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
        let (files, _) = emit_accel(&p, false);
        let dir = tempfile::tempdir().expect("tmp");
        let mut paths = Vec::new();
        for (name, text) in &files {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            paths.push(path);
        }
        let r = rtl_gen::verilator::lint(&paths, &p.top()).expect("verilator runs");
        assert!(r.clean, "axi {axi}: {}", r.output);
    }
}
