//! The simulator's own DRAM ([`sim::memory::Dram`]: the transaction-level
//! channel or the banked model, as the design says) behind a C ABI, so the
//! accelerator's Verilator testbench (docs/rtl.md, "The accelerator") takes
//! every timed AXI transfer's completion cycle from the very object the
//! engine uses, with the same placement, issue order and sizes. With the
//! design's `[dram] bus_bits` (the check sets it to the top's AXI data
//! width) the object also times every transfer on that bus, a beat a cycle
//! on the read and on the write channel ([`sim::memory::Bus`]), so engine
//! and testbench agree on what the bus allows by construction.
//!
//! C declarations (the testbench's `extern "C"` block):
//!
//! ```c
//! void    *onebit_dram_open(const char *toml, size_t len, const uint64_t *loads, size_t ops);
//! uint64_t onebit_dram_load(void *h, uint64_t now, size_t op, uint64_t bytes, uint64_t *addr);
//! uint64_t onebit_dram_store(void *h, uint64_t now, size_t op, uint64_t bytes, uint64_t *addr);
//! uint64_t onebit_dram_first_data(const void *h);
//! void     onebit_dram_close(void *h);
//! ```
//!
//! `onebit_dram_open` parses an accelerator description (TOML text) and
//! returns a handle, or null when the text is not a valid design;
//! `loads[i]` is operator `i`'s DRAM load bytes (the placement). A load or
//! store issued at accelerator cycle `now` returns the cycle its last byte
//! has arrived (been written) and writes the address the model placed it
//! at into `*addr`. `onebit_dram_first_data` is the DRAM's first data of
//! the last transfer (the cycle its bus beats may start: the transaction
//! model's start, the banked model's first burst completed), the same
//! figure the engine's bus timing uses.

use sim::memory::Dram;
use std::os::raw::c_char;

/// Opens a DRAM of the design in `toml[..len]`; null on an invalid design.
///
/// # Safety
/// `toml` points to `len` readable bytes and `loads` to `ops` readable `u64`s.
#[no_mangle]
pub unsafe extern "C" fn onebit_dram_open(
    toml: *const c_char,
    len: usize,
    loads: *const u64,
    ops: usize,
) -> *mut Dram {
    if toml.is_null() || (loads.is_null() && ops > 0) {
        return std::ptr::null_mut();
    }
    let bytes = std::slice::from_raw_parts(toml.cast::<u8>(), len);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return std::ptr::null_mut();
    };
    let Ok(arch) = sim::arch::from_toml(text) else {
        return std::ptr::null_mut();
    };
    let loads = if ops == 0 {
        &[][..]
    } else {
        std::slice::from_raw_parts(loads, ops)
    };
    Box::into_raw(Box::new(Dram::new(&arch, loads, false)))
}

/// Operator `op` loads `bytes` at cycle `now`: the arrival cycle; the
/// placement's address goes to `*addr`.
///
/// # Safety
/// `h` is a live handle from [`onebit_dram_open`], `addr` writable, `op`
/// below the `ops` it was opened with.
#[no_mangle]
pub unsafe extern "C" fn onebit_dram_load(
    h: *mut Dram,
    now: u64,
    op: usize,
    bytes: u64,
    addr: *mut u64,
) -> u64 {
    let d = &mut *h;
    *addr = d.next_load_addr(op);
    d.load(now, op, bytes)
}

/// Operator `op` stores `bytes` at cycle `now`: the cycle its last byte is
/// written; the address goes to `*addr`.
///
/// # Safety
/// As [`onebit_dram_load`].
#[no_mangle]
pub unsafe extern "C" fn onebit_dram_store(
    h: *mut Dram,
    now: u64,
    op: usize,
    bytes: u64,
    addr: *mut u64,
) -> u64 {
    let d = &mut *h;
    *addr = d.next_store_addr();
    d.store(now, op, bytes)
}

/// The DRAM's first data of the last load or store (0 before any).
///
/// # Safety
/// `h` is a live handle from [`onebit_dram_open`].
#[no_mangle]
pub unsafe extern "C" fn onebit_dram_first_data(h: *const Dram) -> u64 {
    (*h).last_first_data()
}

/// Frees a handle.
///
/// # Safety
/// `h` came from [`onebit_dram_open`] and is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn onebit_dram_close(h: *mut Dram) {
    if !h.is_null() {
        drop(Box::from_raw(h));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through the C ABI a banked DRAM (one DDR4-3200 channel) with a 64-bit
    /// bus reports the first data and completions of the engine's own
    /// object: a 4,096-byte load to closed rows first at 31 (ACT at DRAM
    /// cycle 1, tRCD 22, tCL 22, BL8's 4: cycle 49, 30.625 ns), its 512
    /// beats done at 543; then a stream against a [`Dram`] of the same text.
    #[test]
    fn the_c_abi_reports_the_banked_first_data() {
        let mut a = sim::arch::preset("edge-w8a8").expect("the preset");
        a.dram.model = sim::arch::DramModelKind::Banked;
        a.dram.preset = Some("ddr4-3200".into());
        a.dram.channels = Some(1);
        a.dram.bandwidth_gbps = a.dram.derived_gbps().expect("the device's rate");
        a.dram.bus_bits = Some(64);
        let text = sim::arch::to_toml(&a);
        let loads = [65536u64, 4096];
        let back = sim::arch::from_toml(&text).expect("the design reads back");
        let mut twin = Dram::new(&back, &loads, false);
        unsafe {
            let h = onebit_dram_open(text.as_ptr().cast(), text.len(), loads.as_ptr(), 2);
            assert!(!h.is_null());
            let mut addr = u64::MAX;
            assert_eq!(onebit_dram_load(h, 0, 0, 4096, &mut addr), 543);
            assert_eq!((addr, onebit_dram_first_data(h)), (0, 31));
            twin.load(0, 0, 4096);
            for k in 1..20u64 {
                let (now, bytes) = (100 * k, 40 + 61 * k);
                let (got, want) = if k % 4 == 0 {
                    (
                        onebit_dram_store(h, now, 1, bytes, &mut addr),
                        twin.store(now, 1, bytes),
                    )
                } else {
                    (
                        onebit_dram_load(h, now, (k % 2) as usize, bytes, &mut addr),
                        twin.load(now, (k % 2) as usize, bytes),
                    )
                };
                assert_eq!(got, want, "transfer {k}");
                assert_eq!(
                    onebit_dram_first_data(h),
                    twin.last_first_data(),
                    "transfer {k}"
                );
                assert!(onebit_dram_first_data(h) > now, "transfer {k}");
            }
            onebit_dram_close(h);
        }
    }
}
