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
//!   finished one the output register takes, as rtl-gen's lane has it) and
//!   a staging weight register of `width x weight bits` in front of the
//!   tile's weight input (the weight buffer's port delivers the next chunk
//!   while the tile's tokens run; not in the generated tile);
//! - zero skip with a window of `W` activations: per tree input a `W:1`
//!   multiplexer of activation bits (`W - 1` 2:1 multiplexers a bit) and
//!   the `ceil(log2 W)`-bit index register that drives it.

use crate::price::datapath_bits;
use crate::tech::{Key, Technology};
use sim::arch::ZeroHandling;
use sim::mapping::reuse::mux_levels;
use sim::Accelerator;

/// GE of a 2:1 multiplexer (NanGate MUX2_X1 1.862 um² / NAND2_X1 0.798 um²).
pub const MUX2_GE: f64 = 2.33;

/// Energy of `bits` bits through one 2:1 multiplexer level, pJ
/// (assumption: priced as one select bit, an AND-OR gate pair like the
/// adder tree's select).
pub fn mux_pj(t: &Technology, bits: u64) -> f64 {
    bits as f64 * t.get(Key::SelectPjPerBit)
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
        let wreg = u64::from(ar.width) * ar.weights.storage_bits().ceil() as u64;
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
        // 2 lanes x 4 wide, ternary, token tile 4: 3 more accumulators and
        // an 8-bit shadow weight register
        a.array.lanes = 2;
        a.array.width = 4;
        a.array.token_tile = 4;
        let acc = u64::from(a.acc_bits());
        let (ge, flops) = per_lane(&a, &t);
        assert_eq!(flops, 3 * acc + 8);
        let dff = t.get(Key::DffGe);
        let want = (3 * acc + 8) as f64 * (dff + MUX2_GE) + (3 * acc) as f64 * MUX2_GE;
        assert!((ge - want).abs() < 1e-9, "{ge} {want}");
    }
}
