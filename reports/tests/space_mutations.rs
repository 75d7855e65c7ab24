//! Mutated sweep spaces: the example space of docs/sweep-space.toml with
//! random edits (characters replaced, inserted, deleted; lines dropped or
//! doubled; numbers swapped for extremes) must parse to a space or to an
//! error with a position inside the file, never panic; and a space that
//! parses must count and enumerate its points consistently: the counts of
//! `selection` match the indices `indices` lists, every index is inside
//! the grid, in order, without repeats, and a run of no point is refused.

use proptest::prelude::*;
use reports::sweep::{indices, selection, Space};

const EXAMPLE: &str = include_str!("../../docs/sweep-space.toml");

/// Bytes worth inserting into TOML: its syntax, digits, extremes.
const PIECES: [&str; 24] = [
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "\"",
    "'",
    "#",
    "\n",
    " ",
    "0",
    "1",
    "-",
    "e",
    "from",
    "to",
    "step",
    "times",
    "1e300",
    "-9223372036854775808",
    "nan",
    "inf",
];

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, usize),
    Insert(usize, usize),
    Delete(usize, usize),
    DropLine(usize),
    DoubleLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(a, b)| Edit::Replace(a, b)),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(a, b)| Edit::Insert(a, b)),
        (any::<usize>(), 1usize..8).prop_map(|(a, b)| Edit::Delete(a, b)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DoubleLine),
    ]
}

/// The nearest char boundary at or below `i`.
fn boundary(s: &str, i: usize) -> usize {
    let mut i = i % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, e: &Edit) -> String {
    let mut s = text.to_string();
    match *e {
        Edit::Replace(at, piece) | Edit::Insert(at, piece) => {
            let i = boundary(&s, at);
            if matches!(e, Edit::Replace(..)) && i < s.len() {
                let n = s[i..].chars().next().map_or(0, char::len_utf8);
                s.replace_range(i..i + n, PIECES[piece]);
            } else {
                s.insert_str(i, PIECES[piece]);
            }
        }
        Edit::Delete(at, n) => {
            let i = boundary(&s, at);
            let j = boundary(&s, i + n).max(i);
            s.replace_range(i..j, "");
        }
        Edit::DropLine(at) | Edit::DoubleLine(at) => {
            let mut lines: Vec<&str> = s.lines().collect();
            if !lines.is_empty() {
                let k = at % lines.len();
                if matches!(e, Edit::DropLine(_)) {
                    lines.remove(k);
                } else {
                    lines.insert(k, lines[k]);
                }
            }
            s = lines.join("\n");
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mutated_spaces_parse_or_fail_cleanly(
        edits in prop::collection::vec(edit(), 1..6),
        sample in prop::option::of((0u64..50, any::<u64>())),
        shard in prop::option::of((0u64..6, 1u64..6)),
    ) {
        let text = edits.iter().fold(EXAMPLE.to_string(), |t, e| apply(&t, e));
        let space = match Space::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                let lines = text.lines().count().max(1);
                prop_assert!(e.line >= 1 && e.line <= lines + 1, "{e} in a file of {lines} lines");
                prop_assert!(e.col >= 1, "{e}");
                prop_assert!(!e.message.is_empty());
                return Ok(());
            }
        };
        for a in &space.axes {
            prop_assert!(!a.values.is_empty(), "`{}` has no value", a.key);
        }
        let shard = shard.filter(|(i, n)| i < n);
        match selection(&space, sample, shard) {
            Err(e) => {
                // only a run of no point, or a grid too large to count
                let empty = sample.is_some_and(|(k, _)| k == 0) || shard.is_some();
                prop_assert!(empty || space.grid_size().is_none(), "{e}");
            }
            Ok(sel) => {
                prop_assert!(sel.here >= 1 && sel.here <= sel.selected && sel.selected <= sel.grid);
                if sel.selected <= 200_000 {
                    let idx = indices(&space, sample, shard).unwrap();
                    prop_assert_eq!(idx.len() as u64, sel.here);
                    prop_assert!(idx.windows(2).all(|w| w[0] < w[1]));
                    prop_assert!(idx.iter().all(|&i| i < sel.grid));
                    let last = *idx.last().unwrap();
                    prop_assert_eq!(space.point(last).len(), space.axes.len());
                }
            }
        }
    }
}

#[test]
fn the_example_space_counts_its_documented_points() {
    let space = Space::parse(EXAMPLE).unwrap();
    let sel = selection(&space, None, None).unwrap();
    assert_eq!(sel.grid, 3456);
    assert_eq!(selection(&space, None, Some((3, 4))).unwrap().here, 864);
    assert_eq!(
        selection(&space, Some((10, 7)), Some((9, 10)))
            .unwrap()
            .here,
        1
    );
    assert!(selection(&space, Some((10, 7)), Some((10, 11))).is_err());
    assert!(selection(&space, Some((0, 7)), None).is_err());
    assert_eq!(indices(&space, None, Some((3455, 3456))).unwrap(), [3455]);
}
