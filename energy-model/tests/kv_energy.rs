//! The KV-cache precision reaches the energy: DRAM and SRAM energy of a
//! decode step fall with the cache's bytes, the attention arithmetic stays
//! at the unit's precision.

use energy_model::{energy, Technology};
use sim::arch::preset;
use sim::{simulate, SimOptions};
use workloads::trace::{generate, TraceOptions};
use workloads::{zoo, KvFormat, Precision};

#[test]
fn smaller_kv_cache_less_memory_energy() {
    let m = zoo::find("bitnet-b1.58-2B-4T").unwrap();
    let a = preset("edge-ternary").unwrap();
    let t = Technology::default_7nm();
    let run = |kv: Option<KvFormat>| {
        let tr = generate(
            &m,
            &TraceOptions {
                kv,
                ..TraceOptions::default()
            },
        )
        .unwrap();
        let r = simulate(&a, &tr, SimOptions::default()).unwrap();
        energy::estimate(&a, &r, &t).per_token_pj
    };
    let fp16 = run(None);
    let int8 = run(Some(KvFormat::new(Precision::INT8, 64)));
    let int4 = run(Some(KvFormat::new(Precision::INT4, 64)));
    assert!(int8.dram < fp16.dram && int4.dram < int8.dram);
    assert!(int4.total() < int8.total() && int8.total() < fp16.total());
    // the DRAM energy falls by the bytes saved: 72.66 MiB of 1273.13 at INT8
    let saved = (fp16.dram - int8.dram) / fp16.dram;
    assert!((saved - 72.66 / 1273.45).abs() < 0.002, "{saved}");
    assert_eq!(fp16.attention, int8.attention);
}
