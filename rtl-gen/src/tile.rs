//! The top module: the tile of `sim::tile`, cycle for cycle.
//!
//! State, as in the model's documentation: stage 0 (the input register —
//! `s0_act` and `s0_last` here, each lane's weights in the lane — and its
//! `hold` counter of plane groups still to issue), `D`
//! pipeline control registers `p<k>_valid/last/tag` beside the lanes' data
//! registers, the `done` flag (a finished reduction waiting in the
//! accumulators) and `out_valid`. The lane array is a `generate` loop of
//! [`crate::lane`] instances that share the controller's signals.
//!
//! ```text
//! in_ready  = hold <= 1 && !(done && arr_valid)
//! stall     = done && arr_valid && !out_ready      (nothing changes)
//! fire      = out_valid && out_ready
//! to_out    = arr_last && (!out_valid || fire)
//! acc       := done ? (fire ? (arr_valid ? arr : 0) : acc)
//!                   : (arr_valid ? (to_out ? 0 : acc + arr) : acc)
//! out       := done && fire ? acc : (!done && arr_valid && to_out ? acc + arr : out)
//! ```
//!
//! With `array.token_tile = T > 1` (sim::tile, "Weight registers") the
//! tile also has `in_wload` (the lanes load `in_wgt` with this chunk), a
//! token `slot` register (0 on a load, `slot + 1` on a reuse), a `tok`
//! beside every pipeline register's `valid`, and `dslot`, the slot of the
//! finished reduction `done` holds; each lane has `T` accumulators, written
//! through the `T`-bit `acc_we`/`acc_zero` vectors:
//!
//! ```text
//! wait_tok      = done && arr_valid && arr_tok != dslot
//!                 (the finished token leaves first; stage 0 and the
//!                 pipeline hold for the cycle)
//! arr_take      = arr_valid && !wait_tok   (arr_valid in the rules above)
//! hit[t]        = arr_take && arr_tok == t
//! acc_we[t]     = done ? fire && (hit[t] || dslot == t) : hit[t]
//! acc_zero[t]   = done ? !hit[t] : to_out
//! acc_tok       = done ? dslot : arr_tok   (the lanes' one T:1 multiplexer)
//! ```

use crate::datapath::lane_gen;
use crate::design::Design;
use crate::ir::{
    and, bin, concat, eq, if_, if_else, int, konst, lnot, mux, name, nb, not, on_clock, or, part,
    reduce_or, reg, repeat, vpart, wire, BinOp, Dir, Expr, Item, Module, Port,
};

fn p(k: u32, what: &str) -> String {
    format!("p{k}_{what}")
}

/// Builds the top module of `d`.
pub fn tile_module(d: &Design) -> Module {
    let (lanes, width) = (d.lanes(), d.width());
    let depth = d.depth();
    let hb = d.hold_bits();
    let ii = d.ii();
    let tagged = lane_gen(d).needs_tag(d);
    let ports = vec![
        Port::new("clk", Dir::Input, 1, "clock, rising edge"),
        Port::new("rst_n", Dir::Input, 1, "synchronous reset, active low"),
        Port::new("in_valid", Dir::Input, 1, "a chunk is offered"),
        Port::new(
            "in_ready",
            Dir::Output,
            1,
            "the tile takes it at this edge (a function of the state only)",
        ),
        Port::new(
            "in_act",
            Dir::Input,
            d.in_act_bits(),
            &format!(
                "{width} activations ({}, {} bits each), element 0 at the least significant bits",
                d.acts(),
                d.act_bits
            ),
        ),
        Port::new(
            "in_wgt",
            Dir::Input,
            d.in_wgt_bits(),
            &format!(
                "{lanes} x {width} weights ({}, {} bits each), lane 0 element 0 at the least significant bits",
                d.weights(),
                d.wgt_bits
            ),
        ),
        Port::new("in_last", Dir::Input, 1, "this chunk ends a reduction"),
    ];
    let tt = d.token_tile();
    let tb = d.tok_bits();
    let tiled = tt > 1;
    let mut ports = ports;
    if tiled {
        ports.push(Port::new(
            "in_wload",
            Dir::Input,
            1,
            &format!(
                "the lanes load in_wgt with this chunk (token slot 0); else they reuse their weights for the next of up to {tt} tokens and in_wgt is not looked at"
            ),
        ));
    }
    ports.extend([
        Port::new("out_valid", Dir::OutputReg, 1, "out_acc holds a finished reduction"),
        Port::new("out_ready", Dir::Input, 1, "the consumer takes out_acc at this edge"),
        Port::new(
            "out_acc",
            Dir::Output,
            d.out_acc_bits(),
            &format!(
                "{lanes} accumulators of {} bits (two's complement), lane 0 at the least significant bits",
                d.acc_bits
            ),
        ),
    ]);

    let mut items = Vec::new();
    // ---------------------------------------------------------- stage 0
    items.push(Item::Comment(format!(
        "stage 0: the input register and the plane groups it still has to issue (II = {ii})"
    )));
    items.push(reg("hold", hb));
    items.push(reg("s0_last", 1));
    items.push(reg("s0_act", d.in_act_bits()));
    items.push(Item::Comment(
        "(each lane keeps its own weights: the rest of the input register is in the lanes)".into(),
    ));
    if tiled {
        items.push(Item::Comment(format!(
            "the stage-0 chunk's token slot: the lanes hold their weights for up to {tt} tokens"
        )));
        items.push(reg("slot", tb));
    }
    let issue = if hb == 1 {
        name("hold")
    } else {
        reduce_or(name("hold"))
    };
    items.push(wire("issue", 1, issue));
    let hold_is_one = if hb == 1 {
        name("hold")
    } else {
        bin(BinOp::Eq, name("hold"), konst(hb, 1))
    };
    items.push(wire("issue_last", 1, and(name("s0_last"), hold_is_one)));

    // ---------------------------------------------------------- pipeline control
    if depth > 0 {
        items.push(Item::Blank);
        items.push(Item::Comment(format!(
            "{depth} pipeline register{} after stage 0 (registers after tree levels {:?}{}): valid, last{}{}",
            if depth == 1 { "" } else { "s" },
            d.register_levels()
                .iter()
                .filter(|&&l| l > 0)
                .collect::<Vec<_>>(),
            lane_gen(d).pipeline_note(),
            if tagged { ", tag" } else { "" },
            if tiled { ", tok" } else { "" }
        )));
        for k in 1..=depth {
            items.push(reg(p(k, "valid"), 1));
            items.push(reg(p(k, "last"), 1));
            if tagged {
                items.push(reg(p(k, "tag"), hb));
            }
            if tiled {
                items.push(reg(p(k, "tok"), tb));
            }
        }
    }
    items.push(Item::Blank);
    items.push(Item::Comment(
        "the arriving entry: the last pipeline register's, or stage 0's issue".into(),
    ));
    let (av, al, at) = if depth == 0 {
        (name("issue"), name("issue_last"), name("hold"))
    } else {
        (
            name(p(depth, "valid")),
            name(p(depth, "last")),
            name(p(depth, "tag")),
        )
    };
    items.push(wire("arr_valid", 1, av));
    items.push(wire("arr_last", 1, al));
    if tagged {
        items.push(wire("arr_tag", hb, at));
    }
    if tiled {
        let tok = if depth == 0 {
            name("slot")
        } else {
            name(p(depth, "tok"))
        };
        items.push(wire("arr_tok", tb, tok));
    }

    // ---------------------------------------------------------- control
    items.push(Item::Blank);
    items.push(Item::Comment(
        "handshake and accumulate control (sim::tile)".into(),
    ));
    items.push(reg("done", 1));
    items.push(wire("fire", 1, and(name("out_valid"), name("out_ready"))));
    items.push(wire(
        "stall",
        1,
        and(and(name("done"), name("arr_valid")), not(name("out_ready"))),
    ));
    let blocked = not(and(name("done"), name("arr_valid")));
    let in_ready = if hb == 1 {
        blocked
    } else {
        and(bin(BinOp::Le, name("hold"), konst(hb, 1)), blocked)
    };
    items.push(Item::Assign(name("in_ready"), in_ready));
    items.push(wire("accept", 1, and(name("in_valid"), name("in_ready"))));
    items.push(wire(
        "to_out",
        1,
        and(name("arr_last"), or(not(name("out_valid")), name("fire"))),
    ));
    // the arriving entry the accumulators take (with weight registers, not
    // while another token's finished reduction leaves first)
    let av = if tiled { "arr_take" } else { "arr_valid" };
    if tiled {
        items.push(reg("dslot", tb));
        items.push(wire(
            "wait_tok",
            1,
            and(
                and(name("done"), name("arr_valid")),
                bin(BinOp::Ne, name("arr_tok"), name("dslot")),
            ),
        ));
        items.push(wire(
            "arr_take",
            1,
            and(name("arr_valid"), not(name("wait_tok"))),
        ));
        let hit = |t: u32| and(name(av), eq(name("arr_tok"), konst(tb, u128::from(t))));
        let we: Vec<Expr> = (0..tt)
            .rev()
            .map(|t| {
                mux(
                    name("done"),
                    and(
                        name("fire"),
                        or(hit(t), eq(name("dslot"), konst(tb, u128::from(t)))),
                    ),
                    hit(t),
                )
            })
            .collect();
        let zero: Vec<Expr> = (0..tt)
            .rev()
            .map(|t| mux(name("done"), not(hit(t)), name("to_out")))
            .collect();
        items.push(wire("acc_we", tt, concat(we)));
        items.push(wire("acc_zero", tt, concat(zero)));
        items.push(wire(
            "acc_tok",
            tb,
            mux(name("done"), name("dslot"), name("arr_tok")),
        ));
        items.push(wire("wload", 1, and(name("accept"), name("in_wload"))));
    } else {
        items.push(wire(
            "acc_we",
            1,
            mux(name("done"), name("fire"), name("arr_valid")),
        ));
        items.push(wire(
            "acc_zero",
            1,
            mux(name("done"), not(name("arr_valid")), name("to_out")),
        ));
    }
    items.push(wire(
        "out_we",
        1,
        mux(name("done"), name("fire"), and(name(av), name("to_out"))),
    ));
    if depth > 0 {
        // stage_en[s] = !stall && (valid entry entering register s+1)
        let mut srcs: Vec<Expr> = (1..depth).rev().map(|k| name(p(k, "valid"))).collect();
        srcs.push(name("issue"));
        let frozen = if tiled {
            or(name("stall"), name("wait_tok"))
        } else {
            name("stall")
        };
        items.push(wire(
            "stage_en",
            depth,
            and(concat(srcs), repeat(depth, not(frozen))),
        ));
    }

    // ---------------------------------------------------------- registers
    let mut reset = vec![
        nb(name("hold"), konst(hb, 0)),
        nb(name("done"), konst(1, 0)),
        nb(name("out_valid"), konst(1, 0)),
    ];
    if tiled {
        reset.push(nb(name("slot"), konst(tb, 0)));
        reset.push(nb(name("dslot"), konst(tb, 0)));
    }
    let mut step = vec![
        nb(
            name("out_valid"),
            or(name("out_we"), and(name("out_valid"), not(name("fire")))),
        ),
        nb(
            name("done"),
            mux(
                name("done"),
                or(not(name("fire")), and(name(av), name("arr_last"))),
                and(and(name(av), name("arr_last")), not(name("to_out"))),
            ),
        ),
    ];
    let mut shift = Vec::new();
    for k in 1..=depth {
        reset.push(nb(name(p(k, "valid")), konst(1, 0)));
        reset.push(nb(name(p(k, "last")), konst(1, 0)));
        let (v, l, t) = if k == 1 {
            (name("issue"), name("issue_last"), name("hold"))
        } else {
            (
                name(p(k - 1, "valid")),
                name(p(k - 1, "last")),
                name(p(k - 1, "tag")),
            )
        };
        shift.push(nb(name(p(k, "valid")), v));
        shift.push(nb(name(p(k, "last")), l));
        if tagged {
            shift.push(nb(name(p(k, "tag")), t));
        }
        if tiled {
            let tok = if k == 1 {
                name("slot")
            } else {
                name(p(k - 1, "tok"))
            };
            shift.push(nb(name(p(k, "tok")), tok));
        }
    }
    if tiled {
        shift.push(if_(
            name("accept"),
            vec![nb(
                name("slot"),
                mux(
                    name("in_wload"),
                    konst(tb, 0),
                    bin(BinOp::Add, name("slot"), konst(tb, 1)),
                ),
            )],
        ));
        step.push(if_(
            and(name(av), name("arr_last")),
            vec![nb(name("dslot"), name("arr_tok"))],
        ));
    }
    shift.push(if_else(
        name("accept"),
        vec![nb(name("hold"), konst(hb, u128::from(ii)))],
        vec![if_(
            name("issue"),
            vec![nb(
                name("hold"),
                bin(BinOp::Sub, name("hold"), konst(hb, 1)),
            )],
        )],
    ));
    if tiled {
        step.push(if_(lnot(name("wait_tok")), shift));
    } else {
        step.extend(shift);
    }
    items.push(Item::Blank);
    items.push(Item::Comment(
        "control registers: nothing changes while stalled".into(),
    ));
    items.push(on_clock(
        "clk",
        vec![if_else(
            lnot(name("rst_n")),
            reset,
            vec![if_(lnot(name("stall")), step)],
        )],
    ));
    items.push(Item::Comment(
        "stage 0 data: loaded when a chunk is accepted".into(),
    ));
    items.push(on_clock(
        "clk",
        vec![if_(
            name("accept"),
            vec![
                nb(name("s0_act"), name("in_act")),
                nb(name("s0_last"), name("in_last")),
            ],
        )],
    ));

    // ---------------------------------------------------------- broadcast
    items.push(Item::Blank);
    items.extend(broadcast(d));

    // ---------------------------------------------------------- lanes
    items.push(Item::Blank);
    items.push(Item::Comment(format!("the lane array: {lanes} lanes")));
    items.push(Item::Genvar("l".into()));
    let lw = d.lane_wgt_bits();
    let ab = d.acc_bits;
    let mut conns = vec![
        ("clk".to_string(), name("clk")),
        ("rst_n".to_string(), name("rst_n")),
    ];
    if depth > 0 {
        conns.push(("stage_en".into(), name("stage_en")));
    }
    for p in lane_gen(d).act_ports(d) {
        conns.push((p.name.into(), name(p.source)));
    }
    let lane_times = |w: u32| bin(BinOp::Mul, name("l"), int(i64::from(w)));
    conns.push((
        "in_wgt".into(),
        vpart("in_wgt", d.in_wgt_bits(), lane_times(lw), lw),
    ));
    conns.push(("load".into(), name(if tiled { "wload" } else { "accept" })));
    if tagged {
        conns.push(("arr_tag".into(), name("arr_tag")));
    }
    if tiled {
        conns.push(("acc_tok".into(), name("acc_tok")));
    }
    for (port, sig) in [
        ("acc_base_zero", "done"),
        ("acc_we", "acc_we"),
        ("acc_zero", "acc_zero"),
        ("out_we", "out_we"),
        ("out_from_acc", "done"),
    ] {
        conns.push((port.into(), name(sig)));
    }
    conns.push(("out_acc".into(), part("out_acc", lane_times(ab), ab)));
    items.push(Item::GenerateFor {
        var: "l".into(),
        count: lanes,
        label: "g_lane".into(),
        items: vec![Item::Instance {
            module: d.lane_module(),
            name: "u_lane".into(),
            conns,
        }],
    });

    let t = &d.timing;
    Module {
        name: d.top(),
        doc: vec![
            format!(
                "{}: the onebit compute tile of design `{}`: {lanes} lanes x {width} elements, {} reduction, {} activations x {} weights.",
                d.top(),
                d.name,
                d.reduction().name(),
                d.acts(),
                d.weights()
            ),
            format!(
                "Accumulators {} bits (max_k = {}); pipeline registers {}; initiation interval {}; latency {} cycles (accepting a reduction's last chunk to out_valid).",
                d.acc_bits, d.array.max_k, t.pipeline_regs, ii, t.latency
            ),
            "Cycle behaviour: sim::tile (the simulator's model), checked cycle for cycle by `onebit rtl check`.".into(),
            "Generated by onebit rtl-gen; the manifest beside this file describes the ports.".into(),
        ]
        .into_iter()
        .chain(tiled.then(|| format!(
            "Weight registers (array.token_tile = {tt}): each lane holds its weights for up to {tt} tokens (in_wload) and keeps {tt} partial sums."
        )))
        .collect(),
        ports,
        items,
    }
}

/// What the tile computes once and broadcasts to every lane: the
/// sign-extended and negated activations (adder tree) or the activation
/// bit-planes of the issuing group (popcount). The MAC lanes take `s0_act`.
fn broadcast(d: &Design) -> Vec<Item> {
    lane_gen(d).broadcast(d)
}
