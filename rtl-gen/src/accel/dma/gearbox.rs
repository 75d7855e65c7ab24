//! The DMA's gearboxes for words that are not whole AXI beats.
//!
//! - The weight gearbox (a weight word of more than a beat, not whole
//!   beats: `lanes x width x W` bits with `lanes` not a multiple of
//!   `bus / (width x W)`): the tile's words are one bit stream in memory
//!   (word `c` at bit `c x word`), so a beat can end one word and start the
//!   next. The word being assembled keeps its first `off` bits; a beat
//!   fills the next `bus` bits, completes the word when `off + bus >= len`
//!   (the word's bits: every lane's, or the partial last group's), and its
//!   bits past the word (`off + bus - len`) start the next one. The tile's
//!   last beat ends its last word (a short one when `K % width != 0`). At
//!   most one word a beat, written as the beat arrives: the tile is in the
//!   buffer with its last beat, as with whole-beat words. A tile is its
//!   bytes from any byte (the engine's tiles one after the other in DRAM):
//!   its read starts in the beat holding its first byte, whose `lead` bits
//!   below it (the tile before it's last bytes) are dropped, and its last
//!   word is cut to its bits (the next tile's first bytes in the last beat
//!   are not the word's).
//! - The input splitter (an activation word narrower than a beat, a power
//!   of two: `r = bus / word` words a beat): a beat's first word is written
//!   as it arrives, the other `r - 1` in the cycles after it while `RREADY`
//!   is low. The input rows load before the layers (phase 2, control
//!   traffic outside the engine's model), so the layers' cycles do not
//!   change.
//! - The output gearbox (an output word not whole beats): the words of an
//!   output row (its groups' lanes, the partial last group's fewer) are
//!   appended to a queue of `bus + word` bits as they leave the output
//!   buffer, a beat sent whenever the queue holds one; the write-back is
//!   after the layers' window. The stores per tile (`store_out.rs`) pack
//!   a group's words the same way in their own queue ([`store_queue`]),
//!   a word appended in the cycle a beat leaves, so a word a cycle.

use crate::accel::build::{
    add, and, b, cat, eq, k, kx, le, lt, mul, mux, n, ne, not, or, set, sl, sub, when, when_else,
    zx, Body, X,
};
use crate::accel::params::{AccelParams, Mutation};
use crate::ir::{bin, part, BinOp, Expr, Stmt};

/// `a | b` (bitwise).
fn bor(a: Expr, c: Expr) -> Expr {
    bin(BinOp::Or, a, c)
}

/// The weight gearbox `<pre>`: `hit` a beat for it is on the bus, `len`
/// the word's bits (an `X`-bit expression), `last` the tile's last beat,
/// `lead` the bits of the tile's first beat below its first byte (an
/// `X`-bit expression, held for the tile). Drives `<pre>_full` (a word is
/// complete) and `<pre>_word`; returns the statements that advance it
/// (with their reset).
pub fn weights(
    p: &AccelParams,
    o: &mut Body,
    pre: &str,
    hit: Expr,
    len: Expr,
    last: Expr,
    lead: Expr,
) -> Vec<Stmt> {
    let wb = p.wword_bits();
    let db = p.axi_bits;
    let nm = |s: &str| format!("{pre}_{s}");
    o.reg(&nm("st"), wb);
    o.reg(&nm("off"), X);
    o.wire(&nm("len"), X, len);
    // the tile's first beat is next (its leading bits dropped)
    o.reg(&nm("fst"), 1);
    // (broken: the first beat's bits below the tile's first byte kept)
    let ld = if p.mutation == Mutation::MidbeatLead {
        kx(0)
    } else {
        mux(n(&nm("fst")), lead, kx(0))
    };
    o.wire(&nm("ld"), X, ld);
    // the beat at bit `off - ld` of the word: a window of the beat
    // shifted up (`off` is 0 on a first beat)
    o.wire(
        &nm("x2"),
        2 * wb + db,
        cat(vec![k(wb, 0), n("m_axi_rdata"), k(wb, 0)]),
    );
    o.wire(
        &nm("ins"),
        wb,
        part(
            nm("x2"),
            sub(add(kx(u64::from(wb)), n(&nm("ld"))), n(&nm("off"))),
            wb,
        ),
    );
    // the word cut to its `len` bits (a tile's last beat holds the next
    // tile's first bytes)
    o.wire(
        &nm("ones"),
        2 * wb,
        cat(vec![k(wb, 0), crate::ir::not(k(wb, 0))]),
    );
    o.wire(
        &nm("word"),
        wb,
        bin(
            BinOp::And,
            bor(n(&nm("st")), n(&nm("ins"))),
            part(nm("ones"), sub(kx(u64::from(wb)), n(&nm("len"))), wb),
        ),
    );
    o.wire(
        &nm("end"),
        X,
        sub(add(n(&nm("off")), kx(u64::from(db))), n(&nm("ld"))),
    );
    o.wire(
        &nm("full"),
        1,
        and(
            hit.clone(),
            or(le(n(&nm("len")), n(&nm("end"))), last.clone()),
        ),
    );
    // the beat's bits past the word: the next word's first `rem`
    o.wire(&nm("rem"), X, sub(n(&nm("end")), n(&nm("len"))));
    o.wire(&nm("x1"), 2 * db, cat(vec![k(db, 0), n("m_axi_rdata")]));
    o.wire(
        &nm("carry"),
        db,
        part(nm("x1"), sub(kx(u64::from(db)), n(&nm("rem"))), db),
    );
    // (broken: the next word's bits in the beat are dropped)
    let drop = p.mutation == Mutation::GearDropCarry;
    let (next_st, next_off) = if drop {
        (k(wb, 0), kx(0))
    } else {
        (cat(vec![k(wb - db, 0), n(&nm("carry"))]), n(&nm("rem")))
    };
    vec![when_else(
        not(n("rst_n")),
        vec![
            set(&nm("st"), k(wb, 0)),
            set(&nm("off"), kx(0)),
            set(&nm("fst"), b(true)),
        ],
        vec![when(
            hit,
            vec![
                set(&nm("fst"), last.clone()),
                when_else(
                    last,
                    vec![set(&nm("st"), k(wb, 0)), set(&nm("off"), kx(0))],
                    vec![when_else(
                        n(&nm("full")),
                        vec![set(&nm("st"), next_st), set(&nm("off"), next_off)],
                        vec![
                            set(&nm("st"), n(&nm("word"))),
                            set(&nm("off"), n(&nm("end"))),
                        ],
                    )],
                ),
            ],
        )],
    )]
}

/// The beats of a tile's chunks with the weight gearbox (`i_cbeats`): the
/// chunks' bits (`ic_ch` chunks of `cb` bits, `i_lbits` a chunk), whole
/// beats (`AccelParams::refuses_tile`), over the bus width.
pub fn tile_beats(p: &AccelParams, o: &mut Body, cb: u32) {
    let wb = crate::accel::params::addr_bits(u64::from(p.wword_bits()) + 1);
    let lb = p.axi_bits.trailing_zeros();
    o.wire(
        "i_cbits",
        X,
        mul(
            zx(sl("ic_ch", cb - 1, 0), cb),
            zx(sl("i_lbits", wb - 1, 0), wb),
        ),
    );
    // (unpacked with the gearbox a tile's beats are its bytes', read from
    // any byte: `midbeat::tile_beats`)
    if !p.wgear() || p.packed() {
        o.wire("i_cbeats", X, zx(sl("i_cbits", X - 1, lb), X - lb));
    }
}

/// The input splitter (`ag_*`): `a_hit` a beat of input rows accepted;
/// drives `ag_full` (a word for the activation buffer, `ag_word`), the
/// read-data ready (`rd_ready`, low while a beat's words are written) and
/// returns its statements (with their reset).
pub fn split_input(p: &AccelParams, o: &mut Body) -> Vec<Stmt> {
    let (aw, db) = (p.aword_bits(), p.axi_bits);
    let r = u64::from(p.words_a_beat());
    o.reg("as_st", db);
    o.reg("as_i", X);
    o.reg("as_p", 1);
    o.wire("rd_ready", 1, not(n("as_p")));
    o.wire("ag_full", 1, or(n("a_hit"), n("as_p")));
    o.wire(
        "ag_word",
        aw,
        mux(
            n("as_p"),
            part("as_st", mul(n("as_i"), kx(u64::from(aw))), aw),
            sl("m_axi_rdata", aw - 1, 0),
        ),
    );
    vec![when_else(
        not(n("rst_n")),
        vec![set("as_p", b(false)), set("as_i", kx(0))],
        vec![when_else(
            n("a_hit"),
            vec![
                set("as_st", n("m_axi_rdata")),
                set("as_i", kx(1)),
                set("as_p", b(true)),
            ],
            vec![when(
                n("as_p"),
                vec![
                    set("as_i", add(n("as_i"), kx(1))),
                    when(eq(n("as_i"), kx(r - 1)), vec![set("as_p", b(false))]),
                ],
            )],
        )],
    )]
}

/// A packing queue `<pre>` of `bus + word` bits: declares its bits
/// `<pre>_q` and their count `<pre>_n`, and `<pre>_w`, the output word
/// `ob_q` with its lanes from `lanes` on zero (a partial group's).
fn queue_word(p: &AccelParams, o: &mut Body, pre: &str, lanes: &str) -> u32 {
    let qw = p.oword_bits() + p.axi_bits;
    o.reg(&format!("{pre}_q"), qw);
    o.reg(&format!("{pre}_n"), X);
    let kept: Vec<Expr> = (0..p.arch.array.lanes)
        .rev()
        .map(|l| {
            mux(
                lt(kx(u64::from(l)), n(lanes)),
                sl("ob_q", l * 32 + 31, l * 32),
                k(32, 0),
            )
        })
        .collect();
    o.wire(&format!("{pre}_w"), p.oword_bits(), cat(kept));
    qw
}

/// `<pre>_ins`: the word `<pre>_w` shifted to start at bit `at` of the
/// queue (through `<pre>_x`, the word between a beat of zeros each side).
fn queue_insert(p: &AccelParams, o: &mut Body, pre: &str, at: Expr) {
    let (db, qw) = (p.axi_bits, p.oword_bits() + p.axi_bits);
    let x = format!("{pre}_x");
    o.wire(
        &x,
        qw + db,
        cat(vec![k(db, 0), n(&format!("{pre}_w")), k(db, 0)]),
    );
    o.wire(
        &format!("{pre}_ins"),
        qw,
        part(&x, sub(kx(u64::from(db)), at), qw),
    );
}

/// The output gearbox's queue (`og_q`, `og_n` bits held) and its wires:
/// `og_app` appends the word `wq` (lanes past `wb_lanes` zero) when the
/// queue holds less than a beat, `og_beat` a beat is held; `og_data` the
/// beat. Returns the statements that advance it (`w_fire` sends a beat;
/// `clear` empties it).
pub fn out_queue(p: &AccelParams, o: &mut Body, clear: Expr) -> Vec<Stmt> {
    let db = p.axi_bits;
    let qw = queue_word(p, o, "og", "wb_lanes");
    queue_insert(p, o, "og", n("og_n"));
    o.wire(
        "og_app",
        1,
        and(and(n("in_wb"), n("wq_v")), lt(n("og_n"), kx(u64::from(db)))),
    );
    o.wire("og_beat", 1, le(kx(u64::from(db)), n("og_n")));
    o.wire("og_data", db, sl("og_q", db - 1, 0));
    vec![when_else(
        clear,
        vec![set("og_q", k(qw, 0)), set("og_n", kx(0))],
        vec![when_else(
            n("w_fire"),
            vec![
                set("og_q", cat(vec![k(db, 0), sl("og_q", qw - 1, db)])),
                set("og_n", sub(n("og_n"), kx(u64::from(db)))),
            ],
            vec![when(
                n("og_app"),
                vec![
                    set("og_q", bor(n("og_q"), n("og_ins"))),
                    set("og_n", add(n("og_n"), n("wb_lbits"))),
                ],
            )],
        )],
    )]
}

/// The stores' packing queue (`sgq_q`, `sgq_n` bits held, `bus + word`
/// bits): `s_wfire` sends the low beat, `sw_take` appends the word `ob_q`
/// (its lanes past `sw_gl` zero) above the bits left after that beat.
/// Drives `sgq_after` (the bits held once this cycle's beat has gone) and
/// `sgq_beat` (a beat is held, or a store's last beat, part of one, once
/// all its words are in); returns the statements that advance it (`clear`
/// empties it, `fill` bits then counted as held: a strobed store's bytes
/// below its start, `strobes::strobed`).
pub fn store_queue(p: &AccelParams, o: &mut Body, clear: Expr, fill: Expr) -> Vec<Stmt> {
    let db = p.axi_bits;
    let qw = queue_word(p, o, "sgq", "sw_gl");
    // a beat: a whole one held, or the store's last, part of a beat, once
    // all its words are in
    o.wire(
        "sgq_beat",
        1,
        or(
            le(kx(u64::from(db)), n("sgq_n")),
            and(
                and(eq(n("sw_left"), kx(1)), ne(n("sgq_n"), kx(0))),
                and(eq(n("sw_ra"), n("sw_m")), not(n("sw_qok"))),
            ),
        ),
    );
    o.wire(
        "sgq_sh",
        qw,
        mux(
            n("s_wfire"),
            cat(vec![k(db, 0), sl("sgq_q", qw - 1, db)]),
            n("sgq_q"),
        ),
    );
    o.wire(
        "sgq_after",
        X,
        mux(
            n("s_wfire"),
            mux(
                lt(n("sgq_n"), kx(u64::from(db))),
                kx(0),
                sub(n("sgq_n"), kx(u64::from(db))),
            ),
            n("sgq_n"),
        ),
    );
    // (broken: the word at the queue's first bit, over the bits held)
    let at = if p.mutation == Mutation::StoreGearOverlap {
        kx(0)
    } else {
        n("sgq_after")
    };
    queue_insert(p, o, "sgq", at);
    vec![when_else(
        clear,
        vec![set("sgq_q", k(qw, 0)), set("sgq_n", fill)],
        vec![when_else(
            n("sw_take"),
            vec![
                set("sgq_q", bor(n("sgq_sh"), n("sgq_ins"))),
                set(
                    "sgq_n",
                    add(n("sgq_after"), cat(vec![sl("sw_gl", X - 6, 0), k(5, 0)])),
                ),
            ],
            vec![set("sgq_q", n("sgq_sh")), set("sgq_n", n("sgq_after"))],
        )],
    )]
}
