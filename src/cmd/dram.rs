//! `onebit dram`: replays a memory trace (Ramulator 2's `LD`/`ST` lines, or
//! onebit's own request stream from `onebit sim --dram-trace`) against a
//! banked DRAM preset and reports cycles, bandwidth, efficiency, row hits,
//! refresh share and energy by part.

use crate::error::{CliError, CliResult};
use crate::files::read_text;
use crate::output::{check_file, write_file};
use clap::Args;
use sim::memory::banked::{
    presets, replay, trace, ControllerConfig, Mapping, PagePolicy, RefreshPolicy, SystemConfig,
};
use std::path::PathBuf;

/// Requests a trace may hold (work is bounded up front).
const MAX_REQUESTS: usize = 20_000_000;

/// `onebit dram --trace FILE [--preset NAME] [...]`
#[derive(Debug, Args)]
pub struct DramCmd {
    /// The trace to replay.
    #[arg(long, value_name = "FILE")]
    trace: PathBuf,
    /// DRAM preset: lpddr5-6400, hbm3-6400, ddr5-4800 or ddr4-3200.
    #[arg(long, default_value = "lpddr5-6400", value_name = "NAME")]
    preset: String,
    /// Channels (pseudo-channel pairs for HBM3), a power of two.
    #[arg(long, default_value_t = 1, value_name = "N")]
    channels: u32,
    /// Address mapping: RoBaRaCoCh or RoCoBaRaCh (bank-interleaved).
    #[arg(long, default_value = "RoBaRaCoCh", value_name = "NAME")]
    mapping: String,
    /// Row-buffer policy: open or closed.
    #[arg(long, default_value = "open", value_name = "POLICY")]
    page: String,
    /// Refresh: all-bank, per-bank or none.
    #[arg(long, default_value = "all-bank", value_name = "POLICY")]
    refresh: String,
    /// Accelerator clock (GHz) of the issue cycles in an onebit request
    /// stream; without it requests are offered as fast as the controller
    /// takes them.
    #[arg(long, value_name = "GHZ")]
    clock_ghz: Option<f64>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Write the output here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl DramCmd {
    /// Runs the subcommand.
    pub fn exec(self) -> CliResult {
        let spec = presets::preset(&self.preset).ok_or_else(|| {
            CliError::Usage(format!(
                "--preset `{}` is not a DRAM preset: expected one of {}",
                self.preset,
                presets::NAMES.join(", ")
            ))
        })?;
        if !self.channels.is_power_of_two() || self.channels > 1024 {
            return Err(CliError::Usage(format!(
                "--channels {} is out of range: expected a power of two from 1 to 1024",
                self.channels
            )));
        }
        let mapping = Mapping::parse(&self.mapping).ok_or_else(|| {
            CliError::Usage(format!(
                "--mapping `{}`: expected RoBaRaCoCh or RoCoBaRaCh",
                self.mapping
            ))
        })?;
        let page = PagePolicy::parse(&self.page).ok_or_else(|| {
            CliError::Usage(format!("--page `{}`: expected open or closed", self.page))
        })?;
        let refresh = RefreshPolicy::parse(&self.refresh).ok_or_else(|| {
            CliError::Usage(format!(
                "--refresh `{}`: expected all-bank, per-bank or none",
                self.refresh
            ))
        })?;
        if let Some(g) = self.clock_ghz {
            if !(g > 0.0 && g <= 100.0) {
                return Err(CliError::Usage(format!(
                    "--clock-ghz {g} is out of range: expected more than 0 and at most 100"
                )));
            }
        }
        if let Some(p) = &self.output {
            check_file(p)?;
        }
        let text = read_text(&self.trace)?;
        let reqs = trace::parse(&text, MAX_REQUESTS)
            .map_err(|e| CliError::at(&self.trace, e.line, e.column, e.message))?;
        let cfg = SystemConfig {
            channels: self.channels,
            mapping,
            controller: ControllerConfig {
                page,
                refresh,
                ..ControllerConfig::default()
            },
        };
        let r = replay(&spec, &cfg, &reqs, self.clock_ghz);
        let out = if self.json {
            let mut s = serde_json::to_string_pretty(&r).expect("replay results serialize");
            s.push('\n');
            s
        } else {
            reports::dram::summary(&r, mapping.name(), page.name(), refresh.name())
        };
        match &self.output {
            Some(p) => write_file(p, out.as_bytes()),
            None => crate::stdio::out(out),
        }
    }
}
