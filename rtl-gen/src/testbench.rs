//! The self-checking testbenches, built with the same IR and printer as
//! the design.
//!
//! `<design>_tb` replays a [`crate::replay::Replay`]: it reads three
//! `$readmemh` files from `<design>/` (relative to the simulator's working
//! directory), holds the tile in reset for two edges, then for every cycle
//! drives `in_valid`, `out_ready` and the next chunk (the inverted chunk
//! when `in_valid` is low, to show that the tile ignores it), compares
//! `in_ready`, `out_valid` and, while `out_valid` is expected, `out_acc`
//! with the record (4-state `!==`, so an X is a mismatch), and prints
//! `ONEBIT <design> MISMATCH ...` lines (the first ten) and one
//! `ONEBIT <design> DONE cycles=.. accepted=.. outputs=.. mismatches=..`
//! line. Run lengths come from plusargs (`+<design>_cycles=N`,
//! `_pool=N`, `_outs=N`); memory depths are rounded up to powers of two so
//! a build serves many vector sets.
//!
//! `tb_top` instantiates one testbench per design of a batch on one clock
//! and calls `$finish` when all are done; Verilator clocks it from
//! [`VERILATOR_MAIN`], Icarus from the `tb_clk` wrapper.

use crate::design::Design;
use crate::ir::{
    bin, bit, blk, concat, if_, if_else, int, konst, lnot, name, nb, not, on_clock, reg, task,
    wire_decl, BinOp, Dir, Event, Expr, Item, Module, Net, Port, Stmt,
};
use crate::replay::{chunk_bits, IN_READY, IN_VALID, OUT_READY, OUT_VALID};

/// Memory depths of a testbench (powers of two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Depths {
    /// Cycle records.
    pub cycles: u64,
    /// Chunk pool.
    pub pool: u64,
    /// Expected outputs.
    pub outs: u64,
}

impl Depths {
    /// Depths that hold `cycles` records, `pool` chunks and `outs` outputs.
    pub fn holding(cycles: u64, pool: u64, outs: u64) -> Depths {
        let up = |n: u64| n.max(16).next_power_of_two();
        Depths {
            cycles: up(cycles),
            pool: up(pool),
            outs: up(outs),
        }
    }
}

fn mem(n: &str, width: u32, depth: u64) -> Item {
    Item::Decl {
        net: Net::Reg,
        name: n.into(),
        width,
        depth: Some(depth),
        init: None,
    }
}

fn integer(n: &str) -> Item {
    Item::Decl {
        net: Net::Integer,
        name: n.into(),
        width: 32,
        depth: None,
        init: None,
    }
}

fn bit_of(v: &str, mask: u8) -> Expr {
    bit(v, mask.trailing_zeros())
}

fn incr(v: &str) -> Stmt {
    blk(name(v), bin(BinOp::Add, name(v), int(1)))
}

/// The testbench module of `d`.
pub fn tb_module(d: &Design, depths: Depths) -> Module {
    let dn = d.name.clone();
    let cw = chunk_bits(d);
    let ow = d.out_acc_bits();
    let (aw, ww) = (d.in_act_bits(), d.in_wgt_bits());
    let tiled = d.token_tile() > 1;
    let mut items = vec![
        Item::Comment("vectors and expectations ($readmemh files, see rtl_gen::replay)".into()),
        mem("cyc_mem", 4, depths.cycles),
        mem("chunk_mem", cw, depths.pool),
        mem("out_mem", ow, depths.outs),
    ];
    for v in [
        "n_cycles", "n_pool", "n_outs", "cyc", "next", "oidx", "accepted", "taken", "errors",
        "boot",
    ] {
        items.push(integer(v));
    }
    items.push(reg("rec", 4));
    items.push(reg("word", cw));
    items.push(Item::Blank);
    items.push(Item::Comment("the tile's ports".into()));
    for (n, w) in [
        ("rst_n", 1),
        ("in_valid", 1),
        ("in_last", 1),
        ("out_ready", 1),
        ("in_act", aw),
        ("in_wgt", ww),
    ] {
        items.push(reg(n, w));
    }
    if tiled {
        items.push(reg("in_wload", 1));
    }
    items.push(wire_decl("in_ready", 1));
    items.push(wire_decl("out_valid", 1));
    items.push(wire_decl("out_acc", ow));
    // (the result is used: Verilator 5.006 drops an unused call's side effect)
    let plus = |what: &str, var: &str| {
        if_(
            lnot(Expr::Call(
                "$value$plusargs".into(),
                vec![Expr::Str(format!("{dn}_{what}=%d")), name(var)],
            )),
            vec![task(
                "$display",
                vec![Expr::Str(format!(
                    "ONEBIT {dn} ERROR missing +{dn}_{what}=N"
                ))],
            )],
        )
    };
    let mut init = vec![
        blk(name("done"), konst(1, 0)),
        blk(name("rst_n"), konst(1, 0)),
        blk(name("in_valid"), konst(1, 0)),
        blk(name("in_last"), konst(1, 0)),
        blk(name("out_ready"), konst(1, 0)),
        blk(name("in_act"), konst(aw, 0)),
        blk(name("in_wgt"), konst(ww, 0)),
    ];
    if tiled {
        init.push(blk(name("in_wload"), konst(1, 0)));
    }
    for v in ["cyc", "next", "oidx", "accepted", "taken", "errors", "boot"] {
        init.push(blk(name(v), int(0)));
    }
    init.push(blk(name("n_cycles"), int(0)));
    init.push(blk(name("n_pool"), int(1)));
    init.push(blk(name("n_outs"), int(1)));
    init.push(plus("cycles", "n_cycles"));
    init.push(plus("pool", "n_pool"));
    init.push(plus("outs", "n_outs"));
    for (file, m, n) in [
        ("cycles", "cyc_mem", "n_cycles"),
        ("chunks", "chunk_mem", "n_pool"),
        ("outputs", "out_mem", "n_outs"),
    ] {
        init.push(task(
            "$readmemh",
            vec![
                Expr::Str(format!("{dn}/{file}.hex")),
                name(m),
                int(0),
                bin(BinOp::Sub, name(n), int(1)),
            ],
        ));
    }
    items.push(Item::Initial(init));
    items.push(Item::Blank);
    items.push(Item::Instance {
        module: d.top(),
        name: "dut".into(),
        conns: [
            "clk", "rst_n", "in_valid", "in_ready", "in_act", "in_wgt", "in_last",
        ]
        .iter()
        .chain(tiled.then_some(&"in_wload"))
        .chain(&["out_valid", "out_ready", "out_acc"])
        .map(|p| (p.to_string(), name(*p)))
        .collect(),
    });
    items.push(Item::Blank);

    // drive the inputs of cycle `cyc` (record `rec`, chunk `next`)
    let chunk_lhs = || {
        let mut v = vec![name("in_last"), name("in_wgt"), name("in_act")];
        if tiled {
            v.insert(0, name("in_wload"));
        }
        concat(v)
    };
    let drive = vec![
        blk(
            name("rec"),
            Expr::Index("cyc_mem".into(), Box::new(name("cyc"))),
        ),
        blk(
            name("word"),
            Expr::Index("chunk_mem".into(), Box::new(name("next"))),
        ),
        nb(name("in_valid"), bit_of("rec", IN_VALID)),
        nb(name("out_ready"), bit_of("rec", OUT_READY)),
        if_else(
            bit_of("rec", IN_VALID),
            vec![nb(chunk_lhs(), name("word"))],
            vec![nb(chunk_lhs(), not(name("word")))],
        ),
    ];
    let mismatch = |signal: &str, got: Expr, want: Expr, fmt: &str| {
        if_(
            bin(BinOp::CaseNe, got.clone(), want.clone()),
            vec![
                incr("errors"),
                if_(
                    bin(BinOp::Le, name("errors"), int(10)),
                    vec![task(
                        "$display",
                        vec![
                            Expr::Str(format!(
                                "ONEBIT {dn} MISMATCH cycle=%0d signal={signal} got={fmt} expected={fmt}{}",
                                if signal == "out_acc" { " output=%0d" } else { "" }
                            )),
                            name("cyc"),
                            got,
                            want,
                        ]
                        .into_iter()
                        .chain((signal == "out_acc").then(|| name("taken")))
                        .collect(),
                    )],
                ),
            ],
        )
    };
    let wrap = |v: &str, n: &str| {
        vec![
            incr(v),
            if_(bin(BinOp::Eq, name(v), name(n)), vec![blk(name(v), int(0))]),
        ]
    };
    let check = vec![
        blk(
            name("rec"),
            Expr::Index("cyc_mem".into(), Box::new(name("cyc"))),
        ),
        mismatch("in_ready", name("in_ready"), bit_of("rec", IN_READY), "%b"),
        mismatch(
            "out_valid",
            name("out_valid"),
            bit_of("rec", OUT_VALID),
            "%b",
        ),
        if_(
            bit_of("rec", OUT_VALID),
            vec![mismatch(
                "out_acc",
                name("out_acc"),
                Expr::Index("out_mem".into(), Box::new(name("oidx"))),
                "%h",
            )],
        ),
        if_(
            bin(BinOp::And, bit_of("rec", IN_VALID), bit_of("rec", IN_READY)),
            [vec![incr("accepted")], wrap("next", "n_pool")].concat(),
        ),
        if_(
            bin(
                BinOp::And,
                bit_of("rec", OUT_VALID),
                bit_of("rec", OUT_READY),
            ),
            [vec![incr("taken")], wrap("oidx", "n_outs")].concat(),
        ),
        incr("cyc"),
        if_else(
            bin(BinOp::Eq, name("cyc"), name("n_cycles")),
            vec![
                nb(name("done"), konst(1, 1)),
                nb(name("in_valid"), konst(1, 0)),
                nb(name("out_ready"), konst(1, 1)),
                task(
                    "$display",
                    vec![
                        Expr::Str(format!(
                            "ONEBIT {dn} DONE cycles=%0d accepted=%0d outputs=%0d mismatches=%0d"
                        )),
                        name("cyc"),
                        name("accepted"),
                        name("taken"),
                        name("errors"),
                    ],
                ),
            ],
            drive.clone(),
        ),
    ];
    items.push(Item::Comment(
        "two reset edges, then one record per cycle: check the outputs, drive the next inputs"
            .into(),
    ));
    items.push(on_clock(
        "clk",
        vec![if_else(
            bin(BinOp::Lt, name("boot"), int(2)),
            vec![
                incr("boot"),
                if_(
                    bin(BinOp::Eq, name("boot"), int(2)),
                    [vec![nb(name("rst_n"), konst(1, 1))], drive].concat(),
                ),
            ],
            vec![if_(bin(BinOp::Eq, name("done"), konst(1, 0)), check)],
        )],
    ));
    Module {
        name: d.tb_module(),
        doc: vec![format!(
            "{}: replays the simulator's predicted cycles on {} and compares every output (rtl_gen::testbench).",
            d.tb_module(),
            d.top()
        )],
        ports: vec![
            Port::new("clk", Dir::Input, 1, "clock"),
            Port::new("done", Dir::OutputReg, 1, "every record replayed"),
        ],
        items,
    }
}

/// The batch top: one testbench per design, `$finish` when all are done;
/// with `vcd`, a `$dumpvars` of everything into the file named by the
/// `+vcd=FILE` plusarg.
pub fn top_module(designs: &[&Design], vcd: bool) -> Module {
    let n = designs.len() as u32;
    let mut items = vec![wire_decl("done", n)];
    for (i, d) in designs.iter().enumerate() {
        let done = if n == 1 {
            name("done")
        } else {
            bit("done", i as u32)
        };
        items.push(Item::Instance {
            module: d.tb_module(),
            name: format!("u_{}", d.name),
            conns: vec![("clk".into(), name("clk")), ("done".into(), done)],
        });
    }
    if vcd {
        items.push(reg("vcd_file", 8 * 1024));
        items.push(integer("vcd_ok"));
        items.push(Item::Initial(vec![
            blk(
                name("vcd_ok"),
                Expr::Call(
                    "$value$plusargs".into(),
                    vec![Expr::Str("vcd=%s".into()), name("vcd_file")],
                ),
            ),
            if_(
                name("vcd_ok"),
                vec![
                    task("$dumpfile", vec![name("vcd_file")]),
                    task("$dumpvars", vec![int(0), name("tb_top")]),
                ],
            ),
        ]));
    }
    items.push(on_clock(
        "clk",
        vec![if_(
            bin(BinOp::Eq, name("done"), konst(n, (1u128 << n) - 1)),
            vec![
                task("$display", vec![Expr::Str("ONEBIT FINISHED".into())]),
                task("$finish", vec![]),
            ],
        )],
    ));
    Module {
        name: "tb_top".into(),
        doc: vec!["tb_top: every design's testbench on one clock (rtl_gen::testbench).".into()],
        ports: vec![Port::new("clk", Dir::Input, 1, "clock")],
        items,
    }
}

/// The Icarus wrapper: a free-running clock around `tb_top`.
pub fn clock_module() -> Module {
    Module {
        name: "tb_clk".into(),
        doc: vec!["tb_clk: the clock for event-driven simulators (Icarus).".into()],
        ports: vec![],
        items: vec![
            reg("clk", 1),
            Item::Initial(vec![blk(name("clk"), konst(1, 0))]),
            Item::Always(Event::Delay(1), vec![blk(name("clk"), not(name("clk")))]),
            Item::Instance {
                module: "tb_top".into(),
                name: "u_top".into(),
                conns: vec![("clk".into(), name("clk"))],
            },
        ],
    }
}

/// The C++ main of the Verilator build: toggles `clk` until `$finish`,
/// advancing time by one unit per half cycle (for `$dumpvars`).
pub const VERILATOR_MAIN: &str = r#"// Generated by onebit rtl-gen: clocks tb_top until $finish.
#include "Vtb_top.h"
#include "verilated.h"

int main(int argc, char** argv) {
    VerilatedContext* ctx = new VerilatedContext;
    ctx->commandArgs(argc, argv);
#if VM_TRACE
    ctx->traceEverOn(true);
#endif
    Vtb_top* top = new Vtb_top{ctx};
    top->clk = 0;
    top->eval();
    while (!ctx->gotFinish()) {
        ctx->timeInc(1);
        top->clk = 1;
        top->eval();
        ctx->timeInc(1);
        top->clk = 0;
        top->eval();
    }
    top->final();
    delete top;
    delete ctx;
    return 0;
}
"#;
