//! The Icarus Verilog driver: compile with `iverilog -g2005`, run with `vvp`.

use crate::error::RtlError;
use crate::tools::{require, run, tail, version};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A compiled simulation.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The `vvp` image.
    pub image: PathBuf,
    /// Wall time of the compile.
    pub seconds: f64,
    /// `iverilog -V`.
    pub version: String,
}

/// Compiles `sources` (compile order) with top module `top` into `work/sim.vvp`.
pub fn compile(sources: &[PathBuf], top: &str, work: &Path) -> Result<Compiled, RtlError> {
    require("iverilog", "compile the co-simulation")?;
    require("vvp", "run the co-simulation")?;
    let ver = version("iverilog", "-V")?;
    let image = work.join("sim.vvp");
    let ran = run(
        Command::new("iverilog")
            .args(["-g2005", "-s", top, "-o"])
            .arg(&image)
            .args(sources),
        "iverilog",
        "compile the co-simulation",
        Duration::from_secs(1800),
    )?;
    if !ran.success || !image.exists() {
        return Err(RtlError::ToolFailed {
            tool: "iverilog".into(),
            what: "compile the co-simulation".into(),
            output: tail(&ran.text(), 60),
        });
    }
    Ok(Compiled {
        image,
        seconds: ran.seconds,
        version: ver,
    })
}

/// `iverilog -g2005` of `files` without running anything: does Icarus accept them?
pub fn parse(files: &[PathBuf], top: &str, work: &Path) -> Result<(), RtlError> {
    require("iverilog", "parse the generated Verilog")?;
    let out = work.join(format!("{top}.parse.vvp"));
    let ran = run(
        Command::new("iverilog")
            .args(["-g2005", "-s", top, "-o"])
            .arg(&out)
            .args(files),
        "iverilog",
        "parse the generated Verilog",
        Duration::from_secs(600),
    )?;
    let _ = std::fs::remove_file(&out);
    if ran.success && ran.text().trim().is_empty() {
        Ok(())
    } else {
        Err(RtlError::ToolFailed {
            tool: "iverilog".into(),
            what: format!("parse {top}"),
            output: tail(&ran.text(), 60),
        })
    }
}
