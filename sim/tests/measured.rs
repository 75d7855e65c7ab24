//! Measured weight statistics in the lane array's mapping: zero skipping
//! runs the densest lane's chunks, the weight registers scale with the
//! measured toggles, and without a profile nothing changes.

use sim::arch::{preset, ZeroHandling};
use sim::mapping::{map_op, map_op_measured, ChunkCost};
use sim::measured::MeasuredWeights;
use workloads::weights::stats::iid_toggle_rate;
use workloads::{Op, OpKind, Precision};

fn op() -> Op {
    Op {
        name: "L0.gate".into(),
        kind: OpKind::Linear,
        layer: Some(0),
        inputs: vec![],
        g: 1,
        m: 1,
        k: 256,
        n: 256,
        a: Precision::INT8,
        w: Some(Precision::Ternary),
        out: Precision::INT8,
        wbytes: 256 * 256 / 4,
        zeros: Some(0.5),
        mask: workloads::Mask::default(),
    }
}

fn measured(densest: f64, toggle: Option<f64>) -> MeasuredWeights {
    MeasuredWeights {
        zero_share: 0.5,
        densest_lane_share: densest,
        toggle_rate: toggle,
        lanes: 64,
        width: 64,
    }
}

#[test]
fn skipping_runs_the_densest_lane() {
    let mut arch = preset("edge-ternary").expect("preset");
    arch.array.zeros = ZeroHandling::Skip;
    let c = ChunkCost::of(&arch);
    let o = op();
    let assumed = map_op(&arch, &c, &o).expect("plan");
    // i.i.d. zeros in 64-position windows: the densest of 64 lanes has
    // more than 32 nonzeros in practically every window, so the 4 chunks
    // stay 4; the measured densest lane needs 160 of 256: 3 chunks
    let m = measured(0.623, Some(iid_toggle_rate(0.3101)));
    let real = map_op_measured(&arch, &c, &o, Some(&m)).expect("plan");
    let busy = |p: &sim::mapping::OpPlan| p.tiles.sum(|t| t.busy);
    assert_eq!(busy(&assumed) * 3, busy(&real) * 4);
    assert_eq!(assumed.activity.zero_terms_skipped, 0);
    assert_eq!(real.activity.zero_terms_skipped, 256 * (256 - 160));
    // statistics of another geometry are not used
    let other = MeasuredWeights { width: 32, ..m };
    assert_eq!(
        map_op_measured(&arch, &c, &o, Some(&other)).expect("plan"),
        assumed
    );
}

#[test]
fn weight_registers_follow_the_toggles() {
    let arch = preset("edge-ternary").expect("preset");
    let c = ChunkCost::of(&arch);
    let o = op();
    let base = map_op(&arch, &c, &o).expect("plan").activity.reg_bits;
    // at the i.i.d. rate of the default zero share nothing changes
    let same = measured(
        0.7,
        Some(iid_toggle_rate(Precision::Ternary.default_zero_fraction())),
    );
    assert_eq!(
        map_op_measured(&arch, &c, &o, Some(&same))
            .expect("plan")
            .activity
            .reg_bits,
        base
    );
    // no toggles: the weight registers (256 lanes x 4 chunks x 64 x 2 bits) vanish
    let none = measured(0.7, Some(0.0));
    let got = map_op_measured(&arch, &c, &o, Some(&none))
        .expect("plan")
        .activity
        .reg_bits;
    assert_eq!(base - got, 256 * 4 * 64 * 2);
    // unmeasured toggles (rows of one chunk) keep the assumption
    let unknown = measured(0.7, None);
    let kept = map_op_measured(&arch, &c, &o, Some(&unknown))
        .expect("plan")
        .activity
        .reg_bits;
    assert_eq!(kept, base);
}
