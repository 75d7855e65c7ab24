//! safetensors files (the `safetensors` crate reads the header) and the
//! Hugging Face BitNet packed-ternary layout, with the model shape from the
//! `config.json` beside the file.
//!
//! A projection weight stored as `U8` is the packed layout of
//! transformers' BitNet integration: a `[N/4, K]` tensor, four 2-bit
//! weights a byte along the output dimension (decode.rs), and its
//! `<name>_scale` tensor (`weight_scale`, one value) is the reciprocal of the
//! dequantization scale (`BitLinear.post_quant_process` divides by it).

use super::decode::{bf16_to_f32, f16_to_f32, TensorType};
use super::error::{WeightsError, WeightsErrorKind as K};
use super::names;
use super::TensorInfo;
use crate::hf_config::{self, HfConfigError};
use crate::model::ModelConfig;
use safetensors::tensor::{Dtype, Metadata};
use safetensors::SafeTensorError;
use std::path::Path;

/// The largest header read (the format's own limit is 100 MB).
pub const MAX_HEADER: u64 = 100_000_000;

fn kind_of(e: &SafeTensorError) -> K {
    match e {
        SafeTensorError::HeaderTooSmall => K::Truncated("the header length"),
        SafeTensorError::HeaderTooLarge => K::TooMany {
            what: "header bytes",
            count: 0,
            limit: MAX_HEADER,
        },
        SafeTensorError::InvalidHeaderLength => K::Truncated("the header"),
        SafeTensorError::MetadataIncompleteBuffer => K::Truncated("the tensor data"),
        other => K::Invalid(other.to_string()),
    }
}

/// Parses the header of `bytes` (the whole file).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<TensorInfo>, WeightsError> {
    let fail = |off: u64, t: Option<&str>, k: K| WeightsError::new(path, off, t, k);
    if bytes.len() < 8 {
        return Err(fail(0, None, K::BadMagic));
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap_or([0; 8]));
    if n > MAX_HEADER || bytes.get(8).is_some_and(|&b| b != b'{') {
        return Err(fail(0, None, K::BadMagic));
    }
    if n + 8 > bytes.len() as u64 {
        return Err(fail(bytes.len() as u64, None, K::Truncated("the header")));
    }
    let data_start = 8 + n;
    let meta: Metadata = match safetensors::SafeTensors::read_metadata(bytes) {
        Ok((_, m)) => m,
        Err(SafeTensorError::MetadataIncompleteBuffer) => {
            return Err(past_end(path, bytes, n));
        }
        Err(SafeTensorError::InvalidOffset(name)) => {
            return Err(fail(
                8,
                Some(&name),
                K::Invalid("data offsets are not contiguous".into()),
            ))
        }
        Err(e) => return Err(fail(8, None, kind_of(&e))),
    };
    let tensors = meta.tensors();
    let mut list: Vec<(&String, _)> = tensors.iter().collect();
    list.sort_by_key(|(name, t)| (t.data_offsets.0, (*name).clone()));
    let scale_of = |name: &str| -> Option<f64> {
        let t = tensors.get(&format!("{name}_scale"))?;
        let at = (data_start + t.data_offsets.0 as u64) as usize;
        let v = match t.dtype {
            Dtype::F32 => f64::from(f32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)),
            Dtype::BF16 => f64::from(bf16_to_f32(u16::from_le_bytes(
                bytes.get(at..at + 2)?.try_into().ok()?,
            ))),
            Dtype::F16 => f64::from(f16_to_f32(u16::from_le_bytes(
                bytes.get(at..at + 2)?.try_into().ok()?,
            ))),
            _ => return None,
        };
        Some(v)
    };
    let mut out = Vec::with_capacity(list.len());
    for (name, t) in list {
        let offset = data_start + t.data_offsets.0 as u64;
        let nbytes = (t.data_offsets.1 - t.data_offsets.0) as u64;
        let is_proj = names::projection(name).is_some();
        let mut shape: Vec<u64> = t.shape.iter().map(|&d| d as u64).collect();
        let ttype = match t.dtype {
            Dtype::F32 => TensorType::F32,
            Dtype::F16 => TensorType::F16,
            Dtype::BF16 => TensorType::BF16,
            Dtype::U8 if is_proj && shape.len() == 2 => {
                shape[0] = shape[0]
                    .checked_mul(4)
                    .ok_or_else(|| fail(offset, Some(name), K::Overflow))?;
                TensorType::PackedU8
            }
            other => {
                // other tensors (ids, masks) are listed but not read
                if is_proj {
                    return Err(fail(
                        offset,
                        Some(name),
                        K::UnknownType(format!("{other:?}")),
                    ));
                }
                continue;
            }
        };
        let mut scale = None;
        if ttype == TensorType::PackedU8 {
            let s = scale_of(name).ok_or_else(|| {
                fail(
                    offset,
                    Some(name),
                    K::Invalid(format!("packed ternary weights without `{name}_scale`")),
                )
            })?;
            if !(s.is_finite() && s > 0.0) {
                return Err(fail(
                    offset,
                    Some(name),
                    K::Invalid(format!("weight_scale {s}")),
                ));
            }
            scale = Some(1.0 / s);
        }
        out.push(TensorInfo {
            name: name.clone(),
            ttype,
            shape,
            offset,
            nbytes,
            scale,
        });
    }
    Ok(out)
}

/// The error for a header whose tensors run past the end of the file,
/// naming the first such tensor.
fn past_end(path: &Path, bytes: &[u8], n: u64) -> WeightsError {
    let size = bytes.len() as u64;
    let header = &bytes[8..(8 + n) as usize];
    let v: serde_json::Value = serde_json::from_slice(header).unwrap_or_default();
    let mut worst: Option<(String, u64, u64)> = None;
    if let Some(obj) = v.as_object() {
        for (name, t) in obj {
            let offs = t.get("data_offsets").and_then(|o| o.as_array());
            if let Some([a, b]) = offs.map(|o| o.as_slice()) {
                let (a, b) = (a.as_u64().unwrap_or(0), b.as_u64().unwrap_or(0));
                let end = 8 + n + b;
                if end > size && worst.as_ref().is_none_or(|w| a < w.1) {
                    worst = Some((name.clone(), a, end));
                }
            }
        }
    }
    match worst {
        Some((name, a, end)) => WeightsError::new(
            path,
            (8 + n + a).min(size),
            Some(&name),
            K::PastEnd { end, size },
        ),
        None => WeightsError::new(path, size, None, K::Truncated("the tensor data")),
    }
}

/// The model shape from `config.json` in the file's directory, if there is one.
pub fn config_beside(path: &Path) -> Result<Option<ModelConfig>, WeightsError> {
    let Some(dir) = path.parent() else {
        return Ok(None);
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let cfg = dir.join("config.json");
    if !cfg.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&cfg)
        .map_err(|e| WeightsError::new(&cfg, 0, None, K::Io(e.to_string())))?;
    let name = dir
        .file_name()
        .map(|s| s.to_string_lossy().replace(char::is_whitespace, "_"))
        .unwrap_or_else(|| "safetensors".into());
    let m = hf_config::import(&name, &text).map_err(|e| {
        let msg = match &e {
            HfConfigError::Json { line, col, msg } => format!("line {line}, column {col}: {msg}"),
            other => other.to_string(),
        };
        WeightsError::new(&cfg, 0, None, K::Invalid(msg))
    })?;
    Ok(Some(m))
}
