//! The lane generators, one per datapath, behind one interface: what the
//! tile broadcasts to the lanes, the lane's activation ports and the terms
//! and reduction between the lane's weight register and its accumulator.
//! The rest of the tile and lane (stage 0, the pipeline control, the
//! handshake, the accumulator and output register) is common
//! ([`crate::tile`], [`crate::lane`]).
//!
//! [`lane_gen`] is the registry: adding a datapath adds its file here and
//! one line there (next to its module in `sim::datapath`).

pub mod adder_tree;
pub mod lut;
pub mod mac;
pub mod popcount;

use crate::arith::Body;
use crate::arith::{Stages, Val};
use crate::design::Design;
use crate::ir::{bin, int, name, vpart, BinOp, Expr, Item};
use sim::arch::Reduction;

/// One activation input port of a lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActPort {
    /// Port name.
    pub name: &'static str,
    /// Bits.
    pub bits: u32,
    /// What it carries (the port's comment).
    pub doc: &'static str,
    /// The tile signal it connects to.
    pub source: &'static str,
}

/// The RTL side of a datapath.
pub trait LaneGen: Sync {
    /// The lane's activation input ports.
    fn act_ports(&self, d: &Design) -> Vec<ActPort>;
    /// True when the lane needs the arriving entry's tag (`arr_tag`: the
    /// `hold` value when the entry was issued).
    fn needs_tag(&self, _d: &Design) -> bool {
        false
    }
    /// Planes handled per cycle (1 outside the popcount).
    fn planes_per_cycle(&self, _d: &Design) -> u32 {
        1
    }
    /// Why the generator refuses `d` (a configuration the simulator models
    /// but the RTL does not build), if it does.
    fn refuses(&self, _d: &Design) -> Option<String> {
        None
    }
    /// The levels after which a pipeline register sits: the tree's
    /// (`stage_levels`, `2*stage_levels`, ..., `tree_levels`), preceded by
    /// level 0 when the terms are registered before the tree.
    fn register_levels(&self, d: &Design) -> Vec<u32> {
        sim::bitexact::adder_tree::register_levels(d.timing.tree_levels, d.array.stage_levels)
    }
    /// What the tile's pipeline comment adds after the tree registers.
    fn pipeline_note(&self) -> &'static str {
        ""
    }
    /// What the tile computes once from stage 0 and broadcasts to every lane.
    fn broadcast(&self, _d: &Design) -> Vec<Item> {
        Vec::new()
    }
    /// The lane's terms and reduction: from its weight register `wgt` and
    /// its activation ports to the value arriving at the accumulator.
    fn lane_body(
        &self,
        d: &Design,
        body: &mut Body,
        stages: &mut Stages,
        reg_levels: &[u32],
    ) -> Val;
}

/// The lane generator of `d`'s datapath.
pub fn lane_gen(d: &Design) -> &'static dyn LaneGen {
    match d.reduction() {
        Reduction::AdderTree => &adder_tree::AdderTreeGen,
        Reduction::Popcount => &popcount::PopcountGen,
        Reduction::Mac => &mac::MacGen,
        Reduction::Lut => &lut::LutGen,
    }
}

/// Element `e` (the genvar) of stage 0's activations.
pub fn s0_elem(d: &Design) -> Expr {
    let ab = d.act_bits;
    vpart(
        "s0_act",
        d.in_act_bits(),
        bin(BinOp::Mul, name("e"), int(i64::from(ab))),
        ab,
    )
}
