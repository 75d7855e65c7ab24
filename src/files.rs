//! Reading input files and writing output files whole or not at all.

use crate::error::{CliError, CliResult};
use std::io::Write;
use std::path::Path;

/// Reads a UTF-8 text file; a directory, a missing file or invalid UTF-8
/// is an input error naming the file.
pub fn read_text(path: &Path) -> CliResult<String> {
    if path.is_dir() {
        return Err(CliError::file(path, "is a directory, expected a file"));
    }
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        CliError::at(
            path,
            line,
            col,
            "expected UTF-8 text, found an invalid byte",
        )
    })
}

/// Writes `contents` to `path` atomically: into a temporary file beside it,
/// then renamed over it, so readers never see a partial file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> CliResult {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(CliError::file(path, "is a directory, expected a file name"));
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| CliError::file(path, "is not a file name"))?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::io(path, e)
    })
}
