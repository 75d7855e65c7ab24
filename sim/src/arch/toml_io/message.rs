//! A TOML parser's error message as the user reads it: every reader of a
//! TOML file (designs, systems, sweep spaces, technology files) words its
//! syntax errors through [`toml_message`].

/// The text of a TOML parser's error message for a user, one line: its
/// lines joined with "; ", or, where the parser gives none (it reports a
/// value missing at the very end of the input with an empty message),
/// what is wrong at that point of `text`.
pub fn toml_message(message: &str, at: Option<usize>, text: &str) -> String {
    let what = message.trim().replace('\n', "; ");
    if !what.is_empty() {
        return what;
    }
    let rest = at.and_then(|i| text.get(i..)).unwrap_or("");
    if rest.trim().is_empty() {
        "the input ends where a value or a key is expected".into()
    } else {
        "invalid TOML at this point".into()
    }
}

#[cfg(test)]
mod message_tests {
    use super::toml_message;

    #[test]
    fn an_empty_parser_message_says_what_is_wrong() {
        assert_eq!(toml_message(" a\nb ", Some(0), "x"), "a; b");
        assert_eq!(
            toml_message("", Some(6), "foo = "),
            "the input ends where a value or a key is expected"
        );
        assert_eq!(
            toml_message("", Some(0), "= 1"),
            "invalid TOML at this point"
        );
    }

    #[test]
    fn the_toml_parser_gives_an_empty_message_at_the_end_of_the_input() {
        // the case the fallback exists for: if the parser starts naming it,
        // the fallback is no longer reached (and this test says so)
        let e = toml_edit::ImDocument::parse("foo = ").unwrap_err();
        assert_eq!(e.message().trim(), "");
        let m = toml_message(e.message(), e.span().map(|s| s.start), "foo = ");
        assert_eq!(m, "the input ends where a value or a key is expected");
    }

    #[test]
    fn a_design_that_ends_before_its_value_is_named() {
        let text = "name = \"x\"\n[array]\nlanes = ";
        let e = crate::arch::from_toml(text).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "array.lanes"), "{e}");
        assert!(
            e.message
                .contains("the input ends where a value or a key is expected"),
            "{e}"
        );
    }
}
