//! Width-exact datapath arithmetic on top of the IR.
//!
//! A [`Val`] is a named signal together with the range of values it can
//! carry. Every operation declares a new wire exactly as wide as its result
//! needs (the range of the result and of its operands, so that every
//! operand can be extended to it without loss), extends each operand to
//! that width (sign extension for values that can be negative, zero
//! extension otherwise) and combines equal-width vectors. Verilog's
//! context-dependent widths and signedness never come into play, so no bit
//! is silently dropped and Verilator's width warnings stay quiet.

use crate::ir::{bin, bit, concat, konst, mux, name, neg, on_clock, reg, repeat, wire, BinOp};
use crate::ir::{Expr, Item, Stmt};

/// A datapath value: a signal (or a constant) with its width and range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Val {
    /// A name, a slice of a name, a bit, or a constant.
    pub sig: Expr,
    /// Bits of `sig`.
    pub width: u32,
    /// Smallest value it carries.
    pub lo: i128,
    /// Largest value it carries.
    pub hi: i128,
}

/// Bits that hold every value in `lo..=hi`: unsigned when `lo >= 0`, two's
/// complement otherwise; at least 1.
pub fn bits_for(lo: i128, hi: i128) -> u32 {
    if lo >= 0 {
        (128 - hi.leading_zeros()).max(1)
    } else {
        let mut b = 1;
        while -(1i128 << (b - 1)) > lo || (1i128 << (b - 1)) - 1 < hi {
            b += 1;
        }
        b
    }
}

impl Val {
    /// A value carried by signal expression `sig` of `width` bits.
    pub fn new(sig: Expr, width: u32, lo: i128, hi: i128) -> Val {
        debug_assert!(lo <= hi, "empty range");
        debug_assert!(bits_for(lo, hi) <= width, "{lo}..={hi} in {width} bits");
        Val { sig, width, lo, hi }
    }

    /// The constant `v`, as wide as it needs.
    pub fn constant(v: i128) -> Val {
        Val {
            sig: Expr::Int(0),
            width: bits_for(v.min(0), v.max(0)),
            lo: v,
            hi: v,
        }
    }

    fn is_const(&self) -> bool {
        self.lo == self.hi && matches!(self.sig, Expr::Int(_))
    }

    /// True when it can be negative (two's complement).
    pub fn signed(&self) -> bool {
        self.lo < 0
    }

    /// The most significant bit of the signal.
    fn msb(&self) -> Expr {
        match &self.sig {
            Expr::Name(n) if self.width > 1 => bit(n.clone(), self.width - 1),
            Expr::Slice(n, hi, _) => bit(n.clone(), *hi),
            other => other.clone(),
        }
    }

    /// The value as a `w`-bit vector (`w >= width`).
    pub fn ext(&self, w: u32) -> Expr {
        assert!(
            w >= self.width,
            "extending a {}-bit value to {w} bits",
            self.width
        );
        if self.is_const() {
            let m = if w >= 128 {
                u128::MAX
            } else {
                (1u128 << w) - 1
            };
            return konst(w, (self.lo as u128) & m);
        }
        if w == self.width {
            return self.sig.clone();
        }
        let fill = if self.signed() {
            repeat(w - self.width, self.msb())
        } else {
            konst(w - self.width, 0)
        };
        concat(vec![fill, self.sig.clone()])
    }
}

/// Items of a module body under construction, with helpers that declare
/// one wire per operation.
#[derive(Debug, Default)]
pub struct Body {
    /// The items so far.
    pub items: Vec<Item>,
}

fn width_of(vals: &[&Val], lo: i128, hi: i128) -> u32 {
    let lo = vals.iter().map(|v| v.lo).fold(lo, i128::min);
    let hi = vals.iter().map(|v| v.hi).fold(hi, i128::max);
    bits_for(lo, hi)
}

impl Body {
    /// Appends an item.
    pub fn push(&mut self, it: Item) {
        self.items.push(it);
    }

    /// `wire [w-1:0] n = e;` for a value in `lo..=hi` computed by `e(w)`
    /// at width `w` (at least as wide as `operands`).
    pub fn wire(
        &mut self,
        n: &str,
        operands: &[&Val],
        lo: i128,
        hi: i128,
        e: impl FnOnce(u32) -> Expr,
    ) -> Val {
        let w = width_of(operands, lo, hi);
        self.items.push(wire(n, w, e(w)));
        Val::new(name(n), w, lo, hi)
    }

    /// `n = a + b`.
    pub fn add(&mut self, n: &str, a: &Val, b: &Val) -> Val {
        self.wire(n, &[a, b], a.lo + b.lo, a.hi + b.hi, |w| {
            bin(BinOp::Add, a.ext(w), b.ext(w))
        })
    }

    /// `n = a - b`.
    pub fn sub(&mut self, n: &str, a: &Val, b: &Val) -> Val {
        self.wire(n, &[a, b], a.lo - b.hi, a.hi - b.lo, |w| {
            bin(BinOp::Sub, a.ext(w), b.ext(w))
        })
    }

    /// `n = -a`.
    pub fn neg(&mut self, n: &str, a: &Val) -> Val {
        self.wire(n, &[a], -a.hi, -a.lo, |w| neg(a.ext(w)))
    }

    /// `n = a * 2^k` (`{a, k'd0}`).
    pub fn shl(&mut self, n: &str, a: &Val, k: u32) -> Val {
        if k == 0 {
            return a.clone();
        }
        let (lo, hi) = (a.lo << k, a.hi << k);
        self.items.push(wire(
            n,
            a.width + k,
            concat(vec![a.sig.clone(), konst(k, 0)]),
        ));
        Val::new(name(n), a.width + k, lo, hi)
    }

    /// `n = sel ? a : b`.
    pub fn mux(&mut self, n: &str, sel: Expr, a: &Val, b: &Val) -> Val {
        self.wire(n, &[a, b], a.lo.min(b.lo), a.hi.max(b.hi), |w| {
            mux(sel, a.ext(w), b.ext(w))
        })
    }

    /// The sum of `vals` as a chain of adds named `n_1, n_2, ...` (the
    /// last one is the result); one value is itself.
    pub fn sum(&mut self, n: &str, vals: &[Val]) -> Val {
        let mut it = vals.iter();
        let mut acc = it.next().expect("a sum of at least one value").clone();
        let rest: Vec<&Val> = it.collect();
        for (i, v) in rest.iter().enumerate() {
            let nm = if i + 1 == rest.len() {
                n.to_string()
            } else {
                format!("{n}_{}", i + 1)
            };
            acc = self.add(&nm, &acc, v);
        }
        acc
    }
}

/// Pipeline registers grouped by stage: stage `s` loads when its enable
/// bit is set.
#[derive(Debug, Default)]
pub struct Stages {
    /// Per stage, the registers and their inputs.
    loads: Vec<Vec<Stmt>>,
}

impl Stages {
    /// `stages` empty stages.
    pub fn new(stages: usize) -> Stages {
        Stages {
            loads: vec![Vec::new(); stages],
        }
    }

    /// Declares register `n` in `body`, loaded from `v` in stage `s`.
    pub fn register(&mut self, body: &mut Body, s: usize, n: &str, v: &Val) -> Val {
        body.push(reg(n, v.width));
        self.loads[s].push(crate::ir::nb(name(n), v.sig.clone()));
        Val::new(name(n), v.width, v.lo, v.hi)
    }

    /// One `always` block per stage: `if (en[s]) begin ... end`.
    pub fn processes(self, clk: &str, en: impl Fn(usize) -> Expr) -> Vec<Item> {
        self.loads
            .into_iter()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(s, l)| on_clock(clk, vec![crate::ir::if_(en(s), l)]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::expr;

    #[test]
    fn widths() {
        assert_eq!(bits_for(0, 0), 1);
        assert_eq!(bits_for(0, 1), 1);
        assert_eq!(bits_for(0, 64), 7);
        assert_eq!(bits_for(-1, 1), 2);
        assert_eq!(bits_for(-128, 127), 8);
        assert_eq!(bits_for(-128, 128), 9);
        assert_eq!(bits_for(-1, 0), 1);
    }

    #[test]
    fn extension() {
        let s = Val::new(name("s"), 4, -8, 7);
        assert_eq!(expr(&s.ext(6)), "{{2{s[3]}}, s}");
        let u = Val::new(name("u"), 3, 0, 7);
        assert_eq!(expr(&u.ext(5)), "{2'd0, u}");
        assert_eq!(expr(&Val::constant(-3).ext(4)), "4'd13");
        let mut b = Body::default();
        let x = b.add("x", &s, &u);
        assert_eq!((x.width, x.lo, x.hi), (5, -8, 14));
    }
}
