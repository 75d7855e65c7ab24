//! Parser of the text trace format, versions 1 and 2. The format is described for
//! users in `docs/trace-format.md`; this module implements exactly that.
//!
//! The text is read line by line. Each line is split into tokens with nom
//! combinators (tokens are separated by spaces or tabs, `#` starts a
//! comment); tokens are then read as a header, a `meta` line or an operator
//! line. Every error carries the 1-based line and column (in characters) of
//! the offending token. The parser never panics, whatever the input.

use super::{Phase, Trace, TraceMeta, TRACE_VERSION, TRACE_VERSION_MIN};
use crate::attention::Mask;
use crate::limits::{name_too_long, MAX_NAME_BYTES};
use crate::model::ActFn;
use crate::op::{Op, OpKind, OP_KIND_NAMES};
use crate::precision::{Precision, PRECISION_NAMES};
use nom::bytes::complete::{take_till1, take_while1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::{all_consuming, opt, rest};
use nom::multi::many0;
use nom::number::complete::recognize_float;
use nom::sequence::{preceded, separated_pair, terminated};
use nom::{IResult, Offset, Parser};
use std::collections::HashMap;

/// A trace that does not follow the format: where, what was expected there
/// and what was found instead.
///
/// Displays as `{line}:{col}: expected {expected}, found {found}`; the
/// command line prepends the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: expected {expected}, found {found}")]
pub struct TraceParseError {
    /// Line number, from 1.
    pub line: usize,
    /// Column in characters (not bytes), from 1.
    pub col: usize,
    /// What the format allows at this place.
    pub expected: String,
    /// What the text has there: a quoted token such as "`foo`",
    /// "end of line", "end of file", or a description.
    pub found: String,
}

/// The keyword of the header line.
const HEADER_KEYWORD: &str = "onebit-trace";

/// Keys of an operator line, in the order the writer emits them.
const OP_KEYS: &str = "layer, in, fn, g, m, k, n, a, w, o, wbytes, zeros, mask";

/// Keys of the `meta` line.
const META_KEYS: &str = "model, phase, batch, seq, draft, tied";

/// Activation function names accepted by `fn=`.
const ACT_FN_NAMES: &str = "silu, relu2, gelu";

/// Longest token (in characters) quoted in an error message.
const MAX_QUOTED_CHARS: usize = 40;

/// Parses a trace in the text format (versions [`TRACE_VERSION_MIN`] to
/// [`TRACE_VERSION`]; version 1 has no `mask` attribute).
///
/// Returns the first error, with its line and column.
pub fn parse(text: &str) -> Result<Trace, TraceParseError> {
    // A UTF-8 byte-order mark is invisible in editors: skip it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut state = State::default();
    let mut line_count = 0;
    let mut last_line = "";
    for (index, raw) in text.split('\n').enumerate() {
        let content = raw.strip_suffix('\r').unwrap_or(raw);
        line_count = index + 1;
        last_line = content;
        let line = Line {
            text: content,
            number: index + 1,
        };
        let tokens = line.tokens()?;
        if tokens.is_empty() {
            continue;
        }
        if !state.header {
            parse_header(&line, &tokens)?;
            state.header = true;
        } else if tokens[0] == "meta" {
            parse_meta(&line, &tokens, &mut state)?;
        } else {
            let op = parse_op(&line, &tokens, &state)?;
            // `parse_op` has checked that the name token is there.
            if let Some(&name) = tokens.get(1) {
                state.names.insert(name, line.number);
            }
            state.ops.push(op);
        }
    }
    if !state.header {
        return Err(TraceParseError {
            line: line_count.max(1),
            col: last_line.chars().count() + 1,
            expected: format!("the header `{HEADER_KEYWORD} {TRACE_VERSION}`"),
            found: "end of file".into(),
        });
    }
    Ok(Trace {
        meta: state.meta.unwrap_or_default(),
        ops: state.ops,
    })
}

/// What has been read so far.
#[derive(Default)]
struct State<'a> {
    header: bool,
    meta: Option<TraceMeta>,
    ops: Vec<Op>,
    /// Operator names defined so far, with the line that defined them.
    names: HashMap<&'a str, usize>,
}

/// One line of text (without its line ending), for error positions.
struct Line<'a> {
    text: &'a str,
    number: usize,
}

impl<'a> Line<'a> {
    /// The line's tokens: maximal runs of characters other than space, tab
    /// and `#`, up to the comment.
    fn tokens(&self) -> Result<Vec<&'a str>, TraceParseError> {
        match line_tokens(self.text) {
            Ok((_, tokens)) => Ok(tokens),
            // Unreachable: the tokenizer accepts every line. Report rather
            // than panic.
            Err(_) => Err(self.error_at(self.text, "a line of tokens", quote(self.text))),
        }
    }

    /// 1-based character column of `part`, a slice of this line.
    fn col(&self, part: &str) -> usize {
        let start = part.as_ptr() as usize;
        let base = self.text.as_ptr() as usize;
        let offset = if start >= base && start <= base + self.text.len() {
            self.text.offset(part)
        } else {
            0
        };
        self.text
            .get(..offset)
            .map_or(0, |before| before.chars().count())
            + 1
    }

    /// An error at `part`, a slice of this line.
    fn error_at(
        &self,
        part: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> TraceParseError {
        TraceParseError {
            line: self.number,
            col: self.col(part),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// An error just after the last token of the line.
    fn error_at_end(&self, tokens: &[&'a str], expected: impl Into<String>) -> TraceParseError {
        let col = match tokens.last() {
            Some(last) => self.col(last) + last.chars().count(),
            None => 1,
        };
        TraceParseError {
            line: self.number,
            col,
            expected: expected.into(),
            found: "end of line".into(),
        }
    }
}

type Res<'a, T> = IResult<&'a str, T>;

/// A token: one or more characters other than space, tab and `#`.
fn token(input: &str) -> Res<'_, &str> {
    take_till1(|c: char| c == ' ' || c == '\t' || c == '#').parse(input)
}

/// A comment: `#` to the end of the line.
fn comment(input: &str) -> Res<'_, &str> {
    preceded(char('#'), rest).parse(input)
}

/// All tokens of a line, then optional blanks and an optional comment.
fn line_tokens(input: &str) -> Res<'_, Vec<&str>> {
    all_consuming(terminated(
        many0(preceded(space0, token)),
        (space0, opt(comment)),
    ))
    .parse(input)
}

/// `key=value`: a non-empty key, `=`, and the rest of the token (possibly
/// empty, which the value readers refuse).
fn key_value(input: &str) -> Res<'_, (&str, &str)> {
    all_consuming(separated_pair(
        take_till1(|c: char| c == '='),
        char('='),
        rest,
    ))
    .parse(input)
}

/// An operator name: one or more of `A-Z a-z 0-9 _ . : / -`.
fn op_name(input: &str) -> Res<'_, &str> {
    all_consuming(take_while1(|c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-')
    }))
    .parse(input)
}

/// True if `c` may appear in the model name of the `meta` line. The writer
/// replaces every other character with `_`.
pub(crate) fn is_model_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || c == '#')
}

/// Why a number was refused.
enum NumError {
    /// Not a number of the expected form.
    Syntax,
    /// All digits, but beyond the type's range.
    TooLarge,
}

/// An unsigned decimal integer of ASCII digits.
fn read_u64(value: &str) -> Result<u64, NumError> {
    match all_consuming(digit1::<&str, nom::error::Error<&str>>).parse(value) {
        Ok((_, digits)) => digits.parse::<u64>().map_err(|_| NumError::TooLarge),
        Err(_) => Err(NumError::Syntax),
    }
}

/// A decimal floating-point number (`0.31`, `1`, `1e-3`, `.5`).
fn read_f64(value: &str) -> Option<f64> {
    all_consuming(recognize_float::<&str, nom::error::Error<&str>>)
        .parse(value)
        .ok()
        .and_then(|(_, number)| number.parse::<f64>().ok())
}

/// `s` in backticks for an error message, shortened if long, with control
/// characters escaped.
fn quote(s: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in s.chars().enumerate() {
        if i == MAX_QUOTED_CHARS {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else if is_invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// Format characters that print as nothing (byte-order mark, zero-width
/// spaces and joiners, direction marks): shown escaped in messages.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{00ad}')
}

/// A value for an error message: quoted, or "an empty value".
fn quote_value(value: &str) -> String {
    if value.is_empty() {
        "an empty value".into()
    } else {
        quote(value)
    }
}

/// `onebit-trace <version>`.
fn parse_header(line: &Line<'_>, tokens: &[&str]) -> Result<(), TraceParseError> {
    let header = format!("the header `{HEADER_KEYWORD} {TRACE_VERSION}`");
    if tokens[0].starts_with('\u{feff}') {
        return Err(line.error_at(
            tokens[0],
            format!("{header} (a byte-order mark is skipped only as the file's first character)"),
            "a byte-order mark (U+FEFF) before the header",
        ));
    }
    if tokens[0] != HEADER_KEYWORD {
        return Err(line.error_at(tokens[0], header, quote(tokens[0])));
    }
    let Some(&version) = tokens.get(1) else {
        return Err(line.error_at_end(
            tokens,
            format!("a trace version number (`{HEADER_KEYWORD} {TRACE_VERSION}`)"),
        ));
    };
    match read_u64(version) {
        Ok(v) if (u64::from(TRACE_VERSION_MIN)..=u64::from(TRACE_VERSION)).contains(&v) => {}
        Ok(_) | Err(NumError::TooLarge) => {
            return Err(line.error_at(
                version,
                format!("trace version {TRACE_VERSION_MIN} to {TRACE_VERSION}"),
                format!(
                    "unsupported trace version {version} (this build reads {TRACE_VERSION_MIN} to {TRACE_VERSION})"
                ),
            ));
        }
        Err(NumError::Syntax) => {
            return Err(line.error_at(
                version,
                format!("a trace version number (`{HEADER_KEYWORD} {TRACE_VERSION}`)"),
                quote(version),
            ));
        }
    }
    if let Some(&extra) = tokens.get(2) {
        return Err(line.error_at(extra, "end of line after the header", quote(extra)));
    }
    Ok(())
}

/// Splits `token` into key and value, or reports it.
fn split_key_value<'a>(
    line: &Line<'_>,
    token: &'a str,
) -> Result<(&'a str, &'a str), TraceParseError> {
    key_value(token)
        .map(|(_, kv)| kv)
        .map_err(|_| line.error_at(token, "an attribute `key=value`", quote(token)))
}

/// Records that `key` was given, refusing a second time.
fn once<'a>(line: &Line<'_>, seen: &mut Vec<&'a str>, key: &'a str) -> Result<(), TraceParseError> {
    if seen.contains(&key) {
        return Err(line.error_at(
            key,
            "each key at most once per line",
            format!("a second `{key}=`"),
        ));
    }
    seen.push(key);
    Ok(())
}

/// An integer attribute in `min..=max`.
fn int_value(line: &Line<'_>, value: &str, min: u64, max: u64) -> Result<u64, TraceParseError> {
    let expected = || format!("an integer from {min} to {max}");
    match read_u64(value) {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        Ok(_) => Err(line.error_at(value, expected(), quote_value(value))),
        Err(NumError::TooLarge) => Err(line.error_at(
            value,
            expected(),
            format!("{} (too large)", quote_value(value)),
        )),
        Err(NumError::Syntax) => Err(line.error_at(value, expected(), quote_value(value))),
    }
}

/// A precision attribute.
fn precision_value(line: &Line<'_>, value: &str) -> Result<Precision, TraceParseError> {
    value.parse::<Precision>().map_err(|_| {
        line.error_at(
            value,
            format!("a precision ({PRECISION_NAMES})"),
            quote_value(value),
        )
    })
}

/// The optional `meta` line.
fn parse_meta(
    line: &Line<'_>,
    tokens: &[&str],
    state: &mut State<'_>,
) -> Result<(), TraceParseError> {
    if state.meta.is_some() || !state.ops.is_empty() {
        return Err(line.error_at(
            tokens[0],
            "an operator line (the `meta` line may appear at most once, before the first operator)",
            quote(tokens[0]),
        ));
    }
    let mut meta = TraceMeta::default();
    let mut seen = Vec::new();
    for &token in &tokens[1..] {
        let (key, value) = split_key_value(line, token)?;
        match key {
            "model" | "phase" | "batch" | "seq" | "draft" | "tied" => once(line, &mut seen, key)?,
            _ => return Err(line.error_at(key, format!("a meta key ({META_KEYS})"), quote(key))),
        }
        match key {
            "model" => {
                if let Some(found) = name_too_long(value) {
                    return Err(line.error_at(
                        value,
                        format!("a model name of at most {MAX_NAME_BYTES} bytes"),
                        found,
                    ));
                }
                if value.is_empty() || !value.chars().all(is_model_char) {
                    return Err(line.error_at(
                        value,
                        "a model name (no spaces, control characters or `#`)",
                        quote_value(value),
                    ));
                }
                meta.model = value.to_string();
            }
            "phase" => {
                meta.phase = Phase::from_name(value).ok_or_else(|| {
                    line.error_at(
                        value,
                        "a phase (decode, prefill, verify)",
                        quote_value(value),
                    )
                })?;
            }
            "batch" => meta.batch = int_value(line, value, 1, u64::MAX)?,
            "draft" => meta.draft = int_value(line, value, 1, u64::MAX)?,
            "tied" => {
                meta.tied_embeddings = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(line.error_at(value, "`true` or `false`", quote_value(value))),
                }
            }
            _ => meta.seq = int_value(line, value, 1, u64::MAX)?,
        }
    }
    if meta.phase == Phase::Prefill && meta.batch.checked_mul(meta.seq).is_none() {
        return Err(line.error_at(
            tokens[0],
            "a prefill step whose tokens batch x seq are below 2^64",
            format!("batch={} seq={}", meta.batch, meta.seq),
        ));
    }
    state.meta = Some(meta);
    Ok(())
}

/// An operator kind keyword; `glu` and `act` get their function from `fn=`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KindWord {
    Fixed(OpKind),
    Glu,
    Act,
}

impl KindWord {
    fn from_keyword(word: &str) -> Option<KindWord> {
        Some(match word {
            "embed" => KindWord::Fixed(OpKind::Embed),
            "rmsnorm" => KindWord::Fixed(OpKind::RmsNorm),
            "quant" => KindWord::Fixed(OpKind::Quant),
            "linear" => KindWord::Fixed(OpKind::Linear),
            "rope" => KindWord::Fixed(OpKind::Rope),
            "kv_append" => KindWord::Fixed(OpKind::KvAppend),
            "qk" => KindWord::Fixed(OpKind::Qk),
            "softmax" => KindWord::Fixed(OpKind::Softmax),
            "pv" => KindWord::Fixed(OpKind::Pv),
            "attention" => KindWord::Fixed(OpKind::Attention),
            "glu" => KindWord::Glu,
            "act" => KindWord::Act,
            "add" => KindWord::Fixed(OpKind::Add),
            _ => return None,
        })
    }

    fn has_fn(self) -> bool {
        matches!(self, KindWord::Glu | KindWord::Act)
    }

    /// Kinds whose `k` must be given: the matrix products and `embed`.
    fn needs_k(self) -> bool {
        matches!(
            self,
            KindWord::Fixed(
                OpKind::Linear | OpKind::Qk | OpKind::Pv | OpKind::Attention | OpKind::Embed
            )
        )
    }

    /// Kinds whose `w` must be given: the matrix products.
    fn needs_w(self) -> bool {
        matches!(
            self,
            KindWord::Fixed(OpKind::Linear | OpKind::Qk | OpKind::Pv | OpKind::Attention)
        )
    }

    /// Kinds that take `mask=`: the attention operators.
    fn has_mask(self) -> bool {
        matches!(self, KindWord::Fixed(k) if k.is_attention())
    }
}

/// The attributes of an operator line, as given.
#[derive(Default)]
struct Attrs {
    layer: Option<u32>,
    inputs: Vec<String>,
    act: Option<ActFn>,
    g: Option<u64>,
    m: Option<u64>,
    k: Option<u64>,
    n: Option<u64>,
    a: Option<Precision>,
    w: Option<Precision>,
    o: Option<Precision>,
    wbytes: Option<u64>,
    zeros: Option<f64>,
    mask: Option<Mask>,
}

/// `<kind> <name> key=value ...`.
fn parse_op(line: &Line<'_>, tokens: &[&str], state: &State<'_>) -> Result<Op, TraceParseError> {
    let word = tokens[0];
    let kind = KindWord::from_keyword(word).ok_or_else(|| {
        line.error_at(
            word,
            format!("an operator kind ({OP_KIND_NAMES})"),
            quote(word),
        )
    })?;
    let Some(&name) = tokens.get(1) else {
        return Err(line.error_at_end(tokens, format!("the name of the `{word}` operator")));
    };
    if op_name(name).is_err() {
        return Err(line.error_at(
            name,
            "an operator name (letters, digits and `_ . : / -`)",
            quote(name),
        ));
    }
    if let Some(found) = name_too_long(name) {
        return Err(line.error_at(
            name,
            format!("an operator name of at most {MAX_NAME_BYTES} bytes"),
            found,
        ));
    }
    if let Some(first) = state.names.get(name) {
        return Err(line.error_at(
            name,
            "a name not used by an earlier operator",
            format!("{} (already defined on line {first})", quote(name)),
        ));
    }

    let mut attrs = Attrs::default();
    let mut seen = Vec::new();
    for &token in &tokens[2..] {
        let (key, value) = split_key_value(line, token)?;
        match key {
            "layer" | "in" | "g" | "m" | "k" | "n" | "a" | "w" | "o" | "wbytes" | "zeros" => {}
            "fn" if kind.has_fn() => {}
            "mask" if kind.has_mask() => {}
            "mask" => {
                return Err(line.error_at(
                    key,
                    format!("a key of `{word}` (`mask` is only for qk, softmax, pv and attention)"),
                    quote(key),
                ))
            }
            "fn" => {
                return Err(line.error_at(
                    key,
                    format!("a key of `{word}` (`fn` is only for glu and act)"),
                    quote(key),
                ))
            }
            _ => {
                return Err(line.error_at(key, format!("an operator key ({OP_KEYS})"), quote(key)))
            }
        }
        once(line, &mut seen, key)?;
        match key {
            "layer" => {
                let layer = int_value(line, value, 0, u64::from(u32::MAX))?;
                attrs.layer = u32::try_from(layer).ok();
            }
            "in" => attrs.inputs = parse_inputs(line, value, state)?,
            "fn" => {
                let act = ActFn::from_name(value).filter(|f| f.name() == value);
                attrs.act = Some(act.ok_or_else(|| {
                    line.error_at(
                        value,
                        format!("an activation function ({ACT_FN_NAMES})"),
                        quote_value(value),
                    )
                })?);
            }
            "g" => attrs.g = Some(int_value(line, value, 1, u64::MAX)?),
            "m" => attrs.m = Some(int_value(line, value, 1, u64::MAX)?),
            "k" => attrs.k = Some(int_value(line, value, 1, u64::MAX)?),
            "n" => attrs.n = Some(int_value(line, value, 1, u64::MAX)?),
            "a" => attrs.a = Some(precision_value(line, value)?),
            "w" => attrs.w = Some(precision_value(line, value)?),
            "o" => attrs.o = Some(precision_value(line, value)?),
            "wbytes" => attrs.wbytes = Some(int_value(line, value, 0, u64::MAX)?),
            "mask" => {
                attrs.mask = Some(Mask::from_name(value).ok_or_else(|| {
                    line.error_at(value, "a mask (full, causal)", quote_value(value))
                })?)
            }
            _ => {
                let zeros = read_f64(value).filter(|z| (0.0..=1.0).contains(z));
                attrs.zeros = Some(zeros.ok_or_else(|| {
                    line.error_at(value, "a number from 0 to 1", quote_value(value))
                })?);
            }
        }
    }

    let required = |key: &str, what: &str| line.error_at_end(tokens, format!("`{key}=` ({what})"));
    let for_kind = format!("required for {word}");
    let always = "required for every operator";
    let kw = kind;
    let kind = match kw {
        KindWord::Fixed(kind) => kind,
        KindWord::Glu => OpKind::Glu(attrs.act.ok_or_else(|| required("fn", &for_kind))?),
        KindWord::Act => OpKind::Act(attrs.act.ok_or_else(|| required("fn", &for_kind))?),
    };
    let g = attrs.g.unwrap_or(1);
    let m = attrs.m.ok_or_else(|| required("m", always))?;
    let k = match attrs.k {
        Some(k) => k,
        None if kw.needs_k() => return Err(required("k", &for_kind)),
        None => 1,
    };
    let n = attrs.n.ok_or_else(|| required("n", always))?;
    let a = attrs.a.ok_or_else(|| required("a", always))?;
    if kw.needs_w() && attrs.w.is_none() {
        return Err(required("w", &for_kind));
    }
    let out = attrs.o.ok_or_else(|| required("o", always))?;
    let fits = g
        .checked_mul(m)
        .and_then(|p| p.checked_mul(k))
        .and_then(|p| p.checked_mul(n))
        .is_some();
    if !fits {
        return Err(line.error_at(
            name,
            "a shape whose product g*m*k*n is below 2^64",
            format!("g={g} m={m} k={k} n={n}"),
        ));
    }
    let wbytes = match (kind, attrs.w) {
        // A projection reads its k x n weights: `wbytes` is their size in
        // the weight encoding, whichever unit runs it.
        (OpKind::Linear, Some(w)) => {
            let size = k
                .checked_mul(n)
                .and_then(|kn| w.checked_bytes_for(kn))
                .and_then(|b| b.checked_mul(g));
            match (attrs.wbytes, size) {
                (None, Some(size)) => size,
                (Some(given), Some(size)) if given == size => size,
                (given, size) => {
                    let at = tokens
                        .iter()
                        .find(|t| t.starts_with("wbytes="))
                        .map_or(name, |t| &t[7..]);
                    let expected = match size {
                        Some(size) => format!(
                            "`wbytes={size}`, the size of {g} x {k} x {n} weights (g x k x n) at {w}, or no `wbytes=`"
                        ),
                        None => "weights whose size in bytes is below 2^64".to_string(),
                    };
                    return Err(line.error_at(
                        at,
                        expected,
                        given.map_or_else(
                            || "no `wbytes=`".to_string(),
                            |v| format!("`wbytes={v}`"),
                        ),
                    ));
                }
            }
        }
        _ => attrs.wbytes.unwrap_or(0),
    };
    Ok(Op {
        name: name.to_string(),
        kind,
        layer: attrs.layer,
        inputs: attrs.inputs,
        g,
        m,
        k,
        n,
        a,
        w: attrs.w,
        out,
        wbytes,
        zeros: attrs.zeros,
        mask: attrs.mask.unwrap_or_default(),
    })
}

/// `in=a,b,c`: names of operators defined on earlier lines.
fn parse_inputs(
    line: &Line<'_>,
    value: &str,
    state: &State<'_>,
) -> Result<Vec<String>, TraceParseError> {
    let mut inputs = Vec::new();
    for input in value.split(',') {
        if op_name(input).is_err() {
            let found = if input.is_empty() {
                "an empty name".to_string()
            } else {
                quote(input)
            };
            return Err(line.error_at(input, "an input operator name", found));
        }
        if !state.names.contains_key(input) {
            return Err(line.error_at(
                input,
                "an input name",
                format!(
                    "unknown input {} (inputs must be defined on an earlier line)",
                    quote(input)
                ),
            ));
        }
        inputs.push(input.to_string());
    }
    Ok(inputs)
}
