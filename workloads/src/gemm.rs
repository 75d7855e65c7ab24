//! GEMM workloads from a SCALE-Sim topology file (`Layer, M, N, K,` rows,
//! each the product of an M x K matrix by a K x N matrix), as a trace of
//! independent `linear` operators.

use crate::op::{Op, OpKind};
use crate::precision::Precision;
use crate::trace::{Phase, Trace, TraceMeta};

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

/// Reads a SCALE-Sim GEMM topology: a header line, then `name, M, N, K`
/// rows (a trailing comma is allowed). Operands are `a` activations and
/// `w` weights; every operator is independent of the others.
pub fn parse_topology(
    model: &str,
    text: &str,
    a: Precision,
    w: Precision,
) -> Result<Trace, GemmError> {
    let mut ops = Vec::new();
    let mut saw_header = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if !saw_header {
            saw_header = true;
            continue;
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
        if ops.iter().any(|o: &Op| o.name == name) {
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
            wbytes: w.bytes_for(k * n),
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
}
