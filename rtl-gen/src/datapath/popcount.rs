//! The popcount lane: the tile broadcasts the activation bit-planes of
//! the issuing plane group; per plane slot the lane forms its plane terms
//! (XNOR, AND or signed), counts them with the pairwise tree, and after the
//! tree's output register shifts each count by its plane (the sign plane
//! negated) and sums the group.

use super::{s0_elem, ActPort, LaneGen};
use crate::arith::{bits_for, Body, Stages, Val};
use crate::design::Design;
use crate::ir::{
    and, bin, bit, concat, int, konst, mux, name, not, vbit, wire, wire_decl, xor, BinOp, Expr,
    Item,
};
use crate::lane::tree;
use workloads::Precision;

/// The popcount lane generator.
#[derive(Debug, Clone, Copy)]
pub struct PopcountGen;

impl LaneGen for PopcountGen {
    fn act_ports(&self, d: &Design) -> Vec<ActPort> {
        vec![ActPort {
            name: "plane",
            bits: d.width() * self.planes_per_cycle(d),
            doc:
                "activation bit-planes of the issuing group: plane j, element e at bit j*width + e",
            source: "plane",
        }]
    }

    fn needs_tag(&self, d: &Design) -> bool {
        d.ii() > 1
    }

    fn planes_per_cycle(&self, d: &Design) -> u32 {
        d.array.planes_per_cycle.clamp(1, d.timing.planes.max(1))
    }

    fn broadcast(&self, d: &Design) -> Vec<Item> {
        let width = d.width();
        let ab = d.act_bits;
        let elem = || s0_elem(d);
        let mut items = Vec::new();

        let ppc = d.planes_per_cycle();
        let ii = d.ii();
        let hb = d.hold_bits();
        let planes = d.timing.planes;
        items.push(Item::Comment(format!(
            "activation bit-planes of the issuing group (group g = {ii} - hold): plane slot j of group g is plane g*{ppc} + j"
        )));
        items.push(wire_decl("plane", width * ppc));
        items.push(Item::Genvar("e".into()));
        let mut body = vec![wire("a", ab, elem())];
        for j in 0..ppc {
            // group ii-1 is the default (also while stage 0 is empty)
            let pick = |g: u32| {
                let pl = g * ppc + j;
                if pl < planes {
                    if ab == 1 {
                        name("a")
                    } else {
                        bit("a", pl)
                    }
                } else {
                    konst(1, 0)
                }
            };
            let mut e = pick(ii - 1);
            for g in (0..ii - 1).rev() {
                e = mux(
                    bin(BinOp::Eq, name("hold"), konst(hb, u128::from(ii - g))),
                    pick(g),
                    e,
                );
            }
            let idx = if j == 0 {
                name("e")
            } else {
                bin(BinOp::Add, name("e"), int(i64::from(j * width)))
            };
            let lhs = if width * ppc == 1 {
                name("plane")
            } else {
                Expr::Index("plane".into(), Box::new(idx))
            };
            body.push(Item::Assign(lhs, e));
        }
        items.push(Item::GenerateFor {
            var: "e".into(),
            count: width,
            label: "g_plane".into(),
            items: body,
        });
        items
    }

    fn lane_body(
        &self,
        d: &Design,
        body: &mut Body,
        stages: &mut Stages,
        reg_levels: &[u32],
    ) -> Val {
        popcount(d, body, stages, reg_levels)
    }
}

/// How a popcount lane turns one activation bit and one weight into a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaneTerm {
    /// `~(w ^ x)`, counted; the plane value is `2·count − width` (binary ±1
    /// weights and activations).
    Xnor,
    /// `w & x`, counted (binary01 weights, bit activations).
    And,
    /// A signed term in {−1, 0, +1}, two bits, summed.
    Signed,
}

fn plane_term_kind(d: &Design) -> PlaneTerm {
    match (d.acts(), d.weights()) {
        (Precision::Binary, Precision::Binary) => PlaneTerm::Xnor,
        (Precision::Binary, _) => PlaneTerm::Signed,
        (_, Precision::Binary01) => PlaneTerm::And,
        _ => PlaneTerm::Signed,
    }
}

/// The bit-serial popcount: per plane of the issuing group a tree of
/// plane terms; after the tree's output register each plane count is
/// shifted by its plane index (the sign plane negated) and the group's
/// planes summed.
fn popcount(d: &Design, body: &mut Body, stages: &mut Stages, reg_levels: &[u32]) -> Val {
    let kind = plane_term_kind(d);
    let width = d.width();
    let ppc = d.planes_per_cycle();
    let mut counts = Vec::new();
    for j in 0..ppc {
        let prefix = format!("p{j}_");
        body.push(Item::Comment(format!(
            "plane slot {j}: {}",
            match kind {
                PlaneTerm::Xnor => "XNOR of weight and activation bit, counted",
                PlaneTerm::And => "AND of weight and activation bit, counted",
                PlaneTerm::Signed => "signed term in {-1, 0, +1} (2 bits) per element, summed",
            }
        )));
        let leaves: Vec<Val> = (0..width)
            .map(|e| {
                let x = vbit("plane", width * ppc, j * width + e);
                let n = format!("{prefix}t_{e}");
                let lw = d.lane_wgt_bits();
                let (w0, w1) = (
                    vbit("wgt", lw, d.wgt_bits * e),
                    vbit("wgt", lw, d.wgt_bits * e + 1),
                );
                let (e1, lo, hi): (Expr, i128, i128) = match kind {
                    PlaneTerm::Xnor => (not(xor(w0, x)), 0, 1),
                    PlaneTerm::And => (and(w0, x), 0, 1),
                    PlaneTerm::Signed => {
                        let pair = match (d.acts(), d.weights()) {
                            // a = x ? +1 : -1; negative when the weight's sign equals x
                            (Precision::Binary, Precision::Binary01) => {
                                vec![and(w0.clone(), not(x)), w0]
                            }
                            (Precision::Binary, _) => {
                                vec![and(w0.clone(), not(xor(w1, x))), w0]
                            }
                            // x in {0, 1}: binary weights 1 = +1, 0 = -1
                            (_, Precision::Binary) => vec![and(x.clone(), not(w0)), x],
                            // ternary codes are the 2-bit value: {w1 & w0, w0}
                            _ => vec![and(and(w1, w0.clone()), x.clone()), and(w0, x)],
                        };
                        (concat(pair), -1, 1)
                    }
                };
                let w = bits_for(lo, hi);
                body.push(wire(&n, w, e1));
                Val::new(name(&n), w, lo, hi)
            })
            .collect();
        counts.push(tree(d, body, stages, leaves, reg_levels, &prefix));
        body.push(Item::Blank);
    }
    match d.acts() {
        Precision::Int(b) => {
            let b = u32::from(b);
            let ii = d.ii();
            body.push(Item::Comment(format!(
                "plane group g holds planes g*{ppc} .. g*{ppc}+{}; plane p weighs 2^p, the sign plane {} weighs -2^{}",
                ppc - 1,
                b - 1,
                b - 1
            )));
            let parts: Vec<Val> = (0..ii)
                .map(|g| {
                    let terms: Vec<Val> = (0..ppc)
                        .filter(|j| g * ppc + j < b)
                        .map(|j| {
                            let p = g * ppc + j;
                            let sh = body.shl(&format!("g{g}_sh{j}"), &counts[j as usize], p);
                            if p + 1 == b {
                                body.neg(&format!("g{g}_neg{j}"), &sh)
                            } else {
                                sh
                            }
                        })
                        .collect();
                    body.sum(&format!("g{g}_sum"), &terms)
                })
                .collect();
            if ii == 1 {
                parts[0].clone()
            } else {
                // the arriving entry's group: tag = hold at issue = II - g
                let hb = d.hold_bits();
                let mut acc = parts[ii as usize - 1].clone();
                for g in (0..ii - 1).rev() {
                    let sel = bin(BinOp::Eq, name("arr_tag"), konst(hb, u128::from(ii - g)));
                    acc = body.mux(&format!("grp_{g}"), sel, &parts[g as usize], &acc);
                }
                acc
            }
        }
        _ if kind == PlaneTerm::Xnor => {
            // 2 * count - width
            let twice = body.shl("xnor_twice", &counts[0], 1);
            body.sub("xnor_sum", &twice, &Val::constant(i128::from(width)))
        }
        _ => counts[0].clone(),
    }
}
