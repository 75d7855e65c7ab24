//! Standard output and standard error: the one way the command prints.
//!
//! Every write is flushed at once, so a failure is seen where it happens
//! and becomes an error with an exit code instead of a panic in `print!`:
//! - a closed pipe (`onebit models | head -1`) is not an error: the rest
//!   of the output is dropped quietly and the command ends with its own
//!   exit code;
//! - any other failure (a full disk, `> /dev/full`) is an input/output
//!   error, `error: <stdout>: No space left on device (os error 28)`,
//!   exit 2.

use crate::error::{CliError, CliResult};
use std::io::{ErrorKind, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once standard output turned out to be a closed pipe.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Set once standard error turned out to be a closed pipe.
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// The name standard output goes by in messages.
pub const STDOUT_NAME: &str = "<stdout>";
/// The name standard error goes by in messages.
pub const STDERR_NAME: &str = "<stderr>";

fn write_to(w: &mut dyn Write, closed: &AtomicBool, name: &str, bytes: &[u8]) -> CliResult {
    if closed.load(Ordering::Relaxed) {
        return Ok(());
    }
    match w.write_all(bytes).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            closed.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(CliError::io(Path::new(name), e)),
    }
}

/// Writes `bytes` to standard output.
pub fn out_bytes(bytes: &[u8]) -> CliResult {
    let mut o = std::io::stdout().lock();
    write_to(&mut o, &STDOUT_CLOSED, STDOUT_NAME, bytes)
}

/// Writes `text` to standard output.
pub fn out(text: impl AsRef<str>) -> CliResult {
    out_bytes(text.as_ref().as_bytes())
}

/// Writes `text` and a newline to standard output.
pub fn outln(text: impl AsRef<str>) -> CliResult {
    let mut s = text.as_ref().to_string();
    s.push('\n');
    out(s)
}

/// Writes `bytes` to standard error.
pub fn err_bytes(bytes: &[u8]) -> CliResult {
    let mut o = std::io::stderr().lock();
    write_to(&mut o, &STDERR_CLOSED, STDERR_NAME, bytes)
}

/// Writes `text` and a newline to standard error (notes and progress
/// lines, not errors: see [`report_error`]).
pub fn errln(text: impl AsRef<str>) -> CliResult {
    let mut s = text.as_ref().to_string();
    s.push('\n');
    err_bytes(s.as_bytes())
}

/// Prints `error: MESSAGE` on standard error. When standard error itself
/// cannot be written there is nowhere left to say so; the exit code still
/// tells.
pub fn report_error(e: &CliError) {
    let _ = errln(format!("error: {e}"));
}
