//! Small designs for the accelerator tests.
#![allow(dead_code)]

use sim::arch::preset;
use sim::Accelerator;

/// An adder-tree ternary design of `lanes x width`, weight buffer of 32
/// chunks a tile (double-buffered or not), small activation and output
/// buffers, a transaction-level DRAM of 8 B/cycle and 40 ns.
pub fn small(lanes: u32, width: u32, double: bool) -> Accelerator {
    let mut a = preset("edge-ternary").expect("preset");
    a.name = format!("acc_l{lanes}_w{width}");
    a.array.lanes = lanes;
    a.array.width = width;
    a.array.token_tile = 1;
    let tile_bytes = u64::from(lanes * width * 2) * 32 / 8;
    let kib = |b: u64| b.div_ceil(1024) as u32;
    a.buffers.weights.kib = kib(tile_bytes * if double { 2 } else { 1 }).max(1);
    a.buffers.weights.double_buffered = double;
    a.buffers.activations.kib = 4;
    a.buffers.outputs.kib = 4;
    a.dram.bandwidth_gbps = 8.0;
    a.dram.latency_ns = 40.0;
    a
}

/// Check options with the shared build cache (`target/tmp/accel-cache`)
/// and the DRAM library built from the sources at hand (on demand, once a
/// test binary).
pub fn opts() -> rtl_gen::accel::check::AccelOptions {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    static LIB: std::sync::OnceLock<Result<std::path::PathBuf, String>> =
        std::sync::OnceLock::new();
    let lib = LIB
        .get_or_init(|| rtl_gen::accel::dram_lib::ensure(env!("CARGO"), &root))
        .clone()
        .unwrap_or_else(|why| panic!("{why}"));
    rtl_gen::accel::check::AccelOptions {
        cache: Some(root.join("target/tmp/accel-cache")),
        dram_lib: Some(lib),
        ..Default::default()
    }
}

/// The mapper the mapping tests search with (objective cycles).
pub const CYCLES: sim::mapping::Mapper = sim::mapping::Mapper::Search {
    objective: sim::mapping::Objective::Cycles,
    prices: None,
};

/// [`opts`] with the layer mapped by [`CYCLES`].
pub fn mapped() -> rtl_gen::accel::check::AccelOptions {
    rtl_gen::accel::check::AccelOptions {
        mapper: CYCLES,
        ..opts()
    }
}

/// `a` with the banked DRAM model (LPDDR5-6400, one channel).
pub fn banked(mut a: Accelerator) -> Accelerator {
    a.dram.model = sim::arch::DramModelKind::Banked;
    a.dram.preset = Some("lpddr5-6400".into());
    a.dram.channels = Some(1);
    a.name.push_str("_bk");
    a
}

/// One layer: exact timing, every result bit-exact, the weight-buffer
/// reads the mapping's; the engine's `(start, done)` (pinned by the caller).
pub fn exact(a: &Accelerator, axi: u32, shape: (u64, u64, u64)) -> (u64, u64) {
    let r = exact_with(a, axi, shape, &opts());
    (r.engine.start, r.engine.done)
}

/// [`exact`] with the check options `o` (e.g. [`mapped`]); the report.
pub fn exact_with(
    a: &Accelerator,
    axi: u32,
    (m, k, n): (u64, u64, u64),
    o: &rtl_gen::accel::check::AccelOptions,
) -> rtl_gen::accel::check::AccelReport {
    let p = rtl_gen::accel::AccelParams::new(a, axi).expect("builds");
    let r = rtl_gen::accel::check::check_gemm(&p, m, k, n, o).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    assert_eq!(r.results, (m * n) as usize);
    assert_eq!(r.wrong_results, 0);
    let rtl = r.rtl.expect("the layer ran");
    assert_eq!(
        (rtl.start, rtl.done, rtl.total),
        (r.engine.start, r.engine.done, r.engine.total)
    );
    let (engine_reads, rtl_reads) = r.wreads;
    assert_eq!(engine_reads, Some(rtl_reads as u64), "weight-buffer reads");
    r
}

/// A broken datapath (`p` carries the mutation) on one layer: it runs to the
/// end at the engine's timing, and the check fails on its results; the
/// number of wrong results (pinned by the caller).
pub fn wrong_results(p: &rtl_gen::accel::AccelParams, (m, k, n): (u64, u64, u64)) -> usize {
    let r = rtl_gen::accel::check::check_gemm(p, m, k, n, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(r.finished);
    let rtl = r.rtl.expect("the layer ran");
    assert_eq!(
        (rtl.start, rtl.done, rtl.total),
        (r.engine.start, r.engine.done, r.engine.total)
    );
    r.wrong_results
}

/// `verilator --lint-only -Wall` of the top of `p`, its files written to a
/// temporary directory.
pub fn lint_top(p: &rtl_gen::accel::AccelParams) -> rtl_gen::verilator::LintReport {
    let (files, _) = rtl_gen::accel::emit_accel(p, false);
    let dir = tempfile::tempdir().expect("tmp");
    let mut paths = Vec::new();
    for (name, text) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        paths.push(path);
    }
    rtl_gen::verilator::lint(&paths, &p.top()).expect("verilator runs")
}

/// Asserts a layer whose outputs are stored per tile ran as the engine
/// says: its prediction `engine`, the RTL's start / done / total the same,
/// `stores` stores issued and answered, and all `results` right.
pub fn assert_stored_exact(
    r: &rtl_gen::accel::check::AccelReport,
    engine: rtl_gen::accel::image::LayerTiming,
    stores: u64,
    results: usize,
) {
    assert_eq!(r.engine, engine, "the engine's prediction");
    assert_eq!(r.rtl, Some(engine), "{}", r.summary());
    assert_eq!(
        (r.stores.0, r.stores.1),
        (stores, stores as i64),
        "{}",
        r.summary()
    );
    assert_eq!((r.results, r.wrong_results), (results, 0));
}

/// Asserts that the check's refusal `msg` names the engine's spill of
/// `bytes` of partial sums and that the top does not build it.
pub fn assert_spill_refused(msg: &str, bytes: u64) {
    assert!(
        msg.contains(&format!(
            "the partial sums spilled ({bytes} B written and read back)"
        )),
        "{msg}"
    );
    assert!(
        msg.contains("the top does not spill partial sums to DRAM"),
        "{msg}"
    );
}
