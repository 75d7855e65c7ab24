//! The bit-exact model of the lane array's datapaths.
//!
//! Given integer weights and activations, it computes the integer outputs
//! exactly as each datapath does, following the hardware's structure (the
//! select/negate adder tree with its levels, the bit-serial popcount with its
//! per-cycle partials, the multipliers of the MAC baseline), so that the RTL
//! generator can emit test vectors and every datapath can be checked against
//! the plain reference matmul ([`reference::matmul_ref`]).
//!
//! * [`encoding`]: the port codes of weights and activations, packing into
//!   port-wide bit vectors, and the 5-trits-per-byte ternary format.
//! * [`adder_tree`], [`popcount`], [`mac`] (in [`crate::datapath`], one
//!   module per datapath): one lane's chunk through each reduction.
//! * [`quantize`]: BitNet's absmean / sign / absmax quantizers and the
//!   dequantized output.
//! * [`reference`](mod@reference): the plain integer matmul.
//!
//! The entry points are [`Datapath`] (one array configuration; chunk by
//! chunk), [`tile_outputs`] (a whole reduction, one accumulator per lane)
//! and [`tiled_matmul`] (a matmul cut into chunks and lane groups the way the
//! array runs it).
//!
//! Zero-weight handling ([`crate::arch::ZeroHandling`]) never changes a
//! value: gating saves energy, skipping removes zero weights offline (fewer
//! chunks), so both are the same sums.

pub mod encoding;
pub mod layer;
pub mod quantize;
pub mod reference;

/// The datapaths' bit-exact functions live with the rest of each datapath.
pub use crate::datapath::{adder_tree, mac, popcount, LaneTrace};

use crate::arch::{acc_bits_for, ArrayConfig, ArrayTiming, Reduction};
use encoding::{act_in_range, check_acts, check_weights, weight_in_range, wrap};
use workloads::Precision;

/// What the bit-exact model refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BitExactError {
    /// A floating-point operand: only integer datapaths are modelled bit-exactly.
    #[error("{0} is not an integer format; the bit-exact model covers integer datapaths only")]
    NotInteger(Precision),
    /// A value outside its format.
    #[error("{what} {value} is not a value of {precision}")]
    OutOfRange {
        /// `weight` or `activation`.
        what: &'static str,
        /// The value.
        value: i64,
        /// Its format.
        precision: Precision,
    },
    /// A slice of the wrong length.
    #[error("{what}: expected {expected} values, got {got}")]
    Shape {
        /// Which operand.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A reduction and operand formats that no datapath implements.
    #[error("unsupported datapath: {0}")]
    Unsupported(String),
    /// The accumulator would overflow (the configured `acc_bits` is too
    /// small for this reduction).
    #[error("lane {lane}: {value} does not fit the {acc_bits}-bit accumulator")]
    Overflow {
        /// The lane.
        lane: usize,
        /// The accumulator width.
        acc_bits: u32,
        /// The exact value it would have to hold.
        value: i128,
    },
    /// Text that is not a hexadecimal port value.
    #[error("invalid hexadecimal port value `{0}`")]
    BadHex(String),
    /// A packed-ternary byte above 242.
    #[error("packed ternary byte {0} is not below 243")]
    BadPackedByte(u8),
}

/// The accumulator width of `arch`: `acc_bits` when given, else derived from
/// `max_k` ([`acc_bits_for`]), 32 for floating point (the same rule as
/// [`crate::Accelerator::acc_bits`]).
pub fn acc_bits(arch: &ArrayConfig) -> u32 {
    arch.acc_bits
        .or_else(|| acc_bits_for(arch.max_k, arch.activations, arch.weights))
        .unwrap_or(32)
}

/// True when `v` fits a `bits`-bit two's-complement register.
pub fn fits(v: i128, bits: u32) -> bool {
    let bits = bits.clamp(1, 127);
    (-(1i128 << (bits - 1))..(1i128 << (bits - 1))).contains(&v)
}

/// One array configuration's datapath, evaluated chunk by chunk.
///
/// A chunk is `width` activations (broadcast to every lane) and
/// `lanes x width` weights, lane-major: lane `l`, element `e` at index
/// `l*width + e`.
#[derive(Debug, Clone)]
pub struct Datapath {
    /// Lanes.
    pub lanes: usize,
    /// Elements per chunk.
    pub width: usize,
    /// The reduction.
    pub reduction: Reduction,
    /// The array description (the datapath's own keys).
    pub array: ArrayConfig,
    /// Activation format.
    pub acts: Precision,
    /// Weight encoding.
    pub weights: Precision,
    /// Accumulator width.
    pub acc_bits: u32,
    /// Planes a cycle (popcount).
    pub planes_per_cycle: u32,
    /// Cycles a chunk occupies the datapath (the initiation interval).
    pub cycles_per_chunk: u32,
    /// Activation planes each cycle handles (`(0, 1)` outside popcount).
    groups: Vec<(u32, u32)>,
    /// Every partial fits an i32 (the fast path's narrow arithmetic).
    narrow: bool,
    fields64: Vec<i64>,
    fields32: Vec<i32>,
}

impl Datapath {
    /// The datapath of `arch`; refuses formats no datapath implements
    /// (floating point, multi-bit weights outside `mac`, ...).
    pub fn new(arch: &ArrayConfig) -> Result<Datapath, BitExactError> {
        let (acts, weights) = (arch.activations, arch.weights);
        for p in [acts, weights] {
            if p.is_float() {
                return Err(BitExactError::NotInteger(p));
            }
        }
        let act_ok = matches!(
            acts,
            Precision::Int(1..=32) | Precision::Binary | Precision::Binary01
        );
        if !act_ok {
            return Err(BitExactError::Unsupported(format!("{acts} activations")));
        }
        if let Some(why) = arch.reduction.module().bitexact_refuses(weights) {
            return Err(BitExactError::Unsupported(why));
        }
        if arch.lanes == 0 || arch.width == 0 {
            return Err(BitExactError::Unsupported(
                "an array without lanes or width".into(),
            ));
        }
        let bits = acc_bits(arch);
        if !(1..=64).contains(&bits) {
            return Err(BitExactError::Unsupported(format!(
                "a {bits}-bit accumulator (1 to 64 bits are modelled)"
            )));
        }
        let (lanes, width) = (arch.lanes as usize, arch.width as usize);
        let groups = arch.reduction.module().cycle_groups(arch);
        let cycles_per_chunk = groups.len() as u32;
        debug_assert_eq!(cycles_per_chunk, ArrayTiming::of(arch).initiation_interval);
        let mag = |p: Precision| i128::from(p.max_magnitude().unwrap_or(u64::MAX));
        let narrow = mag(acts) * mag(weights) * width as i128 <= i128::from(i32::MAX);
        Ok(Datapath {
            lanes,
            width,
            reduction: arch.reduction,
            array: arch.clone(),
            acts,
            weights,
            acc_bits: bits,
            planes_per_cycle: arch.planes_per_cycle,
            cycles_per_chunk,
            fields64: vec![0; groups.len() * width],
            fields32: vec![0; groups.len() * width],
            groups,
            narrow,
        })
    }

    /// Checks a chunk's shape and that every value is in its format.
    pub fn check_chunk(&self, act: &[i64], wgt: &[i64]) -> Result<(), BitExactError> {
        if act.len() != self.width {
            return Err(BitExactError::Shape {
                what: "chunk activations",
                expected: self.width,
                got: act.len(),
            });
        }
        if wgt.len() != self.lanes * self.width {
            return Err(BitExactError::Shape {
                what: "chunk weights (lanes x width)",
                expected: self.lanes * self.width,
                got: wgt.len(),
            });
        }
        check_acts(self.acts, act)?;
        check_weights(self.weights, wgt)
    }

    /// One chunk through the hardware-structured datapath of every lane.
    pub fn trace_chunk(&self, act: &[i64], wgt: &[i64]) -> Result<Vec<LaneTrace>, BitExactError> {
        self.check_chunk(act, wgt)?;
        (0..self.lanes)
            .map(|l| {
                let ws = &wgt[l * self.width..(l + 1) * self.width];
                self.reduction.module().lane_chunk(self, ws, act)
            })
            .collect()
    }

    /// What every lane adds to its accumulator in each of the chunk's
    /// [`Datapath::cycles_per_chunk`] cycles: `out[c*lanes + l]`. Fast and
    /// allocation-free; the inputs are not checked (see
    /// [`Datapath::check_chunk`]). Equal to [`Datapath::trace_chunk`]'s
    /// per-cycle values (a property test checks it).
    pub fn partials_into(&mut self, act: &[i64], wgt: &[i64], out: &mut [i64]) {
        let (lanes, width) = (self.lanes, self.width);
        debug_assert_eq!(out.len(), self.groups.len() * lanes);
        // each cycle's partial is the dot product of the weights with the
        // activations' plane fields (popcount::plane_field)
        let bits = match self.acts {
            Precision::Int(b) => u32::from(b),
            _ => 1,
        };
        let single = self.groups.len() == 1;
        for (g, &(lo, hi)) in self.groups.iter().enumerate() {
            let f = |a: i64| {
                if single {
                    a
                } else {
                    popcount::plane_field(a, lo, hi, bits)
                }
            };
            let row = g * width..(g + 1) * width;
            if self.narrow {
                for (d, &a) in self.fields32[row].iter_mut().zip(act) {
                    *d = f(a) as i32;
                }
            } else {
                for (d, &a) in self.fields64[row].iter_mut().zip(act) {
                    *d = f(a);
                }
            }
        }
        for g in 0..self.groups.len() {
            for l in 0..lanes {
                let ws = &wgt[l * width..(l + 1) * width];
                let row = g * width..(g + 1) * width;
                out[g * lanes + l] = if self.narrow {
                    dot_i32(ws, &self.fields32[row])
                } else {
                    ws.iter().zip(&self.fields64[row]).map(|(w, a)| w * a).sum()
                };
            }
        }
    }
}

/// The dot product in i32 (exact: the caller knows it cannot overflow).
fn dot_i32(ws: &[i64], xs: &[i32]) -> i64 {
    let s = ws.iter().zip(xs).fold(0i32, |s, (&w, &x)| {
        s.wrapping_add((w as i32).wrapping_mul(x))
    });
    i64::from(s)
}

/// Lane accumulators of `acc_bits` bits, refusing overflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accumulators {
    /// Width in bits.
    pub acc_bits: u32,
    /// One value per lane.
    pub values: Vec<i64>,
}

impl Accumulators {
    /// `lanes` accumulators at 0.
    pub fn new(lanes: usize, acc_bits: u32) -> Accumulators {
        Accumulators {
            acc_bits,
            values: vec![0; lanes],
        }
    }

    /// Adds one value per lane; refuses (and leaves the values unchanged)
    /// when a sum does not fit `acc_bits` bits.
    pub fn add(&mut self, lane_values: &[i64]) -> Result<(), BitExactError> {
        for (lane, (&a, &v)) in self.values.iter().zip(lane_values).enumerate() {
            let s = i128::from(a) + i128::from(v);
            if !fits(s, self.acc_bits) {
                return Err(BitExactError::Overflow {
                    lane,
                    acc_bits: self.acc_bits,
                    value: s,
                });
            }
        }
        for (a, &v) in self.values.iter_mut().zip(lane_values) {
            *a = wrap(a.wrapping_add(v), self.acc_bits);
        }
        Ok(())
    }
}

/// One reduction through the array: chunk `c` is activations `acts[c]`
/// (`width` values) and weights `wgts[c][l]` (`width` values for lane `l`).
/// Every chunk goes through the hardware-structured datapath and every
/// per-cycle partial into the lane's accumulator, which refuses overflow.
/// Returns one accumulator per lane.
pub fn tile_outputs(
    arch: &ArrayConfig,
    acts: &[Vec<i64>],
    wgts: &[Vec<Vec<i64>>],
) -> Result<Vec<i64>, BitExactError> {
    let dp = Datapath::new(arch)?;
    if acts.len() != wgts.len() {
        return Err(BitExactError::Shape {
            what: "weight chunks",
            expected: acts.len(),
            got: wgts.len(),
        });
    }
    let mut acc = Accumulators::new(dp.lanes, dp.acc_bits);
    let mut flat = Vec::with_capacity(dp.lanes * dp.width);
    let mut cycle_vals = vec![0i64; dp.lanes];
    for (act, lanes) in acts.iter().zip(wgts) {
        if lanes.len() != dp.lanes {
            return Err(BitExactError::Shape {
                what: "lanes of a weight chunk",
                expected: dp.lanes,
                got: lanes.len(),
            });
        }
        flat.clear();
        for lane in lanes {
            if lane.len() != dp.width {
                return Err(BitExactError::Shape {
                    what: "weights of a lane",
                    expected: dp.width,
                    got: lane.len(),
                });
            }
            flat.extend_from_slice(lane);
        }
        let traces = dp.trace_chunk(act, &flat)?;
        let per_cycle: Vec<Vec<i64>> = traces.iter().map(LaneTrace::per_cycle).collect();
        for c in 0..dp.cycles_per_chunk as usize {
            for (v, lane) in cycle_vals.iter_mut().zip(&per_cycle) {
                *v = lane[c];
            }
            acc.add(&cycle_vals)?;
        }
    }
    Ok(acc.values)
}

/// The values a padding element takes so it adds nothing (or a known
/// constant): activation 0 when the format has 0, else +1; weight 0 when
/// the encoding has 0, else +1. Returns `(act, weight)`.
pub fn padding(acts: Precision, weights: Precision) -> (i64, i64) {
    let a = if act_in_range(acts, 0) { 0 } else { 1 };
    let w = if weight_in_range(weights, 0) { 0 } else { 1 };
    (a, w)
}

/// `C = A · W` (`a`: `m x k`, `w`: `k x n`, row-major) run the way the array
/// runs it: for each row of `A` and each group of `lanes` columns of `W`, one
/// reduction of `ceil(k / width)` chunks through [`tile_outputs`]. K is
/// padded to a multiple of `width` with [`padding`] values and columns past
/// `n` with padding weights; when neither operand has a zero (±1 x ±1) each
/// padded element adds `+1`, which is subtracted from the result (the bias
/// correction an XNOR array applies).
pub fn tiled_matmul(
    arch: &ArrayConfig,
    a: &[i64],
    w: &[i64],
    m: usize,
    k: usize,
    n: usize,
) -> Result<Vec<i64>, BitExactError> {
    if a.len() != m * k {
        return Err(BitExactError::Shape {
            what: "A (m x k)",
            expected: m * k,
            got: a.len(),
        });
    }
    if w.len() != k * n {
        return Err(BitExactError::Shape {
            what: "W (k x n)",
            expected: k * n,
            got: w.len(),
        });
    }
    let (lanes, width) = (arch.lanes as usize, arch.width as usize);
    let (pad_a, pad_w) = padding(arch.activations, arch.weights);
    let chunks = k.div_ceil(width).max(1);
    let correction = (chunks * width - k) as i64 * pad_a * pad_w;
    let mut c = vec![0i64; m * n];
    for i in 0..m {
        let act_chunks: Vec<Vec<i64>> = (0..chunks)
            .map(|ch| {
                (0..width)
                    .map(|e| {
                        let p = ch * width + e;
                        if p < k {
                            a[i * k + p]
                        } else {
                            pad_a
                        }
                    })
                    .collect()
            })
            .collect();
        for j0 in (0..n).step_by(lanes) {
            let wgt_chunks: Vec<Vec<Vec<i64>>> = (0..chunks)
                .map(|ch| {
                    (0..lanes)
                        .map(|l| {
                            (0..width)
                                .map(|e| {
                                    let (p, j) = (ch * width + e, j0 + l);
                                    if p < k && j < n {
                                        w[p * n + j]
                                    } else {
                                        pad_w
                                    }
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect();
            let out = tile_outputs(arch, &act_chunks, &wgt_chunks)?;
            for (l, v) in out.iter().enumerate().take(n - j0) {
                c[i * n + j0 + l] = v - correction;
            }
        }
    }
    Ok(c)
}
