//! The accelerator description's `technology` key: read, written back,
//! and refused when it names no built-in table.

use sim::arch::{from_toml, preset, preset_text, to_toml, TECHNOLOGY_NAMES};

#[test]
fn absent_by_default_and_round_trips() {
    let a = preset("edge-ternary").unwrap();
    assert_eq!(a.technology, None);
    assert!(!to_toml(&a).contains("technology"));
    for name in TECHNOLOGY_NAMES {
        let mut b = a.clone();
        b.technology = Some(name.to_string());
        b.validate().unwrap();
        let t = to_toml(&b);
        assert!(t.contains(&format!("technology = \"{name}\"")), "{t}");
        assert_eq!(from_toml(&t).unwrap(), b);
    }
}

#[test]
fn unknown_tables_are_refused_with_the_key_and_position() {
    let text = preset_text("edge-ternary").unwrap().replace(
        "clock_ghz = 1.0\n",
        "clock_ghz = 1.0\ntechnology = \"5nm\"\n",
    );
    let e = from_toml(&text).unwrap_err();
    assert_eq!(e.key, "technology");
    let line = text
        .lines()
        .position(|l| l.starts_with("technology = "))
        .unwrap()
        + 1;
    assert_eq!(e.line, line, "{e}");
    assert_eq!(
        e.message,
        "`technology` = \"5nm\" is not a built-in technology table: expected one of \"7nm\", \"16nm\", \"28nm\", \"45nm\""
    );
    let text = text.replace("technology = \"5nm\"", "technology = 16");
    let e = from_toml(&text).unwrap_err();
    assert_eq!(e.key, "technology", "{e}");
}
