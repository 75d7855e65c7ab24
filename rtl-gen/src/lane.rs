//! One dot-product lane: its weights (its part of the stage-0 input
//! register), its terms (select/negate, XNOR/AND or signed plane terms, or
//! multipliers), its reduction tree with a register every `stage_levels`
//! levels, the popcount's shift-and-sign of the plane counts, and its
//! accumulator and output register.
//!
//! The lane holds no control: the tile's controller ([`crate::tile`]) tells
//! every lane when its weights load (`load`), when each pipeline stage
//! loads (`stage_en`) and how the accumulator and output register change
//! (`acc_*`, `out_*`), so all lanes move in lock step.

use crate::arith::{bits_for, Body, Stages, Val};
use crate::design::Design;
use crate::ir::{
    and, bin, bit, concat, if_, if_else, konst, lnot, mux, name, nb, not, on_clock, or, reg,
    repeat, slice, vbit, wire, xor, BinOp, Dir, Expr, Item, Module, Port,
};
use sim::arch::Reduction;
use workloads::Precision;

/// The integer range of an operand format (`binary` is ±1).
pub fn range_of(p: Precision) -> (i128, i128) {
    let (lo, hi) = p.int_range().expect("integer format");
    (i128::from(lo), i128::from(hi))
}

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

/// The lane's activation input ports: `(name, bits)`.
pub fn act_ports(d: &Design) -> Vec<(&'static str, u32)> {
    let w = d.width();
    match d.reduction() {
        Reduction::AdderTree => {
            let (tw, needs_neg) = select_operands(d);
            let mut v = vec![("act_p", w * tw)];
            if needs_neg {
                v.push(("act_n", w * tw));
            }
            v
        }
        Reduction::Mac => vec![("act", w * d.act_bits)],
        Reduction::Popcount => vec![("plane", w * d.planes_per_cycle())],
    }
}

/// True when the lane needs the arriving entry's tag (the popcount's plane
/// group, for its shift and sign).
pub fn needs_tag(d: &Design) -> bool {
    d.reduction() == Reduction::Popcount && d.ii() > 1
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

/// Builds the lane module of `d`.
pub fn lane_module(d: &Design) -> Module {
    let depth = d.depth() as usize;
    let mut ports = vec![
        Port::new("clk", Dir::Input, 1, "clock"),
        Port::new("rst_n", Dir::Input, 1, "synchronous reset, active low"),
    ];
    if depth > 0 {
        ports.push(Port::new(
            "stage_en",
            Dir::Input,
            depth as u32,
            "pipeline register s loads when bit s is set",
        ));
    }
    for (n, bits) in act_ports(d) {
        let what = match n {
            "act_p" => "activations, sign-extended, element e at [e*B +: B]",
            "act_n" => "negated activations, element e at [e*B +: B]",
            "act" => "activations (two's complement), element e at the least significant end",
            _ => {
                "activation bit-planes of the issuing group: plane j, element e at bit j*width + e"
            }
        };
        ports.push(Port::new(n, Dir::Input, bits, what));
    }
    ports.push(Port::new(
        "in_wgt",
        Dir::Input,
        d.lane_wgt_bits(),
        &format!(
            "this lane's weights ({}) of the offered chunk, element e at [e*{} +: {}]",
            d.weights(),
            d.wgt_bits,
            d.wgt_bits
        ),
    ));
    ports.push(Port::new(
        "load",
        Dir::Input,
        1,
        "stage 0 accepts the chunk: wgt loads in_wgt",
    ));
    if needs_tag(d) {
        ports.push(Port::new(
            "arr_tag",
            Dir::Input,
            d.hold_bits(),
            "the arriving entry's tag (hold when issued): plane group II - tag",
        ));
    }
    for (n, what) in [
        (
            "acc_base_zero",
            "add the arriving value to 0 instead of acc",
        ),
        ("acc_we", "acc loads"),
        ("acc_zero", "acc loads 0 (else the sum)"),
        ("out_we", "out_acc loads"),
        ("out_from_acc", "out_acc loads acc (else the sum)"),
    ] {
        ports.push(Port::new(n, Dir::Input, 1, what));
    }
    ports.push(Port::new(
        "out_acc",
        Dir::OutputReg,
        d.acc_bits,
        "the finished reduction, two's complement",
    ));

    let mut body = Body::default();
    body.push(Item::Comment(
        "stage 0: this lane's part of the input register (its weights)".into(),
    ));
    body.push(reg("wgt", d.lane_wgt_bits()));
    body.push(on_clock(
        "clk",
        vec![if_(name("load"), vec![nb(name("wgt"), name("in_wgt"))])],
    ));
    body.push(Item::Blank);
    let mut stages = Stages::new(depth);
    let reg_levels = d.register_levels();
    let arr = match d.reduction() {
        Reduction::AdderTree => {
            let terms = select_terms(d, &mut body);
            body.push(Item::Blank);
            tree(d, &mut body, &mut stages, terms, &reg_levels, "")
        }
        Reduction::Mac => {
            let products = multipliers(d, &mut body);
            body.push(Item::Blank);
            tree(d, &mut body, &mut stages, products, &reg_levels, "")
        }
        Reduction::Popcount => popcount(d, &mut body, &mut stages, &reg_levels),
    };
    let mut items = body.items;
    if depth > 0 {
        items.push(Item::Blank);
        items.push(Item::Comment(
            "pipeline registers, loaded only by valid entries".into(),
        ));
        items.extend(stages.processes("clk", |s| vbit("stage_en", depth as u32, s as u32)));
    }
    items.push(Item::Blank);
    items.extend(accumulator(d, &arr));
    Module {
        name: d.lane_module(),
        doc: vec![
            format!(
                "{}: one dot-product lane of {} ({} reduction, {} x {}, {} elements).",
                d.lane_module(),
                d.top(),
                d.reduction().name(),
                d.acts(),
                d.weights(),
                d.width()
            ),
            "Generated by onebit rtl-gen; see the manifest beside this file.".into(),
        ],
        ports,
        items,
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

/// The pairwise tree of the bit-exact model (level `l+1` element `i` is
/// level `l` elements `2i` and `2i+1`; an odd last element passes through),
/// with every value of a level in `reg_levels` registered. Names: `s<l>_<i>`
/// for sums, `q<l>_<i>` for registers, after `prefix`.
fn tree(
    d: &Design,
    body: &mut Body,
    stages: &mut Stages,
    leaves: Vec<Val>,
    reg_levels: &[u32],
    prefix: &str,
) -> Val {
    let register =
        |body: &mut Body, stages: &mut Stages, level: u32, vals: Vec<Val>| match reg_levels
            .iter()
            .position(|&l| l == level)
        {
            Some(s) => vals
                .iter()
                .enumerate()
                .map(|(i, v)| stages.register(body, s, &format!("{prefix}q{level}_{i}"), v))
                .collect(),
            None => vals,
        };
    let mut vals = register(body, stages, 0, leaves);
    let mut level = 0;
    while vals.len() > 1 {
        level += 1;
        body.push(Item::Comment(format!(
            "{}tree level {level} of {}{}",
            if prefix.is_empty() {
                String::new()
            } else {
                format!(
                    "plane slot {}: ",
                    prefix.trim_start_matches('p').trim_end_matches('_')
                )
            },
            d.timing.tree_levels,
            if reg_levels.contains(&level) {
                ", registered"
            } else {
                ""
            }
        )));
        let next: Vec<Val> = vals
            .chunks(2)
            .enumerate()
            .map(|(i, pair)| match pair {
                [a, b] => body.add(&format!("{prefix}s{level}_{i}"), a, b),
                [a] => a.clone(),
                _ => unreachable!("chunks of two"),
            })
            .collect();
        vals = register(body, stages, level, next);
    }
    vals.pop().expect("a tree of at least one leaf")
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

/// The accumulator and the output register: `sum = (acc_base_zero ? 0 :
/// acc) + arriving`, both registers reset to 0.
fn accumulator(d: &Design, arr: &Val) -> Vec<Item> {
    let ab = d.acc_bits;
    let mut items = vec![Item::Comment(format!(
        "accumulator ({ab} bits, wraps modulo 2^{ab} like the model) and output register"
    ))];
    let arr_acc = if arr.width <= ab {
        arr.ext(ab)
    } else {
        // the chunk's range exceeds the accumulator's (max_k < width): the
        // sum is taken modulo 2^acc_bits, as the model does
        items.push(Item::Waive {
            rule: "UNUSEDSIGNAL".into(),
            reason: format!(
                "the accumulator keeps the low {ab} of the arriving value's {} bits: it wraps \
                 modulo 2^{ab} exactly like the model when a reduction exceeds max_k",
                arr.width
            ),
            items: vec![wire("arr_full", arr.width, arr.sig.clone())],
        });
        slice("arr_full", ab - 1, 0)
    };
    items.push(wire("arr", ab, arr_acc));
    items.push(reg("acc", ab));
    items.push(wire(
        "sum",
        ab,
        bin(
            BinOp::Add,
            mux(name("acc_base_zero"), konst(ab, 0), name("acc")),
            name("arr"),
        ),
    ));
    items.push(on_clock(
        "clk",
        vec![if_else(
            lnot(name("rst_n")),
            vec![
                nb(name("acc"), konst(ab, 0)),
                nb(name("out_acc"), konst(ab, 0)),
            ],
            vec![
                if_(
                    name("acc_we"),
                    vec![nb(
                        name("acc"),
                        mux(name("acc_zero"), konst(ab, 0), name("sum")),
                    )],
                ),
                if_(
                    name("out_we"),
                    vec![nb(
                        name("out_acc"),
                        mux(name("out_from_acc"), name("acc"), name("sum")),
                    )],
                ),
            ],
        )],
    ));
    items
}
