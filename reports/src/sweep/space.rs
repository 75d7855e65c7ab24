//! The design space of a sweep: a TOML file naming a base design, the keys
//! to vary (any key of the accelerator description, dotted) with their
//! values, and the budgets a point must meet (docs/sweeps.md).
//!
//! ```toml
//! base = "edge-ternary"          # a preset, or a TOML file beside this one
//!
//! [constraints]
//! max_area_mm2 = 0.5             # refuse larger designs
//! max_power_w = 3.0              # refuse designs above this average power
//!
//! [grid]
//! array.lanes = [16, 32, 64, 128]                      # a list
//! array.width = { from = 16, to = 256, times = 2 }     # 16, 32, ..., 256
//! dram.bandwidth_gbps = { from = 25.6, to = 102.4, step = 25.6 }
//! array.zeros = "skip"                                 # one value: fixed
//! ```
//!
//! Points are numbered in grid order: the first key varies slowest, the
//! last fastest (as nested loops in the order of the file).

use serde::Serialize;
use toml_edit::{ImDocument, TableLike, Value};

/// A space file that does not parse, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct SpaceError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// A scalar value of an accelerator key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    /// An integer.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
}

impl Scalar {
    /// As TOML.
    pub fn to_toml(&self) -> toml::Value {
        match self {
            Scalar::Int(v) => toml::Value::Integer(*v),
            Scalar::Float(v) => toml::Value::Float(*v),
            Scalar::Bool(v) => toml::Value::Boolean(*v),
            Scalar::Str(v) => toml::Value::String(v.clone()),
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Scalar::Int(v) => serde_json::Value::from(*v),
            Scalar::Float(v) => serde_json::Value::from(*v),
            Scalar::Bool(v) => serde_json::Value::from(*v),
            Scalar::Str(v) => serde_json::Value::from(v.clone()),
        }
    }

    /// As written in a CSV cell or a table.
    pub fn text(&self) -> String {
        match self {
            Scalar::Int(v) => v.to_string(),
            Scalar::Float(v) => format!("{v}"),
            Scalar::Bool(v) => v.to_string(),
            Scalar::Str(v) => v.clone(),
        }
    }
}

/// One varied key and its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// Dotted key of the accelerator description (`array.lanes`).
    pub key: String,
    /// Its values, in order.
    pub values: Vec<Scalar>,
}

/// Budgets every point must meet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Constraints {
    /// Largest area, mm².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_area_mm2: Option<f64>,
    /// Largest average power over the step, W.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_power_w: Option<f64>,
    /// Fewest tokens per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tokens_per_s: Option<f64>,
}

/// A parsed space file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Space {
    /// The base design as written: a preset name or a file path.
    pub base: String,
    /// Keys set to one value for every point.
    pub fixed: Vec<Axis>,
    /// Keys varied, in grid order (the first varies slowest).
    pub axes: Vec<Axis>,
    /// Budgets.
    pub constraints: Constraints,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn err(text: &str, span: Option<std::ops::Range<usize>>, message: String) -> SpaceError {
    let (line, col) = span.map_or((1, 1), |s| line_col(text, s.start));
    SpaceError { line, col, message }
}

fn scalar(v: &Value) -> Option<Scalar> {
    match v {
        Value::Integer(i) => Some(Scalar::Int(*i.value())),
        Value::Float(f) => Some(Scalar::Float(*f.value())),
        Value::Boolean(b) => Some(Scalar::Bool(*b.value())),
        Value::String(s) => Some(Scalar::Str(s.value().clone())),
        _ => None,
    }
}

/// Most values one key may take (a guard against a typo'd range).
pub const MAX_VALUES: usize = 100_000;

fn range(
    text: &str,
    key: &str,
    t: &dyn TableLike,
    span: Option<std::ops::Range<usize>>,
) -> Result<Vec<Scalar>, SpaceError> {
    let mut from = None;
    let mut to = None;
    let mut step = None;
    let mut times = None;
    for (k, item) in t.iter() {
        let v = item.as_value().and_then(scalar);
        let slot = match k {
            "from" => &mut from,
            "to" => &mut to,
            "step" => &mut step,
            "times" => &mut times,
            other => {
                return Err(err(
                    text,
                    span,
                    format!(
                    "`{key}`: a range takes `from`, `to` and `step` or `times`, found `{other}`"
                ),
                ))
            }
        };
        match v {
            Some(s @ (Scalar::Int(_) | Scalar::Float(_))) => *slot = Some(s),
            _ => return Err(err(text, span, format!("`{key}.{k}` must be a number"))),
        }
    }
    let num = |s: &Option<Scalar>| match s {
        Some(Scalar::Int(i)) => Some(*i as f64),
        Some(Scalar::Float(f)) => Some(*f),
        _ => None,
    };
    let (Some(a), Some(b)) = (num(&from), num(&to)) else {
        return Err(err(
            text,
            span,
            format!("`{key}`: a range needs `from` and `to`"),
        ));
    };
    let ints = [&from, &to, &step, &times]
        .iter()
        .all(|s| !matches!(s, Some(Scalar::Float(_))));
    let mut out = Vec::new();
    match (num(&step), num(&times)) {
        (Some(s), None) if s > 0.0 => {
            let mut i = 0u64;
            loop {
                let v = a + s * i as f64;
                if v > b + s * 1e-9 || out.len() > MAX_VALUES {
                    break;
                }
                out.push(v);
                i += 1;
            }
        }
        (None, Some(m)) if m > 1.0 && a > 0.0 => {
            let mut v = a;
            while v <= b * (1.0 + 1e-9) && out.len() <= MAX_VALUES {
                out.push(v);
                v *= m;
            }
        }
        _ => {
            return Err(err(
                text,
                span,
                format!(
                    "`{key}`: a range needs either `step` > 0 or `times` > 1 (with `from` > 0)"
                ),
            ))
        }
    }
    if out.len() > MAX_VALUES {
        return Err(err(
            text,
            span,
            format!("`{key}`: more than {MAX_VALUES} values"),
        ));
    }
    if out.is_empty() {
        return Err(err(
            text,
            span,
            format!(
                "`{key}`: the range from {} to {} holds no value (`from` must not be above `to`)",
                Scalar::Float(a).text(),
                Scalar::Float(b).text()
            ),
        ));
    }
    Ok(out
        .into_iter()
        .map(|v| {
            if ints {
                Scalar::Int(v.round() as i64)
            } else {
                Scalar::Float(v)
            }
        })
        .collect())
}

fn is_range(t: &dyn TableLike) -> bool {
    t.iter()
        .all(|(k, _)| matches!(k, "from" | "to" | "step" | "times"))
        && t.iter().next().is_some()
}

fn walk(
    text: &str,
    prefix: &str,
    t: &dyn TableLike,
    fixed: &mut Vec<Axis>,
    axes: &mut Vec<Axis>,
) -> Result<(), SpaceError> {
    for (k, item) in t.iter() {
        let key = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        let span = item.span();
        if let Some(tl) = item.as_table_like() {
            if is_range(tl) {
                axes.push(Axis {
                    values: range(text, &key, tl, span)?,
                    key,
                });
            } else {
                walk(text, &key, tl, fixed, axes)?;
            }
            continue;
        }
        let Some(v) = item.as_value() else {
            return Err(err(
                text,
                span,
                format!("`{key}`: expected a value, a list or a range"),
            ));
        };
        if let Some(arr) = v.as_array() {
            let mut values = Vec::new();
            for x in arr.iter() {
                let s = scalar(x).ok_or_else(|| {
                    err(
                        text,
                        x.span().or(span.clone()),
                        format!("`{key}`: list items must be numbers, strings or booleans"),
                    )
                })?;
                if values.contains(&s) {
                    return Err(err(
                        text,
                        x.span().or(span.clone()),
                        format!("`{key}`: {} is listed twice", s.text()),
                    ));
                }
                values.push(s);
            }
            if values.is_empty() {
                return Err(err(text, span, format!("`{key}`: the list is empty")));
            }
            axes.push(Axis { key, values });
        } else {
            let s = scalar(v).ok_or_else(|| {
                err(
                    text,
                    span.clone(),
                    format!("`{key}`: expected a value, a list or a range"),
                )
            })?;
            fixed.push(Axis {
                key,
                values: vec![s],
            });
        }
    }
    Ok(())
}

impl Space {
    /// Parses a space file.
    pub fn parse(text: &str) -> Result<Space, SpaceError> {
        let doc = ImDocument::parse(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            SpaceError {
                line,
                col,
                message: sim::arch::toml_message(e.message(), e.span().map(|s| s.start), text),
            }
        })?;
        let root = doc.as_table();
        let mut base = None;
        let mut fixed = Vec::new();
        let mut axes = Vec::new();
        let mut constraints = Constraints::default();
        for (k, item) in root.iter() {
            let span = item.span();
            match k {
                "base" => {
                    base = Some(
                        item.as_str()
                            .ok_or_else(|| err(text, span, "`base` must be a preset name or a file path (a string)".into()))?
                            .to_string(),
                    )
                }
                "constraints" => {
                    let t = item
                        .as_table_like()
                        .ok_or_else(|| err(text, span.clone(), "`constraints` must be a table".into()))?;
                    for (ck, ci) in t.iter() {
                        let v = ci.as_value().and_then(scalar);
                        let v = match v {
                            Some(Scalar::Int(i)) => i as f64,
                            Some(Scalar::Float(f)) => f,
                            _ => {
                                return Err(err(text, ci.span(), format!("`constraints.{ck}` must be a number")))
                            }
                        };
                        if !(v > 0.0 && v.is_finite()) {
                            return Err(err(text, ci.span(), format!("`constraints.{ck}` must be greater than 0")));
                        }
                        match ck {
                            "max_area_mm2" => constraints.max_area_mm2 = Some(v),
                            "max_power_w" => constraints.max_power_w = Some(v),
                            "min_tokens_per_s" => constraints.min_tokens_per_s = Some(v),
                            other => {
                                return Err(err(
                                    text,
                                    ci.span(),
                                    format!("unknown constraint `{other}`; the constraints are max_area_mm2, max_power_w, min_tokens_per_s"),
                                ))
                            }
                        }
                    }
                }
                "grid" => {
                    let t = item
                        .as_table_like()
                        .ok_or_else(|| err(text, span.clone(), "`grid` must be a table of keys and values".into()))?;
                    walk(text, "", t, &mut fixed, &mut axes)?;
                }
                other => {
                    return Err(err(
                        text,
                        span,
                        format!("unknown key `{other}`; a space file has `base`, [constraints] and [grid] (docs/sweeps.md)"),
                    ))
                }
            }
        }
        let base = base.ok_or_else(|| {
            err(
                text,
                None,
                "missing `base`: a preset name or an accelerator TOML file".into(),
            )
        })?;
        if axes.is_empty() {
            return Err(err(
                text,
                None,
                "[grid] varies no key: give at least one key a list or a range of values".into(),
            ));
        }
        for (i, a) in axes.iter().chain(&fixed).enumerate() {
            if axes
                .iter()
                .chain(&fixed)
                .skip(i + 1)
                .any(|b| b.key == a.key)
            {
                return Err(err(text, None, format!("`{}` is set twice", a.key)));
            }
        }
        Ok(Space {
            base,
            fixed,
            axes,
            constraints,
        })
    }

    /// Points of the full grid, or `None` above 2^63.
    pub fn grid_size(&self) -> Option<u64> {
        self.axes
            .iter()
            .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64))
            .filter(|n| *n < 1 << 63)
    }

    /// The values of grid point `index` (the last axis varies fastest).
    pub fn point(&self, index: u64) -> Vec<(&str, &Scalar)> {
        let mut rest = index;
        let mut out: Vec<(&str, &Scalar)> = Vec::with_capacity(self.axes.len());
        for a in self.axes.iter().rev() {
            let n = a.values.len() as u64;
            out.push((&a.key, &a.values[(rest % n) as usize]));
            rest /= n;
        }
        out.reverse();
        out
    }
}

/// The splitmix64 generator: small, fast, and the same on every platform
/// and version, so a seed always picks the same sample.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..=n` (modulo reduction: the bias is below 2^-40 for
    /// any grid this tool can sweep).
    pub fn up_to(&mut self, n: u64) -> u64 {
        if n == u64::MAX {
            self.next_u64()
        } else {
            self.next_u64() % (n + 1)
        }
    }
}

/// `k` distinct grid indices out of `n`, sorted, chosen with seed `seed`
/// (Floyd's algorithm); all of them when `k >= n`.
pub fn sample(n: u64, k: u64, seed: u64) -> Vec<u64> {
    if k >= n {
        return (0..n).collect();
    }
    let mut rng = SplitMix64::new(seed);
    let mut set = std::collections::BTreeSet::new();
    for j in (n - k)..n {
        let t = rng.up_to(j);
        if !set.insert(t) {
            set.insert(j);
        }
    }
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACE: &str = r#"
base = "edge-ternary"

[constraints]
max_area_mm2 = 0.5

[grid]
array.lanes = [16, 32, 64]
array.width = { from = 16, to = 64, times = 2 }
dram.bandwidth_gbps = { from = 25.6, to = 76.8, step = 25.6 }
array.zeros = "skip"
"#;

    #[test]
    fn parses_lists_ranges_and_fixed_keys() {
        let s = Space::parse(SPACE).unwrap();
        assert_eq!(s.base, "edge-ternary");
        assert_eq!(s.constraints.max_area_mm2, Some(0.5));
        let keys: Vec<&str> = s.axes.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["array.lanes", "array.width", "dram.bandwidth_gbps"]);
        assert_eq!(
            s.axes[1].values,
            vec![Scalar::Int(16), Scalar::Int(32), Scalar::Int(64)]
        );
        assert_eq!(s.axes[2].values.len(), 3);
        assert_eq!(s.fixed[0].key, "array.zeros");
        assert_eq!(s.grid_size(), Some(27));
        // last axis fastest
        let p = s.point(1);
        assert_eq!(p[0].1, &Scalar::Int(16));
        assert_eq!(p[2].1, &s.axes[2].values[1]);
        let p = s.point(26);
        assert_eq!(p[0].1, &Scalar::Int(64));
    }

    #[test]
    fn errors_name_the_key_and_position() {
        let e = Space::parse("base = \"x\"\n[grid]\narray.lanes = []\n").unwrap_err();
        assert_eq!((e.line, e.message.contains("`array.lanes`")), (3, true));
        let e = Space::parse("base = \"x\"\n[grid]\na = { from = 1, to = 2 }\n").unwrap_err();
        assert!(e.message.contains("step"), "{e}");
        let e = Space::parse("base = \"x\"\n[constraints]\nmax_area = 1\n[grid]\na = [1]\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        let e = Space::parse("[grid]\na = [1, 2]\n").unwrap_err();
        assert!(e.message.contains("base"), "{e}");
    }

    #[test]
    fn samples_are_distinct_sorted_and_seeded() {
        let a = sample(1000, 50, 7);
        assert_eq!(a.len(), 50);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, sample(1000, 50, 7));
        assert_ne!(a, sample(1000, 50, 8));
        assert_eq!(sample(5, 10, 1), vec![0, 1, 2, 3, 4]);
    }
}
