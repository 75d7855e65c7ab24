//! Checkpoints written by the real writers (gguf-py, safetensors; I2_S by
//! scripts/make-test-checkpoints.py after bitnet.cpp's layout): statistics
//! read back equal the generated ones, shapes come from the metadata,
//! corrupted files are refused with the file, byte and tensor, and mutated
//! headers never panic.

use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use workloads::weights::stats::{measure, LaneGeometry};
use workloads::weights::survey::{survey, ternary};
use workloads::weights::{gguf, st, Checkpoint, WeightsErrorKind as K};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/weights")
        .join(name)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(data("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("json")
}

const FILES: [&str; 4] = [
    "tiny-tq2_0.gguf",
    "tiny-tq1_0.gguf",
    "tiny-i2_s.gguf",
    "tiny-packed/model.safetensors",
];

const G: LaneGeometry = LaneGeometry {
    lanes: 64,
    width: 64,
};

#[test]
fn statistics_read_back_equal_the_generated_ones() {
    let e = expected();
    for f in FILES {
        let ck = Checkpoint::open(&data(f)).unwrap_or_else(|e| panic!("{e}"));
        let names = &e["files"][f]["names"];
        let rows = survey(&ck, G).expect("survey");
        for (short, want) in e["tensors"].as_object().expect("tensors") {
            let suffix = names[short].as_str().expect("name");
            let t = rows
                .iter()
                .find(|r| r.name.contains(&format!(".{suffix}.weight")) && r.stats.is_some())
                .unwrap_or_else(|| panic!("{f}: no {suffix}"));
            let s = t.stats.as_ref().expect("stats");
            let got = (s.zeros, s.plus, s.minus);
            let want_t = (
                want["zeros"].as_u64().expect("z"),
                want["plus"].as_u64().expect("p"),
                want["minus"].as_u64().expect("m"),
            );
            assert_eq!(got, want_t, "{f} {short}");
            let scale = t.scale.expect("scale");
            let ws = want["scale"].as_f64().expect("scale");
            match f {
                // one f32 (I2_S) or the reciprocal of a bf16 weight_scale (packed)
                "tiny-i2_s.gguf" => assert!((scale - ws).abs() < 1e-9, "{f} {short} {scale}"),
                "tiny-packed/model.safetensors" => {
                    let stored = e["files"][f]["scale_of"][short].as_f64().expect("s");
                    assert!((scale - 1.0 / stored).abs() < 1e-12, "{f} {short}");
                    assert!((scale - ws).abs() / ws < 4e-3, "{f} {short}");
                }
                // TQ: the mean of the block scales, each the f16 scale or 0
                // for an all-zero block (the gate layer's sparsest rows)
                _ if short != "gate" => assert!((scale - ws).abs() < 1e-9, "{f} {short}"),
                _ => assert!(scale < ws && scale > 0.9 * ws, "{f} gate {scale}"),
            }
        }
    }
}

#[test]
fn master_weights_are_quantized_by_absmean_on_load() {
    let e = expected();
    let ck = Checkpoint::open(&data("tiny-master/model.safetensors")).expect("open");
    let rows = survey(&ck, G).expect("survey");
    for (short, want) in e["master"].as_object().expect("master") {
        let suffix = e["files"]["tiny-master/model.safetensors"]["names"][short]
            .as_str()
            .expect("name");
        let t = rows
            .iter()
            .find(|r| r.name == format!("model.layers.0.{suffix}.weight"))
            .expect("tensor");
        let s = t.stats.as_ref().expect("stats");
        assert_eq!(t.ternary.as_deref(), Some("absmean on load"));
        assert_eq!(s.zeros, want["zeros"].as_u64().expect("z"), "{short}");
        assert_eq!(s.plus, want["plus"].as_u64().expect("p"), "{short}");
        assert_eq!(s.minus, want["minus"].as_u64().expect("m"), "{short}");
        let g = want["scale"].as_f64().expect("g");
        assert!((t.scale.expect("scale") - g).abs() / g < 1e-12, "{short}");
    }
}

#[test]
fn shapes_come_from_the_metadata_and_config() {
    for f in FILES {
        let ck = Checkpoint::open(&data(f)).expect("open");
        let m = ck.model.as_ref().expect("model shape");
        assert_eq!(
            (m.layers, m.hidden, m.ffn, m.heads, m.kv_heads, m.vocab),
            (1, 256, 256, 4, 1, 32),
            "{f}"
        );
        assert_eq!(m.act, workloads::ActFn::Relu2, "{f}");
    }
    let ck = Checkpoint::open(&data("tiny-i2_s.gguf")).expect("open");
    assert_eq!(ck.format, workloads::weights::Format::Gguf(2));
    let ck = Checkpoint::open(&data("tiny-tq2_0.gguf")).expect("open");
    assert_eq!(ck.format, workloads::weights::Format::Gguf(3));
    // the output head is stored (Q8_0), so the embeddings are not tied
    assert!(!ck.model.as_ref().expect("m").tied_embeddings);
}

#[test]
fn per_row_structure_shows_in_the_densest_lane_and_empty_chunks() {
    // gate: row r has round(r/255 * 256) zeros. Lane group g (rows 64g..64g+63)
    // has its densest lane in row 64g, with 256 - round(64g/255*256) nonzeros.
    let ck = Checkpoint::open(&data("tiny-tq2_0.gguf")).expect("open");
    let t = ck.tensor("blk.0.ffn_gate.weight").expect("gate");
    let s = measure(&ternary(&ck, t).expect("view"), G).expect("stats");
    let densest: u64 = (0..4u64)
        .map(|g| 256 - ((64 * g) as f64 / 255.0 * 256.0).round() as u64)
        .sum();
    assert_eq!(s.densest_lane_nonzeros, densest);
    assert_eq!(s.lane_groups, 4);
    // all-zero chunks exist only in the sparse rows
    assert!(s.chunk_nonzeros[0] > 0);
    let q = ck.tensor("blk.0.attn_q.weight").expect("q");
    let sq = measure(&ternary(&ck, q).expect("view"), G).expect("stats");
    assert_eq!(sq.chunk_nonzeros[0], 0);
}

/// Plain reference statistics straight from the definition.
fn reference(rows: &[Vec<i8>], g: LaneGeometry) -> (Vec<u64>, u64, u64, u64) {
    let (lanes, width) = (g.lanes as usize, g.width as usize);
    let code = |q: i8| -> u8 {
        match q {
            1 => 0b01,
            -1 => 0b11,
            _ => 0,
        }
    };
    let mut hist = vec![0u64; width + 1];
    let (mut toggles, mut bits) = (0u64, 0u64);
    for row in rows {
        let k = row.len();
        let mut c = 0;
        while c * width < k {
            let end = ((c + 1) * width).min(k);
            hist[row[c * width..end].iter().filter(|&&q| q != 0).count()] += 1;
            if c > 0 {
                for p in c * width..end {
                    toggles += u64::from((code(row[p]) ^ code(row[p - width])).count_ones());
                    bits += 2;
                }
            }
            c += 1;
        }
    }
    let densest = rows
        .chunks(lanes)
        .map(|grp| {
            grp.iter()
                .map(|r| r.iter().filter(|&&q| q != 0).count() as u64)
                .max()
                .unwrap_or(0)
        })
        .sum();
    (hist, densest, toggles, bits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The parallel, chunked statistics equal the plain definition for any
    /// lane geometry, on every ternary tensor of the files.
    #[test]
    fn statistics_equal_the_plain_definition(
        lanes in 1u32..80, width in 1u32..100, file in 0usize..4, which in 0usize..7
    ) {
        let ck = Checkpoint::open(&data(FILES[file])).expect("open");
        let tensors: Vec<_> = ck.tensors.iter().filter(|t| t.ttype.is_ternary()).collect();
        let t = tensors[which % tensors.len()];
        let view = ternary(&ck, t).expect("view");
        let g = LaneGeometry { lanes, width };
        let s = measure(&view, g).expect("stats");
        let rows: Vec<Vec<i8>> = (0..view.rows)
            .map(|r| {
                let mut b = vec![0i8; view.cols];
                view.row(r, &mut b).expect("row");
                b
            })
            .collect();
        let (hist, densest, toggles, bits) = reference(&rows, g);
        prop_assert_eq!(&s.chunk_nonzeros, &hist);
        prop_assert_eq!(s.densest_lane_nonzeros, densest);
        prop_assert_eq!((s.toggles, s.toggle_bits), (toggles, bits));
    }
}

// ---------------------------------------------------------------- corrupt

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).expect("read")
}

fn parse_any(bytes: &[u8]) -> Result<(), workloads::weights::WeightsError> {
    let p = Path::new("mem");
    if bytes.starts_with(b"GGUF") {
        let h = gguf::parse(p, bytes)?;
        gguf::model_config(p, &h)?;
        Ok(())
    } else {
        st::parse(p, bytes).map(|_| ())
    }
}

/// The byte offset of a GGUF tensor info's fields: (n_dims, first dim,
/// type, offset), found after the tensor's name.
fn info_fields(bytes: &[u8], name: &str) -> (usize, usize, usize, usize) {
    let mut needle = (name.len() as u64).to_le_bytes().to_vec();
    needle.extend_from_slice(name.as_bytes());
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("name in header")
        + needle.len();
    let n_dims = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4")) as usize;
    let dims = at + 4;
    let ty = dims + 8 * n_dims;
    (at, dims, ty, ty + 4)
}

fn refused(bytes: &[u8]) -> workloads::weights::WeightsError {
    match parse_any(bytes) {
        Ok(()) => panic!("accepted a corrupt file"),
        Err(e) => e,
    }
}

#[test]
fn corrupt_gguf_files_are_refused_with_byte_and_tensor() {
    for f in ["tiny-tq2_0.gguf", "tiny-tq1_0.gguf", "tiny-i2_s.gguf"] {
        let good = read(f);
        let name = "blk.0.attn_k.weight";
        let (_, dims, ty, off) = info_fields(&good, name);

        let mut b = good.clone();
        b[0] = b'X';
        assert_eq!(refused(&b).kind, K::BadMagic, "{f}");

        let mut b = good.clone();
        b[4] = 7;
        let e = refused(&b);
        assert_eq!((e.kind.clone(), e.offset), (K::Version(7), 4), "{f}");

        // truncated inside the header, and inside the data
        let e = refused(&good[..dims + 3]);
        assert!(matches!(e.kind, K::Truncated(_)), "{f}: {e}");
        let e = refused(&good[..good.len() - 100]);
        assert!(matches!(e.kind, K::PastEnd { .. }), "{f}: {e}");
        assert!(e.tensor.is_some(), "{f}: {e}");

        // unknown type
        let mut b = good.clone();
        b[ty..ty + 4].copy_from_slice(&99u32.to_le_bytes());
        let e = refused(&b);
        assert_eq!(e.kind, K::UnknownType("99".into()), "{f}");
        assert_eq!(
            (e.tensor.as_deref(), e.offset),
            (Some(name), ty as u64),
            "{f}"
        );

        // overflowing dimensions
        let mut b = good.clone();
        b[dims..dims + 8].copy_from_slice(&(1u64 << 62).to_le_bytes());
        b[dims + 8..dims + 16].copy_from_slice(&(1u64 << 62).to_le_bytes());
        let e = refused(&b);
        assert!(matches!(e.kind, K::Overflow | K::Shape(_)), "{f}: {e}");
        assert_eq!(e.tensor.as_deref(), Some(name), "{f}");

        // misaligned data
        let mut b = good.clone();
        let o = u64::from_le_bytes(b[off..off + 8].try_into().expect("8"));
        b[off..off + 8].copy_from_slice(&(o + 3).to_le_bytes());
        let e = refused(&b);
        assert_eq!(e.kind, K::Misaligned { alignment: 32 }, "{f}");

        // data past the end
        let mut b = good.clone();
        b[off..off + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
        let e = refused(&b);
        assert!(matches!(e.kind, K::PastEnd { .. }), "{f}: {e}");
        assert!(e.to_string().contains(name), "{e}");
    }
}

#[test]
fn corrupt_safetensors_files_are_refused() {
    let good = read("tiny-packed/model.safetensors");
    let e = refused(&good[..good.len() - 10]);
    assert!(matches!(e.kind, K::PastEnd { .. }), "{e}");
    assert!(e.tensor.is_some(), "{e}");
    let e = refused(&good[..5]);
    assert_eq!(e.kind, K::BadMagic);
    let mut b = good.clone();
    b[..8].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    assert_eq!(refused(&b).kind, K::BadMagic);
    // a packed tensor's dtype changed to I8 is unknown
    let mut b = good.clone();
    let hlen = u64::from_le_bytes(b[..8].try_into().expect("8")) as usize;
    let header = String::from_utf8(b[8..8 + hlen].to_vec()).expect("utf8");
    let changed = header.replacen("\"U8\"", "\"I8\"", 1);
    b[8..8 + hlen].copy_from_slice(changed.as_bytes());
    let e = refused(&b);
    assert!(matches!(e.kind, K::UnknownType(_)), "{e}");
}

#[test]
fn a_bad_ternary_code_is_refused_when_read() {
    // I2_S code 3 (0b11) in the first byte of attn_q's data
    let good = read("tiny-i2_s.gguf");
    let h = gguf::parse(Path::new("mem"), &good).expect("parse");
    let t = h
        .tensors
        .iter()
        .find(|t| t.name == "blk.0.attn_q.weight")
        .expect("q");
    let mut b = good.clone();
    b[t.offset as usize] = 0xff;
    let dir = std::env::temp_dir().join(format!("onebit-badcode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let p = dir.join("bad.gguf");
    std::fs::write(&p, &b).expect("write");
    let ck = Checkpoint::open(&p).expect("header is fine");
    let e = survey(&ck, G).expect_err("bad code");
    assert_eq!(e.offset, t.offset);
    assert_eq!(e.tensor.as_deref(), Some("blk.0.attn_q.weight"));
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Mutated headers (bytes overwritten, truncations) are refused or
    /// accepted, never a panic; accepted ones stay inside the file.
    #[test]
    fn mutated_headers_never_panic(
        file in 0usize..4,
        edits in proptest::collection::vec((0usize..1200, any::<u8>()), 1..8),
        cut in proptest::option::of(0usize..1400),
    ) {
        let mut b = read(FILES[file]);
        for (at, v) in edits {
            if at < b.len() {
                b[at] = v;
            }
        }
        if let Some(c) = cut {
            b.truncate(c.min(b.len()));
        }
        let p = Path::new("mem");
        let tensors = if b.starts_with(b"GGUF") {
            gguf::parse(p, &b).ok().map(|h| h.tensors)
        } else {
            st::parse(p, &b).ok()
        };
        for t in tensors.into_iter().flatten() {
            prop_assert!(t.offset + t.nbytes <= b.len() as u64);
            // and decoding what was accepted stays in bounds
            if let Ok(v) = workloads::weights::decode::TernaryTensor::new(&t, &b[t.offset as usize..(t.offset + t.nbytes) as usize]) {
                let mut row = vec![0i8; v.cols];
                for r in 0..v.rows.min(4) {
                    let _ = v.row(r, &mut row);
                }
            }
        }
    }
}
