//! `onebit weights FILE`: the per-tensor statistics of a checkpoint's
//! weights as a design's lanes see them; JSON, CSV and the per-layer zero
//! share plot on request.

use crate::arch_arg::load_arch;
use crate::error::{CliError, CliResult};
use crate::output::{check_file, write_file};
use crate::weights_arg::{geometry, open, summarize};
use clap::Args;
use reports::weights::{WeightsReport, WEIGHTS_SCHEMA};
use std::path::PathBuf;

/// `onebit weights FILE [--arch PRESET|FILE] [--json F] [--csv F] [--plot F.svg]`
#[derive(Debug, Args)]
pub struct WeightsCmd {
    /// A GGUF (v2, v3) or safetensors checkpoint.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The design whose lanes and width the statistics are taken for.
    #[arg(long, value_name = "PRESET|FILE", default_value = sim::arch::DEFAULT_PRESET)]
    arch: String,
    /// Write the report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write one CSV row per tensor.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write the per-layer zero share plot (SVG; a PNG beside it).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

impl WeightsCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let arch = load_arch(&self.arch)?;
        for p in [&self.json, &self.csv, &self.plot].into_iter().flatten() {
            check_file(p)?;
        }
        if let Some(p) = &self.plot {
            check_file(&p.with_extension("png"))?;
        }
        let ck = open(&self.file)?;
        let tensors = summarize(&ck, &arch)?;
        let rep = WeightsReport {
            schema: WEIGHTS_SCHEMA.into(),
            file: self.file.display().to_string(),
            format: ck.format.name(),
            model: ck.model.as_ref().map(|m| {
                format!(
                    "{}: {} layers, hidden {}, FFN {}, {} heads ({} KV), vocab {}",
                    m.name, m.layers, m.hidden, m.ffn, m.heads, m.kv_heads, m.vocab
                )
            }),
            geometry: geometry(&arch),
            tensors,
        };
        if let Some(p) = &self.json {
            write_file(p, rep.to_json().as_bytes())?;
        }
        if let Some(p) = &self.csv {
            write_file(p, rep.to_csv().as_bytes())?;
        }
        if let Some(p) = &self.plot {
            let r = rep
                .zero_share_chart()
                .map_err(|e| CliError::Usage(format!("plot: {e}")))?;
            write_file(p, r.svg_file().as_bytes())?;
            write_file(&p.with_extension("png"), &r.png)?;
        }
        crate::stdio::out(rep.text())?;
        Ok(())
    }
}
