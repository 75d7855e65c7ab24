//! Memory request traces: Ramulator 2's `LD 0xADDR` / `ST 0xADDR` format
//! (one request per line, decimal or `0x` hexadecimal addresses), and
//! onebit's own request stream, the same lines prefixed by the accelerator
//! cycle at which the simulator issued the request (`1234 LD 0x1f40`).
//! Blank lines and lines starting with `#` are skipped.

/// One request of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceReq {
    /// A store (else a load).
    pub write: bool,
    /// Byte address.
    pub addr: u64,
    /// Issue cycle (accelerator clock), when the trace states it.
    pub at: Option<u64>,
}

/// A trace line that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TraceError {
    /// Line (from 1).
    pub line: usize,
    /// Column (from 1).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

fn parse_num(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

/// Parses a trace; at most `limit` requests (more is an error).
pub fn parse(text: &str, limit: usize) -> Result<Vec<TraceReq>, TraceError> {
    let mut out = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = line.len() - t.len();
        let err = |col: usize, m: String| TraceError {
            line: ln + 1,
            column: col + 1,
            message: m,
        };
        // tokens with their columns
        let mut toks = Vec::new();
        let mut pos = indent;
        for tok in t.split_whitespace() {
            let off = line[pos..].find(tok).map_or(pos, |o| pos + o);
            toks.push((off, tok));
            pos = off + tok.len();
        }
        let (at, op, addr) = match toks.as_slice() {
            [(oc, op), (ac, a)] => (None, (*oc, *op), (*ac, *a)),
            [(cc, c), (oc, op), (ac, a)] => {
                let cycle = c
                    .parse::<u64>()
                    .map_err(|_| err(*cc, format!("`{c}` is not a cycle number")))?;
                (Some(cycle), (*oc, *op), (*ac, *a))
            }
            _ => {
                return Err(err(
                    indent,
                    format!(
                        "expected `LD ADDR`, `ST ADDR` or `CYCLE LD|ST ADDR`, found {} fields",
                        toks.len()
                    ),
                ))
            }
        };
        let write = match op.1 {
            "LD" => false,
            "ST" => true,
            o => {
                return Err(err(
                    op.0,
                    format!("unknown operation `{o}` (expected LD or ST)"),
                ))
            }
        };
        let a = parse_num(addr.1).ok_or_else(|| {
            err(
                addr.0,
                format!("`{}` is not an address (decimal or 0x hexadecimal)", addr.1),
            )
        })?;
        if out.len() == limit {
            return Err(err(
                0,
                format!("the trace has more than {limit} requests (the limit)"),
            ));
        }
        out.push(TraceReq { write, addr: a, at });
    }
    Ok(out)
}

/// Writes requests in the Ramulator format (`at` is ignored).
pub fn write_ramulator(reqs: &[TraceReq], out: &mut String) {
    use std::fmt::Write;
    for r in reqs {
        let op = if r.write { "ST" } else { "LD" };
        let _ = writeln!(out, "{op} 0x{:x}", r.addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let t = "# c\nLD 0x40\nST 128\n\n17 LD 0X80\n";
        let r = parse(t, 10).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            r[0],
            TraceReq {
                write: false,
                addr: 64,
                at: None
            }
        );
        assert!(r[1].write && r[1].addr == 128);
        assert_eq!(r[2].at, Some(17));
        assert_eq!(r[2].addr, 128);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("LD 0x40\n  XX 0x10\n", 10).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let e = parse("LD 0xzz\n", 10).unwrap_err();
        assert_eq!((e.line, e.column), (1, 4));
        let e = parse("LD\n", 10).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse("LD 1\nLD 2\n", 1).is_err());
    }
}
