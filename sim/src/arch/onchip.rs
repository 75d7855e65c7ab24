//! The keys of on-chip data movement: weight registers in the lanes
//! (`array.token_tile`), the zero-skip compaction window
//! (`array.skip_window`) and the tile slots of the units
//! (`buffers.prefetch_slots`): their ranges, the designs that cannot be
//! built with them, and their lines in the TOML writer.

use super::toml_io::{int_key, invalid, InvalidValue};
use super::{Accelerator, ArrayConfig, BuffersConfig, ZeroHandling};
use workloads::Precision;

/// Most tokens a lane may hold weights for (partial sums per lane).
pub const MAX_TOKEN_TILE: u32 = 1024;

/// Most tile slots a unit may have in flight.
pub const MAX_PREFETCH_SLOTS: u32 = 16;

/// Largest compaction window, in multiples of `width`: a wider window
/// needs a wider multiplexer per tree input than the design card allows.
pub const MAX_WINDOW_WIDTHS: u32 = 4;

/// Refuses on-chip keys that are out of range or describe a design that
/// cannot be built, naming the keys.
pub(super) fn validate(a: &Accelerator) -> Result<(), InvalidValue> {
    let ar = &a.array;
    int_key("array.token_tile", ar.token_tile.into())?;
    if ar.token_tile > 1 && ar.dataflow.is_systolic() {
        return Err(invalid(
            "array.token_tile",
            ar.token_tile.to_string(),
            format!(
                "`array.token_tile` = {} is not accepted with `array.dataflow` = \"{}\" (a \
                 systolic array has its own stationary operand): expected 1, or `array.dataflow` \
                 = \"lanes\"",
                ar.token_tile,
                ar.dataflow.name()
            ),
        ));
    }
    if let Some(win) = ar.skip_window {
        if ar.zeros != ZeroHandling::Skip {
            return Err(invalid(
                "array.skip_window",
                win.to_string(),
                "`array.skip_window` applies only with `array.zeros` = \"skip\": remove it, or \
                 set `array.zeros` = \"skip\""
                    .to_string(),
            ));
        }
        let (lo, hi) = (ar.width, ar.width.saturating_mul(MAX_WINDOW_WIDTHS));
        if !(lo..=hi).contains(&win) {
            return Err(invalid(
                "array.skip_window",
                win.to_string(),
                format!(
                    "`array.skip_window` = {win} is out of range: a window holds at least the \
                     `array.width` = {} nonzeros a lane reduces a cycle and at most {} x width; \
                     expected an integer from {lo} to {hi}",
                    ar.width, MAX_WINDOW_WIDTHS
                ),
            ));
        }
    }
    if ar.zeros == ZeroHandling::Skip {
        check_skip(ar)?;
    }
    if let Some(s) = a.buffers.prefetch_slots {
        int_key("buffers.prefetch_slots", s.into())?;
    }
    Ok(())
}

/// Zero skipping needs weights with a zero to skip and a lane template
/// whose lanes can each select their own activations.
fn check_skip(ar: &ArrayConfig) -> Result<(), InvalidValue> {
    if matches!(ar.weights, Precision::Binary) {
        return Err(invalid(
            "array.zeros",
            "\"skip\"",
            "`array.zeros` = \"skip\" cannot be built with `array.weights` = \"binary\": ±1 \
             weights have no zeros to compact; expected `array.zeros` = \"none\", or ternary or \
             binary01 weights"
                .to_string(),
        ));
    }
    if !ar.weights.is_low_bit_weight() {
        return Err(invalid(
            "array.zeros",
            "\"skip\"",
            format!(
                "`array.zeros` = \"skip\" cannot be built with `array.weights` = \"{}\": \
                 compaction stores a sign bit per nonzero, so it needs ternary or binary01 \
                 weights; expected `array.zeros` = \"none\" or \"gate\"",
                ar.weights.name()
            ),
        ));
    }
    Ok(())
}

/// `(comment, key, value)` of the on-chip keys of `[array]` that differ
/// from their defaults.
pub(super) fn array_keys(ar: &ArrayConfig) -> Vec<(String, &'static str, String)> {
    let mut v = Vec::new();
    if ar.token_tile != 1 {
        v.push((
            format!(
                "Tokens each lane holds its weights for (one partial sum per token), 1 to {MAX_TOKEN_TILE}."
            ),
            "token_tile",
            ar.token_tile.to_string(),
        ));
    }
    if let Some(w) = ar.skip_window {
        v.push((
            format!(
                "Zero-skip window: activations a lane selects its nonzeros from, width to {MAX_WINDOW_WIDTHS} x width."
            ),
            "skip_window",
            w.to_string(),
        ));
    }
    v
}

/// `(comment, key, value)` of the keys of `[buffers]` itself.
pub(super) fn buffer_keys(b: &BuffersConfig) -> Vec<(String, &'static str, String)> {
    b.prefetch_slots
        .map(|s| {
            vec![(
                format!(
                    "Tiles each unit holds in flight, 1 to {MAX_PREFETCH_SLOTS} (slots beyond the two halves are\n\
                     extra tile-sized SRAM)."
                ),
                "prefetch_slots",
                s.to_string(),
            )]
        })
        .unwrap_or_default()
}

impl Accelerator {
    /// Tiles a unit holds in flight: `buffers.prefetch_slots`, or two when
    /// its buffer (`double` says whether it is double-buffered) is, else one.
    pub fn prefetch_slots(&self, double: bool) -> u32 {
        self.buffers
            .prefetch_slots
            .unwrap_or(if double { 2 } else { 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{from_toml, preset, to_toml};
    use super::*;

    fn refused(edit: impl FnOnce(&mut Accelerator)) -> InvalidValue {
        let mut a = preset("edge-ternary").unwrap();
        edit(&mut a);
        a.validate().unwrap_err()
    }

    #[test]
    fn unbuildable_designs_name_their_keys() {
        let e = refused(|a| a.array.token_tile = 0);
        assert_eq!(e.key, "array.token_tile");
        let e = refused(|a| a.array.skip_window = Some(128));
        assert_eq!(e.key, "array.skip_window");
        assert!(e.message.contains("array.zeros"), "{}", e.message);
        let e = refused(|a| {
            a.array.zeros = ZeroHandling::Skip;
            a.array.skip_window = Some(32);
        });
        assert_eq!(e.key, "array.skip_window");
        assert!(e.message.contains("from 64 to 256"), "{}", e.message);
        let e = refused(|a| {
            a.array.zeros = ZeroHandling::Skip;
            a.array.weights = Precision::Binary;
        });
        assert_eq!(e.key, "array.zeros");
        assert!(e.message.contains("array.weights"), "{}", e.message);
        let e = refused(|a| a.buffers.prefetch_slots = Some(17));
        assert_eq!(e.key, "buffers.prefetch_slots");
        let mut s = preset("systolic-ws-32x32").unwrap();
        s.array.token_tile = 4;
        assert_eq!(s.validate().unwrap_err().key, "array.token_tile");
    }

    #[test]
    fn keys_round_trip_through_toml() {
        let mut a = preset("edge-ternary").unwrap();
        a.array.token_tile = 1;
        assert!(!to_toml(&a).contains("token_tile"));
        a.array.token_tile = 16;
        a.array.zeros = ZeroHandling::Skip;
        a.array.skip_window = Some(96);
        a.buffers.prefetch_slots = Some(4);
        let text = to_toml(&a);
        assert_eq!(from_toml(&text).unwrap(), a, "{text}");
        assert_eq!(a.prefetch_slots(true), 4);
        a.buffers.prefetch_slots = None;
        assert_eq!((a.prefetch_slots(true), a.prefetch_slots(false)), (2, 1));
    }
}
