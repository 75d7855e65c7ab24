//! The Verilator driver: lint, build (cached by content), run.

use crate::error::RtlError;
use crate::tools::{fnv64, require, run, version, Ran};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The result of `verilator --lint-only -Wall` on one design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintReport {
    /// The top module linted.
    pub top: String,
    /// No warning and no error.
    pub clean: bool,
    /// What Verilator printed.
    pub output: String,
}

/// `verilator --lint-only -Wall` of `files` (compile order) with top
/// module `top`.
pub fn lint(files: &[PathBuf], top: &str) -> Result<LintReport, RtlError> {
    require("verilator", "lint the generated Verilog")?;
    let ran = run(
        Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", top])
            .args(files),
        "verilator",
        "lint the generated Verilog",
        Duration::from_secs(600),
    )?;
    let output = ran.text();
    Ok(LintReport {
        top: top.into(),
        clean: ran.success && !output.contains("%Warning") && !output.contains("%Error"),
        output,
    })
}

/// How to build a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Parallel compile jobs (`make -j`).
    pub jobs: usize,
    /// Build with `--trace` (for `$dumpvars`).
    pub trace: bool,
    /// C++ optimization of the model (`OPT_FAST`), e.g. `-O1`.
    pub opt: String,
    /// Simulation threads (`--threads`; 1 is single-threaded).
    pub threads: usize,
    /// Where builds are kept and reused, keyed by a hash of their inputs;
    /// `None` builds in the work directory.
    pub cache: Option<PathBuf>,
}

/// A built simulation.
#[derive(Debug, Clone)]
pub struct Built {
    /// The executable.
    pub binary: PathBuf,
    /// Wall time of the build (0 when reused).
    pub seconds: f64,
    /// It came from the cache.
    pub cached: bool,
    /// `verilator --version`.
    pub version: String,
}

/// Builds `sources` (Verilog in compile order, plus the C++ main) with top
/// module `tb_top` into `work/obj`, or reuses the cached build of the same
/// inputs.
pub fn build(sources: &[PathBuf], work: &Path, opts: &BuildOptions) -> Result<Built, RtlError> {
    require("verilator", "build the co-simulation")?;
    let ver = version("verilator", "--version")?;
    let mut flags: Vec<String> = vec![
        "--cc".into(),
        "--exe".into(),
        "--build".into(),
        "-j".into(),
        opts.jobs.max(1).to_string(),
        "--top-module".into(),
        "tb_top".into(),
        "-o".into(),
        "sim".into(),
        "--x-assign".into(),
        "fast".into(),
        "--x-initial".into(),
        "fast".into(),
        "--noassert".into(),
        "-Wno-fatal".into(),
        "-Wno-lint".into(),
        "-Wno-style".into(),
        "-MAKEFLAGS".into(),
        format!("OPT_FAST={}", opts.opt),
        "-MAKEFLAGS".into(),
        "OPT_SLOW=-O0".into(),
        "-MAKEFLAGS".into(),
        "OPT_GLOBAL=-O1".into(),
    ];
    if opts.trace {
        flags.push("--trace".into());
    }
    if opts.threads > 1 {
        flags.push("--threads".into());
        flags.push(opts.threads.to_string());
    }
    let (dir, cached_dir) = match &opts.cache {
        Some(c) => {
            let mut parts: Vec<Vec<u8>> = vec![ver.clone().into_bytes()];
            parts.extend(flags.iter().map(|f| f.clone().into_bytes()));
            for s in sources {
                let text = std::fs::read(s).map_err(|e| RtlError::io(s, e))?;
                parts.push(
                    s.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                        .into_bytes(),
                );
                parts.push(text);
            }
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            let key = format!("{:016x}", fnv64(&refs));
            (c.join(&key), true)
        }
        None => (work.join("verilator"), false),
    };
    let (binary, seconds, cached) =
        build_in(&dir, cached_dir, "build the co-simulation", |c, obj| {
            c.args(&flags).arg("-Mdir").arg(obj).args(sources);
        })?;
    Ok(Built {
        binary,
        seconds,
        cached,
        version: ver,
    })
}

/// Removes from a finished build's `obj` directory everything but the
/// executable `sim`: the generated C++, its objects and archives are a
/// cached entry's bulk (about 4 MB of a small top's 8) and nothing reads
/// them again (the runtime objects are kept apart, `verilator_runtime`).
fn prune(obj: &Path) {
    for e in std::fs::read_dir(obj).into_iter().flatten().flatten() {
        if e.file_name() != "sim" {
            let p = e.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}

/// `df`'s line for the file system of `dir`, for a failed build's report
/// (a full disk shows as a compiler's write error); empty when `df` does
/// not run.
fn free_space(dir: &Path) -> String {
    let out = Command::new("df").arg("-Pk").arg(dir).output();
    match out {
        Ok(o) if o.status.success() => format!(
            "\n--- free space where it built (df -Pk) ---\n{}",
            String::from_utf8_lossy(&o.stdout).trim_end()
        ),
        _ => String::new(),
    }
}

/// The lock of the cache entry `dir` in this process (one a directory,
/// kept for the process's life: a cache holds a few dozen entries).
fn entry_lock(dir: &Path) -> std::sync::Arc<std::sync::Mutex<()>> {
    use std::sync::{Arc, Mutex, OnceLock, PoisonError};
    type Locks = Mutex<std::collections::HashMap<PathBuf, Arc<Mutex<()>>>>;
    static LOCKS: OnceLock<Locks> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    map.entry(dir.to_path_buf()).or_default().clone()
}

/// Runs a Verilator build (`verilator` with the arguments `args` gives,
/// `-Mdir` at the `obj` directory it is handed) whose executable is
/// `obj/sim` under `dir`. A cache entry (`cached_dir`) that is complete is
/// reused; otherwise the build goes to a directory of its own beside it and
/// is renamed into place, so that parallel builds of the same inputs (tests
/// in threads) never write into a directory another one runs from: the
/// first to finish wins and the others use its build. Within one process
/// the builds of one cache entry take turns (`entry_lock`): a thread that
/// finds the entry being built waits for it and reuses it rather than
/// building the same inputs again. Returns the executable, the build's
/// wall time (0 when reused) and whether it was reused.
pub(crate) fn build_in(
    dir: &Path,
    cached_dir: bool,
    what: &str,
    args: impl FnOnce(&mut Command, &Path),
) -> Result<(PathBuf, f64, bool), RtlError> {
    let entry = cached_dir.then(|| entry_lock(dir));
    let _turn = entry
        .as_ref()
        .map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let binary = dir.join("obj").join("sim");
    if cached_dir && dir.join("ok").exists() && binary.exists() {
        return Ok((binary, 0.0, true));
    }
    let tmp = if cached_dir {
        static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let mut name = dir.file_name().expect("key").to_os_string();
        name.push(format!(
            ".tmp{}-{}",
            std::process::id(),
            BUILDS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        dir.with_file_name(name)
    } else {
        dir.to_path_buf()
    };
    let _ = std::fs::remove_dir_all(&tmp);
    let obj = tmp.join("obj");
    std::fs::create_dir_all(&obj).map_err(|e| RtlError::io(&obj, e))?;
    let mut cmd = Command::new("verilator");
    args(&mut cmd, &obj);
    // in a cache, the runtime objects are shared between builds
    // (`verilator_runtime`)
    let two = match dir.parent().filter(|_| cached_dir) {
        Some(cache) => {
            let ver = version("verilator", "--version")?;
            crate::verilator_runtime::split(&cmd, &obj, cache, &ver)
        }
        None => None,
    };
    let ran: Ran = match two {
        Some(t) => crate::verilator_runtime::run_two(t, &obj, what)?,
        None => run(&mut cmd, "verilator", what, Duration::from_secs(3600))?,
    };
    if !ran.success || !obj.join("sim").exists() {
        return Err(RtlError::ToolFailed {
            tool: "verilator".into(),
            what: what.into(),
            output: format!(
                "{}{}",
                crate::tools::diagnosis(&ran.text(), 60),
                free_space(&tmp)
            ),
        });
    }
    if cached_dir {
        prune(&obj);
        std::fs::write(tmp.join("ok"), "ok").map_err(|e| RtlError::io(tmp.join("ok"), e))?;
        if std::fs::rename(&tmp, dir).is_err() {
            // another build of the same inputs won the race: use it
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
    Ok((binary, ran.seconds, false))
}
