//! `onebit run-layer`: one projection of a checkpoint through the design's
//! bit-exact datapath, against the reference matmul and an f32 matmul of
//! the file's weights; with `--rtl`, replayed through the generated tile
//! under Verilator.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::output::{check_file, write_file};
use crate::weights_arg::{open, weights_error};
use clap::Args;
use reports::layer_run::{text, LayerRunInfo};
use sim::bitexact::layer::{layer_chunks, random_activations, run_layer, LayerInput};
use std::path::PathBuf;
use workloads::weights::survey::{is_ternary_weight, ternary};

/// The most tokens a run takes (work is bounded up front).
const MAX_TOKENS: usize = 1024;

/// `onebit run-layer --weights FILE --tensor NAME [--tokens N] [--seed S] [--arch A] [--acts FILE] [--rtl]`
#[derive(Debug, Args)]
pub struct RunLayerCmd {
    /// A GGUF or safetensors checkpoint.
    #[arg(long, value_name = "FILE")]
    weights: PathBuf,
    /// The tensor (a ternary or projection weight), by its name in the file.
    #[arg(long, value_name = "NAME")]
    tensor: String,
    /// Tokens (rows of random activations), 1 to 1024.
    #[arg(long, default_value_t = 4, value_name = "N")]
    tokens: usize,
    /// Seed of the random activations (standard normal).
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
    /// Activations from a JSON file instead: an array of rows of K numbers.
    #[arg(long, value_name = "FILE")]
    acts: Option<PathBuf>,
    /// The design.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    /// Also replay the weights and activations through the generated tile
    /// under Verilator.
    #[arg(long)]
    rtl: bool,
    /// Write the outputs (INT8 activations, integer and dequantized outputs,
    /// f32 reference, errors) as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

impl RunLayerCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let arch = load_arch(&self.arch)?;
        if let Some(p) = &self.json {
            check_file(p)?;
        }
        let ck = open(&self.weights)?;
        let t = ck.tensor(&self.tensor).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: no tensor `{}`",
                self.weights.display(),
                self.tensor
            ))
        })?;
        if !is_ternary_weight(t) {
            return Err(CliError::Usage(format!(
                "`{}` is a {} tensor that is not a projection weight; run-layer takes ternary or projection weights",
                t.name,
                t.ttype.name()
            )));
        }
        let tt = ternary(&ck, t).map_err(weights_error)?;
        let (n, k) = (tt.rows, tt.cols);
        let mut w = Vec::with_capacity(n * k);
        let mut w_f32 = vec![0f32; n * k];
        let mut row = vec![0i8; k];
        let mut block_scales: Vec<f32> = Vec::new();
        for r in 0..n {
            tt.row(r, &mut row)
                .map_err(|(o, e)| weights_error(ck.error(t, o, e)))?;
            w.extend(row.iter().map(|&q| i64::from(q)));
            tt.dequantized_row(r, &mut w_f32[r * k..(r + 1) * k])
                .map_err(|(o, e)| weights_error(ck.error(t, o, e)))?;
            block_scales.extend(tt.block_scales(r));
        }
        let master = tt.encoding == workloads::weights::Encoding::Absmean;
        let (w_scale, scale_note) = match tt.tensor_scale() {
            Some(s) if master => (
                s,
                format!("{s} (absmean of the float master weights; the f32 reference uses the master weights, so its error includes the ternary quantization)"),
            ),
            Some(s) => (s, format!("{s} (per tensor)")),
            None => {
                let nz: Vec<f32> = block_scales.iter().copied().filter(|&d| d != 0.0).collect();
                let first = nz.first().copied().unwrap_or(0.0);
                if nz.iter().all(|&d| d == first) {
                    (f64::from(first), format!("{first} (every block's scale)"))
                } else {
                    let mean = nz.iter().map(|&d| f64::from(d)).sum::<f64>() / nz.len().max(1) as f64;
                    (mean, format!("{mean} (mean of {} differing block scales)", nz.len()))
                }
            }
        };
        let (x, tokens, acts) = match &self.acts {
            Some(p) => {
                let text = read_text(p)?;
                let rows: Vec<Vec<f64>> = serde_json::from_str(&text).map_err(|e| {
                    CliError::at(
                        p,
                        e.line(),
                        e.column(),
                        "expected an array of rows of numbers",
                    )
                })?;
                if rows.is_empty() || rows.len() > MAX_TOKENS || rows.iter().any(|r| r.len() != k) {
                    return Err(CliError::file(
                        p,
                        format!(
                            "expected 1 to {MAX_TOKENS} rows of {k} numbers (K of `{}`)",
                            t.name
                        ),
                    ));
                }
                let tokens = rows.len();
                (
                    rows.concat(),
                    tokens,
                    format!("{} rows from {}", tokens, p.display()),
                )
            }
            None => {
                if !(1..=MAX_TOKENS).contains(&self.tokens) {
                    return Err(CliError::Usage(format!(
                        "--tokens {}: expected 1 to {MAX_TOKENS}",
                        self.tokens
                    )));
                }
                (
                    random_activations(self.seed, self.tokens, k),
                    self.tokens,
                    format!("standard normal, seed {}, absmax INT8 per token", self.seed),
                )
            }
        };
        let input = LayerInput {
            w,
            w_f32,
            w_scale,
            x,
            n,
            k,
            tokens,
        };
        let run = run_layer(&arch.array, &input)
            .map_err(|e| CliError::Usage(format!("{} on {}: {e}", t.name, arch.name)))?;
        let mut rtl = None;
        let mut rtl_ok = true;
        if self.rtl {
            let d = rtl_gen::Design::new(&arch).map_err(|e| CliError::Usage(e.to_string()))?;
            let stim = sim::tile::Stimulus {
                chunks: layer_chunks(&arch.array, &input, &run.x_q),
                in_valid: Vec::new(),
                out_ready: Vec::new(),
            };
            let replay = rtl_gen::replay::Replay::predicted(&d, &stim)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            // the tile model's outputs are the layer's, lane group by lane group
            let lanes = arch.array.lanes as usize;
            let mut from_tile = Vec::new();
            for (g, out) in replay.outputs.iter().enumerate() {
                let groups = n.div_ceil(lanes);
                let (i, j0) = (g / groups, (g % groups) * lanes);
                for (l, &v) in out.iter().enumerate() {
                    if j0 + l < n {
                        from_tile.push((i * n + j0 + l, v));
                    }
                }
            }
            let tile_ok =
                from_tile.len() == run.acc.len() && from_tile.iter().all(|&(i, v)| run.acc[i] == v);
            let case = rtl_gen::Case {
                emitted: rtl_gen::emit_design(&d),
                replay,
            };
            let report = rtl_gen::run_cases(vec![case], &rtl_gen::CheckOptions::default())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            rtl_ok = tile_ok && report.passed();
            rtl = Some(format!(
                "{}: {} (tile model {} the bit-exact outputs)",
                if rtl_ok { "passed" } else { "FAILED" },
                report.summary().lines().next().unwrap_or_default(),
                if tile_ok { "equals" } else { "differs from" }
            ));
        }
        if let Some(p) = &self.json {
            let body = serde_json::to_string_pretty(&run).unwrap_or_default() + "\n";
            write_file(p, body.as_bytes())?;
        }
        let info = LayerRunInfo {
            file: self.weights.display().to_string(),
            tensor: t.name.clone(),
            ttype: t.ttype.name().into(),
            n,
            k,
            tokens,
            design: arch.name.clone(),
            acts,
            scale_note,
            rtl,
        };
        crate::stdio::out(text(&info, &run))?;
        if run.mismatches > 0 || !rtl_ok {
            return Err(CliError::CheckFailed(format!(
                "{}: the datapath disagrees with the reference",
                t.name
            )));
        }
        Ok(())
    }
}
