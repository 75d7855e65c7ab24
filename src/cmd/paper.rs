//! `onebit paper bitnet-b1.58 [--report DIR]`: the BitNet papers' energy
//! and memory figures recomputed from the tool's own counts, with the
//! published values in their own columns; `onebit paper chips` is in
//! [`crate::cmd::paper_chips`].

use crate::error::{CliError, CliResult};
use crate::output::{check_dir, write_dir};
use crate::tech_arg::load_tech;
use clap::{Args, ValueEnum};
use energy_model::paper;
use std::path::PathBuf;

/// A paper whose figures can be reproduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Paper {
    /// BitNet b1.58 (arXiv 2402.17764), with BitNet (arXiv 2310.11453) Table 1.
    #[value(name = "bitnet-b1.58")]
    BitnetB158,
    /// Published BitNet chips (VitaLLM, TeLLMe v2, Slim-Llama) re-created
    /// as presets: published vs predicted, with the error.
    Chips,
    /// The lane array's datapaths (adder tree, popcount, table lookup) at
    /// edge-ternary's area: energy per token, tokens/s and area of a decode
    /// step (KV length --seq) and a --prefill-token prefill.
    Datapaths,
}

/// The preset pair of the energy trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Designs {
    /// edge-fp16 vs edge-ternary (LPDDR5, 51.2 GB/s).
    Edge,
    /// datacenter-fp16 vs datacenter-ternary (4 x HBM3, 3276.8 GB/s).
    Datacenter,
}

/// `onebit paper bitnet-b1.58|chips [--report DIR]`
#[derive(Debug, Args)]
pub struct PaperCmd {
    /// The paper to reproduce.
    #[arg(value_enum, value_name = "PAPER")]
    paper: Paper,
    /// Also write the tables as Markdown, CSV and JSON, and the report page
    /// (HTML, with FP16 vs ternary vs binary across sizes plotted) into DIR;
    /// for `chips`: chips.md, report.html, chips.json, chips.csv and
    /// reference.csv. (`--designs`, `--seq`, `--batch` and `--tech` are
    /// bitnet-b1.58's: each chip runs its paper's workload in its own table.)
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Preset pair for the energy trend (c); both have the same memory system.
    #[arg(long, value_enum, default_value = "edge")]
    designs: Designs,
    /// KV length of the decode step of (c) (the paper's 512 tokens).
    #[arg(long, default_value_t = 512, value_name = "N")]
    seq: u64,
    /// Sequences per decode step of (c).
    #[arg(long, default_value_t = 1, value_name = "B")]
    batch: u64,
    /// Model of `datapaths`.
    #[arg(long, default_value = "bitnet-b1.58-2b-4t", value_name = "NAME")]
    model: String,
    /// Prompt tokens of the prefill of `datapaths`.
    #[arg(long, default_value_t = 512, value_name = "N")]
    prefill: u64,
    /// Technology table for (a) and (c): `7nm` (default), `45nm` or a TOML
    /// file overriding entries; (b) always uses both built-in tables.
    #[arg(long, value_name = "FILE|7nm|45nm")]
    tech: Option<String>,
}

impl PaperCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        if self.paper == Paper::Chips {
            return crate::cmd::paper_chips::exec(self.report.as_deref(), self.tech.as_deref());
        }
        if self.paper == Paper::Datapaths {
            return self.datapaths();
        }
        let tech = load_tech(self.tech.as_deref())?;
        let (fp16, ternary) = match self.designs {
            Designs::Edge => ("edge-fp16", "edge-ternary"),
            Designs::Datacenter => ("datacenter-fp16", "datacenter-ternary"),
        };
        if self.seq == 0 || self.batch == 0 {
            return Err(CliError::Usage(
                "--seq and --batch must be at least 1".into(),
            ));
        }
        if let Some(dir) = &self.report {
            check_dir(dir, "report")?;
        }
        let report = paper::bitnet_b158(&tech, fp16, ternary, self.seq, self.batch)
            .map_err(CliError::Usage)?;
        // Table 3 and the latency ratios run on their own A100-class system
        let table3 = energy_model::paper_throughput::table3().map_err(CliError::Usage)?;
        if let Some(dir) = &self.report {
            let out = reports::paper::bitnet::output(&report, &table3, &tech)
                .map_err(crate::cmd::report::render_error)?;
            write_dir(dir, &out, "report")?;
        }
        crate::stdio::out(
            reports::paper::bitnet::text(&report) + &reports::paper_throughput::text(&table3),
        )
    }
}

impl PaperCmd {
    /// `onebit paper datapaths`: the equal-area comparison.
    fn datapaths(self) -> CliResult {
        let tech = load_tech(self.tech.as_deref())?;
        if self.seq == 0 || self.prefill == 0 {
            return Err(CliError::Usage(
                "--seq and --prefill must be at least 1".into(),
            ));
        }
        if workloads::zoo::find(&self.model).is_none() {
            return Err(CliError::Usage(format!(
                "--model {}: no such built-in model (see `onebit models`)",
                self.model
            )));
        }
        if let Some(dir) = &self.report {
            check_dir(dir, "report")?;
        }
        let c = energy_model::datapaths::compare(
            &tech,
            "edge-ternary",
            &self.model,
            self.seq,
            self.prefill,
        )
        .map_err(CliError::Usage)?;
        if let Some(dir) = &self.report {
            let mut out = reports::Output::new();
            out.add("datapaths.md", reports::datapaths::datapaths_markdown(&c));
            let json = serde_json::to_string_pretty(&c).expect("plain data") + "\n";
            out.add("datapaths.json", json);
            out.add("datapaths.csv", reports::datapaths::datapaths_csv(&c));
            write_dir(dir, &out, "report")?;
        }
        crate::stdio::out(reports::datapaths::datapaths_text(&c))
    }
}
