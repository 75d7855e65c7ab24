//! One module per subcommand.

pub mod check;
pub mod models;
pub mod paper;
pub mod presets;
pub mod sim;
pub mod trace;
