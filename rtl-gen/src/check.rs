//! `rtl check`: lint every design, then co-simulate it against the
//! simulator's prediction, bit for bit and cycle for cycle.
//!
//! Several designs can share one simulation build ([`run_cases`]): each gets
//! its own testbench under one `tb_top`, so the simulator's fixed build cost
//! (Verilator's runtime library) is paid once per batch. Verilator builds
//! are cached by the hash of their inputs when a cache directory is given.

use crate::design::Design;
use crate::emit::{emit_design, Emitted};
use crate::error::RtlError;
use crate::print::print_file;
use crate::replay::Replay;
use crate::testbench::{clock_module, tb_module, top_module, Depths, VERILATOR_MAIN};
use crate::tools::{run, tail};
use crate::verilator::{self, BuildOptions, LintReport};
use crate::{icarus, vectors};
use sim::Accelerator;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// The simulator that runs the testbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Simulator {
    /// Verilator (compiled, fast).
    Verilator,
    /// Icarus Verilog (event-driven, 4-state).
    Icarus,
}

impl Simulator {
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Simulator::Verilator => "verilator",
            Simulator::Icarus => "icarus",
        }
    }
}

impl FromStr for Simulator {
    type Err = String;
    fn from_str(s: &str) -> Result<Simulator, String> {
        match s {
            "verilator" => Ok(Simulator::Verilator),
            "icarus" | "iverilog" => Ok(Simulator::Icarus),
            other => Err(format!(
                "unknown simulator `{other}`: expected verilator or icarus"
            )),
        }
    }
}

/// How to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Seed of the random vectors.
    pub seed: u64,
    /// Chunks to send (at least; the extremes come first).
    pub vectors: usize,
    /// The simulator.
    pub sim: Simulator,
    /// Write a VCD of the whole run here.
    pub vcd: Option<PathBuf>,
    /// Work directory (sources, vectors, build); a temporary one, removed
    /// afterwards, when `None`.
    pub work: Option<PathBuf>,
    /// Verilator build cache (see [`BuildOptions::cache`]).
    pub cache: Option<PathBuf>,
    /// Parallel compile jobs.
    pub jobs: usize,
    /// C++ optimization of the Verilator model.
    pub opt: String,
    /// Verilator simulation threads.
    pub threads: usize,
    /// Longest the simulation may run.
    pub time_limit: Duration,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            seed: 1,
            vectors: 300,
            sim: Simulator::Verilator,
            vcd: None,
            work: None,
            cache: None,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            opt: "-O1".into(),
            threads: 1,
            time_limit: Duration::from_secs(3600),
        }
    }
}

/// One design to co-simulate: its files and its replay.
#[derive(Debug, Clone)]
pub struct Case {
    /// The generated design.
    pub emitted: Emitted,
    /// Vectors and expectations.
    pub replay: Replay,
}

impl Case {
    /// The design of `arch` with `vectors` chunks from `seed`
    /// ([`vectors::stimulus`]), predicted by `sim::tile::predict`.
    pub fn new(arch: &Accelerator, seed: u64, chunks: usize) -> Result<Case, RtlError> {
        let d = Design::new(arch)?;
        let stim = vectors::stimulus(&d, seed, chunks);
        let replay = Replay::predicted(&d, &stim)?;
        Ok(Case {
            emitted: emit_design(&d),
            replay,
        })
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.emitted.design
    }
}

/// What a testbench's `DONE` line reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    /// Cycles replayed.
    pub cycles: u64,
    /// Chunks accepted.
    pub accepted: u64,
    /// Outputs taken.
    pub outputs: u64,
    /// Mismatching checks.
    pub mismatches: u64,
}

/// The outcome for one design.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Design name.
    pub design: String,
    /// Verilator lint.
    pub lint: LintReport,
    /// Chunks in the vector set (the pool).
    pub vectors: usize,
    /// Chunks accepted (expected).
    pub chunks: u64,
    /// Reductions finished and taken (expected).
    pub reductions: u64,
    /// Cycles replayed (expected).
    pub cycles: u64,
    /// What the testbench reported, or `None` when it never finished.
    pub reported: Option<Reported>,
    /// The first mismatch lines.
    pub messages: Vec<String>,
    /// An accumulator wrapped in the model (a reduction beyond `max_k`).
    pub wrapped: bool,
}

impl CaseResult {
    /// Mismatches (reported, or 1 when the testbench did not finish or
    /// its counts differ from the prediction).
    pub fn mismatches(&self) -> u64 {
        match self.reported {
            Some(r) => {
                r.mismatches
                    + u64::from(
                        r.cycles != self.cycles
                            || r.accepted != self.chunks
                            || r.outputs != self.reductions,
                    )
            }
            None => 1,
        }
    }

    /// Lint clean and no mismatch.
    pub fn passed(&self) -> bool {
        self.lint.clean && self.mismatches() == 0
    }
}

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The simulator.
    pub sim: Simulator,
    /// Its version.
    pub sim_version: String,
    /// Per design.
    pub cases: Vec<CaseResult>,
    /// Wall time of the lint runs.
    pub lint_s: f64,
    /// Wall time of the build (0 when reused from the cache).
    pub build_s: f64,
    /// The build came from the cache.
    pub build_cached: bool,
    /// Wall time of the simulation.
    pub run_s: f64,
    /// Cycles simulated (the longest replay).
    pub cycles: u64,
    /// The VCD written.
    pub vcd: Option<PathBuf>,
}

impl CheckReport {
    /// Every design passed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(CaseResult::passed)
    }

    /// Simulated cycles per second of wall time (the whole batch, the
    /// testbench included).
    pub fn cycles_per_second(&self) -> f64 {
        if self.run_s > 0.0 {
            self.cycles as f64 / self.run_s
        } else {
            0.0
        }
    }

    /// The human summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for c in &self.cases {
            s.push_str(&format!(
                "{}: lint {}, {} vectors ({} chunks, {} reductions), {} cycles, {} mismatches{}\n",
                c.design,
                if c.lint.clean { "clean" } else { "WARNINGS" },
                c.vectors,
                c.chunks,
                c.reductions,
                c.cycles,
                c.mismatches(),
                if c.wrapped {
                    " (an accumulator wrapped: a reduction beyond max_k)"
                } else {
                    ""
                }
            ));
            if !c.lint.clean {
                s.push_str(&indent(&tail(&c.lint.output, 20)));
            }
            for m in &c.messages {
                s.push_str(&format!("  {m}\n"));
            }
            if c.reported.is_none() {
                s.push_str("  the testbench did not finish\n");
            }
        }
        s.push_str(&format!(
            "{} ({}): lint {:.1} s, build {}, run {:.2} s ({:.0} cycles/s)\n",
            self.sim.name(),
            self.sim_version,
            self.lint_s,
            if self.build_cached {
                "reused".to_string()
            } else {
                format!("{:.1} s", self.build_s)
            },
            self.run_s,
            self.cycles_per_second()
        ));
        if let Some(v) = &self.vcd {
            s.push_str(&format!("waveform: {}\n", v.display()));
        }
        s.push_str(if self.passed() { "PASS\n" } else { "FAIL\n" });
        s
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// Lints and co-simulates one accelerator ([`Case::new`] with the options'
/// seed and vector count).
pub fn check(arch: &Accelerator, opts: &CheckOptions) -> Result<CheckReport, RtlError> {
    run_cases(vec![Case::new(arch, opts.seed, opts.vectors)?], opts)
}

/// The speed benchmark: `arch` replaying a pool of `opts.vectors` chunks
/// for `cycles` cycles, `in_valid` and `out_ready` each high 95% of the
/// time, every output still checked ([`Replay::streamed`]).
pub fn bench(
    arch: &Accelerator,
    cycles: u64,
    opts: &CheckOptions,
) -> Result<CheckReport, RtlError> {
    let d = Design::new(arch)?;
    let pool = vectors::stimulus(&d, opts.seed, opts.vectors).chunks;
    let replay = Replay::streamed(&d, pool, cycles, 0.95, opts.seed)?;
    run_cases(
        vec![Case {
            emitted: emit_design(&d),
            replay,
        }],
        opts,
    )
}

fn write(path: &Path, text: &str) -> Result<(), RtlError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| RtlError::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| RtlError::io(path, e))
}

/// A temporary directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, RtlError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let p = std::env::temp_dir().join(format!("onebit-rtl-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).map_err(|e| RtlError::io(&p, e))?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lints and co-simulates a batch of designs in one simulation build (design
/// names must differ).
pub fn run_cases(cases: Vec<Case>, opts: &CheckOptions) -> Result<CheckReport, RtlError> {
    let mut names: Vec<&str> = cases.iter().map(|c| c.design().name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) || cases.is_empty() {
        return Err(RtlError::Unsupported(
            "a batch needs at least one design and distinct design names".into(),
        ));
    }
    let temp;
    let work = match &opts.work {
        Some(w) => {
            std::fs::create_dir_all(w).map_err(|e| RtlError::io(w, e))?;
            w.clone()
        }
        None => {
            temp = TempDir::new()?;
            temp.0.clone()
        }
    };
    let src = work.join("src");
    let rundir = work.join("run");

    // sources, and the lint of every design (`jobs` at a time)
    let mut sources: Vec<PathBuf> = Vec::new();
    let mut per_design = Vec::new();
    for c in &cases {
        let mut files = Vec::new();
        for (name, text) in &c.emitted.verilog {
            let p = src.join(name);
            write(&p, text)?;
            files.push(p);
        }
        sources.extend(files.iter().cloned());
        per_design.push((files, c.design().top()));
    }
    let lint_start = Instant::now();
    let lints = lint_all(&per_design, opts.jobs)?;
    let lint_s = lint_start.elapsed().as_secs_f64();
    let mut plusargs = Vec::new();
    for c in &cases {
        let d = c.design();
        let r = &c.replay;
        let depths = Depths::holding(r.cycles(), r.pool.len() as u64, r.outputs.len() as u64);
        let p = src.join(format!("{}.v", d.tb_module()));
        write(&p, &print_file(&[], &[tb_module(d, depths)]))?;
        sources.push(p);
        let dir = rundir.join(&d.name);
        write(&dir.join("cycles.hex"), &r.records_hex())?;
        write(&dir.join("chunks.hex"), &r.chunks_hex(d)?)?;
        let outs = if r.outputs.is_empty() {
            "0\n".to_string()
        } else {
            r.outputs_hex(d)
        };
        write(&dir.join("outputs.hex"), &outs)?;
        plusargs.push(format!("+{}_cycles={}", d.name, r.cycles()));
        plusargs.push(format!("+{}_pool={}", d.name, r.pool.len().max(1)));
        plusargs.push(format!("+{}_outs={}", d.name, r.outputs.len().max(1)));
    }
    let designs: Vec<&Design> = cases.iter().map(Case::design).collect();
    let top = src.join("tb_top.v");
    write(
        &top,
        &print_file(&[], &[top_module(&designs, opts.vcd.is_some())]),
    )?;
    sources.push(top);
    let vcd = match &opts.vcd {
        Some(v) => {
            let abs = if v.is_absolute() {
                v.clone()
            } else {
                std::env::current_dir()
                    .map_err(|e| RtlError::io(v, e))?
                    .join(v)
            };
            plusargs.push(format!("+vcd={}", abs.display()));
            Some(abs)
        }
        None => None,
    };

    // build and run
    let (mut cmd, build_s, build_cached, sim_version) = match opts.sim {
        Simulator::Verilator => {
            let main = src.join("main.cpp");
            write(&main, VERILATOR_MAIN)?;
            let mut all = sources.clone();
            all.push(main);
            let built = verilator::build(
                &all,
                &work,
                &BuildOptions {
                    jobs: opts.jobs,
                    trace: opts.vcd.is_some(),
                    opt: opts.opt.clone(),
                    threads: opts.threads,
                    cache: opts.cache.clone(),
                },
            )?;
            (
                Command::new(&built.binary),
                built.seconds,
                built.cached,
                built.version,
            )
        }
        Simulator::Icarus => {
            let clk = src.join("tb_clk.v");
            write(&clk, &print_file(&[], &[clock_module()]))?;
            let mut all = sources.clone();
            all.push(clk);
            let compiled = icarus::compile(&all, "tb_clk", &work)?;
            let mut c = Command::new("vvp");
            c.arg("-n").arg(&compiled.image);
            (c, compiled.seconds, false, compiled.version)
        }
    };
    cmd.args(&plusargs).current_dir(&rundir);
    let ran = run(
        &mut cmd,
        opts.sim.name(),
        "run the co-simulation",
        opts.time_limit,
    )?;
    let text = ran.text();
    if !ran.success || !text.contains("ONEBIT FINISHED") {
        return Err(RtlError::ToolFailed {
            tool: opts.sim.name().into(),
            what: "run the co-simulation".into(),
            output: tail(&text, 60),
        });
    }
    let results = cases
        .iter()
        .zip(lints)
        .map(|(c, lint)| {
            let r = &c.replay;
            let (reported, messages) = parse(&text, &c.design().name);
            CaseResult {
                design: c.design().name.clone(),
                lint,
                vectors: r.pool.len(),
                chunks: r.accepted,
                reductions: r.taken,
                cycles: r.cycles(),
                reported,
                messages,
                wrapped: r.wrapped,
            }
        })
        .collect();
    Ok(CheckReport {
        sim: opts.sim,
        sim_version,
        cases: results,
        lint_s,
        build_s,
        build_cached,
        run_s: ran.seconds,
        cycles: cases.iter().map(|c| c.replay.cycles()).max().unwrap_or(0),
        vcd,
    })
}

/// [`verilator::lint`] of every `(files, top)`, `jobs` at a time, in order.
fn lint_all(designs: &[(Vec<PathBuf>, String)], jobs: usize) -> Result<Vec<LintReport>, RtlError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<LintReport, RtlError>>>> = designs
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, designs.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((files, top)) = designs.get(i) else {
                    break;
                };
                let r = verilator::lint(files, top);
                *results[i].lock().expect("lint result") = Some(r);
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .expect("lint result")
                .expect("every design linted")
        })
        .collect()
}

/// The testbench's `DONE` counts and `MISMATCH` lines for `design`.
fn parse(text: &str, design: &str) -> (Option<Reported>, Vec<String>) {
    let prefix = format!("ONEBIT {design} ");
    let mut done = None;
    let mut messages = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix(&prefix) else {
            continue;
        };
        if let Some(fields) = rest.strip_prefix("DONE ") {
            let get = |k: &str| -> Option<u64> {
                fields
                    .split_whitespace()
                    .find_map(|f| f.strip_prefix(k)?.strip_prefix('=')?.parse().ok())
            };
            done = Some(Reported {
                cycles: get("cycles").unwrap_or(0),
                accepted: get("accepted").unwrap_or(0),
                outputs: get("outputs").unwrap_or(0),
                mismatches: get("mismatches").unwrap_or(u64::MAX),
            });
        } else {
            messages.push(rest.to_string());
        }
    }
    (done, messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_testbench_output() {
        let text = "ONEBIT a MISMATCH cycle=3 signal=in_ready got=0 expected=1\n\
                    ONEBIT ab DONE cycles=9 accepted=1 outputs=1 mismatches=0\n\
                    ONEBIT a DONE cycles=10 accepted=2 outputs=1 mismatches=1\n";
        let (d, m) = parse(text, "a");
        assert_eq!(
            d,
            Some(Reported {
                cycles: 10,
                accepted: 2,
                outputs: 1,
                mismatches: 1
            })
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("MISMATCH cycle=3"));
    }
}
