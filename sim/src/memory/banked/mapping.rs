//! Address mapping: which channel, rank, stack ID, bank group, bank, row and
//! column a byte address falls in.
//!
//! Fields are sliced from the address above the burst offset, least
//! significant first:
//! - `RoBaRaCoCh`: channel, column, rank, stack ID, bank group, bank, row
//!   (consecutive bursts fill a row before moving to the next bank, as in
//!   Ramulator 2's mapper of that name);
//! - `RoCoBaRaCh` (bank-interleaved): channel, rank, stack ID, bank group,
//!   bank, column, row (consecutive bursts visit every bank in turn, which
//!   streams well because the row opens of many banks overlap).

use super::spec::Organization;
use super::timing::Path;
use serde::{Deserialize, Serialize};

/// An address mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Mapping {
    /// Row, bank, rank, column, channel (most to least significant).
    #[default]
    RoBaRaCoCh,
    /// Row, column, bank, rank, channel: bank-interleaved.
    RoCoBaRaCh,
}

impl Mapping {
    /// Parses a mapping name.
    pub fn parse(s: &str) -> Option<Mapping> {
        match s {
            "RoBaRaCoCh" | "ro-ba-ra-co-ch" => Some(Mapping::RoBaRaCoCh),
            "RoCoBaRaCh" | "ro-co-ba-ra-ch" | "bank-interleaved" => Some(Mapping::RoCoBaRaCh),
            _ => None,
        }
    }

    /// The mapping's name.
    pub fn name(self) -> &'static str {
        match self {
            Mapping::RoBaRaCoCh => "RoBaRaCoCh",
            Mapping::RoCoBaRaCh => "RoCoBaRaCh",
        }
    }
}

/// A decoded address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    /// Channel.
    pub channel: u32,
    /// Bank path within the channel.
    pub path: Path,
    /// Row.
    pub row: u32,
    /// Column burst within the row.
    pub col: u32,
}

/// Number of bits to index `n` items (`n` a power of two).
fn bits(n: u32) -> u32 {
    n.max(1).trailing_zeros()
}

/// Takes the low `b` bits of `a`.
fn take(a: &mut u64, b: u32) -> u32 {
    let v = (*a & ((1u64 << b) - 1)) as u32;
    *a >>= b;
    v
}

/// Decodes `addr` for `channels` channels of organization `org`. Rows wrap
/// around the device (addresses beyond its capacity alias, as in a
/// simulator of one device).
pub fn decode(m: Mapping, org: &Organization, channels: u32, addr: u64) -> Location {
    let mut a = addr >> bits(org.burst_bytes());
    let ch = take(&mut a, bits(channels));
    let (col, rank, sid, bg, bank);
    match m {
        Mapping::RoBaRaCoCh => {
            col = take(&mut a, bits(org.bursts_per_row));
            rank = take(&mut a, bits(org.ranks));
            sid = take(&mut a, bits(org.sids));
            bg = take(&mut a, bits(org.bank_groups));
            bank = take(&mut a, bits(org.banks));
        }
        Mapping::RoCoBaRaCh => {
            rank = take(&mut a, bits(org.ranks));
            sid = take(&mut a, bits(org.sids));
            bg = take(&mut a, bits(org.bank_groups));
            bank = take(&mut a, bits(org.banks));
            col = take(&mut a, bits(org.bursts_per_row));
        }
    }
    let row = take(&mut a, bits(org.rows));
    Location {
        channel: ch,
        path: Path {
            rank,
            sid,
            bg,
            bank,
        },
        row,
        col,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::banked::presets;

    #[test]
    fn robaracoch_fills_a_row_first() {
        let org = presets::lpddr5_6400().org;
        // 32 B bursts, 64 per row
        let l = decode(Mapping::RoBaRaCoCh, &org, 1, 63 * 32);
        assert_eq!((l.col, l.path.bg, l.path.bank, l.row), (63, 0, 0, 0));
        let l = decode(Mapping::RoBaRaCoCh, &org, 1, 64 * 32);
        assert_eq!((l.col, l.path.bg, l.path.bank, l.row), (0, 1, 0, 0));
        let l = decode(Mapping::RoBaRaCoCh, &org, 1, 16 * 64 * 32);
        assert_eq!((l.col, l.path.bg, l.path.bank, l.row), (0, 0, 0, 1));
    }

    #[test]
    fn bank_interleaved_visits_banks_first() {
        let org = presets::lpddr5_6400().org;
        let l = decode(Mapping::RoCoBaRaCh, &org, 1, 32);
        assert_eq!((l.col, l.path.bg, l.path.bank), (0, 1, 0));
        let l = decode(Mapping::RoCoBaRaCh, &org, 1, 16 * 32);
        assert_eq!((l.col, l.path.bg, l.path.bank), (1, 0, 0));
    }

    #[test]
    fn channels_interleave_per_burst() {
        let org = presets::hbm3_6400().org;
        let l = decode(Mapping::RoBaRaCoCh, &org, 4, 3 * 32);
        assert_eq!((l.channel, l.col), (3, 0));
        let l = decode(Mapping::RoBaRaCoCh, &org, 4, 4 * 32);
        assert_eq!((l.channel, l.col), (0, 1));
    }
}
