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
//! void     onebit_dram_close(void *h);
//! ```
//!
//! `onebit_dram_open` parses an accelerator description (TOML text) and
//! returns a handle, or null when the text is not a valid design;
//! `loads[i]` is operator `i`'s DRAM load bytes (the placement). A load or
//! store issued at accelerator cycle `now` returns the cycle its last byte
//! has arrived (been written) and writes the address the model placed it
//! at into `*addr`.

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
