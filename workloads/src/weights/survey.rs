//! Every tensor of a checkpoint with the statistics of its ternary weights:
//! what `onebit weights` prints and `onebit sim --weights` simulates with.

use super::decode::{Encoding, TernaryTensor};
use super::error::WeightsError;
use super::names;
use super::stats::{measure, LaneGeometry, TensorStats};
use super::{Checkpoint, TensorInfo};
use serde::Serialize;

/// One tensor of a checkpoint and, for ternary and projection tensors, its
/// measured statistics.
#[derive(Debug, Clone, Serialize)]
pub struct TensorSummary {
    /// Name in the file.
    pub name: String,
    /// The trace operator it is (`L3.q`), for projections.
    pub op: Option<String>,
    /// Stored type.
    #[serde(rename = "type")]
    pub ttype: String,
    /// Logical shape, outermost first.
    pub shape: Vec<u64>,
    /// Bits per weight as stored.
    pub bits_per_weight: f64,
    /// Stored ternary, or quantized on load by absmean (ternary tensors only).
    pub ternary: Option<String>,
    /// Dequantization scale: the per-tensor scale, or the mean block scale
    /// of TQ1_0/TQ2_0.
    pub scale: Option<f64>,
    /// The statistics (ternary tensors only).
    pub stats: Option<TensorStats>,
}

/// Whether a tensor's values are read as ternary weights: stored ternary,
/// or a float projection weight (BitLinear quantizes it by absmean).
pub fn is_ternary_weight(t: &TensorInfo) -> bool {
    t.ttype.is_ternary() || (names::projection(&t.name).is_some() && t.shape.len() == 2)
}

/// The ternary view of tensor `t` of `ck`.
pub fn ternary<'a>(
    ck: &'a Checkpoint,
    t: &'a TensorInfo,
) -> Result<TernaryTensor<'a>, WeightsError> {
    TernaryTensor::new(t, ck.data(t)).map_err(|(off, k)| ck.error(t, off, k))
}

/// Summarizes every tensor of `ck`, measuring ternary ones for geometry `g`.
/// Pages of each tensor are released once it is measured, so the resident
/// memory stays near one tensor's size whatever the file size.
pub fn survey(ck: &Checkpoint, g: LaneGeometry) -> Result<Vec<TensorSummary>, WeightsError> {
    let mut out = Vec::with_capacity(ck.tensors.len());
    for t in &ck.tensors {
        let mut s = TensorSummary {
            name: t.name.clone(),
            op: names::op_name(&t.name),
            ttype: t.ttype.name().to_string(),
            shape: t.shape.clone(),
            bits_per_weight: t.bits_per_weight(),
            ternary: None,
            scale: None,
            stats: None,
        };
        if is_ternary_weight(t) {
            let tt = ternary(ck, t)?;
            let st = measure(&tt, g).map_err(|(off, k)| ck.error(t, off, k))?;
            s.ternary = Some(
                match tt.encoding {
                    Encoding::Stored => "stored",
                    Encoding::Absmean => "absmean on load",
                }
                .to_string(),
            );
            s.scale = tt.tensor_scale().or(st.mean_block_scale());
            s.stats = Some(st);
            ck.release(t);
        }
        out.push(s);
    }
    Ok(out)
}
