//! Where a trace parse error points: shared by the trace format's tests.

use workloads::trace::{parse, TraceParseError};

/// An error's position is inside the text: an existing line, a column at
/// most one past its end.
pub fn check_position(text: &str, err: &TraceParseError) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(err.line >= 1 && err.line <= lines.len(), "{err:?}");
    let line = lines[err.line - 1];
    let line = line.strip_suffix('\r').unwrap_or(line);
    assert!(
        err.col >= 1 && err.col <= line.chars().count() + 1,
        "{err:?} in {line:?}"
    );
    assert!(!err.expected.is_empty() && !err.found.is_empty());
    // Display must not panic either.
    let _ = err.to_string();
}

/// Parses `text` and, when it is refused, checks where the error points.
pub fn parse_checked(text: &str) {
    if let Err(err) = parse(text) {
        check_position(text, &err);
    }
}
