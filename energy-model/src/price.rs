//! Per-event energy: what one add, multiply, popcount, register bit, SRAM
//! bit or DRAM bit costs in a technology, derived from its table.
//!
//! - Floating-point add and multiply: the table's entries (BitNet Table 2).
//! - A `b`-bit integer add: `int8_add_pj x (b/8)^e_add`; a multiply:
//!   `int8_mul_pj x (b/8)^e_mul` (the exponents are table entries, 1 and 2).
//! - SRAM: a 64-bit read from a bank of `C` bytes at 45 nm is interpolated
//!   log-log through Horowitz's three points (8 KiB, 32 KiB, 1 MiB; exact at
//!   them, extrapolated with the nearest segment's slope), then multiplied
//!   by `node_scale` and divided by 64 for the energy per bit; a write costs
//!   `write_over_read` times a read.
//! - DRAM: the table's pJ per bit for the design's memory kind.

use crate::tech::{Key, Technology};
use sim::arch::DramKind;
use workloads::Precision;

/// `(b/8)^e`, exact for the exponents 1 and 2.
fn width_factor(bits: u32, e: f64) -> f64 {
    let x = f64::from(bits) / 8.0;
    if e == 1.0 {
        x
    } else if e == 2.0 {
        x * x
    } else {
        x.powf(e)
    }
}

/// Bits of a value of `p` as the datapath sees it (2 for ternary).
pub fn datapath_bits(p: Precision) -> u32 {
    p.storage_bits().ceil() as u32
}

/// Capacities of Horowitz's SRAM points, in bytes.
pub const SRAM_POINTS_BYTES: [f64; 3] = [8192.0, 32768.0, 1_048_576.0];

impl Technology {
    /// A `bits`-wide integer add, pJ.
    pub fn int_add_pj(&self, bits: u32) -> f64 {
        self.get(Key::Int8AddPj) * width_factor(bits, self.get(Key::IntAddWidthExponent))
    }

    /// A `bits`-wide integer multiply, pJ.
    pub fn int_mul_pj(&self, bits: u32) -> f64 {
        self.get(Key::Int8MulPj) * width_factor(bits, self.get(Key::IntMulWidthExponent))
    }

    /// An add in precision `p`, pJ.
    pub fn add_pj(&self, p: Precision) -> f64 {
        match p {
            Precision::Fp16 => self.get(Key::Fp16AddPj),
            Precision::Bf16 => self.get(Key::Bf16AddPj),
            Precision::Fp32 => self.get(Key::Fp32AddPj),
            other => self.int_add_pj(datapath_bits(other)),
        }
    }

    /// A multiply in precision `p`, pJ.
    pub fn mul_pj(&self, p: Precision) -> f64 {
        match p {
            Precision::Fp16 => self.get(Key::Fp16MulPj),
            Precision::Bf16 => self.get(Key::Bf16MulPj),
            Precision::Fp32 => self.get(Key::Fp32MulPj),
            other => self.int_mul_pj(datapath_bits(other)),
        }
    }

    /// A 64-bit read from an SRAM bank of `bytes` at 45 nm, pJ
    /// (Horowitz's points, interpolated log-log).
    pub fn sram_read_64b_45nm_pj(&self, bytes: f64) -> f64 {
        let e = [
            self.get(Key::SramRead8KibPj),
            self.get(Key::SramRead32KibPj),
            self.get(Key::SramRead1MibPj),
        ];
        let c = SRAM_POINTS_BYTES;
        if let Some(i) = c.iter().position(|&x| x == bytes) {
            return e[i];
        }
        let i = if bytes < c[1] { 0 } else { 1 };
        if e[i] <= 0.0 || e[i + 1] <= 0.0 {
            return e[i];
        }
        let slope = (e[i + 1] / e[i]).ln() / (c[i + 1] / c[i]).ln();
        e[i] * (bytes.max(1.0) / c[i]).powf(slope)
    }

    /// Reading one bit from a bank of `bank_bytes`, pJ, at this node.
    pub fn sram_read_pj_per_bit(&self, bank_bytes: f64) -> f64 {
        self.sram_read_64b_45nm_pj(bank_bytes) * self.get(Key::SramNodeScale) / 64.0
    }

    /// Writing one bit to a bank of `bank_bytes`, pJ, at this node.
    pub fn sram_write_pj_per_bit(&self, bank_bytes: f64) -> f64 {
        self.sram_read_pj_per_bit(bank_bytes) * self.get(Key::SramWriteOverRead)
    }

    /// Moving one bit to or from DRAM of `kind`, pJ.
    pub fn dram_pj_per_bit(&self, kind: DramKind) -> f64 {
        self.get(match kind {
            DramKind::Ddr4 => Key::Ddr4PjPerBit,
            DramKind::Lpddr5 => Key::Lpddr5PjPerBit,
            DramKind::Hbm2e => Key::Hbm2ePjPerBit,
            DramKind::Hbm3 => Key::Hbm3PjPerBit,
        })
    }
}

/// Multiplies and adds one element costs on the vector unit, per
/// operation (in the unit's precision). Every element counted by the
/// simulator goes through all passes of its operation; the counts are per
/// element, summed over the passes:
///
/// | operation | muls | adds | what |
/// |---|---|---|---|
/// | embed | 0 | 0 | a row gather (its traffic is priced as SRAM/DRAM) |
/// | norm | 3 | 1 | RMSNorm: x^2 and a running sum; then x x 1/rms x gain |
/// | quant | 1 | 2 | absmax: a compare for the max; then x x scale and a rounding add |
/// | rope | 2 | 1 | x cos - y sin |
/// | softmax | 4 | 6 | max (1 add); exp(x - max) as subtract + degree-3 polynomial (3 mul, 3 add); sum (1 add); normalize (1 mul) |
/// | activation | 9 | 6 | gated SiLU: exp (3 mul, 3 add), 1 + e^-x (1 add), reciprocal by two Newton steps (4 mul, 2 add), x x sigma, x up (2 mul); ReLU^2 and GELU priced the same (an upper bound) |
/// | add | 0 | 1 | residual add |
/// | kv_append | 0 | 0 | a copy |
/// | mac | 1 | 1 | a multiply-accumulate of a product run on the vector unit |
pub fn vector_op_counts(op: sim::activity::VectorOp) -> (u64, u64) {
    use sim::activity::VectorOp as V;
    match op {
        V::Embed => (0, 0),
        V::Norm => (3, 1),
        V::Quant => (1, 2),
        V::Rope => (2, 1),
        V::Softmax => (4, 6),
        V::Activation => (9, 6),
        V::Add => (0, 1),
        V::KvAppend => (0, 0),
        V::Mac => (1, 1),
    }
}

/// Register bits written per vector element or attention MAC: one input
/// and one output (or two operand) registers of the unit's precision.
pub fn unit_register_bits(p: Precision) -> u64 {
    2 * u64::from(datapath_bits(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_2_exactly() {
        let t7 = Technology::builtin("7nm").unwrap();
        assert_eq!(t7.add_pj(Precision::INT8), 0.007);
        assert_eq!(t7.mul_pj(Precision::INT8), 0.07);
        assert_eq!(t7.add_pj(Precision::Fp16), 0.16);
        assert_eq!(t7.mul_pj(Precision::Fp16), 0.34);
        assert_eq!(t7.add_pj(Precision::Fp32), 0.38);
        assert_eq!(t7.mul_pj(Precision::Fp32), 1.31);
        let t45 = Technology::builtin("45nm").unwrap();
        assert_eq!(t45.add_pj(Precision::INT8), 0.03);
        assert_eq!(t45.mul_pj(Precision::INT8), 0.2);
        assert_eq!(t45.add_pj(Precision::Fp16), 0.4);
        assert_eq!(t45.mul_pj(Precision::Fp16), 1.1);
        assert_eq!(t45.add_pj(Precision::Fp32), 0.9);
        assert_eq!(t45.mul_pj(Precision::Fp32), 3.7);
    }

    #[test]
    fn width_models() {
        let t45 = Technology::builtin("45nm").unwrap();
        // Horowitz 2014: 32-bit add 0.1 pJ, 32-bit multiply 3.1 pJ; the
        // models give 0.12 and 3.2.
        assert!((t45.int_add_pj(32) - 0.12).abs() < 1e-12);
        assert!((t45.int_mul_pj(32) - 3.2).abs() < 1e-12);
        let t7 = Technology::builtin("7nm").unwrap();
        assert!((t7.int_add_pj(16) - 0.014).abs() < 1e-15);
    }

    #[test]
    fn horowitz_sram_points_exactly() {
        let t = Technology::builtin("45nm").unwrap();
        assert_eq!(t.sram_read_64b_45nm_pj(8192.0), 10.0);
        assert_eq!(t.sram_read_64b_45nm_pj(32768.0), 20.0);
        assert_eq!(t.sram_read_64b_45nm_pj(1_048_576.0), 100.0);
        // 16 KiB on the sqrt segment: 10 x sqrt(2)
        assert!((t.sram_read_64b_45nm_pj(16384.0) - 10.0 * 2f64.sqrt()).abs() < 1e-9);
        // monotone everywhere
        let mut prev = 0.0;
        for kib in [1.0, 2.0, 8.0, 20.0, 32.0, 100.0, 1024.0, 8192.0] {
            let e = t.sram_read_64b_45nm_pj(kib * 1024.0);
            assert!(e > prev);
            prev = e;
        }
        assert_eq!(t.sram_read_pj_per_bit(8192.0), 10.0 / 64.0);
    }

    #[test]
    fn sram_node_scale_is_the_table_2_geometric_mean() {
        let (a, b) = (
            Technology::builtin("7nm").unwrap(),
            Technology::builtin("45nm").unwrap(),
        );
        let keys = [
            Key::Fp32AddPj,
            Key::Fp32MulPj,
            Key::Fp16AddPj,
            Key::Fp16MulPj,
            Key::Int8AddPj,
            Key::Int8MulPj,
        ];
        let prod: f64 = keys.iter().map(|&k| a.get(k) / b.get(k)).product();
        let gm = prod.powf(1.0 / 6.0);
        assert_eq!(
            format!("{gm:.3}"),
            format!("{:.3}", a.get(Key::SramNodeScale))
        );
    }

    #[test]
    fn horowitz_dram_reference() {
        let t = Technology::builtin("45nm").unwrap();
        assert_eq!(t.get(Key::HorowitzDramMinNj), 1.3);
        assert_eq!(t.get(Key::HorowitzDramMaxNj), 2.6);
    }
}
