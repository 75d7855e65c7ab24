//! Co-simulation of the generated RTL against the simulator's tile model:
//! every design of the matrix under Verilator (one shared build), a subset
//! under Icarus, and broken RTL that the check must catch. The tools are
//! required: a missing one fails the test with the install hint.

mod common;

use common::{arch, cache, golden, matrix, work, ICARUS, MATRIX};
use rtl_gen::check::{run_cases, Case, CheckOptions, Simulator};

/// The vectors exercise what they should: offers refused (the skid buffer
/// full), outputs held under back-pressure, idle cycles.
fn exercised(c: &Case) {
    use rtl_gen::replay::{IN_READY, IN_VALID, OUT_READY, OUT_VALID};
    let r = &c.replay;
    let name = &c.design().name;
    assert!(r.count(IN_VALID, IN_READY) > 0, "{name}: no offer refused");
    assert!(r.count(OUT_VALID, OUT_READY) > 0, "{name}: no output held");
    assert!(r.count(0, IN_VALID) > 0, "{name}: no gap in in_valid");
    if c.design().token_tile() > 1 {
        let reused = r.pool.iter().filter(|k| !k.loads_weights()).count();
        assert!(reused > 0, "{name}: no chunk reuses the lanes' weights");
    }
}

fn cases(seed: u64, vectors: usize, only: Option<&[&str]>) -> Vec<Case> {
    MATRIX
        .iter()
        .enumerate()
        .filter(|(_, s)| match only {
            Some(o) => o.contains(&s.name),
            None => true,
        })
        .map(|(i, s)| {
            let c = Case::new(&arch(s), seed + i as u64, vectors)
                .unwrap_or_else(|e| panic!("{}: {e}", s.name));
            exercised(&c);
            c
        })
        .collect()
}

#[test]
fn verilator_matrix_agrees_bit_and_cycle_exactly() {
    let opts = CheckOptions {
        cache: Some(cache()),
        work: Some(work("verilator_matrix")),
        ..CheckOptions::default()
    };
    let r = run_cases(cases(100, 300, None), &opts).unwrap_or_else(|e| panic!("{e}"));
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!(r.cases.len(), matrix().len());
    for c in &r.cases {
        assert!(c.lint.clean, "{}: {}", c.design, c.lint.output);
        assert!(
            c.reductions >= 10,
            "{}: {} reductions",
            c.design,
            c.reductions
        );
        assert_eq!(c.mismatches(), 0, "{}", c.design);
    }
    // the tight-accumulator designs really wrap (a reduction beyond max_k)
    let wrapped: Vec<&str> = r
        .cases
        .iter()
        .filter(|c| c.wrapped)
        .map(|c| c.design.as_str())
        .collect();
    assert!(wrapped.contains(&"at_l1_w9_k4"), "{wrapped:?}");
    assert!(wrapped.contains(&"lut_l4_w16_g4_bs_k12"), "{wrapped:?}");
}

#[test]
fn icarus_subset_agrees_bit_and_cycle_exactly() {
    let opts = CheckOptions {
        sim: Simulator::Icarus,
        work: Some(work("icarus_subset")),
        ..CheckOptions::default()
    };
    // the subset, and the golden designs (their committed Verilog is proven too)
    let mut all = cases(200, 150, Some(ICARUS));
    for (i, s) in golden().iter().enumerate() {
        let c = Case::new(&arch(s), 300 + i as u64, 150).expect("golden case");
        exercised(&c);
        all.push(c);
    }
    let r = run_cases(all, &opts).unwrap_or_else(|e| panic!("{e}"));
    println!("{}", r.summary());
    assert_eq!(r.cases.len(), ICARUS.len() + golden().len());
    assert!(r.passed(), "{}", r.summary());
}

/// Broken RTL must fail the check: the checker is not vacuous.
#[test]
fn broken_rtl_is_caught() {
    let faults: [(&str, &str, &str); 5] = [
        // the handshake
        (
            "at_l4_w5_b01",
            "assign in_ready = ",
            "assign in_ready = done ^ ",
        ),
        // the accumulator is not cleared between reductions
        (
            "pc_l3_w13_p3",
            "wire acc_zero = done ? ~arr_valid : to_out;",
            "wire acc_zero = done ? ~arr_valid : 1'b0;",
        ),
        // no reduction ever ends
        (
            "mac_l2_w12_i5",
            "wire arr_last = ",
            "wire arr_last = 1'b0 & ",
        ),
        // weight registers: a finished token's partial sum is added to the
        // next reduction of another token
        ("at_l4_w8_t2", "wire wait_tok = ", "wire wait_tok = 1'b0 & "),
        // the lanes load weights with every chunk
        (
            "at_l3_w5_t4_s16",
            "wire wload = accept & in_wload;",
            "wire wload = accept;",
        ),
    ];
    let mut broken = Vec::new();
    for (name, from, to) in faults {
        let spec = MATRIX
            .iter()
            .find(|s| s.name == name)
            .expect("in the matrix");
        let mut c = Case::new(&arch(spec), 7, 300).expect("case");
        let mut changed = false;
        for (_, text) in &mut c.emitted.verilog {
            if text.contains(from) {
                *text = text.replacen(from, to, 1);
                changed = true;
            }
        }
        assert!(changed, "{name}: `{from}` not found");
        broken.push(c);
    }
    let opts = CheckOptions {
        sim: Simulator::Icarus,
        work: Some(work("broken_rtl")),
        ..CheckOptions::default()
    };
    let r = run_cases(broken, &opts).unwrap_or_else(|e| panic!("{e}"));
    println!("{}", r.summary());
    for c in &r.cases {
        assert!(c.mismatches() > 0, "{} passed with a fault", c.design);
        assert!(!c.messages.is_empty(), "{}", c.design);
    }
    assert!(!r.passed());
}
