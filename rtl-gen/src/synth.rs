//! `rtl synth`: Yosys generic synthesis of the generated tile, cell counts
//! by type and a gate-equivalent (GE) total.
//!
//! The design is synthesized hierarchically (`synth -top <design>_tile`,
//! not flattened): the lane module once, the top once, and `stat -top`
//! multiplies the lane's cells by the lane count. The cell types are
//! Yosys's internal gates (`$_AND_`, `$_XOR_`, `$_MUX_`, `$_DFFE_PP_`, ...).
//!
//! GE weights ([`cell_ge`]): each cell's NanGate FreePDK45 Open Cell Library
//! X1 counterpart's area divided by NAND2_X1's (0.798 µm²): NOT 0.67, BUF
//! 1.0, NAND/NOR 1.0, AND/OR/ANDNOT/ORNOT 1.33, AOI3/OAI3 1.33, AOI4/OAI4
//! 1.67, XOR/XNOR 2.0, MUX 2.33, D flip-flop 5.67 (DFF_X1 4.522 µm²), and a
//! flip-flop with enable or synchronous reset 8.0 (a 2:1 mux in front). They
//! are the weights of `energy_model::area::yosys_cell_ge`, so
//! [`SynthReport::cells`] can be handed to
//! `energy_model::area::with_cell_counts` for the array's area (the CLI
//! does).

use crate::design::Design;
use crate::emit::emit_design;
use crate::error::RtlError;
use crate::tools::{require, run, tail, version};
use serde::{Deserialize, Serialize};
use sim::Accelerator;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Version of the synthesis report's layout.
pub const SYNTH_SCHEMA: &str = "onebit-rtl-synth/1";

/// GE of a plain D flip-flop.
pub const DFF_GE: f64 = 5.67;
/// GE of a 2:1 mux (what an enable or a synchronous reset adds to a flip-flop).
pub const MUX_GE: f64 = 2.33;

/// Gate equivalents of one Yosys internal cell, and whether it is a
/// flip-flop; `None` for a type outside the generic gate library.
pub fn cell_ge(cell: &str) -> Option<(f64, bool)> {
    let ge = match cell {
        "$_NOT_" => 0.67,
        "$_BUF_" => 1.0,
        "$_AND_" | "$_OR_" | "$_ANDNOT_" | "$_ORNOT_" => 1.33,
        "$_NAND_" | "$_NOR_" => 1.0,
        "$_XOR_" | "$_XNOR_" => 2.0,
        "$_MUX_" => MUX_GE,
        "$_AOI3_" | "$_OAI3_" => 1.33,
        "$_AOI4_" | "$_OAI4_" => 1.67,
        c if c.starts_with("$_DFF_") => return Some((DFF_GE, true)),
        c if c.starts_with("$_DFFE_")
            || c.starts_with("$_SDFF_")
            || c.starts_with("$_SDFFE_")
            || c.starts_with("$_SDFFCE_") =>
        {
            return Some((DFF_GE + MUX_GE, true))
        }
        _ => return None,
    };
    Some((ge, false))
}

/// The GE total of `cells` (type -> count); refuses a type [`cell_ge`]
/// does not know, naming it.
pub fn gate_equivalents(cells: &BTreeMap<String, u64>) -> Result<f64, RtlError> {
    cells.iter().try_fold(0.0, |sum, (c, &n)| match cell_ge(c) {
        Some((ge, _)) => Ok(sum + ge * n as f64),
        None => Err(RtlError::Unsupported(format!(
            "Yosys cell type `{c}` has no gate-equivalent weight"
        ))),
    })
}

/// Flip-flops among `cells`.
pub fn flops(cells: &BTreeMap<String, u64>) -> u64 {
    cells
        .iter()
        .filter(|(c, _)| cell_ge(c).is_some_and(|(_, ff)| ff))
        .map(|(_, &n)| n)
        .sum()
}

/// What Yosys made of a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthReport {
    /// [`SYNTH_SCHEMA`].
    pub schema: String,
    /// The design name.
    pub design: String,
    /// The top module.
    pub top: String,
    /// `yosys -V`.
    pub yosys: String,
    /// The script run.
    pub script: String,
    /// Cells of the whole tile (all lanes) by type.
    pub cells: BTreeMap<String, u64>,
    /// Their number.
    pub total_cells: u64,
    /// Flip-flops among them.
    pub flops: u64,
    /// Gate equivalents (NAND2 = 1; [`cell_ge`]).
    pub gate_equivalents: f64,
    /// Cells of one instance of each module (its own gates, not its
    /// submodules), by module and type.
    pub modules: BTreeMap<String, BTreeMap<String, u64>>,
    /// Wall time of the Yosys run, seconds.
    pub seconds: f64,
}

impl SynthReport {
    /// The human summary: cells by type with their GE, and the totals.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} ({}): yosys `synth -top {}` in {:.1} s\n",
            self.design, self.yosys, self.top, self.seconds
        );
        let w = self.cells.keys().map(String::len).max().unwrap_or(4).max(4);
        s.push_str(&format!(
            "  {:<w$} {:>10} {:>6} {:>12}\n",
            "cell", "count", "GE", "GE total"
        ));
        for (c, &n) in &self.cells {
            let ge = cell_ge(c).map_or(0.0, |g| g.0);
            s.push_str(&format!(
                "  {c:<w$} {n:>10} {ge:>6.2} {:>12.0}\n",
                ge * n as f64
            ));
        }
        s.push_str(&format!(
            "  {:<w$} {:>10} {:>6} {:>12.0}\n",
            "total", self.total_cells, "", self.gate_equivalents
        ));
        s.push_str(&format!("  flip-flops: {}\n", self.flops));
        s
    }

    /// The report as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report serializes");
        s.push('\n');
        s
    }
}

fn counts(v: &serde_json::Value) -> BTreeMap<String, u64> {
    v.get("num_cells_by_type")
        .and_then(|m| m.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the Yosys `script` in `dir`, which writes its statistics to
/// `stat.json`, and returns them with the run's wall time; `dir` is removed afterwards unless
/// `keep`. A failed run names `top`, with the end of Yosys's output.
pub(crate) fn yosys_stat(
    dir: &Path,
    script: &str,
    what: &str,
    top: &str,
    keep: bool,
) -> Result<(String, f64), RtlError> {
    let ran = run(
        Command::new("yosys")
            .args(["-q", "-p", script])
            .current_dir(dir),
        "yosys",
        what,
        Duration::from_secs(7200),
    )?;
    let stat = std::fs::read_to_string(dir.join("stat.json"));
    if !keep {
        let _ = std::fs::remove_dir_all(dir);
    }
    match (ran.success, stat) {
        (true, Ok(s)) => Ok((s, ran.seconds)),
        _ => Err(RtlError::ToolFailed {
            tool: "yosys".into(),
            what: format!("synthesize {top}"),
            output: tail(&ran.text(), 60),
        }),
    }
}

/// Synthesizes `arch`'s tile with Yosys in `work` (a temporary directory
/// when `None`).
pub fn synthesize(arch: &Accelerator, work: Option<&Path>) -> Result<SynthReport, RtlError> {
    synthesize_design(&Design::new(arch)?, work)
}

/// Synthesizes a checked design.
pub fn synthesize_design(d: &Design, work: Option<&Path>) -> Result<SynthReport, RtlError> {
    require("yosys", "synthesize the generated Verilog")?;
    let ver = version("yosys", "-V")?;
    let dir: PathBuf = match work {
        Some(w) => w.to_path_buf(),
        None => {
            std::env::temp_dir().join(format!("onebit-synth-{}-{}", std::process::id(), d.name))
        }
    };
    std::fs::create_dir_all(&dir).map_err(|e| RtlError::io(&dir, e))?;
    let files = emit_design(d).write(&dir)?;
    let verilog: Vec<String> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "v"))
        .map(|p| {
            p.file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let top = d.top();
    let script = format!(
        "read_verilog {}; synth -top {top}; tee -q -o stat.json stat -json -top {top}",
        verilog.join(" ")
    );
    let (stat, seconds) = yosys_stat(
        &dir,
        &script,
        "synthesize the generated Verilog",
        &top,
        work.is_some(),
    )?;
    let json: serde_json::Value =
        serde_json::from_str(&stat).map_err(|e| RtlError::ToolFailed {
            tool: "yosys".into(),
            what: "write its statistics".into(),
            output: e.to_string(),
        })?;
    let cells = counts(&json["design"]);
    let modules = json["modules"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let mut c = counts(v);
                    // submodule instances are not cells
                    c.retain(|t, _| t.starts_with('$'));
                    (k.trim_start_matches('\\').to_string(), c)
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(SynthReport {
        schema: SYNTH_SCHEMA.into(),
        design: d.name.clone(),
        top,
        yosys: ver,
        script,
        total_cells: cells.values().sum(),
        flops: flops(&cells),
        gate_equivalents: gate_equivalents(&cells)?,
        cells,
        modules,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights() {
        let mut c = BTreeMap::new();
        c.insert("$_XOR_".to_string(), 10);
        c.insert("$_DFF_P_".to_string(), 2);
        c.insert("$_SDFFE_PN0P_".to_string(), 1);
        assert!((gate_equivalents(&c).unwrap() - (20.0 + 2.0 * 5.67 + 8.0)).abs() < 1e-9);
        assert_eq!(flops(&c), 3);
        c.insert("$_FOO_".to_string(), 1);
        assert!(gate_equivalents(&c).is_err());
    }
}
