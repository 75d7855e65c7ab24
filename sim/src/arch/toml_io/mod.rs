//! Reading and writing accelerator descriptions as TOML, with validation.
//!
//! [`from_toml`] parses, deserializes and validates a description; every
//! error carries the 1-based line and column of the offending key (or
//! value) and its dotted key path, e.g. `12:1: `array.lanes` = 0 is out of
//! range: expected an integer from 1 to 4096`. [`to_toml`] writes a
//! commented file, one comment with unit and range above every key, that
//! [`from_toml`] reads back to the same description.
//!
//! The accepted ranges are [`Accelerator::validate`]'s and are documented
//! key by key in docs/accelerator.md.

use crate::arch::{
    acc_bits_for, Accelerator, AttentionMapping, Dataflow, Reduction, SramConfig, ZeroHandling,
};
use std::ops::Range;
use toml_edit::{ImDocument, TableLike};
use workloads::Precision;

/// An accelerator description that does not parse, deserialize or
/// validate, with the position of the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct ArchError {
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// 1-based column (in characters) of the offending key or value.
    pub col: usize,
    /// Dotted path of the offending key (`array.lanes`); empty when the
    /// error is not about one key (e.g. a syntax error before any key).
    pub key: String,
    /// What is wrong; names the key, its value and what is accepted.
    pub message: String,
}

/// A value [`Accelerator::validate`] refuses: the key, the value as written
/// in TOML, and a message naming both and the accepted range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    /// Dotted key path, e.g. `array.lanes`.
    pub key: String,
    /// The refused value as TOML would write it (strings quoted).
    pub value: String,
    /// E.g. "`array.lanes` = 0 is out of range: expected an integer from 1 to 4096".
    pub message: String,
}

mod limits;
mod message;
mod read;
mod validate;
mod write;

pub use limits::*;
pub use message::*;
pub use read::*;
pub use validate::*;
pub use write::*;

#[cfg(test)]
mod tests;
