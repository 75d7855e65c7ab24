//! The stored weight image (`[dram.weight_image]`): hand-computed DRAM
//! reads and capacity of padded images, TeLLMe v2's release image, and the
//! keys' refusals.

use sim::arch::weight_image::WeightImage;
use workloads::trace::{generate, TraceOptions};
use workloads::{Op, OpKind, Precision, Trace, TraceMeta};

/// One INT8 x ternary projection of `m` tokens.
fn linear(m: u64, k: u64, n: u64) -> Op {
    Op::linear("proj", m, k, n, Precision::Ternary)
}

fn trace(ops: Vec<Op>) -> Trace {
    Trace {
        meta: TraceMeta::default(),
        ops,
    }
}

/// DRAM bytes read by the plans of `t` on `a`.
fn reads(a: &sim::Accelerator, t: &Trace) -> u64 {
    let plans = sim::mapping::map_trace(a, t).unwrap();
    plans.iter().map(|p| p.dram_bytes().0).sum()
}

fn tellme(img: Option<WeightImage>) -> sim::Accelerator {
    let mut a = sim::arch::preset("tellme-v2").unwrap();
    a.dram.weight_image = img;
    a
}

#[test]
fn a_padded_image_is_what_dram_streams() {
    // tellme-v2: 16 lanes x 84, 5-bit indices a group of 3: one output's
    // chunk of 84 weights is 28 x 5 = 140 bits. One token, activations on
    // chip, so a plan reads only its weights.
    // K = 200, N = 16 packed: a row of 200 weights is ceil(200 / 3) = 67
    // indices (the last group of 2 still takes a whole one), so
    // 16 x 67 x 5 / 8 = 670 bytes.
    let t = trace(vec![linear(1, 200, 16)]);
    assert_eq!(reads(&tellme(None), &t), 670);
    // 96-byte words: 5 outputs a word (768 / 140), ceil(16 / 5) = 4 words
    // for each of ceil(200 / 84) = 3 chunks: 3 x 4 x 96 = 1152 bytes
    let words = WeightImage {
        word_bytes: Some(96),
        ..WeightImage::default()
    };
    assert_eq!(reads(&tellme(Some(words)), &t), 1152);
    // tiles of 168 x 32: K = 200 in 2 tiles of 2 chunks, N = 40 in 2 tiles
    // of ceil(32 / 5) = 7 words: 2 x 2 x 2 x 7 x 96 = 5376 bytes. The three
    // feature groups (16, 16, 8 outputs) pack to 670 + 670 + 335 = 1675
    // bytes (8 x 67 x 5 / 8 = 335) and each read is scaled to the image,
    // rounded up: ceil(670 x 5376 / 1675) = 2151 twice,
    // ceil(335 x 5376 / 1675) = 1076.
    let tiles = WeightImage {
        tile_k: Some(168),
        tile_n: Some(32),
        word_bytes: Some(96),
    };
    let t40 = trace(vec![linear(1, 200, 40)]);
    assert_eq!(reads(&tellme(None), &t40), 1675);
    assert_eq!(reads(&tellme(Some(tiles)), &t40), 2151 + 2151 + 1076);
    // the weight buffer still takes the packed code
    let plans = sim::mapping::map_trace(&tellme(Some(tiles)), &t40).unwrap();
    let plain = sim::mapping::map_trace(&tellme(None), &t40).unwrap();
    let wbuf = |p: &[sim::mapping::OpPlan]| {
        p[0].activity.sram[&sim::activity::Buffer::Weights].write_bytes
    };
    assert_eq!(wbuf(&plans), wbuf(&plain));
    // the capacity check counts the image, 5376 bytes
    let f = sim::capacity::footprint(&tellme(Some(tiles)), &t40, &plans);
    assert_eq!(f.weights, 5376);
    let f = sim::capacity::footprint(&tellme(None), &t40, &plain);
    assert_eq!(f.weights, Precision::Ternary.bytes_for(200 * 40));
}

#[test]
fn tellme_v2_streams_its_release_image() {
    // bitnet_b1_58-large, 24 layers of 13 regions of 19 chunks x 308 words
    // of 96 bytes (config.hpp, load_weight.hpp): 175,279,104 bytes a token
    // against 24 x 28,311,552 x 5/3 bits = 141,557,760 packed.
    let m = workloads::zoo::find("bitnet-b1.58-700M").unwrap();
    let t = generate(
        &m,
        &TraceOptions {
            seq: 128,
            ..Default::default()
        },
    )
    .unwrap();
    let array_reads = |a: &sim::Accelerator| {
        let plans = sim::mapping::map_trace(a, &t).unwrap();
        plans
            .iter()
            .zip(&t.ops)
            .filter(|(p, o)| p.unit == sim::mapping::Unit::Array && o.kind == OpKind::Linear)
            .map(|(p, _)| p.dram_bytes().0)
            .sum::<u64>()
    };
    let a = sim::arch::preset("tellme-v2").unwrap();
    assert_eq!(
        a.dram.weight_image,
        Some(WeightImage {
            tile_k: Some(1596),
            tile_n: Some(1536),
            word_bytes: Some(96),
        })
    );
    // packed, a row's last group of 4096 = 1365 x 3 + 1 weights still
    // takes a whole index: down's 96 groups of 16 x 1366 x 5 / 8 = 13,660
    // bytes against 16 x 4096 x 5/24 = 13,653.3, +640 a layer
    assert_eq!(array_reads(&tellme(None)), 141_557_760 + 24 * 640);
    // each group's read is scaled to the image and rounds up: q, k, v, o
    // and down divide evenly (561,792 / 96 = 5852, 1,685,376 / 96 =
    // 17,556 a group); gate and up's 256 groups read
    // ceil(1,685,376 / 256) = 6584 bytes, +128 each: +256 a layer
    assert_eq!(array_reads(&a), 175_279_104 + 24 * 256);
}

fn refused(text: &str) -> sim::arch::ArchError {
    sim::arch::from_toml(text).unwrap_err()
}

#[test]
fn keys_are_checked_by_name_value_and_range() {
    let base = sim::arch::preset_text("tellme-v2").unwrap();
    let cases = [
        (
            "tile_k = 1596",
            "tile_k = 1600",
            "dram.weight_image.tile_k",
            "multiple of 84",
        ),
        (
            "tile_k = 1596",
            "tile_k = 0",
            "dram.weight_image.tile_k",
            "multiple of 84",
        ),
        (
            "tile_n = 1536",
            "tile_n = 0",
            "dram.weight_image.tile_n",
            "from 1 to 1048576",
        ),
        // one output's chunk is 140 bits: at least 18 bytes
        (
            "word_bytes = 96",
            "word_bytes = 17",
            "dram.weight_image.word_bytes",
            "from 18 to 4096",
        ),
        (
            "word_bytes = 96",
            "word_bytes = 4097",
            "dram.weight_image.word_bytes",
            "from 18 to 4096",
        ),
    ];
    for (old, new, key, range) in cases {
        let e = refused(&base.replace(old, new));
        assert_eq!(e.key, key, "{new}");
        assert!(e.message.contains(range), "{}", e.message);
        assert!(e.line > 1, "{e:?}");
    }
    let e = refused(&base.replace("word_bytes = 96", "word_bits = 96"));
    assert!(e.message.contains("word_bits"), "{}", e.message);
    // it round-trips through the written TOML
    let a = sim::arch::preset("tellme-v2").unwrap();
    let back = sim::arch::from_toml(&sim::arch::to_toml(&a)).unwrap();
    assert_eq!(back, a);
    // a systolic array is refused
    let mut s = sim::arch::preset("systolic-ws-32x32").unwrap();
    s.dram.weight_image = Some(WeightImage::default());
    assert_eq!(s.validate().unwrap_err().key, "dram.weight_image");
}
