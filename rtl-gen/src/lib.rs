//! Verilog generation for the accelerator tile, its manifest, and the
//! Verilator, Icarus and Yosys drivers.
//!
//! The flow (docs/rtl.md):
//!
//! * [`design`]: the accelerator description checked for what the RTL
//!   builds, with every derived width and the timing of `sim::arch`.
//! * [`ir`] and [`print`]: a small typed Verilog IR and the one printer
//!   that turns it into Verilog-2005 text; [`arith`] builds width-exact
//!   datapath values on top of it.
//! * [`lane`] and [`tile`]: the lane module (terms, tree, accumulator) and
//!   the top module (stage 0, pipeline control, handshake, the lane array),
//!   the RTL form of `sim::tile`.
//! * [`manifest`] and [`emit`]: the JSON manifest and the files.

pub mod arith;
pub mod design;
pub mod emit;
pub mod error;
pub mod ir;
pub mod lane;
pub mod manifest;
pub mod print;
pub mod tile;

pub use design::Design;
pub use emit::{emit, emit_design, Emitted};
pub use error::{RtlError, INSTALL_HINT};
pub use manifest::{Manifest, GENERATOR_VERSION, MANIFEST_SCHEMA};
