//! Import of a Hugging Face `config.json` (LLaMA- and BitNet-style keys)
//! into a [`ModelConfig`].
//!
//! Read keys: `hidden_size`, `intermediate_size`, `num_hidden_layers`,
//! `num_attention_heads`, `vocab_size` (required); `num_key_value_heads`
//! (default: `num_attention_heads`), `head_dim` (default: hidden / heads),
//! `hidden_act` (default `silu`), `tie_word_embeddings` (default false),
//! `torch_dtype` (default float16). A model is taken as BitNet b1.58
//! (ternary weights, INT8 activations) when `model_type` is `bitnet`, an
//! entry of `architectures` contains `bitnet` (any case), or
//! `quantization_config.quant_method` is `bitnet`; `model_type = bitnet`
//! (bitnet-b1.58-2B-4T's architecture) also has the SubLN norms. Everything
//! else is an FP16 LLaMA-style model.

use crate::model::{ActFn, Family, ModelConfig};
use crate::precision::Precision;
use serde_json::Value;

/// A `config.json` that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HfConfigError {
    /// The file is not valid JSON.
    #[error("{line}:{col}: invalid JSON: {msg}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the JSON parser said.
        msg: String,
    },
    /// The top level is not an object.
    #[error("expected a JSON object at the top level")]
    NotAnObject,
    /// A required key is absent.
    #[error("missing key `{0}`")]
    Missing(&'static str),
    /// The model is above a documented size limit.
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
    /// A key has a value of the wrong type or out of range.
    #[error("key `{key}`: {expected}, found {found}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// What was expected.
        expected: String,
        /// The value found, as JSON.
        found: String,
    },
}

fn invalid(key: &'static str, expected: impl Into<String>, v: &Value) -> HfConfigError {
    let mut found = v.to_string();
    if found.len() > 60 {
        found.truncate(57);
        found.push_str("...");
    }
    HfConfigError::Invalid {
        key,
        expected: expected.into(),
        found,
    }
}

fn positive(
    obj: &serde_json::Map<String, Value>,
    key: &'static str,
) -> Result<Option<u64>, HfConfigError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=(1u64 << 32)).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(key, "expected an integer from 1 to 2^32", v)),
        },
    }
}

fn required(obj: &serde_json::Map<String, Value>, key: &'static str) -> Result<u64, HfConfigError> {
    positive(obj, key)?.ok_or(HfConfigError::Missing(key))
}

/// A JSON document walked only to refuse an object key given twice
/// (serde_json keeps the last silently); the error carries the position
/// just after the repeated key.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                let mut shown: String = key.chars().take(60).collect();
                if shown.len() < key.len() {
                    shown.push_str("...");
                }
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{shown}` (each key may appear once in an object)"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

/// Imports `text` (the contents of a `config.json`); `name` becomes the
/// model name. A key given twice in an object is refused, and the model's
/// shape is checked against [`crate::limits::check_model`].
pub fn import(name: &str, text: &str) -> Result<ModelConfig, HfConfigError> {
    let json_error = |e: serde_json::Error| HfConfigError::Json {
        line: e.line(),
        col: e.column(),
        msg: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    serde_json::from_str::<NoDuplicateKeys>(text).map_err(json_error)?;
    let v: Value = serde_json::from_str(text).map_err(|e| HfConfigError::Json {
        line: e.line(),
        col: e.column(),
        msg: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_string(),
    })?;
    let obj = v.as_object().ok_or(HfConfigError::NotAnObject)?;

    let hidden = required(obj, "hidden_size")?;
    let ffn = required(obj, "intermediate_size")?;
    let layers = required(obj, "num_hidden_layers")?;
    let heads = required(obj, "num_attention_heads")?;
    let vocab = required(obj, "vocab_size")?;
    let kv_heads = positive(obj, "num_key_value_heads")?.unwrap_or(heads);
    if !heads.is_multiple_of(kv_heads) {
        return Err(invalid(
            "num_key_value_heads",
            format!("expected a divisor of num_attention_heads ({heads})"),
            &obj["num_key_value_heads"],
        ));
    }
    let head_dim = match positive(obj, "head_dim")? {
        Some(d) => d,
        None if hidden.is_multiple_of(heads) => hidden / heads,
        None => {
            return Err(invalid(
                "num_attention_heads",
                format!("expected a divisor of hidden_size ({hidden}) when head_dim is absent"),
                &obj["num_attention_heads"],
            ))
        }
    };
    let act = match obj.get("hidden_act") {
        None | Some(Value::Null) => ActFn::Silu,
        Some(v) => v.as_str().and_then(ActFn::from_name).ok_or_else(|| {
            invalid(
                "hidden_act",
                "expected one of \"silu\", \"relu2\", \"gelu\"",
                v,
            )
        })?,
    };
    let tied = match obj.get("tie_word_embeddings") {
        None | Some(Value::Null) => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid("tie_word_embeddings", "expected true or false", v))?,
    };
    let high_precision = match obj.get("torch_dtype") {
        None | Some(Value::Null) => Precision::Fp16,
        Some(v) => match v.as_str() {
            Some("float16") => Precision::Fp16,
            Some("bfloat16") => Precision::Bf16,
            Some("float32") => Precision::Fp32,
            _ => {
                return Err(invalid(
                    "torch_dtype",
                    "expected \"float16\", \"bfloat16\" or \"float32\"",
                    v,
                ))
            }
        },
    };
    let model_type = obj.get("model_type").and_then(Value::as_str).unwrap_or("");
    let arch_bitnet = obj
        .get("architectures")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .any(|s| s.to_ascii_lowercase().contains("bitnet"))
        });
    let quant_bitnet = obj
        .get("quantization_config")
        .and_then(|q| q.get("quant_method"))
        .and_then(Value::as_str)
        == Some("bitnet");
    let bitnet = model_type == "bitnet" || arch_bitnet || quant_bitnet;

    let (family, weights, activations) = if bitnet {
        (Family::BitnetB158, Precision::Ternary, Precision::INT8)
    } else {
        (Family::Llama, Precision::Fp16, Precision::Fp16)
    };
    let model = ModelConfig {
        name: name.to_string(),
        family,
        source: format!("Hugging Face config.json `{name}`"),
        layers,
        hidden,
        ffn,
        heads,
        kv_heads,
        head_dim,
        vocab,
        act,
        gated_ffn: true,
        tied_embeddings: tied,
        sub_norm: model_type == "bitnet",
        weights,
        activations,
        high_precision,
    };
    crate::limits::check_model(&model)?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zoo;

    const CONFIG_2B4T: &str = r#"{
  "architectures": ["BitNetForCausalLM"],
  "hidden_act": "relu2",
  "hidden_size": 2560,
  "intermediate_size": 6912,
  "max_position_embeddings": 4096,
  "model_type": "bitnet",
  "num_attention_heads": 20,
  "num_hidden_layers": 30,
  "num_key_value_heads": 5,
  "rms_norm_eps": 1e-05,
  "rope_theta": 500000.0,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "vocab_size": 128256,
  "quantization_config": {"quant_method": "bitnet", "linear_class": "autobitlinear"}
}"#;

    #[test]
    fn duplicate_keys_are_refused_with_their_line() {
        let text = "{\n  \"hidden_size\": 64,\n  \"intermediate_size\": 128,\n  \"num_hidden_layers\": 2,\n  \"num_attention_heads\": 4,\n  \"vocab_size\": 100,\n  \"num_hidden_layers\": 3\n}\n";
        match import("m", text).unwrap_err() {
            HfConfigError::Json { line, msg, .. } => {
                assert_eq!(line, 7);
                assert!(msg.contains("duplicate key `num_hidden_layers`"), "{msg}");
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn huge_shapes_are_refused_up_front() {
        let text = r#"{"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 4294967296,
            "num_attention_heads": 4, "vocab_size": 100}"#;
        let e = import("m", text).unwrap_err();
        assert!(
            e.to_string()
                .contains("num_hidden_layers = 4294967296 is above the limit of 4096"),
            "{e}"
        );
    }

    #[test]
    fn imports_2b4t_like_the_preset() {
        let m = import("bitnet-b1.58-2B-4T", CONFIG_2B4T).unwrap();
        let mut preset = zoo::find("bitnet-b1.58-2B-4T").unwrap();
        preset.source = m.source.clone();
        assert_eq!(m, preset);
        assert_eq!(m.params().total(), 2_412_820_480);
    }

    #[test]
    fn llama_defaults() {
        let m = import(
            "tiny",
            r#"{"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                "num_attention_heads": 4, "vocab_size": 100}"#,
        )
        .unwrap();
        assert_eq!((m.kv_heads, m.head_dim, m.act), (4, 16, ActFn::Silu));
        assert_eq!((m.family, m.weights), (Family::Llama, Precision::Fp16));
        assert!(!m.tied_embeddings && !m.sub_norm);
    }

    #[test]
    fn bad_files_name_the_key() {
        let base: Value = serde_json::from_str(CONFIG_2B4T).unwrap();
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            import("x", &b.to_string()).unwrap_err().to_string()
        };
        let without = |k: &str| {
            let mut b = base.clone();
            b.as_object_mut().unwrap().remove(k);
            import("x", &b.to_string()).unwrap_err().to_string()
        };
        assert_eq!(without("hidden_size"), "missing key `hidden_size`");
        assert_eq!(without("vocab_size"), "missing key `vocab_size`");
        assert!(with("num_hidden_layers", Value::from(-3))
            .starts_with("key `num_hidden_layers`: expected an integer"));
        assert!(with("num_hidden_layers", Value::from("30")).contains("found \"30\""));
        assert!(with("intermediate_size", Value::from(0)).starts_with("key `intermediate_size`"));
        assert!(with("num_key_value_heads", Value::from(3))
            .starts_with("key `num_key_value_heads`: expected a divisor"));
        assert!(with("hidden_act", Value::from("tanh")).starts_with("key `hidden_act`"));
        assert!(
            with("tie_word_embeddings", Value::from(1)).starts_with("key `tie_word_embeddings`")
        );
        assert_eq!(
            import("x", "{\n  \"hidden_size\": ,\n}")
                .unwrap_err()
                .to_string(),
            "2:18: invalid JSON: expected value"
        );
        assert_eq!(import("x", "[1]").unwrap_err(), HfConfigError::NotAnObject);
    }
}
