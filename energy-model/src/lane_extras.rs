//! Lane hardware beyond the reduction: the weight registers and partial-sum
//! bank of `array.token_tile`, and the activation multiplexers of buildable
//! zero skipping (`array.zeros = "skip"`).
//!
//! Gate equivalents use the same NanGate FreePDK45 ratios as the Yosys cell
//! weights of [`crate::area::yosys_cell_ge`]: a 2:1 multiplexer 2.33 GE, a
//! flip-flop with enable a flip-flop plus a multiplexer.
//!
//! - token tile `T > 1`: `T - 1` more accumulators of `acc_bits` (enabled
//!   flip-flops), a `T:1` multiplexer per accumulator bit (`T - 1` 2:1
//!   multiplexers: the accumulator the arriving token adds to, or the
//!   finished one the output register takes, as rtl-gen's lane has it);
//!   the lane's weight register itself is stage 0 of every lane design
//!   (counted with the datapath's flip-flops). The generated tile takes a
//!   whole chunk on `in_wgt` in the cycle that loads it (`in_wload`), so a
//!   weight buffer whose port delivers a chunk of every lane's weights in
//!   one cycle (edge-ternary, datacenter-ternary) feeds it directly and no
//!   more register exists. Only when the port needs more cycles for a chunk
//!   ([`needs_staging`]) does the mapping's overlap (the next chunk arrives
//!   over the tile's `T` token cycles, `sim::mapping::linear`) need a
//!   staging weight register of one lane's stored chunk (`width`
//!   weights in their stored format, [`chunk_bytes`]) per lane in front of
//!   `in_wgt`; it is counted then, and it is not generated (rtl-gen's
//!   accelerator reads a chunk a cycle from a chunk-wide weight word);
//! - zero skip with a window of `W` activations: per tree input a `W:1`
//!   multiplexer of activation bits (`W - 1` 2:1 multiplexers a bit) and
//!   the `ceil(log2 W)`-bit index register that drives it.

use crate::price::datapath_bits;
use crate::tech::{Key, Technology};
use sim::arch::ZeroHandling;
use sim::mapping::reuse::mux_levels;
use sim::mapping::skip::Compaction;
use sim::Accelerator;

/// GE of a 2:1 multiplexer (NanGate MUX2_X1 1.862 um² / NAND2_X1 0.798 um²).
pub const MUX2_GE: f64 = 2.33;

/// Energy of `bits` bits through one 2:1 multiplexer level, pJ
/// (assumption: priced as one select bit, an AND-OR gate pair like the
/// adder tree's select).
pub fn mux_pj(t: &Technology, bits: u64) -> f64 {
    bits as f64 * t.get(Key::SelectPjPerBit)
}

/// Bytes of one chunk of every lane's weights as the weight buffer
/// delivers it: the stored format ([`sim::mapping::skip::Compaction::chunk_bytes`],
/// the function the mapping's port cycles use) for a reduction of
/// `array.max_k` terms at the weights' default zero share.
pub fn chunk_bytes(arch: &Accelerator) -> u64 {
    let c = Compaction::nominal(arch);
    c.chunk_bytes(arch, u64::from(arch.array.lanes))
}

/// True when a token tile `T > 1` needs a staging weight register: the
/// weight buffer delivers fewer bytes a cycle than one chunk of every
/// lane's weights in their stored format ([`chunk_bytes`]).
pub fn needs_staging(arch: &Accelerator) -> bool {
    arch.array.token_tile > 1 && chunk_bytes(arch) > arch.buffers.weights.bytes_per_cycle().max(1)
}

/// Extra hardware of one lane: (gate equivalents, flip-flops).
pub fn per_lane(arch: &Accelerator, t: &Technology) -> (f64, u64) {
    let ar = &arch.array;
    let dff = t.get(Key::DffGe);
    let mut ge = 0.0;
    let mut flops = 0u64;
    let tt = u64::from(ar.token_tile);
    if tt > 1 {
        let acc = u64::from(arch.acc_bits());
        // one lane's share of a stored chunk
        let wreg = if needs_staging(arch) {
            (chunk_bytes(arch) * 8).div_ceil(u64::from(ar.lanes).max(1))
        } else {
            0
        };
        let f = (tt - 1) * acc + wreg;
        flops += f;
        ge += f as f64 * (dff + MUX2_GE) + ((tt - 1) * acc) as f64 * MUX2_GE;
    }
    if ar.zeros == ZeroHandling::Skip && ar.weights.is_low_bit_weight() {
        let win = u64::from(ar.window());
        let a_bits = u64::from(datapath_bits(ar.activations));
        let idx = mux_levels(win);
        let inputs = u64::from(ar.width);
        flops += inputs * idx;
        ge += (inputs * (win - 1) * a_bits) as f64 * MUX2_GE + (inputs * idx) as f64 * dff;
    }
    (ge, flops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn hand_computed_extras() {
        let t = Technology::default_7nm();
        let mut a = preset("edge-ternary").unwrap();
        a.array.token_tile = 1;
        assert_eq!(per_lane(&a, &t), (0.0, 0));
        // 2 lanes x 4 wide, ternary, token tile 4: 3 more accumulators; a
        // chunk of weights (2 x 4 x 2 bits = 1 byte) comes from the weight
        // buffer in one cycle, so no staging register
        a.array.lanes = 2;
        a.array.width = 4;
        a.array.token_tile = 4;
        let acc = u64::from(a.acc_bits());
        let dff = t.get(Key::DffGe);
        assert!(!needs_staging(&a));
        let (ge, flops) = per_lane(&a, &t);
        assert_eq!(flops, 3 * acc);
        let want = (3 * acc) as f64 * (dff + MUX2_GE) + (3 * acc) as f64 * MUX2_GE;
        assert!((ge - want).abs() < 1e-9, "{ge} {want}");
        // 2 lanes x 64 wide: 32 bytes a chunk through a 1-bank x 16-byte
        // port take 2 cycles: a 64 x 2-bit staging register per lane
        a.array.width = 64;
        a.buffers.weights.banks = 1;
        a.buffers.weights.bank_bytes = 16;
        assert!(needs_staging(&a));
        let acc = u64::from(a.acc_bits());
        let (ge, flops) = per_lane(&a, &t);
        assert_eq!(flops, 3 * acc + 128);
        let want = (3 * acc + 128) as f64 * (dff + MUX2_GE) + (3 * acc) as f64 * MUX2_GE;
        assert!((ge - want).abs() < 1e-9, "{ge} {want}");
        // the edge-ternary preset's port delivers a whole chunk a cycle
        // (64 x 64 x 2 bits = 1024 bytes = 16 banks x 64 bytes)
        assert!(!needs_staging(&preset("edge-ternary").unwrap()));
    }

    #[test]
    fn staging_and_mapping_see_the_stored_lut_chunk() {
        // edge-lut (51 lanes x 63, signfold groups of 3 ternary weights in
        // 5-bit indices) with token tile 4 and a 670-byte weight port: a
        // chunk of every lane's indices is 51 x 21 x 5 bits = 5355 bits =
        // 670 bytes, one port cycle; the old sizing at 2 bits a weight
        // (51 x 63 x 2 bits = 804 bytes) priced a staging register the
        // mapping never needs
        let mut a = preset("edge-lut").unwrap();
        a.array.token_tile = 4;
        a.buffers.weights.banks = 1;
        a.buffers.weights.bank_bytes = 670;
        a.validate().unwrap();
        assert_eq!(chunk_bytes(&a), 670);
        let old = (51u64 * 63 * 2).div_ceil(8);
        assert_eq!(old, 804);
        assert!(old > a.buffers.weights.bytes_per_cycle());
        assert!(!needs_staging(&a));
        // the mapping's chunk of an operator in the design's weights is
        // the same function: one port cycle a chunk
        let op = workloads::Op {
            name: "p".into(),
            kind: workloads::OpKind::Linear,
            layer: None,
            inputs: vec![],
            g: 1,
            m: 4,
            k: 63 * 8,
            n: 51,
            a: workloads::Precision::INT8,
            w: Some(workloads::Precision::Ternary),
            out: workloads::Precision::INT32,
            wbytes: 0,
            zeros: None,
            mask: workloads::Mask::Full,
        };
        let comp = Compaction::of(&a, &op, None);
        let port = |a: &Accelerator| sim::memory::SramPort::new(&a.buffers.weights);
        assert_eq!(comp.chunk_bytes(&a, 51), chunk_bytes(&a));
        assert_eq!(port(&a).cycles_for(comp.chunk_bytes(&a, 51)), 1);
        // one byte narrower and both see a second cycle
        a.buffers.weights.bank_bytes = 669;
        assert!(needs_staging(&a));
        assert_eq!(port(&a).cycles_for(comp.chunk_bytes(&a, 51)), 2);
    }
}
