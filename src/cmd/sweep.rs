//! `onebit sweep --space SPACE.toml (--model NAME | --hf-config FILE |
//! --trace FILE) --out DIR`: simulates and prices every point of a design
//! space (a grid, or a seeded random sample of it), in parallel, with a
//! progress bar on a terminal; writes every point as CSV and JSON lines,
//! marks and plots the Pareto front (docs/sweeps.md).

use crate::arch_arg::load_arch;
use crate::cmd::report::render_error;
use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::output::{check_dir, write_dir};
use crate::stdio::outln;
use crate::tech_arg::load_tech_for;
use crate::workload_arg::WorkloadArgs;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reports::sweep::store::{self, Meta, SampleDoc, ShardDoc, WorkloadDoc};
use reports::sweep::{self, Space, Sweep};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `onebit sweep --space SPACE.toml (--model NAME | --hf-config FILE | --trace FILE) --out DIR`
#[derive(Debug, Args)]
pub struct SweepCmd {
    /// The design space: base design, keys to vary, budgets (docs/sweeps.md).
    #[arg(long, value_name = "SPACE.toml")]
    space: PathBuf,
    #[command(flatten)]
    workload: WorkloadArgs,
    /// Directory for sweep.json, points.csv, points.jsonl and pareto.svg/.png.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Threads (default: one per core; more than the machine runs at once
    /// is capped there, with a note). Results do not depend on it.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Run only shard I of N (0-based): every N-th point from the I-th;
    /// join the shards with `onebit merge`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// Evaluate K points drawn at random from the grid (with --seed).
    #[arg(long, value_name = "K", requires = "seed")]
    sample: Option<u64>,
    /// Seed of --sample: the same seed draws the same points.
    #[arg(long, value_name = "S", requires = "sample")]
    seed: Option<u64>,
    /// Technology table: `7nm`, `16nm`, `28nm`, `45nm`, or a TOML file;
    /// default: the base design's `technology`, else 7nm.
    #[arg(long, value_name = "FILE|7nm|16nm|28nm|45nm")]
    tech: Option<String>,
    /// Also write the report page (HTML, Markdown, plots) into DIR.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Most points this run may evaluate (after --sample and --shard), and
    /// the largest --sample; checked before any work starts.
    #[arg(long, value_name = "N", default_value_t = sweep::DEFAULT_MAX_POINTS)]
    max_points: u64,
    /// Keep a journal of finished points beside --out and, when a killed
    /// run of the same sweep left one, evaluate only the points it had not
    /// finished; an --out already complete for this sweep is kept as is.
    #[arg(long)]
    resume: bool,
    /// Run nothing: write into DIR a Slurm array job of --shards tasks (one
    /// shard each, resumable) and the merge into --out as a job depending
    /// on it, with `submit.sh` to submit both (docs/sweeps.md).
    #[arg(long, value_name = "DIR", requires = "shards", conflicts_with_all = ["shard", "resume"])]
    slurm: Option<PathBuf>,
    /// Tasks of the --slurm array job: the sweep's shards.
    #[arg(long, value_name = "N", requires = "slurm")]
    shards: Option<u64>,
    /// Time limit of each --slurm task (Slurm's `--time`).
    #[arg(
        long,
        value_name = "TIME",
        default_value = "01:00:00",
        requires = "slurm"
    )]
    time: String,
}

/// Parses `I/N` with I < N.
pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected I/N (e.g. 0/4), found `{s}`"))?;
    let i: u64 = i
        .trim()
        .parse()
        .map_err(|_| format!("`{i}` is not a shard number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a shard count"))?;
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: expected 0 <= I < N"));
    }
    Ok((i, n))
}

/// Checks the output directories before the sweep runs: each must be new,
/// empty or an earlier output of its kind, and they must differ.
pub fn check_outputs(out: &Path, report: Option<&Path>) -> CliResult {
    check_dir(out, "sweep")?;
    if let Some(r) = report {
        check_dir(r, "report")?;
        if r == out {
            return Err(CliError::Usage(format!(
                "--out and --report are both {}: give the report its own directory",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Refuses a run above the point limit before anything is allocated.
fn check_budget(sel: &sweep::Selection, sample: Option<(u64, u64)>, max: u64) -> CliResult {
    if let Some((k, _)) = sample {
        // a sample is drawn whole before it is split into shards
        if sel.selected > max {
            return Err(CliError::Usage(format!(
                "--sample {k} draws {} points, more than the limit of {max} (--max-points); \
                 raise the limit with --max-points N if this machine has the time and memory",
                sel.selected
            )));
        }
    }
    if sel.here > max {
        return Err(CliError::Usage(format!(
            "this run would evaluate {} points (grid of {}), more than the limit of {max} \
             (--max-points): sample the grid with --sample K --seed S, split it with \
             --shard I/N, or raise the limit with --max-points N",
            sel.here, sel.grid
        )));
    }
    Ok(())
}

/// The base design of a space: a preset, or a file relative to the space;
/// a system preset or file gives its chip and its `[system]` table.
fn load_base(
    space_file: &Path,
    base: &str,
) -> CliResult<(sim::Accelerator, Option<sim::system::SystemConfig>)> {
    let p = Path::new(base);
    if (sim::arch::preset(base).is_some() || sim::system::system_preset_text(base).is_some())
        && !p.exists()
    {
        if let Some(d) = crate::arch_arg::load_system(base)? {
            return Ok((d.chip, Some(d.system)));
        }
        return Ok((load_arch(base)?, None));
    }
    let resolved = if p.is_relative() {
        space_file.parent().unwrap_or(Path::new(".")).join(p)
    } else {
        p.to_path_buf()
    };
    let spec = resolved.to_string_lossy();
    if let Some(d) = crate::arch_arg::load_system(&spec)? {
        return Ok((d.chip, Some(d.system)));
    }
    Ok((load_arch(&spec)?, None))
}

/// Writes a sweep's files (and its report) and prints where they are.
pub fn write_sweep(
    meta: &Meta,
    points: &[sweep::PointResult],
    out: &Path,
    report: Option<&Path>,
) -> CliResult {
    let chart = sweep::report::pareto_chart(meta, points).map_err(render_error)?;
    write_dir(out, &store::files(meta, points, &chart), "sweep")?;
    if let Some(dir) = report {
        let o = sweep::report::report(meta, points).map_err(render_error)?;
        write_dir(dir, &o, "report")?;
    }
    let c = meta.counts;
    outln(format!(
        "{} points: {} within budget, {} over a budget, {} invalid, {} infeasible (DRAM capacity); Pareto front: {} points",
        meta.points, c.ok, c.over_budget, c.invalid, c.infeasible, c.pareto
    ))?;
    outln(format!(
        "results: {} and {}; plot: {}",
        out.join("points.csv").display(),
        out.join("points.jsonl").display(),
        out.join("pareto.svg").display()
    ))?;
    if let Some(dir) = report {
        outln(format!("report: {}", dir.join("report.html").display()))?;
    }
    Ok(())
}

impl SweepCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        check_outputs(&self.out, self.report.as_deref())?;
        if let Some(dir) = &self.slurm {
            return crate::cmd::sweep_slurm::SlurmJob {
                dir,
                shards: self.shards.unwrap_or(1),
                jobs: self.jobs.unwrap_or(1),
                time: &self.time,
                out: &self.out,
                report: self.report.as_deref(),
            }
            .write(&|shard| self.validate(Some(shard)));
        }
        self.with_sweep(|sw| self.run_sweep(sw))
    }

    /// Reads the space, its base design, the workload and the technology,
    /// checks the space's keys, and gives `run` the sweep they make: the one
    /// set-up of a run and of the checks `--slurm` makes first.
    fn with_sweep<R>(&self, run: impl FnOnce(&Sweep<'_>) -> CliResult<R>) -> CliResult<R> {
        let text = read_text(&self.space)?;
        let space = Space::parse(&text)
            .map_err(|e| CliError::at(&self.space, e.line, e.col, &e.message))?;
        let (base, system) = load_base(&self.space, &space.base)?;
        let trace = self
            .workload
            .load(base.array.weights, Some(base.attention.kv_format()))?;
        let tech = load_tech_for(self.tech.as_deref(), &base)?;
        let trace_at = |batch: u64| {
            let mut w = self.workload.clone();
            w.batch = Some(batch);
            w.load(base.array.weights, Some(base.attention.kv_format()))
                .map_err(|e| e.to_string())
        };
        let sw = Sweep {
            space: &space,
            base: &base,
            trace: &trace,
            tech: &tech,
            system: system.as_ref().map(|config| sweep::system::SystemBase {
                config,
                trace_at: &trace_at,
            }),
        };
        sw.check_keys()
            .map_err(|e| CliError::file(&self.space, e))?;
        run(&sw)
    }

    /// Evaluates the sweep's points (or the shard's) and writes the output.
    fn run_sweep(&self, sw: &Sweep<'_>) -> CliResult {
        let (space, base, trace, tech) = (sw.space, sw.base, sw.trace, sw.tech);
        let sample = self.sample.zip(self.seed);
        let sel = sweep::selection(space, sample, self.shard).map_err(CliError::Usage)?;
        check_budget(&sel, sample, self.max_points)?;
        let jobs = crate::jobs_arg::resolve(self.jobs)?;
        let selected = sel.selected;
        let indices = sweep::indices(space, sample, self.shard)
            .map_err(|e| CliError::file(&self.space, e))?;
        let workload = WorkloadDoc {
            model: trace.meta.model.clone(),
            phase: trace.meta.phase.to_string(),
            batch: trace.meta.batch,
            seq: trace.meta.seq,
            tokens: trace.meta.tokens(),
            ops: trace.ops.len() as u64,
        };
        let mut meta = Meta::new(
            space,
            base,
            workload,
            &tech.name,
            sample.map(|(points, seed)| SampleDoc { points, seed }),
            selected,
            self.shard.map(|(index, count)| ShardDoc { index, count }),
        );
        let bar =
            ProgressBar::with_draw_target(Some(indices.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:36}] {pos}/{len} points  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let t0 = Instant::now();
        let mut resumed = None;
        let points = if self.resume {
            if crate::cmd::sweep_slurm::already_complete(&self.out, &meta) {
                bar.finish_and_clear();
                return outln(format!(
                    "{} is already complete for this sweep: nothing to do",
                    self.out.display()
                ));
            }
            let header = serde_json::to_string(&meta).unwrap_or_default();
            let (journal, done) = crate::journal::Journal::open(&self.out, &header)?;
            let todo: Vec<u64> = indices
                .iter()
                .copied()
                .filter(|i| !done.contains_key(i))
                .collect();
            bar.inc(indices.len() as u64 - todo.len() as u64);
            let failed = std::sync::Mutex::new(None);
            let mut points = sw
                .run_each(&todo, jobs, &|p| {
                    if let Err(e) = journal.record(p) {
                        if let Ok(mut f) = failed.lock() {
                            f.get_or_insert(e.to_string());
                        }
                    }
                    bar.inc(1)
                })
                .map_err(|e| CliError::Usage(format!("--jobs {jobs}: {e}")))?;
            if let Some(e) = failed.into_inner().ok().flatten() {
                return Err(CliError::file(
                    &crate::journal::journal_path(&self.out),
                    format!("cannot write the sweep's journal: {e}"),
                ));
            }
            resumed = Some((done.len(), todo.len(), journal));
            points.extend(done.into_values());
            sweep::mark_pareto(&mut points);
            points
        } else {
            sw.run(&indices, jobs, &|| bar.inc(1))
                .map_err(|e| CliError::Usage(format!("--jobs {jobs}: {e}")))?
        };
        bar.finish_and_clear();
        let secs = t0.elapsed().as_secs_f64();
        meta.count(&points);
        outln(format!(
            "swept {} design points of {} in {:.1} s ({:.0} points/s){}",
            points.len(),
            trace.meta.model,
            secs,
            points.len() as f64 / secs.max(1e-9),
            self.shard
                .map(|(i, n)| format!(", shard {i}/{n}"))
                .unwrap_or_default()
        ))?;
        if let Some((kept, evaluated, _)) = &resumed {
            outln(format!(
                "resumed: {kept} points from the journal of an earlier run, {evaluated} evaluated now"
            ))?;
        }
        write_sweep(&meta, &points, &self.out, self.report.as_deref())?;
        if let Some((_, _, journal)) = resumed {
            journal.finish()?;
        }
        Ok(())
    }

    /// Checks that the sweep would run (space, base, workload, keys, the
    /// shard's points) without evaluating a point: what `--slurm` checks
    /// for every shard before it writes the job.
    fn validate(&self, shard: Option<(u64, u64)>) -> CliResult {
        self.with_sweep(|sw| {
            let sample = self.sample.zip(self.seed);
            let sel = sweep::selection(sw.space, sample, shard).map_err(CliError::Usage)?;
            check_budget(&sel, sample, self.max_points)
        })
    }
}
