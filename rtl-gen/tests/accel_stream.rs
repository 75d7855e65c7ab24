//! The streamed layers' schedule (`accel::stream`) against the engine's own
//! plan: tile for tile the same load, store and compute, in the same order,
//! for an input that does not fit, outputs that spill, partial sums of a K
//! split that spill, both loop orders, and the bitnet-b1.58-2B-4T q
//! projection's 64-token prefill on edge-ternary with a token tile of 1.

mod accel_common;

use accel_common::small;
use rtl_gen::accel::image::engine_run;
use rtl_gen::accel::stream::{Order, StreamPlan};
use rtl_gen::accel::AccelParams;
use sim::mapping::TileWork;
use sim::Accelerator;

/// The engine's tiles of the layer, in order.
fn engine_tiles(p: &AccelParams, (m, k, n): (u64, u64, u64)) -> Vec<TileWork> {
    let (plans, _) = engine_run(p, m, k, n).expect("the engine plans it");
    let mut v = Vec::new();
    for pat in &plans[0].tiles.patterns {
        for _ in 0..pat.reps {
            for &(t, count) in &pat.runs {
                v.extend(std::iter::repeat_n(t, count as usize));
            }
        }
    }
    v
}

/// The schedule's tiles as the engine's.
fn as_engine(s: &StreamPlan) -> Vec<TileWork> {
    s.tiles
        .iter()
        .map(|t| TileWork {
            load: t.load(),
            load_after_producers: t.act_bytes > 0,
            busy: t.busy(),
            sram_stall: 0,
            store: t.store(),
            partial_in: t.partial_in,
            partial_out: t.partial_out,
        })
        .collect()
}

fn agrees(arch: &Accelerator, axi: u32, shape: (u64, u64, u64)) -> StreamPlan {
    let p = AccelParams::new(arch, axi).expect("builds");
    let s = StreamPlan::new(&p, shape.0, shape.1, shape.2);
    let e = engine_tiles(&p, shape);
    let mine = as_engine(&s);
    assert_eq!(
        mine.len(),
        e.len(),
        "{shape:?}: tile count ({})",
        s.describe()
    );
    for (i, (a, b)) in mine.iter().zip(&e).enumerate() {
        assert_eq!(a, b, "{shape:?}: tile {i} ({})", s.describe());
    }
    s
}

/// 8 x 16 with a 1 KiB activation buffer (512 B halves) and 1 KiB of
/// output buffer (512 B halves, 16 words of 8 x 32 bits).
fn tight(double: bool) -> Accelerator {
    let mut a = small(8, 16, double);
    a.buffers.activations.kib = 1;
    a.buffers.outputs.kib = 1;
    a
}

#[test]
fn an_input_that_does_not_fit_streams_in_token_blocks() {
    // 32 x 64 = 2 KiB of input, blocks of 512 / 64 = 8 tokens; one group:
    // weights outer (128 + 1 x 2048 B against 4 x 128 + 2048 B)
    let s = agrees(&tight(true), 64, (32, 64, 8));
    assert_eq!((s.order, s.block, s.blocks), (Order::WeightsOuter, 8, 4));
    assert_eq!(s.tiles.len(), 4);
    // the weights with the first block only, each block its 8 x 64 rows
    assert_eq!(s.tiles[0].load(), 8 * 64 / 4 + 8 * 64);
    assert_eq!(s.tiles[1].load(), 8 * 64);
    assert!(!s.out_spill && !s.partial_spill);
    assert_eq!(s.load_addr(2), 8 * 64 / 4 + 2 * 8 * 64);
    // 8 groups: tokens outer (4 x 1024 + 2048 B against 1024 + 8 x 2048 B),
    // the block's rows with its first tile, the weights with every tile;
    // 32 x 64 x 4 B of outputs spill from the 1 KiB activation buffer
    let s = agrees(&tight(true), 64, (32, 64, 64));
    assert_eq!(
        (s.order, s.blocks, s.tiles.len()),
        (Order::TokensOuter, 4, 32)
    );
    assert_eq!(s.tiles[0].act_bytes, 8 * 64);
    assert_eq!(s.tiles[1].act_bytes, 0);
    assert!(s.out_spill);
    assert_eq!(s.tiles[5].out_bytes, 8 * 8 * 4);
    // a single activation buffer: blocks of the whole 1 KiB
    let mut a = tight(false);
    a.buffers.activations.double_buffered = false;
    let s = agrees(&a, 128, (32, 64, 8));
    assert_eq!((s.block, s.blocks), (16, 2));
}

#[test]
fn k_larger_than_a_buffer_half_spills_its_partial_sums() {
    // K = 1280: 80 chunks in K tiles of 32, 32, 16; the input (at most
    // 32 x 1280 B) on chip in a 32 KiB activation buffer; the partial sums
    // (tokens x 8 lanes x the accumulator's bytes) stay in the 512 B half
    // of the 1 KiB output buffer up to `fit` tokens and spill past it
    let mut a = tight(true);
    a.buffers.activations.kib = 40;
    let p = AccelParams::new(&a, 64).expect("builds");
    let acc = u64::from(p.tile.acc_bits.div_ceil(8));
    let fit = 512 / (8 * acc);
    let s = agrees(&a, 64, (fit, 1280, 8));
    assert_eq!(s.k_tiles, 3);
    assert!(!s.partial_spill && !s.streams_input(), "{}", s.describe());
    let s = agrees(&a, 64, (fit + 1, 1280, 8));
    assert!(s.partial_spill && !s.streams_input());
    // the first K tile stores, the middle one reads and stores, the last reads
    let t: Vec<(u64, u64)> = s
        .tiles
        .iter()
        .map(|t| (t.partial_in, t.partial_out))
        .collect();
    let ps = (fit + 1) * 8 * acc;
    assert_eq!(&t[..3], &[(0, ps), (ps, ps), (ps, 0)]);
    // all three at once: a 24 KiB activation buffer (12 KiB halves), K =
    // 528 (33 chunks: K tiles of 32 and 1), blocks of 12,288 / 528 = 23
    // tokens (23, 23, 4) whose partial sums exceed the 512 B half, and
    // 50 x 128 x 4 B of outputs over the activation buffer
    let mut b = tight(true);
    b.buffers.activations.kib = 24;
    let s = agrees(&b, 64, (50, 528, 128));
    assert!(
        s.streams_input() && s.partial_spill && s.out_spill,
        "{}",
        s.describe()
    );
    assert_eq!((s.block, s.blocks, s.k_tiles), (23, 3, 2));
}

#[test]
fn layers_on_chip_have_no_streamed_moves() {
    for (shape, axi, double) in [
        ((16, 64, 16), 64, true),
        ((2, 1280, 16), 64, true),
        ((2, 128, 40), 128, false),
    ] {
        let s = agrees(&small(8, 16, double), axi, shape);
        assert!(s.on_chip(), "{shape:?}: {}", s.describe());
        let p = AccelParams::new(&small(8, 16, double), axi).expect("builds");
        assert_eq!(p.refuses_layer(shape.0, shape.1, shape.2), None);
    }
}

#[test]
fn the_2b4t_q_prefill_of_64_tokens_streams_tokens_outer() {
    let mut a = sim::arch::preset("edge-ternary").expect("preset");
    a.array.token_tile = 1;
    let s = agrees(&a, 512, (64, 2560, 2560));
    // 64 x 2560 B of input over the 128 KiB buffer: blocks of 65,536 / 2560
    // = 25 tokens (25, 25, 14); tokens outer (3 x 1.6 MB + 164 kB against
    // 1.6 MB + 40 x 164 kB); 40 groups of one K tile (40 of 128 chunks)
    assert_eq!((s.order, s.block, s.blocks), (Order::TokensOuter, 25, 3));
    assert_eq!((s.groups, s.k_tiles, s.tiles.len()), (40, 1, 120));
    assert_eq!(s.tiles[0].load(), 64 * 2560 / 4 + 25 * 2560);
    assert_eq!(s.tiles[80].load(), 64 * 2560 / 4 + 14 * 2560);
    // 655,360 B of outputs over the activation buffer: stored per tile
    assert!(s.out_spill && !s.partial_spill);
    assert_eq!(
        s.dram_bytes(),
        (3 * 2560 * 2560 / 4 + 64 * 2560, 64 * 2560 * 4)
    );
    // the top refuses it and says which moves it lacks
    let p = AccelParams::new(&a, 512).expect("builds");
    let why = p.refuses_layer(64, 2560, 2560).expect("refused");
    assert!(
        why.contains("tokens outer: 120 tiles (40 groups x 1 K tiles x 3 token blocks of 25)")
            && why.contains("the input streamed (163840 B)")
            && why.contains("the outputs stored per tile (655360 B)"),
        "{why}"
    );
}

#[test]
fn the_2b4t_q_prefill_with_weight_registers_has_the_same_moves() {
    // the edge-ternary preset as it is: token_tile = 16 (weight registers)
    let a = sim::arch::preset("edge-ternary").expect("preset");
    assert_eq!(a.array.token_tile, 16);
    let s = agrees(&a, 512, (64, 2560, 2560));
    // the token tile changes how a tile feeds its chunks, not the moves
    assert_eq!((s.order, s.block, s.blocks), (Order::TokensOuter, 25, 3));
    assert_eq!((s.groups, s.k_tiles, s.tiles.len()), (40, 1, 120));
    // each group's store: 25 (or 14) tokens x 64 lanes x 4 B, issued when
    // the group's only K tile ends
    assert_eq!(s.tiles[0].out_bytes, 25 * 64 * 4);
    assert_eq!(s.tiles[119].out_bytes, 14 * 64 * 4);
    assert_eq!(s.tiles[0].busy(), 25 * 40);
    assert!(s.out_spill && !s.partial_spill);
    // the top takes it: one descriptor a token block, each storing its
    // groups' outputs
    let p = AccelParams::new(&a, 512).expect("builds");
    let plan = rtl_gen::accel::stream_check::streamed_plan(&p, 64, 2560, 2560);
    assert_eq!(plan.as_ref().map(|s| s.is_some()), Ok(true), "{plan:?}");
}

#[test]
fn stored_outputs_the_top_cannot_time_are_refused_with_the_reason() {
    use rtl_gen::accel::stream_check::streamed_plan;
    // 16 x 16 x 512 on 8 x 16 with 16 KiB buffers: 32 KiB of outputs over
    // the activation buffer, one chunk a row: a group computes 16 cycles,
    // fewer than its store's 16 words of 4 beats take; taken (the staging
    // halves hold the groups as the engine's do, `accel_out_halves.rs`)
    let mut a = small(8, 16, true);
    a.buffers.activations.kib = 16;
    a.buffers.outputs.kib = 16;
    let p = AccelParams::new(&a, 64).expect("builds");
    assert!(matches!(streamed_plan(&p, 16, 16, 512), Ok(Some(_))));
    assert!(matches!(streamed_plan(&p, 16, 512, 512), Ok(Some(_))));
    assert_eq!(p.refuses_layer(16, 512, 512), None);
    // a single-buffered output buffer: the engine gives the groups one
    // half, the top stages in two
    let mut single = a.clone();
    single.buffers.outputs.double_buffered = false;
    let p = AccelParams::new(&single, 64).expect("builds");
    let why = streamed_plan(&p, 16, 16, 512).expect_err("refused");
    assert!(
        why.contains("the outputs stored per tile (32768 B)") && why.contains("single-buffered"),
        "{why}"
    );
    // spilled partial sums: refused, named
    let mut b = tight(true);
    b.buffers.activations.kib = 24;
    let p = AccelParams::new(&b, 64).expect("builds");
    let why = streamed_plan(&p, 50, 528, 128).expect_err("refused");
    assert!(
        why.contains("the partial sums spilled") && why.contains("does not spill partial sums"),
        "{why}"
    );
    assert!(p.refuses_layer(50, 528, 128).is_some());
}
