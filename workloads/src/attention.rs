//! Attention geometry: which keys each query attends to (the mask), how
//! many query-key pairs that makes, and how many a tiled kernel computes
//! when it skips fully masked tiles and computes partly masked ones whole.
//!
//! An attention operator has `m` queries against `n` keys (the KV length).
//! Under the causal mask query `i` (0-based) attends to the first
//! `n - m + i + 1` keys: the `n - m` keys already in the cache and the new
//! ones up to and including its own position. This covers prefill
//! (`n = m`: query `i` sees `i + 1` keys), decode (`m = 1`: the query sees
//! all `n` keys, as under the full mask) and verification of drafted tokens
//! (`n = S + m`: each drafted token sees the cache and the drafts before it).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which keys the queries of an attention operator attend to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mask {
    /// Every query attends to every key (no mask, or a kernel that computes
    /// the masked scores anyway). The meaning of version-1 traces.
    #[default]
    Full,
    /// Query `i` of `m` attends to the first `n - m + i + 1` keys.
    Causal,
}

impl Mask {
    /// The name used on the command line and in traces.
    pub fn name(self) -> &'static str {
        match self {
            Mask::Full => "full",
            Mask::Causal => "causal",
        }
    }

    /// Parses `full` or `causal`.
    pub fn from_name(s: &str) -> Option<Mask> {
        match s {
            "full" => Some(Mask::Full),
            "causal" => Some(Mask::Causal),
            _ => None,
        }
    }
}

impl fmt::Display for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Query-key pairs of `m` queries against `n` keys under `mask`: `m * n`
/// for the full mask, `m * (n - m) + m * (m + 1) / 2` for the causal mask
/// (`n < m` is read as `n = m`: a query always sees its own key).
pub fn attended_pairs(mask: Mask, m: u64, n: u64) -> u64 {
    match mask {
        Mask::Full => m.saturating_mul(n),
        Mask::Causal => {
            let n = n.max(m);
            let tri = u128::from(m) * (u128::from(m) + 1) / 2;
            let pairs = u128::from(m) * u128::from(n - m) + tri;
            u64::try_from(pairs).unwrap_or(u64::MAX)
        }
    }
}

/// Query-key pairs a kernel computes when it cuts the score matrix into
/// tiles of `q_block` queries by `kv_block` keys, skips the tiles that are
/// fully masked and computes the partly masked ones whole.
///
/// Under the full mask this is `m * n`. Under the causal mask, query block
/// `b` (rows `b * q_block .. min(m, (b + 1) * q_block)`) needs the keys up
/// to the last row's `n - m + last + 1`, rounded up to whole KV blocks and
/// capped at `n`; every row of the block computes that many.
pub fn computed_pairs(mask: Mask, m: u64, n: u64, q_block: u64, kv_block: u64) -> u64 {
    if mask == Mask::Full || m == 0 {
        return m.saturating_mul(n);
    }
    let n = n.max(m);
    let (qb, kb) = (q_block.max(1), kv_block.max(1));
    let prefix = n - m;
    let blocks = m.div_ceil(qb);
    let mut total = 0u64;
    for b in 0..blocks {
        let first = b * qb;
        let end = (first + qb).min(m);
        let keys = (prefix + end).div_ceil(kb).saturating_mul(kb).min(n);
        total = total.saturating_add((end - first).saturating_mul(keys));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_pairs_by_hand() {
        // prefill of 4 tokens: 1 + 2 + 3 + 4
        assert_eq!(attended_pairs(Mask::Causal, 4, 4), 10);
        // verify 3 drafts against 5 cached keys: 6 + 7 + 8
        assert_eq!(attended_pairs(Mask::Causal, 3, 8), 21);
        // decode: the one query sees every key
        assert_eq!(attended_pairs(Mask::Causal, 1, 9), 9);
        assert_eq!(attended_pairs(Mask::Full, 4, 4), 16);
    }

    #[test]
    fn tiled_causal_by_hand() {
        // 5 queries, blocks of 2 x 2 keys: rows 0-1 need keys 0-1 (1 tile),
        // rows 2-3 keys 0-3 (2 tiles), row 4 keys 0-4 -> 6, capped at 5
        assert_eq!(computed_pairs(Mask::Causal, 5, 5, 2, 2), 2 * 2 + 2 * 4 + 5);
        // single-element tiles compute exactly the attended pairs
        assert_eq!(computed_pairs(Mask::Causal, 37, 37, 1, 1), 703);
        assert_eq!(computed_pairs(Mask::Full, 5, 5, 2, 2), 25);
        assert_eq!(computed_pairs(Mask::Causal, 1, 100, 64, 64), 100);
    }
}
