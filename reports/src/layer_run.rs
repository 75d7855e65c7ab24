//! The report of `onebit run-layer`: a checkpoint layer through the
//! bit-exact datapath, its agreement with the reference matmul, the
//! dequantization error and the RTL replay.

use crate::table::{Align, Table};
use sim::bitexact::layer::LayerRun;

/// What the run was of.
#[derive(Debug, Clone)]
pub struct LayerRunInfo {
    /// The checkpoint.
    pub file: String,
    /// The tensor.
    pub tensor: String,
    /// Its stored type.
    pub ttype: String,
    /// Output features and inputs.
    pub n: usize,
    /// Inputs.
    pub k: usize,
    /// Tokens.
    pub tokens: usize,
    /// The design.
    pub design: String,
    /// Where the activations came from.
    pub acts: String,
    /// How the integer outputs are dequantized.
    pub scale_note: String,
    /// The RTL replay's outcome, if run.
    pub rtl: Option<String>,
}

/// The text report.
pub fn text(info: &LayerRunInfo, r: &LayerRun) -> String {
    let mut s = format!(
        "{} `{}` ({}, {} x {}) x {} token{} on {}\n\n",
        info.file,
        info.tensor,
        info.ttype,
        info.n,
        info.k,
        info.tokens,
        if info.tokens == 1 { "" } else { "s" },
        info.design
    );
    let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
    t.row(vec!["activations".into(), info.acts.clone()]);
    t.row(vec![
        "bit-exact vs reference".into(),
        if r.mismatches == 0 {
            format!("all {} integer outputs equal", r.acc.len())
        } else {
            format!("{} of {} integer outputs differ", r.mismatches, r.acc.len())
        },
    ]);
    t.row(vec!["weight scale".into(), info.scale_note.clone()]);
    t.row(vec![
        "dequantized vs f32".into(),
        format!(
            "max |error| {:.6e}, relative RMS error {:.4}% (INT8 activations against f32 activations and the file's weights)",
            r.max_abs_err,
            100.0 * r.rel_rms_err
        ),
    ]);
    if let Some(rtl) = &info.rtl {
        t.row(vec!["RTL replay".into(), rtl.clone()]);
    }
    s += &t
        .to_text()
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    s
}
