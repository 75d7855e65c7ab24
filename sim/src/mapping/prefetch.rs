//! Prefetch depth of the lane array: how a mapping partitions the weight
//! buffer into tiles in flight.
//!
//! A design with `buffers.prefetch_slots = S` on a double-buffered weight
//! buffer stores `S` tiles of `buffers.weights.tile_bytes()` (half of
//! `kib`) each: the two halves and `S - 2` extra tile-sized slots, the
//! extra ones counted in the SRAM area (`energy_model::system_area`). A
//! mapping may use that storage as `d` tiles of `S x tile_bytes / d` bytes
//! for any depth `d` in `2..=S`: fewer, larger tiles, or more, smaller
//! tiles in flight (more DRAM requests outstanding while one computes,
//! which hides the latency of small operators). The engine holds the
//! chosen `d` tiles of the operator in flight ([`OpPlan::depth`](super::OpPlan::depth)):
//! every tile occupies `1 / d` of the unit's buffer, and a unit fetches
//! the next tile while the tiles it holds leave room for it
//! ([`share`]). A design without the key (or with a single-buffered
//! weight buffer, or `S <= 2`) has one depth, its own.

use super::reuse::LinearMapping;
use crate::arch::Accelerator;

/// The buffer of a unit in shares: every depth from 1 to
/// [`crate::arch::MAX_PREFETCH_SLOTS`] divides it (lcm of 1..=16).
pub const SHARE_UNITS: u64 = 720_720;

/// The share of the unit's buffer one tile of an operator with `depth`
/// tiles in flight occupies.
pub fn share(depth: u32) -> u64 {
    SHARE_UNITS / u64::from(depth.clamp(1, crate::arch::MAX_PREFETCH_SLOTS))
}

/// The design's own depth: the array's tiles in flight,
/// `buffers.prefetch_slots` or its default.
pub fn design_depth(arch: &Accelerator) -> u32 {
    arch.prefetch_slots(arch.buffers.weights.double_buffered)
}

/// True when the design lets a mapping choose its depth: a
/// double-buffered weight buffer with more than two slots.
fn choosable(arch: &Accelerator) -> bool {
    arch.buffers.weights.double_buffered && design_depth(arch) > 2
}

/// The depths the mapper searches, the design's own first: with `S`
/// slots, `S` and the powers of two from 2 below it (the depths between
/// them give tiles between those of their neighbours).
pub fn depths(arch: &Accelerator) -> Vec<u32> {
    let s = design_depth(arch);
    let mut v = vec![s];
    if choosable(arch) {
        let mut d = 2;
        while d < s {
            v.push(d);
            d *= 2;
        }
    }
    v
}

/// The depth `map` runs with on `arch`: its own when the design allows
/// it (2 to the slots), else the design's.
pub fn depth_of(arch: &Accelerator, map: &LinearMapping) -> u32 {
    let s = design_depth(arch);
    if choosable(arch) && (2..=s).contains(&map.depth) {
        map.depth
    } else {
        s
    }
}

/// Bytes of one weight tile at `depth` tiles in flight: the weight
/// storage (`S x tile_bytes`) divided by the depth; the design's own
/// depth gives `tile_bytes`.
pub fn tile_room(arch: &Accelerator, depth: u32) -> u64 {
    let half = arch.buffers.weights.tile_bytes();
    if choosable(arch) {
        u64::from(design_depth(arch)) * half / u64::from(depth.max(2))
    } else {
        half
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::preset;

    #[test]
    fn depths_partition_the_slots() {
        let mut a = preset("edge-ternary").unwrap();
        let half = a.buffers.weights.tile_bytes();
        // no key: two slots, one depth, the half buffer
        assert_eq!(depths(&a), vec![2]);
        assert_eq!(tile_room(&a, 2), half);
        a.buffers.prefetch_slots = Some(6);
        assert_eq!(depths(&a), vec![6, 2, 4]);
        assert_eq!(tile_room(&a, 6), half);
        assert_eq!(tile_room(&a, 2), 3 * half);
        assert_eq!(tile_room(&a, 4), 6 * half / 4);
        let m = LinearMapping {
            depth: 4,
            ..LinearMapping::fixed(&a)
        };
        assert_eq!(depth_of(&a, &m), 4);
        // a single-buffered weight buffer keeps its slots
        a.buffers.weights.double_buffered = false;
        assert_eq!(depths(&a), vec![6]);
        assert_eq!(depth_of(&a, &m), 6);
        assert_eq!(tile_room(&a, 4), a.buffers.weights.bytes());
        assert_eq!(share(4) * 4, SHARE_UNITS);
        assert_eq!(share(7) * 7, SHARE_UNITS);
    }
}
