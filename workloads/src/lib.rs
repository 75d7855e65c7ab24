//! Workloads for onebit: BitNet and baseline model presets, Hugging Face
//! `config.json` import, layer traces (generation, text format, parser) and
//! the operator graph the simulator schedules.

pub mod attention;
pub mod count;
pub mod gemm;
pub mod graph;
pub mod hf_config;
pub mod kv;
pub mod limits;
pub mod model;
pub mod op;
pub mod precision;
pub mod trace;
pub mod weights;
pub mod zoo;

pub use attention::Mask;
pub use count::{Count, Overflow};
pub use graph::{GraphError, OpGraph};
pub use kv::KvFormat;
pub use model::{ActFn, Family, ModelConfig, ParamCount};
pub use op::{Op, OpKind};
pub use precision::Precision;
pub use trace::{Phase, Trace, TraceMeta, TraceOptions};
