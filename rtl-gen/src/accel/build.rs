//! A small builder over [`crate::ir`] for the accelerator top: declarations
//! with their next-state wires, one clocked process per block, and the
//! expression shorthands the blocks share (32-bit counters throughout).

use crate::ir::{self, bin, on_clock, BinOp, Expr, Item, Net, Stmt};

/// Counter and address bits.
pub const X: u32 = 32;

/// A module body under construction, each item tagged with the block that
/// added it ([`Body::block`]; [`super::partition`] makes a module of each).
#[derive(Default)]
pub struct Body {
    /// The items so far.
    pub items: Vec<Item>,
    /// `(first item, block)`: the items from there on are that block's.
    pub blocks: Vec<(usize, String)>,
}

impl Body {
    /// The items added from now on are block `name`'s (before any call:
    /// the top's, [`super::partition::TOP`]).
    pub fn block(&mut self, name: &str) {
        self.blocks.push((self.items.len(), name.into()));
    }
    /// Every item with its block.
    pub fn tagged(self) -> Vec<(String, Item)> {
        let mut tag = super::partition::TOP.to_string();
        let mut spans = self.blocks.into_iter().peekable();
        let mut out = Vec::with_capacity(self.items.len());
        for (i, it) in self.items.into_iter().enumerate() {
            while let Some((_, b)) = spans.next_if(|(at, _)| *at <= i) {
                tag = b;
            }
            out.push((tag.clone(), it));
        }
        out
    }
    /// A comment line.
    pub fn note(&mut self, s: &str) {
        self.items.push(Item::Blank);
        self.items.push(Item::Comment(s.into()));
    }
    /// `reg [w-1:0] n;`
    pub fn reg(&mut self, n: &str, w: u32) {
        self.items.push(ir::reg(n, w));
    }
    /// `wire [w-1:0] n = e;`
    pub fn wire(&mut self, n: &str, w: u32, e: Expr) {
        self.items.push(ir::wire(n, w, e));
    }
    /// `assign l = e;`
    pub fn assign(&mut self, l: &str, e: Expr) {
        self.items.push(Item::Assign(ir::name(l), e));
    }
    /// A memory-less clocked process with synchronous reset: `reset` when
    /// `rst_n` is low, `body` otherwise.
    pub fn clocked(&mut self, reset: Vec<Stmt>, body: Vec<Stmt>) {
        let s = if reset.is_empty() {
            body
        } else {
            vec![ir::if_else(ir::lnot(n("rst_n")), reset, body)]
        };
        self.items.push(on_clock("clk", s));
    }
    /// A clocked process without reset.
    pub fn clocked_data(&mut self, body: Vec<Stmt>) {
        self.items.push(on_clock("clk", body));
    }
    /// Items between lint waivers.
    pub fn waive(&mut self, rule: &str, reason: &str, items: Vec<Item>) {
        self.items.push(Item::Waive {
            rule: rule.into(),
            reason: reason.into(),
            items,
        });
    }
    /// A `reg` memory.
    pub fn mem(&mut self, n: &str, w: u32, depth: u64) {
        self.items.push(Item::Decl {
            net: Net::Reg,
            name: n.into(),
            width: w,
            depth: Some(depth),
            init: None,
        });
    }
}

/// A name.
pub fn n(s: &str) -> Expr {
    ir::name(s)
}
/// A `w`-bit constant.
pub fn k(w: u32, v: u128) -> Expr {
    ir::konst(w, v)
}
/// A 32-bit constant.
pub fn kx(v: u64) -> Expr {
    ir::konst(X, u128::from(v))
}
/// 1'b1 / 1'b0.
pub fn b(v: bool) -> Expr {
    ir::konst(1, u128::from(v))
}
/// `a < c ? a : c`, the smaller of two unsigned values.
pub fn min(a: Expr, c: Expr) -> Expr {
    mux(lt(a.clone(), c.clone()), a, c)
}
/// `a + b`
pub fn add(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Add, a, c)
}
/// `a - b`
pub fn sub(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Sub, a, c)
}
/// `a * b`
pub fn mul(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Mul, a, c)
}
/// `a == b`
pub fn eq(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Eq, a, c)
}
/// `a != b`
pub fn ne(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Ne, a, c)
}
/// `a < b`
pub fn lt(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Lt, a, c)
}
/// `a <= b`
pub fn le(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Le, a, c)
}
/// `a && b`
pub fn and(a: Expr, c: Expr) -> Expr {
    bin(BinOp::LogicAnd, a, c)
}
/// `a || b`
pub fn or(a: Expr, c: Expr) -> Expr {
    bin(BinOp::LogicOr, a, c)
}
/// `!a`
pub fn not(a: Expr) -> Expr {
    ir::lnot(a)
}
/// `c ? a : b`
pub fn mux(c: Expr, a: Expr, e: Expr) -> Expr {
    ir::mux(c, a, e)
}
/// `name[hi:lo]`
pub fn sl(s: &str, hi: u32, lo: u32) -> Expr {
    ir::slice(s, hi, lo)
}
/// `{a, b, ...}`
pub fn cat(v: Vec<Expr>) -> Expr {
    ir::concat(v)
}
/// `lhs <= rhs;`
pub fn set(l: &str, e: Expr) -> Stmt {
    ir::nb(n(l), e)
}
/// `if (c) begin t end`
pub fn when(c: Expr, t: Vec<Stmt>) -> Stmt {
    ir::if_(c, t)
}
/// `if (c) begin t end else begin e end`
pub fn when_else(c: Expr, t: Vec<Stmt>, e: Vec<Stmt>) -> Stmt {
    ir::if_else(c, t, e)
}
/// A `w`-bit value zero-extended to 32 bits (`w <= 32`).
pub fn zx(e: Expr, w: u32) -> Expr {
    if w >= X {
        e
    } else {
        cat(vec![k(X - w, 0), e])
    }
}
