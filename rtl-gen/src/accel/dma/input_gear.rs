//! The input gearbox: activation words that are neither whole beats nor a
//! divisor of one (a width of 63 INT8 activations: 504 bits on any bus).
//! An input row is `K` bytes from a beat boundary (whole beats,
//! `refuses_layer`), its words one bit stream (word `c` at bit `c x word`),
//! the last word short when `K % width != 0`. The beats are appended to a
//! queue (`ig_q`, `ig_n` bits held, at most a word and a beat) while it
//! holds less than a word; a word leaves it a cycle while it holds one,
//! `RREADY` low meanwhile. After a row's last beat (`ig_t`) the queue is
//! emptied, its last bits the row's last word (zeros above them), so the
//! next row starts at its first beat. The input rows load before the
//! layers (phase 2, control traffic outside the engine's model), so the
//! layers' cycles do not change.

use crate::accel::build::{
    add, and, b, cat, eq, k, kx, le, lt, n, not, or, set, sl, sub, when, when_else, Body, X,
};
use crate::accel::params::{AccelParams, Mutation};
use crate::ir::{bin, part, BinOp, Stmt};

impl AccelParams {
    /// The input gearbox is built: an activation word is neither whole
    /// beats nor a divisor of a beat.
    pub fn agear(&self) -> bool {
        let (aw, db) = (self.aword_bits(), self.axi_bits);
        !aw.is_multiple_of(db) && !db.is_multiple_of(aw)
    }
}

/// The input gearbox (`ig_*`): `a_hit` a beat of input rows accepted,
/// `a_rb` the beats of the row before it. Drives `ag_full` (a word for the
/// activation buffer, `ag_word`), `ag_end` (the row's last word), `ig_lb`
/// (the row's last beat is accepted) and the read-data ready
/// (`rd_ready`); returns its statements (with their reset).
pub fn input(p: &AccelParams, o: &mut Body) -> Vec<Stmt> {
    let (aw, db) = (p.aword_bits(), p.axi_bits);
    let qw = aw + db;
    o.reg("ig_q", qw);
    o.reg("ig_n", X);
    o.reg("ig_t", 1);
    o.wire(
        "ig_lb",
        1,
        and(n("a_hit"), eq(add(n("a_rb"), kx(1)), n("row_beats"))),
    );
    // a word is held: a whole one, or the row's last bits
    o.wire("ig_w", 1, le(kx(u64::from(aw)), n("ig_n")));
    o.wire(
        "ag_full",
        1,
        or(n("ig_w"), and(n("ig_t"), lt(kx(0), n("ig_n")))),
    );
    o.wire(
        "ag_end",
        1,
        and(
            and(n("ag_full"), n("ig_t")),
            le(n("ig_n"), kx(u64::from(aw))),
        ),
    );
    o.wire("rd_ready", 1, not(or(n("ig_w"), n("ig_t"))));
    o.wire("ag_word", aw, sl("ig_q", aw - 1, 0));
    // the queue after a word leaves it (broken: an activation more)
    let out = if p.mutation == Mutation::InputGearSkip {
        aw + p.tile.act_bits
    } else {
        aw
    };
    // the beat at bit `ig_n` of the queue (`ig_n` < a word when a beat
    // is taken)
    o.wire(
        "ig_x",
        qw + aw,
        cat(vec![k(aw, 0), n("m_axi_rdata"), k(aw, 0)]),
    );
    o.wire(
        "ig_ins",
        qw,
        part("ig_x", sub(kx(u64::from(aw)), n("ig_n")), qw),
    );
    vec![when_else(
        not(n("rst_n")),
        vec![
            set("ig_q", k(qw, 0)),
            set("ig_n", kx(0)),
            set("ig_t", b(false)),
        ],
        vec![when_else(
            n("ag_end"),
            vec![
                set("ig_q", k(qw, 0)),
                set("ig_n", kx(0)),
                set("ig_t", b(false)),
            ],
            vec![when_else(
                n("ag_full"),
                vec![
                    set("ig_q", cat(vec![k(out, 0), sl("ig_q", qw - 1, out)])),
                    set("ig_n", sub(n("ig_n"), kx(u64::from(aw)))),
                ],
                vec![when(
                    n("a_hit"),
                    vec![
                        set("ig_q", bin(BinOp::Or, n("ig_q"), n("ig_ins"))),
                        set("ig_n", add(n("ig_n"), kx(u64::from(db)))),
                        when(n("ig_lb"), vec![set("ig_t", b(true))]),
                    ],
                )],
            )],
        )],
    )]
}
