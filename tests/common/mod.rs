//! Helpers shared by the end-to-end tests: run the `onebit` binary and read
//! its output.

#![allow(dead_code)] // each test file uses the helpers it needs

use std::process::{Command, Output};

/// Runs `onebit` with `args` from the repository root.
pub fn onebit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onebit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run onebit")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
