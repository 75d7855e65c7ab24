//! The Verilog IR: modules, ports, declarations, processes, instances,
//! generate loops, statements and expressions.
//!
//! Everything the generator emits (the tile, its lanes, the testbenches) is
//! built as these values and turned into text by [`crate::print`] alone, so
//! the Verilog dialect (Verilog-2005 with `generate`) is decided in one
//! place. The IR is untyped: widths are the business of the builders
//! ([`crate::arith`] keeps every datapath value's width and range exact).

/// A port's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `input wire`.
    Input,
    /// `output wire`.
    Output,
    /// `output reg`.
    OutputReg,
}

/// A module port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Name.
    pub name: String,
    /// Direction (and kind for outputs).
    pub dir: Dir,
    /// Bits (1 prints without a range).
    pub width: u32,
    /// A trailing `//` comment.
    pub comment: String,
}

impl Port {
    /// A port with a comment.
    pub fn new(name: &str, dir: Dir, width: u32, comment: &str) -> Port {
        Port {
            name: name.into(),
            dir,
            width,
            comment: comment.into(),
        }
    }
}

/// A Verilog module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Name.
    pub name: String,
    /// `//` lines printed above `module`.
    pub doc: Vec<String>,
    /// Ports in order.
    pub ports: Vec<Port>,
    /// The body.
    pub items: Vec<Item>,
}

/// The kind of a declared signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    /// `wire`.
    Wire,
    /// `reg`.
    Reg,
    /// `integer` (testbenches).
    Integer,
}

/// What an `always` block waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `@(posedge clk)`.
    Posedge(String),
    /// `#n` (a testbench clock).
    Delay(u32),
}

/// One item of a module body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `// text` (one line).
    Comment(String),
    /// An empty line.
    Blank,
    /// `localparam integer NAME = value;`
    LocalParam {
        /// Name.
        name: String,
        /// Value.
        value: i64,
    },
    /// `wire [w-1:0] name [0:depth-1] = init;`
    Decl {
        /// Kind.
        net: Net,
        /// Name.
        name: String,
        /// Bits (ignored for `integer`).
        width: u32,
        /// Words of a memory (`reg` arrays), or `None`.
        depth: Option<u64>,
        /// A declaration assignment (`wire x = e;`) or initial value
        /// (`reg r = e;`, testbenches only).
        init: Option<Expr>,
    },
    /// `assign lhs = rhs;`
    Assign(Expr, Expr),
    /// `always <event> begin ... end`
    Always(Event, Vec<Stmt>),
    /// `initial begin ... end`
    Initial(Vec<Stmt>),
    /// `module_name instance (.port(expr), ...);`
    Instance {
        /// The instantiated module.
        module: String,
        /// The instance name.
        name: String,
        /// `(port, expression)` connections.
        conns: Vec<(String, Expr)>,
    },
    /// `genvar name;`
    Genvar(String),
    /// `generate for (var = 0; var < count; var = var + 1) begin : label ... end endgenerate`
    GenerateFor {
        /// The genvar (declared separately with [`Item::Genvar`]).
        var: String,
        /// Iterations.
        count: u32,
        /// The block label (each iteration's scope is `label[i]`).
        label: String,
        /// The body.
        items: Vec<Item>,
    },
    /// Items between `/* verilator lint_off RULE */` and `lint_on`, with the
    /// reason as a comment (every waiver is also listed in docs/rtl.md).
    Waive {
        /// The Verilator warning.
        rule: String,
        /// Why it is harmless here.
        reason: String,
        /// The waived items.
        items: Vec<Item>,
    },
}

/// A statement in a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// `lhs <= rhs;`
    NonBlocking(Expr, Expr),
    /// `lhs = rhs;`
    Blocking(Expr, Expr),
    /// `if (cond) begin ... end else begin ... end` (no `else` when empty).
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// A system task call: `$display(...)`, `$finish`, ...
    Task(String, Vec<Expr>),
    /// `// text`
    Comment(String),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `~`
    Not,
    /// `!`
    LogicNot,
    /// `-`
    Neg,
    /// `|` (reduction or)
    ReduceOr,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `&&`
    LogicAnd,
    /// `||`
    LogicOr,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `!==` (4-state, testbenches)
    CaseNe,
    /// `<`
    Lt,
    /// `<=` (comparison)
    Le,
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A signal, parameter or genvar.
    Name(String),
    /// `name[index]`: a bit or a memory word.
    Index(String, Box<Expr>),
    /// `name[hi:lo]`.
    Slice(String, u32, u32),
    /// `name[start +: width]`.
    PartSel(String, Box<Expr>, u32),
    /// A sized literal `width'dvalue` (or `width'hvalue`).
    Const(u32, u128),
    /// An unsized decimal integer (loop bounds, genvar arithmetic).
    Int(i64),
    /// A string literal.
    Str(String),
    /// `op e`
    Unary(UnOp, Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`
    Mux(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `{a, b, ...}` (most significant first).
    Concat(Vec<Expr>),
    /// `{n{e}}`
    Repeat(u32, Box<Expr>),
    /// `$signed(e)`
    Signed(Box<Expr>),
    /// A system function call: `$value$plusargs("vcd=%s", f)`.
    Call(String, Vec<Expr>),
}

/// `Expr::Name`.
pub fn name(n: impl Into<String>) -> Expr {
    Expr::Name(n.into())
}

/// `name[i]` for a constant `i`.
pub fn bit(n: impl Into<String>, i: u32) -> Expr {
    Expr::Index(n.into(), Box::new(Expr::Int(i64::from(i))))
}

/// Bit `i` of a `width`-bit vector: the name itself when the vector has
/// one bit (a scalar cannot be bit-selected).
pub fn vbit(n: impl Into<String>, width: u32, i: u32) -> Expr {
    if width == 1 {
        name(n)
    } else {
        bit(n, i)
    }
}

/// `name[start +: w]` of a `width`-bit vector: the name itself when the
/// part is the whole vector.
pub fn vpart(n: impl Into<String>, width: u32, start: Expr, w: u32) -> Expr {
    if width == w {
        name(n)
    } else {
        part(n, start, w)
    }
}

/// `name[hi:lo]`.
pub fn slice(n: impl Into<String>, hi: u32, lo: u32) -> Expr {
    Expr::Slice(n.into(), hi, lo)
}

/// `name[start +: width]`.
pub fn part(n: impl Into<String>, start: Expr, width: u32) -> Expr {
    Expr::PartSel(n.into(), Box::new(start), width)
}

/// A `width`-bit constant.
pub fn konst(width: u32, value: u128) -> Expr {
    Expr::Const(width, value)
}

/// An unsized integer.
pub fn int(v: i64) -> Expr {
    Expr::Int(v)
}

/// `~e`
pub fn not(e: Expr) -> Expr {
    Expr::Unary(UnOp::Not, Box::new(e))
}

/// `!e`
pub fn lnot(e: Expr) -> Expr {
    Expr::Unary(UnOp::LogicNot, Box::new(e))
}

/// `-e`
pub fn neg(e: Expr) -> Expr {
    Expr::Unary(UnOp::Neg, Box::new(e))
}

/// `|e`
pub fn reduce_or(e: Expr) -> Expr {
    Expr::Unary(UnOp::ReduceOr, Box::new(e))
}

/// `a op b`
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

/// `a & b`
pub fn and(a: Expr, b: Expr) -> Expr {
    bin(BinOp::And, a, b)
}

/// `a | b`
pub fn or(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Or, a, b)
}

/// `a ^ b`
pub fn xor(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Xor, a, b)
}

/// `a == b`
pub fn eq(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Eq, a, b)
}

/// `c ? a : b`
pub fn mux(c: Expr, a: Expr, b: Expr) -> Expr {
    Expr::Mux(Box::new(c), Box::new(a), Box::new(b))
}

/// `{a, b, ...}`, most significant first; a single part is itself.
pub fn concat(mut parts: Vec<Expr>) -> Expr {
    if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Expr::Concat(parts)
    }
}

/// `{n{e}}`; `n = 1` is `e`.
pub fn repeat(n: u32, e: Expr) -> Expr {
    if n == 1 {
        e
    } else {
        Expr::Repeat(n, Box::new(e))
    }
}

/// A system task statement.
pub fn task(name: &str, args: Vec<Expr>) -> Stmt {
    Stmt::Task(name.into(), args)
}

/// `lhs <= rhs;`
pub fn nb(lhs: Expr, rhs: Expr) -> Stmt {
    Stmt::NonBlocking(lhs, rhs)
}

/// `lhs = rhs;`
pub fn blk(lhs: Expr, rhs: Expr) -> Stmt {
    Stmt::Blocking(lhs, rhs)
}

/// `if (c) then`
pub fn if_(c: Expr, then: Vec<Stmt>) -> Stmt {
    Stmt::If(c, then, Vec::new())
}

/// `if (c) then else els`
pub fn if_else(c: Expr, then: Vec<Stmt>, els: Vec<Stmt>) -> Stmt {
    Stmt::If(c, then, els)
}

/// A `wire` declaration with an assignment.
pub fn wire(n: impl Into<String>, width: u32, e: Expr) -> Item {
    Item::Decl {
        net: Net::Wire,
        name: n.into(),
        width,
        depth: None,
        init: Some(e),
    }
}

/// A `wire` declaration without an assignment.
pub fn wire_decl(n: impl Into<String>, width: u32) -> Item {
    Item::Decl {
        net: Net::Wire,
        name: n.into(),
        width,
        depth: None,
        init: None,
    }
}

/// A `reg` declaration.
pub fn reg(n: impl Into<String>, width: u32) -> Item {
    Item::Decl {
        net: Net::Reg,
        name: n.into(),
        width,
        depth: None,
        init: None,
    }
}

/// `always @(posedge clk)`.
pub fn on_clock(clk: &str, body: Vec<Stmt>) -> Item {
    Item::Always(Event::Posedge(clk.into()), body)
}
