//! One module per subcommand.

pub mod check;
pub mod merge;
pub mod models;
pub mod paper;
pub mod presets;
pub mod report;
pub mod sim;
pub mod trace;
