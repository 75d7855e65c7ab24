//! The AXI4-Lite control slave and its register map (docs/rtl.md, "The
//! accelerator"): 32-bit registers at word offsets, writes taken when
//! address and data are both offered, one response outstanding.
//!
//! | offset | name       | access | meaning |
//! |--------|------------|--------|---------|
//! | 0x00   | CTRL       | W/R    | bit 0 start (write 1, ignored while busy); bit 1 interrupt enable |
//! | 0x04   | STATUS     | R, W1C | bit 0 busy, bit 1 done (write 1 clears it and the interrupt), bit 2 error |
//! | 0x08   | DESC_BASE  | W/R    | address of the first descriptor |
//! | 0x0C   | DESC_COUNT | W/R    | descriptors to run as one chain (1 to 8, contiguous from DESC_BASE) |
//! | 0x10   | CYCLES_LO  | R      | cycles since start, low word |
//! | 0x14   | CYCLES_HI  | R      | high word |
//! | 0x18   | ERROR      | R      | bit 0 read response error, bit 1 write response error, bit 2 bad descriptor or count, bit 3 the tile refused a chunk |
//! | 0x1C   | INFO       | R      | lanes (bits 31:16), width (bits 15:0) |
//! | 0x20   | LAYER_CYC  | R      | cycles of the run's layers, cycle 0 to the last one's completion |

use super::build::{add, and, b, cat, eq, k, kx, mux, n, not, set, sl, when, when_else, Body, X};
use super::params::AccelParams;
use crate::ir::Stmt;

/// The register map as `(offset, name, meaning)` (for the manifest).
pub const REGISTERS: &[(u32, &str, &str)] = &[
    (0x00, "CTRL", "bit 0 start (write 1; ignored while busy), bit 1 interrupt enable"),
    (0x04, "STATUS", "bit 0 busy, bit 1 done (write 1 to clear, with the interrupt), bit 2 error"),
    (0x08, "DESC_BASE", "byte address of the first descriptor"),
    (0x0C, "DESC_COUNT", "descriptors to run as one chain: 1 to 8, 64 bytes each, contiguous from DESC_BASE"),
    (0x10, "CYCLES_LO", "cycles since start, low word"),
    (0x14, "CYCLES_HI", "cycles since start, high word"),
    (0x18, "ERROR", "bit 0 read error response, bit 1 write error response, bit 2 bad descriptor or count, bit 3 the tile refused a chunk"),
    (0x1C, "INFO", "lanes (bits 31:16), width (bits 15:0)"),
    (0x20, "LAYER_CYC", "cycles of the run's layers from cycle 0 (the first weight request) to the last layer's completion"),
];

/// The slave: `start_pulse` (a start was written while idle), the control
/// registers, the read mux and the interrupt. `st_done`, `st_busy`, `err`,
/// `cyc_lo/hi` and `win` are driven by the sequencer.
pub fn control_slave(p: &AccelParams, o: &mut Body) {
    o.note("AXI4-Lite control slave: a write is taken when address and data are both offered");
    o.reg("irq_en", 1);
    o.reg("desc_base", X);
    o.reg("desc_count", X);
    o.reg("lite_bvalid", 1);
    o.reg("lite_rvalid", 1);
    o.reg("lite_rdata", X);
    o.wire(
        "lite_wr",
        1,
        and(
            and(n("s_axil_awvalid"), n("s_axil_wvalid")),
            not(n("lite_bvalid")),
        ),
    );
    o.wire("lite_wa", 6, sl("s_axil_awaddr", 7, 2));
    o.wire("lite_ra", 6, sl("s_axil_araddr", 7, 2));
    o.assign("s_axil_awready", n("lite_wr"));
    o.assign("s_axil_wready", n("lite_wr"));
    o.assign("s_axil_bvalid", n("lite_bvalid"));
    o.assign("s_axil_bresp", k(2, 0));
    o.assign("s_axil_arready", not(n("lite_rvalid")));
    o.assign("s_axil_rvalid", n("lite_rvalid"));
    o.assign("s_axil_rdata", n("lite_rdata"));
    o.assign("s_axil_rresp", k(2, 0));
    o.wire(
        "start_pulse",
        1,
        and(
            and(n("lite_wr"), eq(n("lite_wa"), k(6, 0))),
            and(sl("s_axil_wdata", 0, 0), not(n("st_busy"))),
        ),
    );
    o.wire(
        "clear_done",
        1,
        and(
            and(n("lite_wr"), eq(n("lite_wa"), k(6, 1))),
            sl("s_axil_wdata", 1, 1),
        ),
    );
    let info = (p.lanes() << 16) | (p.width() & 0xffff);
    let regs: Vec<(u128, crate::ir::Expr)> = vec![
        (0, cat(vec![k(30, 0), n("irq_en"), b(false)])),
        (
            1,
            cat(vec![
                k(29, 0),
                crate::ir::reduce_or(n("err")),
                n("st_done"),
                n("st_busy"),
            ]),
        ),
        (2, n("desc_base")),
        (3, n("desc_count")),
        (4, n("cyc_lo")),
        (5, n("cyc_hi")),
        (6, cat(vec![k(28, 0), n("err")])),
        (7, kx(info)),
        (8, n("win")),
    ];
    let mut rd = kx(0);
    for (i, e) in regs.into_iter().rev() {
        rd = mux(eq(n("lite_ra"), k(6, i)), e, rd);
    }
    o.wire("lite_rmux", X, rd);
    let write = |i: u128, s: Vec<Stmt>| when(and(n("lite_wr"), eq(n("lite_wa"), k(6, i))), s);
    o.clocked(
        vec![
            set("irq_en", b(false)),
            set("desc_base", kx(0)),
            set("desc_count", kx(0)),
            set("lite_bvalid", b(false)),
            set("lite_rvalid", b(false)),
            set("lite_rdata", kx(0)),
        ],
        vec![
            write(0, vec![set("irq_en", sl("s_axil_wdata", 1, 1))]),
            write(2, vec![set("desc_base", n("s_axil_wdata"))]),
            write(3, vec![set("desc_count", n("s_axil_wdata"))]),
            when_else(
                n("lite_wr"),
                vec![set("lite_bvalid", b(true))],
                vec![when(n("s_axil_bready"), vec![set("lite_bvalid", b(false))])],
            ),
            when_else(
                and(n("s_axil_arvalid"), not(n("lite_rvalid"))),
                vec![
                    set("lite_rvalid", b(true)),
                    set("lite_rdata", n("lite_rmux")),
                ],
                vec![when(n("s_axil_rready"), vec![set("lite_rvalid", b(false))])],
            ),
        ],
    );
    o.assign("irq", and(n("st_done"), n("irq_en")));
    let _ = add;
}
