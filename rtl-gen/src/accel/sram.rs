//! The one SRAM macro wrapper every buffer is built from: one read port and
//! one write port (`clk`, `re`, `raddr`, `q`, `we`, `waddr`, `wdata`), a
//! synchronous read whose data `q` appears in the cycle after `re` and holds
//! until the next read, and write-through (a read of the word written at the
//! same edge returns the new data).
//!
//! For simulation the body is behavioural (a `reg` array); for synthesis
//! the same ports form an empty module that Yosys keeps as a blackbox (the
//! compiled macro's place), its area priced by the energy model's SRAM
//! table.

use super::params::addr_bits;
use crate::ir::{
    and, eq, if_, if_else, name, nb, on_clock, reg, Dir, Expr, Item, Module, Net, Port,
};

/// The wrapper `module` of `words` words of `bits` bits; `blackbox` leaves
/// the body empty.
pub fn sram_module(module: &str, words: u64, bits: u32, blackbox: bool) -> Module {
    let ab = addr_bits(words);
    let ports = vec![
        Port::new("clk", Dir::Input, 1, "clock, rising edge"),
        Port::new(
            "re",
            Dir::Input,
            1,
            "read: q holds word raddr from the next cycle",
        ),
        Port::new("raddr", Dir::Input, ab, "read address"),
        Port::new(
            "q",
            Dir::Output,
            bits,
            "read data (held until the next read)",
        ),
        Port::new(
            "we",
            Dir::Input,
            1,
            "write wdata to word waddr at this edge",
        ),
        Port::new("waddr", Dir::Input, ab, "write address"),
        Port::new("wdata", Dir::Input, bits, "write data"),
    ];
    let mut doc = vec![format!(
        "{words} x {bits}-bit SRAM, one read and one write port, synchronous read, write-through."
    )];
    let mut items = Vec::new();
    if blackbox {
        doc.push(
            "Synthesis view: a blackbox with the macro's ports (area from the energy model)."
                .into(),
        );
    } else {
        items.push(Item::Decl {
            net: Net::Reg,
            name: "mem".into(),
            width: bits,
            depth: Some(words),
            init: None,
        });
        items.push(reg("q_r", bits));
        items.push(Item::Assign(name("q"), name("q_r")));
        items.push(on_clock(
            "clk",
            vec![
                if_(
                    name("we"),
                    vec![nb(
                        Expr::Index("mem".into(), Box::new(name("waddr"))),
                        name("wdata"),
                    )],
                ),
                if_(
                    name("re"),
                    vec![if_else(
                        and(name("we"), eq(name("waddr"), name("raddr"))),
                        vec![nb(name("q_r"), name("wdata"))],
                        vec![nb(
                            name("q_r"),
                            Expr::Index("mem".into(), Box::new(name("raddr"))),
                        )],
                    )],
                ),
            ],
        ));
    }
    Module {
        name: module.into(),
        doc,
        ports,
        items,
    }
}
