//! The one writer of every output of the command (`--json`, `--csv`,
//! `trace -o`, `--dot`, `rtl emit --out`, report and sweep directories):
//! outputs are whole or absent, and a path never changes what it is.
//!
//! A file output:
//! - a regular file, or a path that does not exist yet, is written
//!   atomically: into a temporary file beside it, flushed to disk, then
//!   renamed over it (an existing file keeps its permissions);
//! - a symbolic link is followed to the file it names, and that file is
//!   replaced as above: the link stays a link;
//! - a character device (`/dev/null`, a terminal) or a named pipe is
//!   opened and written through, never replaced; `/dev/stdout` and
//!   `/dev/stderr` (and `/dev/fd/1`, `/dev/fd/2`) are the command's own
//!   standard output and error;
//! - a directory, a block device or a socket is refused.
//!
//! A directory output is built whole in a temporary directory beside it,
//! with a completion marker (`.onebit-output`, listing its files) written
//! last, then renamed into place. An existing output directory of the same
//! kind (its marker says so) or an empty one is replaced as a whole — atomically
//! where the system can exchange two directories — so readers see the
//! old output or the new one, never a mix; any other existing directory
//! is refused rather than overwritten.
//!
//! Temporary files and directories are named `.NAME.onebit-tmp-PID-N`; the
//! ones a killed run left behind (their process is gone) are removed by
//! the next run that writes NAME.

use crate::error::{CliError, CliResult};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The completion marker of an output directory.
pub const MARKER: &str = ".onebit-output";
/// The schema of the marker.
pub const MARKER_SCHEMA: &str = "onebit.output/1";

/// Most symbolic links followed from one path.
const MAX_LINKS: usize = 40;

/// Where the bytes of a file output go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileTarget {
    /// The command's standard output.
    Stdout,
    /// The command's standard error.
    Stderr,
    /// A device or pipe: opened and written.
    Through(PathBuf),
    /// A regular file, or none yet: replaced atomically.
    Replace(PathBuf),
}

/// What a node is, in a message.
fn kind_name(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_fifo() {
            return "a named pipe";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else {
        "a file"
    }
}

/// A device or pipe that is written through.
fn writes_through(ft: std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        ft.is_char_device() || ft.is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = ft;
        false
    }
}

/// The next path of a symbolic link: its target, relative to the link's
/// directory.
fn follow(link: &Path) -> CliResult<PathBuf> {
    let t = std::fs::read_link(link).map_err(|e| CliError::io(link, e))?;
    Ok(match link.parent() {
        Some(d) if t.is_relative() => d.join(t),
        _ => t,
    })
}

fn too_many_links(path: &Path) -> CliError {
    CliError::file(
        path,
        format!("more than {MAX_LINKS} symbolic links to follow (a loop?)"),
    )
}

/// Resolves a file output.
fn file_target(path: &Path) -> CliResult<FileTarget> {
    match path.to_str() {
        Some("/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1") => return Ok(FileTarget::Stdout),
        Some("/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2") => return Ok(FileTarget::Stderr),
        _ => {}
    }
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let m = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(FileTarget::Replace(p)),
            Err(e) => return Err(CliError::io(path, e)),
        };
        let ft = m.file_type();
        if ft.is_symlink() {
            // /proc/PID/fd/N names open files, pipes and sockets by
            // links that only opening follows
            if p.starts_with("/proc") || p.starts_with("/dev/fd") {
                return Ok(FileTarget::Through(p));
            }
            p = follow(&p)?;
            continue;
        }
        if ft.is_file() {
            return Ok(FileTarget::Replace(p));
        }
        if writes_through(ft) {
            return Ok(FileTarget::Through(p));
        }
        let what = kind_name(ft);
        let via = if p == path {
            String::new()
        } else {
            format!(" (through a link to {})", p.display())
        };
        return Err(CliError::file(
            path,
            format!("is {what}{via}, expected a file name for the output"),
        ));
    }
    Err(too_many_links(path))
}

/// Checks that `path` can take a file output, before the work that
/// produces it starts: a directory, a block device, a socket or a missing
/// parent directory is refused now rather than after the run.
pub fn check_file(path: &Path) -> CliResult {
    if let FileTarget::Replace(p) = file_target(path)? {
        let dir = parent_dir(&p);
        if !dir.is_dir() {
            return Err(CliError::file(
                path,
                format!("cannot be written: {} is not a directory", dir.display()),
            ));
        }
    }
    Ok(())
}

/// The directory a path is in (`.` for a bare name).
fn parent_dir(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The file name, for temporary siblings.
fn base_name(path: &Path) -> CliResult<String> {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .ok_or_else(|| CliError::file(path, "is not a file or directory name"))
}

/// The prefix of the temporary siblings of `name`.
fn tmp_prefix(name: &str) -> String {
    format!(".{name}.onebit-tmp-")
}

/// Whether process `pid` still exists on this machine.
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes the temporary siblings of `name` in `dir` that a killed run
/// left (their process is gone). Best effort: what cannot be removed is
/// left, and is ignored by every reader.
fn remove_stale(dir: &Path, name: &str) {
    let prefix = tmp_prefix(name);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let f = e.file_name();
        let Some(rest) = f.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || alive(pid) {
            continue;
        }
        let p = e.path();
        let _ = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&p),
            _ => std::fs::remove_file(&p),
        };
    }
}

/// A fresh temporary sibling of `name` in `dir`, made by `make` (which
/// fails with `AlreadyExists` when the name is taken).
fn fresh_sibling<T>(
    dir: &Path,
    name: &str,
    mut make: impl FnMut(&Path) -> std::io::Result<T>,
) -> std::io::Result<(PathBuf, T)> {
    let prefix = tmp_prefix(name);
    let pid = std::process::id();
    for n in 0u32.. {
        let p = dir.join(format!("{prefix}{pid}-{n}"));
        match make(&p) {
            Ok(t) => return Ok((p, t)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        "no free temporary name",
    ))
}

/// Flushes a directory's entries to disk (best effort: not every file
/// system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Replaces the regular file (or missing file) `target` with `contents`
/// atomically.
fn replace_file(path: &Path, target: &Path, contents: &[u8]) -> CliResult {
    let dir = parent_dir(target);
    let name = base_name(target)?;
    remove_stale(dir, &name);
    let existing = std::fs::metadata(target).ok().map(|m| m.permissions());
    let (tmp, mut f) = fresh_sibling(dir, &name, |p| {
        OpenOptions::new().write(true).create_new(true).open(p)
    })
    .map_err(|e| CliError::io(path, e))?;
    let result = (|| {
        f.write_all(contents)?;
        if let Some(perm) = existing {
            f.set_permissions(perm)?;
        }
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, target)
    })();
    match result {
        Ok(()) => {
            sync_dir(dir);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(CliError::io(path, e))
        }
    }
}

/// Writes `contents` into a device or pipe.
fn write_through(path: &Path, target: &Path, contents: &[u8]) -> CliResult {
    let result = (|| {
        let mut f = OpenOptions::new().write(true).open(target)?;
        if f.metadata()?.is_file() {
            f.set_len(0)?;
        }
        f.write_all(contents)?;
        f.flush()
    })();
    result.map_err(|e| CliError::io(path, e))
}

/// Writes the file output `path` (see the module documentation for what
/// happens with each kind of path).
pub fn write_file(path: &Path, contents: &[u8]) -> CliResult {
    match file_target(path)? {
        FileTarget::Stdout => crate::stdio::out_bytes(contents).map_err(|e| rename_io(e, path)),
        FileTarget::Stderr => crate::stdio::err_bytes(contents).map_err(|e| rename_io(e, path)),
        FileTarget::Through(t) => write_through(path, &t, contents),
        FileTarget::Replace(t) => replace_file(path, &t, contents),
    }
}

/// An I/O error of standard output, named by the path it was reached by.
fn rename_io(e: CliError, path: &Path) -> CliError {
    match e {
        CliError::Io { source, .. } => CliError::io(path, source),
        other => other,
    }
}

/// What an output directory path is now.
enum DirTarget {
    /// Nothing there yet.
    Absent(PathBuf),
    /// An empty directory, or an earlier output (it holds the marker).
    Replace(PathBuf),
}

/// The kind an output directory's marker states, if it has one.
fn marker_kind(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(v.get("kind")?.as_str()?.to_string())
}

/// Resolves a directory output of `kind` (following symbolic links, so a
/// link to a directory stays a link).
fn dir_target(path: &Path, kind: &str) -> CliResult<DirTarget> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let m = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(DirTarget::Absent(p)),
            Err(e) => return Err(CliError::io(path, e)),
        };
        let ft = m.file_type();
        if ft.is_symlink() {
            p = follow(&p)?;
            continue;
        }
        if !ft.is_dir() {
            return Err(CliError::file(
                path,
                format!(
                    "exists and is {}, expected a directory (or a new name) for the output",
                    kind_name(ft)
                ),
            ));
        }
        let mut entries = std::fs::read_dir(&p).map_err(|e| CliError::io(path, e))?;
        if entries.next().is_none() {
            return Ok(DirTarget::Replace(p));
        }
        if p.join(MARKER).is_file() {
            return match marker_kind(&p) {
                Some(k) if k == kind => Ok(DirTarget::Replace(p)),
                found => Err(CliError::file(
                    path,
                    format!(
                        "holds another kind of onebit output (`{}`, not `{kind}`); an output is \
                         replaced only by one of its kind: choose another directory",
                        found.as_deref().unwrap_or("unreadable marker")
                    ),
                )),
            };
        }
        return Err(CliError::file(
            path,
            format!(
                "exists and is not an output directory of onebit (it has no `{MARKER}` marker); \
                 onebit replaces only its own outputs: choose a new directory, or empty this one"
            ),
        ));
    }
    Err(too_many_links(path))
}

/// Checks that `dir` can take a directory output of `kind`, before the
/// work that produces it starts.
pub fn check_dir(dir: &Path, kind: &str) -> CliResult {
    let p = match dir_target(dir, kind)? {
        DirTarget::Absent(p) | DirTarget::Replace(p) => p,
    };
    let parent = parent_dir(&p);
    if !parent.is_dir() {
        return Err(CliError::file(
            dir,
            format!("cannot be written: {} is not a directory", parent.display()),
        ));
    }
    Ok(())
}

/// The marker of a directory of `kind` holding `files`.
fn marker_text(kind: &str, files: &[&str]) -> String {
    let mut files: Vec<&str> = files.to_vec();
    files.sort_unstable();
    let v = serde_json::json!({
        "schema": MARKER_SCHEMA,
        "kind": kind,
        "files": files,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Writes every file of `out` into a fresh directory `tmp`, the marker last.
fn fill(tmp: &Path, out: &reports::Output, kind: &str) -> std::io::Result<()> {
    let mut dirs = vec![tmp.to_path_buf()];
    for (rel, contents) in &out.files {
        let p = tmp.join(rel);
        if let Some(d) = p.parent() {
            if !d.is_dir() {
                std::fs::create_dir_all(d)?;
                dirs.push(d.to_path_buf());
            }
        }
        let mut f = OpenOptions::new().write(true).create_new(true).open(&p)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    let names: Vec<&str> = out.files.iter().map(|f| f.0.as_str()).collect();
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp.join(MARKER))?;
    f.write_all(marker_text(kind, &names).as_bytes())?;
    f.sync_all()?;
    for d in dirs.iter().rev() {
        sync_dir(d);
    }
    Ok(())
}

/// Swaps two directories in one step where the system can.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths relative to the working
    // directory; the call has no other preconditions.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(ErrorKind::Unsupported, "no exchange"))
}

/// Puts the finished directory `tmp` in the place of the existing `target`
/// (an empty directory or an earlier output) and removes the old one.
fn replace_dir(dir: &Path, name: &str, tmp: &Path, target: &Path) -> std::io::Result<()> {
    // an empty directory is replaced by a plain rename
    if std::fs::rename(tmp, target).is_ok() {
        return Ok(());
    }
    if exchange(tmp, target).is_ok() {
        // `tmp` now holds the old output
        let _ = std::fs::remove_dir_all(tmp);
        return Ok(());
    }
    // two renames: between them the output is absent, never mixed
    let (old, ()) = fresh_sibling(dir, name, |p| {
        if p.exists() {
            Err(std::io::Error::from(ErrorKind::AlreadyExists))
        } else {
            std::fs::rename(target, p)
        }
    })?;
    std::fs::rename(tmp, target)?;
    let _ = std::fs::remove_dir_all(old);
    Ok(())
}

/// Writes the directory output `dir` of `kind` (`sweep`, `report`, `rtl`,
/// ...) holding every file of `out` (see the module documentation).
pub fn write_dir(path: &Path, out: &reports::Output, kind: &str) -> CliResult {
    let target = dir_target(path, kind)?;
    let t = match &target {
        DirTarget::Absent(p) | DirTarget::Replace(p) => p.clone(),
    };
    let parent = parent_dir(&t).to_path_buf();
    let name = base_name(&t)?;
    remove_stale(&parent, &name);
    let perm = std::fs::metadata(&t).ok().map(|m| m.permissions());
    let (tmp, ()) = fresh_sibling(&parent, &name, |p| std::fs::create_dir(p))
        .map_err(|e| CliError::io(path, e))?;
    let result = (|| {
        fill(&tmp, out, kind)?;
        if let Some(perm) = perm {
            std::fs::set_permissions(&tmp, perm)?;
        }
        match target {
            DirTarget::Absent(_) => std::fs::rename(&tmp, &t),
            DirTarget::Replace(_) => replace_dir(&parent, &name, &tmp, &t),
        }
    })();
    match result {
        Ok(()) => {
            sync_dir(&parent);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(CliError::io(path, e))
        }
    }
}

/// Checks that `dir` is a complete output directory of `kind` (it holds
/// the marker, written last): a killed run's leftovers, or a directory
/// assembled by hand, are refused.
pub fn require_complete(dir: &Path, kind: &str) -> CliResult {
    let marker = dir.join(MARKER);
    let text = match std::fs::read_to_string(&marker) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(CliError::file(
                dir,
                format!(
                    "is not a complete {kind} output: its completion marker `{MARKER}` is missing \
                     (the run that wrote it was stopped, or the directory was put together by \
                     hand); run it again"
                ),
            ))
        }
        Err(e) => return Err(CliError::io(&marker, e)),
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let found = v.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    if v.get("schema").and_then(|s| s.as_str()) != Some(MARKER_SCHEMA) || found != kind {
        return Err(CliError::file(
            dir,
            format!(
                "is not a {kind} output: its marker `{MARKER}` says `{}`",
                if found.is_empty() { "?" } else { found }
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_streams_are_recognised_by_name() {
        assert_eq!(
            file_target(Path::new("/dev/stdout")).unwrap(),
            FileTarget::Stdout
        );
        assert_eq!(
            file_target(Path::new("/dev/fd/2")).unwrap(),
            FileTarget::Stderr
        );
    }

    #[test]
    fn marker_lists_files_sorted() {
        let m = marker_text("sweep", &["b", "a"]);
        let v: serde_json::Value = serde_json::from_str(&m).unwrap();
        assert_eq!(v["files"], serde_json::json!(["a", "b"]));
        assert_eq!(v["kind"], "sweep");
    }
}
