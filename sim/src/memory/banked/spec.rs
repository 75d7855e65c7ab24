//! A DRAM device description: the standard it follows, its organization
//! (channels, ranks or pseudo-channels, bank groups, banks, rows, columns,
//! bus width, burst length), its command timings in clock cycles of the
//! standard, and its IDD currents for the power model.
//!
//! Every timing is in cycles of the standard's command clock CK (LPDDR5-6400:
//! 800 MHz; HBM3-6400: 1.6 GHz; DDR5-4800: 2.4 GHz; DDR4-3200: 1.6 GHz). The
//! presets (`presets.rs`) give the source of each value.

use serde::{Deserialize, Serialize};

/// The JEDEC standard a device follows: it fixes which timing constraints
/// apply between commands (`timing.rs`) and how commands share the command
/// bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Standard {
    /// LPDDR5 (JESD209-5B), bank-group mode, WCK:CK = 4:1.
    Lpddr5,
    /// HBM3 (JESD238), one controller per channel of two pseudo-channels.
    Hbm3,
    /// DDR5 (JESD79-5), one 32-bit sub-channel.
    Ddr5,
    /// DDR4 (JESD79-4), one 64-bit channel.
    Ddr4,
}

/// How a device is organized below one channel. The hierarchy is
/// rank (pseudo-channel for HBM) / stack ID / bank group / bank; row and
/// column address the cells of a bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Device density in Mb (selects tRFC).
    pub density_mbit: u32,
    /// Data bus width of one channel (pseudo-channel for HBM), in bits.
    pub bus_bits: u32,
    /// Ranks per channel (pseudo-channels for HBM).
    pub ranks: u32,
    /// Stack IDs per rank (HBM3 8-high stacks have two; 1 elsewhere).
    pub sids: u32,
    /// Bank groups per rank (or stack ID).
    pub bank_groups: u32,
    /// Banks per bank group.
    pub banks: u32,
    /// Rows per bank.
    pub rows: u32,
    /// Column bursts per row (columns divided by the burst length).
    pub bursts_per_row: u32,
    /// Data beats per burst (burst length).
    pub burst_length: u32,
}

impl Organization {
    /// Bytes moved by one read or write command.
    pub fn burst_bytes(&self) -> u32 {
        self.bus_bits / 8 * self.burst_length
    }

    /// Banks in one rank (over stack IDs and bank groups).
    pub fn banks_per_rank(&self) -> u32 {
        self.sids * self.bank_groups * self.banks
    }

    /// Banks in one channel.
    pub fn banks_per_channel(&self) -> u32 {
        self.ranks * self.banks_per_rank()
    }

    /// Bytes of one row (the page).
    pub fn row_bytes(&self) -> u64 {
        u64::from(self.bursts_per_row) * u64::from(self.burst_bytes())
    }

    /// Bytes of one channel.
    pub fn channel_bytes(&self) -> u64 {
        u64::from(self.banks_per_channel()) * u64::from(self.rows) * self.row_bytes()
    }
}

/// Command timings in CK cycles (names as in the JEDEC standards, without
/// the leading `t`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Clock period of CK in picoseconds.
    pub tck_ps: u32,
    /// Data rate per pin in MT/s.
    pub rate_mts: u32,
    /// Cycles the data bus is busy with one burst.
    pub bl: u32,
    /// Column array cycle time of one burst (LPDDR5 BL/n_max; = `bl` elsewhere).
    pub bl_max: u32,
    /// Read latency (CAS latency, RL).
    pub cl: u32,
    /// Write latency (CWL, WL).
    pub cwl: u32,
    /// ACT to RD.
    pub rcd_rd: u32,
    /// ACT to WR.
    pub rcd_wr: u32,
    /// PRE (one bank) to ACT.
    pub rp: u32,
    /// PRE (all banks) to ACT.
    pub rp_ab: u32,
    /// ACT to PRE.
    pub ras: u32,
    /// ACT to ACT, same bank.
    pub rc: u32,
    /// Write recovery (end of write data to PRE).
    pub wr: u32,
    /// RD to PRE.
    pub rtp: u32,
    /// RD to RD (WR to WR), different bank group.
    pub ccd_s: u32,
    /// RD to RD (WR to WR), same bank group.
    pub ccd_l: u32,
    /// WR to WR, different bank group (DDR5, LPDDR5; = `ccd_s` elsewhere).
    pub ccd_s_wr: u32,
    /// WR to WR, same bank group (DDR5, LPDDR5; = `ccd_l` elsewhere).
    pub ccd_l_wr: u32,
    /// RD to RD, different stack ID (HBM3; 0 where there is none).
    pub ccd_r: u32,
    /// ACT to ACT, different bank group.
    pub rrd_s: u32,
    /// ACT to ACT, same bank group.
    pub rrd_l: u32,
    /// End of write data to RD, different bank group.
    pub wtr_s: u32,
    /// End of write data to RD, same bank group.
    pub wtr_l: u32,
    /// RD to WR turnaround; 0 derives it as `cl + bl + 2 - cwl`.
    pub rtw: u32,
    /// Four-activate window.
    pub faw: u32,
    /// All-bank refresh cycle time (REFab to ACT).
    pub rfc: u32,
    /// Per-bank refresh cycle time (REFpb to ACT of that bank).
    pub rfc_pb: u32,
    /// Average all-bank refresh interval.
    pub refi: u32,
    /// Average per-bank refresh interval (one REFpb per this many cycles).
    pub refi_pb: u32,
    /// PRE to PRE (LPDDR5, HBM3, DDR5; 0 where there is none).
    pub ppd: u32,
    /// REFpb to REFpb, and REFpb to ACT of another bank.
    pub pbr2pbr: u32,
    /// REFpb to ACT of another bank (LPDDR5 tpbR2act; HBM3 uses `pbr2pbr`).
    pub pbr2act: u32,
    /// LPDDR5 ACT-1 to ACT-2 maximum delay (0 elsewhere).
    pub aad: u32,
    /// LPDDR5 WCK postamble after the last burst (0 elsewhere).
    pub wckpst: u32,
    /// Rank to rank switch on the data bus.
    pub cs: u32,
}

impl Timing {
    /// RD to WR turnaround.
    pub fn read_to_write(&self) -> u32 {
        if self.rtw > 0 {
            self.rtw
        } else {
            (self.cl + self.bl + 2).saturating_sub(self.cwl)
        }
    }

    /// Cycles from a RD command to its last data (the read latency seen by
    /// the requester).
    pub fn read_latency(&self) -> u32 {
        self.cl + self.bl
    }
}

/// IDD currents (mA) and supply voltages (V) of one device, per supply rail,
/// for the IDD power method; `devices` devices make up one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Power {
    /// Supply rails: (name, volts, idd0, idd2n, idd3n, idd4r, idd4w, idd5b),
    /// currents in mA.
    pub rails: Vec<Rail>,
    /// Devices per channel (per pseudo-channel for HBM: the share of one stack).
    pub devices: f64,
    /// I/O and termination energy per bit read or written, in pJ.
    pub io_pj_per_bit: f64,
}

/// One supply rail of a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rail {
    /// Rail name (VDD, VDD2H, VPP ...).
    pub name: String,
    /// Voltage in V.
    pub volts: f64,
    /// One-bank ACT-PRE current.
    pub idd0: f64,
    /// Precharge standby current.
    pub idd2n: f64,
    /// Active standby current.
    pub idd3n: f64,
    /// Burst read current.
    pub idd4r: f64,
    /// Burst write current.
    pub idd4w: f64,
    /// All-bank refresh burst current.
    pub idd5b: f64,
}

/// A complete DRAM device: standard, organization, timing and power.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DramSpec {
    /// Preset name.
    pub name: String,
    /// Standard.
    pub standard: Standard,
    /// Organization of one channel.
    pub org: Organization,
    /// Timings.
    pub timing: Timing,
    /// Power.
    pub power: Power,
}

impl DramSpec {
    /// Peak bandwidth of one channel (both pseudo-channels for HBM3) in GB/s.
    pub fn peak_gbps_per_channel(&self) -> f64 {
        let bytes_per_burst = f64::from(self.org.burst_bytes());
        let data_buses = if self.standard == Standard::Hbm3 {
            f64::from(self.org.ranks)
        } else {
            1.0
        };
        let secs_per_burst = f64::from(self.timing.bl) * f64::from(self.timing.tck_ps) * 1e-12;
        data_buses * bytes_per_burst / secs_per_burst / 1e9
    }

    /// Bursts the channel can move per CK cycle at most (the data buses).
    pub fn data_buses(&self) -> u32 {
        if self.standard == Standard::Hbm3 {
            self.org.ranks
        } else {
            1
        }
    }

    /// Clock frequency of CK in GHz.
    pub fn ck_ghz(&self) -> f64 {
        1000.0 / f64::from(self.timing.tck_ps)
    }
}
