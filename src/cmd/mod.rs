//! One module per subcommand.

pub mod check;
pub mod models;
pub mod trace;
