//! What the generator and its tool drivers fail with.

use std::path::PathBuf;

/// The install hint every missing-tool error carries.
pub const INSTALL_HINT: &str =
    "run `scripts/setup` (as root it installs them), or `apt-get install verilator yosys iverilog`";

/// Everything `rtl-gen` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RtlError {
    /// A design the generator does not build (floating point, a systolic
    /// dataflow, an invalid description); the message says why.
    #[error("{0}")]
    Unsupported(String),
    /// A tool that is not on `PATH`.
    #[error("`{tool}` is not installed (needed to {purpose}); {INSTALL_HINT}")]
    ToolMissing {
        /// The program.
        tool: String,
        /// What it was needed for.
        purpose: String,
    },
    /// A tool that ran and failed.
    #[error("{tool} failed to {what}:\n{output}")]
    ToolFailed {
        /// The program.
        tool: String,
        /// What it was asked to do.
        what: String,
        /// Its output (the interesting part).
        output: String,
    },
    /// A file or directory that cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The cycle model refused the stimulus (a generator bug).
    #[error("the tile model: {0}")]
    Model(#[from] sim::tile::TileError),
    /// The bit-exact model refused the design or a value.
    #[error("the bit-exact model: {0}")]
    BitExact(#[from] sim::bitexact::BitExactError),
}

impl RtlError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> RtlError {
        RtlError::Io {
            path: path.into(),
            source,
        }
    }
}
