//! JSON syntax errors as `line:col: message`, the position said once:
//! serde_json's message without its " at line L column C" suffix, and
//! column 1 where serde_json says 0 (just after a line break).

/// `(line, col, message)` of a JSON error.
pub fn position(e: &serde_json::Error) -> (usize, usize, String) {
    let (line, col) = (e.line(), e.column());
    let full = e.to_string();
    let msg = full
        .strip_suffix(&format!(" at line {line} column {col}"))
        .unwrap_or(&full)
        .to_string();
    (line.max(1), col.max(1), msg)
}

/// `line:col: message` of a JSON error.
pub fn located(e: &serde_json::Error) -> String {
    let (line, col, msg) = position(e);
    format!("{line}:{col}: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_is_said_once_and_never_column_0() {
        let e = serde_json::from_str::<serde_json::Value>("{\n").unwrap_err();
        assert_eq!(located(&e), "2:1: EOF while parsing an object");
        let e = serde_json::from_str::<serde_json::Value>("[1,\n 2 x]").unwrap_err();
        assert_eq!(located(&e), "2:4: expected `,` or `]`");
    }
}
