//! The chunk feeder of a tile with weight registers (`array.token_tile =
//! T > 1`): the order in which the top offers a tile's chunks to the
//! compute tile, and `in_wload`.
//!
//! A tile of the top (`layer.rs`: one feature group, one K tile of `ch`
//! chunks, the layer's `M` tokens with the input on chip) is fed in token
//! sub-tiles of `nb = min(tt, M - m0)` tokens, the one starting at token
//! `m0 = 0, tt, 2tt, ...` after the other (the simulator's mapping: a load
//! of the lanes' weight registers serves a tile of at most `tt` tokens,
//! `reuse::loads(M, tt) = ceil(M / tt)` loads a chunk). `tt` is the
//! layer's token tile, the table's `tt` (descriptor word 9's high half,
//! [`table::kt_word`]: the mapper's token tile below the design's `T`; 0
//! or over `T`: `T`, the registers' size); `tt = 1` loads weights with
//! every chunk. In a sub-tile the
//! order is chunk-outer, token-inner (docs/rtl.md "The tile interface"):
//! for every chunk `c` the `nb` tokens' chunks in token order, the first
//! with `in_wload` (and the weight buffer's word of chunk `c`), the others
//! on the weights the lanes hold; `in_last` marks every token's chunk of
//! the last chunk. One chunk a cycle, as with `T = 1`, so a tile still
//! takes `M x ch` cycles (the engine's `busy`) and ends with its last
//! token's last chunk; only the order inside the tile differs. The
//! results leave the tile in token order within a sub-tile, and the
//! sub-tiles in order, so the output collector's row counter is unchanged.
//!
//! With N tiles (`ntile.rs`) the tile's groups follow one another, each
//! fed in its sub-tiles from the tile's first row, its weights `ch` words
//! on in the slot.
//!
//! Feeder registers (beside `layer.rs`'s `fd_c` chunk, `fd_ch` chunks,
//! `fd_last`): `fd_t`, the token in the sub-tile; `fd_nb`, its tokens;
//! `fd_row`, its first token; `fd_rb`, the activation word of the current
//! token's chunk 0 of the K tile (`ab + kb + m * C`); `fd_bb`, the same for
//! the sub-tile's first token; `fd_wl`, the offered chunk loads weights.

use super::build::{add, and, b, eq, kx, lt, mux, n, or, set, sub, zx, Body, X};
use super::params::{AccelParams, Mutation};
use super::table;
use crate::ir::{Expr, Stmt};

/// The top feeds its tiles in weight-register sub-tiles: a design with
/// `token_tile > 1` (not the broken [`Mutation::TokenOuter`] feeder).
pub fn built(p: &AccelParams) -> bool {
    p.tile.token_tile() > 1 && p.mutation != Mutation::TokenOuter
}

/// The table's `d_tt`, the tokens of a sub-tile, from the descriptor's
/// field `ttw` (16 bits): `T` for 0 or more than `T`.
pub(super) fn table_field(p: &AccelParams, o: &mut Body, ttw: Expr) {
    let tt = u64::from(p.tile.token_tile());
    o.wire("d_ttw", X, zx(ttw, table::TT_SHIFT));
    o.wire(
        "d_tt",
        X,
        mux(
            or(eq(n("d_ttw"), kx(0)), lt(kx(tt), n("d_ttw"))),
            kx(tt),
            n("d_ttw"),
        ),
    );
}

/// The feeder's next-state wires (`tile_end`, `fd_last_n`,
/// `fd_c_n`, `fd_row_n`, `fd_rb_n`, `fd_aa_n`, as `layer.rs` names them
/// for `T = 1`) and its own registers; returns the statements that update
/// those registers in a layer cycle, and their initial values.
pub fn feeder(p: &AccelParams, o: &mut Body) -> (Vec<Stmt>, Vec<Stmt>) {
    let tt = u64::from(p.tile.token_tile());
    o.note("weight registers: sub-tiles of token_tile tokens, chunk-outer, token-inner");
    for r in ["fd_t", "fd_nb", "fd_bb"] {
        o.reg(r, X);
    }
    o.reg("fd_wl", 1);
    // the tokens and token tile of the starting tile's layer, and the
    // token tile of the fed one's (broken: the design's)
    table::view(o, "vem", n("e_l"), &["m", "tt"]);
    table::view(o, "vdt", n("fd_l"), &["tt"]);
    let size = |f: &str| {
        if p.mutation == Mutation::TokenTileIgnored {
            kx(tt)
        } else {
            n(f)
        }
    };
    // tokens of a sub-tile starting at `row` of `m`: min(tt, m - row)
    let tokens = |m: Expr, row: Expr, tt: Expr| {
        let left = sub(m, row);
        mux(lt(left.clone(), tt.clone()), left, tt)
    };
    // the offered chunk is its sub-tile's last token's (`fd_tl`), and the
    // sub-tile is the tile's last (`fd_bl`)
    o.wire("fd_tl", 1, eq(add(n("fd_t"), kx(1)), n("fd_nb")));
    o.wire("fd_bl", 1, eq(add(n("fd_row"), n("fd_nb")), n("vd_m")));
    // the sub-tile's last chunk of its last token: the next sub-tile begins
    o.wire("fd_se", 1, and(n("fd_tl"), n("fd_last")));
    o.note("engine rule 1: the tile whose last chunk is offered now frees the array at t + 1");
    let nt = p.ntiles();
    if nt {
        // an N tile's groups (`ntile.rs`): the tile ends with its last
        // group's last sub-tile, another group's first sub-tile follows
        o.wire("fd_rowend", 1, and(and(n("comp"), n("fd_se")), n("fd_bl")));
        super::ntile::group_end(p, o);
        o.wire("tile_end", 1, and(n("fd_rowend"), n("fd_glast")));
    } else {
        o.wire("tile_end", 1, and(and(n("comp"), n("fd_se")), n("fd_bl")));
    }
    // the next sub-tile's first token (the next group's first with N tiles)
    let row1 = if nt {
        mux(n("fd_gadv"), kx(0), add(n("fd_row"), n("fd_nb")))
    } else {
        add(n("fd_row"), n("fd_nb"))
    };
    // the next chunk: the next token of this chunk, the next chunk's
    // first token, or the next sub-tile's first chunk
    o.wire(
        "fd_c_n",
        X,
        mux(
            or(n("start_n"), n("fd_se")),
            kx(0),
            mux(n("fd_tl"), add(n("fd_c"), kx(1)), n("fd_c")),
        ),
    );
    o.wire(
        "fd_last_n",
        1,
        mux(
            n("start_n"),
            eq(n("ec_ch"), kx(1)),
            mux(
                n("fd_se"),
                eq(n("fd_ch"), kx(1)),
                mux(
                    n("fd_tl"),
                    eq(add(n("fd_c"), kx(2)), n("fd_ch")),
                    n("fd_last"),
                ),
            ),
        ),
    );
    o.wire(
        "fd_t_n",
        X,
        mux(or(n("start_n"), n("fd_tl")), kx(0), add(n("fd_t"), kx(1))),
    );
    o.wire(
        "fd_row_n",
        X,
        mux(
            n("start_n"),
            kx(0),
            mux(n("fd_se"), row1.clone(), n("fd_row")),
        ),
    );
    o.wire(
        "fd_nb_n",
        X,
        mux(
            n("start_n"),
            tokens(n("vem_m"), kx(0), size("vem_tt")),
            mux(
                n("fd_se"),
                tokens(n("vd_m"), row1, size("vdt_tt")),
                n("fd_nb"),
            ),
        ),
    );
    // the row after the current token's (its chunk 0 of the K tile)
    o.wire("fd_rb1", X, add(n("fd_rb"), n("fd_rs")));
    o.wire(
        "fd_rb_n",
        X,
        mux(
            n("start_n"),
            add(n("e_ab"), n("e_kbo")),
            mux(
                n("fd_se"),
                if nt {
                    mux(n("fd_gadv"), n("fd_rb0"), n("fd_rb1"))
                } else {
                    n("fd_rb1")
                },
                mux(n("fd_tl"), n("fd_bb"), n("fd_rb1")),
            ),
        ),
    );
    o.wire(
        "fd_bb_n",
        X,
        mux(or(n("start_n"), n("fd_se")), n("fd_rb_n"), n("fd_bb")),
    );
    // the activation word: the next token's (one row on), the sub-tile's
    // first token's next chunk, or the next sub-tile's first
    o.wire(
        "fd_aa_n",
        X,
        mux(
            or(n("start_n"), n("fd_se")),
            n("fd_rb_n"),
            mux(
                n("fd_tl"),
                add(n("fd_bb"), n("fd_c_n")),
                add(n("fd_aa"), n("fd_rs")),
            ),
        ),
    );
    let wl = if p.mutation == Mutation::WloadEveryChunk {
        b(true)
    } else {
        or(n("start_n"), n("fd_tl"))
    };
    o.wire("fd_wl_n", 1, wl);
    o.assign("t_in_wload", n("fd_wl"));
    // the weight buffer is read for a chunk that loads weights only (the
    // mapping's weight-buffer reads: once a chunk and sub-tile)
    o.wire("w_re", 1, and(n("comp_n"), n("fd_wl_n")));
    let mut run = vec![
        set("fd_t", n("fd_t_n")),
        set("fd_nb", n("fd_nb_n")),
        set("fd_bb", n("fd_bb_n")),
        set("fd_wl", n("fd_wl_n")),
    ];
    let mut init = vec![
        set("fd_t", kx(0)),
        set("fd_nb", kx(0)),
        set("fd_bb", kx(0)),
        set("fd_wl", b(false)),
    ];
    if nt {
        let (r, i) = super::ntile::feeder(p, o);
        run.extend(r);
        init.extend(i);
    }
    (run, init)
}

/// The weight-buffer reads the simulator's mapping counts for a layer of
/// `n` outputs (`plan`'s weight-buffer read bytes: a chunk of every lane
/// of a group, once a chunk and token tile) as the top's word reads (one
/// word is one chunk of a group; a partial last group's chunk is its
/// lanes' share of the bytes): `None` when the bytes are not whole words.
pub fn engine_weight_reads(p: &AccelParams, plan: &sim::mapping::OpPlan, n: u64) -> Option<u64> {
    let bytes = plan
        .activity
        .sram
        .get(&sim::activity::Buffer::Weights)
        .map_or(0, |t| t.read_bytes);
    // bytes of one chunk of every group: n lanes x width W-bit codes (or
    // the LUT's stored group indices)
    // (LUT indices: the engine's whole bytes of a chunk of each group,
    // the partial last group's rounded up on their own)
    let per = match p.lut_index() {
        Some(_) => {
            let (l, w) = (p.lanes(), p.width());
            let rest = n % l;
            (n / l) * p.weight_bytes(l, w) + if rest > 0 { p.weight_bytes(rest, w) } else { 0 }
        }
        None => n * p.lane_chunk_bits() / 8,
    };
    let groups = n.div_ceil(p.lanes());
    let words = u128::from(bytes) * u128::from(groups);
    (per > 0 && words.is_multiple_of(u128::from(per))).then(|| (words / u128::from(per)) as u64)
}
