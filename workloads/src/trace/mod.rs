//! Layer traces: the list of operators of one forward step of a model,
//! their text format (see `docs/trace-format.md`), and the generator that
//! expands a model into a trace.

mod fuse;
mod generate;
mod parser;
mod writer;

pub use fuse::fuse_attention;
pub use generate::{generate, TraceGenError, TraceOptions};
pub use parser::{parse, TraceParseError};
pub use writer::write;

use crate::op::Op;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The trace format version this build reads and writes.
pub const TRACE_VERSION: u32 = 2;

/// The oldest trace format version this build still reads (version 1 has
/// no `mask` attribute: its attention operators are read as `mask=full`).
pub const TRACE_VERSION_MIN: u32 = 1;

/// Which step of inference a trace describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// One new token per sequence, attending to a KV cache of `seq` tokens.
    Decode,
    /// A prompt of `seq` tokens per sequence, processed at once.
    Prefill,
    /// Speculative-decoding verification: `draft` drafted tokens per
    /// sequence checked in one step against a KV cache of `seq` tokens
    /// (queries causal among themselves).
    Verify,
}

impl Phase {
    /// The name used on the command line and in traces.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Decode => "decode",
            Phase::Prefill => "prefill",
            Phase::Verify => "verify",
        }
    }

    /// Parses `decode`, `prefill` or `verify`.
    pub fn from_name(s: &str) -> Option<Phase> {
        match s {
            "decode" => Some(Phase::Decode),
            "prefill" => Some(Phase::Prefill),
            "verify" => Some(Phase::Verify),
            _ => None,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a trace is of: the `meta` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceMeta {
    /// Model name (a preset, a config file's name, or anything the user chose).
    pub model: String,
    /// Decode or prefill.
    pub phase: Phase,
    /// Sequences processed together.
    pub batch: u64,
    /// KV-cache length for decode and verify; prompt length for prefill.
    pub seq: u64,
    /// Drafted tokens per sequence verified in the step (verify; 0 otherwise).
    #[serde(default)]
    pub draft: u64,
    /// The LM head shares the embedding table (counted once in the
    /// weights' memory footprint).
    #[serde(default)]
    pub tied_embeddings: bool,
}

impl TraceMeta {
    /// Tokens one step of this trace produces or consumes: `batch` for decode,
    /// `batch * seq` for prefill, `batch * draft` for verify.
    pub fn tokens(&self) -> u64 {
        match self.phase {
            Phase::Decode => self.batch,
            // the product is bounded by the parser and the generator; saturate beyond
            Phase::Prefill => self.batch.saturating_mul(self.seq),
            Phase::Verify => self.batch.saturating_mul(self.draft.max(1)),
        }
    }
}

impl Default for TraceMeta {
    fn default() -> Self {
        TraceMeta {
            model: "unnamed".into(),
            phase: Phase::Decode,
            batch: 1,
            seq: 1,
            draft: 0,
            tied_embeddings: false,
        }
    }
}

/// A layer trace: operators in an order where every operator comes after
/// the operators it reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// What the trace is of.
    pub meta: TraceMeta,
    /// Operators, each after its inputs.
    pub ops: Vec<Op>,
}

impl Trace {
    /// Total multiply-accumulates of the matrix products, exact (a sum of
    /// operators' counts can exceed 2^64).
    pub fn macs(&self) -> u128 {
        self.ops
            .iter()
            .map(Op::macs)
            .fold(0u128, u128::saturating_add)
    }

    /// Total bytes of weights, caches and tables read, exact.
    pub fn wbytes(&self) -> u128 {
        self.ops.iter().map(|o| u128::from(o.wbytes)).sum()
    }

    /// The operator called `name`.
    pub fn op(&self, name: &str) -> Option<&Op> {
        self.ops.iter().find(|o| o.name == name)
    }
}
