//! Which trace operator a checkpoint tensor is: GGUF names
//! (`blk.3.attn_q.weight`) and Hugging Face names
//! (`model.layers.3.self_attn.q_proj.weight`) to `L3.q` (the names of
//! docs/trace-format.md).

/// The projection of a tensor name: `(layer, short name)` with short names
/// `q`, `k`, `v`, `o`, `gate`, `up`, `down`; `None` for every other tensor.
pub fn projection(name: &str) -> Option<(u32, &'static str)> {
    let (layer, rest) = if let Some(r) = name.strip_prefix("blk.") {
        let (l, rest) = r.split_once('.')?;
        (l.parse().ok()?, rest)
    } else if let Some(r) = name.strip_prefix("model.layers.") {
        let (l, rest) = r.split_once('.')?;
        (l.parse().ok()?, rest)
    } else {
        return None;
    };
    let short = match rest {
        "attn_q.weight" | "self_attn.q_proj.weight" => "q",
        "attn_k.weight" | "self_attn.k_proj.weight" => "k",
        "attn_v.weight" | "self_attn.v_proj.weight" => "v",
        "attn_output.weight" | "self_attn.o_proj.weight" => "o",
        "ffn_gate.weight" | "mlp.gate_proj.weight" => "gate",
        "ffn_up.weight" | "mlp.up_proj.weight" => "up",
        "ffn_down.weight" | "mlp.down_proj.weight" => "down",
        _ => return None,
    };
    Some((layer, short))
}

/// The trace operator name of a projection tensor (`L3.q`).
pub fn op_name(name: &str) -> Option<String> {
    projection(name).map(|(l, s)| format!("L{l}.{s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_conventions() {
        assert_eq!(op_name("blk.3.attn_q.weight").as_deref(), Some("L3.q"));
        assert_eq!(
            op_name("model.layers.12.mlp.down_proj.weight").as_deref(),
            Some("L12.down")
        );
        assert_eq!(op_name("model.layers.0.mlp.down_proj.weight_scale"), None);
        assert_eq!(op_name("token_embd.weight"), None);
        assert_eq!(op_name("blk.x.attn_q.weight"), None);
    }
}
