//! Every generated design is accepted by all three tools: `verilator
//! --lint-only -Wall` is clean, Icarus (`iverilog -g2005`) compiles it and
//! Yosys reads and elaborates it. The matrix designs, the golden designs
//! and the integer edge presets (the FP16 ones are refused by the
//! generator).

mod common;

use common::{arch, golden, matrix, work};
use rtl_gen::emit;
use rtl_gen::tools::{require, run};
use sim::arch::preset;
use sim::Accelerator;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The integer edge presets (the 256 x 256 datacenter designs lint clean
/// too, but take Verilator half a minute each: docs/rtl.md).
const PRESETS: [&str; 4] = ["edge-ternary", "edge-int8", "edge-popcount", "edge-xnor"];

fn accepted(a: &Accelerator, dir: &std::path::Path) -> Result<(), String> {
    let e = emit(a).map_err(|e| e.to_string())?;
    let files: Vec<PathBuf> = e
        .write(dir)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .collect();
    let top = e.design.top();
    let lint = rtl_gen::verilator::lint(&files, &top).map_err(|e| e.to_string())?;
    if !lint.clean {
        return Err(format!("{top}: verilator lint:\n{}", lint.output));
    }
    rtl_gen::icarus::parse(&files, &top, dir).map_err(|e| e.to_string())?;
    let script = format!(
        "read_verilog {}; hierarchy -check -top {top}; proc; check -assert",
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let ran = run(
        Command::new("yosys").args(["-q", "-p", &script]),
        "yosys",
        "read the generated Verilog",
        Duration::from_secs(600),
    )
    .map_err(|e| e.to_string())?;
    if !ran.success {
        return Err(format!("{top}: yosys:\n{}", ran.text()));
    }
    Ok(())
}

#[test]
fn every_design_lints_clean_and_is_read_by_icarus_and_yosys() {
    for tool in ["verilator", "iverilog", "yosys"] {
        require(tool, "check the generated Verilog").unwrap_or_else(|e| panic!("{e}"));
    }
    let mut designs: Vec<Accelerator> = matrix();
    designs.extend(golden().iter().map(arch));
    designs.extend(PRESETS.iter().map(|p| preset(p).expect("preset")));
    let root = work("lint");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(a) = designs.get(i) else { break };
                let dir = root.join(&a.name);
                if let Err(e) = accepted(a, &dir) {
                    failures
                        .lock()
                        .expect("lock")
                        .push(format!("{}: {e}", a.name));
                }
            });
        }
    });
    let failures = failures.into_inner().expect("lock");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
