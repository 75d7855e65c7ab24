//! The MAC lane: signed multipliers of each activation by its weight,
//! registered, into the pairwise tree.

use super::{ActPort, LaneGen};
use crate::arith::{Body, Stages, Val};
use crate::design::Design;
use crate::ir::{bin, slice, BinOp, Expr, Item};
use crate::lane::{range_of, tree};

/// The MAC lane generator.
#[derive(Debug, Clone, Copy)]
pub struct MacGen;

impl LaneGen for MacGen {
    fn act_ports(&self, d: &Design) -> Vec<ActPort> {
        vec![ActPort {
            name: "act",
            bits: d.width() * d.act_bits,
            doc: "activations (two's complement), element e at the least significant end",
            source: "s0_act",
        }]
    }

    fn register_levels(&self, d: &Design) -> Vec<u32> {
        // level 0: the multipliers' register
        let mut v = vec![0];
        v.extend(sim::bitexact::adder_tree::register_levels(
            d.timing.tree_levels,
            d.array.stage_levels,
        ));
        v
    }

    fn pipeline_note(&self) -> &'static str {
        ", and the multipliers' register"
    }

    fn lane_body(
        &self,
        d: &Design,
        body: &mut Body,
        stages: &mut Stages,
        reg_levels: &[u32],
    ) -> Val {
        let products = multipliers(d, body);
        body.push(Item::Blank);
        tree(d, body, stages, products, reg_levels, "")
    }
}

/// Signed multipliers of the MAC baseline.
fn multipliers(d: &Design, body: &mut Body) -> Vec<Val> {
    let (amin, amax) = range_of(d.acts());
    let (wmin, wmax) = range_of(d.weights());
    let corners = [amin * wmin, amin * wmax, amax * wmin, amax * wmax];
    let (lo, hi) = (
        *corners.iter().min().expect("corners"),
        *corners.iter().max().expect("corners"),
    );
    let (ab, wb) = (d.act_bits, d.wgt_bits);
    body.push(Item::Comment(format!(
        "multipliers: {ab}-bit activation x {wb}-bit weight, both two's complement"
    )));
    (0..d.width())
        .map(|e| {
            let a = slice("act", e * ab + ab - 1, e * ab);
            let w = slice("wgt", e * wb + wb - 1, e * wb);
            body.wire(&format!("m_{e}"), &[], lo, hi, |_| {
                bin(
                    BinOp::Mul,
                    Expr::Signed(Box::new(a)),
                    Expr::Signed(Box::new(w)),
                )
            })
        })
        .collect()
}
