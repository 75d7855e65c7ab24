//! The accelerator's Verilator testbench (C++, `harness.cpp` beside this
//! file): an AXI4 memory slave timed by the simulator's DRAM model through
//! its C ABI, an AXI4-Lite host, the record of the layer's cycles.
//!
//! Timing of the slave (the mapping between AXI and the engine's
//! transfers): the bursts of one weight tile (ID 1 or 2, the last one
//! marked by `ARUSER`) are one engine transfer, issued at the cycle of its
//! first burst's address handshake, of the bursts' total bytes; the model
//! returns the arrival cycle `a`, and the slave puts the last beat on the
//! bus in cycle `a - 1` (so the data is in the buffer at `a`, the engine's
//! arrival) and the others back to back before it, never before the cycle
//! after their burst's request. Control traffic (ID 0) is served
//! `ctl_latency` cycles after the request. In the randomized mode every
//! ready and every response delay is random (correctness only): `ARREADY`,
//! `AWREADY`, `WREADY` and `RVALID` each low in a quarter of the cycles, a
//! weight beat due 1 to 64 cycles after its request, a control beat 0 to 7
//! cycles after `ctl_latency` (a SplitMix64 stream from the seed; the
//! numbers are test stimulus, not a model of any memory).

/// The testbench source.
pub const HARNESS_CPP: &str = include_str!("harness.cpp");
