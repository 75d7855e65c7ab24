//! The control's area from the synthesized accelerator instead of the
//! `control_overhead` share.
//!
//! By default the area model prices control and interconnect as
//! `control_overhead` times the datapaths' gate equivalents (an assumption
//! of the technology table). When the accelerator's RTL has been
//! synthesized (`onebit rtl synth --top accel --arch A --json FILE`, schema
//! `onebit-rtl-synth-accel/1`), the Yosys cells of every block but the
//! lanes (the tile's control, the buffers' control, the DMA, the
//! sequencer, the AXI4 master, the AXI4-Lite slave, the descriptor table)
//! replace it ([`with_control_cells`]; `onebit sim --control-cells FILE`),
//! priced with the same per-cell GE weights as the lane array's counts
//! ([`crate::area::yosys_cell_ge`]). The report's `control_source` says
//! which was used.

use crate::area::{mm2, yosys_cell_ge, AreaReport, UnknownCell};
use crate::tech::Technology;
use serde::Deserialize;
use sim::Accelerator;
use std::collections::BTreeMap;

/// The schema this reader takes.
pub const SCHEMA: &str = "onebit-rtl-synth-accel/1";

/// The control's synthesized cells.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlCells {
    /// The design they were synthesized from.
    pub design: String,
    /// Cells by Yosys type, summed over the control blocks.
    pub cells: BTreeMap<String, u64>,
    /// The control blocks with cells, in the file's order.
    pub blocks: Vec<String>,
}

/// Why a synthesis file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlCellsError {
    /// Not JSON of the expected shape.
    #[error("not a `{SCHEMA}` report: {0}")]
    Format(String),
    /// Another schema.
    #[error(
        "schema `{0}`, expected `{SCHEMA}` (written by `onebit rtl synth --top accel --json`)"
    )]
    Schema(String),
    /// No control block.
    #[error("the report has no control block")]
    Empty,
}

#[derive(Deserialize)]
struct File {
    schema: String,
    design: String,
    blocks: Vec<FileBlock>,
}

#[derive(Deserialize)]
struct FileBlock {
    block: String,
    control: bool,
    cells: BTreeMap<String, u64>,
}

impl ControlCells {
    /// Reads the JSON of `onebit rtl synth --top accel --json`.
    pub fn from_json(text: &str) -> Result<ControlCells, ControlCellsError> {
        let f: File =
            serde_json::from_str(text).map_err(|e| ControlCellsError::Format(e.to_string()))?;
        if f.schema != SCHEMA {
            return Err(ControlCellsError::Schema(f.schema));
        }
        let mut cells = BTreeMap::new();
        let mut blocks = Vec::new();
        for b in f
            .blocks
            .into_iter()
            .filter(|b| b.control && b.cells.values().any(|&n| n > 0))
        {
            for (c, n) in b.cells {
                *cells.entry(c).or_insert(0) += n;
            }
            blocks.push(b.block);
        }
        if blocks.is_empty() {
            return Err(ControlCellsError::Empty);
        }
        Ok(ControlCells {
            design: f.design,
            cells,
            blocks,
        })
    }

    /// Gate equivalents at `t`'s weights.
    pub fn ge(&self, t: &Technology) -> Result<f64, UnknownCell> {
        self.cells.iter().try_fold(0.0, |sum, (c, &n)| {
            let (g, _) = yosys_cell_ge(t, c).ok_or_else(|| UnknownCell(c.clone()))?;
            Ok(sum + g * n as f64)
        })
    }
}

/// `a` (the area of `arch`) with its control priced from `c` instead of
/// `control_overhead`; the area outside the core follows the new core.
pub fn with_control_cells(
    arch: &Accelerator,
    mut a: AreaReport,
    t: &Technology,
    c: &ControlCells,
) -> Result<AreaReport, UnknownCell> {
    let ge = c.ge(t)?;
    a.control_ge = ge;
    a.control_mm2 = mm2(t, ge);
    a.control_source = format!(
        "yosys cell counts of `{}` ({})",
        c.design,
        c.blocks.join(", ")
    );
    a.system = crate::system_area::SystemArea::of(arch, t, &a);
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tech::Key;
    use sim::arch::preset;

    const FILE: &str = r#"{"schema": "onebit-rtl-synth-accel/1", "design": "d", "top": "d_accel",
        "blocks": [
          {"block": "lanes", "control": false, "cells": {"$_XOR_": 1000}},
          {"block": "dma", "control": true, "cells": {"$_AND_": 300, "$_DFF_P_": 10}},
          {"block": "sequencer", "control": true, "cells": {"$_AND_": 100, "$_SDFFE_PP0P_": 5}},
          {"block": "top", "control": true, "cells": {}}
        ]}"#;

    /// 400 AND (1.33 GE) + 10 DFF (the table's DffGe) + 5 flip-flops with
    /// enable and reset (DffGe + a 2:1 mux, 2.33): the lanes' cells left out.
    #[test]
    fn control_cells_replace_the_overhead_share() {
        let t = Technology::default_7nm();
        let c = ControlCells::from_json(FILE).expect("reads");
        assert_eq!(c.blocks, vec!["dma", "sequencer"]);
        assert_eq!(c.cells["$_AND_"], 400);
        let dff = t.get(Key::DffGe);
        let want = 400.0 * 1.33 + 10.0 * dff + 5.0 * (dff + 2.33);
        assert!((c.ge(&t).unwrap() - want).abs() < 1e-9);
        let arch = preset("edge-ternary").unwrap();
        let est = crate::area::estimate(&arch, &t);
        assert!(est.control_source.starts_with("estimate"));
        let a = with_control_cells(&arch, est.clone(), &t, &c).unwrap();
        assert!((a.control_ge - want).abs() < 1e-9);
        let mm2 = want * t.get(Key::Nand2Um2) / t.get(Key::LogicUtilization) / 1e6;
        assert!((a.control_mm2 - mm2).abs() < 1e-15);
        assert_eq!(a.array_mm2, est.array_mm2, "the rest is unchanged");
        assert!(
            a.control_source.contains("dma, sequencer"),
            "{}",
            a.control_source
        );
    }

    #[test]
    fn other_files_are_refused() {
        assert!(matches!(
            ControlCells::from_json(&FILE.replace("accel/1", "accel/9")),
            Err(ControlCellsError::Schema(_))
        ));
        assert!(matches!(
            ControlCells::from_json("{}"),
            Err(ControlCellsError::Format(_))
        ));
        assert!(matches!(
            ControlCells::from_json(&FILE.replace("true", "false")),
            Err(ControlCellsError::Empty)
        ));
        let t = Technology::default_7nm();
        let c = ControlCells::from_json(&FILE.replace("$_AND_", "$_MAGIC_")).unwrap();
        assert!(c.ge(&t).is_err());
    }
}
