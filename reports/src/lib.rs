//! Reports: tables, plots, HTML and Markdown pages, JSON/CSV export and
//! design-space sweeps.

pub mod table;

pub use table::{Align, Table};
