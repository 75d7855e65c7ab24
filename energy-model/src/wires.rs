//! Wire energy and routing area of the array's buses from a simple
//! floorplan.
//!
//! The lanes sit on a `sqrt(lanes) x sqrt(lanes)` grid filling a square of
//! the lane array's logic area (edge `e`); the three SRAM buffers are
//! square macros beside it. Per bit moved:
//!
//! - activation broadcast: from the middle of the activation buffer
//!   (`sqrt(A_act) / 2`) along a spine across the array (`e`) and along
//!   each of the `sqrt(lanes)` rows (`e` each): `sqrt(A_act)/2 + e (1 +
//!   sqrt(lanes))`;
//! - weight delivery: from the middle of the weight buffer to the average
//!   lane: `sqrt(A_w)/2 + e/2`;
//! - results to the output buffer: `sqrt(A_out)/2 + e/2`.
//!
//! Energy = bits x length x `pj_per_bit_mm` x `activity` of the node
//! (energy-model/data/system.toml). The routing area is the buses' tracks
//! (activations `width x bits`, weights `lanes x width x bits`, results
//! `lanes x acc_bits`) times their lengths times the pitch, over the layers
//! they may use: an upper bound, counted as its own area component.

use crate::area::AreaReport;
use crate::system_area::data;
use crate::tech::Technology;
use serde::{Deserialize, Serialize};
use sim::activity::{Activity, Buffer};
use sim::Accelerator;

/// Wire lengths of one design, mm per bit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Floorplan {
    /// Edge of the lane array, mm.
    pub edge_mm: f64,
    /// An activation bit's broadcast wire, mm.
    pub broadcast_mm: f64,
    /// A weight bit's delivery wire, mm.
    pub weight_mm: f64,
    /// A result bit's wire, mm.
    pub output_mm: f64,
    /// pJ per bit and mm moved (transition energy x activity).
    pub pj_per_bit_mm: f64,
    /// Routing area of the buses, mm².
    pub routing_mm2: f64,
}

impl Floorplan {
    /// The floorplan of `arch` with its core area `a` at node `t`.
    pub fn of(arch: &Accelerator, t: &Technology, a: &AreaReport) -> Floorplan {
        let (_, w) = data().wires_for(t);
        let ar = &arch.array;
        let e = a.array_mm2.max(0.0).sqrt();
        let rows = f64::from(ar.lanes).sqrt();
        let broadcast_mm = a.sram_activations_mm2.sqrt() / 2.0 + e * (1.0 + rows);
        let weight_mm = a.sram_weights_mm2.sqrt() / 2.0 + e / 2.0;
        let output_mm = a.sram_outputs_mm2.sqrt() / 2.0 + e / 2.0;
        let a_bits = ar.activations.storage_bits().ceil();
        let w_bits = ar.weights.storage_bits().ceil();
        let tracks_len = f64::from(ar.width) * a_bits * broadcast_mm
            + f64::from(ar.lanes) * f64::from(ar.width) * w_bits * weight_mm
            + f64::from(ar.lanes) * f64::from(arch.acc_bits()) * output_mm;
        Floorplan {
            edge_mm: e,
            broadcast_mm,
            weight_mm,
            output_mm,
            pj_per_bit_mm: w.pj_per_bit_mm * w.activity,
            routing_mm2: tracks_len * w.pitch_nm * 1e-6 / w.layers,
        }
    }

    /// Wire energy of the lane array's traffic in `act`, pJ.
    pub fn energy_pj(&self, act: &Activity) -> f64 {
        let bytes = |b: Buffer, read: bool| {
            act.sram
                .get(&b)
                .map_or(0, |t| if read { t.read_bytes } else { t.write_bytes }) as f64
        };
        8.0 * self.pj_per_bit_mm
            * (bytes(Buffer::Activations, true) * self.broadcast_mm
                + bytes(Buffer::Weights, true) * self.weight_mm
                + bytes(Buffer::Outputs, false) * self.output_mm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::arch::preset;

    #[test]
    fn hand_computed_floorplan() {
        let t = Technology::default_7nm();
        let arch = preset("edge-ternary").unwrap();
        let a = crate::area::estimate(&arch, &t);
        let f = Floorplan::of(&arch, &t, &a);
        let e = a.array_mm2.sqrt();
        assert!((f.edge_mm - e).abs() < 1e-12);
        assert!((f.broadcast_mm - (a.sram_activations_mm2.sqrt() / 2.0 + 9.0 * e)).abs() < 1e-12);
        // 0.15 pJ per transition and mm, half the bits toggle
        assert_eq!(f.pj_per_bit_mm, 0.075);
        let mut act = Activity::default();
        act.sram_read(Buffer::Weights, 1);
        assert!((f.energy_pj(&act) - 8.0 * 0.075 * f.weight_mm).abs() < 1e-12);
    }
}
