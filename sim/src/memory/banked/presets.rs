//! DRAM device presets with the source of every value.
//!
//! Timings are the JEDEC minimums of each speed bin, rounded up to whole
//! CK cycles (`ceil(t_ns / tCK)`), for the densities named:
//! - LPDDR5-6400, 8 Gb x16 die, bank-group mode, WCK:CK 4:1 (JESD209-5B:
//!   Table 330 for BL/n, Tables 331-333 core timings, Table 235 refresh,
//!   Table 372 tFAW/tPPD). tCK 1.25 ns.
//! - HBM3-6400, 8 Gb 8-high stack (two stack IDs, 4 Gb per channel),
//!   per pseudo-channel (JESD238A Table 4 organization; AC timings of the
//!   6.4 Gb/s bin; Table 84 tRFC; tREFI 3.9 us). tCK 0.625 ns.
//! - DDR5-4800A (34-34-34), 16 Gb x8, one 32-bit sub-channel (JESD79-5
//!   speed-bin and refresh tables). tCK 0.416 ns.
//! - DDR4-3200AA (22-22-22), 8 Gb x8, 64-bit channel (JESD79-4 speed-bin
//!   table, tRRD/tFAW for 1 KB pages, tRFC1 350 ns, tREFI 7.8 us).
//!   tCK 0.625 ns.
//!
//! The same JEDEC values are tabulated in Ramulator 2's presets
//! (`LPDDR5_6400`, `HBM3_6400Mbps`, `DDR5_4800AN`, `DDR4_3200AA`), which
//! they were checked against.
//!
//! IDD currents (for `power.rs`):
//! - DDR4: Micron 8 Gb DDR4 data sheet (MT40A, Rev. D), IDD table, DDR4-3200
//!   column: IDD0 114 mA and IDD2N 74 mA are the x16 values; the x8 die draws
//!   less. Assumption: the x16 currents are used for the x8 part, and
//!   IDD3N 84, IDD4R 280, IDD4W 260, IDD5B 250 mA (data-sheet class values,
//!   not re-read from the table) — marked in `onebit dram` output as a
//!   datasheet-class estimate.
//! - LPDDR5: Micron LPDDR5 data sheet (MT62F, y31m, Rev. A 05/2021) gives
//!   rails VDD1 1.8 V, VDD2H 1.05 V, VDD2L 0.9 V, VDDQ 0.5 V. The per-channel
//!   IDD values used (VDD2H: IDD0 30, IDD2N 6, IDD3N 12, IDD4R 170,
//!   IDD4W 150, IDD5B 90 mA; VDD1: IDD0 6, IDD2N 1, IDD3N 1.5, IDD4R 2,
//!   IDD4W 2, IDD5B 14 mA) are assumptions of the data-sheet class: the
//!   table itself was not available here.
//! - HBM3: no vendor publishes IDD values; the currents below are an
//!   assumption scaled from the LPDDR5 core currents by the HBM3 page
//!   (1 KB vs 2 KB) and bus width, VDD 1.1 V, VDDQ 0.4 V (JESD238A
//!   supplies).
//! - I/O energy per bit: LPDDR5 0.5 pJ/bit, HBM3 0.6 pJ/bit, DDR4/DDR5
//!   4 pJ/bit: assumptions (order of the interface energies reported for
//!   these PHYs in O'Connor et al., MICRO 2017, "Fine-Grained DRAM").

use super::spec::{DramSpec, Organization, Power, Rail, Standard, Timing};

/// The preset names.
pub const NAMES: [&str; 4] = ["lpddr5-6400", "hbm3-6400", "ddr5-4800", "ddr4-3200"];

fn ns(t_ns: f64, tck_ps: u32) -> u32 {
    (t_ns * 1000.0 / f64::from(tck_ps) - 1e-9).ceil() as u32
}

/// The preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<DramSpec> {
    match name {
        "lpddr5-6400" => Some(lpddr5_6400()),
        "hbm3-6400" => Some(hbm3_6400()),
        "ddr5-4800" => Some(ddr5_4800()),
        "ddr4-3200" => Some(ddr4_3200()),
        _ => None,
    }
}

/// LPDDR5-6400, one x16 channel of an 8 Gb die.
pub fn lpddr5_6400() -> DramSpec {
    let tck = 1250;
    DramSpec {
        name: "lpddr5-6400".into(),
        standard: Standard::Lpddr5,
        org: Organization {
            density_mbit: 8192,
            bus_bits: 16,
            ranks: 1,
            sids: 1,
            bank_groups: 4,
            banks: 4,
            rows: 1 << 15,
            // 1024 columns / BL16
            bursts_per_row: 64,
            burst_length: 16,
        },
        timing: Timing {
            tck_ps: tck,
            rate_mts: 6400,
            // Table 330: BL/n_min = 2, BL/n_max = 4 (BG mode, BL16)
            bl: 2,
            bl_max: 4,
            cl: 17,
            cwl: 9,
            rcd_rd: 15,
            rcd_wr: 15,
            rp: 15,
            rp_ab: 17,
            ras: 34,
            rc: 49,
            wr: 28,
            rtp: 8,
            ccd_s: 2,
            ccd_l: 4,
            ccd_s_wr: 2,
            ccd_l_wr: 4,
            ccd_r: 0,
            // tRRD = max(4 nCK, 5 ns)
            rrd_s: ns(5.0, tck).max(4),
            rrd_l: ns(5.0, tck).max(4),
            wtr_s: 5,
            wtr_l: 10,
            rtw: 0,
            // BG mode tFAW 20 ns
            faw: ns(20.0, tck).max(16),
            // 8 Gb: tRFCab 210 ns, tRFCpb 120 ns, tREFI 3.906 us, tREFIpb 488 ns
            rfc: ns(210.0, tck),
            rfc_pb: ns(120.0, tck),
            refi: ns(3906.0, tck),
            refi_pb: ns(488.0, tck),
            ppd: 2,
            // tpbR2pbR 90 ns, tpbR2act 7.5 ns
            pbr2pbr: ns(90.0, tck),
            pbr2act: ns(7.5, tck),
            aad: 8,
            wckpst: 1,
            cs: 2,
        },
        power: Power {
            rails: vec![
                Rail {
                    name: "VDD1".into(),
                    volts: 1.8,
                    idd0: 6.0,
                    idd2n: 1.0,
                    idd3n: 1.5,
                    idd4r: 2.0,
                    idd4w: 2.0,
                    idd5b: 14.0,
                },
                Rail {
                    name: "VDD2H".into(),
                    volts: 1.05,
                    idd0: 30.0,
                    idd2n: 6.0,
                    idd3n: 12.0,
                    idd4r: 170.0,
                    idd4w: 150.0,
                    idd5b: 90.0,
                },
            ],
            devices: 1.0,
            io_pj_per_bit: 0.5,
        },
    }
}

/// HBM3-6400, one channel (two pseudo-channels) of an 8 Gb 8-high stack.
pub fn hbm3_6400() -> DramSpec {
    let tck = 625;
    DramSpec {
        name: "hbm3-6400".into(),
        standard: Standard::Hbm3,
        org: Organization {
            density_mbit: 8192,
            bus_bits: 32,
            ranks: 2,
            sids: 2,
            bank_groups: 4,
            banks: 4,
            rows: 1 << 13,
            // 256 columns / BL8
            bursts_per_row: 32,
            burst_length: 8,
        },
        timing: Timing {
            tck_ps: tck,
            rate_mts: 6400,
            bl: 2,
            bl_max: 2,
            cl: 20,
            cwl: 10,
            rcd_rd: 31,
            rcd_wr: 15,
            rp: 26,
            rp_ab: 26,
            ras: 45,
            rc: 72,
            wr: 33,
            rtp: 9,
            ccd_s: 2,
            ccd_l: 4,
            ccd_s_wr: 2,
            ccd_l_wr: 4,
            ccd_r: 3,
            rrd_s: 4,
            rrd_l: 5,
            wtr_s: 7,
            wtr_l: 10,
            rtw: 20,
            faw: 24,
            // 4 Gb per channel: tRFCab 260 ns; tRFCpb 200 ns
            rfc: ns(260.0, tck),
            rfc_pb: ns(200.0, tck),
            refi: ns(3900.0, tck),
            // tREFI / 32 banks per pseudo-channel
            refi_pb: ns(3900.0 / 32.0, tck),
            ppd: 2,
            // tRREFD = max(3 nCK, 8 ns)
            pbr2pbr: ns(8.0, tck).max(3),
            pbr2act: ns(8.0, tck).max(3),
            aad: 0,
            wckpst: 0,
            cs: 0,
        },
        power: Power {
            rails: vec![
                Rail {
                    name: "VDD".into(),
                    volts: 1.1,
                    idd0: 40.0,
                    idd2n: 10.0,
                    idd3n: 16.0,
                    idd4r: 120.0,
                    idd4w: 110.0,
                    idd5b: 150.0,
                },
                Rail {
                    name: "VPP".into(),
                    volts: 1.8,
                    idd0: 4.0,
                    idd2n: 1.0,
                    idd3n: 1.0,
                    idd4r: 1.0,
                    idd4w: 1.0,
                    idd5b: 8.0,
                },
            ],
            devices: 1.0,
            io_pj_per_bit: 0.6,
        },
    }
}

/// DDR5-4800A, one 32-bit sub-channel of 16 Gb x8 dies.
pub fn ddr5_4800() -> DramSpec {
    let tck = 416;
    DramSpec {
        name: "ddr5-4800".into(),
        standard: Standard::Ddr5,
        org: Organization {
            density_mbit: 16384,
            bus_bits: 32,
            ranks: 1,
            sids: 1,
            bank_groups: 8,
            banks: 4,
            rows: 1 << 16,
            bursts_per_row: 64,
            burst_length: 16,
        },
        timing: Timing {
            tck_ps: tck,
            rate_mts: 4800,
            bl: 8,
            bl_max: 8,
            cl: 34,
            cwl: 32,
            rcd_rd: 34,
            rcd_wr: 34,
            rp: 34,
            rp_ab: 34,
            ras: 77,
            rc: 111,
            wr: 72,
            rtp: 18,
            ccd_s: 8,
            ccd_l: 12,
            ccd_s_wr: 8,
            ccd_l_wr: 48,
            ccd_r: 0,
            rrd_s: 8,
            rrd_l: 12,
            wtr_s: 6,
            wtr_l: 24,
            rtw: 0,
            // x8 (1 KB page): tFAW = max(32 nCK, 20 ns)
            faw: ns(20.0, tck).max(32),
            // 16 Gb: tRFC1 295 ns, tRFCsb 130 ns, tREFI 3.9 us
            rfc: ns(295.0, tck),
            rfc_pb: ns(130.0, tck),
            refi: ns(3900.0, tck),
            refi_pb: ns(3900.0 / 8.0, tck),
            ppd: 2,
            pbr2pbr: ns(3900.0 / 32.0, tck),
            pbr2act: ns(7.5, tck),
            aad: 0,
            wckpst: 0,
            cs: 2,
        },
        power: Power {
            rails: vec![
                Rail {
                    name: "VDD".into(),
                    volts: 1.1,
                    idd0: 90.0,
                    idd2n: 60.0,
                    idd3n: 70.0,
                    idd4r: 250.0,
                    idd4w: 230.0,
                    idd5b: 280.0,
                },
                Rail {
                    name: "VPP".into(),
                    volts: 1.8,
                    idd0: 5.0,
                    idd2n: 3.0,
                    idd3n: 3.0,
                    idd4r: 3.0,
                    idd4w: 3.0,
                    idd5b: 20.0,
                },
            ],
            devices: 4.0,
            io_pj_per_bit: 4.0,
        },
    }
}

/// DDR4-3200AA, one 64-bit channel of 8 Gb x8 dies.
pub fn ddr4_3200() -> DramSpec {
    let tck = 625;
    DramSpec {
        name: "ddr4-3200".into(),
        standard: Standard::Ddr4,
        org: Organization {
            density_mbit: 8192,
            bus_bits: 64,
            ranks: 1,
            sids: 1,
            bank_groups: 4,
            banks: 4,
            rows: 1 << 16,
            // 1024 columns / BL8
            bursts_per_row: 128,
            burst_length: 8,
        },
        timing: Timing {
            tck_ps: tck,
            rate_mts: 3200,
            bl: 4,
            bl_max: 4,
            cl: 22,
            cwl: 16,
            rcd_rd: 22,
            rcd_wr: 22,
            rp: 22,
            rp_ab: 22,
            ras: 52,
            rc: 74,
            wr: 24,
            rtp: 12,
            ccd_s: 4,
            ccd_l: 8,
            ccd_s_wr: 4,
            ccd_l_wr: 8,
            ccd_r: 0,
            rrd_s: 4,
            rrd_l: 8,
            wtr_s: 4,
            wtr_l: 12,
            rtw: 0,
            faw: 34,
            rfc: ns(350.0, tck),
            rfc_pb: ns(350.0, tck),
            refi: ns(7800.0, tck),
            refi_pb: ns(7800.0 / 16.0, tck),
            ppd: 0,
            pbr2pbr: 0,
            pbr2act: 0,
            aad: 0,
            wckpst: 0,
            cs: 2,
        },
        power: Power {
            rails: vec![
                Rail {
                    name: "VDD".into(),
                    volts: 1.2,
                    idd0: 114.0,
                    idd2n: 74.0,
                    idd3n: 84.0,
                    idd4r: 280.0,
                    idd4w: 260.0,
                    idd5b: 250.0,
                },
                Rail {
                    name: "VPP".into(),
                    volts: 2.5,
                    idd0: 6.0,
                    idd2n: 3.0,
                    idd3n: 3.0,
                    idd4r: 3.0,
                    idd4w: 3.0,
                    idd5b: 30.0,
                },
            ],
            devices: 8.0,
            io_pj_per_bit: 4.0,
        },
    }
}
