//! Activity counters: how many times each kind of hardware event happened.
//! The energy model prices each counter; the simulator only counts.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::AddAssign;

/// An on-chip SRAM buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Buffer {
    /// The weight buffer.
    Weights,
    /// The activation buffer.
    Activations,
    /// The output buffer.
    Outputs,
}

/// What the vector unit did to an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VectorOp {
    /// Embedding row gather.
    Embed,
    /// RMSNorm.
    Norm,
    /// Absmax quantization.
    Quant,
    /// Rotary embedding.
    Rope,
    /// Softmax.
    Softmax,
    /// Activation function (SiLU, ReLU², GELU), gated or not.
    Activation,
    /// Element-wise add.
    Add,
    /// Copy to the KV cache.
    KvAppend,
    /// Multiply-accumulate of an attention or high-precision product run on
    /// the vector unit.
    Mac,
}

/// Reads and writes of one SRAM buffer, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SramTraffic {
    /// Bytes read.
    pub read_bytes: u64,
    /// Bytes written.
    pub write_bytes: u64,
}

/// Event counts of one tile, one operator or a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Products formed by the lane array (select/negate terms, popcount
    /// terms or multiplies), including zero terms that were gated.
    pub terms: u64,
    /// Zero-weight terms whose logic was clock-gated.
    pub zero_terms_gated: u64,
    /// Zero-weight terms removed by compaction (not executed).
    pub zero_terms_skipped: u64,
    /// Two-input adds in the reduction trees, by output width in bits.
    pub adds: BTreeMap<u32, u64>,
    /// Floating-point adds in the reduction trees (MAC arrays), by precision name.
    pub fp_adds: BTreeMap<String, u64>,
    /// Popcounts, by input width in bits.
    pub popcounts: BTreeMap<u32, u64>,
    /// Multiplies of the MAC array, by precision name.
    pub mults: BTreeMap<String, u64>,
    /// Accumulator updates, by accumulator width in bits.
    pub acc_updates: BTreeMap<u32, u64>,
    /// Pipeline register bits written in the lane array.
    pub reg_bits: u64,
    /// Bits that passed a 2:1 multiplexer level in the lane array: the
    /// partial-sum select of the lanes' token tile and the activation
    /// select of zero skipping.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mux_bits: u64,
    /// Traffic per SRAM buffer.
    pub sram: BTreeMap<Buffer, SramTraffic>,
    /// Bits read from DRAM.
    pub dram_read_bits: u64,
    /// Bits written to DRAM.
    pub dram_write_bits: u64,
    /// Vector unit elements, by operation.
    pub vector: BTreeMap<VectorOp, u64>,
    /// Multiply-accumulates of the attention unit, by precision name.
    pub attention_macs: BTreeMap<String, u64>,
    /// Table lookups: bits passing one 2:1 level of a read multiplexer.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lut_mux_bits: u64,
    /// Table lookups: bits conditionally negated.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lut_negate_bits: u64,
    /// Table lookups: weight index bits decoded.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lut_decode_bits: u64,
    /// Bits read from the datapath's local SRAM (a shared LUT).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub local_sram_read_bits: u64,
    /// Bits written to the datapath's local SRAM.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub local_sram_write_bits: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn add_map<K: Ord + Clone>(a: &mut BTreeMap<K, u64>, b: &BTreeMap<K, u64>, times: u64) {
    for (k, v) in b {
        *a.entry(k.clone()).or_insert(0) += v * times;
    }
}

impl Activity {
    /// Adds `times` copies of `other`.
    pub fn add_scaled(&mut self, other: &Activity, times: u64) {
        if times == 0 {
            return;
        }
        self.terms += other.terms * times;
        self.zero_terms_gated += other.zero_terms_gated * times;
        self.zero_terms_skipped += other.zero_terms_skipped * times;
        add_map(&mut self.adds, &other.adds, times);
        add_map(&mut self.fp_adds, &other.fp_adds, times);
        add_map(&mut self.popcounts, &other.popcounts, times);
        add_map(&mut self.mults, &other.mults, times);
        add_map(&mut self.acc_updates, &other.acc_updates, times);
        self.reg_bits += other.reg_bits * times;
        self.mux_bits += other.mux_bits * times;
        for (k, v) in &other.sram {
            let e = self.sram.entry(*k).or_default();
            e.read_bytes += v.read_bytes * times;
            e.write_bytes += v.write_bytes * times;
        }
        self.dram_read_bits += other.dram_read_bits * times;
        self.dram_write_bits += other.dram_write_bits * times;
        add_map(&mut self.vector, &other.vector, times);
        add_map(&mut self.attention_macs, &other.attention_macs, times);
        self.lut_mux_bits += other.lut_mux_bits * times;
        self.lut_negate_bits += other.lut_negate_bits * times;
        self.lut_decode_bits += other.lut_decode_bits * times;
        self.local_sram_read_bits += other.local_sram_read_bits * times;
        self.local_sram_write_bits += other.local_sram_write_bits * times;
    }

    /// Adds `other` once, refusing a counter whose sum would pass 2^64 - 1:
    /// the error is the name of that counter (`self` is then partly added).
    pub fn checked_add(&mut self, other: &Activity) -> Result<(), &'static str> {
        fn add(a: &mut u64, b: u64, what: &'static str) -> Result<(), &'static str> {
            *a = a.checked_add(b).ok_or(what)?;
            Ok(())
        }
        fn add_map<K: Ord + Clone>(
            a: &mut BTreeMap<K, u64>,
            b: &BTreeMap<K, u64>,
            what: &'static str,
        ) -> Result<(), &'static str> {
            for (k, v) in b {
                add(a.entry(k.clone()).or_insert(0), *v, what)?;
            }
            Ok(())
        }
        add(&mut self.terms, other.terms, "array terms")?;
        add(
            &mut self.zero_terms_gated,
            other.zero_terms_gated,
            "gated zero terms",
        )?;
        add(
            &mut self.zero_terms_skipped,
            other.zero_terms_skipped,
            "skipped zero terms",
        )?;
        add_map(&mut self.adds, &other.adds, "adds")?;
        add_map(&mut self.fp_adds, &other.fp_adds, "floating-point adds")?;
        add_map(&mut self.popcounts, &other.popcounts, "popcounts")?;
        add_map(&mut self.mults, &other.mults, "multiplies")?;
        add_map(
            &mut self.acc_updates,
            &other.acc_updates,
            "accumulator updates",
        )?;
        add(&mut self.reg_bits, other.reg_bits, "register bits")?;
        add(&mut self.mux_bits, other.mux_bits, "multiplexer bits")?;
        for (k, v) in &other.sram {
            let e = self.sram.entry(*k).or_default();
            add(&mut e.read_bytes, v.read_bytes, "SRAM read bytes")?;
            add(&mut e.write_bytes, v.write_bytes, "SRAM write bytes")?;
        }
        add(
            &mut self.dram_read_bits,
            other.dram_read_bits,
            "DRAM read bits",
        )?;
        add(
            &mut self.dram_write_bits,
            other.dram_write_bits,
            "DRAM write bits",
        )?;
        add_map(&mut self.vector, &other.vector, "vector-unit elements")?;
        add_map(
            &mut self.attention_macs,
            &other.attention_macs,
            "attention MACs",
        )?;
        add(&mut self.lut_mux_bits, other.lut_mux_bits, "LUT mux bits")?;
        add(
            &mut self.lut_negate_bits,
            other.lut_negate_bits,
            "LUT negate bits",
        )?;
        add(
            &mut self.lut_decode_bits,
            other.lut_decode_bits,
            "LUT decode bits",
        )?;
        add(
            &mut self.local_sram_read_bits,
            other.local_sram_read_bits,
            "local SRAM read bits",
        )?;
        add(
            &mut self.local_sram_write_bits,
            other.local_sram_write_bits,
            "local SRAM write bits",
        )?;
        Ok(())
    }

    /// Records an SRAM read.
    pub fn sram_read(&mut self, b: Buffer, bytes: u64) {
        if bytes > 0 {
            self.sram.entry(b).or_default().read_bytes += bytes;
        }
    }

    /// Records an SRAM write.
    pub fn sram_write(&mut self, b: Buffer, bytes: u64) {
        if bytes > 0 {
            self.sram.entry(b).or_default().write_bytes += bytes;
        }
    }

    /// Bytes read from DRAM.
    pub fn dram_read_bytes(&self) -> u64 {
        self.dram_read_bits / 8
    }

    /// Bytes written to DRAM.
    pub fn dram_write_bytes(&self) -> u64 {
        self.dram_write_bits / 8
    }
}

impl AddAssign<&Activity> for Activity {
    fn add_assign(&mut self, rhs: &Activity) {
        self.add_scaled(rhs, 1);
    }
}
