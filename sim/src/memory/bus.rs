//! The data bus between the accelerator and the DRAM controller
//! (`[dram] bus_bits`, e.g. an AXI4 port of that data width).
//!
//! The bus moves whole beats of `bus_bits / 8` bytes, at most one a cycle
//! on each direction's channel; reads and writes have channels of their own
//! (AXI4's R and W), and the transfers of one direction serialize on its
//! channel. A transfer of `bytes` at byte address `addr` occupies the beats
//! its bytes touch: from the beat holding `addr` to the beat holding its last
//! byte (a start or an end inside a beat moves that beat whole, strobed).
//!
//! Its beats go on the channel once the channel is free and no earlier than
//! the DRAM's first data for the transfer (the cycle the transaction model
//! starts serving it; the cycle the banked model's first burst of it has
//! completed), back to back: the transfer completes at the later of the
//! DRAM's completion and the cycle after its last beat. A bus at least as
//! fast as the DRAM never delays a transfer whose beats fit its DRAM time.

/// One direction's channel of the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Loads (AXI4 R).
    Read,
    /// Stores (AXI4 W).
    Write,
}

/// The state of the bus.
#[derive(Debug, Clone)]
pub struct Bus {
    /// Bytes a beat.
    beat: u64,
    /// First cycle at which the read channel is free.
    read_free: u64,
    /// First cycle at which the write channel is free.
    write_free: u64,
}

impl Bus {
    /// A bus of `bits` data bits (a power of two of at least 8, as the
    /// design validates; narrower values are taken as one byte).
    pub fn new(bits: u32) -> Bus {
        Bus {
            beat: u64::from(bits / 8).max(1),
            read_free: 0,
            write_free: 0,
        }
    }

    /// Bytes a beat.
    pub fn beat_bytes(&self) -> u64 {
        self.beat
    }

    /// The beats a transfer of `bytes` from byte address `addr` touches.
    pub fn beats(&self, addr: u64, bytes: u64) -> u64 {
        if bytes == 0 {
            return 0;
        }
        (addr + bytes - 1) / self.beat - addr / self.beat + 1
    }

    /// Carries a transfer on channel `ch` whose DRAM data is first there at
    /// cycle `first` and complete at `dram_end`: the cycle the transfer
    /// completes (its last beat on the bus in the cycle before).
    pub fn carry(&mut self, ch: Channel, first: u64, dram_end: u64, addr: u64, bytes: u64) -> u64 {
        let beats = self.beats(addr, bytes);
        if beats == 0 {
            return dram_end;
        }
        let free = match ch {
            Channel::Read => &mut self.read_free,
            Channel::Write => &mut self.write_free,
        };
        let end = dram_end.max(first.max(*free) + beats);
        *free = end;
        end
    }

    /// The first cycle by which both channels are free.
    pub fn busy_until(&self) -> u64 {
        self.read_free.max(self.write_free)
    }

    /// The channels' free cycles relative to `now` (one not after `now` as
    /// 0: a transfer issued from `now` on no longer waits for it), for the
    /// engine's steady-state signature.
    pub fn signature(&self, now: u64, out: &mut Vec<u64>) {
        out.push(self.read_free.saturating_sub(now));
        out.push(self.write_free.saturating_sub(now));
    }

    /// Moves a channel reservation that ends after `now` later by `shift`
    /// cycles (fast-forward over steady state).
    pub fn shift(&mut self, now: u64, shift: u64) {
        for f in [&mut self.read_free, &mut self.write_free] {
            if *f > now {
                *f += shift;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beats_count_the_partial_first_and_last_beats() {
        let b = Bus::new(64);
        assert_eq!(b.beats(0, 8), 1);
        assert_eq!(b.beats(0, 9), 2);
        // 3 bytes in the first beat, 8 in the second, 2 in the third
        assert_eq!(b.beats(5, 13), 3);
        assert_eq!(b.beats(7, 2), 2);
        assert_eq!(b.beats(6, 2), 1);
        assert_eq!(b.beats(100, 0), 0);
        assert_eq!(Bus::new(512).beats(60, 1300), 22);
    }

    #[test]
    fn a_bus_slower_than_the_dram_times_the_beats() {
        // 8-byte beats; the DRAM delivers 2,048 bytes from cycle 40 to 80
        // (51.2 B a cycle): 256 beats take cycles 40..=295, done at 296
        let mut b = Bus::new(64);
        assert_eq!(b.carry(Channel::Read, 40, 80, 0, 2048), 296);
        // the next read's DRAM data is there at 90, but the R channel is busy
        // until 296: its 2,052 bytes from byte 4 touch 257 beats, 296..=552
        assert_eq!(b.carry(Channel::Read, 90, 131, 2052, 2052), 553);
        // a write has its own channel: 100 bytes from byte 1 MiB + 4 touch
        // 13 beats, from its first data at 100
        assert_eq!(b.carry(Channel::Write, 100, 102, (1 << 20) + 4, 100), 113);
        assert_eq!(b.busy_until(), 553);
    }

    #[test]
    fn a_bus_faster_than_the_dram_leaves_its_timing() {
        let mut b = Bus::new(512);
        // 4,096 bytes at 51.2 B a cycle: 80 cycles; 64 beats
        assert_eq!(b.carry(Channel::Read, 40, 120, 0, 4096), 120);
        assert_eq!(b.carry(Channel::Read, 120, 200, 4096, 4096), 200);
        assert_eq!(b.carry(Channel::Write, 7, 7, 0, 0), 7);
    }
}
