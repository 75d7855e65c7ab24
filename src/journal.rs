//! The progress journal of a sweep run with `--resume`: every finished
//! point is appended as one JSON line to `.NAME.onebit-journal.jsonl`
//! beside the output directory `NAME`, so that a run killed midway (a Slurm
//! time limit, `kill -9`, a lost node) and started again evaluates only the
//! points it had not finished. The first line identifies the sweep (its
//! `sweep.json` before the counts); a journal of another sweep, or a torn
//! last line, is not trusted. The journal is removed once the output
//! directory is complete. It is the one file the command appends to rather
//! than writes whole through `output.rs`: a journal is by nature partial.

use crate::error::{CliError, CliResult};
use reports::sweep::PointResult;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// An open journal.
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

/// Where the journal of output directory `out` lives.
pub fn journal_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.onebit-journal.jsonl"))
}

fn io_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::file(path, format!("cannot write the sweep's journal: {e}"))
}

impl Journal {
    /// Opens the journal of `out` for a sweep identified by `header` (one
    /// line of JSON): returns it with the points a previous run of the same
    /// sweep finished. A journal of another sweep is started afresh.
    pub fn open(out: &Path, header: &str) -> CliResult<(Journal, BTreeMap<u64, PointResult>)> {
        let path = journal_path(out);
        let mut done = BTreeMap::new();
        let mut valid = 0usize;
        if let Ok(text) = std::fs::read_to_string(&path) {
            let mut lines = text.split_inclusive('\n');
            if lines.next().map(|l| l.trim_end_matches('\n')) == Some(header) {
                valid = header.len() + 1;
                for l in lines {
                    // a line without its newline was torn by the kill
                    let Some(body) = l.strip_suffix('\n') else {
                        break;
                    };
                    match serde_json::from_str::<PointResult>(body) {
                        Ok(p) => {
                            done.insert(p.index, p);
                            valid += l.len();
                        }
                        Err(_) => break,
                    }
                }
            }
        }
        let file = if valid > 0 {
            // keep the trusted prefix, drop a torn tail
            let f = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| io_error(&path, e))?;
            f.set_len(valid as u64).map_err(|e| io_error(&path, e))?;
            drop(f);
            OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|e| io_error(&path, e))?
        } else {
            let mut f = File::create(&path).map_err(|e| io_error(&path, e))?;
            f.write_all(format!("{header}\n").as_bytes())
                .and_then(|_| f.sync_data())
                .map_err(|e| io_error(&path, e))?;
            f
        };
        Ok((
            Journal {
                path,
                file: Mutex::new(file),
            },
            done,
        ))
    }

    /// Appends a finished point (one write of one whole line).
    pub fn record(&self, p: &PointResult) -> std::io::Result<()> {
        let mut line = serde_json::to_string(p).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut f = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))?;
        f.write_all(line.as_bytes())
    }

    /// Removes the journal once the output is complete.
    pub fn finish(self) -> CliResult {
        drop(self.file);
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CliError::file(
                &self.path,
                format!("cannot remove the finished sweep's journal: {e}"),
            )),
        }
    }
}
