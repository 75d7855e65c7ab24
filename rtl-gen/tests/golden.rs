//! Golden Verilog: the files emitted for small designs (one of each
//! reduction) equal the committed ones in `tests/golden/<design>/`. After an
//! intended change, rewrite them with `ONEBIT_BLESS=1 cargo test -p rtl-gen
//! --test golden` and review the diff.

mod common;

use common::{arch, golden};
use std::path::PathBuf;

#[test]
fn emitted_verilog_and_manifest_match_the_golden_files() {
    let bless = std::env::var_os("ONEBIT_BLESS").is_some_and(|v| v == "1");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut differ = Vec::new();
    for s in golden() {
        let e = rtl_gen::emit(&arch(&s)).expect("emit");
        let dir = root.join(s.name);
        for (name, text) in e.files() {
            let path = dir.join(&name);
            if bless {
                std::fs::create_dir_all(&dir).expect("golden directory");
                std::fs::write(&path, &text).expect("write golden file");
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(want) if want == text => {}
                Ok(_) => differ.push(format!("{} differs", path.display())),
                Err(e) => differ.push(format!("{}: {e}", path.display())),
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{}\n(if the change is intended: ONEBIT_BLESS=1 cargo test -p rtl-gen --test golden, then review the diff)",
        differ.join("\n")
    );
}
