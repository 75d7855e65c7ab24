//! Why a checkpoint is refused: the file, the byte offset, the tensor and
//! what is wrong there.

use std::fmt;
use std::path::{Path, PathBuf};

/// What is wrong with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsErrorKind {
    /// The file cannot be read.
    Io(String),
    /// Neither `GGUF` nor a safetensors header.
    BadMagic,
    /// A GGUF version other than 2 or 3.
    Version(u32),
    /// The file ends inside a structure.
    Truncated(&'static str),
    /// A tensor's data ends past the end of the file.
    PastEnd {
        /// Where the data would end.
        end: u64,
        /// The file size.
        size: u64,
    },
    /// Dimensions whose product (or byte size) overflows.
    Overflow,
    /// A tensor type this reader does not know.
    UnknownType(String),
    /// Data not on the file's alignment.
    Misaligned {
        /// The required alignment.
        alignment: u64,
    },
    /// A shape that does not fit the type's block size or layout.
    Shape(String),
    /// A value that is not allowed (a string not UTF-8, a bad code, ...).
    Invalid(String),
    /// Too many entries to be a real file (work is bounded up front).
    TooMany {
        /// What.
        what: &'static str,
        /// How many the file says.
        count: u64,
        /// The limit.
        limit: u64,
    },
}

impl fmt::Display for WeightsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightsErrorKind::Io(e) => write!(f, "cannot read: {e}"),
            WeightsErrorKind::BadMagic => {
                f.write_str("not a GGUF file (magic `GGUF`) nor a safetensors file (a little-endian u64 header length and a JSON header)")
            }
            WeightsErrorKind::Version(v) => {
                write!(f, "GGUF version {v} is not supported (versions 2 and 3 are)")
            }
            WeightsErrorKind::Truncated(what) => write!(f, "the file ends inside {what}"),
            WeightsErrorKind::PastEnd { end, size } => write!(
                f,
                "tensor data ends at byte {end}, past the end of the file ({size} bytes)"
            ),
            WeightsErrorKind::Overflow => f.write_str("dimensions overflow 64 bits"),
            WeightsErrorKind::UnknownType(t) => write!(
                f,
                "unknown tensor type {t} (known: F32, F16, BF16, Q8_0, TQ1_0, TQ2_0, I2_S; safetensors F32, F16, BF16, U8 packed ternary)"
            ),
            WeightsErrorKind::Misaligned { alignment } => {
                write!(f, "tensor data is not aligned to {alignment} bytes")
            }
            WeightsErrorKind::Shape(s) => f.write_str(s),
            WeightsErrorKind::Invalid(s) => f.write_str(s),
            WeightsErrorKind::TooMany { what, count, limit } => {
                write!(f, "{count} {what} (at most {limit} are read)")
            }
        }
    }
}

/// A refused checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct WeightsError {
    /// The file.
    pub path: PathBuf,
    /// The byte offset of the problem.
    pub offset: u64,
    /// The tensor, when the problem is in one.
    pub tensor: Option<String>,
    /// What is wrong.
    pub kind: WeightsErrorKind,
}

impl WeightsError {
    /// An error in `path` at `offset`.
    pub fn new(
        path: &Path,
        offset: u64,
        tensor: Option<&str>,
        kind: WeightsErrorKind,
    ) -> WeightsError {
        WeightsError {
            path: path.to_path_buf(),
            offset,
            tensor: tensor.map(str::to_string),
            kind,
        }
    }
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: byte {}", self.path.display(), self.offset)?;
        if let Some(t) = &self.tensor {
            write!(f, ", tensor `{t}`")?;
        }
        write!(f, ": {}", self.kind)
    }
}
