//! The one pretty-printer: [`crate::ir`] values to Verilog-2005 text.
//!
//! Four-space indentation, one declaration or statement a line, ports and
//! connections aligned, `begin`/`end` around every process body, and the
//! fewest parentheses that keep an expression unambiguous to a reader (an
//! operand that is itself an operation of another operator is
//! parenthesized). Nothing else in the crate writes Verilog.

use crate::ir::{BinOp, Dir, Event, Expr, Item, Module, Net, Stmt, UnOp};
use std::fmt::Write;

const INDENT: &str = "    ";

/// Prints modules one after the other, separated by a blank line, after a
/// header of `//` lines.
pub fn print_file(header: &[String], modules: &[Module]) -> String {
    let mut out = String::new();
    for h in header {
        comment_line(&mut out, 0, h);
    }
    for m in modules {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&print_module(m));
    }
    out
}

/// Prints one module.
pub fn print_module(m: &Module) -> String {
    let mut out = String::new();
    for d in &m.doc {
        comment_line(&mut out, 0, d);
    }
    if m.ports.is_empty() {
        let _ = writeln!(out, "module {};", m.name);
    } else {
        let _ = writeln!(out, "module {} (", m.name);
        let heads: Vec<String> = m
            .ports
            .iter()
            .map(|p| {
                let kind = match p.dir {
                    Dir::Input => "input  wire",
                    Dir::Output => "output wire",
                    Dir::OutputReg => "output reg ",
                };
                format!("{kind} {:<9}", range(p.width))
            })
            .collect();
        let names: Vec<String> = m
            .ports
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let comma = if i + 1 < m.ports.len() { "," } else { "" };
                format!("{}{comma}", p.name)
            })
            .collect();
        let col = names.iter().map(String::len).max().unwrap_or(0);
        for ((p, h), n) in m.ports.iter().zip(&heads).zip(&names) {
            let line = if p.comment.is_empty() {
                format!("{INDENT}{h} {n}")
            } else {
                format!("{INDENT}{h} {n:<col$} // {}", p.comment)
            };
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out.push_str(");\n");
    }
    items(&mut out, 1, &m.items);
    out.push_str("endmodule\n");
    out
}

fn comment_line(out: &mut String, level: usize, text: &str) {
    pad(out, level);
    if text.is_empty() {
        out.push_str("//\n");
    } else {
        let _ = writeln!(out, "// {text}");
    }
}

fn pad(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str(INDENT);
    }
}

/// `[w-1:0]`, or nothing for one bit.
fn range(width: u32) -> String {
    if width <= 1 {
        String::new()
    } else {
        format!("[{}:0]", width - 1)
    }
}

fn items(out: &mut String, level: usize, list: &[Item]) {
    for it in list {
        item(out, level, it);
    }
}

fn item(out: &mut String, level: usize, it: &Item) {
    match it {
        Item::Comment(c) => comment_line(out, level, c),
        Item::Blank => out.push('\n'),
        Item::LocalParam { name, value } => {
            pad(out, level);
            let _ = writeln!(out, "localparam integer {name} = {value};");
        }
        Item::Decl {
            net,
            name,
            width,
            depth,
            init,
        } => {
            pad(out, level);
            let kind = match net {
                Net::Wire => "wire",
                Net::Reg => "reg",
                Net::Integer => "integer",
            };
            out.push_str(kind);
            if *net != Net::Integer && *width > 1 {
                let _ = write!(out, " {}", range(*width));
            }
            let _ = write!(out, " {name}");
            if let Some(d) = depth {
                let _ = write!(out, " [0:{}]", d.saturating_sub(1));
            }
            if let Some(e) = init {
                let _ = write!(out, " = {}", expr(e));
            }
            out.push_str(";\n");
        }
        Item::Assign(l, r) => {
            pad(out, level);
            let _ = writeln!(out, "assign {} = {};", expr(l), expr(r));
        }
        Item::Always(ev, body) => {
            pad(out, level);
            match ev {
                Event::Posedge(clk) => {
                    let _ = writeln!(out, "always @(posedge {clk}) begin");
                }
                Event::Delay(n) => {
                    let _ = writeln!(out, "always #{n} begin");
                }
            }
            stmts(out, level + 1, body);
            pad(out, level);
            out.push_str("end\n");
        }
        Item::Initial(body) => {
            pad(out, level);
            out.push_str("initial begin\n");
            stmts(out, level + 1, body);
            pad(out, level);
            out.push_str("end\n");
        }
        Item::Instance {
            module,
            name,
            conns,
        } => {
            pad(out, level);
            let _ = writeln!(out, "{module} {name} (");
            let col = conns.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
            for (i, (p, e)) in conns.iter().enumerate() {
                pad(out, level + 1);
                let comma = if i + 1 < conns.len() { "," } else { "" };
                let _ = writeln!(out, ".{p:<col$} ({}){comma}", expr(e));
            }
            pad(out, level);
            out.push_str(");\n");
        }
        Item::Genvar(v) => {
            pad(out, level);
            let _ = writeln!(out, "genvar {v};");
        }
        Item::GenerateFor {
            var,
            count,
            label,
            items: body,
        } => {
            pad(out, level);
            out.push_str("generate\n");
            pad(out, level + 1);
            let _ = writeln!(
                out,
                "for ({var} = 0; {var} < {count}; {var} = {var} + 1) begin : {label}"
            );
            items(out, level + 2, body);
            pad(out, level + 1);
            out.push_str("end\n");
            pad(out, level);
            out.push_str("endgenerate\n");
        }
        Item::Waive {
            rule,
            reason,
            items: body,
        } => {
            comment_line(out, level, &format!("waiver ({rule}): {reason}"));
            pad(out, level);
            let _ = writeln!(out, "/* verilator lint_off {rule} */");
            items(out, level, body);
            pad(out, level);
            let _ = writeln!(out, "/* verilator lint_on {rule} */");
        }
    }
}

fn stmts(out: &mut String, level: usize, list: &[Stmt]) {
    for s in list {
        stmt(out, level, s);
    }
}

fn stmt(out: &mut String, level: usize, s: &Stmt) {
    match s {
        Stmt::NonBlocking(l, r) => {
            pad(out, level);
            let _ = writeln!(out, "{} <= {};", expr(l), expr(r));
        }
        Stmt::Blocking(l, r) => {
            pad(out, level);
            let _ = writeln!(out, "{} = {};", expr(l), expr(r));
        }
        Stmt::Comment(c) => comment_line(out, level, c),
        Stmt::Task(name, args) => {
            pad(out, level);
            if args.is_empty() {
                let _ = writeln!(out, "{name};");
            } else {
                let a: Vec<String> = args.iter().map(expr).collect();
                let _ = writeln!(out, "{name}({});", a.join(", "));
            }
        }
        Stmt::If(..) => {
            pad(out, level);
            if_chain(out, level, s);
        }
    }
}

/// `if (...) begin ... end [else if (...) begin ... end] [else begin ... end]`,
/// starting at the current column.
fn if_chain(out: &mut String, level: usize, s: &Stmt) {
    let Stmt::If(c, then, els) = s else {
        unreachable!("if_chain on a non-if")
    };
    let _ = writeln!(out, "if ({}) begin", expr(c));
    stmts(out, level + 1, then);
    pad(out, level);
    match els.as_slice() {
        [] => out.push_str("end\n"),
        [inner @ Stmt::If(..)] => {
            out.push_str("end else ");
            if_chain(out, level, inner);
        }
        _ => {
            out.push_str("end else begin\n");
            stmts(out, level + 1, els);
            pad(out, level);
            out.push_str("end\n");
        }
    }
}

fn binop(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::And => "&",
        BinOp::Or => "|",
        BinOp::Xor => "^",
        BinOp::LogicAnd => "&&",
        BinOp::LogicOr => "||",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::CaseNe => "!==",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
    }
}

/// Operators whose chains `a op b op c` need no parentheses.
fn associative(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::And | BinOp::Or | BinOp::Xor | BinOp::LogicAnd | BinOp::LogicOr
    )
}

fn is_atom(e: &Expr) -> bool {
    !matches!(e, Expr::Binary(..) | Expr::Mux(..) | Expr::Unary(..))
}

/// An operand of `parent`: parenthesized unless it is an atom, a unary
/// operation, or (on the left) the same associative operator.
fn operand(e: &Expr, parent: Option<BinOp>, left: bool) -> String {
    let bare = match e {
        Expr::Binary(op, ..) => Some(*op) == parent && associative(*op) && left,
        Expr::Unary(..) => true,
        _ => is_atom(e),
    };
    if bare {
        expr(e)
    } else {
        format!("({})", expr(e))
    }
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// One expression.
pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Name(n) => n.clone(),
        Expr::Index(n, i) => format!("{n}[{}]", expr(i)),
        Expr::Slice(n, hi, lo) => {
            if hi == lo {
                format!("{n}[{hi}]")
            } else {
                format!("{n}[{hi}:{lo}]")
            }
        }
        Expr::PartSel(n, start, w) => format!("{n}[{} +: {w}]", expr(start)),
        Expr::Const(w, v) => {
            if *w == 1 {
                format!("1'b{v}")
            } else {
                format!("{w}'d{v}")
            }
        }
        Expr::Int(v) => v.to_string(),
        Expr::Str(s) => quote(s),
        Expr::Unary(op, a) => {
            let o = match op {
                UnOp::Not => "~",
                UnOp::LogicNot => "!",
                UnOp::Neg => "-",
                UnOp::ReduceOr => "|",
            };
            let inner = if is_atom(a) {
                expr(a)
            } else {
                format!("({})", expr(a))
            };
            format!("{o}{inner}")
        }
        Expr::Binary(op, a, b) => format!(
            "{} {} {}",
            operand(a, Some(*op), true),
            binop(*op),
            operand(b, Some(*op), false)
        ),
        Expr::Mux(c, a, b) => format!(
            "{} ? {} : {}",
            operand(c, None, false),
            operand(a, None, false),
            operand(b, None, false)
        ),
        Expr::Concat(parts) => {
            let p: Vec<String> = parts.iter().map(expr).collect();
            format!("{{{}}}", p.join(", "))
        }
        Expr::Repeat(n, a) => format!("{{{n}{{{}}}}}", expr(a)),
        Expr::Signed(a) => format!("$signed({})", expr(a)),
        Expr::Call(n, args) => {
            let a: Vec<String> = args.iter().map(expr).collect();
            format!("{n}({})", a.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::*;

    #[test]
    fn expressions() {
        let e = bin(
            BinOp::Add,
            bin(BinOp::Add, name("a"), name("b")),
            bin(BinOp::Sub, name("c"), name("d")),
        );
        assert_eq!(expr(&e), "a + b + (c - d)");
        let m = mux(bit("w", 0), neg(name("x")), konst(9, 0));
        assert_eq!(expr(&m), "w[0] ? -x : 9'd0");
        let s = concat(vec![repeat(2, bit("x", 7)), name("x")]);
        assert_eq!(expr(&s), "{{2{x[7]}}, x}");
        assert_eq!(expr(&not(and(name("a"), name("b")))), "~(a & b)");
        assert_eq!(
            expr(&and(name("a"), not(name("b")))),
            "a & ~b",
            "unary operands stay bare"
        );
        assert_eq!(expr(&part("v", int(3), 8)), "v[3 +: 8]");
        assert_eq!(expr(&slice("v", 3, 3)), "v[3]");
        assert_eq!(expr(&Expr::Str("a\"b".into())), "\"a\\\"b\"");
    }

    #[test]
    fn module_layout() {
        let m = Module {
            name: "m".into(),
            doc: vec!["doc".into()],
            ports: vec![
                Port::new("clk", Dir::Input, 1, "clock"),
                Port::new("q", Dir::OutputReg, 4, ""),
            ],
            items: vec![
                reg("r", 4),
                on_clock(
                    "clk",
                    vec![if_else(
                        name("a"),
                        vec![nb(name("q"), name("r"))],
                        vec![if_(name("b"), vec![nb(name("q"), konst(4, 0))])],
                    )],
                ),
            ],
        };
        let text = print_module(&m);
        let want = "// doc
module m (
    input  wire           clk, // clock
    output reg  [3:0]     q
);
    reg [3:0] r;
    always @(posedge clk) begin
        if (a) begin
            q <= r;
        end else if (b) begin
            q <= 4'd0;
        end
    end
endmodule
";
        assert_eq!(text, want);
    }
}
