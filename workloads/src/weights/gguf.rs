//! The GGUF container (versions 2 and 3), parsed with nom.
//!
//! Layout (llama.cpp `docs/gguf.md`, gguf-py `gguf_reader.py`): the magic
//! `GGUF`, a `u32` version, `u64` tensor and metadata counts, the metadata
//! key/value pairs (a string key, a `u32` value type, the value; strings
//! are a `u64` length and UTF-8 bytes; arrays a `u32` element type, a `u64`
//! count and the elements), the tensor infos (name, `u32` dimension count,
//! `u64` dimensions innermost first, `u32` type, `u64` offset relative to the
//! data section), then padding to `general.alignment` (default 32) and the
//! data. All little-endian.

use super::decode::TensorType;
use super::error::{WeightsError, WeightsErrorKind as K};
use super::TensorInfo;
use crate::hf_config;
use crate::model::ModelConfig;
use nom::bytes::complete::take;
use nom::number::complete::{le_u32, le_u64};
use nom::IResult;
use std::collections::BTreeMap;
use std::path::Path;

/// The most metadata entries, tensors and dimensions read (work is bounded
/// up front; real models have a few dozen entries and under 2000 tensors).
pub const MAX_ENTRIES: u64 = 1 << 20;
/// The longest string read (a key, a tensor name or a value), in bytes.
pub const MAX_STRING: u64 = 1 << 24;
/// GGML's dimension limit.
pub const MAX_DIMS: u32 = 4;
/// Deepest nesting of metadata arrays.
const MAX_NESTING: u32 = 4;

/// A metadata value (arrays keep their element type and length only).
#[derive(Debug, Clone, PartialEq)]
pub enum MetaValue {
    /// Any integer type, widened.
    Int(i128),
    /// `f32` or `f64`.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
    /// An array: its element type id and length.
    Array {
        /// GGUF value type of the elements.
        elem: u32,
        /// Number of elements.
        len: u64,
    },
}

/// A parsed GGUF header.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufHeader {
    /// 2 or 3.
    pub version: u32,
    /// Metadata by key.
    pub metadata: BTreeMap<String, MetaValue>,
    /// Tensors with absolute offsets.
    pub tensors: Vec<TensorInfo>,
    /// The data alignment.
    pub alignment: u64,
}

impl GgufHeader {
    /// An integer metadata value.
    pub fn int(&self, key: &str) -> Option<i128> {
        match self.metadata.get(key) {
            Some(MetaValue::Int(v)) => Some(*v),
            _ => None,
        }
    }

    /// A string metadata value.
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.metadata.get(key) {
            Some(MetaValue::Str(s)) => Some(s),
            _ => None,
        }
    }
}

type NomErr<'a> = nom::error::Error<&'a [u8]>;

/// A reader over the header that knows its offset in the file.
struct Cursor<'a> {
    all: &'a [u8],
    rest: &'a [u8],
    path: &'a Path,
    tensor: Option<String>,
}

impl<'a> Cursor<'a> {
    fn offset(&self) -> u64 {
        (self.all.len() - self.rest.len()) as u64
    }

    fn fail(&self, kind: K) -> WeightsError {
        WeightsError::new(self.path, self.offset(), self.tensor.as_deref(), kind)
    }

    fn run<T>(
        &mut self,
        what: &'static str,
        p: impl Fn(&'a [u8]) -> IResult<&'a [u8], T, NomErr<'a>>,
    ) -> Result<T, WeightsError> {
        match p(self.rest) {
            Ok((rest, v)) => {
                self.rest = rest;
                Ok(v)
            }
            Err(_) => Err(self.fail(K::Truncated(what))),
        }
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, WeightsError> {
        self.run(what, le_u32)
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, WeightsError> {
        self.run(what, le_u64)
    }

    fn bytes(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], WeightsError> {
        if n > self.rest.len() as u64 {
            return Err(self.fail(K::Truncated(what)));
        }
        self.run(what, |i| take(n as usize)(i))
    }

    fn string(&mut self, what: &'static str) -> Result<String, WeightsError> {
        let len = self.u64(what)?;
        if len > MAX_STRING {
            return Err(self.fail(K::TooMany {
                what: "bytes in a string",
                count: len,
                limit: MAX_STRING,
            }));
        }
        let start = self.offset();
        let b = self.bytes(len, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| {
            WeightsError::new(
                self.path,
                start,
                self.tensor.as_deref(),
                K::Invalid(format!("{what} is not UTF-8")),
            )
        })
    }

    fn value(&mut self, ty: u32, depth: u32) -> Result<MetaValue, WeightsError> {
        let int = |c: &mut Self, n: u64, signed: bool| -> Result<MetaValue, WeightsError> {
            let b = c.bytes(n, "a metadata value")?;
            let mut v: u64 = 0;
            for (i, &x) in b.iter().enumerate() {
                v |= u64::from(x) << (8 * i);
            }
            let bits = 8 * n as u32;
            let val = if signed && bits < 64 && v >> (bits - 1) & 1 == 1 {
                i128::from(v) - (1i128 << bits)
            } else if signed && bits == 64 {
                i128::from(v as i64)
            } else {
                i128::from(v)
            };
            Ok(MetaValue::Int(val))
        };
        Ok(match ty {
            0 => int(self, 1, false)?,
            1 => int(self, 1, true)?,
            2 => int(self, 2, false)?,
            3 => int(self, 2, true)?,
            4 => int(self, 4, false)?,
            5 => int(self, 4, true)?,
            10 => int(self, 8, false)?,
            11 => int(self, 8, true)?,
            6 => MetaValue::Float(f64::from(f32::from_bits(self.u32("a metadata value")?))),
            12 => MetaValue::Float(f64::from_bits(self.u64("a metadata value")?)),
            7 => {
                let b = self.bytes(1, "a metadata value")?[0];
                if b > 1 {
                    return Err(self.fail(K::Invalid(format!("boolean value {b}"))));
                }
                MetaValue::Bool(b == 1)
            }
            8 => MetaValue::Str(self.string("a metadata string")?),
            9 => {
                if depth >= MAX_NESTING {
                    return Err(self.fail(K::Invalid("metadata arrays nested too deep".into())));
                }
                let elem = self.u32("an array type")?;
                let len = self.u64("an array length")?;
                // every element takes at least one byte
                if len > self.rest.len() as u64 {
                    return Err(self.fail(K::Truncated("a metadata array")));
                }
                for _ in 0..len {
                    self.value(elem, depth + 1)?;
                }
                MetaValue::Array { elem, len }
            }
            other => return Err(self.fail(K::Invalid(format!("unknown metadata type {other}")))),
        })
    }
}

fn align_up(x: u64, a: u64) -> Option<u64> {
    x.checked_add(a - 1).map(|v| v / a * a)
}

/// Parses the header of `bytes` (the whole file) and checks every tensor's
/// type, shape, alignment and extent.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<GgufHeader, WeightsError> {
    let mut c = Cursor {
        all: bytes,
        rest: bytes,
        path,
        tensor: None,
    };
    let magic = c.bytes(4, "the magic")?;
    if magic != b"GGUF" {
        return Err(WeightsError::new(path, 0, None, K::BadMagic));
    }
    let version = c.u32("the version")?;
    if version != 2 && version != 3 {
        return Err(WeightsError::new(path, 4, None, K::Version(version)));
    }
    let n_tensors = c.u64("the tensor count")?;
    let n_kv = c.u64("the metadata count")?;
    for (what, n) in [("tensors", n_tensors), ("metadata entries", n_kv)] {
        if n > MAX_ENTRIES {
            return Err(c.fail(K::TooMany {
                what,
                count: n,
                limit: MAX_ENTRIES,
            }));
        }
    }
    let mut metadata = BTreeMap::new();
    for _ in 0..n_kv {
        let key = c.string("a metadata key")?;
        let ty = c.u32("a metadata type")?;
        let v = c.value(ty, 0)?;
        metadata.insert(key, v);
    }
    let alignment = match metadata.get("general.alignment") {
        None => 32,
        Some(MetaValue::Int(a)) if *a > 0 && (*a as u64).is_power_of_two() && *a <= 1 << 20 => {
            *a as u64
        }
        Some(v) => {
            return Err(c.fail(K::Invalid(format!(
                "general.alignment {v:?} is not a power of two up to 2^20"
            ))))
        }
    };
    // tensor infos; offsets are resolved once the data section is known
    let mut raw = Vec::new();
    for _ in 0..n_tensors {
        c.tensor = None;
        let name = c.string("a tensor name")?;
        c.tensor = Some(name.clone());
        let info_at = c.offset();
        let n_dims = c.u32("a tensor's dimension count")?;
        if n_dims == 0 || n_dims > MAX_DIMS {
            return Err(c.fail(K::Shape(format!(
                "{n_dims} dimensions (1 to {MAX_DIMS} are allowed)"
            ))));
        }
        let mut ne = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            ne.push(c.u64("a tensor dimension")?);
        }
        let type_at = c.offset();
        let ty = c.u32("a tensor type")?;
        let offset = c.u64("a tensor offset")?;
        let ttype = TensorType::from_ggml(ty).ok_or_else(|| {
            WeightsError::new(path, type_at, Some(&name), K::UnknownType(ty.to_string()))
        })?;
        raw.push((name, ne, ttype, offset, info_at));
    }
    c.tensor = None;
    let data_start = align_up(c.offset(), alignment).ok_or_else(|| c.fail(K::Overflow))?;
    let size = bytes.len() as u64;
    let mut tensors = Vec::with_capacity(raw.len());
    for (name, ne, ttype, rel, info_at) in raw {
        let err = |off: u64, k: K| WeightsError::new(path, off, Some(&name), k);
        let n = ne
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d))
            .ok_or_else(|| err(info_at, K::Overflow))?;
        let nbytes = ttype
            .gguf_bytes(ne[0], n)
            .map_err(|m| err(info_at, K::Shape(m)))?;
        if rel % alignment != 0 {
            return Err(err(info_at, K::Misaligned { alignment }));
        }
        let offset = data_start
            .checked_add(rel)
            .ok_or_else(|| err(info_at, K::Overflow))?;
        let end = offset
            .checked_add(nbytes)
            .ok_or_else(|| err(info_at, K::Overflow))?;
        if end > size {
            return Err(err(offset.min(size), K::PastEnd { end, size }));
        }
        let shape: Vec<u64> = ne.iter().rev().copied().collect();
        tensors.push(TensorInfo {
            name,
            ttype,
            shape,
            offset,
            nbytes,
            scale: None,
        });
    }
    Ok(GgufHeader {
        version,
        metadata,
        tensors,
        alignment,
    })
}

/// The model shape from the GGUF metadata (`{arch}.block_count`,
/// `.embedding_length`, `.feed_forward_length`, `.attention.head_count`,
/// `.attention.head_count_kv`, `.vocab_size` or the embedding's rows), or
/// `None` when the file has no `general.architecture`.
pub fn model_config(path: &Path, h: &GgufHeader) -> Result<Option<ModelConfig>, WeightsError> {
    let Some(arch) = h.str("general.architecture") else {
        return Ok(None);
    };
    let key = |k: &str| format!("{arch}.{k}");
    let get = |k: &str| -> Result<i128, WeightsError> {
        h.int(&key(k)).ok_or_else(|| {
            WeightsError::new(
                path,
                0,
                None,
                K::Invalid(format!(
                    "metadata `{}` is missing or not an integer",
                    key(k)
                )),
            )
        })
    };
    let embd_rows = h
        .tensors
        .iter()
        .find(|t| t.name == "token_embd.weight")
        .map(|t| t.shape[0] as i128);
    let vocab = match h.int(&key("vocab_size")).or(embd_rows) {
        Some(v) => v,
        None => get("vocab_size")?,
    };
    let heads = get("attention.head_count")?;
    let kv = h.int(&key("attention.head_count_kv")).unwrap_or(heads);
    let bitnet = arch.contains("bitnet");
    let relu2 = arch == "bitnet-b1.58" || arch == "bitnet-25";
    let tied = !h.tensors.iter().any(|t| t.name == "output.weight");
    let json = serde_json::json!({
        "architectures": [if bitnet { "BitNetForCausalLM" } else { "LlamaForCausalLM" }],
        "model_type": if bitnet { "bitnet" } else { "llama" },
        "hidden_size": get("embedding_length")?,
        "intermediate_size": get("feed_forward_length")?,
        "num_hidden_layers": get("block_count")?,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "vocab_size": vocab,
        "hidden_act": if relu2 { "relu2" } else { "silu" },
        "tie_word_embeddings": tied,
    });
    let name = h
        .str("general.name")
        .map(str::to_string)
        .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "gguf".into())
        .replace(char::is_whitespace, "_");
    let mut m = hf_config::import(&name, &json.to_string())
        .map_err(|e| WeightsError::new(path, 0, None, K::Invalid(format!("model shape: {e}"))))?;
    m.source = format!("GGUF metadata of {}", path.display());
    Ok(Some(m))
}
