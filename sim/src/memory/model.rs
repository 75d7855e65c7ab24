//! The DRAM the engine talks to: the transaction-level channel or the
//! banked model (`[dram] model`), the placement that gives every transfer
//! its address, and the optional record of the request stream
//! (`onebit sim --dram-trace`). With `[dram] bus_bits` a transfer also
//! crosses the data bus to the controller ([`Bus`]): it completes no earlier
//! than its beats allow on its direction's channel.
//!
//! Placement: the loads of each operator occupy one contiguous region, in the
//! order its tiles load them (weights, KV cache and spilled activations as
//! the operator streams them); regions follow each other in trace order from
//! address 0, each aligned to 4 KiB. Stores go to one region after all loads
//! (aligned to 1 MiB), in the order they are issued. A read-back of spilled
//! partial sums ([`Dram::load_at`]) is no part of its operator's region: it
//! reads the bytes its spill's store wrote, at that store's address.

use super::banked::{BankedChannel, ControllerConfig, Mapping, ReplayResult, SystemConfig};
use super::bus::{Bus, Channel};
use super::DramChannel;
use crate::arch::{Accelerator, DramModelKind};

/// One transfer the engine issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    /// Accelerator cycle it was issued.
    pub at: u64,
    /// A store (else a load).
    pub write: bool,
    /// First byte address.
    pub addr: u64,
    /// Bytes.
    pub bytes: u64,
}

#[derive(Debug, Clone)]
enum Model {
    Transaction(DramChannel),
    Banked(Box<BankedChannel>),
}

/// The DRAM of a run.
#[derive(Debug, Clone)]
pub struct Dram {
    model: Model,
    bus: Option<Bus>,
    load_next: Vec<u64>,
    store_next: u64,
    record: Option<Vec<Transfer>>,
    issued: u64,
    /// The DRAM's first data of the last transfer.
    first: u64,
}

const REGION_ALIGN: u64 = 4096;
const STORE_ALIGN: u64 = 1 << 20;

impl Dram {
    /// The DRAM of `arch`; `loads[i]` is operator `i`'s load bytes in its
    /// region (for the placement; read-backs of partial sums excluded); `record` keeps every transfer.
    pub fn new(arch: &Accelerator, loads: &[u64], record: bool) -> Dram {
        let mut load_next = Vec::with_capacity(loads.len());
        let mut at = 0u64;
        for &l in loads {
            load_next.push(at);
            at = (at + l).div_ceil(REGION_ALIGN) * REGION_ALIGN;
        }
        let store_next = at.div_ceil(STORE_ALIGN) * STORE_ALIGN;
        let d = &arch.dram;
        let model = match (d.model, d.spec()) {
            (DramModelKind::Banked, Some(spec)) => {
                let cfg = SystemConfig {
                    channels: d.channel_count(),
                    mapping: d.mapping.unwrap_or(Mapping::RoCoBaRaCh),
                    controller: ControllerConfig::default(),
                };
                let c = BankedChannel::new(spec, cfg, arch.clock_ghz);
                // the memo changes only the speed: `ONEBIT_DRAM_MEMO=off`
                // simulates every transfer cycle by cycle, so that the
                // outputs can be compared byte for byte
                let off = std::env::var("ONEBIT_DRAM_MEMO").is_ok_and(|v| v == "off");
                // the runs of a process with the same DRAM share one memo
                Model::Banked(Box::new(if off {
                    c.without_memo()
                } else {
                    c.sharing_memo()
                }))
            }
            _ => Model::Transaction(DramChannel::new(arch)),
        };
        Dram {
            model,
            bus: d.bus_bits.map(Bus::new),
            load_next,
            store_next,
            record: record.then(Vec::new),
            issued: 0,
            first: 0,
        }
    }

    fn transfer(&mut self, now: u64, bytes: u64, addr: u64, write: bool) -> u64 {
        self.issued += 1;
        if let Some(r) = &mut self.record {
            r.push(Transfer {
                at: now,
                write,
                addr,
                bytes,
            });
        }
        // the DRAM's first data: the transaction model's start; the banked
        // model's first burst completed (its commands' timing: ACT, tRCD,
        // RD, tCL and the burst for a read to a closed row)
        let (first, end) = match &mut self.model {
            Model::Transaction(c) => (c.first_data(now), c.issue(now, bytes)),
            Model::Banked(b) => {
                let s = b.issue_span(now, bytes, addr, write);
                (s.first, s.done)
            }
        };
        self.first = first;
        match &mut self.bus {
            Some(bus) => {
                let ch = if write { Channel::Write } else { Channel::Read };
                bus.carry(ch, first, end, addr, bytes)
            }
            None => end,
        }
    }

    /// The DRAM's first data of the last transfer issued (0 before any): the
    /// cycle its bus beats may start from (the transaction model's start;
    /// the banked model's first burst completed).
    pub fn last_first_data(&self) -> u64 {
        self.first
    }

    /// The address operator `op`'s next load reads from (the placement above).
    pub fn next_load_addr(&self, op: usize) -> u64 {
        self.load_next[op]
    }

    /// The address the next store writes to.
    pub fn next_store_addr(&self) -> u64 {
        self.store_next
    }

    /// Operator `op` loads `bytes` at cycle `now`; returns the arrival cycle.
    pub fn load(&mut self, now: u64, op: usize, bytes: u64) -> u64 {
        let addr = self.load_next[op];
        self.load_next[op] += bytes;
        self.transfer(now, bytes, addr, false)
    }

    /// A load of `bytes` at `addr` at cycle `now`, outside the load regions
    /// (partial sums read back from where their spill was written); returns
    /// the arrival cycle.
    pub fn load_at(&mut self, now: u64, addr: u64, bytes: u64) -> u64 {
        self.transfer(now, bytes, addr, false)
    }

    /// Where in a data-bus beat `addr` falls (0 without a bus): the part of
    /// an address that times a transfer on the transaction model.
    pub fn beat_phase(&self, addr: u64) -> u64 {
        self.bus.as_ref().map_or(0, |b| addr % b.beat_bytes())
    }

    /// Operator `op` stores `bytes` at cycle `now`; returns the cycle its last
    /// byte is written.
    pub fn store(&mut self, now: u64, _op: usize, bytes: u64) -> u64 {
        let addr = self.store_next;
        self.store_next += bytes;
        self.transfer(now, bytes, addr, true)
    }

    /// Cycles from issue to first data of the transaction model (0 for the
    /// banked model, whose latency is in its timing).
    pub fn latency(&self) -> u64 {
        match &self.model {
            Model::Transaction(c) => c.latency,
            Model::Banked(_) => 0,
        }
    }

    /// The first cycle by which every transfer so far completes.
    pub fn busy_until(&self) -> u64 {
        let dram = match &self.model {
            Model::Transaction(c) => c.bus_free(),
            Model::Banked(b) => b.busy_until(),
        };
        self.bus.as_ref().map_or(dram, |b| dram.max(b.busy_until()))
    }

    /// The first cycle at which the data bus is free (transaction model)
    /// or every transfer so far completes (banked model).
    pub fn bus_free(&self) -> u64 {
        self.busy_until()
    }

    /// What the engine's steady-state signature at cycle `now` must hold
    /// beyond the bus term ([`Dram::bus_free`]): nothing for the
    /// transaction model; with a data bus also the DRAM's and the two
    /// channels' free cycles relative to `now` and where in a beat each
    /// operator's next load and the next store start (the beats a transfer
    /// touches depend on it: a repeat means every period moves whole beats,
    /// so the jumped periods time as the one measured); for the banked model
    /// or a record, the count of transfers issued, which never repeats, so
    /// fast-forward never jumps over them and stays exact (the banked state —
    /// refresh phase, open rows, queues — does not repeat shifted in time).
    pub fn signature(&self, now: u64, out: &mut Vec<u64>) {
        if matches!(self.model, Model::Banked(_)) || self.record.is_some() {
            out.push(self.issued);
            return;
        }
        if let (Some(bus), Model::Transaction(c)) = (&self.bus, &self.model) {
            let beat = bus.beat_bytes();
            out.push(c.bus_free().saturating_sub(now));
            bus.signature(now, out);
            out.extend(self.load_next.iter().map(|a| a % beat));
            out.push(self.store_next % beat);
        }
    }

    /// Moves reservations after `now` later by `shift` (a steady-state jump;
    /// only the transaction model is ever jumped over, see [`Dram::signature`]).
    pub fn shift_bus(&mut self, now: u64, shift: u64) {
        if let Model::Transaction(c) = &mut self.model {
            c.shift_bus(now, shift);
        }
        if let Some(b) = &mut self.bus {
            b.shift(now, shift);
        }
    }

    /// The transfers issued, when recording.
    pub fn take_record(&mut self) -> Option<Vec<Transfer>> {
        self.record.take()
    }

    /// Runs the banked model to the end of the run and summarizes it.
    pub fn finish(&mut self, end: u64) -> Option<ReplayResult> {
        match &mut self.model {
            Model::Transaction(_) => None,
            Model::Banked(b) => Some(b.finish(end)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::preset;

    /// edge-w8a8 (1 GHz) on one DDR4-3200 channel (tCK 625 ps, 64-byte
    /// bursts), a 64-bit bus; `memo` off simulates every cycle.
    fn ddr4(bus_bits: Option<u32>, memo: bool) -> Dram {
        let mut a = preset("edge-w8a8").expect("the preset");
        assert_eq!(a.clock_ghz, 1.0);
        a.dram.model = DramModelKind::Banked;
        a.dram.preset = Some("ddr4-3200".into());
        a.dram.channels = Some(1);
        a.dram.mapping = Some(Mapping::RoCoBaRaCh);
        a.dram.bus_bits = bus_bits;
        let mut d = Dram::new(&a, &[1 << 20], false);
        if !memo {
            if let Model::Banked(b) = &mut d.model {
                **b = (**b).clone().without_memo();
            }
        }
        d
    }

    /// A read to a closed row: it enters the controller's queue at DRAM
    /// cycle 0 and its ACT issues at the controller's next cycle, 1; the RD
    /// tRCD = 22 cycles later (JESD79-4 DDR4-3200AA, 22-22-22), at 23; its
    /// data back tCL = 22 after the RD plus the burst (BL8 at double data
    /// rate: 4 cycles), DRAM cycle 49: 30.625 ns, accelerator cycle 31.
    /// From there the 64-bit bus moves the 4,096 bytes' 512 beats one a
    /// cycle: done at 543, where the DRAM alone has them at 189.
    #[test]
    fn a_read_to_a_closed_row_starts_its_beats_at_its_first_burst() {
        for memo in [true, false] {
            let mut plain = ddr4(None, memo);
            let dram_end = plain.load(0, 0, 4096);
            assert_eq!(plain.last_first_data(), 31, "memo {memo}");
            // the 63 bursts after the first, one every 4 DRAM cycles (the
            // data bus's BL8): DRAM cycle 49 + 252 = 301, 188.125 ns
            assert_eq!(dram_end, 189, "memo {memo}");
            let mut d = ddr4(Some(64), memo);
            assert_eq!(d.load(0, 0, 4096), 543, "memo {memo}");
            assert_eq!(d.last_first_data(), 31);
            assert_eq!(d.busy_until(), 543);
        }
    }
}
