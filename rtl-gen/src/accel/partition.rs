//! The accelerator top as one module per block: a purely structural pass
//! over the flat body the blocks build ([`super::build::Body`], each item
//! tagged with its block by `Body::block`).
//!
//! Every name is owned by the block that drives it (a declaration with a
//! value, an `assign`, a process's assignment, an instance's output); its
//! declaration goes with it. A block's inputs are the names it reads that
//! another block or a port of the top drives; its outputs are the names it
//! drives that another block reads or that are ports of the top. Each
//! block becomes the module `<top>_<block>` with those ports (in the flat
//! module's order: the top's ports first, then declarations), and the
//! top keeps its ports, declares a wire for every name between blocks,
//! holds the items tagged `top` and instantiates the blocks. Nothing is
//! renamed and no expression changes, so the logic and its cycles are the
//! flat module's.
//!
//! A constant wire is copied into every block that reads it rather than
//! crossing as a port, so that synthesis folds it there as in the flat
//! module.
//!
//! Lint waivers of unused signals (`UNUSEDSIGNAL`, a wire that reduces the
//! unused names) are redistributed: each module waives the listed names it
//! declares or takes as inputs, and the inputs of which it reads only some
//! bits (another block reads the rest; the bits are found from constant
//! selects).

use crate::ir::{Dir, Event, Expr, Item, Module, Net, Port, Stmt, UnOp};
use std::collections::{BTreeMap, BTreeSet};

/// The block of items before any tag, and of the items the top keeps.
pub const TOP: &str = "top";

/// A module of the partitioned top: its block's name and the module.
#[derive(Debug, Clone)]
pub struct Part {
    /// The block (`top` for the top itself).
    pub block: String,
    /// The module.
    pub module: Module,
}

/// Bits of a read: `Some((lo, hi))`, or `None` for all of them.
type Bits = Option<(u32, u32)>;

/// For each block, the names it reads and the bits of each read.
type Reads = BTreeMap<String, BTreeMap<String, Vec<Bits>>>;

/// A declaration in the flat body.
#[derive(Debug, Clone)]
struct Decl {
    net: Net,
    width: u32,
    depth: Option<u64>,
    order: usize,
}

/// Names an expression reads, with the bits of each (`None`: all).
fn reads(e: &Expr, out: &mut Vec<(String, Bits)>) {
    match e {
        Expr::Name(n) => out.push((n.clone(), None)),
        Expr::Index(n, i) => {
            match **i {
                Expr::Int(b) if b >= 0 => out.push((n.clone(), Some((b as u32, b as u32)))),
                _ => out.push((n.clone(), None)),
            }
            reads(i, out);
        }
        Expr::Slice(n, hi, lo) => out.push((n.clone(), Some((*lo, *hi)))),
        Expr::PartSel(n, s, w) => {
            match **s {
                Expr::Int(b) if b >= 0 => {
                    out.push((n.clone(), Some((b as u32, b as u32 + w.saturating_sub(1)))))
                }
                _ => out.push((n.clone(), None)),
            }
            reads(s, out);
        }
        Expr::Const(..) | Expr::Int(_) | Expr::Str(_) => {}
        Expr::Unary(_, a) | Expr::Repeat(_, a) | Expr::Signed(a) => reads(a, out),
        Expr::Binary(_, a, b) => {
            reads(a, out);
            reads(b, out);
        }
        Expr::Mux(c, a, b) => {
            reads(c, out);
            reads(a, out);
            reads(b, out);
        }
        Expr::Concat(v) | Expr::Call(_, v) => v.iter().for_each(|x| reads(x, out)),
    }
}

/// The name an assignment's target drives, and the reads of its indices.
fn target(e: &Expr, r: &mut Vec<(String, Bits)>) -> Option<String> {
    match e {
        Expr::Name(n) | Expr::Slice(n, ..) => Some(n.clone()),
        Expr::Index(n, i) | Expr::PartSel(n, i, _) => {
            reads(i, r);
            Some(n.clone())
        }
        _ => None,
    }
}

fn stmt_uses(s: &Stmt, d: &mut Vec<String>, r: &mut Vec<(String, Bits)>) {
    match s {
        Stmt::NonBlocking(l, e) | Stmt::Blocking(l, e) => {
            d.extend(target(l, r));
            reads(e, r);
        }
        Stmt::If(c, t, e) => {
            reads(c, r);
            t.iter().chain(e).for_each(|x| stmt_uses(x, d, r));
        }
        Stmt::Task(_, a) => a.iter().for_each(|x| reads(x, r)),
        Stmt::Comment(_) => {}
    }
}

/// What an item drives and reads; `outputs(module, port)` says whether an
/// instance's port is one of its outputs.
fn item_uses(
    it: &Item,
    outputs: &dyn Fn(&str, &str) -> bool,
    d: &mut Vec<String>,
    r: &mut Vec<(String, Bits)>,
) {
    match it {
        Item::Decl {
            name,
            init: Some(e),
            ..
        } => {
            d.push(name.clone());
            reads(e, r);
        }
        Item::Assign(l, e) => {
            d.extend(target(l, r));
            reads(e, r);
        }
        Item::Always(ev, body) => {
            if let Event::Posedge(c) = ev {
                r.push((c.clone(), None));
            }
            body.iter().for_each(|s| stmt_uses(s, d, r));
        }
        Item::Initial(body) => body.iter().for_each(|s| stmt_uses(s, d, r)),
        Item::Instance { module, conns, .. } => {
            for (p, e) in conns {
                if outputs(module, p) {
                    d.extend(target(e, r));
                } else {
                    reads(e, r);
                }
            }
        }
        Item::GenerateFor { items, .. } | Item::Waive { items, .. } => {
            items.iter().for_each(|i| item_uses(i, outputs, d, r))
        }
        _ => {}
    }
}

/// The parts of an unused-signal waiver (`wire w = |{a, b[1:0], ...};`),
/// or `None` when the item is not one.
fn unused_parts(it: &Item) -> Option<(String, Vec<Expr>)> {
    let Item::Waive {
        rule,
        reason,
        items,
    } = it
    else {
        return None;
    };
    if rule != "UNUSEDSIGNAL" {
        return None;
    }
    let mut parts = Vec::new();
    for i in items {
        match i {
            Item::Decl {
                net: Net::Wire,
                init: Some(Expr::Unary(UnOp::ReduceOr, e)),
                ..
            } => match &**e {
                Expr::Concat(v) => parts.extend(v.iter().cloned()),
                other => parts.push(other.clone()),
            },
            _ => return None,
        }
    }
    Some((reason.clone(), parts))
}

fn base(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) | Expr::Index(n, _) | Expr::Slice(n, ..) | Expr::PartSel(n, ..) => Some(n),
        _ => None,
    }
}

fn waiver(name: &str, reason: &str, parts: Vec<Expr>) -> Item {
    Item::Waive {
        rule: "UNUSEDSIGNAL".into(),
        reason: reason.into(),
        items: vec![crate::ir::wire(
            name,
            1,
            Expr::Unary(UnOp::ReduceOr, Box::new(Expr::Concat(parts))),
        )],
    }
}

/// Splits `flat` (its ports, doc and name; its items ignored) into one
/// module per block of `tagged` plus the top, which comes last. `ifaces`
/// are the modules instantiated inside (for their ports' directions).
/// Fails (a generator bug) when two blocks drive one name or a memory
/// would cross blocks.
pub fn partition(
    flat: &Module,
    tagged: Vec<(String, Item)>,
    ifaces: &[Module],
) -> Result<Vec<Part>, String> {
    let outputs = |m: &str, p: &str| {
        ifaces
            .iter()
            .any(|i| i.name == m && i.ports.iter().any(|x| x.name == p && x.dir != Dir::Input))
    };
    let ports: BTreeMap<&str, &Port> = flat.ports.iter().map(|p| (p.name.as_str(), p)).collect();
    // blocks in order of first appearance, the top's last
    let mut blocks: Vec<String> = Vec::new();
    for (b, _) in &tagged {
        if b != TOP && !blocks.contains(b) {
            blocks.push(b.clone());
        }
    }
    // declarations, drivers, reads
    let mut decls: BTreeMap<String, Decl> = BTreeMap::new();
    let mut driver: BTreeMap<String, String> = BTreeMap::new();
    let mut read: Reads = BTreeMap::new();
    let mut unused: Vec<(String, Vec<Expr>)> = Vec::new();
    for (b, it) in &tagged {
        if let Some(u) = unused_parts(it) {
            unused.push(u);
            continue;
        }
        if let Item::Decl {
            net,
            name,
            width,
            depth,
            ..
        } = it
        {
            let order = decls.len();
            decls.insert(
                name.clone(),
                Decl {
                    net: *net,
                    width: *width,
                    depth: *depth,
                    order,
                },
            );
        }
        let (mut d, mut r) = (Vec::new(), Vec::new());
        item_uses(it, &outputs, &mut d, &mut r);
        for n in d {
            if let Some(prev) = driver.insert(n.clone(), b.clone()) {
                if prev != *b {
                    return Err(format!("`{n}` is driven by both `{prev}` and `{b}`"));
                }
            }
        }
        for (n, bits) in r {
            read.entry(b.clone())
                .or_default()
                .entry(n)
                .or_default()
                .push(bits);
        }
    }
    // constant wires are copied into every block that reads them (so that
    // Yosys folds them there) instead of crossing as ports
    let consts: BTreeSet<String> = tagged
        .iter()
        .filter_map(|(_, it)| match it {
            Item::Decl {
                net: Net::Wire,
                name,
                depth: None,
                init: Some(Expr::Const(..)),
                ..
            } if !ports.contains_key(name.as_str()) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let owner = |n: &str| -> Option<&str> {
        driver
            .get(n)
            .map(String::as_str)
            .or_else(|| ports.get(n).filter(|p| p.dir == Dir::Input).map(|_| "port"))
    };
    let width = |n: &str| -> u32 {
        decls
            .get(n)
            .map(|d| d.width)
            .or_else(|| ports.get(n).map(|p| p.width))
            .unwrap_or(1)
    };
    // port order: the top's ports, then declarations
    let rank = |n: &str| -> (usize, usize) {
        match flat.ports.iter().position(|p| p.name == n) {
            Some(i) => (0, i),
            None => (1, decls.get(n).map_or(usize::MAX, |d| d.order)),
        }
    };
    let empty = BTreeMap::new();
    let mut parts = Vec::new();
    let mut between: BTreeSet<String> = BTreeSet::new();
    let mut instances = Vec::new();
    for blk in &blocks {
        let reads_here = read.get(blk).unwrap_or(&empty);
        let mut ins: Vec<&str> = reads_here
            .keys()
            .map(String::as_str)
            .filter(|n| !consts.contains(*n) && matches!(owner(n), Some(o) if o != blk))
            .collect();
        let mut outs: Vec<&str> = driver
            .iter()
            .filter(|(n, d)| {
                *d == blk
                    && !consts.contains(n.as_str())
                    && (ports.contains_key(n.as_str())
                        || read
                            .iter()
                            .any(|(rb, m)| rb != blk && m.contains_key(n.as_str())))
            })
            .map(|(n, _)| n.as_str())
            .collect();
        ins.sort_by_key(|n| rank(n));
        outs.sort_by_key(|n| rank(n));
        let out_set: BTreeSet<&str> = outs.iter().copied().collect();
        let mut mports = Vec::new();
        for n in &ins {
            mports.push(Port::new(n, Dir::Input, width(n), ""));
        }
        for n in &outs {
            if let Some(d) = decls.get(*n) {
                if d.depth.is_some() {
                    return Err(format!("the memory `{n}` would cross blocks"));
                }
            }
            let reg = decls.get(*n).is_some_and(|d| d.net == Net::Reg);
            let dir = if reg { Dir::OutputReg } else { Dir::Output };
            let comment = ports.get(n).map_or(String::new(), |p| p.comment.clone());
            mports.push(Port::new(n, dir, width(n), &comment));
            if !ports.contains_key(n) {
                between.insert(n.to_string());
            }
        }
        // the block's items: its own, and the declarations of what it drives
        let mut items = Vec::new();
        let mut locals: BTreeSet<String> = BTreeSet::new();
        for (b, it) in &tagged {
            if unused_parts(it).is_some() {
                continue;
            }
            if let Item::Decl { name, init, .. } = it {
                if consts.contains(name) {
                    if reads_here.contains_key(name) {
                        locals.insert(name.clone());
                        items.push(it.clone());
                    }
                    continue;
                }
                let home = driver.get(name).unwrap_or(b);
                if home != blk {
                    continue;
                }
                if out_set.contains(name.as_str()) {
                    if let Some(e) = init {
                        items.push(Item::Assign(crate::ir::name(name), e.clone()));
                    }
                } else {
                    locals.insert(name.clone());
                    items.push(it.clone());
                }
                continue;
            }
            if b == blk {
                items.push(it.clone());
            }
        }
        // waivers: the listed names it declares or takes, and inputs read in part
        let visible = |n: &str| locals.contains(n) || ins.contains(&n);
        for (i, (reason, list)) in unused.iter().enumerate() {
            let mine: Vec<Expr> = list
                .iter()
                .filter(|e| base(e).is_some_and(visible))
                .cloned()
                .collect();
            if !mine.is_empty() {
                items.push(waiver(&format!("unused_ok{i}"), reason, mine));
            }
        }
        let partial: Vec<Expr> = ins
            .iter()
            .filter(|n| {
                let w = width(n) as usize;
                let mut used = vec![false; w];
                for bits in &reads_here[**n] {
                    match bits {
                        None => return false,
                        Some((lo, hi)) => {
                            for b in *lo..=(*hi).min(w as u32 - 1) {
                                used[b as usize] = true;
                            }
                        }
                    }
                }
                used.iter().any(|u| !u)
            })
            .map(|n| crate::ir::name(*n))
            .collect();
        if !partial.is_empty() {
            items.push(waiver(
                "unused_in_ok",
                "inputs of which this block reads only some bits (other blocks read the rest)",
                partial,
            ));
        }
        let name = format!("{}_{blk}", flat.name);
        instances.push(Item::Instance {
            module: name.clone(),
            name: format!("u_{blk}"),
            conns: mports
                .iter()
                .map(|p| (p.name.clone(), crate::ir::name(&p.name)))
                .collect(),
        });
        parts.push(Part {
            block: blk.clone(),
            module: Module {
                name,
                doc: vec![format!("Block `{blk}` of `{}` (the ports are its signals that other blocks read or drive).", flat.name)],
                ports: mports,
                items,
            },
        });
    }
    // the top: wires between blocks, its own items, the blocks
    let mut items = Vec::new();
    let mut locals: BTreeSet<String> = BTreeSet::new();
    let mut between: Vec<String> = between.into_iter().collect();
    between.sort_by_key(|n| rank(n));
    items.push(Item::Comment("signals between the blocks".into()));
    for n in &between {
        locals.insert(n.clone());
        items.push(crate::ir::wire_decl(n, width(n)));
    }
    for (b, it) in &tagged {
        if unused_parts(it).is_some() {
            continue;
        }
        let home = match it {
            Item::Decl { name, .. } if consts.contains(name) => {
                if read.get(TOP).is_some_and(|m| m.contains_key(name)) {
                    TOP
                } else {
                    continue;
                }
            }
            Item::Decl { name, .. } => driver.get(name).map_or(b.as_str(), String::as_str),
            _ => b.as_str(),
        };
        if home == TOP {
            if let Item::Decl { name, .. } = it {
                locals.insert(name.clone());
            }
            items.push(it.clone());
        }
    }
    items.push(Item::Blank);
    items.push(Item::Comment("the blocks".into()));
    items.extend(instances);
    let visible = |n: &str| locals.contains(n) || ports.get(n).is_some_and(|p| p.dir == Dir::Input);
    for (i, (reason, list)) in unused.iter().enumerate() {
        let mine: Vec<Expr> = list
            .iter()
            .filter(|e| base(e).is_some_and(visible))
            .cloned()
            .collect();
        if !mine.is_empty() {
            items.push(waiver(&format!("unused_ok{i}"), reason, mine));
        }
    }
    // every name read is driven somewhere
    for (b, m) in &read {
        for n in m.keys() {
            if owner(n).is_none() && !decls.contains_key(n) {
                return Err(format!("`{n}` (read by `{b}`) is never driven"));
            }
        }
    }
    parts.push(Part {
        block: TOP.into(),
        module: Module {
            name: flat.name.clone(),
            doc: flat.doc.clone(),
            ports: flat.ports.clone(),
            items,
        },
    });
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accel::build::{and, b, k, n, set, Body};

    fn flat() -> Module {
        Module {
            name: "m".into(),
            doc: vec![],
            ports: vec![
                Port::new("clk", Dir::Input, 1, ""),
                Port::new("i", Dir::Input, 4, ""),
                Port::new("o", Dir::Output, 1, "out"),
            ],
            items: vec![],
        }
    }

    fn ports(m: &Module) -> Vec<(String, Dir, u32)> {
        m.ports
            .iter()
            .map(|p| (p.name.clone(), p.dir, p.width))
            .collect()
    }

    /// Block `a` registers the input; `b` reads one bit of it and a
    /// constant, and drives the output port; a wire `b` declares is
    /// assigned in `a` (so it is `a`'s).
    fn body() -> Body {
        let mut o = Body::default();
        o.block("b");
        o.wire("one", 1, k(1, 1));
        o.items.push(crate::ir::wire_decl("late", 1));
        o.block("a");
        o.reg("x", 4);
        o.clocked_data(vec![set("x", n("i"))]);
        o.assign("late", b(true));
        o.block("b");
        o.assign("o", and(and(crate::ir::bit("x", 0), n("one")), n("late")));
        o.waive(
            "UNUSEDSIGNAL",
            "test",
            vec![crate::ir::wire(
                "unused_ok",
                1,
                crate::ir::reduce_or(Expr::Concat(vec![crate::ir::slice("i", 3, 1)])),
            )],
        );
        o
    }

    #[test]
    fn each_block_gets_the_names_it_reads_and_drives() {
        let parts = partition(&flat(), body().tagged(), &[]).expect("partitions");
        let names: Vec<&str> = parts.iter().map(|p| p.block.as_str()).collect();
        assert_eq!(names, ["b", "a", "top"]);
        let (pb, pa, top) = (&parts[0].module, &parts[1].module, &parts[2].module);
        assert_eq!(
            ports(pa),
            vec![
                ("clk".into(), Dir::Input, 1),
                ("i".into(), Dir::Input, 4),
                ("late".into(), Dir::Output, 1),
                ("x".into(), Dir::OutputReg, 4),
            ]
        );
        assert_eq!(
            ports(pb),
            vec![
                ("late".into(), Dir::Input, 1),
                ("x".into(), Dir::Input, 4),
                ("o".into(), Dir::Output, 1),
            ]
        );
        assert_eq!(pb.name, "m_b");
        let text = crate::print::print_module(pb);
        // the constant is b's own; x is read in part: waived there
        assert!(text.contains("wire one = 1'b1;"), "{text}");
        assert!(text.contains("wire unused_in_ok = |{x};"), "{text}");
        let ta = crate::print::print_module(pa);
        assert!(
            ta.contains("wire unused_ok0 = |{i[3:1]};") && !ta.contains("reg [3:0] x;"),
            "{ta}"
        );
        let tt = crate::print::print_module(top);
        assert!(
            tt.contains("wire [3:0] x;") && tt.contains("wire late;"),
            "{tt}"
        );
        assert!(tt.contains("m_a u_a (") && tt.contains(".x    (x)"), "{tt}");
        assert!(!tt.contains("wire one"), "{tt}");
    }

    #[test]
    fn two_drivers_are_refused() {
        let mut o = body();
        o.block("c");
        o.assign("late", b(false));
        let e = partition(&flat(), o.tagged(), &[]).unwrap_err();
        assert!(e.contains("`late`"), "{e}");
    }

    #[test]
    fn instance_outputs_drive_their_names() {
        let sub = Module {
            name: "s".into(),
            doc: vec![],
            ports: vec![
                Port::new("d", Dir::Input, 1, ""),
                Port::new("q", Dir::Output, 1, ""),
            ],
            items: vec![],
        };
        let mut o = Body::default();
        o.block("a");
        o.items.push(crate::ir::wire_decl("q", 1));
        o.items.push(Item::Instance {
            module: "s".into(),
            name: "u_s".into(),
            conns: vec![("d".into(), n("clk")), ("q".into(), n("q"))],
        });
        o.block("b");
        o.assign("o", and(n("q"), crate::ir::bit("i", 0)));
        let parts = partition(&flat(), o.tagged(), &[sub]).expect("partitions");
        assert_eq!(
            ports(&parts[0].module),
            vec![("clk".into(), Dir::Input, 1), ("q".into(), Dir::Output, 1)]
        );
        assert_eq!(
            ports(&parts[1].module),
            vec![
                ("i".into(), Dir::Input, 4),
                ("q".into(), Dir::Input, 1),
                ("o".into(), Dir::Output, 1),
            ]
        );
    }
}
