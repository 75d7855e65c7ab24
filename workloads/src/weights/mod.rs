//! Model checkpoints on disk: GGUF (v2, v3) and safetensors files of BitNet
//! models, memory-mapped and read tensor by tensor, and the statistics of
//! their ternary weights as a design's lanes see them (docs/weights.md).
//!
//! * [`gguf`]: the GGUF header (nom), metadata and tensor infos;
//! * [`st`]: safetensors headers, the Hugging Face packed-ternary layout and
//!   the `config.json` beside the file;
//! * [`decode`]: every stored type to ternary rows (TQ1_0, TQ2_0, I2_S,
//!   packed uint8, and float master weights quantized by absmean) or floats;
//! * [`stats`]: per-tensor zero share, ±1 balance, nonzeros per chunk, the
//!   densest lane of each lane group and toggle activity;
//! * [`names`]: which trace operator a tensor is.

pub mod decode;
pub mod error;
pub mod gguf;
pub mod names;
pub mod st;
pub mod stats;
pub mod survey;

pub use decode::{Encoding, TensorType};
pub use error::{WeightsError, WeightsErrorKind};
pub use stats::{LaneGeometry, TensorStats};

use crate::model::ModelConfig;
use memmap2::Mmap;
use std::path::{Path, PathBuf};

/// One tensor of a checkpoint: where its bytes are and how to read them.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    /// The name in the file.
    pub name: String,
    /// How the bytes encode the values.
    pub ttype: TensorType,
    /// Logical shape, outermost first: `[N, K]` for a weight matrix of `N`
    /// output features and `K` inputs (`K` contiguous).
    pub shape: Vec<u64>,
    /// Absolute byte offset of the data in the file.
    pub offset: u64,
    /// Bytes of data.
    pub nbytes: u64,
    /// A per-tensor scale stored apart from the values (the Hugging Face
    /// `weight_scale`, converted to the dequantization factor).
    pub scale: Option<f64>,
}

impl TensorInfo {
    /// Number of values.
    pub fn elements(&self) -> u64 {
        self.shape.iter().product()
    }

    /// `(rows, cols)`: a matrix of `N x K`; a vector is one row.
    pub fn rows_cols(&self) -> (u64, u64) {
        match self.shape.len() {
            0 => (1, 1),
            1 => (1, self.shape[0]),
            _ => {
                let cols = *self.shape.last().unwrap_or(&1);
                (self.elements() / cols.max(1), cols)
            }
        }
    }

    /// Bits per weight as stored.
    pub fn bits_per_weight(&self) -> f64 {
        let n = self.elements();
        if n == 0 {
            0.0
        } else {
            self.nbytes as f64 * 8.0 / n as f64
        }
    }
}

/// The container format of a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GGUF of the given version.
    Gguf(u32),
    /// safetensors.
    Safetensors,
}

impl Format {
    /// Display name.
    pub fn name(self) -> String {
        match self {
            Format::Gguf(v) => format!("GGUF v{v}"),
            Format::Safetensors => "safetensors".into(),
        }
    }
}

/// An opened checkpoint: the mapped file, its tensors and the model shape.
#[derive(Debug)]
pub struct Checkpoint {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Tensors in file order.
    pub tensors: Vec<TensorInfo>,
    /// The model's shape, from the GGUF metadata or the `config.json` beside
    /// a safetensors file, when present.
    pub model: Option<ModelConfig>,
    map: Mmap,
}

impl Checkpoint {
    /// Opens a GGUF or safetensors file (by its first bytes), memory-mapped.
    pub fn open(path: &Path) -> Result<Checkpoint, WeightsError> {
        let err = |offset, kind| WeightsError::new(path, offset, None, kind);
        let file =
            std::fs::File::open(path).map_err(|e| err(0, WeightsErrorKind::Io(e.to_string())))?;
        let meta = file
            .metadata()
            .map_err(|e| err(0, WeightsErrorKind::Io(e.to_string())))?;
        if meta.is_dir() {
            return Err(err(0, WeightsErrorKind::Io("is a directory".into())));
        }
        // SAFETY: the map is read-only and private; a file changed by
        // another process while mapped can change the values read (never
        // memory safety of this process beyond what reading a file gives).
        let map =
            unsafe { Mmap::map(&file) }.map_err(|e| err(0, WeightsErrorKind::Io(e.to_string())))?;
        let bytes: &[u8] = &map;
        let (format, tensors, model) = if bytes.starts_with(b"GGUF") {
            let h = gguf::parse(path, bytes)?;
            let model = gguf::model_config(path, &h)?;
            (Format::Gguf(h.version), h.tensors, model)
        } else {
            let tensors = st::parse(path, bytes)?;
            let model = st::config_beside(path)?;
            (Format::Safetensors, tensors, model)
        };
        Ok(Checkpoint {
            path: path.to_path_buf(),
            format,
            tensors,
            model,
            map,
        })
    }

    /// The bytes of a tensor (checked against the file size when opened).
    pub fn data(&self, t: &TensorInfo) -> &[u8] {
        &self.map[t.offset as usize..(t.offset + t.nbytes) as usize]
    }

    /// Tells the kernel the pages of `t` are no longer needed, so a pass
    /// over a multi-GB file keeps only the tensors it is reading resident.
    pub fn release(&self, t: &TensorInfo) {
        #[cfg(unix)]
        {
            // SAFETY: the map is a private read-only file mapping, so
            // dropping its pages only makes the next access read them from
            // the file again; no slice into them outlives this call's
            // callers' use (they finished reading the tensor).
            let _ = unsafe {
                self.map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    t.offset as usize,
                    t.nbytes as usize,
                )
            };
        }
        #[cfg(not(unix))]
        let _ = t;
    }

    /// The tensor called `name`.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// File size in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.map.len() as u64
    }

    /// An error about tensor `t` at byte `offset`.
    pub fn error(&self, t: &TensorInfo, offset: u64, kind: WeightsErrorKind) -> WeightsError {
        WeightsError::new(&self.path, offset, Some(&t.name), kind)
    }
}
