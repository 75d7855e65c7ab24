//! The adder-tree lane: the tile broadcasts each activation and its
//! negation; the lane selects `+a`, `-a` or `0` by its weights and sums the
//! terms with the pairwise tree.

use super::{s0_elem, ActPort, LaneGen};
use crate::arith::{bits_for, Body, Stages, Val};
use crate::design::Design;
use crate::ir::{
    and, bin, bit, concat, int, name, not, or, part, repeat, slice, vbit, wire, wire_decl, BinOp,
    Expr, Item, UnOp,
};
use crate::lane::{range_of, tree};
use workloads::Precision;

/// The adder-tree lane generator.
#[derive(Debug, Clone, Copy)]
pub struct AdderTreeGen;

/// The select/negate operands the tile broadcasts to the adder-tree lanes:
/// `(term bits, negated copy needed)`. `act_p` carries each activation
/// and `act_n` its negation, both `term bits` wide, so a lane only selects.
pub fn select_operands(d: &Design) -> (u32, bool) {
    let (amin, amax) = range_of(d.acts());
    let needs_neg = d.weights() != Precision::Binary01;
    let (lo, hi) = if needs_neg {
        (amin.min(-amax), amax.max(-amin))
    } else {
        (amin.min(0), amax.max(0))
    };
    (bits_for(lo, hi), needs_neg)
}

impl LaneGen for AdderTreeGen {
    fn act_ports(&self, d: &Design) -> Vec<ActPort> {
        let w = d.width();
        let (tw, needs_neg) = select_operands(d);
        let mut v = vec![ActPort {
            name: "act_p",
            bits: w * tw,
            doc: "activations, sign-extended, element e at [e*B +: B]",
            source: "act_p",
        }];
        if needs_neg {
            v.push(ActPort {
                name: "act_n",
                bits: w * tw,
                doc: "negated activations, element e at [e*B +: B]",
                source: "act_n",
            });
        }
        v
    }

    fn broadcast(&self, d: &Design) -> Vec<Item> {
        let width = d.width();
        let ab = d.act_bits;
        let elem = || s0_elem(d);
        let mut items = Vec::new();

        let (tw, needs_neg) = select_operands(d);
        items.push(Item::Comment(if needs_neg {
            "activations and their negations, once for all lanes".into()
        } else {
            "activations, once for all lanes".into()
        }));
        items.push(wire_decl("act_p", width * tw));
        if needs_neg {
            items.push(wire_decl("act_n", width * tw));
        }
        items.push(Item::Genvar("e".into()));
        let ext = |a: &str| {
            if tw == ab {
                name(a)
            } else {
                concat(vec![repeat(tw - ab, bit(a, ab - 1)), name(a)])
            }
        };
        let at = || part("act_p", bin(BinOp::Mul, name("e"), int(i64::from(tw))), tw);
        let nt = || part("act_n", bin(BinOp::Mul, name("e"), int(i64::from(tw))), tw);
        let mut body = vec![wire("a", ab, elem()), Item::Assign(at(), ext("a"))];
        if needs_neg {
            body.push(Item::Assign(
                nt(),
                Expr::Unary(UnOp::Neg, Box::new(ext("a"))),
            ));
        }
        items.push(Item::GenerateFor {
            var: "e".into(),
            count: width,
            label: "g_act".into(),
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
        let terms = select_terms(d, body);
        body.push(Item::Blank);
        tree(d, body, stages, terms, reg_levels, "")
    }
}

/// Ternary / binary / binary01 select (and negate) of the broadcast
/// activations.
fn select_terms(d: &Design, body: &mut Body) -> Vec<Val> {
    let (amin, amax) = range_of(d.acts());
    let (tw, needs_neg) = select_operands(d);
    body.push(Item::Comment(format!(
        "select/negate: term e is {} by weight e",
        match d.weights() {
            Precision::Binary => "+a or -a",
            Precision::Binary01 => "a or 0",
            _ => "+a (2'b01), -a (2'b11) or 0 (2'b00)",
        }
    )));
    (0..d.width())
        .map(|e| {
            let lo_bit = e * tw;
            let ap = Val::new(slice("act_p", lo_bit + tw - 1, lo_bit), tw, amin, amax);
            let an = Val::new(slice("act_n", lo_bit + tw - 1, lo_bit), tw, -amax, -amin);
            let zero = Val::constant(0);
            let n = format!("t_{e}");
            let lw = d.lane_wgt_bits();
            match d.weights() {
                Precision::Binary => {
                    body.wire(&n, &[&ap, &an], ap.lo.min(an.lo), ap.hi.max(an.hi), |w| {
                        and_or_mux(w, vbit("wgt", lw, e), ap.ext(w), an.ext(w))
                    })
                }
                Precision::Binary01 => {
                    body.wire(&n, &[&ap, &zero], ap.lo.min(0), ap.hi.max(0), |w| {
                        and(ap.ext(w), repeat(w, vbit("wgt", lw, e)))
                    })
                }
                _ => {
                    let (lo, hi) = (amin.min(-amax).min(0), amax.max(-amin).max(0));
                    debug_assert!(needs_neg);
                    body.wire(&n, &[&ap, &an], lo, hi, |w| {
                        and(
                            repeat(w, bit("wgt", 2 * e)),
                            and_or_mux(w, bit("wgt", 2 * e + 1), an.ext(w), ap.ext(w)),
                        )
                    })
                }
            }
        })
        .collect()
}

/// `sel ? a : b` on `w` bits, written as `(b & {w{~sel}}) | (a & {w{sel}})`:
/// Yosys maps it to the same cells as `?:`, and Verilator's model evaluates
/// it without a data-dependent branch (1.6x faster for a 64 x 64 ternary
/// tile on random weights).
fn and_or_mux(w: u32, sel: Expr, a: Expr, b: Expr) -> Expr {
    or(and(b, repeat(w, not(sel.clone()))), and(a, repeat(w, sel)))
}
