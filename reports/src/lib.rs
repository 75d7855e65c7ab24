//! Reports: what architects read and show. Tables, plots (SVG and PNG),
//! self-contained HTML pages and Markdown summaries of simulation runs,
//! of the BitNet paper comparison, and of design-space sweeps; the sweeps
//! themselves (grids and random samples over any key of the accelerator
//! description, constraints, shards) and their Pareto fronts.
//!
//! The crate computes and renders; it writes nothing itself: every report
//! is an [`Output`], a list of files that the command line writes.

pub mod chart;
pub mod chips;
pub mod datapaths;
pub mod demo;
pub mod dram;
pub mod fonts;
pub mod format;
pub mod json_error;
pub mod layer_run;
pub mod onchip;
pub mod output;
pub mod page;
pub mod paper;
pub mod paper_throughput;
pub mod pareto;
mod raster;
pub mod run;
pub mod sim_report;
pub mod sim_text;
pub mod sweep;
pub mod system;
pub mod table;
pub mod weights;

pub use output::Output;
pub use page::{Block, Card, Figure, Page};
pub use run::Run;
pub use table::{Align, Table};
