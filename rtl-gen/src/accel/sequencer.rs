//! The sequencer: the phases of a run (descriptor, its check, the input
//! rows, the layer, the write-back) and, in the layer, the engine's own
//! rules (`sim::engine`) for the lane array's tiles, so that the RTL makes
//! the same moves at the same cycles as the simulator:
//!
//! 1. a tile whose last chunk went in frees its weight slot;
//! 2. the idle array starts the next tile when its weights have arrived;
//! 3. the next tiles are fetched while `inflight + computing < slots`.
//!
//! The layer's cycle 0 is the cycle of its first weight request. Every
//! decision for cycle `t + 1` is taken in cycle `t` from the state and the
//! read data on the bus (a weight slot whose last beat is on the bus in
//! cycle `t` has arrived at `t + 1`, the engine's arrival), so that the
//! synchronous buffers are read in cycle `t` for the chunk the tile takes
//! in cycle `t + 1`; a tile starts when its first chunk is offered to the
//! tile, and the layer is complete in the cycle after its last output left
//! the tile (the engine's `compute_end + drain`).
//!
//! Tile order (the engine's fixed mapping with the input on chip): feature
//! groups of `lanes` in order, and in a group its K tiles (as many chunks
//! as a weight slot holds) in order (weights outer, the chain being one
//! layer's token blocks: in a K tile the blocks in order, `layer.rs`); in a tile, token by token, its chunks
//! in order (`layer.rs`), or with weight registers (`token_tile = T > 1`)
//! in sub-tiles of `T` tokens, chunk-outer and token-inner (`tokens.rs`). Outputs go to the output buffer as the tile
//! produces them: word `g * M + m` holds token `m`, group `g`, the K
//! tiles after the first added to it.

use super::build::{
    add, and, b, cat, eq, k, kx, le, lt, mux, n, ne, not, or, set, sl, when, when_else, zx, Body, X,
};
use super::params::AccelParams;
use super::table;

fn log2(v: u64) -> u32 {
    63 - v.leading_zeros()
}

/// The AXI beats of an input row of `k` elements (a 32-bit name): `K`
/// bytes of INT8 a row, `K x A / 8` of `A`-bit activations (a power of
/// two, `params::refuses_datapath`), whole beats (`refuses_layer`).
pub fn row_beats(p: &AccelParams, k: &str) -> crate::ir::Expr {
    let lb = log2(p.beat_bytes()) + 3 - log2(p.act_bits());
    zx(sl(k, 31, lb), 32 - lb)
}

/// The descriptor table's loading and checks, the phase register and its
/// transitions, status and counters.
pub fn phases(p: &AccelParams, o: &mut Body) {
    o.block("table");
    table::table(p, o);
    o.block("sequencer");
    o.note("the input loader's layer (al): its fields, and the next layer's base");
    o.reg("al", table::LB);
    table::view(o, "va", n("al"), &["m", "k", "c", "astride", "flags"]);
    // a dependent layer's input is written by its producer: nothing to load,
    // its rows keep their words in the activation buffer
    // (and a streamed input comes with its first weight transfer, `stream_in.rs`)
    o.wire(
        "a_skip",
        1,
        and(
            eq(n("ph"), k(3, 2)),
            or(sl("va_flags", 0, 0), super::stream_in::skips(p)),
        ),
    );
    table::view(o, "van", table::next("al"), &["abase", "flags"]);
    o.wire("row_beats", X, row_beats(p, "va_k"));
    o.note("phases: 0 idle, 1 descriptors, 5 check, 2 input rows, 3 the layers, 4 write-back");
    o.reg("ph", 3);
    let count_ok = and(
        ne(n("desc_count"), kx(0)),
        le(n("desc_count"), kx(u64::from(table::MAX_LAYERS))),
    );
    o.wire("start_ok", 1, and(n("start_pulse"), count_ok.clone()));
    o.wire("start_bad", 1, and(n("start_pulse"), not(count_ok)));
    o.wire(
        "d_all",
        1,
        and(
            n("d_last"),
            eq(add(zx(n("d_idx"), table::LB), kx(1)), n("desc_count")),
        ),
    );
    // every descriptor of the chain: M, K, N at least 1, flags 0
    let mut bad = b(false);
    for i in 0..table::MAX_LAYERS {
        let f = |x: &str| n(&format!("t{i}_{x}"));
        // flags: only the dependency bit, the shift and the producer, the
        // producer an earlier layer and forwarding built
        let fl = format!("t{i}_flags");
        let dep_bad = if i == 0 {
            sl(&fl, 0, 0)
        } else {
            and(
                sl(&fl, 0, 0),
                or(
                    not(n("fw_able")),
                    super::build::le(k(table::LB, u128::from(i)), table::producer(&fl)),
                ),
            )
        };
        // INT8 outputs where the write-back cannot pack them
        let dep_bad = if super::dma::int8_out_able(p) {
            dep_bad
        } else {
            or(dep_bad, sl(&fl, 2, 2))
        };
        let dep_bad = or(dep_bad, super::store_out::desc_bad(p, i));
        let dep_bad = or(dep_bad, super::stream_in::desc_bad(p, i));
        // a K tile larger than a weight slot
        let dep_bad = or(dep_bad, lt(kx(p.slot_words), f("kt")));
        let dep_bad = if p.ntiles() {
            or(dep_bad, super::ntile::desc_bad(i))
        } else {
            dep_bad
        };
        let this = or(
            or(eq(f("m"), kx(0)), eq(f("k"), kx(0))),
            or(
                eq(f("n"), kx(0)),
                or(
                    ne(
                        crate::ir::bin(
                            crate::ir::BinOp::And,
                            f("flags"),
                            kx(!(super::forward::FLAGS_MASK
                                | super::stream_in::flags_mask(p)
                                | super::store_out::flags_mask(p))
                                & 0xffff_ffff),
                        ),
                        kx(0),
                    ),
                    dep_bad,
                ),
            ),
        );
        bad = or(bad, and(lt(kx(u64::from(i)), n("desc_count")), this));
    }
    o.wire("desc_bad", 1, bad);
    o.wire(
        "a_all",
        1,
        and(
            n("a_last"),
            eq(add(zx(n("al"), table::LB), kx(1)), n("desc_count")),
        ),
    );
    let is = |v: u128| eq(n("ph"), k(3, v));
    let ph_n = mux(
        is(0),
        mux(n("start_ok"), k(3, 1), k(3, 0)),
        mux(
            is(1),
            mux(n("d_all"), k(3, 5), k(3, 1)),
            mux(
                is(5),
                mux(n("desc_bad"), k(3, 0), k(3, 2)),
                mux(
                    is(2),
                    mux(n("a_all"), k(3, 3), k(3, 2)),
                    mux(
                        is(3),
                        mux(n("l_done"), k(3, 4), k(3, 3)),
                        mux(n("wb_done"), k(3, 0), k(3, 4)),
                    ),
                ),
            ),
        ),
    );
    o.wire("ph_n", 3, ph_n);
    o.wire("run_n", 1, eq(n("ph_n"), k(3, 3)));
    o.wire("parse_ok", 1, and(is(5), not(n("desc_bad"))));
    o.wire("start_run_wb", 1, and(is(3), n("l_done")));
    o.assign("dbg_window", is(3));
    o.reg("st_busy", 1);
    o.reg("st_done", 1);
    o.reg("err", 4);
    o.reg("cyc_lo", X);
    o.reg("cyc_hi", X);
    o.reg("win", X);
    o.reg("d_iss", 1);
    o.clocked(
        vec![
            set("ph", k(3, 0)),
            set("st_busy", b(false)),
            set("st_done", b(false)),
            set("err", k(4, 0)),
            set("cyc_lo", kx(0)),
            set("cyc_hi", kx(0)),
            set("win", kx(0)),
            set("d_iss", b(false)),
        ],
        vec![
            set("ph", n("ph_n")),
            when(
                n("start_pulse"),
                vec![
                    set("cyc_lo", kx(0)),
                    set("cyc_hi", kx(0)),
                    set("err", mux(n("start_bad"), k(4, 4), k(4, 0))),
                    set("st_busy", n("start_ok")),
                    set("st_done", n("start_bad")),
                    set("d_iss", b(false)),
                ],
            ),
            when(
                and(n("st_busy"), not(n("start_pulse"))),
                vec![
                    set("cyc_lo", add(n("cyc_lo"), kx(1))),
                    when(
                        eq(n("cyc_lo"), kx(u64::from(u32::MAX))),
                        vec![set("cyc_hi", add(n("cyc_hi"), kx(1)))],
                    ),
                ],
            ),
            when(n("clear_done"), vec![set("st_done", b(false))]),
            when(
                and(is(5), n("desc_bad")),
                vec![
                    set("st_busy", b(false)),
                    set("st_done", b(true)),
                    set("err", cat(vec![sl("err", 3, 3), b(true), sl("err", 1, 0)])),
                ],
            ),
            when(
                and(is(4), n("wb_done")),
                vec![set("st_busy", b(false)), set("st_done", b(true))],
            ),
            when(
                or(n("rd_err"), n("wr_err")),
                vec![set(
                    "err",
                    cat(vec![
                        sl("err", 3, 2),
                        or(sl("err", 1, 1), n("wr_err")),
                        or(sl("err", 0, 0), n("rd_err")),
                    ]),
                )],
            ),
            when(
                // (with II > 1 a chunk is offered in its first cycle only)
                and(
                    n(if p.holds() || p.serial() {
                        "t_in_valid"
                    } else {
                        "comp"
                    }),
                    not(n("t_in_ready")),
                ),
                vec![set("err", cat(vec![b(true), sl("err", 2, 0)]))],
            ),
            when(
                and(n("take_src"), n("sel_desc")),
                vec![set("d_iss", b(true))],
            ),
            when_else(
                and(is(2), n("run_n")),
                vec![set("win", kx(0))],
                vec![when(
                    and(is(3), not(n("l_done"))),
                    vec![set("win", add(n("win"), kx(1)))],
                )],
            ),
        ],
    );
    // the input loader's layer and where each layer's input starts in the
    // activation buffer (the words of the layers before it)
    // where the next layer's input starts: after this layer's rows
    o.wire(
        "a_next",
        X,
        mux(
            n("a_skip"),
            add(n("a_wa"), super::build::mul(n("va_m"), n("va_c"))),
            add(n("a_wa"), kx(1)),
        ),
    );
    let mut ab = vec![when(
        n("parse_ok"),
        vec![set("al", k(table::LB, 0)), set("t0_ab", kx(0))],
    )];
    let mut next_ab = Vec::new();
    for i in 1..table::MAX_LAYERS {
        next_ab.push(when(
            eq(table::next("al"), k(table::LB, u128::from(i))),
            vec![set(
                &format!("t{i}_ab"),
                super::forward::shared_ab(p, i, super::stream_in::next_ab(p, i)),
            )],
        ));
    }
    next_ab.push(set("al", table::next("al")));
    ab.push(when(and(n("a_last"), not(n("a_all"))), next_ab));
    ab.push(when(n("start_pulse"), vec![set("d_idx", k(table::LB, 0))]));
    ab.push(when(n("d_last"), vec![set("d_idx", table::next("d_idx"))]));
    o.clocked_data(ab);
}
