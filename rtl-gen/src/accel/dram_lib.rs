//! Whether the DRAM model's C library (`libonebit_dram.a`, the
//! `onebit-dram-cabi` crate) that a testbench links was built from the
//! sources at hand.
//!
//! The testbench takes its timing from the library, so one built from older
//! sources times transfers with an older model (or refuses a design key it
//! does not know) while `onebit` itself runs the current one: the check's
//! two sides would then not be the same model. `cargo test` builds the
//! crate's library for its tests but does not put it at
//! `target/release/libonebit_dram.a`, so the tests call [`ensure`]: where
//! the library there is missing or older than a source ([`stale`]) it runs
//! `cargo build --release -p onebit-dram-cabi` (a no-op when cargo finds
//! it current), and fails with cargo's reason if that fails.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The command that rebuilds the library.
pub const REBUILD: &str = "cargo build --release -p onebit-dram-cabi";

/// The hint for a testbench whose DRAM model refused a design `onebit`
/// accepted: the library is from another version of onebit.
pub const REFUSAL_HINT: &str = "the DRAM model's library refused a design this onebit accepts, \
     so it was built from other sources: rebuild it (`cargo build --release -p \
     onebit-dram-cabi`, or point ONEBIT_DRAM_LIB at a current one)";

/// The library under the workspace `root` (`target/release`), built with
/// `cargo` (the tests' `env!("CARGO")`) first where it is missing or
/// [`stale`]; the error is why it could not be built.
pub fn ensure(cargo: &str, root: &Path) -> Result<PathBuf, String> {
    let lib = root.join("target/release/libonebit_dram.a");
    if stale(&lib, root).is_some() {
        let st = std::process::Command::new(cargo)
            .args(["build", "--release", "-p", "onebit-dram-cabi"])
            .current_dir(root)
            .status()
            .map_err(|e| format!("`{REBUILD}` did not run: {e}"))?;
        if !st.success() {
            return Err(format!("`{REBUILD}` failed ({st})"));
        }
    }
    if lib.exists() {
        Ok(lib)
    } else {
        Err(format!("`{REBUILD}` left no {}", lib.display()))
    }
}

/// `None` when `lib` is newer than every source it is built from under the
/// workspace `root` (`sim/src`, `dram-cabi/src`, their manifests and
/// `Cargo.lock`); else why not, naming the newest such source and the
/// command to run. A library that cannot be read is stale.
pub fn stale(lib: &Path, root: &Path) -> Option<String> {
    let built = match std::fs::metadata(lib).and_then(|m| m.modified()) {
        Ok(t) => t,
        Err(e) => return Some(format!("{}: {e}; build it with `{REBUILD}`", lib.display())),
    };
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut consider = |p: PathBuf| {
        if let Ok(t) = std::fs::metadata(&p).and_then(|m| m.modified()) {
            if t > built && newest.as_ref().is_none_or(|(n, _)| t > *n) {
                newest = Some((t, p));
            }
        }
    };
    for f in ["Cargo.lock", "sim/Cargo.toml", "dram-cabi/Cargo.toml"] {
        consider(root.join(f));
    }
    for dir in ["sim/src", "dram-cabi/src"] {
        let mut todo = vec![root.join(dir)];
        while let Some(d) = todo.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    consider(p);
                }
            }
        }
    }
    newest.map(|(_, p)| {
        format!(
            "{} is older than {}: the testbench would time the DRAM with another model than \
             the engine's; rebuild it with `{REBUILD}`",
            lib.display(),
            p.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_older_than_a_source_is_stale() {
        let d = std::env::temp_dir().join(format!("onebit-dram-lib-{}", std::process::id()));
        let src = d.join("sim/src");
        std::fs::create_dir_all(&src).expect("dirs");
        let lib = d.join("libonebit_dram.a");
        std::fs::write(&lib, b"lib").expect("lib");
        let old = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        std::fs::File::options()
            .write(true)
            .open(&lib)
            .and_then(|f| f.set_modified(old))
            .expect("set the library's time");
        assert!(stale(&lib, &d).is_none(), "no sources yet");
        let f = src.join("memory.rs");
        std::fs::write(&f, b"// newer").expect("source");
        let why = stale(&lib, &d).expect("stale");
        assert!(why.contains("memory.rs") && why.contains(REBUILD), "{why}");
        assert!(stale(&d.join("missing.a"), &d).is_some());
        std::fs::remove_dir_all(&d).ok();
    }
}
