//! The accelerator top with weight registers (`array.token_tile = T > 1`)
//! under Verilator: the feeder offers each tile in sub-tiles of `T`
//! tokens, chunk-outer and token-inner with `in_wload` on a sub-tile's
//! first token (the simulator's mapping); results bit-exact and every
//! layer's start, completion and the total equal to the engine's, alone
//! and in chains; a feeder that loads weights on every chunk is caught.

mod accel_common;

use accel_common::{banked, lint_top, opts, small};
use rtl_gen::accel::chain::ChainLayer;
use rtl_gen::accel::chain_check::check_chain;
use rtl_gen::accel::check::{check_gemm, AccelOptions};
use rtl_gen::accel::params::Mutation;
use rtl_gen::accel::AccelParams;
use sim::Accelerator;

/// `small(lanes, width, double)` with a token tile of `t`.
fn tiled(lanes: u32, width: u32, double: bool, t: u32) -> Accelerator {
    let mut a = small(lanes, width, double);
    a.array.token_tile = t;
    a.name.push_str(&format!("_t{t}"));
    a
}

/// Single layers on 8 x 16 and 16 x 16 with T = 2 and 4: M not a multiple
/// of T (a short last sub-tile), decode (M = 1, one token a weight load),
/// a K split (partial sums added across K tiles), a partial last group, a
/// short last chunk, double and single buffering, the transaction and the
/// banked DRAM model: every case exact.
#[test]
fn token_tiles_are_exact() {
    let o = opts();
    let cases: Vec<(Accelerator, u32, (u64, u64, u64))> = vec![
        // 5 tokens in sub-tiles of 2, 2, 1; 4 chunks a tile
        (tiled(8, 16, true, 2), 64, (5, 64, 16)),
        // decode: DRAM-bound, every chunk loads weights
        (tiled(8, 16, true, 2), 64, (1, 256, 32)),
        // 3 K tiles a group (32 + 32 + 16 chunks), 3 tokens in 2 + 1
        (tiled(8, 16, true, 2), 64, (3, 1280, 16)),
        // a short last chunk (K % width = 8) in sub-tiles of 2 + 1
        (tiled(8, 16, true, 2), 64, (3, 264, 32)),
        // the banked DRAM model (LPDDR5-6400, one channel), 5 tokens in 2 + 2 + 1
        (banked(tiled(8, 16, true, 2)), 64, (5, 128, 48)),
        // a partial last group of 4 lanes, 7 tokens in 4 + 3
        (tiled(8, 16, true, 4), 64, (7, 256, 36)),
        // 16 x 16 with T = 2: 3 tokens in 2 + 1
        (tiled(16, 16, true, 2), 64, (3, 64, 32)),
        // 16 x 16: compute-bound, 6 tokens in 4 + 2
        (tiled(16, 16, true, 4), 64, (6, 128, 32)),
        (tiled(16, 16, true, 4), 64, (1, 512, 32)),
        // single-buffered on a 128-bit bus, 9 tokens in 4 + 4 + 1
        (tiled(16, 16, false, 4), 128, (9, 64, 48)),
    ];
    let mut failed = Vec::new();
    for (arch, axi, (m, k, n)) in &cases {
        let p = AccelParams::new(arch, *axi).expect("builds");
        let r = check_gemm(&p, *m, *k, *n, &o).expect("runs");
        println!("{}", r.summary());
        assert_eq!(r.results, (m * n) as usize);
        if !r.passed() {
            failed.push(r.summary());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Random AXI delays and back-pressure with weight registers: results
/// bit-exact and the weight reads the mapping's (the cycle difference is
/// reported, not required to be zero).
#[test]
fn randomized_token_tiles_are_correct() {
    let o = AccelOptions {
        random: true,
        seed: 11,
        ..opts()
    };
    for (arch, axi, (m, k, n)) in [
        (tiled(8, 16, true, 2), 64, (5, 64, 16)),
        (tiled(8, 16, true, 2), 64, (3, 1280, 16)),
        (tiled(16, 16, false, 4), 128, (9, 64, 48)),
    ] {
        let p = AccelParams::new(&arch, axi).expect("builds");
        let r = check_gemm(&p, m, k, n, &o).expect("runs");
        println!("{}", r.summary());
        assert!(r.passed(), "{}", r.summary());
        assert_eq!(r.wrong_results, 0);
    }
}

/// A feeder that offers the chunk-outer order but loads the weights with
/// every chunk: every token of a sub-tile then reduces into token slot 0,
/// so the results are wrong (the timing alone would not show it).
#[test]
fn weight_load_on_every_chunk_is_caught() {
    let mut p = AccelParams::new(&tiled(8, 16, true, 2), 64).expect("builds");
    p.mutation = Mutation::WloadEveryChunk;
    let r = check_gemm(&p, 5, 64, 16, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert!(r.wrong_results > 0);
}

/// A feeder in the order of `token_tile = 1` (token-outer, every chunk
/// with its weights): results and cycles are right, as the tile allows it,
/// but the weights are read once a token instead of once a sub-tile, so
/// the weight-buffer reads differ from the mapping's and the check fails.
#[test]
fn no_weight_reuse_is_caught() {
    let mut p = AccelParams::new(&tiled(8, 16, true, 2), 64).expect("builds");
    p.mutation = Mutation::TokenOuter;
    let r = check_gemm(&p, 5, 64, 16, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(!r.passed());
    assert_eq!(r.wrong_results, 0);
    assert_eq!(r.rtl, Some(r.engine));
    // the mapping: 2 groups x 4 chunks x 3 sub-tiles; the broken feeder: x 5 tokens
    assert_eq!(r.wreads, (Some(24), 40));
}

/// The tops with weight registers lint clean under `verilator --lint-only -Wall`.
#[test]
fn token_tile_tops_lint_clean() {
    for (axi, lanes, width, double, t) in [(64, 8, 16, true, 2), (128, 16, 16, false, 4)] {
        let p = AccelParams::new(&tiled(lanes, width, double, t), axi).expect("builds");
        let r = lint_top(&p);
        assert!(r.clean, "T = {t}: {}", r.output);
    }
}

fn layer(m: u64, k: u64, n: u64, after: Option<usize>, shift: u32) -> ChainLayer {
    ChainLayer {
        m,
        k,
        n,
        after,
        shift,
        out_shift: None,
    }
}

/// Chains with T = 4 on 16 x 16: q, k, v then o reading v (a dependent
/// layer, its input forwarded on chip), 6 tokens and decode; and on 8 x 16
/// with T = 2 the q, k, v, o of 5 tokens with inputs of their own: every
/// layer's start and completion equal to `engine_chain`'s, results
/// bit-exact.
#[test]
fn token_tile_chains_are_exact() {
    let own = [
        layer(5, 64, 32, None, 0),
        layer(5, 64, 16, None, 0),
        layer(5, 64, 16, None, 0),
        layer(5, 16, 64, None, 0),
    ];
    let p = AccelParams::new(&tiled(8, 16, true, 2), 64).expect("builds");
    let r = check_chain(&p, &own, &opts()).expect("runs");
    println!("{}", r.summary());
    assert!(r.passed(), "{}", r.summary());
    for m in [6, 1] {
        let qkvo = [
            layer(m, 64, 32, None, 0),
            layer(m, 64, 16, None, 0),
            layer(m, 64, 16, None, 0),
            layer(m, 16, 32, Some(2), 6),
        ];
        for (arch, axi) in [(tiled(16, 16, true, 4), 64), (tiled(16, 16, false, 4), 128)] {
            let p = AccelParams::new(&arch, axi).expect("builds");
            let r = check_chain(&p, &qkvo, &opts()).expect("runs");
            println!("{}", r.summary());
            assert!(r.passed(), "{}", r.summary());
            if (m, axi) == (6, 64) {
                // q: 2 tiles of 6 tokens x 4 chunks; o held until v is complete
                let got: Vec<(u64, u64)> =
                    r.layers.iter().map(|l| l.rtl.unwrap_or((0, 0))).collect();
                assert_eq!(got, [(72, 132), (168, 196), (200, 228), (240, 282)]);
            }
        }
    }
}

/// The engine's chain on the edge-ternary preset as it is (`token_tile =
/// 16`): the bitnet-b1.58-2B-4T decode q, k, v take the cycles they take
/// with `token_tile = 1` (`accel_chain.rs`): a decode token is a sub-tile
/// of one, and the weight registers add no cycles.
#[test]
fn preset_decode_chain_matches_token_tile_1() {
    let a = sim::arch::preset("edge-ternary").expect("preset");
    assert_eq!(a.array.token_tile, 16);
    let p = AccelParams::new(&a, 512).expect("builds");
    let c = [
        layer(1, 2560, 2560, None, 0),
        layer(1, 2560, 640, None, 0),
        layer(1, 2560, 640, None, 0),
    ];
    let (t, total) = rtl_gen::accel::chain::engine_chain(&p, &c).expect("chain");
    let got: Vec<(u64, u64, u64)> = t.iter().map(|l| (l.start, l.compute_end, l.done)).collect();
    assert_eq!(
        got,
        [
            (900, 32140, 32145),
            (32900, 40140, 40145),
            (40900, 48140, 48145)
        ]
    );
    assert_eq!(total, 48145);
}

/// A weight port narrower than a chunk with weight registers (the
/// mapping's staging register, not built) is refused with the reason.
#[test]
fn narrow_weight_port_is_refused() {
    let mut a = tiled(8, 16, true, 2);
    // a chunk of every lane: 8 x 16 x 2 bits = 32 B; a port of 16 B
    a.buffers.weights.banks = 1;
    a.buffers.weights.bank_bytes = 16;
    let e = AccelParams::new(&a, 64).expect_err("refused").to_string();
    assert!(
        e.contains("port (16 B a cycle) is narrower than a chunk of every lane (32 B)"),
        "{e}"
    );
}
