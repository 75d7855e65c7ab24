//! The banked DRAM model: command-level timing of banks, rows and refresh
//! under a memory controller, with IDD power.
//!
//! - `spec.rs` — a device: standard, organization, timings, IDD currents;
//! - `presets.rs` — LPDDR5-6400, HBM3-6400, DDR5-4800, DDR4-3200, cited;
//! - `timing.rs` — commands and the JEDEC constraints between them;
//! - `bank.rs` — open rows and standby state;
//! - `mapping.rs` — address to channel, rank, bank, row, column;
//! - `refresh.rs` — all-bank and per-bank refresh schedules;
//! - `controller.rs` — queues, FR-FCFS, page policy, write draining;
//! - `power.rs` — energy by the IDD method;
//! - `trace.rs` — request traces (Ramulator's format and onebit's);
//! - `replay.rs` — running a request stream to completion;
//! - `memo.rs` — memoized transfers, the exact fast path of the engine's DRAM;
//! - `memo_pool.rs` — memos shared by the runs of one process.

pub mod bank;
pub mod channel;
pub mod controller;
pub mod mapping;
pub mod memo;
pub mod memo_pool;
pub mod power;
pub mod presets;
pub mod refresh;
pub mod replay;
pub mod spec;
pub mod timing;
pub mod trace;

pub use channel::{BankedChannel, Span};
pub use controller::{Controller, ControllerConfig, PagePolicy, Stats};
pub use mapping::Mapping;
pub use power::{Counts, Energy, EventEnergy};
pub use refresh::RefreshPolicy;
pub use replay::{replay, ReplayResult, SystemConfig};
pub use spec::{DramSpec, Standard};
pub use trace::TraceReq;
