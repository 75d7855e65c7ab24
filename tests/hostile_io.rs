//! Outputs and standard streams under hostile conditions, the cases the
//! corpus cannot express: standard output on a full device or a closed
//! pipe, outputs onto symbolic links, named pipes, character devices (a
//! copy of /dev/full made with mknod: these tests run as root) and
//! directories, and sweeps killed mid-run.

mod common;

use common::{stderr, stdout};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onebit"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run onebit")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Asserts a clean exit `code` (never a panic or a signal).
fn assert_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
    assert!(!stderr(o).contains("panicked"), "{what}: {}", stderr(o));
}

const SIM: [&str; 5] = ["sim", "--model", "bitnet-125M", "--seq", "16"];

fn sim_with(extra: &[&str]) -> Output {
    let mut a: Vec<&str> = SIM.to_vec();
    a.extend_from_slice(extra);
    run(&a)
}

/// A character device like /dev/full (1, 7), made in `dir`.
fn mknod_full(dir: &Path) -> PathBuf {
    let path = dir.join("full");
    let c = std::ffi::CString::new(p(&path)).unwrap();
    // SAFETY: a valid NUL-terminated path; mknod has no other preconditions.
    let r = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 7)) };
    assert_eq!(
        r,
        0,
        "mknod {}: {} (these tests make a copy of /dev/full and must run as root)",
        path.display(),
        std::io::Error::last_os_error()
    );
    path
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(p(path)).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let r = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(r, 0, "mkfifo: {}", std::io::Error::last_os_error());
}

// ------------------------------------------------------- standard output

#[test]
fn standard_output_on_a_full_device_is_exit_2_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let emit_out = dir.path().join("rtl");
    let space = dir.path().join("space.toml");
    std::fs::write(
        &space,
        "base = \"edge-ternary\"\n[grid]\narray.lanes = [16, 32]\n",
    )
    .unwrap();
    let sweep_out = dir.path().join("sweep");
    let cases: Vec<Vec<&str>> = vec![
        vec!["models"],
        vec!["models", "bitnet-125M"],
        vec!["presets"],
        vec!["presets", "--names"],
        vec!["presets", "--toml", "edge-ternary"],
        vec!["check", "tests/golden/bitnet-125M-decode-seq16.trace"],
        SIM.to_vec(),
        vec!["trace", "--model", "bitnet-125M", "--seq", "16"],
        vec!["rtl", "emit", "--out", p(&emit_out)],
        vec!["--help"],
        vec!["--version"],
        vec!["sim", "--help"],
        vec![
            "sweep",
            "--space",
            p(&space),
            "--model",
            "bitnet-125M",
            "--seq",
            "16",
            "--out",
            p(&sweep_out),
        ],
        vec!["paper", "bitnet-b1.58"],
    ];
    for args in cases {
        let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = bin()
            .args(&args)
            .stdout(Stdio::from(full))
            .output()
            .unwrap();
        assert_exit(&o, 2, &format!("{args:?} > /dev/full"));
        assert!(
            stderr(&o).contains("error: <stdout>: No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// A pipe whose reading end is already closed.
fn closed_pipe() -> File {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the read end is ours and closed once.
    unsafe { libc::close(fds[0]) };
    // SAFETY: the write end is a fresh descriptor owned by the File alone.
    unsafe { std::os::fd::FromRawFd::from_raw_fd(fds[1]) }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_and_keeps_the_exit_code() {
    for args in [
        vec!["models"],
        vec!["presets", "--names"],
        vec!["trace", "--model", "bitnet-125M", "--seq", "16"],
        SIM.to_vec(),
        vec!["--help"],
    ] {
        let o = bin()
            .args(&args)
            .stdout(Stdio::from(closed_pipe()))
            .output()
            .unwrap();
        assert_exit(&o, 0, &format!("{args:?} | (closed)"));
        assert_eq!(stderr(&o), "", "{args:?}: nothing said about the pipe");
    }
    // a failing command still fails, and says why
    let o = bin()
        .args([
            "check",
            "tests/golden/bitnet-125M-decode-seq16.trace",
            "tests/data/broken.json",
        ])
        .stdout(Stdio::from(closed_pipe()))
        .output()
        .unwrap();
    assert_exit(&o, 2, "check with a bad file | (closed)");
    assert!(stderr(&o).contains("broken.json"), "{}", stderr(&o));
}

#[test]
fn dev_stdout_is_the_commands_own_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("all.txt");
    let o = bin()
        .args(SIM)
        .args(["--json", "/dev/stdout"])
        .stdout(Stdio::from(File::create(&f).unwrap()))
        .output()
        .unwrap();
    assert_exit(&o, 0, "--json /dev/stdout > file");
    let text = std::fs::read_to_string(&f).unwrap();
    // the JSON first, then the summary after it: nothing overwritten
    let json_end = text.find("\n}\n").expect("the JSON document") + 3;
    let v: serde_json::Value = serde_json::from_str(&text[..json_end]).unwrap();
    assert_eq!(v["schema"], "onebit.sim/1");
    assert!(
        text[json_end..].contains("tokens/s"),
        "{}",
        &text[json_end..]
    );
    assert!(f.is_file());
}

// ---------------------------------------------------------- file outputs

#[test]
fn outputs_onto_symbolic_links_update_the_target_and_keep_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("real")).unwrap();
    for f in ["r.json", "r.csv", "t.trace"] {
        std::fs::write(d.join("real").join(f), "old").unwrap();
        std::os::unix::fs::symlink(Path::new("real").join(f), d.join(f)).unwrap();
    }
    // a dangling link: its target is created
    std::os::unix::fs::symlink("real/new.dot", d.join("g.dot")).unwrap();
    let o = sim_with(&["--json", p(&d.join("r.json")), "--csv", p(&d.join("r.csv"))]);
    assert_exit(&o, 0, "sim onto links");
    let o = run(&[
        "trace",
        "--model",
        "bitnet-125M",
        "--seq",
        "16",
        "-o",
        p(&d.join("t.trace")),
        "--dot",
        p(&d.join("g.dot")),
    ]);
    assert_exit(&o, 0, "trace onto links");
    for (link, starts) in [
        ("r.json", "{"),
        ("r.csv", "name,kind"),
        ("t.trace", "onebit-trace 2"),
        ("g.dot", "digraph"),
    ] {
        let m = std::fs::symlink_metadata(d.join(link)).unwrap();
        assert!(m.file_type().is_symlink(), "{link} is no longer a link");
        let text = std::fs::read_to_string(d.join(link)).unwrap();
        assert!(
            text.starts_with(starts),
            "{link}: {}",
            &text[..40.min(text.len())]
        );
    }
    assert!(d.join("real/new.dot").is_file());
    // nothing but the targets in the real directory: no temporary left
    let mut names: Vec<String> = std::fs::read_dir(d.join("real"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["new.dot", "r.csv", "r.json", "t.trace"]);
}

#[test]
fn a_symbolic_link_loop_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    std::os::unix::fs::symlink("b.json", &a).unwrap();
    std::os::unix::fs::symlink("a.json", dir.path().join("b.json")).unwrap();
    let o = sim_with(&["--json", p(&a)]);
    assert_exit(&o, 2, "link loop");
    assert!(stderr(&o).contains("symbolic links"), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&a)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_named_pipe_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = sim_with(&["--json", p(&fifo)]);
    assert_exit(&o, 0, "--json onto a FIFO");
    let text = reader.join().unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "onebit.sim/1");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn character_devices_are_written_through_and_stay_devices() {
    let o = sim_with(&["--json", "/dev/null", "--csv", "/dev/null"]);
    assert_exit(&o, 0, "--json /dev/null");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    let dir = tempfile::tempdir().unwrap();
    let full = mknod_full(dir.path());
    let rdev = std::fs::metadata(&full).unwrap().rdev();
    for args in [vec!["--json", p(&full)], vec!["--csv", p(&full)]] {
        let o = sim_with(&args);
        assert_exit(&o, 2, &format!("{args:?}"));
        assert!(
            stderr(&o).contains(&format!("{}: No space left on device", full.display())),
            "{}",
            stderr(&o)
        );
    }
    let o = run(&["trace", "--model", "bitnet-125M", "-o", p(&full)]);
    assert_exit(&o, 2, "trace -o full");
    let m = std::fs::symlink_metadata(&full).unwrap();
    assert!(
        m.file_type().is_char_device(),
        "the copy of /dev/full was replaced"
    );
    assert_eq!(m.rdev(), rdev);
    // through a link to the device, too
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&full, &link).unwrap();
    let o = sim_with(&["--json", p(&link)]);
    assert_exit(&o, 2, "--json link-to-full");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::symlink_metadata(&full)
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn a_directory_is_refused_as_a_file_output_and_a_file_as_a_directory_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    for flag in ["--json", "--csv"] {
        let o = sim_with(&[flag, p(&d)]);
        assert_exit(&o, 2, flag);
        assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
        assert!(stdout(&o).is_empty(), "refused before the run");
    }
    assert!(d.is_dir());
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
    let f = dir.path().join("f.txt");
    std::fs::write(&f, "keep").unwrap();
    let o = run(&["rtl", "emit", "--out", p(&f)]);
    assert_exit(&o, 2, "rtl emit --out FILE");
    assert!(
        stderr(&o).contains("exists and is a file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "keep");
}

#[test]
fn an_output_directory_reached_by_a_link_is_replaced_behind_it() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    let link = dir.path().join("rtl");
    std::os::unix::fs::symlink("real", &link).unwrap();
    for arch in ["edge-ternary", "edge-xnor"] {
        let o = run(&["rtl", "emit", "--arch", arch, "--out", p(&link)]);
        assert_exit(&o, 0, arch);
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(real.join(".onebit-output").is_file());
    let names: Vec<String> = std::fs::read_dir(&real)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with("edge_ternary")),
        "the second output replaced the first whole: {names:?}"
    );
    // a directory of the user's is not an output: refused, untouched
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let o = run(&["rtl", "emit", "--out", p(&mine)]);
    assert_exit(&o, 2, "rtl emit into a user directory");
    assert!(stderr(&o).contains("not an output directory of onebit"));
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
}

// ------------------------------------------------------- killed sweeps

/// Every file under `dir` (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// A sweep long enough to be killed mid-run (a few seconds on one thread).
const SPACE: &str = r#"base = "edge-ternary"
[grid]
array.lanes = [16, 32, 64, 128]
array.width = [16, 32, 64]
clock_ghz = [0.5, 1.0, 1.5, 2.0]
"#;

fn sweep_cmd(space: &Path, out: &Path) -> Command {
    let mut c = bin();
    c.args([
        "sweep",
        "--space",
        p(space),
        "--model",
        "bitnet-b1.58-2B-4T",
        "--phase",
        "prefill",
        "--seq",
        "128",
        "--jobs",
        "1",
        "--out",
        p(out),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    c
}

/// Starts `c`, lets it run `after`, and kills it with SIGKILL; asserts it
/// was still running.
fn kill_after(mut c: Command, after: Duration) {
    let mut child: Child = c.spawn().unwrap();
    std::thread::sleep(after);
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before it could be killed: make it longer"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_killed_sweep_leaves_its_output_absent_or_the_old_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let space = d.join("space.toml");
    std::fs::write(&space, SPACE).unwrap();
    let clean = d.join("clean");
    let started = std::time::Instant::now();
    let s = sweep_cmd(&space, &clean).status().unwrap();
    assert!(s.success());
    // kill a quarter of the way through a run as long as the clean one:
    // mid-run whatever the machine's speed
    let mid = started.elapsed() / 4;
    let want = tree(&clean);
    assert!(want.iter().any(|f| f.0 == ".onebit-output"));

    // a new output killed mid-run: nothing there, and nothing to report
    let out = d.join("out");
    kill_after(sweep_cmd(&space, &out), mid);
    assert!(!out.exists(), "a killed sweep left {}", out.display());
    let o = run(&["report", p(&out), "--out", p(&d.join("rep"))]);
    assert_exit(&o, 2, "report of a killed sweep");
    let o = run(&["merge", p(&out), "--out", p(&d.join("m"))]);
    assert_exit(&o, 2, "merge of a killed sweep");
    assert!(
        stderr(&o).contains("no such sweep output directory"),
        "{}",
        stderr(&o)
    );

    // a rerun onto an earlier output, killed: still the old one, whole
    kill_after(sweep_cmd(&space, &clean), mid);
    assert_eq!(tree(&clean), want, "a killed rerun changed the old output");

    // a directory without the marker (written by hand, or half copied)
    let half = d.join("half");
    std::fs::create_dir(&half).unwrap();
    for f in ["sweep.json", "points.jsonl"] {
        std::fs::copy(clean.join(f), half.join(f)).unwrap();
    }
    for args in [
        vec!["report", p(&half), "--out", p(&d.join("rep"))],
        vec!["merge", p(&half), "--out", p(&d.join("m"))],
    ] {
        let o = run(&args);
        assert_exit(&o, 2, &format!("{args:?}"));
        assert!(stderr(&o).contains("completion marker"), "{}", stderr(&o));
    }

    // the rerun, with a stale temporary of a dead process beside it,
    // gives the clean run's bytes and removes the stale one
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = d.join(format!(".out.onebit-tmp-{dead}-0"));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("points.jsonl"), "partial").unwrap();
    let s = sweep_cmd(&space, &out).status().unwrap();
    assert!(s.success());
    assert_eq!(tree(&out), want, "the rerun differs from a clean run");
    assert!(!stale.exists(), "the stale temporary was not removed");
    let o = run(&["report", p(&out), "--out", p(&d.join("rep"))]);
    assert_exit(&o, 0, "report of the rerun");
}

#[test]
fn a_killed_sim_leaves_no_report_directory() {
    let sim = |rep: &Path, json: &Path| {
        let mut c = bin();
        c.args([
            "sim",
            "--model",
            "bitnet-b1.58-2B-4T",
            "--phase",
            "prefill",
            "--seq",
            "2048",
            "--report",
            p(rep),
            "--json",
            p(json),
        ])
        .stdout(Stdio::null());
        c
    };
    // kill at fractions of a run as long as a clean one, the last near its
    // end (while the report is written, on most machines): mid-run whatever
    // the machine's speed; the report is then absent or the clean run's
    let clean = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let s = sim(&clean.path().join("rep"), &clean.path().join("r.json"))
        .status()
        .unwrap();
    assert!(s.success());
    let took = started.elapsed();
    let want = tree(&clean.path().join("rep"));
    assert!(want.iter().any(|f| f.0 == ".onebit-output"));
    for (num, den) in [(1, 4), (1, 2), (3, 4), (15, 16)] {
        let dir = tempfile::tempdir().unwrap();
        let rep = dir.path().join("rep");
        let mut child = sim(&rep, &dir.path().join("r.json")).spawn().unwrap();
        std::thread::sleep(took * num / den);
        if child.try_wait().unwrap().is_some() {
            // this run was faster than the clean one: nothing to cut short
            continue;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        if rep.exists() {
            assert_eq!(
                tree(&rep),
                want,
                "a run killed at {num}/{den} left a partial report directory"
            );
        }
        // the JSON, written before the report, is whole if it is there at
        // all; besides it only a hidden temporary of the write the kill cut
        // short (removed by the next run) may be left
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(".r.json.onebit-tmp-")
                || name.starts_with(".rep.onebit-tmp-")
                || name == "rep"
            {
                continue;
            }
            assert_eq!(name, "r.json", "left behind: {}", path.display());
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(v["schema"], "onebit.sim/1");
        }
    }
}

#[test]
fn the_command_prints_only_through_its_writer() {
    // print!, println!, eprint! and eprintln! panic when the stream fails;
    // src/stdio.rs is the one way the command prints
    fn walk(d: &Path, bad: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, bad);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if ["print!(", "println!(", "eprint!(", "eprintln!("]
                        .iter()
                        .any(|m| code.contains(m))
                    {
                        bad.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                    }
                }
            }
        }
    }
    let mut bad = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut bad);
    assert!(bad.is_empty(), "print macros in src/:\n{}", bad.join("\n"));
}

#[test]
fn stale_temporaries_of_dead_runs_are_removed_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = dir.path().join(format!(".r.json.onebit-tmp-{dead}-0"));
    // a run still going (this test's own process) keeps its temporary
    let live = dir
        .path()
        .join(format!(".r.json.onebit-tmp-{}-0", std::process::id()));
    std::fs::write(&stale, "half").unwrap();
    std::fs::write(&live, "half").unwrap();
    let r = dir.path().join("r.json");
    let o = sim_with(&["--json", p(&r)]);
    assert_exit(&o, 0, "sim --json beside temporaries");
    assert!(!stale.exists(), "the dead run's temporary is still there");
    assert!(live.exists(), "a live run's temporary was removed");
    assert!(std::fs::read_to_string(&r).unwrap().starts_with('{'));
}
