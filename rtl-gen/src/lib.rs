//! Verilog generation for the accelerator tile, its manifest, and the
//! Verilator, Icarus and Yosys drivers.
//!
//! The flow (docs/rtl.md):
//!
//! * [`design`]: the accelerator description checked for what the RTL
//!   builds, with every derived width and the timing of `sim::arch`.
//! * [`ir`] and [`print`](mod@print): a small typed Verilog IR and the one printer
//!   that turns it into Verilog-2005 text; [`arith`] builds width-exact
//!   datapath values on top of it.
//! * [`lane`] and [`tile`]: the lane module (terms, tree, accumulator) and
//!   the top module (stage 0, pipeline control, handshake, the lane array),
//!   the RTL form of `sim::tile`; [`datapath`]: one lane generator per
//!   datapath (what differs between reductions).
//! * [`manifest`] and [`emit`](mod@emit): the JSON manifest and the files.
//! * [`vectors`], [`replay`] and [`testbench`]: test vectors, the
//!   simulator's per-cycle prediction as `$readmemh` files, and the
//!   self-checking testbenches.
//! * [`check`](mod@check): lint, build, run and compare ([`verilator`], [`icarus`],
//!   [`tools`]); [`synth`]: Yosys cell counts and gate equivalents.

pub mod accel;
pub mod arith;
pub mod check;
pub mod datapath;
pub mod design;
pub mod emit;
pub mod error;
pub mod icarus;
pub mod ir;
pub mod lane;
pub mod manifest;
pub mod print;
pub mod replay;
pub mod synth;
pub mod testbench;
pub mod tile;
pub mod tools;
pub mod vectors;
pub mod verilator;
mod verilator_runtime;

pub use check::{check, run_cases, Case, CheckOptions, CheckReport, Simulator};
pub use design::Design;
pub use emit::{emit, emit_design, Emitted};
pub use error::{RtlError, INSTALL_HINT};
pub use manifest::{Manifest, GENERATOR_VERSION, MANIFEST_SCHEMA};
