//! The command's errors and their exit codes: 1 when a check fails, 2 for
//! bad usage or input. Every message names what is wrong and where.

use std::path::{Path, PathBuf};

/// Everything a subcommand can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A flag combination or value that makes no sense.
    #[error("{0}")]
    Usage(String),
    /// An input file that does not parse or validate; the message starts
    /// with the file name (and line and column where known).
    #[error("{path}:{detail}")]
    Input {
        /// The file.
        path: PathBuf,
        /// `line:col: ...` or ` ...`.
        detail: String,
    },
    /// A check that ran and failed (`rtl check`: a lint warning or a
    /// mismatch between the RTL and the simulator); exit code 1.
    #[error("{0}")]
    CheckFailed(String),
    /// A file that cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl CliError {
    /// The process exit code for this error: 1 for a failed check, 2 for
    /// bad usage or input.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::CheckFailed(_) => 1,
            _ => 2,
        }
    }

    /// An input error at a position (`file:line:col: message`).
    pub fn at(path: &Path, line: usize, col: usize, msg: impl std::fmt::Display) -> CliError {
        CliError::Input {
            path: path.to_path_buf(),
            detail: format!("{line}:{col}: {msg}"),
        }
    }

    /// An input error about a whole file (`file: message`).
    pub fn file(path: &Path, msg: impl std::fmt::Display) -> CliError {
        CliError::Input {
            path: path.to_path_buf(),
            detail: format!(" {msg}"),
        }
    }

    /// An input error from a message that may start with a position:
    /// `L:C: rest` is placed after `path` (`path:L:C: rest`), `NAME:L:C:
    /// rest` after `path/NAME` (a file of the directory `path`); any other
    /// message is about the whole file.
    pub fn located(path: &Path, msg: impl std::fmt::Display) -> CliError {
        let msg = msg.to_string();
        let pos = |s: &str| -> Option<usize> {
            let mut parts = s.splitn(3, ':');
            let (l, c) = (parts.next()?, parts.next()?);
            let rest = parts.next()?;
            let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
            (digits(l) && digits(c) && rest.starts_with(' ')).then_some(l.len() + c.len() + 2)
        };
        if pos(&msg).is_some() {
            return CliError::Input {
                path: path.to_path_buf(),
                detail: msg,
            };
        }
        if let Some((name, rest)) = msg.split_once(':') {
            if !name.is_empty() && !name.contains(char::is_whitespace) && pos(rest).is_some() {
                return CliError::Input {
                    path: path.join(name),
                    detail: rest.to_string(),
                };
            }
        }
        CliError::file(path, msg)
    }

    /// A read or write failure.
    pub fn io(path: &Path, source: std::io::Error) -> CliError {
        CliError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result of a subcommand.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_file_name_once() {
        let e = CliError::located(Path::new("r.json"), "2:1: invalid JSON: EOF");
        assert_eq!(e.to_string(), "r.json:2:1: invalid JSON: EOF");
        let e = CliError::located(Path::new("out"), "sweep.json:3:7: expected value");
        assert_eq!(e.to_string(), "out/sweep.json:3:7: expected value");
        let e = CliError::located(Path::new("r.json"), "has no `energy` key: x");
        assert_eq!(e.to_string(), "r.json: has no `energy` key: x");
    }
}
