//! The LUT's serial input load (`array.lut.load_elems`) in front of the
//! tile: the table builder's input register filled `load_elems`
//! activations a cycle, `L = ceil(width / load_elems)` cycles a chunk and
//! token before the chunk's lookups, as the engine charges it
//! (`sim::mapping::linear`: `tokens x serial_load(klen)` cycles of the
//! tile's SRAM stall, on the first feature group's tiles only, not
//! overlapped with the lookups; the chunk's tables then serve every
//! output, `sim::datapath::lut`'s `load_elems`).
//!
//! The feeder holds each chunk of a first-group tile (`fd_ser`: the
//! starting tile's output `n` is 0) for `L + 1` cycles (`sl_c` counts
//! them): in cycle `i < L` the register's slice `i` (`sl_a<i>`, elements
//! `i x load_elems ..`) loads from the activation buffer's word, read once
//! for the chunk in the cycle before; in cycle `L` the chunk is offered to
//! the tile from the register (`t_act`), and the feeder steps
//! (`sl_step`). The tile's last chunk is offered in the last cycle of its
//! `busy + serial` cycles, so the array is freed (engine rule 1) and the
//! layer's drain are the engine's. The later feature groups' chunks go to
//! the tile straight from the buffer (one a cycle): the tile rebuilds
//! their tables from the buffer's word in its table register's cycle,
//! where the engine's design reads the tables it kept (the same values at
//! the same cycles; a table memory is not generated).

use super::build::{add, and, b, cat, eq, k, kx, mux, n, not, or, set, sl, when, Body};
use super::params::{addr_bits, AccelParams, Mutation};
use crate::ir::Stmt;
use serde::Serialize;

/// The serial load in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct SerialLoad {
    /// Activations a cycle into the table builder's input register
    /// (`array.lut.load_elems`).
    pub load_elems: u32,
    /// Cycles a chunk and token before its lookups (`ceil(width / load_elems)`).
    pub cycles_a_chunk: u64,
    /// Where the cycles go.
    pub rule: String,
}

impl AccelParams {
    /// Cycles of the serial input load of one chunk (`ceil(width /
    /// load_elems)`; 0 without `array.lut.load_elems`).
    pub fn serial_load(&self) -> u64 {
        let a = &self.arch.array;
        if a.reduction != sim::arch::Reduction::Lut {
            return 0;
        }
        a.lut.as_ref().map_or(0, |c| c.load_cycles(self.width()))
    }

    /// The serial input load is built.
    pub fn serial(&self) -> bool {
        self.serial_load() > 0
    }

    /// The manifest's entry of the serial load (`None` without one).
    pub fn serial_manifest(&self) -> Option<SerialLoad> {
        let e = self.arch.array.lut.as_ref().and_then(|c| c.load_elems)?;
        self.serial().then(|| SerialLoad {
            load_elems: e,
            cycles_a_chunk: self.serial_load(),
            rule: format!(
                "every chunk of every token of a layer's first feature group (output 0 ..) takes \
                 {} cycles filling the table builder's input register {e} activations a cycle \
                 from the activation buffer's word, then is offered to the tile from it; the \
                 other groups' chunks go to the tile one a cycle",
                self.serial_load()
            ),
        })
    }

    /// Why the top does not run the layer `k` with the serial load in N
    /// tiles of `nt` feature groups (`None`: it does, or the design has
    /// none): a short last chunk (its load is `ceil((K % width) /
    /// load_elems)` cycles, not built), several groups a weight tile (the
    /// engine charges the load once for the N tile), a streamed input or
    /// outputs stored per tile (`streamed`: their plans count no load).
    pub fn refuses_serial(&self, k: u64, nt: u64, streamed: bool) -> Option<String> {
        if !self.serial() {
            return None;
        }
        let why = if !k.is_multiple_of(self.width()) {
            format!(
                "K = {k} is not a multiple of the width {}: the serial input load of the short \
                 last chunk ({} elements, ceil({} / load_elems) cycles) is not built",
                self.width(),
                k % self.width(),
                k % self.width()
            )
        } else if nt > 1 {
            format!(
                "N tiles of {nt} feature groups: the engine charges the serial input load once \
                 an N tile, the top's feeder on the first group's chunks (built with one group \
                 a weight tile)"
            )
        } else if streamed {
            "a streamed input or outputs stored per tile: those plans count no serial input \
             load (built with the input on chip)"
                .to_string()
        } else {
            return None;
        };
        Some(format!("`array.lut.load_elems`: {why}"))
    }
}

/// Why the top does not build the serial load of the design `a` (`None`:
/// it does, or there is none): weight registers (their feeder offers a
/// chunk a cycle) and II > 1 (the feeder's other hold).
pub fn refuses_design(a: &sim::arch::ArrayConfig, ii: u32) -> Option<String> {
    let e = a.lut.as_ref().and_then(|c| c.load_elems)?;
    let why = if a.token_tile > 1 {
        format!(
            "`array.token_tile` = {}: the weight registers' feeder offers a chunk a cycle (built \
             with token_tile = 1)",
            a.token_tile
        )
    } else if ii > 1 {
        format!("initiation interval {ii} (built with II = 1)")
    } else {
        return None;
    };
    Some(format!(
        "`array.lut.load_elems` = {e}: the serial input load of ceil(width / load_elems) = {} \
         cycles a chunk is built in front of the tile, not with {why}",
        u64::from(a.width).div_ceil(u64::from(e.max(1)))
    ))
}

/// Bits of `sl_c` (0 to L).
fn c_bits(p: &AccelParams) -> u32 {
    addr_bits(p.serial_load() + 1)
}

/// The feeder's hold: `fd_ser`, `sl_c` and `sl_step` (the chunk offered
/// now is the feeder's last cycle of it); returns the statements of the
/// run process and of its init. [`Mutation::SerialShort`] steps a cycle
/// early (the chunk offered before its last slice has loaded).
pub fn hold(p: &AccelParams, o: &mut Body) -> (Vec<Stmt>, Vec<Stmt>) {
    let (l, cb) = (p.serial_load(), c_bits(p));
    o.note("the LUT's serial input load (lut_serial.rs): a first-group chunk is held L + 1 cycles");
    o.reg("fd_ser", 1);
    o.reg("sl_c", cb);
    let last = if p.mutation == Mutation::SerialShort {
        l - 1
    } else {
        l
    };
    o.wire(
        "sl_step",
        1,
        or(
            or(not(n("comp")), not(n("fd_ser"))),
            eq(n("sl_c"), k(cb, u128::from(last))),
        ),
    );
    let run = vec![
        set(
            "fd_ser",
            mux(n("start_n"), eq(n("e_n"), kx(0)), n("fd_ser")),
        ),
        set(
            "sl_c",
            mux(
                and(n("comp"), not(n("sl_step"))),
                add(n("sl_c"), k(cb, 1)),
                k(cb, 0),
            ),
        ),
    ];
    let init = vec![set("fd_ser", b(false)), set("sl_c", k(cb, 0))];
    (run, init)
}

/// The table builder's input register (`sl_a<i>`, `load_elems`
/// activations each, slice `i` loaded in the chunk's cycle `sl_c = i`) and
/// the tile's `in_act`, `t_act`: the register on a first-group tile, the
/// activation buffer's word otherwise.
pub fn register(p: &AccelParams, o: &mut Body) {
    let (l, w, ab) = (p.serial_load(), p.width(), p.act_bits());
    let e = p
        .arch
        .array
        .lut
        .as_ref()
        .and_then(|c| c.load_elems)
        .map_or(w, u64::from);
    let cb = c_bits(p);
    let mut loads = Vec::new();
    let mut parts = Vec::new();
    for i in 0..l {
        let lo = i * e;
        let hi = ((i + 1) * e).min(w);
        let r = format!("sl_a{i}");
        o.reg(&r, ((hi - lo) * ab) as u32);
        loads.push(when(
            eq(n("sl_c"), k(cb, u128::from(i))),
            vec![set(&r, sl("a_q", (hi * ab) as u32 - 1, (lo * ab) as u32))],
        ));
        parts.push(n(&r));
    }
    o.clocked_data(vec![when(and(n("comp"), n("fd_ser")), loads)]);
    parts.reverse();
    o.wire(
        "t_act",
        p.aword_bits(),
        mux(n("fd_ser"), cat(parts), n("a_q")),
    );
}
