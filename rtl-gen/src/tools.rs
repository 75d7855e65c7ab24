//! Running the external tools: finding them on `PATH` (a missing tool is an
//! error with the install hint, never a silent skip), capturing their
//! output, timing them, and stopping a run that exceeds its time limit.

use crate::error::RtlError;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The full path of `tool` on `PATH`, or [`RtlError::ToolMissing`].
pub fn require(tool: &str, purpose: &str) -> Result<PathBuf, RtlError> {
    find(tool).ok_or_else(|| RtlError::ToolMissing {
        tool: tool.into(),
        purpose: purpose.into(),
    })
}

/// `tool` on `PATH`.
pub fn find(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// What a finished tool run printed.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Exit status was success.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Wall time.
    pub seconds: f64,
}

impl Ran {
    /// Standard output and error together.
    pub fn text(&self) -> String {
        let mut s = self.stdout.clone();
        if !self.stderr.is_empty() {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            s.push_str(&self.stderr);
        }
        s
    }
}

fn reader(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Runs `cmd` (program `tool`, doing `what`), capturing its output; stops
/// it after `limit`. A program that cannot be started is
/// [`RtlError::ToolMissing`]; a failed exit status is returned in
/// [`Ran::success`] for the caller to judge.
pub fn run(cmd: &mut Command, tool: &str, what: &str, limit: Duration) -> Result<Ran, RtlError> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RtlError::ToolMissing {
                tool: tool.into(),
                purpose: what.into(),
            },
            _ => RtlError::ToolFailed {
                tool: tool.into(),
                what: what.into(),
                output: e.to_string(),
            },
        })?;
    let out = reader(child.stdout.take().expect("piped stdout"));
    let err = reader(child.stderr.take().expect("piped stderr"));
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| RtlError::ToolFailed {
            tool: tool.into(),
            what: what.into(),
            output: e.to_string(),
        })? {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let ran = Ran {
        success: status.is_some_and(|s| s.success()),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        seconds: start.elapsed().as_secs_f64(),
    };
    if status.is_none() {
        return Err(RtlError::ToolFailed {
            tool: tool.into(),
            what: what.into(),
            output: format!(
                "stopped after {:.0} s (the time limit)\n{}",
                limit.as_secs_f64(),
                tail(&ran.text(), 40)
            ),
        });
    }
    Ok(ran)
}

/// The last `n` lines of `text`, each cut to 300 characters (tools echo
/// their whole command line).
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| match l.char_indices().nth(300) {
            Some((i, _)) => format!("{} ...", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A failed tool's output for its error report: the lines that name an
/// error (a compiler's `error:`, `undefined reference`, a killed
/// compiler, a full disk), at most 20, then the last `n` lines. A report
/// shown cut to its first lines still names the cause.
pub fn diagnosis(text: &str, n: usize) -> String {
    const SIGNS: [&str; 8] = [
        "error",
        "Error",
        "fatal",
        "undefined reference",
        "Killed",
        "No space",
        "cannot",
        "%Warning-",
    ];
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| SIGNS.iter().any(|s| l.contains(s)))
        .take(20)
        .collect();
    if errors.is_empty() {
        return tail(text, n);
    }
    format!(
        "--- the lines that name an error ---\n{}\n--- the last {n} lines ---\n{}",
        tail(&errors.join("\n"), 20),
        tail(text, n)
    )
}

/// The first line a tool prints for `--version` (or `-V`), for cache keys
/// and reports.
pub fn version(tool: &str, flag: &str) -> Result<String, RtlError> {
    let ran = run(
        Command::new(tool).arg(flag),
        tool,
        "report its version",
        Duration::from_secs(30),
    )?;
    Ok(ran.text().lines().next().unwrap_or("").trim().to_string())
}

/// FNV-1a, 64 bits: a stable hash of build inputs for cache directory names.
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // separate the parts
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::diagnosis;

    #[test]
    fn a_diagnosis_puts_the_error_lines_first() {
        let text = "make: Entering directory 'obj'\ng++ -c a.cpp\ng++ -c b.cpp\n\
                    b.cpp:3:1: fatal error: error writing to /tmp/cc.s: No space left on device\n\
                    make: *** [b.o] Error 1";
        let d = diagnosis(text, 2);
        let lines: Vec<&str> = d.lines().collect();
        assert_eq!(lines[0], "--- the lines that name an error ---");
        assert!(lines[1].starts_with("b.cpp:3:1: fatal error"), "{d}");
        assert_eq!(lines[2], "make: *** [b.o] Error 1");
        assert_eq!(lines[3], "--- the last 2 lines ---");
        assert_eq!(lines.len(), 6, "{d}");
        // no error line: the tail alone
        assert_eq!(diagnosis("a\nb\nc", 2), "b\nc");
    }
}
