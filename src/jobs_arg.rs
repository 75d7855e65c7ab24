//! Thread and job counts (`--jobs N`): at most the machine's parallelism.
//! Asking for more gains nothing, so the count is capped there with a note
//! on standard error (results never depend on it); 0 or no flag means one
//! per core.

use crate::error::CliResult;

/// The threads this machine runs at once (1 when it cannot tell).
pub fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The count to use for `--jobs requested` (`None` or 0: one per core).
pub fn resolve(requested: Option<usize>) -> CliResult<usize> {
    resolve_flag("--jobs", requested)
}

/// The count to use for `flag requested` (`None` or 0: one per core).
pub fn resolve_flag(flag: &str, requested: Option<usize>) -> CliResult<usize> {
    let max = parallelism();
    match requested {
        None | Some(0) => Ok(max),
        Some(n) if n > max => {
            crate::stdio::errln(format!(
                "note: {flag} {n} is more than the {max} threads this machine runs at once; using {max}"
            ))?;
            Ok(max)
        }
        Some(n) => Ok(n),
    }
}
