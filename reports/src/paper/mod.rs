//! `onebit paper bitnet-b1.58`'s report ([`bitnet`]) and its plot of
//! FP16, ternary and binary weights across model sizes ([`trend`], also on
//! the demo's page).

pub mod bitnet;
pub mod trend;

pub use trend::{binary_design, csv, figure, sizes, table, SizeRow, ENCODINGS};
