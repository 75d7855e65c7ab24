//! The hostile-input corpus: every directory of `tests/hostile/cases/` is
//! one bad (or borderline) input run through the release `onebit` binary.
//!
//! A case directory holds `cmd` (one line: the arguments, split on
//! whitespace; `{case}` is the case directory, `{tmp}` a fresh empty
//! temporary directory), `expect` (`exit N`, then `stdout: TEXT`,
//! `stderr: TEXT`, `nostdout: TEXT`, `nostderr: TEXT` lines; blank lines and
//! `#` comments allowed), optionally `timeout` (seconds, default 20) and
//! `stdin` (fed as standard input; otherwise it is empty). A panic (exit
//! 101), a signal or an abort always fails a case, as does running over
//! its time limit. Every failing case is reported at once.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The classes of the corpus; each must have at least one case.
const CLASSES: [&str; 9] = [
    "output", "stdout", "names", "overflow", "ignored", "bounds", "partial", "message", "misc",
];

/// Time limit of a case without a `timeout` file, seconds.
const DEFAULT_TIMEOUT_S: u64 = 20;

/// What a case expects.
#[derive(Debug, Default)]
struct Expect {
    exit: i32,
    /// (stream, text, must occur).
    fragments: Vec<(Stream, String, bool)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/cases")
}

/// Parses an `expect` file.
fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    let mut exit = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if exit.is_none() {
            let n = line
                .strip_prefix("exit ")
                .and_then(|n| n.trim().parse::<i32>().ok())
                .filter(|n| matches!(n, 0..=2))
                .ok_or_else(|| {
                    format!(
                        "expect:{}: the first line must be `exit N` (N = 0, 1 or 2)",
                        i + 1
                    )
                })?;
            exit = Some(n);
            continue;
        }
        let (key, rest) = line
            .split_once(':')
            .ok_or_else(|| format!("expect:{}: expected `stream: TEXT`", i + 1))?;
        let text = rest.strip_prefix(' ').unwrap_or(rest).to_string();
        let (stream, present) = match key {
            "stdout" => (Stream::Stdout, true),
            "stderr" => (Stream::Stderr, true),
            "nostdout" => (Stream::Stdout, false),
            "nostderr" => (Stream::Stderr, false),
            other => {
                return Err(format!(
                    "expect:{}: unknown key `{other}` (stdout, stderr, nostdout, nostderr)",
                    i + 1
                ))
            }
        };
        if text.is_empty() {
            return Err(format!("expect:{}: empty TEXT", i + 1));
        }
        e.fragments.push((stream, text, present));
    }
    e.exit = exit.ok_or("expect: no `exit N` line")?;
    Ok(e)
}

/// What a run produced.
struct Outcome {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
    elapsed: Duration,
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// Runs one case's command.
fn run(case: &Path, args: &[String], stdin: Option<Vec<u8>>, limit: Duration) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onebit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: cannot run onebit: {e}", case.display()));
    if let (Some(bytes), Some(mut w)) = (stdin, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = w.write_all(&bytes);
        });
    }
    let out = drain(child.stdout.take().expect("piped"));
    let err = drain(child.stderr.take().expect("piped"));
    let t0 = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for onebit") {
            break s;
        }
        if t0.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for onebit");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = t0.elapsed();
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Outcome {
        code: status.code(),
        signal,
        stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
        timed_out,
        elapsed,
    }
}

/// Runs one case; the reasons it fails, if any.
fn check_case(dir: &Path) -> Vec<String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f));
    let cmd = match read("cmd") {
        Ok(c) => c,
        Err(e) => return vec![format!("cmd: {e}")],
    };
    let expect = match read("expect")
        .map_err(|e| e.to_string())
        .and_then(|t| parse_expect(&t))
    {
        Ok(e) => e,
        Err(e) => return vec![e],
    };
    let limit = match read("timeout") {
        Ok(t) => match t.trim().parse::<u64>() {
            Ok(s) => s,
            Err(_) => {
                return vec![format!(
                    "timeout: `{}` is not a number of seconds",
                    t.trim()
                )]
            }
        },
        Err(_) => DEFAULT_TIMEOUT_S,
    };
    let stdin = std::fs::read(dir.join("stdin")).ok();
    let tmp = tempfile::tempdir().expect("temporary directory");
    let case_path = dir.to_string_lossy().into_owned();
    let tmp_path = tmp.path().to_string_lossy().into_owned();
    let line = cmd.lines().next().unwrap_or("");
    let args: Vec<String> = line
        .split_whitespace()
        .map(|a| a.replace("{case}", &case_path).replace("{tmp}", &tmp_path))
        .collect();
    let o = run(dir, &args, stdin, Duration::from_secs(limit));
    let mut bad = Vec::new();
    if o.timed_out {
        bad.push(format!(
            "ran longer than its limit of {limit} s (killed after {:.1} s)",
            o.elapsed.as_secs_f64()
        ));
    } else if let Some(sig) = o.signal {
        bad.push(format!("killed by signal {sig} (an abort or a crash)"));
    } else if o.code == Some(101) {
        bad.push("panicked (exit 101)".into());
    } else if o.code != Some(expect.exit) {
        bad.push(format!("exit {:?}, expected {}", o.code, expect.exit));
    }
    if o.stderr.contains("panicked at") {
        bad.push("a panic message on stderr".into());
    }
    for (stream, text, present) in &expect.fragments {
        let (name, s) = match stream {
            Stream::Stdout => ("stdout", &o.stdout),
            Stream::Stderr => ("stderr", &o.stderr),
        };
        if s.contains(text.as_str()) != *present {
            bad.push(format!(
                "{name} {} `{text}`",
                if *present {
                    "lacks"
                } else {
                    "must not contain"
                }
            ));
        }
    }
    if !bad.is_empty() {
        let clip = |s: &str| s.chars().take(1500).collect::<String>();
        bad.push(format!(
            "command: onebit {}\n--- stdout:\n{}\n--- stderr:\n{}",
            args.join(" "),
            clip(&o.stdout),
            clip(&o.stderr)
        ));
    }
    bad
}

#[test]
fn every_case_of_the_corpus_holds() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/hostile/cases")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    let mut names = Vec::new();
    for d in &dirs {
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        let class = name.split('-').next().unwrap_or("");
        if !CLASSES.contains(&class) {
            failures.push(format!(
                "{name}: the class `{class}` is not one of {}",
                CLASSES.join(", ")
            ));
            continue;
        }
        names.push(name.clone());
        for why in check_case(d) {
            failures.push(format!("{name}: {why}"));
        }
    }
    for c in CLASSES {
        if !names.iter().any(|n| n.split('-').next() == Some(c)) {
            failures.push(format!("the corpus has no case of class `{c}`"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}

#[test]
fn expect_files_parse_as_documented() {
    let e = parse_expect("exit 2\n# why\n\nstderr: a: b\nnostdout: x \n").unwrap();
    assert_eq!(e.exit, 2);
    assert_eq!(
        e.fragments,
        vec![
            (Stream::Stderr, "a: b".to_string(), true),
            (Stream::Stdout, "x ".to_string(), false)
        ]
    );
    assert!(parse_expect("stderr: x\n").is_err());
    assert!(parse_expect("exit 101\n").is_err());
    assert!(parse_expect("exit 0\nstdin: x\n").is_err());
}
