//! `rtl check --top accel`: the accelerator top under Verilator (or Icarus,
//! [`super::icarus_tb`]), its memory
//! slave timed by the simulator's own DRAM model (the C ABI of
//! `onebit-dram-cabi`, linked into the testbench), its results compared bit
//! for bit with the reference, and the layer's start, completion and total
//! cycles compared with the engine's prediction for the same design,
//! workload and DRAM model: exactly (or, in the randomized mode, the
//! difference reported).
//!
//! The engine's cycle 0 is the cycle of the layer's first weight request
//! (the RTL's `dbg_window` rises); the descriptor fetch and the input rows
//! before it, and the write-back after it, are control traffic the engine
//! does not model (their cycles are reported apart).

use super::emit_accel;
use super::harness::HARNESS_CPP;
use super::image::{Layer, LayerTiming, DESC_ADDR, OUT_ADDR};
use super::params::AccelParams;
use crate::check::Simulator;
use crate::error::RtlError;
use crate::tools::{fnv64, require, run, tail, version};
use sim::mapping::Mapper;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How to run the check.
#[derive(Debug, Clone)]
pub struct AccelOptions {
    /// Seed of the operands (and of the randomized delays).
    pub seed: u64,
    /// Random AXI delays and back-pressure (correctness only).
    pub random: bool,
    /// Drop this timed read beat (1-based; 0: none) — a broken slave the
    /// check must catch.
    pub drop_beat: u64,
    /// Cycles the control traffic (ID 0) waits in the slave. An assumption
    /// (default 20): the engine does not model this traffic, so it moves
    /// only the cycles before the layer's cycle 0 and after its completion.
    pub ctl_latency: u64,
    /// Work directory (a temporary one when `None`).
    pub work: Option<PathBuf>,
    /// Build cache directory.
    pub cache: Option<PathBuf>,
    /// Parallel compile jobs.
    pub jobs: usize,
    /// Most cycles to simulate before giving up.
    pub max_cycles: u64,
    /// The DRAM model's static library (found beside the executable when `None`).
    pub dram_lib: Option<PathBuf>,
    /// The simulator: Verilator (`harness.cpp`) or Icarus (`icarus_tb`),
    /// the same slave and host on both.
    pub sim: Simulator,
    /// How the engine maps the layer: the fixed mapping, or a search
    /// (`onebit sim`'s mapper) whose choice the top runs where it can
    /// (`mapping.rs`).
    pub mapper: sim::mapping::Mapper,
}

impl Default for AccelOptions {
    fn default() -> AccelOptions {
        AccelOptions {
            seed: 1,
            random: false,
            drop_beat: 0,
            ctl_latency: 20,
            work: None,
            cache: None,
            jobs: 2,
            max_cycles: 50_000_000,
            dram_lib: None,
            sim: Simulator::Verilator,
            mapper: sim::mapping::Mapper::Fixed,
        }
    }
}

/// What the check found.
#[derive(Debug, Clone)]
pub struct AccelReport {
    /// Top module.
    pub top: String,
    /// Layer shape.
    pub shape: (u64, u64, u64),
    /// The engine's prediction.
    pub engine: LayerTiming,
    /// The mapping the engine and the top ran (`fixed`, or the mapper's choice).
    pub mapping: String,
    /// The RTL's: start, done, and the cycle count at completion (`None`
    /// when it never got there).
    pub rtl: Option<LayerTiming>,
    /// The RTL cycle of the layer's cycle 0 since reset (control traffic before it).
    pub prologue: u64,
    /// Simulated cycles in all.
    pub sim_cycles: u64,
    /// Results that differ from the reference.
    pub wrong_results: usize,
    /// Results compared.
    pub results: usize,
    /// The ERROR register at the end.
    pub error_reg: u64,
    /// The run ended (the interrupt came) within the cycle limit.
    pub finished: bool,
    /// Weight transfers the DRAM model timed.
    pub transfers: u64,
    /// Transfers whose address differs from the engine's placement.
    pub addr_mismatch: u64,
    /// Output stores per tile: the engine's count and the ones the DRAM
    /// model timed in the RTL run (`-1`: not reported).
    pub stores: (u64, i64),
    /// Protocol problems the slave saw.
    pub problems: u64,
    /// Weight-buffer word reads: the mapping's count (`None`: not whole
    /// words) and the RTL's (`-1`: not reported). With weight registers
    /// (`token_tile > 1`) a chunk is read once a sub-tile of tokens.
    pub wreads: (Option<u64>, i64),
    /// Randomized mode.
    pub random: bool,
    /// AXI bytes a cycle and the DRAM's peak bytes a cycle (the engine and
    /// the testbench's DRAM model time the transfers on the bus,
    /// `dram.bus_bits`: when it is the narrower, it limits both).
    pub bus: (u64, f64),
    /// Build seconds (0: cached).
    pub build_s: f64,
    /// Simulation seconds.
    pub run_s: f64,
}

impl AccelReport {
    /// Everything agrees: results bit-exact, no error, and (outside the
    /// randomized mode) start, done and total exactly the engine's.
    pub fn passed(&self) -> bool {
        let timing_ok = self.random || self.rtl == Some(self.engine);
        self.finished
            && self.wrong_results == 0
            && self.error_reg == 0
            && self.addr_mismatch == 0
            && self.problems == 0
            && self.stores.0 as i64 == self.stores.1.max(0)
            && self.wreads.0.map(|e| e as i64) == Some(self.wreads.1)
            && timing_ok
    }

    /// A plain-text summary.
    pub fn summary(&self) -> String {
        let (m, k, n) = self.shape;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}: layer M={m} K={k} N={n}{}",
            self.top,
            if self.random {
                " (randomized AXI timing)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "  engine : start {} done {} total {} (mapping: {})",
            self.engine.start, self.engine.done, self.engine.total, self.mapping
        );
        match self.rtl {
            Some(r) => {
                let d = |a: u64, b: u64| a as i64 - b as i64;
                let _ = writeln!(
                    s,
                    "  rtl    : start {} done {} total {} (difference {:+} / {:+} / {:+})",
                    r.start,
                    r.done,
                    r.total,
                    d(r.start, self.engine.start),
                    d(r.done, self.engine.done),
                    d(r.total, self.engine.total)
                );
            }
            None => {
                let _ = writeln!(s, "  rtl    : the layer did not complete");
            }
        }
        let _ = writeln!(
            s,
            "  results: {} of {} bit-exact; ERROR register {:#x}; {} weight transfers timed by the DRAM model ({} off the engine's placement); {} protocol problems",
            self.results - self.wrong_results,
            self.results,
            self.error_reg,
            self.transfers,
            self.addr_mismatch,
            self.problems
        );
        if self.stores.0 > 0 || self.stores.1 > 0 {
            let _ = writeln!(
                s,
                "  output stores per tile: engine {}, rtl {} timed by the DRAM model",
                self.stores.0, self.stores.1
            );
        }
        let _ = writeln!(
            s,
            "  weight-buffer reads: engine {}, rtl {}",
            self.wreads
                .0
                .map_or("not whole words".to_string(), |e| e.to_string()),
            self.wreads.1
        );
        let _ = writeln!(
            s,
            "  control traffic before the layer: {} cycles; simulated {} cycles in {:.2} s{} (build {:.1} s)",
            self.prologue,
            self.sim_cycles,
            self.run_s,
            if self.run_s > 0.0 {
                format!(", {:.0} cycles/s", self.sim_cycles as f64 / self.run_s)
            } else {
                String::new()
            },
            self.build_s
        );
        if self.bus.1 > self.bus.0 as f64 {
            let _ = writeln!(
                s,
                "  note: the AXI bus moves {} B a cycle, the DRAM {:.2}: the bus limits the transfers (the engine times them on it)",
                self.bus.0, self.bus.1
            );
        }
        let _ = writeln!(s, "  {}", if self.passed() { "PASS" } else { "FAIL" });
        s
    }
}

/// The DRAM model's static library.
pub fn find_dram_lib(given: Option<&Path>) -> Result<PathBuf, RtlError> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ONEBIT_DRAM_LIB") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| RtlError::io("current executable", e))?;
    for dir in exe.ancestors().skip(1).take(3) {
        let p = dir.join("libonebit_dram.a");
        if p.exists() {
            return Ok(p);
        }
    }
    Err(RtlError::Unsupported(
        "the DRAM model's C library (libonebit_dram.a) is not built: run \
         `cargo build --release -p onebit-dram-cabi` (or set ONEBIT_DRAM_LIB)"
            .into(),
    ))
}

/// Builds (or reuses) the testbench of `p`; returns the binary and the build seconds.
pub fn build(
    p: &AccelParams,
    work: &Path,
    opts: &AccelOptions,
) -> Result<(PathBuf, f64), RtlError> {
    require("verilator", "build the accelerator's co-simulation")?;
    let lib = find_dram_lib(opts.dram_lib.as_deref())?;
    let ver = version("verilator", "--version")?;
    let (files, _) = emit_accel(p, false);
    let src = work.join("src");
    std::fs::create_dir_all(&src).map_err(|e| RtlError::io(&src, e))?;
    let mut paths = Vec::new();
    for (name, text) in &files {
        let path = src.join(name);
        std::fs::write(&path, text).map_err(|e| RtlError::io(&path, e))?;
        paths.push(path);
    }
    let main = src.join("harness.cpp");
    std::fs::write(&main, HARNESS_CPP).map_err(|e| RtlError::io(&main, e))?;
    paths.push(main);
    let flags: Vec<String> = vec![
        "--cc".into(),
        "--exe".into(),
        "--build".into(),
        "-j".into(),
        opts.jobs.max(1).to_string(),
        "--top-module".into(),
        p.top(),
        "--prefix".into(),
        "Vaccel".into(),
        "-o".into(),
        "sim".into(),
        "--x-assign".into(),
        "fast".into(),
        "--x-initial".into(),
        "fast".into(),
        "-Wno-fatal".into(),
        "-Wno-lint".into(),
        "-Wno-style".into(),
        "-CFLAGS".into(),
        format!("-DDB={}", p.axi_bits),
        "-MAKEFLAGS".into(),
        "OPT_FAST=-O1".into(),
        "-MAKEFLAGS".into(),
        "OPT_SLOW=-O0".into(),
        "-LDFLAGS".into(),
        format!("-s {} -lpthread -ldl -lm", lib.display()),
    ];
    let lib_meta = std::fs::metadata(&lib).map_err(|e| RtlError::io(&lib, e))?;
    let stamp = format!(
        "{}:{:?}",
        lib_meta.len(),
        lib_meta.modified().ok().map(|t| t
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0))
    );
    let mut parts: Vec<Vec<u8>> = vec![ver.into_bytes(), stamp.into_bytes()];
    parts.extend(flags.iter().map(|f| f.clone().into_bytes()));
    for (n, t) in &files {
        parts.push(n.clone().into_bytes());
        parts.push(t.clone().into_bytes());
    }
    parts.push(HARNESS_CPP.as_bytes().to_vec());
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let key = format!("accel-{:016x}", fnv64(&refs));
    let (dir, cached_dir) = match &opts.cache {
        Some(c) => (c.join(&key), true),
        None => (work.join("verilator"), false),
    };
    let what = "build the accelerator's co-simulation";
    let (binary, seconds, _) = crate::verilator::build_in(&dir, cached_dir, what, |c, obj| {
        c.args(&flags).arg("-Mdir").arg(obj).args(&paths);
    })?;
    Ok((binary, seconds))
}

fn parse_result(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What the testbench runs: the memory image, the engine's load bytes and
/// weight region of every operator, the descriptors and the outputs to
/// read back `(address, bytes)`.
pub struct RunImage {
    /// Memory segments `(address, bytes)`.
    pub segments: Vec<(u64, Vec<u8>)>,
    /// Each operator's DRAM load bytes (the DRAM model's placement).
    pub loads: Vec<u64>,
    /// Each operator's first weight address.
    pub wbases: Vec<u64>,
    /// The descriptors: their count (at [`DESC_ADDR`]).
    pub desc_count: u64,
    /// Outputs to read back.
    pub outs: Vec<(u64, u64)>,
}

/// What the testbench reported.
pub struct RunResult {
    /// `key value` lines.
    pub fields: std::collections::HashMap<String, String>,
    /// Every output read back, as 32-bit little-endian words.
    pub outs: Vec<Vec<i32>>,
    /// Build and simulation seconds.
    pub build_s: f64,
    /// Simulation seconds.
    pub run_s: f64,
}

impl RunResult {
    /// A number of the report (-1 when missing).
    pub fn num(&self, k: &str) -> i64 {
        self.fields
            .get(k)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(-1)
    }

    /// A comma-separated list of the report.
    pub fn list(&self, k: &str) -> Vec<u64> {
        self.fields
            .get(k)
            .map(|v| {
                v.split(',')
                    .filter_map(|x| x.trim().parse::<u64>().ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Builds the testbench of `p` (or reuses it) and runs `img` on it.
pub fn simulate(
    p: &AccelParams,
    img: &RunImage,
    opts: &AccelOptions,
) -> Result<RunResult, RtlError> {
    let tmp;
    let work = match &opts.work {
        Some(w) => w.clone(),
        None => {
            static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let i = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tmp = std::env::temp_dir().join(format!("onebit-accel-{}-{i}", std::process::id()));
            tmp
        }
    };
    std::fs::create_dir_all(&work).map_err(|e| RtlError::io(&work, e))?;
    // the Verilator executable, or the Icarus image and its VPI module
    let (binary, icarus, build_s) = match opts.sim {
        Simulator::Verilator => {
            let (b, s) = build(p, &work, opts)?;
            (b, None, s)
        }
        Simulator::Icarus => {
            let b = super::icarus_tb::build(p, &work, opts)?;
            let s = b.seconds;
            (PathBuf::new(), Some(b), s)
        }
    };
    let arch_path = work.join("arch.toml");
    let toml = sim::arch::to_toml(&p.arch);
    std::fs::write(&arch_path, toml).map_err(|e| RtlError::io(&arch_path, e))?;
    let image = work.join("image.txt");
    let mut text = String::new();
    for (addr, bytes) in &img.segments {
        for (i, c) in bytes.chunks(64).enumerate() {
            let _ = write!(text, "{:x} ", addr + 64 * i as u64);
            for b in c {
                let _ = write!(text, "{b:02x}");
            }
            text.push('\n');
        }
    }
    std::fs::write(&image, text).map_err(|e| RtlError::io(&image, e))?;
    let config = work.join("config.txt");
    let join = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    let outs: Vec<String> = img.outs.iter().map(|(a, b)| format!("{a}:{b}")).collect();
    let cfg = format!(
        "arch {}\nloads {}\nwbases {}\nimage {}\nrandom {}\nseed {}\nctl_latency {}\nmax_cycles {}\ndrop_beat {}\ndesc_addr {}\ndesc_count {}\nouts {}\n",
        arch_path.display(),
        join(&img.loads),
        join(&img.wbases),
        image.display(),
        u8::from(opts.random),
        opts.seed,
        opts.ctl_latency,
        opts.max_cycles,
        opts.drop_beat,
        DESC_ADDR,
        img.desc_count,
        outs.join(",")
    );
    std::fs::write(&config, cfg).map_err(|e| RtlError::io(&config, e))?;
    let result = work.join("result.txt");
    let t = Instant::now();
    let mut cmd = match &icarus {
        Some(b) => super::icarus_tb::command(b, &config, &result),
        None => {
            let mut c = Command::new(&binary);
            c.arg(&config).arg(&result);
            c
        }
    };
    let ran = run(
        &mut cmd,
        "the accelerator's testbench",
        "simulate the accelerator",
        Duration::from_secs(3600),
    )?;
    let run_s = t.elapsed().as_secs_f64();
    if !ran.success {
        let mut output = tail(&ran.text(), 40);
        if output.contains("the DRAM model refused the design") {
            output = format!("{output}\n{}", super::dram_lib::REFUSAL_HINT);
        }
        return Err(RtlError::ToolFailed {
            tool: "the accelerator's testbench".into(),
            what: "simulate the accelerator".into(),
            output,
        });
    }
    let text = std::fs::read_to_string(&result).map_err(|e| RtlError::io(&result, e))?;
    let fields = parse_result(&text);
    let outs = (0..img.outs.len())
        .map(|i| {
            let hex = fields.get(&format!("out{i}")).cloned().unwrap_or_default();
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect();
            bytes
                .chunks(4)
                .filter(|c| c.len() == 4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
        .collect();
    if opts.work.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(RunResult {
        fields,
        outs,
        build_s,
        run_s,
    })
}

/// Checks the layer `m x k x n` on `p`.
pub fn check_gemm(
    p: &AccelParams,
    m: u64,
    k: u64,
    n: u64,
    opts: &AccelOptions,
) -> Result<AccelReport, RtlError> {
    // an input that does not fit (its token blocks) or outputs stored per
    // tile (`stream_check.rs`), in the mapping the engine runs: the
    // fixed one or the mapper's token block, loop order, K tile and N tile
    let fixed = super::stream::StreamPlan::new(p, m.max(1), k.max(1), n.max(1));
    let tm = if m > 0 && k > 0 && n > 0 && !fixed.on_chip() && opts.mapper != Mapper::Fixed {
        super::mapping::engine_mapped(p, (m, k, n), opts.mapper, true)?.2
    } else {
        super::mapping::TopMapping::fixed(p)
    };
    // (the mapper's K tile and N tile over stored outputs: whole groups
    // and chunks, `ntile_store.rs`)
    let plan = match super::ntile_store::refuses_tiling(p, (k, n)) {
        Some(why) if tm.searched && !fixed.on_chip() => Err(why),
        _ => super::stream_check::streamed_plan_mapped(p, (m, k, n), &tm),
    };
    match plan {
        Ok(Some(_)) if p.serial() => {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}`: {}",
                p.tile.name,
                p.refuses_serial(k, 1, true).unwrap_or_default()
            )))
        }
        Ok(Some(s)) => return super::stream_check::check_streamed(p, &s, (m, k, n), opts),
        Err(why) => {
            return Err(RtlError::Unsupported(format!(
                "layer M={m} K={k} N={n} on `{}`: {why}{}",
                p.tile.name,
                if tm.searched {
                    format!(" (the mapper's choice `{}`)", tm.describe)
                } else {
                    String::new()
                }
            )))
        }
        Ok(None) => {}
    }
    let layer = Layer::new_mapped(p, (m, k, n), opts.seed, opts.mapper)?;
    let img = RunImage {
        segments: layer.segments.clone(),
        loads: layer.loads.clone(),
        wbases: vec![0],
        desc_count: 1,
        outs: vec![(OUT_ADDR, layer.out_bytes())],
    };
    let r = simulate(p, &img, opts)?;
    let num = |k: &str| r.num(k);
    let finished = num("finished") == 1;
    let t0 = num("t0");
    let (starts, dones) = (r.list("starts"), r.list("dones"));
    // the total is the accelerator's own LAYER_CYC counter, read over AXI4-Lite
    let total = num("layer_cycles");
    let rtl = match (starts.first(), dones.first()) {
        (Some(&start), Some(&done)) if t0 >= 0 && total >= 0 => Some(LayerTiming {
            start,
            done,
            total: total as u64,
        }),
        _ => None,
    };
    let got = &r.outs[0];
    let wrong = layer
        .expected
        .iter()
        .enumerate()
        .filter(|&(i, e)| got.get(i) != Some(e))
        .count();
    Ok(AccelReport {
        top: p.top(),
        shape: (m, k, n),
        engine: layer.timing,
        mapping: layer.mapping.describe.clone(),
        rtl,
        prologue: t0.max(0) as u64,
        sim_cycles: num("cycles").max(0) as u64,
        wrong_results: wrong,
        results: layer.expected.len(),
        error_reg: num("error").max(0) as u64,
        finished,
        transfers: num("transfers").max(0) as u64,
        addr_mismatch: num("addr_mismatch").max(0) as u64,
        stores: (0, num("stores")),
        problems: num("problems").max(0) as u64,
        wreads: (
            super::tokens::engine_weight_reads(p, &layer.plan, n),
            num("wreads"),
        ),
        random: opts.random,
        bus: (p.beat_bytes(), p.dram_bytes_per_cycle()),
        build_s: r.build_s,
        run_s: r.run_s,
    })
}
