//! The design the generator builds: the accelerator description checked
//! for what the RTL implements, with every derived width and the timing.

use crate::error::RtlError;
use sim::arch::{ArrayConfig, ArrayTiming, Dataflow, Reduction};
use sim::bitexact::encoding::{act_bits, weight_bits};
use sim::bitexact::Datapath;
use sim::Accelerator;
use workloads::Precision;

/// An accelerator's lane array as the RTL builds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The design name (a Verilog identifier; the module prefix).
    pub name: String,
    /// The array description (what [`sim::tile::predict`] runs).
    pub array: ArrayConfig,
    /// Activation bits on `in_act`, per element.
    pub act_bits: u32,
    /// Weight bits on `in_wgt`, per element.
    pub wgt_bits: u32,
    /// Accumulator bits per lane (`Accelerator::acc_bits`).
    pub acc_bits: u32,
    /// Pipeline depth, latency and initiation interval.
    pub timing: ArrayTiming,
}

impl Design {
    /// The design of `arch`, or why the generator refuses it: an invalid
    /// description, floating-point operands (FP16/BF16 MAC arrays are not
    /// generated), or a systolic dataflow (the RTL is the lane template).
    pub fn new(arch: &Accelerator) -> Result<Design, RtlError> {
        arch.validate()
            .map_err(|e| RtlError::Unsupported(format!("invalid design: {}", e.message)))?;
        let a = &arch.array;
        if a.dataflow != Dataflow::Lanes {
            return Err(RtlError::Unsupported(format!(
                "design `{}`: the RTL generator builds the lane template; `array.dataflow` = \"{}\" \
                 (a systolic array) is simulated but not generated",
                arch.name,
                a.dataflow.name()
            )));
        }
        for (key, p) in [("activations", a.activations), ("weights", a.weights)] {
            if p.is_float() {
                return Err(RtlError::Unsupported(format!(
                    "design `{}`: `array.{key}` = \"{p}\": the RTL generator emits integer \
                     datapaths only (floating-point MAC arrays are simulated and priced, not \
                     generated; see docs/rtl.md)",
                    arch.name
                )));
            }
        }
        // the bit-exact model must take it too (it makes the test vectors)
        Datapath::new(a)?;
        let d = Design {
            name: arch.name.clone(),
            array: a.clone(),
            act_bits: act_bits(a.activations)?,
            wgt_bits: weight_bits(a.weights)?,
            acc_bits: arch.acc_bits(),
            timing: ArrayTiming::of(a),
        };
        if let Some(why) = crate::datapath::lane_gen(&d).refuses(&d) {
            return Err(RtlError::Unsupported(format!(
                "design `{}`: {why}",
                arch.name
            )));
        }
        Ok(d)
    }

    /// The top module: `<name>_tile`.
    pub fn top(&self) -> String {
        format!("{}_tile", self.name)
    }

    /// The lane module: `<name>_lane`.
    pub fn lane_module(&self) -> String {
        format!("{}_lane", self.name)
    }

    /// The testbench module: `<name>_tb`.
    pub fn tb_module(&self) -> String {
        format!("{}_tb", self.name)
    }

    /// Lanes.
    pub fn lanes(&self) -> u32 {
        self.array.lanes
    }

    /// Elements per chunk.
    pub fn width(&self) -> u32 {
        self.array.width
    }

    /// The reduction.
    pub fn reduction(&self) -> Reduction {
        self.array.reduction
    }

    /// Activation format.
    pub fn acts(&self) -> Precision {
        self.array.activations
    }

    /// Weight encoding.
    pub fn weights(&self) -> Precision {
        self.array.weights
    }

    /// The initiation interval (plane groups per chunk).
    pub fn ii(&self) -> u32 {
        self.timing.initiation_interval
    }

    /// Planes handled per cycle by the popcount (1 otherwise).
    pub fn planes_per_cycle(&self) -> u32 {
        crate::datapath::lane_gen(self).planes_per_cycle(self)
    }

    /// Pipeline registers after stage 0 (`pipeline_regs - 1`).
    pub fn depth(&self) -> u32 {
        self.timing.pipeline_regs - 1
    }

    /// Bits of the `hold` counter (holds 0..=II).
    pub fn hold_bits(&self) -> u32 {
        32 - self.ii().leading_zeros()
    }

    /// The tree levels after which a register sits (`stage_levels`,
    /// `2*stage_levels`, ..., `tree_levels`), preceded by level 0 (the
    /// multipliers' register) for `mac`.
    pub fn register_levels(&self) -> Vec<u32> {
        crate::datapath::lane_gen(self).register_levels(self)
    }

    /// `in_act` bits.
    pub fn in_act_bits(&self) -> u32 {
        self.width() * self.act_bits
    }

    /// `in_wgt` bits of one lane.
    pub fn lane_wgt_bits(&self) -> u32 {
        self.width() * self.wgt_bits
    }

    /// `in_wgt` bits.
    pub fn in_wgt_bits(&self) -> u32 {
        self.lanes() * self.lane_wgt_bits()
    }

    /// Tokens the lanes hold their weights for (`array.token_tile`); above
    /// 1 the tile has `in_wload` and a partial-sum bank (sim::tile).
    pub fn token_tile(&self) -> u32 {
        self.array.token_tile.max(1)
    }

    /// Bits of a token slot (0..token_tile), at least 1.
    pub fn tok_bits(&self) -> u32 {
        (32 - (self.token_tile() - 1).leading_zeros()).max(1)
    }

    /// `out_acc` bits.
    pub fn out_acc_bits(&self) -> u32 {
        self.lanes() * self.acc_bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn presets() {
        let d = Design::new(&preset("edge-ternary").unwrap()).unwrap();
        assert_eq!(d.top(), "edge_ternary_tile");
        assert_eq!(d.depth(), 3);
        assert_eq!(d.register_levels(), vec![2, 4, 6]);
        assert_eq!(d.hold_bits(), 1);
        let p = Design::new(&preset("edge-popcount").unwrap()).unwrap();
        assert_eq!(p.ii(), 4);
        assert_eq!(p.hold_bits(), 3);
        let m = Design::new(&preset("edge-int8").unwrap()).unwrap();
        assert_eq!(m.register_levels(), vec![0, 2, 4, 6]);
        for refused in ["edge-fp16", "systolic-ws-32x32"] {
            let e = Design::new(&preset(refused).unwrap()).unwrap_err();
            assert!(matches!(e, RtlError::Unsupported(_)), "{refused}: {e}");
        }
    }
}
