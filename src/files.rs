//! Reading input files: whole, as UTF-8 text, bounded in size. (Outputs
//! are written by `output.rs`.)

use crate::error::{CliError, CliResult};
use std::io::Read;
use std::path::Path;

/// Largest input file read, in bytes (1 GiB): far above any trace, model
/// config or design a run can use, and a bound on the memory a mistaken
/// path such as `/dev/zero` can take.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// What a path that exists but is not a readable file is, if so.
pub fn not_a_file(path: &Path) -> Option<&'static str> {
    let m = std::fs::metadata(path).ok()?;
    if m.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    None
}

/// Reads a UTF-8 text file; a directory, a missing file, a file larger
/// than [`MAX_INPUT_BYTES`] or invalid UTF-8 is an input error naming the
/// file. Named pipes and character devices are read like files.
pub fn read_text(path: &Path) -> CliResult<String> {
    if let Some(what) = not_a_file(path) {
        return Err(CliError::file(path, format!("is {what}, expected a file")));
    }
    let f = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(path, e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(CliError::file(
            path,
            format!(
                "is larger than {} MiB, the most an input may be",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
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
