//! GEMM workloads from a SCALE-Sim topology file (`Layer, M, N, K,` rows,
//! each the product of an M x K matrix by a K x N matrix), as a trace of
//! independent `linear` operators.

use crate::count::Count;
use crate::limits::{name_too_long, MAX_NAME_BYTES};
use crate::op::{Op, OpKind};
use crate::precision::Precision;
use crate::trace::{Phase, Trace, TraceMeta};
use std::collections::HashSet;

/// A malformed topology file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct GemmError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads a SCALE-Sim GEMM topology: an optional header line, then
/// `name, M, N, K` rows (a trailing comma is allowed). The first non-blank
/// line is the header unless its M, N and K fields are integers, in which
/// case it is the first row (a file without a header loses no row).
/// Layer names are at most [`MAX_NAME_BYTES`] bytes; every M x N x K
/// product (the layer's multiply-accumulates) is below 2^64. Parsing is
/// linear in the input. Operands are `a` activations and `w` weights;
/// every operator is independent of the others.
pub fn parse_topology(
    model: &str,
    text: &str,
    a: Precision,
    w: Precision,
) -> Result<Trace, GemmError> {
    let mut ops = Vec::new();
    let mut names: HashSet<&str> = HashSet::new();
    let mut saw_header = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if !saw_header {
            saw_header = true;
            let looks_like_data = {
                let f: Vec<&str> = raw.split(',').map(str::trim).collect();
                f.len() >= 4 && f[1..4].iter().all(|v| v.parse::<u64>().is_ok())
            };
            if !looks_like_data {
                continue;
            }
        }
        let mut fields: Vec<(usize, &str)> = Vec::new();
        let mut col = 1;
        for f in raw.split(',') {
            fields.push((col, f));
            col += f.chars().count() + 1;
        }
        if fields.last().is_some_and(|(_, f)| f.trim().is_empty()) {
            fields.pop();
        }
        if fields.len() != 4 {
            return Err(GemmError {
                line,
                col: 1,
                message: format!("expected 4 fields `name, M, N, K`, found {}", fields.len()),
            });
        }
        let name = fields[0].1.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-/:".contains(c))
        {
            return Err(GemmError {
                line,
                col: fields[0].0,
                message: format!(
                    "expected a layer name of letters, digits and _.-/:, found `{name}`"
                ),
            });
        }
        if let Some(found) = name_too_long(name) {
            return Err(GemmError {
                line,
                col: fields[0].0,
                message: format!(
                    "expected a layer name of at most {MAX_NAME_BYTES} bytes, found {found}"
                ),
            });
        }
        if !names.insert(name) {
            return Err(GemmError {
                line,
                col: fields[0].0,
                message: format!("layer name `{name}` is used twice"),
            });
        }
        let mut dims = [0u64; 3];
        for (d, (c, f)) in dims.iter_mut().zip(&fields[1..]) {
            let v = f.trim();
            *d = match v.parse::<u64>() {
                Ok(n) if (1..=1 << 24).contains(&n) => n,
                _ => {
                    let lead = f.len() - f.trim_start().len();
                    return Err(GemmError {
                        line,
                        col: c + lead,
                        message: format!("expected an integer from 1 to 16777216, found `{v}`"),
                    });
                }
            };
        }
        let [m, n, k] = dims;
        let macs = Count::new(m) * n * k;
        let wsize = w.bytes_of(Count::new(k) * n);
        if macs.value().is_none() || wsize.value().is_none() {
            return Err(GemmError {
                line,
                col: fields[1].0,
                message: format!(
                    "layer `{name}`: M x N x K = {m} x {n} x {k} = {} multiply-accumulates, \
                     above the limit of 2^64 - 1 (18446744073709551615)",
                    u128::from(m) * u128::from(n) * u128::from(k)
                ),
            });
        }
        ops.push(Op {
            name: name.to_string(),
            kind: OpKind::Linear,
            layer: None,
            inputs: vec![],
            g: 1,
            m,
            k,
            n,
            a,
            w: Some(w),
            out: Precision::INT32,
            wbytes: wsize.value().unwrap_or(0),
            zeros: Some(0.0),
            mask: crate::Mask::Full,
        });
    }
    if ops.is_empty() {
        return Err(GemmError {
            line: 1,
            col: 1,
            message: "expected a header line and at least one `name, M, N, K` row".into(),
        });
    }
    Ok(Trace {
        meta: TraceMeta {
            model: model.to_string(),
            phase: Phase::Prefill,
            batch: 1,
            seq: 1,
            ..TraceMeta::default()
        },
        ops,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scalesim_rows() {
        let t = parse_topology(
            "g",
            "Layer, M, N, K,\nfc1, 4, 33, 65,\n\nfc2,1,64,64\n",
            Precision::INT8,
            Precision::INT8,
        )
        .unwrap();
        assert_eq!(t.ops.len(), 2);
        assert_eq!((t.ops[0].m, t.ops[0].n, t.ops[0].k), (4, 33, 65));
        assert_eq!(t.ops[1].wbytes, 64 * 64);
    }

    #[test]
    fn errors_point_at_the_field() {
        let e = parse_topology(
            "g",
            "h\nfc1, 4, x3, 65,\n",
            Precision::INT8,
            Precision::INT8,
        )
        .unwrap_err();
        assert_eq!((e.line, e.col), (2, 9));
        let e =
            parse_topology("g", "h\nfc1, 4, 3\n", Precision::INT8, Precision::INT8).unwrap_err();
        assert_eq!((e.line, e.col), (2, 1));
        assert!(parse_topology("g", "h\n", Precision::INT8, Precision::INT8).is_err());
    }

    #[test]
    fn a_file_without_header_keeps_its_first_row() {
        let t = parse_topology(
            "g",
            "fc1, 4, 33, 65\nfc2, 1, 2, 3\n",
            Precision::INT8,
            Precision::INT8,
        )
        .unwrap();
        assert_eq!(t.ops.len(), 2);
        assert_eq!(t.ops[0].name, "fc1");
    }

    #[test]
    fn products_past_2_64_are_refused_naming_the_layer() {
        // M = N = K = 2^24: 2^72 multiply-accumulates
        let e = parse_topology(
            "g",
            "Layer, M, N, K,\nbig, 16777216, 16777216, 16777216,\n",
            Precision::INT8,
            Precision::Ternary,
        )
        .unwrap_err();
        assert_eq!((e.line, e.col), (2, 5));
        assert!(e.message.contains("layer `big`"), "{e}");
        assert!(
            e.message
                .contains("4722366482869645213696 multiply-accumulates"),
            "{e}"
        );
        // 2^24 x 2^24 x 2^15 = 2^63 fits and is exact
        let t = parse_topology(
            "g",
            "h\nok, 16777216, 16777216, 32768,\n",
            Precision::INT8,
            Precision::Ternary,
        )
        .unwrap();
        assert_eq!(t.macs(), 1u128 << 63);
    }

    #[test]
    fn long_names_are_refused_and_parsing_is_linear() {
        let long = "x".repeat(300);
        let e = parse_topology(
            "g",
            &format!("h\n{long}, 1, 1, 1\n"),
            Precision::INT8,
            Precision::INT8,
        )
        .unwrap_err();
        assert!(e.message.contains("at most 256 bytes"), "{e}");
        let mut text = String::from("Layer, M, N, K,\n");
        for i in 0..100_000 {
            text.push_str(&format!("l{i}, 1, 64, 64,\n"));
        }
        let t = parse_topology("g", &text, Precision::INT8, Precision::INT8).unwrap();
        assert_eq!(t.ops.len(), 100_000);
    }
}
