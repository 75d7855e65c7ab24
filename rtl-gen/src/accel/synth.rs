//! `rtl synth --top accel`: Yosys on the accelerator top with the buffers'
//! SRAM macros as blackboxes (their area is the energy model's SRAM
//! table's), hierarchically, so the cells divide by block: the compute
//! tile (its lanes and its control) and each block of the top
//! ([`super::BLOCKS`], one module each: the buffers' control, the DMA, the
//! sequencer, the AXI4 master, the AXI4-Lite slave, the descriptor table).
//! The compute tile is synthesized on its own, exactly as `rtl synth --top
//! tile` does (its files alone, `synth -top <tile>`), and read as a
//! blackbox beside the SRAMs when the top's blocks are: Yosys's technology
//! mapping depends on the names it gives the cells it creates, which count
//! up across every module of a run, so the lanes synthesized beside the
//! top's blocks came out a few cells off their own synthesis whenever a
//! block changed; apart, the tile's cells are its own synthesis's.
//! Every block but the lanes is control: the energy model's control area
//! takes their cells when given the report's JSON
//! (`energy_model::area::with_control_cells`).

use super::{emit_accel, AccelParams};
use crate::error::RtlError;
use crate::synth::{flops, gate_equivalents, yosys_stat};
use crate::tools::{require, version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Version of the accelerator's synthesis report (`--json`).
pub const ACCEL_SYNTH_SCHEMA: &str = "onebit-rtl-synth-accel/1";

/// Cells of one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// The block's key: `lanes`, `tile_control`, one of [`super::BLOCKS`],
    /// or `top` (the instances' glue).
    pub block: String,
    /// What it is.
    pub name: String,
    /// The module (for the lanes: the lane module, its cells times the lanes).
    pub module: String,
    /// Control (every block but the lanes).
    pub control: bool,
    /// All cells.
    pub total_cells: u64,
    /// Cells by type (every instance).
    pub cells: BTreeMap<String, u64>,
    /// Gate equivalents.
    pub ge: f64,
    /// Flip-flops.
    pub flops: u64,
}

/// What Yosys made of the accelerator top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccelSynth {
    /// [`ACCEL_SYNTH_SCHEMA`].
    pub schema: String,
    /// The design (the tile's name).
    pub design: String,
    /// The top module.
    pub top: String,
    /// `yosys -V`.
    pub yosys: String,
    /// The blocks.
    pub blocks: Vec<Block>,
    /// The SRAM macros left as blackboxes: (module, words, bits).
    pub srams: Vec<(String, u64, u32)>,
    /// Seconds.
    pub seconds: f64,
}

impl AccelSynth {
    /// The cells of every control block, by type, summed.
    pub fn control_cells(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for b in self.blocks.iter().filter(|b| b.control) {
            for (c, n) in &b.cells {
                *m.entry(c.clone()).or_insert(0) += n;
            }
        }
        m
    }

    /// The report as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report serializes");
        s.push('\n');
        s
    }

    /// The human summary.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} ({}): yosys, SRAMs as blackboxes, {:.1} s\n",
            self.top, self.yosys, self.seconds
        );
        let _ = writeln!(
            s,
            "  {:<52} {:>10} {:>10} {:>12}",
            "block", "cells", "flip-flops", "GE"
        );
        let (mut cells, mut ff, mut ge) = (0, 0, 0.0);
        for b in &self.blocks {
            let label = if b.block == "lanes" {
                b.name.clone()
            } else {
                format!("{} ({})", b.name, b.module)
            };
            let _ = writeln!(
                s,
                "  {label:<52} {:>10} {:>10} {:>12.0}",
                b.total_cells, b.flops, b.ge
            );
            if b.control {
                cells += b.total_cells;
                ff += b.flops;
                ge += b.ge;
            }
        }
        let _ = writeln!(
            s,
            "  {:<52} {:>10} {:>10} {:>12.0}",
            "control (every block but the lanes)", cells, ff, ge
        );
        for (m, w, bits) in &self.srams {
            let _ = writeln!(s, "  {m:<52} blackbox: {w} x {bits} bits");
        }
        s
    }
}

fn counts(v: &serde_json::Value) -> BTreeMap<String, u64> {
    v.get("num_cells_by_type")
        .and_then(|m| m.as_object())
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with('$'))
                .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

fn block(
    key: &str,
    name: String,
    module: String,
    cells: BTreeMap<String, u64>,
) -> Result<Block, RtlError> {
    Ok(Block {
        block: key.into(),
        name,
        module,
        control: key != "lanes",
        total_cells: cells.values().sum(),
        ge: gate_equivalents(&cells)?,
        flops: flops(&cells),
        cells,
    })
}

/// Synthesizes the top of `p` in `work` (a temporary directory when `None`).
pub fn synthesize_accel(p: &AccelParams, work: Option<&Path>) -> Result<AccelSynth, RtlError> {
    require("yosys", "synthesize the generated Verilog")?;
    let ver = version("yosys", "-V")?;
    let dir: PathBuf = match work {
        Some(w) => w.to_path_buf(),
        None => std::env::temp_dir().join(format!("onebit-accel-synth-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| RtlError::io(&dir, e))?;
    let (files, manifest) = emit_accel(p, true);
    let tile_files: Vec<String> = crate::emit_design(&p.tile)
        .verilog
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    // the tile alone, as its own synthesis runs it
    let tdir = dir.join("tile");
    std::fs::create_dir_all(&tdir).map_err(|e| RtlError::io(&tdir, e))?;
    let (mut logic, mut libs) = (Vec::new(), Vec::new());
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| RtlError::io(&path, e))?;
        if tile_files.contains(name) {
            let path = tdir.join(name);
            std::fs::write(&path, text).map_err(|e| RtlError::io(&path, e))?;
        }
        if tile_files.contains(name)
            || manifest
                .buffers
                .iter()
                .any(|b| format!("{}.v", b.0) == *name)
        {
            libs.push(name.clone());
        } else {
            logic.push(name.clone());
        }
    }
    let tile_top = p.tile.top();
    let (tile_stat, tile_s) = yosys_stat(
        &tdir,
        &format!(
            "read_verilog {}; synth -top {tile_top}; tee -q -o stat.json stat -json -top {tile_top}",
            tile_files.join(" ")
        ),
        "synthesize the compute tile",
        &tile_top,
        work.is_some(),
    )?;
    let tile_json: serde_json::Value =
        serde_json::from_str(&tile_stat).map_err(|e| RtlError::ToolFailed {
            tool: "yosys".into(),
            what: "write its statistics".into(),
            output: e.to_string(),
        })?;
    let top = p.top();
    let script = format!(
        "read_verilog -lib {}; read_verilog {}; synth -top {top}; tee -q -o stat.json stat -json",
        libs.join(" "),
        logic.join(" ")
    );
    let (stat, seconds) = yosys_stat(
        &dir,
        &script,
        "synthesize the accelerator top",
        &top,
        work.is_some(),
    )?;
    // Yosys prints the hierarchy's instance counts into the JSON as bare
    // lines when a blackbox is present; they are not JSON and are dropped
    let stat: String = stat
        .lines()
        .filter(|l| l.contains(['"', '{', '}', '[', ']']))
        .collect::<Vec<_>>()
        .join("\n");
    let json: serde_json::Value =
        serde_json::from_str(&stat).map_err(|e| RtlError::ToolFailed {
            tool: "yosys".into(),
            what: "write its statistics".into(),
            output: e.to_string(),
        })?;
    let module_of = |json: &serde_json::Value, m: &str| {
        json["modules"]
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.trim_start_matches('\\') == m))
            .map(|(_, v)| counts(v))
            .unwrap_or_default()
    };
    let module = |m: &str| module_of(&json, m);
    let lanes = p.lanes();
    let mut lane_cells = module_of(&tile_json, &p.tile.lane_module());
    for v in lane_cells.values_mut() {
        *v *= lanes;
    }
    let mut blocks = vec![
        block(
            "lanes",
            format!("lanes ({lanes} x {})", p.tile.lane_module()),
            p.tile.lane_module(),
            lane_cells,
        )?,
        block(
            "tile_control",
            "tile control".into(),
            p.tile.top(),
            module_of(&tile_json, &p.tile.top()),
        )?,
    ];
    for b in &manifest.blocks {
        blocks.push(block(
            &b.block,
            b.role.split(':').next().unwrap_or(&b.block).to_string(),
            b.module.clone(),
            module(&b.module),
        )?);
    }
    blocks.push(block(
        super::partition::TOP,
        "top, instances only".into(),
        top.clone(),
        module(&top),
    )?);
    Ok(AccelSynth {
        schema: ACCEL_SYNTH_SCHEMA.into(),
        design: p.tile.name.clone(),
        top,
        yosys: ver,
        blocks,
        srams: manifest.buffers,
        seconds: seconds + tile_s,
    })
}
