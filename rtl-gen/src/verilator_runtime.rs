//! Verilator's runtime objects shared between the builds of one cache.
//!
//! Every Verilator build compiles the same runtime (`verilated.cpp`,
//! `verilated_threads.cpp`, with `--trace` `verilated_vcd_c.cpp`): about 4
//! s of CPU of a small design's 16, the same objects whatever the design
//! for the same Verilator and flags. A build into a cache
//! (`verilator::build_in` with a cache directory) therefore runs in two
//! steps, as `verilator --build` itself does: `verilator` writes the C++
//! and its makefile, then `make` compiles and links. Between them the
//! runtime objects of an earlier build with the same flags (the cache's
//! `runtime-<key>`) are copied into the build, newer than the makefile, so
//! `make` takes them as built; after a build that compiled them, they are
//! kept there for the next. The key is Verilator's version and every
//! argument but the sources and the output directory.

use crate::error::RtlError;
use crate::tools::{fnv64, run, Ran};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A `verilator --build` command split into its two steps.
pub(crate) struct TwoStep {
    /// `verilator` without `--build`: writes the C++ and the makefile.
    pub verilate: Command,
    /// `make -C <obj> -f <prefix>.mk -j <N> <MAKEFLAGS>`: compiles and links.
    pub make: Command,
    /// The runtime objects' directory for these flags (`runtime-<key>`
    /// beside the builds).
    pub runtime: PathBuf,
}

/// Splits `cmd` (a `verilator --build` command whose `-Mdir` is `obj`)
/// into its two steps, the runtime kept under `cache`; `None` when it has
/// no `--build` (nothing to share).
pub(crate) fn split(cmd: &Command, obj: &Path, cache: &Path, version: &str) -> Option<TwoStep> {
    let args: Vec<OsString> = cmd.get_args().map(|a| a.to_os_string()).collect();
    if !args.iter().any(|a| a == "--build") {
        return None;
    }
    let mut verilate = Command::new(cmd.get_program());
    let (mut jobs, mut prefix, mut top) = (None, None, None);
    let mut make_flags = Vec::new();
    let mut key: Vec<Vec<u8>> = vec![version.as_bytes().to_vec()];
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let next = args.get(i + 1).cloned();
        let s = a.to_string_lossy();
        match s.as_ref() {
            "--build" => {}
            "-j" | "--prefix" | "--top-module" | "-MAKEFLAGS" | "-Mdir" => {
                let v = next.clone().unwrap_or_default();
                match s.as_ref() {
                    "-j" => jobs = Some(v.clone()),
                    "--prefix" => prefix = Some(v.clone()),
                    "--top-module" => top = Some(v.clone()),
                    "-MAKEFLAGS" => make_flags.push(v.clone()),
                    _ => {}
                }
                verilate.arg(a).arg(&v);
                if s != "-Mdir" && s != "--top-module" && s != "--prefix" {
                    key.push(a.as_encoded_bytes().to_vec());
                    key.push(v.as_encoded_bytes().to_vec());
                }
                i += 2;
                continue;
            }
            _ => {
                verilate.arg(a);
                let source = [".v", ".sv", ".cpp", ".c"]
                    .iter()
                    .any(|e| s.ends_with(e) && !s.starts_with('-'));
                if !source {
                    key.push(a.as_encoded_bytes().to_vec());
                }
            }
        }
        i += 1;
    }
    let prefix = prefix.or_else(|| top.map(|t| format!("V{}", t.to_string_lossy()).into()))?;
    let mut make = Command::new("make");
    make.arg("-C")
        .arg(obj)
        .arg("-f")
        .arg(format!("{}.mk", prefix.to_string_lossy()));
    if let Some(j) = jobs {
        make.arg("-j").arg(j);
    }
    make.args(make_flags);
    let refs: Vec<&[u8]> = key.iter().map(Vec::as_slice).collect();
    let runtime = cache.join(format!("runtime-{:016x}", fnv64(&refs)));
    Some(TwoStep {
        verilate,
        make,
        runtime,
    })
}

/// Whether a file name is one of Verilator's runtime objects.
fn is_runtime(name: &str) -> bool {
    name.starts_with("verilated") && name.ends_with(".o")
}

/// Runs the two steps in `obj`: the runtime objects kept in `runtime` are
/// copied in between them (a copy is newer than the makefile, so `make`
/// keeps it), and kept there after a build that compiled them. Returns
/// the two steps' output, whether both succeeded and their seconds.
pub(crate) fn run_two(mut t: TwoStep, obj: &Path, what: &str) -> Result<Ran, RtlError> {
    let limit = Duration::from_secs(3600);
    let first = run(&mut t.verilate, "verilator", what, limit)?;
    if !first.success {
        return Ok(first);
    }
    let had = t.runtime.join("ok").exists();
    if had {
        for e in std::fs::read_dir(&t.runtime)
            .map_err(|e| RtlError::io(&t.runtime, e))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_runtime(&name) {
                std::fs::copy(e.path(), obj.join(&name)).map_err(|x| RtlError::io(e.path(), x))?;
            }
        }
    }
    let second = run(&mut t.make, "make", what, limit)?;
    if second.success && !had {
        keep(obj, &t.runtime);
    }
    Ok(Ran {
        success: second.success,
        stdout: format!("{}{}", first.stdout, second.stdout),
        stderr: format!("{}{}", first.stderr, second.stderr),
        seconds: first.seconds + second.seconds,
    })
}

/// Copies the runtime objects of the build in `obj` to `runtime` (through
/// a directory of its own renamed into place: a concurrent build that got
/// there first wins). Failing to keep them only costs the next build the
/// compile.
fn keep(obj: &Path, runtime: &Path) {
    static KEPT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut tmp = runtime.as_os_str().to_os_string();
    tmp.push(format!(
        ".tmp{}-{}",
        std::process::id(),
        KEPT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    let copied = (|| -> std::io::Result<usize> {
        std::fs::create_dir_all(&tmp)?;
        let mut n = 0;
        for e in std::fs::read_dir(obj)?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_runtime(&name) {
                std::fs::copy(e.path(), tmp.join(&name))?;
                n += 1;
            }
        }
        std::fs::write(tmp.join("ok"), "ok")?;
        Ok(n)
    })();
    match copied {
        Ok(n) if n > 0 && std::fs::rename(&tmp, runtime).is_ok() => {}
        _ => {
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
}
