//! One dot-product lane: its weights (its part of the stage-0 input
//! register), its datapath's terms and reduction (from its lane generator
//! in [`crate::datapath`]: select/negate, plane terms, multipliers, ... and
//! the pairwise [`tree`] with a register every `stage_levels` levels), and
//! its accumulator and output register.
//!
//! The lane holds no control: the tile's controller ([`crate::tile`]) tells
//! every lane when its weights load (`load`), when each pipeline stage
//! loads (`stage_en`) and how the accumulator and output register change
//! (`acc_*`, `out_*`), so all lanes move in lock step.

use crate::arith::{Body, Stages, Val};
use crate::datapath::lane_gen;
use crate::design::Design;
use crate::ir::{
    bin, eq, if_, if_else, konst, lnot, mux, name, nb, on_clock, reg, slice, vbit, wire, BinOp,
    Dir, Item, Module, Port,
};
use workloads::Precision;

/// The integer range of an operand format (`binary` is ±1).
pub fn range_of(p: Precision) -> (i128, i128) {
    let (lo, hi) = p.int_range().expect("integer format");
    (i128::from(lo), i128::from(hi))
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
    let gen = lane_gen(d);
    for p in gen.act_ports(d) {
        ports.push(Port::new(p.name, Dir::Input, p.bits, p.doc));
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
    if gen.needs_tag(d) {
        ports.push(Port::new(
            "arr_tag",
            Dir::Input,
            d.hold_bits(),
            "the arriving entry's tag (hold when issued): plane group II - tag",
        ));
    }
    let tt = d.token_tile();
    if tt > 1 {
        ports.push(Port::new(
            "arr_tok",
            Dir::Input,
            d.tok_bits(),
            "the arriving entry's token slot: the partial sum it adds to",
        ));
        ports.push(Port::new(
            "done_tok",
            Dir::Input,
            d.tok_bits(),
            "the token slot of the finished reduction out_acc takes when out_from_acc",
        ));
    }
    let (we_doc, zero_doc, from_doc) = if tt > 1 {
        (
            "acc_<t> loads (bit t)",
            "acc_<t> loads 0 (else the sum)",
            "out_acc loads acc_<done_tok> (else the sum)",
        )
    } else {
        (
            "acc loads",
            "acc loads 0 (else the sum)",
            "out_acc loads acc (else the sum)",
        )
    };
    for (n, bits, what) in [
        (
            "acc_base_zero",
            1,
            "add the arriving value to 0 instead of acc",
        ),
        ("acc_we", tt, we_doc),
        ("acc_zero", tt, zero_doc),
        ("out_we", 1, "out_acc loads"),
        ("out_from_acc", 1, from_doc),
    ] {
        ports.push(Port::new(n, Dir::Input, bits, what));
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
    let arr = gen.lane_body(d, &mut body, &mut stages, &reg_levels);
    let mut items = body.items;
    if depth > 0 {
        items.push(Item::Blank);
        items.push(Item::Comment(
            "pipeline registers, loaded only by valid entries".into(),
        ));
        items.extend(stages.processes("clk", |s| vbit("stage_en", depth as u32, s as u32)));
    }
    items.push(Item::Blank);
    if tt > 1 {
        items.extend(accumulator_bank(d, &arr));
    } else {
        items.extend(accumulator(d, &arr));
    }
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

/// The pairwise tree of the bit-exact model (level `l+1` element `i` is
/// level `l` elements `2i` and `2i+1`; an odd last element passes through),
/// with every value of a level in `reg_levels` registered. Names: `s<l>_<i>`
/// for sums, `q<l>_<i>` for registers, after `prefix`.
pub(crate) fn tree(
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

/// The arriving value at the accumulator's width (`arr`), with the waiver
/// of its dropped bits when the chunk's range exceeds the accumulator's.
fn arriving(d: &Design, arr: &Val, items: &mut Vec<Item>) {
    let ab = d.acc_bits;
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
}

/// The accumulator and the output register: `sum = (acc_base_zero ? 0 :
/// acc) + arriving`, both registers reset to 0.
fn accumulator(d: &Design, arr: &Val) -> Vec<Item> {
    let ab = d.acc_bits;
    let mut items = vec![Item::Comment(format!(
        "accumulator ({ab} bits, wraps modulo 2^{ab} like the model) and output register"
    ))];
    arriving(d, arr, &mut items);
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

/// `names[sel]` as a chain of 2:1 multiplexers on the `bits`-bit `sel`
/// (the last name when `sel` is past the others).
fn select(sel: &str, bits: u32, names: &[String]) -> crate::ir::Expr {
    let (last, rest) = names.split_last().expect("at least one");
    rest.iter()
        .enumerate()
        .rev()
        .fold(name(last.as_str()), |e, (t, n)| {
            mux(eq(name(sel), konst(bits, t as u128)), name(n.as_str()), e)
        })
}

/// The partial-sum bank of `array.token_tile = T > 1`: `T` accumulators
/// `acc_<t>`, `sum = (acc_base_zero ? 0 : acc_<arr_tok>) + arriving`, each
/// accumulator written under its bit of `acc_we`/`acc_zero`, and the output
/// register taking `acc_<done_tok>` or the sum; all reset to 0.
fn accumulator_bank(d: &Design, arr: &Val) -> Vec<Item> {
    let ab = d.acc_bits;
    let tt = d.token_tile();
    let tb = d.tok_bits();
    let mut items = vec![Item::Comment(format!(
        "{tt} accumulators, one per token of the tile ({ab} bits, wrap modulo 2^{ab} like the model), and the output register"
    ))];
    arriving(d, arr, &mut items);
    let accs: Vec<String> = (0..tt).map(|t| format!("acc_{t}")).collect();
    for a in &accs {
        items.push(reg(a.as_str(), ab));
    }
    items.push(wire("acc_cur", ab, select("arr_tok", tb, &accs)));
    items.push(wire("acc_done", ab, select("done_tok", tb, &accs)));
    items.push(wire(
        "sum",
        ab,
        bin(
            BinOp::Add,
            mux(name("acc_base_zero"), konst(ab, 0), name("acc_cur")),
            name("arr"),
        ),
    ));
    let mut reset: Vec<_> = accs
        .iter()
        .map(|a| nb(name(a.as_str()), konst(ab, 0)))
        .collect();
    reset.push(nb(name("out_acc"), konst(ab, 0)));
    let mut step: Vec<_> = accs
        .iter()
        .enumerate()
        .map(|(t, a)| {
            if_(
                vbit("acc_we", tt, t as u32),
                vec![nb(
                    name(a.as_str()),
                    mux(vbit("acc_zero", tt, t as u32), konst(ab, 0), name("sum")),
                )],
            )
        })
        .collect();
    step.push(if_(
        name("out_we"),
        vec![nb(
            name("out_acc"),
            mux(name("out_from_acc"), name("acc_done"), name("sum")),
        )],
    ));
    items.push(on_clock(
        "clk",
        vec![if_else(lnot(name("rst_n")), reset, step)],
    ));
    items
}
