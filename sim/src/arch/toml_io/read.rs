//! Reading a description: TOML syntax, deserialization and validation
//! errors placed at the line and column of the offending key or value.

use super::*;

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Reads an accelerator description: TOML syntax, then the keys and their
/// types, then [`Accelerator::validate`]. Every error has the line and
/// column of the offending key and its dotted path.
pub fn from_toml(text: &str) -> Result<Accelerator, ArchError> {
    let doc = ImDocument::parse(text).map_err(|e| syntax_error(text, &e))?;
    let mut acc: Accelerator = toml::from_str(text).map_err(|e| serde_error(text, &doc, &e))?;
    if acc.dram.model == crate::arch::DramModelKind::Banked {
        if let Some(g) = acc.dram.derived_gbps() {
            acc.dram.bandwidth_gbps = g;
        }
    }
    acc.validate().map_err(|e| {
        let offset = locate(text, &doc, &e.key);
        let (line, col) = line_col(text, offset);
        ArchError {
            line,
            col,
            key: e.key,
            message: e.message,
        }
    })?;
    Ok(acc)
}

/// A TOML syntax error: position from the parser; key path from the
/// nearest table header above it and the key on its line.
fn syntax_error(text: &str, e: &toml_edit::TomlError) -> ArchError {
    let offset = e.span().map_or(0, |s| s.start);
    let (line, col) = line_col(text, offset);
    let mut table = String::new();
    let mut key = String::new();
    for (i, l) in text.split('\n').enumerate().take(line) {
        let t = l.trim();
        if t.starts_with('[') {
            table = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        }
        if i + 1 == line {
            if let Some((k, _)) = t.split_once('=') {
                let k = k.trim();
                if !k.is_empty() && !k.starts_with('[') && !k.starts_with('#') {
                    key = k.trim_matches('"').to_string();
                }
            }
        }
    }
    let path = join(&table, &key);
    let what = super::toml_message(e.message(), e.span().map(|s| s.start), text);
    if what.contains("number too large to fit in target type") && !path.is_empty() {
        let raw = text
            .split('\n')
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map_or("", |(_, v)| v.split('#').next().unwrap_or("").trim());
        let raw = shorten(raw);
        let message = match int_range(&path) {
            Some((lo, hi)) => {
                format!("`{path}` = {raw} is out of range: expected an integer from {lo} to {hi}")
            }
            None => format!(
                "`{path}` = {raw} is too large: TOML integers are at most 9223372036854775807"
            ),
        };
        return ArchError {
            line,
            col,
            key: path,
            message,
        };
    }
    let message = if path.is_empty() {
        format!("TOML syntax error: {what}")
    } else {
        format!("TOML syntax error in `{path}`: {what}")
    };
    ArchError {
        line,
        col,
        key: path,
        message,
    }
}

fn join(table: &str, key: &str) -> String {
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (false, true) => table.to_string(),
        (false, false) => format!("{table}.{key}"),
    }
}

/// A deserialization error (unknown or missing key, wrong type, unknown
/// name): position from the span toml reports, key path from the document.
fn serde_error(text: &str, doc: &ImDocument<&str>, e: &toml::de::Error) -> ArchError {
    let span = e.span();
    let msg = super::toml_message(e.message(), span.as_ref().map(|s| s.start), text);
    let mut path = Vec::new();
    let mut offset = span.as_ref().map_or(0, |s| s.start);
    if let Some(s) = &span {
        deepest(doc.as_table(), s, &mut path);
    }
    let table_path = path.join(".");
    let (key, message) = if let Some(field) = backticked(&msg, "missing field `") {
        // The span is the table lacking the key; point at its header.
        let key = join(&table_path, &field);
        if table_path.is_empty() {
            offset = 0;
        } else {
            offset = locate(text, doc, &table_path);
        }
        let message = format!("missing key `{key}`");
        (key, message)
    } else if let Some(field) = backticked(&msg, "unknown field `") {
        let key = if path.last().map(String::as_str) == Some(field.as_str()) {
            table_path.clone()
        } else {
            join(&table_path, &field)
        };
        let rest = msg
            .split_once(", ")
            .map_or(String::new(), |(_, r)| format!(", {r}"));
        let message = format!("unknown key `{key}`{rest}");
        (key, message)
    } else if table_path.is_empty() {
        (String::new(), msg)
    } else if let Some(message) = clearer_type_error(text, span.as_ref(), &table_path, &msg) {
        (table_path.clone(), message)
    } else {
        (table_path.clone(), format!("`{table_path}`: {msg}"))
    };
    let (line, col) = line_col(text, header_start(text, offset));
    ArchError {
        line,
        col,
        key,
        message,
    }
}

/// At most 40 characters of a value as written, for a message.
fn shorten(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if s.len() < raw.len() {
        s.push_str("...");
    }
    s
}

/// A type error on a key with a documented range or set of names, said
/// with the value as written and what is accepted (instead of serde's
/// "invalid type: floating point `1000...0`, expected u32" or "wanted
/// string or table").
fn clearer_type_error(
    text: &str,
    span: Option<&Range<usize>>,
    key: &str,
    msg: &str,
) -> Option<String> {
    let raw = span
        .and_then(|s| text.get(s.clone()))
        .map(str::trim)
        .filter(|r| !r.is_empty() && !r.contains('\n'))?;
    let raw = shorten(raw);
    let type_error = msg.starts_with("invalid type")
        || msg.starts_with("invalid value")
        || msg.contains("wanted string or table");
    if !type_error {
        return None;
    }
    if let Some((lo, hi)) = int_range(key) {
        let integer = raw
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'+');
        return Some(if integer {
            format!("`{key}` = {raw} is out of range: expected an integer from {lo} to {hi}")
        } else {
            format!("`{key}` = {raw} is not an integer: expected an integer from {lo} to {hi}")
        });
    }
    allowed_names(key).map(|names| format!("`{key}` = {raw} is not accepted: expected {names}"))
}

/// The text between `prefix` and the next backtick, when `msg` starts with `prefix`.
fn backticked(msg: &str, prefix: &str) -> Option<String> {
    msg.strip_prefix(prefix)
        .and_then(|r| r.split('`').next())
        .map(str::to_string)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end.max(outer.start + 1)
}

/// Pushes onto `path` the keys leading to the innermost key or value whose
/// span contains `span`. A key's own span wins over its children: a table
/// header such as `[buffers.weights]` holds the span of `buffers` inside
/// the span of the `weights` table.
fn deepest(table: &dyn TableLike, span: &Range<usize>, path: &mut Vec<String>) -> bool {
    for (name, item) in table.iter() {
        let key_span = table.get_key_value(name).and_then(|(k, _)| k.span());
        path.push(name.to_string());
        if key_span.as_ref().is_some_and(|k| contains(k, span)) {
            return true;
        }
        if let Some(child) = item.as_table_like() {
            if deepest(child, span, path) {
                return true;
            }
        }
        if item.span().as_ref().is_some_and(|s| contains(s, span)) {
            return true;
        }
        path.pop();
    }
    false
}

/// Byte offset of the key at dotted `path`, or of the nearest enclosing
/// table that is written in the file, or 0. A table header is reported at
/// its `[`.
fn locate(text: &str, doc: &ImDocument<&str>, path: &str) -> usize {
    let mut table: &dyn TableLike = doc.as_table();
    let mut best = 0;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let Some((key, item)) = table.get_key_value(part) else {
            break;
        };
        if let Some(s) = key.span().or_else(|| item.span()) {
            best = s.start;
        }
        match item.as_table_like() {
            Some(t) => table = t,
            None => break,
        }
    }
    header_start(text, best)
}

/// `offset` moved to the `[` of its line when that line is a table header.
fn header_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let indent = line.len() - line.trim_start().len();
    if line.trim_start().starts_with('[') {
        line_start + indent
    } else {
        offset
    }
}
