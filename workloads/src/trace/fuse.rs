//! Fusion of attention: every `qk -> softmax -> pv` chain of a trace
//! becomes one `attention` operator (QK^T, an online softmax and PV
//! streaming over KV tiles), as a design with fused attention runs it.

use super::Trace;
use crate::op::{Op, OpKind};
use std::collections::{HashMap, HashSet};

/// The name of the fused operator of the chain whose `qk` is called
/// `qk`: `L3.qk` becomes `L3.attn`; any other name gets `.attn` appended.
fn fused_name(qk: &str) -> String {
    match qk.strip_suffix("qk") {
        Some(prefix) if prefix.is_empty() || prefix.ends_with('.') => format!("{prefix}attn"),
        _ => format!("{qk}.attn"),
    }
}

/// `trace` with every fusable attention chain replaced by one `attention`
/// operator: a `qk` read only by a `softmax`, which is read only by a
/// `pv` as its first input, with matching heads, queries and KV length.
/// The fused operator sits where the `pv` was, reads the `qk`'s inputs and
/// the `pv`'s others, reads the cache bytes of both, carries the mask of
/// the `qk` and the output precision of the `pv`; operators that read the
/// `pv` read it instead. Chains that do not match are left as they are.
pub fn fuse_attention(trace: &Trace) -> Trace {
    let ops = &trace.ops;
    let mut readers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, op) in ops.iter().enumerate() {
        for input in &op.inputs {
            readers.entry(input.as_str()).or_default().push(i);
        }
    }
    let names: HashSet<&str> = ops.iter().map(|o| o.name.as_str()).collect();
    let only_reader = |name: &str| match readers.get(name).map(Vec::as_slice) {
        Some(&[r]) => Some(r),
        _ => None,
    };
    // pv index -> (qk index, softmax index, fused name)
    let mut fused: HashMap<usize, (usize, usize, String)> = HashMap::new();
    let mut dropped: HashSet<usize> = HashSet::new();
    for (qi, qk) in ops.iter().enumerate() {
        if qk.kind != OpKind::Qk {
            continue;
        }
        let Some(si) = only_reader(&qk.name) else {
            continue;
        };
        let sm = &ops[si];
        if sm.kind != OpKind::Softmax || sm.inputs.len() != 1 {
            continue;
        }
        let Some(pi) = only_reader(&sm.name) else {
            continue;
        };
        let pv = &ops[pi];
        let shapes_match = pv.kind == OpKind::Pv
            && pv.inputs.first() == Some(&sm.name)
            && (sm.g, sm.m, sm.n) == (qk.g, qk.m, qk.n)
            && (pv.g, pv.m, pv.k, pv.n) == (qk.g, qk.m, qk.n, qk.k);
        let name = fused_name(&qk.name);
        if !shapes_match || names.contains(name.as_str()) {
            continue;
        }
        dropped.insert(qi);
        dropped.insert(si);
        fused.insert(pi, (qi, si, name));
    }
    let renamed: HashMap<&str, &str> = fused
        .iter()
        .map(|(&pi, (_, _, name))| (ops[pi].name.as_str(), name.as_str()))
        .collect();
    let mut out = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        if dropped.contains(&i) {
            continue;
        }
        let mut op = match fused.get(&i) {
            Some((qi, _, name)) => {
                let (qk, pv) = (&ops[*qi], op);
                let mut inputs = qk.inputs.clone();
                inputs.extend(pv.inputs.iter().skip(1).cloned());
                Op {
                    name: name.clone(),
                    kind: OpKind::Attention,
                    layer: qk.layer,
                    inputs,
                    g: qk.g,
                    m: qk.m,
                    k: qk.k,
                    n: qk.n,
                    a: qk.a,
                    w: qk.w,
                    out: pv.out,
                    wbytes: qk.wbytes + pv.wbytes,
                    zeros: None,
                    mask: qk.mask,
                }
            }
            None => op.clone(),
        };
        for input in &mut op.inputs {
            if let Some(&to) = renamed.get(input.as_str()) {
                *input = to.to_string();
            }
        }
        out.push(op);
    }
    Trace {
        meta: trace.meta.clone(),
        ops: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{generate, TraceOptions};
    use crate::{zoo, Phase};

    #[test]
    fn every_block_fuses_once() {
        let m = zoo::find("bitnet-b1.58-700M").unwrap();
        let t = generate(
            &m,
            &TraceOptions {
                phase: Phase::Prefill,
                seq: 37,
                ..Default::default()
            },
        )
        .unwrap();
        let f = fuse_attention(&t);
        assert_eq!(f.ops.len(), t.ops.len() - 2 * 24);
        let a = f.op("L3.attn").unwrap();
        assert_eq!(a.kind, OpKind::Attention);
        assert_eq!(a.inputs, ["L3.q_rope", "L3.k_cache", "L3.v_cache"]);
        assert_eq!(
            a.wbytes,
            t.op("L3.qk").unwrap().wbytes + t.op("L3.pv").unwrap().wbytes
        );
        // the same useful MACs as the two products it replaces
        assert_eq!(f.macs(), t.macs());
        // whoever read L3.pv reads L3.attn
        assert!(f
            .ops
            .iter()
            .any(|o| o.inputs.iter().any(|i| i == "L3.attn")));
        assert!(f.ops.iter().all(|o| o.inputs.iter().all(|i| i != "L3.pv")));
        assert!(crate::OpGraph::new(&f).is_ok());
    }
}
