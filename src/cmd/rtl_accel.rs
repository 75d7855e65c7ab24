//! `onebit rtl emit|check|synth --top accel`: the whole accelerator
//! (AXI4, buffers, DMA, sequencer, the tile) — parse, call
//! `rtl_gen::accel`, print.

use crate::error::{CliError, CliResult};
use crate::output::{check_dir, write_dir};
use crate::stdio::{out, outln};
use rtl_gen::accel::chain::ChainLayer;
use rtl_gen::accel::chain_check::check_chain;
use rtl_gen::accel::check::{check_gemm, AccelOptions, AccelReport};
use rtl_gen::accel::{emit_accel, AccelParams};
use rtl_gen::RtlError;
use sim::Accelerator;
use std::path::{Path, PathBuf};

/// A named layer: its shape `(M, K, N)` and the operators whose outputs it
/// reads (the trace's producer edges, `workloads::Op::inputs`).
#[derive(Debug, Clone)]
pub struct NamedLayer {
    /// The operator's name.
    pub name: String,
    /// `(M, K, N)`.
    pub shape: (u64, u64, u64),
    /// The operators it reads.
    pub inputs: Vec<String>,
}

/// Which top `--top` names.
pub fn is_accel(top: &str) -> CliResult<bool> {
    match top {
        "tile" => Ok(false),
        "accel" => Ok(true),
        other => Err(CliError::Usage(format!(
            "--top {other}: expected tile or accel"
        ))),
    }
}

fn err(e: RtlError) -> CliError {
    match e {
        RtlError::Io { path, source } => CliError::Io { path, source },
        RtlError::ToolFailed { .. } => CliError::CheckFailed(e.to_string()),
        other => CliError::Usage(other.to_string()),
    }
}

fn params(arch: &Accelerator, axi_bits: u32) -> CliResult<AccelParams> {
    AccelParams::new(arch, axi_bits).map_err(err)
}

/// `emit --top accel`: every module's file and the manifest.
pub fn emit(arch: &Accelerator, axi_bits: u32, dir: &Path) -> CliResult {
    check_dir(dir, "rtl")?;
    let p = params(arch, axi_bits)?;
    let (files, manifest) = emit_accel(&p, false);
    let mut o = reports::Output::new();
    for (name, text) in files {
        o.add(name, text);
    }
    let mut json = serde_json::to_string_pretty(&manifest).expect("a manifest serializes");
    json.push('\n');
    o.add(format!("{}.json", p.top()), json);
    write_dir(dir, &o, "rtl")?;
    let mut s = String::new();
    for (name, _) in &o.files {
        s += &format!("wrote {}\n", dir.join(name).display());
    }
    out(s)?;
    outln(format!(
        "{}: {} lanes x {} tile, {}-bit AXI4 master, AXI4-Lite control, {} weight slot(s) of {} chunks, {} activation words, {} output words",
        p.top(),
        p.lanes(),
        p.width(),
        p.axi_bits,
        p.slots,
        p.slot_words,
        p.act_words,
        p.out_words
    ))
}

/// Parses `M,K,N`.
pub fn parse_gemm(s: &str) -> CliResult<(u64, u64, u64)> {
    let v: Vec<Result<u64, _>> = s.split(',').map(|x| x.trim().parse::<u64>()).collect();
    match v.as_slice() {
        [Ok(m), Ok(k), Ok(n)] if *m > 0 && *k > 0 && *n > 0 => Ok((*m, *k, *n)),
        _ => Err(CliError::Usage(format!(
            "--gemm {s}: expected M,K,N (three positive integers)"
        ))),
    }
}

/// The layers `check --top accel` runs: `--gemm`, or the linear operators
/// among the first `ops` operators of a trace (each as its own run).
pub fn layers(gemm: Option<&str>, trace: Option<&Path>, ops: usize) -> CliResult<Vec<NamedLayer>> {
    match (gemm, trace) {
        (Some(g), None) => Ok(vec![NamedLayer {
            name: "gemm".into(),
            shape: parse_gemm(g)?,
            inputs: Vec::new(),
        }]),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| CliError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
            let t = workloads::trace::parse(&text).map_err(|e| {
                CliError::at(
                    path,
                    e.line,
                    e.col,
                    format!("expected {}, found {}", e.expected, e.found),
                )
            })?;
            let v: Vec<_> = t
                .ops
                .iter()
                .take(ops)
                .filter(|o| o.kind == workloads::OpKind::Linear)
                .map(|o| NamedLayer {
                    name: o.name.clone(),
                    shape: (o.g * o.m, o.k, o.n),
                    inputs: o.inputs.clone(),
                })
                .collect();
            if v.is_empty() {
                return Err(CliError::Usage(format!(
                    "{}: no linear operator among the first {ops}",
                    path.display()
                )));
            }
            Ok(v)
        }
        _ => Err(CliError::Usage(
            "--top accel needs exactly one of --gemm M,K,N and --trace FILE".into(),
        )),
    }
}

/// The default requantization shift of a dependent layer's input:
/// `ceil(log2 K)` of the producer's reduction length `K`. With INT8 inputs
/// and ternary weights a producer's accumulator lies in `[-128 K, 128 K]`,
/// so this is the smallest shift that takes every possible accumulator
/// into `[-128, 128]` (only `+128` saturates); capped at 31.
pub fn default_shift(producer_k: u64) -> u32 {
    let s = if producer_k <= 1 {
        0
    } else {
        64 - (producer_k - 1).leading_zeros()
    };
    s.min(31)
}

/// The chain `--chain` runs: layer `i` reads layer `j`'s output when one
/// of its inputs names layer `j < i` of the list (requantized by `shift`,
/// else [`default_shift`] of layer `j`'s K); inputs that name no layer of
/// the list (a norm, attention, an operator past `--ops`) are read from
/// memory as an input of the layer's own, with a note. A layer that reads
/// two layers of the list, or a later one, is refused.
pub fn chain_of(
    layers: &[NamedLayer],
    shift: Option<u32>,
) -> CliResult<(Vec<ChainLayer>, Vec<String>)> {
    if let Some(s) = shift.filter(|&s| s > 31) {
        return Err(CliError::Usage(format!(
            "--requant-shift {s}: expected 0..=31"
        )));
    }
    let mut chain = Vec::with_capacity(layers.len());
    let mut notes = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let (m, k, n) = l.shape;
        let mut producers = Vec::new();
        for input in &l.inputs {
            match layers.iter().position(|x| &x.name == input) {
                Some(j) if j < i => producers.push(j),
                Some(_) => {
                    return Err(CliError::Usage(format!(
                        "--chain: {} reads {input}, a later layer of the chain (the \
                         descriptors run in trace order)",
                        l.name
                    )))
                }
                None => notes.push(format!(
                    "note: {} reads {input}, not a linear layer of the chain: its input is \
                     its own, from memory",
                    l.name
                )),
            }
        }
        let after = match producers.as_slice() {
            [] => None,
            [j] => Some(*j),
            [a, b, ..] => {
                return Err(CliError::Usage(format!(
                    "--chain: {} reads {} and {}: a dependent descriptor reads one producer",
                    l.name, layers[*a].name, layers[*b].name
                )))
            }
        };
        let s = after.map_or(0, |j| shift.unwrap_or(default_shift(layers[j].shape.1)));
        if let Some(j) = after {
            notes.push(format!(
                "{} reads {}'s output, requantized on chip with shift {s}",
                l.name, layers[j].name
            ));
        }
        chain.push(ChainLayer {
            m,
            k,
            n,
            after,
            shift: s,
            out_shift: None,
        });
    }
    Ok((chain, notes))
}

/// `check --top accel`: every layer; exit 1 when one disagrees.
#[allow(clippy::too_many_arguments)]
pub fn check(
    arch: &Accelerator,
    axi_bits: u32,
    layers: &[NamedLayer],
    seed: u64,
    random: bool,
    work: Option<PathBuf>,
    jobs: usize,
    inject_fault: bool,
    chain: bool,
    requant_shift: Option<u32>,
    sim: rtl_gen::check::Simulator,
    int8_out: Option<u32>,
    mapper: sim::mapping::Mapper,
) -> CliResult {
    if requant_shift.is_some() && !chain {
        return Err(CliError::Usage(
            "--requant-shift sets the shift of a chain's dependent layers: add --chain".into(),
        ));
    }
    if int8_out.is_some() && !chain {
        return Err(CliError::Usage(
            "--int8-out writes a chain's outputs as INT8: add --chain".into(),
        ));
    }
    if chain && mapper != sim::mapping::Mapper::Fixed {
        return Err(CliError::Usage(
            "--mapper with --chain: a chain's layers run the fixed mapping (check its layers \
             alone for the mapper's choice)"
                .into(),
        ));
    }
    if let Some(s) = int8_out.filter(|&s| s > 31) {
        return Err(CliError::Usage(format!("--int8-out {s}: expected 0..=31")));
    }
    let mut p = params(arch, axi_bits)?;
    if inject_fault {
        // a sequencer that prefetches one tile on a double buffer, or (a
        // chain) none across a layer boundary: a test of the check
        p.mutation = if chain {
            rtl_gen::accel::params::Mutation::NoChainPrefetch
        } else {
            rtl_gen::accel::params::Mutation::OneSlot
        };
    }
    // one build serves every layer (the Verilog depends on the design only)
    let cache = std::env::temp_dir().join(format!("onebit-accel-cache-{}", std::process::id()));
    let opts = AccelOptions {
        seed,
        random,
        work,
        jobs,
        cache: Some(cache.clone()),
        sim,
        mapper,
        ..AccelOptions::default()
    };
    if chain {
        let (mut list, notes) = chain_of(layers, requant_shift)?;
        for l in &mut list {
            l.out_shift = int8_out;
        }
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        for n in &notes {
            outln(n)?;
        }
        let r = check_chain(&p, &list, &opts);
        let _ = std::fs::remove_dir_all(&cache);
        let r = r.map_err(err)?;
        out(format!("{}: {}", names.join(", "), r.summary()))?;
        return if r.passed() {
            Ok(())
        } else {
            Err(CliError::CheckFailed(format!(
                "the accelerator RTL disagrees with the simulator on the chain {}",
                names.join(", ")
            )))
        };
    }
    let mut failed = Vec::new();
    let mut reports: Vec<AccelReport> = Vec::new();
    for l in layers {
        let (name, (m, k, n)) = (&l.name, l.shape);
        let r = match check_gemm(&p, m, k, n, &opts) {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&cache);
                return Err(err(e));
            }
        };
        out(format!("{name}: {}", r.summary()))?;
        if !r.passed() {
            failed.push(name.clone());
        }
        reports.push(r);
    }
    let _ = std::fs::remove_dir_all(&cache);
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::CheckFailed(format!(
            "the accelerator RTL disagrees with the simulator on {}",
            failed.join(", ")
        )))
    }
}

/// `synth --top accel [--json FILE]`: cells by block; the JSON is what
/// `onebit sim --control-cells FILE` prices the control with.
pub fn synth(
    arch: &Accelerator,
    axi_bits: u32,
    work: Option<&Path>,
    json: Option<&Path>,
) -> CliResult {
    let p = params(arch, axi_bits)?;
    let r = rtl_gen::accel::synth::synthesize_accel(&p, work).map_err(err)?;
    if let Some(path) = json {
        crate::output::write_file(path, r.to_json().as_bytes())?;
    }
    out(r.summary())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, shape: (u64, u64, u64), inputs: &[&str]) -> NamedLayer {
        NamedLayer {
            name: name.into(),
            shape,
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// ceil(log2 K), by hand: 2^6 = 64 needs 6, 65 needs 7, 2560 (between
    /// 2^11 and 2^12) needs 12.
    #[test]
    fn default_shift_is_ceil_log2_k() {
        let got: Vec<u32> = [1, 2, 3, 64, 65, 2560, 1 << 40]
            .iter()
            .map(|&k| default_shift(k))
            .collect();
        assert_eq!(got, vec![0, 1, 2, 6, 7, 12, 31]);
    }

    /// o reads v (an earlier layer): dependent, shift from v's K or the
    /// flag; q reads a norm outside the chain: its own input, with a note.
    #[test]
    fn edges_to_earlier_layers_become_dependencies() {
        let l = [
            named("q", (8, 64, 16), &["norm"]),
            named("v", (8, 64, 16), &[]),
            named("o", (8, 16, 64), &["v"]),
        ];
        let (c, notes) = chain_of(&l, None).expect("chain");
        let after: Vec<_> = c.iter().map(|x| (x.after, x.shift)).collect();
        assert_eq!(after, vec![(None, 0), (None, 0), (Some(1), 6)]);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("q reads norm"), "{notes:?}");
        let (c, _) = chain_of(&l, Some(3)).expect("chain");
        assert_eq!((c[2].after, c[2].shift), (Some(1), 3));
    }

    /// Two producers in the chain, or a later one: refused.
    #[test]
    fn two_or_later_producers_are_refused() {
        let two = [
            named("a", (8, 16, 16), &[]),
            named("b", (8, 16, 16), &[]),
            named("c", (8, 16, 16), &["a", "b"]),
        ];
        let e = chain_of(&two, None).expect_err("refused").to_string();
        assert!(e.contains("c reads a and b"), "{e}");
        let later = [
            named("a", (8, 16, 16), &["b"]),
            named("b", (8, 16, 16), &[]),
        ];
        let e = chain_of(&later, None).expect_err("refused").to_string();
        assert!(e.contains("a later layer"), "{e}");
    }
}
