//! Operand encodings as the RTL tile sees them, and bit packing.
//!
//! # Weight codes
//!
//! | encoding                 | bits | code → value                                   |
//! |--------------------------|------|------------------------------------------------|
//! | `ternary`                | 2    | `2'b01` = +1, `2'b11` = −1, `2'b00` = 0, `2'b10` = 0 (invalid) |
//! | `ternary-packed`         | 2    | at the tile: the same as `ternary` (the 5-trits-per-byte form is a storage format, unpacked before the array; see [`pack_ternary5`]) |
//! | `binary`                 | 1    | `1` = +1, `0` = −1                             |
//! | `binary01`               | 1    | `1` = 1, `0` = 0                               |
//! | `intB`                   | B    | two's complement                               |
//!
//! A ternary code is decoded as *nonzero = bit 0, negative = bit 1*, so the
//! datapath's masks are `pos = b0 & !b1` and `neg = b0 & b1`. The invalid code
//! `2'b10` has bit 0 clear and therefore reads as 0; encoders never produce it.
//!
//! # Activation codes
//!
//! `intB`: two's complement, B bits. `binary` (±1): 1 bit, `1` = +1, `0` = −1.
//! `binary01`: 1 bit, the value itself.
//!
//! # Bit order on the tile ports
//!
//! `in_act`: element `e` occupies bits `[e*A, (e+1)*A)` (element 0 at the
//! least significant bits). `in_wgt`: lane `l`, element `e` occupies bits
//! `[(l*width + e)*W, (l*width + e + 1)*W)` (lane 0, element 0 at the least
//! significant bits; a lane's weights are contiguous). `out_acc`: lane `l`
//! occupies bits `[l*acc_bits, (l+1)*acc_bits)`, two's complement.

use super::BitExactError;
use workloads::Precision;

/// Bits one weight occupies on the tile's `in_wgt` port.
pub fn weight_bits(p: Precision) -> Result<u32, BitExactError> {
    match p {
        Precision::Ternary | Precision::TernaryPacked => Ok(2),
        Precision::Binary | Precision::Binary01 => Ok(1),
        Precision::Int(b) => Ok(u32::from(b)),
        other => Err(BitExactError::NotInteger(other)),
    }
}

/// Bits one activation occupies on the tile's `in_act` port.
pub fn act_bits(p: Precision) -> Result<u32, BitExactError> {
    match p {
        Precision::Binary | Precision::Binary01 => Ok(1),
        Precision::Int(b) => Ok(u32::from(b)),
        other => Err(BitExactError::NotInteger(other)),
    }
}

/// The values a weight of encoding `p` may take (inclusive range; `binary`
/// excludes 0, see [`weight_in_range`]).
fn check_value(p: Precision, v: i64, what: &'static str) -> Result<(), BitExactError> {
    let ok = match p {
        Precision::Binary => v == 1 || v == -1,
        _ => match p.int_range() {
            Some((lo, hi)) => (lo..=hi).contains(&v),
            None => return Err(BitExactError::NotInteger(p)),
        },
    };
    if ok {
        Ok(())
    } else {
        Err(BitExactError::OutOfRange {
            what,
            value: v,
            precision: p,
        })
    }
}

/// True when `v` is a value of weight encoding `p`.
pub fn weight_in_range(p: Precision, v: i64) -> bool {
    check_value(p, v, "weight").is_ok()
}

/// True when `v` is a value of activation format `p`.
pub fn act_in_range(p: Precision, v: i64) -> bool {
    check_value(p, v, "activation").is_ok()
}

/// Checks that every weight is a value of encoding `p`.
pub fn check_weights(p: Precision, ws: &[i64]) -> Result<(), BitExactError> {
    ws.iter().try_for_each(|&v| check_value(p, v, "weight"))
}

/// Checks that every activation is a value of format `p`.
pub fn check_acts(p: Precision, xs: &[i64]) -> Result<(), BitExactError> {
    xs.iter().try_for_each(|&v| check_value(p, v, "activation"))
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Sign-extends the low `bits` bits of `code`.
pub fn sign_extend(code: u64, bits: u32) -> i64 {
    if bits >= 64 {
        code as i64
    } else {
        let shift = 64 - bits;
        ((code << shift) as i64) >> shift
    }
}

/// Reduces `v` to a `bits`-bit two's-complement number (what a `bits`-wide
/// register holds after storing `v`).
pub fn wrap(v: i64, bits: u32) -> i64 {
    sign_extend(v as u64 & mask(bits), bits)
}

/// The port code of weight `v` in encoding `p`.
pub fn encode_weight(p: Precision, v: i64) -> Result<u64, BitExactError> {
    check_value(p, v, "weight")?;
    Ok(match p {
        Precision::Ternary | Precision::TernaryPacked => match v {
            1 => 0b01,
            -1 => 0b11,
            _ => 0b00,
        },
        Precision::Binary => u64::from(v == 1),
        Precision::Binary01 => v as u64,
        Precision::Int(b) => v as u64 & mask(u32::from(b)),
        other => return Err(BitExactError::NotInteger(other)),
    })
}

/// The weight value of port code `code` in encoding `p` (only the low
/// [`weight_bits`] bits are looked at; ternary `2'b10` reads as 0).
pub fn decode_weight(p: Precision, code: u64) -> Result<i64, BitExactError> {
    Ok(match p {
        Precision::Ternary | Precision::TernaryPacked => {
            let nonzero = code & 1 != 0;
            let negative = code & 2 != 0;
            match (nonzero, negative) {
                (false, _) => 0,
                (true, false) => 1,
                (true, true) => -1,
            }
        }
        Precision::Binary => {
            if code & 1 != 0 {
                1
            } else {
                -1
            }
        }
        Precision::Binary01 => (code & 1) as i64,
        Precision::Int(b) => sign_extend(code, u32::from(b)),
        other => return Err(BitExactError::NotInteger(other)),
    })
}

/// The port code of activation `v` in format `p`.
pub fn encode_act(p: Precision, v: i64) -> Result<u64, BitExactError> {
    check_value(p, v, "activation")?;
    Ok(match p {
        Precision::Binary => u64::from(v == 1),
        Precision::Binary01 => v as u64,
        Precision::Int(b) => v as u64 & mask(u32::from(b)),
        other => return Err(BitExactError::NotInteger(other)),
    })
}

/// The activation value of port code `code` in format `p`.
pub fn decode_act(p: Precision, code: u64) -> Result<i64, BitExactError> {
    Ok(match p {
        Precision::Binary => {
            if code & 1 != 0 {
                1
            } else {
                -1
            }
        }
        Precision::Binary01 => (code & 1) as i64,
        Precision::Int(b) => sign_extend(code, u32::from(b)),
        other => return Err(BitExactError::NotInteger(other)),
    })
}

/// A fixed-length bit vector, bit 0 = the least significant bit of
/// `words[0]`: the value of a wide Verilog port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BitVec {
    words: Vec<u64>,
    len: usize,
}

impl BitVec {
    /// `len` zero bits.
    pub fn zeros(len: usize) -> BitVec {
        BitVec {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for a zero-length vector.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The 64-bit words, least significant first (bits past `len` are 0).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Bit `i`.
    pub fn get(&self, i: usize) -> bool {
        assert!(i < self.len, "bit {i} of a {}-bit vector", self.len);
        self.words[i / 64] >> (i % 64) & 1 != 0
    }

    /// Sets bit `i`.
    pub fn set(&mut self, i: usize, bit: bool) {
        assert!(i < self.len, "bit {i} of a {}-bit vector", self.len);
        let m = 1u64 << (i % 64);
        if bit {
            self.words[i / 64] |= m;
        } else {
            self.words[i / 64] &= !m;
        }
    }

    /// The `width`-bit field (1..=64) starting at bit `offset`.
    pub fn field(&self, offset: usize, width: u32) -> u64 {
        assert!((1..=64).contains(&width), "field width {width}");
        assert!(offset + width as usize <= self.len, "field past the end");
        let (w, s) = (offset / 64, offset % 64);
        let mut v = self.words[w] >> s;
        if s != 0 && s + width as usize > 64 {
            v |= self.words[w + 1] << (64 - s);
        }
        v & mask(width)
    }

    /// Writes the low `width` bits (1..=64) of `value` at bit `offset`.
    pub fn set_field(&mut self, offset: usize, width: u32, value: u64) {
        assert!((1..=64).contains(&width), "field width {width}");
        assert!(offset + width as usize <= self.len, "field past the end");
        let m = mask(width);
        let value = value & m;
        let (w, s) = (offset / 64, offset % 64);
        self.words[w] = (self.words[w] & !(m << s)) | (value << s);
        if s != 0 && s + width as usize > 64 {
            let hi = 64 - s;
            self.words[w + 1] = (self.words[w + 1] & !(m >> hi)) | (value >> hi);
        }
    }

    /// Hexadecimal, most significant digit first, `ceil(len/4)` digits, no
    /// prefix: a Verilog literal body and a `$readmemh` word.
    pub fn to_hex(&self) -> String {
        let digits = self.len.div_ceil(4);
        let mut s = String::with_capacity(digits);
        for d in (0..digits).rev() {
            let off = d * 4;
            let w = (self.len - off).min(4) as u32;
            let nib = self.field(off, w);
            s.push(char::from_digit(nib as u32, 16).expect("nibble"));
        }
        s
    }

    /// Parses [`BitVec::to_hex`] output (`_` separators allowed) into `len` bits.
    pub fn from_hex(hex: &str, len: usize) -> Result<BitVec, BitExactError> {
        let mut v = BitVec::zeros(len);
        let digits: Vec<u32> = hex
            .chars()
            .filter(|&c| c != '_')
            .map(|c| c.to_digit(16).ok_or(BitExactError::BadHex(hex.to_string())))
            .collect::<Result<_, _>>()?;
        for (i, d) in digits.iter().rev().enumerate() {
            for b in 0..4 {
                let bit = i * 4 + b;
                if d >> b & 1 != 0 {
                    if bit >= len {
                        return Err(BitExactError::BadHex(hex.to_string()));
                    }
                    v.set(bit, true);
                }
            }
        }
        Ok(v)
    }
}

/// Packs `width` activations into the `in_act` port value (element 0 at the
/// least significant bits).
pub fn pack_acts(p: Precision, acts: &[i64]) -> Result<BitVec, BitExactError> {
    let b = act_bits(p)?;
    let mut v = BitVec::zeros(acts.len() * b as usize);
    for (e, &a) in acts.iter().enumerate() {
        v.set_field(e * b as usize, b, encode_act(p, a)?);
    }
    Ok(v)
}

/// Unpacks `width` activations from an `in_act` port value.
pub fn unpack_acts(p: Precision, bits: &BitVec, width: usize) -> Result<Vec<i64>, BitExactError> {
    let b = act_bits(p)?;
    shape("in_act bits", width * b as usize, bits.len())?;
    (0..width)
        .map(|e| decode_act(p, bits.field(e * b as usize, b)))
        .collect()
}

/// Packs `lanes` x `width` weights (lane-major: lane `l`, element `e` at index
/// `l*width + e`) into the `in_wgt` port value (lane 0, element 0 at the least
/// significant bits).
pub fn pack_weights(
    p: Precision,
    wgts: &[i64],
    lanes: usize,
    width: usize,
) -> Result<BitVec, BitExactError> {
    shape("weights", lanes * width, wgts.len())?;
    let b = weight_bits(p)?;
    let mut v = BitVec::zeros(wgts.len() * b as usize);
    for (i, &w) in wgts.iter().enumerate() {
        v.set_field(i * b as usize, b, encode_weight(p, w)?);
    }
    Ok(v)
}

/// Unpacks `lanes` x `width` weights (lane-major) from an `in_wgt` port value.
pub fn unpack_weights(
    p: Precision,
    bits: &BitVec,
    lanes: usize,
    width: usize,
) -> Result<Vec<i64>, BitExactError> {
    let b = weight_bits(p)?;
    shape("in_wgt bits", lanes * width * b as usize, bits.len())?;
    (0..lanes * width)
        .map(|i| decode_weight(p, bits.field(i * b as usize, b)))
        .collect()
}

/// Packs `lanes` accumulators into the `out_acc` port value (lane 0 at the
/// least significant bits, `acc_bits` each, two's complement; values are
/// reduced to `acc_bits` bits).
pub fn pack_accs(acc_bits: u32, accs: &[i64]) -> BitVec {
    let mut v = BitVec::zeros(accs.len() * acc_bits as usize);
    for (l, &a) in accs.iter().enumerate() {
        v.set_field(l * acc_bits as usize, acc_bits, a as u64);
    }
    v
}

/// Unpacks `lanes` sign-extended accumulators from an `out_acc` port value.
pub fn unpack_accs(acc_bits: u32, bits: &BitVec, lanes: usize) -> Result<Vec<i64>, BitExactError> {
    shape("out_acc bits", lanes * acc_bits as usize, bits.len())?;
    Ok((0..lanes)
        .map(|l| sign_extend(bits.field(l * acc_bits as usize, acc_bits), acc_bits))
        .collect())
}

fn shape(what: &'static str, expected: usize, got: usize) -> Result<(), BitExactError> {
    if expected == got {
        Ok(())
    } else {
        Err(BitExactError::Shape {
            what,
            expected,
            got,
        })
    }
}

/// Trits per byte of the packed ternary format.
pub const TRITS_PER_BYTE: usize = 5;

/// Packs ternary weights 5 per byte (3^5 = 243 <= 256, 1.6 bits a weight).
///
/// Trit digit of a weight: `0 -> 0`, `+1 -> 1`, `-1 -> 2` (the weight mod 3),
/// so an all-zero group is byte 0. Byte = d0 + 3*d1 + 9*d2 + 27*d3 + 81*d4,
/// weight 0 of the group being the least significant trit; groups in order.
/// A final partial group is padded with zero weights. Bytes are 0..=242.
pub fn pack_ternary5(ws: &[i64]) -> Result<Vec<u8>, BitExactError> {
    check_weights(Precision::Ternary, ws)?;
    Ok(ws
        .chunks(TRITS_PER_BYTE)
        .map(|g| {
            g.iter()
                .rev()
                .fold(0u8, |acc, &w| acc * 3 + w.rem_euclid(3) as u8)
        })
        .collect())
}

/// Unpacks `n` ternary weights from [`pack_ternary5`] bytes; refuses bytes
/// above 242 and a byte count that is not `ceil(n/5)`.
pub fn unpack_ternary5(bytes: &[u8], n: usize) -> Result<Vec<i64>, BitExactError> {
    shape(
        "packed ternary bytes",
        n.div_ceil(TRITS_PER_BYTE),
        bytes.len(),
    )?;
    let mut out = Vec::with_capacity(n);
    for &b in bytes {
        if b > 242 {
            return Err(BitExactError::BadPackedByte(b));
        }
        let mut v = b;
        for _ in 0..TRITS_PER_BYTE {
            if out.len() == n {
                break;
            }
            out.push(match v % 3 {
                0 => 0,
                1 => 1,
                _ => -1,
            });
            v /= 3;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ternary_codes() {
        let t = Precision::Ternary;
        assert_eq!(encode_weight(t, 1).unwrap(), 0b01);
        assert_eq!(encode_weight(t, -1).unwrap(), 0b11);
        assert_eq!(encode_weight(t, 0).unwrap(), 0b00);
        assert_eq!(decode_weight(t, 0b10).unwrap(), 0);
        assert!(encode_weight(t, 2).is_err());
        assert!(encode_weight(Precision::Binary, 0).is_err());
    }

    #[test]
    fn fields_across_words() {
        let mut v = BitVec::zeros(200);
        v.set_field(60, 8, 0xa5);
        assert_eq!(v.field(60, 8), 0xa5);
        v.set_field(120, 64, u64::MAX - 5);
        assert_eq!(v.field(120, 64), u64::MAX - 5);
        assert_eq!(v.field(60, 8), 0xa5);
        let h = v.to_hex();
        assert_eq!(h.len(), 50);
        assert_eq!(BitVec::from_hex(&h, 200).unwrap(), v);
    }

    #[test]
    fn trits() {
        assert_eq!(pack_ternary5(&[0, 0, 0, 0, 0]).unwrap(), vec![0]);
        assert_eq!(pack_ternary5(&[1, -1]).unwrap(), vec![1 + 2 * 3]);
        assert_eq!(pack_ternary5(&[-1; 5]).unwrap(), vec![242]);
        assert!(unpack_ternary5(&[243], 5).is_err());
    }
}
