//! The layer's tile loop in RTL (the rules are `sequencer.rs`'s): input-row
//! requests, weight fetches, tile starts and the chunk feeder; the output
//! collector that adds the K tiles of a feature group in the output buffer
//! is `collector.rs`, the cursors' next-tile logic `cursor.rs`.
//!
//! A tile is `(n, kb)`: the feature group starting at output `n`, the K
//! tile starting at chunk `kb`, `min(kt, C - kb)` chunks of the row's `C =
//! K / width` (`kt`: the layer's K tile, at most a slot's words); weights
//! outer (`stream_in::WO_FLAG`) the chain's layers are one layer's token
//! blocks and a tile `(n, kb, l)` is followed by the next block's same
//! tile, the last block's by the first block's next tile. Three cursors walk the tiles in the same order:
//! the fetch decisions (`f_`), the read requests (`i_`), the starts (`e_`),
//! and the outputs follow them (`o_` writes, `r_` reads the partial sums
//! one cycle before each output of a later K tile arrives: the tile's
//! latency after the reduction's last chunk, less one).

use super::build::{
    add, and, b, eq, k, kx, le, lt, mul, mux, n, ne, not, or, set, sl, sub, when, when_else, zx,
    Body, X,
};
use super::params::{AccelParams, Mutation};
use super::table;
use crate::ir::Stmt;

/// The layer's registers and logic.
pub fn layer(p: &AccelParams, o: &mut Body) {
    // a slot's words (five chunks a word with five-chunk packed words)
    let cw = p.wslot_words;
    let bpw = u64::from(p.wword_bits() / p.axi_bits);
    let two = p.slots == 2;
    o.note("weights outer: the chain is one layer's token blocks (stream_in::WO_FLAG)");
    o.wire("wo", 1, super::stream_in::is_wo(p, "t0_flags"));
    o.note("input rows: one transfer each, at the activation base plus the row stride");
    o.reg("a_iss", X);
    o.reg("a_addr", X);
    o.wire("sel_desc", 1, and(eq(n("ph"), k(3, 1)), not(n("d_iss"))));
    o.wire(
        "sel_act",
        1,
        and(
            and(eq(n("ph"), k(3, 2)), not(n("run_n"))),
            and(ne(n("a_iss"), n("va_m")), not(n("a_skip"))),
        ),
    );
    for (r, wd) in [
        ("comp", 1),
        ("fd_last", 1),
        ("fd_c", X),
        ("fd_ch", X),
        ("fd_row", X),
        ("fd_rb", X),
        ("fd_aa", X),
        ("fd_kb", X),
        ("fd_slot", 1),
        ("fd_ws", 1),
        ("e_cnt", X),
        ("e_n", X),
        ("e_kb", X),
        ("e_slot", 1),
        ("e_b0", X),
        ("f_cnt", X),
        ("f_n", X),
        ("f_kb", X),
        ("f_iss", X),
        ("i_kb", X),
        ("i_n", X),
        ("f_addr", X),
        ("f_slot", 1),
        ("arr0", 1),
        ("arr1", 1),
        ("sb0", X),
        ("e_l", table::LB),
        ("f_l", table::LB),
        ("i_l", table::LB),
        ("fd_l", table::LB),
    ] {
        o.reg(r, wd);
    }
    o.note("the cursors' layers: the fields of the layer each one is in");
    // (an N tile's outputs `nw` where the design builds them, `ntile.rs`)
    let nw: &[&str] = if p.ntiles() { &["nw"] } else { &[] };
    let with = |f: &[&'static str]| [f, nw].concat();
    table::view(
        o,
        "ve",
        n("e_l"),
        &with(&["c", "n", "kt", "ab", "flags", "m"]),
    );
    // the dependency hold: a layer reading layer `flags[18:16]`'s output
    // starts no tile before that layer is complete (its last output leaves
    // the tile in this cycle, or has left)
    o.wire("ve_prod", table::LB, table::producer("ve_flags"));
    let hold = if p.mutation == Mutation::NoDependencyHold {
        b(true)
    } else {
        or(
            not(sl("ve_flags", 0, 0)),
            or(
                lt(n("ve_prod"), n("o_l")),
                and(n("o_last"), eq(n("o_l"), n("ve_prod"))),
            ),
        )
    };
    o.wire("dep_ok", 1, hold);
    if p.pack_rewire {
        // (the unpacker's short chunk: the feeder's layer's K)
        table::view(o, "vd", n("fd_l"), &["m", "c", "k"]);
    } else {
        let vd: &[&str] = if p.ntiles() {
            &["m", "c", "n"]
        } else {
            &["m", "c"]
        };
        table::view(o, "vd", n("fd_l"), vd);
    }
    table::view(o, "vf", n("f_l"), &with(&["c", "n", "kt"]));
    table::view(
        o,
        "vi",
        n("i_l"),
        &with(&["c", "n", "kt", "k", "m", "flags", "ab"]),
    );
    table::view(o, "vin", table::next("i_l"), &["wbase"]);
    if two {
        o.reg("sb1", X);
        // the weight slot a transfer's weights go to (`f_wh` at its
        // request): consecutive weight tiles alternate, a held block's
        // transfer (no weights) leaves the choice
        o.reg("f_wh", 1);
        o.reg("swh0", 1);
        o.reg("swh1", 1);
    }
    // (with the weight gearbox `sw` is a word's bits, `dma/gearbox.rs`)
    if bpw > 1 || p.wgear() {
        for s in 0..p.slots {
            o.reg(&format!("sw{s}"), X);
            // (the gearbox's bits below the tile's first byte, `dma/gearbox.rs`)
            if p.wgear() {
                o.reg(&format!("sl{s}"), X);
            }
            if p.short_chunk {
                o.reg(&format!("sp{s}"), 1);
            }
            // (a partial group's short chunk respaced, `dma/short_rows.rs`)
            if p.short_rows() {
                o.reg(&format!("sn{s}"), p.lanes_bits());
            }
        }
    }
    // weight registers (T > 1): the feeder of `tokens.rs`
    let tokens = p.tile.token_tile() > 1 && p.mutation != Mutation::TokenOuter;
    // initiation interval II > 1 (the bit-serial popcount): the tile holds
    // a chunk II cycles, the engine's time a chunk; the chunk offered is
    // held (`ii_c` counts its cycles) and the feeder steps in its last one
    let ii = if p.holds() { p.tile.ii() } else { 1 };
    if ii > 1 {
        o.reg("ii_c", ii_bits(ii));
        o.wire(
            "ii_step",
            1,
            or(
                not(n("comp")),
                eq(n("ii_c"), k(ii_bits(ii), u128::from(ii - 1))),
            ),
        );
    }
    // the LUT's serial input load: a first-group chunk is held L + 1
    // cycles, offered in its last (`lut_serial.rs`)
    let serial = p.serial();
    let (ser_run, ser_init) = if serial {
        super::lut_serial::hold(p, o)
    } else {
        (Vec::new(), Vec::new())
    };
    // the feeder's step when it holds a chunk
    let step = if ii > 1 {
        Some("ii_step")
    } else if serial {
        Some("sl_step")
    } else {
        None
    };
    if !tokens {
        o.note("engine rule 1: the tile whose last chunk is offered now frees the array at t + 1");
        let end = if p.ntiles() {
            // (the tile's last group, `ntile.rs`)
            super::ntile::group_end(p, o);
            and(n("fd_rowend"), n("fd_glast"))
        } else {
            and(
                and(n("comp"), n("fd_last")),
                eq(add(n("fd_row"), kx(1)), n("vd_m")),
            )
        };
        o.wire(
            "tile_end",
            1,
            match step {
                Some(s) => and(end, n(s)),
                None => end,
            },
        );
    }
    o.wire("idle_n", 1, or(not(n("comp")), n("tile_end")));
    // a store layer's group waits for its staging half (`store_out.rs`)
    let st_ok = super::store_out::start_hold(p, o);
    o.note(
        "engine rule 2: the next tile starts when the array is free and its weights have arrived",
    );
    // (broken: a streamed input's tile arrives with its weights' last beat)
    let rl = |s: u32| {
        n(&if p.mutation == Mutation::StreamEarlyStart {
            format!("rlw{s}")
        } else {
            format!("rl{s}")
        })
    };
    o.wire("arr_now0", 1, or(n("arr0"), rl(0)));
    if two {
        o.wire("arr_now1", 1, or(n("arr1"), rl(1)));
        o.wire("arr_e", 1, mux(n("e_slot"), n("arr_now1"), n("arr_now0")));
    } else {
        o.wire("arr_e", 1, n("arr_now0"));
    }
    let arrived = if p.mutation == Mutation::EarlyStart {
        b(true)
    } else {
        n("arr_e")
    };
    o.wire(
        "start_n",
        1,
        and(
            and(n("run_n"), n("idle_n")),
            and(
                table::in_chain(n("e_l")),
                and(arrived, and(n("dep_ok"), st_ok)),
            ),
        ),
    );
    o.wire(
        "comp_n",
        1,
        or(n("start_n"), and(n("comp"), not(n("tile_end")))),
    );
    super::cursor::cursor(p, o, "ec", n("e_kb"), n("e_n"), "ve", "e_l");
    // the starting tile's rows: its layer's, or weights outer its slot's half
    o.wire(
        "e_ab",
        X,
        mux(
            n("wo"),
            super::stream_in::slot_half(p, "e_slot"),
            n("ve_ab"),
        ),
    );
    // weights outer its transfer wrote its K tile's range of each row:
    // the row stride its chunks (`fd_rs`), else the row's chunks
    o.wire("e_kbo", X, mux(n("wo"), kx(0), n("e_kb")));
    o.wire("fd_rs", X, mux(n("wo"), n("fd_ch"), n("vd_c")));
    // the feeder: the chunk offered in the next cycle
    let fd_ch_n = mux(n("start_n"), n("ec_ch"), n("fd_ch"));
    let (tok_run, tok_init) = if tokens {
        o.wire("fd_ch_n", X, fd_ch_n);
        super::tokens::feeder(p, o)
    } else {
        o.wire("restart", 1, or(n("start_n"), n("fd_last")));
        o.wire("fd_ch_n", X, fd_ch_n);
        o.wire(
            "fd_last_n",
            1,
            mux(
                n("restart"),
                eq(n("fd_ch_n"), kx(1)),
                eq(add(n("fd_c"), kx(2)), n("fd_ch")),
            ),
        );
        o.wire("fd_c_n", X, mux(n("restart"), kx(0), add(n("fd_c"), kx(1))));
        // (an N tile's next group: its first row again, `ntile.rs`)
        let (row1, rb1) = if p.ntiles() {
            (
                mux(n("fd_gadv"), kx(0), add(n("fd_row"), kx(1))),
                mux(n("fd_gadv"), n("fd_rb0"), add(n("fd_rb"), n("fd_rs"))),
            )
        } else {
            (add(n("fd_row"), kx(1)), add(n("fd_rb"), n("fd_rs")))
        };
        o.wire(
            "fd_row_n",
            X,
            mux(n("start_n"), kx(0), mux(n("fd_last"), row1, n("fd_row"))),
        );
        o.wire(
            "fd_rb_n",
            X,
            mux(
                n("start_n"),
                add(n("e_ab"), n("e_kbo")),
                mux(n("fd_last"), rb1, n("fd_rb")),
            ),
        );
        o.wire(
            "fd_aa_n",
            X,
            mux(n("restart"), n("fd_rb_n"), add(n("fd_aa"), kx(1))),
        );
        if p.ntiles() {
            super::ntile::feeder(p, o)
        } else {
            (Vec::new(), Vec::new())
        }
    };
    o.wire("fd_kb_n", X, mux(n("start_n"), n("e_kb"), n("fd_kb")));
    let shifter = super::unpack::shifts(p);
    if shifter {
        super::unpack::group_lanes(p, o);
    }
    super::store_out::request(p, o);
    o.wire("fd_l_n", table::LB, mux(n("start_n"), n("e_l"), n("fd_l")));
    // the word of the chunk offered next: the chunk, or its fifth
    // (five-chunk packed words)
    let word = if p.pack_period == 5 {
        super::unpack::div5(p, o, "fd_word_n", "fd_c_n");
        "fd_word_n"
    } else if p.ntiles() {
        // the group's words in the N tile's slot (`ntile.rs`)
        o.wire("fd_gw_n", X, add(n("fd_wo_n"), n("fd_c_n")));
        "fd_gw_n"
    } else {
        "fd_c_n"
    };
    if two {
        o.wire("fd_slot_n", 1, mux(n("start_n"), n("e_slot"), n("fd_slot")));
        // the slot the tile's weights are in: its own, or for a
        // weights-outer block the one its group's first block loaded
        let held = if p.mutation == Mutation::HeldOwnSlot {
            b(false)
        } else {
            super::stream_in::is_held(p, "ve_flags")
        };
        o.wire(
            "fd_ws_n",
            1,
            mux(
                n("start_n"),
                mux(held, n("fd_ws"), mux(n("e_slot"), n("swh1"), n("swh0"))),
                n("fd_ws"),
            ),
        );
        o.wire(
            "w_raddr_n",
            X,
            mux(n("fd_ws_n"), add(n(word), kx(cw)), n(word)),
        );
    } else {
        o.wire("w_raddr_n", X, n(word));
    }
    o.note("engine rule 3: fetch the next tiles while inflight + computing < slots");
    o.wire("e_cnt_n", X, add(n("e_cnt"), zx(n("start_n"), 1)));
    o.wire(
        "occ_n",
        X,
        add(sub(n("f_cnt"), n("e_cnt_n")), zx(n("comp_n"), 1)),
    );
    // the fetch cursor walks every layer's tiles in order: the tile after
    // `f` (`fx`) and the one after that (`fy`) may be the next layer's
    super::cursor::cursor(p, o, "fc", n("f_kb"), n("f_n"), "vf", "f_l");
    super::cursor::step(o, "fx", "fc");
    table::view(o, "vx", n("fx_l"), &with(&["c", "n", "kt"]));
    super::cursor::cursor(p, o, "fc2", n("fx_kb"), n("fx_n"), "vx", "fx_l");
    super::cursor::step(o, "fy", "fc2");
    // groups step by `lanes`: the last one may be partial (N % lanes)
    let (more, more2) = if p.mutation == Mutation::NoChainPrefetch {
        // broken: a layer's weights only once the layers before it are complete
        (
            and(table::in_chain(n("f_l")), le(n("f_l"), n("o_l"))),
            and(table::in_chain(n("fx_l")), le(n("fx_l"), n("o_l"))),
        )
    } else {
        (table::in_chain(n("f_l")), table::in_chain(n("fx_l")))
    };
    o.wire("f_more", 1, more);
    if two && p.mutation != Mutation::OneSlot {
        o.wire("f_more2", 1, and(n("f_more"), more2));
        o.wire(
            "fetch2",
            1,
            and(and(n("run_n"), eq(n("occ_n"), kx(0))), n("f_more2")),
        );
        o.wire(
            "fetch1",
            1,
            and(and(n("run_n"), le(n("occ_n"), kx(1))), n("f_more")),
        );
        o.wire(
            "f_take",
            X,
            mux(n("fetch2"), kx(2), mux(n("fetch1"), kx(1), kx(0))),
        );
    } else {
        o.wire("fetch2", 1, b(false));
        o.wire(
            "fetch1",
            1,
            and(and(n("run_n"), eq(n("occ_n"), kx(0))), n("f_more")),
        );
        o.wire("f_take", X, zx(n("fetch1"), 1));
    }
    o.wire("f_cnt_n", X, add(n("f_cnt"), n("f_take")));
    o.wire("sel_run", 1, and(n("run_n"), ne(n("f_iss"), n("f_cnt_n"))));
    // the read requests' cursor: the tile whose transfer enters the DMA next
    super::cursor::cursor(p, o, "ic", n("i_kb"), n("i_n"), "vi", "i_l");
    super::cursor::step(o, "ix", "ic");
    // beats a chunk of the tile's group: every lane's, or the partial last
    // group's `N % lanes` lanes (the engine loads only their weights)
    o.wire("i_left", X, sub(n("vi_n"), n("i_n")));
    o.wire(
        "i_lanes",
        X,
        mux(lt(n("i_left"), kx(p.lanes())), n("i_left"), kx(p.lanes())),
    );
    // (packed trits: a word of one chunk of every lane, lanes x width / 5
    // bytes, whole groups only; or of five chunks, `i_lanes x width` bytes)
    let lbits = if p.pack_period == 5 {
        mul(n("i_lanes"), kx(p.width() * 8))
    } else if p.packed() {
        kx(u64::from(p.wword_bits()))
    } else {
        mul(n("i_lanes"), kx(p.lane_chunk_bits()))
    };
    o.wire("i_lbits", X, lbits);
    let lb = p.axi_bits.trailing_zeros();
    // (words across beats or several a beat: the tile's bits over the bus)
    let bits_beats = p.wgear() || p.wnarrow();
    if !bits_beats {
        o.wire("i_bpw", X, zx(sl("i_lbits", X - 1, lb), X - lb));
    }
    // the tile's K elements: its chunks', or fewer in the last K tile when
    // K % width != 0 (the engine loads `lanes x elements` codes)
    o.wire("i_kel", X, mul(n("ic_ch"), kx(p.width())));
    o.wire("i_krem", X, sub(n("vi_k"), mul(n("i_kb"), kx(p.width()))));
    o.wire("i_short", 1, lt(n("i_krem"), n("i_kel")));
    // (the tile's beats are the short K tile's `lanes x elements` codes,
    // or its chunks times a chunk's beats: narrow products, no 32 x 32
    // multiplier)
    // (with the respacer of `dma/short_rows.rs` a partial group's short
    // K tile too: its `i_lanes` lanes)
    let lanes = |per: u64| {
        if p.short_rows() {
            mul(zx(super::dma::lanes_of(p), p.lanes_bits()), kx(per))
        } else {
            kx(p.lanes() * per)
        }
    };
    match p.lut_index() {
        // LUT indices: `ceil(K % width / g)` groups of every lane (a
        // partial last group of 1 or 2 weights takes a whole index)
        Some(ix) => {
            // (broken: the groups rounded down, the partial group not loaded)
            let kr = if p.mutation == Mutation::PartialGroupDropped {
                "i_krem"
            } else {
                let krg = add(n("i_krem"), kx(u64::from(ix.g) - 1));
                if ix.g.is_power_of_two() {
                    // (a power of two divides by the shift: the low bits
                    // are the remainder)
                    o.waive(
                        "UNUSEDSIGNAL",
                        "the low bits below the group's shift are the remainder",
                        vec![crate::ir::wire("i_krg", X, krg)],
                    );
                } else {
                    o.wire("i_krg", X, krg);
                }
                "i_krg"
            };
            let kg = super::table::chunks_of(o, u64::from(ix.g), kr, "i_kg");
            o.wire("i_tbits", X, mul(kg, lanes(u64::from(ix.bits))));
        }
        None => o.wire("i_tbits", X, mul(n("i_krem"), lanes(p.wgt_bits()))),
    }
    let cb = crate::accel::params::addr_bits(p.slot_words + 1);
    if bits_beats {
        super::dma::tile_beats(p, o, cb);
    } else {
        let bb = crate::accel::params::addr_bits(bpw + 1);
        let cbeats = mul(
            zx(sl("ic_ch", cb - 1, 0), cb),
            zx(sl("i_bpw", bb - 1, 0), bb),
        );
        if p.ntiles() {
            // an N tile's groups, one after the other (`ntile.rs`)
            o.wire("i_gbeats", X, cbeats);
            super::ntile::request_groups(p, o);
            o.wire("i_cbeats", X, mul(n("i_gbeats"), n("i_tg")));
        } else {
            o.wire("i_cbeats", X, cbeats);
        }
    }
    let beats = if p.packed() {
        super::unpack::tile_beats(p, o)
    } else if p.wgear() {
        super::dma::midbeat::tile_beats(p, o)
    } else {
        mux(
            n("i_short"),
            zx(sl("i_tbits", X - 1, lb), X - lb),
            n("i_cbeats"),
        )
    };
    // a weights-outer block's tile loads no weights (held, `stream_in.rs`)
    o.wire(
        "i_beats",
        X,
        mux(super::stream_in::is_held(p, "vi_flags"), kx(0), beats),
    );
    super::stream_in::requests(p, o);
    let arr_upd = |s: u32| -> Stmt {
        let mine = if two {
            eq(n("e_slot"), b(s == 1))
        } else {
            b(true)
        };
        set(
            &format!("arr{s}"),
            and(n(&format!("arr_now{s}")), not(and(n("start_n"), mine))),
        )
    };
    let feed = vec![
        set("fd_last", n("fd_last_n")),
        set("fd_c", n("fd_c_n")),
        set("fd_ch", n("fd_ch_n")),
        set("fd_row", n("fd_row_n")),
        set("fd_rb", n("fd_rb_n")),
        set("fd_aa", n("fd_aa_n")),
        set("fd_kb", n("fd_kb_n")),
        set("fd_l", n("fd_l_n")),
    ];
    let mut feed = feed;
    if shifter {
        feed.push(set("fd_gl", n("fd_gl_n")));
    }
    let mut run = vec![set("comp", n("comp_n"))];
    if ii > 1 {
        // the feeder holds the chunk offered until its last cycle
        run.push(when(n("ii_step"), feed));
        run.push(set(
            "ii_c",
            mux(
                and(n("comp"), not(n("ii_step"))),
                add(n("ii_c"), k(ii_bits(ii), 1)),
                k(ii_bits(ii), 0),
            ),
        ));
    } else if serial {
        run.push(when(n("sl_step"), feed));
    } else {
        run.extend(feed);
    }
    run.extend([
        set("e_cnt", n("e_cnt_n")),
        when(
            n("start_n"),
            vec![
                set("e_kb", n("ec_nkb")),
                set("e_n", n("ec_nn")),
                set("e_l", n("ec_nl")),
                // the block's first token in its group (weights outer)
                set("e_b0", mux(n("ec_blk"), add(n("e_b0"), n("ve_m")), kx(0))),
            ],
        ),
        set("f_cnt", n("f_cnt_n")),
        when_else(
            n("fetch2"),
            vec![
                set("f_kb", n("fy_kb")),
                set("f_n", n("fy_n")),
                set("f_l", n("fy_l")),
            ],
            vec![when(
                n("fetch1"),
                vec![
                    set("f_kb", n("fx_kb")),
                    set("f_n", n("fx_n")),
                    set("f_l", n("fx_l")),
                ],
            )],
        ),
        arr_upd(0),
    ]);
    if serial {
        // (the N tiles' feeder steps with the chunk too)
        if !tok_run.is_empty() {
            run.push(when(n("sl_step"), tok_run));
        }
    } else {
        run.extend(tok_run);
    }
    run.extend(ser_run);
    if two {
        run.push(match step {
            Some(s) => when(
                n(s),
                vec![set("fd_slot", n("fd_slot_n")), set("fd_ws", n("fd_ws_n"))],
            ),
            None => set("fd_slot", n("fd_slot_n")),
        });
        if step.is_none() {
            run.push(set("fd_ws", n("fd_ws_n")));
        }
        run.push(set(
            "e_slot",
            mux(n("start_n"), not(n("e_slot")), n("e_slot")),
        ));
        run.push(arr_upd(1));
    } else {
        run.push(set("fd_slot", b(false)));
        run.push(set("fd_ws", b(false)));
        run.push(set("e_slot", b(false)));
        run.push(set("arr1", b(false)));
    }
    let mut init: Vec<Stmt> = [
        "a_iss", "f_cnt", "f_n", "f_kb", "f_iss", "i_kb", "i_n", "e_cnt", "e_n", "e_kb", "e_b0",
        "fd_c", "fd_ch", "fd_row", "fd_rb", "fd_aa", "fd_kb",
    ]
    .iter()
    .map(|r| set(r, kx(0)))
    .collect();
    for r in [
        "comp", "fd_last", "fd_slot", "fd_ws", "e_slot", "f_slot", "arr0", "arr1",
    ] {
        init.push(set(r, b(false)));
    }
    for r in ["e_l", "f_l", "i_l", "fd_l"] {
        init.push(set(r, crate::ir::konst(table::LB, 0)));
    }
    if ii > 1 {
        init.push(set("ii_c", k(ii_bits(ii), 0)));
    }
    if two {
        init.push(set("f_wh", b(false)));
        init.push(set("swh0", b(false)));
        init.push(set("swh1", b(false)));
    }
    if shifter {
        init.push(set("fd_gl", kx(p.lanes())));
    }
    init.extend(tok_init);
    init.extend(ser_init);
    init.push(set("a_addr", n("t0_abase")));
    init.push(set("f_addr", n("t0_wbase")));
    // a slot's beats, and (when a word is several beats) its beats a word
    // (broken: the weights go to the transfer's own slot, per tile)
    let wh = |s: u32| {
        if p.mutation == Mutation::WeightSlotPerTile {
            b(s == 1)
        } else {
            n("f_wh")
        }
    };
    let slot_set = |s: u32| {
        let mut v = vec![set(&format!("sb{s}"), n("i_all"))];
        if two {
            v.push(set(&format!("swh{s}"), wh(s)));
        }
        v.extend(super::stream_in::slot_set(s));
        if p.wgear() {
            v.push(set(&format!("sw{s}"), n("i_lbits")));
            v.push(set(&format!("sl{s}"), n("i_lead")));
            if p.short_chunk {
                v.push(set(&format!("sp{s}"), n("i_short")));
            }
            if p.short_rows() {
                v.push(set(&format!("sn{s}"), super::dma::lanes_of(p)));
            }
        } else if bpw > 1 {
            v.push(set(&format!("sw{s}"), n("i_bpw")));
            if p.short_chunk {
                v.push(set(&format!("sp{s}"), n("i_short")));
            }
        }
        v
    };
    let slot_beats = if two {
        vec![when_else(n("f_slot"), slot_set(1), slot_set(0))]
    } else {
        slot_set(0)
    };
    let mut took = vec![
        set("f_iss", add(n("f_iss"), kx(1))),
        // the next layer's weights start at its own base
        set(
            "f_addr",
            mux(
                and(n("ic_lend"), not(n("wo"))),
                n("vin_wbase"),
                if p.wgear() {
                    // (a tile is its bytes from any byte: the next starts
                    // where it ends, `dma/gearbox.rs`)
                    add(
                        add(n("f_addr"), n("i_wbytes")),
                        crate::ir::bin(crate::ir::BinOp::Mul, n("i_abeats"), kx(p.beat_bytes())),
                    )
                } else {
                    add(
                        n("f_addr"),
                        crate::ir::bin(crate::ir::BinOp::Mul, n("i_all"), kx(p.beat_bytes())),
                    )
                },
            ),
        ),
        set("f_slot", if two { not(n("f_slot")) } else { b(false) }),
        set("i_kb", n("ix_kb")),
        set("i_n", n("ix_n")),
        set("i_l", n("ix_l")),
    ];
    took.extend(slot_beats);
    if two {
        took.push(set(
            "f_wh",
            mux(
                super::stream_in::is_held(p, "vi_flags"),
                n("f_wh"),
                not(n("f_wh")),
            ),
        ));
    }
    o.clocked(
        vec![set("comp", b(false))],
        vec![
            when_else(
                n("parse_ok"),
                init,
                vec![when(or(n("run_n"), eq(n("ph"), k(3, 3))), run)],
            ),
            when(
                and(n("take_src"), n("sel_act")),
                vec![
                    set("a_iss", add(n("a_iss"), kx(1))),
                    set("a_addr", add(n("a_addr"), n("va_astride"))),
                ],
            ),
            // the next layer's input rows
            when(
                and(n("a_last"), not(n("a_all"))),
                vec![set("a_iss", kx(0)), set("a_addr", n("van_abase"))],
            ),
            when(and(n("take_src"), n("sel_run")), took),
        ],
    );
    if ii > 1 {
        // a chunk is offered in the first of its II cycles (the tile takes
        // one every II cycles) and the buffers are read once for it
        o.assign(
            "t_in_valid",
            and(n("comp"), eq(n("ii_c"), k(ii_bits(ii), 0))),
        );
        o.wire("a_re", 1, and(n("comp_n"), n("ii_step")));
    } else if serial {
        // a chunk is offered in the last of its cycles, from the table
        // builder's input register; the buffers are read once for it, in
        // the cycle before its first
        o.assign("t_in_valid", and(n("comp"), n("sl_step")));
        o.wire("a_re", 1, and(n("comp_n"), n("sl_step")));
    } else {
        o.assign("t_in_valid", n("comp"));
    }
    o.assign("t_in_last", n("fd_last"));
    if !tokens {
        // every chunk carries its weights: the weight buffer is read with it
        if ii > 1 || serial {
            o.wire("w_re", 1, n("a_re"));
        } else {
            o.wire("w_re", 1, n("comp_n"));
        }
        if p.tile.token_tile() > 1 {
            o.assign("t_in_wload", b(true));
        }
    }
    o.assign("dbg_wread", n("w_re"));
    o.block("buffers");
    super::collector::outputs(p, o);
}

/// Bits of the feeder's hold counter `ii_c` (0 to II - 1).
fn ii_bits(ii: u32) -> u32 {
    super::params::addr_bits(u64::from(ii))
}
